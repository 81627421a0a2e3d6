/*
 * regex.c - PCRE2 patterns for filtering and search: JIT-compiled, smart
 * case, and bounded (match, depth and heap limits, a capped JIT stack) so a
 * pathological pattern fails fast on a long line instead of hanging.
 * Keywords are compiled too, as caseless literals: the JIT's literal search
 * beats folding every line by hand.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

#define MATCH_LIMIT	1000000
#define DEPTH_LIMIT	10000
#define HEAP_LIMIT_KIB	(64 * 1024)

struct rx_ctx {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *stack;
};

struct eng_regex {
	pcre2_code *code;
	pcre2_code *block;	/* for searching many lines at once, or NULL */
	struct rx_ctx ctx;	/* for the caller's thread */
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

/* PCRE2 allocates these itself: NULL is out of memory, except for a JIT
 * stack where PCRE2 was built without JIT (matching works without). */
static void
ctx_init(struct rx_ctx *c, const pcre2_code *code)
{
	memset(c, 0, sizeof *c);
	c->md = pcre2_match_data_create_from_pattern(code, NULL);
	c->mctx = pcre2_match_context_create(NULL);
	if (c->md == NULL || c->mctx == NULL)
		eng_oom();
	c->stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	pcre2_set_match_limit(c->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(c->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(c->mctx, HEAP_LIMIT_KIB);
	if (c->stack != NULL)
		pcre2_jit_stack_assign(c->mctx, NULL, c->stack);
}

static void
ctx_free(struct rx_ctx *c)
{
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mctx);
	pcre2_jit_stack_free(c->stack);
}

/* Whether a match in a block of lines is found exactly where a match in
 * the line alone would be: no assertion that could look past the line
 * (lookaround, \A \z \Z \G \K, verbs, conditions), no possessive or
 * atomic part that could swallow a newline and not give it back. */
static bool
block_safe(const char *p)
{
	static const char *const unsafe[] = { "(?", "(*", "\\A", "\\z",
	    "\\Z", "\\G", "\\K", "*+", "++", "?+", "}+", NULL };

	for (size_t i = 0; unsafe[i] != NULL; i++)
		if (strstr(p, unsafe[i]) != NULL)
			return false;
	return true;
}

static pcre2_code *
compile_block(const char *pattern, uint32_t opts)
{
	PCRE2_SIZE erroff;
	pcre2_code *code;
	int errcode;

	/* a literal has no ^ or $ (and PCRE2_LITERAL refuses
	 * PCRE2_MULTILINE) */
	if (!(opts & PCRE2_LITERAL)) {
		if (!block_safe(pattern))
			return NULL;
		opts |= PCRE2_MULTILINE;
	}
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    opts, &errcode, &erroff, NULL);
	if (code != NULL)
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	return code;
}

static struct eng_regex *
compile(const char *pattern, uint32_t opts, char *err, size_t errlen)
{
	struct eng_regex *re;
	PCRE2_SIZE erroff;
	int errcode;
	PCRE2_UCHAR msg[200];

	re = eng_xcalloc(1, sizeof *re);
	re->caseless = (opts & PCRE2_CASELESS) != 0;
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
	re->block = compile_block(pattern, opts);
	ctx_init(&re->ctx, re->code);
	return re;
}

struct eng_regex *
eng_regex_new(const char *pattern, char *err, size_t errlen)
{
	return compile(pattern, (has_upper(pattern) ? 0 : PCRE2_CASELESS) |
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, err, errlen);
}

struct eng_regex *
regex_keyword(const char *text)
{
	struct eng_regex *re;
	char err[256];

	re = compile(text, PCRE2_LITERAL | PCRE2_CASELESS | PCRE2_UTF |
	    PCRE2_MATCH_INVALID_UTF, err, sizeof err);
	/* a keyword that is not UTF-8 is still a byte string to look for */
	if (re == NULL)
		re = compile(text, PCRE2_LITERAL | PCRE2_CASELESS, err,
		    sizeof err);
	return re;
}

void
eng_regex_free(struct eng_regex *re)
{
	if (re == NULL)
		return;
	ctx_free(&re->ctx);
	pcre2_code_free(re->code);
	pcre2_code_free(re->block);
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

struct rx_ctx *
rx_ctx_new(const struct eng_regex *re)
{
	struct rx_ctx *c = eng_xmalloc(sizeof *c);

	ctx_init(c, re->code);
	return c;
}

void
rx_ctx_free(struct rx_ctx *c)
{
	if (c == NULL)
		return;
	ctx_free(c);
	free(c);
}

int
rx_match(const struct eng_regex *re, struct rx_ctx *c, const char *s,
    size_t n, size_t offset, size_t *start, size_t *end, char *err,
    size_t errlen)
{
	PCRE2_UCHAR msg[200];
	PCRE2_SIZE *ov;
	int rc;

	if (offset > n)
		return 0;
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, offset, 0, c->md,
	    c->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		if (err != NULL) {
			pcre2_get_error_message(rc, msg, sizeof msg);
			snprintf(err, errlen, "regex gave up on a line of "
			    "%zu bytes: %s", n, (char *)msg);
		}
		return -1;
	}
	ov = pcre2_get_ovector_pointer(c->md);
	if (start != NULL)
		*start = ov[0];
	if (end != NULL)
		*end = ov[1];
	return 1;
}

bool
rx_has_block(const struct eng_regex *re)
{
	return re->block != NULL;
}

int
rx_find(const struct eng_regex *re, struct rx_ctx *c, const char *s,
    size_t n, size_t offset, size_t *start)
{
	int rc;

	if (offset > n)
		return 0;
	rc = pcre2_match(re->block, (PCRE2_SPTR)s, n, offset, 0, c->md,
	    c->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return -1;
	*start = pcre2_get_ovector_pointer(c->md)[0];
	return 1;
}

int
eng_regex_match(struct eng_regex *re, const char *s, size_t n,
    size_t offset, size_t *start, size_t *end)
{
	return rx_match(re, &re->ctx, s, n, offset, start, end, re->err,
	    sizeof re->err);
}
