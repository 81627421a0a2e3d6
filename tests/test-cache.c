/*
 * test-cache.c - the index cache and compressed backups (llmlog(1),
 * FILES).  Every open through the cache must give what an open without it
 * gives, to the byte: the statistics' JSON, every entry and its line, the
 * files; after appends, rotation, truncation, a file replaced by another
 * of the same size and mtime, and with the cache corrupted at sampled
 * offsets.  And it must be used: an unchanged reopen reads no line.
 * Compressed backups read like plain ones; cut or corrupt ones give what
 * came before the fault and say where it was.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <zlib.h>

#include "engine.h"
#include "engine-int.h"
#include "util.h"

static const char *cache_dir;

/* ---- writing logs ---- */

static const char *const files[] = { "user_interactions.log",
	"system_health.log", "tool_executions.log", "llm_calls.log",
	"security.log", "performance.log" };

static void
add_value(struct strbuf *b, const char *key)
{
	switch (util_rand_below(10)) {
	case 0:
		return;		/* absent */
	case 1:
		strbuf_printf(b, ",\"%s\":null", key);
		return;
	case 2:
		strbuf_printf(b, ",\"%s\":\"esc\\\"aped\\u00e9 %u\"", key,
		    util_rand_below(5));
		return;
	case 3:
		strbuf_printf(b, ",\"%s\":%s", key, util_rand_below(2) ?
		    "true" : "false");
		return;
	case 4:
		strbuf_printf(b, ",\"%s\":%u.%u", key, util_rand_below(5000),
		    util_rand_below(100));
		return;
	case 5: {	/* longer than a record keeps: the line is read */
		strbuf_printf(b, ",\"%s\":\"", key);
		for (unsigned i = 0, n = 1000 + util_rand_below(200); i < n; i++)
			strbuf_add(b, "x", 1);
		strbuf_add(b, "\"", 1);
		return;
	}
	case 6:
		strbuf_printf(b, ",\"%s\":1e999", key);
		return;
	case 7:		/* read again and again: kept once, referred to */
		strbuf_printf(b, ",\"%s\":\"%08x%08x-name\"", key,
		    0xabcd0000u + util_rand_below(3), util_rand_below(2));
		return;
	default:
		strbuf_printf(b, ",\"%s\":\"n%u\"", key, util_rand_below(7));
	}
}

static const char *const keys[] = { "success", "duration_ms", "error",
	"tool_name", "provider", "model", "prompt_tokens", "completion_tokens",
	"total_tokens", "streaming", "allowed", "action", "resource",
	"operation", "memory_mb", "user_input", "event", "component" };
static const char *const cats[] = { "user", "system", "tool", "llm",
	"security", "performance" };

/* n random lines of file c, times from *t on. */
static void
write_lines(const char *dir, int c, unsigned n, unsigned *t, const char *mode)
{
	char path[512];
	struct strbuf b;
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, files[c]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(path, mode));
	strbuf_init(&b);
	for (unsigned i = 0; i < n; i++, (*t)++) {
		strbuf_reset(&b);
		if (util_rand_below(40) == 0) {
			fputs("not json {\n", fp);
			continue;
		}
		strbuf_printf(&b, "{\"category\":\"%s\",\"timestamp\":"
		    "\"2026-11-01T%02u:%02u:%02u.%03uZ\",\"level\":\"%s\","
		    "\"event\":\"e\",\"pid\":7", cats[c], *t / 3600 % 24,
		    *t / 60 % 60, *t % 60, util_rand_below(1000),
		    util_rand_below(5) == 0 ? "ERROR" : "INFO");
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (util_rand_below(3) != 0)
				add_value(&b, keys[k]);
		fprintf(fp, "%s}\n", b.s);
	}
	strbuf_free(&b);
	fclose(fp);
}

static const char *
new_logs(const char *name, unsigned n)
{
	const char *dir = util_tmpdir(name);
	unsigned t = 0;

	for (int c = 0; c < 6; c++)
		write_lines(dir, c, n + util_rand_below(n), &t, "w");
	return dir;
}

/* ---- what an open shows ---- */

struct shown {
	char *text;		/* stats, entries with their lines, files */
	uint64_t bytes_read;
	size_t corrupt;
	size_t unreadable;
	size_t parts_taken;	/* files whose figures came from the cache */
	size_t order_taken;	/* entries whose time order came from it */
};

/* How the report is counted: after the load; while the index is read,
 * as the explorer does (with the dashboard's tables); as print mode's
 * --stats does (a report alone). */
enum how { AFTER, ON_LOAD, ONLY };
static const char *const how_names[] = { "after", "on load", "only" };

static void
shown_free(struct shown *s)
{
	free(s->text);
}

static void
show_how(const char *dir, bool cache, enum how how, struct shown *out)
{
	char err[256];
	struct eng *e = eng_open(&dir, 1, err, sizeof err);
	struct eng_filter filt;
	struct eng_view *v;
	struct eng_stats *st;
	json_object *j;
	struct strbuf b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	if (cache)
		CU_ASSERT_EQUAL(eng_cache_enable(e, cache_dir), 0);
	eng_filter_init(&filt);
	if (how == ON_LOAD)
		eng_stats_on_load_tables(e, &filt, false);
	else if (how == ONLY)
		eng_stats_on_load_only(e, &filt, false);
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	v = eng_view_new(e, &filt);
	st = eng_stats_new();
	if (how == ON_LOAD)
		eng_stats_keep_tables(st);
	eng_stats_update(st, v);
	strbuf_init(&b);
	j = eng_stats_json(st);
	strbuf_puts(&b, json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
	strbuf_puts(&b, "\n");
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		const char *s;
		size_t n;

		strbuf_printf(&b, "%u %llu %u %lld %u %u %u|", en->file,
		    (unsigned long long)en->offset, en->length,
		    (long long)en->time_us, en->category, en->level, en->flags);
		if ((s = eng_line(e, en, &n)) != NULL)
			strbuf_add(&b, s, n);
		strbuf_puts(&b, "\n");
	}
	for (size_t i = 0; i < eng_file_count(e); i++) {
		struct eng_file_info fi;

		eng_file_info(e, i, &fi);
		if (fi.path != NULL)
			strbuf_printf(&b, "%s %llu %llu %zu %lld %lld\n",
			    fi.path, (unsigned long long)fi.size,
			    (unsigned long long)fi.compressed, fi.entries,
			    (long long)fi.first_us, (long long)fi.last_us);
	}
	out->text = b.s;
	out->bytes_read = e->bytes_read;
	out->corrupt = eng_cache_corrupt(e, NULL);
	out->unreadable = eng_unreadable_count(e);
	out->parts_taken = e->parts_taken;
	out->order_taken = cache_order_taken(e);
	eng_stats_free(st);
	eng_view_free(v);
	eng_close(e);
}

static void
show(const char *dir, bool cache, struct shown *out)
{
	show_how(dir, cache, AFTER, out);
}

/* An open through the cache shows what one without it shows, however
 * the report is counted (each in turn writes the caches the others
 * read); the bytes read by the first. */
static uint64_t
same_as_uncached(const char *dir)
{
	static unsigned turn;
	struct shown a, b;
	uint64_t r = 0;

	show(dir, false, &a);
	for (unsigned k = 0; k < 3; k++) {
		enum how how = (enum how)((turn + k) % 3);

		show_how(dir, true, how, &b);
		CU_ASSERT_STRING_EQUAL(a.text, b.text);
		if (strcmp(a.text, b.text) != 0)
			fprintf(stderr, "\ndiffer in %s (%s)\n", dir,
			    how_names[how]);
		if (k == 0)
			r = b.bytes_read;
		shown_free(&b);
	}
	turn++;
	shown_free(&a);
	return r;
}

static uint64_t
dir_bytes(const char *dir)
{
	uint64_t n = 0;
	char path[512];
	struct stat st;

	for (int c = 0; c < 6; c++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[c]);
		if (stat(path, &st) == 0)
			n += (uint64_t)st.st_size;
	}
	return n;
}

/* ---- the tests ---- */

static void
test_reopen_unchanged(void)
{
	const char *dir = new_logs("cache-same", 300);

	same_as_uncached(dir);	/* writes the caches */
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);	/* reads no line */
}

static void
test_append(void)
{
	const char *dir = new_logs("cache-append", 200);
	uint64_t before, r;
	unsigned t = 50000;

	same_as_uncached(dir);
	before = dir_bytes(dir);
	write_lines(dir, 3, 50, &t, "a");
	write_lines(dir, 2, 50, &t, "a");
	r = same_as_uncached(dir);
	CU_ASSERT(r > 0);
	CU_ASSERT(r < (dir_bytes(dir) - before) + (256u << 10) * 2 + 1);
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
}

static void
test_rotate(void)
{
	const char *dir = new_logs("cache-rotate", 200);
	char a[512], b[512], c[512];
	unsigned t = 60000;

	same_as_uncached(dir);
	snprintf(a, sizeof a, "%s/llm_calls.log", dir);
	snprintf(b, sizeof b, "%s/llm_calls.log.1", dir);
	snprintf(c, sizeof c, "%s/llm_calls.log.2", dir);
	CU_ASSERT_EQUAL(rename(a, b), 0);
	write_lines(dir, 3, 100, &t, "w");
	same_as_uncached(dir);
	CU_ASSERT_EQUAL(rename(b, c), 0);	/* .1 -> .2: its cache holds */
	CU_ASSERT_EQUAL(rename(a, b), 0);
	write_lines(dir, 3, 10, &t, "w");
	same_as_uncached(dir);
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
	CU_ASSERT_EQUAL(unlink(c), 0);	/* the oldest goes, its cache too */
	same_as_uncached(dir);
}

static void
test_truncate(void)
{
	const char *dir = new_logs("cache-truncate", 200);
	char path[512];
	unsigned t = 70000;

	same_as_uncached(dir);
	snprintf(path, sizeof path, "%s/tool_executions.log", dir);
	CU_ASSERT_EQUAL(truncate(path, 0), 0);
	write_lines(dir, 2, 20, &t, "a");
	same_as_uncached(dir);
	CU_ASSERT_EQUAL(truncate(path, 100), 0);	/* mid-line */
	same_as_uncached(dir);
}

/* The cache file of the log file at path. */
static char *
only_cache_of(const char *path)
{
	struct stat st;
	char *s;

	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	s = malloc(strlen(cache_dir) + 64);
	sprintf(s, "%s/%llx-%llx.idx", cache_dir, (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	return s;
}

/* Truncated and written again while one engine has it: the values of the
 * entries gone stay in memory, and the cache is written without them. */
static void
test_truncate_open(void)
{
	const char *dir = new_logs("cache-truncate-open", 300);
	char path[512], err[256];
	struct eng *e = eng_open(&dir, 1, err, sizeof err);
	unsigned t = 80000;
	struct stat a, b;
	char *idx;

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(eng_cache_enable(e, cache_dir), 0);
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/llm_calls.log", dir);
	CU_ASSERT_EQUAL(truncate(path, 0), 0);
	write_lines(dir, 3, 40, &t, "a");
	CU_ASSERT(eng_refresh(e) > 0);
	eng_close(e);
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
	/* no bigger than the cache of the same lines indexed afresh */
	idx = only_cache_of(path);
	CU_ASSERT_EQUAL_FATAL(stat(idx, &a), 0);
	CU_ASSERT_EQUAL(unlink(idx), 0);
	same_as_uncached(dir);
	CU_ASSERT_EQUAL_FATAL(stat(idx, &b), 0);
	CU_ASSERT_EQUAL(a.st_size, b.st_size);
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
	free(idx);
}

/* Every entry's kept values, where it has some, against what the scanner
 * reads in its line, field by field: kind, escape, and the very bytes.
 * How many had kept values. */
static size_t
kept_as_read(struct eng *e)
{
	size_t kept = 0;

	for (size_t p = 0; p < e->count; p++) {
		const struct eng_entry *en = store_entry(e, p);
		struct fields f, g;
		const char *s;
		size_t n, k = 0;

		if (!entry_kept_fields(e, p, en, &f))
			continue;
		kept++;
		CU_ASSERT_PTR_NOT_NULL_FATAL(s = eng_line(e, en, &n));
		CU_ASSERT_FATAL(fields_read(s, n, en->category, &g));
		for (const enum field *x = fields_set(en->category);
		    *x != NFIELDS; x++, k++) {
			CU_ASSERT_EQUAL(f.v[k].kind, field_kept(*x) ?
			    g.v[k].kind : JSCAN_NONE);
			if (!field_kept(*x) || g.v[k].kind == JSCAN_NONE)
				continue;
			CU_ASSERT_EQUAL(f.v[k].escaped, g.v[k].escaped);
			CU_ASSERT_EQUAL_FATAL(f.v[k].n, g.v[k].n);
			CU_ASSERT(f.v[k].n == 0 ||
			    memcmp(f.v[k].s, g.v[k].s, f.v[k].n) == 0);
		}
	}
	return kept;
}

/* The values read from a cache are those the scanner reads in the line,
 * from the caches and from the values of a first walk. */
static void
test_kept_values(void)
{
	const char *dir = new_logs("cache-values", 400);
	char err[256];
	size_t kept = 0;

	same_as_uncached(dir);	/* writes the caches */
	for (int pass = 0; pass < 2; pass++) {
		struct eng *e = eng_open(&dir, 1, err, sizeof err);

		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_EQUAL(eng_cache_enable(e, pass == 0 ? cache_dir :
		    util_tmpdir("cache-values-dir")), 0);
		CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
		CU_ASSERT(pass == 1 || e->bytes_read == 0);
		kept += kept_as_read(e);
		eng_close(e);
	}
	CU_ASSERT(kept > 1000);
}

/* Values met again far apart: a long one referred to far back, a short
 * one written out again, an escaped one, across more than 64 KiB of
 * records; read back as the scanner reads them, and the cache smaller
 * than the values it holds. */
static void
test_far_values(void)
{
	const char *dir = util_tmpdir("cache-far");
	char path[512], err[256];
	struct stat st;
	FILE *fp;
	char *idx;

	snprintf(path, sizeof path, "%s/llm_calls.log", dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(path, "w"));
	for (unsigned i = 0; i < 6000; i++)
		fprintf(fp, "{\"category\":\"llm\",\"timestamp\":"
		    "\"2026-11-01T00:%02u:%02u.000Z\",\"level\":\"INFO\","
		    "\"provider\":\"%s\",\"model\":\"%s\","
		    "\"error\":\"unique error text number %u\","
		    "\"trace_id\":\"%032x\",\"duration_ms\":%u.5}\n",
		    i / 100 % 60, i % 60, i % 2000 == 0 ? "rare-provider" :
		    "groq", i % 3000 == 7 ? "a-long-model-name-seen-rarely" :
		    i % 2 ? "m\\u00e9dium-model-name-often" : "short",
		    i, i / 3, i % 97);
	fclose(fp);
	for (int pass = 0; pass < 2; pass++) {
		struct eng *e = eng_open(&dir, 1, err, sizeof err);

		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_EQUAL(eng_cache_enable(e, cache_dir), 0);
		CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
		CU_ASSERT(pass == 0 || e->bytes_read == 0);
		CU_ASSERT_EQUAL(kept_as_read(e), 6000);
		eng_close(e);
	}
	/* as written by a load that counted no report (no figures kept):
	 * 6000 entries of 28 bytes, each record ~60 bytes, not the ~130 of
	 * its values written out */
	idx = only_cache_of(path);
	CU_ASSERT_EQUAL_FATAL(stat(idx, &st), 0);
	CU_ASSERT(st.st_size < 6000 * (28 + 75));
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
	free(idx);
}

/* Another file of the same size and mtime, put in the old one's place:
 * under the same name, and under the same inode (rewritten in place). */
static void
test_replaced(void)
{
	const char *dir = new_logs("cache-replace", 200);
	char path[512], tmp[512];
	struct stat st;
	char *text;
	size_t len;
	FILE *fp;
	struct timespec ts[2];

	same_as_uncached(dir);
	snprintf(path, sizeof path, "%s/security.log", dir);
	snprintf(tmp, sizeof tmp, "%s/other", dir);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text = util_read_file(path, &len));
	/* the same bytes but for one level: same size */
	for (size_t i = 0; i + 4 < len; i++)
		if (memcmp(text + i, "INFO", 4) == 0) {
			memcpy(text + i, "WARN", 4);
			break;
		}
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(tmp, "w"));
	fwrite(text, 1, len, fp);
	fclose(fp);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, tmp, ts, 0), 0);
	CU_ASSERT_EQUAL(rename(tmp, path), 0);
	same_as_uncached(dir);
	/* in place, same inode, size and mtime */
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(path, "r+"));
	fwrite("{\"x\":1}", 1, 7, fp);	/* the first line, now malformed */
	fclose(fp);
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, ts, 0), 0);
	same_as_uncached(dir);
	free(text);
}

/* The newest file of the cache directory named by glob. */
static char *
newest_cached(const char *glob)
{
	char cmd[1024], *line = NULL;
	size_t cap = 0;
	FILE *p;

	snprintf(cmd, sizeof cmd, "ls -t %s/%s | head -1", cache_dir, glob);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = popen(cmd, "r"));
	if (getline(&line, &cap, p) > 0)
		line[strcspn(line, "\n")] = '\0';
	pclose(p);
	return line;
}

/* The one cache file of a directory with one log file. */
static char *
only_cache(void)
{
	return newest_cached("*.idx");
}

/* The byte at off of the file at path changed from orig[off]. */
static void
flip_byte(const char *path, const char *orig, size_t off)
{
	char c = (char)(orig[off] ^ (1 + util_rand_below(255)));
	int fd;

	CU_ASSERT_FATAL((fd = open(path, O_WRONLY)) >= 0);
	CU_ASSERT_EQUAL(pwrite(fd, &c, 1, (off_t)off), 1);
	close(fd);
}

/* Bytes changed at sampled offsets of a cache (the header's every one,
 * then about 150 over the rest): each open shows the uncached truth, says
 * the cache was corrupt when its checksums could tell, and writes it
 * again. */
static void
test_corrupt_cache(void)
{
	const char *dir = util_tmpdir("cache-corrupt");
	unsigned t = 0;
	struct shown truth, got;
	char *path;
	size_t len, flagged = 0, tries = 0;
	char *orig;

	write_lines(dir, 3, 400, &t, "w");
	show(dir, false, &truth);
	show(dir, true, &got);
	shown_free(&got);
	path = only_cache();
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(orig = util_read_file(path, &len));
	for (size_t off = 0; off < len; off += off < 200 ? 1 :
	    1 + util_rand_below((unsigned)(len / 150) + 1)) {
		flip_byte(path, orig, off);
		show(dir, true, &got);
		CU_ASSERT_STRING_EQUAL(got.text, truth.text);
		flagged += got.corrupt > 0;
		tries++;
		shown_free(&got);
		/* rewritten: the same bytes as before */
		free(orig);
		CU_ASSERT_PTR_NOT_NULL_FATAL(orig = util_read_file(path, &len));
	}
	/* a cut cache, and an empty one */
	CU_ASSERT_EQUAL(truncate(path, (off_t)(len / 2)), 0);
	show(dir, true, &got);
	CU_ASSERT_STRING_EQUAL(got.text, truth.text);
	CU_ASSERT(got.corrupt > 0);
	shown_free(&got);
	CU_ASSERT_EQUAL(truncate(path, 0), 0);
	show(dir, true, &got);
	CU_ASSERT_STRING_EQUAL(got.text, truth.text);
	shown_free(&got);
	/* all but the few bytes no checksum covers (padding) are caught */
	CU_ASSERT(flagged * 10 >= tries * 9);
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
	free(orig);
	free(path);
	shown_free(&truth);
}

/* The caches of several files, read ahead by threads while the index
 * takes them in: one corrupt in its entries, one in its records, one cut,
 * and the others still used. */
static void
test_corrupt_many(void)
{
	const char *dir = new_logs("cache-corrupt-many", 300);
	static const char *const names[] = { "tool_executions.log",
		"llm_calls.log", "security.log" };
	static const double at[] = { 0.2, 0.9, 0.5 };
	struct shown truth, got;
	char path[512];

	show(dir, false, &truth);
	show(dir, true, &got);
	shown_free(&got);
	for (size_t i = 0; i < 3; i++) {
		char *idx, c;
		struct stat st;
		off_t off;
		int fd;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		idx = only_cache_of(path);
		CU_ASSERT_EQUAL_FATAL(stat(idx, &st), 0);
		off = (off_t)((double)st.st_size * at[i]);
		CU_ASSERT_FATAL((fd = open(idx, O_RDWR)) >= 0);
		if (i == 2) {
			CU_ASSERT_EQUAL(ftruncate(fd, off), 0);
		} else {
			CU_ASSERT_EQUAL(pread(fd, &c, 1, off), 1);
			c = (char)(c ^ 0x5a);
			CU_ASSERT_EQUAL(pwrite(fd, &c, 1, off), 1);
		}
		close(fd);
		free(idx);
	}
	show(dir, true, &got);
	CU_ASSERT_STRING_EQUAL(got.text, truth.text);
	CU_ASSERT(got.corrupt > 0);
	/* the three files read again, the other three not */
	CU_ASSERT(got.bytes_read > 0 && got.bytes_read < dir_bytes(dir));
	shown_free(&got);
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
	shown_free(&truth);
}

/* Another user's, or one open to others: never read. */
static void
test_cache_mode(void)
{
	const char *dir = new_logs("cache-mode", 50);
	char *path;

	same_as_uncached(dir);
	path = only_cache();
	CU_ASSERT_EQUAL(chmod(path, 0644), 0);
	CU_ASSERT(same_as_uncached(dir) > 0);	/* ignored, rewritten 0600 */
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
	free(path);
}

/* ---- compressed backups ---- */

static void
gzip_file(const char *from, const char *to)
{
	size_t len;
	char *text = util_read_file(from, &len);
	gzFile z = gzopen(to, "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(gzwrite(z, text, (unsigned)len), (int)len);
	gzclose(z);
	free(text);
}

static void
test_gz(void)
{
	const char *dir = util_tmpdir("gz");
	const char *plain = util_tmpdir("gz-plain");
	char a[512], b[512];
	struct shown x, y;
	unsigned t = 0;

	write_lines(dir, 2, 300, &t, "w");
	snprintf(a, sizeof a, "%s/tool_executions.log", dir);
	snprintf(b, sizeof b, "%s/tool_executions.log.1", plain);
	CU_ASSERT_EQUAL(rename(a, b), 0);
	snprintf(a, sizeof a, "%s/tool_executions.log.1.gz", dir);
	gzip_file(b, a);
	write_lines(dir, 2, 30, &t, "w");
	{	/* the same live file beside the plain backup */
		char s[512], d[512];
		size_t len;
		char *text;
		FILE *fp;

		snprintf(s, sizeof s, "%s/tool_executions.log", dir);
		snprintf(d, sizeof d, "%s/tool_executions.log", plain);
		text = util_read_file(s, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(d, "w"));
		fwrite(text, 1, len, fp);
		fclose(fp);
		free(text);
	}
	show(dir, false, &x);
	show(plain, false, &y);
	/* the entries and stats agree; only the paths and sizes differ */
	CU_ASSERT_NSTRING_EQUAL(x.text, y.text, strcspn(x.text, "/"));
	CU_ASSERT_EQUAL(x.unreadable, 0);
	shown_free(&x);
	shown_free(&y);
	same_as_uncached(dir);
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
}

/* A cut or corrupt backup gives the entries before the fault, and says
 * where it was. */
static void
gz_fault(bool cut)
{
	const char *dir = util_tmpdir(cut ? "gz-cut" : "gz-corrupt");
	char a[512], z[512], e_[256];
	const char *why;
	struct eng *e;
	size_t len, all;
	unsigned t = 0;
	char *data;
	FILE *fp;

	write_lines(dir, 3, 2000, &t, "w");
	snprintf(a, sizeof a, "%s/llm_calls.log", dir);
	snprintf(z, sizeof z, "%s/llm_calls.log.2.gz", dir);
	gzip_file(a, z);
	{
		const char *d = dir;

		e = eng_open(&d, 1, e_, sizeof e_);
		CU_ASSERT_EQUAL_FATAL(eng_load(e, e_, sizeof e_), 0);
		all = eng_count(e);
		eng_close(e);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(data = util_read_file(z, &len));
	if (cut)
		len /= 2;
	else
		data[len / 2] ^= 0x5a, data[len / 2 + 1] ^= 0xa5;
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(z, "w"));
	fwrite(data, 1, len, fp);
	fclose(fp);
	free(data);
	for (int pass = 0; pass < 3; pass++) {	/* no cache, cold, cached */
		const char *d = dir;

		e = eng_open(&d, 1, e_, sizeof e_);
		if (pass > 0)
			eng_cache_enable(e, cache_dir);
		CU_ASSERT_EQUAL_FATAL(eng_load(e, e_, sizeof e_), 0);
		/* the live file whole, some of the backup */
		CU_ASSERT(eng_count(e) > all / 2);
		if (cut)
			CU_ASSERT(eng_count(e) < all);
		CU_ASSERT_EQUAL(eng_unreadable_count(e), 1);
		why = eng_unreadable(e, 0, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(why);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "llm_calls.log.2.gz: "));
		CU_ASSERT_PTR_NOT_NULL(strstr(why, cut ? "cut short at byte" :
		    "corrupt at byte"));
		if (cut) {
			char want[64];

			snprintf(want, sizeof want, "at byte %zu:", len);
			CU_ASSERT_PTR_NOT_NULL(strstr(why, want));
		}
		eng_close(e);
	}
}

static void
test_gz_cut(void)
{
	gz_fault(true);
}

static void
test_gz_corrupt(void)
{
	gz_fault(false);
}

/* The values kept are looked up in the walk that reads a line's head
 * (parse_line_fields): they are what a walk of the line's own set reads,
 * for keys given twice or escaped, nested keys, and no value when the
 * line is not an entry of the file's category. */
static void
test_one_walk(void)
{
	static const struct { int cat; const char *line; bool have; } t[] = {
		{ LLMLOG_LLM, "{\"category\":\"llm\",\"model\":\"a\","
		    "\"prompt_tokens\":3,\"total_tokens\":1e999,"
		    "\"success\":true,\"model\":\"b\\u00e9\"}", true },
		{ LLMLOG_LLM, "{\"category\":\"LLM\",\"mod\\u0065l\":\"m\","
		    "\"x\":{\"provider\":\"nested\"},\"provider\":null,"
		    "\"timestamp\":\"2026-11-01T00:00:00Z\","
		    "\"duration_ms\":-0.5e2,\"trace_id\":\"ab\"}", true },
		{ LLMLOG_TOOL, "{\"tool_name\":\"t\",\"category\":\"tool\","
		    "\"parameters\":{\"a\":[1,2]},\"success\":false}", true },
		{ LLMLOG_USER, "{\"category\":\"tool\",\"tool_name\":\"t\","
		    "\"success\":false}", false },
		{ LLMLOG_USER, "{\"user_input\":\"hi\",\"success\":true}",
		    false },
		{ LLMLOG_SECURITY, "{\"category\":\"security\",\"allowed\":",
		    false },
		{ -1, "{\"category\":\"user\",\"success\":true}", false },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *s = t[i].line;
		size_t n = strlen(s), k = 0;
		struct line_info a, b;
		struct fields f, g;
		bool have = parse_line_fields(s, n, t[i].cat, &a, &f);

		parse_line(s, n, t[i].cat, &b);
		CU_ASSERT_EQUAL(have, t[i].have);
		CU_ASSERT(a.time == b.time && a.category == b.category &&
		    a.level == b.level && a.flags == b.flags);
		if (!have)
			continue;
		CU_ASSERT_FATAL(fields_read(s, n, a.category, &g));
		for (const enum field *x = fields_set(a.category);
		    *x != NFIELDS; x++, k++) {
			CU_ASSERT_EQUAL(f.v[k].kind, g.v[k].kind);
			if (f.v[k].kind == JSCAN_NONE)
				continue;
			CU_ASSERT(f.v[k].s == g.v[k].s && f.v[k].n == g.v[k].n &&
			    f.v[k].escaped == g.v[k].escaped);
		}
		CU_ASSERT(k > 0);
	}
}

/* ---- the files' figures kept in their caches ---- */

/* The figures of n files taken from their caches, and nothing read. */
static void
taken(const char *dir, enum how how, size_t n)
{
	struct shown got;

	show_how(dir, true, how, &got);
	CU_ASSERT_EQUAL(got.parts_taken, n);
	if (got.parts_taken != n)
		fprintf(stderr, "\n%zu files' figures taken (%s), not %zu\n",
		    got.parts_taken, how_names[how], n);
	CU_ASSERT_EQUAL(got.bytes_read, 0);
	shown_free(&got);
}

/* A cache written by a load that counted no report has no figures: the
 * first load that counts one counts them and writes them, the next
 * takes them, whichever of the two kinds it is. */
static void
test_parts(void)
{
	const char *dir = new_logs("cache-parts", 300);
	struct shown got;

	show(dir, true, &got);	/* the caches, without figures */
	shown_free(&got);
	taken(dir, ONLY, 0);
	taken(dir, ONLY, 6);
	taken(dir, ON_LOAD, 6);
	taken(dir, AFTER, 0);	/* no report on load: none taken */
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
}

/* The live file grew: its figures are taken for what the cache holds,
 * the new lines counted after them, and written again with them. */
static void
test_parts_grow(void)
{
	const char *dir = new_logs("cache-parts-grow", 300);
	unsigned t = 5000;
	struct shown truth, got;

	same_as_uncached(dir);
	taken(dir, ONLY, 6);
	write_lines(dir, 3, 200, &t, "a");
	write_lines(dir, 0, 3, &t, "a");
	show(dir, false, &truth);
	show_how(dir, true, ONLY, &got);
	CU_ASSERT_STRING_EQUAL(got.text, truth.text);
	CU_ASSERT_EQUAL(got.parts_taken, 6);
	CU_ASSERT(got.bytes_read > 0);
	shown_free(&got);
	taken(dir, ON_LOAD, 6);
	shown_free(&truth);
}

/* A first load that counts a report alone writes each file's cache as
 * soon as the file is read, with its figures (their tables too, though
 * the report has none) and its values, over files of several index tasks
 * (8 MiB each): the next loads of every kind take them and read no
 * line. */
static void
test_parts_first(void)
{
	const char *dir = util_tmpdir("cache-parts-first");
	unsigned t = 0;
	struct shown truth, got;

	write_lines(dir, 3, 60000, &t, "w");	/* about 13 MiB */
	write_lines(dir, 2, 40000, &t, "w");
	write_lines(dir, 0, 500, &t, "w");
	CU_ASSERT(dir_bytes(dir) > (16u << 20));	/* one over 8 MiB */
	show(dir, false, &truth);
	show_how(dir, true, ONLY, &got);
	CU_ASSERT_STRING_EQUAL(got.text, truth.text);
	CU_ASSERT_EQUAL(got.parts_taken, 0);
	shown_free(&got);
	taken(dir, ON_LOAD, 3);
	taken(dir, AFTER, 0);	/* counted from the values kept */
	taken(dir, ONLY, 3);
	show_how(dir, true, ON_LOAD, &got);
	CU_ASSERT_STRING_EQUAL(got.text, truth.text);
	shown_free(&got);
	shown_free(&truth);
}

/* Days are counted in the local zone: figures counted in another are
 * not taken, but counted again (and written again). */
static void
test_parts_zone(void)
{
	const char *dir = new_logs("cache-parts-zone", 200);
	const char *tz = getenv("TZ");
	char *old = tz != NULL ? strdup(tz) : NULL;

	same_as_uncached(dir);
	taken(dir, ONLY, 6);
	setenv("TZ", "UTC+8", 1);
	tzset();
	taken(dir, ONLY, 0);
	taken(dir, ONLY, 6);
	CU_ASSERT_EQUAL(same_as_uncached(dir), 0);
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
	taken(dir, ON_LOAD, 0);
}

/* Bytes changed at sampled offsets of the figures, at the cache's end:
 * each load that takes them shows the uncached truth, says the cache was
 * corrupt and writes it again. */
static void
test_parts_corrupt(void)
{
	const char *dir = util_tmpdir("cache-parts-corrupt");
	unsigned t = 0;
	struct shown truth, got;
	struct stat st;
	size_t bare, len;
	char *path, *orig;
	bool only_saw;

	write_lines(dir, 3, 400, &t, "w");
	show(dir, false, &truth);
	show(dir, true, &got);	/* without figures */
	shown_free(&got);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path = only_cache());
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	bare = (size_t)st.st_size;
	taken(dir, ONLY, 0);	/* written again, with them */
	CU_ASSERT_PTR_NOT_NULL_FATAL(orig = util_read_file(path, &len));
	CU_ASSERT_FATAL(len > bare + 100);
	for (size_t off = bare; off < len; off += 1 +
	    util_rand_below((unsigned)((len - bare) / 60) + 1)) {
		flip_byte(path, orig, off);
		/* a report alone reads no tables of a file it does not
		 * write again: what it shows is right either way */
		show_how(dir, true, ONLY, &got);
		CU_ASSERT_STRING_EQUAL(got.text, truth.text);
		only_saw = got.corrupt > 0;
		shown_free(&got);
		if (!only_saw) {	/* the tables: the explorer reads them */
			show_how(dir, true, ON_LOAD, &got);
			CU_ASSERT_STRING_EQUAL(got.text, truth.text);
			CU_ASSERT(got.corrupt > 0);
			CU_ASSERT_EQUAL(got.parts_taken, 0);
			shown_free(&got);
		}
		taken(dir, ONLY, 1);	/* rewritten */
	}
	free(orig);
	free(path);
	shown_free(&truth);
}

/* The time order of what the caches hold is kept beside them: taken by
 * the next load (the new lines of a live file merged in after it), and
 * sorted again when it is corrupt or names other caches. */
static void
test_order(void)
{
	const char *dir = new_logs("cache-order", 300);
	unsigned t = 7000;
	struct shown truth, got;
	char cmd[1024], *path, *orig;
	size_t len, flagged = 0, tries = 0;

	/* the other tests' orders leave: this one's is the one there */
	snprintf(cmd, sizeof cmd, "rm -f %s/order-*.ord", cache_dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	same_as_uncached(dir);
	show(dir, false, &truth);
	show_how(dir, true, ONLY, &got);
	CU_ASSERT_STRING_EQUAL(got.text, truth.text);
	CU_ASSERT(got.order_taken > 0);
	shown_free(&got);
	shown_free(&truth);
	/* the live files grew: the order of what the caches held is
	 * taken, the new entries merged in */
	write_lines(dir, 2, 50, &t, "a");
	t = 10;		/* and some before all the others */
	write_lines(dir, 4, 30, &t, "a");
	show(dir, false, &truth);
	show_how(dir, true, AFTER, &got);
	CU_ASSERT_STRING_EQUAL(got.text, truth.text);
	CU_ASSERT(got.order_taken > 0);
	if (got.order_taken == 0)
		fprintf(stderr, "\nno order taken after appends\n");
	shown_free(&got);
	show_how(dir, true, ON_LOAD, &got);	/* kept again, with them */
	CU_ASSERT_STRING_EQUAL(got.text, truth.text);
	CU_ASSERT(got.order_taken > 0);
	shown_free(&got);
	/* corrupt at sampled offsets: the truth, said, written again */
	CU_ASSERT_PTR_NOT_NULL_FATAL(path = newest_cached("order-*.ord"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(orig = util_read_file(path, &len));
	for (size_t off = 0; off < len; off += off < 120 ? 1 :
	    1 + util_rand_below((unsigned)(len / 80) + 1)) {
		flip_byte(path, orig, off);
		show_how(dir, true, off % 2 ? ONLY : AFTER, &got);
		CU_ASSERT_STRING_EQUAL(got.text, truth.text);
		CU_ASSERT_EQUAL(got.order_taken, 0);
		flagged += got.corrupt > 0;
		tries++;
		shown_free(&got);
		show_how(dir, true, ONLY, &got);	/* written again */
		CU_ASSERT(got.order_taken > 0);
		shown_free(&got);
	}
	/* all but the head's padding and version are said corrupt */
	CU_ASSERT(flagged * 10 >= tries * 8);
	free(orig);
	free(path);
	shown_free(&truth);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "values read in the indexing walk", test_one_walk },
		{ "reopen unchanged reads no line", test_reopen_unchanged },
		{ "appends: only the new bytes", test_append },
		{ "rotation: caches follow renames", test_rotate },
		{ "truncation", test_truncate },
		{ "truncated under an open engine", test_truncate_open },
		{ "values kept are the scanner's", test_kept_values },
		{ "values met again far apart", test_far_values },
		{ "replaced, same size and mtime", test_replaced },
		{ "corrupted at sampled offsets", test_corrupt_cache },
		{ "several corrupt, read ahead", test_corrupt_many },
		{ "a cache open to others is ignored", test_cache_mode },
		{ "compressed backup", test_gz },
		{ "compressed backup cut", test_gz_cut },
		{ "compressed backup corrupt", test_gz_corrupt },
		{ "figures kept: written, then taken", test_parts },
		{ "figures kept: the live file grew", test_parts_grow },
		{ "figures kept: a first report alone", test_parts_first },
		{ "figures kept: of another zone", test_parts_zone },
		{ "figures kept: corrupt", test_parts_corrupt },
		{ "the time order kept", test_order },
		{ NULL, NULL }
	};

	cache_dir = util_tmpdir("cache-dir");
	return util_run("cache", tests);
}
