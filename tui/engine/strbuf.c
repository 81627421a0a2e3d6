/*
 * strbuf.c - a growable byte buffer, always NUL-terminated.  It grows
 * through the allocation helpers of alloc.c, so it never fails.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

#define STRBUF_MIN	64	/* bytes: most texts we build fit */

static void
strbuf_grow(struct strbuf *b, size_t need)
{
	need += b->len + 1;
	if (need > b->cap)
		eng_grow(&b->s, &b->cap, need < STRBUF_MIN ? STRBUF_MIN : need,
		    1);
}

void
strbuf_init(struct strbuf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
	strbuf_grow(b, 0);
	b->s[0] = '\0';
}

void
strbuf_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void
strbuf_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

char *
strbuf_reserve(struct strbuf *b, size_t n)
{
	strbuf_grow(b, n);
	return b->s + b->len;
}

void
strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	strbuf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void
strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	strbuf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
