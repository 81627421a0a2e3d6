/*
 * prices.c - what an LLM call cost: the price table (LiteLLM's shape, a
 * JSON object of "provider/model" -> input_cost_per_token and
 * output_cost_per_token in USD) and the cost of a call, computed when it
 * is read, so that a new table re-prices history.  The table is a
 * configuration file, not a log line, and is parsed with json-c; the
 * calls' fields are read through the scanner as every other figure is.
 * A loaded table is never changed while the engine reads it: threads
 * share it without a lock.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

#ifndef LLMLOG_PRICES_FILE
#define LLMLOG_PRICES_FILE "/usr/local/share/llmlog/prices.json"
#endif

/* a larger price file is refused */
#define PRICES_MAX_BYTES	(256u << 20)
#define KEY_INPUT	"input_cost_per_token"
#define KEY_OUTPUT	"output_cost_per_token"

struct price_item {
	char *key;		/* NULL: an empty slot */
	size_t len;
	struct price price;
};

struct eng_prices {
	struct price_item *v;	/* open addressing, cap a power of two */
	size_t n, cap;
};

static uint64_t
key_hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

static struct price_item *
slot_of(const struct eng_prices *p, const char *s, size_t n)
{
	size_t i;

	for (i = key_hash(s, n) & (p->cap - 1); p->v[i].key != NULL;
	    i = (i + 1) & (p->cap - 1))
		if (p->v[i].len == n && memcmp(p->v[i].key, s, n) == 0)
			break;
	return &p->v[i];
}

static void
prices_grow(struct eng_prices *p)
{
	struct eng_prices old = *p;

	p->cap = old.cap ? old.cap * 2 : 64;
	p->v = eng_xcalloc(p->cap, sizeof *p->v);
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].key != NULL)
			*slot_of(p, old.v[i].key, old.v[i].len) = old.v[i];
	free(old.v);
}

/* Add or replace an entry. */
static void
prices_put(struct eng_prices *p, const char *key, size_t len, struct price pr)
{
	struct price_item *it;

	if (p->n * 2 >= p->cap)
		prices_grow(p);
	it = slot_of(p, key, len);
	if (it->key == NULL) {
		it->key = eng_xstrndup(key, len);
		it->len = len;
		p->n++;
	}
	it->price = pr;
}

struct eng_prices *
eng_prices_new(void)
{
	return eng_xcalloc(1, sizeof(struct eng_prices));
}

void
eng_prices_free(struct eng_prices *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->v[i].key);
	free(p->v);
	free(p);
}

/* What the prices are, whatever the order they were read in: a sum of
 * each key's and price's hash (the figures counted with them, kept in
 * the index cache, name the prices they were counted with). */
uint64_t
prices_fingerprint(const struct eng_prices *p)
{
	uint64_t sum = (uint64_t)(p != NULL ? p->n : 0);

	for (size_t i = 0; p != NULL && i < p->cap; i++) {
		const struct price_item *it = &p->v[i];
		uint64_t h, bits;

		if (it->key == NULL)
			continue;
		h = key_hash(it->key, it->len);
		memcpy(&bits, &it->price.in, sizeof bits);
		h = (h ^ bits) * UINT64_C(1099511628211);
		memcpy(&bits, &it->price.out, sizeof bits);
		h = (h ^ bits) * UINT64_C(1099511628211);
		sum += h ^ (h >> 29);
	}
	return sum;
}

size_t
eng_prices_count(const struct eng_prices *p)
{
	return p != NULL ? p->n : 0;
}

static const struct price *
find(const struct eng_prices *p, const char *key, size_t len)
{
	const struct price_item *it;

	if (p == NULL || p->n == 0)
		return NULL;
	it = slot_of(p, key, len);
	return it->key != NULL ? &it->price : NULL;
}

const struct price *
prices_find(const struct eng_prices *p, const struct field_text *provider,
    const struct field_text *model)
{
	const struct price *pr = NULL;
	char small[256];
	char *key = small;
	size_t pn = provider != NULL ? provider->n : 0;
	size_t mn = model != NULL ? model->n : 0;
	size_t need = pn + mn + 2;

	if (p == NULL || p->n == 0 || (provider == NULL && model == NULL))
		return NULL;
	if (need > sizeof small)
		key = eng_xmalloc(need);
	if (provider != NULL) {
		memcpy(key, provider->s, pn);
		key[pn] = '/';
	}
	if (provider != NULL && model != NULL) {
		memcpy(key + pn + 1, model->s, mn);
		pr = find(p, key, pn + 1 + mn);
	}
	if (pr == NULL && model != NULL)
		pr = find(p, model->s, mn);
	if (pr == NULL && provider != NULL) {
		key[pn + 1] = '*';
		pr = find(p, key, pn + 2);
	}
	if (key != small)
		free(key);
	return pr;
}

/* A token count: a number at or above 0, else none. */
static double
tokens(const struct jscan_value *v)
{
	double d;

	return v != NULL && jscan_number(v, &d) == JSCAN_NUM_OK && d > 0 ? d :
	    0;
}

enum eng_cost
cost_priced(const struct price *pr, const struct cost_call *c, double *usd)
{
	double d;

	if (c->given != NULL && jscan_number(c->given, &d) == JSCAN_NUM_OK &&
	    d >= 0) {
		*usd = d;
		return ENG_COST_GIVEN;
	}
	if (pr == NULL) {
		*usd = 0;
		return ENG_COST_UNPRICED;
	}
	*usd = tokens(c->prompt) * pr->in + tokens(c->completion) * pr->out;
	return ENG_COST_PRICED;
}

enum eng_cost
cost_compute(const struct eng_prices *p, const struct cost_call *c,
    double *usd)
{
	return cost_priced(prices_find(p, c->has_provider ? &c->provider :
	    NULL, c->has_model ? &c->model : NULL), c, usd);
}

enum eng_cost
fields_cost(const struct eng_prices *p, const struct fields *f, double *usd)
{
	struct strbuf sp = { 0 }, sm = { 0 };
	struct cost_call c = {
		.prompt = field_value(f, FIELD_PROMPT),
		.completion = field_value(f, FIELD_COMPLETION),
		.given = field_value(f, FIELD_COST),
	};
	enum eng_cost rc;

	c.has_provider = field_text(f, FIELD_PROVIDER, &sp, &c.provider);
	c.has_model = field_text(f, FIELD_MODEL, &sm, &c.model);
	rc = cost_compute(p, &c, usd);
	strbuf_free(&sp);
	strbuf_free(&sm);
	return rc;
}

enum eng_cost
eng_entry_cost(const struct eng *e, const struct eng_entry *en, const char *s,
    size_t n, double *usd)
{
	struct fields f;

	*usd = 0;
	if (en->category != LLMLOG_LLM || s == NULL ||
	    (en->flags & (ENTRY_MALFORMED | ENTRY_FOREIGN)) ||
	    !fields_read(s, n, LLMLOG_LLM, &f))
		return ENG_COST_NONE;
	return fields_cost(e->prices, &f, usd);
}

bool
eng_cost_describe(const struct eng *e, const struct eng_entry *en,
    const char *s, size_t n, struct strbuf *out)
{
	struct strbuf sp = { 0 }, sm = { 0 };
	struct field_text pv, mv;
	struct fields f;
	double usd;

	if (en->category != LLMLOG_LLM || s == NULL ||
	    (en->flags & (ENTRY_MALFORMED | ENTRY_FOREIGN)) ||
	    !fields_read(s, n, LLMLOG_LLM, &f))
		return false;
	switch (fields_cost(e->prices, &f, &usd)) {
	case ENG_COST_GIVEN:
		eng_format_cost(out, usd);
		strbuf_puts(out, " (its cost_usd)");
		break;
	case ENG_COST_PRICED:
		eng_format_cost(out, usd);
		strbuf_puts(out, " (from the price table)");
		break;
	default:
		strbuf_puts(out, "no price for ");
		if (field_text(&f, FIELD_PROVIDER, &sp, &pv))
			strbuf_add(out, pv.s, pv.n);
		else
			strbuf_puts(out, "unknown");
		strbuf_add(out, "/", 1);
		if (field_text(&f, FIELD_MODEL, &sm, &mv))
			strbuf_add(out, mv.s, mv.n);
		else
			strbuf_puts(out, "unknown");
		break;
	}
	strbuf_free(&sp);
	strbuf_free(&sm);
	return true;
}

void
eng_set_prices(struct eng *e, const struct eng_prices *p)
{
	e->prices = p;
}

const struct eng_prices *
eng_prices(const struct eng *e)
{
	return e->prices;
}

void
eng_format_cost(struct strbuf *out, double usd)
{
	double a = fabs(usd);
	int decimals;
	size_t start;

	strbuf_add(out, "$", 1);
	if (a >= 1 || !isfinite(a)) {
		eng_format_number(out, usd, 2);
		return;
	}
	/* four significant digits, trailing zeros dropped down to cents */
	decimals = a > 0 ? 3 - (int)floor(log10(a)) : 2;
	if (decimals < 2)
		decimals = 2;
	if (decimals > 12)
		decimals = 12;
	start = out->len;
	strbuf_printf(out, "%.*f", decimals, usd);
	while (out->len - start > 3 && out->s[out->len - 1] == '0' &&
	    out->s[out->len - 3] != '.')
		out->s[--out->len] = '\0';
}

/* ---- loading a price file ------------------------------------------------ */

/* The 1-based line of byte at of text. */
static size_t
line_at(const char *text, size_t at)
{
	size_t line = 1;

	for (size_t i = 0; i < at; i++)
		line += text[i] == '\n';
	return line;
}

/* The line where key is given as a member (its first such place), or 0
 * when it is written with escapes that the search does not undo. */
static size_t
key_line(const char *text, size_t len, const char *key)
{
	size_t kn = strlen(key);

	for (const char *q = text; (q = memchr(q, '"', len - (size_t)(q -
	    text))) != NULL; q++) {
		const char *end = q + 1 + kn, *p;

		if ((size_t)(end - text) >= len ||
		    memcmp(q + 1, key, kn) != 0 || *end != '"')
			continue;
		p = jscan_ws(end + 1, text + len);
		if (p < text + len && *p == ':')
			return line_at(text, (size_t)(q - text));
	}
	return 0;
}

static void
where_err(char *err, size_t errlen, const char *path, size_t line)
{
	if (line > 0)
		snprintf(err, errlen, "%s:%zu: ", path, line);
	else
		snprintf(err, errlen, "%s: ", path);
}

/* One price of an entry: 1 a price, 0 none (the entry is not a price),
 * -1 a bad value, said in why. */
static int
price_value(json_object *entry, const char *field, double *out, char *why,
    size_t whylen)
{
	json_object *v;

	if (!json_object_object_get_ex(entry, field, &v) || v == NULL)
		return 0;
	if ((json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)) &&
	    isfinite(*out = json_object_get_double(v)) && *out >= 0)
		return 1;
	snprintf(why, whylen, "%s is %.60s, expected a number of US dollars "
	    "per token, 0 or more", field, json_object_to_json_string_ext(v,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	return -1;
}

/* The members of the top object into p. */
static int
load_entries(struct eng_prices *p, json_object *top, const char *path,
    const char *text, size_t len, char *err, size_t errlen)
{
	json_object_object_foreach(top, key, val) {
		struct price pr;
		char why[256];
		int a, b;

		/* "_updated" and other notes; LiteLLM's description of its
		 * own format */
		if (key[0] == '_' || strcmp(key, "sample_spec") == 0 ||
		    !json_object_is_type(val, json_type_object))
			continue;
		if ((a = price_value(val, KEY_INPUT, &pr.in, why,
		    sizeof why)) < 0 || (b = price_value(val, KEY_OUTPUT,
		    &pr.out, why, sizeof why)) < 0) {
			where_err(err, errlen, path, key_line(text, len, key));
			snprintf(err + strlen(err), errlen - strlen(err),
			    "price '%.200s': %s", key, why);
			return -1;
		}
		if (a && b)
			prices_put(p, key, strlen(key), pr);
	}
	return 0;
}

static char *
read_file(const char *path, size_t *len, char *err, size_t errlen, int *eno)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	*eno = 0;
	if (f == NULL) {
		*eno = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)PRICES_MAX_BYTES) {
		snprintf(err, errlen, "%s: %s", path, S_ISREG(st.st_mode) ?
		    "larger than 256 MiB: not a price table" :
		    "not a regular file");
		fclose(f);
		return NULL;
	}
	buf = eng_xmalloc((size_t)st.st_size + 1);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

int
eng_prices_load(struct eng_prices *p, const char *path, bool missing_ok,
    char *err, size_t errlen)
{
	struct json_tokener *tok;
	json_object *top;
	size_t len, end;
	char *text;
	int eno, rc = -1;

	if ((text = read_file(path, &len, err, errlen, &eno)) == NULL)
		return missing_ok && (eno == ENOENT || eno == ENOTDIR) ? 0 : -1;
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	top = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (top == NULL ||
	    json_tokener_get_error(tok) != json_tokener_success) {
		where_err(err, errlen, path, line_at(text, end < len ? end :
		    len));
		snprintf(err + strlen(err), errlen - strlen(err),
		    "not valid JSON: %s", json_tokener_get_error(tok) ==
		    json_tokener_continue ? "the text ends too early" :
		    json_tokener_error_desc(json_tokener_get_error(tok)));
	} else if (*jscan_ws(text + end, text + len) != '\0') {
		where_err(err, errlen, path, line_at(text, end));
		snprintf(err + strlen(err), errlen - strlen(err),
		    "not valid JSON: text after the price table");
	} else if (!json_object_is_type(top, json_type_object)) {
		where_err(err, errlen, path, 1);
		snprintf(err + strlen(err), errlen - strlen(err),
		    "expected a JSON object of \"provider/model\": {\""
		    KEY_INPUT "\": N, \"" KEY_OUTPUT "\": N}");
	} else {
		rc = load_entries(p, top, path, text, len, err, errlen);
	}
	json_object_put(top);
	json_tokener_free(tok);
	free(text);
	return rc;
}

struct eng_prices *
eng_prices_default(const char *path, char *err, size_t errlen)
{
	struct eng_prices *p = eng_prices_new();
	const char *env = getenv("LLMLOG_PRICES");
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct strbuf user;
	int rc;

	if (path == NULL && env != NULL && *env != '\0')
		path = env;
	if (path != NULL) {
		if (eng_prices_load(p, path, false, err, errlen) == 0)
			return p;
		eng_prices_free(p);
		return NULL;
	}
	if (eng_prices_load(p, LLMLOG_PRICES_FILE, true, err, errlen) != 0) {
		eng_prices_free(p);
		return NULL;
	}
	strbuf_init(&user);
	if (xdg != NULL && xdg[0] == '/')
		strbuf_printf(&user, "%s/llmlog/prices.json", xdg);
	else if (home != NULL && home[0] == '/')
		strbuf_printf(&user, "%s/.config/llmlog/prices.json", home);
	rc = user.len > 0 ? eng_prices_load(p, user.s, true, err, errlen) : 0;
	strbuf_free(&user);
	if (rc != 0) {
		eng_prices_free(p);
		return NULL;
	}
	return p;
}
