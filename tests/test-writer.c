/*
 * test-writer.c - the writer core of libllmlog: opening a log directory,
 * one line per entry in its category file, levels, errors.
 */
#include "config.h"

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

static char tmproot[] = "/tmp/test-writer.XXXXXX";
static int ndirs;

/* A fresh directory path (not created) under the test's root. */
static char *
fresh_dir(void)
{
	static char path[256];

	snprintf(path, sizeof path, "%s/d%d", tmproot, ndirs++);
	return path;
}

static char *
read_file(const char *dir, const char *name, size_t *lenp)
{
	char path[512];
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	buf = malloc(1 << 20);
	len = fread(buf, 1, (1 << 20) - 1, fp);
	buf[len] = '\0';
	fclose(fp);
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static mode_t
mode_of(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof path, "%s%s%s", dir, name ? "/" : "",
	    name ? name : "");
	if (lstat(path, &st) != 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static void
test_open_write(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;
	const char line[] = "{\"category\":\"user\",\"n\":1}\n";
	char *text;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_STRING_EQUAL(llmlog_dir(lg), dir);
	CU_ASSERT_EQUAL(mode_of(dir, NULL), 0700);
	CU_ASSERT_EQUAL(log_emit(lg, LLMLOG_USER, LLMLOG_INFO, line,
	    sizeof line - 1), 0);
	CU_ASSERT_EQUAL(log_emit(lg, LLMLOG_USER, LLMLOG_INFO, line,
	    sizeof line - 1), 0);
	text = read_file(dir, "user_interactions.log", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, "{\"category\":\"user\",\"n\":1}\n"
	    "{\"category\":\"user\",\"n\":1}\n");
	free(text);
	CU_ASSERT_EQUAL(mode_of(dir, "user_interactions.log"), 0600);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

static void
test_open_fails(void)
{
	char path[256];
	struct llmlog *lg;
	int fd;

	/* a regular file where the directory should be */
	snprintf(path, sizeof path, "%s/plainfile", tmproot);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	lg = llmlog_open(&(struct llmlog_config){ .dir = path });
	CU_ASSERT_PTR_NULL(lg);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), path));
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), strerror(errno)));
}

static int
suite_init(void)
{
	return mkdtemp(tmproot) == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmproot);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	CU_pSuite s;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("writer", suite_init, suite_clean);
	CU_add_test(s, "open and write", test_open_write);
	CU_add_test(s, "open fails with a message", test_open_fails);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
