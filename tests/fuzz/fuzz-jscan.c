/*
 * fuzz-jscan.c - the JSON scanner (tui/engine/jscan.h) on any bytes: each
 * line, and the whole input as one document, in a buffer of its exact
 * size so that reading past it is caught.  The scanner must agree with
 * itself: the walk and jscan_value_end give the same value; iterating a
 * container consumes it exactly and every member's value is one value on
 * its own; a lookup finds the last member of a key, and the one-pass
 * lookup of a line what the walk and the lookup find; numbers are what
 * strtod reads; a valid document nests at most 512 levels and none of its
 * proper prefixes is valid (for objects, arrays and strings).
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "jscan.h"

#define PREFIX_MAX	1024	/* the prefixes of longer lines are not tried */
#define LOOKUP_KEYS	8	/* keys jscan_line_find is asked for */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static bool
same(const struct jscan_value *a, const struct jscan_value *b)
{
	return a->s == b->s && a->n == b->n && a->kind == b->kind &&
	    a->escaped == b->escaped;
}

/* The text of a value: a string's with its quotes. */
static void
text_of(const struct jscan_value *v, const char **s, const char **e)
{
	bool str = v->kind == JSCAN_STRING;

	*s = v->s - str;
	*e = v->s + v->n + str;
}

static void
check_number(const struct jscan_value *v)
{
	static locale_t c;
	char *buf;
	double d, ref;
	enum jscan_num r = jscan_number(v, &d);
	int64_t i;

	if (c == (locale_t)0)
		c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	buf = eng_xstrndup(v->s, v->n);
	ref = strtod_l(buf, NULL, c);
	check(r == (ref == HUGE_VAL || ref == -HUGE_VAL ? JSCAN_NUM_RANGE :
	    JSCAN_NUM_OK));
	check(memcmp(&d, &ref, sizeof d) == 0);	/* -0 too */
	if (jscan_int64(v, &i))
		check(strtoll(buf, NULL, 10) == i);
	free(buf);
}

/* depth: how many containers hold v. */
static void check_value(const struct jscan_value *v, const char *line,
    const char *end, int depth);

static void
check_container(const struct jscan_value *v, const char *line,
    const char *end, int depth)
{
	struct jscan_iter it;
	struct jscan_value k, m, got;
	const char *close = v->s + v->n - 1;
	size_t n = 0;

	check(jscan_iter_init(&it, v));
	while (jscan_next(&it, &k, &m)) {
		n++;
		check_value(&m, line, end, depth);
		if (v->kind != JSCAN_OBJECT)
			continue;
		check(k.kind == JSCAN_STRING && k.s > v->s && k.s + k.n < close);
		{
			char *name = eng_xmalloc(k.n ? k.n : 1);
			size_t len = jscan_unescape(&k, name);
			struct jscan_iter rest = it;
			struct jscan_value k2, m2, last = m;

			check(len <= k.n && jscan_key_equal(&k, name, len));
			while (jscan_next(&rest, &k2, &m2))
				if (jscan_key_equal(&k2, name, len))
					last = m2;
			check(jscan_get(v, name, len, &got) && same(&got, &last));
			free(name);
		}
	}
	check(it.done && it.p == close && *close == (v->kind == JSCAN_OBJECT ?
	    '}' : ']'));
	check(n > 0 || jscan_ws(v->s + 1, close) == close);
}

static void
check_value(const struct jscan_value *v, const char *line, const char *end,
    int depth)
{
	struct jscan_value again;
	const char *s, *e;
	bool esc = false;

	check(depth + (v->kind == JSCAN_OBJECT || v->kind == JSCAN_ARRAY) <=
	    JSCAN_MAX_DEPTH);
	text_of(v, &s, &e);
	check(s >= line && e <= end && s < e);
	check(jscan_value_end(s, end, JSCAN_MAX_DEPTH, &again) == e);
	check(same(&again, v));
	switch (v->kind) {
	case JSCAN_OBJECT:
	case JSCAN_ARRAY:
		check(*s == (v->kind == JSCAN_OBJECT ? '{' : '['));
		check_container(v, line, end, depth + 1);
		break;
	case JSCAN_STRING: {
		char *out = eng_xmalloc(v->n ? v->n : 1);

		check(jscan_string_end(v->s, end, &esc) == e && esc == v->escaped);
		check(jscan_unescape(v, out) <= v->n);
		free(out);
		break;
	}
	case JSCAN_NUMBER:
		check_number(v);
		break;
	case JSCAN_TRUE:
		check(v->n == 4 && memcmp(s, "true", 4) == 0);
		break;
	case JSCAN_FALSE:
		check(v->n == 5 && memcmp(s, "false", 5) == 0);
		break;
	case JSCAN_NULL:
		check(v->n == 4 && memcmp(s, "null", 4) == 0);
		break;
	default:
		abort();
	}
}

/* The deepest nesting of brackets outside strings, counted apart from the
 * scanner; right for valid JSON. */
static int
nesting(const char *s, const char *end)
{
	int depth = 0, most = 0;
	bool in_str = false;

	for (; s < end; s++) {
		if (in_str) {
			if (*s == '\\')
				s++;
			else if (*s == '"')
				in_str = false;
		} else if (*s == '"')
			in_str = true;
		else if (*s == '[' || *s == '{') {
			if (++depth > most)
				most = depth;
		} else if (*s == ']' || *s == '}')
			depth--;
	}
	return most;
}

/* jscan_line_find agrees with the walk, and with jscan_find for the
 * first keys of the object and one that is not there. */
static void
check_line_find(const char *line, size_t n, enum jscan_kind k,
    const struct jscan_value *v)
{
	struct jscan_key keys[LOOKUP_KEYS + 1];
	struct jscan_value got[LOOKUP_KEYS + 1], ref[LOOKUP_KEYS + 1], top, key,
	    val;
	struct jscan_iter it;
	char *names[LOOKUP_KEYS];
	size_t nkeys = 0;

	if (k == JSCAN_OBJECT) {
		jscan_iter_init(&it, v);
		while (nkeys < LOOKUP_KEYS && jscan_next(&it, &key, &val)) {
			names[nkeys] = eng_xmalloc(key.n ? key.n : 1);
			keys[nkeys].name = names[nkeys];
			keys[nkeys].len = jscan_unescape(&key, names[nkeys]);
			nkeys++;
		}
	}
	keys[nkeys].name = "\001absent";
	keys[nkeys].len = 7;
	check(jscan_line_find(line, n, &top, keys, nkeys + 1, got) == k);
	if (k == JSCAN_OBJECT) {
		check(same(&top, v));
		check(jscan_find(v, keys, nkeys + 1, ref) <= nkeys);
	} else
		for (size_t i = 0; i <= nkeys; i++)
			ref[i].kind = JSCAN_NONE;
	for (size_t i = 0; i <= nkeys; i++) {
		check(got[i].kind == ref[i].kind);
		check(got[i].kind == JSCAN_NONE || same(&got[i], &ref[i]));
	}
	for (size_t i = 0; i < nkeys; i++)
		free(names[i]);
}

static void
document(const uint8_t *p, size_t n)
{
	char *line = eng_xmalloc(n ? n : 1);
	const char *end = line + n, *s, *e;
	struct jscan_value v;
	enum jscan_kind k;

	memcpy(line, p, n);
	k = jscan_line(line, n, &v);
	check(k == v.kind);
	check_line_find(line, n, k, &v);
	if (k != JSCAN_NONE) {
		check_value(&v, line, end, 0);
		check(nesting(line, end) <= JSCAN_MAX_DEPTH);
		text_of(&v, &s, &e);
		check(jscan_ws(line, end) == s && jscan_ws(e, end) == end);
		if ((k == JSCAN_OBJECT || k == JSCAN_ARRAY || k == JSCAN_STRING) &&
		    n <= PREFIX_MAX) {
			for (size_t i = 0; i < (size_t)(e - line); i++) {
				char *pre = eng_xmalloc(i ? i : 1);

				memcpy(pre, line, i);
				check(jscan_line(pre, i, NULL) == JSCAN_NONE);
				free(pre);
			}
		}
	}
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *nl;

	document(data, size);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl != end || p != data)
			document(p, (size_t)(nl - p));
		p = nl + 1;
	}
	return 0;
}
