/*
 * breakdown.c - --stats --by: the rows of eng_groupby_json as an aligned
 * table (thousands separators), a JSON array or csv.  --by names the
 * fields, and time:DURATION the width of time buckets.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* When the table shows a figure: always, or when some row has tokens, a
 * cost, an unpriced call. */
enum shown { SHOWN_ALWAYS, SHOWN_TOKENS, SHOWN_COST, SHOWN_UNPRICED,
    SHOWN_N };

#define DECIMALS_COST	(-1)	/* eng_format_cost */

/* The figures after the key columns: JSON key, heading, decimals. */
static const struct {
	const char *key, *head;
	int decimals;
	enum shown shown;	/* in the table */
} figures[] = {
	{ "count", "COUNT", 0, SHOWN_ALWAYS },
	{ "failed", "FAILED", 0, SHOWN_ALWAYS },
	{ "fail_pct", "FAIL%", 1, SHOWN_ALWAYS },
	{ "errors", "ERRORS", 0, SHOWN_ALWAYS },
	{ "p50_ms", "P50_MS", 1, SHOWN_ALWAYS },
	{ "p95_ms", "P95_MS", 1, SHOWN_ALWAYS },
	{ "p99_ms", "P99_MS", 1, SHOWN_ALWAYS },
	{ "prompt_tokens", "PROMPT_TOKENS", 0, SHOWN_TOKENS },
	{ "completion_tokens", "COMPLETION_TOKENS", 0, SHOWN_TOKENS },
	{ "total_tokens", "TOTAL_TOKENS", 0, SHOWN_TOKENS },
	{ "cost_usd", "COST_USD", DECIMALS_COST, SHOWN_COST },
	{ "unpriced_calls", "UNPRICED", 0, SHOWN_UNPRICED },
};
#define NFIGURES (sizeof figures / sizeof figures[0])

/* "90s", "5m", "1h", "1d", "1w": microseconds, or 0 when it is none. */
static int64_t
parse_duration(const char *s)
{
	static const struct {
		char unit;
		int64_t us;
	} units[] = {
		{ 's', ENG_US_PER_SEC }, { 'm', ENG_US_PER_MIN },
		{ 'h', ENG_US_PER_HOUR }, { 'd', ENG_US_PER_DAY },
		{ 'w', 7 * ENG_US_PER_DAY },
	};
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *s == '-' || *s == '+' || errno != 0 || v <= 0 ||
	    v > 100000 || end[0] == '\0' || end[1] != '\0')
		return 0;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (*end == units[i].unit)
			return v * units[i].us;
	return 0;
}

int
by_parse(const char *text, struct by_spec *out)
{
	char *save = NULL, *tok;
	size_t cap = 0;

	memset(out, 0, sizeof *out);
	out->buf = eng_xstrdup(text);
	for (tok = strtok_r(out->buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		tok += strspn(tok, " ");
		tok[strcspn(tok, " ")] = '\0';
		if (*tok == '\0')
			continue;
		if (strncmp(tok, "time:", 5) == 0) {
			if ((out->bucket_us = parse_duration(tok + 5)) == 0) {
				usage_error("invalid --by '%s': time takes a "
				    "width such as time:90s, time:5m, time:1h, "
				    "time:1d or time:1w", tok);
				by_free(out);
				return -1;
			}
			tok[4] = '\0';
		}
		eng_grow(&out->fields, &cap, out->n + 1, sizeof *out->fields);
		out->fields[out->n++] = tok;
	}
	if (out->n == 0) {
		usage_error("invalid --by '%s': expected a comma list of "
		    "fields, e.g. --by model or --by provider,model or --by "
		    "time:1h", text);
		by_free(out);
		return -1;
	}
	return 0;
}

void
by_free(struct by_spec *s)
{
	free(s->fields);
	free(s->buf);
	memset(s, 0, sizeof *s);
}

/* A figure as the table shows it: "-" for null. */
static void
figure_text(struct strbuf *b, json_object *row, size_t f)
{
	json_object *v = NULL;

	json_object_object_get_ex(row, figures[f].key, &v);
	if (v == NULL)
		strbuf_puts(b, "-");
	else if (figures[f].decimals == DECIMALS_COST)
		eng_format_cost(b, json_object_get_double(v));
	else
		eng_format_number(b, json_object_get_double(v),
		    figures[f].decimals);
}

static void
key_text(struct strbuf *b, json_object *row, const char *field, bool sanitize)
{
	json_object *k = NULL, *v = NULL;
	const char *s;

	json_object_object_get_ex(row, "key", &k);
	if (k == NULL || !json_object_object_get_ex(k, field, &v) || v == NULL)
		return;
	s = json_object_get_string(v);
	if (sanitize)
		eng_sanitize(b, s, (size_t)json_object_get_string_len(v));
	else
		strbuf_add(b, s, (size_t)json_object_get_string_len(v));
}

/* Columns of text on a terminal: UTF-8 continuation bytes take none. */
static size_t
text_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Every cell of the table, row-major, a heading row first. */
static void
print_table(json_object *rows, const struct by_spec *by, FILE *out)
{
	size_t nrows = json_object_array_length(rows), ncols, *width;
	bool shown[SHOWN_N] = { [SHOWN_ALWAYS] = true };
	struct strbuf *cell, line;

	for (size_t r = 0; r < nrows; r++) {
		json_object *row = json_object_array_get_idx(rows, r), *v;

		v = NULL;
		json_object_object_get_ex(row, "total_tokens", &v);
		shown[SHOWN_TOKENS] |= v != NULL &&
		    json_object_get_int64(v) != 0;
		v = NULL;
		json_object_object_get_ex(row, "cost_usd", &v);
		shown[SHOWN_COST] |= v != NULL;
		v = NULL;
		json_object_object_get_ex(row, "unpriced_calls", &v);
		shown[SHOWN_UNPRICED] |= v != NULL &&
		    json_object_get_int64(v) != 0;
	}
	/* a column of costs says what it leaves out */
	shown[SHOWN_COST] |= shown[SHOWN_UNPRICED];
	ncols = by->n + NFIGURES;
	cell = eng_xcalloc((nrows + 1) * ncols, sizeof *cell);
	width = eng_xcalloc(ncols, sizeof *width);
	for (size_t c = 0; c < ncols; c++) {
		strbuf_init(&cell[c]);
		if (c < by->n)
			for (const char *p = by->fields[c]; *p; p++)
				strbuf_printf(&cell[c], "%c", *p >= 'a' &&
				    *p <= 'z' ? *p - 'a' + 'A' : *p);
		else
			strbuf_puts(&cell[c], figures[c - by->n].head);
	}
	for (size_t r = 0; r < nrows; r++) {
		json_object *row = json_object_array_get_idx(rows, r);

		for (size_t c = 0; c < ncols; c++) {
			struct strbuf *b = &cell[(r + 1) * ncols + c];

			strbuf_init(b);
			if (c < by->n) {
				key_text(b, row, by->fields[c], true);
				if (b->len == 0)
					strbuf_puts(b, "-");
			} else
				figure_text(b, row, c - by->n);
		}
	}
	for (size_t i = 0; i < (nrows + 1) * ncols; i++) {
		size_t w = text_width(cell[i].s, cell[i].len);

		if (w > width[i % ncols])
			width[i % ncols] = w;
	}
	strbuf_init(&line);
	for (size_t r = 0; r <= nrows; r++) {
		strbuf_reset(&line);
		for (size_t c = 0; c < ncols; c++) {
			struct strbuf *b = &cell[r * ncols + c];
			size_t pad = width[c] - text_width(b->s, b->len);

			if (c >= by->n && !shown[figures[c - by->n].shown])
				continue;
			if (c > 0)
				strbuf_puts(&line, "  ");
			if (c >= by->n)
				strbuf_printf(&line, "%*s", (int)pad, "");
			strbuf_add(&line, b->s, b->len);
			if (c < by->n)
				strbuf_printf(&line, "%*s", (int)pad, "");
		}
		while (line.len > 0 && line.s[line.len - 1] == ' ')
			line.len--;
		strbuf_puts(&line, "\n");
		fwrite(line.s, 1, line.len, out);
	}
	strbuf_free(&line);
	for (size_t i = 0; i < (nrows + 1) * ncols; i++)
		strbuf_free(&cell[i]);
	free(cell);
	free(width);
}

static void
print_csv_rows(json_object *rows, const struct by_spec *by, FILE *out)
{
	struct strbuf line, t;

	strbuf_init(&line);
	strbuf_init(&t);
	for (size_t c = 0; c < by->n; c++) {
		csv_value(&line, by->fields[c], strlen(by->fields[c]));
		strbuf_puts(&line, ",");
	}
	for (size_t f = 0; f < NFIGURES; f++)
		strbuf_printf(&line, "%s%s", figures[f].key,
		    f + 1 < NFIGURES ? "," : "\r\n");
	for (size_t r = 0; r < json_object_array_length(rows); r++) {
		json_object *row = json_object_array_get_idx(rows, r), *v;

		for (size_t c = 0; c < by->n; c++) {
			strbuf_reset(&t);
			key_text(&t, row, by->fields[c], false);
			csv_value(&line, t.s != NULL ? t.s : "", t.len);
			strbuf_puts(&line, ",");
		}
		for (size_t f = 0; f < NFIGURES; f++) {
			v = NULL;
			json_object_object_get_ex(row, figures[f].key, &v);
			if (v != NULL)
				strbuf_puts(&line, json_object_get_string(v));
			strbuf_puts(&line, f + 1 < NFIGURES ? "," : "\r\n");
		}
	}
	fwrite(line.s, 1, line.len, out);
	strbuf_free(&line);
	strbuf_free(&t);
}

int
breakdown_run(struct eng_view *v, const struct options *o)
{
	struct by_spec by;
	struct eng_groupby *g;
	json_object *rows;

	if (by_parse(o->by_text, &by) != 0)
		return EXIT_USAGE;
	g = eng_groupby_new((const char *const *)by.fields, by.n, by.bucket_us);
	eng_groupby_local(g, !o->utc);
	eng_groupby_update(g, v);
	/* rows of time buckets read in time order unless asked otherwise */
	rows = eng_groupby_json(g, o->sort_given || by.bucket_us == 0 ?
	    o->sort : ENG_SORT_NAME);
	if (o->output == OUTPUT_JSON)
		eng_json_print(rows, JSON_C_TO_STRING_PRETTY, stdout);
	else if (o->output == OUTPUT_CSV)
		print_csv_rows(rows, &by, stdout);
	else
		print_table(rows, &by, stdout);
	json_object_put(rows);
	eng_groupby_free(g);
	by_free(&by);
	return eng_view_count(v) > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
