/*
 * xsum.c - exact sums of doubles, for the statistics.  Floating-point
 * addition is not associative: two threads' halves, or slices, added up
 * would differ in the last bits from one pass, and a large value would
 * swallow small ones.  So a sum is kept exactly and rounded once when
 * read: whole values up to 2^63 (token counts) in a 128-bit integer, the
 * rest in a fixed-point integer whose unit is 2^-1074, the smallest
 * double, wide enough for 2^32 of the largest double.  Any order of the
 * same values gives the same figure, and no finite input overflows it.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

/* Bit 0 of big[0] is 2^-1074; a double's 53 bits reach bit 2098, 2^32 of
 * them bit 2130; the top word holds the sign (two's complement). */
#define XSUM_WORDS	35
#define UNIT_SHIFT	1074	/* where 2^0 sits */
#define MANT_BITS	53
#define EXACT_SMALL	0x1p63	/* whole values below it go to small */

/* Add (or subtract) the magnitude lo + hi * 2^64 at bit pos of w. */
static void
big_add(uint64_t *w, uint64_t lo, uint64_t hi, unsigned pos, bool neg)
{
	unsigned i = pos / 64, sh = pos % 64;
	uint64_t part[3];

	part[0] = lo << sh;
	part[1] = sh ? (lo >> (64 - sh) | hi << sh) : hi;
	part[2] = sh ? hi >> (64 - sh) : 0;
	if (!neg) {
		uint64_t carry = 0;

		for (unsigned k = 0; i + k < XSUM_WORDS; k++) {
			uint64_t a = k < 3 ? part[k] : 0, s = w[i + k] + a;
			uint64_t c = s < a;

			s += carry;
			c += s < carry;
			w[i + k] = s;
			carry = c;
			if (k >= 2 && carry == 0)
				break;
		}
	} else {
		uint64_t borrow = 0;

		for (unsigned k = 0; i + k < XSUM_WORDS; k++) {
			uint64_t a = k < 3 ? part[k] : 0, x = w[i + k];
			uint64_t d = x - a, b = x < a;

			b += d < borrow;
			d -= borrow;
			w[i + k] = d;
			borrow = b;
			if (k >= 2 && borrow == 0)
				break;
		}
	}
}

static uint64_t *
big_of(struct xsum *s)
{
	if (s->big == NULL)
		s->big = eng_xcalloc(XSUM_WORDS, sizeof *s->big);
	return s->big;
}

void
xsum_add(struct xsum *s, double x)
{
	uint64_t bits, m;
	unsigned e;

	if (x == 0 || !isfinite(x))
		return;		/* callers never pass a non-finite value */
	if (fabs(x) < EXACT_SMALL && x == (double)(int64_t)x) {
		s->small += (int64_t)x;
		return;
	}
	memcpy(&bits, &x, sizeof bits);
	e = (unsigned)(bits >> 52 & 0x7ff);
	m = bits & ((UINT64_C(1) << 52) - 1);
	if (e != 0)
		m |= UINT64_C(1) << 52;	/* a normal number: m * 2^(e-1075) */
	big_add(big_of(s), m, 0, e != 0 ? e - 1 : 0, bits >> 63);
}

void
xsum_merge(struct xsum *into, const struct xsum *from)
{
	into->small += from->small;
	if (from->big != NULL) {
		uint64_t *w = big_of(into), carry = 0;

		for (unsigned i = 0; i < XSUM_WORDS; i++) {
			uint64_t a = from->big[i], s = w[i] + a, c = s < a;

			s += carry;
			c += s < carry;
			w[i] = s;
			carry = c;
		}
	}
}

/* Bit i of w. */
static inline unsigned
bit(const uint64_t *w, int i)
{
	return i < 0 ? 0 : (unsigned)(w[i / 64] >> (i % 64) & 1);
}

/* Whether any bit of w below i is set. */
static bool
any_below(const uint64_t *w, int i)
{
	for (int k = 0; k < i / 64; k++)
		if (w[k] != 0)
			return true;
	return i > 0 && (w[i / 64] & ((UINT64_C(1) << (i % 64)) - 1)) != 0;
}

/* MANT_BITS bits of w from bit i up. */
static uint64_t
bits_at(const uint64_t *w, int i)
{
	uint64_t v = w[i / 64] >> (i % 64);

	if (i % 64 != 0 && i / 64 + 1 < XSUM_WORDS)
		v |= w[i / 64 + 1] << (64 - i % 64);
	return v & ((UINT64_C(1) << MANT_BITS) - 1);
}

double
xsum_value(const struct xsum *s)
{
	uint64_t w[XSUM_WORDS];
	unsigned __int128 mag;
	bool neg;
	int top, lsb;
	uint64_t m;

	if (s->big == NULL)
		return (double)s->small;	/* correctly rounded */
	memcpy(w, s->big, sizeof w);
	mag = s->small < 0 ? -(unsigned __int128)s->small :
	    (unsigned __int128)s->small;
	if (mag != 0)
		big_add(w, (uint64_t)mag, (uint64_t)(mag >> 64), UNIT_SHIFT,
		    s->small < 0);
	if ((neg = w[XSUM_WORDS - 1] >> 63)) {
		uint64_t carry = 1;	/* two's complement: invert, add one */

		for (unsigned i = 0; i < XSUM_WORDS; i++) {
			w[i] = ~w[i] + carry;
			carry = carry && w[i] == 0;
		}
	}
	for (top = XSUM_WORDS - 1; top >= 0 && w[top] == 0; top--)
		;
	if (top < 0)
		return 0;
	top = top * 64 + 63 - __builtin_clzll(w[top]);
	if (top < MANT_BITS)
		return (neg ? -1 : 1) * ldexp((double)w[0], -UNIT_SHIFT);
	/* round to nearest, ties to even, on the bits below the 53 kept */
	lsb = top - (MANT_BITS - 1);
	m = bits_at(w, lsb);
	if (bit(w, lsb - 1) && (any_below(w, lsb - 1) || (m & 1)))
		m++;
	if (m >> MANT_BITS) {
		m >>= 1;
		lsb++;
	}
	return (neg ? -1 : 1) * ldexp((double)m, lsb - UNIT_SHIFT);
}

void
xsum_free(struct xsum *s)
{
	free(s->big);
	memset(s, 0, sizeof *s);
}

/* ---- a sum kept on disk (a file's figures in its cache, stats.c) ---- */

void
xsum_save(struct strbuf *b, const struct xsum *s)
{
	unsigned char has_big = s->big != NULL;

	strbuf_add(b, (const char *)&s->small, sizeof s->small);
	strbuf_add(b, (const char *)&has_big, 1);
	if (has_big)
		strbuf_add(b, (const char *)s->big, XSUM_WORDS *
		    sizeof *s->big);
}

bool
xsum_restore(struct xsum *s, const unsigned char **p,
    const unsigned char *end)
{
	unsigned char has_big;

	memset(s, 0, sizeof *s);
	if ((size_t)(end - *p) < sizeof s->small + 1)
		return false;
	memcpy(&s->small, *p, sizeof s->small);
	has_big = (*p)[sizeof s->small];
	*p += sizeof s->small + 1;
	if (has_big > 1)
		return false;
	if (has_big) {
		if ((size_t)(end - *p) < XSUM_WORDS * sizeof *s->big)
			return false;
		s->big = eng_xmalloc(XSUM_WORDS * sizeof *s->big);
		memcpy(s->big, *p, XSUM_WORDS * sizeof *s->big);
		*p += XSUM_WORDS * sizeof *s->big;
	}
	return true;
}
