/*
 * sanitize.c - makes untrusted log text safe for a terminal: control
 * characters, escape sequences, C1 codes, bidi overrides and invalid UTF-8
 * become visible text; everything printable passes unchanged.
 */
#include "config.h"

#include <stdint.h>

#include "engine.h"

/*
 * The forms, chosen to be unambiguous and short:
 *   C0 controls and DEL  caret form: ESC -> ^[, NUL -> ^@, DEL -> ^?;
 *                        TAB too (^I), so columns never shift and a tab
 *                        inside a message stays visible as one.
 *   C1 controls          \x80 .. \x9f (their code point; a terminal may take
 *                        U+009B as CSI, so they never pass raw)
 *   bidi embeddings,     \u202a .. \u202e, \u2066 .. \u2069 (they can make
 *   overrides, isolates  text read in a different order than it is stored)
 *   invalid UTF-8        each byte that does not start or continue a valid,
 *                        shortest-form sequence as \xNN
 */

static const char hexdig[] = "0123456789abcdef";

static void
put_hex_byte(struct strbuf *out, unsigned v)
{
	char b[4] = { '\\', 'x', hexdig[(v >> 4) & 0xf], hexdig[v & 0xf] };

	strbuf_add(out, b, sizeof b);
}

static void
put_u(struct strbuf *out, uint32_t cp)
{
	char b[6] = { '\\', 'u', hexdig[(cp >> 12) & 0xf], hexdig[(cp >> 8) & 0xf],
	    hexdig[(cp >> 4) & 0xf], hexdig[cp & 0xf] };

	strbuf_add(out, b, sizeof b);
}

/* Length of the valid UTF-8 sequence at s (2..4), with its code point;
 * 0 when the bytes there are not one (overlong, surrogate, beyond U+10FFFF,
 * cut short). */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2; c = s[0] & 0x1f; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3; c = s[0] & 0x0f; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4; c = s[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static bool
is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* One non-ASCII position: append its visible form, return bytes used. */
static size_t
sanitize_multibyte(struct strbuf *out, const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len = utf8_seq(s, n, &cp);

	if (len == 0) {
		put_hex_byte(out, s[0]);
		return 1;
	}
	if (cp <= 0x9f)
		put_hex_byte(out, cp);
	else if (is_bidi_control(cp))
		put_u(out, cp);
	else
		strbuf_add(out, (const char *)s, len);
	return len;
}

void
eng_sanitize(struct strbuf *out, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < n) {
		size_t run = i;

		/* Printable ASCII, the common case, is copied in one go. */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f)
			run++;
		if (run > i) {
			strbuf_add(out, text + i, run - i);
			i = run;
			continue;
		}
		if (s[i] < 0x20 || s[i] == 0x7f) {
			char b[2] = { '^', (char)(s[i] ^ 0x40) };

			strbuf_add(out, b, 2);
			i++;
		} else
			i += sanitize_multibyte(out, s + i, n - i);
	}
}
