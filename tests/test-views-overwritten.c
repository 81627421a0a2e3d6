/*
 * test-views-overwritten.c - a line written over in place under the index,
 * so that no newline follows the entry's bytes any more: a view with a
 * pattern anchored at the end ($) must hold the entries whose bytes
 * (eng_line) match it, as matching them one by one does: the view's
 * block search trusts a block only for lines it holds between newlines
 * (line_framed in tui/engine/view.c).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "engine.h"
#include "util.h"

#define LINE	"{\"category\":\"user\",\"level\":\"INFO\",\"text\":\"line %02d\"}"
#define LINE_LEN	(sizeof LINE - 3)	/* "%02d" prints two characters */

/* Entries of the view of f, and those whose line f's regex matches. */
static void
count(struct eng *e, const struct eng_filter *f, size_t *viewed,
    size_t *matched)
{
	struct eng_filter none;
	struct eng_view *v = eng_view_new(e, f), *all;

	eng_filter_init(&none);
	all = eng_view_new(e, &none);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	*viewed = eng_view_count(v);
	*matched = 0;
	for (size_t i = 0; i < eng_view_count(all); i++) {
		size_t len;
		const char *s = eng_line(e, eng_view_get(all, i), &len);

		if (s != NULL && eng_regex_match(f->regex, s, len, 0, NULL,
		    NULL) == 1)
			(*matched)++;
	}
	eng_view_free(v);
	eng_view_free(all);
}

static void
test_end_anchor(void)
{
	const char *dir = util_tmpdir("overwritten");
	char path[4096], err[256], over[LINE_LEN + 3];
	struct eng_filter f;
	size_t viewed, matched;
	struct eng *e;
	FILE *fp;
	int fd;

	snprintf(path, sizeof path, "%s/user_interactions.log", dir);
	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	for (int i = 0; i < 20; i++)
		fprintf(fp, LINE "\n", i);
	CU_ASSERT_EQUAL_FATAL(fclose(fp), 0);
	e = eng_open(&dir, 1, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);

	/* the sixth line ends in "timeout", its newline and the next
	 * line's start written over too */
	memset(over, 'x', sizeof over);
	memcpy(over + LINE_LEN - 7, "timeout", 7);
	fd = open(path, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pwrite(fd, over, sizeof over, 5 * (LINE_LEN + 1)),
	    (ssize_t)sizeof over);
	CU_ASSERT_EQUAL(close(fd), 0);

	eng_filter_init(&f);
	f.regex = eng_regex_new("timeout$", err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.regex);
	count(e, &f, &viewed, &matched);
	CU_ASSERT_EQUAL(matched, 1);
	CU_ASSERT_EQUAL(viewed, matched);
	eng_regex_free(f.regex);
	eng_close(e);
	/* removed even when the check fails: it is expected to, for now */
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "a $ at the end of a line written over", test_end_anchor },
		{ NULL, NULL },
	};

	return util_run("views of lines written over", tests);
}
