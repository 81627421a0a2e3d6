/*
 * record.c - the async mode's compact record of one logging call: the
 * entry's struct with its strings copied behind it, made by the caller and
 * turned into the line by the writer thread with the same format_*() code
 * as sync mode, so both write the same bytes.
 */
#include "config.h"

#include "format.h"
#include "record.h"

#include <stdlib.h>
#include <string.h>

/* The record: this head, then the strings, each NUL-terminated.  In the
 * copied struct a string pointer holds the string's offset from the start
 * of the record (never 0: the head comes first), NULL stays NULL; json
 * objects keep their pointers and the record owns those references. */
struct record {
	int level;
	struct trace_fields tf;	/* conversation_id an offset, as a string */
	union {
		struct llmlog_interaction u;
		struct llmlog_system s;
		struct llmlog_tool t;
		struct llmlog_llm l;
		struct llmlog_security x;
		struct llmlog_metric m;
	} e;
};

#define MAX_STRINGS 4
#define MAX_OBJECTS 3

/* Where the strings, the objects and the time are in each category's
 * struct; the interaction's tool_calls list is handled on its own. */
struct layout {
	size_t size;
	size_t when;
	int nstr;
	size_t str[MAX_STRINGS];
	int nobj;
	size_t obj[MAX_OBJECTS];
};

#define OFF(type, f) offsetof(struct type, f)
static const struct layout layouts[LLMLOG_NCATEGORIES] = {
	[LLMLOG_USER] = { sizeof(struct llmlog_interaction),
	    OFF(llmlog_interaction, when), 3,
	    { OFF(llmlog_interaction, user_input),
	    OFF(llmlog_interaction, response),
	    OFF(llmlog_interaction, error) },
	    1, { OFF(llmlog_interaction, details) } },
	[LLMLOG_SYSTEM] = { sizeof(struct llmlog_system),
	    OFF(llmlog_system, when), 3,
	    { OFF(llmlog_system, event), OFF(llmlog_system, component),
	    OFF(llmlog_system, message) },
	    1, { OFF(llmlog_system, details) } },
	[LLMLOG_TOOL] = { sizeof(struct llmlog_tool),
	    OFF(llmlog_tool, when), 4,
	    { OFF(llmlog_tool, tool_name), OFF(llmlog_tool, tool_server),
	    OFF(llmlog_tool, result_text), OFF(llmlog_tool, error) },
	    3, { OFF(llmlog_tool, parameters), OFF(llmlog_tool, result),
	    OFF(llmlog_tool, details) } },
	[LLMLOG_LLM] = { sizeof(struct llmlog_llm),
	    OFF(llmlog_llm, when), 3,
	    { OFF(llmlog_llm, provider), OFF(llmlog_llm, model),
	    OFF(llmlog_llm, error) },
	    1, { OFF(llmlog_llm, details) } },
	[LLMLOG_SECURITY] = { sizeof(struct llmlog_security),
	    OFF(llmlog_security, when), 4,
	    { OFF(llmlog_security, event_type),
	    OFF(llmlog_security, resource), OFF(llmlog_security, action),
	    OFF(llmlog_security, reason) },
	    1, { OFF(llmlog_security, details) } },
	[LLMLOG_PERFORMANCE] = { sizeof(struct llmlog_metric),
	    OFF(llmlog_metric, when), 1,
	    { OFF(llmlog_metric, operation) },
	    1, { OFF(llmlog_metric, details) } },
};

static const char *
get_ptr(const void *base, size_t off)
{
	const char *p;

	memcpy(&p, (const char *)base + off, sizeof p);
	return p;
}

static void
set_ptr(void *base, size_t off, const void *p)
{
	memcpy((char *)base + off, &p, sizeof p);
}

size_t
record_plan(struct record_plan *pl, enum llmlog_category cat, const void *e,
    const struct trace_fields *tf)
{
	const struct layout *ly = &layouts[cat];
	const struct llmlog_interaction *u = e;
	size_t total = sizeof(struct record);

	for (int i = 0; i < ly->nstr; i++) {
		const char *s = get_ptr(e, ly->str[i]);

		pl->len[i] = s != NULL ? strlen(s) : 0;
		if (s != NULL)
			total += pl->len[i] + 1;
	}
	pl->ncalls = 0;
	if (cat == LLMLOG_USER && u->tool_calls != NULL) {
		total += sizeof(size_t);
		for (; u->tool_calls[pl->ncalls] != NULL; pl->ncalls++)
			total += strlen(u->tool_calls[pl->ncalls]) + 1;
	}
	pl->conv_len = tf->conversation_id != NULL ?
	    strlen(tf->conversation_id) : 0;
	if (tf->conversation_id != NULL)
		total += pl->conv_len + 1;
	pl->total = total;
	return total;
}

void
record_build(void *dst, const struct record_plan *pl,
    enum llmlog_category cat, int level, const void *e,
    const struct trace_fields *tf, const struct timespec *now)
{
	const struct layout *ly = &layouts[cat];
	const struct llmlog_interaction *u = e;
	struct record *r = dst;
	char *base = dst, *p = base + sizeof *r;
	struct timespec when;

	r->level = level;
	r->tf = *tf;
	if (tf->conversation_id != NULL) {
		r->tf.conversation_id = (const char *)(uintptr_t)(p - base);
		memcpy(p, tf->conversation_id, pl->conv_len + 1);
		p += pl->conv_len + 1;
	}
	memcpy(&r->e, e, ly->size);
	memcpy(&when, (const char *)e + ly->when, sizeof when);
	if (when.tv_sec == 0 && when.tv_nsec == 0)
		memcpy((char *)&r->e + ly->when, now, sizeof *now);
	for (int i = 0; i < ly->nstr; i++) {
		const char *s = get_ptr(e, ly->str[i]);

		if (s == NULL)
			continue;
		set_ptr(&r->e, ly->str[i], (const void *)(uintptr_t)(p - base));
		memcpy(p, s, pl->len[i] + 1);
		p += pl->len[i] + 1;
	}
	if (cat == LLMLOG_USER && u->tool_calls != NULL) {
		r->e.u.tool_calls = (const char *const *)(uintptr_t)(p - base);
		memcpy(p, &pl->ncalls, sizeof pl->ncalls);
		p += sizeof pl->ncalls;
		for (size_t i = 0; i < pl->ncalls; i++) {
			size_t n = strlen(u->tool_calls[i]) + 1;

			memcpy(p, u->tool_calls[i], n);
			p += n;
		}
	}
}

static void
drop_objects(enum llmlog_category cat, const void *e)
{
	const struct layout *ly = &layouts[cat];

	for (int i = 0; i < ly->nobj; i++) {
		json_object *o;

		memcpy(&o, (const char *)e + ly->obj[i], sizeof o);
		if (o != NULL)
			json_object_put(o);
	}
}

void
record_release(enum llmlog_category cat, const void *rec)
{
	struct record r;

	memcpy(&r, rec, sizeof r);
	drop_objects(cat, &r.e);
}

/* The interaction's tool_calls as a NULL-terminated array in *list
 * (calls, or a new one when it has more names); false when memory ran
 * out. */
static bool
tool_calls(const char *base, struct llmlog_interaction *u,
    const char **calls, size_t room, const char ***list)
{
	const char *p;
	size_t n;

	*list = NULL;
	if (u->tool_calls == NULL)
		return true;
	p = base + (uintptr_t)u->tool_calls;
	memcpy(&n, p, sizeof n);
	p += sizeof n;
	*list = n < room ? calls : malloc((n + 1) * sizeof **list);
	if (*list == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		(*list)[i] = p;
		p += strlen(p) + 1;
	}
	(*list)[n] = NULL;
	u->tool_calls = *list;
	return true;
}

static int
format_entry(struct jbuf *jb, enum llmlog_category cat, struct record *r)
{
	switch (cat) {
	case LLMLOG_USER:
		return format_interaction(jb, &r->e.u, r->level);
	case LLMLOG_SYSTEM:
		return format_system(jb, &r->e.s, r->level);
	case LLMLOG_TOOL:
		return format_tool(jb, &r->e.t, r->level);
	case LLMLOG_LLM:
		return format_llm(jb, &r->e.l, r->level);
	case LLMLOG_SECURITY:
		return format_security(jb, &r->e.x, r->level);
	case LLMLOG_PERFORMANCE:
	default:
		return format_metric(jb, &r->e.m, r->level);
	}
}

int
record_format(struct jbuf *jb, enum llmlog_category cat, const void *rec)
{
	const struct layout *ly = &layouts[cat];
	const char *base = rec;
	const char *calls[LLMLOG_MAX_TOOL_CALLS + 1], **list = NULL;
	struct record r;
	int rc = -1;

	memcpy(&r, rec, sizeof r);
	if (r.tf.conversation_id != NULL)
		r.tf.conversation_id = base + (uintptr_t)r.tf.conversation_id;
	for (int i = 0; i < ly->nstr; i++) {
		const char *s = get_ptr(&r.e, ly->str[i]);

		if (s != NULL)
			set_ptr(&r.e, ly->str[i], base + (uintptr_t)s);
	}
	if (cat != LLMLOG_USER ||
	    tool_calls(base, &r.e.u, calls, LLMLOG_MAX_TOOL_CALLS + 1, &list)) {
		format_set_trace(&r.tf);
		rc = format_entry(jb, cat, &r);
		format_set_trace(NULL);
	}
	if (list != calls)
		free(list);
	drop_objects(cat, &r.e);
	return rc;
}
