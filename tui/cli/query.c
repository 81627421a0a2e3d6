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

/* ---- values as JSON ---------------------------------------------------------- */

/* A JSON string of s[0, n): quotes, backslashes and C0 controls escaped
 * here; DEL, C1 codes, bidi controls and invalid UTF-8 as our other JSON
 * has them (eng_json_visible), so no text reaches a terminal raw. */
static void
add_json_string(struct strbuf *b, const char *s, size_t n)
{
	struct strbuf t;
	size_t start = 0;

	strbuf_init(&t);
	strbuf_add(&t, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(&t, s + start, i - start);
		start = i + 1;
		if (c == '"' || c == '\\')
			strbuf_printf(&t, "\\%c", c);
		else if (c == '\n')
			strbuf_puts(&t, "\\n");
		else if (c == '\t')
			strbuf_puts(&t, "\\t");
		else
			strbuf_printf(&t, "\\u%04x", c);
	}
	strbuf_add(&t, s + start, n - start);
	strbuf_add(&t, "\"", 1);
	eng_json_visible(b, t.s, t.len);
	strbuf_free(&t);
}

static void
add_json_value(struct strbuf *b, const struct eng_sql_value *v)
{
	switch (v->type) {
	case ENG_SQL_INTEGER:
		eng_sql_value_text(b, v, ENG_SQL_EXACT);
		break;
	case ENG_SQL_REAL:
		if (isfinite(v->r))
			eng_sql_value_text(b, v, ENG_SQL_EXACT);
		else
			strbuf_puts(b, "null");
		break;
	case ENG_SQL_TEXT:
		add_json_string(b, v->s, v->n);
		break;
	case ENG_SQL_BLOB:
		strbuf_add(b, "\"", 1);
		eng_sql_value_text(b, v, ENG_SQL_EXACT);
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
		if (header) {
			struct eng_sql_value name = { .type = ENG_SQL_TEXT,
			    .s = row->names[i], .n = strlen(row->names[i]) };

			eng_sql_value_text(&cell, &name, ENG_SQL_KEEP_LINES);
		} else
			eng_sql_value_text(&cell, &row->values[i],
			    ENG_SQL_EXACT | ENG_SQL_KEEP_LINES);
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
		eng_sanitize(&b, row->names[i], strlen(row->names[i]));
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
		eng_sql_value_text(&t->text, v, 0);
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
