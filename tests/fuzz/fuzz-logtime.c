/*
 * fuzz-logtime.c - timestamps as found in log lines (RFC 3339 variants,
 * epoch numbers) parse or fail cleanly, and never read past their length.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so reading one byte too far is caught */
	char *s = malloc(size ? size : 1);
	int64_t us;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	(void)eng_time_parse_log(s, size, &us);
	free(s);
	return 0;
}
