/*
 * jscan-dump.c - what the JSON scanner (tui/engine/jscan.h) makes of each
 * line or file, in the form jscan-ref.py prints from Python's json module,
 * so test-jscan.sh can compare the two byte for byte.
 *
 *   jscan-dump [--whole] [--wrap] FILE...
 *
 * Each line of each FILE is one document (--whole: each FILE is one);
 * --wrap puts it as the value of "x" in an entry line.  Per document, a
 * header "LABEL VERDICT" (LABEL is FILE:LINE, or FILE; VERDICT malformed
 * or the kind of the value), then for a valid one its values, one per
 * line, "  PATH KIND [VALUE]":
 *   PATH   $, then [key] per object member and #i per array element
 *   KIND   object N (N distinct keys, listed in byte order of the decoded
 *          keys, each with the value of its last member), array N, string,
 *          number, true, false, null
 *   VALUE  a string as "..." with every byte outside 0x21-0x7e, and
 *          \ " [ ] #, written \xNN; a number as %.17g, or "range inf" /
 *          "range -inf" past the doubles, then " int=N" when it is an
 *          integer that fits 64 bits
 * Every value reached from the top through keys without a dot is also
 * looked up by its dotted path (jscan_path), which must give the same
 * span; the exit status is 1 when one does not.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "jscan.h"

#define ENTRY_HEAD "{\"category\":\"user\",\"timestamp\":" \
	"\"2026-01-01T00:00:00.000Z\",\"level\":\"INFO\"," \
	"\"event\":\"user_interaction\",\"x\":"

static const char *const kind_names[] = {
	[JSCAN_NONE] = "malformed", [JSCAN_OBJECT] = "object",
	[JSCAN_ARRAY] = "array", [JSCAN_STRING] = "string",
	[JSCAN_NUMBER] = "number", [JSCAN_TRUE] = "true",
	[JSCAN_FALSE] = "false", [JSCAN_NULL] = "null"
};

static int failures;
static const char *line_start, *line_end;	/* the document's bytes */

static void
put_escaped(struct strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x21 && c <= 0x7e && strchr("\\\"[]#", c) == NULL)
			strbuf_add(out, (const char *)&c, 1);
		else
			strbuf_printf(out, "\\x%02x", c);
	}
}

struct key {
	char *s;
	size_t n;
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

	return c != 0 ? c : (x->n > y->n) - (x->n < y->n);
}

/* The distinct decoded keys of an object, sorted. */
static struct key *
object_keys(const struct jscan_value *obj, size_t *count)
{
	struct jscan_iter it;
	struct jscan_value k, v;
	struct key *keys = NULL;
	size_t n = 0, cap = 0, distinct = 0;

	jscan_iter_init(&it, obj);
	while (jscan_next(&it, &k, &v)) {
		eng_grow(&keys, &cap, n + 1, sizeof *keys);
		keys[n].s = eng_xmalloc(k.n + 1);
		keys[n].n = jscan_unescape(&k, keys[n].s);
		n++;
	}
	if (n > 1)
		qsort(keys, n, sizeof *keys, key_cmp);
	for (size_t i = 0; i < n; i++) {
		if (distinct > 0 && key_cmp(&keys[distinct - 1], &keys[i]) == 0)
			free(keys[i].s);
		else
			keys[distinct++] = keys[i];
	}
	*count = distinct;
	return keys;
}

/* The dotted path to a value from the top (s), and how many keys it has;
 * -1 when no such path reaches it. */
struct dotted {
	struct strbuf s;
	int parts;
};

static void dump(struct strbuf *out, const struct jscan_value *root,
    const struct jscan_value *v, struct strbuf *path, struct dotted *dp);

static void
check_path(struct strbuf *out, const struct jscan_value *root,
    const struct jscan_value *m, const char *path, struct dotted *dp)
{
	struct jscan_value byp;

	if (!jscan_path(root, dp->s.s, dp->s.len, &byp) || byp.s != m->s ||
	    byp.n != m->n || byp.kind != m->kind) {
		strbuf_printf(out, "  %s PATH MISMATCH\n", path);
		failures++;
	}
}

/* jscan_line_find on the document gives every key the value that
 * jscan_get does. */
static void
check_line_find(struct strbuf *out, const struct jscan_value *top,
    const struct key *keys, size_t n)
{
	struct jscan_key *want = eng_xcalloc(n, sizeof *want);
	struct jscan_value *got = eng_xcalloc(n, sizeof *got), one, line;

	for (size_t i = 0; i < n; i++) {
		want[i].name = keys[i].s;
		want[i].len = keys[i].n;
	}
	if (jscan_line_find(line_start, (size_t)(line_end - line_start), &line,
	    want, n, got) != JSCAN_OBJECT || line.s != top->s ||
	    line.n != top->n) {
		strbuf_printf(out, "  $ LINE FIND FAILED\n");
		failures++;
	}
	for (size_t i = 0; i < n; i++)
		if (!jscan_get(top, keys[i].s, keys[i].n, &one) ||
		    got[i].s != one.s || got[i].n != one.n ||
		    got[i].kind != one.kind) {
			strbuf_printf(out, "  $ LINE FIND MISMATCH\n");
			failures++;
		}
	free(want);
	free(got);
}

static void
dump_object(struct strbuf *out, const struct jscan_value *root,
    const struct jscan_value *v, struct strbuf *path, struct dotted *dp)
{
	size_t n, plen = path->len, dlen = dp->s.len;
	struct key *keys = object_keys(v, &n);
	struct jscan_value m;
	struct dotted child;

	strbuf_printf(out, "  %s object %zu\n", path->s, n);
	if (v == root)
		check_line_find(out, v, keys, n);
	strbuf_init(&child.s);
	for (size_t i = 0; i < n; i++) {
		if (!jscan_get(v, keys[i].s, keys[i].n, &m)) {
			strbuf_printf(out, "  %s LOOKUP FAILED\n", path->s);
			failures++;
			continue;
		}
		strbuf_add(path, "[", 1);
		put_escaped(path, keys[i].s, keys[i].n);
		strbuf_add(path, "]", 1);
		strbuf_reset(&child.s);
		child.parts = -1;
		if (dp->parts >= 0 && memchr(keys[i].s, '.', keys[i].n) == NULL) {
			strbuf_add(&child.s, dp->s.s, dlen);
			if (dp->parts > 0)
				strbuf_add(&child.s, ".", 1);
			strbuf_add(&child.s, keys[i].s, keys[i].n);
			child.parts = dp->parts + 1;
			check_path(out, root, &m, path->s, &child);
		}
		dump(out, root, &m, path, &child);
		path->len = plen;
		path->s[plen] = '\0';
		free(keys[i].s);
	}
	strbuf_free(&child.s);
	free(keys);
}

static void
dump_array(struct strbuf *out, const struct jscan_value *root,
    const struct jscan_value *v, struct strbuf *path)
{
	struct jscan_iter it;
	struct jscan_value e;
	struct dotted none = { .parts = -1 };
	size_t n = 0, plen = path->len;

	jscan_iter_init(&it, v);
	while (jscan_next(&it, NULL, &e))
		n++;
	strbuf_printf(out, "  %s array %zu\n", path->s, n);
	strbuf_init(&none.s);
	jscan_iter_init(&it, v);
	for (size_t i = 0; jscan_next(&it, NULL, &e); i++) {
		strbuf_printf(path, "#%zu", i);
		dump(out, root, &e, path, &none);
		path->len = plen;
		path->s[plen] = '\0';
	}
	strbuf_free(&none.s);
}

static void
dump(struct strbuf *out, const struct jscan_value *root,
    const struct jscan_value *v, struct strbuf *path, struct dotted *dp)
{
	struct strbuf text;
	double d;
	int64_t i;

	switch (v->kind) {
	case JSCAN_OBJECT:
		dump_object(out, root, v, path, dp);
		return;
	case JSCAN_ARRAY:
		dump_array(out, root, v, path);
		return;
	case JSCAN_STRING:
		strbuf_init(&text);
		jscan_string(&text, v);
		strbuf_printf(out, "  %s string \"", path->s);
		put_escaped(out, text.s, text.len);
		strbuf_add(out, "\"\n", 2);
		strbuf_free(&text);
		return;
	case JSCAN_NUMBER:
		strbuf_printf(out, "  %s number ", path->s);
		if (jscan_number(v, &d) == JSCAN_NUM_RANGE)
			strbuf_printf(out, "range %g", d);
		else
			strbuf_printf(out, "%.17g", d);
		if (jscan_int64(v, &i))
			strbuf_printf(out, " int=%" PRId64, i);
		strbuf_add(out, "\n", 1);
		return;
	default:
		strbuf_printf(out, "  %s %s\n", path->s, kind_names[v->kind]);
		return;
	}
}

static void
document(const char *label, const char *s, size_t n, bool wrap)
{
	struct strbuf out, path;
	struct dotted top = { .parts = -1 };
	struct jscan_value v;
	enum jscan_kind k;
	char *line;
	size_t len = n;

	/* in a buffer of its own exact size, so reading past it is caught */
	if (wrap)
		len = sizeof ENTRY_HEAD - 1 + n + 1;
	line = eng_xmalloc(len);
	if (wrap) {
		memcpy(line, ENTRY_HEAD, sizeof ENTRY_HEAD - 1);
		memcpy(line + sizeof ENTRY_HEAD - 1, s, n);
		line[len - 1] = '}';
	} else
		memcpy(line, s, n);
	strbuf_init(&out);
	line_start = line;
	line_end = line + len;
	k = jscan_line(line, len, &v);
	strbuf_printf(&out, "%s %s\n", label, kind_names[k]);
	if (k != JSCAN_NONE) {
		strbuf_init(&path);
		strbuf_init(&top.s);
		strbuf_puts(&path, "$");
		top.parts = k == JSCAN_OBJECT ? 0 : -1;
		dump(&out, &v, &v, &path, &top);
		strbuf_free(&path);
		strbuf_free(&top.s);
	}
	fwrite(out.s, 1, out.len, stdout);
	strbuf_free(&out);
	free(line);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	do {
		eng_grow(&buf, &cap, n + 65536, 1);
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	bool whole = false, wrap = false;
	int i = 1;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--whole") == 0)
			whole = true;
		else if (strcmp(argv[i], "--wrap") == 0)
			wrap = true;
		else {
			fprintf(stderr, "usage: jscan-dump [--whole] [--wrap] FILE...\n");
			return 2;
		}
	}
	for (; i < argc; i++) {
		size_t n, line = 1;
		char *buf = slurp(argv[i], &n), label[4096];
		const char *p = buf, *end = buf + n, *nl;

		if (whole) {
			document(argv[i], buf, n, wrap);
			free(buf);
			continue;
		}
		for (; p < end; p = nl + 1, line++) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			snprintf(label, sizeof label, "%s:%zu", argv[i], line);
			document(label, p, (size_t)(nl - p), wrap);
		}
		free(buf);
	}
	if (fflush(stdout) != 0)
		return 2;
	return failures != 0;
}
