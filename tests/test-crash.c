/*
 * test-crash.c - writers killed with SIGKILL at random moments, many
 * times, some while rotating: every line in every file still parses, every
 * call that returned before the kill (sync mode) is on disk, and later
 * writers are not blocked by a lock the dead one held.
 *
 * One torn line is the kernel's to make and no library's to prevent: Linux
 * copies a write() to a file a page at a time and stops between pages when
 * a fatal signal is pending, so a writer killed inside write() can leave
 * the start of its line at the end of the file.  The next writer to take
 * the lock learns that its owner died and cuts that fragment off (sink.c,
 * end_line()); a fragment left by the last writer to hold the lock has no
 * next writer until test_next_writer, so the first scan allows exactly
 * that one case.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "llmlog.h"
#include "util.h"

#define ROUNDS 20
#define PER_WRITER 2000	/* then wait to be killed */
#define WRITERS 3

static const char *dir;

/* A child: log entries as fast as it can, reporting each returned
 * sequence number on the pipe.  Runs until killed. */
static void
writer(int id, int out)
{
	struct llmlog_config cfg = { .dir = dir, .no_console = true,
	    .max_bytes = 128 * 1024, .backups = 300 };
	struct llmlog *lg = llmlog_open(&cfg);
	char name[64];

	if (lg == NULL)
		_exit(3);
	for (unsigned seq = 0; seq < PER_WRITER; seq++) {
		unsigned rec[2] = { (unsigned)id, seq };

		snprintf(name, sizeof name, "w%d-s%u", id, seq);
		if (llmlog_tool(lg, .tool_name = name, .tool_server = "crash",
		    .duration_ms = 1) != 0)
			_exit(4);
		if (write(out, rec, sizeof rec) != sizeof rec)
			_exit(5);
	}
	for (;;)
		pause();
}

/* Highest sequence number reported per writer id. */
static unsigned reported[ROUNDS * WRITERS];
static unsigned char seen[ROUNDS * WRITERS][PER_WRITER];
/* Lines of the writer that comes after the killings. */
#define NEXT_TOOL "next"
static int next_seen;

/* The fragment a writer killed inside write() leaves: the last line of a
 * category's current file (not a backup: it was rotated under the lock by
 * a later writer, which cut any fragment first), without its newline, the
 * start of a line of this test, ending where a page of the file ends. */
static bool
cut_by_kill(const char *path, FILE *f, const char *line, size_t n)
{
	static const char start[] = "{\"category\":\"tool\",";
	size_t len = strlen(path), cmp = n < strlen(start) ? n : strlen(start);
	struct stat st;

	return line[n - 1] != '\n' && len > 4 &&
	    strcmp(path + len - 4, ".log") == 0 &&
	    strncmp(line, start, cmp) == 0 && fstat(fileno(f), &st) == 0 &&
	    st.st_size % sysconf(_SC_PAGESIZE) == 0;
}

/* Count the lines of a file that are not whole JSON objects in *bad, but
 * those cut_by_kill() allows in *torn when torn is not NULL. */
static void
scan_file(const char *path, int *bad, int *torn)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL) {
		(*bad)++;
		fprintf(stderr, "cannot read %s\n", path);
		return;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		json_object *o = json_tokener_parse(line);
		json_object *tn;
		const char *name;
		int id;
		unsigned seq;

		if (o == NULL || line[n - 1] != '\n') {
			json_object_put(o);
			if (torn != NULL && cut_by_kill(path, f, line, (size_t)n)) {
				(*torn)++;
				fprintf(stderr, "cut by the kill: the end of %s "
				    "(%zd bytes)\n", path, n);
				continue;
			}
			(*bad)++;
			fprintf(stderr, "bad line in %s (%zd bytes): %s\n", path, n, line);
			continue;
		}
		name = json_object_object_get_ex(o, "tool_name", &tn) ?
		    json_object_get_string(tn) : "";
		if (strcmp(name, NEXT_TOOL) == 0)
			next_seen++;
		else if (sscanf(name, "w%d-s%u", &id, &seq) == 2 &&
		    id >= 0 && id < ROUNDS * WRITERS && seq < PER_WRITER)
			seen[id][seq] = 1;
		json_object_put(o);
	}
	free(line);
	fclose(f);
}

static void
scan_dir(int *bad, int *torn)
{
	struct dirent *d;
	DIR *dp;

	dp = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
	while ((d = readdir(dp)) != NULL) {
		char path[4096];

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
		scan_file(path, bad, torn);
	}
	closedir(dp);
}

static void
test_kill(void)
{
	pid_t pids[WRITERS];
	int fds[2], bad = 0, torn = 0, lost = 0;

	memset(reported, 0, sizeof reported);
	for (int r = 0; r < ROUNDS; r++) {
		/* the kill comes 0.2 to 8 ms after the writers start */
		struct timespec t = { 0, (long)(util_rand_below(40) + 1) * 200 *
		    1000 };
		unsigned rec[2];
		ssize_t n;

		CU_ASSERT_FATAL(pipe(fds) == 0);
		for (int w = 0; w < WRITERS; w++) {
			pids[w] = fork();
			CU_ASSERT_FATAL(pids[w] >= 0);
			if (pids[w] == 0) {
				close(fds[0]);
				writer(r * WRITERS + w, fds[1]);
			}
		}
		close(fds[1]);
		nanosleep(&t, NULL);
		for (int w = 0; w < WRITERS; w++)
			kill(pids[w], SIGKILL);
		while ((n = read(fds[0], rec, sizeof rec)) == sizeof rec)
			if (rec[0] < ROUNDS * WRITERS && rec[1] + 1 > reported[rec[0]])
				reported[rec[0]] = rec[1] + 1;
		close(fds[0]);
		for (int w = 0; w < WRITERS; w++) {
			int st;

			waitpid(pids[w], &st, 0);
			CU_ASSERT(WIFSIGNALED(st));
		}
	}

	scan_dir(&bad, &torn);
	CU_ASSERT_EQUAL(bad, 0);
	/* at most one: whoever takes the lock next cuts it before writing */
	CU_ASSERT(torn <= 1);
	for (int id = 0; id < ROUNDS * WRITERS; id++)
		for (unsigned s = 0; s < reported[id] && s < PER_WRITER; s++)
			if (!seen[id][s])
				lost++;
	CU_ASSERT_EQUAL(lost, 0);
	if (lost)
		fprintf(stderr, "%d returned entries missing\n", lost);
}

/* The next writer of the category cuts off what a writer killed inside
 * write() left, so its line starts a line of its own: afterwards every
 * line of every file is whole. */
static void
test_next_writer(void)
{
	struct llmlog_config cfg = { .dir = dir, .no_console = true,
	    .max_bytes = 128 * 1024, .backups = 300 };
	struct llmlog *lg = llmlog_open(&cfg);
	int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(llmlog_tool(lg, .tool_name = NEXT_TOOL,
	    .tool_server = "crash", .duration_ms = 1), 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	next_seen = 0;
	scan_dir(&bad, NULL);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(next_seen, 1);
}

/* After all those deaths, a new writer still gets through (no lock left
 * held by a dead process). */
static void
test_after(void)
{
	struct llmlog_config cfg = { .dir = dir, .no_console = true,
	    .max_bytes = 128 * 1024, .backups = 300 };
	struct llmlog *lg = llmlog_open(&cfg);
	pid_t pid;
	int st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	pid = fork();
	if (pid == 0) {
		alarm(10);	/* a deadlock ends the child, not the suite */
		for (int i = 0; i < 2000; i++)
			if (llmlog_llm(lg, .provider = "groq", .model = "m",
			    .prompt_tokens = i) != 0)
				_exit(1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "writers killed at random: nothing torn but by the last kill, "
		    "nothing returned lost", test_kill },
		{ "the next writer cuts off a line cut by the kill",
		    test_next_writer },
		{ "a writer after the killings is not blocked", test_after },
		{ NULL, NULL },
	};

	dir = util_tmpdir("crash");
	return util_run("crash", tests);
}
