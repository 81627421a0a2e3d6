/*
 * fuzz-parse.c - the per-line classifier of the index (canonical prefix
 * fast path, json-c fallback, foreign formats) on any bytes, each line in
 * an exact-size buffer so that reading past it is caught.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *nl;
	int category = size > 0 ? data[0] % (LLMLOG_NCATEGORIES + 1) - 1 : -1;

	while (p < end) {
		struct line_info li;
		size_t n;
		char *line;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if ((line = malloc(n ? n : 1)) == NULL)
			return 0;
		memcpy(line, p, n);
		parse_line(line, n, category, &li);
		if ((li.flags & ENTRY_MALFORMED) && !(li.flags & ENTRY_NO_TIME))
			abort();	/* a malformed line has no time of its own */
		if (li.category != ENG_CATEGORY_NONE &&
		    li.category >= LLMLOG_NCATEGORIES)
			abort();
		if (li.level > 5)
			abort();
		free(line);
		p += n + 1;
	}
	return 0;
}
