/*
 * fuzz-timeparse.c - the user time grammar (--since/--until and the UI's
 * time prompt) must reject or accept any text without crashing.
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
	char *text = malloc(size + 1);
	char err[256];
	int64_t us;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (eng_time_parse(text, INT64_C(1764155792000000), &us, err,
	    sizeof err) != 0 && err[0] == '\0')
		abort();	/* a rejection must say why */
	free(text);
	return 0;
}
