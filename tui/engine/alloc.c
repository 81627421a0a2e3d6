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
#include <sys/mman.h>

#include "engine.h"
#include "engine-int.h"

#define HUGE_PAGE	((size_t)2 << 20)

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

/* Ask for large pages under the whole pages of [p, p + n): memory filled
 * at once (a cache's records, the index's chunks), where a fault per
 * 4 KiB page costs more than the filling. */
void
eng_huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t from = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t to = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);

	if (to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* size bytes on large pages, when it is a whole number of them; freed
 * with free(). */
void *
eng_xmalloc_huge(size_t size)
{
	void *p;

	if (size < HUGE_PAGE || size % HUGE_PAGE != 0)
		return eng_xmalloc(size);
	if (posix_memalign(&p, HUGE_PAGE, size) != 0)
		eng_oom();
	eng_huge_pages(p, size);
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
