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

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* p is just past an opening quote; returns just past the closing one. */
static const char *
skip_string(const char *p, const char *end, bool *escaped)
{
	for (;;) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		size_t bs = 0;

		if (q == NULL)
			return NULL;
		while (q - bs > p && q[-1 - (ptrdiff_t)bs] == '\\')
			bs++;
		if (bs > 0 || memchr(p, '\\', (size_t)(q - p)) != NULL)
			*escaped = true;
		p = q + 1;
		if (bs % 2 == 0)
			return p;
	}
}

static const char *
skip_nested(const char *p, const char *end)
{
	int depth = 0;
	bool esc;

	while (p < end) {
		char c = *p++;
		if (c == '"') {
			if ((p = skip_string(p, end, &esc)) == NULL)
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

static bool
key_is(const char *k, size_t kn, const char *want)
{
	size_t n = strlen(want);

	return kn == n && memcmp(k, want, n) == 0;
}

static void
set_text(struct field_text *t, const char *s, size_t n)
{
	t->s = s;
	t->n = n;
}

/* Store one top-level value in f if it is a field we want. */
static bool
take(struct fields *f, const char *k, size_t kn, const char *v, size_t vn,
    char kind)
{
	double d;

	if (kind == '"') {
		if (key_is(k, kn, "tool_name") || key_is(k, kn, "provider") ||
		    key_is(k, kn, "resource") || key_is(k, kn, "operation"))
			set_text(&f->name, v, vn);
		else if (key_is(k, kn, "model") || key_is(k, kn, "action"))
			set_text(&f->name2, v, vn);
		else if (key_is(k, kn, "error"))
			f->has_error = vn > 0;
		return true;
	}
	if (kind == 't' || kind == 'f') {
		bool b = kind == 't';
		if (key_is(k, kn, "success"))
			f->success = b ? 1 : 0;
		else if (key_is(k, kn, "allowed"))
			f->allowed = b ? 1 : 0;
		else if (key_is(k, kn, "streaming"))
			f->streaming = b;
		return true;
	}
	if (kind != '0')
		return true;
	if (key_is(k, kn, "duration_ms")) {
		if (!fast_number(v, vn, &d))
			return false;
		f->duration_ms = d;
	} else if (key_is(k, kn, "prompt_tokens")) {
		if (!fast_number(v, vn, &d))
			return false;
		f->prompt_tokens = d;
	} else if (key_is(k, kn, "completion_tokens")) {
		if (!fast_number(v, vn, &d))
			return false;
		f->completion_tokens = d;
	} else if (key_is(k, kn, "total_tokens")) {
		if (!fast_number(v, vn, &d))
			return false;
		f->total_tokens = d;
	} else if (key_is(k, kn, "memory_mb")) {
		if (!fast_number(v, vn, &d))
			return false;
		f->memory_mb = d;
	}
	return true;
}

static void
fields_clear(struct fields *f)
{
	memset(f, 0, sizeof *f);
	f->success = f->allowed = -1;
	f->duration_ms = f->prompt_tokens = f->completion_tokens = NAN;
	f->total_tokens = f->memory_mb = NAN;
}

static bool
scan(const char *s, size_t n, struct fields *f)
{
	const char *p = s, *end = s + n, *k, *v;
	size_t kn;
	bool esc;

	p = skip_ws(p, end);
	if (p >= end || *p++ != '{')
		return false;
	for (;;) {
		char kind;

		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return false;
		k = p + 1;
		esc = false;
		if ((p = skip_string(k, end, &esc)) == NULL || esc)
			return false;
		kn = (size_t)(p - 1 - k);
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			return false;
		p = skip_ws(p, end);
		if (p >= end)
			return false;
		kind = *p;
		if (kind == '"') {
			v = p + 1;
			esc = false;
			if ((p = skip_string(v, end, &esc)) == NULL)
				return false;
			if (esc && !key_is(k, kn, "error") &&
			    !key_is(k, kn, "timestamp") &&
			    (key_is(k, kn, "tool_name") ||
			    key_is(k, kn, "provider") ||
			    key_is(k, kn, "resource") ||
			    key_is(k, kn, "operation") ||
			    key_is(k, kn, "model") || key_is(k, kn, "action")))
				return false;	/* needs unescaping */
			if (!take(f, k, kn, v, (size_t)(p - 1 - v), '"'))
				return false;
		} else if (kind == '{' || kind == '[') {
			if ((p = skip_nested(p, end)) == NULL)
				return false;
		} else {
			v = p;
			while (p < end && *p != ',' && *p != '}' && *p != ' ')
				p++;
			if (*v == 't' || *v == 'f')
				kind = *v;
			else if (*v == 'n')
				kind = 'n';
			else
				kind = '0';
			if (!take(f, k, kn, v, (size_t)(p - v), kind))
				return false;
		}
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
from_json(const char *s, size_t n, struct fields *f)
{
	static const char *const names[] = { "tool_name", "provider",
	    "resource", "operation", NULL };
	json_object *o = parse_json(s, n), *v;

	if (o == NULL)
		return false;
	for (size_t i = 0; names[i] != NULL; i++)
		json_text(o, names[i], &f->name);
	json_text(o, "model", &f->name2);
	json_text(o, "action", &f->name2);
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
fields_read(const char *s, size_t n, struct fields *f)
{
	fields_clear(f);
	if (scan(s, n, f))
		return true;
	fields_clear(f);
	return from_json(s, n, f);
}

void
fields_done(struct fields *f)
{
	if (f->json != NULL)
		json_object_put(f->json);
	f->json = NULL;
}
