/*
 * util.c - the runner, temporary directories and random numbers of
 * util.h.  Directories are removed by walking them here, not by
 * system("rm -rf"): no shell sees a path, and a directory a test left
 * read-only is still removed.
 */
#include "config.h"

#include "util.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#define DEFAULT_SEED	UINT64_C(20261126)

static char **dirs;		/* from util_tmpdir, to remove at the end */
static size_t ndirs;

static uint64_t rng_seed, rng_state;
static bool rng_used;

const char *
util_tmpdir(const char *name)
{
	const char *base = getenv("TMPDIR");
	char *path, **more;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (asprintf(&path, "%s/llmlog-%s-XXXXXX", base, name) < 0 ||
	    (more = realloc(dirs, (ndirs + 1) * sizeof *dirs)) == NULL) {
		fprintf(stderr, "util_tmpdir: out of memory\n");
		exit(99);
	}
	dirs = more;
	if (mkdtemp(path) == NULL) {
		fprintf(stderr, "cannot make a directory %s: %s\n", path,
		    strerror(errno));
		exit(99);
	}
	dirs[ndirs++] = path;
	return path;
}

int
util_rmtree(const char *path)
{
	struct dirent *de;
	struct stat st;
	int saved = 0;
	DIR *d;

	if (lstat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	/* entries of a directory without write or search permission can be
	 * neither listed nor removed, even by their owner */
	if ((st.st_mode & S_IRWXU) != S_IRWXU)
		(void)chmod(path, (st.st_mode & 07777) | S_IRWXU);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char *sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0) {
			saved = ENOMEM;
			break;
		}
		if (util_rmtree(sub) != 0 && saved == 0)
			saved = errno;
		free(sub);
	}
	closedir(d);
	if (saved == 0 && rmdir(path) != 0)
		saved = errno;
	if (saved != 0) {
		errno = saved;
		return -1;
	}
	return 0;
}

char *
util_read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *more;
	size_t len = 0, cap = 0, n;

	if (lenp != NULL)
		*lenp = 0;
	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			if ((more = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = more;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* Remove every directory of util_tmpdir, or say where the kept ones are.
 * 0, or -1 when one could not be removed. */
static int
sweep_dirs(bool keep)
{
	struct stat st;
	int rc = 0;

	for (size_t i = 0; i < ndirs; i++) {
		/* a test may have removed its directory already */
		if (lstat(dirs[i], &st) == 0) {
			if (keep)
				printf("kept %s\n", dirs[i]);
			else if (util_rmtree(dirs[i]) != 0) {
				fprintf(stderr, "cannot remove %s: %s\n",
				    dirs[i], strerror(errno));
				rc = -1;
			}
		}
		free(dirs[i]);
	}
	free(dirs);
	dirs = NULL;
	ndirs = 0;
	return rc;
}

void
util_skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	(void)sweep_dirs(false);
	exit(77);
}

int
util_run(const char *suite, const struct util_test *tests)
{
	CU_pSuite s;
	bool failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	if ((s = CU_add_suite(suite, NULL, NULL)) == NULL) {
		CU_cleanup_registry();
		return 99;
	}
	for (const struct util_test *t = tests; t->name != NULL; t++)
		if (CU_add_test(s, t->name, t->fn) == NULL) {
			CU_cleanup_registry();
			return 99;
		}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 99;
	}
	failed = CU_get_number_of_failures() > 0 ||
	    CU_get_number_of_suites_failed() > 0;
	CU_cleanup_registry();
	if (failed && rng_used)
		printf("random seed %llu: TEST_SEED=%llu repeats this run\n",
		    (unsigned long long)rng_seed, (unsigned long long)rng_seed);
	if (sweep_dirs(failed) != 0)
		return 99;
	return failed ? 1 : 0;
}

static void
rng_start(void)
{
	const char *s = getenv("TEST_SEED");
	char *end;

	rng_seed = DEFAULT_SEED;
	if (s != NULL && *s != '\0') {
		errno = 0;
		rng_seed = strtoull(s, &end, 0);
		if (errno != 0 || *end != '\0') {
			fprintf(stderr, "TEST_SEED=%s: not a number\n", s);
			exit(99);
		}
	}
	rng_state = rng_seed;
	rng_used = true;
}

uint64_t
util_rand(void)
{
	uint64_t z;

	if (!rng_used)
		rng_start();
	z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

unsigned
util_rand_below(unsigned n)
{
	return (unsigned)(util_rand() % n);
}
