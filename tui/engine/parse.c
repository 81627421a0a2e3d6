/*
 * parse.c - what one log line says about itself: time, level, category and
 * whether it is ours, foreign JSON or malformed.  Our writer's lines are
 * read from their fixed prefix without a JSON parse; anything else goes
 * through json-c.
 */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

static struct {
	const char *name;
	size_t len;
} cat_names[LLMLOG_NCATEGORIES];
static pthread_once_t cat_once = PTHREAD_ONCE_INIT;

static void
cat_names_init(void)
{
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++) {
		cat_names[c].name = llmlog_category_name(c);
		cat_names[c].len = strlen(cat_names[c].name);
	}
}

static int
category_of(const char *s, size_t n)
{
	pthread_once(&cat_once, cat_names_init);
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++)
		if (cat_names[c].len == n && memcmp(cat_names[c].name, s, n) == 0)
			return c;
	return -1;
}

static int
level_of(const char *s, size_t n)
{
	static const char *const names[] = {
		"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"
	};

	for (int i = 0; i < 5; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return i + 1;
	return -1;
}

/* Take `"` text `"` at *p; the text must hold no escape. */
static bool
take_string(const char **p, const char *end, const char **s, size_t *n)
{
	const char *q;
	bool esc = false;

	if (*p >= end || **p != '"')
		return false;
	q = json_string_end(*p + 1, end, &esc);
	if (q == NULL || esc)
		return false;
	*s = *p + 1;
	*n = (size_t)(q - 1 - *s);
	*p = q;
	return true;
}

static bool
take_lit(const char **p, const char *end, const char *lit, size_t n)
{
	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/* Whether the rest of a line is one complete JSON value, structurally:
 * strings closed, brackets balanced, nothing after the last one.  A line
 * it lets through still gets a full parse before anything reads its
 * fields.  This runs on every line, so it comes in two speeds: a scalar
 * loop (strings crossed 16 bytes at a time), and a SIMD pass below that
 * looks at 64 bytes at once. */
static bool
balanced_scalar(const char *p, const char *end, int depth, bool in_string)
{
	bool esc;

	if (in_string && (p = json_string_end(p, end, &esc)) == NULL)
		return false;
	while (p < end) {
		char c = *p++;

		if (c == '"') {
			if ((p = json_string_end(p, end, &esc)) == NULL)
				return false;
		} else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (--depth == 0)
				return p == end;
		}
	}
	return false;
}

#ifdef __SSE2__
static inline uint64_t
mask16(__m128i x, char c)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x,
	    _mm_set1_epi8(c)));
}

/* Bit i set when byte i is inside a string: the running parity of the
 * (unescaped) quotes up to i. */
static inline uint64_t
prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/* 64 bytes at a time: masks of quotes, backslashes and brackets; the
 * in-string mask from the quotes; then only the few brackets outside
 * strings are looked at one by one.  A backslash next to another (where
 * escapes need counting) hands the rest to the scalar loop. */
static bool
balanced(const char *p, const char *end, int depth)
{
	uint64_t in_str = 0, carry_bs = 0;

	while (end - p >= 64) {
		uint64_t q = 0, bs = 0, op = 0, cl = 0, str, st;

		for (int k = 0; k < 4; k++) {
			__m128i x = _mm_loadu_si128((const __m128i *)
			    (const void *)(p + 16 * k));
			q |= mask16(x, '"') << (16 * k);
			bs |= mask16(x, '\\') << (16 * k);
			op |= (mask16(x, '{') | mask16(x, '[')) << (16 * k);
			cl |= (mask16(x, '}') | mask16(x, ']')) << (16 * k);
		}
		if (bs != 0 || carry_bs != 0) {
			if ((bs & (bs << 1)) != 0 || (bs & carry_bs) != 0) {
				if (carry_bs != 0) {
					if (in_str == 0)
						return false;
					p++;	/* escaped: not a quote */
				}
				return balanced_scalar(p, end, depth,
				    in_str != 0);
			}
			q &= ~((bs << 1) | carry_bs);
			carry_bs = bs >> 63;
		}
		str = prefix_xor(q) ^ in_str;
		in_str = (uint64_t)((int64_t)str >> 63);
		st = (op | cl) & ~str;
		while (st != 0) {
			int i = __builtin_ctzll(st);
			st &= st - 1;
			if (op >> i & 1)
				depth++;
			else if (--depth <= 0)
				return depth == 0 && p + i + 1 == end;
		}
		p += 64;
	}
	if (carry_bs != 0) {
		/* the first byte here is escaped: only a string holds that */
		if (in_str == 0 || p >= end)
			return false;
		p++;
	}
	return balanced_scalar(p, end, depth, in_str != 0);
}
#else
static bool
balanced(const char *p, const char *end, int depth)
{
	return balanced_scalar(p, end, depth, false);
}
#endif

/* {"category":"…","timestamp":"…","level":"…",  …  } */
static bool
parse_canonical(const char *s, size_t n, struct line_info *out)
{
	const char *p = s, *end = s + n, *v;
	size_t vn;
	int cat, lev;
	int64_t t;

	while (end > p && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	if (end - p < 40 || end[-1] != '}')
		return false;
	if (!take_lit(&p, end, "{\"category\":", 12) ||
	    !take_string(&p, end, &v, &vn) || (cat = category_of(v, vn)) < 0)
		return false;
	if (!take_lit(&p, end, ",\"timestamp\":", 13) ||
	    !take_string(&p, end, &v, &vn) ||
	    eng_time_parse_log(v, vn, &t) != 0)
		return false;
	if (!take_lit(&p, end, ",\"level\":", 9) ||
	    !take_string(&p, end, &v, &vn) || (lev = level_of(v, vn)) < 0)
		return false;
	if (p >= end || (*p != ',' && *p != '}') || !balanced(p, end, 1))
		return false;
	out->time = t;
	out->category = (uint8_t)cat;
	out->level = (uint8_t)lev;
	out->flags = 0;
	return true;
}

json_object *
eng_parse_line(const char *s, size_t n)
{
	json_tokener *tok;
	json_object *o;
	size_t used;

	if (n > INT32_MAX)
		return NULL;
	if (memchr(s, '\0', n) != NULL)
		return NULL;
	tok = json_tokener_new();
	if (tok == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, s, (int)n);
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL)
		return NULL;
	for (; used < n; used++)
		if (s[used] != ' ' && s[used] != '\t' && s[used] != '\r')
			break;
	if (used < n || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *
field(json_object *o, const char *const *names)
{
	json_object *v;

	for (; *names != NULL; names++)
		if (json_object_object_get_ex(o, *names, &v) && v != NULL)
			return v;
	return NULL;
}

static bool
json_time(json_object *v, int64_t *t)
{
	const char *s;
	double d;

	switch (json_object_get_type(v)) {
	case json_type_string:
		s = json_object_get_string(v);
		return eng_time_parse_log(s, strlen(s), t) == 0;
	case json_type_int:
	case json_type_double:
		/* epoch seconds, or ms/µs by magnitude */
		d = json_object_get_double(v);
		if (d != d || d > 9e18 || d < -9e18)
			return false;
		if (d > 1e17 || d < -1e17)
			*t = (int64_t)(d / NS_PER_US);
		else if (d > 1e14 || d < -1e14)
			*t = (int64_t)d;
		else if (d > 1e11 || d < -1e11)
			*t = (int64_t)(d * (double)ENG_US_PER_MS);
		else
			*t = (int64_t)(d * (double)ENG_US_PER_SEC);
		return true;
	default:
		return false;
	}
}

static int
json_level(json_object *v)
{
	int l;

	if (json_object_is_type(v, json_type_int)) {
		int64_t n = json_object_get_int64(v);
		if (n < 10)
			return LLMLOG_DEBUG;
		return n >= 50 ? LLMLOG_CRITICAL : (int)(n / 10 * 10);
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	l = llmlog_level_parse(json_object_get_string(v));
	return l;
}

static void
parse_slow(const char *s, size_t n, int file_category, struct line_info *out)
{
	static const char *const time_keys[] = { "timestamp", "time",
	    "@timestamp", "asctime", "ts", "datetime", "date", "created", NULL };
	static const char *const level_keys[] = { "level", "levelname",
	    "severity", "loglevel", "levelno", NULL };
	json_object *o, *v;
	int cat = -1, lev;

	out->time = ENG_TIME_NONE;
	out->category = file_category < 0 ? ENG_CATEGORY_NONE :
	    (uint8_t)file_category;
	out->level = 0;
	out->flags = 0;
	if ((o = eng_parse_line(s, n)) == NULL) {
		out->flags = ENTRY_MALFORMED | ENTRY_NO_TIME;
		return;
	}
	if (json_object_object_get_ex(o, "category", &v) &&
	    json_object_is_type(v, json_type_string))
		cat = llmlog_category_parse(json_object_get_string(v));
	if (cat >= 0)
		out->category = (uint8_t)cat;
	else
		out->flags |= ENTRY_FOREIGN;
	if ((v = field(o, time_keys)) == NULL || !json_time(v, &out->time)) {
		out->time = ENG_TIME_NONE;
		out->flags |= ENTRY_NO_TIME;
	}
	if ((v = field(o, level_keys)) != NULL && (lev = json_level(v)) > 0)
		out->level = (uint8_t)(lev / 10);
	json_object_put(o);
}

void
parse_line(const char *s, size_t n, int file_category, struct line_info *out)
{
	if (parse_canonical(s, n, out))
		return;
	parse_slow(s, n, file_category, out);
}
