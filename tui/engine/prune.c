/*
 * prune.c - entries leaving the index, so that what is shown and counted
 * is what is on disk and memory is bounded by it: those of a file that is
 * gone (deleted, or renamed away from every log name) and those past the
 * end of a truncated one (follow.c marks the files).  One pass over the
 * index maps each position to its new one; the time order and every view
 * drop the positions that left and renumber the rest, keeping their order
 * (order_prune, view_prune: stats learn of it by their view's serial);
 * then the entries that stay move down, and chunks no longer needed are
 * freed.  The main thread does it, inside eng_refresh.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

size_t
prune_below(const uint32_t *dead, size_t ndead, size_t p)
{
	size_t lo = 0, hi = ndead;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dead[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return p - lo;
}

/* Whether entry en leaves: its line does not end before its file's cut. */
static inline bool
leaves(const struct eng *e, const struct eng_entry *en)
{
	const struct file *f = e->files[en->file];

	return f->cut && en->offset + en->length >= f->cut_from;
}

/* Position by position: where each goes, which leave; the files that
 * keep entries count them again; the counters grow. */
static size_t
prune_map(struct eng *e, uint32_t *map, uint32_t **dead, size_t *ndead)
{
	size_t kept = 0, cap = 0;

	for (size_t p = 0; p < e->count; p++) {
		const struct eng_entry *en = store_entry(e, p);
		struct file *f = e->files[en->file];

		if (!leaves(e, en)) {
			if (f->cut)
				store_file_add_entries(f, en, 1);
			map[p] = (uint32_t)kept++;
			continue;
		}
		map[p] = PRUNED;
		eng_grow(dead, &cap, *ndead + 1, sizeof **dead);
		(*dead)[(*ndead)++] = (uint32_t)p;
		if (en->flags & ENTRY_MALFORMED)
			e->malformed--;
		if (f->gone)
			e->removed.deleted++;
		else
			e->removed.truncated++;
	}
	return kept;
}

/* The entries that stay, moved down in order; chunks past them freed. */
static void
prune_move(struct eng *e, const uint32_t *map, size_t kept)
{
	size_t chunks = (kept + CHUNK_ENTRIES - 1) / CHUNK_ENTRIES;

	uint32_t **vc = e->vchunks;

	for (size_t p = 0; p < e->count; p++) {
		if (map[p] == PRUNED || map[p] == p)
			continue;
		*store_entry(e, map[p]) = *store_entry(e, p);
		if (vc != NULL)	/* the values kept go with their entries */
			vc[map[p] >> CHUNK_SHIFT][map[p] & (CHUNK_ENTRIES - 1)] =
			    vc[p >> CHUNK_SHIFT][p & (CHUNK_ENTRIES - 1)];
	}
	e->count = kept;
	while (e->nchunks > chunks) {
		free(e->chunks[--e->nchunks]);
		if (vc != NULL)
			free(vc[e->nchunks]);
	}
}

/* The files cut are done with: a gone one's record goes (its number is
 * never given to another), a truncated one counted what it lost. */
static void
prune_files(struct eng *e, const size_t *before)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		struct file *f = e->files[i];

		if (f == NULL || !f->cut)
			continue;
		f->cut = false;
		if (f->gone) {
			e->removed.deleted_files++;
			fdcache_forget(e, f);
			file_cache_free(f);
			free(f->path);
			free(f);
			e->files[i] = NULL;
		} else if (f->entries < before[i])
			e->removed.truncated_files++;
	}
}

void
prune_index(struct eng *e)
{
	size_t *before, ndead = 0, kept;
	uint32_t *map, *dead = NULL;
	bool any = false;

	for (size_t i = 0; i < e->nfiles && !any; i++)
		any = e->files[i] != NULL && e->files[i]->cut;
	if (!any)
		return;
	before = eng_xcalloc(e->nfiles, sizeof *before);
	for (size_t i = 0; i < e->nfiles; i++) {
		struct file *f = e->files[i];

		if (f == NULL || !f->cut)
			continue;
		before[i] = f->entries;	/* counted again as they stay */
		f->entries = 0;
		f->first_us = f->last_us = ENG_TIME_NONE;
	}
	map = eng_xmalloc(e->count * sizeof *map);
	kept = prune_map(e, map, &dead, &ndead);
	if (ndead > 0) {
		order_prune(e, map, dead, ndead);
		for (size_t i = 0; i < e->nviews; i++)
			view_prune(e->views[i], map, dead, ndead);
		prune_move(e, map, kept);
	}
	prune_files(e, before);
	free(map);
	free(dead);
	free(before);
}

void
eng_removed(const struct eng *e, struct eng_removed *out)
{
	*out = e->removed;
}
