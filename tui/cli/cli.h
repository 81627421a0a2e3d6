/*
 * cli.h - the command line, parsed once; the print mode and the UI both
 * start from it (the UI's starting state is what the options say).
 */
#ifndef LLMLOG_CLI_H
#define LLMLOG_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

enum output_format { OUTPUT_SHORT, OUTPUT_JSON, OUTPUT_PRETTY, OUTPUT_CSV };
enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* dirs.c: directories named on the command line, owned */
struct dir_list {
	char **v;
	size_t n, cap;
};

struct options {
	const char **dirs;		/* at least one (dir_list's) */
	size_t ndirs;
	struct dir_list dir_list;
	bool reads_stdin;		/* "-" is an argument */
	const char **host_lists;	/* each --host LIST, as typed */
	size_t nhost_lists;
	struct eng_filter filter;	/* categories, level, since/until, keyword, regex */
	const char *since_text;		/* as typed, for display */
	const char *until_text;
	const char *regex_text;
	const char *sql;		/* --sql QUERY, or NULL */
	long tail;			/* -1: all */
	bool follow;
	bool stats;
	bool list;
	bool print;
	bool utc;
	bool malformed;		/* -o json prints malformed lines too */
	bool no_cache;			/* --no-cache */
	enum output_format output;
	bool output_given;		/* -o: print mode, whatever the format */
	enum color_when color;
	struct eng_where **where;	/* -w, all must hold (filter.where) */
	size_t nwhere;
	bool count;			/* --count: the number of entries */
	const char **fields;		/* --fields, split at commas */
	size_t nfields;
	const char *cursor_file;	/* --cursor-file */
	const char *by_text;		/* --by, as typed */
	enum eng_group_sort sort;	/* --sort */
	bool sort_given;	/* else by time for a time: field */
	const char *prices;		/* --prices FILE, or NULL */
	char trace_id[ENG_TRACE_ID_LEN + 1];	/* --trace, lower case; "" */
	const char *conversation;	/* --conversation, or NULL */
};

#define EXIT_USAGE 2

/* options.c: 0 to go on, otherwise 1 + the exit status (--help, -V, a
 * usage error).  *dflt holds the default directory when one was used. */
int options_parse(int argc, char **argv, struct options *o, char **dflt);
/* What options_parse allocated. */
void options_free(struct options *o);
/* "llmlog: " + the message + a pointer at --help, on stderr. */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* print.c: print mode.  Exit status as llmlog(1) says: 0 something was
 * shown, 1 nothing matched, 2 unreadable input. */
int print_run(struct eng *e, const struct options *o);

/* trace.c: --trace, the tree (or -o json the lines); 1 when no entry
 * of the trace passes the filters. */
int trace_run(struct eng *e, const struct options *o, bool color);

/* query.c: --sql, the query's rows as a table, JSON lines or CSV.  Exit
 * status 0 rows shown, 1 none, 2 an SQL error (SQLite's message) or
 * unreadable input (the rows of what could be read are shown). */
int query_run(struct eng *e, const struct options *o);
/* print.c: name on stderr each file that could not be read, once (those
 * above *named); whether any was ever named.  And each directory that
 * holds no log name. */
bool warn_unreadable(struct eng *e, uint64_t *named);
void warn_empty_dirs(struct eng *e);

/* dirs.c: -d ARG (a glob pattern adds each directory it matches, at
 * least one); --hosts DIR (each subdirectory holding log files, sorted,
 * at least one); 0 or -1 after a usage error. */
int dirs_add(struct dir_list *l, const char *arg);
int dirs_add_hosts(struct dir_list *l, const char *arg);
/* A FILE argument: a log file, a directory or "-", kept as given. */
void dirs_add_source(struct dir_list *l, const char *arg);
/* Drop the directories and files named again (the same one: device and
 * inode), keeping the first. */
void dirs_dedup(struct dir_list *l);
/* --host's lists (each occurrence's names, as eng_host_split reads them
 * with e's hosts) as one where expression, added to o's: false after a
 * usage error (a list that names no host, or a name no directory goes
 * by, named on stderr with the hosts there are). */
bool dirs_host_filter(struct eng *e, struct options *o);
void dirs_free(struct dir_list *l);

/* csv.c: s[0..n) as one RFC 4180 field, appended to out: quoted when it
 * holds a comma, a quote, CR or LF (quotes doubled), as it is otherwise. */
void csv_add(struct strbuf *out, const char *s, size_t n);

/* breakdown.c: --stats --by.  A parsed --by: its fields (pointing into
 * buf), "time" among them when bucket_us > 0. */
struct by_spec {
	char **fields;
	size_t n;
	int64_t bucket_us;
	char *buf;
};
/* 0, or -1 after a usage error. */
int by_parse(const char *text, struct by_spec *out);
void by_free(struct by_spec *s);
/* The rows as -o says (table, json, csv); the exit status. */
int breakdown_run(struct eng_view *v, const struct options *o);

/* cursor.c: --cursor-file.  Calls print for each entry of the view after
 * the cursor, in view order (the last o->tail of them when --tail is
 * given), then stores the new cursor; the exit status. */
int cursor_run(struct eng *e, struct eng_view *v, const struct options *o,
    void (*print)(void *arg, const struct eng_entry *en), void *arg);

/* fields.c: --fields in each output form, and csv rows (RFC 4180) */
void fields_short(struct strbuf *out, const struct options *o, const char *s,
    size_t n);
void fields_pretty(struct strbuf *out, const struct options *o, const char *s,
    size_t n);
bool fields_json(struct strbuf *out, const struct options *o, const char *s,
    size_t n);
void csv_value(struct strbuf *out, const char *s, size_t n);
void csv_header(struct strbuf *out, const struct options *o);
void csv_fields(struct strbuf *out, const struct options *o, const char *s,
    size_t n);

#endif
