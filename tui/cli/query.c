/*
 * query.c - --sql: the other filters make the view, the engine runs the
 * query over it (tui/engine/sql.c), and its rows come out as an aligned
 * table, one JSON object per line, or CSV.  The table waits for every row
 * to know its widths; JSON and CSV stream.  Log text is sanitised on the
 * way out (in CSV, newlines and tabs stay, quoted); JSON escapes what
 * JSON must and writes bytes that are not UTF-8 as U+FFFD.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct table_out {
	struct strbuf text;	/* every cell's text, one after another */
	size_t *cell;		/* where each starts, ncols per row, and one
				   more at the end */
	size_t ncells, cells_cap;
	size_t ncols;
	size_t *width;
	bool *number;		/* every value of the column is a number */
	char **names;
};

struct query_out {
	const struct options *o;
	struct strbuf line;
	unsigned statement;	/* of the rows shown so far */
	bool any;
	struct table_out t;
};

/* ---- values as text ---------------------------------------------------------- */

static void
add_real(struct strbuf *b, double r)
{
	char buf[40];

	if (isnan(r)) {
		strbuf_puts(b, "NaN");
		return;
	}
	if (isinf(r)) {
		strbuf_puts(b, r > 0 ? "Inf" : "-Inf");
		return;
	}
	/* the shortest text that reads back as the same double */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, r);
		if (strtod(buf, NULL) == r)
			break;
	}
	strbuf_puts(b, buf);
	if (strpbrk(buf, ".e") == NULL)
		strbuf_puts(b, ".0");
}

/* A real as the text table shows it: 15 significant digits at most, as
 * the sum of a column reads (2.09458988, not 2.0945898800000005). */
static void
add_real_short(struct strbuf *b, double r)
{
	char buf[40];

	if (!isfinite(r)) {
		add_real(b, r);
		return;
	}
	snprintf(buf, sizeof buf, "%.15g", r);
	strbuf_puts(b, buf);
	if (strpbrk(buf, ".e") == NULL)
		strbuf_puts(b, ".0");
}

static void
add_hex(struct strbuf *b, const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		char h[2] = { digits[(unsigned char)s[i] >> 4],
		    digits[(unsigned char)s[i] & 15] };

		strbuf_add(b, h, 2);
	}
}

/* Text made safe for a terminal; keep_lines leaves LF, CR and tab alone
 * (CSV quotes them). */
static void
add_clean(struct strbuf *b, const char *s, size_t n, bool keep_lines)
{
	size_t start = 0;

	for (size_t i = 0; keep_lines && i < n; i++) {
		if (s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
			continue;
		eng_sanitize(b, s + start, i - start);
		strbuf_add(b, s + i, 1);
		start = i + 1;
	}
	eng_sanitize(b, s + start, n - start);
}

/* A value as the table and CSV show it: NULL as nothing; the table's
 * reals with the digits a reader needs, CSV's whole. */
static void
add_value_text(struct strbuf *b, const struct eng_sql_value *v,
    bool keep_lines, bool table)
{
	switch (v->type) {
	case ENG_SQL_INTEGER:
		strbuf_printf(b, "%" PRId64, v->i);
		break;
	case ENG_SQL_REAL:
		if (table)
			add_real_short(b, v->r);
		else
			add_real(b, v->r);
		break;
	case ENG_SQL_TEXT:
		add_clean(b, v->s, v->n, keep_lines);
		break;
	case ENG_SQL_BLOB:
		add_hex(b, v->s, v->n);
		break;
	default:
		break;
	}
}

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return len;
}

static void
add_json_string(struct strbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	strbuf_add(b, "\"", 1);
	for (size_t i = 0; i < n;) {
		size_t len = utf8_seq(u + i, n - i);

		if (len == 0) {
			strbuf_puts(b, "\\ufffd");
			i++;
		} else if (u[i] == '"' || u[i] == '\\') {
			strbuf_add(b, "\\", 1);
			strbuf_add(b, s + i++, 1);
		} else if (u[i] == '\n') {
			strbuf_puts(b, "\\n");
			i++;
		} else if (u[i] == '\t') {
			strbuf_puts(b, "\\t");
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			strbuf_printf(b, "\\u%04x", u[i++]);
		} else {
			strbuf_add(b, s + i, len);
			i += len;
		}
	}
	strbuf_add(b, "\"", 1);
}

static void
add_json_value(struct strbuf *b, const struct eng_sql_value *v)
{
	switch (v->type) {
	case ENG_SQL_INTEGER:
		strbuf_printf(b, "%" PRId64, v->i);
		break;
	case ENG_SQL_REAL:
		if (isfinite(v->r))
			add_real(b, v->r);
		else
			strbuf_puts(b, "null");
		break;
	case ENG_SQL_TEXT:
		add_json_string(b, v->s, v->n);
		break;
	case ENG_SQL_BLOB:
		strbuf_add(b, "\"", 1);
		add_hex(b, v->s, v->n);
		strbuf_add(b, "\"", 1);
		break;
	default:
		strbuf_puts(b, "null");
		break;
	}
}

/* ---- JSON lines and CSV: a row at a time -------------------------------------- */

static void
put_line(struct query_out *q)
{
	strbuf_add(&q->line, "\n", 1);
	fwrite(q->line.s, 1, q->line.len, stdout);
	strbuf_reset(&q->line);
}

static void
json_row(struct query_out *q, const struct eng_sql_row *row)
{
	strbuf_add(&q->line, "{", 1);
	for (size_t i = 0; i < row->ncols; i++) {
		if (i > 0)
			strbuf_add(&q->line, ",", 1);
		add_json_string(&q->line, row->names[i], strlen(row->names[i]));
		strbuf_add(&q->line, ":", 1);
		add_json_value(&q->line, &row->values[i]);
	}
	strbuf_add(&q->line, "}", 1);
	put_line(q);
}

static void
csv_row(struct query_out *q, const struct eng_sql_row *row, bool header)
{
	struct strbuf cell;

	strbuf_init(&cell);
	for (size_t i = 0; i < row->ncols; i++) {
		strbuf_reset(&cell);
		if (header)
			add_clean(&cell, row->names[i], strlen(row->names[i]),
			    true);
		else
			add_value_text(&cell, &row->values[i], true, false);
		if (i > 0)
			strbuf_add(&q->line, ",", 1);
		csv_add(&q->line, cell.s != NULL ? cell.s : "", cell.len);
	}
	strbuf_free(&cell);
	/* RFC 4180 ends records with CRLF; lines here end as the
	 * terminal's and every tool's do */
	put_line(q);
}

/* ---- the aligned table: every row first ---------------------------------------- */

/* Columns on a terminal: one per UTF-8 character (the text is sanitised,
 * so valid). */
static size_t
text_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

static void
table_start(struct table_out *t, const struct eng_sql_row *row)
{
	t->ncols = row->ncols;
	t->width = eng_xcalloc(t->ncols + 1, sizeof *t->width);
	t->number = eng_xcalloc(t->ncols + 1, sizeof *t->number);
	t->names = eng_xcalloc(t->ncols + 1, sizeof *t->names);
	for (size_t i = 0; i < t->ncols; i++) {
		struct strbuf b;

		strbuf_init(&b);
		add_clean(&b, row->names[i], strlen(row->names[i]), false);
		t->names[i] = b.s != NULL ? b.s : eng_xstrdup("");
		t->width[i] = text_width(t->names[i], strlen(t->names[i]));
		t->number[i] = true;
	}
	strbuf_init(&t->text);
}

static void
table_add(struct table_out *t, const struct eng_sql_row *row)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const struct eng_sql_value *v = &row->values[i];
		size_t start = t->text.len;

		eng_grow(&t->cell, &t->cells_cap, t->ncells + 2, sizeof *t->cell);
		t->cell[t->ncells++] = start;
		add_value_text(&t->text, v, false, true);
		if (t->text.len - start > t->width[i] &&
		    text_width(t->text.s + start, t->text.len - start) >
		    t->width[i])
			t->width[i] = text_width(t->text.s + start,
			    t->text.len - start);
		if (v->type != ENG_SQL_INTEGER && v->type != ENG_SQL_REAL &&
		    v->type != ENG_SQL_NULL)
			t->number[i] = false;
	}
	t->cell[t->ncells] = t->text.len;
}

static void
table_cell(struct strbuf *b, const struct table_out *t, size_t col,
    const char *s, size_t n)
{
	size_t pad = t->width[col] - text_width(s, n);
	bool last = col + 1 == t->ncols;

	if (col > 0)
		strbuf_add(b, "  ", 2);
	if (t->number[col])
		strbuf_printf(b, "%*s", (int)pad, "");
	strbuf_add(b, s, n);
	if (!t->number[col] && !last)
		strbuf_printf(b, "%*s", (int)pad, "");
}

/* A table's line, without the padding of empty cells at its end. */
static void
put_table_line(struct query_out *q)
{
	while (q->line.len > 0 && q->line.s[q->line.len - 1] == ' ')
		q->line.len--;
	put_line(q);
}

static void
table_flush(struct query_out *q)
{
	struct table_out *t = &q->t;

	if (t->ncols == 0)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		table_cell(&q->line, t, i, t->names[i], strlen(t->names[i]));
	put_table_line(q);
	for (size_t c = 0; c < t->ncells; c++) {
		table_cell(&q->line, t, c % t->ncols, t->text.s + t->cell[c],
		    t->cell[c + 1] - t->cell[c]);
		if (c % t->ncols == t->ncols - 1)
			put_table_line(q);
	}
	for (size_t i = 0; i < t->ncols; i++)
		free(t->names[i]);
	free(t->names);
	free(t->width);
	free(t->number);
	free(t->cell);
	strbuf_free(&t->text);
	memset(t, 0, sizeof *t);
}

/* ---- the rows ------------------------------------------------------------------- */

static int
on_row(void *arg, const struct eng_sql_row *row)
{
	struct query_out *q = arg;
	bool first = !q->any || row->statement != q->statement;

	if (first && q->any) {
		/* the next statement's rows: a table of their own */
		if (q->o->output != OUTPUT_JSON && q->o->output != OUTPUT_CSV)
			table_flush(q);
		put_line(q);
	}
	q->any = true;
	q->statement = row->statement;
	switch (q->o->output) {
	case OUTPUT_JSON:
		json_row(q, row);
		break;
	case OUTPUT_CSV:
		if (first)
			csv_row(q, row, true);
		csv_row(q, row, false);
		break;
	default:
		if (first)
			table_start(&q->t, row);
		table_add(&q->t, row);
		break;
	}
	/* a closed pipe ends the query */
	return ferror(stdout) && errno == EPIPE;
}

static int
run_query(struct eng_view *v, const struct options *o)
{
	struct eng_sql *sql = eng_sql_new(v);
	struct query_out q = { .o = o };
	char err[1024];
	long rows;

	strbuf_init(&q.line);
	rows = eng_sql_run(sql, o->sql, on_row, &q, err, sizeof err);
	table_flush(&q);
	strbuf_free(&q.line);
	eng_sql_free(sql);
	if (rows < 0) {
		fflush(stdout);
		fprintf(stderr, "llmlog: --sql: %s\n", err);
		return EXIT_USAGE;
	}
	return rows > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int
query_run(struct eng *e, const struct options *o)
{
	struct eng_view *v;
	char err[1024];
	uint64_t named = 0;
	bool unreadable;
	int rc;

	/* every table reads the one view, which has the options' keyword
	 * and regex: lines they rule out need no indexing */
	eng_set_prefilter(e, o->filter.keyword, o->filter.regex,
	    o->filter.raw);
	if (eng_load(e, err, sizeof err) != 0) {
		fprintf(stderr, "llmlog: %s\n", err);
		return EXIT_USAGE;
	}
	unreadable = warn_unreadable(e, &named);
	warn_empty_dirs(e);
	if ((v = eng_view_new(e, &o->filter)) == NULL) {
		usage_error("--keyword of %zu bytes is too long to search for: "
		    "keep it under 30000", strlen(o->filter.keyword));
		return EXIT_USAGE;
	}
	rc = run_query(v, o);
	eng_view_free(v);
	if (fflush(stdout) != 0 && errno != EPIPE) {
		fprintf(stderr, "llmlog: writing output: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	/* what could be read was queried; what could not makes it status 2 */
	return unreadable && rc != EXIT_USAGE ? 2 : rc;
}
