/*
 * test-prefilter.c - indexing only the lines a keyword and regex can pass:
 * for each case of data/prefilter/cases, the entries a view shows with the
 * prefilter equal those it shows over every line, matching raw lines and
 * decoded text; also background loads and following files that grow line
 * by line and half lines; and random needles over llmlog-simulate's files
 * and hostile lines, matched as decoded text, where a raw miss rules a
 * line out only when that is provably safe.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "engine.h"
#include "util.h"

#define CASES		SRCDIR "/data/prefilter/cases"
#define HUGE_BYTES	((3u << 20) / 2 + (2u << 20) / 3)	/* over 2 MiB */
#define LOAD_SECONDS	120	/* a background load that takes longer hangs */

static const char *dir;
static size_t limit_lines;	/* on which (a+)+$ hits its match limit */

static void
put(const char *name, const char *text, size_t n, int flags)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | flags, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, text, n), (ssize_t)n);
	close(fd);
}

static const char *const words[] = { "nmap", "Nmap", "NMAP", "scan",
    "résumé", "RÉSUMÉ", "a", "b", "x", "xyz", "2026", "é", "plain", "a b",
    "a\\tb", "word", "scanner", "ab", "zz" };
#define NWORDS (sizeof words / sizeof words[0])

/* One line of many kinds: ours, untimed, malformed (some ending in "a"
 * before one that starts with "b"), blank, with CR, padded to lengths
 * that put line ends all over the read blocks. */
static void
add_line(struct strbuf *b, unsigned i)
{
	unsigned kind = util_rand_below(100);
	unsigned pad = util_rand_below(util_rand_below(8) == 0 ? 6000 : 400);
	const char *w1 = words[util_rand_below(NWORDS)];
	const char *w2 = words[util_rand_below(NWORDS)];

	if (kind < 70)
		strbuf_printf(b, "{\"category\":\"tool\",\"timestamp\":"
		    "\"2026-11-26T%02u:%02u:%02u.%03uZ\",\"level\":\"%s\","
		    "\"event\":\"tool_execution\",\"tool_name\":\"%s\","
		    "\"result_summary\":\"%s ", i / 3600 % 24, i / 60 % 60,
		    i % 60, i % 1000, util_rand_below(5) ? "INFO" : "ERROR",
		    w1, w2);
	else if (kind < 78)
		strbuf_printf(b, "garbage %s %s ", w1, w2);
	else if (kind < 83)
		strbuf_printf(b, "b %s ", w1);
	else if (kind < 86) {
		strbuf_puts(b, util_rand_below(2) ? "\n" : "  \t\n");
		return;
	} else if (kind < 95)
		strbuf_printf(b, "{\"category\":\"tool\",\"level\":\"INFO\","
		    "\"note\":\"%s %s ", w1, w2);
	else
		strbuf_printf(b, "{\"category\":\"tool\",\"timestamp\":"
		    "\"2026-11-26T11:00:%02u.000Z\",\"level\":\"WARNING\","
		    "\"event\":\"tool_execution\",\"tool_name\":\"%s\"", i % 60,
		    w1);
	for (unsigned k = 0; k < pad; k++)
		strbuf_add(b, k % 7 == 6 ? " " : "p", 1);
	if (kind < 70 || (kind >= 86 && kind < 95))
		strbuf_puts(b, "\"}");
	else if (kind >= 95)
		strbuf_puts(b, "}");
	strbuf_puts(b, util_rand_below(10) == 0 ? " a" : "");
	strbuf_puts(b, util_rand_below(20) == 0 ? "\r\n" : "\n");
}

static void
make_fixture(void)
{
	struct strbuf b;
	char *huge;
	unsigned i;

	dir = util_tmpdir("prefilter");
	limit_lines = 0;
	strbuf_init(&b);
	/* over LOAD_CHUNK (8 MiB): two tasks, many read blocks */
	for (i = 0; b.len < (9u << 20); i++) {
		add_line(&b, i);
		/* lines on which (a+)+$ hits its match limit */
		if (i % 5000 == 2500) {
			strbuf_puts(&b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac\n");
			limit_lines++;
		}
	}
	put("tool_executions.log", b.s, b.len, O_TRUNC);
	strbuf_reset(&b);
	for (i = 0; i < 2000; i++)
		add_line(&b, i + 40000);
	put("security.log", b.s, b.len, O_TRUNC);
	/* a huge line (always indexed), then more */
	huge = malloc(HUGE_BYTES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
	memset(huge, 'a', HUGE_BYTES);
	memcpy(huge, "nmap résumé b", 14);
	put("security.log", huge, HUGE_BYTES, O_APPEND);
	free(huge);
	strbuf_reset(&b);
	strbuf_puts(&b, "\n");
	for (i = 0; i < 3000; i++)
		add_line(&b, i + 50000);
	put("security.log", b.s, b.len, O_APPEND);
	strbuf_reset(&b);
	for (i = 0; i < 50; i++)
		add_line(&b, i + 60000);
	strbuf_puts(&b, "{\"category\":\"user\",\"note\":\"nmap a");
	put("user_interactions.log", b.s, b.len, O_TRUNC);
	strbuf_reset(&b);
	for (i = 0; i < 300; i++)
		add_line(&b, i + 70000);
	put("tool_executions.log.1", b.s, b.len, O_TRUNC);
	strbuf_free(&b);
}

static void
remove_dir(void)
{
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

static struct eng *
open_dir_mode(const char *keyword, struct eng_regex *re, bool async, bool raw)
{
	char err[256];
	const char *d = dir;
	struct eng *e = eng_open(&d, 1, err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	if (keyword != NULL || re != NULL)
		eng_set_prefilter(e, keyword, re, raw);
	if (!async) {
		CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
		return e;
	}
	CU_ASSERT_EQUAL_FATAL(eng_load_async(e, err, sizeof err), 0);
	CU_ASSERT_EQUAL_FATAL(util_wait_loaded(e, LOAD_SECONDS, NULL, NULL),
	    0);
	return e;
}

/* The raw-line prefilter, whose every check below is exact. */
static struct eng *
open_dir(const char *keyword, struct eng_regex *re, bool async)
{
	return open_dir_mode(keyword, re, async, true);
}

static bool
huge_entry(const struct eng_entry *en)
{
	return en->length > (1u << 20);
}

static bool
same_entry(const struct eng_entry *a, const struct eng_entry *b)
{
	return a->time_us == b->time_us && a->offset == b->offset &&
	    a->file == b->file && a->length == b->length &&
	    a->category == b->category && a->level == b->level &&
	    a->flags == b->flags && a->source == b->source;
}

/* The prefiltered engine's view equals the full one's, entry for entry
 * (times of untimed lines too), with the same lines given up on. */
static int
compare(struct eng *full, struct eng *pre, const struct eng_filter *f,
    const char *what)
{
	struct eng_view *a = eng_view_new(full, f), *b = eng_view_new(pre, f);
	size_t n = eng_view_count(a), bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	if (eng_view_count(b) != n) {
		fprintf(stderr, "\n%s: %zu entries, %zu with the prefilter\n",
		    what, n, eng_view_count(b));
		bad++;
	}
	for (size_t i = 0; bad == 0 && i < n; i++)
		if (!same_entry(eng_view_get(a, i), eng_view_get(b, i))) {
			fprintf(stderr, "\n%s: entry %zu differs\n", what, i);
			bad++;
		}
	if (eng_view_regex_errors(a) != eng_view_regex_errors(b)) {
		fprintf(stderr, "\n%s: %zu lines given up on, %zu with the "
		    "prefilter\n", what, eng_view_regex_errors(a),
		    eng_view_regex_errors(b));
		bad++;
	}
	eng_view_free(a);
	eng_view_free(b);
	return bad == 0 ? 0 : -1;
}

/* What the prefilter indexed beyond what passes: huge lines and the lines
 * the regex gave up on, nothing else. */
static int
no_more_indexed(struct eng *pre, const struct eng_filter *f, const char *what)
{
	struct eng_filter all;
	struct eng_view *v, *pass;
	size_t others = 0, huge = 0;

	eng_filter_init(&all);
	v = eng_view_new(pre, &all);
	pass = eng_view_new(pre, f);
	for (size_t i = 0; i < eng_view_count(v); i++)
		if (huge_entry(eng_view_get(v, i)))
			huge++;
	for (size_t i = 0; i < eng_view_count(pass); i++)
		if (huge_entry(eng_view_get(pass, i)))
			huge--;
	others = eng_view_count(v) - eng_view_count(pass) - huge;
	if (others != eng_view_regex_errors(pass)) {
		fprintf(stderr, "\n%s: %zu lines indexed that do not pass\n",
		    what, others);
		others = 1;
	} else
		others = 0;
	eng_view_free(v);
	eng_view_free(pass);
	return others == 0 ? 0 : -1;
}

/* The view over every line keeps what matching each line alone keeps
 * (the truth both views are held to). */
static int
line_by_line(struct eng *full, struct eng_regex *re, const char *what)
{
	struct eng_filter all, f;
	struct eng_view *v, *pass;
	size_t want = 0, gave_up = 0, len;
	int rc, bad = 0;

	eng_filter_init(&all);
	eng_filter_init(&f);
	f.regex = re;
	f.raw = true;
	v = eng_view_new(full, &all);
	pass = eng_view_new(full, &f);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const char *s = eng_line(full, eng_view_get(v, i), &len);

		rc = s != NULL ? eng_regex_match(re, s, len, 0, NULL, NULL) :
		    -2;
		bad |= rc == -2 ? -1 : 0;
		want += rc == 1;
		gave_up += rc < 0;
	}
	if (bad != 0 || eng_view_count(pass) != want ||
	    eng_view_regex_errors(pass) != gave_up) {
		fprintf(stderr, "\n%s: the view keeps %zu (%zu given up on), "
		    "line by line %zu (%zu)\n", what, eng_view_count(pass),
		    eng_view_regex_errors(pass), want, gave_up);
		bad = -1;
	}
	eng_view_free(v);
	eng_view_free(pass);
	return bad;
}

static char *
field(char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

static void
test_cases(void)
{
	char line[512], err[256], what[600], *tab, *kw, *rx;
	struct eng *full, *pre;
	struct eng_regex *re;
	struct eng_filter f;
	FILE *in = fopen(CASES, "r");
	int failed = 0, ncases = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	make_fixture();
	full = open_dir(NULL, NULL, false);
	while (fgets(line, sizeof line, in) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		kw = field(line);
		rx = field(tab + 1);
		re = NULL;
		if (rx != NULL)
			CU_ASSERT_PTR_NOT_NULL_FATAL(re = eng_regex_new(rx,
			    err, sizeof err));
		eng_filter_init(&f);
		f.keyword = kw;
		f.regex = re;
		f.raw = true;
		snprintf(what, sizeof what, "keyword %s regex %s",
		    kw ? kw : "-", rx ? rx : "-");
		pre = open_dir(kw, re, false);
		if (compare(full, pre, &f, what) != 0 ||
		    no_more_indexed(pre, &f, what) != 0 ||
		    (kw == NULL && line_by_line(full, re, what) != 0))
			failed++;
		eng_close(pre);
		/* the same needles on decoded text */
		f.raw = false;
		pre = open_dir_mode(kw, re, false, false);
		if (compare(full, pre, &f, what) != 0)
			failed++;
		eng_close(pre);
		eng_regex_free(re);
		ncases++;
	}
	fclose(in);
	CU_ASSERT(ncases > 30);
	CU_ASSERT_EQUAL(failed, 0);
	eng_close(full);
	remove_dir();
}

/* The cases that give the lines up on reaching their limit are in the
 * table; here, the lines are there and counted. */
static void
test_limit_counted(void)
{
	char err[256];
	struct eng_regex *re = eng_regex_new("(a+)+$", err, sizeof err);
	struct eng_filter f;
	struct eng_view *v;
	struct eng *pre;

	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	make_fixture();
	pre = open_dir(NULL, re, false);
	eng_filter_init(&f);
	f.regex = re;
	f.raw = true;
	v = eng_view_new(pre, &f);
	CU_ASSERT(limit_lines >= 2);
	CU_ASSERT_EQUAL(eng_view_regex_errors(v), limit_lines);
	eng_view_free(v);
	eng_close(pre);
	eng_regex_free(re);
	remove_dir();
}

static void
test_async(void)
{
	static const char *const rx[] = { "nmap", "a\\sb", "^b", "x*" };
	char err[256], what[64];
	struct eng_filter f;
	struct eng *full, *pre;

	make_fixture();
	full = open_dir(NULL, NULL, false);
	for (size_t i = 0; i < sizeof rx / sizeof rx[0]; i++) {
		struct eng_regex *re = eng_regex_new(rx[i], err, sizeof err);

		CU_ASSERT_PTR_NOT_NULL_FATAL(re);
		eng_filter_init(&f);
		f.keyword = i == 0 ? "scan" : NULL;
		f.regex = re;
		f.raw = true;
		snprintf(what, sizeof what, "async %s", rx[i]);
		pre = open_dir(f.keyword, re, true);
		CU_ASSERT_EQUAL(compare(full, pre, &f, what), 0);
		CU_ASSERT_EQUAL(no_more_indexed(pre, &f, what), 0);
		eng_close(pre);
		eng_regex_free(re);
	}
	eng_close(full);
	remove_dir();
}

/* Grow a file by whole lines, half lines and a truncation; after each
 * step a prefiltered engine and a full one that follow it agree. */
static void
test_follow(void)
{
	static const char *const steps[] = {
		"{\"category\":\"user\",\"timestamp\":\"2026-11-26T10:00:01Z\","
		    "\"level\":\"INFO\",\"user_input\":\"nmap a\"}\n",
		"garbage without time\n{\"category\":\"user\",\"level\":\"INFO\"",
		",\"user_input\":\"half then nmap\"}\n",
		"b nmap untimed\n{\"category\":\"user\",\"timestamp\":"
		    "\"2026-11-26T10:00:05Z\",\"level\":\"INFO\","
		    "\"user_input\":\"other\"}\n",
		"nm",
		"ap broken\n",
		"nmap last, no newline",
		NULL,
	};
	char err[256];
	struct eng_regex *re = eng_regex_new("nmap|a\\sb", err, sizeof err);
	struct eng_filter f;
	struct eng *full, *pre;
	int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	dir = util_tmpdir("prefilter");
	put("user_interactions.log", "", 0, O_TRUNC);
	eng_filter_init(&f);
	f.regex = re;
	f.raw = true;
	full = open_dir(NULL, NULL, false);
	pre = open_dir(NULL, re, false);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; steps[i] != NULL; i++) {
			put("user_interactions.log", steps[i], strlen(steps[i]),
			    O_APPEND);
			eng_refresh(full);
			eng_refresh(pre);
			if (compare(full, pre, &f, steps[i]) != 0)
				bad++;
		}
		CU_ASSERT(eng_count(pre) < eng_count(full));
		/* truncated, to be written again: every entry leaves, and
		 * the file is read from the start */
		put("user_interactions.log", "", 0, O_TRUNC);
		eng_refresh(full);
		eng_refresh(pre);
		CU_ASSERT_EQUAL(eng_count(full), 0);
		CU_ASSERT_EQUAL(eng_count(pre), 0);
	}
	CU_ASSERT_EQUAL(bad, 0);
	eng_close(full);
	eng_close(pre);
	eng_regex_free(re);
	remove_dir();
}

/* Lines whose decoded text holds what their bytes do not: escapes, words
 * and numbers the summary writes, control bytes, C1 and bidi controls,
 * invalid UTF-8, a number past a double's range. */
static const char *const tricky[] = {
	"{\"category\":\"user\",\"timestamp\":\"2026-11-26T10:00:00.000Z\","
	    "\"level\":\"INFO\",\"event\":\"user_interaction\",\"pid\":1,"
	    "\"user_input\":\"caf\\u00e9 and \\u0072m -rf\",\"success\":true}",
	"{\"category\":\"security\",\"timestamp\":\"2026-11-26T10:00:01.000Z\","
	    "\"level\":\"WARNING\",\"event\":\"security_event\",\"pid\":1,"
	    "\"allowed\":false,\"action\":\"exec\",\"resource\":\"/bin/sh\"}",
	"{\"category\":\"tool\",\"timestamp\":\"2026-11-26T10:00:02.000Z\","
	    "\"level\":\"ERROR\",\"event\":\"tool_execution\",\"pid\":1,"
	    "\"tool_name\":\"t\\tab\",\"success\":false,\"duration_ms\":1e400}",
	"{\"category\":\"llm\",\"timestamp\":\"2026-11-26T10:00:03.000Z\","
	    "\"level\":\"INFO\",\"event\":\"llm_call\",\"pid\":1,\"provider\":"
	    "\"\\u0067roq\",\"model\":\"m\",\"prompt_tokens\":1413,"
	    "\"completion_tokens\":2e3,\"duration_ms\":0.05,\"streaming\":true}",
	"{\"category\":\"performance\",\"timestamp\":\"2026-11-26T10:00:04Z\","
	    "\"level\":\"INFO\",\"event\":\"metric\",\"pid\":1,\"operation\":"
	    "\"op\\u0000x\",\"duration_ms\":1234567.891,\"memory_mb\":12,"
	    "\"cpu_percent\":1e25}",
	"{\"category\":\"system\",\"timestamp\":\"2026-11-26T10:00:05.000Z\","
	    "\"level\":\"INFO\",\"event\":\"startup\",\"pid\":1,\"component\":"
	    "\"c\xc2\x85x\",\"message\":\"bidi \xe2\x80\xaeok \xff\xfe bad\"}",
	"{\"category\":\"tool\",\"level\":\"INFO\",\"note\":\"foreign\\nline\","
	    "\"message\":\"MSG\\/x\"}",
	"not json \x01 at all \\u0041",
	"{\"category\":\"user\",\"timestamp\":\"2026-11-26T10:00:06.000Z\","
	    "\"level\":\"INFO\",\"event\":\"user_interaction\",\"pid\":1,"
	    "\"user_input\":\"a\\nJob \\\"q\\\" \\\\u0041 x\\ty\\rMz\\/w\","
	    "\"success\":true}",
	"{\"category\":\"tool\",\"a\":[1,{\"b\":\"\\\"q\\\"\"},[]],\"c\":{}}",
	"{\"category\":\"user\",\"timestamp\":\"2026-11-26T10:00:07.000Z\","
	    "\"level\":\"INFO\",\"event\":\"user_interaction\",\"pid\":1,"
	    "\"user_input\":\"Rate\\u0020limit hit, rate li\\u006dit\","
	    "\"success\":true}",
	/* raw U+2028 and U+061C, shown as \u2028 and \u061c */
	"{\"category\":\"user\",\"timestamp\":\"2026-11-26T10:00:08.000Z\","
	    "\"level\":\"INFO\",\"event\":\"user_interaction\",\"pid\":1,"
	    "\"user_input\":\"x\xe2\x80\xa8y \xd8\x9cz\",\"success\":true}",
	NULL,
};

static const char *const needles[] = { "DENIED", "denied", "FAILED", "ok",
    "1,413", "413", "1413", "ms", "5ms", "rm", "rm -rf", "caf", "café",
    "tokens", "^A", "^I", "\\x", "\\u", "groq", "2,000", "e400", "400ms",
    "1e400ms", "e+25", "streaming", "ALLOWED", "MB", "12.0MB", "cpu",
    "tab", "^@", "opx", "op", "\"q\"", "- 1", "b:", "foreign", "line",
    "MSG/x", "ALLOWED|DENIED", "^DENIED", "ok$", "FAILED|groq", "[0-9]{4}",
    "a\\sb", "tool_name", "category: tool", "x", "e", "1", "_", "JJob",
    "Job", "aJob", "Iy", "xIy", "Mz", "MMz", "u0041", "q", "w",
    /* not words, but every match holds one (regex.c, required_words) */
    "Rate limit", "rate limit|groq", "timed? out", "rm -rf|x y", "Rate.limit",
    "ok 1", "FAILED 1", "tokens, ", "o?k", "ok+", "tok.ns", "den\\w+",
    "\\_", "e4?00ms", "Job \"q", "x\ty", "y Mz", "a\\.b", "JJob|x y",
    "cat: tool", "op x|", "$x", "\\d+ ms", "ALLOWED rm", "u2028y", "u061cz", NULL };

#define RANDOM_NEEDLES 120

static bool
ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* A random piece of a random line of the files, as a needle. */
static void
random_needle(const struct strbuf *all, char *out, size_t cap)
{
	size_t at = util_rand_below((unsigned)all->len), n;

	n = 1 + util_rand_below(util_rand_below(3) == 0 ? 12 : 5);
	if (n > all->len - at)
		n = all->len - at;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, all->s + at, n);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	if (out[0] == '\0')
		snprintf(out, cap, "ok");
}

/* The entries whose decoded text the filter's needles match, entry by
 * entry over every line. */
static size_t
decoded_reference(struct eng *full, const struct eng_filter *f)
{
	struct eng_filter all;
	struct eng_decoded d;
	struct eng_view *v;
	size_t want = 0, len;

	eng_filter_init(&all);
	v = eng_view_new(full, &all);
	eng_decoded_init(&d);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		const char *s = eng_line(full, en, &len);
		bool ok = true;

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		eng_decoded_build(&d, full, en, s, len);
		if (f->keyword != NULL) {
			/* a keyword is a caseless substring of a line
			 * (ASCII keywords only: the caller's choice) */
			size_t kn = strlen(f->keyword);

			ok = false;
			for (size_t k = 0; k < d.n && !ok; k++) {
				const char *t = d.text.s + d.line[k].off;

				for (size_t o = 0; o + kn <= d.line[k].len &&
				    !ok; o++)
					ok = strncasecmp(t + o, f->keyword,
					    kn) == 0;
			}
		}
		if (ok && f->regex != NULL)
			ok = eng_decoded_match(f->regex, &d) == 1;
		want += ok;
	}
	eng_decoded_free(&d);
	eng_view_free(v);
	return want;
}

static void
test_decoded(void)
{
	const char *sim = getenv("SIMULATE");
	char cmd[8192], word[64], err[256], what[256];
	struct strbuf all;
	struct eng *full, *pre;
	struct eng_filter f;
	FILE *in;
	int bad = 0;
	size_t nfixed = 0;

	while (needles[nfixed] != NULL)
		nfixed++;
	dir = util_tmpdir("prefilter");
	if (sim != NULL && *sim != '\0') {
		snprintf(cmd, sizeof cmd, "'%s' -d '%s' -n 1000 --backups 0 "
		    ">/dev/null 2>&1", sim, dir);
		CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	}
	snprintf(cmd, sizeof cmd, "cat '%s'/data/hostile/*/*.log >>'%s'/"
	    "tool_executions.log", SRCDIR, dir);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	strbuf_init(&all);
	for (size_t i = 0; tricky[i] != NULL; i++) {
		/* in the file of its category: the summary is the file's */
		static const char *const files[][2] = {
			{ "\"user\"", "user_interactions.log" },
			{ "\"security\"", "security.log" },
			{ "\"llm\"", "llm_calls.log" },
			{ "\"performance\"", "performance.log" },
			{ "\"system\"", "system_health.log" },
		};
		const char *file = "tool_executions.log";

		for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
			if (strncmp(tricky[i] + strlen("{\"category\":"),
			    files[k][0], strlen(files[k][0])) == 0)
				file = files[k][1];
		strbuf_reset(&all);
		strbuf_printf(&all, "%s\n", tricky[i]);
		put(file, all.s, all.len, O_APPEND);
	}
	/* the needles are drawn from every byte of the files */
	strbuf_reset(&all);
	snprintf(cmd, sizeof cmd, "cat '%s'/*.log", dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in = popen(cmd, "r"));
	while (fgets(word, sizeof word, in) != NULL)
		strbuf_puts(&all, word);
	pclose(in);
	full = open_dir(NULL, NULL, false);
	for (size_t i = 0; i < nfixed * 2 + RANDOM_NEEDLES; i++) {
		struct eng_regex *re = NULL;
		bool as_regex = i < nfixed * 2 ? i % 2 == 1 :
		    util_rand_below(2) == 0;

		if (i < nfixed * 2)
			snprintf(word, sizeof word, "%s", needles[i / 2]);
		else
			random_needle(&all, word, sizeof word);
		eng_filter_init(&f);
		if (as_regex) {
			re = eng_regex_new(word, err, sizeof err);
			if (re == NULL)
				continue;
			f.regex = re;
		} else
			f.keyword = word;
		snprintf(what, sizeof what, "decoded %s \"%s\"", as_regex ?
		    "regex" : "keyword", word);
		pre = open_dir_mode(f.keyword, re, false, false);
		if (compare(full, pre, &f, what) != 0)
			bad++;
		else if (f.keyword == NULL || ascii(f.keyword)) {
			struct eng_view *v = eng_view_new(full, &f);
			size_t want = decoded_reference(full, &f);

			if (eng_view_count(v) != want) {
				fprintf(stderr, "\n%s: the view keeps %zu, entry "
				    "by entry %zu\n", what, eng_view_count(v),
				    want);
				bad++;
			}
			eng_view_free(v);
		}
		eng_close(pre);
		eng_regex_free(re);
	}
	CU_ASSERT_EQUAL(bad, 0);
	strbuf_free(&all);
	eng_close(full);
	remove_dir();
}

/* A needle that is not words but whose every match holds one is searched
 * for by those words: the lines without them are never indexed, and a
 * line that hides a word behind an escape still is.  A pattern the words
 * cannot be read from rules nothing out. */
static void
test_needles(void)
{
	static const char *const lines =
	    "{\"category\":\"user\",\"timestamp\":\"2026-11-26T10:00:00.000Z\","
	    "\"level\":\"INFO\",\"event\":\"user_interaction\","
	    "\"user_input\":\"Rate limit hit\",\"success\":true}\n"
	    "{\"category\":\"user\",\"timestamp\":\"2026-11-26T10:00:01.000Z\","
	    "\"level\":\"INFO\",\"event\":\"user_interaction\","
	    "\"user_input\":\"rm -rf /tmp/x\",\"success\":true}\n"
	    "{\"category\":\"user\",\"timestamp\":\"2026-11-26T10:00:02.000Z\","
	    "\"level\":\"INFO\",\"event\":\"user_interaction\","
	    "\"user_input\":\"nothing here\",\"success\":true}\n"
	    "{\"category\":\"user\",\"timestamp\":\"2026-11-26T10:00:03.000Z\","
	    "\"level\":\"INFO\",\"event\":\"user_interaction\","
	    "\"user_input\":\"Rate li\\u006dit\",\"success\":true}\n";
	static const struct {
		const char *pattern;
		bool keyword;
		size_t indexed, kept;
	} cases[] = {
		{ "Rate limit", false, 2, 2 },	/* the escaped line indexed */
		{ "Rate limit|rm -rf", false, 3, 3 },
		{ "rm -rf", true, 2, 1 },
		{ "Rate.l?imit", false, 2, 2 },
		{ "(Rate) limit", false, 4, 2 },	/* no needle */
		{ "[R]ate limit", false, 4, 2 },
	};
	char err[256];

	dir = util_tmpdir("prefilter-needles");
	put("user_interactions.log", lines, strlen(lines), O_TRUNC);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct eng_regex *re = NULL;
		struct eng_filter f;
		struct eng_view *v;
		struct eng *pre;

		eng_filter_init(&f);
		if (cases[i].keyword)
			f.keyword = cases[i].pattern;
		else {
			re = eng_regex_new(cases[i].pattern, err, sizeof err);
			CU_ASSERT_PTR_NOT_NULL_FATAL(re);
			f.regex = re;
		}
		pre = open_dir_mode(f.keyword, re, false, false);
		v = eng_view_new(pre, &f);
		if (eng_count(pre) != cases[i].indexed ||
		    eng_view_count(v) != cases[i].kept)
			fprintf(stderr, "\n\"%s\": %zu indexed, %zu kept\n",
			    cases[i].pattern, eng_count(pre),
			    eng_view_count(v));
		CU_ASSERT_EQUAL(eng_count(pre), cases[i].indexed);
		CU_ASSERT_EQUAL(eng_view_count(v), cases[i].kept);
		eng_view_free(v);
		eng_close(pre);
		eng_regex_free(re);
	}
	remove_dir();
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "cases", test_cases },
		{ "limit hit: indexed and counted", test_limit_counted },
		{ "background load", test_async },
		{ "follow", test_follow },
		{ "decoded text: random needles", test_decoded },
		{ "needles read from phrases", test_needles },
		{ NULL, NULL },
	};

	setenv("TZ", "UTC", 1);
	return util_run("prefilter", tests);
}
