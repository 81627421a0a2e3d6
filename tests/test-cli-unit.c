/*
 * test-cli-unit.c - CUnit tests of the print mode's building blocks: the
 * time grammar (in UTC and in Europe/Berlin), the sanitiser, and the
 * --stats report layout (data-driven: tests/data/cli/report/<case>/, a
 * stats object as eng_stats_json() makes it and the text it must give).
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>

#include "engine.h"
#include "report.h"
#include "util.h"

#define US INT64_C(1000000)

/* ---- helpers --------------------------------------------------------------- */

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* "2024-01-12T10:00:00" taken as UTC, plus microseconds. */
static int64_t
utc(const char *iso, int64_t frac_us)
{
	struct tm tm = { 0 };

	if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		abort();
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * US + frac_us;
}

/* ---- the time grammar ----------------------------------------------------- */

struct time_case {
	const char *tz;
	const char *now;	/* UTC; NULL: 2024-01-12T12:00:00 */
	const char *input;
	const char *expect;	/* UTC */
	int64_t frac_us;
};

static const struct time_case good_times[] = {
	{ "UTC", NULL, "2024-01-12 10:00", "2024-01-12T10:00:00", 0 },
	{ "UTC", NULL, "2024-01-12 10:00:05", "2024-01-12T10:00:05", 0 },
	{ "UTC", NULL, "2024-01-12", "2024-01-12T00:00:00", 0 },
	{ "UTC", NULL, "  2024-01-12 23:59  ", "2024-01-12T23:59:00", 0 },
	{ "UTC", NULL, "2024-01-12T10:00:00Z", "2024-01-12T10:00:00", 0 },
	{ "UTC", NULL, "2024-01-12T10:00:00.123Z", "2024-01-12T10:00:00", 123000 },
	{ "UTC", NULL, "2024-01-12T10:00:00.123456789Z", "2024-01-12T10:00:00", 123456 },
	{ "UTC", NULL, "2024-01-12T10:00:00+02:00", "2024-01-12T08:00:00", 0 },
	{ "UTC", NULL, "2024-01-12T10:00:00-0530", "2024-01-12T15:30:00", 0 },
	{ "UTC", NULL, "2024-01-12 10:00 UTC", "2024-01-12T10:00:00", 0 },
	{ "UTC", NULL, "2024-02-29 12:00", "2024-02-29T12:00:00", 0 },
	{ "UTC", NULL, "30m", "2024-01-12T11:30:00", 0 },
	{ "UTC", NULL, "2h", "2024-01-12T10:00:00", 0 },
	{ "UTC", NULL, "1d", "2024-01-11T12:00:00", 0 },
	{ "UTC", NULL, "1w", "2024-01-05T12:00:00", 0 },
	{ "UTC", NULL, "90s", "2024-01-12T11:58:30", 0 },
	{ "UTC", NULL, "-1h", "2024-01-12T11:00:00", 0 },
	{ "UTC", NULL, "+1h", "2024-01-12T13:00:00", 0 },
	{ "UTC", NULL, "1h30m", "2024-01-12T10:30:00", 0 },
	{ "UTC", NULL, "2 hours ago", "2024-01-12T10:00:00", 0 },
	{ "UTC", NULL, "now", "2024-01-12T12:00:00", 0 },
	{ "UTC", NULL, "NOW", "2024-01-12T12:00:00", 0 },
	{ "UTC", NULL, "today", "2024-01-12T00:00:00", 0 },
	{ "UTC", NULL, "yesterday", "2024-01-11T00:00:00", 0 },
	{ "UTC", NULL, "Tomorrow", "2024-01-13T00:00:00", 0 },
	{ "UTC", NULL, "10:15", "2024-01-12T10:15:00", 0 },
	{ "UTC", NULL, "23:59:59.5", "2024-01-12T23:59:59", 500000 },
	{ "UTC", NULL, "10:15+02:00", "2024-01-12T08:15:00", 0 },
	{ "UTC", NULL, "@1705060800", "2024-01-12T12:00:00", 0 },
	{ "UTC", NULL, "@1705060800.25", "2024-01-12T12:00:00", 250000 },
	{ "UTC", NULL, "@0", "1970-01-01T00:00:00", 0 },
	/* local time: CET in winter, CEST in summer; a zone wins */
	{ "Europe/Berlin", NULL, "2024-01-12 10:00", "2024-01-12T09:00:00", 0 },
	{ "Europe/Berlin", NULL, "2024-07-01 10:00:05", "2024-07-01T08:00:05", 0 },
	{ "Europe/Berlin", NULL, "2024-01-12", "2024-01-11T23:00:00", 0 },
	{ "Europe/Berlin", NULL, "2024-01-12T10:00:00Z", "2024-01-12T10:00:00", 0 },
	{ "Europe/Berlin", NULL, "2024-01-12T10:00:00+01:00", "2024-01-12T09:00:00", 0 },
	{ "Europe/Berlin", NULL, "2h", "2024-01-12T10:00:00", 0 },
	{ "Europe/Berlin", NULL, "@1705060800", "2024-01-12T12:00:00", 0 },
	/* 23:30 UTC is already the next day in Berlin */
	{ "Europe/Berlin", "2024-01-12T23:30:00", "today", "2024-01-12T23:00:00", 0 },
	{ "Europe/Berlin", "2024-01-12T23:30:00", "yesterday", "2024-01-11T23:00:00", 0 },
	{ "Europe/Berlin", "2024-01-12T23:30:00", "tomorrow", "2024-01-13T23:00:00", 0 },
	{ "Europe/Berlin", "2024-01-12T23:30:00", "10:00", "2024-01-13T09:00:00", 0 },
	/* yesterday across the switch to summer time is 23 hours long */
	{ "Europe/Berlin", "2024-03-31T12:00:00", "yesterday", "2024-03-29T23:00:00", 0 },
	{ "Europe/Berlin", "2024-03-31T12:00:00", "today", "2024-03-30T23:00:00", 0 },
};

static const char *const bad_times[] = {
	"", " ", "10", "1x", "h", "-", "+", "m30", "30 m m", "@", "@abc", "@1.",
	"@1e5", "2024-13-01", "2024-02-30", "2023-02-29", "2024-00-10",
	"2024-01-12 25:00", "2024-01-12 10:60", "2024-01-12 10", "2024-1-12",
	"2024-01-12T10:00:00+25:00", "2024-01-12T10:00:00Zjunk", "2024/01/12",
	"tomorrowish", "yesterday2", "nowish", "1d ago ago", "+1d ago",
	"99999999999w", "24:00", "12:00:00 junk", "1:00", "12:",
	"2024-01-12T10:00:00+01:", "10:00+01:", "2024-01-12 10:00 +1", "1Y",
	"1mo", "5 µ",
};

/* Durations as systemd.time(7) has them: "M" months, "m" minutes. */
static const struct time_case span_times[] = {
	{ "UTC", NULL, "1m", "2024-01-12T11:59:00", 0 },
	{ "UTC", NULL, "1min", "2024-01-12T11:59:00", 0 },
	{ "UTC", NULL, "1M", "2023-12-13T01:30:00", 0 },
	{ "UTC", NULL, "2 months", "2023-11-12T15:00:00", 0 },
	{ "UTC", NULL, "1y", "2023-01-12T06:00:00", 0 },
	{ "UTC", NULL, "1 year ago", "2023-01-12T06:00:00", 0 },
	{ "UTC", NULL, "1s500ms", "2024-01-12T11:59:58", 500000 },
	{ "UTC", NULL, "250msec", "2024-01-12T11:59:59", 750000 },
	{ "UTC", NULL, "1us", "2024-01-12T11:59:59", 999999 },
	{ "UTC", NULL, "3usec", "2024-01-12T11:59:59", 999997 },
	{ "UTC", NULL, "2\xc2\xb5s", "2024-01-12T11:59:59", 999998 },
	{ "UTC", NULL, "1H", NULL, 0 },
};

/* ENG_TIME_UTC: a time without a zone is UTC whatever TZ says;
 * ENG_TIME_UNTIL: through the end of the last unit written. */
static const struct {
	const char *tz, *now, *input;
	unsigned flags;
	const char *expect;
	int64_t frac_us;
} flag_times[] = {
	{ "America/New_York", NULL, "2024-01-12 17:50", 0,
	  "2024-01-12T22:50:00", 0 },
	{ "America/New_York", NULL, "2024-01-12 17:50", ENG_TIME_UTC,
	  "2024-01-12T17:50:00", 0 },
	{ "America/New_York", NULL, "2024-01-12", ENG_TIME_UTC,
	  "2024-01-12T00:00:00", 0 },
	{ "America/New_York", NULL, "2024-01-12 17:50-05:00", ENG_TIME_UTC,
	  "2024-01-12T22:50:00", 0 },
	/* 02:00 UTC is still the 11th in New York */
	{ "America/New_York", "2024-01-12T02:00:00", "today", 0,
	  "2024-01-11T05:00:00", 0 },
	{ "America/New_York", "2024-01-12T02:00:00", "today", ENG_TIME_UTC,
	  "2024-01-12T00:00:00", 0 },
	{ "America/New_York", "2024-01-12T02:00:00", "yesterday", ENG_TIME_UTC,
	  "2024-01-11T00:00:00", 0 },
	{ "America/New_York", "2024-03-01T02:00:00", "yesterday", ENG_TIME_UTC,
	  "2024-02-29T00:00:00", 0 },
	{ "America/New_York", "2024-01-12T02:00:00", "10:00", ENG_TIME_UTC,
	  "2024-01-12T10:00:00", 0 },
	{ "America/New_York", "2024-01-12T02:00:00", "10:00", 0,
	  "2024-01-11T15:00:00", 0 },
	{ "America/New_York", NULL, "30m", ENG_TIME_UTC,
	  "2024-01-12T11:30:00", 0 },
	/* until bounds */
	{ "UTC", NULL, "2024-01-12 10:00:12", ENG_TIME_UNTIL,
	  "2024-01-12T10:00:12", 999999 },
	{ "UTC", NULL, "2024-01-12 10:00", ENG_TIME_UNTIL,
	  "2024-01-12T10:00:59", 999999 },
	{ "UTC", NULL, "10:00", ENG_TIME_UNTIL, "2024-01-12T10:00:59", 999999 },
	{ "UTC", NULL, "2024-01-12T10:00:00.12Z", ENG_TIME_UNTIL,
	  "2024-01-12T10:00:00", 129999 },
	{ "UTC", NULL, "2024-01-12T10:00:00.1234567Z", ENG_TIME_UNTIL,
	  "2024-01-12T10:00:00", 123456 },
	{ "UTC", NULL, "2024-01-12", ENG_TIME_UNTIL, "2024-01-12T23:59:59",
	  999999 },
	{ "UTC", NULL, "2024-01-31", ENG_TIME_UNTIL, "2024-01-31T23:59:59",
	  999999 },
	{ "UTC", NULL, "2024-12-31", ENG_TIME_UNTIL, "2024-12-31T23:59:59",
	  999999 },
	{ "UTC", NULL, "today", ENG_TIME_UNTIL, "2024-01-12T23:59:59", 999999 },
	{ "UTC", NULL, "@1705060800", ENG_TIME_UNTIL, "2024-01-12T12:00:00",
	  999999 },
	{ "UTC", NULL, "@1705060800.25", ENG_TIME_UNTIL, "2024-01-12T12:00:00",
	  259999 },
	{ "UTC", NULL, "30m", ENG_TIME_UNTIL, "2024-01-12T11:30:00", 0 },
	{ "UTC", NULL, "now", ENG_TIME_UNTIL, "2024-01-12T12:00:00", 0 },
	/* the day the clocks go forward has 23 hours */
	{ "America/New_York", NULL, "2024-03-10", ENG_TIME_UNTIL,
	  "2024-03-11T03:59:59", 999999 },
	{ "America/New_York", NULL, "2024-03-10", ENG_TIME_UNTIL | ENG_TIME_UTC,
	  "2024-03-10T23:59:59", 999999 },
	{ "America/New_York", NULL, "2024-01-12 17:50", ENG_TIME_UNTIL |
	  ENG_TIME_UTC, "2024-01-12T17:50:59", 999999 },
};

static void
test_time_good(void)
{
	for (size_t i = 0; i < sizeof good_times / sizeof good_times[0]; i++) {
		const struct time_case *c = &good_times[i];
		int64_t now = utc(c->now ? c->now : "2024-01-12T12:00:00", 0);
		int64_t got = 0, want = utc(c->expect, c->frac_us);
		char err[512] = "";
		int rc;

		set_tz(c->tz);
		rc = eng_time_parse(c->input, now, &got, err, sizeof err);
		if (rc != 0 || got != want)
			fprintf(stderr, "\n  TZ=%s '%s': rc %d got %lld want %lld %s",
			    c->tz, c->input, rc, (long long)got,
			    (long long)want, err);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(got, want);
	}
	set_tz("UTC");
}

static void
test_time_spans(void)
{
	int64_t now = utc("2024-01-12T12:00:00", 0);

	set_tz("UTC");
	for (size_t i = 0; i < sizeof span_times / sizeof span_times[0]; i++) {
		const struct time_case *c = &span_times[i];
		int64_t got = 0;
		int rc = eng_time_parse(c->input, now, &got, NULL, 0);

		if (c->expect == NULL) {
			CU_ASSERT_EQUAL(rc, -1);
			continue;
		}
		if (rc != 0 || got != utc(c->expect, c->frac_us))
			fprintf(stderr, "\n  '%s': rc %d got %lld", c->input, rc,
			    (long long)got);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(got, utc(c->expect, c->frac_us));
		CU_ASSERT(eng_time_relative(c->input));
	}
}

static void
test_time_flags(void)
{
	for (size_t i = 0; i < sizeof flag_times / sizeof flag_times[0]; i++) {
		int64_t now = utc(flag_times[i].now ? flag_times[i].now :
		    "2024-01-12T12:00:00", 0);
		int64_t got = 0, want = utc(flag_times[i].expect,
		    flag_times[i].frac_us);
		int rc;

		set_tz(flag_times[i].tz);
		rc = eng_time_parse_as(flag_times[i].input, now,
		    flag_times[i].flags, &got, NULL, 0);
		if (rc != 0 || got != want)
			fprintf(stderr, "\n  TZ=%s '%s' flags %u: rc %d got "
			    "%lld want %lld", flag_times[i].tz,
			    flag_times[i].input, flag_times[i].flags, rc,
			    (long long)got, (long long)want);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(got, want);
	}
	set_tz("UTC");
	CU_ASSERT(eng_time_relative("now"));
	CU_ASSERT(eng_time_relative("-1h"));
	CU_ASSERT(!eng_time_relative("today"));
	CU_ASSERT(!eng_time_relative("10:00"));
	CU_ASSERT(!eng_time_relative("@5"));
	CU_ASSERT(!eng_time_relative("2024-01-12"));
	CU_ASSERT(!eng_time_relative("junk"));
}

/* The echo of a bad time is made visible: an escape pasted into --since
 * reaches the terminal as text. */
static void
test_time_error_sanitised(void)
{
	char err[512];
	int64_t t;

	CU_ASSERT_EQUAL(eng_time_parse("\033[2J\xc2\x9b" "1m\xff", 0, &t, err,
	    sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'^[[2J\\x9b1m\\xff'"));
	CU_ASSERT_PTR_NULL(strchr(err, '\033'));
}

static void
test_time_bad(void)
{
	int64_t now = utc("2024-01-12T12:00:00", 0);

	set_tz("UTC");
	for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++) {
		char err[512] = "", quoted[64];
		int64_t got;
		int rc = eng_time_parse(bad_times[i], now, &got, err, sizeof err);

		if (rc == 0)
			fprintf(stderr, "\n  '%s' was accepted", bad_times[i]);
		CU_ASSERT_EQUAL(rc, -1);
		/* the message names the input and lists the forms */
		snprintf(quoted, sizeof quoted, "'%s'", bad_times[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, quoted));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "RFC 3339"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "@EPOCH"));
	}
}

/* ---- the sanitiser ---------------------------------------------------------- */

static const struct {
	const char *in;
	size_t len;		/* 0: strlen */
	const char *out;
} sanitize_cases[] = {
	{ "plain text", 0, "plain text" },
	{ "\033[31mred\033[0m", 0, "^[[31mred^[[0m" },
	{ "a\tb", 0, "a^Ib" },
	{ "line\nnext\r", 0, "line^Jnext^M" },
	{ "nul\0here", 8, "nul^@here" },
	{ "bell\a del\x7f", 0, "bell^G del^?" },
	{ "\x1f", 0, "^_" },
	{ "csi \xc2\x9b" "2J", 0, "csi \\x9b2J" },
	{ "c1 \xc2\x80 \xc2\x9f", 0, "c1 \\x80 \\x9f" },
	{ "nbsp \xc2\xa0 ok", 0, "nbsp \xc2\xa0 ok" },
	{ "rlo \xe2\x80\xae txt \xe2\x80\xac", 0, "rlo \\u202e txt \\u202c" },
	{ "isolate \xe2\x81\xa6 \xe2\x81\xa9", 0, "isolate \\u2066 \\u2069" },
	{ "\xe2\x80\xaa", 0, "\\u202a" },
	{ "alm \xd8\x9c ls \xe2\x80\xa8 ps \xe2\x80\xa9", 0,
	  "alm \\u061c ls \\u2028 ps \\u2029" },
	{ "arabic \xd8\x9b \xd8\x9d", 0, "arabic \xd8\x9b \xd8\x9d" },
	{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", 0,
	  "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80" },
	{ "bad \xff end", 0, "bad \\xff end" },
	{ "overlong \xc0\xaf", 0, "overlong \\xc0\\xaf" },
	{ "surrogate \xed\xa0\x80", 0, "surrogate \\xed\\xa0\\x80" },
	{ "too big \xf4\x90\x80\x80", 0, "too big \\xf4\\x90\\x80\\x80" },
	{ "cut \xe6\x97", 0, "cut \\xe6\\x97" },
	{ "lone \x80", 0, "lone \\x80" },
	{ "", 0, "" },
};

static void
test_sanitize(void)
{
	struct strbuf b;

	strbuf_init(&b);
	for (size_t i = 0; i < sizeof sanitize_cases / sizeof sanitize_cases[0];
	    i++) {
		size_t len = sanitize_cases[i].len ? sanitize_cases[i].len :
		    strlen(sanitize_cases[i].in);

		strbuf_reset(&b);
		eng_sanitize(&b, sanitize_cases[i].in, len);
		if (strcmp(b.s, sanitize_cases[i].out) != 0)
			fprintf(stderr, "\n  case %zu: got '%s'", i, b.s);
		CU_ASSERT_STRING_EQUAL(b.s, sanitize_cases[i].out);
	}
	strbuf_free(&b);
}

/* Every byte value alone: the output never holds a control byte. */
static void
test_sanitize_no_controls(void)
{
	struct strbuf b;

	strbuf_init(&b);
	for (int c = 0; c < 256; c++) {
		char in = (char)c;

		strbuf_reset(&b);
		eng_sanitize(&b, &in, 1);
		for (size_t i = 0; i < b.len; i++) {
			unsigned char o = (unsigned char)b.s[i];

			CU_ASSERT(o >= 0x20 && o < 0x7f);
		}
	}
	strbuf_free(&b);
}

/* Random bytes (util_rand: a failure repeats with its seed): the
 * sanitiser never lets a control byte through, never loses a printable
 * ASCII byte, and the time parser never reads past its input or
 * crashes. */
static void
test_random_input(void)
{
	struct strbuf b;
	char in[64], err[512];
	int64_t t;

	strbuf_init(&b);
	for (int round = 0; round < 20000; round++) {
		size_t n = util_rand_below(sizeof in - 1);
		size_t ascii = 0, kept = 0;

		for (size_t i = 0; i < n; i++) {
			/* bytes that matter: any byte, lead and continuation
			 * bytes of C1 and bidi codes, the time grammar's */
			static const char pick[] = "0123456789-:T Z+@.hmsdw"
			    "\xc2\x80\x9b\xe2\x80\xae\x81\xa6";
			unsigned r = util_rand_below(4);

			in[i] = r == 0 ? (char)util_rand_below(256) :
			    pick[util_rand_below(sizeof pick - 1)];
			if (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '\\')
				ascii++;
		}
		in[n] = '\0';
		strbuf_reset(&b);
		eng_sanitize(&b, in, n);
		for (size_t i = 0; i < b.len; i++) {
			unsigned char o = (unsigned char)b.s[i];

			CU_ASSERT_FATAL(o >= 0x20 && o != 0x7f);
			if (o < 0x7f && o != '\\')
				kept++;
		}
		CU_ASSERT(kept >= ascii);
		/* no raw C1 code, no raw bidi control */
		for (size_t i = 0; i + 1 < b.len; i++) {
			const unsigned char *o = (const unsigned char *)b.s + i;

			CU_ASSERT_FATAL(!(o[0] == 0xc2 && o[1] >= 0x80 &&
			    o[1] <= 0x9f));
			if (i + 2 < b.len && o[0] == 0xe2)
				CU_ASSERT_FATAL(!(o[1] == 0x80 && o[2] >= 0xaa &&
				    o[2] <= 0xae) && !(o[1] == 0x81 &&
				    o[2] >= 0xa6 && o[2] <= 0xa9));
		}
		eng_time_parse(in, 0, &t, err, sizeof err);
	}
	strbuf_free(&b);
}

/* ---- the report layout ---------------------------------------------------- */

static char *
print_report(json_object *j)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	report_print(j, true, ENG_TIME_NONE, 0, f);
	fclose(f);
	return text;
}

static void
test_report_cases(void)
{
	const char *base = SRCDIR "/data/cli/report";
	DIR *d = opendir(base);
	struct dirent *de;
	int ran = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL) {
		char path[4096], *want, *got;
		json_object *j;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/stats.json", base, de->d_name);
		j = json_object_from_file(path);
		snprintf(path, sizeof path, "%s/%s/expected", base, de->d_name);
		want = util_read_file(path, NULL);
		CU_ASSERT_PTR_NOT_NULL(j);
		CU_ASSERT_PTR_NOT_NULL(want);
		if (j == NULL || want == NULL) {
			free(want);
			json_object_put(j);
			continue;
		}
		got = print_report(j);
		if (strcmp(got, want) != 0)
			fprintf(stderr, "\n  report case %s differs; got:\n%s",
			    de->d_name, got);
		CU_ASSERT_STRING_EQUAL(got, want);
		free(got);
		free(want);
		json_object_put(j);
		ran++;
	}
	closedir(d);
	CU_ASSERT(ran >= 3);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "time: user time grammar", test_time_good },
		{ "time: rejected times", test_time_bad },
		{ "time: systemd durations", test_time_spans },
		{ "time: displayed zone, until bounds", test_time_flags },
		{ "time: error echo made visible", test_time_error_sanitised },
		{ "sanitize: table", test_sanitize },
		{ "sanitize: no control byte survives",
		    test_sanitize_no_controls },
		{ "sanitize: random input", test_random_input },
		{ "report: layout cases", test_report_cases },
		{ NULL, NULL },
	};

	return util_run("cli", tests);
}
