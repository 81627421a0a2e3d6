/*
 * print.c - the scripted mode: matching entries as short lines, raw JSON or
 * pretty key/value text; the statistics report; the file list; and follow.
 * Log text is sanitised on the way out, except the raw lines of --output json.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

#define SGR_RED "\033[31m"
#define SGR_BOLD_RED "\033[1;31m"
#define SGR_YELLOW "\033[33m"
#define SGR_DIM "\033[2m"
#define SGR_RESET "\033[0m"

struct printer {
	struct eng *e;
	const struct options *o;
	bool color;
	int source_width;	/* 0: one directory, no source column */
	struct strbuf line;	/* the text being built */
	struct strbuf tmp;
	struct eng_fields fields;	/* the entry's, for pretty output */
	/* the time text up to the seconds, for the minute of the last entry
	 * (most entries share their minute with the one before) */
	int64_t minute;		/* INT64_MIN: none yet */
	char minute_text[24];
	bool minute_ok;		/* the cache can be used for this minute */
	/* lines read in blocks while a view is printed in time order, or
	 * NULL: eng_line (follow sees files change under it) */
	struct eng_reader *reader;
	uint64_t unreadable_named;	/* eng_unreadable's seq named so far */
	size_t malformed_left;	/* -o json: malformed lines not printed */
};

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* auto: a terminal, NO_COLOR unset or empty, TERM not "dumb". */
static bool
use_color(const struct options *o)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

	switch (o->color) {
	case COLOR_ALWAYS:
		return true;
	case COLOR_NEVER:
		return false;
	default:
		return isatty(STDOUT_FILENO) &&
		    (no_color == NULL || *no_color == '\0') &&
		    (term == NULL || strcmp(term, "dumb") != 0);
	}
}

static const char *
level_color(int level)
{
	switch (level) {
	case LLMLOG_CRITICAL:
		return SGR_BOLD_RED;
	case LLMLOG_ERROR:
		return SGR_RED;
	case LLMLOG_WARNING:
		return SGR_YELLOW;
	case LLMLOG_DEBUG:
		return SGR_DIM;
	default:
		return NULL;
	}
}

/* s, then spaces up to width columns (s is ASCII here).  Cheaper than
 * printf on the per-line path. */
static void
add_padded(struct strbuf *b, const char *s, size_t width)
{
	static const char spaces[] = "                ";
	size_t n = strlen(s);

	strbuf_add(b, s, n);
	if (n < width)
		strbuf_add(b, spaces, width - n < sizeof spaces - 1 ?
		    width - n : sizeof spaces - 1);
}

static const char *
level_text(const struct eng_entry *en)
{
	return en->level != 0 ? llmlog_level_name(eng_entry_level(en)) : "-";
}

static const char *
category_text(const struct eng_entry *en)
{
	return en->category < LLMLOG_NCATEGORIES ?
	    llmlog_category_name(en->category) : "-";
}

static void
printer_init(struct printer *p, struct eng *e, const struct options *o)
{
	memset(p, 0, sizeof *p);
	p->e = e;
	p->o = o;
	p->color = use_color(o);
	p->minute = INT64_MIN;
	strbuf_init(&p->line);
	strbuf_init(&p->tmp);
	eng_fields_init(&p->fields);
	/* Several directories: a column of their names, as shown. */
	for (unsigned i = 0; eng_source_count(e) > 1 &&
	    i < eng_source_count(e); i++) {
		const char *name = eng_host_name(e, i);

		strbuf_reset(&p->tmp);
		eng_sanitize(&p->tmp, name, strlen(name));
		if ((int)p->tmp.len > p->source_width)
			p->source_width = (int)p->tmp.len;
	}
}

static void
printer_free(struct printer *p)
{
	strbuf_free(&p->line);
	strbuf_free(&p->tmp);
	eng_fields_free(&p->fields);
}

/* What eng_time_format writes, with its formatting done once per minute:
 * then only the seconds and milliseconds change.  Where the minute does
 * not print as "…:MM:00.000" (an offset with seconds, a year of more
 * than four digits) every time is formatted in full. */
static void
add_time(struct printer *p, int64_t us)
{
	int64_t minute, rem;
	unsigned sec, ms;
	char *d;

	if (us == ENG_TIME_NONE || us < INT64_MIN / 2 || us > INT64_MAX / 2) {
		eng_time_format(&p->line, us, p->o->utc);
		return;
	}
	minute = us >= 0 ? us / ENG_US_PER_MIN :
	    (us - (ENG_US_PER_MIN - 1)) / ENG_US_PER_MIN;
	if (minute != p->minute) {
		strbuf_reset(&p->tmp);
		eng_time_format(&p->tmp, minute * ENG_US_PER_MIN, p->o->utc);
		p->minute = minute;
		p->minute_ok = p->tmp.len == 23 &&
		    memcmp(p->tmp.s + 16, ":00.000", 7) == 0;
		if (p->minute_ok)
			memcpy(p->minute_text, p->tmp.s, 17);
	}
	if (!p->minute_ok) {
		eng_time_format(&p->line, us, p->o->utc);
		return;
	}
	rem = us - minute * ENG_US_PER_MIN;
	sec = (unsigned)(rem / ENG_US_PER_SEC);
	ms = (unsigned)(rem % ENG_US_PER_SEC / ENG_US_PER_MS);
	d = strbuf_reserve(&p->line, 24);
	memcpy(d, p->minute_text, 17);
	d[17] = (char)('0' + sec / 10);
	d[18] = (char)('0' + sec % 10);
	d[19] = '.';
	d[20] = (char)('0' + ms / 100);
	d[21] = (char)('0' + ms / 10 % 10);
	d[22] = (char)('0' + ms % 10);
	d[23] = '\0';
	p->line.len += 23;
}

/* en's line, as eng_line gives it. */
static const char *
printer_line(struct printer *p, const struct eng_entry *en, size_t *len)
{
	if (p->reader != NULL)
		return eng_reader_line(p->reader, en, len);
	return eng_line(p->e, en, len);
}

/* "[source ]time level category " into p->line; returns the colour that
 * was opened, if any. */
static const char *
add_prefix(struct printer *p, const struct eng_entry *en)
{
	const char *sgr = p->color ? level_color(eng_entry_level(en)) : NULL;
	bool malformed = en->flags & ENTRY_MALFORMED;

	if (p->source_width > 0) {
		const char *src = eng_host_name(p->e, en->source);
		size_t before = p->line.len;

		eng_sanitize(&p->line, src, strlen(src));
		strbuf_printf(&p->line, "%*s ",
		    p->source_width - (int)(p->line.len - before), "");
	}
	/* An untimed entry sorts by its neighbour's time but shows none. */
	add_time(p, en->flags & ENTRY_NO_TIME ? ENG_TIME_NONE : en->time_us);
	strbuf_puts(&p->line, " ");
	if (malformed && p->color)
		sgr = SGR_RED;
	if (sgr != NULL)
		strbuf_puts(&p->line, sgr);
	add_padded(&p->line, malformed ? "MALFORMED" : level_text(en), 8);
	if (sgr != NULL)
		strbuf_puts(&p->line, SGR_RESET);
	strbuf_add(&p->line, " ", 1);
	add_padded(&p->line, category_text(en), 11);
	strbuf_add(&p->line, " ", 1);
	return sgr;
}

/* s[0..n) sanitised, abbreviated to ENG_LINE_SHOW bytes (on a character
 * boundary) with a note of what was left out: the short and pretty formats
 * are displays; --output json prints every line whole. */
static void
add_shown(struct printer *p, const char *s, size_t n)
{
	size_t cut = n;

	if (n > ENG_LINE_SHOW) {
		cut = ENG_LINE_SHOW;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	eng_sanitize(&p->line, s, cut);
	if (cut < n)
		strbuf_printf(&p->line, " ... (%zu bytes more: --output json "
		    "prints the line whole)", n - cut);
}

static void
add_raw_sanitized(struct printer *p, const struct eng_entry *en)
{
	size_t len;
	const char *raw = printer_line(p, en, &len);

	if (raw != NULL)
		add_shown(p, raw, len);
	else
		strbuf_puts(&p->line, "(line no longer available)");
}

static void
print_short(struct printer *p, const struct eng_entry *en)
{
	const char *sgr, *raw;
	size_t len;

	strbuf_reset(&p->line);
	sgr = add_prefix(p, en);
	if (en->flags & ENTRY_MALFORMED)
		add_raw_sanitized(p, en);	/* only the mark is coloured */
	else {
		if (sgr != NULL)
			strbuf_puts(&p->line, sgr);
		strbuf_reset(&p->tmp);
		raw = printer_line(p, en, &len);
		if (p->o->nfields > 0) {
			fields_short(&p->line, p->o, raw, len);
			while (p->line.len > 0 && p->line.s[p->line.len - 1] ==
			    ' ')
				p->line.len--;	/* no field present */
		} else {
			if (raw != NULL)
				eng_summary_line(p->e, en, raw, len, &p->tmp);
			add_shown(p, p->tmp.s, p->tmp.len);
		}
		if (sgr != NULL)
			strbuf_puts(&p->line, SGR_RESET);
	}
	strbuf_puts(&p->line, "\n");
	fwrite(p->line.s, 1, p->line.len, stdout);
}

/* Entries only, so that every line parses (jq stops at the first that
 * does not); malformed lines are counted, or with --malformed printed as
 * they are. */
static void
print_json(struct printer *p, const struct eng_entry *en)
{
	size_t len;
	const char *raw;

	if ((en->flags & ENTRY_MALFORMED) && !p->o->malformed) {
		p->malformed_left++;
		return;
	}
	if ((raw = printer_line(p, en, &len)) == NULL)
		return;
	if (p->o->nfields > 0) {
		strbuf_reset(&p->line);
		if (!(en->flags & ENTRY_MALFORMED) &&
		    fields_json(&p->line, p->o, raw, len))
			fwrite(p->line.s, 1, p->line.len, stdout);
		return;
	}
	fwrite(raw, 1, len, stdout);
	fputc('\n', stdout);
}

/* time,level,category, then the fields or the summary. */
static void
print_csv(struct printer *p, const struct eng_entry *en)
{
	const char *raw;
	size_t len;
	strbuf_reset(&p->line);
	if (!(en->flags & ENTRY_NO_TIME) && en->time_us != ENG_TIME_NONE)
		add_time(p, en->time_us);	/* else empty */
	strbuf_puts(&p->line, ",");
	strbuf_puts(&p->line, en->flags & ENTRY_MALFORMED ? "MALFORMED" :
	    level_text(en));
	strbuf_puts(&p->line, ",");
	strbuf_puts(&p->line, category_text(en));
	raw = printer_line(p, en, &len);
	if (p->o->nfields > 0)
		csv_fields(&p->line, p->o, en->flags & ENTRY_MALFORMED ? NULL :
		    raw, len);
	else {
		strbuf_reset(&p->tmp);
		if (raw != NULL && en->flags & ENTRY_MALFORMED)
			strbuf_add(&p->tmp, raw, len);
		else if (raw != NULL)
			eng_summary_line(p->e, en, raw, len, &p->tmp);
		strbuf_puts(&p->line, ",");
		csv_value(&p->line, p->tmp.s, p->tmp.len);
	}
	strbuf_puts(&p->line, "\r\n");
	fwrite(p->line.s, 1, p->line.len, stdout);
}

/* One of an entry's fields (eng_entry_fields) as a pretty line: "key:
 * value" indented two spaces a level below the heading, "key:" alone
 * above an object's or list's members, "-" for a list's element, an
 * empty string as "" (not a blank that looks like nothing). */
static void
add_field(struct strbuf *b, const struct eng_field *f)
{
	strbuf_printf(b, "%*s", (int)(f->depth + 1) * 2, "");
	if (f->key != NULL)
		eng_sanitize(b, f->key, f->key_len);
	else
		strbuf_add(b, "-", 1);
	if (f->text == NULL) {
		strbuf_puts(b, f->key != NULL ? ":\n" : "\n");
		return;
	}
	strbuf_puts(b, f->key != NULL ? ": " : " ");
	if (f->kind == ENG_FIELD_STRING && f->text_len == 0)
		strbuf_puts(b, "\"\"");
	else
		eng_sanitize(b, f->text, f->text_len);
	strbuf_puts(b, "\n");
}

/* An LLM call's "  cost: $0.0001517 (from the price table)" line. */
static void
add_cost(struct printer *p, const struct eng_entry *en, const char *s,
    size_t len)
{
	strbuf_reset(&p->tmp);
	if (!eng_cost_describe(p->e, en, s, len, &p->tmp))
		return;
	strbuf_puts(&p->line, "  cost: ");
	eng_sanitize(&p->line, p->tmp.s, p->tmp.len);
	strbuf_puts(&p->line, "\n");
}

/* Time, level and category as a heading, then every field (and an LLM
 * call's cost), then a blank line. */
static void
print_pretty(struct printer *p, const struct eng_entry *en)
{
	const char *s;
	size_t len;
	bool fields = false;

	strbuf_reset(&p->line);
	add_prefix(p, en);
	while (p->line.len > 0 && p->line.s[p->line.len - 1] == ' ')
		p->line.s[--p->line.len] = '\0';
	strbuf_puts(&p->line, "\n");
	if (p->o->nfields > 0 && !(en->flags & ENTRY_MALFORMED)) {
		s = printer_line(p, en, &len);
		fields_pretty(&p->line, p->o, s, len);
		strbuf_puts(&p->line, "\n");
		fwrite(p->line.s, 1, p->line.len, stdout);
		return;
	}
	if (!(en->flags & ENTRY_MALFORMED) &&
	    (s = printer_line(p, en, &len)) != NULL)
		fields = eng_entry_fields(s, len, &p->fields);
	if (fields) {
		for (size_t i = 0; i < p->fields.n; i++)
			add_field(&p->line, &p->fields.v[i]);
		add_cost(p, en, s, len);
	} else {
		strbuf_puts(&p->line, "  malformed: ");
		add_raw_sanitized(p, en);
		strbuf_puts(&p->line, "\n");
	}
	strbuf_puts(&p->line, "\n");
	fwrite(p->line.s, 1, p->line.len, stdout);
}

static void
print_entry(struct printer *p, const struct eng_entry *en)
{
	switch (p->o->output) {
	case OUTPUT_JSON:
		print_json(p, en);
		break;
	case OUTPUT_PRETTY:
		print_pretty(p, en);
		break;
	case OUTPUT_CSV:
		print_csv(p, en);
		break;
	default:
		print_short(p, en);
		break;
	}
}

/* ---- --stats ---------------------------------------------------------------- */

static int
print_stats(struct eng_view *v, const struct options *o)
{
	struct eng_stats *s = eng_stats_new();
	json_object *j;

	eng_stats_set_utc(s, o->utc);
	eng_stats_update(s, v);
	j = eng_stats_json(s);
	if (o->output == OUTPUT_JSON)
		eng_json_print(j, JSON_C_TO_STRING_PRETTY, stdout);
	else
		report_print(j, o->utc, o->filter.since_us,
		    o->filter.categories, stdout);
	json_object_put(j);
	eng_stats_free(s);
	return eng_view_count(v) > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- --count: as grep -c, nothing formatted ---------------------------------- */

static int
print_count(struct eng_view *v, const struct options *o)
{
	size_t n = eng_view_count(v);

	if (o->tail >= 0 && n > (size_t)o->tail)
		n = (size_t)o->tail;
	printf("%zu\n", n);
	return n > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- --list ------------------------------------------------------------------ */

/* "512B", "1.2K", "10M", as ls -h. */
static void
human_size(char *buf, size_t len, uint64_t size)
{
	static const char units[] = "BKMGTP";
	double v = (double)size;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 "B", size);
	else if (v < 10)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}

/* A file of the list and the host (directory) it is in. */
struct list_row {
	struct eng_file_info fi;
	unsigned source;
};

static int
list_row_cmp(const void *a, const void *b)
{
	const struct list_row *rx = a, *ry = b;
	const struct eng_file_info *x = &rx->fi, *y = &ry->fi;

	/* the directories in the order given */
	if (rx->source != ry->source)
		return rx->source < ry->source ? -1 : 1;
	/* Unknown files (category -1) last, by path. */
	if (x->category != y->category)
		return (unsigned)x->category < (unsigned)y->category ? -1 : 1;
	if (x->category < 0)
		return strcmp(x->path, y->path);
	return x->backup - y->backup;
}

/* The source whose directory a file is in. */
static unsigned
file_source(struct eng *e, const struct eng_file_info *fi)
{
	for (unsigned s = 0; s < eng_source_count(e); s++)
		if (fi->dir == eng_source_name(e, s))
			return s;
	return 0;
}

/* Columns on a terminal of sanitised (valid UTF-8) text. */
static int
list_width(const char *s, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* The host column: as wide as the widest name shown. */
static int
host_width(struct eng *e, const struct list_row *rows, size_t n)
{
	struct strbuf b;
	int w = 4;	/* HOST */

	strbuf_init(&b);
	for (size_t i = 0; i < n; i++) {
		const char *h = eng_host_name(e, rows[i].source);

		strbuf_reset(&b);
		eng_sanitize(&b, h, strlen(h));
		if (list_width(b.s, b.len) > w)
			w = list_width(b.s, b.len);
	}
	strbuf_free(&b);
	return w;
}

/* A host's name, sanitised, padded to w columns and a space. */
static void
host_cell(struct printer *p, unsigned source, int w)
{
	const char *h = eng_host_name(p->e, source);
	size_t before = p->line.len;
	int cw;

	eng_sanitize(&p->line, h, strlen(h));
	cw = list_width(p->line.s + before, p->line.len - before);
	strbuf_printf(&p->line, "%*s ", w > cw ? w - cw : 0, "");
}

static void
print_file_row(struct printer *p, const struct list_row *r, int hostw)
{
	const struct eng_file_info *fi = &r->fi;
	char size[16];
	struct strbuf entries;
	const char *cat = fi->category >= 0 ?
	    llmlog_category_name(fi->category) : "-";

	strbuf_reset(&p->line);
	if (hostw > 0)
		host_cell(p, r->source, hostw);
	if (fi->backup == 0)
		strbuf_printf(&p->line, "%-12s", cat);
	else
		strbuf_printf(&p->line, "  .%-9d", fi->backup);
	human_size(size, sizeof size, fi->size);
	strbuf_init(&entries);
	eng_format_number(&entries, (double)fi->entries, 0);
	strbuf_printf(&p->line, " %6s %9s  ", size, entries.s);
	strbuf_free(&entries);
	eng_time_format(&p->line, fi->entries > 0 ? fi->first_us : ENG_TIME_NONE,
	    p->o->utc);
	strbuf_puts(&p->line, "  ");
	eng_time_format(&p->line, fi->entries > 0 ? fi->last_us : ENG_TIME_NONE,
	    p->o->utc);
	strbuf_puts(&p->line, "  ");
	eng_sanitize(&p->line, fi->path, strlen(fi->path));
	if (fi->compressed > 0) {
		human_size(size, sizeof size, fi->compressed);
		strbuf_printf(&p->line, "  (%s compressed)", size);
	}
	strbuf_puts(&p->line, "\n");
	fwrite(p->line.s, 1, p->line.len, stdout);
}

/* A host's totals after its files: the files, their size and entries,
 * the first and the last entry of them all. */
static void
print_host_total(struct printer *p, const struct list_row *rows, size_t n,
    int hostw)
{
	uint64_t size = 0;
	size_t entries = 0;
	int64_t first = ENG_TIME_NONE, last = ENG_TIME_NONE;
	struct strbuf count;
	char sz[16];

	for (size_t i = 0; i < n; i++) {
		const struct eng_file_info *fi = &rows[i].fi;

		size += fi->size;
		entries += fi->entries;
		if (fi->entries == 0)
			continue;
		if (first == ENG_TIME_NONE || fi->first_us < first)
			first = fi->first_us;
		if (last == ENG_TIME_NONE || fi->last_us > last)
			last = fi->last_us;
	}
	strbuf_reset(&p->line);
	host_cell(p, rows[0].source, hostw);
	human_size(sz, sizeof sz, size);
	strbuf_init(&count);	/* grouped as the files' counts above it */
	eng_format_number(&count, (double)entries, 0);
	strbuf_printf(&p->line, "%-12s %6s %9s  ", "total", sz, count.s);
	strbuf_free(&count);
	eng_time_format(&p->line, first, p->o->utc);
	strbuf_puts(&p->line, "  ");
	eng_time_format(&p->line, last, p->o->utc);
	strbuf_printf(&p->line, "  %zu file%s in ", n, n == 1 ? "" : "s");
	eng_sanitize(&p->line, rows[0].fi.dir, strlen(rows[0].fi.dir));
	strbuf_puts(&p->line, "\n");
	fwrite(p->line.s, 1, p->line.len, stdout);
}

/* With --category, only the files of those categories. */
static bool
file_wanted(const struct options *o, const struct eng_file_info *fi)
{
	unsigned cats = o->filter.categories;

	return cats == 0 || (fi->category >= 0 && (cats & (1u << fi->category)));
}

/* A time as eng_stats_json writes them, null for none. */
static json_object *
json_time(int64_t us)
{
	struct strbuf b;
	json_object *o;

	strbuf_init(&b);
	eng_time_format(&b, us, true);
	b.s[10] = 'T';
	strbuf_puts(&b, "Z");
	o = json_object_new_string(b.s);
	strbuf_free(&b);
	return o;
}

/* One file's figures into o. */
static void
json_file_figures(json_object *o, const char *path,
    const struct eng_file_info *fi)
{
	bool any = fi != NULL && fi->entries > 0;

	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "size",
	    json_object_new_int64(fi != NULL ? (int64_t)fi->size : 0));
	if (fi != NULL && fi->compressed > 0)
		json_object_object_add(o, "compressed",
		    json_object_new_int64((int64_t)fi->compressed));
	json_object_object_add(o, "entries",
	    json_object_new_int64(fi != NULL ? (int64_t)fi->entries : 0));
	json_object_object_add(o, "first", any ? json_time(fi->first_us) : NULL);
	json_object_object_add(o, "last", any ? json_time(fi->last_us) : NULL);
}

/* --list -o json: one object per log (a category in a directory, or a
 * file of no category) with its host and its backups, newest first:
 * [{"host":H,"category":"tool","path":P,"size":N,"entries":N,"first":T,
 *   "last":T,"backups":[{"path":P,"size":N,"compressed":N,"entries":N,
 *   "first":T,"last":T}]}], "compressed" for a compressed backup only.
 * Backups whose current file is gone list under the name it would have,
 * with no size and no entries.  rows are sorted as list_row_cmp does. */
static void
print_list_json(struct eng *e, const struct list_row *rows, size_t n)
{
	json_object *arr = json_object_new_array(), *log = NULL, *backups = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct eng_file_info *fi = &rows[i].fi;
		bool same = i > 0 && fi->category >= 0 && fi->backup > 0 &&
		    rows[i - 1].fi.category == fi->category &&
		    rows[i - 1].source == rows[i].source;

		if (!same) {
			log = json_object_new_object();
			backups = json_object_new_array();
			json_object_object_add(log, "host",
			    json_object_new_string(eng_host_name(e,
			    rows[i].source)));
			json_object_object_add(log, "category", fi->category >= 0 ?
			    json_object_new_string(llmlog_category_name(
			    fi->category)) : NULL);
			if (fi->backup == 0)
				json_file_figures(log, fi->path, fi);
			else {
				/* "x.log.3" without its current "x.log" */
				char *cur = eng_xstrdup(fi->path), *dot =
				    strrchr(cur, '.');

				if (dot != NULL)
					*dot = '\0';
				json_file_figures(log, cur, NULL);
				free(cur);
			}
			json_object_object_add(log, "backups", backups);
			json_object_array_add(arr, log);
		}
		if (fi->backup > 0) {
			json_object *b = json_object_new_object();

			json_file_figures(b, fi->path, fi);
			json_object_array_add(backups, b);
		}
	}
	eng_json_print(arr, JSON_C_TO_STRING_PRETTY, stdout);
	json_object_put(arr);
}

/* Each directory's files by category, each current file followed by its
 * backups (.1 newest); with several directories, a host column and each
 * host's totals after its files. */
static int
print_list(struct printer *p)
{
	size_t n = eng_file_count(p->e), shown = 0;
	struct list_row *rows = eng_xcalloc(n + 1, sizeof *rows);
	int hostw = 0;

	for (size_t i = 0; i < n; i++) {
		struct eng_file_info *fi = &rows[shown].fi;

		eng_file_info(p->e, i, fi);
		if (fi->path != NULL && file_wanted(p->o, fi)) {
			rows[shown].source = file_source(p->e, fi);
			shown++;
		}
	}
	qsort(rows, shown, sizeof *rows, list_row_cmp);
	if (p->o->output == OUTPUT_JSON) {
		print_list_json(p->e, rows, shown);
		free(rows);
		return shown > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	if (eng_source_count(p->e) > 1)
		hostw = host_width(p->e, rows, shown);
	if (shown > 0)
		printf("%-*s%s%-12s %6s %9s  %-23s  %-23s  %s\n", hostw,
		    hostw > 0 ? "HOST" : "", hostw > 0 ? " " : "", "CATEGORY",
		    "SIZE", "ENTRIES", "FIRST", "LAST", "PATH");
	for (size_t i = 0, start = 0; i < shown; i++) {
		print_file_row(p, &rows[i], hostw);
		if (hostw > 0 && (i + 1 == shown ||
		    rows[i + 1].source != rows[i].source)) {
			print_host_total(p, rows + start, i + 1 - start, hostw);
			start = i + 1;
		}
	}
	free(rows);
	return shown > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Name on stderr each file that could not be read, once: those above the
 * last one named (*named).  Whether any was ever named. */
bool
warn_unreadable(struct eng *e, uint64_t *named)
{
	struct strbuf b;
	uint64_t seq, top = *named;
	const char *text;

	strbuf_init(&b);
	for (size_t i = 0; i < eng_unreadable_count(e); i++) {
		if ((text = eng_unreadable(e, i, &seq)) == NULL || seq <= *named)
			continue;
		strbuf_reset(&b);
		eng_sanitize(&b, text, strlen(text));
		fprintf(stderr, "llmlog: %s\n", b.s);
		if (seq > top)
			top = seq;
	}
	strbuf_free(&b);
	*named = top;
	return top > 0;
}

/* A directory without a single log name is most likely the wrong one. */
void
warn_empty_dirs(struct eng *e)
{
	struct strbuf b;

	strbuf_init(&b);
	for (unsigned i = 0; i < eng_source_count(e); i++) {
		const char *dir = eng_source_name(e, i);

		if (eng_source_names(e, i) > 0)
			continue;
		strbuf_reset(&b);
		eng_sanitize(&b, dir, strlen(dir));
		fprintf(stderr, "llmlog: no log files in %s\n", b.s);
	}
	strbuf_free(&b);
}

/* A live file's last line with no newline yet is left for the writer to
 * finish (following reads it then); a run that ends now says so. */
static void
warn_unfinished(const struct eng *e)
{
	struct eng_file_info fi;
	struct strbuf b;

	strbuf_init(&b);
	for (size_t i = 0; i < eng_file_count(e); i++) {
		eng_file_info(e, i, &fi);
		if (fi.unfinished == 0)
			continue;
		strbuf_reset(&b);
		eng_sanitize(&b, fi.path, strlen(fi.path));
		fprintf(stderr, "llmlog: %s: its last line has no newline "
		    "yet (%" PRIu64 " byte%s): not read\n", b.s, fi.unfinished,
		    fi.unfinished == 1 ? "" : "s");
	}
	strbuf_free(&b);
}

/* ---- follow ------------------------------------------------------------------ */

static void
catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() returns at once with EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Wait for a change: on the watch descriptor when there is one (with a
 * slow poll too, in case a change escapes it), else every 100 ms, as
 * eng_watch_fd asks. */
#define WATCH_POLL_MS	1000
#define NO_WATCH_POLL_MS	100

static void
wait_for_change(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (fd >= 0)
		poll(&pfd, 1, WATCH_POLL_MS);
	else
		poll(NULL, 0, NO_WATCH_POLL_MS);
}

/* Print what the last update added, in view order.  The view is in time
 * order, so an entry written late with an earlier time (another
 * process's) lands before ones already shown: the view tells which are
 * new.  Walk back to the earliest new one; the rest are at the end. */
static void
print_new(struct printer *p, struct eng_view *v, size_t n)
{
	size_t count = eng_view_count(v), i = count, found = 0;

	while (i > 0 && found < n)
		found += eng_view_is_new(v, --i);
	for (; i < count; i++)
		if (eng_view_is_new(v, i))
			print_entry(p, eng_view_get(v, i));
}

static void
follow(struct printer *p, struct eng_view *v)
{
	size_t n;

	catch_stop_signals();
	fflush(stdout);
	/* a pipe at its end has nothing more to wait for (as tail -f) */
	while (!stop_requested && !eng_follow_ended(p->e)) {
		wait_for_change(eng_watch_fd(p->e));
		if (stop_requested)
			break;
		eng_refresh(p->e);
		warn_unreadable(p->e, &p->unreadable_named);
		/* every refresh: entries may have left it too */
		if ((n = eng_view_update(v)) > 0)
			print_new(p, v, n);
		if (fflush(stdout) != 0 && errno == EPIPE)
			break;
	}
}

/* ---- the entry point ------------------------------------------------------- */

/* Lines the regex gave up on are left out: never silently. */
static void
warn_regex_errors(const struct eng_view *v)
{
	size_t n = eng_view_regex_errors(v);

	if (n > 0)
		fprintf(stderr, "llmlog: %zu line%s left out: the pattern hit its "
		    "match limit there\n", n, n == 1 ? "" : "s");
}

static void
print_entry_cb(void *arg, const struct eng_entry *en)
{
	print_entry(arg, en);
}

/* What -o json left out, said once at the end on stderr. */
static void
warn_malformed_left(const struct printer *p)
{
	if (p->malformed_left > 0)
		fprintf(stderr, "llmlog: %zu malformed line%s not printed "
		    "(--malformed prints them)\n", p->malformed_left,
		    p->malformed_left == 1 ? "" : "s");
}

static int
print_entries(struct printer *p, struct eng_view *v)
{
	size_t count = eng_view_count(v), start = 0;

	if (p->o->tail >= 0 && count > (size_t)p->o->tail)
		start = count - (size_t)p->o->tail;
	if (p->o->output == OUTPUT_CSV) {
		strbuf_reset(&p->line);
		csv_header(&p->line, p->o);
		fwrite(p->line.s, 1, p->line.len, stdout);
	}
	p->reader = eng_reader_new(p->e, false);
	if (p->o->cursor_file != NULL) {
		int rc = cursor_run(p->e, v, p->o, print_entry_cb, p);

		eng_reader_free(p->reader);
		p->reader = NULL;
		warn_malformed_left(p);
		return rc;
	}
	for (size_t i = start; i < count; i++)
		print_entry(p, eng_view_get(v, i));
	eng_reader_free(p->reader);
	p->reader = NULL;
	if (p->o->follow) {
		follow(p, v);
		fflush(stdout);
		warn_malformed_left(p);
		return EXIT_SUCCESS;
	}
	fflush(stdout);
	warn_malformed_left(p);
	return count > start ? EXIT_SUCCESS : EXIT_FAILURE;
}

int
print_run(struct eng *e, const struct options *o)
{
	struct printer p;
	struct eng_view *v;
	char err[1024];
	bool unreadable;
	int rc;

	/* every view here has the options' keyword and regex: lines they
	 * rule out need no indexing (--list counts every line) */
	if (!o->list)
		eng_set_prefilter(e, o->filter.keyword != NULL ||
		    o->trace_id[0] == '\0' ? o->filter.keyword : o->trace_id,
		    o->filter.regex, o->filter.raw);
	if (o->stats && o->by_text == NULL && !o->list &&
	    o->trace_id[0] == '\0')
		eng_stats_on_load_only(e, &o->filter, o->utc);
	if (eng_load(e, err, sizeof err) != 0) {
		fprintf(stderr, "llmlog: %s\n", err);
		return 2;
	}
	printer_init(&p, e, o);
	warn_unreadable(e, &p.unreadable_named);
	if (!o->follow) {
		warn_empty_dirs(e);
		warn_unfinished(e);
	}
	if (o->list)
		rc = print_list(&p);
	else if (o->trace_id[0] != '\0')
		rc = trace_run(e, o, p.color);
	else if ((v = eng_view_new(e, &o->filter)) == NULL) {
		usage_error("--keyword of %zu bytes is too long to search for: "
		    "keep it under 30000", strlen(o->filter.keyword));
		rc = EXIT_USAGE;
	} else {
		if (o->stats && o->by_text != NULL)
			rc = breakdown_run(v, o);
		else if (o->stats)
			rc = print_stats(v, o);
		else if (o->count)
			rc = print_count(v, o);
		else
			rc = print_entries(&p, v);
		warn_regex_errors(v);
		eng_view_free(v);
	}
	unreadable = p.unreadable_named > 0;
	printer_free(&p);
	if (fflush(stdout) != 0 && errno != EPIPE) {
		fprintf(stderr, "llmlog: writing output: %s\n", strerror(errno));
		return 2;
	}
	/* what could be read was shown; what could not makes it status 2 */
	return unreadable && rc != EXIT_USAGE ? 2 : rc;
}
