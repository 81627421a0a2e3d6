/*
 * jbuf.c - the growable buffer every entry line is built in: JSON string
 * escaping with UTF-8 checking and cutting, and hand-made number conversion
 * (snprintf per field would cost more than the rest of a line together).
 */
#include "config.h"

#include "jbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* A buffer that grew past this for one huge entry is given back. */
#define JBUF_KEEP (1024 * 1024)

/* 0: copied as is; 1: escaped; 2: starts (or breaks) a UTF-8 sequence */
static const unsigned char byteclass[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,	/* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

bool
jbuf_grow(struct jbuf *jb, size_t n)
{
	size_t want, cap;
	char *nb;

	if (jb->oom)
		return false;
	if (n > SIZE_MAX / 2 - jb->len)
		goto fail;
	want = jb->len + n;
	cap = jb->cap < 256 ? 256 : jb->cap;
	while (cap < want)
		cap *= 2;
	nb = realloc(jb->buf, cap);
	if (nb == NULL)
		goto fail;
	jb->buf = nb;
	jb->cap = cap;
	return true;
fail:
	jb->oom = true;
	return false;
}

void
jbuf_free(struct jbuf *jb)
{
	free(jb->buf);
	jb->buf = NULL;
	jb->len = jb->cap = 0;
	jb->oom = false;
}

void
jbuf_reset(struct jbuf *jb)
{
	if (jb->cap > JBUF_KEEP)
		jbuf_free(jb);
	jb->len = 0;
	jb->oom = false;
}

/* Digits of v, written backwards ending at end; returns the start. */
static char *
put_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

void
jbuf_int(struct jbuf *jb, int64_t v)
{
	char tmp[24], *p;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	p = put_digits(tmp + sizeof tmp, u);
	if (v < 0)
		*--p = '-';
	jbuf_raw(jb, p, (size_t)(tmp + sizeof tmp - p));
}

void
jbuf_double(struct jbuf *jb, double v)
{
	char tmp[40];
	int n;

	if (!isfinite(v)) {
		jbuf_lit(jb, "null");
		return;
	}
	n = snprintf(tmp, sizeof tmp, "%.15g", v);
	if (strtod(tmp, NULL) != v)
		n = snprintf(tmp, sizeof tmp, "%.17g", v);
	jbuf_raw(jb, tmp, (size_t)n);
	if (strpbrk(tmp, ".eE") == NULL)
		jbuf_lit(jb, ".0");	/* still a double when read back */
}

void
jbuf_fixed(struct jbuf *jb, double v, int maxdec)
{
	static const int64_t scale[] = { 1, 10, 100, 1000 };
	char tmp[48], *p, *end;
	int64_t s, whole, frac;
	int n;
	bool neg;

	if (!isfinite(v)) {
		jbuf_lit(jb, "null");
		return;
	}
	if (maxdec < 1)
		maxdec = 1;
	if (maxdec > 3)
		maxdec = 3;
	if (fabs(v) >= 1e15) {
		/* no decimals left to show, and %f of 1e300 is 301 digits */
		jbuf_double(jb, v);
		return;
	}
	/* round half away from zero, as llround() would, without the call */
	s = (int64_t)(v * (double)scale[maxdec] + (v < 0 ? -0.5 : 0.5));
	neg = s < 0;
	if (neg)
		s = -s;
	/* constant divisors compile to multiplications */
	switch (maxdec) {
	case 1:
		whole = s / 10;
		frac = s % 10;
		break;
	case 2:
		whole = s / 100;
		frac = s % 100;
		break;
	default:
		whole = s / 1000;
		frac = s % 1000;
		break;
	}
	end = tmp + sizeof tmp;
	/* decimals, trailing zeros dropped, at least one kept */
	n = maxdec;
	while (n > 1 && frac % 10 == 0) {
		frac /= 10;
		n--;
	}
	p = end;
	for (int i = 0; i < n; i++) {
		*--p = (char)('0' + frac % 10);
		frac /= 10;
	}
	*--p = '.';
	p = put_digits(p, (uint64_t)whole);
	if (neg)
		*--p = '-';
	jbuf_raw(jb, p, (size_t)(end - p));
}

void
jbuf_bool(struct jbuf *jb, bool v)
{
	if (v)
		jbuf_lit(jb, "true");
	else
		jbuf_lit(jb, "false");
}

size_t
utf8_seqlen(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* beyond U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

size_t
utf8_cut(const char *str, size_t n, size_t maxchars, size_t *total)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, chars = 0, cut = n, len;

	while (i < n) {
		if (chars == maxchars)
			cut = i;
		if (s[i] < 0x80)
			len = 1;
		else if ((len = utf8_seqlen(s + i, n - i)) == 0)
			len = 1;
		i += len;
		chars++;
	}
	*total = chars;
	return cut;
}

size_t
utf8_prefix(const char *str, size_t n, size_t maxchars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;

	for (size_t chars = 0; i < n && chars < maxchars; chars++) {
		if (s[i] < 0x80)
			len = 1;
		else if ((len = utf8_seqlen(s + i, n - i)) == 0)
			len = 1;
		i += len;
	}
	return i;
}

size_t
utf8_count(const char *str, size_t n)
{
	const uint64_t high = 0x8080808080808080ULL;
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, chars = 0, len;
	uint64_t v[4];

	while (i < n) {
		/* 32 ASCII bytes at a time: one test of four words */
		if (n - i >= sizeof v) {
			memcpy(v, s + i, sizeof v);
			if (((v[0] | v[1] | v[2] | v[3]) & high) == 0) {
				i += sizeof v;
				chars += sizeof v;
				continue;
			}
		}
		if (s[i] < 0x80)
			len = 1;
		else if ((len = utf8_seqlen(s + i, n - i)) == 0)
			len = 1;
		i += len;
		chars++;
	}
	return chars;
}

/* Which of the 8 bytes in v need a look (the high bit of each such byte):
 * a control character, '"', a backslash or a byte of a multibyte sequence
 * (bit tricks from "Bit Twiddling Hacks": hasless and haszero).  A borrow
 * can mark a byte above a marked one, never below: the lowest mark is
 * exact. */
static inline uint64_t
special8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');

	return (((v - ones * 0x20) & ~v) | ((q - ones) & ~q) |
	    ((b - ones) & ~b) | v) & high;
}

/* The escape of an ASCII byte of class 1, written at o; returns the end. */
static char *
put_escape(char *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e;

	switch (c) {
	case '"':  e = '"'; break;
	case '\\': e = '\\'; break;
	case '\n': e = 'n'; break;
	case '\t': e = 't'; break;
	case '\r': e = 'r'; break;
	case '\b': e = 'b'; break;
	case '\f': e = 'f'; break;
	default:
		memcpy(o, "\\u00", 4);
		o[4] = hex[c >> 4];
		o[5] = hex[c & 15];
		return o + 6;
	}
	o[0] = '\\';
	o[1] = e;
	return o + 2;
}

/* Escape all of s into jb, which has room for 6 bytes per input byte
 * (the longest escape); returns the length of s in characters. */
static size_t
escape_all(struct jbuf *jb, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;
	char *o = jb->buf + jb->len;
	size_t chars = 0, len;
	uint64_t v, mask;

	while (p < end) {
#ifdef __SSE2__
		/* 16 bytes at a time: a signed compare below ' ' finds both
		 * the control bytes and those of UTF-8 sequences */
		if (end - p >= 16) {
			__m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);
			__m128i sp = _mm_or_si128(
			    _mm_cmplt_epi8(b, _mm_set1_epi8(0x20)),
			    _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('"')),
			    _mm_cmpeq_epi8(b, _mm_set1_epi8('\\'))));
			unsigned m = (unsigned)_mm_movemask_epi8(sp);

			_mm_storeu_si128((__m128i *)(void *)o, b);
			if (m == 0) {
				o += 16;
				p += 16;
				chars += 16;
				continue;
			}
			len = (size_t)__builtin_ctz(m);
			o += len;
			p += len;
			chars += len;
		} else
#endif
		if (end - p >= 8) {
			memcpy(&v, p, 8);
			mask = special8(v);
			memcpy(o, p, 8);
			if (mask == 0) {
				o += 8;
				p += 8;
				chars += 8;
				continue;
			}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			{
				/* keep the plain bytes before the first
				 * special one */
				size_t k = (size_t)__builtin_ctzll(mask) / 8;

				o += k;
				p += k;
				chars += k;
			}
#endif
		}
		switch (byteclass[*p]) {
		case 0:
			*o++ = (char)*p++;
			break;
		case 1:
			o = put_escape(o, *p++);
			break;
		default:
			if ((len = utf8_seqlen(p, (size_t)(end - p))) != 0) {
				memcpy(o, p, len);
				o += len;
				p += len;
			} else {
				memcpy(o, "\\ufffd", 6);
				o += 6;
				p++;
			}
			break;
		}
		chars++;
	}
	jb->len = (size_t)(o - jb->buf);
	return chars;
}

/* Escape s in pieces, so that a huge text never needs six times its size
 * at once. */
static size_t
escape_pieces(struct jbuf *jb, const unsigned char *p, size_t n)
{
	const size_t piece = 64 * 1024;
	size_t chars = 0, k;

	while (n > 0) {
		k = n < piece ? n : piece;
		/* never split a UTF-8 sequence between pieces */
		while (k < n && k > piece - 4 && (p[k] & 0xc0) == 0x80)
			k--;
		if (!jbuf_room(jb, 6 * k))
			return chars;
		chars += escape_all(jb, p, k);
		p += k;
		n -= k;
	}
	return chars;
}

size_t
jbuf_escape(struct jbuf *jb, const char *s, size_t n, size_t maxchars)
{
	size_t total, cut;

	if (maxchars == SIZE_MAX || maxchars >= n)
		return escape_pieces(jb, (const unsigned char *)s, n);
	cut = utf8_cut(s, n, maxchars, &total);
	escape_pieces(jb, (const unsigned char *)s, cut);
	return total;
}

void
jbuf_str(struct jbuf *jb, const char *s, size_t n)
{
	jbuf_char(jb, '"');
	jbuf_escape(jb, s, n, SIZE_MAX);
	jbuf_char(jb, '"');
}
