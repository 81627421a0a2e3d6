/*
 * timeparse.c - the user's time grammar (llmlog(1), TIME SYNTAX) of --since,
 * --until and the UI's time filter, into microseconds since the epoch, UTC.
 * A time written without a zone is in the zone the times are shown in (UTC
 * or local), so a time copied from the screen finds its entry; an until
 * bound reaches to the end of the last unit written ("10:00" through
 * 10:00:59.999999), so the entry shown as ":12.813" is inside "-U ...:12".
 * Timestamps inside log lines are logtime.c's business.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine.h"
#include "engine-int.h"

/* Accepted forms, named in every error message. */
static const char time_forms[] =
    "expected \"YYYY-MM-DD\", \"YYYY-MM-DD HH:MM[:SS]\", \"HH:MM[:SS]\" "
    "(today), RFC 3339 (2024-01-12T10:00:00Z, 2024-01-12T10:00:00.5+01:00), "
    "a time ago (90s, 30m, 2h, 1d, 1w, 1M, 1y, 500ms, -1h), now, today, "
    "yesterday, tomorrow or @EPOCH";

/* A calendar time as written; zone_sec is valid when has_zone.  unit_us is
 * the length of the last unit written (a second, a minute, a millisecond
 * of ".123"); a bare date has none (a day, whose length the zone says). */
struct civil {
	int year, mon, day, hour, min, sec;
	int64_t frac_us;
	int64_t unit_us;
	bool has_time;
	bool has_zone;
	int zone_sec;
};

/* How one text is read: the flags of eng_time_parse_as, and what the
 * result depends on. */
struct how {
	unsigned flags;
	int64_t now_us;
	bool relative;		/* anchored on now_us: "30m", "now" */
};

/* Exactly `width` decimal digits at *p; advances *p. */
static int
digits(const char **p, const char *end, int width, int *out)
{
	int v = 0;

	if (end - *p < width)
		return -1;
	for (int i = 0; i < width; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += width;
	*out = v;
	return 0;
}

/* ".123456789" -> microseconds (extra digits are dropped, not rounded);
 * *unit becomes the value of the last digit kept (1000 after ".123"). */
static int
fraction(const char **p, const char *end, int64_t *out, int64_t *unit)
{
	int64_t us = 0, scale = ENG_US_PER_SEC / 10;
	const char *s = *p;

	if (s == end || (*s != '.' && *s != ','))
		return 0;
	s++;
	if (s == end || !isdigit((unsigned char)*s))
		return -1;
	for (; s < end && isdigit((unsigned char)*s); s++) {
		us += (*s - '0') * scale;
		if (scale > 0)
			*unit = scale;
		scale /= 10;
	}
	*p = s;
	*out = us;
	return 0;
}

/* "Z", "UTC", "+HH:MM", "+HHMM", "+HH" (or '-'), optionally after a space;
 * a colon needs its minutes ("+01:" is no zone). */
static int
zone(const char **p, const char *end, struct civil *c)
{
	const char *s = *p;
	int hh, mm = 0, sign;

	if (s < end && *s == ' ' && s + 1 < end)
		s++;
	if (s < end && (*s == 'Z' || *s == 'z')) {
		*p = s + 1;
		c->has_zone = true;
		c->zone_sec = 0;
		return 0;
	}
	if (end - s >= 3 && strncasecmp(s, "UTC", 3) == 0) {
		*p = s + 3;
		c->has_zone = true;
		c->zone_sec = 0;
		return 0;
	}
	if (s == end || (*s != '+' && *s != '-'))
		return 0;
	sign = *s++ == '-' ? -1 : 1;
	if (digits(&s, end, 2, &hh) != 0 || hh > 23)
		return -1;
	if (s < end && *s == ':') {
		s++;
		if (digits(&s, end, 2, &mm) != 0 || mm > 59)
			return -1;
	} else if (s < end && isdigit((unsigned char)*s) &&
	    (digits(&s, end, 2, &mm) != 0 || mm > 59))
		return -1;
	*p = s;
	c->has_zone = true;
	c->zone_sec = sign * (int)(hh * SEC_PER_HOUR + mm * SEC_PER_MIN);
	return 0;
}

static int
civil_time_of_day(const char **p, const char *end, struct civil *c)
{
	const char *s = *p;

	if (digits(&s, end, 2, &c->hour) != 0 || s == end || *s++ != ':' ||
	    digits(&s, end, 2, &c->min) != 0)
		return -1;
	c->unit_us = ENG_US_PER_MIN;
	if (s < end && *s == ':') {
		s++;
		c->unit_us = ENG_US_PER_SEC;
		if (digits(&s, end, 2, &c->sec) != 0 ||
		    fraction(&s, end, &c->frac_us, &c->unit_us) != 0)
			return -1;
	}
	if (c->hour > 23 || c->min > 59 || c->sec > 60)
		return -1;
	c->has_time = true;
	*p = s;
	return 0;
}

/* "YYYY-MM-DD[( |T)HH:MM[:SS[.frac]]][zone]", the whole of [s, end). */
static int
civil_parse(const char *s, const char *end, struct civil *c)
{
	memset(c, 0, sizeof *c);
	if (digits(&s, end, 4, &c->year) != 0 || s == end || *s++ != '-' ||
	    digits(&s, end, 2, &c->mon) != 0 || s == end || *s++ != '-' ||
	    digits(&s, end, 2, &c->day) != 0)
		return -1;
	if (c->mon < 1 || c->mon > 12 || c->day < 1 ||
	    (unsigned)c->day > days_in_month(c->year, (unsigned)c->mon))
		return -1;
	if (s < end && (*s == 'T' || *s == 't' || *s == ' ')) {
		s++;
		if (civil_time_of_day(&s, end, c) != 0)
			return -1;
		if (zone(&s, end, c) != 0)
			return -1;
	}
	return s == end ? 0 : -1;
}

static int64_t
civil_to_utc_us(const struct civil *c)
{
	int64_t secs;

	secs = days_from_civil(c->year, (unsigned)c->mon, (unsigned)c->day) *
	    SEC_PER_DAY + c->hour * SEC_PER_HOUR + c->min * SEC_PER_MIN +
	    c->sec - (c->has_zone ? c->zone_sec : 0);
	return secs * ENG_US_PER_SEC + c->frac_us;
}

/* A wall-clock time in the local zone (TZ); DST gaps move forward as
 * mktime() does.  A day past the month's end rolls over. */
static int64_t
civil_to_local_us(const struct civil *c)
{
	struct tm tm = { 0 };
	time_t t;

	tm.tm_year = c->year - 1900;
	tm.tm_mon = c->mon - 1;
	tm.tm_mday = c->day;
	tm.tm_hour = c->hour;
	tm.tm_min = c->min;
	tm.tm_sec = c->sec;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return (int64_t)t * ENG_US_PER_SEC + c->frac_us;
}

/* The instant a civil time names: its zone, else the displayed one; for
 * an until bound the last microsecond of the unit it ends with, the whole
 * day after a bare date. */
static int64_t
civil_to_us(struct civil c, const struct how *h)
{
	bool utc = c.has_zone || (h->flags & ENG_TIME_UTC);
	int64_t start = utc ? civil_to_utc_us(&c) : civil_to_local_us(&c);

	if (!(h->flags & ENG_TIME_UNTIL))
		return start;
	if (c.has_time)
		return start + c.unit_us - 1;
	c.day++;
	return (utc ? civil_to_utc_us(&c) : civil_to_local_us(&c)) - 1;
}

/* The day of now_us in the displayed zone, as a date. */
static void
civil_today(int64_t now_us, const struct how *h, struct civil *c)
{
	time_t now = (time_t)(now_us / ENG_US_PER_SEC);
	struct tm tm;

	if (h->flags & ENG_TIME_UTC)
		gmtime_r(&now, &tm);
	else
		localtime_r(&now, &tm);
	c->year = tm.tm_year + 1900;
	c->mon = tm.tm_mon + 1;
	c->day = tm.tm_mday;
}

/* Midnight `days_back` days before the day of now_us, in the displayed
 * zone (through that day's end for an until bound). */
static int64_t
midnight(const struct how *h, int days_back)
{
	struct civil c;

	memset(&c, 0, sizeof c);
	civil_today(h->now_us, h, &c);
	c.day -= days_back;
	if (c.day < 1) {
		/* the day count rolls a day past the month's end over, not
		 * one before its start */
		int64_t days = days_from_civil(c.year, (unsigned)c.mon, 1) +
		    c.day - 1;
		time_t t = (time_t)(days * SEC_PER_DAY);
		struct tm tm;

		gmtime_r(&t, &tm);
		c.year = tm.tm_year + 1900;
		c.mon = tm.tm_mon + 1;
		c.day = tm.tm_mday;
	}
	return civil_to_us(c, h);
}

/* systemd.time(7)'s month and year: 30.44 and 365.25 days. */
#define US_PER_MONTH	(ENG_US_PER_SEC * INT64_C(2629800))
#define US_PER_YEAR	(ENG_US_PER_SEC * INT64_C(31557600))

/* A span's unit, as systemd.time(7) names them: "M" is a month and "m" a
 * minute, so one-letter units keep their case; words take any. */
static int64_t
unit_us(const char *u, size_t n)
{
	static const struct {
		const char *name;
		int64_t us;
	} units[] = {
		{ "us", 1 }, { "usec", 1 }, { "\xc2\xb5s", 1 }, { "\xce\xbcs", 1 },
		{ "ms", ENG_US_PER_MS }, { "msec", ENG_US_PER_MS },
		{ "s", ENG_US_PER_SEC }, { "sec", ENG_US_PER_SEC },
		{ "secs", ENG_US_PER_SEC }, { "second", ENG_US_PER_SEC },
		{ "seconds", ENG_US_PER_SEC },
		{ "m", ENG_US_PER_MIN }, { "min", ENG_US_PER_MIN },
		{ "mins", ENG_US_PER_MIN }, { "minute", ENG_US_PER_MIN },
		{ "minutes", ENG_US_PER_MIN },
		{ "h", ENG_US_PER_HOUR }, { "hr", ENG_US_PER_HOUR },
		{ "hour", ENG_US_PER_HOUR }, { "hours", ENG_US_PER_HOUR },
		{ "d", ENG_US_PER_DAY }, { "day", ENG_US_PER_DAY },
		{ "days", ENG_US_PER_DAY },
		{ "w", 7 * ENG_US_PER_DAY }, { "week", 7 * ENG_US_PER_DAY },
		{ "weeks", 7 * ENG_US_PER_DAY },
		{ "M", US_PER_MONTH }, { "month", US_PER_MONTH },
		{ "months", US_PER_MONTH },
		{ "y", US_PER_YEAR }, { "year", US_PER_YEAR },
		{ "years", US_PER_YEAR },
	};

	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strlen(units[i].name) == n &&
		    (n == 1 ? units[i].name[0] == u[0] :
		    strncasecmp(units[i].name, u, n) == 0))
			return units[i].us;
	}
	return 0;
}

/* "30m", "1h30m", "-2h", "+1d", "90s ago": a span back from now ('+'
 * forward).  Every part needs a unit, so a bare "10" stays an error. */
static int
parse_relative(const char *s, const char *end, int64_t now_us, int64_t *out)
{
	int64_t total = 0;
	int sign = -1;
	bool any = false;

	if (s < end && (*s == '-' || *s == '+'))
		sign = *s++ == '+' ? 1 : -1;
	if (end - s > 4 && strncasecmp(end - 4, " ago", 4) == 0) {
		if (sign == 1)
			return -1;
		end -= 4;
	}
	while (s < end) {
		int64_t n = 0, u;
		const char *unit;

		while (s < end && *s == ' ')
			s++;
		if (s == end || !isdigit((unsigned char)*s))
			return -1;
		for (; s < end && isdigit((unsigned char)*s); s++) {
			if (n > INT64_C(1000000000))
				return -1;
			n = n * 10 + (*s - '0');
		}
		while (s < end && *s == ' ')
			s++;
		for (unit = s; s < end && (isalpha((unsigned char)*s) ||
		    (unsigned char)*s >= 0x80); s++)
			;
		if ((u = unit_us(unit, (size_t)(s - unit))) == 0)
			return -1;
		if (n > (INT64_MAX / 4 - total) / u)
			return -1;
		total += n * u;
		any = true;
	}
	if (!any)
		return -1;
	*out = now_us + sign * total;
	return 0;
}

/* "@1700000000" or "@1700000000.25" (negative allowed); as an until bound
 * through the end of the second (or of the fraction's last digit). */
static int
parse_epoch(const char *s, const char *end, const struct how *h,
    int64_t *out)
{
	int64_t secs = 0, frac = 0, unit = ENG_US_PER_SEC;
	bool neg = false;

	if (s < end && *s == '-') {
		neg = true;
		s++;
	}
	if (s == end || !isdigit((unsigned char)*s))
		return -1;
	for (; s < end && isdigit((unsigned char)*s); s++) {
		/* room for the microseconds too, a fraction's among them */
		if (secs > (INT64_MAX / ENG_US_PER_SEC - 1 - (*s - '0')) / 10)
			return -1;
		secs = secs * 10 + (*s - '0');
	}
	if (fraction(&s, end, &frac, &unit) != 0 || s != end)
		return -1;
	*out = (neg ? -1 : 1) * (secs * ENG_US_PER_SEC + frac);
	if (h->flags & ENG_TIME_UNTIL)
		*out += unit - 1;
	return 0;
}

/* Named days: the midnight that many days back. */
static const struct {
	const char *word;
	int days_back;
} day_words[] = {
	{ "today", 0 }, { "yesterday", 1 }, { "tomorrow", -1 },
};

/* "10:00", "10:00:05.5", "10:00Z": that time of the current day of the
 * zone it is read in. */
static int
parse_time_of_day(const char *s, const char *end, const struct how *h,
    int64_t *out)
{
	struct civil c;

	memset(&c, 0, sizeof c);
	if (civil_time_of_day(&s, end, &c) != 0 || zone(&s, end, &c) != 0 ||
	    s != end)
		return -1;
	if (c.has_zone) {
		/* the day of now where that zone is */
		struct how z = *h;

		z.flags |= ENG_TIME_UTC;
		civil_today(h->now_us + c.zone_sec * ENG_US_PER_SEC, &z, &c);
	} else
		civil_today(h->now_us, h, &c);
	*out = civil_to_us(c, h);
	return 0;
}

static int
parse_trimmed(const char *s, const char *end, struct how *h, int64_t *out)
{
	struct civil c;
	size_t n = (size_t)(end - s);

	if (n == 3 && strncasecmp(s, "now", 3) == 0) {
		h->relative = true;
		*out = h->now_us;
		return 0;
	}
	for (size_t i = 0; i < sizeof day_words / sizeof day_words[0]; i++) {
		if (strlen(day_words[i].word) == n &&
		    strncasecmp(s, day_words[i].word, n) == 0) {
			*out = midnight(h, day_words[i].days_back);
			return 0;
		}
	}
	if (n > 0 && *s == '@')
		return parse_epoch(s + 1, end, h, out);
	if (civil_parse(s, end, &c) == 0) {
		*out = civil_to_us(c, h);
		return 0;
	}
	if (parse_time_of_day(s, end, h, out) == 0)
		return 0;
	if (parse_relative(s, end, h->now_us, out) != 0)
		return -1;
	h->relative = true;
	return 0;
}

static int
parse_text(const char *text, struct how *h, int64_t *out_us, char *err,
    size_t errlen)
{
	const char *s = text, *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (parse_trimmed(s, end, h, out_us) == 0)
		return 0;
	if (err != NULL && errlen > 0) {
		struct strbuf b;

		/* the echo is the user's text made visible: a pasted
		 * escape sequence is shown, never run */
		strbuf_init(&b);
		eng_sanitize(&b, text, strlen(text));
		snprintf(err, errlen, "invalid time '%s': %s", b.s, time_forms);
		strbuf_free(&b);
	}
	return -1;
}

int
eng_time_parse_as(const char *text, int64_t now_us, unsigned flags,
    int64_t *out_us, char *err, size_t errlen)
{
	struct how h = { .flags = flags, .now_us = now_us };

	return parse_text(text, &h, out_us, err, errlen);
}

int
eng_time_parse(const char *text, int64_t now_us, int64_t *out_us, char *err,
    size_t errlen)
{
	return eng_time_parse_as(text, now_us, 0, out_us, err, errlen);
}

bool
eng_time_relative(const char *text)
{
	struct how h = { .now_us = 0 };
	int64_t t;

	return parse_text(text, &h, &t, NULL, 0) == 0 && h.relative;
}
