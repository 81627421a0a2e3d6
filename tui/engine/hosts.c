/*
 * hosts.c - the name each log directory goes by: its host.  Directories
 * are told apart by the shortest end of their paths that no other has,
 * after the ends they all share: alpha/.llm_os/logs and
 * beta/.llm_os/logs are "alpha" and "beta", spool/alpha and spool/beta
 * (llmlog --hosts spool) the same; "." or "../beta" by the directory it
 * is.  A name is not only the .llm_os/logs of the default layout:
 * beside spool/alpha (--hosts spool), alpha/.llm_os/logs is
 * "alpha/.llm_os/logs", not "logs".  One directory is named by its last
 * part.  The list, print mode, --by host, --where host and SQL's host
 * column all name a directory through here, and --host and the UI's host
 * filter choose hosts through eng_host_split and eng_host_where.  A name
 * may hold a comma (a directory a,b under --hosts): a list that is a
 * host's whole name is that host, and \, in a list is a comma.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

/* A path's parts, right to left: part k of n (0 the last) as [s, s+len). */
struct parts {
	const char *path;
	size_t n;
	const char **s;
	size_t *len;
};

static void
parts_split(struct parts *p, const char *path)
{
	size_t cap = 8, end = strlen(path), start;

	p->path = path;
	p->n = 0;
	p->s = eng_xcalloc(cap, sizeof *p->s);
	p->len = eng_xcalloc(cap, sizeof *p->len);
	for (;;) {
		while (end > 0 && path[end - 1] == '/')
			end--;
		if (end == 0)
			break;
		start = end;
		while (start > 0 && path[start - 1] != '/')
			start--;
		/* "." says nothing: ./logs is logs */
		if (!(end - start == 1 && path[start] == '.')) {
			if (p->n == cap) {
				cap *= 2;
				p->s = eng_xrealloc(p->s, cap * sizeof *p->s);
				p->len = eng_xrealloc(p->len,
				    cap * sizeof *p->len);
			}
			p->s[p->n] = path + start;
			p->len[p->n++] = end - start;
		}
		end = start;
	}
}

static bool
part_equal(const struct parts *a, size_t i, const struct parts *b, size_t j)
{
	return a->len[i] == b->len[j] &&
	    memcmp(a->s[i], b->s[j], a->len[i]) == 0;
}

/* The name of parts [from, from+k) in path order, or the whole path when
 * there are none. */
static char *
join(const struct parts *p, size_t from, size_t k)
{
	struct strbuf b;

	if (p->n <= from)
		return eng_xstrdup(p->path[0] != '\0' ? p->path : ".");
	if (from + k > p->n)
		k = p->n - from;
	strbuf_init(&b);
	for (size_t i = from + k; i-- > from;) {
		strbuf_add(&b, p->s[i], p->len[i]);
		if (i > from)
			strbuf_add(&b, "/", 1);
	}
	return b.s;
}

/* Whether parts [from, from+k) of p are no more than the .llm_os/logs a
 * path of the default layout (LLMLOG_HOME_SUBDIR) ends in, which tells
 * no host from another. */
static bool
parts_generic(const struct parts *p, size_t from, size_t k)
{
	char *tail;
	bool generic;

	if (from + k > 2 || p->n <= 2)
		return false;
	tail = join(p, 0, 2);
	generic = strcmp(tail, LLMLOG_HOME_SUBDIR) == 0;
	free(tail);
	return generic;
}

/* Whether p's parts say nothing of where they lead: none (".", "/"),
 * or one of them "..". */
static bool
parts_relative(const struct parts *p)
{
	if (p->n == 0)
		return true;
	for (size_t i = 0; i < p->n; i++)
		if (p->len[i] == 2 && memcmp(p->s[i], "..", 2) == 0)
			return true;
	return false;
}

void
hosts_name(struct eng *e)
{
	size_t n = e->ndirs, common = 0;
	struct parts *p = eng_xcalloc(n, sizeof *p);
	char **real = eng_xcalloc(n, sizeof *real);

	e->hosts = eng_xcalloc(n, sizeof *e->hosts);
	for (size_t i = 0; i < n; i++) {
		parts_split(&p[i], e->dirs[i]);
		/* "." and "../beta" are named by the directories they are;
		 * any other path as given (a symbolic link keeps its name) */
		if (parts_relative(&p[i]) &&
		    (real[i] = realpath(e->dirs[i], NULL)) != NULL) {
			free(p[i].s);
			free(p[i].len);
			parts_split(&p[i], real[i]);
		}
	}
	/* the ends all share, keeping one part for each */
	for (bool same = n > 1; same; common += same) {
		for (size_t i = 0; same && i < n; i++)
			same = p[i].n > common + 1 &&
			    part_equal(&p[i], common, &p[0], common);
	}
	for (size_t i = 0; i < n; i++) {
		/* grow until no other directory ends the same way, and then
		 * while the name is only .llm_os/logs; the same path given
		 * twice keeps all its parts */
		for (size_t k = 1;; k++) {
			char *name = join(&p[i], common, k);
			bool unique = true;

			for (size_t j = 0; unique && j < n; j++) {
				char *other;

				if (j == i)
					continue;
				other = join(&p[j], common, k);
				unique = strcmp(name, other) != 0;
				free(other);
			}
			if ((unique && (n == 1 ||
			    !parts_generic(&p[i], common, k))) ||
			    common + k >= p[i].n) {
				e->hosts[i] = name;
				break;
			}
			free(name);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(p[i].s);
		free(p[i].len);
		free(real[i]);
	}
	free(p);
	free(real);
}

void
hosts_free(struct eng *e)
{
	for (size_t i = 0; e->hosts != NULL && i < e->ndirs; i++)
		free(e->hosts[i]);
	free(e->hosts);
}

const char *
eng_host_name(const struct eng *e, unsigned source)
{
	return source < e->ndirs ? e->hosts[source] : NULL;
}

/* Whether list is the whole name of one of e's hosts. */
static bool
host_named(const struct eng *e, const char *list)
{
	for (size_t i = 0; e != NULL && i < e->ndirs; i++)
		if (strcmp(e->hosts[i], list) == 0)
			return true;
	return false;
}

size_t
eng_host_split(const struct eng *e, const char *list, struct strbuf *out)
{
	size_t n = 0, len = 0;

	if (host_named(e, list)) {
		strbuf_add(out, list, strlen(list) + 1);
		return 1;
	}
	for (const char *p = list;; p++) {
		if (*p == '\0' || *p == ',') {
			if (len > 0) {
				strbuf_add(out, "", 1);
				n++;
			}
			len = 0;
			if (*p == '\0')
				return n;
			continue;
		}
		/* \, is a comma and \\ a backslash; any other is itself */
		if (*p == '\\' && (p[1] == ',' || p[1] == '\\'))
			p++;
		strbuf_add(out, p, 1);
		len++;
	}
}

void
eng_host_list_add(struct strbuf *list, const char *name)
{
	if (list->len > 0)
		strbuf_add(list, ",", 1);
	for (const char *c = name; *c != '\0'; c++) {
		if (*c == ',' || *c == '\\')
			strbuf_add(list, "\\", 1);
		strbuf_add(list, c, 1);
	}
}

char *
eng_host_where(const char *names, size_t n)
{
	struct strbuf b;
	const char *p = names;

	if (n == 0)
		return NULL;
	strbuf_init(&b);
	strbuf_puts(&b, "host in (");
	for (size_t i = 0; i < n; i++, p += strlen(p) + 1) {
		if (i > 0)
			strbuf_puts(&b, ", ");
		/* a quoted string of the where grammar: JSON escapes */
		strbuf_add(&b, "\"", 1);
		for (const char *c = p; *c != '\0'; c++) {
			if (*c == '"' || *c == '\\')
				strbuf_printf(&b, "\\%c", *c);
			else if ((unsigned char)*c < 0x20)
				strbuf_printf(&b, "\\u%04x", (unsigned char)*c);
			else
				strbuf_add(&b, c, 1);
		}
		strbuf_add(&b, "\"", 1);
	}
	strbuf_add(&b, ")", 1);
	return b.s;
}
