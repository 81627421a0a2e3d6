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
#include <strings.h>

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
	bool raw_implied;	/* see raw_implied */
	bool words;		/* words, safe or not (raw_implied) */
	struct eng_regex *needle;	/* see required_words: this one, its
					   words, or NULL */
	unsigned escapes;	/* see plain_escapes */
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

/*
 * Whether a raw line must match a needle wherever its decoded text
 * (eng_decoded) does, so that a search of raw bytes may rule a line out:
 * the block prefilter and the views rely on it.  It holds for a needle
 * that is one word W (or an alternation of such words) of ASCII letters,
 * digits and underscores - call them word characters, and those that
 * match one caselessly (K, the Kelvin sign, for k) - on a line that
 * decoded_plain calls plain, with W not among the words below.
 *
 * A match of W in the decoded text is a run of word characters inside
 * one of its lines.  Each byte of a line is either copied from the raw
 * line (a key, a string, a number or literal as written) or written by
 * the summary or the detail view.  On a plain line the runs of word
 * characters of every copy are the raw bytes unchanged: no control
 * byte, DEL, C1 or bidi control and no invalid UTF-8, so sanitising
 * changes nothing (lib/visible.c); no escape but \" \\ \/, which undo
 * to bytes that are no word character, and those whose control
 * character is shown in caret form with a letter that W does not hold
 * (plain_escapes): \u0072 is r, so no \u.  Every copied text meets what is
 * written around it at a byte that is no word character (a space,
 * ": ", "- ", quotes, parentheses; summary.c puts a space before each
 * word), so a match lies wholly in one copy - then the raw line holds
 * the same bytes and W matches them - or wholly in written text.  The
 * written word characters are the runs of summary.c: FAILED, ok, ms,
 * tokens, streaming, ALLOWED, DENIED, MB, cpu, and numbers reformatted
 * (eng_format_number): runs of at most 3 digits (thousands separators
 * and a decimal point between them), the last maybe followed by the e of
 * an exponent; "0" for a missing token count; and ms or MB right after a
 * number, which may be one as written (1e400ms).  The detail view writes
 * none.  So W is safe unless it is, caselessly, part of one of those
 * words, or 1 to 3 digits with or without an e after them, or digits and
 * e's followed by the start of "ms" or "mb" - in those cases (DENIED,
 * 12ms, 413) every line is matched as decoded, but for one thing: the
 * detail view writes no word character, so on a plain line that the
 * words miss only the summary can match them (rx_words).
 */
static bool
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static bool
prefix_ci(const char *w, size_t n, const char *of)
{
	return n <= strlen(of) && strncasecmp(w, of, n) == 0;
}

static bool
all_words(const char *w, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!word_char(w[i]))
			return false;
	return true;
}

static bool
word_safe(const char *w, size_t n)
{
	static const char *const written[] = { "failed", "ok", "ms", "tokens",
	    "streaming", "allowed", "denied", "mb", "cpu", "e", NULL };
	size_t digits = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!word_char(w[i]))
			return false;
	for (size_t i = 0; written[i] != NULL; i++) {
		size_t len = strlen(written[i]);

		for (size_t at = 0; n <= len && at + n <= len; at++)
			if (strncasecmp(w, written[i] + at, n) == 0)
				return false;
	}
	/* a number (as written past a double's range: 1e400ms) and its unit */
	for (size_t i = 0; i + 1 < n && strchr("0123456789eE", w[i]) != NULL;
	    i++)
		if (prefix_ci(w + i + 1, n - i - 1, "ms") ||
		    prefix_ci(w + i + 1, n - i - 1, "mb"))
			return false;
	while (digits < n && w[digits] >= '0' && w[digits] <= '9')
		digits++;
	if (digits == 0 || digits > 3)
		return true;
	return !(digits == n || (digits + 1 == n &&
	    (w[digits] == 'e' || w[digits] == 'E')));
}

/* The escapes that leave a line plain for a pattern: \n shows as ^J in
 * a summary (lib/visible.c), so the J is written next to copied text and
 * \n is harmless only to a needle without j; so for \t (^I), \r (^M),
 * \b (^H) and \f (^L).  \" \\ \/ undo to bytes that are no word
 * character and are shown as they are: always harmless. */
static unsigned
plain_escapes(const char *pattern)
{
	static const struct {
		char letter;
		unsigned bit;
	} shown[] = { { 'j', DECODED_ESC_N }, { 'i', DECODED_ESC_T },
	    { 'm', DECODED_ESC_R }, { 'h', DECODED_ESC_B },
	    { 'l', DECODED_ESC_F } };
	unsigned mask = 0;

	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
		if (strchr(pattern, shown[i].letter) == NULL &&
		    strchr(pattern, shown[i].letter - 'a' + 'A') == NULL)
			mask |= shown[i].bit;
	return mask;
}

/* A keyword is one word; a regex, words joined by | and nothing else;
 * each passing test. */
static bool
raw_implied(const char *pattern, bool literal,
    bool (*test)(const char *, size_t))
{
	const char *p = pattern, *bar;

	if (literal)
		return test(p, strlen(p));
	for (;; p = bar + 1) {
		bar = strchr(p, '|');
		if (!test(p, bar != NULL ? (size_t)(bar - p) : strlen(p)))
			return false;
		if (bar == NULL)
			return true;
	}
}

/*
 * A pattern that is not words may still be one whose every match holds a
 * word: `Rate limit|Request timed out` cannot match without "limit" or
 * "Request", `rm -rf` (a keyword) without "rm".  For such a pattern the
 * argument of raw_implied holds for those words, one per alternative: a
 * match in the decoded text holds one of them as a run of word
 * characters, which on a plain line the raw line holds too unless the
 * word is one the summary writes.  So the words are the needle a raw miss
 * is tested with.  Read here are patterns of literal characters, `.`,
 * `^`, `$`, the class escapes \d \w \s \h \v \R \N (and their capitals),
 * \b \B, escaped punctuation and the quantifiers ? * + {..}, joined by |;
 * a group, a class or any other escape and there is no needle.  Reading
 * one alternative: a character a quantifier may leave out is none of its
 * word, and anything else ends the word, so that what is kept is
 * always a string the match holds.  The word kept for an alternative is
 * its longest safe one (word_safe), else its longest; words are ASCII
 * word characters, so they join into a pattern as they are.
 */
struct alt_words {
	const char *word, *best;	/* the word being read; the one kept */
	size_t n, best_n;
	bool best_safe;
};

static void
word_end(struct alt_words *a)
{
	bool safe = a->n > 0 && word_safe(a->word, a->n);

	if (a->n > 0 && ((safe && !a->best_safe) || (safe == a->best_safe &&
	    a->n > a->best_n))) {
		a->best = a->word;
		a->best_n = a->n;
		a->best_safe = safe;
	}
	a->n = 0;
}

static void
word_char_at(struct alt_words *a, const char *p)
{
	if (a->n == 0)
		a->word = p;
	a->n++;
}

/* The alternative's word appended to out (after a |): false when it has
 * none. */
static bool
alt_keep(struct alt_words *a, struct strbuf *out, bool *all_safe)
{
	word_end(a);
	if (a->best_n == 0)
		return false;
	if (out->len > 0)
		strbuf_add(out, "|", 1);
	strbuf_add(out, a->best, a->best_n);
	*all_safe &= a->best_safe;
	memset(a, 0, sizeof *a);
	return true;
}

static bool
required_words(const char *pattern, bool literal, struct strbuf *out,
    bool *all_safe)
{
	struct alt_words a = { 0 };

	*all_safe = true;
	for (const char *p = pattern; *p != '\0'; p++) {
		if (literal || word_char(*p)) {
			if (word_char(*p))
				word_char_at(&a, p);
			else
				word_end(&a);
			continue;
		}
		switch (*p) {
		case '|':
			if (!alt_keep(&a, out, all_safe))
				return false;
			break;
		case '?':
		case '*':
		case '{':
			/* what comes before may be left out */
			if (a.n > 0)
				a.n--;
			word_end(&a);
			break;
		case '(':
		case ')':
		case '[':
		case ']':
			return false;
		case '\\':
			p++;
			if (*p == '_' && p[1] != '\0') {
				word_char_at(&a, p);
				break;
			}
			if (*p == '\0' || ((*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) ?
			    strchr("dDwWsShHvVRNbB", *p) == NULL ||
			    (*p == 'N' && p[1] == '{') : false)
				return false;
			word_end(&a);
			break;
		default:
			word_end(&a);	/* ., ^, $, +, punctuation, UTF-8 */
			break;
		}
	}
	return alt_keep(&a, out, all_safe);
}

static struct eng_regex *compile(const char *pattern, uint32_t opts,
    char *err, size_t errlen);

/* The needle of a pattern that is not words (required_words); its escapes
 * are the pattern's, whose letters hold the words'. */
static void
needle_compile(struct eng_regex *re, const char *pattern, uint32_t opts)
{
	struct strbuf words;
	bool safe;
	char err[256];

	strbuf_init(&words);
	if (required_words(pattern, (opts & PCRE2_LITERAL) != 0, &words,
	    &safe) &&
	    (re->needle = compile(words.s, opts & ~PCRE2_LITERAL,
	    err, sizeof err)) != NULL) {
		re->needle->escapes = re->escapes;
		re->raw_implied = re->needle->raw_implied;
		re->words = true;
	}
	strbuf_free(&words);
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
	re->raw_implied = raw_implied(pattern, (opts & PCRE2_LITERAL) != 0,
	    word_safe);
	re->words = raw_implied(pattern, (opts & PCRE2_LITERAL) != 0,
	    all_words);
	re->escapes = plain_escapes(pattern);
	ctx_init(&re->ctx, re->code);
	if (re->words)
		re->needle = re;
	else
		needle_compile(re, pattern, opts);
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
	if (re->needle != re)
		eng_regex_free(re->needle);
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
rx_raw_implied(const struct eng_regex *re)
{
	return re->raw_implied;
}

bool
rx_words(const struct eng_regex *re)
{
	return re->words;
}

const struct eng_regex *
rx_needle(const struct eng_regex *re)
{
	return re->needle;
}

int
rx_needle_match(struct eng_regex *re, const char *s, size_t n)
{
	return rx_match(re->needle, &re->ctx, s, n, 0, NULL, NULL, NULL, 0);
}

unsigned
rx_plain_escapes(const struct eng_regex *re)
{
	return re->escapes;
}

/* One search of all the lines at once when a match in the block is one
 * in a line alone (rx_has_block): none there, none in any line; one that
 * stays in its line is that line's.  Otherwise, or when it runs across
 * lines, line by line. */
int
rx_match_decoded(const struct eng_regex *re, struct rx_ctx *c,
    const struct eng_decoded *d)
{
	const char *t = d->text.s;
	PCRE2_SIZE *ov;
	bool gave_up = false;
	int rc;

	if (d->n == 0)
		return 0;
	if (re->block != NULL) {
		rc = pcre2_match(re->block, (PCRE2_SPTR)t, d->text.len, 0, 0,
		    c->md, c->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		ov = pcre2_get_ovector_pointer(c->md);
		if (rc >= 0 && ov[1] >= ov[0] &&
		    memchr(t + ov[0], '\n', ov[1] - ov[0]) == NULL)
			return 1;
	}
	for (size_t i = 0; i < d->n; i++) {
		rc = rx_match(re, c, t + d->line[i].off, d->line[i].len, 0,
		    NULL, NULL, NULL, 0);
		if (rc == 1)
			return 1;
		gave_up |= rc < 0;
	}
	return gave_up ? -1 : 0;
}

int
eng_decoded_match(struct eng_regex *re, const struct eng_decoded *d)
{
	int rc = rx_match_decoded(re, &re->ctx, d);

	if (rc < 0)
		snprintf(re->err, sizeof re->err, "regex gave up on an entry's "
		    "text of %zu bytes", d->text.len);
	return rc;
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
