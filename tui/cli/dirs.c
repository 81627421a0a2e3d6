/*
 * dirs.c - the log directories the command line names: -d DIR (a glob
 * pattern is expanded to the directories it matches), --hosts DIR (each
 * subdirectory holding log files is a host), and the check of --host
 * LIST's names against the hosts there are.
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
dirs_free(struct dir_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

bool
dirs_check_hosts(struct eng *e, const char *list)
{
	const char *p = list, *end;
	struct strbuf known, shown;
	bool ok = true;

	strbuf_init(&known);
	strbuf_init(&shown);
	for (unsigned i = 0; i < eng_source_count(e); i++) {
		const char *h = eng_host_name(e, i);

		strbuf_puts(&known, i > 0 ? ", " : "");
		eng_sanitize(&known, h, strlen(h));
	}
	for (; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		bool found = false;

		end = p + strcspn(p, ",");
		for (unsigned i = 0; !found && i < eng_source_count(e); i++) {
			const char *h = eng_host_name(e, i);

			found = strlen(h) == (size_t)(end - p) &&
			    memcmp(h, p, (size_t)(end - p)) == 0;
		}
		if (found || end == p)
			continue;
		strbuf_reset(&shown);
		eng_sanitize(&shown, p, (size_t)(end - p));
		fprintf(stderr, "llmlog: --host '%s': no such host (hosts: %s)\n",
		    shown.s, known.s);
		ok = false;
	}
	strbuf_free(&known);
	strbuf_free(&shown);
	return ok;
}
