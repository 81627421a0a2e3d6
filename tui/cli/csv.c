/*
 * csv.c - RFC 4180 fields, for every -o csv output: one quoting rule.
 */
#include "config.h"

#include <string.h>

#include "cli.h"

void
csv_add(struct strbuf *out, const char *s, size_t n)
{
	bool quote = false;

	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
		    s[i] == '\n';
	if (!quote) {
		strbuf_add(out, s, n);
		return;
	}
	strbuf_add(out, "\"", 1);
	for (const char *q; n > 0 && (q = memchr(s, '"', n)) != NULL;) {
		strbuf_add(out, s, (size_t)(q - s) + 1);
		strbuf_add(out, "\"", 1);
		n -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	strbuf_add(out, s, n);
	strbuf_add(out, "\"", 1);
}
