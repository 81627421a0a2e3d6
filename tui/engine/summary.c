/*
 * summary.c - one line saying what an entry records, per category: the
 * list view's last column and the print mode's short format.  Its values
 * are the entry's fields as fields.c reads them for the statistics too,
 * so that what a summary says of a line is what the figures count.
 * Texts are decoded, NUL bytes and all, and not yet sanitised.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

/* An entry's fields and a buffer for the text of one of them. */
struct sum {
	const struct fields *f;
	struct strbuf tmp;
};

/* A field's text (field_text), valid until the next call. */
static bool
text(struct sum *c, enum field k, struct field_text *t)
{
	return field_text(c->f, k, &c->tmp, t);
}

/* Whether a field has a text that is not empty. */
static bool
nonempty(struct sum *c, enum field k, struct field_text *t)
{
	return text(c, k, t) && t->n > 0;
}

static bool
failed(const struct sum *c)
{
	return fields_failed(c->f);
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

/* A number with the given decimals; one past a double's range as it is
 * written (1e400).  False when the field is not a number. */
static bool
add_number(struct strbuf *out, const struct sum *c, enum field k,
    int decimals)
{
	const struct jscan_value *v = field_value(c->f, k);
	double d;

	switch (field_number(c->f, k, &d)) {
	case JSCAN_NUM_OK:
		eng_format_number(out, d, decimals);
		return true;
	case JSCAN_NUM_RANGE:
		strbuf_add(out, v->s, v->n);
		return true;
	default:
		return false;
	}
}

static bool
is_number(const struct sum *c, enum field k)
{
	return field_value(c->f, k)->kind == JSCAN_NUMBER;
}

static void
add_ms(struct strbuf *out, const struct sum *c)
{
	if (is_number(c, FIELD_DURATION)) {
		strbuf_add(out, " ", 1);
		add_number(out, c, FIELD_DURATION, 1);
		strbuf_puts(out, "ms");
	}
}

static void
add_outcome(struct strbuf *out, struct sum *c)
{
	struct field_text err;

	if (failed(c)) {
		strbuf_puts(out, " FAILED");
		add_ms(out, c);
		if (nonempty(c, FIELD_ERROR, &err)) {
			strbuf_puts(out, ": ");
			strbuf_add(out, err.s, err.n);
		}
	} else {
		strbuf_puts(out, " ok");
		add_ms(out, c);
	}
}

/* A field's text as a word, after a space unless at the start. */
static void
add_word(struct strbuf *out, struct sum *c, enum field k)
{
	struct field_text t;

	if (!nonempty(c, k, &t))
		return;
	if (out->len > 0 && out->s[out->len - 1] != ' ')
		strbuf_add(out, " ", 1);
	strbuf_add(out, t.s, t.n);
}

/* " (text)" when the field has one. */
static void
add_paren(struct strbuf *out, struct sum *c, enum field k)
{
	struct field_text t;

	if (nonempty(c, k, &t)) {
		strbuf_puts(out, " (");
		strbuf_add(out, t.s, t.n);
		strbuf_add(out, ")", 1);
	}
}

static void
sum_user(struct strbuf *out, struct sum *c)
{
	struct field_text in;

	strbuf_add(out, "\"", 1);
	if (text(c, FIELD_USER_INPUT, &in))
		strbuf_add(out, in.s, in.n);
	strbuf_add(out, "\"", 1);
	add_outcome(out, c);
}

/* The parameters that say what a tool call acted on, the first one
 * present wins: read_file's path, run_command's command, fetch's url. */
#define KEY(s) { s, sizeof s - 1 }
static const struct jscan_key main_params[] = {
	KEY("path"), KEY("command"), KEY("cmd"), KEY("url"), KEY("file"),
	KEY("query"),
};
#undef KEY
#define NMAIN_PARAMS (sizeof main_params / sizeof main_params[0])

/* " value" of the main parameter, when parameters is an object holding
 * one as a non-empty string (cut parameters are a string: none). */
static void
add_main_param(struct strbuf *out, const struct sum *c)
{
	struct jscan_value v[NMAIN_PARAMS];

	if (jscan_find(field_value(c->f, FIELD_PARAMETERS), main_params,
	    NMAIN_PARAMS, v) == 0)
		return;
	for (size_t i = 0; i < NMAIN_PARAMS; i++) {
		if (v[i].kind == JSCAN_STRING && v[i].n > 0) {
			strbuf_add(out, " ", 1);
			jscan_string(out, &v[i]);
			return;
		}
	}
}

static void
sum_tool(struct strbuf *out, struct sum *c)
{
	add_word(out, c, FIELD_TOOL_NAME);
	add_main_param(out, c);
	add_paren(out, c, FIELD_TOOL_SERVER);
	add_outcome(out, c);
}

static void
sum_llm(struct strbuf *out, struct sum *c)
{
	bool hp = is_number(c, FIELD_PROMPT), hc = is_number(c,
	    FIELD_COMPLETION);

	add_word(out, c, FIELD_PROVIDER);
	add_word(out, c, FIELD_MODEL);
	if (hp || hc) {
		strbuf_add(out, " ", 1);
		if (!add_number(out, c, FIELD_PROMPT, 0))
			strbuf_add(out, "0", 1);
		strbuf_add(out, "+", 1);
		if (!add_number(out, c, FIELD_COMPLETION, 0))
			strbuf_add(out, "0", 1);
		strbuf_puts(out, " tokens");
	} else if (is_number(c, FIELD_TOTAL)) {
		strbuf_add(out, " ", 1);
		add_number(out, c, FIELD_TOTAL, 0);
		strbuf_puts(out, " tokens");
	}
	/* before the outcome, whose error text runs to the end */
	if (field_bool(c->f, FIELD_STREAMING) == 1)
		strbuf_puts(out, " streaming");
	if (failed(c))
		add_outcome(out, c);
	else
		add_ms(out, c);
}

static void
sum_security(struct strbuf *out, struct sum *c)
{
	strbuf_puts(out, field_bool(c->f, FIELD_ALLOWED) == 1 ? "ALLOWED" :
	    "DENIED");
	add_word(out, c, FIELD_ACTION);
	add_word(out, c, FIELD_RESOURCE);
	add_paren(out, c, FIELD_REASON);
}

static void
sum_performance(struct strbuf *out, struct sum *c)
{
	add_word(out, c, FIELD_OPERATION);
	add_ms(out, c);
	if (is_number(c, FIELD_MEMORY)) {
		strbuf_add(out, " ", 1);
		add_number(out, c, FIELD_MEMORY, 1);
		strbuf_puts(out, "MB");
	}
	if (is_number(c, FIELD_CPU)) {
		strbuf_puts(out, " cpu ");
		add_number(out, c, FIELD_CPU, 1);
		strbuf_puts(out, "%");
	}
}

static void
sum_system(struct strbuf *out, struct sum *c)
{
	struct field_text msg;

	add_word(out, c, FIELD_EVENT);
	add_word(out, c, FIELD_COMPONENT);
	if (nonempty(c, FIELD_MESSAGE, &msg)) {
		strbuf_puts(out, out->len > 0 ? ": " : "");
		strbuf_add(out, msg.s, msg.n);
	}
}

/* A line that is not ours, or says nothing a category looks for: the
 * first of the usual message keys that has a text. */
static bool
sum_foreign(struct strbuf *out, struct sum *c)
{
	struct field_text t;

	for (const enum field *k = fields_set(FIELDS_FOREIGN); *k != NFIELDS;
	    k++) {
		if (text(c, *k, &t)) {
			strbuf_add(out, t.s, t.n);
			return true;
		}
	}
	return false;
}

static void
summarise(struct strbuf *out, int cat, struct sum *c)
{
	switch (cat) {
	case LLMLOG_USER:
		sum_user(out, c);
		break;
	case LLMLOG_TOOL:
		sum_tool(out, c);
		break;
	case LLMLOG_LLM:
		sum_llm(out, c);
		break;
	case LLMLOG_SECURITY:
		sum_security(out, c);
		break;
	case LLMLOG_PERFORMANCE:
		sum_performance(out, c);
		break;
	default:
		sum_system(out, c);
		break;
	}
}

void
eng_summary_line(const struct eng_entry *en, const char *s, size_t n,
    struct strbuf *out)
{
	struct fields f;
	struct sum c = { .f = &f };	/* c.tmp zeroed: see field_text */
	size_t start = out->len;
	int cat = en->category < LLMLOG_NCATEGORIES ? en->category :
	    LLMLOG_SYSTEM;
	bool said = false;

	if (!(en->flags & ENTRY_MALFORMED)) {
		if (!(en->flags & ENTRY_FOREIGN) && fields_read(s, n, cat, &f))
			summarise(out, cat, &c);
		said = out->len > start;
		if (!said && fields_read(s, n, FIELDS_FOREIGN, &f))
			said = sum_foreign(out, &c);
	}
	if (!said)
		strbuf_add(out, s, n);
	strbuf_free(&c.tmp);
}

void
eng_summary(struct eng *e, const struct eng_entry *en, struct strbuf *out)
{
	const char *s;
	size_t n;

	if ((s = eng_line(e, en, &n)) != NULL)
		eng_summary_line(en, s, n, out);
}
