/*
 * sqlview.c - the SQL screen: `:` runs a query over the list's view
 * (every other filter applies first) through the engine's SQLite tables
 * (tui/engine/sql.c, llmlog(1) SQL) and shows its rows as a table that
 * scrolls both ways.  A query that takes a while says how far it got on
 * the bottom line and Esc cancels it; a quit signal (Ctrl-C) cancels it
 * too and the loop then quits.  SQLite's errors stay in the prompt as
 * SQLite words them.  Cells are sanitised once, when the rows arrive.
 */
#include "config.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_MAX_ROWS 100000	/* rows kept for the screen; more are counted */
#define SQL_COL_MAX 48		/* a column's widest */
#define SQL_SHOW_US (200 * ENG_US_PER_MS)	/* progress after this long */

struct ui_sqlview {
	char *query;
	struct strbuf cells;	/* every cell's text, NUL after each */
	size_t *cell;		/* each cell's start, ncols a row */
	size_t ncells, cells_cap;
	char **names;
	int *width;
	size_t ncols, nrows;
	long total;		/* rows the query gave */
	unsigned statement;
	size_t top;
	size_t col;		/* the first column shown */
	/* while the query runs */
	struct ui *u;
	int64_t start_us, shown_us;
	bool cancelled;
};

static void
table_clear(struct ui_sqlview *q)
{
	for (size_t i = 0; i < q->ncols; i++)
		free(q->names[i]);
	free(q->names);
	free(q->width);
	q->names = NULL;
	q->width = NULL;
	q->ncols = q->nrows = q->ncells = 0;
	strbuf_reset(&q->cells);
	q->top = q->col = 0;
}

static void
columns_set(struct ui_sqlview *q, const struct eng_sql_row *row)
{
	table_clear(q);
	q->statement = row->statement;
	q->ncols = row->ncols;
	q->names = eng_xcalloc(row->ncols + 1, sizeof *q->names);
	q->width = eng_xcalloc(row->ncols + 1, sizeof *q->width);
	for (size_t i = 0; i < row->ncols; i++) {
		struct strbuf b;
		int w;

		strbuf_init(&b);
		eng_sanitize(&b, row->names[i], strlen(row->names[i]));
		q->names[i] = b.s != NULL ? b.s : eng_xstrdup("");
		w = ui_text_width(q->names[i], strlen(q->names[i]));
		q->width[i] = w < SQL_COL_MAX ? w : SQL_COL_MAX;
	}
}

/* Between steps of the query: the progress, and Esc or a quit signal to
 * cancel it. */
static int
on_progress(void *arg)
{
	struct ui_sqlview *q = arg;
	int64_t now = eng_now_us();
	wint_t wc;
	int got;

	if (ui_quitting())
		return 1;
	if (now - q->start_us < SQL_SHOW_US || now - q->shown_us < SQL_SHOW_US)
		return 0;
	q->shown_us = now;
	while ((got = get_wch(&wc)) != ERR)
		if (got != KEY_CODE_YES && wc == UI_ESC) {
			q->cancelled = true;
			return 1;
		}
	if (LINES > 1) {
		char msg[128];

		snprintf(msg, sizeof msg, "running the query: %.1f s, %ld rows "
		    "so far (Esc cancels)", (double)(now - q->start_us) / 1e6,
		    q->total);
		ui_fill(LINES - 1, 0, COLS, A_NORMAL);
		ui_puts(LINES - 1, 0, COLS, msg, A_BOLD);
		refresh();
	}
	return 0;
}

static int
on_row(void *arg, const struct eng_sql_row *row)
{
	struct ui_sqlview *q = arg;

	/* the rows of the last statement that gave any are shown */
	if (q->total == 0 || row->statement != q->statement) {
		columns_set(q, row);
		q->total = 0;
	}
	q->total++;
	if (q->nrows >= SQL_MAX_ROWS)
		return on_progress(q);
	eng_grow(&q->cell, &q->cells_cap, q->ncells + row->ncols + 1,
	    sizeof *q->cell);
	for (size_t i = 0; i < row->ncols; i++) {
		size_t at = q->cells.len;
		int w;

		eng_sql_value_text(&q->cells, &row->values[i], 0);
		w = ui_text_width(q->cells.s + at, q->cells.len - at);
		if (w > q->width[i])
			q->width[i] = w < SQL_COL_MAX ? w : SQL_COL_MAX;
		strbuf_add(&q->cells, "", 1);
		q->cell[q->ncells++] = at;
	}
	q->nrows++;
	return 0;
}

int
ui_sql_run(struct ui *u, const char *query)
{
	struct ui_sqlview *q;
	struct eng_sql *db;
	long n;

	if (u->sql == NULL) {
		u->sql = eng_xcalloc(1, sizeof *u->sql);
		strbuf_init(&u->sql->cells);
	}
	q = u->sql;
	free(u->sql_text);
	u->sql_text = eng_xstrdup(query);
	table_clear(q);
	q->total = 0;
	q->statement = 0;
	q->cancelled = false;
	q->u = u;
	q->start_us = q->shown_us = eng_now_us();
	db = eng_sql_new(u->view);
	eng_sql_set_progress(db, on_progress, q);
	n = eng_sql_run(db, query, on_row, q, u->prompt.error,
	    sizeof u->prompt.error);
	eng_sql_free(db);
	if (n < 0) {
		if (q->cancelled)
			snprintf(u->prompt.error, sizeof u->prompt.error,
			    "cancelled (Esc)");
		table_clear(q);
		return -1;
	}
	free(q->query);
	q->query = eng_xstrdup(query);
	ui_show(u, UI_SQL);
	if (q->total == 0)
		ui_message(u, false, "the query gave no rows");
	return 0;
}

/* ---- drawing -------------------------------------------------------------- */

static const char *
cell_text(const struct ui_sqlview *q, size_t row, size_t col)
{
	return q->cells.s + q->cell[row * q->ncols + col];
}

/* One row of cells from column q->col on: names (row SIZE_MAX) or
 * values, numbers right-aligned. */
static void
row_draw(const struct ui_sqlview *q, size_t row, int y, int x, int w,
    attr_t a)
{
	int cx = x;

	ui_fill(y, x, w, a);
	for (size_t c = q->col; c < q->ncols && cx < x + w; c++) {
		const char *s = row == SIZE_MAX ? q->names[c] :
		    cell_text(q, row, c);
		size_t len = strlen(s);
		int tw = ui_text_width(s, len), cw = q->width[c];
		int pad = 0;
		char *end;

		if (cw > x + w - cx)
			cw = x + w - cx;
		if (row != SIZE_MAX && tw < cw && len > 0 &&
		    (strtod(s, &end), *end == '\0'))
			pad = cw - tw;
		ui_text(y, cx + pad, cw - pad, s, len, 0, a, NULL, 0, 0);
		cx += q->width[c] + 2;
	}
}

static size_t
body_rows(int h)
{
	return h > 3 ? (size_t)(h - 3) : 1;
}

static void
sql_draw(struct ui *u, int y, int x, int h, int w)
{
	struct ui_sqlview *q = u->sql;
	struct strbuf title, safe;
	size_t rows = body_rows(h);

	if (q == NULL)
		return;
	strbuf_init(&title);
	strbuf_init(&safe);
	eng_format_number(&title, (double)q->total, 0);
	strbuf_printf(&title, " row%s", q->total == 1 ? "" : "s");
	if ((size_t)q->total > q->nrows)
		strbuf_printf(&title, " (the first %zu shown)", q->nrows);
	if (q->nrows > 0)
		strbuf_printf(&title, ", %zu-%zu", q->top + 1,
		    q->top + rows < q->nrows ? q->top + rows : q->nrows);
	strbuf_puts(&title, ": ");
	eng_sanitize(&title, q->query, strlen(q->query));
	ui_puts(y, x, w, title.s, ui_pair(u, UI_PAIR_TITLE));
	if (q->ncols > 0) {
		if (q->top + rows > q->nrows)
			q->top = q->nrows > rows ? q->nrows - rows : 0;
		row_draw(q, SIZE_MAX, y + 2, x, w, A_BOLD | A_UNDERLINE);
		for (size_t i = 0; i < rows && q->top + i < q->nrows; i++)
			row_draw(q, q->top + i, y + 3 + (int)i, x, w, A_NORMAL);
	}
	strbuf_free(&title);
	strbuf_free(&safe);
}

/* ---- keys ----------------------------------------------------------------- */

static int
sql_key(struct ui *u, int key)
{
	struct ui_sqlview *q = u->sql;
	long page = (long)body_rows(u->body_h);

	if (q == NULL)
		return 0;
	if (key == 'b' || key == ' ')
		key = UK(key == 'b' ? KEY_PPAGE : KEY_NPAGE);
	if (key == 'g' || key == UK(KEY_HOME))
		q->col = 0;	/* home is the table's first cell */
	if (ui_move_key(key, &q->top, q->nrows, (size_t)page))
		return UI_HANDLED | UI_REDRAW;
	switch (key) {
	case UK(KEY_LEFT):
		if (q->col > 0)
			q->col--;
		break;
	case UK(KEY_RIGHT):
		if (q->col + 1 < q->ncols)
			q->col++;
		break;
	case ':':
		ui_prompt_open(u, UI_PROMPT_SQL, u->sql_text);
		break;
	default:
		return ui_screen_key(u, key, UI_LIST);
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
sql_free(struct ui *u)
{
	if (u->sql == NULL)
		return;
	table_clear(u->sql);
	strbuf_free(&u->sql->cells);
	free(u->sql->cell);
	free(u->sql->query);
	free(u->sql);
	u->sql = NULL;
}

const struct ui_screen ui_sql_screen = {
	.hint = "Esc back  Up Down PgUp PgDn rows  Left Right columns  "
	    ": another query  h help",
	.draw = sql_draw,
	.key = sql_key,
	.free = sql_free,
};
