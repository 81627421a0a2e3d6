/*
 * jbuf.h - a small growable buffer that writes compact JSON.
 *
 * Appends never fail loudly: a failed allocation sets jb->oom, which stays
 * set until jbuf_reset(), and the text is then incomplete; so a caller
 * builds a whole line and checks once.
 * Strings are escaped as JSON, invalid UTF-8 bytes become \ufffd, and a
 * string can be cut at a number of characters (code points) without ever
 * splitting a UTF-8 sequence.
 */
#ifndef JBUF_H
#define JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
};

/* Make room for n more bytes; false (and oom set) when that fails. */
bool jbuf_grow(struct jbuf *jb, size_t n);
void jbuf_free(struct jbuf *jb);
/* Empty it, giving memory back when a huge entry made it big. */
void jbuf_reset(struct jbuf *jb);

static inline bool
jbuf_room(struct jbuf *jb, size_t n)
{
	if (jb->cap - jb->len >= n)
		return true;
	return jbuf_grow(jb, n);
}

static inline void
jbuf_raw(struct jbuf *jb, const char *s, size_t n)
{
	if (n == 0 || !jbuf_room(jb, n))
		return;
	memcpy(jb->buf + jb->len, s, n);
	jb->len += n;
}

static inline void
jbuf_char(struct jbuf *jb, char c)
{
	if (!jbuf_room(jb, 1))
		return;
	jb->buf[jb->len++] = c;
}

/* A literal: jbuf_lit(jb, "abc") */
#define jbuf_lit(jb, s) jbuf_raw((jb), (s), sizeof(s) - 1)
/* ,"key": where key is a literal that needs no escaping */
#define jbuf_key(jb, k) jbuf_raw((jb), "," "\"" k "\":", sizeof(k) + 3)

void jbuf_int(struct jbuf *jb, int64_t v);
/* A number with at least one and at most maxdec (1..3) decimals, trailing
 * zeros dropped: 123.4, 12.0, 0.125.  From 1e15 on, where a double holds
 * no decimals, the shortest form that reads back the same: 1e+300.  Not
 * finite (NaN, infinity, which JSON cannot write): null. */
void jbuf_fixed(struct jbuf *jb, double v, int maxdec);
/* The shortest of %.15g and %.17g that reads back as the same double,
 * with ".0" when that has neither a point nor an exponent (so that it
 * still reads as a double); not finite: null. */
void jbuf_double(struct jbuf *jb, double v);
void jbuf_bool(struct jbuf *jb, bool v);

/* Escape s[0..n) as JSON string content (no quotes), keeping at most
 * maxchars characters (SIZE_MAX: all).  Returns the number of characters
 * of the whole input, so the caller can tell whether it was cut. */
size_t jbuf_escape(struct jbuf *jb, const char *s, size_t n, size_t maxchars);
/* A quoted JSON string. */
void jbuf_str(struct jbuf *jb, const char *s, size_t n);
static inline void
jbuf_cstr(struct jbuf *jb, const char *s)
{
	if (s == NULL)
		s = "";
	jbuf_str(jb, s, strlen(s));
}

/* The byte length of the first maxchars characters of s (an invalid
 * byte counts as one, as it becomes one U+FFFD); *total gets the number
 * of characters in all of s. */
size_t utf8_cut(const char *s, size_t n, size_t maxchars, size_t *total);
/* The same byte length, reading no further than it. */
size_t utf8_prefix(const char *s, size_t n, size_t maxchars);
/* The number of characters in s, counted as utf8_cut() counts them; fast
 * over ASCII. */
size_t utf8_count(const char *s, size_t n);
/* Length in bytes of the valid UTF-8 sequence at s (at most n bytes
 * available), or 0 when the byte at s does not start one. */
size_t utf8_seqlen(const unsigned char *s, size_t n);

#endif
