/*
 * pretty.c - an entry's fields as "key: value" lines (eng_entry_fields),
 * the one walk behind print mode's pretty output and the UI's detail
 * view, over the scanner's values rather than a json-c tree: json-c's
 * keys and strings are C strings, which a \u0000 would cut, and its
 * numbers are printed again rather than as written.
 *
 * Every text stands for its own bytes of the line, which are at least as
 * many as it and its NUL: a string (a key too) decoded in place of its
 * quoted text, a number or literal as written with the comma or bracket
 * after it, "{}" or "[]" for an empty container and the byte after it.
 * So the texts of a line of n bytes fit in n: room reserved at the start,
 * and the pointers handed out never move.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

/* A member of the object being walked, while its duplicates are found. */
struct member {
	const char *key;	/* decoded, in the texts */
	size_t key_len;
	struct jscan_value value;
	size_t pos;		/* its place in the object */
	size_t last;		/* the member whose value it shows */
	bool shown;		/* the first of its key */
};

struct walk {
	struct eng_fields *f;
	struct member *m;	/* a stack: each object's members on top */
	size_t nm, cap;
};

void
eng_fields_init(struct eng_fields *f)
{
	memset(f, 0, sizeof *f);
	strbuf_init(&f->text);
}

void
eng_fields_free(struct eng_fields *f)
{
	free(f->v);
	strbuf_free(&f->text);
	memset(f, 0, sizeof *f);
}

/* Append bytes and a NUL to the texts (room reserved beforehand). */
static const char *
add_text(struct eng_fields *f, const char *s, size_t n)
{
	char *at = f->text.s + f->text.len;

	memcpy(at, s, n);
	at[n] = '\0';
	f->text.len += n + 1;
	return at;
}

static const char *
add_string(struct eng_fields *f, const struct jscan_value *v, size_t *len)
{
	char *at = f->text.s + f->text.len;

	*len = jscan_unescape(v, at);
	at[*len] = '\0';
	f->text.len += *len + 1;
	return at;
}

static struct eng_field *
new_line(struct eng_fields *f, unsigned depth)
{
	struct eng_field *l;

	eng_grow(&f->v, &f->cap, f->n + 1, sizeof *f->v);
	l = &f->v[f->n++];
	memset(l, 0, sizeof *l);
	l->depth = depth;
	return l;
}

static int
member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Of m[0..n) (n > 0), which members are shown: the first of each key,
 * showing the value of its last (as every reader takes it). */
static void
mark_duplicates(struct member *m, size_t n)
{
	struct member *sorted = eng_xmalloc(n * sizeof *sorted);

	memcpy(sorted, m, n * sizeof *m);
	qsort(sorted, n, sizeof *sorted, member_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && sorted[j].key_len == sorted[i].key_len &&
		    memcmp(sorted[j].key, sorted[i].key, sorted[i].key_len) ==
		    0; j++)
			;
		m[sorted[i].pos].shown = true;
		m[sorted[i].pos].last = sorted[j - 1].pos;
	}
	free(sorted);
}

static void walk_value(struct walk *w, unsigned depth, const char *key,
    size_t key_len, const struct jscan_value *v);

static void
walk_children(struct walk *w, unsigned depth, const struct jscan_value *v)
{
	struct jscan_iter it;
	struct jscan_value key, val;
	size_t base = w->nm, n;

	jscan_iter_init(&it, v);
	if (v->kind == JSCAN_ARRAY) {
		while (jscan_next(&it, NULL, &val))
			walk_value(w, depth, NULL, 0, &val);
		return;
	}
	while (jscan_next(&it, &key, &val)) {
		struct member *m;

		eng_grow(&w->m, &w->cap, w->nm + 1, sizeof *w->m);
		m = &w->m[w->nm];
		m->key = add_string(w->f, &key, &m->key_len);
		m->value = val;
		m->pos = w->nm - base;
		m->shown = false;
		w->nm++;
	}
	if ((n = w->nm - base) == 0)
		return;
	mark_duplicates(w->m + base, n);
	for (size_t i = 0; i < n; i++) {
		/* walk_value may grow w->m: index it anew each time */
		const struct member *m = &w->m[base + i];
		struct jscan_value last;

		if (!m->shown)
			continue;
		last = w->m[base + m->last].value;
		walk_value(w, depth, m->key, m->key_len, &last);
	}
	w->nm = base;
}

static void
walk_value(struct walk *w, unsigned depth, const char *key, size_t key_len,
    const struct jscan_value *v)
{
	struct eng_field *l = new_line(w->f, depth);
	struct jscan_iter it;
	struct jscan_value first;
	bool empty;

	l->key = key;
	l->key_len = key_len;
	switch (v->kind) {
	case JSCAN_OBJECT:
	case JSCAN_ARRAY:
		l->kind = v->kind == JSCAN_OBJECT ? ENG_FIELD_OBJECT :
		    ENG_FIELD_ARRAY;
		jscan_iter_init(&it, v);
		empty = !jscan_next(&it, NULL, &first);
		if (empty) {
			l->text = add_text(w->f, v->kind == JSCAN_OBJECT ? "{}" :
			    "[]", 2);
			l->text_len = 2;
		} else
			walk_children(w, depth + 1, v);
		return;
	case JSCAN_STRING:
		l->kind = ENG_FIELD_STRING;
		l->text = add_string(w->f, v, &l->text_len);
		return;
	default:
		l->kind = v->kind == JSCAN_NUMBER ? ENG_FIELD_NUMBER :
		    v->kind == JSCAN_TRUE ? ENG_FIELD_TRUE :
		    v->kind == JSCAN_FALSE ? ENG_FIELD_FALSE : ENG_FIELD_NULL;
		l->text = add_text(w->f, v->s, v->n);	/* as written */
		l->text_len = v->n;
		return;
	}
}

bool
eng_entry_fields(const char *s, size_t n, struct eng_fields *f)
{
	struct walk w = { .f = f };
	struct jscan_value top;

	f->n = 0;
	strbuf_reset(&f->text);
	if (jscan_line(s, n, &top) != JSCAN_OBJECT)
		return false;
	strbuf_reserve(&f->text, n + 1);
	walk_children(&w, 0, &top);
	free(w.m);
	return true;
}
