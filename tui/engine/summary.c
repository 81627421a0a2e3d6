/*
 * summary.c - one line saying what an entry records, per category: the
 * list view's last column and the print mode's short format.  The few
 * values it needs come from a scan of the line (fields.c), or from json-c
 * when the scan declines; both fill the same table, so they say the same.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

/* The keys a summary reads; a category reads some of them. */
enum key {
	K_USER_INPUT, K_SUCCESS, K_DURATION, K_ERROR, K_TOOL_NAME,
	K_TOOL_SERVER, K_PROVIDER, K_MODEL, K_PROMPT, K_COMPLETION, K_TOTAL,
	K_STREAMING, K_ALLOWED, K_ACTION, K_RESOURCE, K_REASON, K_OPERATION,
	K_MEMORY, K_CPU, K_EVENT, K_COMPONENT, K_MESSAGE, NKEYS
};

/* How a key is read, as the summary has always read it through json-c:
 * text (null is none), a finite number, success (a boolean or nothing),
 * or a flag (json_object_get_boolean: anything true-ish). */
enum key_type { T_TEXT, T_NUMBER, T_SUCCESS, T_FLAG };

#define KEY(s, t) { { s, sizeof s - 1 }, t }
static const struct {
	struct field_key key;
	enum key_type type;
} keys[NKEYS] = {
	[K_USER_INPUT] = KEY("user_input", T_TEXT),
	[K_SUCCESS] = KEY("success", T_SUCCESS),
	[K_DURATION] = KEY("duration_ms", T_NUMBER),
	[K_ERROR] = KEY("error", T_TEXT),
	[K_TOOL_NAME] = KEY("tool_name", T_TEXT),
	[K_TOOL_SERVER] = KEY("tool_server", T_TEXT),
	[K_PROVIDER] = KEY("provider", T_TEXT),
	[K_MODEL] = KEY("model", T_TEXT),
	[K_PROMPT] = KEY("prompt_tokens", T_NUMBER),
	[K_COMPLETION] = KEY("completion_tokens", T_NUMBER),
	[K_TOTAL] = KEY("total_tokens", T_NUMBER),
	[K_STREAMING] = KEY("streaming", T_FLAG),
	[K_ALLOWED] = KEY("allowed", T_FLAG),
	[K_ACTION] = KEY("action", T_TEXT),
	[K_RESOURCE] = KEY("resource", T_TEXT),
	[K_REASON] = KEY("reason", T_TEXT),
	[K_OPERATION] = KEY("operation", T_TEXT),
	[K_MEMORY] = KEY("memory_mb", T_NUMBER),
	[K_CPU] = KEY("cpu_percent", T_NUMBER),
	[K_EVENT] = KEY("event", T_TEXT),
	[K_COMPONENT] = KEY("component", T_TEXT),
	[K_MESSAGE] = KEY("message", T_TEXT),
};
#undef KEY

#define MAX_CAT_KEYS 9
static const enum key cat_keys[LLMLOG_NCATEGORIES][MAX_CAT_KEYS + 1] = {
	[LLMLOG_USER] = { K_USER_INPUT, K_SUCCESS, K_ERROR, K_DURATION,
	    NKEYS },
	[LLMLOG_SYSTEM] = { K_EVENT, K_COMPONENT, K_MESSAGE, NKEYS },
	[LLMLOG_TOOL] = { K_TOOL_NAME, K_TOOL_SERVER, K_SUCCESS, K_ERROR,
	    K_DURATION, NKEYS },
	[LLMLOG_LLM] = { K_PROVIDER, K_MODEL, K_PROMPT, K_COMPLETION,
	    K_TOTAL, K_SUCCESS, K_ERROR, K_DURATION, K_STREAMING, NKEYS },
	[LLMLOG_SECURITY] = { K_ALLOWED, K_ACTION, K_RESOURCE, K_REASON,
	    NKEYS },
	[LLMLOG_PERFORMANCE] = { K_OPERATION, K_DURATION, K_MEMORY, K_CPU,
	    NKEYS },
};

/* What a summary knows of an entry. */
struct values {
	const char *text[NKEYS];	/* NULL: absent or null */
	double num[NKEYS];		/* NAN: absent or not a number */
	int flag[NKEYS];		/* 1, 0; -1 for a success that is
					   absent or not a boolean */
};

static void
values_clear(struct values *v)
{
	for (int k = 0; k < NKEYS; k++) {
		v->text[k] = NULL;
		v->num[k] = NAN;
		v->flag[k] = keys[k].type == T_SUCCESS ? -1 : 0;
	}
}

/* From json-c's tree. */
static void
values_from_json(struct values *v, json_object *o, int cat)
{
	json_object *j;

	values_clear(v);
	for (const enum key *k = cat_keys[cat]; *k != NKEYS; k++) {
		if (!json_object_object_get_ex(o, keys[*k].key.name, &j) ||
		    j == NULL)
			continue;
		switch (keys[*k].type) {
		case T_TEXT:
			if (!json_object_is_type(j, json_type_null))
				v->text[*k] = json_object_get_string(j);
			break;
		case T_NUMBER:
			if (json_object_is_type(j, json_type_int) ||
			    json_object_is_type(j, json_type_double))
				v->num[*k] = json_object_get_double(j);
			break;
		case T_SUCCESS:
			if (json_object_is_type(j, json_type_boolean))
				v->flag[*k] = json_object_get_boolean(j);
			break;
		case T_FLAG:
			v->flag[*k] = json_object_get_boolean(j);
			break;
		}
	}
}

/* From a scan of the line; texts are decoded into buf.  False when json-c
 * must read the line: the scan declined, or a value has a type whose
 * reading json-c alone knows (a number as text, a string as a flag). */
static bool
values_from_scan(struct values *v, const char *s, size_t n, int cat,
    struct strbuf *buf)
{
	struct field_key want[MAX_CAT_KEYS];
	struct field_span span[MAX_CAT_KEYS];
	size_t off[MAX_CAT_KEYS], nk = 0;
	const enum key *ks = cat_keys[cat];

	for (; ks[nk] != NKEYS; nk++)
		want[nk] = keys[ks[nk]].key;
	if (!fields_find(s, n, want, nk, span))
		return false;
	values_clear(v);
	for (size_t i = 0; i < nk; i++) {
		enum key k = ks[i];
		char kind = span[i].kind;

		off[i] = SIZE_MAX;
		if (kind == 0 || kind == 'n')
			continue;
		switch (keys[k].type) {
		case T_TEXT:
			if (kind != '"')
				return false;
			off[i] = buf->len;
			if (!field_string(buf, &span[i]))
				return false;
			strbuf_add(buf, "", 1);
			break;
		case T_NUMBER:
			if (kind == '0' && !field_number(&span[i], &v->num[k]))
				return false;
			break;
		case T_SUCCESS:
			if (kind == 't' || kind == 'f')
				v->flag[k] = kind == 't';
			break;
		case T_FLAG:
			if (kind != 't' && kind != 'f')
				return false;
			v->flag[k] = kind == 't';
			break;
		}
	}
	for (size_t i = 0; i < nk; i++)
		if (off[i] != SIZE_MAX)
			v->text[ks[i]] = buf->s + off[i];
	return true;
}

static const char *
str(const struct values *v, enum key k)
{
	return v->text[k];
}

static bool
num(const struct values *v, enum key k, double *out)
{
	*out = v->num[k];
	return isfinite(*out);
}

/* An interaction, tool execution or LLM call failed when success is false,
 * or, without a success field, when it carries an error. */
static bool
failed(const struct values *v)
{
	const char *err;

	if (v->flag[K_SUCCESS] >= 0)
		return !v->flag[K_SUCCESS];
	err = str(v, K_ERROR);
	return err != NULL && *err != '\0';
}

/* |v| times 10^decimals rounded to an integer as printf's %.*f rounds
 * (to nearest, ties to even, on the exact binary value), by integer
 * arithmetic on v's mantissa; false where printf must do it. */
static bool
scaled_round(double v, int decimals, uint64_t *out)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000 };
	unsigned __int128 m, r, half;
	int exp;
	double f;

	if (decimals < 0 || decimals > 3 || !(v < 0x1p53))
		return false;
	f = frexp(v, &exp);		/* v = f * 2^exp, f in [0.5, 1) */
	m = (unsigned __int128)(uint64_t)ldexp(f, 53) * pow10[decimals];
	exp -= 53;			/* v * 10^d = m * 2^exp, exactly */
	if (v == 0)
		m = 0, exp = 0;
	if (exp >= 0) {
		*out = (uint64_t)(m << exp);
		return true;
	}
	if (exp <= -120) {
		*out = 0;		/* far below one half */
		return true;
	}
	r = m & (((unsigned __int128)1 << -exp) - 1);
	half = (unsigned __int128)1 << (-exp - 1);
	m >>= -exp;
	if (r > half || (r == half && (m & 1)))
		m++;
	*out = (uint64_t)m;
	return true;
}

void
eng_format_number(struct strbuf *out, double v, int decimals)
{
	char digits[64], *p;
	size_t intlen, len;
	uint64_t q;

	if (!isfinite(v)) {
		strbuf_puts(out, "?");
		return;
	}
	if (fabs(v) >= 1e21) {
		/* past 21 digits nobody reads them: say how big it is */
		strbuf_printf(out, "%.3g", v);
		return;
	}
	if (scaled_round(fabs(v), decimals, &q)) {
		/* the digits printf would write, without its cost */
		len = sizeof digits;
		digits[--len] = '\0';
		for (int i = 0; i < decimals; i++, q /= 10)
			digits[--len] = (char)('0' + q % 10);
		if (decimals > 0)
			digits[--len] = '.';
		do {
			digits[--len] = (char)('0' + q % 10);
			q /= 10;
		} while (q > 0);
		p = digits + len;
	} else {
		snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
		p = digits;
	}
	if (v < 0 && strspn(p, "0.") != strlen(p))
		strbuf_add(out, "-", 1);
	intlen = strcspn(p, ".");
	for (size_t i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			strbuf_add(out, ",", 1);
		strbuf_add(out, &p[i], 1);
	}
	strbuf_puts(out, p + intlen);
}

static void
add_ms(struct strbuf *out, const struct values *o)
{
	double ms;

	if (num(o, K_DURATION, &ms)) {
		strbuf_add(out, " ", 1);
		eng_format_number(out, ms, 1);
		strbuf_puts(out, "ms");
	}
}

static void
add_outcome(struct strbuf *out, const struct values *o)
{
	const char *err = str(o, K_ERROR);

	if (failed(o)) {
		strbuf_puts(out, " FAILED");
		add_ms(out, o);
		if (err != NULL && *err != '\0') {
			strbuf_puts(out, ": ");
			strbuf_puts(out, err);
		}
	} else {
		strbuf_puts(out, " ok");
		add_ms(out, o);
	}
}

static void
add_word(struct strbuf *out, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	if (out->len > 0 && out->s[out->len - 1] != ' ')
		strbuf_add(out, " ", 1);
	strbuf_puts(out, s);
}

static void
sum_user(struct strbuf *out, const struct values *o)
{
	const char *in = str(o, K_USER_INPUT);

	strbuf_add(out, "\"", 1);
	if (in != NULL)
		strbuf_puts(out, in);
	strbuf_add(out, "\"", 1);
	add_outcome(out, o);
}

static void
sum_tool(struct strbuf *out, const struct values *o)
{
	const char *server = str(o, K_TOOL_SERVER);

	add_word(out, str(o, K_TOOL_NAME));
	if (server != NULL && *server != '\0') {
		strbuf_puts(out, " (");
		strbuf_puts(out, server);
		strbuf_add(out, ")", 1);
	}
	add_outcome(out, o);
}

static void
sum_llm(struct strbuf *out, const struct values *o)
{
	double p, c, t;
	bool hp = num(o, K_PROMPT, &p), hc = num(o, K_COMPLETION, &c);

	add_word(out, str(o, K_PROVIDER));
	add_word(out, str(o, K_MODEL));
	if (hp || hc) {
		strbuf_add(out, " ", 1);
		eng_format_number(out, hp ? p : 0, 0);
		strbuf_add(out, "+", 1);
		eng_format_number(out, hc ? c : 0, 0);
		strbuf_puts(out, " tokens");
	} else if (num(o, K_TOTAL, &t)) {
		strbuf_add(out, " ", 1);
		eng_format_number(out, t, 0);
		strbuf_puts(out, " tokens");
	}
	if (failed(o))
		add_outcome(out, o);
	else
		add_ms(out, o);
	if (o->flag[K_STREAMING] > 0)
		strbuf_puts(out, " streaming");
}

static void
sum_security(struct strbuf *out, const struct values *o)
{
	bool allowed = o->flag[K_ALLOWED] > 0;
	const char *reason = str(o, K_REASON);

	strbuf_puts(out, allowed ? "ALLOWED" : "DENIED");
	add_word(out, str(o, K_ACTION));
	add_word(out, str(o, K_RESOURCE));
	if (reason != NULL && *reason != '\0') {
		strbuf_puts(out, " (");
		strbuf_puts(out, reason);
		strbuf_add(out, ")", 1);
	}
}

static void
sum_performance(struct strbuf *out, const struct values *o)
{
	double v;

	add_word(out, str(o, K_OPERATION));
	add_ms(out, o);
	if (num(o, K_MEMORY, &v)) {
		strbuf_add(out, " ", 1);
		eng_format_number(out, v, 1);
		strbuf_puts(out, "MB");
	}
	if (num(o, K_CPU, &v)) {
		strbuf_puts(out, " cpu ");
		eng_format_number(out, v, 1);
		strbuf_puts(out, "%");
	}
}

static void
sum_system(struct strbuf *out, const struct values *o)
{
	const char *msg = str(o, K_MESSAGE);

	add_word(out, str(o, K_EVENT));
	add_word(out, str(o, K_COMPONENT));
	if (msg != NULL && *msg != '\0') {
		strbuf_puts(out, out->len > 0 ? ": " : "");
		strbuf_puts(out, msg);
	}
}

/* A line that is not ours, or says nothing a category looks for: the
 * first of the usual message keys, as text. */
static bool
sum_foreign(struct strbuf *out, json_object *o)
{
	static const char *const names[] = { "message", "msg", "event",
	    "text", NULL };
	json_object *v;

	for (size_t i = 0; names[i] != NULL; i++) {
		if (json_object_object_get_ex(o, names[i], &v) && v != NULL &&
		    !json_object_is_type(v, json_type_null)) {
			strbuf_puts(out, json_object_get_string(v));
			return true;
		}
	}
	return false;
}

static void
summarise(struct strbuf *out, int cat, const struct values *v)
{
	switch (cat) {
	case LLMLOG_USER:
		sum_user(out, v);
		break;
	case LLMLOG_TOOL:
		sum_tool(out, v);
		break;
	case LLMLOG_LLM:
		sum_llm(out, v);
		break;
	case LLMLOG_SECURITY:
		sum_security(out, v);
		break;
	case LLMLOG_PERFORMANCE:
		sum_performance(out, v);
		break;
	default:
		sum_system(out, v);
		break;
	}
}

/* Our own lines, read by the scanner: false when json-c must read it, or
 * when the category's fields say nothing (the foreign keys then). */
static bool
summary_fast(const struct eng_entry *en, const char *s, size_t n,
    struct strbuf *out)
{
	struct values v;
	struct strbuf buf;
	size_t start = out->len;
	bool ok;

	if ((en->flags & (ENTRY_MALFORMED | ENTRY_FOREIGN)) ||
	    en->category >= LLMLOG_NCATEGORIES)
		return false;
	strbuf_init(&buf);
	if ((ok = values_from_scan(&v, s, n, en->category, &buf))) {
		summarise(out, en->category, &v);
		ok = out->len > start;
	}
	strbuf_free(&buf);
	return ok;
}

void
eng_summary_line(const struct eng_entry *en, const char *s, size_t n,
    struct strbuf *out)
{
	json_object *o = NULL;
	struct values v;
	size_t start = out->len;
	int cat;

	if (summary_fast(en, s, n, out))
		return;
	out->len = start;
	out->s[start] = '\0';
	if (!(en->flags & ENTRY_MALFORMED))
		o = eng_parse_line(s, n);
	if (o == NULL || (en->flags & ENTRY_FOREIGN)) {
		if (o == NULL || !sum_foreign(out, o))
			strbuf_add(out, s, n);
		json_object_put(o);
		return;
	}
	cat = en->category < LLMLOG_NCATEGORIES ? en->category : LLMLOG_SYSTEM;
	values_from_json(&v, o, cat);
	summarise(out, cat, &v);
	if (out->len == start && !sum_foreign(out, o))
		strbuf_add(out, s, n);
	json_object_put(o);
}

void
eng_summary(struct eng *e, const struct eng_entry *en, struct strbuf *out)
{
	const char *s;
	size_t n;

	if ((s = eng_line(e, en, &n)) != NULL)
		eng_summary_line(en, s, n, out);
}
