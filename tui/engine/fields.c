/*
 * fields.c - the few fields a statistic needs from one line, read by a
 * small scanner over the top-level object (no tree is built, nested values
 * are skipped); json-c takes over for anything the scanner does not trust
 * (escaped strings, odd numbers).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

/* Compact lines have no blanks: one comparison in the usual case. */
static inline const char *
skip_ws(const char *p, const char *end)
{
	if (p < end && (unsigned char)*p > ' ')
		return p;
	while (p < end && (unsigned char)*p <= ' ')
		p++;
	return p;
}

static const char *
skip_nested(const char *p, const char *end)
{
	int depth = 0;
	bool esc;

	while (p < end) {
		char c = *p++;
		if (c == '"') {
			if ((p = json_string_end(p, end, &esc)) == NULL)
				return NULL;
		} else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (--depth == 0)
				return p;
		}
	}
	return NULL;
}

/* A plain decimal number at s: where it ends, or NULL for anything else
 * (exponents included: json-c reads those; the caller checks what
 * follows). */
static const char *
fast_number(const char *s, const char *end, double *out)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17 };
	int64_t ip = 0, fp = 0;
	size_t fd = 0, id = 0;
	bool neg = false;

	if (s < end && *s == '-')
		neg = true, s++;
	for (; s < end && *s >= '0' && *s <= '9'; s++, id++)
		ip = ip * 10 + (*s - '0');
	if (id == 0 || id > 17)
		return NULL;
	if (s < end && *s == '.') {
		for (s++; s < end && *s >= '0' && *s <= '9'; s++) {
			if (fd < 17) {
				fp = fp * 10 + (*s - '0');
				fd++;
			}
		}
		if (fd == 0)
			return NULL;
	}
	*out = (double)ip + (double)fp / pow10[fd];
	if (neg)
		*out = -*out;
	return s;
}

/* What ends a scalar value at the top level of a compact line. */
static const bool scalar_end[256] = {
	[','] = true, ['}'] = true, [' '] = true, ['\t'] = true,
	['\r'] = true
};

enum {
	F_NAME = 1 << 0, F_NAME2 = 1 << 1, F_SUCCESS = 1 << 2,
	F_ALLOWED = 1 << 3, F_STREAMING = 1 << 4, F_ERROR = 1 << 5,
	F_DURATION = 1 << 6, F_PROMPT = 1 << 7, F_COMPLETION = 1 << 8,
	F_TOTAL = 1 << 9, F_MEMORY = 1 << 10
};

/* Per category: which key is its name, which its second name, and the
 * fields after which the rest of the line need not be read. */
#define NAME(s) s, sizeof s - 1
static const struct {
	const char *name;
	size_t len;
	const char *name2;
	size_t len2;
	unsigned want;
} wanted[LLMLOG_NCATEGORIES] = {
	[LLMLOG_USER] = { NULL, 0, NULL, 0, F_SUCCESS | F_DURATION },
	[LLMLOG_SYSTEM] = { NULL, 0, NULL, 0, 0 },
	[LLMLOG_TOOL] = { NAME("tool_name"), NULL, 0,
	    F_NAME | F_SUCCESS | F_DURATION },
	[LLMLOG_LLM] = { NAME("provider"), NAME("model"), F_NAME | F_NAME2 |
	    F_SUCCESS | F_STREAMING | F_DURATION | F_PROMPT | F_COMPLETION |
	    F_TOTAL },
	[LLMLOG_SECURITY] = { NAME("resource"), NAME("action"),
	    F_NAME | F_NAME2 | F_ALLOWED },
	[LLMLOG_PERFORMANCE] = { NAME("operation"), NULL, 0,
	    F_NAME | F_DURATION | F_MEMORY },
};
#undef NAME

static inline bool
key_is(const char *k, size_t kn, const char *want, size_t wn)
{
	return kn == wn && want != NULL && k[0] == want[0] &&
	    memcmp(k, want, kn) == 0;
}

/* Which field a key names in this category; 0 for none. */
static unsigned
field_of(int cat, const char *k, size_t kn)
{
	switch (kn) {
	case 5:
		if (memcmp(k, "error", 5) == 0)
			return F_ERROR;
		break;
	case 7:
		if (memcmp(k, "success", 7) == 0)
			return F_SUCCESS;
		if (memcmp(k, "allowed", 7) == 0)
			return F_ALLOWED;
		break;
	case 9:
		if (memcmp(k, "streaming", 9) == 0)
			return F_STREAMING;
		if (memcmp(k, "memory_mb", 9) == 0)
			return F_MEMORY;
		break;
	case 11:
		if (memcmp(k, "duration_ms", 11) == 0)
			return F_DURATION;
		break;
	case 12:
		if (memcmp(k, "total_tokens", 12) == 0)
			return F_TOTAL;
		break;
	case 13:
		if (memcmp(k, "prompt_tokens", 13) == 0)
			return F_PROMPT;
		break;
	case 17:
		if (memcmp(k, "completion_tokens", 17) == 0)
			return F_COMPLETION;
		break;
	}
	if (key_is(k, kn, wanted[cat].name, wanted[cat].len))
		return F_NAME;
	if (key_is(k, kn, wanted[cat].name2, wanted[cat].len2))
		return F_NAME2;
	return 0;
}

#define F_NUMBERS (F_DURATION | F_PROMPT | F_COMPLETION | F_TOTAL | F_MEMORY)

static void
take_number(unsigned field, struct fields *f, double d)
{
	switch (field) {
	case F_DURATION:
		f->duration_ms = d;
		break;
	case F_PROMPT:
		f->prompt_tokens = d;
		break;
	case F_COMPLETION:
		f->completion_tokens = d;
		break;
	case F_TOTAL:
		f->total_tokens = d;
		break;
	case F_MEMORY:
		f->memory_mb = d;
		break;
	}
}

static void
set_text(struct field_text *t, const char *s, size_t n)
{
	t->s = s;
	t->n = n;
}

/* Store a value; false when the scanner should give the line to json-c. */
static bool
take(struct fields *f, unsigned field, const char *v, size_t vn, char kind,
    bool escaped)
{
	switch (kind) {
	case '"':
		if (field == F_ERROR)
			f->has_error = vn > 0;
		else if (field == F_NAME || field == F_NAME2) {
			if (escaped)
				return false;	/* needs unescaping */
			set_text(field == F_NAME ? &f->name : &f->name2, v, vn);
		}
		return true;
	case 't':
	case 'f':
		if (field == F_SUCCESS)
			f->success = kind == 't';
		else if (field == F_ALLOWED)
			f->allowed = kind == 't';
		else if (field == F_STREAMING)
			f->streaming = kind == 't';
		return true;
	default:
		return true;
	}
}

static void
fields_clear(struct fields *f)
{
	memset(f, 0, sizeof *f);
	f->success = f->allowed = -1;
	f->duration_ms = f->prompt_tokens = f->completion_tokens = NAN;
	f->total_tokens = f->memory_mb = NAN;
}

static const char *
skip_lit(const char *p, const char *end, const char *lit, size_t n)
{
	bool esc;

	if (p == NULL || (size_t)(end - p) < n || memcmp(p, lit, n) != 0)
		return NULL;
	return json_string_end(p + n, end, &esc);
}

/* Our writer's lines open with category, timestamp, level and event, none
 * of which a statistic needs: step over them by their known shape.  NULL
 * when the line does not open that way. */
static const char *
skip_head(const char *p, const char *end)
{
	p = skip_lit(p, end, "{\"category\":\"", 13);
	p = skip_lit(p, end, ",\"timestamp\":\"", 14);
	p = skip_lit(p, end, ",\"level\":\"", 10);
	return skip_lit(p, end, ",\"event\":\"", 10);
}

static bool
scan(const char *s, size_t n, int cat, struct fields *f)
{
	const char *p = s, *end = s + n, *k, *v;
	unsigned want = wanted[cat].want, got = 0, field;
	size_t kn;
	bool esc;

	if ((v = skip_head(p, end)) != NULL) {
		if (v >= end || (*v != ',' && *v != '}'))
			return false;
		if (*v == '}')
			return true;
		p = v + 1;
	} else {
		p = skip_ws(p, end);
		if (p >= end || *p++ != '{')
			return false;
	}
	for (;;) {
		char kind;

		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return false;
		k = p + 1;
		esc = false;
		if ((p = json_string_end(k, end, &esc)) == NULL || esc)
			return false;
		kn = (size_t)(p - 1 - k);
		field = field_of(cat, k, kn);
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			return false;
		p = skip_ws(p, end);
		if (p >= end)
			return false;
		kind = *p;
		esc = false;
		if (kind == '"') {
			v = p + 1;
			if ((p = json_string_end(v, end, &esc)) == NULL)
				return false;
			if (field && !take(f, field, v, (size_t)(p - 1 - v),
			    '"', esc))
				return false;
		} else if (kind == '{' || kind == '[') {
			if ((p = skip_nested(p, end)) == NULL)
				return false;
		} else if ((field & F_NUMBERS) && kind != 't' && kind != 'f' &&
		    kind != 'n') {
			double d;

			/* the whole value must be the number */
			if ((p = fast_number(p, end, &d)) == NULL ||
			    (p < end && !scalar_end[(unsigned char)*p]))
				return false;
			take_number(field, f, d);
		} else {
			v = p;
			while (p < end && !scalar_end[(unsigned char)*p])
				p++;
			if (field && !take(f, field, v, (size_t)(p - v), *v,
			    false))
				return false;
		}
		got |= field;
		if ((got & want) == want && want != 0)
			return true;	/* the rest is not needed */
		p = skip_ws(p, end);
		if (p >= end)
			return false;
		if (*p == '}')
			return true;
		if (*p++ != ',')
			return false;
	}
}

static double
json_num(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double)))
		return NAN;
	return json_object_get_double(v);
}

static int
get_bool(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return -1;
	return json_object_get_boolean(v) ? 1 : 0;
}

static void
json_text(json_object *o, const char *key, struct field_text *t)
{
	json_object *v;

	if (t->s != NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return;
	t->s = json_object_get_string(v);
	/* a name is shown as a C string: it ends at a \u0000 */
	t->n = strnlen(t->s, (size_t)json_object_get_string_len(v));
}

static bool
from_json(const char *s, size_t n, int cat, struct fields *f)
{
	json_object *o = eng_parse_line(s, n), *v;

	if (o == NULL)
		return false;
	if (cat >= 0 && cat < LLMLOG_NCATEGORIES) {
		if (wanted[cat].name != NULL)
			json_text(o, wanted[cat].name, &f->name);
		if (wanted[cat].name2 != NULL)
			json_text(o, wanted[cat].name2, &f->name2);
	}
	f->success = get_bool(o, "success");
	f->allowed = get_bool(o, "allowed");
	f->streaming = get_bool(o, "streaming") == 1;
	f->has_error = json_object_object_get_ex(o, "error", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) > 0;
	f->duration_ms = json_num(o, "duration_ms");
	f->prompt_tokens = json_num(o, "prompt_tokens");
	f->completion_tokens = json_num(o, "completion_tokens");
	f->total_tokens = json_num(o, "total_tokens");
	f->memory_mb = json_num(o, "memory_mb");
	f->json = o;
	return true;
}

bool
fields_read(const char *s, size_t n, int category, struct fields *f)
{
	fields_clear(f);
	if (category >= 0 && category < LLMLOG_NCATEGORIES &&
	    scan(s, n, category, f))
		return true;
	fields_clear(f);
	return from_json(s, n, category, f);
}

void
fields_done(struct fields *f)
{
	if (f->json != NULL)
		json_object_put(f->json);
	f->json = NULL;
}

/* ---- the values of a few top-level keys, for summaries ------------------
 *
 * Unlike the scanner above, this one reads the whole line and accepts it
 * only when it is plain JSON that json-c is sure to read the same way:
 * anything else (comments, trailing commas, odd numbers, deep nesting,
 * escaped keys, a wanted key given twice) makes it decline, and the caller
 * asks json-c, which then decides, as before, what the line says.
 */

#define FIND_MAX_DEPTH	16	/* json-c gives up at 32 */

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The body of a string from s (after the quote): just past the closing
 * quote, or NULL when an escape is not one of JSON's. */
static const char *
find_string(const char *s, const char *end, bool *escaped)
{
	const char *q;
	bool esc = false;

	if ((q = json_string_end(s, end, &esc)) == NULL)
		return NULL;
	*escaped = esc;
	if (!esc)
		return q;
	for (const char *p = s; (p = memchr(p, '\\', (size_t)(q - 1 - p))) !=
	    NULL; p++) {
		switch (*++p) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			break;
		case 'u':
			if (q - 1 - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) ||
			    !is_hex(p[3]) || !is_hex(p[4]))
				return NULL;
			p += 4;
			break;
		default:
			return NULL;
		}
	}
	return q;
}

/* A number in JSON's grammar, with at most 18 integer digits and a
 * two-digit exponent (json-c fails or changes type beyond). */
static const char *
find_number(const char *p, const char *end)
{
	const char *d;

	if (p < end && *p == '-')
		p++;
	d = p;
	if (p < end && *p == '0')
		p++;
	else
		while (p < end && is_digit(*p))
			p++;
	if (p == d || p - d > 18)
		return NULL;
	if (p < end && *p == '.') {
		d = ++p;
		while (p < end && is_digit(*p))
			p++;
		if (p == d)
			return NULL;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		d = p;
		while (p < end && is_digit(*p))
			p++;
		if (p == d || p - d > 2)
			return NULL;
	}
	return p;
}

static inline const char *
find_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	return p;
}

static const char *find_value(const char *p, const char *end, int depth,
    struct field_span *v);

/* An object or array from just past its bracket to just past its close. */
static const char *
find_container(const char *p, const char *end, char close, int depth)
{
	struct field_span v;
	bool esc;

	if (depth > FIND_MAX_DEPTH)
		return NULL;
	p = find_ws(p, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (p >= end || *p != '"' ||
			    (p = find_string(p + 1, end, &esc)) == NULL)
				return NULL;
			p = find_ws(p, end);
			if (p >= end || *p++ != ':')
				return NULL;
		}
		if ((p = find_value(p, end, depth, &v)) == NULL)
			return NULL;
		p = find_ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = find_ws(p, end);
	}
}

static const char *
find_literal(const char *p, const char *end, const char *lit, size_t n)
{
	if ((size_t)(end - p) < n || memcmp(p, lit, n) != 0)
		return NULL;
	return p + n;
}

/* One value at p (blanks before it skipped): where it ends, and what it
 * is in *v. */
static const char *
find_value(const char *p, const char *end, int depth, struct field_span *v)
{
	const char *q;

	p = find_ws(p, end);
	if (p >= end)
		return NULL;
	v->kind = *p;
	v->escaped = false;
	switch (*p) {
	case '"':
		v->s = p + 1;
		if ((q = find_string(p + 1, end, &v->escaped)) == NULL)
			return NULL;
		v->n = (size_t)(q - 1 - v->s);
		return q;
	case '{':
	case '[':
		q = find_container(p + 1, end, *p == '{' ? '}' : ']',
		    depth + 1);
		break;
	case 't':
		q = find_literal(p, end, "true", 4);
		break;
	case 'f':
		q = find_literal(p, end, "false", 5);
		break;
	case 'n':
		q = find_literal(p, end, "null", 4);
		break;
	default:
		v->kind = '0';
		q = find_number(p, end);
		break;
	}
	if (q != NULL) {
		v->s = p;
		v->n = (size_t)(q - p);
	}
	return q;
}

bool
fields_find(const char *s, size_t n, const struct field_key *keys,
    size_t nkeys, struct field_span *out)
{
	const char *p, *end = s + n, *k;
	struct field_span v;
	size_t kn;
	bool esc;

	for (size_t i = 0; i < nkeys; i++)
		out[i].kind = 0;
	if (memchr(s, '\0', n) != NULL)
		return false;	/* json-c stops there */
	p = find_ws(s, end);
	if (p >= end || *p++ != '{')
		return false;
	p = find_ws(p, end);
	if (p < end && *p == '}')
		p++;
	else for (;;) {
		size_t i;

		if (p >= end || *p != '"')
			return false;
		k = p + 1;
		if ((p = find_string(k, end, &esc)) == NULL || esc)
			return false;
		kn = (size_t)(p - 1 - k);
		p = find_ws(p, end);
		if (p >= end || *p++ != ':' ||
		    (p = find_value(p, end, 1, &v)) == NULL)
			return false;
		for (i = 0; i < nkeys; i++)
			if (keys[i].len == kn && keys[i].name[0] == k[0] &&
			    memcmp(keys[i].name, k, kn) == 0)
				break;
		if (i < nkeys) {
			if (out[i].kind != 0)
				return false;	/* twice: json-c's to say */
			out[i] = v;
		}
		p = find_ws(p, end);
		if (p >= end)
			return false;
		if (*p == '}') {
			p++;
			break;
		}
		if (*p++ != ',')
			return false;
		p = find_ws(p, end);
	}
	/* what eng_parse_line lets follow the object */
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p == end;
}

static unsigned
hex4(const char *p)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v = v << 4 | (unsigned)(c <= '9' ? c - '0' :
		    (c | 0x20) - 'a' + 10);
	}
	return v;
}

static void
add_utf8(struct strbuf *out, unsigned c)
{
	char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | c >> 12);
		b[1] = (char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | c >> 18);
		b[1] = (char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (char)(0x80 | (c >> 6 & 0x3f));
		b[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	strbuf_add(out, b, n);
}

bool
field_string(struct strbuf *out, const struct field_span *v)
{
	const char *p = v->s, *end = v->s + v->n, *q;

	if (!v->escaped) {
		strbuf_add(out, p, v->n);
		return true;
	}
	while (p < end) {
		unsigned c, lo;

		if ((q = memchr(p, '\\', (size_t)(end - p))) == NULL)
			q = end;
		strbuf_add(out, p, (size_t)(q - p));
		if ((p = q) >= end)
			break;
		/* find_string made sure of the escape's shape */
		switch (p[1]) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			c = hex4(p + 2);
			p += 4;
			break;
		default: c = (unsigned char)p[1]; break;
		}
		p += 2;
		if (c == 0)
			return false;	/* json-c's strings end there */
		if (c >= 0xdc00 && c < 0xe000)
			return false;	/* a lone low surrogate */
		if (c >= 0xd800 && c < 0xdc00) {
			if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
			    (lo = hex4(p + 2)) < 0xdc00 || lo >= 0xe000)
				return false;	/* a lone high one */
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		}
		add_utf8(out, c);
	}
	return true;
}

bool
field_number(const struct field_span *v, double *out)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	const char *p = v->s, *end = v->s + v->n;
	uint64_t m = 0;
	size_t digits = 0, frac = 0;
	bool neg = false, dot = false;
	char buf[64];

	if (v->kind != '0')
		return false;
	if (p < end && *p == '-')
		neg = true, p++;
	for (; p < end && digits <= 15; p++) {
		if (*p == '.' && !dot)
			dot = true;
		else if (is_digit(*p)) {
			m = m * 10 + (uint64_t)(*p - '0');
			digits++;
			frac += dot;
		} else
			break;
	}
	if (p == end && digits <= 15) {
		/* both exact, one rounding: what strtod gives */
		*out = (double)m / pow10[frac];
		if (neg)
			*out = -*out;
		return true;
	}
	if (v->n >= sizeof buf)
		return false;
	memcpy(buf, v->s, v->n);
	buf[v->n] = '\0';
	*out = strtod(buf, NULL);	/* as json-c reads it */
	return isfinite(*out);
}
