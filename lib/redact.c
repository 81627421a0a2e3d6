/*
 * redact.c - finds secrets in text before anything is written: API keys
 * and tokens by their shapes (OpenAI, Anthropic, Groq, AWS, GitHub, Slack,
 * Stripe, Google, Hugging Face, npm), PEM private keys, JWTs, "Bearer"
 * tokens, passwords in URLs and the values of secret-looking keys
 * (password=..., "token": ...).
 * One pass: a tight loop over the bytes that looks closer only at the
 * few bytes every secret holds early on.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "llmlog.h"

#define REDACTED "[REDACTED]"

/* character classes, ASCII only: anything else ends a word */
#define C_ALNUM	0x01	/* A-Z a-z 0-9 */
#define C_UPPER	0x02
#define C_DIGIT	0x04
#define C_WORD	0x08	/* alnum and '_': may start a word */
#define C_INNER	0x10	/* alnum, '_' and '-': may continue one */
#define C_B64	0x20	/* token68 (RFC 7235): alnum - . _ ~ + / = */
#define C_SPACE	0x40
#define C_SHAPE	0x80	/* first byte of a secret with a known shape */
#define C_TRIGGER 0x100	/* a byte that makes the scan look closer */

static unsigned short ctab[256];
static pthread_once_t ctab_once = PTHREAD_ONCE_INIT;

static void
ctab_init(void)
{
	for (int c = 0; c < 256; c++) {
		unsigned short f = 0;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			f |= C_ALNUM | C_WORD | C_INNER | C_B64;
		if (c >= 'A' && c <= 'Z')
			f |= C_UPPER;
		if (c >= '0' && c <= '9')
			f |= C_DIGIT;
		if (c == '_')
			f |= C_WORD | C_INNER | C_B64;
		if (c == '-')
			f |= C_INNER | C_B64;
		if (c == '.' || c == '~' || c == '+' || c == '/' || c == '=')
			f |= C_B64;
		if (c == ' ' || c == '\t')
			f |= C_SPACE;
		if (c != 0 && strchr("sgAxeBbrhn", c) != NULL)
			f |= C_SHAPE;
		if (c != 0 && strchr(":=-_AJbB", c) != NULL)
			f |= C_TRIGGER;
		ctab[c] = f;
	}
}

#define IS(c, f) ((ctab[(unsigned char)(c)] & (f)) != 0)

/* Bytes from i on that are all of class f. */
static size_t
span_of(const char *s, size_t n, size_t i, unsigned f)
{
	size_t j = i;

	while (j < n && IS(s[j], f))
		j++;
	return j - i;
}

static bool
starts(const char *s, size_t n, size_t i, const char *lit, size_t litlen)
{
	return n - i >= litlen && memcmp(s + i, lit, litlen) == 0;
}
#define STARTS(s, n, i, lit) starts((s), (n), (i), (lit), sizeof(lit) - 1)

/* c is one of the bytes of set (never NUL, which strchr would match) */
static bool
oneof(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* ---- secret-looking keys ------------------------------------------------ */

/* A key holding a count of tokens, not a token: max_tokens, token_count */
static bool
token_count_key(const char *k, size_t n, size_t at)
{
	static const char *const counts[] = {
		"_count", "_limit", "_usage", "_type", "_len", "_length",
		"_budget", "_max", "_min", "_total",
	};
	char next = at + 5 < n ? k[at + 5] : '\0';

	if ((next >= 'a' && next <= 'z') || (next >= '0' && next <= '9'))
		return true;	/* tokens, tokenizer, token2... */
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		size_t cl = strlen(counts[i]);

		if (n >= cl && memcmp(k + n - cl, counts[i], cl) == 0)
			return true;
	}
	return false;
}

#define AT(k, n, i, lit) \
	((n) - (i) >= sizeof(lit) - 1 && memcmp((k) + (i), (lit), sizeof(lit) - 1) == 0)

/* Whether the normalised key k contains a part that makes any key secret
 * (password, secret, api_key, token, ...): one pass, looking further only
 * at the first letters of those parts. */
static bool
secret_part(const char *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (k[i]) {
		case 'p':
			if (AT(k, n, i, "passw") || AT(k, n, i, "passphrase") ||
			    AT(k, n, i, "private_key") || AT(k, n, i, "privatekey"))
				return true;
			break;
		case 's':
			if (AT(k, n, i, "secret"))
				return true;
			break;
		case 'a':
			if (AT(k, n, i, "api_key") || AT(k, n, i, "apikey") ||
			    AT(k, n, i, "authorization"))
				return true;
			break;
		case 'c':
			if (AT(k, n, i, "credential") || AT(k, n, i, "cookie"))
				return true;
			break;
		case 't':
			if (AT(k, n, i, "token") && !token_count_key(k, n, i))
				return true;
			break;
		}
	}
	return false;
}

/* Keys that are secret only as a whole word (pwd, but not pwd_dir). */
static bool
secret_whole(const char *k, size_t n)
{
	switch (n) {
	case 3:
		return memcmp(k, "pwd", 3) == 0;
	case 4:
		return memcmp(k, "auth", 4) == 0;
	case 9:
		return memcmp(k, "sessionid", 9) == 0;
	case 10:
		return memcmp(k, "session_id", 10) == 0;
	}
	return false;
}

bool
redact_secret_key(const char *key, size_t n)
{
	char k[128];

	if (n == 0 || n >= sizeof k)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == '-' || c == ' ' || c == '.')
			c = '_';
		k[i] = c;
	}
	return secret_part(k, n) || secret_whole(k, n);
}

bool
llmlog_secret_key(const char *key)
{
	return key != NULL && redact_secret_key(key, strlen(key));
}

/* ---- secrets recognised by their shape ---------------------------------- */

/* A run of at least min bytes of class f at i, not followed by another
 * word byte; its end, or 0. */
static size_t
token_end(const char *s, size_t n, size_t i, unsigned f, size_t min)
{
	size_t len = span_of(s, n, i, f);

	if (len < min)
		return 0;
	return i + len;
}

/* After "-----BEGIN " or "-----END " at j: a label such as "RSA PRIVATE
 * KEY" (capitals, digits, spaces) ending in "PRIVATE KEY", then "-----".
 * The end of it, or 0. */
static size_t
pem_label(const char *s, size_t n, size_t j)
{
	static const char key[] = "PRIVATE KEY";
	size_t k = j;

	while (k < n && k - j <= 40 && (IS(s[k], C_UPPER) ||
	    IS(s[k], C_DIGIT) || s[k] == ' '))
		k++;
	if (k - j < sizeof key - 1 ||
	    memcmp(s + k - (sizeof key - 1), key, sizeof key - 1) != 0 ||
	    !STARTS(s, n, k, "-----"))
		return 0;
	return k + 5;
}

/* A PEM private key block from its BEGIN line to its END line, or to the
 * end of the text when the block was cut short. */
static size_t
pem_end(const char *s, size_t n, size_t i)
{
	const char *end;
	size_t from, e;

	if ((from = pem_label(s, n, i + 11)) == 0)
		return 0;
	while ((end = memmem(s + from, n - from, "-----END ", 9)) != NULL) {
		from = (size_t)(end - s) + 9;
		if ((e = pem_label(s, n, from)) != 0)
			return e;
	}
	return n;
}

/* header.payload.signature, both JSON parts base64url of "{\"" */
static size_t
jwt_end(const char *s, size_t n, size_t i)
{
	size_t j = i + span_of(s, n, i, C_INNER);

	if (j - i < 10 || j >= n || s[j] != '.' || !STARTS(s, n, j + 1, "eyJ"))
		return 0;
	j++;
	j += span_of(s, n, j, C_INNER);
	if (j >= n || s[j] != '.')
		return 0;
	j++;
	return j + span_of(s, n, j, C_INNER);
}

/* AWS access key ids: AKIA (or ASIA) and exactly 16 of [A-Z0-9] */
static size_t
aws_end(const char *s, size_t n, size_t i)
{
	size_t j = i + 4, k = 0;

	while (j + k < n && k <= 16 &&
	    (IS(s[j + k], C_UPPER) || IS(s[j + k], C_DIGIT)))
		k++;
	if (k != 16 || (j + k < n && IS(s[j + k], C_WORD)))
		return 0;
	return j + k;
}

/* The token after "Bearer ": long, or with digits or punctuation in it,
 * so that "bearer of bad news" stays. */
static bool
bearer_token(const char *s, size_t n, size_t i, size_t *start, size_t *end)
{
	size_t j = i, len, k;
	bool mixed = false;

	while (j < n && IS(s[j], C_SPACE))
		j++;
	if (j == i)
		return false;
	len = span_of(s, n, j, C_B64);
	if (len < 8)
		return false;
	for (k = j; k < j + len && !mixed; k++)
		mixed = IS(s[k], C_DIGIT) || !IS(s[k], C_ALNUM);
	if (!mixed && len < 20)
		return false;
	*start = j;
	*end = j + len;
	return true;
}

/* A secret that starts at the word beginning at i. */
static bool
shaped_secret(const char *s, size_t n, size_t i, size_t *start, size_t *end)
{
	size_t e = 0;

	switch (s[i]) {
	case 's':
	case 'r':
		if (STARTS(s, n, i, "sk-"))
			e = token_end(s, n, i + 3, C_INNER, 20);
		else if (STARTS(s, n, i + 1, "k_live_") ||
		    STARTS(s, n, i + 1, "k_test_"))	/* Stripe sk_, rk_ */
			e = token_end(s, n, i + 8, C_ALNUM, 16);
		break;
	case 'h':
		if (STARTS(s, n, i, "hf_"))	/* Hugging Face */
			e = token_end(s, n, i + 3, C_ALNUM, 30);
		break;
	case 'n':
		if (STARTS(s, n, i, "npm_"))
			e = token_end(s, n, i + 4, C_ALNUM, 30);
		break;
	case 'g':
		if (STARTS(s, n, i, "gsk_"))
			e = token_end(s, n, i + 4, C_ALNUM, 20);
		else if (STARTS(s, n, i, "github_pat_"))
			e = token_end(s, n, i + 11, C_WORD, 20);
		else if (n - i > 4 && s[i + 1] == 'h' && s[i + 3] == '_' &&
		    oneof(s[i + 2], "pousr"))
			e = token_end(s, n, i + 4, C_ALNUM, 20);
		break;
	case 'A':
		if (STARTS(s, n, i, "AKIA") || STARTS(s, n, i, "ASIA"))
			e = aws_end(s, n, i);
		else if (STARTS(s, n, i, "AIza"))	/* Google API keys */
			e = token_end(s, n, i + 4, C_INNER, 35);
		break;
	case 'x':
		if (n - i > 5 && STARTS(s, n, i, "xox") &&
		    oneof(s[i + 3], "bpasr") && s[i + 4] == '-')
			e = token_end(s, n, i + 5, C_INNER, 10);
		break;
	case 'e':
		if (STARTS(s, n, i, "eyJ"))
			e = jwt_end(s, n, i);
		break;
	case 'B':
	case 'b':
		if (n - i > 6 && strncasecmp(s + i, "bearer", 6) == 0)
			return bearer_token(s, n, i + 6, start, end);
		break;
	}
	if (e == 0)
		return false;
	*start = i;
	*end = e;
	return true;
}

/* ---- key=value and "key": "value" in free text ------------------------- */

/* The value after a separator at j: quoted up to its closing quote, else
 * up to a space or punctuation that ends values in URLs, headers and
 * code; an auth scheme word (Bearer, Basic) is kept. */
static bool
pair_value(const char *s, size_t n, size_t j, size_t *start, size_t *end)
{
	size_t k;
	char q;

	while (j < n && IS(s[j], C_SPACE))
		j++;
	if (j >= n)
		return false;
	if (j + 1 < n && s[j] == '\\' && s[j + 1] == '"') {
		j += 2;
		for (k = j; k < n; k++)
			if (s[k] == '\\' && k + 1 < n && s[k + 1] == '"')
				break;
	} else if (s[j] == '"' || s[j] == '\'') {
		q = s[j++];
		for (k = j; k < n && s[k] != q; k++)
			if (s[k] == '\\' && k + 1 < n)
				k++;
	} else {
		if ((n - j > 7 && strncasecmp(s + j, "bearer ", 7) == 0) ||
		    (n - j > 6 && strncasecmp(s + j, "basic ", 6) == 0)) {
			while (j < n && s[j] != ' ')
				j++;
			while (j < n && IS(s[j], C_SPACE))
				j++;
		}
		for (k = j; k < n; k++)
			if (oneof(s[k], " \t\r\n,;&\"'<>)]}\\"))
				break;
	}
	if (k == j || STARTS(s, n, j, REDACTED))
		return false;	/* nothing, or redacted already */
	*start = j;
	*end = k;
	return true;
}

/* The word s[i..w) followed by "=" or ":" (past a closing quote and
 * spaces) and a secret-looking name. */
static bool
pair_secret(const char *s, size_t n, size_t i, size_t w, size_t *start,
    size_t *end)
{
	size_t j = w;

	if (j + 1 < n && s[j] == '\\' && s[j + 1] == '"')
		j += 2;		/* JSON text inside a JSON string */
	else if (j < n && (s[j] == '"' || s[j] == '\''))
		j++;
	while (j < n && IS(s[j], C_SPACE))
		j++;
	if (j >= n)
		return false;
	if (s[j] == ':') {
		if (j + 1 < n && (s[j + 1] == ':' || s[j + 1] == '/'))
			return false;	/* Foo::bar, scheme:// */
	} else if (s[j] != '=' || (j + 1 < n && s[j + 1] == '='))
		return false;
	if (!redact_secret_key(s + i, w - i))
		return false;
	return pair_value(s, n, j + 1, start, end);
}

/* The start of the word that ends at (or runs through) t: back over word
 * bytes, then forward to a byte that may start a word. */
static size_t
word_start(const unsigned char *u, size_t from, size_t t)
{
	size_t ws = t;

	while (ws > from && (ctab[u[ws - 1]] & C_INNER))
		ws--;
	while (ws < t && !(ctab[u[ws]] & C_WORD))
		ws++;
	return ws;
}

/* At a ':' at t inside "scheme://user:password@host": the password. */
static bool
url_password(const char *s, size_t n, size_t t, size_t *start, size_t *end)
{
	size_t k = t, at;

	/* back to the "//" even past a secret already found in the user
	 * part, so that a second pass finds nothing new */
	while (k > 0 && t - k < 256 && !oneof(s[k - 1], "/@ \t\r\n\"'"))
		k--;
	if (k == t || k < 2 || s[k - 1] != '/' || s[k - 2] != '/')
		return false;
	for (at = t + 1; at < n && at - t < 256; at++)
		if (oneof(s[at], "/@ \t\r\n\"'?#"))
			break;
	if (at >= n || s[at] != '@' || at == t + 1 ||
	    STARTS(s, n, t + 1, REDACTED))
		return false;
	*start = t + 1;
	*end = at;
	return true;
}

/* At a ':' or '=' at t: the key before it (past spaces and a closing
 * quote) and, when it names a secret, the value after it. */
static bool
pair_at(const char *s, size_t n, size_t from, size_t t, size_t *start,
    size_t *end)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t we = t, ws;

	while (we > from && (ctab[u[we - 1]] & C_SPACE))
		we--;
	if (we > from && (u[we - 1] == '"' || u[we - 1] == '\'')) {
		we--;
		if (we > from && u[we - 1] == '\\')
			we--;
	}
	ws = word_start(u, from, we);
	if (ws == we || !(ctab[u[ws]] & C_WORD))
		return false;
	return pair_secret(s, n, ws, we, start, end);
}

/*
 * Every secret holds a trigger byte early on: ':' or '=' after a key, '-'
 * or '_' in most key shapes and PEM armour, 'A' of AKIA, 'J' of eyJ, 'b'
 * of bearer.  The scan runs over the other bytes in a tight loop and looks
 * closer only at triggers, once per word.
 */
bool
redact_find(const char *s, size_t n, size_t from, size_t *start, size_t *end)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t t = from, ws, checked = SIZE_MAX, w;

	/* filled here, not by a constructor, which might run after another
	 * constructor that logs */
	pthread_once(&ctab_once, ctab_init);
	for (;;) {
		while (t < n && !(ctab[u[t]] & C_TRIGGER))
			t++;
		if (t >= n)
			return false;
		if (u[t] == '-' && STARTS(s, n, t, "-----BEGIN ") &&
		    (w = pem_end(s, n, t)) != 0) {
			*start = t;
			*end = w;
			return true;
		}
		if (u[t] == ':' || u[t] == '=') {
			if (pair_at(s, n, from, t, start, end) ||
			    (u[t] == ':' && url_password(s, n, t, start, end)))
				return true;
		} else if ((ws = word_start(u, from, t)) != checked) {
			checked = ws;
			if ((ctab[u[ws]] & C_SHAPE) &&
			    shaped_secret(s, n, ws, start, end))
				return true;
		}
		t++;
	}
}

void
redact_copy(struct jbuf *out, const char *s, size_t n, size_t a, size_t b)
{
	size_t from = 0;

	do {
		jbuf_raw(out, s + from, a - from);
		jbuf_lit(out, REDACTED);
		from = b;
	} while (redact_find(s, n, from, &a, &b));
	jbuf_raw(out, s + from, n - from);
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
