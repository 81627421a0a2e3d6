/*
 * parse.c - what one log line says about itself: time, level, category and
 * whether it is ours, foreign JSON or malformed.  Every line goes through
 * the one scanner's validating walk (jscan_line_find), which looks up the
 * keys on its way: a line is an entry only when it is one JSON object
 * (llmlog(1), HOW LINES ARE READ), and a key given twice says what its
 * last member says, here as in the summaries, the fields and the stats.
 */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

#define KEY(s) { s, sizeof s - 1 }

/* Our writer's keys, looked up on every line in the walk itself. */
enum { K_CATEGORY, K_TIMESTAMP, K_LEVEL, K_PARENT_SPAN, NHEAD };
static const struct jscan_key head_keys[NHEAD] = {
	[K_CATEGORY] = KEY("category"),
	[K_TIMESTAMP] = KEY("timestamp"),
	[K_LEVEL] = KEY("level"),
	[K_PARENT_SPAN] = KEY("parent_span_id"),	/* for the order */
};

/* Where other writers keep a line's time and level, first found first
 * taken (a null is not found); asked only of a line that lacks ours. */
static const struct jscan_key time_keys[] = {
	KEY("timestamp"), KEY("time"), KEY("@timestamp"), KEY("asctime"),
	KEY("ts"), KEY("datetime"), KEY("date"), KEY("created"),
};
#define NTIME (sizeof time_keys / sizeof time_keys[0])
static const struct jscan_key level_keys[] = {
	KEY("level"), KEY("levelname"), KEY("severity"), KEY("loglevel"),
	KEY("levelno"),
};
#define NLEVEL (sizeof level_keys / sizeof level_keys[0])

static struct jscan_key cat_names[LLMLOG_NCATEGORIES];
static pthread_once_t cat_once = PTHREAD_ONCE_INIT;

static void
cat_names_init(void)
{
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++) {
		cat_names[c].name = llmlog_category_name(c);
		cat_names[c].len = strlen(cat_names[c].name);
	}
}

/* enum llmlog_level / 10 - 1 */
static const struct jscan_key level_names[] = {
	KEY("DEBUG"), KEY("INFO"), KEY("WARNING"), KEY("ERROR"),
	KEY("CRITICAL"),
};

/*
 * A string value's decoded text, NUL-terminated, in small (64 bytes) or,
 * when longer, in memory the caller frees (*heap); NULL when v is not a
 * string or its text holds a NUL byte: no name, level or time has one, so
 * "user\u0000" is not user.
 */
#define SMALL_TEXT	64
static const char *
text_of(const struct jscan_value *v, char *small, char **heap, size_t *len)
{
	char *buf = small;

	*heap = NULL;
	if (v->kind != JSCAN_STRING)
		return NULL;
	if (v->n >= SMALL_TEXT)
		buf = *heap = eng_xmalloc(v->n + 1);
	*len = jscan_unescape(v, buf);
	buf[*len] = '\0';
	if (memchr(buf, '\0', *len) != NULL) {
		free(*heap);
		*heap = NULL;
		return NULL;
	}
	return buf;
}

/* Our writer's spelling, compared on the line's bytes. */
static int
exact_name(const struct jscan_value *v, const struct jscan_key *names,
    size_t n)
{
	if (v->kind != JSCAN_STRING || v->escaped)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (names[i].len == v->n && memcmp(names[i].name, v->s, v->n) == 0)
			return (int)i;
	return -1;
}

/* One of the six categories, in any case; -1 for anything else. */
static int
category_of(const struct jscan_value *v)
{
	char small[SMALL_TEXT], *heap;
	const char *t;
	size_t len;
	int c;

	pthread_once(&cat_once, cat_names_init);
	if ((c = exact_name(v, cat_names, LLMLOG_NCATEGORIES)) >= 0)
		return c;
	if ((t = text_of(v, small, &heap, &len)) == NULL)
		return -1;
	c = llmlog_category_parse(t);
	free(heap);
	return c;
}

/* A level as enum llmlog_level: a name or alias in any case, or a level
 * number, as llmlog_level_parse reads them; an integer (levelno) rounded
 * down to a level, below 10 DEBUG, 50 and above CRITICAL.  -1 for none. */
static int
level_of(const struct jscan_value *v)
{
	char small[SMALL_TEXT], *heap;
	const char *t;
	size_t len;
	int64_t n;
	int l;

	switch (v->kind) {
	case JSCAN_STRING:
		if ((l = exact_name(v, level_names, 5)) >= 0)
			return (l + 1) * 10;
		if ((t = text_of(v, small, &heap, &len)) == NULL)
			return -1;
		l = llmlog_level_parse(t);
		free(heap);
		return l;
	case JSCAN_NUMBER:
		if (!jscan_int64(v, &n)) {
			/* past 64 bits: still an integer when it has no
			 * fraction and no exponent */
			if (memchr(v->s, '.', v->n) != NULL ||
			    memchr(v->s, 'e', v->n) != NULL ||
			    memchr(v->s, 'E', v->n) != NULL)
				return -1;
			n = *v->s == '-' ? INT64_MIN : INT64_MAX;
		}
		if (n < LLMLOG_DEBUG)
			return LLMLOG_DEBUG;
		return n >= LLMLOG_CRITICAL ? LLMLOG_CRITICAL : (int)(n / 10 * 10);
	default:
		return -1;
	}
}

/* Epoch numbers above these magnitudes are nanoseconds, microseconds and
 * milliseconds; below, seconds. */
#define EPOCH_NS	1e17
#define EPOCH_US	1e14
#define EPOCH_MS	1e11
#define EPOCH_MAX	9e18

/* A time: a string eng_time_parse_log reads, or epoch seconds, or ms, µs
 * or ns told apart by magnitude.  False when it cannot be read. */
static bool
time_of(const struct jscan_value *v, int64_t *t)
{
	char small[SMALL_TEXT], *heap;
	const char *s;
	size_t len;
	double d;
	int rc;

	switch (v->kind) {
	case JSCAN_STRING:
		if (!v->escaped)
			return eng_time_parse_log(v->s, v->n, t) == 0;
		if ((s = text_of(v, small, &heap, &len)) == NULL)
			return false;
		rc = eng_time_parse_log(s, len, t);
		free(heap);
		return rc == 0;
	case JSCAN_NUMBER:
		if (jscan_number(v, &d) != JSCAN_NUM_OK || d > EPOCH_MAX ||
		    d < -EPOCH_MAX)
			return false;
		if (d > EPOCH_NS || d < -EPOCH_NS)
			*t = (int64_t)(d / NS_PER_US);
		else if (d > EPOCH_US || d < -EPOCH_US)
			*t = (int64_t)d;
		else if (d > EPOCH_MS || d < -EPOCH_MS)
			*t = (int64_t)(d * (double)ENG_US_PER_MS);
		else
			*t = (int64_t)(d * (double)ENG_US_PER_SEC);
		return true;
	default:
		return false;
	}
}

/* The first of keys that is present and not null, or NULL. */
static const struct jscan_value *
first_found(const struct jscan_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind != JSCAN_NONE && v[i].kind != JSCAN_NULL)
			return &v[i];
	return NULL;
}

static bool
present(const struct jscan_value *v)
{
	return v->kind != JSCAN_NONE && v->kind != JSCAN_NULL;
}

/* The line's head into out; with nf keys more (fields_keys) whose values
 * go to fv, looked up in the same walk.  False when it is no object. */
static bool
line_head(const char *s, size_t n, int file_category, struct line_info *out,
    const struct jscan_key *fk, size_t nf, struct jscan_value *fv)
{
	struct jscan_key keys[NHEAD + FIELDS_MAX];
	struct jscan_value top, head[NHEAD + FIELDS_MAX], tv[NTIME], lv[NLEVEL];
	const struct jscan_value *t = &head[K_TIMESTAMP], *l = &head[K_LEVEL];
	int cat, lev;

	out->time = ENG_TIME_NONE;
	out->category = file_category < 0 ? ENG_CATEGORY_NONE :
	    (uint8_t)file_category;
	out->level = 0;
	out->flags = 0;
	memcpy(keys, head_keys, sizeof head_keys);
	if (nf > 0)	/* none of them is one of ours */
		memcpy(keys + NHEAD, fk, nf * sizeof *fk);
	if (n > ENG_LINE_MAX ||
	    jscan_line_find(s, n, &top, keys, NHEAD + nf, head) !=
	    JSCAN_OBJECT) {
		out->flags = ENTRY_MALFORMED | ENTRY_NO_TIME;
		return false;
	}
	if (nf > 0)
		memcpy(fv, head + NHEAD, nf * sizeof *fv);
	if ((cat = category_of(&head[K_CATEGORY])) >= 0)
		out->category = (uint8_t)cat;
	else
		out->flags |= ENTRY_FOREIGN;
	/* a line without our keys: another writer's names for them */
	if (!present(t)) {
		jscan_find(&top, time_keys, NTIME, tv);
		t = first_found(tv, NTIME);
	}
	if (!present(l)) {
		jscan_find(&top, level_keys, NLEVEL, lv);
		l = first_found(lv, NLEVEL);
	}
	if (t == NULL || !time_of(t, &out->time)) {
		out->time = ENG_TIME_NONE;
		out->flags |= ENTRY_NO_TIME;
	}
	if (l != NULL && (lev = level_of(l)) > 0)
		out->level = (uint8_t)(lev / 10);
	if (present(&head[K_PARENT_SPAN]))
		out->flags |= ENTRY_CHILD_SPAN;
	return true;
}

void
parse_line(const char *s, size_t n, int file_category, struct line_info *out)
{
	line_head(s, n, file_category, out, NULL, 0, NULL);
}

bool
parse_line_fields(const char *s, size_t n, int file_category,
    struct line_info *out, struct fields *f)
{
	const struct jscan_key *fk;
	size_t nf;

	if (file_category < 0 || file_category >= LLMLOG_NCATEGORIES) {
		parse_line(s, n, file_category, out);
		return false;
	}
	fk = fields_keys(file_category, &nf);
	fields_init(file_category, f);
	return line_head(s, n, file_category, out, fk, nf, f->v) &&
	    !(out->flags & ENTRY_FOREIGN) && out->category == file_category;
}
