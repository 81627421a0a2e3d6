/*
 * store.c - the lowest layer: the log directories' files and the index.
 * Scanning for the six category files and their backups, appending
 * entries to the index, and reading back a line or its JSON.  It calls
 * nothing above it: engine.c and follow.c scan through it, index.c
 * appends, reader.c and summary.c read lines (eng_line).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"

void
store_append(struct eng *e, const struct eng_entry *v, size_t n)
{
	while (n > 0) {
		size_t at = e->count & (CHUNK_ENTRIES - 1), take;

		if (at == 0 && (e->count >> CHUNK_SHIFT) == e->nchunks) {
			eng_grow(&e->chunks, &e->chunks_cap, e->nchunks + 1,
			    sizeof *e->chunks);
			e->chunks[e->nchunks++] = eng_xmalloc(CHUNK_ENTRIES *
			    sizeof **e->chunks);
		}
		take = CHUNK_ENTRIES - at;
		if (take > n)
			take = n;
		memcpy(&e->chunks[e->count >> CHUNK_SHIFT][at], v,
		    take * sizeof *v);
		e->count += take;
		v += take;
		n -= take;
	}
}

void
store_file_add_entries(struct file *f, const struct eng_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].flags & ENTRY_NO_TIME)
			continue;
		if (f->first_us == ENG_TIME_NONE || v[i].time_us < f->first_us)
			f->first_us = v[i].time_us;
		if (f->last_us == ENG_TIME_NONE || v[i].time_us > f->last_us)
			f->last_us = v[i].time_us;
	}
	f->entries += n;
}

struct found {
	int category;
	int backup;
	char *name;
};

static int
found_cmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->category != y->category)
		return x->category - y->category;
	return y->backup - x->backup;	/* oldest backup first */
}

static struct file *
file_by_inode(struct eng *e, unsigned source, const struct stat *st)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		struct file *f = e->files[i];
		if (f->fd >= 0 && f->source == source &&
		    f->dev == st->st_dev && f->ino == st->st_ino)
			return f;
	}
	return NULL;
}

static void
file_add(struct eng *e, unsigned source, const struct found *fo,
    char *path)
{
	struct file *f;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		free(path);
		return;
	}
	if ((f = file_by_inode(e, source, &st)) != NULL) {
		/* renamed between our lstat and open */
		close(fd);
		free(f->path);
		f->path = path;
		f->backup = fo->backup;
		f->seen = true;
		return;
	}
	eng_grow(&e->files, &e->files_cap, e->nfiles + 1, sizeof *e->files);
	f = eng_xcalloc(1, sizeof *f);
	f->path = path;
	f->source = source;
	f->category = fo->category;
	f->backup = fo->backup;
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->seen = true;
	f->first_us = f->last_us = ENG_TIME_NONE;
	e->files[e->nfiles++] = f;
}

static char *
join_path(const char *dir, const char *name)
{
	size_t dn = strlen(dir), nn = strlen(name);
	char *p = eng_xmalloc(dn + nn + 2);

	memcpy(p, dir, dn);
	p[dn] = '/';
	memcpy(p + dn + 1, name, nn + 1);
	return p;
}

static int
scan_dir(struct eng *e, unsigned source, char *err, size_t errlen)
{
	struct found *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(e->dirs[source])) == NULL) {
		snprintf(err, errlen, "%s: %s", e->dirs[source],
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		int cat = llmlog_category_from_file(de->d_name);
		const char *dot;

		if (cat < 0)
			continue;
		eng_grow(&v, &cap, n + 1, sizeof *v);
		dot = de->d_name + strlen(llmlog_category_file(cat));
		v[n].category = cat;
		v[n].backup = *dot == '.' ? atoi(dot + 1) : 0;
		v[n].name = eng_xstrdup(de->d_name);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof *v, found_cmp);
	for (size_t i = 0; i < n; i++) {
		char *path = join_path(e->dirs[source], v[i].name);
		struct stat st;
		struct file *f;

		free(v[i].name);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if ((f = file_by_inode(e, source, &st)) != NULL) {
			free(f->path);
			f->path = path;
			f->backup = v[i].backup;
			f->seen = true;
			continue;
		}
		file_add(e, source, &v[i], path);
	}
	free(v);
	return 0;
}

int
store_scan(struct eng *e, char *err, size_t errlen)
{
	int rc = 0;

	for (size_t i = 0; i < e->nfiles; i++)
		e->files[i]->seen = false;
	for (size_t s = 0; s < e->ndirs; s++) {
		if (scan_dir(e, (unsigned)s, err, errlen) == 0)
			continue;
		/* unreadable for now: its files are not gone */
		for (size_t i = 0; i < e->nfiles; i++)
			if (e->files[i]->source == s)
				e->files[i]->seen = true;
		rc = -1;
	}
	return rc;
}

/* eng_line's buffer: one per thread, freed when the thread ends. */
static pthread_key_t line_key;
static pthread_once_t line_once = PTHREAD_ONCE_INIT;

static void
line_buf_free(void *p)
{
	strbuf_free(p);
	free(p);
}

static void
line_key_make(void)
{
	pthread_key_create(&line_key, line_buf_free);
}

static struct strbuf *
line_buf(void)
{
	struct strbuf *b;

	pthread_once(&line_once, line_key_make);
	if ((b = pthread_getspecific(line_key)) == NULL) {
		b = eng_xcalloc(1, sizeof *b);
		strbuf_init(b);
		pthread_setspecific(line_key, b);
	}
	return b;
}

ssize_t
read_full(int fd, char *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && got == 0)
			return -1;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The room a huge line took is given back at the next short one. */
#define LINE_BUF_KEEP	(4u << 20)

static const char *
line_read(struct eng *e, const struct eng_entry *en, size_t n, size_t *len)
{
	struct strbuf *b = line_buf();
	struct file *f;
	ssize_t got;

	if (en->file >= e->nfiles || (f = e->files[en->file])->fd < 0)
		return NULL;
	if (b->cap > LINE_BUF_KEEP && n < LINE_BUF_KEEP) {
		strbuf_free(b);
		strbuf_init(b);
	}
	strbuf_reset(b);
	strbuf_reserve(b, n);
	got = read_full(f->fd, b->s, n, en->offset);
	if (got < (ssize_t)n)
		return NULL;	/* the file is shorter now */
	b->len = n;
	b->s[n] = '\0';
	*len = n;
	return b->s;
}

const char *
eng_line(struct eng *e, const struct eng_entry *en, size_t *len)
{
	return line_read(e, en, entry_read_len(en), len);
}

const char *
eng_line_head(struct eng *e, const struct eng_entry *en, size_t max,
    size_t *len)
{
	size_t n = entry_read_len(en);

	return line_read(e, en, n < max ? n : max, len);
}

json_object *
eng_parse(struct eng *e, const struct eng_entry *en)
{
	const char *s;
	size_t n;

	if (en->flags & ENTRY_MALFORMED)
		return NULL;
	if ((s = eng_line(e, en, &n)) == NULL)
		return NULL;
	return eng_parse_line(s, n);
}
