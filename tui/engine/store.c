/*
 * store.c - the lowest layer: the log directories' files and the index.
 * Scanning for the six category files and their backups (files known by
 * inode, so a rename is the same file under a new name; whatever sits at
 * a log name and cannot be read is named, never skipped in silence),
 * the files named as sources of their own, standard input's copy in its
 * temporary file, appending entries to the index, and reading back a line.  It calls
 * only fdcache.c: engine.c and follow.c scan through it, index.c
 * appends, reader.c and summary.c read lines (eng_line).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"

/* Room for the entries after the last, within its chunk (made when
 * new): where, and *n how many fit (at most the *n asked for). */
struct eng_entry *
store_reserve(struct eng *e, size_t *n)
{
	size_t at = e->count & (CHUNK_ENTRIES - 1);
	size_t c = e->count >> CHUNK_SHIFT;

	if (at == 0 && c == e->nchunks) {
		eng_grow(&e->chunks, &e->chunks_cap, e->nchunks + 1,
		    sizeof *e->chunks);
		e->chunks[e->nchunks++] = eng_xmalloc_huge(CHUNK_ENTRIES *
		    sizeof **e->chunks);
		if (e->cache != NULL) {
			e->vchunks = eng_xrealloc(e->vchunks,
			    e->chunks_cap * sizeof *e->vchunks);
			e->vchunks[c] = eng_xmalloc(CHUNK_ENTRIES *
			    sizeof **e->vchunks);
		}
	}
	if (*n > CHUNK_ENTRIES - at)
		*n = CHUNK_ENTRIES - at;
	return &e->chunks[c][at];
}

/* The n entries written where store_reserve said are in the index, with
 * no values kept. */
void
store_commit(struct eng *e, size_t n)
{
	size_t at = e->count & (CHUNK_ENTRIES - 1);

	if (e->vchunks != NULL)
		memset(&e->vchunks[e->count >> CHUNK_SHIFT][at], 0xff,
		    n * sizeof **e->vchunks);
	e->count += n;
}

void
store_append(struct eng *e, const struct eng_entry *v, const uint32_t *refs,
    size_t n)
{
	while (n > 0) {
		size_t at = e->count & (CHUNK_ENTRIES - 1), take = n;
		size_t c = e->count >> CHUNK_SHIFT;

		store_reserve(e, &take);
		memcpy(&e->chunks[c][at], v, take * sizeof *v);
		if (e->vchunks != NULL) {
			if (refs != NULL)
				memcpy(&e->vchunks[c][at], refs,
				    take * sizeof *refs);
			else
				memset(&e->vchunks[c][at], 0xff,
				    take * sizeof *refs);
			if (refs != NULL)
				refs += take;
		}
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
	bool gz;
	bool taken;		/* scan_dir: indexed */
	char *name;
};

static int
found_cmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->category != y->category)
		return x->category - y->category;
	if (x->backup != y->backup)
		return y->backup - x->backup;	/* oldest backup first */
	if (x->gz != y->gz)
		return x->gz - y->gz;	/* "x.log.3" before "x.log.3.gz" */
	return strcmp(x->name, y->name);
}

/* ---- what cannot be read ---- */

struct unreadable {
	char *text;		/* "path: why" */
	uint64_t seq;
	bool from_scan;		/* else a read failed: kept for good */
	bool seen;		/* by the current scan */
};

void
store_unreadable(struct eng *e, const char *path, const char *why,
    bool from_scan)
{
	struct strbuf b;

	strbuf_init(&b);
	strbuf_printf(&b, "%s: %s", path, why);
	for (size_t i = 0; i < e->nbad; i++) {
		if (strcmp(e->bad[i].text, b.s) == 0) {
			e->bad[i].seen = true;
			strbuf_free(&b);
			return;
		}
	}
	eng_grow(&e->bad, &e->bad_cap, e->nbad + 1, sizeof *e->bad);
	e->bad[e->nbad++] = (struct unreadable){ .text = b.s,
	    .seq = ++e->bad_seq, .from_scan = from_scan, .seen = true };
}

/* After a scan: a name that is no longer bad leaves the list. */
static void
unreadable_sweep(struct eng *e)
{
	size_t w = 0;

	for (size_t i = 0; i < e->nbad; i++) {
		if (e->bad[i].from_scan && !e->bad[i].seen)
			free(e->bad[i].text);
		else
			e->bad[w++] = e->bad[i];
	}
	e->nbad = w;
}

void
store_unreadable_free(struct eng *e)
{
	for (size_t i = 0; i < e->nbad; i++)
		free(e->bad[i].text);
	free(e->bad);
}

size_t
eng_unreadable_count(const struct eng *e)
{
	return e->nbad;
}

const char *
eng_unreadable(const struct eng *e, size_t i, uint64_t *seq)
{
	if (i >= e->nbad)
		return NULL;
	if (seq != NULL)
		*seq = e->bad[i].seq;
	return e->bad[i].text;
}

static const char *
not_regular(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link, not followed";
	if (S_ISDIR(m))
		return "a directory, not a log file";
	if (S_ISFIFO(m))
		return "a FIFO, not a log file";
	if (S_ISSOCK(m))
		return "a socket, not a log file";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device, not a log file";
	return "not a regular file";
}

/* ---- the files, by inode ---- */

/* The known files of a scan's directory by device and inode: a scan
 * looks up every name, and there may be thousands of backups. */
struct inodes {
	struct file **slot;
	size_t mask;
};

static size_t
inode_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * UINT64_C(0x9e3779b97f4a7c15) ^
	    (uint64_t)dev;

	return (size_t)(h ^ (h >> 29));
}

static void
inodes_add(struct inodes *t, struct file *f)
{
	size_t i = inode_hash(f->dev, f->ino) & t->mask;

	while (t->slot[i] != NULL)
		i = (i + 1) & t->mask;
	t->slot[i] = f;
}

/* Room for the files there are and for names more. */
static void
inodes_init(struct inodes *t, const struct eng *e, unsigned source,
    size_t names)
{
	size_t n = 16;

	while (n < 2 * (e->nfiles + names))
		n *= 2;
	t->slot = eng_xcalloc(n, sizeof *t->slot);
	t->mask = n - 1;
	for (size_t i = 0; i < e->nfiles; i++)
		if (e->files[i] != NULL && !e->files[i]->gone &&
		    e->files[i]->source == source)
			inodes_add(t, e->files[i]);
}

static struct file *
inodes_find(const struct inodes *t, const struct stat *st)
{
	size_t i = inode_hash(st->st_dev, st->st_ino) & t->mask;

	for (; t->slot[i] != NULL; i = (i + 1) & t->mask)
		if (t->slot[i]->dev == st->st_dev &&
		    t->slot[i]->ino == st->st_ino && !t->slot[i]->gone)
			return t->slot[i];
	return NULL;
}

/* Whether another source indexes the file st is (a directory and a file
 * in it both named): it is read once, as the first names it. */
static bool
other_source_has(const struct eng *e, unsigned source, const struct stat *st)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		const struct file *f = e->files[i];

		if (f != NULL && !f->gone && f->source != source &&
		    f->dev == st->st_dev && f->ino == st->st_ino)
			return true;
	}
	return false;
}

/* A new file at a log name: open it, to know that it can be read, and
 * keep the descriptor while the cache has room.  Whether it is indexed. */
static bool
file_add(struct eng *e, unsigned source, const struct found *fo,
    char *path, struct inodes *known)
{
	struct file *f;
	struct stat st;
	int fd;

	if ((fd = file_open(e, AT_FDCWD, path, &st)) < 0 ||
	    !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			store_unreadable(e, path, not_regular(st.st_mode), true);
		else if (errno == ELOOP)	/* now a symbolic link */
			store_unreadable(e, path, not_regular(S_IFLNK), true);
		else if (errno != ENOENT)	/* ENOENT: renamed, seen later */
			store_unreadable(e, path, strerror(errno), true);
		if (fd >= 0)
			close(fd);
		free(path);
		return false;
	}
	if ((f = inodes_find(known, &st)) != NULL) {
		/* renamed between our lstat and open */
		close(fd);
		file_set_path(e, f, path);
		f->backup = fo->backup;
		if (!f->gz)
			f->size = (uint64_t)st.st_size;
		f->seen = true;
		return true;
	}
	if (other_source_has(e, source, &st)) {
		close(fd);
		free(path);
		return true;	/* indexed there */
	}
	eng_grow(&e->files, &e->files_cap, e->nfiles + 1, sizeof *e->files);
	f = eng_xcalloc(1, sizeof *f);
	f->path = path;
	f->source = source;
	f->category = fo->category;
	f->backup = fo->backup;
	f->fd = -1;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = (uint64_t)st.st_size;
	f->seen = true;
	f->first_us = f->last_us = ENG_TIME_NONE;
	e->files[e->nfiles++] = f;
	inodes_add(known, f);
	if (fo->gz) {
		/* its text is inflated, or its cache read, when it is
		 * first planned (cache_prepare) */
		f->gz = true;
		f->zsize = (uint64_t)st.st_size;
		close(fd);
	} else
		fdcache_adopt(e, f, fd);
	return true;
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

/* One log name found by a scan, lstat'ed: a known file (perhaps under a
 * new name), a new one, or something that is no log file.  Whether it is
 * indexed. */
static bool
scan_path(struct eng *e, unsigned source, const struct found *fo,
    char *path, struct inodes *known)
{
	struct stat st;
	struct file *f;

	if (lstat(path, &st) != 0) {
		if (errno != ENOENT)
			store_unreadable(e, path, strerror(errno), true);
		free(path);
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		store_unreadable(e, path, not_regular(st.st_mode), true);
		free(path);
		return false;
	}
	if ((f = inodes_find(known, &st)) != NULL) {
		if (strcmp(f->path, path) != 0)
			file_set_path(e, f, path);
		else
			free(path);
		f->backup = fo->backup;
		if (!f->gz)
			f->size = (uint64_t)st.st_size;
		f->seen = true;
		return true;
	}
	return file_add(e, source, fo, path, known);
}

static bool
scan_name(struct eng *e, unsigned source, const struct found *fo,
    struct inodes *known)
{
	return scan_path(e, source, fo, join_path(e->dirs[source], fo->name),
	    known);
}

/* Whether v[i], a compressed backup "x.log.3.gz", has a twin "x.log.3"
 * that was indexed (as gzip -k leaves them): the same entries, read once,
 * from the plain file.  found_cmp puts the twin before it, among the
 * names of its category and backup. */
static bool
gz_twin(const struct found *v, size_t i)
{
	size_t n = strlen(v[i].name) - 3;	/* without ".gz" */

	if (!v[i].gz)
		return false;
	for (size_t j = i; j-- > 0 && v[j].category == v[i].category &&
	    v[j].backup == v[i].backup;)
		if (!v[j].gz && v[j].taken && strlen(v[j].name) == n &&
		    strncmp(v[j].name, v[i].name, n) == 0)
			return true;
	return false;
}

/* What a file's name says it holds: a category's log, a backup of one
 * (".N"), a compressed backup; false for any other name. */
static bool
name_found(const char *name, struct found *fo)
{
	int cat = llmlog_category_from_file(name), zb;
	const char *dot;

	fo->backup = 0;
	fo->gz = false;
	if (cat < 0 && gz_name(name, &cat, &zb)) {
		fo->category = cat;
		fo->backup = zb;
		fo->gz = true;
		return true;
	}
	if ((fo->category = cat) < 0)
		return false;
	dot = name + strlen(llmlog_category_file(cat));
	if (*dot == '.') {
		/* ".N", N all digits (llmlog_category_from_file); past
		 * INT_MAX it is as old as a backup can be */
		long b = strtol(dot + 1, NULL, 10);

		fo->backup = b > INT_MAX ? INT_MAX : (int)b;
	}
	return true;
}

static int
scan_dir(struct eng *e, unsigned source, char *err, size_t errlen)
{
	struct found *v = NULL;
	size_t n = 0, cap = 0;
	struct inodes known;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(e->dirs[source])) == NULL) {
		snprintf(err, errlen, "%s: %s", e->dirs[source],
		    strerror(errno));
		store_unreadable(e, e->dirs[source], strerror(errno), true);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct found fo;

		if (!name_found(de->d_name, &fo))
			continue;
		eng_grow(&v, &cap, n + 1, sizeof *v);
		fo.name = eng_xstrdup(de->d_name);
		v[n++] = fo;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof *v, found_cmp);
	e->names[source] = n;
	inodes_init(&known, e, source, n);
	for (size_t i = 0; i < n; i++)
		v[i].taken = !gz_twin(v, i) &&
		    scan_name(e, source, &v[i], &known);
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(known.slot);
	free(v);
	return 0;
}

/* Standard input's file: its temporary file, read through descriptors
 * of it (fdcache.c opens it again so). */
static void
scan_stdin(struct eng *e, unsigned source, struct inodes *known)
{
	struct stat st;
	struct file *f;
	int fd;

	if (fstat(e->stdin_tmp, &st) != 0)
		return;
	if ((f = inodes_find(known, &st)) != NULL) {
		f->size = (uint64_t)st.st_size;
		f->seen = true;
		return;
	}
	if ((fd = fcntl(e->stdin_tmp, F_DUPFD_CLOEXEC, 3)) < 0) {
		store_unreadable(e, "-", strerror(errno), true);
		return;
	}
	eng_grow(&e->files, &e->files_cap, e->nfiles + 1, sizeof *e->files);
	f = eng_xcalloc(1, sizeof *f);
	f->path = eng_xstrdup("-");
	f->source = source;
	f->category = -1;	/* each line's own */
	f->fd = -1;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = (uint64_t)st.st_size;
	f->seen = true;
	f->first_us = f->last_us = ENG_TIME_NONE;
	e->files[e->nfiles++] = f;
	inodes_add(known, f);
	fdcache_adopt(e, f, fd);
}

/* A source that is one file: read as the category its name says, else
 * (category -1) as lines whose own category field tells theirs.  A
 * symbolic link given is followed: the file is its target.  The file
 * found at the name is the one read (a rotation's new file). */
static int
scan_file(struct eng *e, unsigned source, char *err, size_t errlen)
{
	const char *given = e->dirs[source], *base;
	struct found fo = { .category = -1 };
	struct inodes known;
	char *path;

	e->names[source] = 1;
	inodes_init(&known, e, source, 1);
	if ((int)source == e->stdin_src) {
		scan_stdin(e, source, &known);
		free(known.slot);
		return 0;
	}
	base = strrchr(given, '/');
	base = base != NULL ? base + 1 : given;
	if (!name_found(base, &fo))
		fo.category = -1;
	if ((path = realpath(given, NULL)) == NULL) {
		if (errno != ENOENT)
			store_unreadable(e, given, strerror(errno), true);
		snprintf(err, errlen, "%s: %s", given, strerror(errno));
		free(known.slot);
		return errno == ENOENT ? 0 : -1;	/* ENOENT: gone */
	}
	scan_path(e, source, &fo, path, &known);
	free(known.slot);
	return 0;
}

void
store_stdin_pump(struct eng *e, bool wait)
{
	unsigned char buf[1u << 16];
	size_t took = 0;

	while (e->stdin_fd >= 0 && (wait || took < (16u << 20))) {
		struct pollfd p = { .fd = e->stdin_fd, .events = POLLIN };
		ssize_t r;

		if (!wait && poll(&p, 1, 0) <= 0)
			return;	/* nothing more now */
		if ((r = read(e->stdin_fd, buf, sizeof buf)) < 0 &&
		    (errno == EINTR || errno == EAGAIN))
			continue;
		if (r > 0 && write_all(e->stdin_tmp, buf, (size_t)r)) {
			took += (size_t)r;
			continue;
		}
		if (r != 0)	/* a read or a write failed: what came stays */
			store_unreadable(e, "-", strerror(errno), false);
		close(e->stdin_fd);
		e->stdin_fd = -1;
	}
}

int
store_scan(struct eng *e, char *err, size_t errlen)
{
	int rc = 0;

	if (e->names == NULL)
		e->names = eng_xcalloc(e->ndirs, sizeof *e->names);
	for (size_t i = 0; i < e->nfiles; i++)
		if (e->files[i] != NULL)
			e->files[i]->seen = false;
	for (size_t i = 0; i < e->nbad; i++)
		e->bad[i].seen = false;
	for (size_t s = 0; s < e->ndirs; s++) {
		if ((e->src_file[s] ? scan_file : scan_dir)(e, (unsigned)s,
		    err, errlen) == 0)
			continue;
		/* unreadable for now: its files are not gone */
		for (size_t i = 0; i < e->nfiles; i++)
			if (e->files[i] != NULL && e->files[i]->source == s)
				e->files[i]->seen = true;
		rc = -1;
	}
	unreadable_sweep(e);
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
	int fd;

	if (en->file >= e->nfiles || (f = e->files[en->file]) == NULL ||
	    (fd = fdcache_acquire(e, f)) < 0)
		return NULL;
	if (b->cap > LINE_BUF_KEEP && n < LINE_BUF_KEEP) {
		strbuf_free(b);
		strbuf_init(b);
	}
	strbuf_reset(b);
	strbuf_reserve(b, n);
	got = read_full(fd, b->s, n, en->offset);
	fdcache_release(e, f);
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
