/*
 * redact.c - finds secrets in text before anything is written, by walking
 * the rules of redact-rules.c: values of secret-looking keys (password=,
 * "token": ..., Authorization: and Cookie: headers), secrets known by
 * their shape (issuers' keys and tokens, JWTs, PEM private keys, Bearer
 * and Basic credentials), passwords in URLs and in command lines.
 *
 * Linear in the text: a tight loop over the bytes that looks closer only
 * at trigger bytes (one of each shape's first few, and the separators :
 * = and -), each word looked at once however many triggers it holds, and
 * what the rules read back (a flag's command, a JSON object's name) read
 * once or within a bound.  No regex engine: a shape is a short list of
 * literals and runs of a character class.  Text with secrets is read once
 * more, to check that redacting it again changes nothing (redact_copy).
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "llmlog.h"
#include "redact-rules.h"

#define REDACTED "[REDACTED]"

/* How far back a command line is read for the command of a flag, and a
 * JSON object for the name beside a "value". */
#define CMD_LOOKBACK 1024
#define NAME_LOOKBACK 256
#define ARGV_LOOKBACK 64
/* Bytes of a URL's user or password part looked at, and of a flag's or
 * an id's quoted value. */
#define URL_PART_MAX 256
#define QUOTE_MAX 256

/* ---- tables built once from the rules ------------------------------------ */

static unsigned short ctab[256];
static unsigned short ends[256];	/* the byte sets below */
static uint64_t shapes_by_first[256];	/* shapes a word starting here may be */
static uint64_t shapes_at_trigger[256];	/* shapes starting at this trigger */
static uint64_t keys_by_last[256];	/* key rows ending in this byte */
static uint64_t keys_by_last2[256];	/* ... and with this one before it */
static unsigned char key_len[64];
static uint64_t flags_by_second[256];	/* flag rows by the byte after '-' */
static uint64_t flags_named;		/* the "-*" rows: any secret name */
static unsigned char flag_len[64];
static uint64_t flags_by_command[256];	/* ... by their command's first byte */
static unsigned char command_len[64];
static unsigned char seg_len[64][REDACT_MAXSEGS];
static uint64_t shapes_by_second[256];	/* shapes whose second byte this
					 * may be */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static atomic_bool tables_built;

#define IS(c, f) ((ctab[(unsigned char)(c)] & (f)) != 0)

/* Sets of bytes that end or open things, looked up as the classes are. */
enum {
	E_VALUE = 1 << 0,	/* a bare value: password=x, */
	E_LINE = 1 << 1,	/* a line */
	E_HEADER = 1 << 2,	/* a header's value to the end of its line */
	E_COOKIE = 1 << 3,	/* a cookie's name or value */
	E_URL_USER = 1 << 4,	/* the user part of a URL, read backwards */
	E_URL_PASS = 1 << 5,	/* its password part */
	E_COMMAND = 1 << 6,	/* the line a flag's command is looked for on */
	E_FLAG_VALUE = 1 << 7,	/* a flag's unquoted value */
	E_FLAG_OPEN = 1 << 8,	/* what may come just before a flag */
	E_BRACKET = 1 << 9,	/* JSON brackets */
};
static const struct {
	unsigned short bit;
	const char *bytes;
} end_sets[] = {
	{ E_VALUE, " \t\r\n,;&\"'<>)]}\\" },
	{ E_LINE, "\r\n" },
	{ E_HEADER, "\r\n\"'\\" },
	{ E_COOKIE, " \t\r\n;,\"'\\" },
	{ E_URL_USER, "/@: \t\r\n\"'" },
	{ E_URL_PASS, "/@ \t\r\n\"'?#" },
	{ E_COMMAND, "\r\n" },
	{ E_FLAG_VALUE, " \t\r\n\"'\\;|&()`<>" },
	{ E_FLAG_OPEN, " \t\r\n\"'[,(" },
	{ E_BRACKET, "{}[]" },
};
#define ENDS(c, e) ((ends[(unsigned char)(c)] & (e)) != 0)

/* The classes of the bytes that are not letters or digits. */
static const struct {
	unsigned short cls;
	const char *bytes;
} punct_classes[] = {
	{ RC_USCORE, "_" },
	{ RC_DASH, "-" },
	{ RC_DOT, "." },
	{ RC_SLASH, "/" },
	{ RC_B64PUNCT, "+=" },
	{ RC_TILDE, "~" },
	{ RC_SPACE, " \t" },
	{ RC_COLON, ":" },
};

static void
classes_init(void)
{
	for (int c = 'A'; c <= 'Z'; c++)
		ctab[c] = RC_UPPER;
	for (int c = 'a'; c <= 'z'; c++)
		ctab[c] = RC_LOWER | (c <= 'f' ? RC_HEX : 0);
	for (int c = '0'; c <= '9'; c++)
		ctab[c] = RC_DIGIT | RC_HEX;
	for (size_t i = 0; i < sizeof punct_classes / sizeof punct_classes[0];
	    i++)
		for (const char *p = punct_classes[i].bytes; *p != '\0'; p++)
			ctab[(unsigned char)*p] |= punct_classes[i].cls;
	for (size_t i = 0; i < sizeof end_sets / sizeof end_sets[0]; i++)
		for (const char *p = end_sets[i].bytes; *p != '\0'; p++)
			ends[(unsigned char)*p] |= end_sets[i].bit;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* The bytes a shape can start with: its first literal's first byte (in
 * both cases when it ignores case), or the bytes it names. */
static void
index_shape(size_t r)
{
	const struct redact_shape *sh = &redact_shapes[r];
	uint64_t bit = UINT64_C(1) << r;
	const char *lit = sh->seg[0].lit;

	if (sh->flags & SHAPE_AT_TRIGGER) {
		shapes_at_trigger[(unsigned char)sh->trigger] |= bit;
	} else if (lit != NULL) {
		shapes_by_first[(unsigned char)lit[0]] |= bit;
		if (sh->flags & SHAPE_NOCASE) {
			shapes_by_first[lower(lit[0])] |= bit;
			shapes_by_first[upper(lit[0])] |= bit;
		}
	} else {
		for (const char *p = sh->first; *p != '\0'; p++)
			shapes_by_first[(unsigned char)*p] |= bit;
	}
	ctab[(unsigned char)sh->trigger] |= RC_TRIGGER;
	if (sh->flags & SHAPE_NOCASE) {
		ctab[lower(sh->trigger)] |= RC_TRIGGER;
		ctab[upper(sh->trigger)] |= RC_TRIGGER;
	}
	for (size_t k = 0; k < REDACT_MAXSEGS; k++)
		if (sh->seg[k].lit != NULL)
			seg_len[r][k] = (unsigned char)strlen(sh->seg[k].lit);
	/* most words end their look here: the second byte is not a shape's */
	if (lit != NULL && lit[1] != '\0') {
		shapes_by_second[(unsigned char)lit[1]] |= bit;
		if (sh->flags & SHAPE_NOCASE) {
			shapes_by_second[lower(lit[1])] |= bit;
			shapes_by_second[upper(lit[1])] |= bit;
		}
	} else
		for (int c = 0; c < 256; c++)
			shapes_by_second[c] |= bit;
}

/* Flag rows by the byte after their dash and by their command's first
 * byte. */
static void
index_flags(void)
{
	for (size_t r = 0; r < redact_nflags; r++) {
		const struct redact_flag *f = &redact_flags[r];
		uint64_t bit = UINT64_C(1) << r;

		flag_len[r] = (unsigned char)strlen(f->flag);
		if (f->command != NULL) {
			command_len[r] = (unsigned char)strlen(f->command);
			flags_by_command[(unsigned char)f->command[0]] |= bit;
		}
		if (strcmp(f->flag, "-*") == 0)
			flags_named |= bit;
		else
			flags_by_second[(unsigned char)f->flag[1]] |= bit;
	}
}

/* Key rows by their last two bytes. */
static void
index_keys(void)
{
	for (size_t r = 0; r < redact_nkeys; r++) {
		const char *name = redact_keys[r].name;
		size_t len = strlen(name);

		key_len[r] = (unsigned char)len;
		keys_by_last[(unsigned char)name[len - 1]] |= UINT64_C(1) << r;
		keys_by_last2[(unsigned char)name[len - 2]] |= UINT64_C(1) << r;
	}
}

static void tables_init(void);

/* The tables, built on first use here, not by a constructor, which might
 * run after another constructor that logs.  A flag read first, so that a
 * scan costs no call once they are built. */
static void
tables_ready(void)
{
	if (!atomic_load_explicit(&tables_built, memory_order_acquire))
		pthread_once(&tables_once, tables_init);
}

static void
tables_init(void)
{
	classes_init();
	/* key: value, key=value, and flags */
	ctab[':'] |= RC_TRIGGER;
	ctab['='] |= RC_TRIGGER;
	ctab['-'] |= RC_TRIGGER;
	for (size_t r = 0; r < redact_nshapes; r++)
		index_shape(r);
	index_flags();
	index_keys();
	atomic_store_explicit(&tables_built, true, memory_order_release);
}

/* ---- small scanners --------------------------------------------------------- */

/* Bytes from i on that are all of class f, counting at most limit + 1
 * (limit 0: no limit), enough to tell a run too long. */
static size_t
span_of(const char *s, size_t n, size_t i, unsigned f, size_t limit)
{
	size_t j = i, stop = limit == 0 || n - i <= limit ? n : i + limit + 1;

	while (j < stop && IS(s[j], f))
		j++;
	return j - i;
}

static size_t
skip_space(const char *s, size_t n, size_t j)
{
	while (j < n && IS(s[j], RC_SPACE))
		j++;
	return j;
}

static bool
starts(const char *s, size_t n, size_t i, const char *lit, size_t litlen)
{
	return n - i >= litlen && memcmp(s + i, lit, litlen) == 0;
}
#define STARTS(s, n, i, lit) starts((s), (n), (i), (lit), sizeof(lit) - 1)

/* c is one of the bytes of set (never NUL); inline, as the scan asks it
 * at every trigger */
static inline bool
oneof(char c, const char *set)
{
	for (; *set != '\0'; set++)
		if (*set == c)
			return true;
	return false;
}

/* The word s[i..i+len) is one of the NULL-ended list, in any case. */
static bool
word_in(const char *s, size_t len, const char *const *list)
{
	for (size_t k = 0; list[k] != NULL; k++)
		if (strlen(list[k]) == len && strncasecmp(s, list[k], len) == 0)
			return true;
	return false;
}

/* ---- keys ----------------------------------------------------------------- */

/* Whether a name part starts at k[q]: at the start, after punctuation, or
 * at a case change: apiKey, APIKey, oauth2Token. */
static bool
part_starts(const char *k, size_t n, size_t q)
{
	char a, b;

	if (q == 0)
		return true;
	a = k[q - 1];
	b = k[q];
	if (!IS(a, RC_ALNUM))
		return true;
	if (!IS(b, RC_UPPER))
		return false;
	return IS(a, RC_LOWER | RC_DIGIT) ||
	    (IS(a, RC_UPPER) && q + 1 < n && IS(k[q + 1], RC_LOWER));
}

/* The end of the key's name: past trailing punctuation and a number
 * (password2, API_KEY_2: a number at the end names no other thing). */
static size_t
key_end(const char *k, size_t n)
{
	size_t e = n, q;

	while (e > 0 && !IS(k[e - 1], RC_ALNUM))
		e--;
	q = e;
	while (q > 0 && IS(k[q - 1], RC_DIGIT))
		q--;
	while (q > 0 && !IS(k[q - 1], RC_ALNUM))
		q--;
	return q > 0 ? q : e;
}

/* Whether the letters and digits of k[0..e) end with name[0..len) in any
 * case, punctuation between them skipped; *at: where that starts. */
static bool
key_ends_with(const char *k, size_t e, const char *name, size_t len,
    size_t *at)
{
	size_t q = e;

	while (len > 0) {
		while (q > 0 && !IS(k[q - 1], RC_ALNUM))
			q--;
		if (q == 0 || lower(k[q - 1]) != name[len - 1])
			return false;
		q--;
		len--;
	}
	*at = q;
	return true;
}

/* No letter or digit before k[at]. */
static bool
key_begins(const char *k, size_t at)
{
	while (at > 0 && !IS(k[at - 1], RC_ALNUM))
		at--;
	return at == 0;
}

/* The key row that decides a key. */
struct key_hit {
	enum redact_kind kind;	/* KEY_PUBLIC when no row matches */
	size_t len;		/* the row's length; 0: none */
	size_t at;		/* where its match starts in the key */
	bool exact;		/* the row is all of the key */
	bool near;		/* some row ends with the key's last two bytes */
};

/* The longest key row matching the last name parts of key k[0..n) (a
 * whole-key row before another of its length).  Any length: the key is
 * read from its end. */
static struct key_hit
key_match(const char *k, size_t n)
{
	struct key_hit hit = { .kind = KEY_PUBLIC };
	uint64_t rows;
	size_t e, at;

	tables_ready();
	if ((e = key_end(k, n)) == 0 ||
	    (rows = keys_by_last[lower(k[e - 1])]) == 0)
		return hit;	/* most keys: no row ends so */
	for (at = e - 1; at > 0 && !IS(k[at - 1], RC_ALNUM); at--)
		;
	rows &= at > 0 ? keys_by_last2[lower(k[at - 1])] : 0;
	hit.near = rows != 0;
	while (rows != 0) {
		int r = __builtin_ctzll(rows);
		const struct redact_key *row = &redact_keys[r];
		size_t len = key_len[r];

		rows &= rows - 1;
		if (len < hit.len || (len == hit.len &&
		    !(row->flags & KEY_WHOLE)) ||
		    !key_ends_with(k, e, row->name, len, &at) ||
		    (!(row->flags & KEY_GLUED) && !part_starts(k, e, at)) ||
		    ((row->flags & KEY_WHOLE) && !key_begins(k, at)))
			continue;
		hit = (struct key_hit){ .kind = row->kind, .len = len,
		    .at = at, .near = true };
	}
	hit.exact = hit.len > 0 && key_begins(k, hit.at);
	return hit;
}

static enum redact_kind
key_kind(const char *k, size_t n)
{
	return key_match(k, n).kind;
}

static bool
kind_secret(enum redact_kind kind)
{
	return kind == KEY_SECRET || kind == KEY_HEADER ||
	    kind == KEY_COOKIES || kind == KEY_PWD;
}

bool
redact_secret_key(const char *key, size_t n)
{
	return kind_secret(key_kind(key, n));
}

bool
llmlog_secret_key(const char *key)
{
	return key != NULL && redact_secret_key(key, strlen(key));
}

/* The working directory, which PWD holds in a shell. */
static bool
path_value(const char *v, size_t n)
{
	return n > 0 && (v[0] == '/' || v[0] == '~');
}

/* A W3C trace or span id, or a UUID: hex digits and dashes. */
static bool
id_value(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n && IS(v[i], RC_HEX | RC_DASH | RC_UPPER); i++)
		if (IS(v[i], RC_UPPER) && !oneof(v[i], "ABCDEF"))
			return false;
	return n > 0 && i == n;
}

/* ---- checks of shapes (redact-rules.c names them) --------------------------- */

/* The token after "Bearer ": a token68, '=' only as padding at its end
 * ("bearer token_url=..." is prose), long or with digits or punctuation. */
size_t
redact_check_bearer(const char *s, size_t n, size_t start, size_t end)
{
	const char *eq = memchr(s + start, '=', end - start);
	size_t k;

	(void)n;
	for (k = eq != NULL ? (size_t)(eq - s) : end; k < end; k++)
		if (s[k] != '=')
			return 0;
	if (end - start >= 20)
		return end;
	for (k = start; k < end; k++)
		if (!IS(s[k], RC_UPPER | RC_LOWER))
			return end;
	return 0;
}

static int
base64_digit(char c)
{
	if (IS(c, RC_UPPER))
		return c - 'A';
	if (IS(c, RC_LOWER))
		return c - 'a' + 26;
	if (IS(c, RC_DIGIT))
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Basic credentials: base64 of user:password. */
size_t
redact_check_basic(const char *s, size_t n, size_t start, size_t end)
{
	unsigned acc = 0;
	int bits = 0, d;

	(void)n;
	for (size_t k = start; k < end && (d = base64_digit(s[k])) >= 0; k++) {
		acc = (acc << 6 | (unsigned)d) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (((acc >> bits) & 0xff) == ':')
				return end;
		}
	}
	return 0;
}

/* A PEM label that names a private key. */
static bool
pem_private(const char *s, size_t a, size_t b)
{
	for (size_t k = 0; redact_pem_labels[k] != NULL; k++) {
		size_t len = strlen(redact_pem_labels[k]);

		if (b - a >= len &&
		    memcmp(s + b - len, redact_pem_labels[k], len) == 0)
			return true;
	}
	return false;
}

/* "-----END <label>-----" at i: its end, or 0. */
static size_t
pem_end_line(const char *s, size_t n, size_t i)
{
	size_t a = i + 9, b = a + span_of(s, n, a, RC_UPPER | RC_DIGIT |
	    RC_SPACE, 40);

	if (b - a > 40 || !pem_private(s, a, b) || !STARTS(s, n, b, "-----"))
		return 0;
	return b + 5;
}

/* From "-----BEGIN <label>-----" to its END line, or to the end of a text
 * cut short. */
size_t
redact_check_pem(const char *s, size_t n, size_t start, size_t end)
{
	const char *at;
	size_t from = end, e;

	if (!pem_private(s, start + 11, end - 5))
		return 0;
	while ((at = memmem(s + from, n - from, "-----END ", 9)) != NULL) {
		from = (size_t)(at - s);
		if ((e = pem_end_line(s, n, from)) != 0)
			return e;
		from += 9;
	}
	return n;
}

/* ---- shapes --------------------------------------------------------------- */

/* One of the words shortly before i, in any case. */
static bool
has_context(const char *s, size_t i, const char *const *words)
{
	size_t from = i > REDACT_CONTEXT_BYTES ? i - REDACT_CONTEXT_BYTES : 0;

	for (size_t j = from; j < i; j++)
		for (size_t k = 0; words[k] != NULL; k++)
			if (lower(s[j]) == words[k][0] &&
			    strlen(words[k]) <= i - j &&
			    strncasecmp(s + j, words[k], strlen(words[k])) == 0)
				return true;
	return false;
}

/* The run of segment sg at j, which never takes the dashes of a PEM
 * block glued to it (ghp_...-----BEGIN). */
static size_t
run_len(const char *s, size_t n, size_t j, const struct redact_seg *sg)
{
	size_t len = span_of(s, n, j, sg->cls, sg->max);
	const char *pem;

	if ((sg->cls & RC_DASH) && len >= 5 &&
	    (pem = memmem(s + j, len, "-----", 5)) != NULL)
		len = (size_t)(pem - (s + j));
	return len;
}

/* The literal lit[0..len) at s[j]: in its case, or any. */
static bool
lit_at(const char *s, size_t n, size_t j, const char *lit, size_t len,
    bool nocase)
{
	if (n - j < len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[j + i] != lit[i] &&
		    (!nocase || lower(s[j + i]) != lower(lit[i])))
			return false;
	return true;
}

/* Shape r at i: its segments in turn, then the end of the word (no letter
 * or digit follows). */
static bool
shape_at(const char *s, size_t n, size_t i, size_t r, size_t *start,
    size_t *end)
{
	const struct redact_shape *sh = &redact_shapes[r];
	size_t j = i, keep = i;

	for (size_t k = 0; k < REDACT_MAXSEGS; k++) {
		const struct redact_seg *sg = &sh->seg[k];
		size_t len;

		if (sg->lit == NULL && sg->cls == 0)
			break;
		if (k == sh->keep)
			keep = j;
		if (sg->lit != NULL) {
			len = seg_len[r][k];
			if (!lit_at(s, n, j, sg->lit, len,
			    (sh->flags & SHAPE_NOCASE) != 0))
				return false;
		} else {
			len = run_len(s, n, j, sg);
			if (len < sg->min || (sg->max != 0 && len > sg->max))
				return false;
		}
		j += len;
	}
	if (!(sh->flags & SHAPE_ANY_END) && j < n && IS(s[j], RC_ALNUM))
		return false;
	if (sh->context != NULL && !has_context(s, i, sh->context))
		return false;
	if (sh->check != NULL && (j = sh->check(s, n, keep, j)) == 0)
		return false;
	*start = keep;
	*end = j;
	return true;
}

/* The shapes rows that may start at i, given its first two bytes. */
static bool
shapes_at(const char *s, size_t n, size_t i, uint64_t rows, size_t *start,
    size_t *end)
{
	rows &= i + 1 < n ? shapes_by_second[(unsigned char)s[i + 1]] : 0;
	while (rows != 0) {
		size_t r = (size_t)__builtin_ctzll(rows);

		rows &= rows - 1;
		if (shape_at(s, n, i, r, start, end))
			return true;
	}
	return false;
}

/* ---- values after a key ---------------------------------------------------- */

/* A quoted value at j ("...", '...', or \"...\" in JSON inside JSON): the
 * text inside; false when s[j] opens none. */
static bool
quoted_at(const char *s, size_t n, size_t j, size_t *start, size_t *end)
{
	size_t k;
	char q;

	if (j + 1 < n && s[j] == '\\' && s[j + 1] == '"') {
		for (k = j += 2; k < n; k++)
			if (s[k] == '\\' && k + 1 < n && s[k + 1] == '"')
				break;
	} else if (j < n && (s[j] == '"' || s[j] == '\'')) {
		q = s[j++];
		for (k = j; k < n && s[k] != q; k++)
			if (s[k] == '\\' && k + 1 < n)
				k++;
	} else
		return false;
	*start = j;
	*end = k;
	return true;
}

/* A quoted value of a flag, closed on its line and within QUOTE_MAX bytes:
 * a flag's command is found on its line, which a value redacted with a
 * line end in it would join to the next; and a quote that is never
 * closed must not make each flag read to the end of the text. */
static bool
quoted_short(const char *s, size_t n, size_t j, size_t *start, size_t *end)
{
	size_t lim = n - j > QUOTE_MAX ? j + QUOTE_MAX : n;
	const char *eol = j < lim ? memchr(s + j, '\n', lim - j) : NULL;

	if (eol != NULL)
		lim = (size_t)(eol - s);
	return quoted_at(s, lim, j, start, end) && *end < lim;
}

/* An authorization scheme word at j, followed by spaces: its end. */
static size_t
scheme_at(const char *s, size_t n, size_t j, bool *params)
{
	size_t len = span_of(s, n, j, RC_INNER, 32);

	if (len == 0 || j + len >= n || !IS(s[j + len], RC_SPACE) ||
	    !word_in(s + j, len, redact_schemes))
		return 0;
	*params = word_in(s + j, len, redact_param_schemes);
	return j + len;
}

/* Credentials after a scheme word at j: a token68, or with params a list
 * of name=value and name="value" pairs separated by commas. */
static size_t
credentials_end(const char *s, size_t n, size_t j, bool params)
{
	const unsigned cred = RC_TOKEN68 | RC_COLON;
	size_t k = j, m, k0;

	if (!params)
		return j + span_of(s, n, j, cred, 0);
	for (;;) {
		k0 = k;
		/* AWS4's SignedHeaders=host;x-amz-date too */
		while (k < n && (IS(s[k], cred) || s[k] == ';'))
			k++;
		if (k > k0 && s[k - 1] == '=' && k < n &&
		    (s[k] == '"' || (s[k] == '\\' && k + 1 < n &&
		    s[k + 1] == '"'))) {
			size_t a, b;

			quoted_at(s, n, k, &a, &b);
			k = b + (s[k] == '\\' ? 2 : 1);
			if (k > n)
				k = n;
		}
		if (k == k0)
			return k;
		m = skip_space(s, n, k);
		if (m >= n || s[m] != ',')
			return k;
		m = skip_space(s, n, m + 1);
		if (m >= n || !IS(s[m], RC_WORD))
			return k;
		k = m;
	}
}

/* The value on the next line when "password:" ends its line: one word
 * alone on that line. */
static bool
next_line_value(const char *s, size_t n, size_t j, size_t *start,
    size_t *end)
{
	size_t k;

	if (j < n && s[j] == '\r')
		j++;
	if (j >= n || s[j] != '\n')
		return false;
	j = skip_space(s, n, j + 1);
	for (k = j; k < n && !IS(s[k], RC_SPACE) && !ENDS(s[k], E_LINE); k++)
		;
	if (k == j || s[k - 1] == ':' || STARTS(s, n, j, REDACTED))
		return false;
	*start = j;
	*end = k;
	k = skip_space(s, n, k);
	return k >= n || ENDS(s[k], E_LINE);
}

/* A bare value s[j..k) that is code, not a secret: token = await f(),
 * password = getpass(), "auth": null. */
static bool
code_value(const char *s, size_t n, size_t j, size_t k)
{
	size_t i;

	if (word_in(s + j, k - j, redact_code_words))
		return true;
	if (!IS(s[j], RC_UPPER | RC_LOWER | RC_USCORE))
		return false;
	i = j + span_of(s, n, j, RC_WORD | RC_DOT, 0);
	return i - j >= 3 && i < n && s[i] == '(';
}

/* The value of a secret key after its separator at j-1: quoted, the
 * credentials after a scheme word, a bare word, or the next line. */
static bool
value_plain(const char *s, size_t n, size_t j, char sep, size_t *start,
    size_t *end)
{
	size_t k, e;
	bool params;

	j = skip_space(s, n, j);
	if (j >= n)
		return false;
	if (sep == ':' && (s[j] == '\n' || s[j] == '\r'))
		return next_line_value(s, n, j, start, end);
	if (quoted_at(s, n, j, start, end))
		return *end > *start && !STARTS(s, n, *start, REDACTED);
	if ((e = scheme_at(s, n, j, &params)) != 0) {
		j = skip_space(s, n, e);
		k = credentials_end(s, n, j, params);
	} else {
		for (k = j; k < n && !ENDS(s[k], E_VALUE); k++)
			;
		if (code_value(s, n, j, k))
			return false;
	}
	if (k == j || STARTS(s, n, j, REDACTED))
		return false;
	*start = j;
	*end = k;
	return true;
}

/* Authorization: a known scheme's word stays and its credentials go;
 * anything else goes to the end of the line (or of a quoted argument). */
static bool
value_header(const char *s, size_t n, size_t j, char sep, size_t *start,
    size_t *end)
{
	size_t k, a;
	bool params;

	a = skip_space(s, n, j);
	if (a >= n || s[a] == '"' || s[a] == '\'' || s[a] == '\r' ||
	    s[a] == '\n' || scheme_at(s, n, a, &params) != 0)
		return value_plain(s, n, j, sep, start, end);
	for (k = a; k < n && !ENDS(s[k], E_HEADER); k++)
		;
	while (k > a && IS(s[k - 1], RC_SPACE))
		k--;
	if (k == a || STARTS(s, n, a, REDACTED))
		return false;
	*start = a;
	*end = k;
	return true;
}

/* Cookie: every name=value pair of the list. */
static bool
value_cookies(const char *s, size_t n, size_t j, char sep, size_t *start,
    size_t *end)
{
	size_t a = skip_space(s, n, j), k = a, m;

	if (a >= n || s[a] == '"' || s[a] == '\'' || s[a] == '\r' ||
	    s[a] == '\n')
		return value_plain(s, n, j, sep, start, end);
	for (;;) {
		while (k < n && !ENDS(s[k], E_COOKIE) && s[k] != '=')
			k++;
		if (k < n && s[k] == '=')
			while (k < n && !ENDS(s[k], E_COOKIE))
				k++;
		m = k < n && s[k] == ';' ? skip_space(s, n, k + 1) : n;
		if (m >= n || ENDS(s[m], E_COOKIE) || s[m] == '=')
			break;
		k = m;
	}
	if (k == a || STARTS(s, n, a, REDACTED))
		return false;
	*start = a;
	*end = k;
	return true;
}

/* PWD: a path stays, anything else is ODBC's password. */
static bool
value_pwd(const char *s, size_t n, size_t j, char sep, size_t *start,
    size_t *end)
{
	size_t a = skip_space(s, n, j);

	if (a < n && (s[a] == '"' || s[a] == '\''))
		a++;
	if (path_value(s + a, n - a))
		return false;
	return value_plain(s, n, j, sep, start, end);
}

/* The JSON string at i (plain, or \"...\" inside JSON text), up to lim:
 * where it ends, its text in [*a, *b); 0 when there is none. */
static size_t
json_string(const char *s, size_t i, size_t lim, size_t *a, size_t *b)
{
	size_t k;

	if (i + 1 < lim && s[i] == '\\' && s[i + 1] == '"') {
		for (k = i + 2; k + 1 < lim; k++)
			if (s[k] == '\\' && s[k + 1] == '"')
				break;
		if (k + 1 >= lim)
			return 0;
		*a = i + 2;
		*b = k;
		return k + 2;
	}
	if (i >= lim || s[i] != '"')
		return 0;
	for (k = i + 1; k < lim && s[k] != '"'; k++)
		if (s[k] == '\\')
			k++;
	if (k >= lim)
		return 0;
	*a = i + 1;
	*b = k;
	return k + 1;
}

/* Whether the JSON object around the "value" key at ks names a secret key
 * before it: {"name": "API_KEY", "value": ...}. */
static bool
named_secret(const char *s, size_t ks)
{
	size_t b = ks, i, ka, kb, va, vb, e;

	while (b > 0 && ks - b < NAME_LOOKBACK && !ENDS(s[b - 1], E_BRACKET))
		b--;
	if (b == 0 || s[b - 1] != '{')
		return false;
	for (i = b; i < ks; i++) {
		if ((e = json_string(s, i, ks, &ka, &kb)) == 0)
			continue;
		i = e;
		while (i < ks && IS(s[i], RC_SPACE))
			i++;
		if (i >= ks || s[i] != ':')
			continue;
		i++;
		while (i < ks && IS(s[i], RC_SPACE))
			i++;
		if ((e = json_string(s, i, ks, &va, &vb)) == 0)
			continue;
		if (key_kind(s + ka, kb - ka) == KEY_NAME &&
		    redact_secret_key(s + va, vb - va))
			return true;
		i = e - 1;
	}
	return false;
}

/* ---- key: value in free text ----------------------------------------------- */

/* The start of the run of word bytes that ends at (or runs through) t,
 * from its first byte that may start a word. */
static size_t
word_start(const char *s, size_t from, size_t t)
{
	size_t ws = t;

	while (ws > from && IS(s[ws - 1], RC_INNER))
		ws--;
	while (ws < t && !IS(s[ws], RC_WORD))
		ws++;
	return ws;
}

enum pair { PAIR_NONE, PAIR_SECRET, PAIR_SKIP };

typedef bool value_reader(const char *, size_t, size_t, char, size_t *,
    size_t *);

/* How the value of each kind of key is read. */
static value_reader *const value_of[] = {
	[KEY_SECRET] = value_plain,
	[KEY_HEADER] = value_header,
	[KEY_COOKIES] = value_cookies,
	[KEY_PWD] = value_pwd,
};

/* At ':' or '=' at t: the key before it (past spaces and a closing quote;
 * with the word before when one space parts them: "API key:") and, when
 * it names a secret, the value after it.  PAIR_SKIP: an id the scan
 * passes over, [*start, *end). */
static enum pair
pair_at(const char *s, size_t n, size_t from, size_t t, size_t *start,
    size_t *end)
{
	size_t we = t, ws, ks, a, b;
	struct key_hit hit, two;
	enum redact_kind kind;
	char sep = s[t];

	if (t + 1 < n && (sep == ':' ? oneof(s[t + 1], ":/") : s[t + 1] == '='))
		return PAIR_NONE;	/* Foo::bar, scheme://, == */
	while (we > from && IS(s[we - 1], RC_SPACE))
		we--;
	if (we > from && (s[we - 1] == '"' || s[we - 1] == '\'')) {
		we--;
		if (we > from && s[we - 1] == '\\')
			we--;
	}
	ws = word_start(s, from, we);
	if (ws == we || !IS(s[ws], RC_WORD) ||
	    (sep == ':' && ws > 0 && s[ws - 1] == ':'))
		return PAIR_NONE;	/* arn:aws:...:secret:name names one */
	hit = key_match(s + ws, we - ws);
	if (hit.near && ws >= from + 2 && s[ws - 1] == ' ' &&
	    IS(s[ws - 2], RC_WORD)) {
		/* a row across both words decides: "API key", "per token" */
		ks = word_start(s, from, ws - 1);
		two = key_match(s + ks, we - ks);
		if (two.len > 0 && ks + two.at < ws)
			hit = two;
	}
	kind = hit.kind;
	if (kind == KEY_VALUE)
		kind = named_secret(s, ws) ? KEY_SECRET : KEY_PUBLIC;
	if (kind == KEY_EXEMPT) {
		a = skip_space(s, n, t + 1);
		if (!quoted_short(s, n, a, start, end))
			*end = (*start = a) + span_of(s, n, a, RC_INNER, 0);
		return id_value(s + *start, *end - *start) ? PAIR_SKIP :
		    PAIR_NONE;
	}
	if (kind >= sizeof value_of / sizeof value_of[0] ||
	    value_of[kind] == NULL || !value_of[kind](s, n, t + 1, sep, &a, &b))
		return PAIR_NONE;
	*start = a;
	*end = b;
	return PAIR_SECRET;
}

/* At a ':' at t inside "scheme://user:password@host" (the user may be
 * empty: redis://:password@host): the password. */
static bool
url_password(const char *s, size_t n, size_t t, size_t *start, size_t *end)
{
	size_t k = t, at;

	/* back to the "//", even past a secret already found in the user
	 * part, so that a second pass finds nothing new */
	while (k > 0 && t - k < URL_PART_MAX &&
	    !ENDS(s[k - 1], E_URL_USER))
		k--;
	if (k < 2 || s[k - 1] != '/' || s[k - 2] != '/')
		return false;
	for (at = t + 1; at < n && at - t < URL_PART_MAX; at++)
		if (ENDS(s[at], E_URL_PASS))
			break;
	if (at >= n || s[at] != '@' || at == t + 1 ||
	    STARTS(s, n, t + 1, REDACTED))
		return false;
	*start = t + 1;
	*end = at;
	return true;
}

/* ---- command lines ---------------------------------------------------------- */

/* A flag's command is looked for on its line, not only in its own command
 * (after the last ; or |): a value redacted with the ; in it would move a
 * later flag into another command, and the same text redacted again would
 * come out otherwise. */
static bool
command_end(char c)
{
	return ENDS(c, E_COMMAND);
}

/* The flag rows whose command is the word w[0..len): mysql, /usr/bin/mysql
 * (the word after the last '/'), mysqldump for "mysql*". */
static uint64_t
commands_named(const char *w, size_t len)
{
	uint64_t rows = len > 0 ? flags_by_command[(unsigned char)w[0]] : 0;
	uint64_t named = 0;

	while (rows != 0) {
		size_t r = (size_t)__builtin_ctzll(rows);
		const char *c = redact_flags[r].command;
		size_t cl = command_len[r];

		rows &= rows - 1;
		if (c[cl - 1] == '*' ? len >= cl - 1 &&
		    memcmp(w, c, cl - 1) == 0 :
		    len == cl && memcmp(w, c, cl) == 0)
			named |= UINT64_C(1) << r;
	}
	return named;
}

/* The commands seen on the line of a flag, kept up to date as the scan
 * goes on, so that each byte is read once however many flags. */
struct commands {
	size_t at;	/* read up to here; SIZE_MAX: not yet */
	uint64_t rows;	/* the flag rows whose command was a word */
};

static uint64_t
commands_before(struct commands *cs, const char *s, size_t t)
{
	const unsigned word = RC_INNER | RC_DOT;
	size_t i, w;

	if (cs->at == SIZE_MAX || cs->at > t) {
		i = t;
		while (i > 0 && t - i < CMD_LOOKBACK && !command_end(s[i - 1]))
			i--;
		cs->at = i;
		cs->rows = 0;
	}
	for (i = cs->at; i < t;) {
		if (command_end(s[i])) {
			cs->rows = 0;
			i++;
		} else if (IS(s[i], word)) {
			for (w = i; i < t && IS(s[i], word); i++)
				;
			cs->rows |= commands_named(s + w, i - w);
		} else
			i++;
	}
	cs->at = t;
	return cs->rows;
}

/* A flag's value: [v, ve) after its lead, or after the first ':'. */
static bool
flag_secret(const struct redact_flag *f, const char *s, size_t v, size_t ve,
    size_t *start, size_t *end)
{
	const char *colon;

	if (f->lead != NULL) {
		size_t ll = strlen(f->lead);

		if (ve - v < ll || memcmp(s + v, f->lead, ll) != 0)
			return false;
		v += ll;
	}
	if ((f->form & FLAG_COLON) &&
	    (colon = memchr(s + v, ':', ve - v)) != NULL)
		v = (size_t)(colon - s) + 1;
	else if (f->form & FLAG_COLON)
		return false;	/* curl -u user: it asks */
	if (v >= ve || STARTS(s, ve, v, REDACTED))
		return false;
	*start = v;
	*end = ve;
	return true;
}

/* The word after a flag ending at fe, its flag starting at t: after '=',
 * or after spaces (in JSON text, after the closing quote and a comma). */
static bool
next_word(const char *s, size_t n, size_t t, size_t fe, size_t *start,
    size_t *end)
{
	size_t k = fe, v;
	bool quoted = t > 0 && (s[t - 1] == '"' || s[t - 1] == '\'');

	if (k < n && s[k] == '=')
		k++;
	else {
		if (quoted && k < n && s[k] == s[t - 1])
			k++;
		else if (quoted && k + 1 < n && s[k] == '\\' && s[k + 1] == '"')
			k += 2;
		v = skip_space(s, n, k);
		if (quoted && v < n && s[v] == ',')
			v = skip_space(s, n, v + 1);
		if (v == k || (!quoted && k < n && !IS(s[k], RC_SPACE)))
			return false;
		k = v;
	}
	if (quoted_short(s, n, k, start, end))
		return true;
	for (v = k; v < n && !ENDS(s[v], E_FLAG_VALUE); v++)
		;
	*start = k;
	*end = v;
	return v > k;
}

/* A flag named like a secret key: --password, --api-key, or with one
 * dash a key's whole name, -password (not -pToken, mysql's -p and the
 * password Token; not --no-password). */
static bool
secret_flag(const char *s, size_t t, size_t fe)
{
	size_t a = t + 1;
	struct key_hit hit;

	if (a < fe && s[a] == '-')
		a++;
	if (fe - a < 3 || IS(s[a], RC_DASH) ||
	    (fe - a > 3 && strncmp(s + a, "no-", 3) == 0))
		return false;
	hit = key_match(s + a, fe - a);
	return kind_secret(hit.kind) && (a == t + 2 || hit.exact);
}

/* Whether the flag s[t..e) ends there (-p, then a space, '=', the closing
 * quote of "-p", a shell operator or the end), rather than running on
 * into a joined value (-phunter2, -p'pw'). */
static bool
flag_ends(const char *s, size_t n, size_t t, size_t e)
{
	return e >= n || IS(s[e], RC_SPACE) || oneof(s[e], "=;|&<>()\r\n") ||
	    (t > 0 && (s[t - 1] == '"' || s[t - 1] == '\'') &&
	    s[e] == s[t - 1]);
}

/* The value of flag f at t, given whether it stands alone, ending at fe. */
static bool
flag_value(const struct redact_flag *f, const char *s, size_t n, size_t t,
    size_t fe, bool alone, size_t *v, size_t *ve)
{
	size_t j = t + strlen(f->flag);

	if (!alone) {		/* -pX, -p'X' */
		if (!(f->form & FLAG_JOINED))
			return false;
		if (quoted_short(s, n, j, v, ve))
			return true;
		for (*v = *ve = j; *ve < n && !ENDS(s[*ve], E_FLAG_VALUE); (*ve)++)
			;
		return *ve > *v;
	}
	if (!(f->form & FLAG_NEXT) || !next_word(s, n, t, fe, v, ve) ||
	    *v >= *ve)
		return false;
	/* not another flag, a shell operator, or a word of prose */
	if ((s[*v] == '-' && *v + 1 < *ve) || oneof(s[*v], "<>|&;"))
		return false;
	return f->command != NULL || (fe < n && s[fe] == '=') ||
	    !word_in(s + *v, *ve - *v, redact_prose_words);
}

/* At a '-' at t that starts a word: a flag taking a secret, and its value. */
static bool
flag_at(struct commands *cs, const char *s, size_t n, size_t t,
    size_t *start, size_t *end)
{
	size_t fe = t + span_of(s, n, t, RC_INNER, 0), v, ve;
	uint64_t rows = 0, cmds = 0;
	bool have_cmds = false;

	if (t + 1 < n)
		rows = flags_by_second[(unsigned char)s[t + 1]];
	if (fe - t > 3)
		rows |= flags_named;
	while (rows != 0) {
		size_t r = (size_t)__builtin_ctzll(rows);
		const struct redact_flag *f = &redact_flags[r];
		size_t fl = flag_len[r];

		rows &= rows - 1;
		if (flags_named & (UINT64_C(1) << r)) {
			if (!secret_flag(s, t, fe) ||
			    !flag_value(f, s, n, t, fe, flag_ends(s, n, t, fe),
			    &v, &ve))
				continue;
		} else {
			if (fl > n - t || memcmp(s + t, f->flag, fl) != 0)
				continue;
			/* its command first: mkdir -p needs no more look */
			if (!have_cmds) {
				cmds = commands_before(cs, s, t);
				have_cmds = true;
			}
			if (!(cmds & (UINT64_C(1) << r)) ||
			    !flag_value(f, s, n, t, t + fl,
			    flag_ends(s, n, t, t + fl), &v, &ve))
				continue;
		}
		if (flag_secret(f, s, v, ve, start, end))
			return true;
	}
	return false;
}

/* ---- the scan ------------------------------------------------------------------ */

struct scan {
	size_t from;
	size_t run_end;		/* the word bytes around the last trigger
				 * end here; triggers before it are done */
	size_t checked;		/* the word start last tried for shapes */
	size_t skip;		/* an id passed over ends here */
	struct commands cmds;
};

/* The run of word bytes from t, up to the dashes of a PEM block glued to
 * it (x-----BEGIN), which the scan must still stop at: the scan goes on
 * from its end, its other triggers done. */
static size_t
inner_run(const char *s, size_t n, size_t t)
{
	size_t j = t, dashes = 0;

	for (; j < n && IS(s[j], RC_INNER); j++)
		if ((dashes = s[j] == '-' ? dashes + 1 : 0) == 5)
			return j - 4 - t;
	return j - t;
}

/* What the trigger at t finds; inlined into the scan loop. */
static inline __attribute__((always_inline)) bool
trigger_at(struct scan *sc, const char *s, size_t n, size_t t,
    size_t *start, size_t *end)
{
	unsigned char c = (unsigned char)s[t];
	size_t ws;

	if ((shapes_at_trigger[c] & (t + 1 < n ?
	    shapes_by_second[(unsigned char)s[t + 1]] : 0)) != 0 &&
	    shapes_at(s, n, t, shapes_at_trigger[c], start, end))
		return true;
	if (c == ':' || c == '=') {
		switch (pair_at(s, n, sc->from, t, start, end)) {
		case PAIR_SECRET:
			return true;
		case PAIR_SKIP:
			sc->skip = *end;
			return false;
		case PAIR_NONE:
			break;
		}
		if (c == ':' && url_password(s, n, t, start, end))
			return true;
	}
	if (c == '-' && (t == 0 || ENDS(s[t - 1], E_FLAG_OPEN)) &&
	    flag_at(&sc->cmds, s, n, t, start, end))
		return true;
	/* the word around t, once: from the first byte of its run of word
	 * bytes that may start a word (past the dashes of --sk-...) */
	if (t < sc->run_end)
		return false;
	sc->run_end = t + inner_run(s, n, t);
	for (ws = t; ws > sc->from && IS(s[ws - 1], RC_INNER); ws--)
		;
	while (ws < sc->run_end && !IS(s[ws], RC_WORD))
		ws++;
	if (ws >= sc->run_end || ws == sc->checked)
		return false;
	sc->checked = ws;
	return ws + 1 < n && (shapes_by_first[(unsigned char)s[ws]] &
	    shapes_by_second[(unsigned char)s[ws + 1]]) != 0 &&
	    shapes_at(s, n, ws, shapes_by_first[(unsigned char)s[ws]], start,
	    end);
}

/* The tight loop: the next trigger byte from t, or n.  Apart from the
 * work at a trigger, so that the compiler keeps it in registers. */
static size_t __attribute__((noinline))
next_trigger(const char *s, size_t n, size_t t)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t last4 = n > 3 ? n - 3 : 0;	/* t < last4: 4 bytes left */

	/* four bytes a round: one bound check for four lookups */
	for (; t < last4; t += 4) {
		if (ctab[u[t]] & RC_TRIGGER)
			return t;
		if (ctab[u[t + 1]] & RC_TRIGGER)
			return t + 1;
		if (ctab[u[t + 2]] & RC_TRIGGER)
			return t + 2;
		if (ctab[u[t + 3]] & RC_TRIGGER)
			return t + 3;
	}
	while (t < n && !(ctab[u[t]] & RC_TRIGGER))
		t++;
	return t;
}

/* The first secret from sc->from on, the scan starting at t; what sc
 * knows of the commands read so far carries over from one call to the
 * next of a pass. */
static inline __attribute__((always_inline)) bool
find_from(struct scan *sc, const char *s, size_t n, size_t t, size_t *start,
    size_t *end)
{
	sc->run_end = 0;
	sc->checked = SIZE_MAX;
	for (;; t++) {
		if ((t = next_trigger(s, n, t)) >= n)
			return false;
		sc->skip = 0;
		if (trigger_at(sc, s, n, t, start, end)) {
			size_t a, b;

			/* a value found after its key or flag: a secret
			 * between them (curl -u ghp_...:x) goes with it */
			if (*start > t + 1 && redact_find(s, *start, t + 1, &a, &b))
				*start = a;
			return true;
		}
		if (sc->skip > t) {
			t = sc->skip - 1;
			sc->run_end = sc->skip;
		} else if (sc->run_end > t + 1)
			t = sc->run_end - 1;	/* the rest of a word looked at */
	}
}

static bool __attribute__((noinline))
find_slow(const char *s, size_t n, size_t from, size_t t, size_t *start,
    size_t *end)
{
	struct scan sc = { .from = from, .cmds = { .at = SIZE_MAX } };

	return find_from(&sc, s, n, t, start, end);
}

bool
redact_find(const char *s, size_t n, size_t from, size_t *start, size_t *end)
{
	size_t t;

	tables_ready();
	/* most text: no trigger byte at all, and nothing more to set up */
	if ((t = next_trigger(s, n, from)) >= n)
		return false;
	return find_slow(s, n, from, t, start, end);
}

/* One pass: s with each secret found replaced, the first being [a, b). */
static void
copy_pass(struct jbuf *out, const char *s, size_t n, size_t a, size_t b)
{
	struct scan sc = { .cmds = { .at = SIZE_MAX } };

	tables_ready();
	do {
		jbuf_raw(out, s + sc.from, a - sc.from);
		jbuf_lit(out, REDACTED);
		sc.from = b;
	} while (find_from(&sc, s, n, sc.from, &a, &b));
	jbuf_raw(out, s + sc.from, n - sc.from);
}

/*
 * Rules read context (the command a flag belongs to, whether a value is
 * alone on its line, what follows a word), and a secret replaced can
 * change it: "curl -u -----BEGIN ... KEY-----u:p" shows a flag's value
 * only once the key block is gone.  So the text is redacted again until
 * nothing more is found, and what comes out is redacted already.  Text
 * without secrets is read once; text with some, once more.
 */
#define REDACT_PASSES 8

void
redact_copy(struct jbuf *out, const char *s, size_t n, size_t a, size_t b)
{
	size_t base = out->len;
	struct jbuf again;

	copy_pass(out, s, n, a, b);
	for (int pass = 1; pass < REDACT_PASSES && !out->oom; pass++) {
		if (!redact_find(out->buf + base, out->len - base, 0, &a, &b))
			return;
		again = (struct jbuf){ 0 };
		copy_pass(&again, out->buf + base, out->len - base, a, b);
		out->len = base;
		jbuf_raw(out, again.buf, again.len);
		if (again.oom)
			out->oom = true;
		jbuf_free(&again);
	}
}

bool
redact_append(struct jbuf *out, const char *s, size_t n)
{
	size_t a, b;

	if (!redact_find(s, n, 0, &a, &b))
		return false;
	redact_copy(out, s, n, a, b);
	return true;
}

char *
llmlog_redact(const char *text)
{
	struct jbuf jb = { 0 };
	size_t n;

	if (text == NULL)
		return NULL;
	n = strlen(text);
	if (!redact_append(&jb, text, n))
		jbuf_raw(&jb, text, n);
	jbuf_char(&jb, '\0');
	if (jb.oom) {
		jbuf_free(&jb);
		return NULL;
	}
	return jb.buf;
}

/* ---- caller-given JSON --------------------------------------------------------- */

static bool
string_is_secret_key(json_object *o)
{
	return json_object_is_type(o, json_type_string) &&
	    redact_secret_key(json_object_get_string(o),
	    (size_t)json_object_get_string_len(o));
}

/* {"name": "API_KEY", "value": ...}: a sibling that names a secret key. */
static bool
names_secret(json_object *obj)
{
	json_object_object_foreach(obj, k, v)
		if (key_kind(k, strlen(k)) == KEY_NAME && string_is_secret_key(v))
			return true;
	return false;
}

enum redact_member
redact_member(json_object *obj, const char *key, json_object *val)
{
	enum redact_kind kind = key_kind(key, strlen(key));
	enum json_type t;
	const char *sv;

	if (kind == KEY_PUBLIC || kind == KEY_NAME)
		return MEMBER_SCAN;	/* most keys */
	t = json_object_get_type(val);
	if (t == json_type_null || t == json_type_boolean)
		return MEMBER_SCAN;	/* "auth": null says no secret */
	sv = t == json_type_string ? json_object_get_string(val) : NULL;
	switch (kind) {
	case KEY_PWD:
		return sv != NULL && path_value(sv, strlen(sv)) ? MEMBER_SCAN :
		    MEMBER_SECRET;
	case KEY_EXEMPT:
		return sv != NULL && id_value(sv, strlen(sv)) ?
		    MEMBER_VERBATIM : MEMBER_SCAN;
	case KEY_VALUE:
		return names_secret(obj) ? MEMBER_SECRET : MEMBER_SCAN;
	default:
		return MEMBER_SECRET;
	}
}

/* The element at i of an argv-like array, when it is a string. */
static const char *
argv_at(json_object *arr, size_t i)
{
	json_object *o = json_object_array_get_idx(arr, i);

	return json_object_is_type(o, json_type_string) ?
	    json_object_get_string(o) : NULL;
}

/* The flag rows whose command is one of the elements before i. */
static uint64_t
argv_commands(json_object *arr, size_t i)
{
	uint64_t rows = 0;
	size_t j = i > ARGV_LOOKBACK ? i - ARGV_LOOKBACK : 0, len;
	const char *w, *slash;

	for (; j < i; j++)
		if ((w = argv_at(arr, j)) != NULL) {
			len = strlen(w);
			if ((slash = memrchr(w, '/', len)) != NULL) {
				len -= (size_t)(slash + 1 - w);
				w = slash + 1;
			}
			rows |= commands_named(w, len);
		}
	return rows;
}

bool
redact_argv(json_object *arr, size_t i)
{
	const char *el, *prev = NULL;
	size_t len, plen = 0, a, b;

	if ((el = argv_at(arr, i)) == NULL || el[0] == '\0')
		return false;
	if (i > 0)
		prev = argv_at(arr, i - 1);
	if (el[0] != '-' && (prev == NULL || prev[0] != '-'))
		return false;	/* most arrays */
	tables_ready();
	len = strlen(el);
	plen = prev != NULL ? strlen(prev) : 0;
	for (size_t r = 0; r < redact_nflags; r++) {
		const struct redact_flag *f = &redact_flags[r];
		size_t fl = flag_len[r];
		bool hit;

		if (flags_named & (UINT64_C(1) << r))
			hit = prev != NULL && prev[0] == '-' &&
			    secret_flag(prev, 0, plen) &&
			    span_of(prev, plen, 0, RC_INNER, 0) == plen;
		else if (prev != NULL && (f->form & FLAG_NEXT) && plen == fl &&
		    memcmp(prev, f->flag, fl) == 0)
			hit = flag_secret(f, el, 0, len, &a, &b);
		else
			hit = (f->form & FLAG_JOINED) && len > fl &&
			    memcmp(el, f->flag, fl) == 0;
		if (hit && (f->command == NULL ||
		    (argv_commands(arr, i) & (UINT64_C(1) << r))))
			return true;
	}
	return false;
}
