/*
 * jscan.h - the engine's one JSON scanner.  Every reader of a line (the
 * classifier, the statistics, the field queries) goes through it, so they
 * cannot disagree about what a line says.
 *
 * It is strict RFC 8259 with one tolerance: bytes inside a string are not
 * checked for UTF-8 (invalid ones keep the line valid; the UI shows them
 * as \xNN).  Nothing else is let through: no comments, single quotes,
 * trailing commas, NaN or Infinity, capitalised literals, raw control
 * bytes (below 0x20) in strings, leading zeros, "-", "1.", ".5".  Nesting
 * deeper than JSCAN_MAX_DEPTH is malformed.  Blanks are JSON's four:
 * space, tab, LF and CR.
 *
 * Protocol: jscan_line (the validating walk) says whether a line is one
 * JSON value and of which kind; only a line whose kind is JSCAN_OBJECT is
 * an entry, which the caller decides.  The value it fills in, and every
 * value the field calls hand out, are spans of the caller's line: valid
 * JSON, never copied, alive as long as the line.  The field calls read
 * such spans; given anything else they fail (false, JSCAN_NONE) but never
 * read outside the span.  Nothing here allocates except jscan_string and
 * a number of more than 63 bytes, through the engine's helpers.  All
 * calls are thread-safe.
 */
#ifndef LLMLOG_JSCAN_H
#define LLMLOG_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

#define JSCAN_MAX_DEPTH	512	/* nesting levels a line may have */

enum jscan_kind {
	JSCAN_NONE = 0,		/* absent, or not one valid value */
	JSCAN_OBJECT,
	JSCAN_ARRAY,
	JSCAN_STRING,
	JSCAN_NUMBER,
	JSCAN_TRUE,
	JSCAN_FALSE,
	JSCAN_NULL
};

/* A value in the line.  A string's span is its body between the quotes
 * (still escaped); any other value's span is its whole text, brackets
 * included. */
struct jscan_value {
	const char *s;
	size_t n;
	enum jscan_kind kind;
	bool escaped;		/* a string holding a backslash escape */
};

/* ---- primitives ----------------------------------------------------------- */

/* The first byte at or after p that is not a JSON blank. */
const char *jscan_ws(const char *p, const char *end);

/* Just past the closing quote of the string whose body starts at s (just
 * after its opening quote), or NULL when it is not a valid string before
 * end: unclosed, a raw byte below 0x20, or an escape JSON does not have.
 * *escaped is set when the string holds an escape (and never cleared).
 * SSE2 looks at 16 bytes at a time where there is room. */
const char *jscan_string_end(const char *s, const char *end, bool *escaped);

/* Just past the one valid value starting at p (after blanks), nested at
 * most depth levels (capped at JSCAN_MAX_DEPTH); NULL when there is none.
 * The value is described in *v unless v is NULL. */
const char *jscan_value_end(const char *p, const char *end, int depth,
    struct jscan_value *v);

/* The validating walk: the kind of the one value that s[0..n) holds
 * (blanks around it allowed), JSCAN_NONE when the line is malformed; the
 * value in *v unless v is NULL. */
enum jscan_kind jscan_line(const char *s, size_t n, struct jscan_value *v);

/* ---- members and elements ------------------------------------------------- */

struct jscan_iter {
	const char *p, *end;
	bool object;
	bool done;
};

/* Start on the members of an object or the elements of an array; false
 * for any other value. */
bool jscan_iter_init(struct jscan_iter *it, const struct jscan_value *v);
/* The next member (its key, a string, in *key unless key is NULL) or
 * element (*key is left alone), its value in *val; false after the
 * last. */
bool jscan_next(struct jscan_iter *it, struct jscan_value *key,
    struct jscan_value *val);

/* Whether a key (a string value) decodes to name[0..len). */
bool jscan_key_equal(const struct jscan_value *key, const char *name,
    size_t len);

struct jscan_key {
	const char *name;	/* the decoded key; may hold NUL bytes */
	size_t len;
};
/* Find keys among an object's members in one pass: out[i] is the value of
 * keys[i], kind JSCAN_NONE when absent.  A key given twice has the value
 * of its last member, as json-c and Python read it.  Returns how many
 * were found; 0 when obj is not an object. */
size_t jscan_find(const struct jscan_value *obj, const struct jscan_key *keys,
    size_t nkeys, struct jscan_value *out);
/* The same for one key. */
bool jscan_get(const struct jscan_value *obj, const char *name, size_t len,
    struct jscan_value *out);
/* A dotted path: path[0..len) split at every '.', each part a key of the
 * object the part before it named ("details.server").  A key that holds a
 * dot is out of its reach (jscan_get it). */
bool jscan_path(const struct jscan_value *obj, const char *path, size_t len,
    struct jscan_value *out);

/* The validating walk and jscan_find in one pass over the line, which is
 * what reading a few fields of every line wants: the line's kind, its
 * value in *top (unless top is NULL), and for an object the keys' values
 * in out[] (all JSCAN_NONE for any other line). */
enum jscan_kind jscan_line_find(const char *s, size_t n,
    struct jscan_value *top, const struct jscan_key *keys, size_t nkeys,
    struct jscan_value *out);

/* ---- decoding ------------------------------------------------------------- */

/* A string's decoded bytes into out, which has room for v->n bytes (no
 * decoded string is longer than its body); returns their number, 0 for a
 * value that is not a string.  \u0000 is a NUL byte like any other: it
 * never ends the text, so use the length.  A surrogate escape that is not
 * half of a pair (a high one followed by a low one) decodes to U+FFFD, as
 * json-c does; invalid UTF-8 is copied as it is. */
size_t jscan_unescape(const struct jscan_value *v, char *out);
/* The same, appended to out. */
void jscan_string(struct strbuf *out, const struct jscan_value *v);

/* What jscan_number says. */
enum jscan_num {
	JSCAN_NUM_OK = 0,	/* *out is the value */
	JSCAN_NUM_RANGE,	/* past ±DBL_MAX: *out is ±HUGE_VAL; leave it
				   out of sums and count it */
	JSCAN_NUM_NONE		/* not a number */
};
/* A number's value exactly as strtod reads its text in the C locale: the
 * double nearest to it, so integers past 2^53 (64-bit ones and beyond)
 * round to a neighbour, and a value too small for a double is 0 or
 * subnormal, keeping its sign.  Short decimals take an exact fast path
 * (a significand up to 2^53 and a power of ten up to 10^22, one correctly
 * rounded operation); everything else goes to strtod_l. */
enum jscan_num jscan_number(const struct jscan_value *v, double *out);
/* An integer written without fraction or exponent that fits int64_t,
 * exactly; false for anything else. */
bool jscan_int64(const struct jscan_value *v, int64_t *out);

#endif
