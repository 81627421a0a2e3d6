/*
 * where.c - field filters: the --where expressions of llmlog(1), WHERE
 * GRAMMAR.  An expression is compiled once into a small tree and then
 * evaluated on each line through the one JSON scanner (jscan.c), so a
 * filter reads a line as every other reader does.  Regexes need a match
 * context per thread: a view's threads each make a where_ctx.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

enum tok_kind {
	T_END, T_WORD, T_STRING, T_LPAREN, T_RPAREN, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_MATCH, T_NOMATCH
};

struct token {
	enum tok_kind kind;
	size_t at, len;		/* byte span in the expression */
	char *text;		/* a word, or a string decoded */
	size_t n;
};

enum node_kind { N_AND, N_OR, N_NOT, N_CMP, N_EXISTS };

/* What a comparison reads: a key path, or a virtual field. */
enum field_kind { F_PATH, F_CATEGORY, F_LEVEL, F_TIME, F_HOST, F_COST };

struct literal {
	char *s;
	size_t n;
	bool is_num;
	double num;
	int64_t time_us;	/* F_TIME */
	int level;		/* F_LEVEL */
	struct eng_regex *re;	/* T_MATCH, T_NOMATCH */
	size_t rx;		/* its number, for the contexts */
};

struct part {
	char *name;
	size_t len;
};

struct node {
	enum node_kind kind;
	size_t a, b;			/* children: N_AND and N_OR both,
					   N_NOT a */
	enum tok_kind op;		/* N_CMP; T_EQ for `in` */
	enum field_kind field;
	struct part *parts;		/* F_PATH */
	size_t nparts;
	enum field kept;		/* F_PATH: the field its first key
					   names, or NFIELDS */
	struct literal *lits;		/* one, or the `in` list */
	size_t nlits;
};

struct eng_where {
	char *text;
	struct node *nodes;
	size_t nnodes, cap;
	size_t root;
	size_t nrx;			/* regexes among the literals */
	unsigned kept_cats;		/* bit c: decided by the values kept
					   for category c alone */
	struct where_ctx *own;		/* for eng_where_match */
};

struct where_ctx {
	struct rx_ctx **rx;
	size_t nrx;
	struct strbuf buf;		/* a decoded string */
};

struct parser {
	struct eng_where *w;
	const char *s;
	size_t len;
	struct token tok;		/* the current one */
	int64_t now_us;
	bool utc;			/* times without a zone are UTC */
	char *err;
	size_t errlen;
	size_t column;
	bool failed;
};

/* ---- errors -------------------------------------------------------------- */

/* 1-based, in characters: UTF-8 continuation bytes are not counted. */
static size_t
column_of(const char *s, size_t at)
{
	size_t col = 1;

	for (size_t i = 0; i < at; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	return col;
}

static void
fail_at(struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail_at(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (p->failed)
		return;
	p->failed = true;
	p->column = column_of(p->s, at);
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	used = strlen(p->err);
	snprintf(p->err + used, p->errlen - used, " at column %zu", p->column);
}

/* The current token as a message names it. */
static const char *
tok_name(const struct parser *p, char *buf, size_t len)
{
	if (p->tok.kind == T_END)
		return "the end of the expression";
	snprintf(buf, len, "'%.*s'", (int)(p->tok.len > 40 ? 40 : p->tok.len),
	    p->s + p->tok.at);
	return buf;
}

static void
fail_tok(struct parser *p, const char *expected)
{
	char buf[64];

	fail_at(p, p->tok.at, "expected %s, found %s", expected,
	    tok_name(p, buf, sizeof buf));
}

/* ---- tokens -------------------------------------------------------------- */

static bool
word_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("_.:/@+-", c) != NULL);
}

/* A quoted string with JSON's escapes, decoded. */
static void
lex_string(struct parser *p, size_t at)
{
	const char *body = p->s + at + 1, *end = p->s + p->len, *close;
	struct jscan_value v = { .s = body, .kind = JSCAN_STRING };

	if ((close = jscan_string_end(body, end, &v.escaped)) == NULL) {
		fail_at(p, at, "unterminated or invalid string");
		return;
	}
	v.n = (size_t)(close - 1 - body);
	p->tok.kind = T_STRING;
	p->tok.len = (size_t)(close - (p->s + at));
	p->tok.text = eng_xmalloc(v.n + 1);
	p->tok.n = jscan_unescape(&v, p->tok.text);
	p->tok.text[p->tok.n] = '\0';
}

static const struct {
	const char *text;
	enum tok_kind kind;
} ops[] = {
	{ "!=", T_NE }, { "<=", T_LE }, { ">=", T_GE }, { "!~", T_NOMATCH },
	{ "=", T_EQ }, { "<", T_LT }, { ">", T_GT }, { "~", T_MATCH },
	{ "(", T_LPAREN }, { ")", T_RPAREN }, { ",", T_COMMA },
};

static void
next_token(struct parser *p)
{
	size_t at = p->tok.at + p->tok.len, n;
	unsigned char c;

	free(p->tok.text);
	memset(&p->tok, 0, sizeof p->tok);
	while (at < p->len && strchr(" \t\n\r", p->s[at]) != NULL)
		at++;
	p->tok.at = at;
	if (at >= p->len)
		return;		/* T_END */
	c = (unsigned char)p->s[at];
	if (c == '"') {
		lex_string(p, at);
		return;
	}
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		n = strlen(ops[i].text);
		if (strncmp(p->s + at, ops[i].text, n) == 0) {
			p->tok.kind = ops[i].kind;
			p->tok.len = n;
			return;
		}
	}
	if (!word_char(c)) {
		n = 1;
		while (c >= 0x80 && at + n < p->len &&
		    ((unsigned char)p->s[at + n] & 0xc0) == 0x80)
			n++;
		fail_at(p, at, "unexpected character '%.*s'", (int)n,
		    p->s + at);
		return;
	}
	for (n = 0; at + n < p->len && word_char((unsigned char)p->s[at + n]);)
		n++;
	p->tok.kind = T_WORD;
	p->tok.len = n;
	p->tok.text = eng_xstrndup(p->s + at, n);
	p->tok.n = n;
}

static bool
is_keyword(const struct parser *p, const char *kw)
{
	return p->tok.kind == T_WORD && strcasecmp(p->tok.text, kw) == 0;
}

/* ---- the tree ------------------------------------------------------------ */

static size_t
add_node(struct parser *p, const struct node *n)
{
	struct eng_where *w = p->w;

	eng_grow(&w->nodes, &w->cap, w->nnodes + 1, sizeof *w->nodes);
	w->nodes[w->nnodes] = *n;
	return w->nnodes++;
}

/* JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
json_number(const char *s, size_t n)
{
	struct jscan_value v;
	const char *end;

	end = jscan_value_end(s, s + n, 1, &v);
	return end == s + n && v.kind == JSCAN_NUMBER && v.s == s;
}

static const char *const field_names[] = {
	[F_CATEGORY] = "category", [F_LEVEL] = "level", [F_TIME] = "time",
	[F_HOST] = "host",
};

/* A path from the current token: a word split at dots, or a quoted key.
 * The virtual names win over keys; quoting a name makes it a key. */
static bool
parse_path(struct parser *p, struct node *n)
{
	const char *s = p->tok.text;

	if (p->tok.kind == T_STRING) {
		n->parts = eng_xmalloc(sizeof *n->parts);
		n->parts[0].name = eng_xstrndup(s, p->tok.n);
		n->parts[0].len = p->tok.n;
		n->nparts = 1;
		return true;
	}
	if (p->tok.kind != T_WORD) {
		fail_tok(p, "a field name");
		return false;
	}
	for (int f = F_CATEGORY; f <= F_HOST; f++)
		if (strcmp(s, field_names[f]) == 0) {
			n->field = (enum field_kind)f;
			return true;
		}
	if (strcmp(s, "cost") == 0) {
		n->field = F_COST;
		return true;
	}
	if (strcmp(s, "trace") == 0)
		s = "trace_id";
	for (const char *q = s;; q++) {
		const char *dot = strchr(q, '.');
		size_t len = dot != NULL ? (size_t)(dot - q) : strlen(q);

		if (len == 0) {
			fail_at(p, p->tok.at, "empty part in the field name "
			    "'%s'", p->tok.text);
			return false;
		}
		n->parts = eng_xrealloc(n->parts,
		    (n->nparts + 1) * sizeof *n->parts);
		n->parts[n->nparts].name = eng_xstrndup(q, len);
		n->parts[n->nparts++].len = len;
		if (dot == NULL)
			break;
		q = dot;
	}
	return true;
}

/* A time in the time grammar, in the displayed zone when it has none. */
static int
time_literal(struct parser *p, const char *text, int64_t *out, char *err,
    size_t errlen)
{
	return eng_time_parse_as(text, p->now_us, p->utc ? ENG_TIME_UTC : 0,
	    out, err, errlen);
}

/* The current token as a value of the comparison n. */
static bool
parse_literal(struct parser *p, struct node *n, struct literal *l)
{
	char err[512];

	if (p->tok.kind != T_WORD && p->tok.kind != T_STRING) {
		fail_tok(p, "a value (a word or a \"quoted string\")");
		return false;
	}
	l->s = p->tok.text;
	l->n = p->tok.n;
	p->tok.text = NULL;
	if (p->tok.kind == T_WORD && json_number(l->s, l->n)) {
		l->is_num = true;
		l->num = strtod(l->s, NULL);
	}
	if (n->op == T_MATCH || n->op == T_NOMATCH) {
		if (memchr(l->s, '\0', l->n) != NULL ||
		    (l->re = eng_regex_new(l->s, err, sizeof err)) == NULL) {
			fail_at(p, p->tok.at, "%s", l->re == NULL &&
			    memchr(l->s, '\0', l->n) == NULL ? err :
			    "a pattern cannot hold a NUL byte");
			return false;
		}
		l->rx = p->w->nrx++;
	} else if (n->field == F_LEVEL) {
		if ((l->level = llmlog_level_parse(l->s)) < 0) {
			fail_at(p, p->tok.at, "unknown level '%s': expected "
			    "DEBUG, INFO, WARNING, ERROR or CRITICAL", l->s);
			return false;
		}
	} else if (n->field == F_COST && !l->is_num) {
		fail_at(p, p->tok.at, "cost compares with a number of US "
		    "dollars (cost>0.01), not '%s'", l->s);
		return false;
	} else if (n->field == F_TIME) {
		if (time_literal(p, l->s, &l->time_us, err, sizeof err) != 0) {
			fail_at(p, p->tok.at, "%s", err);
			return false;
		}
	}
	return true;
}

static void
add_literal(struct node *n, const struct literal *l)
{
	n->lits = eng_xrealloc(n->lits, (n->nlits + 1) * sizeof *n->lits);
	n->lits[n->nlits++] = *l;
}

/* `in (v, ...)`: the current token is the one after `in`. */
static bool
parse_in_list(struct parser *p, struct node *n)
{
	if (p->tok.kind != T_LPAREN) {
		fail_tok(p, "'(' after 'in'");
		return false;
	}
	do {
		struct literal l = { 0 };

		next_token(p);
		if (p->failed || !parse_literal(p, n, &l)) {
			free(l.s);
			return false;
		}
		add_literal(n, &l);
		next_token(p);
	} while (!p->failed && p->tok.kind == T_COMMA);
	if (!p->failed && p->tok.kind != T_RPAREN) {
		fail_tok(p, "',' or ')' in the 'in' list");
		return false;
	}
	return !p->failed;
}

static size_t parse_or(struct parser *p);

/* exists(path): the current token is `exists`. */
static size_t
parse_exists(struct parser *p)
{
	struct node n = { .kind = N_EXISTS };

	next_token(p);		/* the '(' */
	next_token(p);
	if (p->failed || !parse_path(p, &n))
		goto bad;
	next_token(p);
	if (!p->failed && p->tok.kind != T_RPAREN)
		fail_tok(p, "')' after the field name");
	if (p->failed)
		goto bad;
	next_token(p);
	return add_node(p, &n);
bad:
	for (size_t i = 0; i < n.nparts; i++)
		free(n.parts[i].name);
	free(n.parts);
	return 0;
}

static void node_free(struct node *n);

/* path op value, or path in (...) */
static size_t
parse_comparison(struct parser *p)
{
	struct node n = { .kind = N_CMP };
	struct literal l = { 0 };

	if (!parse_path(p, &n))
		goto bad;
	next_token(p);
	if (p->failed)
		goto bad;
	if (is_keyword(p, "in")) {
		n.op = T_EQ;
		next_token(p);
		if (p->failed || !parse_in_list(p, &n))
			goto bad;
	} else {
		if (p->tok.kind < T_EQ) {
			fail_tok(p, "an operator (= != < <= > >= ~ !~ in) "
			    "after the field name");
			goto bad;
		}
		n.op = p->tok.kind;
		if ((n.field == F_TIME || n.field == F_COST) &&
		    n.op >= T_MATCH) {
			fail_at(p, p->tok.at, "%s compares with = != < <= "
			    "> >=, not with a pattern", n.field == F_TIME ?
			    "time" : "cost");
			goto bad;
		}
		next_token(p);
		if (p->failed || !parse_literal(p, &n, &l))
			goto bad;
		add_literal(&n, &l);
		memset(&l, 0, sizeof l);	/* n holds it now */
	}
	next_token(p);
	if (p->failed)
		goto bad;
	return add_node(p, &n);
bad:
	free(l.s);
	eng_regex_free(l.re);
	node_free(&n);
	return 0;
}

static size_t
parse_unary(struct parser *p)
{
	size_t a;

	if (is_keyword(p, "not")) {
		next_token(p);
		if (p->failed)
			return 0;
		a = parse_unary(p);
		if (p->failed)
			return 0;
		return add_node(p, &(struct node){ .kind = N_NOT, .a = a });
	}
	if (p->tok.kind == T_LPAREN) {
		next_token(p);
		a = parse_or(p);
		if (!p->failed && p->tok.kind != T_RPAREN)
			fail_tok(p, "')' or 'and' or 'or'");
		if (p->failed)
			return 0;
		next_token(p);
		return a;
	}
	if (is_keyword(p, "exists") &&
	    p->s[p->tok.at + p->tok.len + strspn(p->s + p->tok.at +
	    p->tok.len, " \t\n\r")] == '(')
		return parse_exists(p);
	if (p->tok.kind != T_WORD && p->tok.kind != T_STRING) {
		fail_tok(p, "a field name, 'not', 'exists(' or '('");
		return 0;
	}
	return parse_comparison(p);
}

static size_t
parse_and(struct parser *p)
{
	size_t a = parse_unary(p), b;

	while (!p->failed && is_keyword(p, "and")) {
		next_token(p);
		b = parse_unary(p);
		if (p->failed)
			return 0;
		a = add_node(p, &(struct node){ .kind = N_AND, .a = a,
		    .b = b });
	}
	return a;
}

static size_t
parse_or(struct parser *p)
{
	size_t a = parse_and(p), b;

	while (!p->failed && is_keyword(p, "or")) {
		next_token(p);
		b = parse_and(p);
		if (p->failed)
			return 0;
		a = add_node(p, &(struct node){ .kind = N_OR, .a = a,
		    .b = b });
	}
	return a;
}

static void
node_free(struct node *n)
{
	for (size_t i = 0; i < n->nparts; i++)
		free(n->parts[i].name);
	free(n->parts);
	for (size_t i = 0; i < n->nlits; i++) {
		free(n->lits[i].s);
		eng_regex_free(n->lits[i].re);
	}
	free(n->lits);
}

void
eng_where_free(struct eng_where *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->nnodes; i++)
		node_free(&w->nodes[i]);
	free(w->nodes);
	where_ctx_free(w->own);
	free(w->text);
	free(w);
}

/* The categories whose kept values (cache.c) decide w: every comparison
 * reads a virtual field that the entry itself holds (not the cost, which
 * reads the line) or a path whose first key is a field kept for the
 * category.  Kept values are the scanner's spans of a line it read whole
 * as one object, the last member of a key winning, as jscan_get has it:
 * the path goes on from them as it would from the line. */
static unsigned
kept_cats(struct eng_where *w)
{
	unsigned cats = (1u << LLMLOG_NCATEGORIES) - 1;

	for (size_t i = 0; i < w->nnodes; i++) {
		struct node *n = &w->nodes[i];
		enum field k;

		if (n->kind != N_CMP && n->kind != N_EXISTS)
			continue;
		if (n->field == F_COST)
			return 0;
		if (n->field != F_PATH)
			continue;
		k = n->kept = field_named(n->parts[0].name, n->parts[0].len);
		if (k == NFIELDS || !field_kept(k))
			return 0;
		for (int c = 0; c < LLMLOG_NCATEGORIES; c++) {
			bool in = false;

			for (const enum field *x = fields_set(c); *x != NFIELDS;
			    x++)
				in |= *x == k;
			if (!in)
				cats &= ~(1u << c);
		}
	}
	return cats;
}

struct eng_where *
eng_where_new(const char *text, int64_t now_us, bool utc, char *err,
    size_t errlen, size_t *column)
{
	struct parser p = {
		.s = text, .len = strlen(text), .now_us = now_us, .utc = utc,
		.err = err, .errlen = errlen,
	};

	p.w = eng_xcalloc(1, sizeof *p.w);
	p.w->text = eng_xstrdup(text);
	next_token(&p);
	if (!p.failed && p.tok.kind == T_END)
		fail_tok(&p, "a field name, 'not', 'exists(' or '('");
	if (!p.failed)
		p.w->root = parse_or(&p);
	if (!p.failed && p.tok.kind != T_END)
		fail_tok(&p, "'and', 'or' or the end of the expression");
	free(p.tok.text);
	if (p.failed) {
		if (column != NULL)
			*column = p.column;
		eng_where_free(p.w);
		return NULL;
	}
	p.w->kept_cats = kept_cats(p.w);
	p.w->own = where_ctx_new(p.w);
	return p.w;
}

const char *
eng_where_text(const struct eng_where *w)
{
	return w->text;
}

/* ---- evaluation ---------------------------------------------------------- */

struct where_ctx *
where_ctx_new(const struct eng_where *w)
{
	struct where_ctx *c = eng_xcalloc(1, sizeof *c);

	c->nrx = w->nrx;
	c->rx = eng_xcalloc(w->nrx + 1, sizeof *c->rx);
	for (size_t i = 0; i < w->nnodes; i++)
		for (size_t k = 0; k < w->nodes[i].nlits; k++)
			if (w->nodes[i].lits[k].re != NULL)
				c->rx[w->nodes[i].lits[k].rx] =
				    rx_ctx_new(w->nodes[i].lits[k].re);
	strbuf_init(&c->buf);
	return c;
}

void
where_ctx_free(struct where_ctx *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nrx; i++)
		rx_ctx_free(c->rx[i]);
	free(c->rx);
	strbuf_free(&c->buf);
	free(c);
}

/* <0, 0, >0 as the bytes compare, a prefix first. */
static int
text_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c != 0)
		return c;
	return an < bn ? -1 : an > bn;
}

static bool
order_holds(enum tok_kind op, int c)
{
	switch (op) {
	case T_EQ:
		return c == 0;
	case T_NE:
		return c != 0;
	case T_LT:
		return c < 0;
	case T_LE:
		return c <= 0;
	case T_GT:
		return c > 0;
	case T_GE:
		return c >= 0;
	default:
		return false;
	}
}

static bool
text_holds(struct where_ctx *c, enum tok_kind op, const struct literal *l,
    const char *s, size_t n)
{
	int rc;

	if (op == T_MATCH || op == T_NOMATCH) {
		rc = rx_match(l->re, c->rx[l->rx], s, n, 0, NULL, NULL, NULL,
		    0);
		return op == T_MATCH ? rc == 1 : rc == 0;
	}
	return order_holds(op, text_cmp(s, n, l->s, l->n));
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
num_cmp(double a, double b)
{
	return a < b ? -1 : a > b;
}

/* One scalar against the comparison's literals (any of them, for `in`). */
static bool
scalar_holds(struct where_ctx *c, const struct node *n,
    const struct jscan_value *v)
{
	const char *s = v->s;
	size_t len = v->n;
	double d = 0;
	bool have_num = false;

	switch (v->kind) {
	case JSCAN_STRING:
		if (v->escaped) {
			strbuf_reset(&c->buf);
			jscan_string(&c->buf, v);
			s = c->buf.s;
			len = c->buf.len;
		}
		break;
	case JSCAN_NUMBER:
		have_num = jscan_number(v, &d) != JSCAN_NUM_NONE;
		break;
	case JSCAN_TRUE: case JSCAN_FALSE: case JSCAN_NULL:
		break;
	default:
		return false;	/* an object, or an array in an array */
	}
	for (size_t i = 0; i < n->nlits; i++) {
		const struct literal *l = &n->lits[i];

		if (have_num && l->is_num && n->op < T_MATCH) {
			if (order_holds(n->op, num_cmp(d, l->num)))
				return true;
		} else if (text_holds(c, n->op, l, s, len))
			return true;
	}
	return false;
}

/* A value the path reached: an array holds when an element does. */
static bool
value_holds(struct where_ctx *c, const struct node *n,
    const struct jscan_value *v)
{
	struct jscan_iter it;
	struct jscan_value el;

	if (v->kind != JSCAN_ARRAY)
		return scalar_holds(c, n, v);
	if (n->kind == N_EXISTS)
		return true;
	jscan_iter_init(&it, v);
	while (jscan_next(&it, NULL, &el))
		if (scalar_holds(c, n, &el))
			return true;
	return false;
}

/* Follow the path from part k on; through an array, any element's. */
static bool
path_holds(struct where_ctx *c, const struct node *n,
    const struct jscan_value *v, size_t k)
{
	struct jscan_iter it;
	struct jscan_value next;

	if (k == n->nparts)
		return n->kind == N_EXISTS || value_holds(c, n, v);
	if (v->kind == JSCAN_OBJECT)
		return jscan_get(v, n->parts[k].name, n->parts[k].len, &next) &&
		    path_holds(c, n, &next, k + 1);
	if (v->kind == JSCAN_ARRAY && k > 0) {
		jscan_iter_init(&it, v);
		while (jscan_next(&it, NULL, &next))
			if (next.kind == JSCAN_OBJECT &&
			    path_holds(c, n, &next, k))
				return true;
	}
	return false;
}

struct line {
	struct eng *e;
	const struct eng_entry *en;
	struct jscan_value top;		/* kind JSCAN_NONE: malformed */
	const struct fields *kept;	/* or the values kept, for top */
};

/* A virtual field's text, or NULL when the entry has none; level and
 * time also as numbers. */
static const char *
virtual_text(const struct node *n, const struct line *ln, int64_t *num)
{
	const struct eng_entry *en = ln->en;

	switch (n->field) {
	case F_CATEGORY:
		return en->category < LLMLOG_NCATEGORIES ?
		    llmlog_category_name(en->category) : NULL;
	case F_LEVEL:
		*num = eng_entry_level(en);
		return en->level != 0 ? llmlog_level_name(eng_entry_level(en)) :
		    NULL;
	case F_TIME:
		*num = en->time_us;
		return en->time_us == ENG_TIME_NONE ||
		    (en->flags & ENTRY_NO_TIME) ? NULL : "";
	default:
		return eng_host_name(ln->e, en->source);
	}
}

static int
int_cmp(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* cost: an LLM call's, given or priced; a call without one has none. */
static bool
cost_holds(const struct node *n, const struct line *ln)
{
	enum eng_cost k;
	double usd;

	if (ln->top.kind != JSCAN_OBJECT)
		return false;
	k = eng_entry_cost(ln->e, ln->en, ln->top.s, ln->top.n, &usd);
	if (k != ENG_COST_GIVEN && k != ENG_COST_PRICED)
		return false;
	if (n->kind == N_EXISTS)
		return true;
	for (size_t i = 0; i < n->nlits; i++)
		if (order_holds(n->op, num_cmp(usd, n->lits[i].num)))
			return true;
	return false;
}

static bool
virtual_holds(struct where_ctx *c, const struct node *n,
    const struct line *ln)
{
	int64_t num = 0;
	const char *s;

	if (n->field == F_COST)
		return cost_holds(n, ln);
	s = virtual_text(n, ln, &num);

	if (s == NULL)
		return false;
	if (n->kind == N_EXISTS)
		return true;
	for (size_t i = 0; i < n->nlits; i++) {
		const struct literal *l = &n->lits[i];

		if (n->field == F_TIME && order_holds(n->op,
		    int_cmp(num, l->time_us)))
			return true;
		else if (n->field == F_LEVEL && n->op < T_MATCH &&
		    order_holds(n->op, int_cmp(num, l->level)))
			return true;
		else if ((n->field != F_LEVEL || n->op >= T_MATCH) &&
		    n->field != F_TIME &&
		    text_holds(c, n->op, l, s, strlen(s)))
			return true;
	}
	return false;
}

static bool
node_holds(const struct eng_where *w, struct where_ctx *c, size_t i,
    const struct line *ln)
{
	const struct node *n = &w->nodes[i];

	switch (n->kind) {
	case N_AND:
		return node_holds(w, c, n->a, ln) && node_holds(w, c, n->b, ln);
	case N_OR:
		return node_holds(w, c, n->a, ln) || node_holds(w, c, n->b, ln);
	case N_NOT:
		return !node_holds(w, c, n->a, ln);
	default:
		if (n->field != F_PATH)
			return virtual_holds(c, n, ln);
		if (ln->kept != NULL) {
			const struct jscan_value *v = field_value(ln->kept,
			    n->kept);

			return v->kind != JSCAN_NONE && path_holds(c, n, v, 1);
		}
		return ln->top.kind == JSCAN_OBJECT && path_holds(c, n,
		    &ln->top, 0);
	}
}

bool
where_eval(const struct eng_where *w, struct where_ctx *c, struct eng *e,
    const struct eng_entry *en, const char *s, size_t n)
{
	struct line ln = { .e = e, .en = en };

	/* an entry that is not malformed is one JSON object: its span,
	 * blanks trimmed, needs no second validating walk */
	if (!(en->flags & ENTRY_MALFORMED) && s != NULL) {
		while (n > 0 && is_blank(s[n - 1]))
			n--;
		while (n > 0 && is_blank(*s)) {
			s++;
			n--;
		}
		if (n >= 2 && *s == '{' && s[n - 1] == '}')
			ln.top = (struct jscan_value){ .s = s, .n = n,
			    .kind = JSCAN_OBJECT };
	}
	return node_holds(w, c, w->root, &ln);
}

bool
eng_where_match(struct eng_where *w, struct eng *e,
    const struct eng_entry *en, const char *s, size_t n)
{
	return where_eval(w, w->own, e, en, s, n);
}

bool
where_kept_decides(const struct eng_where *w, const struct eng_entry *en)
{
	return en->category < LLMLOG_NCATEGORIES &&
	    (w->kept_cats >> en->category & 1);
}

bool
where_eval_kept(const struct eng_where *w, struct where_ctx *c,
    struct eng *e, const struct eng_entry *en, const struct fields *f)
{
	struct line ln = { .e = e, .en = en, .kept = f };

	return node_holds(w, c, w->root, &ln);
}
