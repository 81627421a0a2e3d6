/*
 * dirs.c - the log directories the command line names: -d DIR (a glob
 * pattern is expanded to the directories it matches), --hosts DIR (each
 * subdirectory holding log files is a host), and --host LIST's names,
 * checked against the hosts there are.  A directory or file named twice
 * (-d a -d a, or --hosts spool -d spool/alpha) is read once.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
keep(struct dir_list *l, char *dir)
{
	eng_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = dir;
}

int
dirs_add(struct dir_list *l, const char *arg)
{
	glob_t g;
	size_t before = l->n;
	int rc;

	if (*arg == '\0') {
		usage_error("empty directory name for --dir");
		return -1;
	}
	if (strpbrk(arg, "*?[") == NULL) {
		keep(l, eng_xstrdup(arg));	/* as given: eng_open says why not */
		return 0;
	}
	rc = glob(arg, GLOB_MARK, NULL, &g);
	if (rc == GLOB_NOSPACE)
		eng_oom();
	for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
		if (is_dir(g.gl_pathv[i]))
			keep(l, eng_xstrdup(g.gl_pathv[i]));
	if (rc == 0)
		globfree(&g);
	if (l->n == before) {
		usage_error("--dir '%s': no directory matches the pattern", arg);
		return -1;
	}
	return 0;
}

void
dirs_add_source(struct dir_list *l, const char *arg)
{
	keep(l, eng_xstrdup(arg));	/* as given: eng_open says why not */
}

/* Whether a directory holds a log file of any category (a backup, or a
 * compressed one, counts). */
static bool
holds_logs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char *name = eng_xstrdup(de->d_name);

		if (n > 3 && strcmp(name + n - 3, ".gz") == 0)
			name[n - 3] = '\0';
		found = llmlog_category_from_file(name) >= 0;
		free(name);
	}
	closedir(d);
	return found;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
dirs_add_hosts(struct dir_list *l, const char *arg)
{
	DIR *d = opendir(arg);
	struct dirent *de;
	size_t before = l->n;
	struct strbuf path;

	if (d == NULL) {
		usage_error("--hosts '%s': %s", arg, strerror(errno));
		return -1;
	}
	strbuf_init(&path);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ., .. and hidden ones are no hosts */
		strbuf_reset(&path);
		strbuf_printf(&path, "%s%s%s", arg,
		    arg[strlen(arg) - 1] == '/' ? "" : "/", de->d_name);
		if (is_dir(path.s) && holds_logs(path.s))
			keep(l, eng_xstrdup(path.s));
	}
	closedir(d);
	strbuf_free(&path);
	if (l->n == before) {
		usage_error("--hosts '%s': no subdirectory holds log files", arg);
		return -1;
	}
	qsort(l->v + before, l->n - before, sizeof *l->v, name_cmp);
	return 0;
}

void
dirs_dedup(struct dir_list *l)
{
	struct stat *st = eng_xcalloc(l->n + 1, sizeof *st);
	bool *known = eng_xcalloc(l->n + 1, sizeof *known);
	size_t kept = 0;

	for (size_t i = 0; i < l->n; i++) {
		bool again = false;

		/* "-" is standard input; one not there is eng_open's to say */
		known[kept] = strcmp(l->v[i], "-") != 0 &&
		    stat(l->v[i], &st[kept]) == 0;
		for (size_t j = 0; known[kept] && !again && j < kept; j++)
			again = known[j] && st[j].st_dev == st[kept].st_dev &&
			    st[j].st_ino == st[kept].st_ino;
		if (again) {
			free(l->v[i]);
			continue;
		}
		l->v[kept++] = l->v[i];
	}
	l->n = kept;
	free(st);
	free(known);
}

void
dirs_free(struct dir_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* The hosts there are, as --host takes them, for an error message; a
 * hint at the escape when a name holds a comma. */
static void
hosts_known(struct eng *e, struct strbuf *known)
{
	struct strbuf list;
	bool comma = false;

	strbuf_init(&list);
	for (unsigned i = 0; i < eng_source_count(e); i++) {
		const char *h = eng_host_name(e, i);

		strbuf_reset(&list);
		eng_host_list_add(&list, h);
		strbuf_puts(known, i > 0 ? ", " : "");
		eng_sanitize(known, list.s, list.len);
		comma = comma || strchr(h, ',') != NULL;
	}
	if (comma)
		strbuf_puts(known, "; \\, is a comma in a name");
	strbuf_free(&list);
}

static bool
host_exists(struct eng *e, const char *name)
{
	for (unsigned i = 0; i < eng_source_count(e); i++)
		if (strcmp(eng_host_name(e, i), name) == 0)
			return true;
	return false;
}

bool
dirs_host_filter(struct eng *e, struct options *o)
{
	struct strbuf names, known, shown;
	struct eng_where *w = NULL;
	size_t n = 0, cap = o->nwhere, col;
	char *expr, err[768];
	bool ok = true;

	strbuf_init(&names);
	strbuf_init(&known);
	strbuf_init(&shown);
	hosts_known(e, &known);
	for (size_t k = 0; k < o->nhost_lists; k++) {
		size_t from = names.len, got;

		got = eng_host_split(e, o->host_lists[k], &names);
		if (got == 0) {
			strbuf_reset(&shown);
			eng_sanitize(&shown, o->host_lists[k],
			    strlen(o->host_lists[k]));
			usage_error("--host: no host named in '%s' (e.g. --host "
			    "alpha,beta, or --host 'a\\,b' for a name with a "
			    "comma)", shown.s);
			ok = false;
		}
		n += got;
		for (const char *p = names.s + from; got-- > 0;
		    p += strlen(p) + 1) {
			if (host_exists(e, p))
				continue;
			strbuf_reset(&shown);
			eng_sanitize(&shown, p, strlen(p));
			fprintf(stderr, "llmlog: --host '%s': no such host "
			    "(hosts: %s)\n", shown.s, known.s);
			ok = false;
		}
	}
	if (ok && (expr = eng_host_where(names.s, n)) != NULL) {
		/* names it quotes: the grammar reads them */
		if ((w = eng_where_new(expr, eng_now_us(), o->utc, err,
		    sizeof err, &col)) == NULL) {
			usage_error("--host: %s", err);
			ok = false;
		} else {
			eng_grow(&o->where, &cap, o->nwhere + 1,
			    sizeof *o->where);
			o->where[o->nwhere++] = w;
			o->filter.where = o->where;
			o->filter.nwhere = o->nwhere;
		}
		free(expr);
	}
	strbuf_free(&names);
	strbuf_free(&known);
	strbuf_free(&shown);
	return ok;
}
