/*
 * llmlog.h - libllmlog, the writer library of llmlog.
 *
 * Records what an LLM-driven shell does in six JSON-lines category files
 * (see llmlog(5)), rotated by size, with secrets redacted and long text
 * truncated before anything is written.  Safe with many threads and many
 * processes writing one directory.  Never aborts or exits its host: every
 * failure comes back as a return value, with a message in llmlog_errmsg().
 *
 * Ownership: every json_object * handed to a logging call (details,
 * parameters, result) is consumed: the call drops that reference with
 * json_object_put(), on success and on error alike.  Use json_object_get()
 * first to keep your own.  In async mode the writer thread reads and
 * drops a consumed object after the call has returned, and json-c's
 * reference counts are not atomic: the caller must not touch a consumed
 * object (or any object inside it) afterwards; one it kept a reference to
 * may be read, but neither changed nor passed to json_object_get() or
 * json_object_put(), until llmlog_flush() has returned.
 */
#ifndef LLMLOG_H
#define LLMLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LLMLOG_VERSION "0.1.0"

/* ---- the six categories and the five levels ---------------------------- */

enum llmlog_category {
	LLMLOG_USER,
	LLMLOG_SYSTEM,
	LLMLOG_TOOL,
	LLMLOG_LLM,
	LLMLOG_SECURITY,
	LLMLOG_PERFORMANCE,
	LLMLOG_NCATEGORIES
};

/* Python logging's numeric values, so imported levels compare naturally. */
enum llmlog_level {
	LLMLOG_DEBUG = 10,
	LLMLOG_INFO = 20,
	LLMLOG_WARNING = 30,
	LLMLOG_ERROR = 40,
	LLMLOG_CRITICAL = 50
};

/* Name used in the "category" field and on the command line: "user", ... */
const char *llmlog_category_name(enum llmlog_category cat);
/* File name inside the log directory: "user_interactions.log", ... */
const char *llmlog_category_file(enum llmlog_category cat);
/* Human label: "User", "System", "Tool", "LLM", "Security", "Performance" */
const char *llmlog_category_label(enum llmlog_category cat);
/* "user" or "User" -> LLMLOG_USER; -1 when unknown. */
int llmlog_category_parse(const char *name);
/* The category whose file (or rotated backup "name.log.N") this is; -1. */
int llmlog_category_from_file(const char *basename);

/* "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" */
const char *llmlog_level_name(enum llmlog_level level);
/* Case-insensitive; also "warn", "err", "crit", "fatal" and the numbers
 * 10..50.  Returns the level, or -1 when unknown. */
int llmlog_level_parse(const char *name);

/* ---- opening a log -------------------------------------------------------- */

/* Zero means "the default" for every field, so a designated initialiser
 * names only what it changes. */
enum llmlog_overflow {
	LLMLOG_OVERFLOW_BLOCK,	/* async queue full: the caller waits */
	LLMLOG_OVERFLOW_DROP	/* async queue full: the entry is dropped and counted */
};

#define LLMLOG_BACKUPS_NONE (-1)	/* keep no backups: never rotate */

struct llmlog_config {
	const char *dir;	/* NULL or "": llmlog_default_dir() */
	int64_t max_bytes;	/* rotate before a file would reach this; 0: 10 MiB */
	int backups;		/* rotated files kept; 0: 5; LLMLOG_BACKUPS_NONE: none */
	int min_level;		/* 0: $LLMLOG_LEVEL, else INFO */
	bool no_console;	/* don't echo WARNING and above to stderr */
	bool async;		/* queue entries for a writer thread */
	unsigned queue_size;	/* async queue capacity in entries; 0: 8192 */
	enum llmlog_overflow overflow;
};

struct llmlog;

/* Open a log directory (created 0700 when missing).  Returns NULL on error,
 * with the reason in llmlog_errmsg() and errno set. */
struct llmlog *llmlog_open(const struct llmlog_config *cfg);
/* Flush, stop the writer thread, close the files.  NULL is a no-op.
 * Returns 0, or -1 when some queued entries could not be written. */
int llmlog_close(struct llmlog *lg);
/* Write out everything queued so far (async mode); 0 or -1. */
int llmlog_flush(struct llmlog *lg);

/* The process-wide default log: the seed's "setup once, log anywhere".
 * cfg may be NULL.  Calling it again replaces the default.  The default is
 * flushed and closed at normal exit.  0 or -1. */
int llmlog_setup(const struct llmlog_config *cfg);
/* The default log, set up with a NULL config on first use; NULL if that
 * failed.  Every logging call takes NULL to mean this log. */
struct llmlog *llmlog_default(void);

/* Entries not written since open: full disk, unwritable file, full queue
 * with LLMLOG_OVERFLOW_DROP.  Filtered-out levels are not counted. */
uint64_t llmlog_dropped(const struct llmlog *lg);
/* The directory in use (absolute path). */
const char *llmlog_dir(const struct llmlog *lg);
/* The directory a log opens when its config names none, and the one the
 * explorer reads by default: $LLMLOG_DIR if set and not empty, as given;
 * else $HOME/.llm_os/logs (the home directory of the password database
 * when $HOME is unset or empty).  Neither created nor checked.  Returns a
 * newly allocated string the caller frees with free(), or NULL with errno
 * set (ENOENT: no home directory; ENOMEM) and the reason in
 * llmlog_errmsg().  Safe in any thread. */
char *llmlog_default_dir(void);
/* Change the minimum level at run time. */
void llmlog_set_level(struct llmlog *lg, enum llmlog_level level);
/* Whether an entry of this level would be written. */
bool llmlog_enabled(const struct llmlog *lg, enum llmlog_level level);

/* The calling thread's last error message ("" when none). */
const char *llmlog_errmsg(void);

/* ---- one call per kind of event ------------------------------------------ *
 *
 * Each takes a log (NULL: the default) and keyword-style arguments:
 *
 *     llmlog_interaction(NULL, .user_input = "list files",
 *                        .response = reply, .duration_ms = 12.5,
 *                        .tool_calls = (const char *[]){ "list_directory", NULL });
 *
 * Common to all: .level overrides the level the rules choose (0: the rule);
 * .when is the entry's time (zero: now), for importers and simulators.
 * An interaction, tool execution or LLM call is a success unless .failed is
 * set or .error is given (not NULL and not "").  Returns 0 when written (or
 * queued, or below the minimum level), -1 on error.
 *
 * Every string is redacted (see llmlog_redact) before it is written; a NULL
 * string is written as "".
 */

/* user: INFO, or ERROR when it failed */
struct llmlog_interaction {
	const char *user_input;		/* stored whole (redacted) */
	const char *response;		/* stored as response_summary, <= 500 chars */
	const char *const *tool_calls;	/* NULL-terminated, or NULL */
	double duration_ms;
	bool failed;
	const char *error;
	json_object *details;		/* consumed */
	int level;
	struct timespec when;
};
int llmlog_interaction_(struct llmlog *lg, const struct llmlog_interaction *e);
#define llmlog_interaction(lg, ...) \
	llmlog_interaction_((lg), &(const struct llmlog_interaction){ __VA_ARGS__ })

/* system: startup, shutdown, config_change and status are INFO; warning is
 * WARNING; error is ERROR.  .event is one of those names, or another
 * lowercase name ([a-z0-9_], at most 32 bytes), which is INFO. */
struct llmlog_system {
	const char *event;
	const char *component;
	const char *message;
	json_object *details;		/* consumed */
	int level;
	struct timespec when;
};
int llmlog_system_(struct llmlog *lg, const struct llmlog_system *e);
#define llmlog_system(lg, ...) \
	llmlog_system_((lg), &(const struct llmlog_system){ __VA_ARGS__ })

int llmlog_startup(struct llmlog *lg, const char *component, json_object *details);
int llmlog_shutdown(struct llmlog *lg, const char *component, json_object *details);
int llmlog_system_error(struct llmlog *lg, const char *component,
    const char *message, json_object *details);
int llmlog_system_warning(struct llmlog *lg, const char *component,
    const char *message, json_object *details);
int llmlog_config_change(struct llmlog *lg, const char *component,
    const char *message, json_object *details);
int llmlog_status(struct llmlog *lg, const char *component,
    const char *message, json_object *details);

/* tool: INFO, or ERROR when it failed */
struct llmlog_tool {
	const char *tool_name;
	const char *tool_server;
	json_object *parameters;	/* consumed; over 1000 characters of
					 * JSON it is stored as cut text */
	json_object *result;		/* consumed; its compact JSON (a string:
					 * the string) is the result_summary,
					 * <= 500 chars */
	const char *result_text;	/* instead of .result: a plain-text result */
	double duration_ms;
	bool failed;
	const char *error;
	int level;
	struct timespec when;
};
int llmlog_tool_(struct llmlog *lg, const struct llmlog_tool *e);
#define llmlog_tool(lg, ...) \
	llmlog_tool_((lg), &(const struct llmlog_tool){ __VA_ARGS__ })

/* llm: INFO, or ERROR when it failed.  total_tokens is prompt + completion
 * unless given. */
struct llmlog_llm {
	const char *provider;
	const char *model;
	int64_t prompt_tokens;
	int64_t completion_tokens;
	int64_t total_tokens;
	double duration_ms;
	bool streaming;
	bool failed;
	const char *error;
	int level;
	struct timespec when;
};
int llmlog_llm_(struct llmlog *lg, const struct llmlog_llm *e);
#define llmlog_llm(lg, ...) \
	llmlog_llm_((lg), &(const struct llmlog_llm){ __VA_ARGS__ })

/* security: INFO when allowed, WARNING when denied (the default: a
 * decision not stated as allowed is recorded as a denial). */
struct llmlog_security {
	const char *event_type;		/* "permission_check", "file_access", ... */
	const char *resource;
	const char *action;
	bool allowed;
	const char *reason;
	int level;
	struct timespec when;
};
int llmlog_security_(struct llmlog *lg, const struct llmlog_security *e);
#define llmlog_security(lg, ...) \
	llmlog_security_((lg), &(const struct llmlog_security){ __VA_ARGS__ })

/* performance: INFO.  memory_mb 0: the process's RSS now; cpu_percent is
 * written when not 0. */
struct llmlog_metric {
	const char *operation;
	double duration_ms;
	double memory_mb;
	double cpu_percent;
	json_object *details;		/* consumed */
	int level;
	struct timespec when;
};
int llmlog_metric_(struct llmlog *lg, const struct llmlog_metric *e);
#define llmlog_metric(lg, ...) \
	llmlog_metric_((lg), &(const struct llmlog_metric){ __VA_ARGS__ })

/* ---- timing ------------------------------------------------------------------ *
 *
 * A timer measures wall time, the process's CPU time and its RSS.
 *
 *     struct llmlog_timer t = llmlog_timer_start(NULL, "process_message");
 *     ...
 *     llmlog_timer_stop(&t, NULL);        logs a performance metric
 *
 * or, for a whole block:
 *
 *     { LLMLOG_TIMED_SCOPE(NULL, "initialize_router");  ... }
 */
struct llmlog_timer {
	struct llmlog *lg;
	const char *operation;
	struct timespec wall;
	struct timespec cpu;
	bool stopped;
};

/* operation is not copied: it must live until the timer is stopped. */
struct llmlog_timer llmlog_timer_start(struct llmlog *lg, const char *operation);
/* Milliseconds since start. */
double llmlog_timer_elapsed_ms(const struct llmlog_timer *t);
/* Log the metric (duration, RSS in MB, CPU percent over the span: the
 * process's CPU time over wall time, above 100 with several busy threads)
 * with the optional details (consumed).  A second stop does nothing and
 * drops the details.  0 or -1. */
int llmlog_timer_stop(struct llmlog_timer *t, json_object *details);
void llmlog_timer_cleanup_(struct llmlog_timer *t);

#define LLMLOG_CONCAT_(a, b) a##b
#define LLMLOG_CONCAT(a, b) LLMLOG_CONCAT_(a, b)
#define LLMLOG_TIMED_SCOPE(lg, operation)                                   \
	struct llmlog_timer LLMLOG_CONCAT(llmlog_scope_timer_, __LINE__)     \
	    __attribute__((cleanup(llmlog_timer_cleanup_), unused)) =          \
	    llmlog_timer_start((lg), (operation))

/*
 * Time-and-log helpers, the counterparts of the seed's decorators: run
 * fn(arg), time it, log the event with the measured duration.  fn returns 0
 * on success or fills *error (a static or owned-by-callee string) and
 * returns nonzero; its return value is passed back.
 *
 *     rc = llmlog_time_tool(NULL, "read_file", "filesystem",
 *                           params, do_read, &ctx, &result);
 */
typedef int (*llmlog_tool_fn)(void *arg, json_object **result, const char **error);
int llmlog_time_tool(struct llmlog *lg, const char *tool_name,
    const char *tool_server, json_object *parameters,
    llmlog_tool_fn fn, void *arg, json_object **result);

/* fn fills the token counts it learns in *call (provider and model are set
 * from the arguments before the call). */
typedef int (*llmlog_llm_fn)(void *arg, struct llmlog_llm *call);
int llmlog_time_llm(struct llmlog *lg, const char *provider,
    const char *model, llmlog_llm_fn fn, void *arg);

/* fn returns the response text (owned by the caller of fn's arg, may be
 * NULL) through *response, and may append tool names to tool_calls (a
 * NULL-terminated array with room for LLMLOG_MAX_TOOL_CALLS names). */
#define LLMLOG_MAX_TOOL_CALLS 32
typedef int (*llmlog_interaction_fn)(void *arg, const char **response,
    const char **tool_calls, const char **error);
int llmlog_time_interaction(struct llmlog *lg, const char *user_input,
    llmlog_interaction_fn fn, void *arg);

/* ---- the text rules, exposed for tools and tests ----------------------------- */

/* Characters (UTF-8 code points) kept by summaries. */
#define LLMLOG_SUMMARY_CHARS 500

/* Redact secrets in text: returns a newly allocated string (free()), or
 * NULL when text is NULL or memory ran out.  Text without secrets comes
 * back unchanged. */
char *llmlog_redact(const char *text);
/* Whether a key names a secret (password, token, api_key, ...), compared
 * case-insensitively with '-' and '_' alike.  Counts of tokens
 * (max_tokens, token_count) are not secrets. */
bool llmlog_secret_key(const char *key);

#ifdef __cplusplus
}
#endif

#endif
