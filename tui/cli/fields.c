/*
 * fields.c - the chosen fields of an entry (--fields) in each output form,
 * and the csv output: values are read from the line through jscan, so a
 * field means here what it means to --where.  csv follows RFC 4180: a
 * header row, CRLF line ends, a value holding a comma or a quote quoted
 * with its quotes doubled; log text is sanitised as everywhere, so no
 * value holds a line end.
 */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "jscan.h"

/* The line's object, or false when it is none. */
static bool
line_object(const char *s, size_t n, struct jscan_value *top)
{
	return s != NULL && jscan_line(s, n, top) == JSCAN_OBJECT;
}

static bool
field_value(const struct jscan_value *top, const char *name,
    struct jscan_value *v)
{
	return jscan_path(top, name, strlen(name), v);
}

/* A value as text: a string decoded, anything else as the line writes it;
 * null as nothing when null_empty. */
static void
value_text(struct strbuf *out, const struct jscan_value *v, bool null_empty)
{
	if (v->kind == JSCAN_STRING)
		jscan_string(out, v);
	else if (v->kind != JSCAN_NULL || !null_empty)
		strbuf_add(out, v->s, v->n);
}

/* " model=gpt-4o error=\"rate limit\"": the present fields, logfmt style
 * (a value with a blank, a quote or nothing in it quoted), sanitised. */
void
fields_short(struct strbuf *out, const struct options *o, const char *s,
    size_t n)
{
	struct jscan_value top, v;
	struct strbuf t;

	if (!line_object(s, n, &top))
		return;
	strbuf_init(&t);
	for (size_t i = 0; i < o->nfields; i++) {
		if (!field_value(&top, o->fields[i], &v))
			continue;
		strbuf_reset(&t);
		value_text(&t, &v, false);
		if (out->len > 0 && out->s[out->len - 1] != ' ')
			strbuf_puts(out, " ");
		eng_sanitize(out, o->fields[i], strlen(o->fields[i]));
		strbuf_puts(out, "=");
		if (v.kind == JSCAN_STRING && (t.len == 0 ||
		    strpbrk(t.s, " \t\"=") != NULL || memchr(t.s, '\0',
		    t.len) != NULL)) {
			strbuf_puts(out, "\"");
			for (size_t k = 0; k < t.len; k++) {
				if (t.s[k] == '"' || t.s[k] == '\\')
					strbuf_puts(out, "\\");
				eng_sanitize(out, t.s + k, 1);
			}
			strbuf_puts(out, "\"");
		} else
			eng_sanitize(out, t.s, t.len);
	}
	strbuf_free(&t);
}

/* "  model: gpt-4o" lines for the present fields. */
void
fields_pretty(struct strbuf *out, const struct options *o, const char *s,
    size_t n)
{
	struct jscan_value top, v;
	struct strbuf t;

	if (!line_object(s, n, &top))
		return;
	strbuf_init(&t);
	for (size_t i = 0; i < o->nfields; i++) {
		if (!field_value(&top, o->fields[i], &v))
			continue;
		strbuf_reset(&t);
		value_text(&t, &v, false);
		strbuf_puts(out, "  ");
		eng_sanitize(out, o->fields[i], strlen(o->fields[i]));
		strbuf_puts(out, ": ");
		if (v.kind == JSCAN_STRING && t.len == 0)
			strbuf_puts(out, "\"\"");
		else
			eng_sanitize(out, t.s, t.len);
		strbuf_puts(out, "\n");
	}
	strbuf_free(&t);
}

/* A name as a JSON string. */
static void
json_key(struct strbuf *out, const char *name)
{
	strbuf_puts(out, "\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			strbuf_printf(out, "\\u%04x", *p);
		else
			strbuf_add(out, (const char *)p, 1);
	}
	strbuf_puts(out, "\"");
}

/* {"model":"gpt-4o","parameters.path":"/tmp"}: the present fields, each
 * value as the line writes it, dotted names as flat keys; false when the
 * line is no object. */
bool
fields_json(struct strbuf *out, const struct options *o, const char *s,
    size_t n)
{
	struct jscan_value top, v;
	bool first = true;

	if (!line_object(s, n, &top))
		return false;
	strbuf_puts(out, "{");
	for (size_t i = 0; i < o->nfields; i++) {
		if (!field_value(&top, o->fields[i], &v))
			continue;
		if (!first)
			strbuf_puts(out, ",");
		first = false;
		json_key(out, o->fields[i]);
		strbuf_puts(out, ":");
		if (v.kind == JSCAN_STRING)
			strbuf_puts(out, "\"");
		strbuf_add(out, v.s, v.n);
		if (v.kind == JSCAN_STRING)
			strbuf_puts(out, "\"");
	}
	strbuf_puts(out, "}\n");
	return true;
}

/* One csv value, sanitised, quoted when it holds a comma or a quote (a
 * line end is made visible by then). */
void
csv_value(struct strbuf *out, const char *s, size_t n)
{
	struct strbuf t;

	strbuf_init(&t);
	eng_sanitize(&t, s, n);
	csv_add(out, t.s, t.len);
	strbuf_free(&t);
}

/* time,level,category, then the fields, or summary without --fields. */
void
csv_header(struct strbuf *out, const struct options *o)
{
	strbuf_puts(out, "time,level,category");
	if (o->nfields == 0)
		strbuf_puts(out, ",summary");
	for (size_t i = 0; i < o->nfields; i++) {
		strbuf_puts(out, ",");
		csv_value(out, o->fields[i], strlen(o->fields[i]));
	}
	strbuf_puts(out, "\r\n");
}

/* The fields of one row after time, level and category: a missing field
 * or null is empty. */
void
csv_fields(struct strbuf *out, const struct options *o, const char *s,
    size_t n)
{
	struct jscan_value top, v;
	bool obj = line_object(s, n, &top);
	struct strbuf t;

	strbuf_init(&t);
	for (size_t i = 0; i < o->nfields; i++) {
		strbuf_puts(out, ",");
		if (!obj || !field_value(&top, o->fields[i], &v))
			continue;
		strbuf_reset(&t);
		value_text(&t, &v, true);
		csv_value(out, t.s, t.len);
	}
	strbuf_free(&t);
}
