/*
 * visible.c - untrusted text made safe for a terminal: control characters,
 * escape sequences, C1 codes, bidi controls and invalid UTF-8 become
 * visible text; everything printable passes unchanged.  The library's
 * stderr echo and the explorer both show log text through it.
 */
#include "config.h"

#include "internal.h"

#include <stdint.h>
#include <string.h>

#include "jbuf.h"

/*
 * The forms, chosen to be unambiguous and short:
 *   C0 controls and DEL  caret form: ESC -> ^[, NUL -> ^@, DEL -> ^?;
 *                        TAB too (^I), so columns never shift
 *   C1 controls          \x80 .. \x9f (their code point: a terminal may take
 *                        U+009B as CSI, so they never pass raw)
 *   bidi controls        \u061c, \u200e, \u200f, \u202a .. \u202e,
 *                        \u2066 .. \u2069 (they can make text read other
 *                        than it is stored), and the line and paragraph
 *                        separators \u2028, \u2029 (some terminals and
 *                        editors break the line there)
 *   invalid UTF-8        each byte that does not start or continue a valid,
 *                        shortest-form sequence, as \xNN
 */
static const char hexdig[] = "0123456789abcdef";

uint32_t
text_code_point(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & lead_mask[len];

	for (size_t i = 1; i < len; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

bool
text_bidi_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The visible form of one character (or invalid byte) at s, into piece;
 * returns its length and sets *used to the input bytes it stands for. */
static size_t
visible_piece(const unsigned char *s, size_t n, char piece[8], size_t *used)
{
	size_t len = utf8_seqlen(s, n);
	uint32_t cp;

	if (len == 0) {
		*used = 1;
		memcpy(piece, (char[]){ '\\', 'x', hexdig[s[0] >> 4],
		    hexdig[s[0] & 0xf] }, 4);
		return 4;
	}
	*used = len;
	if (len == 1 && (s[0] < 0x20 || s[0] == 0x7f)) {
		piece[0] = '^';
		piece[1] = (char)(s[0] ^ 0x40);
		return 2;
	}
	cp = text_code_point(s, len);
	if (cp >= 0x80 && cp <= 0x9f) {
		memcpy(piece, (char[]){ '\\', 'x', hexdig[cp >> 4],
		    hexdig[cp & 0xf] }, 4);
		return 4;
	}
	if (text_bidi_control(cp)) {
		memcpy(piece, (char[]){ '\\', 'u', hexdig[cp >> 12 & 0xf],
		    hexdig[cp >> 8 & 0xf], hexdig[cp >> 4 & 0xf],
		    hexdig[cp & 0xf] }, 6);
		return 6;
	}
	memcpy(piece, s, len);
	return len;
}

size_t
text_visible(char *out, size_t cap, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, o = 0, len, used;
	char piece[8];

	while (i < n) {
		size_t run = i;

		/* printable ASCII, the common case, is copied in one go */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f)
			run++;
		if (run > i) {
			len = run - i < cap - o ? run - i : cap - o;
			memcpy(out + o, text + i, len);
			o += len;
			i += len;
			if (i < run)
				break;
			continue;
		}
		len = visible_piece(s + i, n - i, piece, &used);
		if (len > cap - o)
			break;
		memcpy(out + o, piece, len);
		o += len;
		i += used;
	}
	return o;
}
