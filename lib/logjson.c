/*
 * logjson.c - llmlog_log_json(): a category by name and its fields as JSON
 * text, for bindings and shells.  The text is parsed (json-c, strict),
 * each field checked against the category's table and put into the typed
 * call's struct, and the typed call writes it (entry_log()), so both
 * entry points share every rule: levels, redaction, truncation, key order,
 * trace fields.  Fields the table does not know go into details.
 *
 * The objects handed on (parameters, a result, details) are taken out of
 * the parsed tree before the call: in async mode the writer thread drops
 * them later, while the caller frees the rest of the tree, and json-c's
 * reference counts are not atomic.
 */
#include "config.h"

#include "internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum ftype {
	F_STR,		/* const char * */
	F_NUM,		/* double */
	F_INT,		/* int64_t */
	F_BOOL,		/* bool */
	F_SUCCESS,	/* bool failed = !value */
	F_JSON,		/* json_object *, consumed */
	F_LIST,		/* const char *const *, NULL-terminated */
	F_COST,		/* double cost_usd, with has_cost */
};

struct field {
	const char *name;
	enum ftype type;
	size_t off;
};

#define OFF(type, f) offsetof(struct type, f)
#define END { NULL, F_STR, 0 }

static const struct field user_fields[] = {
	{ "user_input", F_STR, OFF(llmlog_interaction, user_input) },
	{ "response_summary", F_STR, OFF(llmlog_interaction, response) },
	{ "response", F_STR, OFF(llmlog_interaction, response) },
	{ "tool_calls", F_LIST, OFF(llmlog_interaction, tool_calls) },
	{ "success", F_SUCCESS, OFF(llmlog_interaction, failed) },
	{ "duration_ms", F_NUM, OFF(llmlog_interaction, duration_ms) },
	{ "error", F_STR, OFF(llmlog_interaction, error) },
	END
};

static const struct field system_fields[] = {
	{ "event", F_STR, OFF(llmlog_system, event) },
	{ "component", F_STR, OFF(llmlog_system, component) },
	{ "message", F_STR, OFF(llmlog_system, message) },
	END
};

static const struct field tool_fields[] = {
	{ "tool_name", F_STR, OFF(llmlog_tool, tool_name) },
	{ "tool_server", F_STR, OFF(llmlog_tool, tool_server) },
	{ "parameters", F_JSON, OFF(llmlog_tool, parameters) },
	{ "result_summary", F_STR, OFF(llmlog_tool, result_text) },
	{ "result", F_JSON, OFF(llmlog_tool, result) },
	{ "success", F_SUCCESS, OFF(llmlog_tool, failed) },
	{ "duration_ms", F_NUM, OFF(llmlog_tool, duration_ms) },
	{ "error", F_STR, OFF(llmlog_tool, error) },
	END
};

static const struct field llm_fields[] = {
	{ "provider", F_STR, OFF(llmlog_llm, provider) },
	{ "model", F_STR, OFF(llmlog_llm, model) },
	{ "prompt_tokens", F_INT, OFF(llmlog_llm, prompt_tokens) },
	{ "completion_tokens", F_INT, OFF(llmlog_llm, completion_tokens) },
	{ "total_tokens", F_INT, OFF(llmlog_llm, total_tokens) },
	{ "duration_ms", F_NUM, OFF(llmlog_llm, duration_ms) },
	{ "success", F_SUCCESS, OFF(llmlog_llm, failed) },
	{ "streaming", F_BOOL, OFF(llmlog_llm, streaming) },
	{ "cost_usd", F_COST, OFF(llmlog_llm, cost_usd) },
	{ "error", F_STR, OFF(llmlog_llm, error) },
	END
};

static const struct field security_fields[] = {
	{ "event_type", F_STR, OFF(llmlog_security, event_type) },
	{ "resource", F_STR, OFF(llmlog_security, resource) },
	{ "action", F_STR, OFF(llmlog_security, action) },
	{ "allowed", F_BOOL, OFF(llmlog_security, allowed) },
	{ "reason", F_STR, OFF(llmlog_security, reason) },
	END
};

static const struct field metric_fields[] = {
	{ "operation", F_STR, OFF(llmlog_metric, operation) },
	{ "duration_ms", F_NUM, OFF(llmlog_metric, duration_ms) },
	{ "memory_mb", F_NUM, OFF(llmlog_metric, memory_mb) },
	{ "cpu_percent", F_NUM, OFF(llmlog_metric, cpu_percent) },
	END
};

/* Per category: its fields and where its details, level, time and span
 * are. */
static const struct {
	const struct field *fields;
	size_t details, level, span;
} tables[LLMLOG_NCATEGORIES] = {
	[LLMLOG_USER] = { user_fields, OFF(llmlog_interaction, details),
	    OFF(llmlog_interaction, level), OFF(llmlog_interaction, span) },
	[LLMLOG_SYSTEM] = { system_fields, OFF(llmlog_system, details),
	    OFF(llmlog_system, level), OFF(llmlog_system, span) },
	[LLMLOG_TOOL] = { tool_fields, OFF(llmlog_tool, details),
	    OFF(llmlog_tool, level), OFF(llmlog_tool, span) },
	[LLMLOG_LLM] = { llm_fields, OFF(llmlog_llm, details),
	    OFF(llmlog_llm, level), OFF(llmlog_llm, span) },
	[LLMLOG_SECURITY] = { security_fields, OFF(llmlog_security, details),
	    OFF(llmlog_security, level), OFF(llmlog_security, span) },
	[LLMLOG_PERFORMANCE] = { metric_fields, OFF(llmlog_metric, details),
	    OFF(llmlog_metric, level), OFF(llmlog_metric, span) },
};

/* Written by the library itself, never taken from the fields. */
static const char *const head_keys[] = {
	"category", "timestamp", "pid", "trace_id", "span_id",
	"parent_span_id", "event", NULL
};

/* One call being put together. */
struct build {
	enum llmlog_category cat;
	union {
		struct llmlog_interaction u;
		struct llmlog_system s;
		struct llmlog_tool t;
		struct llmlog_llm l;
		struct llmlog_security x;
		struct llmlog_metric m;
	} e;
	json_object *root;
	const char **taken;	/* keys whose values leave the tree */
	size_t ntaken;
	json_object *details;	/* the given one, or made for extra fields */
	json_object *extra;	/* the first extra field's value (an error's) */
	const char *extra_key;
	const char **list;	/* tool_calls */
	const char *conv;
};

/* An invalid call: -1, errno EINVAL, the message for llmlog_errmsg(). */
#define BAD(...) (errno = EINVAL, errmsg_set(__VA_ARGS__))

static void
put_at(struct build *b, size_t off, const void *v, size_t n)
{
	memcpy((char *)&b->e + off, v, n);
}

static bool
is_number(json_object *v)
{
	return json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double);
}

static int
take_list(struct build *b, const struct field *f, json_object *v)
{
	size_t n = json_object_array_length(v);

	free(b->list);
	if ((b->list = calloc(n + 1, sizeof *b->list)) == NULL) {
		errno = ENOMEM;
		return errmsg_set("out of memory reading tool_calls");
	}
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(v, i);

		if (!json_object_is_type(s, json_type_string))
			return BAD("field \"%s\" of %s entries is an array "
			    "of strings", f->name,
			    llmlog_category_name(b->cat));
		b->list[i] = json_object_get_string(s);
	}
	put_at(b, f->off, &b->list, sizeof b->list);
	return 0;
}

static const char *
type_word(enum ftype t)
{
	switch (t) {
	case F_STR:
		return "a string";
	case F_NUM:
	case F_COST:
		return "a number";
	case F_INT:
		return "an integer";
	case F_BOOL:
	case F_SUCCESS:
		return "true or false";
	case F_LIST:
		return "an array of strings";
	case F_JSON:
	default:
		return "JSON";
	}
}

/* Put the value of a known field into the struct. */
static int
take_field(struct build *b, const struct field *f, const char *key,
    json_object *v)
{
	const char *s;
	double d;
	int64_t i;
	bool x;

	switch (f->type) {
	case F_STR:
		if (!json_object_is_type(v, json_type_string))
			break;
		s = json_object_get_string(v);
		put_at(b, f->off, &s, sizeof s);
		return 0;
	case F_NUM:
	case F_COST:
		if (!is_number(v))
			break;
		d = json_object_get_double(v);
		put_at(b, f->off, &d, sizeof d);
		if (f->type == F_COST)
			b->e.l.has_cost = true;
		return 0;
	case F_INT:
		if (!json_object_is_type(v, json_type_int))
			break;
		i = json_object_get_int64(v);
		put_at(b, f->off, &i, sizeof i);
		return 0;
	case F_BOOL:
	case F_SUCCESS:
		if (!json_object_is_type(v, json_type_boolean))
			break;
		x = json_object_get_boolean(v);
		if (f->type == F_SUCCESS)
			x = !x;
		put_at(b, f->off, &x, sizeof x);
		return 0;
	case F_LIST:
		if (!json_object_is_type(v, json_type_array))
			break;
		return take_list(b, f, v);
	case F_JSON:
		json_object_get(v);
		put_at(b, f->off, &v, sizeof v);
		b->taken[b->ntaken++] = key;
		return 0;
	}
	return BAD("field \"%s\" of %s entries is %s", f->name,
	    llmlog_category_name(b->cat), type_word(f->type));
}

static int
take_level(struct build *b, json_object *v)
{
	int level = -1;

	if (json_object_is_type(v, json_type_string))
		level = llmlog_level_parse(json_object_get_string(v));
	else if (json_object_is_type(v, json_type_int) &&
	    category_level_valid((int)json_object_get_int64(v)) &&
	    json_object_get_int64(v) <= LLMLOG_CRITICAL)
		level = (int)json_object_get_int64(v);
	if (level < 0)
		return BAD("field \"level\" is not a level: DEBUG, INFO, "
		    "WARNING, ERROR, CRITICAL or 10 to 50 in steps of 10");
	put_at(b, tables[b->cat].level, &level, sizeof level);
	return 0;
}

/* A field the library writes itself (event but on system). */
static bool
head_key(enum llmlog_category cat, const char *key)
{
	for (int i = 0; head_keys[i] != NULL; i++)
		if (strcmp(key, head_keys[i]) == 0)
			return cat != LLMLOG_SYSTEM || strcmp(key, "event") != 0;
	return false;
}

static int
take_member(struct build *b, const char *key, json_object *v)
{
	const struct field *f;

	if (head_key(b->cat, key))
		return BAD("field \"%s\" is written by the library", key);
	if (v == NULL)		/* null: not given */
		return 0;
	if (strcmp(key, "level") == 0)
		return take_level(b, v);
	if (strcmp(key, "conversation_id") == 0) {
		if (!json_object_is_type(v, json_type_string))
			return BAD("field \"%s\" is a string", key);
		b->conv = json_object_get_string(v);
		return 0;
	}
	if (strcmp(key, "details") == 0) {
		b->details = json_object_get(v);
		b->taken[b->ntaken++] = key;
		return 0;
	}
	for (f = tables[b->cat].fields; f->name != NULL; f++)
		if (strcmp(key, f->name) == 0)
			return take_field(b, f, key, v);
	/* the table does not know it: it goes into details below */
	if (b->extra == NULL) {
		b->extra = v;
		b->extra_key = key;
	}
	return 0;
}

/* Move the fields the table does not know into details. */
static int
take_extra(struct build *b)
{
	if (b->extra == NULL)
		return 0;
	if (b->details == NULL) {
		if ((b->details = json_object_new_object()) == NULL) {
			errno = ENOMEM;
			return errmsg_set("out of memory building details");
		}
	} else if (!json_object_is_type(b->details, json_type_object))
		return BAD("field \"%s\" has nowhere to go: details is not an "
		    "object", b->extra_key);
	json_object_object_foreach(b->root, key, v) {
		const struct field *f;
		bool known = strcmp(key, "level") == 0 ||
		    strcmp(key, "conversation_id") == 0 ||
		    strcmp(key, "details") == 0;

		for (f = tables[b->cat].fields; !known && f->name != NULL; f++)
			known = strcmp(key, f->name) == 0;
		if (known || v == NULL)
			continue;
		if (json_object_object_add(b->details, key,
		    json_object_get(v)) != 0) {
			json_object_put(v);
			errno = ENOMEM;
			return errmsg_set("out of memory building details");
		}
		b->taken[b->ntaken++] = key;
	}
	return 0;
}

/* The parsed fields, strictly: one JSON object and nothing after it. */
static json_object *
parse_fields(const char *text)
{
	struct json_tokener *tok;
	json_object *o;
	size_t n = strlen(text), end;

	if (n > INT32_MAX) {
		BAD("fields are %zu bytes, more than JSON text here may be", n);
		return NULL;
	}
	if ((tok = json_tokener_new()) == NULL) {
		errno = ENOMEM;
		errmsg_set("out of memory reading fields");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)n);
	end = json_tokener_get_parse_end(tok);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success) {
		if (json_tokener_get_error(tok) == json_tokener_continue)
			BAD("fields are not valid JSON: the text ends inside "
			    "the object");
		else
			BAD("fields are not valid JSON: %s at byte %zu",
			    json_tokener_error_desc(json_tokener_get_error(tok)),
			    end);
		if (o != NULL)
			json_object_put(o);
		o = NULL;
	} else {
		while (end < n && strchr(" \t\r\n", text[end]) != NULL)
			end++;
		if (end < n)
			BAD("fields are not valid JSON: text after the value "
			    "at byte %zu", end);
		else if (!json_object_is_type(o, json_type_object))
			BAD("fields are not a JSON object but %s",
			    json_type_to_name(json_object_get_type(o)));
		if (end < n || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			o = NULL;
		}
	}
	json_tokener_free(tok);
	return o;
}

static void
build_free(struct build *b)
{
	/* the struct's objects, not yet handed on */
	if (b->cat == LLMLOG_TOOL) {
		if (b->e.t.parameters != NULL)
			json_object_put(b->e.t.parameters);
		if (b->e.t.result != NULL)
			json_object_put(b->e.t.result);
	}
	if (b->details != NULL)
		json_object_put(b->details);
	free(b->list);
	free(b->taken);
}

static int
build(struct build *b, const struct llmlog_span *span)
{
	size_t n = (size_t)json_object_object_length(b->root);

	/* every member may be taken once, and once more into details */
	if ((b->taken = calloc(2 * n + 1, sizeof *b->taken)) == NULL) {
		errno = ENOMEM;
		return errmsg_set("out of memory reading fields");
	}
	json_object_object_foreach(b->root, key, v)
		if (take_member(b, key, v) != 0)
			return -1;
	if (take_extra(b) != 0)
		return -1;
	put_at(b, tables[b->cat].details, &b->details, sizeof b->details);
	put_at(b, tables[b->cat].span, &span, sizeof span);
	return 0;
}

int
llmlog_log_json_span(struct llmlog *lg, const char *category,
    const char *json_fields, const struct llmlog_span *span)
{
	struct build b;
	int cat, rc;

	cat = category != NULL ? llmlog_category_parse(category) : -1;
	if (cat < 0)
		return BAD("unknown category \"%s\"; one of user, system, tool, "
		    "llm, security, performance",
		    category != NULL ? category : "(null)");
	memset(&b, 0, sizeof b);
	b.cat = (enum llmlog_category)cat;
	if ((b.root = parse_fields(json_fields != NULL ? json_fields : "{}"))
	    == NULL)
		return -1;
	if (build(&b, span) != 0) {
		build_free(&b);
		json_object_put(b.root);
		return -1;
	}
	/* the objects handed on leave the tree (see the top of the file);
	 * each key is read by its own deletion, before that frees it */
	for (size_t i = 0; i < b.ntaken; i++)
		json_object_object_del(b.root, b.taken[i]);
	rc = entry_log(lg, b.cat, &b.e, b.conv);
	free(b.list);
	free(b.taken);
	json_object_put(b.root);
	return rc;
}

int
llmlog_log_json(struct llmlog *lg, const char *category,
    const char *json_fields)
{
	return llmlog_log_json_span(lg, category, json_fields, NULL);
}
