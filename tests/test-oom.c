/*
 * test-oom.c - a call whose line does not fit in the address space left
 * fails cleanly, with a message, and the next small call works.  A
 * program of its own so that it can skip as a whole: sanitizers reserve
 * more address space than any limit here allows, and a machine without
 * RLIMIT_AS or /proc/self/statm cannot set the limit.
 */
#include "config.h"

#include "llmlog.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "util.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

#define NO_LIMIT	77	/* the child's status when it cannot set one */

/* In the child: the address space limited to what is mapped now and
 * 64 MiB more, then a call with a 256 MiB text.  Its exit status says
 * which check failed. */
static void
child(struct llmlog *lg, const char *text)
{
	struct rlimit rl;
	unsigned long pages = 0;
	FILE *fp = fopen("/proc/self/statm", "r");

	if (fp == NULL || fscanf(fp, "%lu", &pages) != 1)
		_exit(NO_LIMIT);
	fclose(fp);
	rl.rlim_cur = rl.rlim_max = pages * (unsigned long)getpagesize() +
	    (64u << 20);
	if (setrlimit(RLIMIT_AS, &rl) != 0)
		_exit(NO_LIMIT);
	if (llmlog_interaction(lg, .user_input = text) != -1)
		_exit(1);
	if (strstr(llmlog_errmsg(), "memory") == NULL)
		_exit(2);
	if (llmlog_interaction(lg, .user_input = "small") != 0)
		_exit(3);
	_exit(0);
}

static void
test_out_of_memory(void)
{
	struct llmlog *lg = llmlog_open(&(struct llmlog_config){
	    .dir = util_tmpdir("oom"), .no_console = true });
	size_t big = 256u << 20;
	char *text = malloc(big + 1);
	int status;
	pid_t pid;

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	memset(text, 'a', big);
	text[big] = '\0';
	fflush(NULL);
	if ((pid = fork()) == 0)
		child(lg, text);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	free(text);
	llmlog_close(lg);
	CU_ASSERT_FATAL(WIFEXITED(status));
	if (WEXITSTATUS(status) == NO_LIMIT)
		util_skip("cannot limit the address space here "
		    "(RLIMIT_AS or /proc/self/statm)");
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "out of memory", test_out_of_memory },
		{ NULL, NULL },
	};

#ifdef UNDER_SANITIZER
	util_skip("built with a sanitizer, which reserves more address space "
	    "than the limit leaves");
#endif
	return util_run("out of memory", tests);
}
