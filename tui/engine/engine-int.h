/*
 * engine-int.h - the engine's one private header, for every file of
 * tui/engine/: the files, the index (an append-only table of 32-byte
 * entries in fixed-size chunks, so entry pointers stay valid while it
 * grows), line classification, block reading, and each file's calls to
 * the others.  Tests of the engine's internals may include it; tui/cli/
 * and tui/ui/ never do (tests/test-layout.sh checks), they have engine.h.
 */
#ifndef LLMLOG_ENGINE_INT_H
#define LLMLOG_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "engine.h"

#define CHUNK_SHIFT	16
#define CHUNK_ENTRIES	(1u << CHUNK_SHIFT)
#define LINE_MAX_BYTES	(1u << 20)	/* longer lines are malformed */
#define BLOCK_BYTES	(1u << 20)	/* read size when scanning files */

struct file {
	char *path;
	unsigned source;
	int category;
	int backup;
	int fd;			/* -1 once the file is gone */
	dev_t dev;
	ino_t ino;
	uint64_t pos;		/* start of the first line not yet indexed */
	unsigned pending;	/* index tasks planned and not yet published */
	uint64_t pending_pos;	/* where they stop: pos once they are in */
	bool seen;		/* found by the current directory scan */
	size_t entries;
	int64_t first_us, last_us;
};

struct loader;
struct prefilter;

struct eng {
	char **dirs;
	size_t ndirs;

	struct file **files;
	size_t nfiles, files_cap;

	struct eng_entry **chunks;
	size_t nchunks, chunks_cap;
	size_t count;
	size_t malformed;

	int watch_fd;		/* inotify, or -1 */
	bool watch_tried;
	struct loader *loader;
	uint64_t load_total;	/* bytes, for eng_progress without a loader */
	struct prefilter *prefilter;	/* or NULL: index every line */

	uint32_t *order;	/* order.c: index positions in time order */
	size_t order_n, order_cap;
	uint64_t order_gen;	/* counts merges that were not appends */
};

static inline struct eng_entry *
store_entry(const struct eng *e, size_t i)
{
	return &e->chunks[i >> CHUNK_SHIFT][i & (CHUNK_ENTRIES - 1)];
}

/* store.c: the files and the index, at the bottom (engine.c holds the
 * lifecycle that calls it) */
void store_append(struct eng *e, const struct eng_entry *v, size_t n);
int store_scan(struct eng *e, char *err, size_t errlen);
void store_file_add_entries(struct file *f, const struct eng_entry *v,
    size_t n);

/* index.c: reading files into entries */
struct index_task {
	struct file *file;	/* touched by the main thread only */
	int fd;
	int category;
	uint32_t file_id;
	uint8_t source;
	uint64_t start, end;	/* lines starting in [start, end) */
	uint64_t limit;		/* read no further (the size when planned) */
	bool aligned;		/* start is known to be a line start */
	bool last;		/* the task that reaches the file's end */
	const struct prefilter *pf;	/* or NULL */
	/* results */
	struct eng_entry *v;
	size_t n, cap;
	size_t malformed;
	uint64_t incomplete;	/* start of a line with no newline before
				   limit, or UINT64_MAX */
	int error;		/* errno of a failed read */
};
#define INDEX_BUF_BYTES	(BLOCK_BYTES + LINE_MAX_BYTES)
/* Index one task, reading through buf (INDEX_BUF_BYTES). */
void index_run(struct index_task *t, char *buf);
/* Run tasks on up to nthreads threads (the caller's among them). */
void index_run_all(struct index_task *t, size_t n, int nthreads);
void index_task_free(struct index_task *t);
/* Plan tasks of about chunk bytes over every file's unindexed part. */
size_t index_plan(struct eng *e, struct index_task **out, uint64_t chunk,
    uint64_t *bytes);
/* Merge finished tasks into the index (file order within each task). */
void index_publish(struct eng *e, struct index_task *t);

/* Just past the closing quote of a JSON string whose body starts at s,
 * or NULL when it is not closed before e; *escaped when it holds a
 * backslash.  SSE2 looks at 16 bytes at a time where there is room. */
#ifdef __SSE2__
#include <emmintrin.h>
#endif
static inline const char *
json_string_end(const char *s, const char *e, bool *escaped)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\');
#endif

	for (;;) {
#ifdef __SSE2__
		if (e - s >= 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
			    _mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, b)));
			if (m == 0) {
				s += 16;
				continue;
			}
			s += __builtin_ctz(m);
		} else
#endif
		{
			while (s < e && *s != '"' && *s != '\\')
				s++;
			if (s >= e)
				return NULL;
		}
		if (*s == '"')
			return s + 1;
		*escaped = true;
		s += 2;
		if (s > e)
			return NULL;
	}
}

/* parse.c: what one line says */
struct line_info {
	int64_t time;
	uint8_t category;
	uint8_t level;
	uint8_t flags;
};
void parse_line(const char *s, size_t n, int file_category,
    struct line_info *out);

/* fields.c: what statistics read from a line */
struct field_text {
	const char *s;		/* not NUL-terminated */
	size_t n;
};
struct fields {
	struct field_text name;		/* tool_name, provider, resource, operation */
	struct field_text name2;	/* model, action */
	int success;			/* 1, 0, -1 when absent */
	int allowed;
	bool streaming;
	bool has_error;
	double duration_ms;		/* NAN when absent */
	double prompt_tokens, completion_tokens, total_tokens;
	double memory_mb;
	json_object *json;		/* holds the texts when json-c was used */
};
/* The fields a category's statistics need; false when not JSON. */
bool fields_read(const char *s, size_t n, int category, struct fields *f);
void fields_done(struct fields *f);

/* fields.c: the values of a few top-level keys, for summaries.  A line
 * is taken only when it is plain JSON that json-c reads the same way;
 * false otherwise (ask json-c).  A string's span is its body between the
 * quotes; other values' spans are their text. */
struct field_key {
	const char *name;
	size_t len;
};
struct field_span {
	const char *s;
	size_t n;
	char kind;	/* 0 absent, '"', '0' number, 't', 'f', 'n', '{', '[' */
	bool escaped;	/* a string with backslashes */
};
bool fields_find(const char *s, size_t n, const struct field_key *keys,
    size_t nkeys, struct field_span *out);
/* Append a string's value, unescaped; false for what only json-c can
 * say (\u0000, a lone surrogate). */
bool field_string(struct strbuf *out, const struct field_span *v);
/* A number's value as json-c reads it; false when not a number. */
bool field_number(const struct field_span *v, double *out);

/* logtime.c: calendar arithmetic, which counts in seconds */
#define SEC_PER_MIN	(ENG_US_PER_MIN / ENG_US_PER_SEC)
#define SEC_PER_HOUR	(ENG_US_PER_HOUR / ENG_US_PER_SEC)
#define SEC_PER_DAY	(ENG_US_PER_DAY / ENG_US_PER_SEC)
#define NS_PER_US	1000
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

/* a reader that serves lines from 1 MiB blocks (scans in file order) */
struct block_reader {
	int fd;
	uint32_t file;
	uint64_t start;
	size_t len;
	char *buf;
	size_t cap;
	size_t block;		/* bytes read at a time: BLOCK_BYTES */
	bool backward;		/* reading towards the start: blocks end at
				   the line asked for */
};
void block_reader_init(struct block_reader *br);
void block_reader_free(struct block_reader *br);
const char *block_reader_line(struct block_reader *br, const struct eng *e,
    const struct eng_entry *en, size_t *len);

/* order.c: the order of entries (time, then file, then offset), and
 * e->order, which holds every entry in it.  order_sync brings e->order up
 * to the index; the thread that calls eng_refresh calls it. */
int entry_cmp(const struct eng_entry *a, const struct eng_entry *b);
void order_sync(struct eng *e);
void order_free(struct eng *e);
/* Sort index positions in that order. */
void order_sort(const struct eng *e, uint32_t *a, size_t n);
/* Merge sorted b[0..bn) into sorted a[0..n), which has room for them;
 * true when some of b went before the end of a. */
bool order_merge(const struct eng *e, uint32_t *a, size_t n,
    const uint32_t *b, size_t bn);

/* hist.c: entries over time, as stats.c counts them, for eng_hist_build.
 * A slot counts the entries of one minute or one second (their time
 * divided by the unit, rounded down), split into errors (ERROR and
 * CRITICAL), warnings and the rest.  Counts fit 32 bits: the index
 * numbers its entries with 32. */
struct hist_slots {
	int64_t first;		/* the slot of c[0] */
	size_t n, cap;
	uint32_t (*c)[3];	/* errors, warnings, the rest */
};
struct hist_tally {
	struct hist_slots min;	/* per minute; an entry more than 366
				   days from the earliest counted before
				   it is left out */
	struct hist_slots sec;	/* per second, while the entries counted
				   span 6 hours at most */
	bool sec_over;		/* they span more: sec is gone for good */
};
void hist_add(struct hist_tally *t, const struct eng_entry *en);
void hist_free(struct hist_tally *t);
/* eng_hist_build's rule, on a tally. */
void hist_build(const struct hist_tally *t, size_t max_buckets,
    int64_t min_width_us, bool aligned, struct eng_hist *out);

/* stats.c: how many view positions the stats looked at to find the
 * entries they had not counted (a live view's few new ones should cost
 * few), for the tests */
uint64_t stats_positions_read(const struct eng_stats *s);

/* view.c: for stats */
uint32_t view_position(const struct eng_view *v, size_t i);
struct eng *eng_view_engine(const struct eng_view *v);
size_t view_seen(const struct eng_view *v);
uint64_t view_serial(const struct eng_view *v);

/* regex.c: a match context per thread, and keywords as caseless
 * literals (NULL only for a keyword too long for PCRE2, about 32 KiB) */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
struct rx_ctx;
struct eng_regex *regex_keyword(const char *text);
struct rx_ctx *rx_ctx_new(const struct eng_regex *re);
void rx_ctx_free(struct rx_ctx *c);
int rx_match(const struct eng_regex *re, struct rx_ctx *c, const char *s,
    size_t n, size_t offset, size_t *start, size_t *end, char *err,
    size_t errlen);
/* Search a block of many lines: where the first match starts.  Only where
 * rx_has_block: the pattern finds in a block what it finds line by line,
 * and a line it points into still gets rx_match to be sure. */
bool rx_has_block(const struct eng_regex *re);
int rx_find(const struct eng_regex *re, struct rx_ctx *c, const char *s,
    size_t n, size_t offset, size_t *start);

/* prefilter.c: finding the lines that can pass in a block of many */
struct pf_scan {
	const struct prefilter *pf;
	struct rx_ctx *kw, *re;
	const struct eng_regex *lead;	/* searched over blocks, or NULL:
					   line by line */
	struct rx_ctx *lead_ctx;
	unsigned dense;			/* lines left to check one by one */
	unsigned dense_run;		/* and how many the next time */
};
void prefilter_free(struct prefilter *pf);
void pf_scan_init(struct pf_scan *s, const struct prefilter *pf);
void pf_scan_free(struct pf_scan *s);
/* Of the lines in [from, stop] (stop is the newline ending the last one;
 * from starts a line), the first that may pass: its start, and its
 * newline in *eol; NULL when there is none. */
const char *pf_next(struct pf_scan *s, const char *buf, const char *from,
    const char *stop, const char **eol);

/* loader.c: the background load of eng_load_async.  loader_start plans
 * the tasks of every file's unindexed part (after store_scan) and starts
 * the workers; it sets e->loader unless there is nothing to read.
 * loader_collect publishes what they finished (eng_refresh's thread) and
 * frees the loader when all is in; loader_stop ends it early. */
void loader_start(struct eng *e);
long loader_collect(struct eng *e);
void loader_stop(struct eng *e);
void loader_progress(const struct loader *l, uint64_t *indexed,
    uint64_t *total);

#endif
