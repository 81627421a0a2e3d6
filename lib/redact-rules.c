/*
 * redact-rules.c - what redaction looks for, as data: the keys whose
 * values are secrets, the shapes of issuers' keys and tokens, the
 * authorization schemes and the command-line flags that take passwords.
 * redact.c walks these tables and knows no key, prefix or flag itself;
 * llmlog(5) (REDACTION) lists them, and test-redact holds the two alike.
 * Shapes follow the issuers' published formats, so that a word that only
 * starts like a key (sk-learn-pipeline) stays.
 */
#include "config.h"

#include "redact-rules.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- keys ----------------------------------------------------------------- */

/* By the key's last name parts, longest row first; a part that says the
 * value is not the secret itself (_length, _count, _path, _file, _type,
 * _url, _id) is the last part, so needs no row. */
const struct redact_key redact_keys[] = {
	{ "password", KEY_GLUED, KEY_SECRET },	/* db_password, PGPASSWORD */
	{ "passwd", KEY_GLUED, KEY_SECRET },
	{ "passphrase", KEY_GLUED, KEY_SECRET },
	{ "pwd", 0, KEY_SECRET },		/* MYSQL_PWD, db_pwd */
	{ "pwd", KEY_WHOLE, KEY_PWD },		/* PWD=/home/u; PWD=x (ODBC) */
	{ "oldpwd", KEY_WHOLE, KEY_PWD },
	{ "secret", KEY_GLUED, KEY_SECRET },	/* client_secret */
	{ "secrets", KEY_GLUED, KEY_SECRET },
	{ "token", KEY_GLUED, KEY_SECRET },	/* access_token, GITHUB_TOKEN */
	{ "auth", 0, KEY_SECRET },		/* basic_auth, not oauth */
	{ "authorization", KEY_GLUED, KEY_HEADER },	/* Proxy-Authorization */
	{ "credential", KEY_GLUED, KEY_SECRET },
	{ "credentials", KEY_GLUED, KEY_SECRET },
	{ "cookie", KEY_GLUED, KEY_COOKIES },
	{ "cookies", KEY_GLUED, KEY_COOKIES },
	{ "setcookie", 0, KEY_SECRET },		/* its first pair; Path= stays */
	{ "sessionid", KEY_GLUED, KEY_SECRET },	/* session_id, JSESSIONID */
	{ "sessid", KEY_GLUED, KEY_SECRET },	/* PHPSESSID */
	{ "apikey", KEY_GLUED, KEY_SECRET },	/* api_key, X-API-KEY, apiKey */
	{ "accesskey", KEY_GLUED, KEY_SECRET },	/* AWS_SECRET_ACCESS_KEY */
	{ "accountkey", KEY_GLUED, KEY_SECRET },	/* Azure AccountKey= */
	{ "privatekey", KEY_GLUED, KEY_SECRET },
	{ "secretkey", KEY_GLUED, KEY_SECRET },
	{ "secretkeybase", 0, KEY_SECRET },	/* Rails SECRET_KEY_BASE */
	{ "signingkey", KEY_GLUED, KEY_SECRET },
	{ "encryptionkey", KEY_GLUED, KEY_SECRET },
	{ "masterkey", KEY_GLUED, KEY_SECRET },
	{ "sig", 0, KEY_SECRET },		/* Azure SAS ...&sig= */
	{ "amzsignature", 0, KEY_SECRET },	/* X-Amz-Signature= */
	/* ending like a secret, naming something else */
	{ "pagetoken", KEY_GLUED, KEY_PUBLIC },	/* pagination cursors */
	{ "nexttoken", KEY_GLUED, KEY_PUBLIC },
	{ "continuationtoken", KEY_GLUED, KEY_PUBLIC },
	{ "paginationtoken", KEY_GLUED, KEY_PUBLIC },
	{ "cancellationtoken", KEY_GLUED, KEY_PUBLIC },
	{ "pertoken", 0, KEY_PUBLIC },		/* input_cost_per_token */
	{ "maxtoken", 0, KEY_PUBLIC },
	{ "applicationcredentials", 0, KEY_PUBLIC },	/* a file's path */
	/* the library's structural ids */
	{ "traceid", 0, KEY_EXEMPT },
	{ "spanid", 0, KEY_EXEMPT },		/* and parent_span_id */
	/* [{"name": "API_KEY", "value": ...}] */
	{ "name", KEY_WHOLE, KEY_NAME },
	{ "key", KEY_WHOLE, KEY_NAME },
	{ "value", KEY_WHOLE, KEY_VALUE },
};
const size_t redact_nkeys = NELEMS(redact_keys);
_Static_assert(NELEMS(redact_keys) <= 64, "keys are indexed by 64-bit sets");

/* after password= in code: "token = await ...", "auth": null */
const char *const redact_code_words[] = {
	"await", "new", "null", "None", "nil", "undefined", "true", "false",
	NULL,
};

/* ---- shapes --------------------------------------------------------------- */

static const char *const twilio_context[] = { "twilio", "sid", NULL };

/* A prefix and a run after it. */
#define PREFIX(p, trig, cls, lo, hi) { .doc = (p), .trigger = (trig), \
	.seg = { SEG_LIT(p), SEG_RUN((cls), (lo), (hi)) } }

const struct redact_shape redact_shapes[] = {
	/* OpenAI: a legacy key has no hyphen past its prefix; project,
	 * service-account and admin keys are base64url.  Anthropic too. */
	PREFIX("sk-ant-", '-', RC_INNER, 32, 0),
	PREFIX("sk-proj-", '-', RC_INNER, 32, 0),
	PREFIX("sk-svcacct-", '-', RC_INNER, 32, 0),
	PREFIX("sk-admin-", '-', RC_INNER, 32, 0),
	PREFIX("sk-", '-', RC_ALNUM, 20, 0),
	/* Stripe secret and restricted keys, webhook signing secrets */
	PREFIX("sk_live_", '_', RC_ALNUM, 16, 0),
	PREFIX("sk_test_", '_', RC_ALNUM, 16, 0),
	PREFIX("rk_live_", '_', RC_ALNUM, 16, 0),
	PREFIX("rk_test_", '_', RC_ALNUM, 16, 0),
	PREFIX("whsec_", '_', RC_ALNUM, 24, 0),
	PREFIX("gsk_", '_', RC_ALNUM, 20, 0),			/* Groq */
	/* GitHub */
	PREFIX("github_pat_", '_', RC_WORD, 20, 0),
	PREFIX("ghp_", '_', RC_ALNUM, 20, 0),
	PREFIX("gho_", '_', RC_ALNUM, 20, 0),
	PREFIX("ghu_", '_', RC_ALNUM, 20, 0),
	PREFIX("ghs_", '_', RC_ALNUM, 20, 0),
	PREFIX("ghr_", '_', RC_ALNUM, 20, 0),
	PREFIX("glpat-", '-', RC_INNER, 20, 0),			/* GitLab */
	PREFIX("hf_", '_', RC_ALNUM, 30, 0),			/* Hugging Face */
	PREFIX("npm_", '_', RC_ALNUM, 30, 0),
	/* DigitalOcean personal, OAuth and refresh tokens */
	PREFIX("dop_v1_", '_', RC_HEX, 64, 64),
	PREFIX("doo_v1_", '_', RC_HEX, 64, 64),
	PREFIX("dor_v1_", '_', RC_HEX, 64, 64),
	/* AWS access key ids, Google API keys */
	PREFIX("AKIA", 'A', RC_UPPER | RC_DIGIT, 16, 16),
	PREFIX("ASIA", 'A', RC_UPPER | RC_DIGIT, 16, 16),
	PREFIX("AIza", 'A', RC_INNER, 35, 35),
	/* Twilio account and API key SIDs, near the word twilio or sid */
	{ .doc = "AC", .trigger = 'A', .context = twilio_context,
	  .seg = { SEG_LIT("AC"), SEG_RUN(RC_HEX, 32, 32) } },
	{ .doc = "SK", .trigger = 'K', .context = twilio_context,
	  .seg = { SEG_LIT("SK"), SEG_RUN(RC_HEX, 32, 32) } },
	/* Slack bot, user, app-level, refresh tokens; webhook URLs */
	PREFIX("xoxb-", '-', RC_INNER, 10, 0),
	PREFIX("xoxp-", '-', RC_INNER, 10, 0),
	PREFIX("xoxa-", '-', RC_INNER, 10, 0),
	PREFIX("xoxr-", '-', RC_INNER, 10, 0),
	PREFIX("xoxs-", '-', RC_INNER, 10, 0),
	PREFIX("xoxe-", '-', RC_INNER, 10, 0),
	PREFIX("xapp-", '-', RC_INNER, 10, 0),
	{ .doc = "hooks.slack.com/services/", .trigger = '.', .keep = 1,
	  .seg = { SEG_LIT("hooks.slack.com/services/"),
	  SEG_RUN(RC_PATH, 20, 0) } },
	{ .doc = "hooks.slack.com/workflows/", .trigger = '.', .keep = 1,
	  .seg = { SEG_LIT("hooks.slack.com/workflows/"),
	  SEG_RUN(RC_PATH, 20, 0) } },
	/* Discord webhook URLs (the id stays) and bot tokens */
	{ .doc = "discord.com/api/webhooks/", .trigger = '.', .keep = 3,
	  .seg = { SEG_LIT("discord.com/api/webhooks/"),
	  SEG_RUN(RC_DIGIT, 17, 20), SEG_LIT("/"), SEG_RUN(RC_INNER, 60, 0) } },
	{ .doc = "discordapp.com/api/webhooks/", .trigger = '.', .keep = 3,
	  .seg = { SEG_LIT("discordapp.com/api/webhooks/"),
	  SEG_RUN(RC_DIGIT, 17, 20), SEG_LIT("/"), SEG_RUN(RC_INNER, 60, 0) } },
	{ .doc = "Discord", .trigger = '.', .first = "MNO",
	  .seg = { SEG_RUN(RC_INNER, 23, 28), SEG_LIT("."),
	  SEG_RUN(RC_INNER, 6, 7), SEG_LIT("."), SEG_RUN(RC_INNER, 27, 40) } },
	/* Telegram bot tokens, alone and in the Bot API's URLs */
	{ .doc = "Telegram", .trigger = ':', .first = "123456789",
	  .seg = { SEG_RUN(RC_DIGIT, 8, 10), SEG_LIT(":"),
	  SEG_RUN(RC_INNER, 35, 35) } },
	{ .doc = "bot", .trigger = ':', .keep = 1,
	  .seg = { SEG_LIT("bot"), SEG_RUN(RC_DIGIT, 8, 10), SEG_LIT(":"),
	  SEG_RUN(RC_INNER, 35, 35) } },
	/* SendGrid */
	{ .doc = "SG.", .trigger = '.',
	  .seg = { SEG_LIT("SG."), SEG_RUN(RC_INNER, 22, 22), SEG_LIT("."),
	  SEG_RUN(RC_INNER, 43, 43) } },
	/* JSON Web Tokens: header.payload.signature, both JSON parts
	 * base64url of {" */
	{ .doc = "eyJ", .trigger = 'J',
	  .seg = { SEG_LIT("eyJ"), SEG_RUN(RC_INNER, 7, 0), SEG_LIT(".eyJ"),
	  SEG_RUN(RC_INNER, 0, 0), SEG_LIT("."), SEG_RUN(RC_INNER, 0, 0) } },
	/* credentials after the scheme word, in free text: long, or with
	 * digits or punctuation ("the bearer of bad news" stays); Basic
	 * credentials decode to user:password */
	{ .doc = "Bearer", .trigger = 'b', .flags = SHAPE_NOCASE, .keep = 2,
	  .check = redact_check_bearer,
	  .seg = { SEG_LIT("bearer"), SEG_RUN(RC_SPACE, 1, 8),
	  SEG_RUN(RC_TOKEN68, 8, 0) } },
	{ .doc = "Basic", .trigger = 'b', .flags = SHAPE_NOCASE, .keep = 2,
	  .check = redact_check_basic,
	  .seg = { SEG_LIT("basic"), SEG_RUN(RC_SPACE, 1, 8),
	  SEG_RUN(RC_BASE64, 8, 0) } },
	/* PEM private key blocks, to their END line */
	{ .doc = "PRIVATE KEY", .trigger = '-',
	  .flags = SHAPE_AT_TRIGGER | SHAPE_ANY_END, .check = redact_check_pem,
	  .seg = { SEG_LIT("-----BEGIN "),
	  SEG_RUN(RC_UPPER | RC_DIGIT | RC_SPACE, 11, 40), SEG_LIT("-----") } },
};
const size_t redact_nshapes = NELEMS(redact_shapes);
_Static_assert(NELEMS(redact_shapes) <= 64,
    "shapes are indexed by 64-bit sets");

const char *const redact_pem_labels[] = {
	"PRIVATE KEY",		/* RSA, EC, OPENSSH, ENCRYPTED, PKCS #8 */
	"PRIVATE KEY BLOCK",	/* PGP */
	NULL,
};

/* ---- authorization schemes ------------------------------------------------ */

const char *const redact_schemes[] = {
	"Basic", "Bearer", "Token", "Bot", "Digest", "ApiKey", "Api-Key",
	"AWS", "AWS4-HMAC-SHA256", "Negotiate", "NTLM", "OAuth", "MAC",
	"HOBA", "Mutual", "SCRAM-SHA-1", "SCRAM-SHA-256", "vapid", "SSWS",
	"SharedKey", "SharedKeyLite", "GoogleLogin", "Splunk", "DPoP", "JWT",
	"Key", "Signature",
	NULL,
};

const char *const redact_param_schemes[] = {
	"Token", "Digest", "AWS4-HMAC-SHA256", "OAuth", "MAC", "HOBA",
	"Mutual", "SCRAM-SHA-1", "SCRAM-SHA-256", "vapid", "Signature",
	NULL,
};

/* ---- command lines -------------------------------------------------------- */

const struct redact_flag redact_flags[] = {
	{ NULL, "-*", FLAG_NEXT, NULL },	/* --password X, --api-key=X */
	{ "mysql*", "-p", FLAG_JOINED, NULL },	/* -p alone prompts */
	{ "mariadb*", "-p", FLAG_JOINED, NULL },
	{ "sshpass", "-p", FLAG_NEXT | FLAG_JOINED, NULL },
	{ "login", "-p", FLAG_NEXT | FLAG_JOINED, NULL },	/* docker login */
	{ "mongo*", "-p", FLAG_NEXT | FLAG_JOINED, NULL },
	{ "redis-cli", "-a", FLAG_NEXT | FLAG_JOINED, NULL },
	{ "redis-cli", "--pass", FLAG_NEXT, NULL },
	{ "curl", "-u", FLAG_NEXT | FLAG_JOINED | FLAG_COLON, NULL },
	{ "curl", "--user", FLAG_NEXT | FLAG_COLON, NULL },
	{ "curl", "-U", FLAG_NEXT | FLAG_JOINED | FLAG_COLON, NULL },
	{ "curl", "--proxy-user", FLAG_NEXT | FLAG_COLON, NULL },
	{ "http", "-a", FLAG_NEXT | FLAG_COLON, NULL },		/* HTTPie */
	{ "ldap*", "-w", FLAG_NEXT | FLAG_JOINED, NULL },
	{ "sqlcmd", "-P", FLAG_NEXT | FLAG_JOINED, NULL },
	{ "zip", "-P", FLAG_NEXT, NULL },
	{ "unzip", "-P", FLAG_NEXT, NULL },
	{ "7z*", "-p", FLAG_JOINED, NULL },
	{ "openssl", "-passin", FLAG_NEXT, "pass:" },
	{ "openssl", "-passout", FLAG_NEXT, "pass:" },
	{ "openssl", "-pass", FLAG_NEXT, "pass:" },
	{ "openssl", "-k", FLAG_NEXT, NULL },
	{ "keytool", "-storepass", FLAG_NEXT, NULL },
	{ "keytool", "-keypass", FLAG_NEXT, NULL },
};
const size_t redact_nflags = NELEMS(redact_flags);
_Static_assert(NELEMS(redact_flags) <= 64, "flags are indexed by 64-bit sets");

const char *const redact_prose_words[] = {
	"option", "options", "flag", "flags", "argument", "arguments",
	"parameter", "switch", "to", "or", "and", "is", "are", "with", "for",
	"if", "in", "of", "on", "the", "a", "an", "as", "when", "which",
	"that", "instead", "must", "can", "will", "then",
	NULL,
};
