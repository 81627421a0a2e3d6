/*
 * engine-int.h - the engine's one private header, for every file of
 * tui/engine/: the files, the index (a table of 32-byte entries in
 * fixed-size chunks, so entry pointers stay valid while it grows; entries
 * leave it only in eng_refresh, through prune.c), line classification,
 * block reading, and each file's calls to the others.  Tests of the
 * engine's internals may include it; tui/cli/ and tui/ui/ never do
 * (tests/test-layout.sh checks), they have engine.h.
 */
#ifndef LLMLOG_ENGINE_INT_H
#define LLMLOG_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "engine.h"
#include "jscan.h"

#define CHUNK_SHIFT	16
#define CHUNK_ENTRIES	(1u << CHUNK_SHIFT)
#define BLOCK_BYTES	(1u << 20)	/* read size when scanning files */

struct file {
	char *path;		/* written under fd_mu (fdcache.c) */
	unsigned source;
	int category;
	int backup;
	dev_t dev;		/* what the file is, whatever its name */
	ino_t ino;
	bool gone;		/* deleted, or no log name leads to it: its
				   entries leave, then the record (prune.c);
				   set under fd_mu */
	bool cut;		/* prune.c: entries whose line does not end
				   before cut_from leave the index */
	uint64_t cut_from;
	/* fdcache.c, under fd_mu: */
	int fd;			/* open, or -1 */
	unsigned pins;		/* readers of fd now: it stays open */
	struct file *lru_prev, *lru_next;	/* the open files */
	uint64_t size;		/* as the last scan saw it */
	uint64_t pos;		/* start of the first line not yet indexed */
	uint64_t resume;	/* the line at pos has no newline before this:
				   a huge one still being written */
	unsigned pending;	/* index tasks planned and not yet published */
	uint64_t pending_pos;	/* where they stop: pos once they are in */
	uint64_t pending_resume;	/* and resume */
	bool seen;		/* found by the current directory scan */
	unsigned unseen;	/* scans in a row that did not find it */
	size_t entries;
	int64_t first_us, last_us;
	bool gz;		/* a compressed backup (gz.c): fd is its text */
	uint64_t zsize;		/* its size on disk; size is the text's */
	struct file_cache *cache;	/* cache.c, or NULL */
	/* stats.c: the figures of its first stats_entries entries, counted
	 * with stats_key, for its cache; or NULL */
	struct stats_part *stats;
	size_t stats_entries;
	uint64_t stats_key;
};

struct loader;
struct prefilter;
struct cache;
struct file_cache;

struct eng {
	char **dirs;		/* the sources as given: directories, files,
				   "-" for standard input */
	size_t ndirs;
	bool *src_file;		/* per source: a file (or "-"), not a
				   directory */
	char **hosts;		/* per directory: its name (hosts.c) */
	/* store.c: standard input ("-"), copied into a temporary file */
	int stdin_src;		/* its source, or -1 */
	int stdin_fd;		/* standard input while it has more, or -1 */
	int stdin_tmp;		/* the temporary file its text goes to */
	bool stdin_live;	/* a load takes what has come, not all */
	int stdin_grows;	/* follow.c: standard input that is a regular
				   file, kept to read what it grows by, or -1 */

	struct file **files;
	size_t nfiles, files_cap;
	size_t *names;		/* per directory: log names its last scan
				   found, readable or not */

	/* fdcache.c: the files' descriptors */
	pthread_mutex_t fd_mu;
	struct file *fd_head, *fd_tail;	/* most recently used first */
	size_t fd_open, fd_max;

	/* store.c: what cannot be read (eng_unreadable) */
	struct unreadable *bad;
	size_t nbad, bad_cap;
	uint64_t bad_seq;

	struct eng_entry **chunks;
	size_t nchunks, chunks_cap;
	uint32_t **vchunks;	/* cache.c: per position, its values'
				   record, beside chunks; NULL when off */
	struct cache *cache;	/* cache.c, or NULL: off */
	size_t count;
	size_t malformed;

	int watch_fd;		/* inotify, or -1 */
	bool watch_tried;
	struct loader *loader;
	uint64_t load_total;	/* bytes, for eng_progress without a loader */
	uint64_t bytes_read;	/* by index tasks published, for tests: a
				   file is read about once */
	struct prefilter *prefilter;	/* or NULL: index every line */

	uint32_t *order;	/* order.c: index positions in time order */
	size_t order_n, order_cap;
	uint64_t order_gen;	/* counts merges that were not appends */

	struct eng_view **views;	/* view.c: every view, for prune.c */
	size_t nviews, views_cap;
	struct eng_removed removed;	/* prune.c: what left, since open */
	const struct eng_prices *prices;	/* prices.c: borrowed, or
						   NULL */
	struct stats_pre *stats_pre;	/* stats.c: figures counted as the
					   index is read, or NULL */
	size_t parts_taken;	/* stats.c: files whose figures came from
				   their caches (for the tests) */
};

static inline struct eng_entry *
store_entry(const struct eng *e, size_t i)
{
	return &e->chunks[i >> CHUNK_SHIFT][i & (CHUNK_ENTRIES - 1)];
}

/* How much of an entry's line is read: all of it, but for one too long
 * to read whole (its first ENG_LINE_SHOW bytes). */
static inline size_t
entry_read_len(const struct eng_entry *en)
{
	return en->length > ENG_LINE_MAX ? ENG_LINE_SHOW : en->length;
}

/* fdcache.c: a file's descriptor is taken (and pinned open) for a read
 * and given back after it; -1 with errno when the file cannot be opened
 * (ENOENT: it is gone, no name leads to it).  file_open opens a log name
 * as the cache does (never following a symbolic link, never blocking on
 * a FIFO), making room in a full descriptor table; adopt puts a
 * descriptor so opened in the cache; forget closes f's.  fdcache_stat:
 * fstat of f's descriptor if open, else -1 (and for a compressed backup,
 * whose descriptor is its inflated text's: gz.c).  A compressed backup
 * opened again is inflated again. */
void fdcache_init(struct eng *e);
void fdcache_free(struct eng *e);
int fdcache_acquire(struct eng *e, struct file *f);
void fdcache_release(struct eng *e, struct file *f);
int file_open(struct eng *e, int dirfd, const char *name, struct stat *st);
void fdcache_adopt(struct eng *e, struct file *f, int fd);
void fdcache_forget(struct eng *e, struct file *f);
int fdcache_stat(struct eng *e, struct file *f, struct stat *st);
/* A rename seen by a scan: path is f's from now on. */
void file_set_path(struct eng *e, struct file *f, char *path);
/* f is gone: it is opened no more. */
void file_set_gone(struct eng *e, struct file *f);

/* gz.c: a compressed backup's name ("NAME.N.gz": its category and N);
 * its text inflated into an unlinked temporary file, whose descriptor is
 * returned (-1 with errno when none can be made or zfd cannot be read),
 * text_size its length; why says where cut or corrupt data stopped the
 * inflating, or is "".  temp_file: such a file (-1 with errno);
 * write_all: all of p written to fd, or false with errno. */
bool gz_name(const char *name, int *category, int *backup);
int temp_file(void);
bool write_all(int fd, const unsigned char *p, size_t n);
int gz_inflate(int zfd, uint64_t *text_size, char *why, size_t whylen);

/* store.c: the files and the index, at the bottom (engine.c holds the
 * lifecycle that calls it) */
/* Name what cannot be read: "path: why"; kept while scans find it so,
 * or, from a read (from_scan false), for good. */
void store_unreadable(struct eng *e, const char *path, const char *why,
    bool from_scan);
void store_unreadable_free(struct eng *e);
/* Standard input's text so far into its temporary file: all of it (to
 * its end) when wait, else what has come (a bounded amount). */
void store_stdin_pump(struct eng *e, bool wait);
/* pread until n bytes, the end of the file or an error: the bytes read,
 * or -1 with errno when none could be. */
ssize_t read_full(int fd, char *buf, size_t n, uint64_t off);
/* refs: each entry's values record (cache.c), or NULL for none. */
void store_append(struct eng *e, const struct eng_entry *v,
    const uint32_t *refs, size_t n);
/* The same written in place: room for at most *n entries after the last
 * (*n cut to what fits), then how many of them were written. */
struct eng_entry *store_reserve(struct eng *e, size_t *n);
void store_commit(struct eng *e, size_t n);
int store_scan(struct eng *e, char *err, size_t errlen);
void store_file_add_entries(struct file *f, const struct eng_entry *v,
    size_t n);

/* follow.c: standard input that is a regular file is kept (in
 * stdin_grows) when it is followed, to read what it grows by */
void follow_stdin_keep(struct eng *e);

/* index.c: reading files into entries */
struct index_task {
	struct eng *e;		/* for the descriptor cache only */
	struct file *file;	/* touched by the main thread only, but for
				   the cache's part */
	int fd;			/* while it runs */
	int category;
	uint32_t file_id;
	uint8_t source;
	uint64_t start, end;	/* lines starting in [start, end) */
	uint64_t limit;		/* read no further (the size when planned) */
	uint64_t resume;	/* the line at start has no newline before
				   this (start is aligned), or 0 */
	bool aligned;		/* start is known to be a line start */
	bool last;		/* the task that reaches the file's end */
	bool ends;		/* and the file grows no more (a backup, ended
				   standard input): a last line with no newline
				   is taken as it is */
	const struct prefilter *pf;	/* or NULL */
	/* results */
	struct eng_entry *v;
	size_t n, cap;
	size_t malformed;
	uint64_t incomplete;	/* start of a line with no newline before
				   limit, or UINT64_MAX */
	uint64_t scanned;	/* and how far it has none: the next task
				   at that line resumes there */
	uint64_t bytes_read;
	int error;		/* errno of a failed read */
	/* cache.c: each entry's values record in blob, when kept */
	uint32_t *refs;		/* beside v, or NULL */
	struct strbuf blob;
	/* stats.c: the figures of v, counted as each line is read, or
	 * NULL (stats_task_part) */
	struct stats_part *part;
	bool looked_back;	/* the leading untimed lines' time is
				   known (lead_time) */
};
#define INDEX_BUF_BYTES	(2 * BLOCK_BYTES)
/* Index one task, reading through buf (INDEX_BUF_BYTES). */
void index_run(struct index_task *t, char *buf);
/* Run tasks on up to nthreads threads (the caller's among them), at most
 * LOAD_THREADS_MAX. */
#define LOAD_THREADS_MAX	32
void index_run_all(struct index_task *t, size_t n, int nthreads);
/* The same, and each task published (index_publish, in order) as soon as
 * those before it are: on the caller's thread, which must be the one
 * that may change the index. */
void index_load(struct eng *e, struct index_task *t, size_t n, int nthreads);
void index_task_free(struct index_task *t);
/* Plan tasks of about chunk bytes over every file's unindexed part. */
size_t index_plan(struct eng *e, struct index_task **out, uint64_t chunk,
    uint64_t *bytes);
/* Merge finished tasks into the index (file order within each task). */
void index_publish(struct eng *e, struct index_task *t);

/* parse.c: what one line says */
struct line_info {
	int64_t time;
	uint8_t category;
	uint8_t level;
	uint8_t flags;
};
void parse_line(const char *s, size_t n, int file_category,
    struct line_info *out);
struct fields;
/* The same, with the fields of the file's category's set (fields.c)
 * looked up in the same walk: true when the line is an entry of that
 * category and *f holds them, as fields_read would give them. */
bool parse_line_fields(const char *s, size_t n, int file_category,
    struct line_info *out, struct fields *f);

/* fields.c: the fields of an entry that its summary and the statistics
 * read, with one rule for each kind of value (llmlog(1), HOW LINES ARE
 * READ).  Values are the scanner's spans of the line. */
enum field {
	FIELD_USER_INPUT, FIELD_SUCCESS, FIELD_DURATION, FIELD_ERROR,
	FIELD_TOOL_NAME, FIELD_TOOL_SERVER, FIELD_PROVIDER, FIELD_MODEL,
	FIELD_PROMPT, FIELD_COMPLETION, FIELD_TOTAL, FIELD_STREAMING,
	FIELD_ALLOWED, FIELD_ACTION, FIELD_RESOURCE, FIELD_REASON,
	FIELD_OPERATION, FIELD_MEMORY, FIELD_CPU, FIELD_EVENT,
	FIELD_COMPONENT, FIELD_MESSAGE, FIELD_MSG, FIELD_TEXT, FIELD_PARAMETERS,
	FIELD_COST, FIELD_TRACE,
	NFIELDS
};
#define FIELDS_FOREIGN	LLMLOG_NCATEGORIES	/* the message keys of a line
						   that is not ours */
#define FIELDS_MAX	11	/* fields a set looks up, at most */
struct fields {
	const int8_t *slot;	/* per field, its place in v, or -1 */
	struct jscan_value v[FIELDS_MAX];	/* kind JSCAN_NONE when absent */
};
/* A field's value; kind JSCAN_NONE when absent or not in the set read. */
static inline const struct jscan_value *
field_value(const struct fields *f, enum field k)
{
	static const struct jscan_value none = { .kind = JSCAN_NONE };

	return f->slot[k] >= 0 ? &f->v[f->slot[k]] : &none;
}
/* The fields of a set (a category, or FIELDS_FOREIGN) from the line
 * s[0..n), whose values stay spans of it; false when the line is not a
 * JSON object. */
bool fields_read(const char *s, size_t n, int set, struct fields *f);
/* The fields a set looks up, in order, ending with NFIELDS. */
const enum field *fields_set(int set);
/* Their keys, n of them, in the same order (fields_read's). */
const struct jscan_key *fields_keys(int set, size_t *n);
/* The field whose key is name[0..len), or NFIELDS. */
enum field field_named(const char *name, size_t len);
/* 1 for true, 0 for false, -1 for anything else or nothing. */
int field_bool(const struct fields *f, enum field k);
/* The fields of a set, all absent (for a reader that fills them). */
void fields_init(int set, struct fields *f);
/* Whether an interaction, tool execution or LLM call failed: success is
 * false, or, when success is not a boolean, error is there and is not
 * null, false or "". */
bool fields_failed(const struct fields *f);
/* A number's value (jscan_number: JSCAN_NUM_RANGE past a double's range,
 * JSCAN_NUM_NONE when absent or not a number). */
enum jscan_num field_number(const struct fields *f, enum field k,
    double *out);
/* A field's text: a string decoded (NUL bytes and all), a number, true or
 * false as written; false for null, an object, an array or nothing.  The
 * text is in the line or, decoded, in scratch (reset first; a zeroed
 * strbuf is initialised when it is needed, so that plain texts cost no
 * allocation). */
struct field_text {
	const char *s;		/* not NUL-terminated */
	size_t n;
};
bool field_text(const struct fields *f, enum field k, struct strbuf *scratch,
    struct field_text *out);
/* The same rule for any value of the scanner. */
bool value_text(const struct jscan_value *v, struct strbuf *scratch,
    struct field_text *out);

/* prices.c: a call's cost from its values: the provider's and model's
 * texts (field_text's), and the token counts and cost_usd as the line
 * has them (NULL or kind JSCAN_NONE when absent). */
struct price {
	double in, out;		/* US dollars per token */
};
struct cost_call {
	struct field_text provider, model;
	bool has_provider, has_model;
	const struct jscan_value *prompt, *completion, *given;
};
/* The first price of provider/model, model, the provider's wildcard (a
 * NULL name is not looked up); NULL when none. */
const struct price *prices_find(const struct eng_prices *p,
    const struct field_text *provider, const struct field_text *model);
/* The same for the same prices, whatever their order. */
uint64_t prices_fingerprint(const struct eng_prices *p);
enum eng_cost cost_compute(const struct eng_prices *p,
    const struct cost_call *c, double *usd);
/* The same with the call's price found already (NULL: none). */
enum eng_cost cost_priced(const struct price *pr, const struct cost_call *c,
    double *usd);
/* The same from an LLM entry's fields (fields_read's LLMLOG_LLM set). */
enum eng_cost fields_cost(const struct eng_prices *p, const struct fields *f,
    double *usd);

/* xsum.c: an exact sum of doubles, rounded once when read (to nearest,
 * ties to even), so that no order of adding the same values changes it
 * and no finite values overflow it; zero is an empty sum.  Give it finite
 * values only. */
struct xsum {
	__int128 small;		/* the whole values below 2^63 */
	uint64_t *big;		/* the rest, or NULL: fixed point, 2^-1074 a
				   unit */
};
void xsum_add(struct xsum *s, double x);
void xsum_merge(struct xsum *into, const struct xsum *from);
/* The sum to the nearest double: ±HUGE_VAL past a double's range. */
double xsum_value(const struct xsum *s);
void xsum_free(struct xsum *s);
/* A sum's bytes after b's, and read back from [*p, end) (*p moved past
 * them); false, s empty, when they are not a sum's. */
void xsum_save(struct strbuf *b, const struct xsum *s);
bool xsum_restore(struct xsum *s, const unsigned char **p,
    const unsigned char *end);

/* engine.c: the threads a large load or sort may run, one per core */
int load_threads(void);

/* alloc.c: large pages for memory filled at once */
void eng_huge_pages(void *p, size_t n);
void *eng_xmalloc_huge(size_t size);

/* hosts.c: name the directories (e->hosts), and free the names */
void hosts_name(struct eng *e);
void hosts_free(struct eng *e);

/* logtime.c: calendar arithmetic, which counts in seconds */
#define SEC_PER_MIN	(ENG_US_PER_MIN / ENG_US_PER_SEC)
#define SEC_PER_HOUR	(ENG_US_PER_HOUR / ENG_US_PER_SEC)
#define SEC_PER_DAY	(ENG_US_PER_DAY / ENG_US_PER_SEC)
#define NS_PER_US	1000
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
/* Days in month m (1..12) of year y, proleptic Gregorian. */
unsigned days_in_month(int64_t y, unsigned m);
/* The local zone's offset east of UTC at an instant, in seconds. */
long local_offset(int64_t secs);
/* The start of the bucket of width_us holding us: a multiple of the width
 * since the epoch, or with local of the width on the local clock (local
 * midnight for a day, a local hour). */
int64_t bucket_start(int64_t us, int64_t width_us, bool local);

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

/* prune.c: take out of the index the entries of files marked cut (all
 * of a gone file's, then its record), moving the rest down in order;
 * the time order and every view follow (order_prune, view_prune).  map
 * gives each old position its new one, or PRUNED; dead lists the pruned
 * positions, ascending. */
#define PRUNED	UINT32_MAX
void prune_index(struct eng *e);
/* The new position of the first entry at or after old position p. */
size_t prune_below(const uint32_t *dead, size_t ndead, size_t p);

/* A tournament (a tree of losers) over k runs, each with a head: the
 * winner is the run whose head goes first; once its head is taken,
 * tourney_next plays its path again for the next.  k runs merge in one
 * pass at log2(k) comparisons an item (order.c's entries, stats.c's
 * durations).  before(ctx, x, y): whether run x's head goes before run
 * y's, an empty run (or x >= k) last; on equal heads the earlier run, so
 * that merging is stable.  Inline, so that before is too. */
struct tourney {
	size_t *loser;		/* by node, 1 .. leaves - 1 */
	size_t leaves;		/* a power of two, at least k */
};
typedef bool tourney_before(const void *ctx, size_t x, size_t y);

/* The tree of k runs (k >= 1), and the first winner. */
static inline size_t
tourney_init(struct tourney *t, size_t k, tourney_before *before,
    const void *ctx)
{
	size_t *win, w;

	for (t->leaves = 1; t->leaves < k; t->leaves *= 2)
		;
	t->loser = eng_xmalloc(t->leaves * sizeof *t->loser);
	win = eng_xmalloc(2 * t->leaves * sizeof *win);
	for (size_t i = 0; i < t->leaves; i++)
		win[t->leaves + i] = i;
	for (size_t i = t->leaves - 1; i >= 1; i--) {
		size_t x = win[2 * i], y = win[2 * i + 1];
		bool y_first = before(ctx, y, x);

		win[i] = y_first ? y : x;
		t->loser[i] = y_first ? x : y;
	}
	w = win[1];
	free(win);
	return w;
}

/* The winner after run w, the last one, moved to its next head. */
static inline size_t
tourney_next(struct tourney *t, size_t w, tourney_before *before,
    const void *ctx)
{
	for (size_t node = (w + t->leaves) / 2; node >= 1; node /= 2)
		if (before(ctx, t->loser[node], w)) {
			size_t l = t->loser[node];

			t->loser[node] = w;
			w = l;
		}
	return w;
}

static inline void
tourney_free(struct tourney *t)
{
	free(t->loser);
	t->loser = NULL;
}

/* order.c: the order of entries (time, then file, then offset), and
 * e->order, which holds every entry in it.  order_sync brings e->order up
 * to the index; the thread that calls eng_refresh calls it. */
/*
 * Entries of one millisecond are listed in the order they were written,
 * as far as the entries tell: a user interaction is written when its
 * request ends, after the LLM and tool entries of that request, and a
 * span's entry when the span ends, after its children's.  So at equal
 * times a child span's entry (one with a parent_span_id) comes first,
 * then other entries, the user interactions last; then file and line.
 */
static inline int
same_time_rank(const struct eng_entry *en)
{
	if (en->category == LLMLOG_USER)
		return 2;
	return en->flags & ENTRY_CHILD_SPAN ? 0 : 1;
}

static inline int
entry_cmp(const struct eng_entry *a, const struct eng_entry *b)
{
	int ra, rb;

	if (a->time_us != b->time_us)
		return a->time_us < b->time_us ? -1 : 1;
	if ((ra = same_time_rank(a)) != (rb = same_time_rank(b)))
		return ra < rb ? -1 : 1;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	return 0;
}

void order_sync(struct eng *e);
void order_free(struct eng *e);
void order_prune(struct eng *e, const uint32_t *map, const uint32_t *dead,
    size_t ndead);
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
	bool min_lost;		/* an entry was left out of min */
};
void hist_add(struct hist_tally *t, const struct eng_entry *en);
/* from's entries added to into's, as counting them after into's would
 * (hist_add); false, into as it was, when the order they are counted in
 * could change what is left out (they span more than min keeps). */
bool hist_merge(struct hist_tally *into, const struct hist_tally *from);
void hist_free(struct hist_tally *t);
/* eng_hist_build's rule, on a tally. */
void hist_build(const struct hist_tally *t, size_t max_buckets,
    int64_t min_width_us, bool aligned, struct eng_hist *out);

/* view.c: for prune.c, dropping the pruned positions from a view (before
 * the entries move: they are read at their old positions) */
void view_prune(struct eng_view *v, const uint32_t *map,
    const uint32_t *dead, size_t ndead);

/* reqstats.c: the figures per request of the stats pass (stats.c), from
 * the fields of each user, LLM and tool entry (trace_id among them) and
 * an LLM call's tokens; zeroed is empty.  The slowest requests are kept
 * with their user_input; their LLM and tool calls are found by
 * reqstats_resolve, once the view is counted. */
#define SLOW_REQUESTS	10
struct req_slow {
	uint8_t id[16];
	double ms;
	struct eng_entry entry;
	char *input;
	size_t len;
	bool failed;
	uint64_t llm_calls, tool_calls, tokens;	/* reqstats_resolve's */
	int64_t llm_us, tool_us;
	double cost;		/* of its calls with a cost, in view order */
	uint64_t unpriced;	/* its calls without one */
};
/* What reqstats_resolve found for a request, kept while no call counted
 * since could lie in its window [from, to]. */
struct req_memo {
	uint8_t id[16];
	struct eng_entry entry;
	int64_t from, to;
	uint64_t llm_calls, tool_calls, tokens;
	int64_t llm_us, tool_us;
	double cost;
	uint64_t unpriced;
};
struct req_stats {
	uint64_t requests, llm_calls, tool_calls, tokens;	/* traced */
	struct xsum cost;	/* the traced calls with a cost, theirs */
	uint64_t unpriced;	/* the traced calls without one */
	struct req_slow top[SLOW_REQUESTS];	/* slowest first */
	size_t ntop;
	bool resolved;		/* top[]'s calls are found */
	/* the times of the LLM and tool entries counted (has_calls), and
	 * the requests resolved before, still right */
	bool has_calls;
	int64_t calls_from, calls_to;
	struct req_memo memo[SLOW_REQUESTS];
	size_t nmemo;
};
/* tokens, cost and unpriced: an LLM call's (count_llm's: its cost when
 * not unpriced) */
void reqstats_count(struct req_stats *r, int cat, const struct fields *f,
    const struct eng_entry *en, double tokens, double cost, bool unpriced);
void reqstats_merge(struct req_stats *into, const struct req_stats *from);
/* Find the slowest requests' calls in v, the view counted (main thread:
 * it reads the view). */
void reqstats_resolve(struct req_stats *r, struct eng_view *v);
void reqstats_free(struct req_stats *r);

/* stats.c: the figures counted while the index is read, so that the
 * first stats pass over a view of every entry reads no line again
 * (eng_stats_on_load).  An index task gets a part (stats_task_part),
 * counts each entry as it is pushed, with the fields of the walk that
 * classified it (stats_task_count; f NULL when they cannot be had), and
 * index_publish hands it over just before the task's entries enter the
 * index (stats_task_publish): parts merged in index order give what
 * counting the entries in that order gives.  Main thread but for
 * stats_task_count, which touches its part only. */
struct stats_part;
struct stats_part *stats_task_part(const struct eng *e);
void stats_task_count(struct stats_part *p, const struct eng_entry *en,
    const struct fields *f);
/* The task is read: its durations sorted (on its thread), so that
 * publishing merges them into order. */
void stats_task_done(struct stats_part *p);
void stats_task_publish(struct eng *e, struct file *f, struct stats_part *p,
    size_t n);
void stats_pre_free(struct eng *e);
/* A file's part: each file's figures are kept with it (file->stats) while
 * every entry of it is counted, so that its cache holds them.  The bytes
 * of one (appended to b), read back as the part of file (NULL when they
 * are not one), and the key of what counting depends on (the prices, the
 * zone of days, the format): a part of another key is not taken.  0:
 * nothing is counted on load. */
void stats_part_save(struct strbuf *b, struct stats_part *p);
struct stats_part *stats_part_load(const void *bytes, size_t len,
    uint32_t file, uint8_t source);
/* The dashboard's tables of a part (each model's and tool's durations),
 * kept apart: a report without tables needs none of them. */
void stats_part_save_tables(struct strbuf *b, const struct stats_part *p);
bool stats_part_load_tables(struct stats_part *p, const void *bytes,
    size_t len);
void stats_part_free(struct stats_part *p);
/* A file's part made whole (its durations merged) before it is saved. */
void stats_part_settle(struct stats_part *p);
uint64_t stats_parts_key(struct eng *e);
/* Whether the load is for the report alone (eng_stats_on_load_only). */
bool stats_load_only(const struct eng *e);
void file_part_drop(struct file *f);
/* A file of a load that waits for it, with no entry before: its tasks'
 * parts go into its own (file->stats) alone, not copied into the load's
 * as well, until it is indexed; its cache is written then
 * (cache_file_indexed), and stats_file_indexed takes its part into the
 * load's, in its place in index order. */
bool stats_file_open(const struct eng *e, const struct file *f);
void stats_file_indexed(struct eng *e, struct file *f);
/* f's entries [from, e->count), just taken from its cache with sp, its
 * part (NULL: none was kept, they are counted here), into what the load
 * counts; sp kept with f when keep (f will be written again).  True when
 * they were counted here: f's cache is to be written with its part. */
bool stats_file_loaded(struct eng *e, struct file *f, struct stats_part *sp,
    size_t from, bool keep);
bool reqstats_slowest(const struct req_stats *r, size_t i,
    struct eng_slow_request *out);
/* The JSON's "requests", times written by jtime, costs by jcost. */
json_object *reqstats_json(const struct req_stats *r,
    json_object *(*jtime)(int64_t), json_object *(*jcost)(double));

/* stats.c: how many view positions the stats looked at to find the
 * entries they had not counted (a live view's few new ones should cost
 * few), for the tests */
uint64_t stats_positions_read(const struct eng_stats *s);

/* view.c: for stats */
/* Whether f lets every entry through (no condition at all). */
bool filter_lets_all(const struct eng_filter *f);
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

/* Whether every line whose decoded text the pattern matches has a raw
 * line it matches too, unless decoded_plain says the line is not plain
 * for it (the argument is in regex.c, raw_implied); and which escapes
 * besides \" \\ \/ leave a line plain for it (DECODED_ESC_*). */
bool rx_raw_implied(const struct eng_regex *re);
unsigned rx_plain_escapes(const struct eng_regex *re);
/* Whether the pattern has a needle (rx_needle), safe words or not: on a
 * plain line that the needle misses, only the summary can match it. */
bool rx_words(const struct eng_regex *re);
/* What a raw line is searched for to rule it out: the pattern itself when
 * it is words as raw_implied reads them, else the words every match holds
 * (regex.c, required_words), or NULL. */
const struct eng_regex *rx_needle(const struct eng_regex *re);
/* The needle matched against s[0..n) with the pattern's own context. */
int rx_needle_match(struct eng_regex *re, const char *s, size_t n);
#define DECODED_ESC_N	1u	/* \n, shown ^J in a summary */
#define DECODED_ESC_T	2u	/* \t, ^I */
#define DECODED_ESC_R	4u	/* \r, ^M */
#define DECODED_ESC_B	8u	/* \b, ^H */
#define DECODED_ESC_F	16u	/* \f, ^L */

/* regex.c: the decoded text matched with the caller's context.
 * decoded.c: the length of s's first part whose bytes keep their form in
 * the decoded text for a needle (regex.c, raw_implied): none of a
 * backslash but in the escapes \" \\ \/ and those of the mask
 * `escapes`, a control byte, DEL, invalid UTF-8, a C1 or bidi control. */
int rx_match_decoded(const struct eng_regex *re, struct rx_ctx *c,
    const struct eng_decoded *d);
size_t decoded_plain_len(const char *s, size_t n, unsigned escapes);
/* Only the decoded text's first line, the summary (see rx_words). */
void decoded_build_summary(struct eng_decoded *d, const struct eng *e,
    const struct eng_entry *en, const char *s, size_t n);
static inline bool
decoded_plain(const struct eng_regex *re, const char *s, size_t n)
{
	return decoded_plain_len(s, n, rx_plain_escapes(re)) == n;
}

/* where.c: a where expression's match contexts, one per thread */
struct where_ctx;
struct where_ctx *where_ctx_new(const struct eng_where *w);
void where_ctx_free(struct where_ctx *c);
bool where_eval(const struct eng_where *w, struct where_ctx *c, struct eng *e,
    const struct eng_entry *en, const char *s, size_t n);
/* Whether w is decided for en by its kept values (entry_kept_fields)
 * alone, and where_eval on them: the same answer as on its line. */
bool where_kept_decides(const struct eng_where *w, const struct eng_entry *en);
bool where_eval_kept(const struct eng_where *w, struct where_ctx *c,
    struct eng *e, const struct eng_entry *en, const struct fields *f);

/* prefilter.c: finding the lines that can pass in a block of many */
struct pf_scan {
	const struct prefilter *pf;
	struct rx_ctx *kw, *re;
	const struct eng_regex *lead;	/* searched over blocks, or NULL:
					   line by line */
	struct rx_ctx *lead_ctx;
	unsigned dense;			/* lines left to check one by one */
	unsigned dense_run;		/* and how many the next time */
	/* the lead's last search (lead_find), in the block being read */
	const char *hit_buf, *hit_stop, *hit_from, *hit_wend;
	size_t hit_at;
	int hit_rc;
};
void prefilter_free(struct prefilter *pf);
/* A new block is in the buffer: forget searches of the last one. */
void pf_block(struct pf_scan *s);
void pf_scan_init(struct pf_scan *s, const struct prefilter *pf);
void pf_scan_free(struct pf_scan *s);
/* Of the lines in [from, stop] (stop is the newline ending the last one;
 * from starts a line), the first that may pass: its start, and its
 * newline in *eol; NULL when there is none. */
const char *pf_next(struct pf_scan *s, const char *buf, const char *from,
    const char *stop, const char **eol);

/* cache.c: the index cache (llmlog(1), FILES) and the values kept
 * beside the index.  cache_prepare, before a file is first planned,
 * takes in its cache when one holds (and inflates a compressed backup
 * that has none); cache_save writes the caches of files indexed further
 * since (main thread, with no load running).  An index task keeps each
 * entry's values (index_task_values, from the line it read) when
 * cache_values_on; index_task_publish_values moves them to the file's
 * blob before the task's entries are appended.  entry_fields is how the
 * statistics get an entry's fields: from its kept values, else from its
 * line through br; false when neither can be had.  Every field of the
 * entry's set (fields_set) is given as the scanner read it, but for those
 * the statistics never read, which may read absent (cache.c, left_out:
 * user_input, parameters); a field added to a set is kept with no more
 * to do. */
#define VALS_NONE	UINT32_MAX
bool cache_values_on(const struct eng *e);
/* Whether the files' figures are kept for their caches (stats.c). */
bool cache_keeps_parts(const struct eng *e);
void cache_prepare(struct eng *e, struct file *f, size_t id);
void cache_save(struct eng *e);
/* File id, f, is indexed (its last task published): written now when its
 * part is its own (stats_file_open), which then goes into the load's;
 * its values let go of for a report alone, which reads no more. */
void cache_file_indexed(struct eng *e, struct file *f, size_t id);
/* The time order of the entries the caches hold, as a load that sorted
 * them kept it (e->order), when the index holds those alone. */
void cache_order_take(struct eng *e);
/* How many entries' order a load took from the cache (for the tests). */
size_t cache_order_taken(const struct eng *e);
void cache_free(struct eng *e);
void file_cache_free(struct file *f);
bool index_task_keeps_values(const struct index_task *t);
/* f: the entry's fields when the walk that indexed it read them
 * (parse_line_fields), else NULL and the line is read again. */
void index_task_values(struct index_task *t, const char *s, size_t n,
    const struct fields *f);
void index_task_publish_values(struct eng *e, struct index_task *t);
bool entry_fields(const struct eng *e, size_t pos, const struct eng_entry *en,
    struct block_reader *br, struct fields *f);
/* The same from the kept values alone: false when the entry has none
 * (its line must be read).  Kept values are those of a line the scanner
 * read whole as one object (not malformed, not foreign); field_kept says
 * whether a field of the set is among them (not left out). */
bool entry_kept_fields(const struct eng *e, size_t pos,
    const struct eng_entry *en, struct fields *f);
bool field_kept(enum field k);

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
