/*
 * redact-rules.h - the shape of the redaction rules: what redact-rules.c
 * holds as data and redact.c walks.  Four tables: secret-looking keys,
 * secrets known by their shape, authorization schemes, command-line
 * flags.  llmlog(5) (REDACTION) lists every row, and test-redact checks it
 * does.
 */
#ifndef REDACT_RULES_H
#define REDACT_RULES_H

#include <stddef.h>

/* ---- character classes ---------------------------------------------------- */

/* Bits of a byte's class, ASCII only (any other byte has none); a run in
 * a shape is of the bytes with any bit of its mask. */
enum {
	RC_UPPER = 1 << 0,	/* A-Z */
	RC_LOWER = 1 << 1,	/* a-z */
	RC_DIGIT = 1 << 2,	/* 0-9 */
	RC_HEX = 1 << 3,	/* 0-9 a-f */
	RC_USCORE = 1 << 4,	/* _ */
	RC_DASH = 1 << 5,	/* - */
	RC_DOT = 1 << 6,	/* . */
	RC_SLASH = 1 << 7,	/* / */
	RC_B64PUNCT = 1 << 8,	/* + = */
	RC_TILDE = 1 << 9,	/* ~ */
	RC_SPACE = 1 << 10,	/* space, tab */
	RC_COLON = 1 << 11,	/* : */
	RC_TRIGGER = 1 << 12,	/* the scan looks closer here (built) */
};
#define RC_ALNUM (RC_UPPER | RC_LOWER | RC_DIGIT)
#define RC_WORD (RC_ALNUM | RC_USCORE)		/* may start a word */
#define RC_INNER (RC_WORD | RC_DASH)		/* may continue one */
#define RC_BASE64 (RC_ALNUM | RC_SLASH | RC_B64PUNCT)
/* token68 (RFC 7235), the credentials after Bearer and the like */
#define RC_TOKEN68 (RC_INNER | RC_DOT | RC_TILDE | RC_SLASH | RC_B64PUNCT)
#define RC_PATH (RC_INNER | RC_SLASH)

/* ---- keys -------------------------------------------------------------- */

/* What a key's value is, when the key's last name parts match a row. */
enum redact_kind {
	KEY_PUBLIC,	/* not a secret: page_token, password_length */
	KEY_SECRET,	/* the value is a secret */
	KEY_HEADER,	/* Authorization: a scheme word, then credentials */
	KEY_COOKIES,	/* Cookie: every name=value; pair */
	KEY_PWD,	/* PWD: the working directory when the value is a path,
			 * else a password (ODBC's PWD=) */
	KEY_EXEMPT,	/* the library's ids: an id-shaped value is not scanned */
	KEY_NAME,	/* {"name": "API_KEY", "value": ...}: names a key */
	KEY_VALUE,	/* ... and the value of the key named beside it */
};

/* A key is read as lowercase name parts (split at _ - . space, any other
 * punctuation, and case changes: apiKey, APIKey) joined; a row is such a
 * joined suffix: "apikey" matches api_key, X-API-KEY and apiKey.  The
 * longest row that matches the key's last parts decides. */
#define KEY_GLUED 0x01	/* may also end a longer part: PGPASSWORD */
#define KEY_WHOLE 0x02	/* only the whole key: PWD, not MYSQL_PWD */

struct redact_key {
	const char *name;
	unsigned char flags;
	unsigned char kind;	/* enum redact_kind */
};

/* ---- shapes --------------------------------------------------------------- */

/* One step of a shape: a literal (lit != NULL), or a run of min..max bytes
 * of class cls (max 0: no limit). */
struct redact_seg {
	const char *lit;
	unsigned short cls;
	unsigned short min, max;
};
#define SEG_LIT(s) { (s), 0, 0, 0 }
#define SEG_RUN(c, lo, hi) { NULL, (c), (lo), (hi) }
#define REDACT_MAXSEGS 6

#define SHAPE_NOCASE 0x01	/* literals in any case: Bearer, bearer */
#define SHAPE_AT_TRIGGER 0x02	/* starts at the trigger byte, not at the
				 * start of the word around it (PEM) */
#define SHAPE_ANY_END 0x04	/* may be followed by a word byte */

/* A secret with a known form.  The scan stops at trigger bytes, finds the
 * word around one and tries the shapes that can start with its first byte
 * (in table order: longer prefixes first).  A shape matches when its
 * segments follow each other from there, greedily, and the word ends with
 * it.  The first keep segments stay (Bearer and its spaces); the rest is
 * replaced. */
struct redact_shape {
	const char *doc;	/* how llmlog(5) names it: "sk-proj-" */
	char trigger;		/* a byte of its first few, for the scan */
	unsigned char flags;
	unsigned char keep;
	const char *first;	/* when it starts with a run: its first bytes */
	const char *const *context;	/* NULL, or one of these (lowercase)
					 * words must come shortly before it,
					 * in any case */
	/* the end of the secret after a last look (the credentials of Basic
	 * decode to user:password; PEM runs to its END line), or 0 */
	size_t (*check)(const char *s, size_t n, size_t start, size_t end);
	struct redact_seg seg[REDACT_MAXSEGS];
};

/* ---- command lines -------------------------------------------------------- */

#define FLAG_NEXT 0x01		/* the value is the next word: -p X, or -p=X */
#define FLAG_JOINED 0x02	/* the value is joined to the flag: -pX */
#define FLAG_COLON 0x04		/* the secret is after the value's first ':' */

/* A flag whose value is a secret when command is a word before it on its
 * line (mysql ... -pX, sudo mysql -pX, cat x | mysql -pX).  command "mysql*" is any word starting with
 * mysql; NULL is any command.  flag "-*" stands for any flag named like a
 * secret key (--password, --api-key).  lead: the value must start with it
 * and the secret follows (openssl's pass:). */
struct redact_flag {
	const char *command;
	const char *flag;
	unsigned char form;
	const char *lead;
};

/* ---- the tables (redact-rules.c) ------------------------------------------ */

extern const struct redact_key redact_keys[];
extern const size_t redact_nkeys;
extern const struct redact_shape redact_shapes[];
extern const size_t redact_nshapes;
extern const struct redact_flag redact_flags[];
extern const size_t redact_nflags;
/* Authorization schemes whose word is kept: "Bearer" [REDACTED]; NULL-ended.
 * Those in redact_param_schemes take auth-params (name="value", ...). */
extern const char *const redact_schemes[];
extern const char *const redact_param_schemes[];
/* Words that follow a flag's name in prose ("the --password option"): not
 * its value.  NULL-ended. */
extern const char *const redact_prose_words[];
/* Bare words after a secret key that are code, not its value ("token =
 * await ...", "auth": null).  NULL-ended. */
extern const char *const redact_code_words[];
/* The labels of PEM blocks that hold a private key: NULL-ended. */
extern const char *const redact_pem_labels[];

/* Bytes of text before a shape searched for its context words. */
#define REDACT_CONTEXT_BYTES 64

/* The checks shapes use (redact.c). */
size_t redact_check_bearer(const char *s, size_t n, size_t start, size_t end);
size_t redact_check_basic(const char *s, size_t n, size_t start, size_t end);
size_t redact_check_pem(const char *s, size_t n, size_t start, size_t end);

#endif
