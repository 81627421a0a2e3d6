/*
 * test-redact.c - the redaction corpus (data/redact-corpus/): secrets that
 * must go and look-alikes that must stay, each run through llmlog_redact()
 * and through a real log, so that what reaches the files and the stderr
 * echo is checked too, not only the scanner; that redaction stays linear
 * on hostile text; and the rule table (lib/redact-rules.c) against
 * llmlog(5), which must list all of it.
 *
 * Each file of the corpus is a family of cases, one a line:
 *     an input line
 *     <TAB>the expected output, when the input holds a secret
 * A case without an expected line must come back unchanged.  In both,
 * \n, \r, \t and \\ stand for a newline, a carriage return, a tab and a
 * backslash; lines starting with '#' are comments.  Most families are
 * text; two are read differently:
 *     json    each input is JSON, given as the details of an entry; the
 *             expected output is the details as written
 *     events  each input is a system event name; one that looks like a
 *             secret is written as the name "redacted"
 */
#include "config.h"

#include "llmlog.h"
#include "redact-rules.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "util.h"

#define CORPUS SRCDIR "/data/redact-corpus"

/* At least this many cases of each kind, so that a corpus lost from the
 * tarball is a failure, not a pass. */
#define MIN_GO 150
#define MIN_STAY 100

struct rcase {
	const char *family;
	int line;
	char *in;
	char *want;	/* NULL: unchanged */
};

static struct rcase *cases;
static size_t ncases;
static const char *tmproot;

/* ---- reading the corpus --------------------------------------------------- */

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (fp == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap * 2 + 4096;
			buf = realloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got > 0);
	fclose(fp);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

/* The text of one corpus line, escapes undone. */
static char *
unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && strchr("nrt\\", s[i + 1])) {
			i++;
			*o++ = s[i] == 'n' ? '\n' : s[i] == 'r' ? '\r' :
			    s[i] == 't' ? '\t' : '\\';
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

static void
add_family(const char *family, char *text)
{
	int lineno = 0;
	char *line = text, *nl;

	for (; *line != '\0'; line = nl + 1) {
		size_t len;

		lineno++;
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		len = (size_t)(nl - line);
		if (len == 0 || line[0] == '#') {
			if (*nl == '\0')
				break;
			continue;
		}
		if (line[0] == '\t') {
			struct rcase *c = &cases[ncases - 1];

			CU_ASSERT_FATAL(ncases > 0 && c->want == NULL);
			c->want = unescape(line + 1, len - 1);
			/* a look-alike is written without an expected line */
			CU_ASSERT(strcmp(c->want, c->in) != 0);
		} else {
			cases = realloc(cases, (ncases + 1) * sizeof *cases);
			cases[ncases++] = (struct rcase){ .family = family,
			    .line = lineno, .in = unescape(line, len) };
		}
		if (*nl == '\0')
			break;
	}
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_corpus(void)
{
	DIR *d = opendir(CORPUS);
	struct dirent *de;
	char *names[64];
	size_t nnames = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL && nnames < 64)
		if (de->d_name[0] != '.')
			names[nnames++] = strdup(de->d_name);
	closedir(d);
	qsort(names, nnames, sizeof names[0], by_name);
	for (size_t i = 0; i < nnames; i++) {
		char path[1024], *text;

		snprintf(path, sizeof path, CORPUS "/%s", names[i]);
		text = slurp(path, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		add_family(names[i], text);
		free(text);
	}
}

static const char *
want_of(const struct rcase *c)
{
	return c->want != NULL ? c->want : c->in;
}

static bool
text_family(const struct rcase *c)
{
	return strcmp(c->family, "json") != 0 &&
	    strcmp(c->family, "events") != 0;
}

static void
report(const struct rcase *c, const char *how, const char *got,
    const char *want)
{
	fprintf(stderr, "\n%s:%d (%s)\n  in:   %s\n  got:  %s\n  want: %s\n",
	    c->family, c->line, how, c->in, got != NULL ? got : "(null)",
	    want);
}

/* ---- llmlog_redact() ----------------------------------------------------- */

static void
test_redact_calls(void)
{
	size_t go = 0, stay = 0;

	for (size_t i = 0; i < ncases; i++) {
		const struct rcase *c = &cases[i];
		char *once, *twice;

		if (!text_family(c))
			continue;
		*(c->want != NULL ? &go : &stay) += 1;
		once = llmlog_redact(c->in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(once);
		CU_ASSERT_STRING_EQUAL(once, want_of(c));
		if (strcmp(once, want_of(c)) != 0)
			report(c, "llmlog_redact", once, want_of(c));
		/* what was redacted stays as it is */
		twice = llmlog_redact(once);
		CU_ASSERT_STRING_EQUAL(twice, once);
		if (strcmp(twice, once) != 0)
			report(c, "redacted twice", twice, once);
		free(once);
		free(twice);
	}
	for (size_t i = 0; i < ncases; i++)
		if (!text_family(&cases[i]))
			*(cases[i].want != NULL ? &go : &stay) += 1;
	printf("\n  corpus: %zu cases, %zu must go, %zu must stay\n",
	    ncases, go, stay);
	CU_ASSERT(go >= MIN_GO);
	CU_ASSERT(stay >= MIN_STAY);
}

/* ---- through a real log --------------------------------------------------- */

static char *
category_text(const char *dir, enum llmlog_category cat)
{
	char path[1024], *text;

	snprintf(path, sizeof path, "%s/%s", dir, llmlog_category_file(cat));
	text = slurp(path, NULL);
	return text != NULL ? text : strdup("");	/* no case wrote to it */
}

/* The lines of a category file, parsed, in order. */
static json_object **
category_lines(const char *dir, enum llmlog_category cat, size_t *n)
{
	char *text = category_text(dir, cat), *line, *save = NULL;
	json_object **v = NULL;

	*n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		v = realloc(v, (*n + 1) * sizeof *v);
		v[*n] = json_tokener_parse(line);
		CU_ASSERT_PTR_NOT_NULL(v[*n]);
		(*n)++;
	}
	free(text);
	return v;
}

static void
free_lines(json_object **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_object_put(v[i]);
	free(v);
}

static const char *
field(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static const char *
compact(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* The console form of redacted text, as the echo shows a field: control
 * characters as ^X; NULL when the echo would cut it. */
static char *
echo_form(const char *s)
{
	size_t chars = 0, n = strlen(s);
	char *out = malloc(2 * n + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) != 0x80)
			chars++;
		if (*p < 0x20 || *p == 0x7f) {
			*o++ = '^';
			*o++ = (char)(*p == 0x7f ? '?' : *p + '@');
		} else
			*o++ = (char)*p;
	}
	*o = '\0';
	if (chars > 200) {
		free(out);
		return NULL;
	}
	return out;
}

/* Every case written by the library: text as a string field, as a string
 * in details and (echoed) as a security resource; JSON as details; event
 * names as system events. */
static void
write_cases(const char *dir, const char *echo_path)
{
	struct llmlog *lg;
	int fd, saved;

	fd = open(echo_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	saved = dup(2);
	fflush(stderr);
	dup2(fd, 2);
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	for (size_t i = 0; i < ncases; i++) {
		const struct rcase *c = &cases[i];
		json_object *d;

		if (strcmp(c->family, "json") == 0) {
			d = json_tokener_parse(c->in);
			CU_ASSERT_PTR_NOT_NULL(d);
			llmlog_metric(lg, .operation = "json", .details = d);
		} else if (strcmp(c->family, "events") == 0) {
			llmlog_system(lg, .event = c->in, .component = "corpus",
			    .level = LLMLOG_WARNING);
		} else {
			d = json_object_new_object();
			json_object_object_add(d, "text",
			    json_object_new_string(c->in));
			llmlog_interaction(lg, .user_input = c->in,
			    .details = d);
			llmlog_security(lg, .event_type = "corpus",
			    .action = "read", .resource = c->in);
		}
	}
	llmlog_close(lg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
}

static void
check_text(const struct rcase *c, json_object *user, const char *echo)
{
	json_object *d;
	const char *got = field(user, "user_input");
	char *form;

	CU_ASSERT_STRING_EQUAL(got, want_of(c));
	if (got == NULL || strcmp(got, want_of(c)) != 0)
		report(c, "user_input in user.log", got, want_of(c));
	d = user != NULL && json_object_object_get_ex(user, "details", &d) ?
	    d : NULL;
	got = field(d, "text");
	CU_ASSERT_STRING_EQUAL(got, want_of(c));
	if (got == NULL || strcmp(got, want_of(c)) != 0)
		report(c, "details.text in user.log", got, want_of(c));
	if ((form = echo_form(want_of(c))) != NULL) {
		char *line;

		if (asprintf(&line, "] denied read on %s\n", form) < 0)
			abort();
		CU_ASSERT_PTR_NOT_NULL(strstr(echo, line));
		if (strstr(echo, line) == NULL)
			report(c, "stderr echo", "(no such line)", line);
		free(line);
		free(form);
	}
}

static void
check_json(const struct rcase *c, json_object *metric)
{
	json_object *d = NULL, *w = json_tokener_parse(want_of(c));
	const char *got;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	if (metric != NULL)
		json_object_object_get_ex(metric, "details", &d);
	got = d != NULL ? compact(d) : NULL;
	CU_ASSERT_STRING_EQUAL(got, compact(w));
	if (got == NULL || strcmp(got, compact(w)) != 0)
		report(c, "details in performance.log", got, compact(w));
	json_object_put(w);
}

static void
check_event(const struct rcase *c, json_object *sys, const char *echo)
{
	const char *got = field(sys, "event");
	char *line;

	CU_ASSERT_STRING_EQUAL(got, want_of(c));
	if (got == NULL || strcmp(got, want_of(c)) != 0)
		report(c, "event in system.log", got, want_of(c));
	if (asprintf(&line, "[system] %s [corpus]\n", want_of(c)) < 0)
		abort();
	CU_ASSERT_PTR_NOT_NULL(strstr(echo, line));
	if (strstr(echo, line) == NULL)
		report(c, "stderr echo", "(no such line)", line);
	if (c->want != NULL) {
		CU_ASSERT_PTR_NULL(strstr(echo, c->in));
	}
	free(line);
}

static void
test_through_log(void)
{
	char dir[600], echo_path[600], *echo;
	json_object **user, **metric, **sys;
	size_t nuser, nmetric, nsys, iu = 0, im = 0, is = 0;

	snprintf(dir, sizeof dir, "%s/log", tmproot);
	snprintf(echo_path, sizeof echo_path, "%s/stderr", tmproot);
	write_cases(dir, echo_path);
	echo = slurp(echo_path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(echo);
	user = category_lines(dir, LLMLOG_USER, &nuser);
	metric = category_lines(dir, LLMLOG_PERFORMANCE, &nmetric);
	sys = category_lines(dir, LLMLOG_SYSTEM, &nsys);
	for (size_t i = 0; i < ncases; i++) {
		const struct rcase *c = &cases[i];

		if (strcmp(c->family, "json") == 0)
			check_json(c, im < nmetric ? metric[im++] : NULL);
		else if (strcmp(c->family, "events") == 0)
			check_event(c, is < nsys ? sys[is++] : NULL, echo);
		else
			check_text(c, iu < nuser ? user[iu++] : NULL, echo);
	}
	CU_ASSERT_EQUAL(iu, nuser);
	CU_ASSERT_EQUAL(im, nmetric);
	CU_ASSERT_EQUAL(is, nsys);
	free_lines(user, nuser);
	free_lines(metric, nmetric);
	free_lines(sys, nsys);
	free(echo);
}

/* ---- the table and llmlog(5) ---------------------------------------------- */

/* The REDACTION section of llmlog(5), with groff's \- read as -. */
static char *
man_section(void)
{
	char *man = slurp(SRCDIR "/../man/llmlog.5", NULL), *from, *to, *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(man);
	from = strstr(man, "\n.SH REDACTION");
	CU_ASSERT_PTR_NOT_NULL_FATAL(from);
	if ((to = strstr(from + 1, "\n.SH ")) != NULL)
		*to = '\0';
	memmove(man, from, strlen(from) + 1);
	for (from = o = man; *from != '\0'; from++) {
		if (from[0] == '\\' && from[1] == '-')
			from++;
		*o++ = *from;
	}
	*o = '\0';
	return man;
}

static void
documented(const char *man, const char *what, bool anycase, const char *kind)
{
	const char *at = anycase ? strcasestr(man, what) : strstr(man, what);

	CU_ASSERT_PTR_NOT_NULL(at);
	if (at == NULL)
		fprintf(stderr, "\n%s %s is not in llmlog(5)\n", kind, what);
}

/* Whether byte c is in one of shape r's literals. */
static bool
in_literals(const struct redact_shape *r, char c)
{
	for (size_t k = 0; k < REDACT_MAXSEGS; k++)
		if (r->seg[k].lit != NULL && strchr(r->seg[k].lit, c) != NULL)
			return true;
	return false;
}

/* Every row of the rule table is in the man page, and the table is sound:
 * a shape stops the scan at a byte of its own, and starts with a literal
 * or names its first bytes. */
static void
test_table_documented(void)
{
	char *man = man_section();

	for (size_t i = 0; i < redact_nshapes; i++) {
		const struct redact_shape *r = &redact_shapes[i];

		documented(man, r->doc, false, "shape");
		CU_ASSERT(in_literals(r, r->trigger));
		CU_ASSERT(r->seg[0].lit != NULL || r->first != NULL ||
		    (r->flags & SHAPE_AT_TRIGGER));
		CU_ASSERT(r->keep < REDACT_MAXSEGS);
	}
	for (size_t i = 0; i < redact_nkeys; i++)
		documented(man, redact_keys[i].name, true, "key");
	for (size_t i = 0; i < redact_nflags; i++) {
		if (redact_flags[i].command == NULL)
			continue;	/* "-*": any flag named like a key */
		documented(man, redact_flags[i].flag, false, "flag");
		documented(man, redact_flags[i].command, false, "command");
	}
	for (size_t i = 0; redact_schemes[i] != NULL; i++)
		documented(man, redact_schemes[i], false, "scheme");
	for (size_t i = 0; redact_code_words[i] != NULL; i++)
		documented(man, redact_code_words[i], false, "code word");
	free(man);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "load the corpus", load_corpus },
		{ "corpus through llmlog_redact", test_redact_calls },
		{ "corpus through a log", test_through_log },
		{ "the rule table is documented", test_table_documented },
		{ NULL, NULL },
	};

	tmproot = util_tmpdir("redact");
	return util_run("redaction corpus", tests);
}
