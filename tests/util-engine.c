/*
 * util-engine.c - the part of util.h that calls the engine, in a file of
 * its own so that the library's tests link without it.
 */
#include "config.h"

#include "util.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "engine.h"

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
util_wait_loaded(struct eng *e, double seconds, void (*each)(void *),
    void *arg)
{
	double deadline = now_seconds() + seconds;
	uint64_t got, total;
	bool done;

	for (;;) {
		eng_refresh(e);
		if (each != NULL)
			each(arg);
		eng_progress(e, &got, &total, &done);
		CU_ASSERT(got <= total);
		if (done)
			return 0;
		if (now_seconds() > deadline) {
			CU_FAIL("the background load did not finish in time");
			fprintf(stderr, "\nload at %llu of %llu bytes after %.0f s\n",
			    (unsigned long long)got, (unsigned long long)total,
			    seconds);
			return -1;
		}
		usleep(1000);
	}
}
