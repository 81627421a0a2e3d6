/*
 * prefilter.c - print mode asks for the lines holding a keyword or matching
 * a regex, usually a few among millions: search whole read blocks for them,
 * as grep does, and let the index see only the lines found there.
 *
 * It must stay exact: a line it skips is one no view with the same needles
 * would show.  Matching raw lines, a line the needle misses is ruled out.
 * Matching decoded text (eng_decoded), the summary writes words of its own
 * (FAILED, DENIED, 1,413) and escapes are undone (\u0072m is rm), so a raw
 * miss rules a line out only for a needle that rx_raw_implied accepts, and
 * only on a line decoded_plain calls plain (regex.c, raw_implied, has the
 * argument); a line that is not plain is indexed whatever its bytes.  A
 * needle it does not accept rules out nothing: with no needle left, every
 * line is indexed and the views do all the matching.
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
	/* what raw lines are searched for: the keyword and the regex, or
	 * matching decoded text, their needles (rx_needle) */
	const struct eng_regex *kw_find, *re_find;
	bool raw;			/* raw lines are matched */
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
eng_set_prefilter(struct eng *e, const char *keyword, struct eng_regex *re,
    bool raw)
{
	struct prefilter *pf;

	if (e->loader != NULL)
		return;		/* its tasks hold the one there is */
	prefilter_free(e->prefilter);
	e->prefilter = NULL;
	if (keyword != NULL && *keyword == '\0')
		keyword = NULL;
	if (re != NULL && !raw && !rx_raw_implied(re))
		re = NULL;	/* it rules out no line */
	if (keyword == NULL && re == NULL)
		return;
	pf = eng_xcalloc(1, sizeof *pf);
	pf->re = re;
	pf->raw = raw;
	if (keyword != NULL) {
		pf->keyword = eng_xstrdup(keyword);
		if ((pf->kw = regex_keyword(keyword)) == NULL) {
			/* too long to search for: no view can have it */
			prefilter_free(pf);
			return;
		}
		if (!raw && !rx_raw_implied(pf->kw)) {
			eng_regex_free(pf->kw);
			pf->kw = NULL;
			if (re == NULL) {
				prefilter_free(pf);
				return;
			}
		}
	}
	pf->kw_find = pf->kw == NULL || raw ? pf->kw : rx_needle(pf->kw);
	pf->re_find = pf->re == NULL || raw ? pf->re : rx_needle(pf->re);
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
	if (pf->kw != NULL && rx_has_block(pf->kw_find)) {
		s->lead = pf->kw_find;
		s->lead_ctx = s->kw;
	} else if (pf->kw == NULL && rx_has_block(pf->re_find)) {
		s->lead = pf->re_find;
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

void
pf_block(struct pf_scan *s)
{
	s->hit_buf = NULL;
}

/* Whether a view with the same keyword and regex could show the line or
 * would count it: the keyword found (as the view looks for it first) and
 * the regex found or given up on; matching decoded text, also any line
 * that is not plain. */
static bool
pf_line(struct pf_scan *s, const char *l, size_t n)
{
	int rc;

	if (s->kw != NULL) {
		rc = rx_match(s->pf->kw_find, s->kw, l, n, 0, NULL, NULL, NULL,
		    0);
		if (s->pf->raw ? rc != 1 : (rc == 0 &&
		    decoded_plain(s->pf->kw, l, n)))
			return false;
	}
	if (s->re != NULL) {
		rc = rx_match(s->pf->re_find, s->re, l, n, 0, NULL, NULL, NULL,
		    0);
		if (rc == 0 && (s->pf->raw || decoded_plain(s->pf->re, l, n)))
			return false;
	}
	return true;
}

/* Where the lead next matches from `from` on, searching up to wend: 1 and
 * *at, 0 none, -1 limits.  A search that found its match past `from` found
 * it for every later start up to the match (no line before the match's
 * holds one), so it is asked again only past that, or, when it found
 * none, for a window reaching further. */
static int
lead_find(struct pf_scan *s, const char *buf, const char *from,
    const char *wend, const char *stop, size_t *at)
{
	int rc;

	if (s->hit_buf == buf && s->hit_stop == stop && from >= s->hit_from &&
	    (s->hit_rc == 1 ? from <= buf + s->hit_at : wend <= s->hit_wend)) {
		*at = s->hit_at;
		return s->hit_rc;
	}
	rc = rx_find(s->lead, s->lead_ctx, buf, (size_t)(wend - buf),
	    (size_t)(from - buf), at);
	s->hit_buf = rc >= 0 ? buf : NULL;
	s->hit_stop = stop;
	s->hit_from = from;
	s->hit_wend = wend;
	s->hit_rc = rc;
	s->hit_at = rc == 1 ? *at : 0;
	return rc;
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
			rc = lead_find(s, buf, from, wend, stop, &at);
			if (rc < 0) {
				s->lead = NULL;	/* limits: line by line */
				continue;
			}
			if (rc == 0 && (s->pf->raw || (at = (size_t)(from - buf) +
			    decoded_plain_len(from, (size_t)(wend - from),
			    rx_plain_escapes(s->lead))) ==
			    (size_t)(wend - buf))) {
				from = wend + 1;
				continue;
			}
			/* the lines before the match are ruled out, if plain:
			 * the first that is not comes first */
			if (rc == 1 && !s->pf->raw)
				at = (size_t)(from - buf) +
				    decoded_plain_len(from, at - (size_t)(from -
				    buf), rx_plain_escapes(s->lead));
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
