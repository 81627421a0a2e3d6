/*
 * prefilter.c - print mode asks for the lines holding a keyword or matching
 * a regex, usually a few among millions: search whole read blocks for them,
 * as grep does, and let the index see only the lines found there.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

/* A block search looks this far ahead at most (then to the end of the
 * line): a pattern such as [^x]+ runs across lines to the next x. */
#define PF_WINDOW	(64u << 10)
/* After a block search that stopped in the line it started on, matches
 * are dense: check lines one by one for a while before searching again,
 * twice as long each time it happens again in a row (a block search for
 * [^x]+ where x is rare runs far past every line). */
#define PF_DENSE	32
#define PF_DENSE_MAX	(1u << 16)

struct prefilter {
	char *keyword;
	struct eng_regex *kw;		/* the keyword as a caseless literal */
	struct eng_regex *re;		/* borrowed */
};

void
prefilter_free(struct prefilter *pf)
{
	if (pf == NULL)
		return;
	free(pf->keyword);
	eng_regex_free(pf->kw);
	free(pf);
}

void
eng_set_prefilter(struct eng *e, const char *keyword, struct eng_regex *re)
{
	struct prefilter *pf;

	if (e->loader != NULL)
		return;		/* its tasks hold the one there is */
	prefilter_free(e->prefilter);
	e->prefilter = NULL;
	if (keyword != NULL && *keyword == '\0')
		keyword = NULL;
	if (keyword == NULL && re == NULL)
		return;
	pf = eng_xcalloc(1, sizeof *pf);
	pf->re = re;
	if (keyword != NULL) {
		pf->keyword = eng_xstrdup(keyword);
		if ((pf->kw = regex_keyword(keyword)) == NULL) {
			/* too long to search for: no view can have it */
			prefilter_free(pf);
			return;
		}
	}
	e->prefilter = pf;
}

void
pf_scan_init(struct pf_scan *s, const struct prefilter *pf)
{
	memset(s, 0, sizeof *s);
	s->pf = pf;
	s->dense_run = PF_DENSE;
	if (pf->kw != NULL)
		s->kw = rx_ctx_new(pf->kw);
	if (pf->re != NULL)
		s->re = rx_ctx_new(pf->re);
	/* the keyword is a literal: always searchable by block, and
	 * the faster search of the two */
	if (pf->kw != NULL && rx_has_block(pf->kw)) {
		s->lead = pf->kw;
		s->lead_ctx = s->kw;
	} else if (pf->kw == NULL && rx_has_block(pf->re)) {
		s->lead = pf->re;
		s->lead_ctx = s->re;
	}
}

void
pf_scan_free(struct pf_scan *s)
{
	rx_ctx_free(s->kw);
	rx_ctx_free(s->re);
	s->kw = s->re = NULL;
}

/* Whether a view with the same keyword and regex could show the line or
 * would count it: the keyword found (as the view looks for it first) and
 * the regex found or given up on. */
static bool
pf_line(struct pf_scan *s, const char *l, size_t n)
{
	if (s->kw != NULL && rx_match(s->pf->kw, s->kw, l, n, 0, NULL, NULL,
	    NULL, 0) != 1)
		return false;
	if (s->re != NULL && rx_match(s->pf->re, s->re, l, n, 0, NULL, NULL,
	    NULL, 0) == 0)
		return false;
	return true;
}

const char *
pf_next(struct pf_scan *s, const char *buf, const char *from,
    const char *stop, const char **eol)
{
	while (from <= stop) {
		const char *ls, *le, *wend, *nl;
		size_t at;
		int rc;

		if (s->lead == NULL || s->dense > 0) {
			ls = from;
			le = memchr(from, '\n', (size_t)(stop - from) + 1);
			if (s->dense > 0)
				s->dense--;
		} else {
			wend = stop;
			if ((size_t)(stop - from) > PF_WINDOW)
				wend = memchr(from + PF_WINDOW, '\n',
				    (size_t)(stop - from) - PF_WINDOW + 1);
			rc = rx_find(s->lead, s->lead_ctx, buf,
			    (size_t)(wend - buf), (size_t)(from - buf), &at);
			if (rc < 0) {
				s->lead = NULL;	/* limits: line by line */
				continue;
			}
			if (rc == 0) {
				from = wend + 1;
				continue;
			}
			/* a match starting on a newline is its line's: it may
			 * run on into the next, the line check decides */
			nl = memrchr(from, '\n', (size_t)(buf + at - from));
			ls = nl != NULL ? nl + 1 : from;
			le = memchr(buf + at, '\n',
			    (size_t)(stop - (buf + at)) + 1);
			if (ls != from)
				s->dense_run = PF_DENSE;
			else {
				s->dense = s->dense_run;
				if (s->dense_run < PF_DENSE_MAX)
					s->dense_run *= 2;
			}
		}
		if (pf_line(s, ls, (size_t)(le - ls))) {
			*eol = le;
			return ls;
		}
		from = le + 1;
	}
	return NULL;
}
