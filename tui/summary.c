/*
 * summary.c - one line saying what an entry records, per category: the
 * list view's last column and the print mode's short format.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "engine.h"
#include "store.h"

static const char *
str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

static bool
num(json_object *o, const char *key, double *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return false;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return false;
	*out = json_object_get_double(v);
	return isfinite(*out);
}

/* An interaction, tool execution or LLM call failed when success is false,
 * or, without a success field, when it carries an error. */
static bool
failed(json_object *o)
{
	json_object *v;
	const char *err;

	if (json_object_object_get_ex(o, "success", &v) &&
	    json_object_is_type(v, json_type_boolean))
		return !json_object_get_boolean(v);
	err = str(o, "error");
	return err != NULL && *err != '\0';
}

void
eng_format_number(struct strbuf *out, double v, int decimals)
{
	char digits[64], *p;
	size_t intlen;

	if (!isfinite(v)) {
		strbuf_puts(out, "?");
		return;
	}
	snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
	if (v < 0 && strspn(digits, "0.") != strlen(digits))
		strbuf_add(out, "-", 1);
	p = strchr(digits, '.');
	intlen = p ? (size_t)(p - digits) : strlen(digits);
	for (size_t i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			strbuf_add(out, ",", 1);
		strbuf_add(out, &digits[i], 1);
	}
	if (p != NULL)
		strbuf_puts(out, p);
}

static void
add_ms(struct strbuf *out, json_object *o)
{
	double ms;

	if (num(o, "duration_ms", &ms)) {
		strbuf_add(out, " ", 1);
		eng_format_number(out, ms, 1);
		strbuf_puts(out, "ms");
	}
}

static void
add_outcome(struct strbuf *out, json_object *o)
{
	const char *err = str(o, "error");

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
sum_user(struct strbuf *out, json_object *o)
{
	const char *in = str(o, "user_input");

	strbuf_printf(out, "\"%s\"", in ? in : "");
	add_outcome(out, o);
}

static void
sum_tool(struct strbuf *out, json_object *o)
{
	const char *server = str(o, "tool_server");

	add_word(out, str(o, "tool_name"));
	if (server != NULL && *server != '\0')
		strbuf_printf(out, " (%s)", server);
	add_outcome(out, o);
}

static void
sum_llm(struct strbuf *out, json_object *o)
{
	double p, c, t;
	bool hp = num(o, "prompt_tokens", &p), hc = num(o, "completion_tokens", &c);
	json_object *v;

	add_word(out, str(o, "provider"));
	add_word(out, str(o, "model"));
	if (hp || hc) {
		strbuf_add(out, " ", 1);
		eng_format_number(out, hp ? p : 0, 0);
		strbuf_add(out, "+", 1);
		eng_format_number(out, hc ? c : 0, 0);
		strbuf_puts(out, " tokens");
	} else if (num(o, "total_tokens", &t)) {
		strbuf_add(out, " ", 1);
		eng_format_number(out, t, 0);
		strbuf_puts(out, " tokens");
	}
	if (failed(o))
		add_outcome(out, o);
	else
		add_ms(out, o);
	if (json_object_object_get_ex(o, "streaming", &v) &&
	    json_object_get_boolean(v))
		strbuf_puts(out, " streaming");
}

static void
sum_security(struct strbuf *out, json_object *o)
{
	json_object *v;
	bool allowed = json_object_object_get_ex(o, "allowed", &v) &&
	    json_object_get_boolean(v);
	const char *reason = str(o, "reason");

	strbuf_puts(out, allowed ? "ALLOWED" : "DENIED");
	add_word(out, str(o, "action"));
	add_word(out, str(o, "resource"));
	if (reason != NULL && *reason != '\0')
		strbuf_printf(out, " (%s)", reason);
}

static void
sum_performance(struct strbuf *out, json_object *o)
{
	double v;

	add_word(out, str(o, "operation"));
	add_ms(out, o);
	if (num(o, "memory_mb", &v)) {
		strbuf_add(out, " ", 1);
		eng_format_number(out, v, 1);
		strbuf_puts(out, "MB");
	}
	if (num(o, "cpu_percent", &v)) {
		strbuf_puts(out, " cpu ");
		eng_format_number(out, v, 1);
		strbuf_puts(out, "%");
	}
}

static void
sum_system(struct strbuf *out, json_object *o)
{
	const char *msg = str(o, "message");

	add_word(out, str(o, "event"));
	add_word(out, str(o, "component"));
	if (msg != NULL && *msg != '\0') {
		strbuf_puts(out, out->len > 0 ? ": " : "");
		strbuf_puts(out, msg);
	}
}

static bool
sum_foreign(struct strbuf *out, json_object *o)
{
	static const char *const keys[] = { "message", "msg", "event",
	    "text", NULL };

	for (size_t i = 0; keys[i] != NULL; i++) {
		const char *s = str(o, keys[i]);
		if (s != NULL) {
			strbuf_puts(out, s);
			return true;
		}
	}
	return false;
}

void
eng_summary(struct eng *e, const struct eng_entry *en, struct strbuf *out)
{
	json_object *o = NULL;
	size_t start = out->len, n;
	const char *s;

	if (!(en->flags & ENTRY_MALFORMED))
		o = eng_parse(e, en);
	if (o == NULL || (en->flags & ENTRY_FOREIGN)) {
		if (o == NULL || !sum_foreign(out, o)) {
			if ((s = eng_line(e, en, &n)) != NULL)
				strbuf_add(out, s, n);
		}
		json_object_put(o);
		return;
	}
	switch (en->category) {
	case LLMLOG_USER:
		sum_user(out, o);
		break;
	case LLMLOG_TOOL:
		sum_tool(out, o);
		break;
	case LLMLOG_LLM:
		sum_llm(out, o);
		break;
	case LLMLOG_SECURITY:
		sum_security(out, o);
		break;
	case LLMLOG_PERFORMANCE:
		sum_performance(out, o);
		break;
	default:
		sum_system(out, o);
		break;
	}
	if (out->len == start && !sum_foreign(out, o) &&
	    (s = eng_line(e, en, &n)) != NULL)
		strbuf_add(out, s, n);
	json_object_put(o);
}
