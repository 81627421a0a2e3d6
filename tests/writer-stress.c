/*
 * writer-stress.c - the long run of the writer (make stress): 8 processes
 * of 4 threads, 50,000 entries each, 64 KiB files, sync then async; every
 * line must come back once, whole and in order, no file over the limit.
 *
 *     writer-stress [procs threads entries max_bytes]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "writer-mp.h"

static int
stress(const char *root, const char *name, struct mp_run *r)
{
	char dir[4096], why[512] = "";
	struct timespec a, b;
	int rc;

	snprintf(dir, sizeof dir, "%s/%s", root, name);
	r->dir = dir;
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = mp_write(r, why, sizeof why);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (rc == 0)
		rc = mp_verify(r, why, sizeof why);
	printf("%s: %d processes x %d threads x %d entries, %lld-byte files: "
	    "%s (writing took %.2f s)\n", name, r->procs, r->threads,
	    r->per_thread, (long long)r->max_bytes, rc == 0 ? "ok" : why,
	    (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	if (util_rmtree(dir) != 0)
		rc = -1;
	return rc;
}

int
main(int argc, char **argv)
{
	const char *root;
	struct mp_run r = { .procs = 8, .threads = 4, .per_thread = 50000,
	    .ncats = 6, .max_bytes = 64 * 1024 };
	int rc = 0;

	if (argc == 5) {
		r.procs = atoi(argv[1]);
		r.threads = atoi(argv[2]);
		r.per_thread = atoi(argv[3]);
		r.max_bytes = atoll(argv[4]);
	} else if (argc != 1) {
		fprintf(stderr, "usage: writer-stress [procs threads entries "
		    "max_bytes]\n");
		return 2;
	}
	root = util_tmpdir("stress");
	rc |= stress(root, "sync", &r);
	r.async = true;
	rc |= stress(root, "async", &r);
	r.async = false;
	r.use_flock = true;
	rc |= stress(root, "flock", &r);
	if (util_rmtree(root) != 0)
		rc = -1;
	return rc == 0 ? 0 : 1;
}
