/*
 * test-views.c - views against a reference: for random filters over files
 * with interleaved times, ties, untimed and malformed lines, each view must
 * hold, entry by entry, what filtering every entry and sorting by (time,
 * file, offset) gives; after follow appends (in order and out of order) and
 * through a background load too; and how many lines a regex gave up on.
 * Keyword, regex and where filters are negated (filter-out) at random.
 * The reference filter is written from the rules of llmlog(1) and of
 * struct eng_filter in engine.h, not from view.c.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"
#include "util.h"

#define NFILTERS	40
#define NSCANS		20	/* filters per step of test_scan */
#define LOAD_SECONDS	120	/* a background load that takes longer hangs */

static const char *dir;

static const char *const words[] = {
	"alpha", "Beta", "gamma", "DELTA", "timeout", "line",
};
#define NWORDS (sizeof words / sizeof words[0])

static const char *const patterns[] = {
	"alpha|gamma", "^garbage", "n=\\d*7\"", "Timeout",
};
#define NPATTERNS (sizeof patterns / sizeof patterns[0])

static void
make_dir(void)
{
	dir = util_tmpdir("views");
}

static void
remove_dir(void)
{
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/*
 * Append count lines to a category's file (backup 0: the current one),
 * about `base` seconds into the day, a third of a second apart on average
 * with whole seconds, so times tie within and across files; some lines
 * go back in time by up to `back` seconds, some have no time, some are
 * not JSON.
 */
static void
write_lines(int cat, int backup, int base, int count, int back, int serial)
{
	char path[4096], line[512];
	FILE *f;

	if (backup > 0)
		snprintf(path, sizeof path, "%s/%s.%d", dir,
		    llmlog_category_file(cat), backup);
	else
		snprintf(path, sizeof path, "%s/%s", dir,
		    llmlog_category_file(cat));
	f = fopen(path, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int i = 0; i < count; i++) {
		int t = base + i / 3 + (int)util_rand_below(2);
		int kind = (int)util_rand_below(20);
		const char *w = words[util_rand_below(NWORDS)];
		const char *lv = llmlog_level_name(
		    (enum llmlog_level)(10 * (1 + util_rand_below(5))));

		if (back > 0 && util_rand_below(8) == 0)
			t -= (int)util_rand_below((unsigned)back);
		if (i == 0 && back == 0 && serial > 0)
			kind = 2;	/* an append that starts timed */
		if (t < 0)
			t = 0;
		if (kind == 0)
			snprintf(line, sizeof line, "garbage line %d %s",
			    serial + i, w);
		else if (kind == 1 || (i == 0 && serial % 1000 == 0))
			snprintf(line, sizeof line, "{\"category\":\"%s\","
			    "\"level\":\"%s\",\"event\":\"untimed\","
			    "\"text\":\"%s n=%d\"}", llmlog_category_name(cat),
			    lv, w, serial + i);
		else
			snprintf(line, sizeof line, "{\"category\":\"%s\","
			    "\"timestamp\":\"2026-11-26T%02d:%02d:%02d.000Z\","
			    "\"level\":\"%s\",\"event\":\"e\",\"text\":"
			    "\"%s n=%d\"}", llmlog_category_name(cat),
			    t / 3600 % 24, t / 60 % 60, t % 60, lv, w,
			    serial + i);
		fprintf(f, "%s\n", line);
	}
	CU_ASSERT_EQUAL(fclose(f), 0);
}

static void
make_fixture(void)
{
	make_dir();
	write_lines(LLMLOG_USER, 1, 0, 300, 0, 0);
	write_lines(LLMLOG_USER, 0, 100, 400, 30, 1000);
	write_lines(LLMLOG_TOOL, 0, 0, 600, 60, 2000);
	write_lines(LLMLOG_LLM, 0, 50, 500, 5, 3000);
	write_lines(LLMLOG_SECURITY, 0, 150, 200, 0, 4000);
}

static struct eng *
open_dir(void)
{
	const char *d = dir;
	char err[256];
	struct eng *e = eng_open(&d, 1, err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	return e;
}

/* A filter and what the view made from it should hold. */
struct check {
	struct eng_filter f;
	struct eng_view *v;
	size_t n;			/* eng_view_count at the last look */
};

/* The where expression random filters may hold, negated or not. */
static struct eng_where *where_error;
static const bool where_flags[2] = { false, true };

static void
random_filter(struct eng_filter *f)
{
	char err[256];

	eng_filter_init(f);
	if (util_rand_below(2) == 0)
		f->categories = 1u +
		    util_rand_below((1u << LLMLOG_NCATEGORIES) - 1);
	if (util_rand_below(2) == 0)
		f->min_level = 10 * (int)util_rand_below(6);
	if (util_rand_below(4) == 0)
		f->since_us = (int64_t)1795651200 * 1000000 +
		    (int64_t)util_rand_below(400) * 1000000;
	if (util_rand_below(4) == 0)
		f->until_us = (int64_t)1795651200 * 1000000 +
		    (int64_t)util_rand_below(400) * 1000000;
	if (util_rand_below(4) == 0)
		f->keyword = words[util_rand_below(NWORDS)];
	if (util_rand_below(5) == 0) {
		f->regex = eng_regex_new(patterns[util_rand_below(NPATTERNS)],
		    err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL(f->regex);
	}
	f->raw = util_rand_below(2) == 0;
	/* filter-out: a third of the keywords and patterns negated */
	f->keyword_not = f->keyword != NULL && util_rand_below(3) == 0;
	f->regex_not = f->regex != NULL && util_rand_below(3) == 0;
	if (util_rand_below(4) == 0) {
		if (where_error == NULL)
			where_error = eng_where_new("level >= ERROR", 0, true,
			    err, sizeof err, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(where_error);
		f->where = &where_error;
		f->nwhere = 1;
		f->where_not = &where_flags[util_rand_below(2)];
	}
}

/*
 * The reference: each rule as llmlog(1) states it (DESCRIPTION, "all
 * filters combine"; OPTIONS --category to --regex) and as engine.h
 * states it on struct eng_filter and struct eng_entry, applied to every
 * entry on its own.
 */

/* --category: in one of the selected categories; no selection is all.
 * A line of no known category is in none. */
static bool
ref_category(const struct eng_filter *f, const struct eng_entry *en)
{
	if (f->categories == 0)
		return true;
	if (en->category == ENG_CATEGORY_NONE)
		return false;
	return (f->categories & (1u << en->category)) != 0;
}

/* --level: at the minimum or above.  A malformed line has no level and
 * passes; an entry that is not malformed and has no level fails. */
static bool
ref_level(const struct eng_filter *f, const struct eng_entry *en)
{
	if (f->min_level == 0 || (en->flags & ENTRY_MALFORMED))
		return true;
	return eng_entry_level(en) != 0 && eng_entry_level(en) >= f->min_level;
}

/* --since, --until: at or after, at or before.  An untimed entry has its
 * timed neighbour's time; one with none (ENG_TIME_NONE, no timed line
 * before it in its file) sorts before every time, so a since bound
 * leaves it out and an until bound keeps it. */
static bool
ref_time(const struct eng_filter *f, const struct eng_entry *en)
{
	bool unknown = en->time_us == ENG_TIME_NONE;

	if (f->since_us != ENG_TIME_NONE && (unknown ||
	    en->time_us < f->since_us))
		return false;
	if (f->until_us != ENG_TIME_NONE && !unknown &&
	    en->time_us > f->until_us)
		return false;
	return true;
}

/* --keyword: the line holds the word, ignoring case (the words are
 * ASCII, and so are the lines here but for NUL bytes). */
static bool
ref_keyword(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word), j;

	for (size_t i = 0; i + k <= n; i++) {
		for (j = 0; j < k; j++)
			if (tolower((unsigned char)s[i + j]) !=
			    tolower((unsigned char)word[j]))
				break;
		if (j == k)
			return true;
	}
	return false;
}

/* An entry's line as a view reads it: none when its file is gone or
 * now too short; whole, however long. */
static const char *
ref_line(struct eng *e, const struct eng_entry *en, size_t *n)
{
	static char *buf;
	static size_t cap;
	const struct file *f = e->files[en->file];
	ssize_t got;
	int fd;

	*n = en->length;
	if (cap < *n + 1) {
		free(buf);
		cap = *n + 1;
		buf = malloc(cap);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	if (f == NULL || f->gone || (fd = open(f->path, O_RDONLY)) < 0)
		return NULL;
	got = pread(fd, buf, *n, (off_t)en->offset);
	close(fd);
	return got == (ssize_t)*n ? buf : NULL;
}

/* Keyword and regex on a text of lines, as llmlog(1) states it: a match
 * in one of the lines, each alone (the regex: 1, 0, or -1 when it gave up
 * on one and matched none). */
static bool
ref_lines_keyword(const char *keyword, const struct eng_decoded *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (ref_keyword(d->text.s + d->line[i].off, d->line[i].len,
		    keyword))
			return true;
	return false;
}

static int
ref_lines_regex(struct eng_regex *re, const struct eng_decoded *d)
{
	bool gave_up = false;

	for (size_t i = 0; i < d->n; i++) {
		int rc = eng_regex_match(re, d->text.s + d->line[i].off,
		    d->line[i].len, 0, NULL, NULL);

		if (rc == 1)
			return 1;
		gave_up |= rc < 0;
	}
	return gave_up ? -1 : 0;
}

/*
 * Every rule but the category set, which the tab counts ignore
 * (eng_view_category_counts).  --regex: the line matches the pattern; a
 * line on which the pattern gives up (its match limit) is left out and
 * counted in *gave_up (eng_view_regex_errors) when the other rules let it
 * through.  Without raw, keyword and regex match the decoded text.
 */
static bool
ref_pass(struct eng *e, const struct eng_filter *f,
    const struct eng_entry *en, size_t *gave_up)
{
	static struct eng_decoded d;
	const char *s = NULL;
	size_t n = 0;
	int rc;

	if (!ref_level(f, en) || !ref_time(f, en))
		return false;
	if ((f->keyword != NULL || f->regex != NULL || f->nwhere > 0) &&
	    (s = ref_line(e, en, &n)) == NULL)
		return false;
	/* negated (keyword_not, regex_not, where_not): the opposite
	 * verdict, but a line the pattern gives up on stays out.  Without
	 * raw, both match the decoded text's lines, each alone. */
	if (!f->raw && (f->keyword != NULL || f->regex != NULL)) {
		if (d.text.s == NULL)
			eng_decoded_init(&d);
		eng_decoded_build(&d, e, en, s, n);
	}
	if (f->keyword != NULL && (f->raw ? ref_keyword(s, n, f->keyword) :
	    ref_lines_keyword(f->keyword, &d)) == f->keyword_not)
		return false;
	if (f->regex != NULL) {
		rc = f->raw ? eng_regex_match(f->regex, s, n, 0, NULL, NULL) :
		    ref_lines_regex(f->regex, &d);
		if (rc < 0)
			(*gave_up)++;
		if (rc < 0 || (rc == 1) == f->regex_not)
			return false;
	}
	/* where level >= ERROR: the entry's own level; a malformed line
	 * has none, so the comparison is false */
	return f->nwhere == 0 ||
	    (eng_entry_level(en) >= LLMLOG_ERROR) != *f->where_not;
}

static struct eng *sort_e;

/* A view's order (eng_view_new, llmlog(1) HOW LINES ARE READ): by time;
 * at equal times a trace's child entries (with a parent_span_id) first and
 * user interactions last; then in file order, that is by file and then by
 * place in the file. */
static int
same_time_group(const struct eng_entry *en)
{
	if (en->category == LLMLOG_USER)
		return 3;
	return en->flags & ENTRY_CHILD_SPAN ? 1 : 2;
}

static int
pos_cmp(const void *a, const void *b)
{
	const struct eng_entry *x = store_entry(sort_e, *(const uint32_t *)a);
	const struct eng_entry *y = store_entry(sort_e, *(const uint32_t *)b);

	if (x->time_us != y->time_us)
		return x->time_us < y->time_us ? -1 : 1;
	if (same_time_group(x) != same_time_group(y))
		return same_time_group(x) < same_time_group(y) ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* What a failing check prints: its filter. */
static void
print_filter(const struct eng_filter *f)
{
	fprintf(stderr, "filter: categories %#x, min_level %d, since %lld, "
	    "until %lld, keyword %s%s, regex %s%s, where %s, raw %d\n",
	    f->categories, f->min_level, (long long)f->since_us,
	    (long long)f->until_us,
	    f->keyword_not ? "!" : "", f->keyword != NULL ? f->keyword : "-",
	    f->regex_not ? "!" : "", f->regex != NULL ? "yes" : "-",
	    f->nwhere == 0 ? "-" : *f->where_not ? "negated" : "yes",
	    (int)f->raw);
}

/* The view against the reference, entry by entry, and its tab counts. */
static void
compare(struct eng *e, struct check *c)
{
	size_t counts[LLMLOG_NCATEGORIES] = { 0 }, got[LLMLOG_NCATEGORIES];
	uint32_t *ref = calloc(eng_count(e) + 1, sizeof *ref);
	size_t n = 0, gave_up = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	for (size_t i = 0; i < eng_count(e); i++) {
		const struct eng_entry *en = store_entry(e, i);

		if (!ref_pass(e, &c->f, en, &gave_up))
			continue;
		if (en->category != ENG_CATEGORY_NONE)
			counts[en->category]++;
		if (ref_category(&c->f, en))
			ref[n++] = (uint32_t)i;
	}
	sort_e = e;
	qsort(ref, n, sizeof *ref, pos_cmp);
	CU_ASSERT_EQUAL(eng_view_count(c->v), n);
	for (size_t i = 0; i < n && i < eng_view_count(c->v); i++) {
		if (eng_view_get(c->v, i) != store_entry(e, ref[i])) {
			CU_FAIL("view and reference differ");
			fprintf(stderr, "\nat %zu of %zu; ", i, n);
			print_filter(&c->f);
			break;
		}
	}
	eng_view_category_counts(c->v, got);
	CU_ASSERT(memcmp(got, counts, sizeof got) == 0);
	CU_ASSERT_EQUAL(eng_view_regex_errors(c->v), gave_up);
	c->n = eng_view_count(c->v);
	free(ref);
}

/* Random filters, the first of them one that lets every entry through
 * (a view of it copies the time order). */
static void
make_checks(struct eng *e, struct check *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			eng_filter_init(&c[i].f);
		else
			random_filter(&c[i].f);
		c[i].v = eng_view_new(e, &c[i].f);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[i].v);
		c[i].n = eng_view_count(c[i].v);
	}
}

/* Update every view: each must say how many entries it took in. */
static void
update_checks(struct eng *e, struct check *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t before = c[i].n, added = eng_view_update(c[i].v);
		CU_ASSERT_EQUAL(added, eng_view_count(c[i].v) - before);
		compare(e, &c[i]);
	}
}

static void
free_checks(struct check *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		eng_view_free(c[i].v);
		eng_regex_free(c[i].f.regex);
	}
}

static void
test_loaded(void)
{
	struct check c[NFILTERS];
	char err[256];
	struct eng *e;

	make_fixture();
	e = open_dir();
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	CU_ASSERT_EQUAL(eng_count(e), 2000);
	make_checks(e, c, NFILTERS);
	for (size_t i = 0; i < NFILTERS; i++)
		compare(e, &c[i]);
	free_checks(c, NFILTERS);
	eng_close(e);
	remove_dir();
}

/* Live tail: lines after the last, then lines from the past (a late
 * writer, ties with what is there), then after the last again. */
static void
test_follow(void)
{
	struct check c[NFILTERS], later[NFILTERS];
	char err[256];
	struct eng *e;

	make_fixture();
	e = open_dir();
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	make_checks(e, c, NFILTERS);

	write_lines(LLMLOG_TOOL, 0, 400, 50, 0, 5000);
	write_lines(LLMLOG_LLM, 0, 420, 30, 0, 5100);
	CU_ASSERT_EQUAL(eng_refresh(e), 80);
	update_checks(e, c, NFILTERS);

	write_lines(LLMLOG_USER, 0, 20, 60, 10, 6000);
	write_lines(LLMLOG_SECURITY, 0, 400, 10, 300, 6100);
	CU_ASSERT_EQUAL(eng_refresh(e), 70);
	update_checks(e, c, NFILTERS);
	make_checks(e, later, NFILTERS);
	for (size_t i = 0; i < NFILTERS; i++)
		compare(e, &later[i]);

	write_lines(LLMLOG_TOOL, 0, 500, 40, 0, 7000);
	CU_ASSERT_EQUAL(eng_refresh(e), 40);
	update_checks(e, c, NFILTERS);
	update_checks(e, later, NFILTERS);
	CU_ASSERT_EQUAL(eng_view_update(c[0].v), 0);

	free_checks(c, NFILTERS);
	free_checks(later, NFILTERS);
	eng_close(e);
	remove_dir();
}

/* A partial view holds the newest of what the reference gives: its
 * entries are the reference's last ones, in order. */
static void
compare_newest(struct eng *e, struct check *c)
{
	uint32_t *ref = calloc(eng_count(e) + 1, sizeof *ref);
	size_t n = 0, gave_up = 0, vn = eng_view_count(c->v);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	for (size_t i = 0; i < eng_count(e); i++) {
		const struct eng_entry *en = store_entry(e, i);

		if (ref_pass(e, &c->f, en, &gave_up) && ref_category(&c->f, en))
			ref[n++] = (uint32_t)i;
	}
	sort_e = e;
	qsort(ref, n, sizeof *ref, pos_cmp);
	CU_ASSERT(vn <= n);
	for (size_t i = 0; i < vn && vn <= n; i++) {
		if (eng_view_get(c->v, i) != store_entry(e, ref[n - vn + i])) {
			CU_FAIL("a partial view is not the newest entries");
			print_filter(&c->f);
			break;
		}
	}
	free(ref);
}

/* Views filled from their newest entries back (eng_view_new_partial), in
 * slices of any size: part filled they hold the newest entries the
 * reference gives, and take nothing new in; filled, all of them with the
 * counts; entries that arrive meanwhile (after the last and from the
 * past) join at the update after. */
static void
test_partial(void)
{
	struct check c[NFILTERS];
	size_t done, total;
	char err[256], path[4096];
	struct eng_removed gone;
	struct eng *e;

	make_fixture();
	e = open_dir();
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	for (size_t i = 0; i < NFILTERS; i++) {
		random_filter(&c[i].f);
		c[i].v = eng_view_new_partial(e, &c[i].f);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[i].v);
		for (int k = 0; k < 3 &&
		    eng_view_fill(c[i].v, 1 + util_rand_below(300)); k++) {
			compare_newest(e, &c[i]);
			CU_ASSERT(eng_view_partial(c[i].v, &done, &total));
			CU_ASSERT(done < total && total == eng_count(e));
		}
	}
	write_lines(LLMLOG_TOOL, 0, 400, 50, 0, 5000);
	write_lines(LLMLOG_USER, 0, 20, 60, 10, 6000);
	CU_ASSERT_EQUAL(eng_refresh(e), 110);
	for (size_t i = 0; i < NFILTERS; i++) {
		size_t before = eng_view_count(c[i].v);

		if (eng_view_partial(c[i].v, &done, &total))
			CU_ASSERT_EQUAL(eng_view_update(c[i].v), 0);
		CU_ASSERT_EQUAL(eng_view_count(c[i].v), before);
		while (eng_view_fill(c[i].v, 1 + util_rand_below(5000)))
			;
		CU_ASSERT(!eng_view_partial(c[i].v, &done, &total));
		c[i].n = eng_view_count(c[i].v);
	}
	update_checks(e, c, NFILTERS);
	free_checks(c, NFILTERS);

	/* entries leave while views are part filled: filled, they hold
	 * what the reference gives of those that stay */
	for (size_t i = 0; i < NFILTERS; i++) {
		random_filter(&c[i].f);
		c[i].v = eng_view_new_partial(e, &c[i].f);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[i].v);
		eng_view_fill(c[i].v, 1 + util_rand_below(500));
	}
	snprintf(path, sizeof path, "%s/%s.1", dir,
	    llmlog_category_file(LLMLOG_USER));
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT(eng_refresh(e) >= 0);
	eng_removed(e, &gone);
	CU_ASSERT(gone.deleted > 0);
	for (size_t i = 0; i < NFILTERS; i++) {
		for (size_t k = 0; k < eng_view_count(c[i].v); k++)
			CU_ASSERT(eng_line(e, eng_view_get(c[i].v, k),
			    &(size_t){ 0 }) != NULL);
		while (eng_view_fill(c[i].v, 1 + util_rand_below(5000)))
			;
		eng_view_update(c[i].v);
		compare(e, &c[i]);
	}
	free_checks(c, NFILTERS);
	eng_close(e);
	remove_dir();
}

/* Between refreshes of a background load: each view says how many
 * entries it took in. */
static void
take_new(void *arg)
{
	struct check *c = arg;

	for (size_t i = 0; i < NFILTERS; i++) {
		size_t added = eng_view_update(c[i].v);

		CU_ASSERT_EQUAL(c[i].n + added, eng_view_count(c[i].v));
		c[i].n += added;
	}
}

/* Entries leave: a backup deleted (a rotation's oldest), a file cut
 * short, a file renamed away from every log name, with lines added
 * between.  Views made before hold what the reference gives, counts too,
 * once updated; their positions are valid at once; what an update adds
 * is what eng_view_is_new says; stats count what fresh stats count. */
static void
test_leave(void)
{
	struct check c[NFILTERS];
	char err[256], from[600], to[600];
	struct eng_removed gone;
	struct eng_stats *st[NFILTERS];
	struct eng *e;

	make_fixture();
	write_lines(LLMLOG_LLM, 1, 0, 300, 10, 8000);
	e = open_dir();
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	CU_ASSERT_EQUAL(eng_count(e), 2300);
	make_checks(e, c, NFILTERS);
	for (size_t i = 0; i < NFILTERS; i++) {
		st[i] = eng_stats_new();
		eng_stats_update(st[i], c[i].v);
	}

	snprintf(from, sizeof from, "%s/%s.1", dir,
	    llmlog_category_file(LLMLOG_USER));
	CU_ASSERT_EQUAL(unlink(from), 0);
	snprintf(from, sizeof from, "%s/%s", dir,
	    llmlog_category_file(LLMLOG_TOOL));
	CU_ASSERT_EQUAL(truncate(from, 10000), 0);
	write_lines(LLMLOG_SECURITY, 0, 400, 10, 300, 6100);
	CU_ASSERT_EQUAL(eng_refresh(e), 10);
	eng_removed(e, &gone);
	CU_ASSERT_EQUAL(gone.deleted, 300);
	CU_ASSERT_EQUAL(gone.deleted_files, 1);
	CU_ASSERT(gone.truncated > 400 && gone.truncated < 600);
	CU_ASSERT_EQUAL(gone.truncated_files, 1);
	CU_ASSERT_EQUAL(eng_count(e), 2310 - 300 - gone.truncated);
	for (size_t i = 0; i < NFILTERS; i++) {
		size_t added, fresh = 0;

		/* readable before the update: every entry is one that stays */
		for (size_t k = 0; k < eng_view_count(c[i].v); k++)
			CU_ASSERT(eng_line(e, eng_view_get(c[i].v, k),
			    &(size_t){ 0 }) != NULL);
		added = eng_view_update(c[i].v);
		for (size_t k = 0; k < eng_view_count(c[i].v); k++)
			fresh += eng_view_is_new(c[i].v, k);
		CU_ASSERT_EQUAL(added, fresh);
		CU_ASSERT(added <= 10);
		compare(e, &c[i]);
	}

	/* renamed out of the log names: gone after two scans without it */
	snprintf(from, sizeof from, "%s/%s.1", dir,
	    llmlog_category_file(LLMLOG_LLM));
	snprintf(to, sizeof to, "%s/old-llm.txt", dir);
	CU_ASSERT_EQUAL(rename(from, to), 0);
	CU_ASSERT_EQUAL(eng_refresh(e), 0);
	CU_ASSERT_EQUAL(eng_refresh(e), 0);
	eng_removed(e, &gone);
	CU_ASSERT_EQUAL(gone.deleted, 600);
	CU_ASSERT_EQUAL(gone.deleted_files, 2);
	for (size_t i = 0; i < NFILTERS; i++) {
		struct eng_stats *fresh = eng_stats_new();
		json_object *a, *b;

		CU_ASSERT_EQUAL(eng_view_update(c[i].v), 0);
		compare(e, &c[i]);
		eng_stats_update(st[i], c[i].v);
		eng_stats_update(fresh, c[i].v);
		a = eng_stats_json(st[i]);
		b = eng_stats_json(fresh);
		CU_ASSERT_STRING_EQUAL(json_object_to_json_string(a),
		    json_object_to_json_string(b));
		json_object_put(a);
		json_object_put(b);
		eng_stats_free(fresh);
		eng_stats_free(st[i]);
	}
	free_checks(c, NFILTERS);
	eng_close(e);
	remove_dir();
}

/* The background load publishes the newest entries first: views made
 * before it starts and updated as it goes end up as a plain load's. */
static void
test_async(void)
{
	struct check c[NFILTERS];
	char err[256];
	struct eng *e;

	make_fixture();
	/* more than one load task for this file */
	write_lines(LLMLOG_TOOL, 0, 400, 20000, 100, 10000);
	e = open_dir();
	CU_ASSERT_EQUAL_FATAL(eng_load_async(e, err, sizeof err), 0);
	make_checks(e, c, NFILTERS);
	CU_ASSERT_EQUAL_FATAL(util_wait_loaded(e, LOAD_SECONDS, take_new, c),
	    0);
	eng_refresh(e);
	CU_ASSERT_EQUAL(eng_count(e), 22000);
	update_checks(e, c, NFILTERS);
	free_checks(c, NFILTERS);
	eng_close(e);
	remove_dir();
}

/* Keyword and regex filters over many entries at once (both threads, many
 * blocks per file): huge lines (a keyword past the first MiB is not seen),
 * lines on which a regex gives up (counted), empty lines, a NUL byte,
 * lines written over under the index, a file cut short under the index
 * and then re-read. */
static const char *const scan_words[] = {
	"alpha", "TimeOut", "gamma", "zz", "line", "n=1", "Security", "E\"}",
};
static const char *const scan_patterns[] = {
	"alpha|gamma", "^garbage", "n=\\d*7\"", "(a|aa)*c", "^$", "e.*}",
	"timeout$",
};

static void
write_odd(int cat)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, llmlog_category_file(cat));
	f = fopen(path, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int i = 0; i < 300; i++) {
		int kind = i % 6;

		if ((kind == 0 && i % 60 != 0) || (kind == 3 && i != 3))
			kind = 4;
		switch (kind) {
		case 0:
			/* the regex (a|aa)*c gives up here */
			fprintf(f, "%.*s b c timeout %d\n", 40 + i % 30,
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", i);
			break;
		case 1:
			fputs("\n", f);
			break;
		case 2:
			fprintf(f, "garbage%ctimeout alpha %d\n", 0, i);
			break;
		case 3:
			/* huge, longer than the read buffer: gamma at its
			 * start, zz past the first 2 MiB */
			fputs("{\"text\":\"gamma ", f);
			for (unsigned k = 0; k < (2u << 10) + 8; k++)
				fprintf(f, "%01023u ", k);
			fputs("zz timeout\"}\n", f);
			break;
		default:
			fprintf(f, "{\"category\":\"security\",\"level\":"
			    "\"info\",\"text\":\"zz line n=%d\"}\n", i);
			break;
		}
	}
	fputs("timeout alpha, not ended", f);
	CU_ASSERT_EQUAL(fclose(f), 0);
}

static void
scan_filters(struct eng *e, struct check *c, size_t n)
{
	size_t nwords = sizeof scan_words / sizeof scan_words[0];
	size_t npatterns = sizeof scan_patterns / sizeof scan_patterns[0];
	char err[256];

	for (size_t i = 0; i < n; i++) {
		struct eng_filter *f = &c[i].f;
		const char *pattern = NULL;

		eng_filter_init(f);
		if (i == 0) {
			/* whatever the seed, one filter gives up on lines */
			pattern = "(a|aa)*c";
		} else {
			if (util_rand_below(3) == 0)
				f->min_level = 10 * (int)util_rand_below(6);
			if (util_rand_below(4) == 0)
				f->categories = 1u + util_rand_below((1u <<
				    LLMLOG_NCATEGORIES) - 1);
			if (util_rand_below(3) != 0)
				f->keyword = scan_words[util_rand_below(
				    (unsigned)nwords)];
			if (f->keyword == NULL || util_rand_below(2) == 0)
				pattern = scan_patterns[util_rand_below(
				    (unsigned)npatterns)];
		}
		if (pattern != NULL) {
			f->regex = eng_regex_new(pattern, err, sizeof err);
			CU_ASSERT_PTR_NOT_NULL_FATAL(f->regex);
		}
		f->raw = i == 0 || util_rand_below(2) == 0;
		c[i].v = eng_view_new(e, f);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[i].v);
		compare(e, &c[i]);
	}
}

static void
test_scan(void)
{
	struct check c[NSCANS], over_c[NSCANS], cut[NSCANS], again[NSCANS];
	char err[256], path[4096], over[1000], inside[20000];
	int fd;
	size_t gave_up = 0, before;
	struct eng_removed gone;
	struct eng *e;

	make_dir();
	write_lines(LLMLOG_USER, 1, 0, 7000, 0, 0);
	write_lines(LLMLOG_USER, 0, 100, 9000, 30, 10000);
	write_lines(LLMLOG_TOOL, 0, 0, 12000, 60, 20000);
	write_odd(LLMLOG_SECURITY);
	write_lines(LLMLOG_SECURITY, 0, 300, 3000, 10, 40000);
	write_odd(LLMLOG_SECURITY);
	e = open_dir();
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	scan_filters(e, c, NSCANS);
	for (size_t i = 0; i < NSCANS; i++)
		gave_up += eng_view_regex_errors(c[i].v);
	CU_ASSERT(gave_up > 0);

	/* lines written over where the index points, with newlines
	 * elsewhere: each entry is still its bytes */
	snprintf(path, sizeof path, "%s/%s", dir,
	    llmlog_category_file(LLMLOG_USER));
	CU_ASSERT_FATAL((fd = open(path, O_RDWR)) >= 0);
	for (size_t i = 0; i < sizeof over; i++)
		over[i] = "ab timeout gamma\n c\tn=17\"}{"[i % 27];
	CU_ASSERT_EQUAL(pwrite(fd, over, sizeof over, 300000),
	    (ssize_t)sizeof over);
	/* and inside lines further on, their own newlines kept */
	CU_ASSERT_EQUAL_FATAL(pread(fd, inside, sizeof inside, 400000),
	    (ssize_t)sizeof inside);
	for (char *l = inside; (l = memchr(l, '\n', (size_t)(inside +
	    sizeof inside - l))) != NULL && l - inside < 18000; l += 50)
		memcpy(l + 10, "}\ntimeout c\nzz {\"", 17);
	CU_ASSERT_EQUAL(pwrite(fd, inside, sizeof inside, 400000),
	    (ssize_t)sizeof inside);
	CU_ASSERT_EQUAL(close(fd), 0);
	scan_filters(e, over_c, NSCANS);

	snprintf(path, sizeof path, "%s/%s", dir,
	    llmlog_category_file(LLMLOG_TOOL));
	CU_ASSERT_EQUAL_FATAL(truncate(path, 600000), 0);
	scan_filters(e, cut, NSCANS);
	/* the entries past the cut leave the index and every view at once
	 * (views that cannot tell their counts are filtered again at
	 * their update): the views made since the lines were written over
	 * hold what the reference gives again */
	before = eng_count(e);
	CU_ASSERT(eng_refresh(e) >= 0);
	eng_removed(e, &gone);
	CU_ASSERT(gone.truncated > 0 && gone.truncated_files == 1);
	CU_ASSERT_EQUAL(eng_count(e), before - gone.truncated);
	for (size_t i = 0; i < NSCANS; i++) {
		eng_view_update(over_c[i].v);
		compare(e, &over_c[i]);
		eng_view_update(cut[i].v);
		compare(e, &cut[i]);
	}
	scan_filters(e, again, NSCANS);

	free_checks(c, NSCANS);
	free_checks(over_c, NSCANS);
	free_checks(cut, NSCANS);
	free_checks(again, NSCANS);
	eng_close(e);
	remove_dir();
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "after a load", test_loaded },
		{ "follow, in order and out of order", test_follow },
		{ "filled from the newest entries", test_partial },
		{ "background load", test_async },
		{ "entries that leave", test_leave },
		{ "filters by file scans", test_scan },
		{ NULL, NULL },
	};

	int rc = util_run("views", tests);

	eng_where_free(where_error);
	return rc;
}
