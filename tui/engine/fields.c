/*
 * fields.c - the fields of an entry that its summary and the statistics
 * read, found in one pass of the scanner (jscan_line_find), and the one
 * rule for each kind of value: what a boolean is, when an entry failed,
 * what a number or a name is (llmlog(1), HOW LINES ARE READ).  Summaries
 * and statistics both read through here, so a line that shows FAILED is
 * counted as failed.
 */
#include "config.h"

#include <string.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

#define KEY(s) { s, sizeof s - 1 }
static const struct jscan_key names[NFIELDS] = {
	[FIELD_USER_INPUT] = KEY("user_input"),
	[FIELD_SUCCESS] = KEY("success"),
	[FIELD_DURATION] = KEY("duration_ms"),
	[FIELD_ERROR] = KEY("error"),
	[FIELD_TOOL_NAME] = KEY("tool_name"),
	[FIELD_TOOL_SERVER] = KEY("tool_server"),
	[FIELD_PROVIDER] = KEY("provider"),
	[FIELD_MODEL] = KEY("model"),
	[FIELD_PROMPT] = KEY("prompt_tokens"),
	[FIELD_COMPLETION] = KEY("completion_tokens"),
	[FIELD_TOTAL] = KEY("total_tokens"),
	[FIELD_STREAMING] = KEY("streaming"),
	[FIELD_ALLOWED] = KEY("allowed"),
	[FIELD_ACTION] = KEY("action"),
	[FIELD_RESOURCE] = KEY("resource"),
	[FIELD_REASON] = KEY("reason"),
	[FIELD_OPERATION] = KEY("operation"),
	[FIELD_MEMORY] = KEY("memory_mb"),
	[FIELD_CPU] = KEY("cpu_percent"),
	[FIELD_EVENT] = KEY("event"),
	[FIELD_COMPONENT] = KEY("component"),
	[FIELD_MESSAGE] = KEY("message"),
	[FIELD_MSG] = KEY("msg"),
	[FIELD_TEXT] = KEY("text"),
	[FIELD_PARAMETERS] = KEY("parameters"),
	[FIELD_COST] = KEY("cost_usd"),
	[FIELD_TRACE] = KEY("trace_id"),
};
#undef KEY

/* The fields each set looks up: a category's, or the message keys of a
 * line that is not ours (FIELDS_FOREIGN), in the order they are tried. */
static const enum field sets[FIELDS_FOREIGN + 1][FIELDS_MAX + 1] = {
	[LLMLOG_USER] = { FIELD_USER_INPUT, FIELD_SUCCESS, FIELD_ERROR,
	    FIELD_DURATION, FIELD_TRACE, NFIELDS },
	[LLMLOG_SYSTEM] = { FIELD_EVENT, FIELD_COMPONENT, FIELD_MESSAGE,
	    NFIELDS },
	[LLMLOG_TOOL] = { FIELD_TOOL_NAME, FIELD_TOOL_SERVER, FIELD_SUCCESS,
	    FIELD_ERROR, FIELD_DURATION, FIELD_PARAMETERS, FIELD_TRACE,
	    NFIELDS },
	[LLMLOG_LLM] = { FIELD_PROVIDER, FIELD_MODEL, FIELD_PROMPT,
	    FIELD_COMPLETION, FIELD_TOTAL, FIELD_SUCCESS, FIELD_ERROR,
	    FIELD_DURATION, FIELD_STREAMING, FIELD_COST, FIELD_TRACE, NFIELDS },
	[LLMLOG_SECURITY] = { FIELD_ALLOWED, FIELD_ACTION, FIELD_RESOURCE,
	    FIELD_REASON, NFIELDS },
	[LLMLOG_PERFORMANCE] = { FIELD_OPERATION, FIELD_DURATION, FIELD_MEMORY,
	    FIELD_CPU, NFIELDS },
	[FIELDS_FOREIGN] = { FIELD_MESSAGE, FIELD_MSG, FIELD_EVENT, FIELD_TEXT,
	    NFIELDS },
};

static struct {
	struct jscan_key keys[FIELDS_MAX];
	size_t n;
	int8_t slot[NFIELDS];
} set_keys[FIELDS_FOREIGN + 1];
static pthread_once_t set_once = PTHREAD_ONCE_INIT;

static void
set_keys_init(void)
{
	for (int s = 0; s <= FIELDS_FOREIGN; s++) {
		memset(set_keys[s].slot, -1, sizeof set_keys[s].slot);
		for (const enum field *k = sets[s]; *k != NFIELDS; k++) {
			set_keys[s].slot[*k] = (int8_t)set_keys[s].n;
			set_keys[s].keys[set_keys[s].n++] = names[*k];
		}
	}
}

bool
fields_read(const char *s, size_t n, int set, struct fields *f)
{
	pthread_once(&set_once, set_keys_init);
	f->slot = set_keys[set].slot;
	return jscan_line_find(s, n, NULL, set_keys[set].keys, set_keys[set].n,
	    f->v) == JSCAN_OBJECT;
}

void
fields_init(int set, struct fields *f)
{
	pthread_once(&set_once, set_keys_init);
	f->slot = set_keys[set].slot;
	for (size_t i = 0; i < set_keys[set].n; i++)	/* the rest unused */
		f->v[i] = (struct jscan_value){ .kind = JSCAN_NONE };
}

const enum field *
fields_set(int set)
{
	return sets[set];
}

enum field
field_named(const char *name, size_t len)
{
	for (int k = 0; k < NFIELDS; k++)
		if (names[k].len == len && memcmp(names[k].name, name, len) == 0)
			return (enum field)k;
	return NFIELDS;
}

int
field_bool(const struct fields *f, enum field k)
{
	switch (field_value(f, k)->kind) {
	case JSCAN_TRUE:
		return 1;
	case JSCAN_FALSE:
		return 0;
	default:
		return -1;
	}
}

bool
fields_failed(const struct fields *f)
{
	const struct jscan_value *err = field_value(f, FIELD_ERROR);
	int ok = field_bool(f, FIELD_SUCCESS);

	if (ok >= 0)
		return ok == 0;
	switch (err->kind) {
	case JSCAN_NONE:
	case JSCAN_NULL:
	case JSCAN_FALSE:
		return false;
	case JSCAN_STRING:
		return err->n > 0;	/* an escape is never empty */
	default:
		return true;
	}
}

enum jscan_num
field_number(const struct fields *f, enum field k, double *out)
{
	return jscan_number(field_value(f, k), out);
}

bool
field_text(const struct fields *f, enum field k, struct strbuf *scratch,
    struct field_text *out)
{
	return value_text(field_value(f, k), scratch, out);
}

bool
value_text(const struct jscan_value *v, struct strbuf *scratch,
    struct field_text *out)
{
	switch (v->kind) {
	case JSCAN_STRING:
		if (!v->escaped) {
			out->s = v->s;
			out->n = v->n;
			return true;
		}
		if (scratch->s == NULL)
			strbuf_init(scratch);
		else
			strbuf_reset(scratch);
		jscan_string(scratch, v);
		out->s = scratch->s;
		out->n = scratch->len;
		return true;
	case JSCAN_NUMBER:
	case JSCAN_TRUE:
	case JSCAN_FALSE:
		out->s = v->s;
		out->n = v->n;
		return true;
	default:
		return false;
	}
}
