/*
 * sql.c - SQLite virtual tables over a view, so that --sql (and the UI's
 * query screen) can ask what filters cannot: sums, groups, percentiles.
 *
 * The cost of a row is kept to what the query asks for: time, ts, level,
 * category and host come from the index without reading the line; the
 * other columns read the line once per row (eng_reader_line, a block at a
 * time) and find only the keys the query uses, in one jscan pass, when
 * the first of them is asked for (xColumn).  The view is in time order,
 * so a constraint on time or ts narrows the scan to a range found by
 * binary search; one on level or category skips entries on the index.
 * Constraints are only ever used to narrow: SQLite checks them again
 * (omit stays 0), so a range that is a little too wide costs time, never
 * rows.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sqlite3.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

#define JSON_SUBTYPE	74	/* what SQLite's json functions take as JSON */
#define PROGRESS_STEPS	10000

/* Where a column's value comes from. */
enum col_kind {
	COL_TIME,		/* the index's time, as llmlog(5) writes it */
	COL_TS,			/* the same in Unix seconds */
	COL_LEVEL,
	COL_CATEGORY,
	COL_HOST,		/* the source directory's name */
	COL_LINE,		/* the raw line */
	COL_KEY,		/* a top-level key of the line */
	COL_COST,		/* an LLM call's cost (eng_entry_cost) */
};

/* The keys a cost reads, in cost_call's order. */
enum { CK_PROVIDER, CK_MODEL, CK_PROMPT, CK_COMPLETION, CK_GIVEN, CK_N };
static const char *const cost_keys[CK_N] = {
	"provider", "model", "prompt_tokens", "completion_tokens", "cost_usd",
};

struct column {
	const char *name;
	const char *decl;	/* the declared SQL type */
	enum col_kind kind;
	bool hidden;
};

struct table {
	sqlite3_vtab base;
	struct eng_sql *q;
	int category;		/* -1: entries */
	struct column *cols;
	size_t ncols;
};

struct eng_sql {
	sqlite3 *db;
	struct eng_view *v;
	struct eng *e;
	size_t nhosts;		/* directories: hosts (eng_host_name) */
	int (*progress)(void *);
	void *progress_arg;
};

/* The range and masks a scan keeps to. */
struct scan {
	size_t lo, hi;		/* view positions [lo, hi) */
	unsigned levels;	/* bit en->level (0: none) */
	unsigned cats;		/* bit en->category, bit 8 none */
};

struct cursor {
	sqlite3_vtab_cursor base;
	struct table *t;
	struct eng_reader *reader;
	struct scan sc;
	size_t pos;
	/* the keys this scan reads, and which column is which key */
	struct jscan_key *keys;
	size_t nkeys;
	int *slot;		/* per column: its key, or -1 */
	int cost_slot[CK_N];	/* the keys of the cost, when it is used */
	/* the current row */
	const char *line;
	size_t len;
	bool read, parsed;
	struct jscan_value *vals;
	enum field *kept;	/* per key, the field it names, or NFIELDS */
	bool kept_ok[LLMLOG_NCATEGORIES];	/* the kept values hold
						   every key */
	char *buf;		/* an unescaped string */
	size_t buf_cap;
};

#define CAT_NONE_BIT	(1u << 8)
#define ALL_LEVELS	0x3fu
#define ALL_CATS	(((1u << LLMLOG_NCATEGORIES) - 1) | CAT_NONE_BIT)

/* The years RFC 3339 text can hold with four digits: within them the
 * text of a later time never sorts before that of an earlier one. */
#define TIME_TEXT_MIN_US	(INT64_C(-62167219200) * ENG_US_PER_SEC)
#define TIME_TEXT_MAX_US	(INT64_C(253402300799) * ENG_US_PER_SEC)

static const char *const field_decl[] = {
	[ENG_COLUMN_TEXT] = "TEXT",
	[ENG_COLUMN_INTEGER] = "INTEGER",
	[ENG_COLUMN_NUMBER] = "REAL",
	[ENG_COLUMN_BOOL] = "INTEGER",
	[ENG_COLUMN_JSON] = "TEXT",
};

/* ---- the columns ------------------------------------------------------------ */

static void
add_column(struct table *t, size_t *cap, const char *name, const char *decl,
    enum col_kind kind, bool hidden)
{
	eng_grow(&t->cols, cap, t->ncols + 1, sizeof *t->cols);
	t->cols[t->ncols++] = (struct column){ name, decl, kind, hidden };
}

static void
add_fields(struct table *t, size_t *cap, int category)
{
	size_t n;
	const struct eng_column *f = eng_category_fields(category, &n);

	for (size_t i = 0; i < n; i++)
		add_column(t, cap, f[i].name, field_decl[f[i].type], COL_KEY,
		    false);
}

/* entries: time ts level category event pid host trace_id line;
 * a category's: time ts level event pid <its fields> host trace_id,
 * and line hidden (SELECT * leaves it out). */
static void
table_columns(struct table *t)
{
	size_t cap = 0;
	bool entries = t->category < 0;

	add_column(t, &cap, "time", "TEXT", COL_TIME, false);
	add_column(t, &cap, "ts", "REAL", COL_TS, false);
	add_column(t, &cap, "level", "TEXT", COL_LEVEL, false);
	if (entries)
		add_column(t, &cap, "category", "TEXT", COL_CATEGORY, false);
	add_fields(t, &cap, -1);
	if (!entries)
		add_fields(t, &cap, t->category);
	if (t->category == LLMLOG_LLM)
		add_column(t, &cap, "cost", "REAL", COL_COST, false);
	add_column(t, &cap, "host", "TEXT", COL_HOST, false);
	add_column(t, &cap, "trace_id", "TEXT", COL_KEY, false);
	add_column(t, &cap, "line", "TEXT", COL_LINE, !entries);
}

static char *
table_schema(const struct table *t)
{
	struct strbuf b;

	strbuf_init(&b);
	strbuf_puts(&b, "CREATE TABLE x(");
	for (size_t i = 0; i < t->ncols; i++)
		strbuf_printf(&b, "%s\"%s\" %s%s", i > 0 ? ", " : "",
		    t->cols[i].name, t->cols[i].decl,
		    t->cols[i].hidden ? " HIDDEN" : "");
	strbuf_puts(&b, ")");
	return b.s;
}

/* ---- connecting --------------------------------------------------------------- */

static int
vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
    sqlite3_vtab **out, char **err)
{
	struct table *t;
	char *schema;
	int rc, cat = -1;

	if (argc < 4 || (strcmp(argv[3], "entries") != 0 &&
	    (cat = llmlog_category_parse(argv[3])) < 0)) {
		*err = sqlite3_mprintf("llmlog: no such table");
		return SQLITE_ERROR;
	}
	t = eng_xcalloc(1, sizeof *t);
	t->q = aux;
	t->category = cat;
	table_columns(t);
	schema = table_schema(t);
	rc = sqlite3_declare_vtab(db, schema);
	free(schema);
	if (rc != SQLITE_OK) {
		free(t->cols);
		free(t);
		return rc;
	}
	*out = &t->base;
	return SQLITE_OK;
}

static int
vt_disconnect(sqlite3_vtab *vt)
{
	struct table *t = (struct table *)vt;

	free(t->cols);
	free(t);
	return SQLITE_OK;
}

/* ---- planning: xBestIndex ------------------------------------------------------ */

/* idxStr: the columns used (hex), ':', then two characters per argument:
 * the column (t time, s ts, l level, c category) and the operator. */
static char
op_code(unsigned char op)
{
	switch (op) {
	case SQLITE_INDEX_CONSTRAINT_EQ:
		return '=';
	case SQLITE_INDEX_CONSTRAINT_GT:
		return '>';
	case SQLITE_INDEX_CONSTRAINT_GE:
		return 'g';
	case SQLITE_INDEX_CONSTRAINT_LT:
		return '<';
	case SQLITE_INDEX_CONSTRAINT_LE:
		return 'l';
	default:
		return 0;
	}
}

/* Which constraint a column can take: 0 when none. */
static char
col_code(const struct table *t, int col, char op)
{
	if (col < 0 || (size_t)col >= t->ncols)
		return 0;
	switch (t->cols[col].kind) {
	case COL_TIME:
		return 't';
	case COL_TS:
		return 's';
	case COL_LEVEL:
		return op == '=' ? 'l' : 0;
	case COL_CATEGORY:
		return op == '=' ? 'c' : 0;
	default:
		return 0;
	}
}

static int
vt_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	struct table *t = (struct table *)vt;
	double rows = (double)eng_view_count(t->q->v) + 1;
	struct strbuf codes;
	int argi = 0;

	strbuf_init(&codes);
	strbuf_printf(&codes, "%llx:", (unsigned long long)info->colUsed);
	for (int i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];
		const char *coll;
		char op = op_code(c->op), col;

		if (!c->usable || op == 0 ||
		    (col = col_code(t, c->iColumn, op)) == 0)
			continue;
		/* text constraints narrow only under binary comparison */
		coll = sqlite3_vtab_collation(info, i);
		if (col != 's' && coll != NULL && strcasecmp(coll, "BINARY") != 0)
			continue;
		info->aConstraintUsage[i].argvIndex = ++argi;
		info->aConstraintUsage[i].omit = 0;
		strbuf_add(&codes, &col, 1);
		strbuf_add(&codes, &op, 1);
		rows /= op == '=' ? (col == 't' || col == 's' ? 1000 : 5) : 4;
	}
	info->idxNum = argi;
	info->idxStr = sqlite3_mprintf("%s", codes.s);
	info->needToFreeIdxStr = 1;
	strbuf_free(&codes);
	if (info->idxStr == NULL)
		eng_oom();
	info->estimatedRows = (sqlite3_int64)rows + 1;
	info->estimatedCost = rows + 10;
	return SQLITE_OK;
}

/* ---- cursors ------------------------------------------------------------------- */

static int
vt_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	struct table *t = (struct table *)vt;
	struct cursor *c = eng_xcalloc(1, sizeof *c);

	c->t = t;
	c->reader = eng_reader_new(t->q->e, false);
	c->slot = eng_xcalloc(t->ncols, sizeof *c->slot);
	c->keys = eng_xcalloc(t->ncols + CK_N, sizeof *c->keys);
	c->vals = eng_xcalloc(t->ncols + CK_N, sizeof *c->vals);
	c->kept = eng_xcalloc(t->ncols + CK_N, sizeof *c->kept);
	*out = &c->base;
	return SQLITE_OK;
}

static int
vt_close(sqlite3_vtab_cursor *cur)
{
	struct cursor *c = (struct cursor *)cur;

	eng_reader_free(c->reader);
	free(c->slot);
	free(c->keys);
	free(c->vals);
	free(c->kept);
	free(c->buf);
	free(c);
	return SQLITE_OK;
}

static bool
row_passes(const struct cursor *c, const struct eng_entry *en)
{
	unsigned cat = en->category < LLMLOG_NCATEGORIES ?
	    1u << en->category : CAT_NONE_BIT;

	if (c->t->category >= 0 && (en->category != c->t->category ||
	    (en->flags & ENTRY_MALFORMED)))
		return false;
	return (c->sc.levels & (1u << en->level)) && (c->sc.cats & cat);
}

static void
seek_row(struct cursor *c)
{
	while (c->pos < c->sc.hi &&
	    !row_passes(c, eng_view_get(c->t->q->v, c->pos)))
		c->pos++;
	c->read = c->parsed = false;
}

/* "2024-01-12T10:30:00.500Z": an entry's time as llmlog(5) writes it. */
static size_t
time_text(int64_t us, char out[40])
{
	int64_t sec = us / ENG_US_PER_SEC, rem = us % ENG_US_PER_SEC;
	time_t tt;
	struct tm tm;

	if (rem < 0) {
		rem += ENG_US_PER_SEC;
		sec--;
	}
	tt = (time_t)sec;
	if (gmtime_r(&tt, &tm) == NULL)
		return 0;
	return (size_t)snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(rem / ENG_US_PER_MS));
}

static double
time_seconds(int64_t us)
{
	return (double)us / (double)ENG_US_PER_SEC;
}

/* How the column's value for entry en compares with the constraint's:
 * <0, 0, >0, an entry without a time before everything.  It never
 * decreases along the view, which is in time order. */
static int
time_cmp(char col, const struct eng_entry *en, sqlite3_value *val)
{
	if (en->time_us == ENG_TIME_NONE)
		return -1;
	if (col == 't') {
		char text[40];
		size_t n = time_text(en->time_us, text);
		const unsigned char *v = sqlite3_value_text(val);
		size_t vn = (size_t)sqlite3_value_bytes(val);
		int d = memcmp(text, v, n < vn ? n : vn);

		return d != 0 ? d : (n > vn) - (n < vn);
	} else {
		double a = time_seconds(en->time_us), b = sqlite3_value_double(val);

		return (a > b) - (a < b);
	}
}

/* The first position in [lo, hi) whose comparison is above (strict) or
 * at least 0. */
static size_t
first_from(struct eng_view *v, size_t lo, size_t hi, char col,
    sqlite3_value *val, bool strict)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = time_cmp(col, eng_view_get(v, mid), val);

		if (strict ? d > 0 : d >= 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Whether the values a time constraint compares with can narrow the
 * range: numbers for ts; text for time, when every time in the view
 * has a four-digit year. */
static bool
time_narrows(struct eng_view *v, char col, sqlite3_value *val)
{
	int type = sqlite3_value_type(val);
	size_t n = eng_view_count(v);
	const struct eng_entry *last;

	if (col == 's') {
		if (type == SQLITE_INTEGER)
			return sqlite3_value_int64(val) < (INT64_C(1) << 53) &&
			    sqlite3_value_int64(val) > -(INT64_C(1) << 53);
		return type == SQLITE_FLOAT;
	}
	if (type != SQLITE_TEXT || n == 0)
		return false;
	last = eng_view_get(v, n - 1);
	for (size_t i = 0; i < n; i++) {
		const struct eng_entry *en = eng_view_get(v, i);

		if (en->time_us == ENG_TIME_NONE)
			continue;
		return en->time_us >= TIME_TEXT_MIN_US &&
		    last->time_us <= TIME_TEXT_MAX_US;
	}
	return true;
}

static void
narrow_time(struct cursor *c, char col, char op, sqlite3_value *val)
{
	struct eng_view *v = c->t->q->v;
	struct scan *sc = &c->sc;

	if (sqlite3_value_type(val) == SQLITE_NULL) {
		sc->hi = sc->lo;	/* nothing compares with NULL */
		return;
	}
	if (sc->lo >= sc->hi || !time_narrows(v, col, val))
		return;
	if (op == '>' || op == 'g' || op == '=')
		sc->lo = first_from(v, sc->lo, sc->hi, col, val, op == '>');
	if (op == '<' || op == 'l' || op == '=')
		sc->hi = first_from(v, sc->lo, sc->hi, col, val, op != '<');
}

/* level = 'X' or category = 'X': the one value of the index that reads
 * X, or none. */
static void
narrow_name(struct cursor *c, char col, sqlite3_value *val)
{
	const char *s = (const char *)sqlite3_value_text(val);
	unsigned keep = 0;

	if (sqlite3_value_type(val) != SQLITE_TEXT) {
		if (sqlite3_value_type(val) == SQLITE_NULL)
			c->sc.hi = c->sc.lo;
		return;
	}
	if (col == 'l') {
		for (int l = 1; l <= 5; l++)
			if (strcmp(s, llmlog_level_name(l * 10)) == 0)
				keep |= 1u << l;
		c->sc.levels &= keep;
	} else {
		for (int k = 0; k < LLMLOG_NCATEGORIES; k++)
			if (strcmp(s, llmlog_category_name(k)) == 0)
				keep |= 1u << k;
		c->sc.cats &= keep;
	}
}

/* The place of a key among those the scan reads, added when new. */
static int
key_slot(struct cursor *c, const char *name)
{
	for (size_t k = 0; k < c->nkeys; k++)
		if (strcmp(c->keys[k].name, name) == 0)
			return (int)k;
	c->keys[c->nkeys] = (struct jscan_key){ name, strlen(name) };
	return (int)c->nkeys++;
}

/* For each category, whether the values the index kept for its entries
 * (cache.c) hold every key the scan reads: they are what the scanner
 * found for those keys in the line, so a row may take them in place of
 * reading it. */
static void
plan_kept(struct cursor *c)
{
	for (int cat = 0; cat < LLMLOG_NCATEGORIES; cat++)
		c->kept_ok[cat] = c->nkeys > 0;
	for (size_t k = 0; k < c->nkeys; k++) {
		enum field f = field_named(c->keys[k].name, c->keys[k].len);

		c->kept[k] = f;
		for (int cat = 0; cat < LLMLOG_NCATEGORIES; cat++) {
			bool in = false;

			for (const enum field *x = fields_set(cat);
			    f != NFIELDS && *x != NFIELDS; x++)
				in |= *x == f;
			if (!in || !field_kept(f))
				c->kept_ok[cat] = false;
		}
	}
}

/* The keys the scan reads: those of the columns the query uses, and
 * those of the cost when it is one. */
static void
plan_keys(struct cursor *c, unsigned long long used)
{
	c->nkeys = 0;
	for (size_t k = 0; k < CK_N; k++)
		c->cost_slot[k] = -1;
	for (size_t i = 0; i < c->t->ncols; i++) {
		const struct column *col = &c->t->cols[i];
		bool wanted = used & (1ull << (i < 63 ? i : 63));

		c->slot[i] = -1;
		if (col->kind == COL_COST && wanted)
			for (size_t k = 0; k < CK_N; k++)
				c->cost_slot[k] = key_slot(c, cost_keys[k]);
		if (col->kind != COL_KEY || !wanted)
			continue;
		c->slot[i] = key_slot(c, col->name);
	}
	plan_kept(c);
}

static int
vt_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str,
    int argc, sqlite3_value **argv)
{
	struct cursor *c = (struct cursor *)cur;
	const char *codes = strchr(idx_str, ':') + 1;

	c->sc = (struct scan){ 0, eng_view_count(c->t->q->v), ALL_LEVELS,
	    ALL_CATS };
	plan_keys(c, strtoull(idx_str, NULL, 16));
	for (int i = 0; i < argc && i < idx_num; i++) {
		char col = codes[2 * i], op = codes[2 * i + 1];

		if (col == 't' || col == 's')
			narrow_time(c, col, op, argv[i]);
		else
			narrow_name(c, col, argv[i]);
	}
	c->pos = c->sc.lo;
	seek_row(c);
	return SQLITE_OK;
}

static int
vt_next(sqlite3_vtab_cursor *cur)
{
	struct cursor *c = (struct cursor *)cur;

	c->pos++;
	seek_row(c);
	return SQLITE_OK;
}

static int
vt_eof(sqlite3_vtab_cursor *cur)
{
	struct cursor *c = (struct cursor *)cur;

	return c->pos >= c->sc.hi;
}

static int
vt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out)
{
	*out = (sqlite3_int64)((struct cursor *)cur)->pos + 1;
	return SQLITE_OK;
}

/* ---- values: xColumn ------------------------------------------------------------ */

static const char *
row_line(struct cursor *c, const struct eng_entry *en, size_t *len)
{
	if (!c->read) {
		c->line = eng_reader_line(c->reader, en, &c->len);
		c->read = true;
	}
	*len = c->len;
	return c->line;
}

static void
row_parse(struct cursor *c, const struct eng_entry *en)
{
	size_t len;
	const char *s;

	struct fields f;

	if (c->parsed)
		return;
	c->parsed = true;
	if (en->category < LLMLOG_NCATEGORIES && c->kept_ok[en->category] &&
	    entry_kept_fields(c->t->q->e, view_position(c->t->q->v, c->pos),
	    en, &f)) {
		for (size_t i = 0; i < c->nkeys; i++)
			c->vals[i] = *field_value(&f, c->kept[i]);
		return;
	}
	if ((s = row_line(c, en, &len)) == NULL ||
	    jscan_line_find(s, len, NULL, c->keys, c->nkeys, c->vals) !=
	    JSCAN_OBJECT)
		for (size_t i = 0; i < c->nkeys; i++)
			c->vals[i].kind = JSCAN_NONE;
}

/* A JSON value as SQL: strings unescaped, numbers as integers when they
 * are whole and fit, booleans 1 and 0, arrays and objects as JSON text. */
static void
result_json(sqlite3_context *ctx, struct cursor *c,
    const struct jscan_value *v)
{
	int64_t i;
	double d;
	size_t n;

	switch (v->kind) {
	case JSCAN_STRING:
		if (!v->escaped) {
			sqlite3_result_text(ctx, v->s, (int)v->n, SQLITE_TRANSIENT);
			break;
		}
		eng_grow(&c->buf, &c->buf_cap, v->n + 1, 1);
		n = jscan_unescape(v, c->buf);
		sqlite3_result_text(ctx, c->buf, (int)n, SQLITE_TRANSIENT);
		break;
	case JSCAN_NUMBER:
		if (jscan_int64(v, &i))
			sqlite3_result_int64(ctx, i);
		else if (jscan_number(v, &d) != JSCAN_NUM_NONE)
			sqlite3_result_double(ctx, d);
		break;
	case JSCAN_TRUE:
	case JSCAN_FALSE:
		sqlite3_result_int(ctx, v->kind == JSCAN_TRUE);
		break;
	case JSCAN_OBJECT:
	case JSCAN_ARRAY:
		sqlite3_result_text(ctx, v->s, (int)v->n, SQLITE_TRANSIENT);
		sqlite3_result_subtype(ctx, JSON_SUBTYPE);
		break;
	default:
		break;		/* null, or absent: NULL */
	}
}

/* The cost of the row's call, NULL when it has none (unpriced). */
static void
result_cost(sqlite3_context *ctx, struct cursor *c, const struct eng_entry *en)
{
	const struct jscan_value *v[CK_N];
	struct strbuf sp = { 0 }, sm = { 0 };
	struct cost_call call = { 0 };
	enum eng_cost k;
	double usd;

	if (c->cost_slot[0] < 0 || (en->flags & ENTRY_FOREIGN))
		return;		/* not planned for; not a call of ours */
	row_parse(c, en);
	for (size_t i = 0; i < CK_N; i++)
		v[i] = &c->vals[c->cost_slot[i]];
	call.has_provider = value_text(v[CK_PROVIDER], &sp, &call.provider);
	call.has_model = value_text(v[CK_MODEL], &sm, &call.model);
	call.prompt = v[CK_PROMPT];
	call.completion = v[CK_COMPLETION];
	call.given = v[CK_GIVEN];
	k = cost_compute(eng_prices(c->t->q->e), &call, &usd);
	if (k == ENG_COST_GIVEN || k == ENG_COST_PRICED)
		sqlite3_result_double(ctx, usd);
	strbuf_free(&sp);
	strbuf_free(&sm);
}

static bool
has_time(const struct eng_entry *en)
{
	return !(en->flags & ENTRY_NO_TIME) && en->time_us != ENG_TIME_NONE;
}

static int
vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
	struct cursor *c = (struct cursor *)cur;
	const struct eng_entry *en = eng_view_get(c->t->q->v, c->pos);
	char text[40];
	const char *s;
	size_t n;

	switch (c->t->cols[i].kind) {
	case COL_TIME:
		if (has_time(en) && (n = time_text(en->time_us, text)) > 0)
			sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
		break;
	case COL_TS:
		if (has_time(en))
			sqlite3_result_double(ctx, time_seconds(en->time_us));
		break;
	case COL_LEVEL:
		if (en->level != 0)
			sqlite3_result_text(ctx,
			    llmlog_level_name(eng_entry_level(en)), -1,
			    SQLITE_STATIC);
		break;
	case COL_CATEGORY:
		if (en->category < LLMLOG_NCATEGORIES)
			sqlite3_result_text(ctx,
			    llmlog_category_name(en->category), -1,
			    SQLITE_STATIC);
		break;
	case COL_HOST:
		if (en->source < c->t->q->nhosts)
			sqlite3_result_text(ctx, eng_host_name(c->t->q->e,
			    en->source), -1, SQLITE_STATIC);
		break;
	case COL_LINE:
		if ((s = row_line(c, en, &n)) != NULL)
			sqlite3_result_text(ctx, s, (int)n, SQLITE_TRANSIENT);
		break;
	case COL_KEY:
		if (c->slot[i] < 0)
			break;		/* not planned for: SQLite asks anyway */
		row_parse(c, en);
		result_json(ctx, c, &c->vals[c->slot[i]]);
		break;
	case COL_COST:
		result_cost(ctx, c, en);
		break;
	}
	return SQLITE_OK;
}

static const sqlite3_module module = {
	.iVersion = 0,
	.xCreate = vt_connect,
	.xConnect = vt_connect,
	.xBestIndex = vt_best_index,
	.xDisconnect = vt_disconnect,
	.xDestroy = vt_disconnect,
	.xOpen = vt_open,
	.xClose = vt_close,
	.xFilter = vt_filter,
	.xNext = vt_next,
	.xEof = vt_eof,
	.xColumn = vt_column,
	.xRowid = vt_rowid,
};

/* ---- percentile_disc(Y, F): nearest rank, as --stats computes it -------------- */

/* The value at rank ceil(F * n) of the group's n numbers in order: the
 * SQL standard's PERCENTILE_DISC, which SQLite builds before 3.47 lack
 * (percentiles with window functions alone cost a sort per window).
 * NULL and text that is not a number are left out. */
struct pct {
	double *v;
	size_t n, cap;
	double f;
};

static void
pct_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct pct *p = sqlite3_aggregate_context(ctx, sizeof *p);
	int type = sqlite3_value_numeric_type(argv[0]);
	double f = sqlite3_value_double(argv[1]);

	if (p == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (!(f >= 0 && f <= 1) || (sqlite3_value_numeric_type(argv[1]) !=
	    SQLITE_INTEGER && sqlite3_value_numeric_type(argv[1]) !=
	    SQLITE_FLOAT)) {
		sqlite3_result_error(ctx, "the fraction of percentile_disc() "
		    "must be a number from 0 to 1", -1);
		return;
	}
	p->f = f;
	if (type != SQLITE_INTEGER && type != SQLITE_FLOAT)
		return;
	eng_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v);
	p->v[p->n++] = sqlite3_value_double(argv[0]);
}

static int
double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
pct_final(sqlite3_context *ctx)
{
	struct pct *p = sqlite3_aggregate_context(ctx, 0);
	size_t rank;

	if (p == NULL || p->n == 0) {
		if (p != NULL)
			free(p->v);
		return;		/* NULL */
	}
	qsort(p->v, p->n, sizeof *p->v, double_cmp);
	rank = (size_t)ceil(p->f * (double)p->n);
	sqlite3_result_double(ctx, p->v[rank > 0 ? rank - 1 : 0]);
	free(p->v);
}

/* ---- the database ---------------------------------------------------------------- */

/* "hostb" for "/var/log/hostb/": the last part of the path. */
static void
exec_or_die(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		/* only running out of memory makes our own statements fail */
		sqlite3_free(msg);
		eng_oom();
	}
}

struct eng_sql *
eng_sql_new(struct eng_view *v)
{
	struct eng_sql *q = eng_xcalloc(1, sizeof *q);
	struct strbuf b;

	q->v = v;
	q->e = eng_view_engine(v);
	q->nhosts = eng_source_count(q->e);
	if (sqlite3_open_v2(":memory:", &q->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY, NULL) != SQLITE_OK ||
	    sqlite3_create_module(q->db, "llmlog", &module, q) != SQLITE_OK ||
	    sqlite3_create_function(q->db, "percentile_disc", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, NULL, pct_step, pct_final) != SQLITE_OK)
		eng_oom();
	/* a query reads the view and nothing else */
	sqlite3_limit(q->db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_db_config(q->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	exec_or_die(q->db, "PRAGMA temp_store = MEMORY");
	strbuf_init(&b);
	strbuf_puts(&b, "CREATE VIRTUAL TABLE entries USING llmlog(entries);");
	for (int k = 0; k < LLMLOG_NCATEGORIES; k++)
		strbuf_printf(&b, "CREATE VIRTUAL TABLE %s USING llmlog(%s);",
		    llmlog_category_name(k), llmlog_category_name(k));
	exec_or_die(q->db, b.s);
	strbuf_free(&b);
	return q;
}

void
eng_sql_free(struct eng_sql *q)
{
	if (q == NULL)
		return;
	sqlite3_close(q->db);
	free(q);
}

static int
on_progress(void *arg)
{
	struct eng_sql *q = arg;

	return q->progress(q->progress_arg);
}

void
eng_sql_set_progress(struct eng_sql *q, int (*fn)(void *), void *arg)
{
	q->progress = fn;
	q->progress_arg = arg;
	sqlite3_progress_handler(q->db, fn != NULL ? PROGRESS_STEPS : 0,
	    fn != NULL ? on_progress : NULL, q);
}

static void
column_value(sqlite3_stmt *st, int i, struct eng_sql_value *out)
{
	memset(out, 0, sizeof *out);
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		out->type = ENG_SQL_INTEGER;
		out->i = sqlite3_column_int64(st, i);
		break;
	case SQLITE_FLOAT:
		out->type = ENG_SQL_REAL;
		out->r = sqlite3_column_double(st, i);
		break;
	case SQLITE_TEXT:
		out->type = ENG_SQL_TEXT;
		out->s = (const char *)sqlite3_column_text(st, i);
		out->n = (size_t)sqlite3_column_bytes(st, i);
		break;
	case SQLITE_BLOB:
		out->type = ENG_SQL_BLOB;
		out->s = sqlite3_column_blob(st, i);
		out->n = (size_t)sqlite3_column_bytes(st, i);
		break;
	default:
		out->type = ENG_SQL_NULL;
		break;
	}
	if (out->s == NULL && (out->type == ENG_SQL_TEXT ||
	    out->type == ENG_SQL_BLOB)) {
		if (sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM)
			eng_oom();
		out->s = "";
	}
}

/* One statement's rows to fn: SQLITE_DONE, SQLITE_ABORT when fn stopped
 * it, or SQLite's error. */
static int
run_statement(sqlite3_stmt *st, unsigned statement, eng_sql_row_fn fn,
    void *arg, long *rows)
{
	size_t ncols = (size_t)sqlite3_column_count(st);
	const char **names = eng_xcalloc(ncols + 1, sizeof *names);
	struct eng_sql_value *vals = eng_xcalloc(ncols + 1, sizeof *vals);
	struct eng_sql_row row = { statement, ncols, names, vals };
	int rc;

	for (size_t i = 0; i < ncols; i++)
		if ((names[i] = sqlite3_column_name(st, (int)i)) == NULL)
			eng_oom();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < ncols; i++)
			column_value(st, (int)i, &vals[i]);
		(*rows)++;
		if (fn(arg, &row) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	}
	free(names);
	free(vals);
	return rc;
}

long
eng_sql_run(struct eng_sql *q, const char *query, eng_sql_row_fn fn,
    void *arg, char *err, size_t errlen)
{
	const char *rest = query;
	unsigned statement = 0;
	long rows = 0;

	while (*rest != '\0') {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(q->db, rest, -1, &st, &rest);

		if (rc == SQLITE_NOMEM)
			eng_oom();
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(q->db));
			return -1;
		}
		if (st == NULL)
			continue;	/* blanks or a comment */
		rc = run_statement(st, statement++, fn, arg, &rows);
		if (rc == SQLITE_NOMEM)
			eng_oom();
		if (rc != SQLITE_DONE && rc != SQLITE_ABORT) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(q->db));
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
		if (rc == SQLITE_ABORT)
			break;
	}
	return rows;
}

/* ---- result values as text ------------------------------------------------ */

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

void
eng_sql_value_text(struct strbuf *b, const struct eng_sql_value *v,
    unsigned how)
{
	switch (v->type) {
	case ENG_SQL_INTEGER:
		strbuf_printf(b, "%" PRId64, v->i);
		break;
	case ENG_SQL_REAL:
		if (how & ENG_SQL_EXACT)
			add_real(b, v->r);
		else
			add_real_short(b, v->r);
		break;
	case ENG_SQL_TEXT:
		add_clean(b, v->s, v->n, how & ENG_SQL_KEEP_LINES);
		break;
	case ENG_SQL_BLOB:
		add_hex(b, v->s, v->n);
		break;
	default:
		break;
	}
}
