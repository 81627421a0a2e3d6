/*
 * regex.c - PCRE2 patterns for filtering and search: JIT-compiled, smart
 * case, and bounded (match, depth and heap limits, a capped JIT stack) so a
 * pathological pattern fails fast on a long line instead of hanging.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define MATCH_LIMIT	1000000
#define DEPTH_LIMIT	10000
#define HEAP_LIMIT_KIB	(64 * 1024)

struct eng_regex {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *stack;
	bool caseless;
	char err[256];
};

/* Smart case: an upper-case letter makes the pattern case-sensitive,
 * except in escapes such as \S, \W, \D, \p{Lu}. */
static bool
has_upper(const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0')
				break;
			if ((p[1] == 'p' || p[1] == 'P') && p[2] == '{') {
				const char *close = strchr(p + 2, '}');
				if (close != NULL) {
					p = close;
					continue;
				}
			}
			p++;
			continue;
		}
		if (*p >= 'A' && *p <= 'Z')
			return true;
	}
	return false;
}

struct eng_regex *
eng_regex_new(const char *pattern, char *err, size_t errlen)
{
	struct eng_regex *re;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	PCRE2_SIZE erroff;
	int errcode;
	PCRE2_UCHAR msg[200];

	if ((re = calloc(1, sizeof *re)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	re->caseless = !has_upper(pattern);
	if (re->caseless)
		opts |= PCRE2_CASELESS;
	re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    opts, &errcode, &erroff, NULL);
	if (re->code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof msg);
		snprintf(err, errlen, "regex \"%s\": %s at offset %zu",
		    pattern, (char *)msg, (size_t)erroff);
		free(re);
		return NULL;
	}
	/* without JIT (not built in, no executable memory) the interpreter
	 * still works, under the same limits */
	pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
	re->mctx = pcre2_match_context_create(NULL);
	re->stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (re->md == NULL || re->mctx == NULL) {
		snprintf(err, errlen, "out of memory");
		eng_regex_free(re);
		return NULL;
	}
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mctx, HEAP_LIMIT_KIB);
	if (re->stack != NULL)
		pcre2_jit_stack_assign(re->mctx, NULL, re->stack);
	return re;
}

void
eng_regex_free(struct eng_regex *re)
{
	if (re == NULL)
		return;
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mctx);
	pcre2_jit_stack_free(re->stack);
	pcre2_code_free(re->code);
	free(re);
}

bool
eng_regex_caseless(const struct eng_regex *re)
{
	return re->caseless;
}

const char *
eng_regex_error(const struct eng_regex *re)
{
	return re->err;
}

int
eng_regex_match(struct eng_regex *re, const char *s, size_t n,
    size_t offset, size_t *start, size_t *end)
{
	PCRE2_UCHAR msg[200];
	PCRE2_SIZE *ov;
	int rc;

	if (offset > n)
		return 0;
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, offset, 0, re->md,
	    re->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		pcre2_get_error_message(rc, msg, sizeof msg);
		snprintf(re->err, sizeof re->err,
		    "regex gave up on a line of %zu bytes: %s", n,
		    (char *)msg);
		return -1;
	}
	ov = pcre2_get_ovector_pointer(re->md);
	if (start != NULL)
		*start = ov[0];
	if (end != NULL)
		*end = ov[1];
	return 1;
}
