/*
 * reader.c - reading many lines of a view, in its order: a small block per
 * file, so that a walk over entries interleaved by time costs one read per
 * block rather than one per line.  At most READER_HELD blocks are held at
 * once; the oldest goes first.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "engine.h"
#include "engine-int.h"

#define READER_BLOCK	(64u << 10)
#define READER_HELD	64

struct eng_reader {
	struct eng *e;
	struct block_reader *files;	/* one per file known at creation */
	size_t nfiles;
	uint32_t held[READER_HELD];	/* files whose reader has a buffer */
	size_t next_held;
};

struct eng_reader *
eng_reader_new(struct eng *e, bool backward)
{
	struct eng_reader *r = eng_xcalloc(1, sizeof *r);

	r->e = e;
	r->nfiles = e->nfiles;
	r->files = eng_xcalloc(r->nfiles + 1, sizeof *r->files);
	for (size_t i = 0; i < r->nfiles; i++) {
		block_reader_init(&r->files[i]);
		r->files[i].block = READER_BLOCK;
		r->files[i].backward = backward;
	}
	for (size_t i = 0; i < READER_HELD; i++)
		r->held[i] = UINT32_MAX;
	return r;
}

void
eng_reader_free(struct eng_reader *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		block_reader_free(&r->files[i]);
	free(r->files);
	free(r);
}

const char *
eng_reader_line(struct eng_reader *r, const struct eng_entry *en,
    size_t *len)
{
	struct block_reader *br;
	uint32_t *slot;
	const char *s;

	if (en->file >= r->nfiles)
		return eng_line(r->e, en, len);
	br = &r->files[en->file];
	if (br->buf == NULL) {
		slot = &r->held[r->next_held];
		if (*slot != UINT32_MAX && *slot != en->file)
			block_reader_free(&r->files[*slot]);
		*slot = en->file;
		r->next_held = (r->next_held + 1) % READER_HELD;
	}
	if ((s = block_reader_line(br, r->e, en, len)) == NULL)
		s = eng_line(r->e, en, len);
	return s;
}
