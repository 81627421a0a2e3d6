/*
 * alloc.c - the explorer's one allocation policy: out of memory ends the
 * program with a message, so no caller has a NULL branch that could drop
 * output in silence.  The explorer cannot show anything without memory
 * (the UI's SIGABRT handler restores the terminal first).  The writer
 * library has the opposite rule: it never aborts its host.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

void
eng_oom(void)
{
	fputs("llmlog: out of memory\n", stderr);
	abort();
}

void *
eng_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		eng_oom();
	return p;
}

void *
eng_xrealloc(void *p, size_t size)
{
	if ((p = realloc(p, size ? size : 1)) == NULL)
		eng_oom();
	return p;
}

void *
eng_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		eng_oom();
	return p;
}

char *
eng_xstrdup(const char *s)
{
	return eng_xstrndup(s, strlen(s));
}

char *
eng_xstrndup(const char *s, size_t n)
{
	char *d = eng_xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
eng_grow(void *array, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *p;

	if (need <= *cap)
		return;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			eng_oom();
		n *= 2;
	}
	if (size != 0 && n > SIZE_MAX / size)
		eng_oom();
	memcpy(&p, array, sizeof p);
	p = eng_xrealloc(p, n * size);
	memcpy(array, &p, sizeof p);
	*cap = n;
}
