/*
 * sanitize.c - log text on its way to the terminal: the library's one
 * rule for making untrusted text visible (lib/visible.c), into a strbuf;
 * and the same rule for the JSON we write ourselves, where the escapes
 * are JSON's own so the text still parses as what it was.
 */
#include "config.h"

#include <stdio.h>

#include "engine.h"
#include "internal.h"
#include "jbuf.h"

void
eng_sanitize(struct strbuf *out, const char *text, size_t n)
{
	char *room = strbuf_reserve(out, TEXT_VISIBLE_MAX(n));

	out->len += text_visible(room, TEXT_VISIBLE_MAX(n), text, n);
	out->s[out->len] = '\0';
}

void
eng_json_visible(struct strbuf *out, const char *json, size_t n)
{
	const unsigned char *s = (const unsigned char *)json;
	size_t i = 0;

	while (i < n) {
		size_t run = i, len;
		uint32_t cp;

		/* C0 controls are escaped already: only DEL and non-ASCII
		 * text, which stand inside strings only, need a look */
		while (run < n && s[run] < 0x7f)
			run++;
		strbuf_add(out, json + i, run - i);
		if ((i = run) == n)
			break;
		if ((len = utf8_seqlen(s + i, n - i)) == 0) {
			strbuf_puts(out, "\\ufffd");
			i++;
			continue;
		}
		cp = text_code_point(s + i, len);
		if (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
		    text_bidi_control(cp))
			strbuf_printf(out, "\\u%04x", (unsigned)cp);
		else
			strbuf_add(out, json + i, len);
		i += len;
	}
}

void
eng_json_print(json_object *j, int flags, FILE *out)
{
	struct strbuf b;
	size_t n;
	const char *text = json_object_to_json_string_length(j,
	    flags | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

	strbuf_init(&b);
	eng_json_visible(&b, text, n);
	strbuf_add(&b, "\n", 1);
	fwrite(b.s, 1, b.len, out);
	strbuf_free(&b);
}
