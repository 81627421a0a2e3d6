/*
 * test-engine-follow.c - following files as they change: appends, a last
 * line without newline, rotation, truncation, re-creation, and the
 * library's own rotation; background loading against a plain load.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"
#include "internal.h"
#include "util.h"

#define LOAD_SECONDS	120	/* a background load that takes longer hangs */

static const char *dir;
static char path[4096];		/* its user_interactions.log */

static void
make_dir(void)
{
	dir = util_tmpdir("follow");
	snprintf(path, sizeof path, "%s/user_interactions.log", dir);
}

static void
remove_dir(void)
{
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

static void
put(const char *file, const char *text, int flags)
{
	int fd = open(file, O_WRONLY | O_CREAT | flags, 0600);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Lines numbered n, n+1, ...: one second apart. */
static void
append_lines(const char *file, int from, int count)
{
	char line[256];

	for (int i = from; i < from + count; i++) {
		snprintf(line, sizeof line, "{\"category\":\"user\","
		    "\"timestamp\":\"2026-11-26T10:%02d:%02d.000Z\","
		    "\"level\":\"INFO\",\"event\":\"interaction\","
		    "\"user_input\":\"n=%d\",\"success\":true}\n",
		    i / 60 % 60, i % 60, i);
		put(file, line, O_APPEND);
	}
}

static struct eng *
open_dir(void)
{
	char err[256];
	const char *d = dir;
	struct eng *e = eng_open(&d, 1, err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	return e;
}

static struct eng_view *
all(struct eng *e)
{
	struct eng_filter f;

	eng_filter_init(&f);
	return eng_view_new(e, &f);
}

/* The view must hold exactly n=0 .. n=count-1, each once, in order: every
 * line has its own time, so times strictly increase; the lines that can
 * still be read (the files of the first ones may be gone) are the last
 * ones, consecutive. */
static void
expect_sequence(struct eng *e, struct eng_view *v, int count)
{
	int next = -1;

	CU_ASSERT_EQUAL(eng_view_count(v), (size_t)count);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		size_t len;
		const char *s = eng_line(e, en, &len);
		const char *at;

		if (i > 0)
			CU_ASSERT(eng_view_get(v, i - 1)->time_us < en->time_us);
		if (s == NULL) {
			CU_ASSERT_EQUAL(next, -1);
			continue;
		}
		at = strstr(s, "\"n=");
		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		if (next >= 0)
			CU_ASSERT_EQUAL(atoi(at + 3), next);
		next = atoi(at + 3) + 1;
	}
	CU_ASSERT_EQUAL(next, count);
}

/* The view holds exactly n=first .. n=first+count-1, each once, in order,
 * every line readable. */
static void
expect_run(struct eng *e, struct eng_view *v, int first, int count)
{
	CU_ASSERT_EQUAL(eng_view_count(v), (size_t)count);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		size_t len;
		const char *s = eng_line(e, eng_view_get(v, i), &len);
		const char *at = s != NULL ? strstr(s, "\"n=") : NULL;

		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		CU_ASSERT_EQUAL(atoi(at + 3), first + (int)i);
	}
}

/* Lines in the directory's files now. */
static size_t
lines_on_disk(void)
{
	char cmd[600];
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof cmd, "cat '%s'/* | wc -l", dir);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(fscanf(p, "%zu", &n), 1);
	pclose(p);
	return n;
}

static void
test_append(void)
{
	struct eng *e;
	struct eng_view *v;

	struct eng_stats *st = eng_stats_new();
	json_object *o;

	make_dir();
	append_lines(path, 0, 3);
	e = open_dir();
	v = all(e);
	CU_ASSERT_EQUAL(eng_view_count(v), 3);
	eng_stats_update(st, v);
	append_lines(path, 3, 2);
	CU_ASSERT_EQUAL(eng_refresh(e), 2);
	CU_ASSERT_EQUAL(eng_view_update(v), 2);
	CU_ASSERT_EQUAL(eng_refresh(e), 0);
	CU_ASSERT_EQUAL(eng_view_update(v), 0);
	expect_sequence(e, v, 5);
	/* a live report counts each entry once */
	eng_stats_update(st, v);
	eng_stats_update(st, v);
	o = eng_stats_json(st);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(o,
	    "total")), 5);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
	    json_object_object_get(o, "user"), "success")), 5);
	json_object_put(o);
	eng_stats_free(st);
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

/* The watch descriptor wakes a waiting caller when a file grows, and is
 * quiet again once the change has been taken in. */
static void
test_watch_fd(void)
{
	struct pollfd pfd;
	struct eng *e;
	int fd;

	make_dir();
	append_lines(path, 0, 1);
	e = open_dir();
	fd = eng_watch_fd(e);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(eng_watch_fd(e), fd);
	pfd.fd = fd;
	pfd.events = POLLIN;
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
	append_lines(path, 1, 1);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 5000), 1);
	CU_ASSERT_EQUAL(eng_refresh(e), 1);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
	eng_close(e);
	remove_dir();
}

static void
test_partial_line(void)
{
	const char *line = "{\"category\":\"user\",\"timestamp\":"
	    "\"2026-11-26T11:00:00Z\",\"level\":\"INFO\",\"event\":"
	    "\"interaction\",\"user_input\":\"n=1\"}";
	char half[256];
	struct eng *e;
	struct eng_view *v;
	size_t len;

	make_dir();
	append_lines(path, 0, 1);
	snprintf(half, sizeof half, "%.30s", line);
	put(path, half, O_APPEND);
	e = open_dir();
	v = all(e);
	CU_ASSERT_EQUAL(eng_count(e), 1);
	CU_ASSERT_EQUAL(eng_refresh(e), 0);
	put(path, line + 30, O_APPEND);
	CU_ASSERT_EQUAL(eng_refresh(e), 0);	/* still no newline */
	put(path, "\n", O_APPEND);
	CU_ASSERT_EQUAL(eng_refresh(e), 1);
	CU_ASSERT_EQUAL(eng_view_update(v), 1);
	CU_ASSERT_STRING_EQUAL(eng_line(e, eng_view_get(v, 1), &len), line);
	CU_ASSERT_EQUAL(eng_malformed(e), 0);
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

static void
rotate(int backups)
{
	char from[4096 + 16], to[4096 + 16];

	for (int i = backups; i >= 1; i--) {
		snprintf(from, sizeof from, "%s.%d", path, i);
		snprintf(to, sizeof to, "%s.%d", path, i + 1);
		if (rename(from, to) != 0 && errno != ENOENT)
			CU_FAIL("rename");
	}
	snprintf(to, sizeof to, "%s.1", path);
	CU_ASSERT_EQUAL(rename(path, to), 0);
}

static void
test_rotation(void)
{
	struct eng *e;
	struct eng_view *v;
	struct eng_file_info fi;

	make_dir();
	append_lines(path, 0, 5);
	e = open_dir();
	v = all(e);
	/* lines written just before the rename are read from the old file */
	append_lines(path, 5, 2);
	rotate(0);
	append_lines(path, 7, 3);
	CU_ASSERT_EQUAL(eng_refresh(e), 5);
	eng_view_update(v);
	expect_sequence(e, v, 10);
	/* twice more, with the backups shifting, between refreshes */
	append_lines(path, 10, 1);
	rotate(1);
	append_lines(path, 11, 1);
	rotate(2);
	append_lines(path, 12, 2);
	CU_ASSERT_EQUAL(eng_refresh(e), 4);
	eng_view_update(v);
	expect_sequence(e, v, 14);
	CU_ASSERT_EQUAL(eng_file_count(e), 4);
	for (size_t i = 0; i < eng_file_count(e); i++) {
		eng_file_info(e, i, &fi);
		CU_ASSERT_EQUAL(fi.backup, 3 - (int)i);	/* oldest first */
	}
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

static void
test_truncation(void)
{
	struct eng *e;
	struct eng_view *v;
	size_t readable = 0, len;

	make_dir();
	append_lines(path, 0, 5);
	e = open_dir();
	v = all(e);
	CU_ASSERT_EQUAL(truncate(path, 0), 0);
	append_lines(path, 20, 2);
	CU_ASSERT_EQUAL(eng_refresh(e), 2);
	CU_ASSERT_EQUAL(eng_view_update(v), 2);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const char *s = eng_line(e, eng_view_get(v, i), &len);
		if (s == NULL)
			continue;
		readable++;
		CU_ASSERT(strstr(s, "\"n=20\"") || strstr(s, "\"n=21\""));
	}
	CU_ASSERT_EQUAL(readable, 2);
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

/* Truncated and written past the old end before we looked again. */
static void
test_truncation_regrown(void)
{
	struct eng *e;
	struct eng_view *v;
	size_t readable = 0, len;
	char line[600];

	make_dir();
	append_lines(path, 0, 2);
	e = open_dir();
	v = all(e);
	CU_ASSERT_EQUAL(truncate(path, 0), 0);
	snprintf(line, sizeof line, "{\"category\":\"user\",\"timestamp\":"
	    "\"2026-11-26T11:00:00Z\",\"level\":\"INFO\",\"user_input\":"
	    "\"n=30, longer than the two lines before: %0400d\"}\n", 0);
	put(path, line, O_APPEND);
	CU_ASSERT_EQUAL(eng_refresh(e), 1);
	eng_view_update(v);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const char *s = eng_line(e, eng_view_get(v, i), &len);
		if (s == NULL)
			continue;
		readable++;
		CU_ASSERT(strstr(s, "\"n=30") != NULL);
	}
	CU_ASSERT_EQUAL(readable, 1);
	CU_ASSERT_EQUAL(eng_malformed(e), 0);
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

/* Deleted, then made again: the old file's entries leave with it (its
 * last line, written just before, was never on screen), the new one's
 * come in. */
static void
test_recreation(void)
{
	struct eng *e;
	struct eng_view *v;
	struct eng_removed gone;

	make_dir();
	append_lines(path, 0, 3);
	e = open_dir();
	v = all(e);
	append_lines(path, 3, 1);
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(eng_refresh(e), 0);
	CU_ASSERT_EQUAL(eng_view_count(v), 0);
	eng_removed(e, &gone);
	CU_ASSERT_EQUAL(gone.deleted, 3);
	CU_ASSERT_EQUAL(gone.deleted_files, 1);
	append_lines(path, 4, 2);
	CU_ASSERT_EQUAL(eng_refresh(e), 2);
	eng_view_update(v);
	expect_run(e, v, 4, 2);
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

static void
test_new_category_file(void)
{
	char other[4096];
	struct eng *e;
	size_t counts[LLMLOG_NCATEGORIES];
	struct eng_view *v;

	make_dir();
	e = open_dir();
	v = all(e);
	CU_ASSERT_EQUAL(eng_count(e), 0);
	snprintf(other, sizeof other, "%s/security.log", dir);
	put(other, "{\"category\":\"security\",\"timestamp\":"
	    "\"2026-11-26T11:00:00Z\",\"level\":\"WARNING\",\"allowed\":false}\n",
	    O_APPEND);
	CU_ASSERT_EQUAL(eng_refresh(e), 1);
	eng_view_update(v);
	eng_view_category_counts(v, counts);
	CU_ASSERT_EQUAL(counts[LLMLOG_SECURITY], 1);
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

/* The library rotates by itself (tiny max_bytes); refreshing after every
 * few lines must see each line once. */
static void
test_library_rotation(void)
{
	struct llmlog_config cfg = { .max_bytes = 1500, .backups = 3,
	    .no_console = true };
	struct llmlog *lg;
	struct eng *e;
	struct eng_view *v;
	char line[256];
	int n;

	make_dir();
	cfg.dir = dir;
	lg = llmlog_open(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	e = open_dir();
	v = all(e);
	for (int i = 0; i < 100; i++) {
		n = snprintf(line, sizeof line, "{\"category\":\"user\","
		    "\"timestamp\":\"2026-11-26T10:%02d:%02d.000Z\","
		    "\"level\":\"INFO\",\"event\":\"interaction\","
		    "\"user_input\":\"n=%d\",\"success\":true}\n",
		    i / 60, i % 60, i);
		CU_ASSERT_EQUAL(log_emit(lg, LLMLOG_USER, LLMLOG_INFO, line,
		    (size_t)n), 0);
		if (i % 3 == 2)
			eng_refresh(e);
	}
	eng_refresh(e);
	eng_view_update(v);
	/* the oldest backups were deleted: what is left is the last lines */
	n = (int)lines_on_disk();
	CU_ASSERT(n > 10 && n < 100);
	expect_run(e, v, 100 - n, n);
	CU_ASSERT(eng_file_count(e) > 4);	/* it did rotate, often */
	llmlog_close(lg);
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

/* Searching forward and backward visits exactly the entries a plain
 * scan finds, in order, and wraps around. */
static void
check_search(struct eng *e, struct eng_view *v, const char *pattern,
    size_t want)
{
	char err[256];
	struct eng_regex *re = eng_regex_new(pattern, err, sizeof err);
	size_t n = eng_view_count(v), nhits = 0, len;
	long *hits = calloc(n, sizeof *hits), pos;

	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	for (size_t i = 0; i < n; i++) {
		const char *s = eng_line(e, eng_view_get(v, i), &len);
		if (s != NULL && eng_regex_match(re, s, len, 0, NULL, NULL) == 1)
			hits[nhits++] = (long)i;
	}
	CU_ASSERT_EQUAL(nhits, want);
	pos = eng_view_search(v, re, n, 1);
	for (size_t i = 0; i < nhits; i++) {
		CU_ASSERT_EQUAL(pos, hits[i]);
		pos = eng_view_search(v, re, (size_t)pos, 1);
	}
	CU_ASSERT_EQUAL(pos, hits[0]);		/* wrapped */
	pos = eng_view_search(v, re, 0, -1);
	for (size_t i = nhits; i-- > 0;) {
		CU_ASSERT_EQUAL(pos, hits[i]);
		pos = eng_view_search(v, re, (size_t)pos, -1);
	}
	free(hits);
	eng_regex_free(re);
}

/* Writer processes rotating one directory while we follow it: every
 * entry is seen exactly once (the backups are never deleted here). */
static void
test_concurrent_writers(void)
{
	enum { PROCS = 3, EACH = 1500 };
	struct llmlog_config cfg = { .max_bytes = 20000, .backups = 10000,
	    .no_console = true };
	static unsigned char seen[PROCS][EACH];
	struct eng *e;
	struct eng_view *v;
	pid_t pids[PROCS];
	int status, running = PROCS;
	size_t len, dups = 0, missing = 0;

	make_dir();
	cfg.dir = dir;
	e = open_dir();
	for (int p = 0; p < PROCS; p++) {
		if ((pids[p] = fork()) == 0) {
			struct llmlog *lg = llmlog_open(&cfg);
			char in[64];
			for (int i = 0; lg != NULL && i < EACH; i++) {
				snprintf(in, sizeof in, "p=%d i=%d;", p, i);
				llmlog_interaction(lg, .user_input = in,
				    .duration_ms = i);
			}
			_exit(lg != NULL && llmlog_close(lg) == 0 ? 0 : 1);
		}
		CU_ASSERT_FATAL(pids[p] > 0);
	}
	while (running > 0) {
		eng_refresh(e);
		for (int p = 0; p < PROCS; p++)
			if (pids[p] > 0 && waitpid(pids[p], &status,
			    WNOHANG) == pids[p]) {
				CU_ASSERT(WIFEXITED(status) &&
				    WEXITSTATUS(status) == 0);
				pids[p] = 0;
				running--;
			}
		usleep(500);
	}
	eng_refresh(e);
	v = all(e);
	for (size_t k = 0; k < eng_view_count(v); k++) {
		const char *s = eng_line(e, eng_view_get(v, k), &len);
		const char *at = s ? strstr(s, "p=") : NULL;
		int p, i;
		if (at == NULL || sscanf(at, "p=%d i=%d;", &p, &i) != 2 ||
		    p < 0 || p >= PROCS || i < 0 || i >= EACH) {
			CU_FAIL("an entry we cannot read or did not write");
			continue;
		}
		dups += seen[p][i]++ > 0;
	}
	for (int p = 0; p < PROCS; p++)
		for (int i = 0; i < EACH; i++)
			missing += seen[p][i] == 0;
	CU_ASSERT_EQUAL(dups, 0);
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_EQUAL(eng_malformed(e), 0);
	CU_ASSERT(eng_file_count(e) > 10);	/* it rotated */
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

/* A filter over many blocks of lines keeps what it should. */
static void
check_filter(struct eng *e, const char *pattern, const char *keyword,
    size_t want)
{
	struct eng_filter f;
	struct eng_view *v;
	char err[256];

	eng_filter_init(&f);
	f.keyword = keyword;
	if (pattern != NULL) {
		f.regex = eng_regex_new(pattern, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f.regex);
	}
	v = eng_view_new(e, &f);
	CU_ASSERT_EQUAL(eng_view_count(v), want);
	eng_view_free(v);
	eng_regex_free(f.regex);
}

/* Between refreshes of a background load. */
static void
take_new(void *view)
{
	eng_view_update(view);
}

/* A file of several load chunks, with malformed lines here and there:
 * the plain and the background load index the same entries in the same
 * order, and nothing at a chunk boundary is lost or doubled. */
static void
test_async_matches_sync(void)
{
	struct eng *a, *b;
	struct eng_view *va, *vb;
	char err[256], backup[4096 + 8], *text;
	const char *d;
	size_t len;
	FILE *f;
	int count = 0;

	make_dir();
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int i = 0; i < 70000; i++) {
		if (i % 9973 == 0)
			fprintf(f, "garbage line %d\n", i);
		else
			fprintf(f, "{\"category\":\"user\",\"timestamp\":"
			    "\"2026-11-26T%02d:%02d:%02d.%03dZ\",\"level\":"
			    "\"INFO\",\"event\":\"interaction\",\"user_input\":"
			    "\"%0120d\",\"success\":true}\n", i / 3600000,
			    i / 60000 % 60, i / 1000 % 60, i % 1000, i);
		count++;
	}
	fclose(f);
	/* a backup, same lines */
	snprintf(backup, sizeof backup, "%s.1", path);
	text = util_read_file(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	f = fopen(backup, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(text, 1, len, f), len);
	CU_ASSERT_EQUAL(fclose(f), 0);
	free(text);
	a = open_dir();
	CU_ASSERT_EQUAL(eng_count(a), 2 * (size_t)count);
	CU_ASSERT_EQUAL(eng_malformed(a), 2 * 8);
	d = dir;
	b = eng_open(&d, 1, err, sizeof err);
	CU_ASSERT_EQUAL_FATAL(eng_load_async(b, err, sizeof err), 0);
	vb = all(b);
	CU_ASSERT_EQUAL_FATAL(util_wait_loaded(b, LOAD_SECONDS, take_new, vb),
	    0);
	eng_refresh(b);
	eng_view_update(vb);
	va = all(a);
	CU_ASSERT_EQUAL_FATAL(eng_view_count(va), eng_view_count(vb));
	for (size_t i = 0; i < eng_view_count(va); i++) {
		const struct eng_entry *x = eng_view_get(va, i),
		    *y = eng_view_get(vb, i);
		if (x->time_us != y->time_us || x->offset != y->offset ||
		    x->flags != y->flags || x->length != y->length) {
			CU_FAIL("async and sync views differ");
			break;
		}
	}
	check_search(a, va, "^garbage line \\d+$", 16);
	check_filter(a, "^garbage line \\d+$", NULL, 16);
	check_filter(a, NULL, "GARBAGE LINE", 16);
	check_filter(a, "\"0{115}12\\d{3}\"", "0000012", 2 * 1000);
	eng_view_free(va);
	eng_view_free(vb);
	eng_close(a);
	eng_close(b);
	remove_dir();
}

/* A line longer than any read buffer is one entry and hides neither
 * neighbour: malformed when it is not JSON, an entry like the others when
 * it is, read back whole either way; while it has no newline it is not
 * indexed. */
static void
test_huge_line(void)
{
	static const char head[] = "{\"category\":\"user\",\"timestamp\":"
	    "\"2026-11-26T10:00:02Z\",\"level\":\"ERROR\",\"user_input\":\"";
	size_t big = 3u << 20, len;
	char *junk = malloc(big + 1);
	struct eng *e;
	struct eng_view *v;
	const struct eng_entry *en;
	const char *s;

	make_dir();
	memset(junk, 'x', big);
	junk[big] = '\0';
	append_lines(path, 0, 1);
	put(path, junk, O_APPEND);
	put(path, "\n", O_APPEND);
	append_lines(path, 1, 1);
	put(path, head, O_APPEND);
	put(path, junk, O_APPEND);
	put(path, "\"}\n", O_APPEND);
	put(path, junk, O_APPEND);
	e = open_dir();
	v = all(e);
	CU_ASSERT_EQUAL_FATAL(eng_view_count(v), 4);
	CU_ASSERT_EQUAL(eng_malformed(e), 1);
	en = eng_view_get(v, 1);
	CU_ASSERT_FATAL(en != NULL && (en->flags & ENTRY_MALFORMED));
	CU_ASSERT_EQUAL(en->length, big);
	CU_ASSERT_PTR_NOT_NULL(eng_line(e, en, &len));
	CU_ASSERT_EQUAL(len, big);
	CU_ASSERT(!(eng_view_get(v, 2)->flags & ENTRY_MALFORMED));
	/* the valid one: its level and time are read, its line whole */
	en = eng_view_get(v, 3);
	CU_ASSERT_FATAL(en != NULL && !(en->flags & ENTRY_MALFORMED));
	CU_ASSERT_EQUAL(eng_entry_level(en), LLMLOG_ERROR);
	CU_ASSERT(!(en->flags & ENTRY_NO_TIME));
	s = eng_line(e, en, &len);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_EQUAL(len, strlen(head) + big + 2);
	CU_ASSERT(len > 3 && memcmp(s + len - 3, "x\"}", 3) == 0);
	s = eng_line_head(e, en, 10, &len);
	CU_ASSERT(s != NULL && len == 10 && memcmp(s, "{\"category", 10) == 0);
	put(path, "\n", O_APPEND);
	CU_ASSERT_EQUAL(eng_refresh(e), 1);
	CU_ASSERT_EQUAL(eng_malformed(e), 2);
	free(junk);
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

/* A valid line of 40 MB, over many load chunks: each chunk that starts
 * inside it stops at its own end, so the file is read about three times
 * (the chunks, the line's own task to find its end, and the line read
 * whole), not once per chunk from there to the end of the line (ten
 * times, with the background load's chunks of 2 MiB). */
static void
test_huge_line_linear(void)
{
	size_t big = 40u << 20, size;
	char *text = malloc(big + 1);
	struct eng *e;
	char err[256];
	const char *d;
	bool done = false;
	uint64_t got, total;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	make_dir();
	d = dir;
	memset(text, 'y', big);
	text[big] = '\0';
	append_lines(path, 0, 1);
	put(path, "{\"category\":\"user\",\"timestamp\":"
	    "\"2026-11-26T10:00:02Z\",\"level\":\"INFO\",\"user_input\":\"",
	    O_APPEND);
	put(path, text, O_APPEND);
	put(path, "\"}\n", O_APPEND);
	append_lines(path, 3, 1);
	size = big + 3 * 200;
	e = open_dir();
	CU_ASSERT_EQUAL(eng_count(e), 3);
	CU_ASSERT_EQUAL(eng_malformed(e), 0);
	CU_ASSERT(e->bytes_read < 7 * (uint64_t)size / 2);
	eng_close(e);
	/* the background load plans chunks of 2 MiB */
	e = eng_open(&d, 1, err, sizeof err);
	CU_ASSERT_FATAL(e != NULL && eng_load_async(e, err, sizeof err) == 0);
	while (!done) {
		eng_refresh(e);
		eng_progress(e, &got, &total, &done);
		usleep(1000);
	}
	eng_refresh(e);
	CU_ASSERT_EQUAL(eng_count(e), 3);
	CU_ASSERT_EQUAL(eng_malformed(e), 0);
	CU_ASSERT(e->bytes_read < 7 * (uint64_t)size / 2);
	eng_close(e);
	remove_dir();
	make_dir();
	/* written in pieces between refreshes: each look goes on where the
	 * last found no newline, never from the line's start again */
	append_lines(path, 0, 1);
	e = open_dir();
	put(path, "{\"category\":\"user\",\"timestamp\":"
	    "\"2026-11-26T10:00:02Z\",\"level\":\"INFO\",\"user_input\":\"",
	    O_APPEND);
	for (int i = 0; i < 8; i++) {
		text[big / 8] = '\0';
		put(path, text, O_APPEND);
		CU_ASSERT_EQUAL(eng_refresh(e), 0);
	}
	put(path, "\"}\n", O_APPEND);
	CU_ASSERT_EQUAL(eng_refresh(e), 1);
	CU_ASSERT_EQUAL(eng_malformed(e), 0);
	CU_ASSERT(e->bytes_read < 7 * (uint64_t)size / 2);
	free(text);
	eng_close(e);
	remove_dir();
}

/* Rotation after rotation at a high rate, the oldest backup deleted each
 * time: the index, the time order and a view hold what is on disk, never
 * all that was ever seen (that grew by some 43 bytes an entry for good). */
static void
test_memory_bound(void)
{
	enum { PER_FILE = 30000, ROTATIONS = 8 };
	char old[4200];
	struct eng *e;
	struct eng_view *v;
	struct eng_removed gone;
	size_t disk, most = 0;
	FILE *f;

	make_dir();
	snprintf(old, sizeof old, "%s.2", path);
	e = open_dir();
	v = all(e);
	for (int r = 0; r < ROTATIONS; r++) {
		f = fopen(path, "a");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		for (int i = r * PER_FILE; i < (r + 1) * PER_FILE; i++)
			fprintf(f, "{\"category\":\"user\",\"timestamp\":"
			    "\"2026-11-26T%02d:%02d:%02d.%03dZ\",\"level\":"
			    "\"INFO\",\"user_input\":\"n=%d\"}\n", i / 3600000,
			    i / 60000 % 60, i / 1000 % 60, i % 1000, i);
		CU_ASSERT_EQUAL(fclose(f), 0);
		eng_refresh(e);
		eng_view_update(v);
		disk = lines_on_disk();
		if (disk > most)
			most = disk;
		CU_ASSERT_EQUAL(eng_count(e), disk);
		/* two backups: the oldest goes, the rest move up */
		if (unlink(old) != 0 && errno != ENOENT)
			CU_FAIL("unlink");
		rotate(1);
	}
	eng_refresh(e);
	eng_view_update(v);
	disk = lines_on_disk();
	CU_ASSERT_EQUAL(disk, 2 * PER_FILE);
	CU_ASSERT_EQUAL(eng_count(e), disk);
	expect_run(e, v, (ROTATIONS - 2) * PER_FILE, (int)disk);
	eng_removed(e, &gone);
	CU_ASSERT_EQUAL(gone.deleted, (ROTATIONS - 2) * PER_FILE);
	CU_ASSERT_EQUAL(gone.deleted_files, ROTATIONS - 2);
	/* room for what was on disk at most, not for all 240,000 */
	CU_ASSERT(e->nchunks <= (most + CHUNK_ENTRIES - 1) / CHUNK_ENTRIES);
	CU_ASSERT(e->order_cap <= 2 * most);
	CU_ASSERT_EQUAL(eng_file_count(e), ROTATIONS);	/* numbers, not kept */
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

/* Any number of files through a cache of 4 descriptors: each is opened
 * when read, a renamed one is found by its inode, and what cannot be read
 * at a log name is named until it goes. */
static void
test_descriptor_cache(void)
{
	enum { BACKUPS = 300 };
	char name[4200], to[4200], err[256];
	const char *d;
	struct eng *e;
	struct eng_view *v;
	size_t len, readable = 0;
	uint64_t seq;
	const char *s;

	make_dir();
	d = dir;
	for (int i = BACKUPS; i >= 0; i--) {
		if (i > 0)
			snprintf(name, sizeof name, "%s.%d", path, i);
		else
			snprintf(name, sizeof name, "%s", path);
		append_lines(name, BACKUPS - i, 1);
	}
	snprintf(name, sizeof name, "%s/llm_calls.log", dir);
	CU_ASSERT_EQUAL_FATAL(mkfifo(name, 0600), 0);
	e = eng_open(&d, 1, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	e->fd_max = 4;
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	CU_ASSERT(e->fd_open <= 4);
	v = all(e);
	expect_sequence(e, v, BACKUPS + 1);
	CU_ASSERT_EQUAL(eng_unreadable_count(e), 1);
	s = eng_unreadable(e, 0, &seq);
	CU_ASSERT(s != NULL && strstr(s, "llm_calls.log: a FIFO") != NULL);
	CU_ASSERT_EQUAL(seq, 1);
	/* every file one name further, behind the engine's back */
	for (int i = BACKUPS; i >= 0; i--) {
		if (i > 0)
			snprintf(name, sizeof name, "%s.%d", path, i);
		else
			snprintf(name, sizeof name, "%s", path);
		snprintf(to, sizeof to, "%s.%d", path, i + 1);
		CU_ASSERT_EQUAL(rename(name, to), 0);
	}
	for (size_t i = 0; i < eng_view_count(v); i += 37)
		readable += eng_line(e, eng_view_get(v, i), &len) != NULL;
	CU_ASSERT_EQUAL(readable, (eng_view_count(v) + 36) / 37);
	CU_ASSERT(e->fd_open <= 4);
	snprintf(name, sizeof name, "%s/llm_calls.log", dir);
	CU_ASSERT_EQUAL(unlink(name), 0);
	CU_ASSERT_EQUAL(eng_refresh(e), 0);
	CU_ASSERT_EQUAL(eng_unreadable_count(e), 0);
	eng_view_update(v);
	expect_sequence(e, v, BACKUPS + 1);
	eng_view_free(v);
	eng_close(e);
	remove_dir();
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "append", test_append },
		{ "watch descriptor", test_watch_fd },
		{ "last line without newline", test_partial_line },
		{ "rotation", test_rotation },
		{ "truncation", test_truncation },
		{ "truncation, then more than before",
		    test_truncation_regrown },
		{ "re-creation", test_recreation },
		{ "new category file", test_new_category_file },
		{ "library rotation", test_library_rotation },
		{ "concurrent writers", test_concurrent_writers },
		{ "background load", test_async_matches_sync },
		{ "huge lines", test_huge_line },
		{ "descriptor cache", test_descriptor_cache },
		{ "memory bounded by what is on disk", test_memory_bound },
		{ "a huge line is read about three times",
		    test_huge_line_linear },
		{ NULL, NULL },
	};

	setenv("TZ", "UTC", 1);
	return util_run("follow", tests);
}
