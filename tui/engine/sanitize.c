/*
 * sanitize.c - log text on its way to the terminal: the library's one
 * rule for making untrusted text visible (lib/visible.c), into a strbuf.
 */
#include "config.h"

#include "engine.h"
#include "internal.h"

void
eng_sanitize(struct strbuf *out, const char *text, size_t n)
{
	char *room = strbuf_reserve(out, TEXT_VISIBLE_MAX(n));

	out->len += text_visible(room, TEXT_VISIBLE_MAX(n), text, n);
	out->s[out->len] = '\0';
}
