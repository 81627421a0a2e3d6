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
#include "store.h"

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

/* A plain decimal number; false for anything else (exponents included:
 * json-c reads those). */
static bool
fast_number(const char *s, size_t n, double *out)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17 };
	int64_t ip = 0, fp = 0;
	size_t i = 0, fd = 0, id = 0;
	bool neg = false;

	if (i < n && s[i] == '-')
		neg = true, i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, id++)
		ip = ip * 10 + (s[i] - '0');
	if (id == 0 || id > 17)
		return false;
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (fd < 17) {
				fp = fp * 10 + (s[i] - '0');
				fd++;
			}
		}
		if (fd == 0)
			return false;
	}
	if (i != n)
		return false;
	*out = (double)ip + (double)fp / pow10[fd];
	if (neg)
		*out = -*out;
	return true;
}

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

static bool
take_number(unsigned field, struct fields *f, const char *v, size_t vn)
{
	double d;

	if (!fast_number(v, vn, &d))
		return false;
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
	return true;
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
	case '0':
		if (field & (F_DURATION | F_PROMPT | F_COMPLETION | F_TOTAL |
		    F_MEMORY))
			return take_number(field, f, v, vn);
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
		} else {
			v = p;
			while (p < end && *p != ',' && *p != '}' && *p != ' ' &&
			    *p != '\t' && *p != '\r')
				p++;
			if (*v == 't' || *v == 'f' || *v == 'n')
				kind = *v;
			else
				kind = '0';
			if (field && !take(f, field, v, (size_t)(p - v), kind,
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
	t->n = (size_t)json_object_get_string_len(v);
}

static bool
from_json(const char *s, size_t n, int cat, struct fields *f)
{
	json_object *o = parse_json(s, n), *v;

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
