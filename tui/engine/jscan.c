/*
 * jscan.c - the one JSON scanner (jscan.h): a validating walk with an
 * explicit stack instead of recursion, so a line's nesting costs 64 bytes
 * of bits rather than a C frame per level, and the field calls on top of
 * it.  Every line the explorer indexes goes through the walk, so strings,
 * which make up most of a line, are crossed 16 bytes at a time; the rest
 * is a byte at a time through one switch.  Nothing here reads a byte
 * outside [p, end).
 */
#include "config.h"

#include "jscan.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "engine.h"

#define SURROGATE_HI	0xd800u
#define SURROGATE_LO	0xdc00u
#define SURROGATE_END	0xe000u

/* A byte a string's body may hold as it is: not below 0x20, not a quote
 * or a backslash. */
static inline bool
plain(char c)
{
	return (unsigned char)c >= 0x20 && c != '"' && c != '\\';
}

static const bool blank[256] = {
	[' '] = true, ['\t'] = true, ['\n'] = true, ['\r'] = true
};

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline const char *
skip_ws(const char *p, const char *end)
{
	/* compact lines have no blanks: one comparison in the usual case */
	if (p < end && (unsigned char)*p > ' ')
		return p;
	while (p < end && blank[(unsigned char)*p])
		p++;
	return p;
}

const char *
jscan_ws(const char *p, const char *end)
{
	return skip_ws(p, end);
}

/* ---- the walk ------------------------------------------------------------- */

/* The escape at s (a backslash): just past it, or NULL when JSON has no
 * such escape. */
static inline const char *
escape_end(const char *s, const char *end)
{
	if (end - s < 2)
		return NULL;
	switch (s[1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
	case 't':
		return s + 2;
	case 'u':
		if (end - s < 6 || hex_value(s[2]) < 0 || hex_value(s[3]) < 0 ||
		    hex_value(s[4]) < 0 || hex_value(s[5]) < 0)
			return NULL;
		return s + 6;
	default:
		return NULL;
	}
}

/* jscan_string_end.  Where 16 bytes are left, SSE2 finds the first quote,
 * backslash or control byte among them at once; the scalar loop does the
 * same a byte at a time for the rest.  Inlined into the walk, where a
 * call per string cost a fifth of its time. */
static inline __attribute__((always_inline)) const char *
string_end(const char *s, const char *end, bool *escaped)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1f);
#endif

	for (;;) {
#ifdef __SSE2__
		while (end - s >= 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
			__m128i hit = _mm_or_si128(_mm_or_si128(
			    _mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bs)),
			    _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x));
			unsigned m = (unsigned)_mm_movemask_epi8(hit);

			if (m != 0) {
				s += __builtin_ctz(m);
				goto special;
			}
			s += 16;
		}
#endif
		while (s < end && plain(*s))
			s++;
		if (s >= end)
			return NULL;
#ifdef __SSE2__
special:
#endif
		if (*s == '"')
			return s + 1;
		if (*s != '\\')
			return NULL;	/* a raw control byte */
		*escaped = true;
		if ((s = escape_end(s, end)) == NULL)
			return NULL;
	}
}

const char *
jscan_string_end(const char *s, const char *end, bool *escaped)
{
	return string_end(s, end, escaped);
}

/* Just past the number starting at p, in JSON's grammar: -?(0|[1-9][0-9]*)
 * (.[0-9]+)?([eE][+-]?[0-9]+)?; what may follow it is the caller's to
 * check. */
static inline const char *
number_end(const char *p, const char *end)
{
	if (*p == '-' && ++p >= end)
		return NULL;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		do
			p++;
		while (p < end && is_digit(*p));
	else
		return NULL;
	if (p < end && *p == '.') {
		if (++p >= end || !is_digit(*p))
			return NULL;
		do
			p++;
		while (p < end && is_digit(*p));
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return NULL;
		do
			p++;
		while (p < end && is_digit(*p));
	}
	return p;
}

/* Whether a[0..n) and b[0..n) hold the same bytes: for the short texts of
 * keys and literals, a few word compares instead of a call to memcmp. */
static inline bool
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y, x2, y2;
	uint32_t u, v, u2, v2;

	if (n >= 8 && n <= 16) {
		memcpy(&x, a, 8), memcpy(&y, b, 8);
		memcpy(&x2, a + n - 8, 8), memcpy(&y2, b + n - 8, 8);
		return x == y && x2 == y2;
	}
	if (n >= 4 && n < 8) {
		memcpy(&u, a, 4), memcpy(&v, b, 4);
		memcpy(&u2, a + n - 4, 4), memcpy(&v2, b + n - 4, 4);
		return u == v && u2 == v2;
	}
	return memcmp(a, b, n) == 0;
}

static inline const char *
literal_end(const char *p, const char *end, const char *lit, size_t n)
{
	if ((size_t)(end - p) < n || !same_bytes(p, lit, n))
		return NULL;
	return p + n;
}

static enum jscan_kind
kind_of(char c)
{
	switch (c) {
	case '{': return JSCAN_OBJECT;
	case '[': return JSCAN_ARRAY;
	case '"': return JSCAN_STRING;
	case 't': return JSCAN_TRUE;
	case 'f': return JSCAN_FALSE;
	case 'n': return JSCAN_NULL;
	default: return JSCAN_NUMBER;
	}
}

/* Whether level d (0 the outermost) of in_object is an object. */
#define OPEN_IS_OBJECT(in_object, d) \
	((in_object)[(d) >> 6] >> ((d) & 63) & 1)

/* One value from p (blanks skipped), as a state machine over the bytes:
 * "value" expects a value, "key" a member's key, and after each value the
 * loop at the bottom takes a comma or a closing bracket.  in_object holds
 * one bit per open level: set for an object, clear for an array; obj is
 * the innermost's.  Compact lines have no blanks, so each place where one
 * may stand looks for the byte it expects first and skips blanks only
 * when that is not it: most of the walk's tests went on blanks. */
const char *
jscan_value_end(const char *p, const char *end, int depth_max,
    struct jscan_value *v)
{
	uint64_t in_object[JSCAN_MAX_DEPTH / 64];
	const char *start;
	int depth = 0;
	bool esc = false, obj = false;

	if (depth_max > JSCAN_MAX_DEPTH)
		depth_max = JSCAN_MAX_DEPTH;
	start = p = skip_ws(p, end);
value:
	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		p = string_end(p + 1, end, &esc);
		break;
	case '{':
		if (depth >= depth_max)
			return NULL;
		in_object[depth >> 6] |= UINT64_C(1) << (depth & 63);
		depth++;
		obj = true;
		if (++p < end && *p == '"')
			goto key;
		p = skip_ws(p, end);
		if (p < end && *p == '}') {
			p++;
			depth--;
			obj = depth > 0 && OPEN_IS_OBJECT(in_object, depth - 1);
			break;
		}
		goto key;
	case '[':
		if (depth >= depth_max)
			return NULL;
		in_object[depth >> 6] &= ~(UINT64_C(1) << (depth & 63));
		depth++;
		obj = false;
		p = skip_ws(p + 1, end);
		if (p < end && *p == ']') {
			p++;
			depth--;
			obj = depth > 0 && OPEN_IS_OBJECT(in_object, depth - 1);
			break;
		}
		goto value;
	case 't':
		p = literal_end(p, end, "true", 4);
		break;
	case 'f':
		p = literal_end(p, end, "false", 5);
		break;
	case 'n':
		p = literal_end(p, end, "null", 4);
		break;
	case '-': case '0': case '1': case '2': case '3': case '4': case '5':
	case '6': case '7': case '8': case '9':
		p = number_end(p, end);
		break;
	case ' ': case '\t': case '\n': case '\r':
		p = skip_ws(p, end);
		goto value;
	default:
		return NULL;
	}
	if (p == NULL)
		return NULL;
	/* after a value: close what it ends, or go on past a comma */
	for (;;) {
		if (depth == 0) {
			if (v != NULL) {
				v->kind = kind_of(*start);
				v->escaped = v->kind == JSCAN_STRING && esc;
				v->s = start + (v->kind == JSCAN_STRING);
				v->n = (size_t)(p - v->s) -
				    (v->kind == JSCAN_STRING);
			}
			return p;
		}
		if (p >= end)
			return NULL;
		if (*p == ',') {
			p++;
			if (obj)
				goto key;
			goto value;
		}
		if (*p == (obj ? '}' : ']')) {
			p++;
			depth--;
			obj = depth > 0 && OPEN_IS_OBJECT(in_object, depth - 1);
			continue;
		}
		if (!blank[(unsigned char)*p])
			return NULL;
		p = skip_ws(p, end);
	}
key:
	if (p < end && *p != '"')
		p = skip_ws(p, end);
	if (p >= end || *p != '"' || (p = string_end(p + 1, end, &esc)) == NULL)
		return NULL;
	if (p < end && *p != ':')
		p = skip_ws(p, end);
	if (p >= end || *p != ':')
		return NULL;
	p++;
	goto value;
}

enum jscan_kind
jscan_line(const char *s, size_t n, struct jscan_value *v)
{
	const char *end = s + n, *p;
	struct jscan_value tmp;

	if (v == NULL)
		v = &tmp;
	if ((p = jscan_value_end(s, end, JSCAN_MAX_DEPTH, v)) == NULL ||
	    skip_ws(p, end) != end) {
		v->kind = JSCAN_NONE;
		return JSCAN_NONE;
	}
	return v->kind;
}

/* ---- members and elements ------------------------------------------------- */

bool
jscan_iter_init(struct jscan_iter *it, const struct jscan_value *v)
{
	if ((v->kind != JSCAN_OBJECT && v->kind != JSCAN_ARRAY) || v->n < 2)
		return false;
	it->object = v->kind == JSCAN_OBJECT;
	it->end = v->s + v->n - 1;	/* the closing bracket */
	it->p = skip_ws(v->s + 1, it->end);
	it->done = it->p == it->end;
	return true;
}

/* A member's or element's value: the walk, with scalars (most values)
 * taken here at less cost. */
static inline __attribute__((always_inline)) const char *
member_value(const char *p, const char *end, int depth,
    struct jscan_value *v)
{
	const char *q;
	bool esc = false;

again:
	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		if ((q = string_end(p + 1, end, &esc)) == NULL)
			return NULL;
		v->s = p + 1;
		v->n = (size_t)(q - p) - 2;
		v->kind = JSCAN_STRING;
		v->escaped = esc;
		return q;
	case '{':
	case '[':
		return jscan_value_end(p, end, depth, v);
	case 't':
		q = literal_end(p, end, "true", 4);
		break;
	case 'f':
		q = literal_end(p, end, "false", 5);
		break;
	case 'n':
		q = literal_end(p, end, "null", 4);
		break;
	case ' ': case '\t': case '\n': case '\r':
		p = skip_ws(p, end);
		goto again;
	default:
		q = number_end(p, end);
		break;
	}
	if (q == NULL)
		return NULL;
	v->s = p;
	v->n = (size_t)(q - p);
	v->kind = kind_of(*p);
	v->escaped = false;
	return q;
}

bool
jscan_next(struct jscan_iter *it, struct jscan_value *key,
    struct jscan_value *val)
{
	const char *p = it->p, *end = it->end, *k;
	bool esc = false;

	if (it->done)
		return false;
	it->done = true;	/* until this member is read whole */
	if (it->object) {
		if (p >= end || *p != '"')
			return false;
		k = p + 1;
		if ((p = string_end(k, end, &esc)) == NULL)
			return false;
		if (key != NULL) {
			key->s = k;
			key->n = (size_t)(p - 1 - k);
			key->kind = JSCAN_STRING;
			key->escaped = esc;
		}
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			return false;
	}
	if ((p = member_value(p, end, JSCAN_MAX_DEPTH, val)) == NULL)
		return false;
	p = skip_ws(p, end);
	if (p < end) {
		if (*p != ',')
			return false;
		p = skip_ws(p + 1, end);
		if (p >= end)
			return false;	/* a trailing comma */
		it->done = false;
	}
	it->p = p;
	return true;
}

/* One decoded unit of a string body at p: a byte, or the escape that
 * starts there, into b[0..4); returns just past it.  A backslash that
 * starts no escape (in a span the scanner did not hand out) is a byte. */
static const char *
decode_unit(const char *p, const char *end, char b[4], size_t *n)
{
	unsigned c, lo;

	if (*p != '\\' || escape_end(p, end) == NULL) {
		b[0] = *p;
		*n = 1;
		return p + 1;
	}
	switch (p[1]) {
	case 'b': b[0] = '\b'; break;
	case 'f': b[0] = '\f'; break;
	case 'n': b[0] = '\n'; break;
	case 'r': b[0] = '\r'; break;
	case 't': b[0] = '\t'; break;
	case 'u':
		break;
	default: b[0] = p[1]; break;
	}
	if (p[1] != 'u') {
		*n = 1;
		return p + 2;
	}
	c = (unsigned)(hex_value(p[2]) << 12 | hex_value(p[3]) << 8 |
	    hex_value(p[4]) << 4 | hex_value(p[5]));
	p += 6;
	if (c >= SURROGATE_HI && c < SURROGATE_LO && end - p >= 6 &&
	    p[0] == '\\' && p[1] == 'u' && hex_value(p[2]) >= 0 &&
	    hex_value(p[3]) >= 0 && hex_value(p[4]) >= 0 &&
	    hex_value(p[5]) >= 0) {
		lo = (unsigned)(hex_value(p[2]) << 12 | hex_value(p[3]) << 8 |
		    hex_value(p[4]) << 4 | hex_value(p[5]));
		if (lo >= SURROGATE_LO && lo < SURROGATE_END) {
			c = 0x10000 + ((c - SURROGATE_HI) << 10) +
			    (lo - SURROGATE_LO);
			p += 6;
		}
	}
	if (c >= SURROGATE_HI && c < SURROGATE_END)
		c = 0xfffd;	/* half of a pair, alone */
	if (c < 0x80) {
		b[0] = (char)c;
		*n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3f));
		*n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | c >> 12);
		b[1] = (char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		*n = 3;
	} else {
		b[0] = (char)(0xf0 | c >> 18);
		b[1] = (char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (char)(0x80 | (c >> 6 & 0x3f));
		b[3] = (char)(0x80 | (c & 0x3f));
		*n = 4;
	}
	return p;
}

bool
jscan_key_equal(const struct jscan_value *key, const char *name, size_t len)
{
	const char *p = key->s, *end = key->s + key->n;
	char b[4];
	size_t n;

	if (key->kind != JSCAN_STRING)
		return false;
	if (!key->escaped)
		return key->n == len && same_bytes(key->s, name, len);
	if (key->n < len)
		return false;	/* decoding never lengthens */
	while (p < end) {
		p = decode_unit(p, end, b, &n);
		if (n > len || memcmp(b, name, n) != 0)
			return false;
		name += n;
		len -= n;
	}
	return len == 0;
}

/*
 * The keys looked for, indexed by a key's length and first byte as one of
 * 64 bits: a member whose key has no wanted bit (most members) is passed
 * over with one test, and one whose bit belongs to a single wanted key is
 * compared with that key alone.  The first byte of an empty key is its
 * closing quote, in the line.
 */
#define KEY_SHARED	0xff	/* a bit of several keys: compare them all */

struct key_index {
	uint64_t mask;
	uint8_t at[64];		/* 1 + the index of the key with the bit */
};

static inline unsigned
key_bit(size_t n, const char *s)
{
	return (unsigned)(n * 7 + (unsigned char)s[0]) & 63;
}

static inline void
key_index_init(struct key_index *ix, const struct jscan_key *keys,
    size_t nkeys)
{
	ix->mask = 0;
	memset(ix->at, 0, sizeof ix->at);
	for (size_t i = 0; i < nkeys; i++) {
		unsigned b = key_bit(keys[i].len, keys[i].len > 0 ?
		    keys[i].name : "\"");

		if ((ix->mask >> b & 1) || i + 1 >= KEY_SHARED)
			ix->at[b] = KEY_SHARED;
		else
			ix->at[b] = (uint8_t)(i + 1);
		ix->mask |= UINT64_C(1) << b;
	}
}

static inline void
take_key(size_t i, const struct jscan_value *v, struct jscan_value *out,
    size_t *found)
{
	*found += out[i].kind == JSCAN_NONE;
	out[i] = *v;	/* the last one wins */
}

/* Record member value v under every key of keys[] that k names. */
static inline void
match_key(const struct jscan_value *k, const struct jscan_value *v,
    const struct key_index *ix, const struct jscan_key *keys, size_t nkeys,
    struct jscan_value *out, size_t *found)
{
	unsigned b, at;

	if (k->escaped) {
		for (size_t i = 0; i < nkeys; i++)
			if (jscan_key_equal(k, keys[i].name, keys[i].len))
				take_key(i, v, out, found);
		return;
	}
	b = key_bit(k->n, k->s);
	if (!(ix->mask >> b & 1))
		return;
	if ((at = ix->at[b]) != KEY_SHARED) {
		if (keys[at - 1].len == k->n &&
		    same_bytes(k->s, keys[at - 1].name, k->n))
			take_key(at - 1, v, out, found);
		return;
	}
	for (size_t i = 0; i < nkeys; i++)
		if (keys[i].len == k->n && same_bytes(k->s, keys[i].name, k->n))
			take_key(i, v, out, found);
}

/* The object whose '{' is at p, its members' values nested at most depth
 * levels, with keys looked up on the way (out[] as jscan_find has it):
 * just past its '}', or NULL when it is not a valid object before end. */
static const char *
object_find(const char *p, const char *end, int depth,
    const struct jscan_key *keys, size_t nkeys, struct jscan_value *out,
    size_t *found)
{
	struct jscan_value k = { .kind = JSCAN_STRING }, v;
	struct key_index ix;

	key_index_init(&ix, keys, nkeys);
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return p + 1;
	for (;;) {
		if (p >= end || *p != '"')
			return NULL;
		k.s = p + 1;
		k.escaped = false;
		if ((p = string_end(k.s, end, &k.escaped)) == NULL)
			return NULL;
		k.n = (size_t)(p - 1 - k.s);
		if (p < end && *p != ':')
			p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return NULL;
		if ((p = member_value(p + 1, end, depth, &v)) == NULL)
			return NULL;
		match_key(&k, &v, &ix, keys, nkeys, out, found);
		if (p < end && *p != ',' && *p != '}')
			p = skip_ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == '}')
			return p + 1;
		if (*p != ',')
			return NULL;
		if (++p < end && *p != '"')
			p = skip_ws(p, end);
	}
}

size_t
jscan_find(const struct jscan_value *obj, const struct jscan_key *keys,
    size_t nkeys, struct jscan_value *out)
{
	const char *end;
	size_t found = 0;

	for (size_t i = 0; i < nkeys; i++)
		out[i].kind = JSCAN_NONE;
	/* an absent value's span is not set: not looked at */
	if (obj->kind != JSCAN_OBJECT || obj->n < 2 || *obj->s != '{')
		return 0;
	end = obj->s + obj->n;
	if (object_find(obj->s, end, JSCAN_MAX_DEPTH, keys, nkeys, out,
	    &found) != end) {
		for (size_t i = 0; i < nkeys; i++)
			out[i].kind = JSCAN_NONE;
		return 0;
	}
	return found;
}

enum jscan_kind
jscan_line_find(const char *s, size_t n, struct jscan_value *top,
    const struct jscan_key *keys, size_t nkeys, struct jscan_value *out)
{
	const char *end = s + n, *p = skip_ws(s, end), *q;
	struct jscan_value tmp;
	size_t found = 0;

	if (top == NULL)
		top = &tmp;
	for (size_t i = 0; i < nkeys; i++)
		out[i].kind = JSCAN_NONE;
	if (p >= end || *p != '{')
		return jscan_line(s, n, top);
	if ((q = object_find(p, end, JSCAN_MAX_DEPTH - 1, keys, nkeys, out,
	    &found)) == NULL || skip_ws(q, end) != end) {
		for (size_t i = 0; i < nkeys; i++)
			out[i].kind = JSCAN_NONE;
		top->kind = JSCAN_NONE;
		return JSCAN_NONE;
	}
	top->s = p;
	top->n = (size_t)(q - p);
	top->kind = JSCAN_OBJECT;
	top->escaped = false;
	return JSCAN_OBJECT;
}

bool
jscan_get(const struct jscan_value *obj, const char *name, size_t len,
    struct jscan_value *out)
{
	struct jscan_key k = { name, len };

	return jscan_find(obj, &k, 1, out) == 1;
}

bool
jscan_path(const struct jscan_value *obj, const char *path, size_t len,
    struct jscan_value *out)
{
	const char *end = path + len, *dot;
	struct jscan_value cur = *obj, next;

	for (;;) {
		if ((dot = memchr(path, '.', (size_t)(end - path))) == NULL)
			dot = end;
		if (!jscan_get(&cur, path, (size_t)(dot - path), &next))
			return false;
		cur = next;
		if (dot == end) {
			*out = cur;
			return true;
		}
		path = dot + 1;
	}
}

/* ---- decoding ------------------------------------------------------------- */

size_t
jscan_unescape(const struct jscan_value *v, char *out)
{
	const char *p = v->s, *end = v->s + v->n, *q;
	char *o = out;
	size_t n;

	if (v->kind != JSCAN_STRING)
		return 0;
	if (!v->escaped) {
		memcpy(out, v->s, v->n);
		return v->n;
	}
	while (p < end) {
		if ((q = memchr(p, '\\', (size_t)(end - p))) == NULL)
			q = end;
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		if ((p = q) >= end)
			break;
		p = decode_unit(p, end, o, &n);
		o += n;
	}
	return (size_t)(o - out);
}

void
jscan_string(struct strbuf *out, const struct jscan_value *v)
{
	char *o = strbuf_reserve(out, v->n);

	out->len += jscan_unescape(v, o);
	out->s[out->len] = '\0';
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void
c_locale_init(void)
{
	if ((c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0)) == (locale_t)0)
		eng_oom();
}

/* Exact powers of ten: every one up to 10^22 is a double. */
static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};
#define POW10_EXACT_MAX	22
#define EXACT_INT_MAX	(UINT64_C(1) << 53)	/* every integer up to it is a double */

/* Clinger's fast path: when the significand w and 10^|e| are both
 * doubles, w * 10^e (or w / 10^-e) is one correctly rounded operation,
 * which is what strtod computes.  False when the number is not of that
 * shape.  The text is known to be in JSON's grammar. */
static bool
number_fast(const char *p, const char *end, double *out)
{
	uint64_t w = 0;
	int digits = 0, e = 0, ev = 0;	/* digits: from the first non-zero */
	bool neg = false, eneg = false, nonzero = false;

#if FLT_EVAL_METHOD != 0
	return false;	/* double rounding would creep in */
#endif
	if (*p == '-')
		neg = true, p++;
	for (; p < end && is_digit(*p); p++) {
		w = w * 10 + (uint64_t)(*p - '0');
		nonzero |= *p != '0';
		digits += nonzero;
	}
	if (p < end && *p == '.')
		for (p++; p < end && is_digit(*p); p++, e--) {
			w = w * 10 + (uint64_t)(*p - '0');
			nonzero |= *p != '0';
			digits += nonzero;
		}
	if (digits > 19)
		return false;	/* w may have wrapped */
	if (p < end) {
		if (++p < end && (*p == '+' || *p == '-'))	/* past e or E */
			eneg = *p++ == '-';
		if (end - p > 4)
			return false;
		for (; p < end; p++)
			ev = ev * 10 + (*p - '0');
		e += eneg ? -ev : ev;
	}
	if (w == 0) {
		*out = neg ? -0.0 : 0.0;
		return true;
	}
	if (w > EXACT_INT_MAX)
		return false;
	if (e > POW10_EXACT_MAX && e <= POW10_EXACT_MAX + 15) {
		/* 12e25 is 12000 * 10^22 while that is still exact */
		for (; e > POW10_EXACT_MAX && w <= EXACT_INT_MAX / 10; e--)
			w *= 10;
	}
	if (e < -POW10_EXACT_MAX || e > POW10_EXACT_MAX)
		return false;
	*out = e < 0 ? (double)w / pow10_exact[-e] : (double)w * pow10_exact[e];
	if (neg)
		*out = -*out;
	return true;
}

enum jscan_num
jscan_number(const struct jscan_value *v, double *out)
{
	char small[64], *buf;

	if (v->kind != JSCAN_NUMBER || v->n == 0)
		return JSCAN_NUM_NONE;
	if (number_fast(v->s, v->s + v->n, out))
		return JSCAN_NUM_OK;
	pthread_once(&c_locale_once, c_locale_init);
	buf = v->n < sizeof small ? small : eng_xmalloc(v->n + 1);
	memcpy(buf, v->s, v->n);
	buf[v->n] = '\0';
	*out = strtod_l(buf, NULL, c_locale);
	if (buf != small)
		free(buf);
	return isinf(*out) ? JSCAN_NUM_RANGE : JSCAN_NUM_OK;
}

bool
jscan_int64(const struct jscan_value *v, int64_t *out)
{
	const char *p = v->s, *end = v->s + v->n;
	uint64_t m = 0, limit;
	bool neg = false;

	if (v->kind != JSCAN_NUMBER || p >= end)
		return false;
	if (*p == '-')
		neg = true, p++;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (p >= end)
		return false;
	for (; p < end; p++) {
		unsigned d;

		if (!is_digit(*p))
			return false;	/* a fraction or an exponent */
		d = (unsigned)(*p - '0');
		if (m > (limit - d) / 10)
			return false;
		m = m * 10 + d;
	}
	*out = neg ? (int64_t)(0 - m) : (int64_t)m;
	return true;
}
