/*
 * engine.c - the engine's lifecycle, the calls at the top of engine.h's
 * protocol: open the directories, load them (here, or in the background
 * through loader.c), tell how far a load got, close.  And the counters
 * over what is indexed.  Everything here calls down (store.c, index.c,
 * loader.c); nothing below calls back up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"

#define LOAD_CHUNK	(8u << 20)	/* bytes of a file per index task */

/* Whether source i (a directory, a regular file or "-") can be opened;
 * why not in err. */
static bool
source_ok(const char *src, bool *file, bool *std, char *err, size_t errlen)
{
	struct stat st;

	*std = strcmp(src, "-") == 0;
	*file = true;
	if (*std)
		return true;
	if (stat(src, &st) != 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return false;
	}
	*file = !S_ISDIR(st.st_mode);
	if (*file && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a log file or directory", src);
		return false;
	}
	if (access(src, *file ? R_OK : R_OK | X_OK) != 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return false;
	}
	return true;
}

/* "-": standard input is read from a descriptor of its own (so that the
 * caller may put the terminal at 0) into an unlinked temporary file. */
static bool
stdin_open(struct eng *e, unsigned source, char *err, size_t errlen)
{
	if (e->stdin_src >= 0) {
		snprintf(err, errlen, "-: standard input given twice");
		return false;
	}
	if ((e->stdin_fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    (e->stdin_tmp = temp_file()) < 0) {
		snprintf(err, errlen, "-: %s", strerror(errno));
		return false;
	}
	e->stdin_src = (int)source;
	return true;
}

struct eng *
eng_open(const char *const *dirs, size_t ndirs, char *err, size_t errlen)
{
	struct eng *e;
	bool file, std;

	if (ndirs == 0 || ndirs > 255) {
		snprintf(err, errlen, "between 1 and 255 log directories "
		    "or files, not %zu", ndirs);
		return NULL;
	}
	for (size_t i = 0; i < ndirs; i++)
		if (!source_ok(dirs[i], &file, &std, err, errlen))
			return NULL;
	e = eng_xcalloc(1, sizeof *e);
	e->stdin_src = e->stdin_fd = e->stdin_tmp = e->stdin_grows = -1;
	e->dirs = eng_xcalloc(ndirs, sizeof *e->dirs);
	e->src_file = eng_xcalloc(ndirs, sizeof *e->src_file);
	e->ndirs = ndirs;
	e->watch_fd = -1;
	fdcache_init(e);
	for (size_t i = 0; i < ndirs; i++) {
		e->dirs[i] = eng_xstrdup(dirs[i]);
		source_ok(dirs[i], &e->src_file[i], &std, err, errlen);
		if (std && !stdin_open(e, (unsigned)i, err, errlen)) {
			eng_close(e);
			return NULL;
		}
	}
	hosts_name(e);
	/* a file is named as given */
	for (size_t i = 0; i < ndirs; i++) {
		if (!e->src_file[i])
			continue;
		free(e->hosts[i]);
		e->hosts[i] = eng_xstrdup(dirs[i]);
	}
	return e;
}

void
eng_stdin_live(struct eng *e)
{
	e->stdin_live = true;
	follow_stdin_keep(e);
}

bool
eng_reads_stdin(const struct eng *e)
{
	return e->stdin_src >= 0;
}

void
eng_close(struct eng *e)
{
	if (e == NULL)
		return;
	loader_stop(e);
	stats_pre_free(e);
	cache_save(e);		/* what was indexed since the load */
	fdcache_free(e);
	cache_free(e);
	for (size_t i = 0; i < e->nfiles; i++) {
		if (e->files[i] == NULL)
			continue;
		file_cache_free(e->files[i]);
		free(e->files[i]->path);
		free(e->files[i]);
	}
	free(e->files);
	free(e->names);
	store_unreadable_free(e);
	for (size_t i = 0; i < e->nchunks; i++)
		free(e->chunks[i]);
	free(e->chunks);
	order_free(e);
	hosts_free(e);
	for (size_t i = 0; i < e->ndirs; i++)
		free(e->dirs[i]);
	free(e->dirs);
	free(e->src_file);
	if (e->watch_fd >= 0)
		close(e->watch_fd);
	if (e->stdin_fd >= 0)
		close(e->stdin_fd);
	if (e->stdin_tmp >= 0)
		close(e->stdin_tmp);
	if (e->stdin_grows >= 0)
		close(e->stdin_grows);
	prefilter_free(e->prefilter);
	free(e);
}

/* What both loads do first: refuse a second load, find the files. */
static int
load_begin(struct eng *e, char *err, size_t errlen)
{
	if (e->loader != NULL) {
		snprintf(err, errlen, "a background load is running");
		return -1;
	}
	store_stdin_pump(e, !e->stdin_live);
	return store_scan(e, err, errlen);
}

/* Threads that index a large load: one per core there is, within
 * LOAD_THREADS_MAX (a central server indexes many hosts at once). */
int
load_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > LOAD_THREADS_MAX ? LOAD_THREADS_MAX : (int)n;
}

int
eng_load(struct eng *e, char *err, size_t errlen)
{
	struct index_task *t;
	uint64_t bytes;
	size_t n;

	if (load_begin(e, err, errlen) != 0)
		return -1;
	n = index_plan(e, &t, LOAD_CHUNK, &bytes);
	index_load(e, t, n, bytes > LOAD_CHUNK ? load_threads() : 1);
	free(t);
	e->load_total += bytes;
	cache_save(e);
	return 0;
}

int
eng_load_async(struct eng *e, char *err, size_t errlen)
{
	if (load_begin(e, err, errlen) != 0)
		return -1;
	loader_start(e);
	return 0;
}

void
eng_progress(const struct eng *e, uint64_t *indexed, uint64_t *total,
    bool *done)
{
	if (e->loader != NULL) {
		loader_progress(e->loader, indexed, total);
		*done = false;
		return;
	}
	*indexed = *total = e->load_total;
	*done = true;
}

size_t
eng_count(const struct eng *e)
{
	return e->count;
}

size_t
eng_malformed(const struct eng *e)
{
	return e->malformed;
}

size_t
eng_file_count(const struct eng *e)
{
	return e->nfiles;
}

void
eng_file_info(const struct eng *e, size_t i, struct eng_file_info *out)
{
	const struct file *f = e->files[i];

	if (f == NULL) {	/* gone, and its entries with it */
		memset(out, 0, sizeof *out);
		out->category = -1;
		out->first_us = out->last_us = ENG_TIME_NONE;
		return;
	}
	out->path = f->path;
	out->dir = e->dirs[f->source];
	out->category = f->category;
	out->backup = f->backup;
	out->size = f->size;
	out->compressed = f->gz ? f->zsize : 0;
	out->entries = f->entries;
	out->first_us = f->first_us;
	out->last_us = f->last_us;
	out->unfinished = f->pending == 0 && f->size > f->pos ?
	    f->size - f->pos : 0;
}

void
eng_coverage(const struct eng *e, int category, struct eng_coverage *out)
{
	out->first_us = out->last_us = ENG_TIME_NONE;
	out->rotated = false;
	for (size_t i = 0; i < e->nfiles; i++) {
		const struct file *f = e->files[i];

		if (f == NULL || f->category != category)
			continue;
		out->rotated |= f->backup > 0;
		if (f->first_us != ENG_TIME_NONE &&
		    (out->first_us == ENG_TIME_NONE || f->first_us <
		    out->first_us))
			out->first_us = f->first_us;
		if (f->last_us != ENG_TIME_NONE &&
		    (out->last_us == ENG_TIME_NONE || f->last_us >
		    out->last_us))
			out->last_us = f->last_us;
	}
}

/* A time to the second, as the note gives it. */
static void
note_time(struct strbuf *out, int64_t us, bool utc)
{
	struct strbuf t = { 0 };

	eng_time_format(&t, us, utc);
	strbuf_add(out, t.s, t.len > 19 ? 19 : t.len);
	strbuf_free(&t);
}

bool
eng_coverage_note(struct strbuf *out, int category,
    const struct eng_coverage *c, int64_t since_us, bool utc)
{
	/* a category never rotated still holds all it wrote: its range
	 * only starts later */
	if (since_us == ENG_TIME_NONE || c->first_us == ENG_TIME_NONE ||
	    !c->rotated || since_us >= c->first_us || category < 0 ||
	    category >= LLMLOG_NCATEGORIES)
		return false;
	strbuf_printf(out, "%s entries start ",
	    llmlog_category_name(category));
	note_time(out, c->first_us, utc);
	strbuf_puts(out, " (rotated): the range asked starts ");
	note_time(out, since_us, utc);
	return true;
}

size_t
eng_source_names(const struct eng *e, unsigned source)
{
	return e->names != NULL && source < e->ndirs ? e->names[source] : 0;
}

size_t
eng_source_count(const struct eng *e)
{
	return e->ndirs;
}

const char *
eng_source_name(const struct eng *e, unsigned source)
{
	return source < e->ndirs ? e->dirs[source] : NULL;
}
