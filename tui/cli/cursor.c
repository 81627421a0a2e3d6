/*
 * cursor.c - --cursor-file: print the entries after the ones a previous
 * run printed, then remember where this run stopped.  A byte offset would
 * not survive rotation (the file it points into becomes name.log.1), so
 * the cursor names an entry: for each log file's stream (a directory and
 * a category, the current file and its backups) the last entry seen, by
 * its time and a hash of its line.  The next run finds that entry in
 * whichever file holds it now; what follows it in the stream is new.  A
 * cursor entry that is gone (rotated out of the backups) falls back to its
 * time: later entries are new.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CURSOR_MAGIC "# llmlog cursor 1: time_us hash category directory"

struct mark {
	int64_t time_us;
	uint64_t hash;
	int category;
	char *dir;
	/* where the entry is now, when found */
	bool found;
	int backup;
	uint64_t offset;
	/* the last entry of the stream in this run */
	const struct eng_entry *last;
	int last_backup;
};

struct cursor {
	struct mark *m;
	size_t n, cap;
};

/* FNV-1a, 64 bits: enough to tell the entries of one time apart. */
static uint64_t
line_hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return h | 1;		/* 0 stands for no entry */
}

static struct mark *
find_mark(struct cursor *c, const char *dir, int category)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->m[i].category == category &&
		    strcmp(c->m[i].dir, dir) == 0)
			return &c->m[i];
	return NULL;
}

static struct mark *
add_mark(struct cursor *c, const char *dir, int category)
{
	struct mark *m;

	eng_grow(&c->m, &c->cap, c->n + 1, sizeof *c->m);
	m = &c->m[c->n++];
	memset(m, 0, sizeof *m);
	m->dir = eng_xstrdup(dir);
	m->category = category;
	m->time_us = ENG_TIME_NONE;
	return m;
}

/* 0, or -1 with a message; a missing file is an empty cursor. */
static int
cursor_read(const char *path, struct cursor *c)
{
	FILE *f = fopen(path, "r");
	char line[8192], cat[32];
	int64_t t;
	uint64_t h;
	int off;

	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "llmlog: --cursor-file %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof line, f) == NULL ||
	    strncmp(line, CURSOR_MAGIC, strlen(CURSOR_MAGIC)) != 0)
		goto bad;
	while (fgets(line, sizeof line, f) != NULL) {
		struct mark *m;
		int category;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%" SCNd64 " %" SCNx64 " %31s %n", &t, &h, cat,
		    &off) != 3 || (category = llmlog_category_parse(cat)) < 0)
			goto bad;
		m = add_mark(c, line + off, category);
		m->time_us = t;
		m->hash = h;
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	fprintf(stderr, "llmlog: --cursor-file %s: not a cursor llmlog wrote "
	    "(remove it to start from the beginning)\n", path);
	return -1;
}

/* Write to a new file and rename it over the old one, so that a run
 * cut short leaves the old cursor whole. */
static int
cursor_write(const char *path, const struct cursor *c)
{
	struct strbuf tmp;
	FILE *f;
	int rc = 0;

	strbuf_init(&tmp);
	strbuf_printf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp.s, "w")) == NULL)
		rc = -1;
	else {
		fprintf(f, "%s\n", CURSOR_MAGIC);
		for (size_t i = 0; i < c->n; i++)
			fprintf(f, "%" PRId64 " %016" PRIx64 " %s %s\n",
			    c->m[i].time_us, c->m[i].hash,
			    llmlog_category_name(c->m[i].category),
			    c->m[i].dir);
		if (fclose(f) != 0 || rename(tmp.s, path) != 0)
			rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "llmlog: --cursor-file %s: %s\n", path,
		    strerror(errno));
		remove(tmp.s);
	}
	strbuf_free(&tmp);
	return rc;
}

/* Which stream an entry is in, and the number of its file's backup. */
static struct mark *
entry_mark(struct eng *e, struct cursor *c, const struct eng_entry *en,
    int *backup, bool add)
{
	struct eng_file_info fi;
	struct mark *m;

	eng_file_info(e, en->file, &fi);
	*backup = fi.backup;
	if (fi.category < 0)
		return NULL;
	if ((m = find_mark(c, fi.dir, fi.category)) == NULL && add)
		m = add_mark(c, fi.dir, fi.category);
	return m;
}

/* Earlier in its stream: an older file (higher backup), or before in the
 * same one. */
static bool
stream_before(int backup_a, uint64_t off_a, int backup_b, uint64_t off_b)
{
	return backup_a != backup_b ? backup_a > backup_b : off_a < off_b;
}

/* Find each mark's entry in the view; note each stream's last entry. */
static void
locate(struct eng *e, struct cursor *c, struct eng_view *v,
    struct eng_reader *r)
{
	size_t n = eng_view_count(v), len;
	const char *s;
	int b;

	for (size_t i = 0; i < n; i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		struct mark *m = entry_mark(e, c, en, &b, true);

		if (m == NULL)
			continue;
		if (m->last == NULL || stream_before(m->last_backup,
		    m->last->offset, b, en->offset)) {
			m->last = en;
			m->last_backup = b;
		}
		if (en->time_us != m->time_us || m->hash == 0 ||
		    (s = eng_reader_line(r, en, &len)) == NULL ||
		    line_hash(s, len) != m->hash)
			continue;
		/* the same line twice: the later one is the cursor's */
		if (!m->found || stream_before(m->backup, m->offset, b,
		    en->offset)) {
			m->found = true;
			m->backup = b;
			m->offset = en->offset;
		}
	}
}

static bool
is_new(struct eng *e, struct cursor *c, const struct eng_entry *en)
{
	int b;
	struct mark *m = entry_mark(e, c, en, &b, false);

	if (m == NULL || m->hash == 0)
		return true;
	if (m->found)
		return stream_before(m->backup, m->offset, b, en->offset);
	return en->time_us > m->time_us;
}

int
cursor_run(struct eng *e, struct eng_view *v, const struct options *o,
    void (*print)(void *arg, const struct eng_entry *en), void *arg)
{
	struct cursor c = { NULL, 0, 0 };
	struct eng_reader *r;
	size_t n = eng_view_count(v), len, skip = 0, fresh = 0;
	const char *s;
	int rc = EXIT_SUCCESS;

	if (cursor_read(o->cursor_file, &c) != 0)
		return EXIT_USAGE;
	r = eng_reader_new(e, false);
	locate(e, &c, v, r);
	for (size_t i = 0; i < n; i++)
		fresh += is_new(e, &c, eng_view_get(v, i));
	if (o->tail >= 0 && fresh > (size_t)o->tail)
		skip = fresh - (size_t)o->tail;
	for (size_t i = 0; i < n; i++) {
		const struct eng_entry *en = eng_view_get(v, i);

		if (!is_new(e, &c, en))
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		print(arg, en);
	}
	for (size_t i = 0; i < c.n; i++) {
		struct mark *m = &c.m[i];

		if (m->last == NULL || (s = eng_reader_line(r, m->last,
		    &len)) == NULL)
			continue;
		m->time_us = m->last->time_us;
		m->hash = line_hash(s, len);
	}
	eng_reader_free(r);
	if (cursor_write(o->cursor_file, &c) != 0)
		rc = EXIT_USAGE;
	for (size_t i = 0; i < c.n; i++)
		free(c.m[i].dir);
	free(c.m);
	return rc;
}
