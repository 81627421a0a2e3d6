/*
 * trace.c - --trace ID in print mode: the trace's entries as a tree, one
 * row each with its start offset from the root, its duration and a
 * waterfall bar scaled to the root's span (llmlog(1), TRACES); with
 * -o json the trace's lines as written, in time order.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BAR_W		30
#define SGR_RED		"\033[31m"
#define SGR_BOLD	"\033[1m"
#define SGR_DIM		"\033[2m"
#define SGR_RESET	"\033[0m"

static void
add_padded(struct strbuf *b, const struct strbuf *s, int width)
{
	for (int i = (int)s->len; i < width; i++)
		strbuf_puts(b, " ");
	strbuf_add(b, s->s, s->len);
}

/* The cells [from, to) of the bar that node's span covers: at least one. */
static void
bar_cells(const struct eng_trace *t, const struct eng_trace_node *nd,
    int *from, int *to)
{
	double span = (double)(t->end_us - t->start_us);
	double a, z;

	*from = *to = 0;
	if (nd->end_us == ENG_TIME_NONE || t->start_us == ENG_TIME_NONE)
		return;
	if (span <= 0) {
		*to = BAR_W;
		return;
	}
	a = floor((double)(nd->start_us - t->start_us) / span * BAR_W);
	z = ceil((double)(nd->end_us - t->start_us) / span * BAR_W);
	a = a < 0 ? 0 : a > BAR_W - 1 ? BAR_W - 1 : a;
	z = z > BAR_W ? BAR_W : z <= a ? a + 1 : z;
	*from = (int)a;
	*to = (int)z;
}

static void
add_bar(struct strbuf *b, const struct eng_trace *t,
    const struct eng_trace_node *nd)
{
	int from, to;

	bar_cells(t, nd, &from, &to);
	strbuf_puts(b, "|");
	for (int i = 0; i < BAR_W; i++)
		strbuf_puts(b, i >= from && i < to ? "=" : " ");
	strbuf_puts(b, "|");
}

static void
add_header(struct strbuf *b, struct eng *e, const struct eng_trace *t,
    bool utc)
{
	strbuf_printf(b, "Trace %s: %zu entr%s", t->id, t->n,
	    t->n == 1 ? "y" : "ies");
	if (t->start_us != ENG_TIME_NONE) {
		strbuf_puts(b, ", from ");
		eng_time_format(b, t->start_us, utc);
		strbuf_puts(b, ", ");
		eng_trace_format_ms(b, (double)(t->end_us - t->start_us) /
		    ENG_US_PER_MS);
	}
	if (t->failed > 0)
		strbuf_printf(b, ", %zu failed", t->failed);
	if (t->root == ENG_TRACE_NONE)
		strbuf_puts(b, ", in progress (no request entry yet)");
	if (t->orphans > 0)
		strbuf_printf(b, ", %zu whose parent is missing", t->orphans);
	if (t->conversation != NULL) {
		strbuf_puts(b, "\nConversation ");
		eng_sanitize(b, t->conversation, strlen(t->conversation));
	}
	strbuf_puts(b, "\n");
	(void)e;
}

static void
add_row(struct strbuf *b, struct eng *e, const struct eng_trace *t,
    const struct eng_trace_node *nd, bool color, struct strbuf *tmp)
{
	const char *cat = nd->entry.category < LLMLOG_NCATEGORIES ?
	    llmlog_category_name(nd->entry.category) : "?";
	bool red = color && (nd->failed || nd->denied);

	if (red)
		strbuf_puts(b, SGR_RED);
	else if (color && nd->slowest)
		strbuf_puts(b, SGR_BOLD);
	strbuf_puts(b, nd->slowest ? "* " : "  ");
	strbuf_reset(tmp);
	if (nd->end_us == ENG_TIME_NONE || t->start_us == ENG_TIME_NONE)
		strbuf_puts(tmp, "?");
	else {
		strbuf_puts(tmp, nd->start_us < t->start_us ? "-" : "+");
		eng_trace_format_ms(tmp, fabs((double)(nd->start_us -
		    t->start_us)) / ENG_US_PER_MS);
	}
	add_padded(b, tmp, 9);
	strbuf_reset(tmp);
	if (isnan(nd->duration_ms))
		strbuf_puts(tmp, "-");
	else
		eng_trace_format_ms(tmp, nd->duration_ms);
	add_padded(b, tmp, 10);
	strbuf_puts(b, " ");
	add_bar(b, t, nd);
	strbuf_printf(b, " %*s%-11s ", (int)nd->depth * 2, "", cat);
	strbuf_reset(tmp);
	eng_summary(e, &nd->entry, tmp);
	eng_sanitize(b, tmp->s != NULL ? tmp->s : "", tmp->len);
	if (nd->orphan)
		strbuf_puts(b, " (parent missing)");
	if (red || (color && nd->slowest))
		strbuf_puts(b, SGR_RESET);
	strbuf_puts(b, "\n");
}

static void
print_tree(struct eng *e, const struct eng_trace *t, bool utc, bool color)
{
	struct strbuf b, tmp;

	strbuf_init(&b);
	strbuf_init(&tmp);
	add_header(&b, e, t, utc);
	strbuf_printf(&b, "%s     OFFSET  DURATION %-*s  ENTRY%s\n",
	    color ? SGR_DIM : "", BAR_W, " WATERFALL", color ? SGR_RESET : "");
	fwrite(b.s, 1, b.len, stdout);
	for (size_t i = 0; i < t->n; i++) {
		strbuf_reset(&b);
		add_row(&b, e, t, &t->v[i], color, &tmp);
		fwrite(b.s, 1, b.len, stdout);
	}
	strbuf_free(&b);
	strbuf_free(&tmp);
}

static int
node_cmp(const void *a, const void *b)
{
	return eng_entry_cmp(&((const struct eng_trace_node *)a)->entry,
	    &((const struct eng_trace_node *)b)->entry);
}

/* The lines as written, in time order, as -o json prints any entries. */
static void
print_lines(struct eng *e, const struct eng_trace *t)
{
	struct eng_trace_node *v = eng_xmalloc(t->n * sizeof *v);

	memcpy(v, t->v, t->n * sizeof *v);
	qsort(v, t->n, sizeof *v, node_cmp);
	for (size_t i = 0; i < t->n; i++) {
		size_t len;
		const char *s = eng_line(e, &v[i].entry, &len);

		if (s != NULL) {
			fwrite(s, 1, len, stdout);
			fputc('\n', stdout);
		}
	}
	free(v);
}

int
trace_run(struct eng *e, const struct options *o, bool color)
{
	struct eng_trace *t = eng_trace_find(e, &o->filter, o->trace_id);

	if (t == NULL) {
		fprintf(stderr, "llmlog: no entry of trace %s%s\n", o->trace_id,
		    o->filter.categories || o->filter.min_level ||
		    o->filter.since_us != ENG_TIME_NONE ||
		    o->filter.until_us != ENG_TIME_NONE || o->nwhere ||
		    o->filter.keyword || o->filter.regex ?
		    " passes the filters" : " in the logs");
		return EXIT_FAILURE;
	}
	if (o->output == OUTPUT_JSON)
		print_lines(e, t);
	else
		print_tree(e, t, o->utc, color);
	eng_trace_free(t);
	return EXIT_SUCCESS;
}
