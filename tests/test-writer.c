/*
 * test-writer.c - the writer core of libllmlog: opening a log directory,
 * one line per entry in its category file, levels, errors.
 */
#include "config.h"

#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>

#include "sink.h"
#include "util.h"
#include "writer-mp.h"

static const char *tmproot;	/* this run's directories live under it */
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
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return util_read_file(path, lenp);
}

static mode_t
mode_of(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof path, "%s%s%s", dir, name ? "/" : "",
	    name ? name : "");
	if (lstat(path, &st) != 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

/* A check in a child process: says which one failed. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "\n  line %d: %s (%s)\n", __LINE__, #cond,	\
		    llmlog_errmsg());					\
		bad++;							\
	}								\
} while (0)

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


/* A line of a category numbered n, padded to len bytes when len is
 * larger than the bare line. */
static size_t
make_line(char *buf, size_t size, enum llmlog_category cat, int n, int len)
{
	int bare = snprintf(buf, size, "{\"category\":\"%s\",\"n\":%d,"
	    "\"pad\":\"\"}\n", llmlog_category_name(cat), n);
	int pad = len > bare ? len - bare : 0;

	return (size_t)snprintf(buf, size, "{\"category\":\"%s\",\"n\":%d,"
	    "\"pad\":\"%*s\"}\n", llmlog_category_name(cat), n, pad, "");
}

static int
emit(struct llmlog *lg, enum llmlog_category cat, int level, int n, int len)
{
	char line[8192];
	size_t linelen = make_line(line, sizeof line, cat, n, len);

	return log_emit(lg, cat, level, line, linelen);
}

static int64_t
size_of(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

static bool
exists(const char *dir, const char *name)
{
	return size_of(dir, name) >= 0;
}

/* The "n" of each line of a file, as "1 2 3". */
static const char *
numbers(const char *dir, const char *name)
{
	static char out[4096];
	char *text = read_file(dir, name, NULL), *p;
	size_t n = 0;

	out[0] = '\0';
	if (text == NULL)
		return "missing";
	for (p = text; (p = strstr(p, "\"n\":")) != NULL; p += 4)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%d",
		    n ? " " : "", atoi(p + 4));
	free(text);
	return out;
}

/* Lines of 100 bytes, limit 350: three lines to a file (300 < 350, a
 * fourth would make 400 >= 350). */
static void
test_rotation_numbering(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;
	char line[256];

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .max_bytes = 350, .backups = 2 });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(make_line(line, sizeof line, LLMLOG_TOOL, 1, 100), 100);
	for (int i = 1; i <= 11; i++)
		CU_ASSERT_EQUAL(emit(lg, LLMLOG_TOOL, LLMLOG_INFO, i, 100), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "tool_executions.log"), "10 11");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "tool_executions.log.1"), "7 8 9");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "tool_executions.log.2"), "4 5 6");
	CU_ASSERT_FALSE(exists(dir, "tool_executions.log.3"));
	CU_ASSERT_EQUAL(mode_of(dir, "tool_executions.log.1"), 0600);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

/* A second handle (as another process would) sees the first's rotation
 * and writes into the new file, not the renamed one. */
static void
test_rotation_shared(void)
{
	const char *dir = fresh_dir();
	struct llmlog_config cfg = { .dir = dir, .max_bytes = 250,
	    .backups = 3 };
	struct llmlog *a, *b;

	a = llmlog_open(&cfg);
	b = llmlog_open(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(emit(a, LLMLOG_USER, LLMLOG_INFO, 1, 100), 0);
	CU_ASSERT_EQUAL(emit(b, LLMLOG_USER, LLMLOG_INFO, 2, 100), 0);
	CU_ASSERT_EQUAL(emit(a, LLMLOG_USER, LLMLOG_INFO, 3, 100), 0);
	CU_ASSERT_EQUAL(emit(b, LLMLOG_USER, LLMLOG_INFO, 4, 100), 0);
	CU_ASSERT_EQUAL(emit(a, LLMLOG_USER, LLMLOG_INFO, 5, 100), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log.2"), "1 2");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log.1"), "3 4");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log"), "5");
	llmlog_close(a);
	llmlog_close(b);
}

/* The files of a directory as the rotation cases list them: "file:
 * numbers" per line, categories in table order, each file then its
 * backups. */
static void
list_files(const char *dir, char *out, size_t size)
{
	char name[300];
	size_t n = 0;

	out[0] = '\0';
	for (int cat = 0; cat < LLMLOG_NCATEGORIES; cat++) {
		for (int i = 0;; i++) {
			snprintf(name, sizeof name, i ? "%s.%d" : "%s",
			    llmlog_category_file(cat), i);
			if (!exists(dir, name))
				break;
			n += (size_t)snprintf(out + n, size - n, "%s: %s\n",
			    name, numbers(dir, name));
			if (n >= size)
				return;
		}
	}
}

/* Run one case of tests/data/rotation: its input, through log_emit, into a
 * fresh directory. */
static int
rotation_case(const char *casedir, const char *dir)
{
	char path[1024], word[32], cat[32];
	struct llmlog_config cfg = { .dir = dir };
	struct llmlog *lg;
	long long max;
	int len, n = 0, rc = 0;
	FILE *fp;

	snprintf(path, sizeof path, "%s/input", casedir);
	if ((fp = fopen(path, "r")) == NULL ||
	    fscanf(fp, "%lld %31s", &max, word) != 2)
		return -1;
	cfg.max_bytes = max;
	cfg.backups = strcmp(word, "none") == 0 ? LLMLOG_BACKUPS_NONE :
	    atoi(word);
	if ((lg = llmlog_open(&cfg)) == NULL) {
		fclose(fp);
		return -1;
	}
	while (rc == 0 && fscanf(fp, "%31s %d", cat, &len) == 2) {
		int c = llmlog_category_parse(cat);
		char line[8192];

		if (c < 0 || make_line(line, sizeof line, c, ++n, len) !=
		    (size_t)len)
			rc = -1;
		else
			rc = log_emit(lg, c, LLMLOG_INFO, line, (size_t)len);
	}
	fclose(fp);
	llmlog_close(lg);
	return rc;
}

static void
test_rotation_cases(void)
{
	char root[300], casedir[600], got[4096], *want;
	struct dirent *de;
	int cases = 0;
	DIR *d;

	snprintf(root, sizeof root, "%s/data/rotation", SRCDIR);
	d = opendir(root);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL) {
		const char *dir = fresh_dir();

		snprintf(casedir, sizeof casedir, "%s/%s", root, de->d_name);
		if (de->d_name[0] == '.' || mode_of(casedir, "input") ==
		    (mode_t)-1)
			continue;
		cases++;
		CU_ASSERT_EQUAL(rotation_case(casedir, dir), 0);
		list_files(dir, got, sizeof got);
		want = read_file(casedir, "expected", NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(want);
		if (strcmp(got, want) != 0)
			fprintf(stderr, "\n  rotation case %s:\n%s  expected:"
			    "\n%s", de->d_name, got, want);
		CU_ASSERT_STRING_EQUAL(got, want);
		free(want);
	}
	closedir(d);
	CU_ASSERT(cases >= 6);
}

static void
run_mp(bool async, bool use_flock)
{
	char why[512] = "";
	struct mp_run r = { .dir = fresh_dir(), .procs = 3, .threads = 3,
	    .per_thread = 1000, .ncats = 3, .max_bytes = 16384,
	    .async = async, .use_flock = use_flock, .queue_size = 64 };

	CU_ASSERT_EQUAL(mp_write(&r, why, sizeof why), 0);
	CU_ASSERT_EQUAL(mp_verify(&r, why, sizeof why), 0);
	if (why[0] != '\0')
		fprintf(stderr, "\n  %s\n", why);
}

static void
test_mp_sync(void)
{
	run_mp(false, false);
}

static void
test_mp_async(void)
{
	run_mp(true, false);
}

static void
test_mp_flock(void)
{
	run_mp(false, true);
}

/* A writer killed while it holds a category's lock leaves it recoverable:
 * the next writer takes it over, cuts off the part of a line the dead one
 * left and measures the file again. */
static void
test_dead_owner(void)
{
	const char *dir = fresh_dir();
	char path[1024], *text;
	struct llmlog *lg;
	int status, fd;
	pid_t pid;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .max_bytes = 250 });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_SECURITY, LLMLOG_INFO, 1, 100), 0);
	if ((pid = fork()) == 0) {
		struct llmlog *child = llmlog_open(&(struct llmlog_config){
		    .dir = dir, .max_bytes = 250 });

		_exit(child != NULL &&
		    sink_hold_lock(child, LLMLOG_SECURITY) == 0 ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* what it had written of its line when it died */
	snprintf(path, sizeof path, "%s/security.log", dir);
	fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT(write(fd, "{\"cut", 5) == 5);
	close(fd);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_SECURITY, LLMLOG_INFO, 2, 94), 0);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_SECURITY, LLMLOG_INFO, 3, 100), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "security.log.1"), "1 2");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "security.log"), "3");
	text = read_file(dir, "security.log.1", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	/* the fragment is cut off: every line whole */
	CU_ASSERT_PTR_NULL(strstr(text, "cut"));
	free(text);
	llmlog_close(lg);
}

/* A lock file left by an earlier boot, a category's lock still held: the
 * locks are set up again instead of waiting for ever.  (The holder here
 * is a live child; the boot id in the file is changed under it.) */
static void
test_stale_boot(void)
{
	const char *dir = fresh_dir();
	char path[1024], buf[4096], boot[64] = "", *at;
	struct llmlog *lg, *again;
	int fd, status, ready[2];
	ssize_t n;
	pid_t pid;
	FILE *fp;

	/* Linux numbers every boot; the locks are checked against it */
	fp = fopen("/proc/sys/kernel/random/boot_id", "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT(fgets(boot, sizeof boot, fp) != NULL);
	fclose(fp);
	boot[strcspn(boot, "\n")] = '\0';
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_FATAL(pipe(ready) == 0);
	if ((pid = fork()) == 0) {
		/* gone with the test, even when the test hangs and dies */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (sink_hold_lock(lg, LLMLOG_USER) == 0 &&
		    write(ready[1], "x", 1) == 1)
			pause();
		_exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(read(ready[0], buf, 1), 1);
	snprintf(path, sizeof path, "%s/.llmlog.lock", dir);
	fd = open(path, O_RDWR);
	n = pread(fd, buf, sizeof buf, 0);
	at = n > 0 ? memmem(buf, (size_t)n, boot, strlen(boot)) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	CU_ASSERT(pwrite(fd, "-", 1, at - buf) == 1);
	close(fd);
	alarm(10);
	again = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL(again);
	CU_ASSERT_EQUAL(emit(again, LLMLOG_USER, LLMLOG_INFO, 1, 0), 0);
	alarm(0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log"), "1");
	close(ready[0]);
	close(ready[1]);
	llmlog_close(again);
	llmlog_close(lg);
}

/* A file found ending without a newline on first use (written by someone
 * else, or cut by a crash of the machine): kept, and ended, so the next
 * line starts on its own. */
static void
test_existing_tail(void)
{
	const char *want = "{\"n\":0}\n{\"old\"\n{\"category\":\"llm\",\"n\":1,";
	const char *dir = fresh_dir();
	char path[1024], *text;
	struct llmlog *lg;
	int fd;

	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/llm_calls.log", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CU_ASSERT(write(fd, "{\"n\":0}\n{\"old\"", 14) == 14);
	close(fd);
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_LLM, LLMLOG_INFO, 1, 0), 0);
	text = read_file(dir, "llm_calls.log", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_NSTRING_EQUAL(text, want, strlen(want));
	free(text);
	llmlog_close(lg);
}

static void
test_levels(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;

	unsetenv("LLMLOG_LEVEL");
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_FALSE(llmlog_enabled(lg, LLMLOG_DEBUG));
	CU_ASSERT_TRUE(llmlog_enabled(lg, LLMLOG_INFO));
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_SYSTEM, LLMLOG_DEBUG, 1, 0), 0);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_SYSTEM, LLMLOG_INFO, 2, 0), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "system_health.log"), "2");
	llmlog_set_level(lg, LLMLOG_DEBUG);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_SYSTEM, LLMLOG_DEBUG, 3, 0), 0);
	llmlog_set_level(lg, LLMLOG_ERROR);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_SYSTEM, LLMLOG_WARNING, 4, 0), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "system_health.log"), "2 3");
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 0);
	llmlog_close(lg);

	setenv("LLMLOG_LEVEL", "debug", 1);
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_TRUE(llmlog_enabled(lg, LLMLOG_DEBUG));
	llmlog_close(lg);
	/* an explicit level wins over the environment */
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .min_level = LLMLOG_WARNING });
	CU_ASSERT_FALSE(llmlog_enabled(lg, LLMLOG_INFO));
	CU_ASSERT_TRUE(llmlog_enabled(lg, LLMLOG_WARNING));
	llmlog_close(lg);
	unsetenv("LLMLOG_LEVEL");
}

static void
test_bad_config(void)
{
	CU_ASSERT_PTR_NULL(llmlog_open(&(struct llmlog_config){
	    .dir = fresh_dir(), .max_bytes = -1 }));
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "max_bytes"));
	CU_ASSERT_PTR_NULL(llmlog_open(&(struct llmlog_config){
	    .dir = fresh_dir(), .backups = -2 }));
}

/* The default log: LLMLOG_DIR, created on first use; setup replaces it. */
static void
test_default(void)
{
	char *dir = strdup(fresh_dir()), *other = strdup(fresh_dir());

	setenv("LLMLOG_DIR", dir, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(llmlog_default());
	CU_ASSERT_STRING_EQUAL(llmlog_dir(NULL), dir);
	CU_ASSERT_EQUAL(emit(NULL, LLMLOG_PERFORMANCE, LLMLOG_INFO, 1, 0), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "performance.log"), "1");
	CU_ASSERT_EQUAL(llmlog_setup(&(struct llmlog_config){ .dir = other,
	    .async = true }), 0);
	CU_ASSERT_STRING_EQUAL(llmlog_dir(llmlog_default()), other);
	CU_ASSERT_EQUAL(emit(NULL, LLMLOG_PERFORMANCE, LLMLOG_INFO, 2, 0), 0);
	CU_ASSERT_EQUAL(llmlog_flush(NULL), 0);
	CU_ASSERT_STRING_EQUAL(numbers(other, "performance.log"), "2");
	CU_ASSERT_EQUAL(llmlog_dropped(NULL), 0);
	unsetenv("LLMLOG_DIR");
	free(dir);
	free(other);
}

/* The same, with no LLMLOG_DIR: ~/.llm_os/logs under $HOME. */
static void
test_default_home(void)
{
	char home[256], want[300];
	struct llmlog *lg;

	snprintf(home, sizeof home, "%s", fresh_dir());
	snprintf(want, sizeof want, "%s/.llm_os/logs", home);
	setenv("HOME", home, 1);
	unsetenv("LLMLOG_DIR");
	lg = llmlog_open(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_STRING_EQUAL(llmlog_dir(lg), want);
	CU_ASSERT_EQUAL(mode_of(want, NULL), 0700);
	CU_ASSERT_EQUAL(mode_of(home, ".llm_os"), 0700);
	llmlog_close(lg);
}

/* llmlog_default_dir(), by its documented rule: $LLMLOG_DIR as given when
 * not empty, else .llm_os/logs in $HOME, else in the password database's
 * home directory. */
static void
test_default_dir(void)
{
	const char *home = getenv("HOME");
	char *saved = home != NULL ? strdup(home) : NULL, want[1024], *dir;
	struct passwd *pw = getpwuid(getuid());

	setenv("LLMLOG_DIR", "relative/logs", 1);
	dir = llmlog_default_dir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_STRING_EQUAL(dir, "relative/logs");
	free(dir);
	setenv("LLMLOG_DIR", "", 1);
	setenv("HOME", "/somewhere/home", 1);
	dir = llmlog_default_dir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_STRING_EQUAL(dir, "/somewhere/home/.llm_os/logs");
	free(dir);
	unsetenv("LLMLOG_DIR");
	setenv("HOME", "", 1);
	dir = llmlog_default_dir();
	if (pw != NULL && pw->pw_dir != NULL && *pw->pw_dir != '\0') {
		snprintf(want, sizeof want, "%s/.llm_os/logs", pw->pw_dir);
		CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
		CU_ASSERT_STRING_EQUAL(dir, want);
	} else {
		CU_ASSERT_PTR_NULL(dir);
		CU_ASSERT_EQUAL(errno, ENOENT);
		CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "HOME"));
	}
	free(dir);
	if (saved != NULL)
		setenv("HOME", saved, 1);
	else
		unsetenv("HOME");
	free(saved);
}

static void
test_async_flush(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir, .async = true,
	    .queue_size = 4, .max_bytes = 1000, .backups = 20 });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	/* 100-byte lines, 9 to a file, and line 7 bigger than the limit */
	for (int i = 1; i <= 20; i++)
		CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, i,
		    i == 7 ? 2000 : 100), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log"),
	    "17 18 19 20");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log.1"),
	    "8 9 10 11 12 13 14 15 16");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log.2"), "7");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log.3"),
	    "1 2 3 4 5 6");
	for (int i = 21; i <= 25; i++)
		CU_ASSERT_EQUAL(emit(lg, LLMLOG_LLM, LLMLOG_INFO, i, 0), 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "llm_calls.log"),
	    "21 22 23 24 25");
}

/* A tiny queue whose writer is held up: the entries beyond it are dropped
 * and counted, the ones queued are still written. */
static void
test_async_drop(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;
	int failed = 0;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir, .async = true,
	    .queue_size = 2, .overflow = LLMLOG_OVERFLOW_DROP });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	pthread_mutex_lock(&lg->files[LLMLOG_TOOL].lock);
	for (int i = 1; i <= 10; i++)
		failed += emit(lg, LLMLOG_TOOL, LLMLOG_INFO, i, 0) != 0;
	pthread_mutex_unlock(&lg->files[LLMLOG_TOOL].lock);
	CU_ASSERT_EQUAL(failed, 8);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 8);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "queue full"));
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "tool_executions.log"), "1 2");
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_TOOL, LLMLOG_INFO, 11, 0), 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "tool_executions.log"), "1 2 11");
}

/* The writer thread takes none of the host's signals: a signal sent to the
 * process while every thread of the host blocks it stays pending. */
static void
test_async_signals(void)
{
	const char *dir = fresh_dir();
	sigset_t usr1, pending;
	struct llmlog *lg;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir, .async = true });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 1, 0), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	kill(getpid(), SIGUSR1);
	sigpending(&pending);
	CU_ASSERT_TRUE(sigismember(&pending, SIGUSR1));
	if (sigismember(&pending, SIGUSR1))
		sigwait(&usr1, &sig);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

/* fork() while the async writer is busy: the parent writes what it had
 * queued, the child starts a writer of its own; nothing twice. */
static void
test_async_fork(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;
	int status;
	pid_t pid;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir, .async = true,
	    .queue_size = 64 });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	pthread_mutex_lock(&lg->files[LLMLOG_USER].lock);
	for (int i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, i, 0), 0);
	/* the writer is stuck on this lock: unlocked just before fork() takes
	 * it in its prepare handler */
	pthread_mutex_unlock(&lg->files[LLMLOG_USER].lock);
	if ((pid = fork()) == 0) {
		int rc = emit(lg, LLMLOG_USER, LLMLOG_INFO, 100, 0);

		rc |= llmlog_flush(lg);
		rc |= emit(lg, LLMLOG_USER, LLMLOG_INFO, 101, 0);
		rc |= llmlog_close(lg);
		_exit(rc == 0 ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 4, 0), 0);
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	const char *got = numbers(dir, "user_interactions.log");
	int count[102] = { 0 }, total = 0;
	for (char *p = (char *)got; *p != '\0'; ) {
		int n = (int)strtol(p, &p, 10);
		if (n >= 0 && n < 102)
			count[n]++;
		total++;
	}
	CU_ASSERT_EQUAL(total, 6);
	CU_ASSERT(count[1] == 1 && count[2] == 1 && count[3] == 1 &&
	    count[4] == 1 && count[100] == 1 && count[101] == 1);
}

/* Sync writes in a child: the shared locks stay valid across fork(). */
static void
test_sync_fork(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;
	int status;
	pid_t pid;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .max_bytes = 250 });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 1, 100), 0);
	if ((pid = fork()) == 0)
		_exit(emit(lg, LLMLOG_USER, LLMLOG_INFO, 2, 100) == 0 &&
		    emit(lg, LLMLOG_USER, LLMLOG_INFO, 3, 100) == 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 4, 100), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log.1"), "1 2");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log"), "3 4");
	llmlog_close(lg);
}

/* A file that can't be opened (here a directory in its place, which
 * stops root too): -1, counted, and writing resumes once it is fixed. */
static void
test_unwritable_file(void)
{
	const char *dir = fresh_dir();
	char path[1024];
	struct llmlog *lg;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	snprintf(path, sizeof path, "%s/llm_calls.log", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_LLM, LLMLOG_INFO, 1, 0), -1);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_LLM, LLMLOG_INFO, 2, 0), -1);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), path));
	CU_ASSERT_EQUAL(rmdir(path), 0);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_LLM, LLMLOG_INFO, 3, 0), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "llm_calls.log"), "3");
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 2);
	/* the other categories were never affected */
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 4, 0), 0);
	llmlog_close(lg);
}

/* The same in async mode: the writer thread counts the drops and the next
 * flush reports them; close reports only what failed since. */
static void
test_async_unwritable(void)
{
	const char *dir = fresh_dir();
	char path[1024];
	struct llmlog *lg;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir, .async = true });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	snprintf(path, sizeof path, "%s/performance.log", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	for (int i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(emit(lg, LLMLOG_PERFORMANCE, LLMLOG_INFO, i, 0), 0);
	errno = 0;
	CU_ASSERT_EQUAL(llmlog_flush(lg), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "3 queued entries"));
	/* and why: the first failure's message and errno */
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), path));
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), strerror(EISDIR)));
	CU_ASSERT_EQUAL(errno, EISDIR);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 3);
	CU_ASSERT_EQUAL(rmdir(path), 0);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_PERFORMANCE, LLMLOG_INFO, 4, 0), 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "performance.log"), "4");
}

/* Rotation that fails (the directory made read-only, as another user so
 * that it holds for root too) drops the line rather than overfilling the
 * file, and resumes when the directory is writable again. */
static int
rotation_fails(const char *dir)
{
	struct llmlog *lg;
	int bad = 0;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .max_bytes = 250 });
	if (lg == NULL)
		return 1;
	CHECK(emit(lg, LLMLOG_USER, LLMLOG_INFO, 1, 100) == 0);
	CHECK(emit(lg, LLMLOG_USER, LLMLOG_INFO, 2, 100) == 0);
	CHECK(chmod(dir, 0500) == 0);
	CHECK(emit(lg, LLMLOG_USER, LLMLOG_INFO, 3, 100) == -1);
	CHECK(strstr(llmlog_errmsg(), "cannot rotate") != NULL);
	CHECK(llmlog_dropped(lg) == 1);
	CHECK(chmod(dir, 0700) == 0);
	CHECK(emit(lg, LLMLOG_USER, LLMLOG_INFO, 4, 100) == 0);
	CHECK(strcmp(numbers(dir, "user_interactions.log.1"), "1 2") == 0);
	CHECK(strcmp(numbers(dir, "user_interactions.log"), "4") == 0);
	llmlog_close(lg);
	return bad;
}

/* A directory that can't be created or written: open fails and says why. */
static int
unwritable_dir(const char *dir)
{
	char sub[512];
	int bad = 0;

	CHECK(chmod(dir, 0500) == 0);
	CHECK(llmlog_open(&(struct llmlog_config){ .dir = dir }) == NULL);
	CHECK(strstr(llmlog_errmsg(), dir) != NULL);
	CHECK(strstr(llmlog_errmsg(), strerror(EACCES)) != NULL);
	snprintf(sub, sizeof sub, "%s/sub", dir);
	CHECK(llmlog_open(&(struct llmlog_config){ .dir = sub }) == NULL);
	CHECK(strstr(llmlog_errmsg(), "cannot create") != NULL);
	CHECK(chmod(dir, 0700) == 0);
	return bad;
}

/* Run fn in a child as an ordinary user: permission checks don't hold
 * for root.  Returns fn's count of failed checks. */
static int
as_user(int (*fn)(const char *))
{
	const char *dir = util_tmpdir("writer-user");
	int status = -1;
	pid_t pid;

	if (geteuid() == 0 && chown(dir, 65534, 65534) != 0)
		return 1;
	if ((pid = fork()) == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 ||
		    setuid(65534) != 0))
			_exit(100);
		int bad = fn(dir);

		_exit(bad > 99 ? 99 : bad);
	}
	waitpid(pid, &status, 0);
	if (util_rmtree(dir) != 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static void
test_rotation_fails(void)
{
	CU_ASSERT_EQUAL(as_user(rotation_fails), 0);
}

static void
test_unwritable_dir(void)
{
	CU_ASSERT_EQUAL(as_user(unwritable_dir), 0);
}

/* Someone else's directory is refused: as root, one given to nobody; as
 * anyone else, one of root's. */
static void
test_foreign_dir(void)
{
	const char *dir = "/";
	char *mine = NULL;

	if (geteuid() == 0) {
		mine = strdup(fresh_dir());
		CU_ASSERT_EQUAL_FATAL(mkdir(mine, 0700), 0);
		CU_ASSERT_EQUAL_FATAL(chown(mine, 65534, 65534), 0);
		dir = mine;
	}
	CU_ASSERT_PTR_NULL(llmlog_open(&(struct llmlog_config){ .dir = dir }));
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "owned by uid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), dir));
	free(mine);
}

/* A directory the library did not create keeps its mode: one of ours
 * that is group-readable, a sticky world-writable one (as /tmp is), and
 * the target of a symlink to one.  A world-writable directory without the
 * sticky bit is refused, and left as it was. */
static void
test_dir_modes(void)
{
	char loose[256], sticky[256], open_dir[256], link[256];
	struct llmlog *lg;

	snprintf(loose, sizeof loose, "%s", fresh_dir());
	snprintf(sticky, sizeof sticky, "%s", fresh_dir());
	snprintf(open_dir, sizeof open_dir, "%s", fresh_dir());
	snprintf(link, sizeof link, "%s", fresh_dir());
	CU_ASSERT_EQUAL_FATAL(mkdir(loose, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(loose, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(sticky, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(sticky, 01777), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(open_dir, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(open_dir, 0777), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(loose, link), 0);

	lg = llmlog_open(&(struct llmlog_config){ .dir = loose });
	CU_ASSERT_PTR_NOT_NULL(lg);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 1, 0), 0);
	llmlog_close(lg);
	CU_ASSERT_EQUAL(mode_of(loose, NULL), 0755);
	CU_ASSERT_EQUAL(mode_of(loose, "user_interactions.log"), 0600);

	lg = llmlog_open(&(struct llmlog_config){ .dir = link });
	CU_ASSERT_PTR_NOT_NULL(lg);
	llmlog_close(lg);
	CU_ASSERT_EQUAL(mode_of(loose, NULL), 0755);

	/* through LLMLOG_DIR, as LLMLOG_DIR=/tmp would be */
	setenv("LLMLOG_DIR", sticky, 1);
	lg = llmlog_open(NULL);
	unsetenv("LLMLOG_DIR");
	CU_ASSERT_PTR_NOT_NULL(lg);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 2, 0), 0);
	llmlog_close(lg);
	CU_ASSERT_EQUAL(mode_of(sticky, NULL), 01777);
	CU_ASSERT_EQUAL(mode_of(sticky, "user_interactions.log"), 0600);

	errno = 0;
	CU_ASSERT_PTR_NULL(llmlog_open(&(struct llmlog_config){
	    .dir = open_dir }));
	CU_ASSERT_EQUAL(errno, EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), open_dir));
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "sticky"));
	CU_ASSERT_EQUAL(mode_of(open_dir, NULL), 0777);
	CU_ASSERT_FALSE(exists(open_dir, ".llmlog.lock"));
}

/* A log file that belongs to another user (planted in a sticky directory,
 * say) is not written to. */
static void
test_foreign_file(void)
{
	const char *dir = fresh_dir();
	char path[512];
	struct llmlog *lg;
	int fd;

	if (geteuid() != 0) {
		/* only root can give a file away */
		printf("not run: needs root ");
		return;
	}
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	snprintf(path, sizeof path, "%s/llm_calls.log", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(fchown(fd, 65534, 65534), 0);
	close(fd);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_LLM, LLMLOG_INFO, 1, 0), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), path));
	CU_ASSERT_EQUAL(size_of(dir, "llm_calls.log"), 0);
	llmlog_close(lg);
}

/* The directory deleted (or moved away) under a running writer: within
 * 100 ms the writer notices, makes it again and writes there.  The test
 * sleeps past that interval; it asserts nothing about time. */
static void
test_dir_replaced(void)
{
	char dir[256], old[300];
	struct llmlog *lg;

	snprintf(dir, sizeof dir, "%s", fresh_dir());
	snprintf(old, sizeof old, "%s.old", dir);
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 1, 0), 0);
	CU_ASSERT_EQUAL_FATAL(rename(dir, old), 0);
	usleep(250 * 1000);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 2, 0), 0);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_TOOL, LLMLOG_INFO, 3, 0), 0);
	CU_ASSERT_STRING_EQUAL(numbers(old, "user_interactions.log"), "1");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "user_interactions.log"), "2");
	CU_ASSERT_STRING_EQUAL(numbers(dir, "tool_executions.log"), "3");
	CU_ASSERT_EQUAL(mode_of(dir, NULL), 0700);
	CU_ASSERT_EQUAL(mode_of(dir, ".llmlog.lock"), 0600);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 0);
	llmlog_close(lg);
}

/* A symlink planted at a log file's path is not followed: the write
 * fails with a message and the target is untouched. */
static void
test_symlink_file(void)
{
	const char *dir = fresh_dir();
	char target[512], link[512];
	struct llmlog *lg;
	int fd;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	snprintf(target, sizeof target, "%s/target", tmproot);
	snprintf(link, sizeof link, "%s/security.log", dir);
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "precious\n", 9), 9);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(symlink(target, link), 0);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_SECURITY, LLMLOG_WARNING, 1, 0), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "symbolic link"));
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), link));
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 1);
	CU_ASSERT_EQUAL(size_of(tmproot, "target"), 9);
	CU_ASSERT_EQUAL(mode_of(tmproot, "target"), 0644);
	llmlog_close(lg);
}

/* A symlink to a directory of our own is fine. */
static void
test_symlink_dir(void)
{
	char real[256], link[256];
	struct llmlog *lg;

	snprintf(real, sizeof real, "%s", fresh_dir());
	snprintf(link, sizeof link, "%s", fresh_dir());
	CU_ASSERT_EQUAL_FATAL(mkdir(real, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(real, link), 0);
	lg = llmlog_open(&(struct llmlog_config){ .dir = link });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(emit(lg, LLMLOG_USER, LLMLOG_INFO, 1, 0), 0);
	CU_ASSERT_STRING_EQUAL(numbers(real, "user_interactions.log"), "1");
	llmlog_close(lg);
}

/* WARNING and above are echoed to stderr, escaped; no_console stops it. */
static void
test_echo(void)
{
	const char *dir = fresh_dir();
	char path[1024], *text;
	struct llmlog *lg, *quiet;
	int saved, fd;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	quiet = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .no_console = true });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(quiet);
	snprintf(path, sizeof path, "%s/stderr", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	log_echo(lg, LLMLOG_SECURITY, LLMLOG_WARNING, "denied \x1b[2J /etc");
	log_echo(lg, LLMLOG_USER, LLMLOG_INFO, "not shown");
	log_echo(quiet, LLMLOG_SECURITY, LLMLOG_ERROR, "not shown either");
	log_echo(lg, LLMLOG_TOOL, LLMLOG_CRITICAL, "C1 \xc2\x9b end");
	log_echo(lg, LLMLOG_USER, LLMLOG_ERROR, "bad \x9b[31m, \xc3\xa9t\xc3\xa9");
	log_echo(lg, LLMLOG_LLM, LLMLOG_WARNING, "rm \xe2\x80\xae" "fdp.exe \xe2\x81\xa6" "x");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	text = read_file(dir, "stderr", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	/* "YYYY-MM-DD HH:MM:SS " then the rest */
	CU_ASSERT(strlen(text) > 20 && text[4] == '-' && text[13] == ':');
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    " WARNING [security] denied ^[[2J /etc\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, " CRITICAL [tool] C1 \\x9b end\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    " ERROR [user] bad \\x9b[31m, \xc3\xa9t\xc3\xa9\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    " WARNING [llm] rm \\u202efdp.exe \\u2066x\n"));
	CU_ASSERT_PTR_NULL(strstr(text, "not shown"));
	free(text);
	llmlog_close(lg);
	llmlog_close(quiet);
}

/* A write cut short (here by the file size limit, as a full disk would):
 * the part written is taken back, the entry counted as dropped, and
 * writing resumes when there is room again. */
static void
test_short_write(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;
	int status;
	pid_t pid;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	if ((pid = fork()) == 0) {
		struct rlimit rl = { 250, RLIM_INFINITY };
		int bad = 0;

		signal(SIGXFSZ, SIG_IGN);
		CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
		CHECK(emit(lg, LLMLOG_TOOL, LLMLOG_INFO, 1, 100) == 0);
		CHECK(emit(lg, LLMLOG_TOOL, LLMLOG_INFO, 2, 100) == 0);
		CHECK(emit(lg, LLMLOG_TOOL, LLMLOG_INFO, 3, 100) == -1);
		CHECK(strstr(llmlog_errmsg(), "tool_executions.log") != NULL);
		CHECK(size_of(dir, "tool_executions.log") == 200);
		CHECK(emit(lg, LLMLOG_TOOL, LLMLOG_INFO, 4, 100) == -1);
		CHECK(llmlog_dropped(lg) == 2);
		rl.rlim_cur = RLIM_INFINITY;
		CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
		CHECK(emit(lg, LLMLOG_TOOL, LLMLOG_INFO, 5, 100) == 0);
		_exit(bad);
	}
	CU_ASSERT_FATAL(pid > 0);
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_STRING_EQUAL(numbers(dir, "tool_executions.log"), "1 2 5");
	llmlog_close(lg);
}

/* The default log, async, is written out when the program exits. */
static void
test_exit_flush(void)
{
	const char *dir = fresh_dir();
	int status;
	pid_t pid;

	if ((pid = fork()) == 0) {
		if (llmlog_setup(&(struct llmlog_config){ .dir = dir,
		    .async = true }) != 0)
			_exit(1);
		for (int i = 1; i <= 500; i++)
			emit(NULL, LLMLOG_SYSTEM, LLMLOG_INFO, i, 0);
		exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	const char *got = numbers(dir, "system_health.log");
	CU_ASSERT(strncmp(got, "1 2 3 ", 6) == 0);
	CU_ASSERT(strlen(got) > 4 && strcmp(got + strlen(got) - 4, " 500") == 0);
}

/* Whether the "n" of the whole lines of a file rise, and how many there
 * are.  A last line without its newline is left out: a thread the exit
 * ended inside write() leaves one (the kernel stops between pages), its
 * number cut short maybe. */
static bool
rising(const char *dir, const char *name, int *count)
{
	char *text = read_file(dir, name, NULL), *p;
	int last = -1, n;
	bool ok = true;

	*count = 0;
	if (text == NULL)
		return false;
	if ((p = strrchr(text, '\n')) != NULL)
		p[1] = '\0';
	else
		text[0] = '\0';
	for (p = text; (p = strstr(p, "\"n\":")) != NULL; p += 4) {
		n = atoi(p + 4);
		if (n <= last) {
			fprintf(stderr, "\n  %d after %d\n", n, last);
			ok = false;
		}
		last = n;
		(*count)++;
	}
	free(text);
	return ok;
}

#define STOP_BACKLOG 600

struct stopper {
	struct llmlog *lg;
	atomic_int started;
};

static void *
stop_queue(void *arg)
{
	struct stopper *st = arg;

	atomic_store(&st->started, 1);
	queue_stop(st->lg->queue);
	return NULL;
}

static void *
log_after_stop(void *arg)
{
	emit(arg, LLMLOG_TOOL, LLMLOG_INFO, STOP_BACKLOG + 1, 0);
	return NULL;
}

/* A call made while the queue is being stopped (at exit, by the atexit
 * handler) is written after everything queued before it, not ahead of
 * the writer's backlog. */
static void
test_stop_order(void)
{
	const char *dir = fresh_dir();
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	struct stopper st = { 0 };
	pthread_t stopper, late;
	int count;

	st.lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .async = true, .queue_size = 1024 });
	CU_ASSERT_PTR_NOT_NULL_FATAL(st.lg);
	/* the writer is held up with a backlog */
	pthread_mutex_lock(&st.lg->files[LLMLOG_TOOL].lock);
	for (int i = 1; i <= STOP_BACKLOG; i++)
		CU_ASSERT_EQUAL(emit(st.lg, LLMLOG_TOOL, LLMLOG_INFO, i, 0), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&stopper, NULL, stop_queue, &st),
	    0);
	while (atomic_load(&st.started) == 0)
		sched_yield();
	nanosleep(&pause, NULL);	/* the stop has begun */
	CU_ASSERT_EQUAL_FATAL(pthread_create(&late, NULL, log_after_stop,
	    st.lg), 0);
	nanosleep(&pause, NULL);	/* and the late call is made */
	pthread_mutex_unlock(&st.lg->files[LLMLOG_TOOL].lock);
	pthread_join(stopper, NULL);
	pthread_join(late, NULL);
	CU_ASSERT(rising(dir, "tool_executions.log", &count));
	CU_ASSERT_EQUAL(count, STOP_BACKLOG + 1);
	CU_ASSERT_EQUAL(llmlog_close(st.lg), 0);
}

/* At exit, with the default log async and threads still logging: each
 * thread's lines are in the order it logged them. */
#define EXIT_THREADS 2

static void *
log_until_exit(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int i = 1; ; i++)
		emit(NULL, id == 0 ? LLMLOG_TOOL : LLMLOG_LLM, LLMLOG_INFO, i,
		    200);
	return NULL;
}

static void
test_exit_order(void)
{
	const char *dir;
	int status, count;
	pid_t pid;

#if defined(__SANITIZE_ADDRESS__)
	/* LeakSanitizer's exit-time check stops the process's threads while
	 * the library's exit flush runs beside them, so the order seen is the
	 * sanitizer's, not the library's: this case runs in the plain build */
	fputs("(not under AddressSanitizer) ", stdout);
	return;
#endif
	dir = fresh_dir();
	if ((pid = fork()) == 0) {
		pthread_t t[EXIT_THREADS];

		if (llmlog_setup(&(struct llmlog_config){ .dir = dir,
		    .async = true, .no_console = true,
		    .max_bytes = INT64_MAX / 2 }) != 0)
			_exit(1);
		for (int i = 0; i < EXIT_THREADS; i++)
			pthread_create(&t[i], NULL, log_until_exit,
			    (void *)(intptr_t)i);
		/* a backlog builds up, then the program ends under them */
		for (int i = 1; i <= 20000; i++)
			emit(NULL, LLMLOG_SYSTEM, LLMLOG_INFO, i, 200);
		exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT(rising(dir, "tool_executions.log", &count));
	CU_ASSERT(rising(dir, "llm_calls.log", &count));
	CU_ASSERT(rising(dir, "system_health.log", &count));
	CU_ASSERT_EQUAL(count, 20000);
}

/* This program: argv[0] when it is a path (under valgrind that is the
 * program, where /proc/self/exe is valgrind's). */
static const char *self = "/proc/self/exe";

/* Run one of the cases of fresh_cases in a new process of this program:
 * the default log is the process's, and earlier tests set it up.  Returns
 * the case's count of failed checks (100: it did not exit). */
static int
in_fresh_process(const char *name, const char *arg)
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		execl(self, self, name, arg, (char *)NULL);
		_exit(100);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

/* A default log that cannot be opened (LLMLOG_DIR names a plain file):
 * every call fails with the reason and counts a drop, and the open is
 * tried again at a bounded rate, not on every call.  The interval is set
 * here (log_default_retry_ns) so that nothing depends on the machine's
 * speed. */
static int
default_unusable(const char *path)
{
	int bad = 0, fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	close(fd);
	setenv("LLMLOG_DIR", path, 1);
	log_default_retry_ns = INT64_MAX;
	for (int i = 1; i <= 100; i++) {
		errno = 0;
		CHECK(emit(NULL, LLMLOG_SYSTEM, LLMLOG_INFO, i, 0) == -1);
		CHECK(errno == ENOTDIR);
		CHECK(strstr(llmlog_errmsg(), path) != NULL);
	}
	CHECK(llmlog_default() == NULL);
	/* what is not an entry is not counted */
	llmlog_set_level(NULL, LLMLOG_DEBUG);
	CHECK(!llmlog_enabled(NULL, LLMLOG_CRITICAL));
	CHECK(llmlog_dropped(NULL) == 100);
	/* usable now, but not tried again yet */
	CHECK(unlink(path) == 0 && mkdir(path, 0700) == 0);
	CHECK(emit(NULL, LLMLOG_SYSTEM, LLMLOG_INFO, 101, 0) == -1);
	CHECK(llmlog_dropped(NULL) == 101);
	/* the interval over: tried, and opened */
	log_default_retry_ns = 0;
	CHECK(emit(NULL, LLMLOG_SYSTEM, LLMLOG_INFO, 102, 0) == 0);
	CHECK(strcmp(numbers(path, "system_health.log"), "102") == 0);
	CHECK(llmlog_dropped(NULL) == 101);
	return bad;
}

static void
test_default_unusable(void)
{
	char path[512];

	snprintf(path, sizeof path, "%s/not-a-dir", tmproot);
	CU_ASSERT_EQUAL(in_fresh_process("default-unusable", path), 0);
}

/* The default set up with a config, closed by its owner: the next call
 * opens it again with that config (its directory as it was made
 * absolute), not from the environment. */
static int
default_keeps_setup(const char *dir)
{
	char env_dir[600], sub[600];
	int bad = 0;

	snprintf(env_dir, sizeof env_dir, "%s-env", dir);
	snprintf(sub, sizeof sub, "%s/sub", dir);
	setenv("LLMLOG_DIR", env_dir, 1);
	CHECK(mkdir(dir, 0700) == 0 && chdir(dir) == 0);
	CHECK(llmlog_setup(&(struct llmlog_config){ .dir = "sub",
	    .no_console = true, .min_level = LLMLOG_WARNING }) == 0);
	CHECK(emit(NULL, LLMLOG_SECURITY, LLMLOG_WARNING, 1, 0) == 0);
	CHECK(llmlog_close(llmlog_default()) == 0);
	CHECK(chdir("/") == 0);
	CHECK(emit(NULL, LLMLOG_SECURITY, LLMLOG_WARNING, 2, 0) == 0);
	/* the setup's level too */
	CHECK(emit(NULL, LLMLOG_SECURITY, LLMLOG_INFO, 3, 0) == 0);
	CHECK(llmlog_dir(NULL) != NULL && strcmp(llmlog_dir(NULL), sub) == 0);
	CHECK(strcmp(numbers(sub, "security.log"), "1 2") == 0);
	CHECK(!exists(env_dir, "security.log"));
	return bad;
}

static void
test_default_keeps_setup(void)
{
	CU_ASSERT_EQUAL(in_fresh_process("default-keeps-setup", fresh_dir()),
	    0);
}

/* An LLMLOG_LEVEL that names no level: INFO, and one warning on stderr
 * (none with no_console). */
static int
level_warning(const char *dir)
{
	char path[600], *text, *second;
	struct llmlog *lg;
	int bad = 0, fd;

	snprintf(path, sizeof path, "%s.stderr", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && dup2(fd, STDERR_FILENO) == STDERR_FILENO);
	close(fd);
	setenv("LLMLOG_LEVEL", "loud\x1b[2J", 1);
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .no_console = true });
	CHECK(lg != NULL && !llmlog_enabled(lg, LLMLOG_DEBUG) &&
	    llmlog_enabled(lg, LLMLOG_INFO));
	llmlog_close(lg);
	text = util_read_file(path, NULL);
	CHECK(text != NULL && text[0] == '\0');
	free(text);
	for (int i = 0; i < 3; i++) {
		lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
		CHECK(lg != NULL && llmlog_enabled(lg, LLMLOG_INFO) &&
		    !llmlog_enabled(lg, LLMLOG_DEBUG));
		llmlog_close(lg);
	}
	text = util_read_file(path, NULL);
	CHECK(text != NULL);
	if (text == NULL)
		return bad;
	CHECK(strstr(text, "LLMLOG_LEVEL") != NULL);
	CHECK(strstr(text, "loud^[[2J") != NULL);
	CHECK(strstr(text, "INFO") != NULL);
	second = strchr(text, '\n');
	CHECK(second != NULL && second[1] == '\0');
	free(text);
	unlink(path);
	return bad;
}

static void
test_level_warning(void)
{
	CU_ASSERT_EQUAL(in_fresh_process("level-warning", fresh_dir()), 0);
}

/* Through a per-category call: one parseable line in the right file,
 * and the denial echoed. */
static void
test_entry_call(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;
	json_object *o, *v;
	char *text;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .no_console = true });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(llmlog_security(lg, .event_type = "file_access",
	    .resource = "/etc/shadow", .action = "read"), 0);
	text = read_file(dir, "security.log", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strchr(text, '\n'));
	o = json_tokener_parse(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_object_object_get_ex(o, "level", &v) &&
	    strcmp(json_object_get_string(v), "WARNING") == 0);
	CU_ASSERT(json_object_object_get_ex(o, "resource", &v) &&
	    strcmp(json_object_get_string(v), "/etc/shadow") == 0);
	json_object_put(o);
	free(text);
	llmlog_close(lg);
}

static void
test_bad_entry(void)
{
	const char *dir = fresh_dir();
	struct llmlog *lg;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(log_emit(lg, LLMLOG_USER, LLMLOG_INFO, "{}", 2), -1);
	CU_ASSERT_EQUAL(log_emit(lg, 42, LLMLOG_INFO, "{}\n", 3), -1);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 2);
	CU_ASSERT_FALSE(exists(dir, "user_interactions.log"));
	llmlog_close(lg);
}

/* The cases in_fresh_process() runs: test-writer NAME ARG. */
static const struct {
	const char *name;
	int (*fn)(const char *);
} fresh_cases[] = {
	{ "default-unusable", default_unusable },
	{ "default-keeps-setup", default_keeps_setup },
	{ "level-warning", level_warning },
};

int
main(int argc, char **argv)
{
	static const struct util_test tests[] = {
		{ "open and write", test_open_write },
		{ "open fails with a message", test_open_fails },
		{ "bad configuration", test_bad_config },
		{ "bad entry", test_bad_entry },
		{ "a per-category call", test_entry_call },
		{ "rotation cases", test_rotation_cases },
		{ "rotation numbering", test_rotation_numbering },
		{ "rotation seen by another handle", test_rotation_shared },
		{ "processes and threads, sync", test_mp_sync },
		{ "processes and threads, async", test_mp_async },
		{ "processes and threads, flock", test_mp_flock },
		{ "writer died holding the lock", test_dead_owner },
		{ "lock file from an earlier boot", test_stale_boot },
		{ "a file's last line left open", test_existing_tail },
		{ "levels", test_levels },
		{ "default log", test_default },
		{ "default directory", test_default_home },
		{ "default directory, by the rule", test_default_dir },
		{ "default log that cannot be opened", test_default_unusable },
		{ "default log closed: opened again as set up",
		    test_default_keeps_setup },
		{ "LLMLOG_LEVEL that names no level", test_level_warning },
		{ "async flush", test_async_flush },
		{ "async drop", test_async_drop },
		{ "async writer takes no signals", test_async_signals },
		{ "async fork", test_async_fork },
		{ "sync fork", test_sync_fork },
		{ "unwritable file", test_unwritable_file },
		{ "unwritable file, async", test_async_unwritable },
		{ "rotation fails", test_rotation_fails },
		{ "unwritable directory", test_unwritable_dir },
		{ "directory of another user", test_foreign_dir },
		{ "directory modes left alone", test_dir_modes },
		{ "log file of another user", test_foreign_file },
		{ "directory replaced", test_dir_replaced },
		{ "symlink at a file", test_symlink_file },
		{ "symlinked directory", test_symlink_dir },
		{ "console echo", test_echo },
		{ "short write taken back", test_short_write },
		{ "default log flushed at exit", test_exit_flush },
		{ "a call while the queue stops waits for it", test_stop_order },
		{ "threads logging at exit keep their order", test_exit_order },
		{ NULL, NULL },
	};

	if (strchr(argv[0], '/') != NULL)
		self = argv[0];
	if (argc == 3) {
		for (size_t i = 0; i < sizeof fresh_cases / sizeof fresh_cases[0];
		    i++)
			if (strcmp(argv[1], fresh_cases[i].name) == 0) {
				int bad = fresh_cases[i].fn(argv[2]);

				return bad > 99 ? 99 : bad;
			}
		return 100;
	}
	tmproot = util_tmpdir("writer");
	return util_run("writer", tests);
}
