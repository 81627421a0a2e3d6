/*
 * util.h - what the CUnit test programs share, as jansson's
 * test/suites/api/util.h: temporary directories removed without a shell,
 * one seeded random generator, a wait for a background load that gives up
 * at a deadline, and the runner every main() hands its table to.
 *
 * A test program's main:
 *
 *	static const struct util_test tests[] = {
 *		{ "open and write", test_open_write },
 *		...
 *		{ NULL, NULL }
 *	};
 *	return util_run("writer", tests);
 *
 * The exit status is automake's: 0 every test passed, 1 one failed, 77 the
 * program skipped (util_skip, with the reason on stdout, which the test's
 * .log keeps), 99 the harness itself failed (no temporary directory, CUnit
 * out of memory).
 */
#ifndef LLMLOG_TEST_UTIL_H
#define LLMLOG_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the runner ------------------------------------------------------------ */

struct util_test {
	const char *name;
	void (*fn)(void);
};

/* Run the tests of the table (ended by a NULL name) as one CUnit suite,
 * then remove the temporary directories when all passed; returns the exit
 * status for main. */
int util_run(const char *suite, const struct util_test *tests);

/* Leave the whole program as skipped (77), saying why: a condition the
 * machine does not meet, never a failure of the code under test. */
void util_skip(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/* ---- temporary directories ----------------------------------------------- */

/* A new directory $TMPDIR/llmlog-NAME-XXXXXX (mode 0700; /tmp without
 * TMPDIR).  util_run removes it at the end when every test passed, and
 * keeps it, printing its path, when one failed.  The path stays valid
 * until the program ends; a directory that cannot be made ends the
 * program with 99. */
const char *util_tmpdir(const char *name);

/* Remove path and everything under it: read-only directories are made
 * writable first, symbolic links are removed, not followed.  0, or -1
 * with errno set by the first step that failed. */
int util_rmtree(const char *path);

/* The whole file, with a NUL after its *len bytes (len may be NULL);
 * NULL (and *len 0) when it cannot be read. */
char *util_read_file(const char *path, size_t *len);

/* ---- random numbers -------------------------------------------------------- */

/*
 * One generator (splitmix64) for every program, seeded with TEST_SEED
 * from the environment (decimal or 0x hex) or else a fixed seed, so that
 * a run repeats; when a test fails, util_run prints the seed that was
 * used.  Tests must hold for any seed.
 */
uint64_t util_rand(void);
/* Uniform in [0, n), n > 0. */
unsigned util_rand_below(unsigned n);

/* ---- the engine (link util-engine.c: the library's tests do not) --------- */

struct eng;

/* Call eng_refresh about every millisecond until the background load
 * (eng_load_async) is done, checking that eng_progress never counts more
 * than the total; each(arg), when not NULL, runs after every refresh.
 * 0 when the load finished, -1 (a CUnit failure) when `seconds` passed
 * first. */
int util_wait_loaded(struct eng *e, double seconds, void (*each)(void *),
    void *arg);

#endif
