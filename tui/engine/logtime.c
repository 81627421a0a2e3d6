/*
 * logtime.c - timestamps as found in log lines, and as shown: a fixed-format
 * parser fast enough to run once per line, epoch numbers, display formatting.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "engine-int.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm: a few integer operations, no table, no libc call). */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dim[m - 1];
}

static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static bool
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* A fraction's digits are read as millionths of its unit. */
#define FRAC_ONE	INT64_C(1000000)

/* Whole seconds, or milliseconds, micro- or nanoseconds since the epoch,
 * told apart by magnitude as other tools do; an optional fraction. */
static int
parse_epoch(const char *s, size_t n, int64_t *out)
{
	size_t i = 0, intdigits;
	int64_t v = 0, frac = 0, scale;
	bool neg = false;

	if (n > 0 && s[0] == '-') {
		neg = true;
		i++;
	}
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > INT64_MAX / 10 - 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	intdigits = i - neg;
	if (intdigits == 0)
		return -1;
	if (i < n && s[i] == '.') {
		int64_t f = FRAC_ONE / 10;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			frac += (s[i] - '0') * f;
			f /= 10;
		}
	}
	if (i != n)
		return -1;
	/* frac is in millionths of the unit the magnitude says; scale is
	 * the unit in microseconds */
	if (intdigits <= 11)
		scale = ENG_US_PER_SEC;
	else if (intdigits <= 14)
		scale = ENG_US_PER_MS;
	else if (intdigits <= 17)
		scale = 1;
	else {
		*out = (neg ? -v : v) / NS_PER_US;
		return 0;
	}
	if (v > INT64_MAX / scale - 1)
		return -1;
	frac = frac * scale / FRAC_ONE;
	v = v * scale + frac;
	*out = neg ? -v : v;
	return 0;
}

/* The local offset, asked of localtime_r once per quarter hour, which keeps
 * long listings cheap.  Most changes fall on a quarter hour, not all
 * (Africa/Monrovia went from -0:44:30 to GMT at 00:44:30 UTC): a quarter
 * whose first and last second differ holds a change, and each time in it
 * is asked for itself. */
#define OFFSET_STEP	(15 * SEC_PER_MIN)

static bool
offset_at(int64_t secs, long *off)
{
	time_t t = (time_t)secs;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return false;
	*off = tm.tm_gmtoff;
	return true;
}

long
local_offset(int64_t secs)
{
	static __thread int64_t cached_key = INT64_MIN;
	static __thread long cached_off;
	static __thread bool cached_changes;
	int64_t key = secs >= 0 ? secs / OFFSET_STEP :
	    (secs - (OFFSET_STEP - 1)) / OFFSET_STEP;
	long off, last;

	if (key != cached_key) {
		if (!offset_at(key * OFFSET_STEP, &off) ||
		    !offset_at(key * OFFSET_STEP + OFFSET_STEP - 1, &last))
			return 0;
		cached_off = off;
		cached_changes = off != last;
		cached_key = key;
	}
	if (cached_changes)
		return offset_at(secs, &off) ? off : 0;
	return cached_off;
}

/* Wall-clock seconds (a civil time counted as if it were UTC) in the local
 * zone, to UTC.  The offset at that moment comes from the cached
 * local_offset; only around a change of offset (where the guess does not
 * hold) does mktime decide. */
static int64_t
wall_to_utc(int64_t wall)
{
	int64_t guess = wall - local_offset(wall), days, rem;
	struct tm tm;
	unsigned mo, d;
	int y;

	if (local_offset(guess) == wall - guess)
		return guess;
	days = wall >= 0 ? wall / SEC_PER_DAY :
	    (wall - (SEC_PER_DAY - 1)) / SEC_PER_DAY;
	rem = wall - days * SEC_PER_DAY;
	civil_from_days(days, &y, &mo, &d);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)(rem / SEC_PER_HOUR);
	tm.tm_min = (int)(rem / SEC_PER_MIN % 60);
	tm.tm_sec = (int)(rem % SEC_PER_MIN);
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* A wall-clock time without a zone, as local time. */
static int64_t
local_to_utc(int y, unsigned mo, unsigned d, unsigned h, unsigned mi,
    unsigned sec)
{
	return wall_to_utc(days_from_civil(y, mo, d) * SEC_PER_DAY +
	    h * SEC_PER_HOUR + mi * SEC_PER_MIN + sec);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return a % b != 0 && a < 0 ? q - 1 : q;
}

int64_t
bucket_start(int64_t us, int64_t width_us, bool local)
{
	int64_t secs, wall_us, start;

	if (!local)
		return floor_div(us, width_us) * width_us;
	/* counted on the local clock: days from local midnight, hours from
	 * the local hour, whatever the offset */
	secs = floor_div(us, ENG_US_PER_SEC);
	wall_us = us + local_offset(secs) * ENG_US_PER_SEC;
	start = floor_div(wall_us, width_us) * width_us;
	secs = floor_div(start, ENG_US_PER_SEC);
	return wall_to_utc(secs) * ENG_US_PER_SEC + (start - secs *
	    ENG_US_PER_SEC);
}

/* "+05:30", "-0800", "+05", "Z"; the offset east of UTC in seconds. */
static int
parse_zone(const char *s, size_t n, int64_t *off)
{
	unsigned hh, mm = 0;

	if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
		*off = 0;
		return 0;
	}
	if (n == 3 && strncmp(s, "UTC", 3) == 0) {
		*off = 0;
		return 0;
	}
	if (n < 3 || (s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &hh))
		return -1;
	if (n == 6 && s[3] == ':') {
		if (!digits(s + 4, 2, &mm))
			return -1;
	} else if (n == 5) {
		if (!digits(s + 3, 2, &mm))
			return -1;
	} else if (n != 3)
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	*off = (hh * SEC_PER_HOUR + mm * SEC_PER_MIN) * (s[0] == '-' ? -1 : 1);
	return 0;
}

static inline unsigned
d2(const char *s)
{
	return (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
}

/* Our writer's form, "2026-11-26T11:16:32.123Z": fixed positions, and the
 * day looked up once per thread while it stays the same. */
static bool
parse_ours(const char *s, size_t n, int64_t *out_us)
{
	static __thread char day[10];
	static __thread int64_t day_secs;
	int64_t frac = 0, f = FRAC_ONE / 10;
	unsigned h, mi, sec;

	if (n < 20 || s[n - 1] != 'Z' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return false;
#define NOTDIGIT(i) ((unsigned)(s[i] - '0') > 9)
	if (NOTDIGIT(11) | NOTDIGIT(12) | NOTDIGIT(14) | NOTDIGIT(15) |
	    NOTDIGIT(17) | NOTDIGIT(18))
		return false;
	if (n > 20) {
		if (s[19] != '.' || n == 21)
			return false;
		for (size_t i = 20; i < n - 1; i++) {
			if ((unsigned)(s[i] - '0') > 9)
				return false;
			frac += (s[i] - '0') * f;
			f /= 10;
		}
	}
	h = d2(s + 11);
	mi = d2(s + 14);
	sec = d2(s + 17);
	if (h > 23 || mi > 59 || sec > 60)
		return false;
	if (memcmp(day, s, 10) != 0) {
		unsigned y = d2(s) * 100 + d2(s + 2), m = d2(s + 5),
		    d = d2(s + 8);
		if (NOTDIGIT(0) | NOTDIGIT(1) | NOTDIGIT(2) | NOTDIGIT(3) |
		    NOTDIGIT(5) | NOTDIGIT(6) | NOTDIGIT(8) | NOTDIGIT(9) ||
		    s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 ||
		    d > days_in_month(y, m))
			return false;
#undef NOTDIGIT
		day_secs = days_from_civil(y, m, d) * SEC_PER_DAY;
		memcpy(day, s, 10);
	}
	*out_us = (day_secs + h * SEC_PER_HOUR + mi * SEC_PER_MIN + sec) *
	    ENG_US_PER_SEC + frac;
	return true;
}

int
eng_time_parse_log(const char *s, size_t n, int64_t *out_us)
{
	if (parse_ours(s, n, out_us))
		return 0;
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac = 0, off = 0, secs;
	size_t i;
	bool zone = false;

	while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n < 10 || s[4] != '-')
		return parse_epoch(s, n, out_us);
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return -1;
	i = 10;
	if (i < n) {
		if ((s[i] != 'T' && s[i] != 't' && s[i] != ' ') || n < i + 6 ||
		    !digits(s + i + 1, 2, &h) || s[i + 3] != ':' ||
		    !digits(s + i + 4, 2, &mi))
			return -1;
		i += 6;
		if (i < n && s[i] == ':') {
			if (n < i + 3 || !digits(s + i + 1, 2, &sec))
				return -1;
			i += 3;
		}
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			int64_t f = FRAC_ONE / 10;
			size_t start = ++i;
			for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
				frac += (s[i] - '0') * f;
				f /= 10;
			}
			if (i == start)
				return -1;
		}
		if (i < n && s[i] == ' ')
			i++;
		if (i < n) {
			if (parse_zone(s + i, n - i, &off) != 0)
				return -1;
			zone = true;
		}
	}
	/* an impossible date (2026-02-31) is no time, never the one mktime
	 * or the day count would shift it to */
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	if (zone)
		secs = days_from_civil(y, mo, d) * SEC_PER_DAY +
		    h * SEC_PER_HOUR + mi * SEC_PER_MIN + sec - off;
	else
		secs = local_to_utc((int)y, mo, d, h, mi, sec);
	*out_us = secs * ENG_US_PER_SEC + frac;
	return 0;
}

void
eng_time_format(struct strbuf *out, int64_t us, bool utc)
{
	int64_t secs, days, rem;
	unsigned ms, m, d;
	int y;

	if (us == ENG_TIME_NONE) {
		strbuf_puts(out, "-                      ");
		return;
	}
	secs = us >= 0 ? us / ENG_US_PER_SEC :
	    (us - (ENG_US_PER_SEC - 1)) / ENG_US_PER_SEC;
	ms = (unsigned)((us - secs * ENG_US_PER_SEC) / ENG_US_PER_MS);
	if (!utc)
		secs += local_offset(secs);
	days = secs >= 0 ? secs / SEC_PER_DAY :
	    (secs - (SEC_PER_DAY - 1)) / SEC_PER_DAY;
	rem = secs - days * SEC_PER_DAY;
	civil_from_days(days, &y, &m, &d);
	strbuf_printf(out, "%04d-%02u-%02u %02u:%02u:%02u.%03u", y, m, d,
	    (unsigned)(rem / SEC_PER_HOUR),
	    (unsigned)(rem / SEC_PER_MIN % 60), (unsigned)(rem % SEC_PER_MIN),
	    ms);
}

int64_t
eng_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * ENG_US_PER_SEC + ts.tv_nsec / NS_PER_US;
}
