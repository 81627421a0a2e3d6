/*
 * engine.h - the explorer's model: sources, index, filters, search, stats
 * and follow.  Never includes curses.  The print mode, the UI and the tests
 * all ask the same questions through this header.
 *
 * Times are microseconds since the epoch, UTC.
 *
 * ---- the protocol ----
 *
 * Lifecycle:
 *
 *	e = eng_open(dirs)			nothing read yet
 *	[eng_set_prefilter(e, ...)]		print mode only
 *	[eng_stats_on_load(e, filter, utc)]	a report to print after
 *	eng_load(e)  or  eng_load_async(e)	all now, or in the background
 *	v = eng_view_new(e, filter); s = eng_stats_new()
 *	loop {
 *		wait for eng_watch_fd(e), or about 100 ms
 *		eng_refresh(e)			new lines, rotation, entries
 *						that left with their files,
 *						what the background load
 *						finished
 *		eng_view_update(v)		for every view
 *		eng_stats_update(s, v)		or eng_stats_update_some
 *	}
 *	eng_stats_free(s); eng_view_free(v); eng_close(e)
 *
 * Threads.  Every call that takes a struct eng, or a view, stats or reader
 * made from one, is made from one thread, the main thread: eng_refresh
 * changes the index, the file table and the views that the others read.
 * The engine's own threads run inside eng_load, eng_refresh,
 * eng_view_update, eng_stats_update and eng_groupby_update, and after
 * eng_load_async between calls too; those read files, never the index,
 * and eng_refresh takes in what they did (eng_progress tells how far they
 * got).  The calls that take none of those objects may run on any thread:
 * strbuf_*, eng_x*, eng_grow, eng_sanitize, eng_json_visible,
 * eng_json_print, eng_time_parse, eng_time_parse_as, eng_time_relative,
 * eng_time_parse_log, eng_time_format, eng_now_us, eng_entry_fields (on
 * its own eng_fields), eng_decoded_init, eng_decoded_build and
 * eng_decoded_free (on its own eng_decoded), eng_summary_line,
 * eng_format_number, eng_regex_new,
 * eng_regex_free, eng_where_new and eng_where_free.  A regex matches on one thread at a
 * time (it holds one match context); the engine's threads make their own.
 *
 * Files.  A log file is opened when it is read and kept open while few
 * enough are (fdcache.c: a quarter of the process's descriptor limit, at
 * most 256), so any number of backups can be read; a file is known by its
 * inode, whatever name it has now.  A compressed backup (NAME.N.gz) is
 * read as backup N, through its text inflated into an unlinked temporary
 * file.  What cannot be read is named by eng_unreadable, never skipped in
 * silence.
 *
 * New entries.  Entries enter the index in eng_load, and in eng_refresh
 * only (after eng_load_async too: the background load's entries wait
 * for eng_refresh).  A view has the entries the index had when it was
 * made or last updated, and sees later ones at its next eng_view_update;
 * stats count the view's entries as of its last update.  A view's
 * positions move when an update merges late entries in before its end.
 *
 * Entries that leave.  What is indexed is what is on disk: eng_refresh
 * takes out the entries of a file that is gone (deleted, as rotation
 * deletes the oldest backup, or renamed away from every log name) and
 * those whose line no longer ends before a truncated file's end, and
 * eng_removed counts them.  They leave every view at once, inside
 * eng_refresh, so a view never holds a position that is gone: its later
 * positions move down and its category counts drop (a view with a keyword
 * or regex and a category set, or one whose regex gave up, is instead
 * filtered again at its next update).  Stats fed that view count it
 * again from zero at their next update.  So memory is bounded by the
 * lines on disk, not by all the lines ever seen.  An entry pointer stays
 * valid until the next eng_refresh that takes entries out; a copy of an
 * entry stays meaningful (its file number is never given to another
 * file), and reads NULL from eng_line once its line has left.
 *
 * Who frees what.  eng_close frees the engine and stops a background load;
 * views, stats and readers are freed first, by whoever made them.
 * eng_view_new copies its filter and the keyword; the regexes given to a
 * filter (where expressions too) or to eng_set_prefilter are borrowed and
 * must outlive the view (the engine, for the prefilter).  eng_stats_json's
 * json_object is the caller's to put, an eng_fields the caller's to free, and
 * eng_hist_build's buckets the caller's to free (eng_hist_free).  A line
 * from eng_line or eng_reader_line is valid until the next such call, and
 * eng_file_info's path until the next eng_refresh or load.  Out of memory
 * ends the program with a message (alloc.c): no call returns NULL for
 * want of memory, so a NULL result always means what its comment says.
 */
#ifndef LLMLOG_ENGINE_H
#define LLMLOG_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "llmlog.h"

#define ENG_TIME_NONE INT64_MIN		/* an entry without a usable time */
#define ENG_CATEGORY_NONE 0xff		/* a line with no known category */
#define ENG_TRACE_ID_LEN 32		/* hex digits of a trace_id */
#define ENG_SPAN_ID_LEN 16		/* and of a span_id */
#define ENG_TRACE_NONE SIZE_MAX		/* no row of a trace (trace.c) */

/* ---- memory: out of memory ends the program with a message (alloc.c) ---- */

void eng_oom(void) __attribute__((noreturn));
void *eng_xmalloc(size_t size);
void *eng_xrealloc(void *p, size_t size);
void *eng_xcalloc(size_t n, size_t size);
char *eng_xstrdup(const char *s);
char *eng_xstrndup(const char *s, size_t n);
/* Make room for at least need elements of size bytes in the array that
 * *array points to (any pointer type; passed as &ptr), whose room is *cap
 * elements; the room doubles, so appending one at a time is cheap. */
void eng_grow(void *array, size_t *cap, size_t need, size_t size);

/* ---- units: every time in the engine is microseconds since the epoch ---- */

#define ENG_US_PER_MS	INT64_C(1000)
#define ENG_US_PER_SEC	INT64_C(1000000)
#define ENG_US_PER_MIN	(60 * ENG_US_PER_SEC)
#define ENG_US_PER_HOUR	(60 * ENG_US_PER_MIN)
#define ENG_US_PER_DAY	(24 * ENG_US_PER_HOUR)

/* ---- a growable byte buffer, used for every piece of text we build ---- */

struct strbuf {
	char *s;
	size_t len;
	size_t cap;
};

void strbuf_init(struct strbuf *b);
void strbuf_free(struct strbuf *b);
void strbuf_reset(struct strbuf *b);
void strbuf_add(struct strbuf *b, const char *s, size_t n);
/* Room for n more bytes at b->s + b->len; the caller adds to b->len. */
char *strbuf_reserve(struct strbuf *b, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- text that reaches a terminal ----------------------------------------- */

/* Append s[0..n) to out with every control character, ESC, C1 code, DEL,
 * bidi control and invalid UTF-8 byte made visible (^[, \x9b, \u202e,
 * \xff, ...).  Valid printable UTF-8 passes unchanged.  The forms are
 * the library's (lib/visible.c), so the stderr echo shows the same. */
void eng_sanitize(struct strbuf *out, const char *s, size_t n);

/* The JSON text we write ourselves (--stats, --list, --by -o json), made
 * safe for a terminal with JSON's own escapes: DEL, C1 codes and bidi
 * controls as \u007f, \u009b, \u202e; invalid UTF-8, which JSON cannot
 * carry, as U+FFFD (\ufffd).  C0 controls are escaped by json-c already.
 * eng_json_print writes an object so, with a newline. */
void eng_json_visible(struct strbuf *out, const char *json, size_t n);
void eng_json_print(json_object *j, int flags, FILE *out);

/* ---- the time grammar (llmlog(1), TIME SYNTAX), shared by CLI and UI ----- */

/* Parse "2024-01-12 10:00", RFC 3339, "30m", "2h", "1d", "1w", "-1h",
 * "today", "yesterday", "now", "@EPOCH", ... relative to now_us, in local
 * time unless the text gives a zone.  0 on success; -1 with a message in
 * err naming the input and the accepted forms. */
int eng_time_parse(const char *text, int64_t now_us, int64_t *out_us,
    char *err, size_t errlen);

/* eng_time_parse with flags: ENG_TIME_UTC reads a time without a zone
 * (and today, yesterday, "10:00") as UTC, the zone of --utc and the UI's
 * u; ENG_TIME_UNTIL gives the last microsecond of the unit written, for
 * an until bound ("10:00" -> 10:00:59.999999, a date -> its end, "@N" ->
 * its second; a relative time stays exact). */
enum {
	ENG_TIME_UTC = 1 << 0,
	ENG_TIME_UNTIL = 1 << 1,
};
int eng_time_parse_as(const char *text, int64_t now_us, unsigned flags,
    int64_t *out_us, char *err, size_t errlen);

/* Whether a valid time text is a span back from now ("30m", "now"), which
 * means another instant as time passes. */
bool eng_time_relative(const char *text);

/* Parse a timestamp as found in a log line: RFC 3339 with Z or an offset,
 * a space instead of T, with or without fractions, or epoch seconds.
 * 0 or -1. */
int eng_time_parse_log(const char *s, size_t n, int64_t *out_us);

/* Format for display: "2026-11-26 11:16:32.123" in local time or UTC. */
void eng_time_format(struct strbuf *out, int64_t us, bool utc);

int64_t eng_now_us(void);

/* ---- an entry of the index (32 bytes) ------------------------------------ */

enum {
	ENTRY_MALFORMED = 1 << 0,	/* not a JSON object: shown raw */
	ENTRY_NO_TIME = 1 << 1,		/* no usable timestamp */
	ENTRY_FOREIGN = 1 << 2,		/* valid JSON not written by libllmlog */
	ENTRY_CHILD_SPAN = 1 << 3,	/* has a parent_span_id: a trace's child */
};

/*
 * An entry flagged ENTRY_NO_TIME (every malformed one among them) carries
 * the time of the nearest timed line before it in its file, so that it
 * sorts and filters among its neighbours; ENG_TIME_NONE when there is
 * none.  Show its time as unknown.
 */
struct eng_entry {
	int64_t time_us;	/* ENG_TIME_NONE when unknown */
	uint64_t offset;	/* byte offset of the line in its file */
	uint32_t file;		/* which file (see eng_file_info) */
	uint32_t length;	/* line length without the newline */
	uint8_t category;	/* enum llmlog_category, or ENG_CATEGORY_NONE */
	uint8_t level;		/* enum llmlog_level / 10 (1..5), 0 when none */
	uint8_t flags;
	uint8_t source;		/* which directory */
};

/* An entry's level as enum llmlog_level (LLMLOG_DEBUG ... LLMLOG_CRITICAL),
 * or 0 when it has none. */
static inline int
eng_entry_level(const struct eng_entry *en)
{
	return en->level * 10;
}

/* ---- opening the logs -------------------------------------------------------- */

struct eng;

/* Open one or more sources: log directories, log files, and "-" for
 * standard input (at most once).  A file is a source of its own, named as
 * given (eng_host_name), read as the category its name says
 * (llmlog_category_from_file, or a compressed backup's name) or, for any
 * other name, as lines whose own category field tells theirs (else
 * foreign).  Standard input is copied into an unlinked temporary file: by
 * a load, to its end (or, after eng_stdin_live, what has come), and by
 * each eng_refresh, what has come since.  Nothing is read yet.  NULL on
 * error with the reason (which source, why) in err. */
struct eng *eng_open(const char *const *dirs, size_t ndirs, char *err,
    size_t errlen);
/* Standard input ("-") is read as it comes: a load takes what has come
 * and does not wait for its end (for a follower).  Before a load. */
void eng_stdin_live(struct eng *e);
/* Whether a source is standard input. */
bool eng_reads_stdin(const struct eng *e);
void eng_close(struct eng *e);

/* Index everything there is now, using both cores when it is large.
 * 0, or -1 with a message in err when a directory cannot be read. */
int eng_load(struct eng *e, char *err, size_t errlen);

/* Start indexing in a background thread, newest entries first, so a first
 * screen can be shown at once; eng_progress tells how far it got.  Views
 * see entries as eng_refresh publishes them. */
int eng_load_async(struct eng *e, char *err, size_t errlen);
/* Bytes indexed so far and in all; done is true when the load finished. */
void eng_progress(const struct eng *e, uint64_t *indexed, uint64_t *total,
    bool *done);

struct eng_regex;
/*
 * For a caller whose every view has this keyword and regex (print mode):
 * from now on, index only the lines that the keyword (case-insensitive)
 * and the regex can pass, or that the regex gives up on (so that a view
 * still counts those), found by searching whole blocks as grep does.  raw:
 * the views match raw lines (struct eng_filter's raw); otherwise their
 * decoded text, which a block of raw bytes can rule out only for some
 * needles (prefilter.c says which): for the others every line is indexed.
 * A view with the same keyword, regex and raw shows what it would without
 * this; counts (eng_count, eng_malformed, eng_file_info) are of the lines
 * indexed.  Lines longer than the read buffer (2 MiB) are always indexed.
 * Call before eng_load or eng_load_async; keyword may be NULL, re (NULL
 * or borrowed) must live until eng_close.  Both NULL: index every line
 * again.
 */
void eng_set_prefilter(struct eng *e, const char *keyword,
    struct eng_regex *re, bool raw);

/*
 * The index cache (llmlog(1), FILES): keep what indexing found in dir
 * (NULL: $LLMLOG_CACHE_DIR, else $XDG_CACHE_HOME/llmlog, else
 * ~/.cache/llmlog; made 0700), so that a file read before costs only its
 * new bytes: its entries and the values of its fields that the
 * statistics read.  Call before eng_load or eng_load_async.  0, or -1
 * when the directory cannot be made or is another user's or open to
 * others (caching stays off).  A cache that does not hold is rebuilt;
 * not with a prefilter (eng_set_prefilter), which indexes only some
 * lines.  Caches are written by the loads and eng_close.  Once, before
 * anything is indexed (-1 after).
 */
int eng_cache_enable(struct eng *e, const char *dir);
/* How many caches were found corrupt (and rebuilt) since eng_open, and
 * the first one's path in *path unless path is NULL. */
size_t eng_cache_corrupt(const struct eng *e, const char **path);
/* Whether caches could not be written (a read-only or full directory):
 * those found corrupt stay as they were. */
bool eng_cache_read_only(const struct eng *e);

/* Follow: a descriptor that becomes readable when a watched file changes
 * (inotify), or -1 when polling is the only way (call eng_refresh about
 * every 100 ms then). */
int eng_watch_fd(struct eng *e);
/* Take in what changed on disk: appended lines, rotation (the old file is
 * read to its end first, under its new name), deletion, truncation,
 * re-creation; and entries a background load has finished.  Returns the
 * number of new entries, or -1; entries that left are in eng_removed. */
long eng_refresh(struct eng *e);
/* Whether nothing more can come: the only source is standard input and
 * it has ended (a pipe, a FIFO, a terminal).  Standard input that is a
 * regular file never ends: after eng_stdin_live what it grows by is read,
 * as tail -f reads it. */
bool eng_follow_ended(const struct eng *e);

size_t eng_count(const struct eng *e);		/* all entries indexed */
size_t eng_malformed(const struct eng *e);	/* of which malformed */

/* The entries that have left the index since eng_open (see the protocol:
 * entries that leave), and the files they left with: compare with an
 * earlier reading to tell what a refresh took out. */
struct eng_removed {
	size_t deleted;		/* entries of files that are gone */
	size_t deleted_files;
	size_t truncated;	/* entries past a truncated file's new end */
	size_t truncated_files;
};
void eng_removed(const struct eng *e, struct eng_removed *out);

/* The files: path, category, size, entries, first/last time.  File
 * numbers (an entry's file) are never reused: one whose file is gone has
 * a NULL path and no entries. */
struct eng_file_info {
	const char *path;
	const char *dir;
	int category;		/* or -1 */
	int backup;		/* 0 for the current file, N for ".N" */
	uint64_t size;		/* of its text: a compressed backup's
				   inflated */
	uint64_t compressed;	/* a compressed backup's (".N.gz") size on
				   disk, else 0 */
	size_t entries;
	int64_t first_us, last_us;
	uint64_t unfinished;	/* bytes at its end that no newline ends yet:
				   the live file's last line, not read until
				   it is written whole */
};
size_t eng_file_count(const struct eng *e);
void eng_file_info(const struct eng *e, size_t i, struct eng_file_info *out);

/* What the files still cover of a category (llmlog(1), --stats,
 * coverage): the first and last time of its entries in the index,
 * whatever a view's filter (ENG_TIME_NONE when none has a time), and
 * whether a backup (".N", ".N.gz") is among its files, that is older
 * entries may have been rotated away. */
struct eng_coverage {
	int64_t first_us, last_us;
	bool rotated;
};
void eng_coverage(const struct eng *e, int category, struct eng_coverage *out);
/* When a range asked from since_us starts before the entries of a
 * rotated category (one never rotated holds all it wrote), the note that
 * says so, added to out: "user entries start
 * 2026-12-01 14:02:11 (rotated): the range asked starts 2026-12-01
 * 00:00:00" (times as eng_time_format's, to the second); else false and
 * nothing added. */
bool eng_coverage_note(struct strbuf *out, int category,
    const struct eng_coverage *c, int64_t since_us, bool utc);
size_t eng_source_count(const struct eng *e);
const char *eng_source_name(const struct eng *e, unsigned source);
/* A directory's host: the shortest end of its path that tells it from the
 * others (alpha/.llm_os/logs and beta/.llm_os/logs: alpha and beta; one
 * directory: its last part).  What the host field, --by host and the
 * host columns show. */
const char *eng_host_name(const struct eng *e, unsigned source);
/* The host names a comma list means ("alpha,beta", as --host and the
 * host picker take it): the list itself when it is the whole name of
 * one of e's hosts (commas and all; e may be NULL), else its parts
 * between commas, where \, is a comma and \\ a backslash (any other
 * backslash is itself); empty parts are left out.  Each name is appended
 * to out followed by a '\0'; returns how many. */
size_t eng_host_split(const struct eng *e, const char *list,
    struct strbuf *out);
/* Append a host name to a comma list as eng_host_split reads it back
 * (commas and backslashes escaped), with a comma before it unless the
 * list is empty. */
void eng_host_list_add(struct strbuf *list, const char *name);
/* n host names, each followed by a '\0' (as eng_host_split writes them),
 * as the where expression host in ("alpha", "beta"), the names quoted
 * with JSON's escapes; NULL when n is 0.  Free it. */
char *eng_host_where(const char *names, size_t n);
/* How many log names (readable or not) the last scan found in a
 * directory: 0 says it holds no log file at all. */
size_t eng_source_names(const struct eng *e, unsigned source);

/*
 * What cannot be read, as of the last eng_load or eng_refresh: a log name
 * that is no regular file (a directory, FIFO, socket, device, or a
 * symbolic link, never followed), one that open() refuses, a directory
 * that can no longer be listed, a read that failed.  Whatever else can be
 * read is indexed.  Each is "PATH: why"; seq numbers them since eng_open
 * (from 1), so a caller can tell those it has not shown yet.  A name that
 * can be read again leaves the list; a failed read stays on it.
 */
size_t eng_unreadable_count(const struct eng *e);
const char *eng_unreadable(const struct eng *e, size_t i, uint64_t *seq);

/* ---- reading an entry ------------------------------------------------------- */

/*
 * Lines of any length up to ENG_LINE_MAX are indexed, parsed, counted and
 * given whole: a valid JSON object of 100 MB is an entry like any other.
 * A longer line is malformed (its length reads UINT32_MAX when it is 4 GiB
 * or more) and gives its first ENG_LINE_SHOW bytes.  A display shows at
 * most ENG_LINE_SHOW bytes of any line (eng_line_head).
 */
#define ENG_LINE_MAX	((size_t)INT32_MAX)
#define ENG_LINE_SHOW	((size_t)1 << 20)

/* The raw line (without newline), valid until the next call on e from the
 * same thread.  NULL when its file is gone or no longer holds it. */
const char *eng_line(struct eng *e, const struct eng_entry *en, size_t *len);
/* The same, but at most its first max bytes: for a display. */
const char *eng_line_head(struct eng *e, const struct eng_entry *en,
    size_t max, size_t *len);
/* One line saying what happened: "read_file (filesystem) ok 12.3ms",
 * "groq llama3-70b 150+80 tokens $0.0001517 1,234.5ms" (the cost when
 * the call has one), ... Not yet sanitised. */
void eng_summary(struct eng *e, const struct eng_entry *en, struct strbuf *out);
/* The same for en's line s[0..n) that the caller has read already; e
 * gives the prices, NULL none (no cost is shown). */
void eng_summary_line(const struct eng *e, const struct eng_entry *en,
    const char *s, size_t n, struct strbuf *out);

/*
 * An entry's fields as "key: value" lines, in the line's order: what
 * pretty output and the detail view show, and with the summary the
 * entry's decoded text.  A member whose value is a non-empty object or
 * list is a heading (text NULL) and its members follow on the next lines,
 * one level deeper; a list's elements have no key (shown "-").  A key
 * given twice is one line, where it first appears, with its last value,
 * as every reader of a line takes it.  Texts are decoded (a string's
 * escapes undone), not yet sanitised, each followed by a NUL byte but
 * possibly holding others (\u0000): use the lengths.
 */
enum eng_field_kind {
	ENG_FIELD_STRING,
	ENG_FIELD_NUMBER,	/* text: the number as written */
	ENG_FIELD_TRUE,		/* "true" */
	ENG_FIELD_FALSE,	/* "false" */
	ENG_FIELD_NULL,		/* "null" */
	ENG_FIELD_OBJECT,	/* "{}" when empty, else a heading */
	ENG_FIELD_ARRAY,	/* "[]" when empty, else a heading */
};
struct eng_field {
	unsigned depth;		/* 0 for the entry's own members */
	enum eng_field_kind kind;
	const char *key;	/* NULL for an element of a list */
	size_t key_len;
	const char *text;	/* NULL for a heading */
	size_t text_len;
};
struct eng_fields {
	struct eng_field *v;	/* the lines */
	size_t n, cap;
	struct strbuf text;	/* the texts they point into */
};
void eng_fields_init(struct eng_fields *f);
void eng_fields_free(struct eng_fields *f);
/* The lines of s[0..n) into f, replacing what it held (its pointers are
 * valid until the next call); false, and none, when the line is not a
 * JSON object (llmlog(1), HOW LINES ARE READ). */
bool eng_entry_fields(const char *s, size_t n, struct eng_fields *f);

/*
 * An entry's decoded text, what keywords, regexes and searches match
 * unless they match raw lines (llmlog(1), MATCHING): its lines are the
 * summary as the list shows it (eng_summary_line, sanitised; a malformed
 * line or one over ENG_LINE_SHOW bytes as written, sanitised), then the
 * detail view's lines without their indentation: per field of
 * eng_entry_fields "key: value", "- value" for an element of a list,
 * "key:" above an object's or list's members, a string's own newlines
 * starting lines of their own (without the key).  A pattern matches the
 * text when it matches one of its lines, each alone.
 */
struct eng_decoded_line {
	size_t off, len;	/* in text */
	long field;		/* its field in fields.v; -1: the summary */
	size_t key_len;		/* the "key: ", "- " or "key:" it starts with;
				   0 on a value's later lines */
};
struct eng_decoded {
	struct strbuf text;	/* the lines, each followed by a newline */
	struct eng_decoded_line *line;
	size_t n, cap;
	struct eng_fields fields;	/* the entry's */
	struct strbuf tmp;
};
void eng_decoded_init(struct eng_decoded *d);
void eng_decoded_free(struct eng_decoded *d);
/* The decoded text of en of e, whose line s[0..n) the caller has read
 * (e prices an LLM call's summary; NULL: no cost). */
void eng_decoded_build(struct eng_decoded *d, const struct eng *e,
    const struct eng_entry *en, const char *s, size_t n);
/* 1 when re matches one of the lines, 0 when none, -1 when it gave up on
 * one and matched none. */
int eng_decoded_match(struct eng_regex *re, const struct eng_decoded *d);

/*
 * Many lines in a row, as a view or the print mode walks them: a small
 * block is kept per file (a bounded number at once), so lines interleaved
 * from many files cost one read per block.  backward: the walk goes
 * towards the start of the files.  Lines are those eng_line gives, valid
 * until the next call on the reader.  Files that appear after the reader
 * was made are read line by line.
 */
struct eng_reader;
struct eng_reader *eng_reader_new(struct eng *e, bool backward);
const char *eng_reader_line(struct eng_reader *r, const struct eng_entry *en,
    size_t *len);
void eng_reader_free(struct eng_reader *r);

/* "1,234.5": v with the given decimals and thousands separators. */
void eng_format_number(struct strbuf *out, double v, int decimals);

/* ---- filters and views --------------------------------------------------------- */

struct eng_regex;

/* PCRE2, JIT, smart case (caseless unless the pattern has an upper-case
 * letter), with match limits.  NULL with a message in err. */
struct eng_regex *eng_regex_new(const char *pattern, char *err, size_t errlen);
void eng_regex_free(struct eng_regex *re);
/* 1 match (with the span in *start and *end), 0 none, -1 error (limit hit:
 * a message in err). */
int eng_regex_match(struct eng_regex *re, const char *s, size_t n,
    size_t offset, size_t *start, size_t *end);
/* The message of the last -1 from eng_regex_match. */
const char *eng_regex_error(const struct eng_regex *re);
/* Whether smart case made the pattern caseless. */
bool eng_regex_caseless(const struct eng_regex *re);

/* Malformed entries have no level: they pass min_level (a damaged line is
 * worth seeing next to the errors); entries without a level otherwise
 * fail it.  Times: since and until are inclusive, on the entry's time or,
 * for an entry without one, the time it carries from its neighbour (see
 * struct eng_entry); an entry with no time at all (ENG_TIME_NONE) fails a
 * since bound and passes an until bound. */
struct eng_filter {
	unsigned categories;		/* bit 1u << cat; 0: all */
	int min_level;			/* enum llmlog_level; 0: all */
	int64_t since_us;		/* ENG_TIME_NONE: unbounded */
	int64_t until_us;		/* ENG_TIME_NONE: unbounded */
	const char *keyword;		/* case-insensitive substring, or NULL */
	struct eng_regex *regex;	/* borrowed, or NULL */
	struct eng_where *const *where;	/* nwhere expressions that must all
					   hold (borrowed), or NULL */
	size_t nwhere;
	bool raw;			/* keyword, regex and the view's
					   searches match the raw line, not
					   the decoded text (eng_decoded) */
	/* filter-out: an entry passes when the keyword is not found, the
	 * regex does not match (a line it gives up on is left out either
	 * way), where_not[i] when where[i] does not hold (nwhere flags,
	 * borrowed, or NULL: none negated) */
	bool keyword_not, regex_not;
	const bool *where_not;
};
void eng_filter_init(struct eng_filter *f);

/* The entries that pass a filter, in time order (ties: file order).  The
 * filter is copied (keyword duplicated, regex borrowed).  NULL only when
 * the keyword is too long to search for (PCRE2's limit: about 32 KiB). */
struct eng_view;
struct eng_view *eng_view_new(struct eng *e, const struct eng_filter *f);
void eng_view_free(struct eng_view *v);
/* Take in entries indexed since the view was made or last updated;
 * returns how many passed the filter (those eng_view_is_new tells). */
size_t eng_view_update(struct eng_view *v);
size_t eng_view_count(const struct eng_view *v);
const struct eng_entry *eng_view_get(const struct eng_view *v, size_t i);
/* Whether entry i of the view joined it at its last eng_view_update, for
 * a follower to print (late entries join before the end). */
bool eng_view_is_new(const struct eng_view *v, size_t i);
/* Entries per category under the view's filter (ignoring its category set),
 * for the tab bar. */
void eng_view_category_counts(const struct eng_view *v,
    size_t counts[LLMLOG_NCATEGORIES]);
/* A view filled from its newest entries back, for a screen to show them
 * before all are filtered: eng_view_new_partial filters nothing yet (a
 * filter without keyword, regex or where expressions is filtered at once,
 * as by eng_view_new); each eng_view_fill filters up to max more entries,
 * two threads sharing a large slice, and returns whether some are left.
 * Meanwhile the view grows at its start (positions move), its counts are
 * of the entries filtered so far, eng_view_update takes nothing in and
 * stats see no entries; once filled it is the view eng_view_new would
 * have made then, and its next update takes in what came since.
 * eng_view_partial tells how many of how many entries are filtered. */
struct eng_view *eng_view_new_partial(struct eng *e,
    const struct eng_filter *f);
bool eng_view_fill(struct eng_view *v, size_t max);
bool eng_view_partial(const struct eng_view *v, size_t *done, size_t *total);

/* Lines on which the filter's regex gave up (match limit): they are left
 * out of the view; tell the user how many.  Counted over every category,
 * like eng_view_category_counts, whatever the filter's category set. */
size_t eng_view_regex_errors(const struct eng_view *v);

/* Search the view from position `from` (exclusive) forward (dir 1) or
 * backward (dir -1), wrapping; the matching position or -1.  Searches
 * match as the view's filter does: decoded text, or raw lines. */
long eng_view_search(struct eng_view *v, struct eng_regex *re, size_t from,
    int dir);
/* The positions from `from` up to (not including) `to` whose lines re
 * matches - those eng_view_search stops at - appended in order to *hits,
 * an array of *nhits positions with room for *cap (grown by eng_grow),
 * so that a caller can count the matches of a large view a slice at a
 * time. */
void eng_view_matches(struct eng_view *v, struct eng_regex *re, size_t from,
    size_t to, size_t **hits, size_t *nhits, size_t *cap);

/* ---- field filters: llmlog(1), WHERE GRAMMAR --------------------------------- */

/*
 * `duration_ms > 1000 and model in (gpt-4o, "o1")`: comparisons = != < <=
 * > >= ~ !~, `in (...)`, exists(f), and/or/not and parentheses over
 * dotted paths and the virtual fields category, level (ordered), time (in
 * the time grammar, read as eng_time_parse reads it), host (the name of the
 * entry's directory), trace (trace_id) and cost (an LLM call's cost in
 * US dollars, eng_entry_cost's; none when unpriced; numbers only).  A
 * comparison on a missing field is false, != and !~ too.  Evaluated on
 * the line through jscan, an array field holding when an element does.
 */
struct eng_where;
/* Compile; NULL on a syntax error, with a message in err naming the token
 * and its column, and the column (1-based, in characters) in *column
 * unless column is NULL.  now_us anchors relative times ("2h"); utc: a
 * time written without a zone is UTC (the zone times are shown in), else
 * local time. */
struct eng_where *eng_where_new(const char *text, int64_t now_us, bool utc,
    char *err, size_t errlen, size_t *column);
void eng_where_free(struct eng_where *w);
const char *eng_where_text(const struct eng_where *w);
/* Whether en, whose line is s[0..n), passes; on one thread at a time (a
 * view filtering on its threads uses contexts of its own). */
bool eng_where_match(struct eng_where *w, struct eng *e,
    const struct eng_entry *en, const char *s, size_t n);

/* ---- breakdowns: the figures per group of entries (groupby.c) --------------- */

/*
 * Groups by the values of fields: dotted paths read as --where reads
 * them (trace: trace_id), category, level and host the entry's own, and,
 * with bucket_us > 0,
 * "time" for buckets of that width (multiples of it since the epoch).  A
 * field an entry lacks (or null) groups as null.
 */
struct eng_groupby;
enum eng_group_sort { ENG_SORT_COUNT, ENG_SORT_NAME, ENG_SORT_P95,
    ENG_SORT_FAILED };
struct eng_groupby *eng_groupby_new(const char *const *fields,
    size_t nfields, int64_t bucket_us);
void eng_groupby_free(struct eng_groupby *g);
/* Time buckets on the local clock (local midnights, local hours), the
 * zone times are shown in without --utc; before the first update. */
void eng_groupby_local(struct eng_groupby *g, bool local);
/* Count the view's entries not yet counted (two threads share a large
 * update). */
void eng_groupby_update(struct eng_groupby *g, struct eng_view *v);
/* The same figures grouped by the first nfields fields only (percentiles
 * over the merged durations, so exact): one pass over the entries can
 * answer a coarse and a fine breakdown.  Free it with eng_groupby_free. */
struct eng_groupby *eng_groupby_rollup(const struct eng_groupby *g,
    size_t nfields);
/*
 * The groups as a JSON array (caller puts it), sorted by count, failed or
 * p95 (most first) or by name, ties by name:
 * [{"key":{"model":"gpt-4o"},"count":N,"failed":N,"fail_pct":P,
 *   "errors":N,"p50_ms":D,"p95_ms":D,"p99_ms":D,"prompt_tokens":N,
 *   "completion_tokens":N,"total_tokens":N,"cost_usd":USD,
 *   "unpriced_calls":N},...]
 * failed: success false, or without success a non-empty error (never a
 * security entry: a denial is not a failure); errors: level ERROR or
 * above; percentiles nearest-rank over duration_ms, null when no entry
 * of the group has one; tokens summed over llm entries; cost_usd the
 * sum of the llm calls' costs (eng_entry_cost), null when none has one,
 * and unpriced_calls the calls without one; a time key is
 * the bucket's start as eng_stats_json writes times.
 */
json_object *eng_groupby_json(struct eng_groupby *g,
    enum eng_group_sort sort);

/* ---- the fields of each category (llmlog(5), LINE FORMAT) ------------------ */

enum eng_column_type {
	ENG_COLUMN_TEXT,		/* a string */
	ENG_COLUMN_INTEGER,	/* a whole number: a count, a length, a pid */
	ENG_COLUMN_NUMBER,	/* any number: a duration, a size */
	ENG_COLUMN_BOOL,		/* true or false (or present as true) */
	ENG_COLUMN_JSON,		/* an array, an object or any JSON value */
};
struct eng_column {
	const char *name;
	enum eng_column_type type;
};
/* A category's own fields in llmlog(5)'s order, *n of them; for any other
 * category (-1) those of every line after category, timestamp and level:
 * event and pid.  Static: never freed. */
const struct eng_column *eng_category_fields(int category, size_t *n);

/* ---- SQL over a view (llmlog(1), SQL) --------------------------------------- */

/*
 * An in-memory SQLite database whose tables read a view: entries (every
 * entry), and one per category named by it (user, system, tool, llm,
 * security, performance; the category's entries that are JSON objects),
 * with the columns llmlog(1) lists.  A query sees the view as it is when
 * each table is scanned: update the view between queries, never during
 * one.  Nothing but the view is read; ATTACH is refused, so a query
 * cannot touch a file.  SQLite's functions are there, and
 * percentile_disc(Y, F), the nearest-rank percentile --stats computes.
 * Main thread only (it reads the view).
 *
 *	q = eng_sql_new(v)
 *	eng_sql_run(q, "SELECT ...", row, arg, err, errlen)	any number
 *	eng_sql_free(q)						before the view
 */
struct eng_sql;

enum eng_sql_type {
	ENG_SQL_NULL,
	ENG_SQL_INTEGER,
	ENG_SQL_REAL,
	ENG_SQL_TEXT,
	ENG_SQL_BLOB,
};
struct eng_sql_value {
	enum eng_sql_type type;
	int64_t i;		/* INTEGER */
	double r;		/* REAL */
	const char *s;		/* TEXT (valid until the callback returns;
				   may hold NUL bytes) or BLOB */
	size_t n;
};
struct eng_sql_row {
	unsigned statement;	/* which statement of the query, from 0 */
	size_t ncols;
	const char *const *names;	/* the columns' names */
	const struct eng_sql_value *values;
};
/* Called for each result row; nonzero stops the query (not an error). */
typedef int (*eng_sql_row_fn)(void *arg, const struct eng_sql_row *row);

/* The view is borrowed: free the database first. */
struct eng_sql *eng_sql_new(struct eng_view *v);
void eng_sql_free(struct eng_sql *q);
/* Run every statement of query, each row to fn.  The number of rows, or
 * -1 with SQLite's message, as SQLite words it, in err. */
long eng_sql_run(struct eng_sql *q, const char *query, eng_sql_row_fn fn,
    void *arg, char *err, size_t errlen);
/* While a query runs, fn(arg) is called every few thousand steps; a
 * nonzero return cancels it (eng_sql_run fails with "interrupted").
 * fn NULL: never. */
void eng_sql_set_progress(struct eng_sql *q, int (*fn)(void *arg),
    void *arg);

/* A result value as the tables show it: NULL as nothing, an integer in
 * decimal, a real with the 15 significant digits a reader needs (a column's
 * sum reads 2.09458988, not 2.0945898800000005) or, with ENG_SQL_EXACT, the
 * shortest text that reads back as the same double; text made visible
 * (eng_sanitize), with ENG_SQL_KEEP_LINES leaving LF, CR and tab as they
 * are (CSV quotes them); a blob in hex.  The text table and the
 * explorer's result screen show the same. */
#define ENG_SQL_EXACT		1u
#define ENG_SQL_KEEP_LINES	2u
void eng_sql_value_text(struct strbuf *b, const struct eng_sql_value *v,
    unsigned how);

/* ---- prices: what an LLM call cost (llmlog(1), COST) ---------------------- */

/*
 * A price table in LiteLLM's shape: a JSON object whose members, keyed
 * "provider/model", "model" or a provider's wildcard (its name, a slash
 * and a star: every model of the provider), are objects with
 * input_cost_per_token and output_cost_per_token in US dollars.  Members
 * that are not objects, or lack either price, are ignored (notes such as
 * "_updated", LiteLLM's sample_spec).  A call's cost is its own cost_usd
 * (a number, 0 or more) when it has one, else prompt_tokens times the
 * input price plus completion_tokens times the output price of the first
 * entry found for "provider/model", "model", the provider's wildcard; a
 * call found
 * under none is unpriced, never costed at 0.  A table is read by the
 * engine's threads and never changes once loaded.
 */
struct eng_prices;
struct eng_prices *eng_prices_new(void);
void eng_prices_free(struct eng_prices *p);
/* Add a price file's entries to p, each replacing one of the same key.
 * 0, or -1 with "FILE:LINE: what is wrong" (naming the key) in err; a
 * file that does not exist adds nothing when missing_ok. */
int eng_prices_load(struct eng_prices *p, const char *path, bool missing_ok,
    char *err, size_t errlen);
/* llmlog's table: path (--prices), else $LLMLOG_PRICES when not empty,
 * alone; else the installed default overridden by
 * $XDG_CONFIG_HOME/llmlog/prices.json (else ~/.config/llmlog/...), each
 * used when it exists.  NULL with a message in err. */
struct eng_prices *eng_prices_default(const char *path, char *err,
    size_t errlen);
size_t eng_prices_count(const struct eng_prices *p);
/* The prices the engine's costs are read with: borrowed, kept until
 * eng_close; NULL (the default) has none, so every call is unpriced.  Set
 * it before making views, stats and breakdowns. */
void eng_set_prices(struct eng *e, const struct eng_prices *p);
const struct eng_prices *eng_prices(const struct eng *e);

enum eng_cost {
	ENG_COST_NONE,		/* not an LLM call of ours */
	ENG_COST_GIVEN,		/* the entry's own cost_usd */
	ENG_COST_PRICED,	/* from the price table */
	ENG_COST_UNPRICED,	/* an LLM call the table has no price for */
};
/* The cost of entry en, whose line is s[0..n), in *usd (0 unless given
 * or priced).  Any thread. */
enum eng_cost eng_entry_cost(const struct eng *e, const struct eng_entry *en,
    const char *s, size_t n, double *usd);
/* What an LLM call cost, for a person: "$0.0001517 (from the price
 * table)", "$0.25 (its cost_usd)" or "no price for acme/rocket-1"
 * (not yet sanitised), appended to out; false, and nothing, for an entry
 * that is not an LLM call of ours. */
bool eng_cost_describe(const struct eng *e, const struct eng_entry *en,
    const char *s, size_t n, struct strbuf *out);
/* "$0.0001517", "$0.0123", "$1,234.56": four significant digits under a
 * dollar, cents above. */
void eng_format_cost(struct strbuf *out, double usd);

/* ---- statistics ----------------------------------------------------------------- */

struct eng_stats;
struct eng_stats *eng_stats_new(void);
void eng_stats_free(struct eng_stats *s);
/* Count cost_by_day's days in UTC rather than local time (the zone times
 * are shown in); before the first update. */
void eng_stats_set_utc(struct eng_stats *s, bool utc);
/* Before eng_load, for a report over a view of filter f: count the
 * figures as the lines are indexed, so that the first eng_stats_update
 * of a stats object with the same utc reads no line again.  Nothing
 * changes unless f lets every entry through; the figures are the same
 * either way. */
void eng_stats_on_load(struct eng *e, const struct eng_filter *f, bool utc);
/* The same for a stats object that keeps the dashboard's tables
 * (eng_stats_keep_tables). */
void eng_stats_on_load_tables(struct eng *e, const struct eng_filter *f,
    bool utc);
/* The same for a load whose one use is that report (print mode): a file
 * whose cache holds its figures has the rest of its cache (the values of
 * its entries' fields) left unread, and a line's values, should anything
 * ask for them, are read from the line. */
void eng_stats_on_load_only(struct eng *e, const struct eng_filter *f,
    bool utc);
/*
 * Add every entry of the view not yet counted (call again after
 * eng_view_update to keep a live report).  A live view's new entries cost
 * what they are, not what the view holds: when the view only grew at its
 * end they are found there, and what is kept in order (the durations,
 * the requests by time) takes them in by a merge.  Fed another view, or
 * one that holds fewer entries than were counted (entries gone from the
 * index), the stats count again from the first entry.
 */
void eng_stats_update(struct eng_stats *s, struct eng_view *v);
/*
 * The same a slice at a time, for a caller that must answer keys: count at
 * most max_entries of the entries not yet counted (on two threads when
 * they are many, as eng_stats_update); true when every entry of the view
 * is counted.  Slices and full updates
 * may be mixed, on a view that grows between them: the figures at the end
 * are those of one full update.  max_entries 0 only looks for new entries,
 * so that eng_stats_progress knows them.  The report can be read at any
 * time and shows the figures so far.
 */
bool eng_stats_update_some(struct eng_stats *s, struct eng_view *v,
    size_t max_entries);
/* Entries counted, and counted plus those known to be waiting. */
void eng_stats_progress(const struct eng_stats *s, size_t *counted,
    size_t *total);
/*
 * The figures as one JSON object (caller puts the reference).  Key names are
 * stable; maps are ordered by count, most first (ties by name, byte by
 * byte, the shorter first); times are UTC RFC 3339 with milliseconds, or
 * null when there is none; averages and rates are 0 when nothing was
 * counted; success_rate is a percentage, 100 * success / total.
 *
 * {"total":N, "malformed":N, "foreign":N, "out_of_range":N,
 *  "by_level":{"INFO":N,...}            levels that occur, in level order
 *  "by_category":{"user":N,...}         categories that occur, table order
 *                                       (malformed and foreign lines count
 *                                       under their file's category)
 *  "first":"...", "last":"...",
 *  "coverage":{"user":{"first","last","rotated"},...}   eng_coverage's, of
 *                                       the files at the last update,
 *                                       whatever the view; the categories
 *                                       with a timed entry, table order
 *  "user":{"total","success","failed","success_rate","avg_duration_ms",
 *          "p50_ms","p95_ms","p99_ms"},
 *  "llm":{"total","success","failed","streaming","total_tokens",
 *         "prompt_tokens","completion_tokens","avg_tokens" (per call),
 *         "avg_duration_ms","p50_ms","p95_ms","p99_ms",
 *         "by_provider":{name:calls},
 *         "by_model":{name:calls},"tokens_by_provider":{name:tokens},
 *         "tokens_by_model":{name:tokens},
 *         "cost_usd" (of the calls with a cost, given or priced),
 *         "cost_by_provider":{name:usd},"cost_by_model":{name:usd}
 *         (the names with a cost, most costly first),
 *         "cost_by_day":{"YYYY-MM-DD":usd}
 *         (in day order, the zone of eng_stats_set_utc),
 *         "unpriced_calls", "unpriced_models":{"provider/model":calls}},
 *         "failures_by_provider":[{"name","calls","failed","error_pct"},...],
 *         "failures_by_model":[...]}         up to 20 each, by calls
 *  "tool":{"total","success","failed","success_rate","avg_duration_ms",
 *          "p50_ms","p95_ms","p99_ms",
 *          "top":[{"name","count"},...],         up to 20, most used first
 *          "failures_by_tool":[{"name","calls","failed","error_pct"},...]}
 *  "security":{"total","allowed","denied",
 *              "top_denied_resources":[{"name","count"},...],
 *              "top_denied_actions":[{"name","count"},...]},   up to 20
 *  "performance":{"total","avg_duration_ms","p50_ms","p95_ms","p99_ms",
 *                 "max_ms","peak_memory_mb",
 *                 "slowest":[{"operation","duration_ms"},...]}, up to 10
 *  "requests":{"total","llm_calls_per_request","tool_calls_per_request",
 *              "tokens_per_request","cost_usd_per_request",
 *              "unpriced_calls",
 *              "slowest_requests":[{"user_input","trace_id","time",
 *                  "success","duration_ms","llm_ms","tool_ms",
 *                  "llm_calls","tool_calls","tokens","cost_usd",
 *                  "unpriced_calls"},...]}   up to 10
 *  "histogram":{"start":"...","bucket_seconds":N,"counts":[N,...]}}
 *
 * An entry's fields are read by the rules of llmlog(1), HOW LINES ARE
 * READ, as its summary reads them.  The per-category sections count our
 * own entries only, in the section of the line's category: malformed and
 * foreign lines appear in total, by_level, by_category and the
 * histogram; first and last are of the entries with a time of their own.
 * In a section:
 *   failed      success is false, or, when success is not a boolean, error
 *               is there and is not null, false or ""; success the rest
 *   streaming   streaming is true
 *   allowed     allowed is true; denied the rest, whose resource and
 *               action are ranked
 *   names       provider, model, tool_name, resource, action: the text of a
 *               string (decoded, NUL bytes and all), a number, true or
 *               false, else "unknown"; operation likewise, else ""
 *   durations   duration_ms, a number; averages over the entries that have
 *               one
 *   tokens      per call total_tokens, else prompt_tokens plus
 *               completion_tokens (those that are numbers); prompt_tokens
 *               and completion_tokens sum their own fields
 *   memory      peak_memory_mb is the largest memory_mb, 0 when none
 *   requests    user entries with a trace_id; the averages are the LLM
 *               calls, tool calls and LLM tokens with a trace_id per
 *               request; slowest by duration_ms (equal ones in view
 *               order), each with the LLM and tool entries of its trace
 *               in the view written while it ran (from a second before
 *               its start to a second after its entry), their durations
 *               summed to the microsecond as llm_ms and tool_ms, the
 *               calls' tokens as tokens; cost_usd is the cost of the
 *               LLM calls with one (eng_entry_cost's: the entry's
 *               cost_usd, else the price table), unpriced_calls those
 *               without one, cost_usd null when it has calls and none
 *               has a cost; cost_usd_per_request the traced calls'
 *               costs per request, null when every traced call is
 *               unpriced, unpriced_calls the traced calls without one
 * out_of_range counts the numbers among these fields that lie past a
 * double's range (1e400): each is left out as if it were absent.  Sums
 * are exact, rounded once to a double; a whole one under 2^63 in
 * magnitude is written as an integer, any other as a double, and one past
 * a double's range, or an average of it, as null.  An average is the
 * rounded sum divided by the count.  Percentiles are nearest-rank over
 * the section's durations (the smallest with at least that share at or
 * below it), 0 when it has none; error_pct is 100 * failed / calls; slowest lists them largest first, equal ones in the order
 * counted.  The histogram is eng_hist_build's, not aligned, for at most 60
 * buckets of a minute or more, each count the sum of a bucket's three.
 *
 * json-c's keys end at a NUL byte: in the tree the keys of the name maps
 * (by_provider, ...) show a NUL as ^@ (names that then read the same share
 * a count); their JSON text (json_object_to_json_string) has the exact
 * names.
 */
json_object *eng_stats_json(const struct eng_stats *s);

/* ---- the histogram: the counted entries over time -------------------------- */

struct eng_hist_bucket {
	uint64_t err;		/* ERROR and CRITICAL */
	uint64_t warn;		/* WARNING */
	uint64_t other;		/* the rest: lower levels, none, malformed */
};
struct eng_hist {
	int64_t start_us;	/* the first bucket's start, or ENG_TIME_NONE
				   when no entry has a time */
	int64_t width_us;	/* every bucket's */
	size_t n;		/* buckets, 0 when none */
	struct eng_hist_bucket *b;
};
/*
 * The entries s counted (those with a time, an untimed one at its
 * neighbour's: see struct eng_entry) in at most max_buckets buckets of
 * the narrowest round width, at least min_width_us (a year at most), that
 * holds them all: 1s 2s 5s 10s 15s 30s 1m 2m 5m 10m 15m 30m 1h 2h 3h 6h
 * 12h 1d 2d 1w 30d 365d, then whole multiples of 365 days.  aligned: the
 * buckets start at multiples of the width since the epoch, so that bars
 * sit on round times; otherwise the first starts at the first entry's
 * time cut to a whole minute, or a whole second when the width is under
 * a minute.  The last bucket holds the last entry.  Widths under a minute
 * are left out when the entries span over 6 hours; an entry over 366
 * days away from the earliest counted before it is left out.  Call again
 * for figures counted since; free the buckets with eng_hist_free.
 */
void eng_hist_build(const struct eng_stats *s, size_t max_buckets,
    int64_t min_width_us, bool aligned, struct eng_hist *out);
void eng_hist_free(struct eng_hist *h);

/* ---- the dashboard's figures: the counted entries by time -------------------
 *
 * What the explorer's dashboard shows beside the report, not in the JSON.
 * The calls that take a struct eng_stats * without const keep what they
 * read in order as they read it; call them as the others, between updates.
 */

/* The headline's figures of a time range.  A request is a user entry of
 * ours; requests_ok, llm_failed and denied count as the report's success,
 * failed and denied; tokens are each call's, as whole numbers. */
struct eng_period {
	uint64_t requests, requests_ok;
	uint64_t llm_calls, llm_failed;
	uint64_t tokens;
	uint64_t denied;
	double cost_usd;	/* of the calls with a cost (llmlog(1), COST) */
	uint64_t unpriced;	/* calls without one */
	double p95_request_ms;	/* nearest rank of the requests' duration_ms;
				   NAN when none had one */
};
/* The entries counted whose minute (the minute their time falls in; an
 * untimed entry's neighbour's, as the histogram's) starts in [from_us,
 * to_us).  from_us ENG_TIME_NONE: no lower bound, and the p95 takes the
 * requests without any time too; to_us INT64_MAX: no upper bound. */
void eng_stats_period(struct eng_stats *s, int64_t from_us, int64_t to_us,
    struct eng_period *out);

/* For each bucket of h (eng_hist_build's, on s, since the last update):
 * the p50 and p95 (nearest rank) of the duration_ms of the requests whose
 * time falls in it, NAN where none had one.  p50 and p95 have h->n
 * elements. */
void eng_hist_latency(struct eng_stats *s, const struct eng_hist *h,
    double *p50, double *p95);

/* The i-th of the slowest performance entries counted (the JSON's
 * "slowest", in its order) with the entry it was read from; false past
 * the last.  operation is valid until the next update of s. */
struct eng_slowest {
	const char *operation;	/* may hold NUL bytes */
	size_t len;
	double ms;
	struct eng_entry entry;
};
bool eng_stats_slowest(const struct eng_stats *s, size_t i,
    struct eng_slowest *out);

/* The most common errors of the failed user, tool and llm entries
 * counted: their error text normalised (runs of digits read "#", runs of
 * blanks one space, at most 200 bytes), how many, and the latest time
 * one was seen (ENG_TIME_NONE when none had a time); most first, ties by
 * text.  At most max into out; texts (may hold NUL bytes) are valid until
 * the next update of s.  The number given. */
struct eng_error_row {
	const char *text;
	size_t len;
	uint64_t count;
	int64_t last_us;
};
size_t eng_stats_errors(const struct eng_stats *s, struct eng_error_row *out,
    size_t max);

/* The i-th of the slowest requests (the JSON's "slowest_requests", in
 * its order) with its trace's figures; false past the last.  input is
 * valid until the next update of s. */
struct eng_slow_request {
	char trace_id[ENG_TRACE_ID_LEN + 1];
	const char *input;	/* user_input; may hold NUL bytes */
	size_t len;
	double ms, llm_ms, tool_ms;
	uint64_t llm_calls, tool_calls, tokens;
	double cost_usd;	/* of its LLM calls with a cost (llmlog(1),
				   COST); NAN when it has calls and none has
				   one */
	uint64_t unpriced;	/* its LLM calls without a cost */
	bool failed;
	struct eng_entry entry;
};
bool eng_stats_slow_request(const struct eng_stats *s, size_t i,
    struct eng_slow_request *out);

/* The dashboard's tables: the LLM calls by model and the tool entries by
 * tool, named and ranked as the report's by_model and top (most calls
 * first, ties by name), with the report's calls, failed and
 * tokens_by_model, and the nearest-rank p50 and p95 of each one's
 * duration_ms.  Kept only when asked, before the first update
 * (eng_stats_keep_tables; eng_stats_on_load_tables for the figures
 * counted as the index is read), as they hold every duration again.
 * At most max rows into out, the names (may hold NUL bytes) valid until
 * the next update of s; the number of names in all, 0 when not kept. */
enum eng_stats_table { ENG_TABLE_MODELS, ENG_TABLE_TOOLS };
struct eng_stats_row {
	const char *name;
	size_t len;
	uint64_t calls, failed;
	double tokens;		/* a model's; 0 for a tool */
	double p50_ms, p95_ms;	/* NAN when none had a duration_ms */
};
void eng_stats_keep_tables(struct eng_stats *s);
size_t eng_stats_table(struct eng_stats *s, enum eng_stats_table which,
    struct eng_stats_row *out, size_t max);

/* ---- traces: one request end to end (trace.c; llmlog(5), TRACES) ----------
 *
 * A span is recorded by the one entry that describes it (its span_id);
 * any other entry written inside a span is a leaf child of it.  A
 * request's root span is its user entry, written when the request ends:
 * until then the trace has no root entry and is in progress.  An entry's
 * time is when it was written; its span starts duration_ms before.
 * The calls that take a struct eng are the main thread's, as all such;
 * eng_trace_id_parse, eng_entry_trace and a builder of one's own run on
 * any thread.
 */

/* Whether s is a trace id (32 hex digits); the id in lower case in out. */
bool eng_trace_id_parse(const char *s, char out[ENG_TRACE_ID_LEN + 1]);

/* An entry's trace fields, read by the scanner: false (and nothing to
 * free) when the line has no valid trace_id.  span_id and parent_id are
 * "" when absent or not 16 hex digits; conversation is the decoded
 * conversation_id, or s NULL.  Free with eng_trace_ref_free. */
struct eng_trace_ref {
	char trace_id[ENG_TRACE_ID_LEN + 1];
	char span_id[ENG_SPAN_ID_LEN + 1];
	char parent_id[ENG_SPAN_ID_LEN + 1];
	bool has_parent;
	struct strbuf conversation;
};
bool eng_entry_trace(const char *s, size_t n, struct eng_trace_ref *out);
void eng_trace_ref_free(struct eng_trace_ref *r);

/* A row of the tree, in depth-first order (children by start). */
struct eng_trace_node {
	struct eng_entry entry;
	char span_id[ENG_SPAN_ID_LEN + 1];	/* "" when it has none */
	size_t parent;		/* its row, ENG_TRACE_NONE for a top row */
	size_t children;
	unsigned depth;		/* 0 for the root (every top row) */
	int64_t start_us;	/* end_us - duration_ms */
	int64_t end_us;		/* the entry's time; ENG_TIME_NONE if none */
	double duration_ms;	/* NAN when it has none */
	bool failed;		/* success false, a non-empty error without
				   success, or level ERROR and above */
	bool denied;		/* a security check that refused */
	bool orphan;		/* its parent's entry is not there (rotated
				   away): shown under the root */
	bool slowest;		/* on the slowest path: from the root, the
				   child that took longest, and so on */
};
struct eng_trace {
	char id[ENG_TRACE_ID_LEN + 1];
	struct eng_trace_node *v;
	size_t n;
	size_t root;		/* 0, or ENG_TRACE_NONE: in progress, and
				   every row of depth 0 is a top row */
	int64_t start_us, end_us;	/* the root's span, or while in
					   progress the entries'; NONE when
					   no entry has a time */
	size_t failed, orphans;
	char *conversation;	/* the first conversation_id seen, or NULL */
};
/* Every entry of trace id (lower case, as eng_trace_id_parse gives it)
 * that passes f (NULL: every entry), as a tree; NULL when there is none.
 * A view with the id as keyword finds the candidates. */
struct eng_trace *eng_trace_find(struct eng *e, const struct eng_filter *f,
    const char *id);
/* The same, first among the entries within ten minutes of near (an
 * entry of the trace): when the request's span and a second around it
 * lie inside that window, its entries are taken to be there (they are
 * written while it runs); otherwise, and while it is in progress, every
 * entry is searched.  For the explorer's o, on a large index. */
struct eng_trace *eng_trace_find_near(struct eng *e, const char *id,
    const struct eng_entry *near);
void eng_trace_free(struct eng_trace *t);
/* A trace's offsets and durations as --trace and the trace screen write
 * them, one decimal place kept so that the columns line up: "800.0ms",
 * "1.20s", "2.5min". */
void eng_trace_format_ms(struct strbuf *b, double ms);
/* The order of a view: time, then file, then offset (<0, 0, >0). */
int eng_entry_cmp(const struct eng_entry *a, const struct eng_entry *b);
/* The tree from lines given one by one (eng_trace_find's own steps, for
 * a caller that has the lines): add keeps an entry whose trace_id is the
 * builder's id, finish builds the tree and frees the builder. */
struct eng_trace_builder;
struct eng_trace_builder *eng_trace_builder_new(const char *id);
bool eng_trace_builder_add(struct eng_trace_builder *b,
    const struct eng_entry *en, const char *s, size_t n);
struct eng_trace *eng_trace_builder_finish(struct eng_trace_builder *b);
/* The requests (user entries) whose conversation_id is conversation, in
 * time order, into *out (the caller frees it); how many. */
size_t eng_conversation_requests(struct eng *e, const char *conversation,
    struct eng_entry **out);

#endif
