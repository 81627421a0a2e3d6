/*
 * decoded.c - an entry's decoded text (engine.h, eng_decoded): what a
 * keyword, regex or search matches, so that a search finds what the list
 * and the detail view show.  Built from the two things shown, the
 * summary (summary.c) and the fields (eng_entry_fields), and sanitised
 * as they are on screen, never read a second way.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "engine.h"
#include "engine-int.h"
#include "internal.h"
#include "jbuf.h"

void
eng_decoded_init(struct eng_decoded *d)
{
	memset(d, 0, sizeof *d);
	strbuf_init(&d->text);
	strbuf_init(&d->tmp);
	eng_fields_init(&d->fields);
}

void
eng_decoded_free(struct eng_decoded *d)
{
	strbuf_free(&d->text);
	strbuf_free(&d->tmp);
	eng_fields_free(&d->fields);
	free(d->line);
	memset(d, 0, sizeof *d);
}

/* End the line begun at off; field and key_len as struct eng_decoded_line. */
static void
end_line(struct eng_decoded *d, size_t off, long field, size_t key_len)
{
	struct eng_decoded_line *l;

	eng_grow(&d->line, &d->cap, d->n + 1, sizeof *d->line);
	l = &d->line[d->n++];
	l->off = off;
	l->len = d->text.len - off;
	l->field = field;
	l->key_len = key_len;
	strbuf_add(&d->text, "\n", 1);
}

/* A field as the detail view shows it (tui/ui/detail.c), less its
 * indentation. */
static void
add_field(struct eng_decoded *d, const struct eng_field *f, long i)
{
	size_t off = d->text.len, key_len;
	const char *v = f->text, *nl;
	size_t n = f->text_len;

	if (f->key != NULL) {
		eng_sanitize(&d->text, f->key, f->key_len);
		strbuf_puts(&d->text, f->text != NULL ? ": " : ":");
	} else
		strbuf_puts(&d->text, f->text != NULL ? "- " : "-");
	key_len = d->text.len - off;
	if (v == NULL) {
		end_line(d, off, i, key_len);
		return;
	}
	for (;;) {
		nl = memchr(v, '\n', n);
		eng_sanitize(&d->text, v, nl != NULL ? (size_t)(nl - v) : n);
		end_line(d, off, i, key_len);
		if (nl == NULL)
			return;
		n -= (size_t)(nl - v) + 1;
		v = nl + 1;
		off = d->text.len;
		key_len = 0;
	}
}

static bool
as_written(const struct eng_entry *en)
{
	return (en->flags & ENTRY_MALFORMED) || en->length > ENG_LINE_SHOW;
}

void
decoded_build_summary(struct eng_decoded *d, const struct eng *e,
    const struct eng_entry *en, const char *s, size_t n)
{
	strbuf_reset(&d->text);
	d->n = 0;
	strbuf_reset(&d->tmp);
	if (as_written(en))
		eng_sanitize(&d->text, s, n);
	else {
		eng_summary_line(e, en, s, n, &d->tmp);
		eng_sanitize(&d->text, d->tmp.s, d->tmp.len);
	}
	end_line(d, 0, -1, 0);
	d->fields.n = 0;
}

void
eng_decoded_build(struct eng_decoded *d, const struct eng *e,
    const struct eng_entry *en, const char *s, size_t n)
{
	decoded_build_summary(d, e, en, s, n);
	if (as_written(en) || !eng_entry_fields(s, n, &d->fields)) {
		d->fields.n = 0;
		return;
	}
	for (size_t i = 0; i < d->fields.n; i++)
		add_field(d, &d->fields.v[i], (long)i);
}

/* Bytes that sanitising, or undoing an escape, may change: see regex.c,
 * raw_implied.  A newline never is inside a line. */
static const bool unplain[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1,
	[0x05] = 1, [0x06] = 1, [0x07] = 1, [0x08] = 1, [0x09] = 1,
	[0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
	[0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
	[0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1,
	[0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1,
	[0x1f] = 1, ['\\'] = 1, [0x7f] = 1,
	[0x80 ... 0xff] = 1,
};

/* An escape's letter and the mask bit that makes it harmless. */
static unsigned
escape_bit(unsigned char c)
{
	switch (c) {
	case '"':
	case '\\':
	case '/':
		return ~0u;	/* always: they undo to no word character */
	case 'n':
		return DECODED_ESC_N;
	case 't':
		return DECODED_ESC_T;
	case 'r':
		return DECODED_ESC_R;
	case 'b':
		return DECODED_ESC_B;
	case 'f':
		return DECODED_ESC_F;
	default:
		return 0;
	}
}

size_t
decoded_plain_len(const char *text, size_t n, unsigned escapes)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, len;
	uint32_t cp;

#ifdef __SSE2__
	/* as signed bytes, what unplain holds is below 0x20 (0x80..0xff
	 * are negative) but the newline, the backslash and DEL */
	const __m128i space = _mm_set1_epi8(0x20), nl = _mm_set1_epi8('\n');
	const __m128i bs = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7f);
#endif

	for (;;) {
#ifdef __SSE2__
		/* sixteen bytes a step: most lines are plain to their end */
		while (i + 16 <= n) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)
			    (s + i));
			__m128i hit = _mm_or_si128(_mm_andnot_si128(
			    _mm_cmpeq_epi8(x, nl), _mm_cmplt_epi8(x, space)),
			    _mm_or_si128(_mm_cmpeq_epi8(x, bs),
			    _mm_cmpeq_epi8(x, del)));
			unsigned m = (unsigned)_mm_movemask_epi8(hit);

			if (m != 0) {
				i += (size_t)__builtin_ctz(m);
				break;
			}
			i += 16;
		}
#else
		/* eight bytes a step: most lines are plain to their end */
		while (i + 8 <= n && !(unplain[s[i]] | unplain[s[i + 1]] |
		    unplain[s[i + 2]] | unplain[s[i + 3]] | unplain[s[i + 4]] |
		    unplain[s[i + 5]] | unplain[s[i + 6]] | unplain[s[i + 7]]))
			i += 8;
#endif
		while (i < n && !unplain[s[i]])
			i++;
		if (i == n)
			return i;
		if (s[i] == '\\') {
			/* outside a string a backslash is no JSON: the line
			 * is malformed and shown as written, which is plain */
			if (i + 1 == n || !(escape_bit(s[i + 1]) & escapes))
				return i;
			i += 2;
			continue;
		}
		if (s[i] < 0x80)
			return i;
		/* UTF-8 stays as it is, but for what lib/visible.c shows
		 * otherwise: invalid bytes, C1 and bidi controls */
		if ((len = utf8_seqlen(s + i, n - i)) == 0)
			return i;
		cp = s[i] & (0x7f >> len);
		for (size_t k = 1; k < len; k++)
			cp = cp << 6 | (s[i + k] & 0x3f);
		if (cp <= 0x9f || text_bidi_control(cp))
			return i;
		i += len;
	}
}
