/*
 * cache.c - the index cache (llmlog(1), FILES): what indexing a file
 * found, kept on disk so that a second open reads only new bytes.  Per
 * log file, one cache file named by the file's device and inode (so a
 * backup's cache follows it through its renames, .1 to .2): its entries
 * and, for each of our own entries, the values the scanner found for its
 * category's fields (fields.c), exactly as spans of the line held them,
 * so the statistics read them through the same helpers as a line's.
 *
 * A cache is never trusted: it must be ours (owner, mode), of this
 * version and field layout, hold its own checksums, and agree with the
 * log file (its size, mtime, and hashes of the first and last indexed
 * blocks, so that a file replaced under the same name and inode is not
 * taken for the old one).  Anything else is ignored and the file indexed
 * again.  Read with pread in large blocks, never mmap'd: a file
 * truncated under a mapping raises SIGBUS.  Written to a temporary file
 * and renamed, so two writers never leave half a cache; a directory that
 * cannot be written only turns writing off.
 *
 * The values live beside the index: e->vchunks holds, per index
 * position, where its record is in its file's blob (VALS_NONE: none, the
 * line is read), and prune.c moves them with the entries.  A value met
 * again is a reference to where it was written out, so a blob holds a
 * model or a trace id once for many entries.  The caches of a load's
 * files are read ahead by one thread per core while the index takes
 * them in, in order.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"

#define CACHE_MAGIC	"llmlogix"
#define CACHE_VERSION	5
#define CACHE_SUFFIX	".idx"
#define HASH_BLOCK	(64u << 10)	/* the first and last blocks hashed */
#define IO_BLOCK	(1u << 20)	/* read and written at a time */
#define CACHE_MAX_DEFAULT	(UINT64_C(1) << 30)
#define VALS_SPAN_MAX	1024	/* a longer value: the line is read */
#define PART_MAX	(UINT64_C(1) << 30)	/* a part's bytes at most */

/* Fields the statistics never read, objects that only a summary shows:
 * kept absent, so entry_fields' readers must not look at them (a summary
 * reads its line).  Any other field of a set is kept (user_input too: the
 * slowest requests name theirs). */
static bool
left_out(enum field k)
{
	return k == FIELD_PARAMETERS;
}

struct cache {
	char *dir;
	char **dirs;		/* the log directories, resolved */
	uint64_t max;		/* bytes the directory may hold */
	bool no_write;		/* a write failed: read only */
	bool pruned;		/* since the last write */
	size_t corrupt;
	char *corrupt_path;
	uint64_t layout;
	uint64_t part_key;	/* the parts this load takes (stats.c) */
	size_t order_taken;	/* entries whose order was read (order_take) */
	size_t order_kept;	/* entries whose order is on disk as it is */
	bool load_only;		/* for a report alone (stats_load_only) */
	struct ahead *ahead;	/* caches being read ahead, or NULL */
};

static void ahead_end(struct eng *e);
struct file_cache;
static void stream_end(struct file_cache *fc);
static void stream_open(struct eng *e, struct file *f);
struct writer;
static void w_add(struct writer *w, const void *data, size_t n);

struct file_cache {
	struct strbuf blob;	/* the values' records */
	size_t records;		/* in it: when the index reaches fewer, some
				   entries left (prune.c) */
	uint64_t saved_pos;	/* the cache file holds [0, saved_pos) */
	size_t saved_entries;
	uint64_t entries_sum;	/* the cache file's (struct head) */
	bool saved;
	bool dropped;		/* the blob let go of: not written again */
	struct writer *stream;	/* the cache being written, its records as
				   they come (stream_open), or NULL */
	char *stream_tmp;	/* its temporary file */
	uint64_t streamed;	/* the records' bytes written to it */
	bool prepared;		/* cache_prepare looked */
	char *note;		/* what inflating said, or NULL */
};

/* The header of a cache file; the body follows: the records (first, so
 * that a load may write them out as its tasks come: stream_open), the
 * entries (struct packed), each one's record offset (uint32_t), the note
 * (what inflating a compressed backup said), the directory, and the
 * file's figures (stats.c's part, of stats_key) when they were counted.
 * Each has its own checksum but the offsets, which share the entries'
 * (the records are read by another thread than the entries: read_ahead;
 * a report that takes the figures reads no record). */
struct head {
	char magic[8];
	uint32_t version, head_size;
	uint64_t layout;
	uint64_t dev, ino;
	uint64_t disk_size;	/* the file's on disk when written */
	int64_t mtime_ns;
	uint64_t text_size;	/* a compressed backup's inflated */
	uint64_t pos, resume;	/* lines starting before pos are indexed */
	uint64_t hash_first, hash_last;
	uint64_t nentries, blob_len;
	uint32_t note_len, dir_len;
	uint32_t category, gz;
	uint64_t entries_sum, blob_sum, note_sum;
	uint64_t stats_len, stats_key, stats_sum;
	uint64_t tables_len, tables_sum;	/* the part's tables, after it */
	uint64_t head_sum;	/* of the bytes before it */
};

struct packed {
	int64_t time_us;
	uint64_t offset;
	uint32_t length;
	uint8_t category, level, flags, pad;
};

/* Where the parts of a cache file's body begin, in struct head's order,
 * and where the file ends. */
static uint64_t
at_records(const struct head *h)
{
	return sizeof *h;
}

static uint64_t
at_entries(const struct head *h)
{
	return at_records(h) + h->blob_len;
}

static uint64_t
at_note(const struct head *h)
{
	return at_entries(h) + h->nentries * (sizeof(struct packed) +
	    sizeof(uint32_t));
}

static uint64_t
at_part(const struct head *h)
{
	return at_note(h) + h->note_len + h->dir_len;
}

static uint64_t
cache_end(const struct head *h)
{
	return at_part(h) + h->stats_len + h->tables_len;
}

/* ---- bytes streamed in blocks of 32, for the hash and the checksum ---- */

struct blocks {
	unsigned char tail[32];	/* what is short of a block */
	size_t ntail;
	uint64_t len;		/* bytes streamed */
};

typedef void block_fn(void *state, const unsigned char *p, size_t nblocks);

static inline void
blocks_add(struct blocks *b, const void *data, size_t n, block_fn *fn,
    void *state)
{
	const unsigned char *p = data;

	b->len += n;
	if (b->ntail > 0) {
		size_t take = 32 - b->ntail < n ? 32 - b->ntail : n;

		memcpy(b->tail + b->ntail, p, take);
		b->ntail += take;
		p += take;
		n -= take;
		if (b->ntail < 32)
			return;
		fn(state, b->tail, 1);
		b->ntail = 0;
	}
	fn(state, p, n / 32);
	p += n / 32 * 32;
	n %= 32;
	if (n > 0)
		memcpy(b->tail, p, n);
	b->ntail = n;
}

/* The last block, padded with zeros. */
static inline void
blocks_end(struct blocks *b, block_fn *fn, void *state)
{
	memset(b->tail + b->ntail, 0, 32 - b->ntail);
	fn(state, b->tail, 1);
}

/* ---- a hash: four lanes of 64-bit words, streamed ---- */

struct hash {
	uint64_t lane[4];
	struct blocks in;
};

#define HK1	UINT64_C(0x9e3779b97f4a7c15)
#define HK2	UINT64_C(0xc2b2ae3d27d4eb4f)

static inline uint64_t
mix(uint64_t h, uint64_t w)
{
	h ^= w * HK2;
	h = (h << 31) | (h >> 33);
	return h * HK1;
}

static void
hash_init(struct hash *h)
{
	for (int i = 0; i < 4; i++)
		h->lane[i] = HK1 * (uint64_t)(i + 1);
	h->in.ntail = 0;
	h->in.len = 0;
}

static void
hash_blocks(void *state, const unsigned char *p, size_t nblocks)
{
	struct hash *h = state;

	for (size_t k = 0; k < nblocks; k++, p += 32) {
		uint64_t w[4];

		memcpy(w, p, sizeof w);
		for (int i = 0; i < 4; i++)
			h->lane[i] = mix(h->lane[i], w[i]);
	}
}

static void
hash_add(struct hash *h, const void *data, size_t n)
{
	blocks_add(&h->in, data, n, hash_blocks, h);
}

static uint64_t
hash_end(struct hash *h)
{
	uint64_t r = h->in.len;

	blocks_end(&h->in, hash_blocks, h);
	for (int i = 0; i < 4; i++)
		r = mix(r, h->lane[i]);
	return r ^ (r >> 29);
}

static uint64_t
hash_bytes(const void *p, size_t n)
{
	struct hash h;

	hash_init(&h);
	hash_add(&h, p, n);
	return hash_end(&h);
}

/* ---- the body's checksum: sums of 64-bit words, four lanes, streamed ----
 *
 * A cache is read whole at each open, so its checksum must cost little
 * beside the reading: per lane a sum of the words and a sum of those sums
 * (Fletcher's), which changes with any one byte changed and with words
 * moved, at two additions a word. */

struct sum {
	uint64_t a[4], b[4];
	struct blocks in;
};

static void
sum_init(struct sum *s)
{
	memset(s, 0, sizeof *s);
}

static void
sum_blocks(void *state, const unsigned char *p, size_t nblocks)
{
	struct sum *s = state;
	uint64_t a0 = s->a[0], a1 = s->a[1], a2 = s->a[2], a3 = s->a[3];
	uint64_t b0 = s->b[0], b1 = s->b[1], b2 = s->b[2], b3 = s->b[3];

	for (size_t i = 0; i < nblocks; i++, p += 32) {
		uint64_t w[4];

		memcpy(w, p, sizeof w);
		a0 += w[0], a1 += w[1], a2 += w[2], a3 += w[3];
		b0 += a0, b1 += a1, b2 += a2, b3 += a3;
	}
	s->a[0] = a0, s->a[1] = a1, s->a[2] = a2, s->a[3] = a3;
	s->b[0] = b0, s->b[1] = b1, s->b[2] = b2, s->b[3] = b3;
}

static void
sum_add(struct sum *s, const void *data, size_t n)
{
	blocks_add(&s->in, data, n, sum_blocks, s);
}

static uint64_t
sum_end(struct sum *s)
{
	struct hash h;

	blocks_end(&s->in, sum_blocks, s);
	hash_init(&h);
	hash_add(&h, &s->in.len, sizeof s->in.len);
	hash_add(&h, s->a, sizeof s->a);
	hash_add(&h, s->b, sizeof s->b);
	return hash_end(&h);
}

/* The hash of fd's bytes [from, to); false when they cannot be read. */
static bool
hash_range(int fd, uint64_t from, uint64_t to, uint64_t *out)
{
	char *buf = eng_xmalloc(HASH_BLOCK);
	size_t n = (size_t)(to - from);
	bool ok = read_full(fd, buf, n, from) == (ssize_t)n;

	if (ok)
		*out = hash_bytes(buf, n);
	free(buf);
	return ok;
}

/* The hashes of the first and last HASH_BLOCK bytes of [0, end). */
static bool
hash_ends(int fd, uint64_t end, uint64_t *first, uint64_t *last)
{
	return hash_range(fd, 0, end < HASH_BLOCK ? end : HASH_BLOCK, first) &&
	    hash_range(fd, end > HASH_BLOCK ? end - HASH_BLOCK : 0, end, last);
}

/* Per set, its fields' places and count (fields_init's, fields_keys'),
 * found once when a cache is first turned on: the records are decoded
 * without a call per record. */
static struct {
	const int8_t *slot;
	size_t k;
} set_info[FIELDS_FOREIGN + 1];
static pthread_once_t set_info_once = PTHREAD_ONCE_INIT;

static void
set_info_init(void)
{
	for (int s = 0; s <= FIELDS_FOREIGN; s++) {
		struct fields f;

		fields_init(s, &f);
		set_info[s].slot = f.slot;
		fields_keys(s, &set_info[s].k);
	}
}

/* ---- turning it on ---- */

/* What the fields are: a cache of other fields is another layout. */
static uint64_t
layout_hash(void)
{
	struct hash h;
	uint32_t sizes[2] = { sizeof(struct head), sizeof(struct packed) };

	hash_init(&h);
	hash_add(&h, sizes, sizeof sizes);
	for (int s = 0; s <= FIELDS_FOREIGN; s++) {
		for (const enum field *k = fields_set(s); *k != NFIELDS; k++) {
			int32_t v = (int32_t)*k * (left_out(*k) ? -1 : 1);

			hash_add(&h, &v, sizeof v);
		}
		hash_add(&h, "|", 1);
	}
	return hash_end(&h);
}

static char *
default_dir(void)
{
	const char *v;
	struct strbuf b;

	if ((v = getenv("LLMLOG_CACHE_DIR")) != NULL && *v != '\0')
		return eng_xstrdup(v);
	strbuf_init(&b);
	if ((v = getenv("XDG_CACHE_HOME")) != NULL && *v == '/')
		strbuf_printf(&b, "%s/llmlog", v);
	else if ((v = getenv("HOME")) != NULL && *v == '/')
		strbuf_printf(&b, "%s/.cache/llmlog", v);
	else {
		strbuf_free(&b);
		return NULL;
	}
	return b.s;
}

/* Make dir and the directories above it that are missing (0700). */
static int
make_dirs(const char *dir)
{
	char *p = eng_xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1; *s != '\0' && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* "1073741824", "512M", "1G": bytes. */
static uint64_t
max_size(void)
{
	const char *v = getenv("LLMLOG_CACHE_MAX");
	char *end;
	unsigned long long n;

	if (v == NULL || *v == '\0')
		return CACHE_MAX_DEFAULT;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || end == v)
		return CACHE_MAX_DEFAULT;
	switch (*end) {
	case 'k': case 'K': n <<= 10; end++; break;
	case 'm': case 'M': n <<= 20; end++; break;
	case 'g': case 'G': n <<= 30; end++; break;
	}
	return *end == '\0' ? n : CACHE_MAX_DEFAULT;
}

int
eng_cache_enable(struct eng *e, const char *dir)
{
	char *d = dir != NULL ? eng_xstrdup(dir) : default_dir();
	struct cache *c;
	struct stat st;

	if (e->cache != NULL || e->nchunks > 0 || d == NULL)
		goto off;	/* once, before anything is indexed */
	if (make_dirs(d) != 0 || lstat(d, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022) != 0)
		goto off;	/* another's, or others may write: not used */
	pthread_once(&set_info_once, set_info_init);
	c = eng_xcalloc(1, sizeof *c);
	c->dir = d;
	c->max = max_size();
	c->layout = layout_hash();
	c->no_write = access(d, W_OK) != 0;
	c->dirs = eng_xcalloc(e->ndirs, sizeof *c->dirs);
	for (size_t i = 0; i < e->ndirs; i++) {
		char *r = realpath(e->dirs[i], NULL);

		c->dirs[i] = r != NULL ? r : eng_xstrdup(e->dirs[i]);
	}
	e->cache = c;
	return 0;
off:
	free(d);
	return -1;
}

bool
eng_cache_read_only(const struct eng *e)
{
	return e->cache != NULL && e->cache->no_write;
}

size_t
eng_cache_corrupt(const struct eng *e, const char **path)
{
	if (e->cache == NULL || e->cache->corrupt == 0)
		return 0;
	if (path != NULL)
		*path = e->cache->corrupt_path;
	return e->cache->corrupt;
}

void
cache_free(struct eng *e)
{
	struct cache *c = e->cache;

	if (c != NULL)
		ahead_end(e);
	for (size_t i = 0; i < e->nchunks && e->vchunks != NULL; i++)
		free(e->vchunks[i]);
	free(e->vchunks);
	if (c == NULL)
		return;
	for (size_t i = 0; i < e->ndirs; i++)
		free(c->dirs[i]);
	free(c->dirs);
	free(c->dir);
	free(c->corrupt_path);
	free(c);
}

void
file_cache_free(struct file *f)
{
	file_part_drop(f);
	if (f->cache == NULL)
		return;
	stream_end(f->cache);
	free(f->cache->blob.s);
	free(f->cache->note);
	free(f->cache);
	f->cache = NULL;
}

static struct file_cache *
file_cache(struct file *f)
{
	if (f->cache == NULL)
		f->cache = eng_xcalloc(1, sizeof *f->cache);
	return f->cache;
}

static char *
cache_path(const struct cache *c, dev_t dev, ino_t ino)
{
	struct strbuf b;

	strbuf_init(&b);
	strbuf_printf(&b, "%s/%llx-%llx" CACHE_SUFFIX, c->dir,
	    (unsigned long long)dev, (unsigned long long)ino);
	return b.s;
}

static int64_t
mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* ---- the values of an entry ---- */

/* A record: the set's field count, then per field a tag: its kind (low
 * three bits), 0x10 when a string is escaped, and 0x20 when the value is
 * a reference.  A value written out is, for a string or number, its
 * length (one byte below 128, else two, high bit first) and bytes; true,
 * false and null are their tag alone, their text being always the same.
 * A reference is two bytes, little-endian (three with TAG_FAR, for a long
 * text only): how far back in the blob the tag of the same value written
 * out is (the same kind, escape and text), so that a name, a model or a
 * trace id read again and again is kept once per stretch of the blob,
 * near enough to be read from the processor's cache.  The distance is
 * relative, so a task's records keep their meaning wherever its blob is
 * appended; the blob is therefore saved and loaded whole, as it is. */
#define TAG_KIND	0x07
#define TAG_ESCAPED	0x10
#define TAG_REF		0x20
#define TAG_FAR		0x40	/* the distance takes three bytes */
#define REF_NEAR	0xffffu
#define REF_MAX		(1u << 20)	/* farther: written out again */
#define INTERN_MIN	4	/* shorter texts are cheaper written out */
#define FAR_MIN		16	/* shorter ones are written out again rather
				   than referred to far back: they are read
				   often, from near */
#define INTERN_SLOTS	(1u << 14)

static bool
has_text(enum jscan_kind k)
{
	return k != JSCAN_NONE && k != JSCAN_TRUE && k != JSCAN_FALSE &&
	    k != JSCAN_NULL;
}

/* The text of a value kept as its kind alone. */
static void
literal(struct jscan_value *v)
{
	static const struct { const char *s; size_t n; } text[] = {
		[JSCAN_TRUE] = { "true", 4 }, [JSCAN_FALSE] = { "false", 5 },
		[JSCAN_NULL] = { "null", 4 } };

	v->s = text[v->kind].s;
	v->n = text[v->kind].n;
}

/* Where in a blob the values written out lately are, by a hash of their
 * tag and text: one slot each, the latest taking it.  A slot is only a
 * guess, checked against the bytes it names, so a stale one costs a
 * value written out again, never a wrong one. */
struct slot {
	uint32_t at;		/* offset + 1, or 0 */
	uint32_t hash;		/* of what is there */
};

struct intern {
	const void *owner;	/* the blob's task, and its length after */
	size_t len;		/* the last record: else the slots are stale */
	struct slot slot[INTERN_SLOTS];
};

/* Of a text of at least INTERN_MIN bytes: its words, the last one ending
 * at its end (overlapping the one before), with no copy of odd length. */
static uint32_t
intern_hash(unsigned tag, const char *s, size_t n)
{
	uint64_t h = HK1 ^ (tag * HK2) ^ n, w;
	uint32_t a, b;

	if (n < 8) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		return (uint32_t)(mix(h, a | (uint64_t)b << 32) >> 32);
	}
	for (size_t i = 0; i + 8 < n; i += 8) {
		memcpy(&w, s + i, 8);
		h = mix(h, w);
	}
	memcpy(&w, s + n - 8, 8);
	return (uint32_t)(mix(h, w) >> 32);
}

/* The length of a value written out at p (its tag) and where its text
 * starts; false when it does not fit before end. */
static bool
text_at(const unsigned char *p, const unsigned char *end, size_t *n,
    const unsigned char **text)
{
	p++;
	if (p >= end || ((*p & 0x80) && end - p < 2))
		return false;
	*n = *p++;
	if (*n & 0x80)
		*n = (*n & 0x7f) << 8 | *p++;
	if ((size_t)(end - p) < *n)
		return false;
	*text = p;
	return true;
}

/* Append the record of the k values v to b, referring to values already
 * in b where in (or NULL) finds them. */
static void
record_put(struct strbuf *b, struct intern *in, const struct jscan_value *v,
    size_t k)
{
	unsigned char *p = (unsigned char *)strbuf_reserve(b, 1 + k *
	    (3 + VALS_SPAN_MAX));
	const unsigned char *base = (const unsigned char *)b->s;

	*p++ = (unsigned char)k;
	for (size_t i = 0; i < k; i++) {
		/* escaped says something of strings only */
		unsigned tag = v[i].kind | (v[i].kind == JSCAN_STRING &&
		    v[i].escaped ? TAG_ESCAPED : 0);

		if (has_text(v[i].kind) && in != NULL &&
		    v[i].n >= INTERN_MIN) {
			uint32_t hash = intern_hash(tag, v[i].s, v[i].n);
			size_t at = (size_t)(p - base), n, d;
			const unsigned char *text;
			struct slot *sl = &in->slot[hash & (INTERN_SLOTS - 1)];
			uint32_t was = sl->at;

			d = at - (was - 1);
			if (was != 0 && sl->hash == hash && was - 1 < at &&
			    (d <= REF_NEAR || (d <= REF_MAX &&
			    v[i].n > FAR_MIN)) && base[was - 1] == tag &&
			    text_at(base + was - 1, p, &n, &text) &&
			    n == v[i].n && memcmp(text, v[i].s, n) == 0) {
				*p++ = (unsigned char)(tag | TAG_REF |
				    (d > REF_NEAR ? TAG_FAR : 0));
				*p++ = (unsigned char)d;
				*p++ = (unsigned char)(d >> 8);
				if (d > REF_NEAR)
					*p++ = (unsigned char)(d >> 16);
				continue;
			}
			sl->at = (uint32_t)at + 1;
			sl->hash = hash;
		}
		*p++ = (unsigned char)tag;
		if (!has_text(v[i].kind))
			continue;
		if (v[i].n >= 0x80)
			*p++ = (unsigned char)(0x80 | v[i].n >> 8);
		*p++ = (unsigned char)(v[i].n & 0xff);
		memcpy(p, v[i].s, v[i].n);
		p += v[i].n;
	}
	b->len = (size_t)(p - base);
}

/* The calling thread's slots for blob b of owner, cleared when they were
 * another's. */
static pthread_key_t intern_key;
static pthread_once_t intern_once = PTHREAD_ONCE_INIT;

static void
intern_key_make(void)
{
	pthread_key_create(&intern_key, free);
}

static struct intern *
intern_for(const void *owner, const struct strbuf *b)
{
	struct intern *in;

	pthread_once(&intern_once, intern_key_make);
	if ((in = pthread_getspecific(intern_key)) == NULL) {
		in = eng_xcalloc(1, sizeof *in);
		pthread_setspecific(intern_key, in);
	} else if (in->owner != owner || in->len != b->len)
		memset(in->slot, 0, sizeof in->slot);
	in->owner = owner;
	return in;
}

static void
vals_capture(struct index_task *t, const char *s, size_t n,
    const struct fields *read)
{
	const struct eng_entry *en = &t->v[t->n - 1];
	struct intern *in;
	struct fields f;
	size_t k = 0, at;

	if ((en->flags & (ENTRY_MALFORMED | ENTRY_FOREIGN)) ||
	    en->category >= LLMLOG_NCATEGORIES)
		return;
	if (read != NULL)
		f = *read;
	else if (!fields_read(s, n, en->category, &f))
		return;
	for (const enum field *x = fields_set(en->category); *x != NFIELDS;
	    x++, k++) {
		if (left_out(*x))
			f.v[k].kind = JSCAN_NONE;
		else if (f.v[k].kind != JSCAN_NONE && f.v[k].n > VALS_SPAN_MAX)
			return;
	}
	if (t->blob.s == NULL)
		strbuf_init(&t->blob);
	at = t->blob.len;
	if (at > UINT32_MAX - (FIELDS_MAX * (3 + VALS_SPAN_MAX) + 1))
		return;
	in = intern_for(t, &t->blob);
	record_put(&t->blob, in, f.v, k);
	in->len = t->blob.len;
	t->refs[t->n - 1] = (uint32_t)at;
}

bool
index_task_keeps_values(const struct index_task *t)
{
	return t->refs != NULL;
}

void
index_task_values(struct index_task *t, const char *s, size_t n,
    const struct fields *f)
{
	if (t->refs != NULL)
		vals_capture(t, s, n, f);
}

/* The record at blob[at] as the fields of set, and in *len its length;
 * false when it does not fit in the blob or is not the set's. */
static bool
record_get(const struct strbuf *blob, uint32_t at, int set,
    struct fields *f, size_t *len)
{
	const unsigned char *p, *start, *base = (const unsigned char *)blob->s,
	    *end = base + blob->len;
	size_t k = set_info[set].k;

	f->slot = set_info[set].slot;
	if (at >= blob->len)
		return false;
	start = p = base + at;
	if (*p++ != k)
		return false;
	for (size_t i = 0; i < k; i++) {
		const unsigned char *q, *text;
		size_t n;

		if (p >= end || (*p & ~(TAG_KIND | TAG_ESCAPED | TAG_REF |
		    TAG_FAR)) || ((*p & TAG_FAR) && !(*p & TAG_REF)))
			return false;
		f->v[i].kind = (enum jscan_kind)(*p & TAG_KIND);
		f->v[i].escaped = (*p & TAG_ESCAPED) != 0;
		if (!has_text(f->v[i].kind)) {
			if (*p++ & TAG_REF)
				return false;
			if (f->v[i].kind != JSCAN_NONE)
				literal(&f->v[i]);
			else {
				f->v[i].s = NULL;
				f->v[i].n = 0;
			}
			continue;
		}
		if (*p & TAG_REF) {
			size_t d, w = *p & TAG_FAR ? 3 : 2;

			if ((size_t)(end - p) <= w)
				return false;
			d = p[1] | (size_t)p[2] << 8 | (w == 3 ?
			    (size_t)p[3] << 16 : 0);
			if (d == 0 || d > (size_t)(p - base) ||
			    *(q = p - d) != (*p & ~(TAG_REF | TAG_FAR)))
				return false;
			p += 1 + w;
		} else
			q = p;
		if (!text_at(q, end, &n, &text))
			return false;
		if (q == p)
			p = text + n;
		f->v[i].s = (const char *)text;
		f->v[i].n = n;
	}
	if (len != NULL)
		*len = (size_t)(p - start);
	return true;
}

static bool
vals_decode(const struct strbuf *blob, uint32_t at, int set,
    struct fields *f)
{
	return record_get(blob, at, set, f, NULL);
}

static inline uint32_t
vals_ref(const struct eng *e, size_t pos)
{
	return e->vchunks[pos >> CHUNK_SHIFT][pos & (CHUNK_ENTRIES - 1)];
}

bool
entry_fields(const struct eng *e, size_t pos, const struct eng_entry *en,
    struct block_reader *br, struct fields *f)
{
	const struct file *fl = en->file < e->nfiles ? e->files[en->file] :
	    NULL;
	const char *s;
	uint32_t ref;
	size_t n;

	if (en->category >= LLMLOG_NCATEGORIES)
		return false;
	if (e->vchunks != NULL && fl != NULL && fl->cache != NULL &&
	    (ref = vals_ref(e, pos)) != VALS_NONE &&
	    vals_decode(&fl->cache->blob, ref, en->category, f))
		return true;
	if ((s = block_reader_line(br, e, en, &n)) == NULL)
		return false;
	return fields_read(s, n, en->category, f);
}

bool
entry_kept_fields(const struct eng *e, size_t pos, const struct eng_entry *en,
    struct fields *f)
{
	const struct file *fl = en->file < e->nfiles ? e->files[en->file] :
	    NULL;
	uint32_t ref;

	return en->category < LLMLOG_NCATEGORIES && e->vchunks != NULL &&
	    fl != NULL && fl->cache != NULL &&
	    (ref = vals_ref(e, pos)) != VALS_NONE &&
	    vals_decode(&fl->cache->blob, ref, en->category, f);
}

bool
field_kept(enum field k)
{
	return !left_out(k);
}

void
index_task_publish_values(struct eng *e, struct index_task *t)
{
	struct file_cache *fc;
	struct strbuf *blob;
	size_t base;

	if (t->refs == NULL)
		return;
	fc = file_cache(t->file);
	blob = &fc->blob;
	stream_open(e, t->file);
	base = fc->stream != NULL ? (size_t)fc->streamed : blob->len;
	if (base > UINT32_MAX - t->blob.len) {
		for (size_t i = 0; i < t->n; i++)
			t->refs[i] = VALS_NONE;
		return;
	}
	if (fc->stream != NULL) {
		w_add(fc->stream, t->blob.s, t->blob.len);
		fc->streamed += t->blob.len;
	} else if (t->blob.len > 0 && base == 0) {
		struct strbuf was = *blob;	/* the task's is taken over */

		*blob = t->blob;
		t->blob = was;
		strbuf_reset(&t->blob);
	} else if (t->blob.len > 0)
		strbuf_add(blob, t->blob.s, t->blob.len);
	for (size_t i = 0; i < t->n; i++)
		if (t->refs[i] != VALS_NONE) {
			t->refs[i] += (uint32_t)base;
			t->file->cache->records++;
		}
}

bool
cache_values_on(const struct eng *e)
{
	return e->cache != NULL && e->prefilter == NULL;
}

bool
cache_keeps_parts(const struct eng *e)
{
	return cache_values_on(e) && !e->cache->no_write;
}

/* ---- reading a cache ---- */

/* Whether the open cache file fd is one we wrote (*st its status): a
 * regular file of ours that nobody else may read or write.  Any other
 * is never read. */
static bool
ours(int fd, struct stat *st)
{
	return fstat(fd, st) == 0 && S_ISREG(st->st_mode) &&
	    st->st_uid == geteuid() && (st->st_mode & 077) == 0;
}

/* The cache is bad: said once (eng_cache_corrupt), and not used. */
static void
corrupt(struct eng *e, const char *path)
{
	struct cache *c = e->cache;

	if (c->corrupt++ == 0)
		c->corrupt_path = eng_xstrdup(path);
}

static bool
head_valid(const struct cache *c, const struct head *h, const struct file *f)
{
	return h->head_sum == hash_bytes(h, offsetof(struct head, head_sum)) &&
	    h->head_size == sizeof *h && h->layout == c->layout &&
	    h->dev == (uint64_t)f->dev && h->ino == (uint64_t)f->ino &&
	    h->category == (uint32_t)f->category && h->gz == f->gz &&
	    h->pos <= h->text_size && h->nentries <= h->pos &&
	    h->blob_len <= UINT32_MAX && h->note_len < 4096 &&
	    h->dir_len < PATH_MAX && h->stats_len <= PART_MAX &&
	    h->tables_len <= PART_MAX &&
	    (h->stats_len == 0 || h->stats_key != 0);
}

/* Whether the cache h is of the whole of f as the scan saw it (a
 * compressed backup never grows): nothing of it is left to index. */
static bool
holds_all(const struct head *h, const struct file *f)
{
	return f->gz || f->size == h->pos;
}

/* Whether h says what the log file, open as fd, holds now. */
static bool
agrees(const struct head *h, const struct file *f, int fd)
{
	uint64_t first, last, end = f->gz ? h->disk_size : h->pos;
	struct stat st;

	if (fstat(fd, &st) != 0 || (uint64_t)st.st_dev != h->dev ||
	    (uint64_t)st.st_ino != h->ino)
		return false;
	if (f->gz || (uint64_t)st.st_size == h->disk_size) {
		/* unchanged, or else rewritten in place */
		if ((uint64_t)st.st_size != h->disk_size ||
		    mtime_ns(&st) != h->mtime_ns)
			return false;
	} else if ((uint64_t)st.st_size < h->pos)
		return false;	/* truncated */
	return hash_ends(fd, end, &first, &last) && first == h->hash_first &&
	    last == h->hash_last;
}

/* Read n bytes of the body at *off into p, adding them to the sum. */
static bool
body_read(int fd, void *p, size_t n, uint64_t *off, struct sum *sum)
{
	if (read_full(fd, p, n, *off) != (ssize_t)n)
		return false;
	sum_add(sum, p, n);
	*off += n;
	return true;
}

/* A file's cache read and checked, not yet in the index: by cache_load
 * on the main thread, or ahead of it by a reader thread (read_ahead).
 * The records are read and checked first (fetch_read), the entries then
 * as they go into the index (fetch_apply), a block at a time. */
struct fetch {
	struct file *f;
	size_t id;
	struct head h;
	int cfd;		/* the cache file, open when found */
	char *note;		/* the note, NUL, then the directory */
	char *corrupt;		/* the cache's path, when it was corrupt */
	struct stats_part *part;	/* the file's figures, or NULL */
	bool no_values;		/* the records left unread (load_only) */
	bool found;		/* a cache that holds so far: its blob read */
	bool taken, done;	/* read_ahead's */
};

static void
fetch_forget(struct fetch *x)
{
	if (x->found)
		close(x->cfd);
	free(x->note);
	x->note = NULL;
	stats_part_free(x->part);
	x->part = NULL;
	x->found = false;
}

/* The file's figures after the directory, when they are of the key this
 * load takes, and their tables unless the load is for a report alone and
 * the file is as the cache holds it (it is not written again); false when
 * they are not what the head says. */
static bool
part_read(struct eng *e, struct fetch *x, int cfd, bool unchanged)
{
	const struct head *h = &x->h;
	uint64_t off = at_part(h);
	size_t len = (size_t)(h->stats_len > h->tables_len ? h->stats_len :
	    h->tables_len);
	struct sum sum;
	char *buf;
	bool ok;

	if (h->stats_len == 0 || h->stats_key != e->cache->part_key)
		return true;	/* none, or counted otherwise: counted */
	buf = eng_xmalloc(len + 1);
	sum_init(&sum);
	ok = body_read(cfd, buf, (size_t)h->stats_len, &off, &sum) &&
	    sum_end(&sum) == h->stats_sum && (x->part = stats_part_load(buf,
	    (size_t)h->stats_len, (uint32_t)x->id,
	    (uint8_t)x->f->source)) != NULL;
	if (ok && !(e->cache->load_only && unchanged)) {
		sum_init(&sum);
		ok = body_read(cfd, buf, (size_t)h->tables_len, &off, &sum) &&
		    sum_end(&sum) == h->tables_sum &&
		    stats_part_load_tables(x->part, buf,
		    (size_t)h->tables_len);
	}
	free(buf);
	return ok;
}

/* The records of a valid head into x->f's blob; false when they are not
 * what the head says. */
static bool
blob_read(struct fetch *x, int cfd)
{
	const struct head *h = &x->h;
	struct strbuf *blob = &x->f->cache->blob;
	uint64_t off = at_records(h);
	struct sum sum;
	bool ok = true;

	sum_init(&sum);
	strbuf_reset(blob);
	if (h->blob_len > 0) {
		if (blob->cap < h->blob_len + 1) {	/* no room to spare */
			blob->cap = (size_t)h->blob_len + 1;
			blob->s = eng_xrealloc(blob->s, blob->cap);
			eng_huge_pages(blob->s, blob->cap);
		}
		ok = body_read(cfd, blob->s, (size_t)h->blob_len, &off, &sum);
		blob->len = ok ? (size_t)h->blob_len : 0;
	}
	ok = ok && sum_end(&sum) == h->blob_sum;
	if (!ok)
		strbuf_reset(blob);
	return ok;
}

/* The note and the directory of a valid head into x->note. */
static bool
note_read(struct fetch *x, int cfd)
{
	const struct head *h = &x->h;
	uint64_t off = at_note(h);
	struct sum sum;
	bool ok;

	sum_init(&sum);
	x->note = eng_xmalloc((size_t)h->note_len + h->dir_len + 1);
	ok = body_read(cfd, x->note, (size_t)h->note_len + h->dir_len, &off,
	    &sum) && sum_end(&sum) == h->note_sum;
	x->note[h->note_len] = '\0';
	return ok;
}

/* x->f's cache, when there is one that holds so far, read into x (its
 * entries are left to fetch_apply).  fd is the log file's (for a
 * compressed backup, the compressed file's), or -1: taken from the
 * descriptor cache.  Touches nothing of e but to read it, and of x->f
 * but its cache's blob: a reader thread runs it. */
static void
fetch_read(struct eng *e, struct fetch *x, int fd)
{
	struct file *f = x->f;
	char *path = cache_path(e->cache, f->dev, f->ino);
	struct head *h = &x->h;
	struct stat st;
	bool own_fd = false, unchanged;
	int cfd;

	x->found = false;
	if ((cfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) < 0) {
		free(path);
		return;
	}
	if (!ours(cfd, &st))
		goto out;	/* not ours: never read */
	if (read_full(cfd, (char *)h, sizeof *h, 0) != (ssize_t)sizeof *h)
		goto bad;
	if (memcmp(h->magic, CACHE_MAGIC, sizeof h->magic) != 0)
		goto bad;
	if (h->version != CACHE_VERSION || h->layout != e->cache->layout)
		goto out;	/* another version's: rebuilt */
	if (!head_valid(e->cache, h, f)) {
		if (h->head_sum != hash_bytes(h, offsetof(struct head,
		    head_sum)))
			goto bad;
		goto out;
	}
	if ((uint64_t)st.st_size != cache_end(h))
		goto bad;
	if (fd < 0) {
		if ((fd = fdcache_acquire(e, f)) < 0)
			goto out;
		own_fd = true;
	}
	if (!agrees(h, f, fd))
		goto out;	/* the file changed: indexed again */
	/* a report that takes the file's figures needs none of its
	 * records, unless the file is to be written again */
	unchanged = holds_all(h, f);
	if (!note_read(x, cfd) || !part_read(e, x, cfd, unchanged) ||
	    (!(x->no_values = x->part != NULL && e->cache->load_only &&
	    unchanged) && !blob_read(x, cfd))) {
		free(x->note);
		x->note = NULL;
		stats_part_free(x->part);
		x->part = NULL;
		goto bad;
	}
	x->found = true;
	x->cfd = cfd;
	cfd = -1;
	goto out;
bad:
	x->corrupt = path;
	path = NULL;
out:
	if (own_fd)
		fdcache_release(e, f);
	if (cfd >= 0)
		close(cfd);
	free(path);
}

/* The entries of what fetch_read found, each checked, into the index;
 * false, the index as it was, when they are not what the head says. */
static bool
entries_load(struct eng *e, struct fetch *x)
{
	const struct head *h = &x->h;
	size_t before = e->count, per = IO_BLOCK / sizeof(struct packed);
	uint64_t off = at_entries(h), prev_end = 0, malformed = 0;
	struct packed *pk = eng_xmalloc(per * sizeof *pk);
	struct file *f = x->f;
	size_t records = 0;
	struct sum sum;
	bool ok = true;

	sum_init(&sum);
	for (uint64_t done = 0; ok && done < h->nentries; ) {
		size_t n = h->nentries - done < per ?
		    (size_t)(h->nentries - done) : per;

		ok = body_read(x->cfd, pk, n * sizeof *pk, &off, &sum);
		/* each one checked and written where the index keeps it */
		for (size_t i = 0; ok && i < n; ) {
			size_t room = n - i;
			struct eng_entry *v = store_reserve(e, &room);

			for (size_t k = 0; ok && k < room; k++, i++) {
				v[k] = (struct eng_entry){
				    .time_us = pk[i].time_us,
				    .offset = pk[i].offset,
				    .file = (uint32_t)x->id,
				    .length = pk[i].length,
				    .category = pk[i].category,
				    .level = pk[i].level, .flags = pk[i].flags,
				    .source = (uint8_t)f->source };
				ok = pk[i].offset >= prev_end && pk[i].offset <
				    h->pos && (pk[i].category <
				    LLMLOG_NCATEGORIES || pk[i].category ==
				    ENG_CATEGORY_NONE) &&
				    pk[i].level <= LLMLOG_CRITICAL / 10;
				prev_end = pk[i].offset + 1;
				malformed += (pk[i].flags &
				    ENTRY_MALFORMED) != 0;
			}
			if (ok)
				store_commit(e, room);
		}
		done += n;
	}
	free(pk);
	for (uint64_t done = 0; ok && done < h->nentries; ) {
		size_t pos = before + (size_t)done;
		size_t at = pos & (CHUNK_ENTRIES - 1);
		size_t n = CHUNK_ENTRIES - at;
		uint32_t *refs = &e->vchunks[pos >> CHUNK_SHIFT][at];

		if (n > h->nentries - done)
			n = (size_t)(h->nentries - done);
		ok = body_read(x->cfd, refs, n * sizeof *refs, &off, &sum);
		for (size_t i = 0; ok && i < n; i++) {
			ok = refs[i] == VALS_NONE || refs[i] < h->blob_len;
			records += refs[i] != VALS_NONE;
		}
		if (x->no_values)	/* unread: the lines are read */
			memset(refs, 0xff, n * sizeof *refs);
		done += n;
	}
	if (!ok || sum_end(&sum) != h->entries_sum) {
		e->count = before;	/* what was appended is forgotten */
		return false;
	}
	f->cache->records = x->no_values ? 0 : records;
	e->malformed += (size_t)malformed;
	for (size_t p = before; p < e->count; p += CHUNK_ENTRIES -
	    (p & (CHUNK_ENTRIES - 1))) {
		size_t n = CHUNK_ENTRIES - (p & (CHUNK_ENTRIES - 1));

		if (n > e->count - p)
			n = e->count - p;
		store_file_add_entries(f, store_entry(e, p), n);
	}
	return true;
}

/* What fetch_read found into the index: true when f's entries are in
 * and its reading goes on after them.  Main thread. */
static bool
fetch_apply(struct eng *e, struct fetch *x)
{
	struct file *f = x->f;
	size_t before = e->count;

	if (x->found && !entries_load(e, x)) {
		strbuf_reset(&f->cache->blob);
		fetch_forget(x);
		x->corrupt = cache_path(e->cache, f->dev, f->ino);
	}
	if (x->corrupt != NULL) {
		corrupt(e, x->corrupt);
		free(x->corrupt);
		x->corrupt = NULL;
	}
	if (!x->found)
		return false;
	f->pos = x->h.pos;
	f->resume = x->h.resume;
	if (f->gz)
		f->size = x->h.text_size;
	f->cache->saved = true;
	f->cache->saved_pos = x->h.pos;
	f->cache->saved_entries = (size_t)x->h.nentries;
	f->cache->entries_sum = x->h.entries_sum;
	/* its figures: a file that grew is written again, with them */
	if (stats_file_loaded(e, f, x->part, before, !holds_all(&x->h, f)))
		f->cache->saved = false;
	x->part = NULL;
	if (x->note[0] != '\0') {
		store_unreadable(e, f->path, x->note, false);
		f->cache->note = eng_xstrdup(x->note);
	}
	fetch_forget(x);
	return true;
}

/* f's cache, when there is one that holds: its entries are in the index
 * and f's reading goes on after them.  fd as fetch_read's. */
static bool
cache_load(struct eng *e, struct file *f, size_t id, int fd)
{
	struct fetch x = { .f = f, .id = id, .cfd = -1 };

	file_cache(f);
	fetch_read(e, &x, fd);
	return fetch_apply(e, &x);
}

/* ---- reading many caches at once ----
 *
 * The caches of the files a plan is about to take in are read and
 * checked by threads, in order and a few files ahead, while the main
 * thread puts each in the index as its turn comes (cache_prepare): the
 * index is filled in the order of the files, as by one thread. */

#define AHEAD_PER_THREAD	2	/* files read, not yet taken in */

struct ahead {
	struct fetch *x;
	size_t n;
	size_t next;		/* the first not yet taken in */
	size_t window;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t *th;
	size_t nth;
	struct eng *e;
};

static void *
ahead_main(void *arg)
{
	struct ahead *a = arg;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		size_t i = a->next;

		while (i < a->n && a->x[i].taken)
			i++;
		if (i == a->n)
			break;
		if (i >= a->next + a->window) {
			pthread_cond_wait(&a->cv, &a->mu);
			continue;
		}
		a->x[i].taken = true;
		pthread_mutex_unlock(&a->mu);
		fetch_read(a->e, &a->x[i], -1);
		pthread_mutex_lock(&a->mu);
		a->x[i].done = true;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static void
ahead_end(struct eng *e)
{
	struct ahead *a = e->cache->ahead;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < a->n; i++)
		a->x[i].taken = true;	/* no more is begun */
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	for (size_t i = 0; i < a->nth; i++)
		pthread_join(a->th[i], NULL);
	for (size_t i = 0; i < a->n; i++) {
		struct file_cache *fc = a->x[i].f->cache;

		if (a->x[i].found && fc->blob.len > 0) {
			free(fc->blob.s);	/* read, never taken in */
			memset(&fc->blob, 0, sizeof fc->blob);
		}
		fetch_forget(&a->x[i]);
		free(a->x[i].corrupt);
	}
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a->th);
	free(a->x);
	free(a);
	e->cache->ahead = NULL;
}

/* Whether index_plan is to take in f's cache through cache_prepare: a
 * plain file not yet read, not yet looked at (index.c's loop); the one
 * being looked at is, unless read already. */
static bool
ahead_wants(const struct file *f, bool now)
{
	return f != NULL && !f->gone && f->pending == 0 && !f->gz &&
	    f->pos == 0 && (now || f->cache == NULL || !f->cache->prepared);
}

/* Begin reading the caches of the files from id on, when there are
 * several and more than one core. */
static void
ahead_begin(struct eng *e, size_t id)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct ahead *a;
	size_t n = 0;

	for (size_t i = id; i < e->nfiles; i++)
		n += ahead_wants(e->files[i], i == id);
	if (n < 2 || cores < 2)
		return;
	a = eng_xcalloc(1, sizeof *a);
	a->x = eng_xcalloc(n, sizeof *a->x);
	for (size_t i = id, k = 0; i < e->nfiles; i++)
		if (ahead_wants(e->files[i], i == id)) {
			a->x[k].f = e->files[i];
			a->x[k].cfd = -1;
			a->x[k++].id = i;
			file_cache(e->files[i]);	/* before any thread */
		}
	a->n = n;
	a->e = e;
	a->nth = (size_t)cores < n ? (size_t)cores : n;
	if (a->nth > LOAD_THREADS_MAX)
		a->nth = LOAD_THREADS_MAX;
	a->window = a->nth * AHEAD_PER_THREAD;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	a->th = eng_xcalloc(a->nth, sizeof *a->th);
	e->cache->ahead = a;
	for (size_t i = 0; i < a->nth; i++)
		if (pthread_create(&a->th[i], NULL, ahead_main, a) != 0) {
			a->nth = i;	/* fewer threads, or the main's alone */
			break;
		}
	if (a->nth == 0)
		ahead_end(e);
}

/* f's cache read ahead, put in the index; false when f was not among
 * those read ahead (cache_load reads it). */
static bool
ahead_take(struct eng *e, struct file *f)
{
	struct ahead *a = e->cache->ahead;
	size_t i;

	if (a == NULL)
		return false;
	for (i = a->next; i < a->n && a->x[i].f != f; i++)
		;
	if (i == a->n)
		return false;
	pthread_mutex_lock(&a->mu);
	a->next = i;	/* those skipped are not waited for */
	pthread_cond_broadcast(&a->cv);
	if (!a->x[i].taken) {	/* not begun: read here */
		a->x[i].taken = true;
		pthread_mutex_unlock(&a->mu);
		fetch_read(e, &a->x[i], -1);
		pthread_mutex_lock(&a->mu);
		a->x[i].done = true;
	}
	while (!a->x[i].done)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
	fetch_apply(e, &a->x[i]);
	pthread_mutex_lock(&a->mu);
	a->next = i + 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	if (i + 1 == a->n)
		ahead_end(e);
	return true;
}

/* A compressed backup's text, inflated from zfd: what cut or corrupt
 * data kept from being read is named. */
static void
gz_text(struct eng *e, struct file *f, int zfd)
{
	char why[256];
	int fd;

	if ((fd = gz_inflate(zfd, &f->size, why, sizeof why)) < 0) {
		store_unreadable(e, f->path, strerror(errno), false);
		return;
	}
	if (why[0] != '\0') {
		store_unreadable(e, f->path, why, false);
		file_cache(f)->note = eng_xstrdup(why);
	}
	fdcache_adopt(e, f, fd);
}

/* A compressed backup's own file, under its path, if it is still f. */
static int
gz_open(struct eng *e, struct file *f)
{
	struct stat st;
	int fd = file_open(e, AT_FDCWD, f->path, &st);

	if (fd >= 0 && (st.st_dev != f->dev || st.st_ino != f->ino)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void
cache_prepare(struct eng *e, struct file *f, size_t id)
{
	int fd;

	if (f->cache != NULL && f->cache->prepared)
		return;
	file_cache(f)->prepared = true;
	if (e->cache != NULL && e->cache->ahead == NULL) {	/* no reader */
		e->cache->part_key = stats_parts_key(e);
		e->cache->load_only = stats_load_only(e);
	}
	if (f->gz) {
		if ((fd = gz_open(e, f)) < 0)
			return;
		if (!cache_values_on(e) || !cache_load(e, f, id, fd))
			gz_text(e, f, fd);
		close(fd);
		return;
	}
	if (!cache_values_on(e) || f->pos > 0)
		return;
	if (e->cache->ahead == NULL)
		ahead_begin(e, id);
	if (ahead_take(e, f))
		return;
	if ((fd = fdcache_acquire(e, f)) < 0)
		return;
	cache_load(e, f, id, fd);
	fdcache_release(e, f);
}

/* ---- writing a cache ---- */

/* A buffered writer that hashes what it writes. */
struct writer {
	int fd;
	char *buf;
	size_t len;
	uint64_t off;
	struct sum sum;
	bool failed;
};

/* n bytes at p written at the writer's offset. */
static void
w_write(struct writer *w, const char *p, size_t n)
{
	size_t done = 0;

	while (!w->failed && done < n) {
		ssize_t k = pwrite(w->fd, p + done, n - done, (off_t)w->off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			w->failed = true;
		else {
			done += (size_t)k;
			w->off += (uint64_t)k;
		}
	}
}

static void
w_flush(struct writer *w)
{
	w_write(w, w->buf, w->len);
	w->len = 0;
}

static void
w_add(struct writer *w, const void *data, size_t n)
{
	const char *p = data;

	sum_add(&w->sum, p, n);
	if (w->len == 0 && n >= IO_BLOCK) {	/* no copy */
		w_write(w, p, n);
		return;
	}
	while (n > 0 && !w->failed) {
		size_t take = IO_BLOCK - w->len < n ? IO_BLOCK - w->len : n;

		memcpy(w->buf + w->len, p, take);
		w->len += take;
		p += take;
		n -= take;
		if (w->len == IO_BLOCK)
			w_flush(w);
	}
}

/* A temporary file of the cache directory to write a cache into, its
 * body from off on (its head is written last, w_close); false when the
 * directory is read-only or full (the caller turns writing off: files
 * are written by several threads). */
static bool
w_open(const struct cache *c, struct writer *w, char **tmp, uint64_t off)
{
	*tmp = eng_xmalloc(strlen(c->dir) + sizeof "/.tmp-XXXXXX");
	strcpy(*tmp, c->dir);
	strcat(*tmp, "/.tmp-XXXXXX");
	if ((w->fd = mkostemp(*tmp, O_CLOEXEC)) < 0) {
		free(*tmp);
		*tmp = NULL;
		return false;
	}
	w->buf = eng_xmalloc(IO_BLOCK);
	w->off = off;
	w->len = 0;
	w->failed = false;
	sum_init(&w->sum);
	return true;
}

/* The body flushed, head[0..n) written before it, and the file renamed
 * to path, so that no reader ever sees half of it; true when it is
 * there. */
static bool
w_close(struct writer *w, const void *head, size_t n, char *tmp,
    const char *path)
{
	bool ok;

	w_flush(w);
	if (!w->failed && pwrite(w->fd, head, n, 0) != (ssize_t)n)
		w->failed = true;
	if (close(w->fd) != 0)
		w->failed = true;
	ok = !w->failed && rename(tmp, path) == 0;
	if (!ok)
		unlink(tmp);
	free(w->buf);
	w->buf = NULL;
	free(tmp);
	return ok;
}

/* ---- a file's records written out as its tasks come ----
 *
 * A report alone (stats_load_only) reads no value once the load is over:
 * the records of a file that its load reads whole go into its cache file
 * as each of its tasks is published, not gathered in memory first, and
 * save_file writes the rest when the file is indexed. */

static void
stream_open(struct eng *e, struct file *f)
{
	struct file_cache *fc = f->cache;
	struct writer *w;

	if (fc->stream != NULL || e->loader != NULL ||
	    !stats_load_only(e) || !cache_keeps_parts(e) || f->entries > 0 ||
	    fc->blob.len > 0 || fc->dropped || fc->streamed > 0)
		return;
	w = eng_xcalloc(1, sizeof *w);
	if (!w_open(e->cache, w, &fc->stream_tmp, sizeof(struct head))) {
		free(w);
		e->cache->no_write = true;	/* read-only or full */
		return;
	}
	fc->stream = w;
}

/* The cache being written left unwritten, and its records with it. */
static void
stream_end(struct file_cache *fc)
{
	if (fc->stream == NULL)
		return;
	fc->stream->failed = true;
	w_close(fc->stream, NULL, 0, fc->stream_tmp, NULL);
	free(fc->stream);
	fc->stream = NULL;
	fc->stream_tmp = NULL;
	fc->dropped = true;
}

/* The records of the entries pos[0..n) written again, in their order,
 * into out, and each one's offset in refs: the blob without what is no
 * longer reached. */
static void
records_compact(const struct eng *e, const struct strbuf *blob,
    const uint32_t *pos, size_t n, struct strbuf *out, uint32_t *refs)
{
	struct intern *in = eng_xcalloc(1, sizeof *in);
	struct fields f;
	size_t k;

	strbuf_init(out);
	for (size_t i = 0; i < n; i++) {
		const struct eng_entry *en = store_entry(e, pos[i]);
		uint32_t ref = vals_ref(e, pos[i]);

		refs[i] = VALS_NONE;
		if (ref == VALS_NONE || en->category >= LLMLOG_NCATEGORIES ||
		    !record_get(blob, ref, en->category, &f, NULL) ||
		    out->len > UINT32_MAX - (FIELDS_MAX * (3 + VALS_SPAN_MAX) +
		    1))
			continue;
		k = set_info[en->category].k;
		refs[i] = (uint32_t)out->len;
		record_put(out, in, f.v, k);
	}
	free(in);
}

static int
pos_by_offset(const void *a, const void *b, void *arg)
{
	const struct eng *e = arg;
	uint64_t x = store_entry(e, *(const uint32_t *)a)->offset;
	uint64_t y = store_entry(e, *(const uint32_t *)b)->offset;

	return x < y ? -1 : x > y;
}

/* The on-disk facts of f for its head: size, mtime, the hashes. */
static bool
head_facts(struct eng *e, struct file *f, struct head *h)
{
	struct stat st;
	bool ok;
	int fd;

	if (f->gz) {
		if ((fd = gz_open(e, f)) < 0)
			return false;
	} else if ((fd = fdcache_acquire(e, f)) < 0)
		return false;
	ok = fstat(fd, &st) == 0 && (uint64_t)st.st_dev == (uint64_t)f->dev &&
	    (uint64_t)st.st_ino == (uint64_t)f->ino &&
	    (f->gz || (uint64_t)st.st_size >= f->pos);
	if (ok) {
		h->disk_size = (uint64_t)st.st_size;
		h->mtime_ns = mtime_ns(&st);
		ok = hash_ends(fd, f->gz ? h->disk_size : f->pos,
		    &h->hash_first, &h->hash_last);
	}
	if (f->gz)
		close(fd);
	else
		fdcache_release(e, f);
	return ok;
}

#define SAVE_BATCH	4096	/* entries put in the writer at once */

/* f's records, those of the entries pos[0..n), into w (at its start,
 * the body's) and their offsets into refs: the blob as it is when every
 * record of it is reached (its references are relative), else written
 * again without the rest.  Each record is one entry's, so it is reached
 * when as many entries have one as records were put in.  The blob's
 * length, or UINT64_MAX when the records written out as they came
 * (fc->stream) are not all reached: the cache is not written. */
static uint64_t
records_save(const struct eng *e, struct file_cache *fc, struct writer *w,
    const uint32_t *pos, size_t n, uint32_t *refs)
{
	size_t reached = 0;
	struct strbuf nb;

	for (size_t i = 0; i < n; i++)
		reached += (refs[i] = vals_ref(e, pos[i])) != VALS_NONE;
	if (fc->stream != NULL)
		return reached == fc->records ? fc->streamed : UINT64_MAX;
	if (reached == fc->records) {
		if (fc->blob.len > 0)
			w_add(w, fc->blob.s, fc->blob.len);
		return fc->blob.len;
	}
	records_compact(e, &fc->blob, pos, n, &nb, refs);
	w_add(w, nb.s, nb.len);
	n = nb.len;
	strbuf_free(&nb);
	return n;
}

/* Write f's cache from its entries pos[0..n), in file order; false when
 * the cache directory could not take it.  Files are written on several
 * threads: this touches only f and its cache. */
static bool
save_file(struct eng *e, struct file *f, const uint32_t *pos, size_t n)
{
	const struct cache *c = e->cache;
	struct file_cache *fc = file_cache(f);
	const char *note = fc->note != NULL ? fc->note : "";
	const char *dir = c->dirs[f->source];
	struct head h = { .version = CACHE_VERSION, .head_size = sizeof h };
	struct writer w = { .fd = -1 };
	struct strbuf part = { 0 }, tables = { 0 };
	char *tmp, *path;
	struct packed pk[SAVE_BATCH];
	uint32_t *refs;
	bool ok;

	memcpy(h.magic, CACHE_MAGIC, sizeof h.magic);
	h.layout = c->layout;
	h.dev = (uint64_t)f->dev;
	h.ino = (uint64_t)f->ino;
	h.text_size = f->size;
	h.pos = f->pos;
	h.resume = f->resume;
	h.nentries = n;
	h.note_len = (uint32_t)strlen(note);
	h.dir_len = (uint32_t)strlen(dir);
	h.category = (uint32_t)f->category;
	h.gz = f->gz;
	if (fc->dropped || !head_facts(e, f, &h)) {
		stream_end(fc);
		return true;	/* gone or changed: not written */
	}
	if (f->stats != NULL && f->stats_entries == n && n == f->entries) {
		stats_part_settle(f->stats);
		stats_part_save(&part, f->stats);
		h.stats_len = part.len;
		stats_part_save_tables(&tables, f->stats);
		h.tables_len = tables.len;
		h.stats_key = f->stats_key;
	}
	if (fc->stream != NULL) {	/* its records are written */
		w = *fc->stream;
		tmp = fc->stream_tmp;
	} else if (!w_open(c, &w, &tmp, sizeof h)) {
		strbuf_free(&part);
		strbuf_free(&tables);
		return false;
	}
	refs = eng_xmalloc((n + 1) * sizeof *refs);
	h.blob_len = records_save(e, fc, &w, pos, n, refs);
	if (fc->stream != NULL) {
		free(fc->stream);
		fc->stream = NULL;
		fc->stream_tmp = NULL;
		fc->dropped = true;	/* its records are not here */
	}
	h.blob_sum = sum_end(&w.sum);
	sum_init(&w.sum);
	for (size_t i = 0; i < n; ) {
		size_t k = 0;

		for (; k < SAVE_BATCH && i < n; k++, i++) {
			const struct eng_entry *en = store_entry(e, pos[i]);

			pk[k] = (struct packed){ .time_us = en->time_us,
			    .offset = en->offset, .length = en->length,
			    .category = en->category, .level = en->level,
			    .flags = en->flags };
		}
		w_add(&w, pk, k * sizeof *pk);
	}
	w_add(&w, refs, n * sizeof *refs);
	free(refs);
	h.entries_sum = sum_end(&w.sum);
	sum_init(&w.sum);
	w_add(&w, note, h.note_len);
	w_add(&w, dir, h.dir_len);
	h.note_sum = sum_end(&w.sum);
	sum_init(&w.sum);
	if (part.len > 0)
		w_add(&w, part.s, part.len);
	h.stats_sum = sum_end(&w.sum);
	sum_init(&w.sum);
	if (tables.len > 0)
		w_add(&w, tables.s, tables.len);
	h.tables_sum = sum_end(&w.sum);
	strbuf_free(&part);
	strbuf_free(&tables);
	if (h.blob_len == UINT64_MAX)
		w.failed = true;	/* not all reached: not written */
	h.head_sum = hash_bytes(&h, offsetof(struct head, head_sum));
	path = cache_path(c, f->dev, f->ino);
	if ((ok = w_close(&w, &h, sizeof h, tmp, path))) {
		fc->saved = true;
		fc->saved_pos = f->pos;
		fc->saved_entries = f->entries;
		fc->entries_sum = h.entries_sum;
	}
	free(path);
	return ok || h.blob_len == UINT64_MAX;
}

/* ---- the time order of what the caches hold ----
 *
 * The time order of every entry (order.c) is a merge of the files' runs
 * at each open.  Over the entries the caches hold it stays what it was as
 * long as they do, so it is kept too: one file per set of log
 * directories, naming the caches it covers (each file's device, inode,
 * entries and the checksum of its cache's entries) in the index's order,
 * then the order as the positions the next load gives those entries
 * (each file's in turn, as they are taken in).  A load whose caches are
 * exactly those takes it instead of sorting them. */

#define ORDER_MAGIC	"llmlogor"
#define ORDER_SUFFIX	".ord"

struct order_head {
	char magic[8];
	uint32_t version, head_size;
	uint64_t layout;
	uint64_t nfiles, count;
	uint64_t files_sum, order_sum;
	uint64_t head_sum;	/* of the bytes before it */
};

struct order_file {
	uint64_t dev, ino, entries, entries_sum;
};

static char *
order_path(const struct cache *c, size_t ndirs)
{
	struct hash h;
	struct strbuf b;

	hash_init(&h);
	for (size_t i = 0; i < ndirs; i++)
		hash_add(&h, c->dirs[i], strlen(c->dirs[i]) + 1);
	strbuf_init(&b);
	strbuf_printf(&b, "%s/order-%016llx" ORDER_SUFFIX, c->dir,
	    (unsigned long long)hash_end(&h));
	return b.s;
}

/* The caches whose entries the index holds, in its order; the number of
 * them, or SIZE_MAX when some entry is not a cache's as it was read (new,
 * or its file changed since), or, when written, as it was written. */
static size_t
order_files(const struct eng *e, bool written, struct order_file **out)
{
	struct order_file *v = eng_xcalloc(e->nfiles + 1, sizeof *v);
	size_t n = 0, entries = 0;

	for (size_t i = 0; i < e->nfiles; i++) {
		const struct file *f = e->files[i];

		if (f == NULL || f->entries == 0)
			continue;
		if (f->cache == NULL || (written && !f->cache->saved) ||
		    f->cache->saved_entries != f->entries) {
			free(v);
			return SIZE_MAX;
		}
		v[n++] = (struct order_file){ (uint64_t)f->dev,
		    (uint64_t)f->ino, f->entries, f->cache->entries_sum };
		entries += f->entries;
	}
	if (entries != e->count) {
		free(v);
		return SIZE_MAX;
	}
	*out = v;
	return n;
}

void
cache_order_take(struct eng *e)
{
	struct cache *c = e->cache;
	struct order_head h;
	struct stat st;
	struct order_file *files = NULL, *got = NULL;
	uint8_t *seen = NULL;
	struct sum sum;
	size_t n;
	uint64_t off = sizeof h;
	char *path;
	bool ok = false;
	int fd;

	if (c == NULL || !cache_values_on(e) || e->order_n != 0 ||
	    e->count == 0 || e->count > UINT32_MAX ||
	    (n = order_files(e, false, &files)) == SIZE_MAX)
		return;
	path = order_path(c, e->ndirs);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) < 0 || !ours(fd, &st))
		goto out;	/* none, or not ours: sorted again */
	if (read_full(fd, (char *)&h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(h.magic, ORDER_MAGIC, sizeof h.magic) != 0) {
		corrupt(e, path);
		goto out;
	}
	if (h.version != CACHE_VERSION)
		goto out;	/* another version's: sorted again */
	if (h.head_sum != hash_bytes(&h, offsetof(struct order_head,
	    head_sum)) || h.head_size != sizeof h) {
		corrupt(e, path);
		goto out;
	}
	if (h.layout != c->layout || h.nfiles != n || h.count != e->count)
		goto out;	/* another set of caches: sorted again */
	got = eng_xmalloc((n + 1) * sizeof *got);
	sum_init(&sum);
	if (!body_read(fd, got, n * sizeof *got, &off, &sum) ||
	    sum_end(&sum) != h.files_sum) {
		corrupt(e, path);
		goto out;
	}
	if (memcmp(got, files, n * sizeof *got) != 0)
		goto out;	/* the same count of other entries */
	eng_grow(&e->order, &e->order_cap, e->count, sizeof *e->order);
	sum_init(&sum);
	ok = body_read(fd, e->order, e->count * sizeof *e->order, &off,
	    &sum) && sum_end(&sum) == h.order_sum;
	/* each position once: a permutation of the index */
	seen = eng_xcalloc(e->count / 8 + 1, 1);
	for (size_t k = 0; ok && k < e->count; k++) {
		uint32_t p = e->order[k];

		ok = p < e->count && !(seen[p / 8] >> p % 8 & 1);
		seen[p / 8] |= (uint8_t)(1u << p % 8);
	}
	if (!ok)
		corrupt(e, path);
	else {
		e->order_n = e->count;
		c->order_taken = c->order_kept = e->count;
	}
out:
	if (fd >= 0)
		close(fd);
	free(seen);
	free(got);
	free(files);
	free(path);
}

size_t
cache_order_taken(const struct eng *e)
{
	return e->cache != NULL ? e->cache->order_taken : 0;
}

/* The order of every entry, when it is synced and each is a cache's as
 * written, for the next load (cache_order_take). */
static void
order_save(struct eng *e)
{
	struct cache *c = e->cache;
	struct order_file *files = NULL;
	struct order_head h = { .version = CACHE_VERSION,
	    .head_size = sizeof h };
	struct writer w = { .fd = -1 };
	uint32_t *next = NULL, *base = NULL, batch[SAVE_BATCH];
	uint64_t *last = NULL;
	char *tmp = NULL, *path = NULL;
	size_t n;

	if (e->order_n != e->count || e->count == 0 ||
	    e->count > UINT32_MAX || c->order_kept == e->count ||
	    (n = order_files(e, true, &files)) == SIZE_MAX)
		goto out;
	/* where the next load puts each entry: the files' in turn, each
	 * one's in the order of its lines */
	base = eng_xcalloc(e->nfiles + 1, sizeof *base);
	last = eng_xcalloc(e->nfiles + 1, sizeof *last);
	for (size_t i = 0, at = 0; i < e->nfiles; i++)
		if (e->files[i] != NULL) {
			base[i] = (uint32_t)at;
			at += e->files[i]->entries;
		}
	next = eng_xmalloc(e->count * sizeof *next);
	for (size_t p = 0; p < e->count; p++) {
		const struct eng_entry *en = store_entry(e, p);

		if (last[en->file] > en->offset + 1)
			goto out;	/* not in line order: not kept */
		last[en->file] = en->offset + 1;
		next[p] = base[en->file]++;
	}
	memcpy(h.magic, ORDER_MAGIC, sizeof h.magic);
	h.layout = c->layout;
	h.nfiles = n;
	h.count = e->count;
	if (!w_open(c, &w, &tmp, sizeof h)) {
		c->no_write = true;
		goto out;
	}
	w_add(&w, files, n * sizeof *files);
	h.files_sum = sum_end(&w.sum);
	sum_init(&w.sum);
	for (size_t k = 0; k < e->count; ) {
		size_t m = 0;

		for (; m < SAVE_BATCH && k < e->count; m++, k++)
			batch[m] = next[e->order[k]];
		w_add(&w, batch, m * sizeof *batch);
	}
	h.order_sum = sum_end(&w.sum);
	h.head_sum = hash_bytes(&h, offsetof(struct order_head, head_sum));
	path = order_path(c, e->ndirs);
	if (w_close(&w, &h, sizeof h, tmp, path))
		c->order_kept = e->count;
	else
		c->no_write = true;
out:
	free(path);
	free(next);
	free(base);
	free(last);
	free(files);
}

static bool
dirty(const struct file *f)
{
	return f != NULL && !f->gone && f->pending == 0 && f->pos > 0 &&
	    f->cache != NULL && (!f->cache->saved ||
	    f->cache->saved_pos != f->pos ||
	    f->cache->saved_entries != f->entries);
}

/* Whether a cache file of one of our directories names no file we
 * know: its file is gone. */
static bool
cache_gone(const struct eng *e, const char *name, int dfd)
{
	unsigned long long dev, ino;
	struct head h;
	char *dir = NULL;
	bool ours = false, known = false, gone_dir = false;
	int fd;

	if (sscanf(name, "%llx-%llx", &dev, &ino) != 2 ||
	    (fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) < 0)
		return false;
	if (read_full(fd, (char *)&h, sizeof h, 0) == (ssize_t)sizeof h &&
	    memcmp(h.magic, CACHE_MAGIC, sizeof h.magic) == 0 &&
	    h.dir_len > 0 && h.dir_len < PATH_MAX) {
		struct stat st;

		dir = eng_xcalloc(1, h.dir_len + 1);
		if (read_full(fd, dir, h.dir_len, at_note(&h) + h.note_len) ==
		    (ssize_t)h.dir_len) {
			for (size_t s = 0; s < e->ndirs && !ours; s++)
				ours = strcmp(dir, e->cache->dirs[s]) == 0;
			/* a log directory that is no more: its files too */
			gone_dir = dir[0] == '/' && lstat(dir, &st) != 0 &&
			    errno == ENOENT;
		}
	}
	close(fd);
	free(dir);
	if (!ours)
		return gone_dir;
	for (size_t i = 0; i < e->nfiles && !known; i++)
		known = e->files[i] != NULL && !e->files[i]->gone &&
		    (uint64_t)e->files[i]->dev == dev &&
		    (uint64_t)e->files[i]->ino == ino;
	return !known;
}

struct cfile {
	char *name;
	uint64_t size;
	int64_t mtime;
};

static int
cfile_older(const void *a, const void *b)
{
	const struct cfile *x = a, *y = b;

	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

/* Whether name[0..len) is more than suffix and ends with it. */
static bool
named_with(const char *name, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && strcmp(name + len - n, suffix) == 0;
}

/* The caches of files gone leave, then the oldest while the directory
 * holds more than its bound. */
static void
cache_prune(struct eng *e)
{
	struct cache *c = e->cache;
	struct cfile *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	c->pruned = true;
	if ((d = opendir(c->dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if ((!named_with(de->d_name, len, CACHE_SUFFIX) &&
		    !named_with(de->d_name, len, ORDER_SUFFIX)) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (cache_gone(e, de->d_name, dirfd(d))) {
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		eng_grow(&v, &cap, n + 1, sizeof *v);
		v[n].name = eng_xstrdup(de->d_name);
		v[n].size = (uint64_t)st.st_size;
		v[n].mtime = mtime_ns(&st);
		total += v[n].size;
		n++;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, cfile_older);
	for (size_t i = 0; i < n; i++) {
		if (total > c->max && unlinkat(dirfd(d), v[i].name, 0) == 0)
			total -= v[i].size;
		free(v[i].name);
	}
	closedir(d);
	free(v);
}

/* The dirty files' caches written, on one thread per core: each file's
 * entries pos[start[i]..) (count[i] of them), in index order. */
struct save_run {
	struct eng *e;
	uint32_t *pos;
	const size_t *start, *count;
	atomic_size_t next;
	atomic_bool failed;
};

static void *
save_main(void *arg)
{
	struct save_run *r = arg;
	struct eng *e = r->e;
	size_t i;

	while (!atomic_load(&r->failed) &&
	    (i = atomic_fetch_add(&r->next, 1)) < e->nfiles) {
		struct file *f = e->files[i];
		uint32_t *a = r->pos + r->start[i];
		size_t n = r->count[i];
		bool sorted = true;

		if (!dirty(f) || n != f->entries)
			continue;
		for (size_t k = 1; k < n && sorted; k++)
			sorted = store_entry(e, a[k - 1])->offset <
			    store_entry(e, a[k])->offset;
		if (!sorted)
			qsort_r(a, n, sizeof *a, pos_by_offset, e);
		if (!save_file(e, f, a, n))
			atomic_store(&r->failed, true);
	}
	return NULL;
}

static void
save_all(struct eng *e, uint32_t *pos, const size_t *start,
    const size_t *count)
{
	struct save_run r = { .e = e, .pos = pos, .start = start,
	    .count = count };
	pthread_t th[LOAD_THREADS_MAX];
	int nth = 0, want = load_threads() - 1;

	atomic_init(&r.next, 0);
	atomic_init(&r.failed, false);
	while (nth < want && (size_t)nth + 1 < e->nfiles &&
	    pthread_create(&th[nth], NULL, save_main, &r) == 0)
		nth++;
	save_main(&r);
	while (nth > 0)
		pthread_join(th[--nth], NULL);
	if (atomic_load(&r.failed))
		e->cache->no_write = true;	/* read-only or full */
}

void
cache_file_indexed(struct eng *e, struct file *f, size_t id)
{
	size_t n = f->entries, from = e->count - n;
	uint32_t *pos;
	bool saved = false;

	if (f->cache == NULL) {
		stats_file_indexed(e, f);
		return;
	}
	if ((stats_file_open(e, f) || f->cache->stream != NULL) &&
	    cache_keeps_parts(e) && dirty(f) && e->vchunks != NULL &&
	    n <= e->count) {
		pos = eng_xmalloc((n + 1) * sizeof *pos);
		for (size_t i = 0; i < n; i++)	/* its entries, the last */
			if (store_entry(e, (pos[i] = (uint32_t)(from + i)))->file
			    != id)
				n = 0;
		if (n > 0 && !(saved = save_file(e, f, pos, n)))
			e->cache->no_write = true;	/* read-only or full */
		free(pos);
	}
	stream_end(f->cache);	/* not written: its records are lost */
	stats_file_indexed(e, f);
	if (saved && stats_load_only(e)) {
		strbuf_free(&f->cache->blob);
		f->cache->records = 0;
		f->cache->dropped = true;
	}
}

void
cache_save(struct eng *e)
{
	size_t *count, *start, nd = 0;
	uint32_t *pos;

	if (e->cache != NULL)
		ahead_end(e);	/* the plan is made: no more is read ahead */
	if (!cache_values_on(e) || e->cache->no_write || e->vchunks == NULL ||
	    e->loader != NULL)
		return;
	for (size_t i = 0; i < e->nfiles; i++)
		nd += dirty(e->files[i]);
	if (nd == 0) {
		order_save(e);
		if (!e->cache->pruned)	/* files may have gone */
			cache_prune(e);
		return;
	}
	count = eng_xcalloc(e->nfiles + 1, sizeof *count);
	for (size_t p = 0; p < e->count; p++)
		count[store_entry(e, p)->file]++;
	start = eng_xcalloc(e->nfiles + 1, sizeof *start);
	for (size_t i = 0; i < e->nfiles; i++)
		start[i + 1] = start[i] + (dirty(e->files[i]) ? count[i] : 0);
	pos = eng_xmalloc((start[e->nfiles] + 1) * sizeof *pos);
	memset(count, 0, (e->nfiles + 1) * sizeof *count);
	for (size_t p = 0; p < e->count; p++) {
		uint32_t id = store_entry(e, p)->file;

		if (dirty(e->files[id]))
			pos[start[id] + count[id]++] = (uint32_t)p;
	}
	save_all(e, pos, start, count);
	free(pos);
	free(start);
	free(count);
	if (!e->cache->no_write)
		order_save(e);
	if (!e->cache->no_write)
		cache_prune(e);
}
