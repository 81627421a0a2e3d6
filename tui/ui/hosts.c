/*
 * hosts.c - the host picker (H): every host (log directory) with its
 * entries, Space choosing one or several, Enter filtering the list, the
 * tabs, the stats and the search to those chosen.  The choice is the
 * where expression host in ("a", "b") that --host makes
 * (eng_host_where), so every reader honours it, the status line shows
 * it and the filter list (v) switches it off or deletes it as any other.
 * Enter with none chosen takes it away: every host again.  The filter of
 * --host is the picker's as well: its hosts are chosen when it opens.
 */
#include "config.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ui_hosts {
	size_t n;
	bool *chosen;		/* n: what Enter filters to */
	size_t *entries;	/* n: each host's entries, over every file */
	size_t sel, top;
	enum ui_screen_id back;
};

static struct ui_hosts *
state(struct ui *u)
{
	struct ui_hosts *hs;
	size_t n = eng_source_count(u->e);

	if (u->hosts != NULL && u->hosts->n == n)
		return u->hosts;
	if ((hs = u->hosts) == NULL)
		hs = u->hosts = eng_xcalloc(1, sizeof *hs);
	free(hs->chosen);
	free(hs->entries);
	hs->n = n;
	hs->chosen = eng_xcalloc(n + 1, sizeof *hs->chosen);
	hs->entries = eng_xcalloc(n + 1, sizeof *hs->entries);
	hs->sel = hs->top = 0;
	return hs;
}

/* The where expression the picker added, or nwheres when there is none
 * (the filter list deleted it, or c cleared every filter). */
static size_t
host_where(const struct ui *u)
{
	for (size_t i = 0; i < u->nwheres; i++)
		if (u->wheres[i].host)
			return i;
	return u->nwheres;
}

/* The hosts chosen as a comma list, as = shows and reads it back (a
 * comma in a name escaped: eng_host_list_add). */
static void
chosen_list(const struct ui *u, const struct ui_hosts *hs, struct strbuf *out)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hs->chosen[i])
			eng_host_list_add(out, eng_host_name(u->e, (unsigned)i));
}

/* The where expression of the hosts chosen (eng_host_where), or NULL
 * when none is; *k says how many. */
static char *
chosen_where(const struct ui *u, const struct ui_hosts *hs, size_t *k)
{
	struct strbuf names;
	char *expr;

	strbuf_init(&names);
	*k = 0;
	for (size_t i = 0; i < hs->n; i++) {
		const char *h = eng_host_name(u->e, (unsigned)i);

		if (hs->chosen[i]) {
			strbuf_add(&names, h, strlen(h) + 1);
			++*k;
		}
	}
	expr = eng_host_where(names.s, *k);
	strbuf_free(&names);
	return expr;
}

/* A where expression of the hosts some of which are chosen, as
 * eng_host_where writes it. */
static bool
chosen_where_is(const struct ui *u, const struct ui_hosts *hs,
    const char *text)
{
	size_t k;
	char *expr = chosen_where(u, hs, &k);
	bool same = expr != NULL && strcmp(expr, text) == 0;

	free(expr);
	return same;
}

/* --host LIST (or the same expression typed with w) is the picker's to
 * replace: the hosts it names are chosen when it opens. */
static void
adopt(struct ui *u, struct ui_hosts *hs)
{
	for (size_t k = 0; k < u->nwheres; k++) {
		const char *text = eng_where_text(u->wheres[k].w);

		if (u->wheres[k].negated || u->wheres[k].off ||
		    strncmp(text, "host in (", 9) != 0)
			continue;
		for (size_t i = 0; i < hs->n; i++) {
			char *one = eng_host_where(eng_host_name(u->e,
			    (unsigned)i), 1);
			const char *at = text + 8;
			size_t len;

			hs->chosen[i] = false;
			/* its quoted name: between "host in (" and ")" */
			len = strlen(one) - 10;
			one[9 + len] = '\0';
			while ((at = strstr(at + 1, one + 9)) != NULL)
				if ((at[-1] == '(' || at[-1] == ' ') &&
				    (at[len] == ',' || at[len] == ')')) {
					hs->chosen[i] = true;
					break;
				}
			free(one);
		}
		if (chosen_where_is(u, hs, text)) {
			u->wheres[k].host = true;
			return;
		}
	}
	memset(hs->chosen, 0, hs->n * sizeof *hs->chosen);
}

static void
count_entries(struct ui *u, struct ui_hosts *hs)
{
	memset(hs->entries, 0, hs->n * sizeof *hs->entries);
	for (size_t i = 0; i < eng_file_count(u->e); i++) {
		struct eng_file_info fi;

		eng_file_info(u->e, i, &fi);
		if (fi.path == NULL)
			continue;
		for (unsigned s = 0; s < hs->n; s++)
			if (fi.dir == eng_source_name(u->e, s)) {
				hs->entries[s] += fi.entries;
				break;
			}
	}
}

static void
hosts_enter(struct ui *u, enum ui_screen_id from)
{
	struct ui_hosts *hs = state(u);

	if (from != UI_HOSTS && from != UI_HELP) {
		hs->back = from;
		hs->sel = hs->top = 0;
	}
	if (host_where(u) == u->nwheres)
		adopt(u, hs);
	count_entries(u, hs);
}

/* H: the picker, unless there is only one host to pick. */
int
ui_hosts_open(struct ui *u)
{
	if (eng_source_count(u->e) < 2) {
		struct strbuf b;

		strbuf_init(&b);
		if (eng_source_count(u->e) == 1) {
			const char *h = eng_host_name(u->e, 0);

			eng_sanitize(&b, h, strlen(h));
		}
		ui_message(u, false, "only one host%s%s: nothing to choose "
		    "(several: -d DIR more than once, or --hosts DIR)",
		    b.len > 0 ? ", " : "", b.s);
		strbuf_free(&b);
		return UI_HANDLED | UI_REDRAW;
	}
	ui_show(u, UI_HOSTS);
	return UI_HANDLED | UI_REDRAW;
}

/* ---- drawing -------------------------------------------------------------- */

static void
row_draw(struct ui *u, struct ui_hosts *hs, size_t i, int y, int x, int w)
{
	struct strbuf line, count;
	attr_t a = i == hs->sel ? A_REVERSE : A_NORMAL;
	const char *name = eng_host_name(u->e, (unsigned)i);
	int cw;

	strbuf_init(&line);
	strbuf_init(&count);
	strbuf_printf(&line, "%s ", u->utf8 ? (hs->chosen[i] ?
	    "\xe2\x98\x91" : "\xe2\x98\x90") : (hs->chosen[i] ? "[x]" :
	    "[ ]"));
	eng_sanitize(&line, name, strlen(name));
	strbuf_puts(&count, " ");
	eng_format_number(&count, (double)hs->entries[i], 0);
	strbuf_printf(&count, " entr%s ", hs->entries[i] == 1 ? "y" : "ies");
	ui_fill(y, x, w, a);
	cw = ui_text_width(count.s, count.len);
	if (cw > w)
		cw = w;
	ui_text(y, x, w - cw, line.s, line.len, 0, a, NULL, 0, 0);
	ui_text(y, x + w - cw, cw, count.s, count.len, 0, a | A_BOLD, NULL,
	    0, 0);
	strbuf_free(&line);
	strbuf_free(&count);
}

static void
hosts_draw(struct ui *u, int y, int x, int h, int w)
{
	struct ui_hosts *hs = state(u);
	int rows = h - 2;

	ui_puts(y, x, w, "Hosts: the list shows those chosen (none chosen: "
	    "every host)", ui_pair(u, UI_PAIR_TITLE));
	if (rows < 1)
		return;
	if (hs->sel < hs->top)
		hs->top = hs->sel;
	if (hs->sel >= hs->top + (size_t)rows)
		hs->top = hs->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && hs->top + (size_t)i < hs->n; i++)
		row_draw(u, hs, hs->top + (size_t)i, y + 2 + i, x, w);
}

/* ---- keys ----------------------------------------------------------------- */

/* Enter: the chosen hosts become the filter, in place of the last. */
static void
apply(struct ui *u, struct ui_hosts *hs)
{
	char *expr, err[256];
	size_t col, k;

	if (host_where(u) < u->nwheres)
		ui_where_delete(u, host_where(u));
	expr = chosen_where(u, hs, &k);
	if (expr == NULL)
		ui_message(u, false, "every host");
	else if (ui_where_add(u, expr, err, sizeof err, &col) != 0)
		ui_message(u, true, "%s", err);	/* no name it can quote */
	else {
		u->wheres[u->nwheres - 1].host = true;
		ui_refilter(u);
		ui_message(u, false, "%zu of %zu hosts", k, hs->n);
	}
	free(expr);
}

/* The host named name, or hs->n. */
static size_t
host_find(const struct ui *u, const struct ui_hosts *hs, const char *name)
{
	for (size_t i = 0; i < hs->n; i++)
		if (strcmp(eng_host_name(u->e, (unsigned)i), name) == 0)
			return i;
	return hs->n;
}

/* The prompt's error: name is no host; the hosts there are, as a list
 * writes them. */
static void
no_such_host(struct ui *u, const struct ui_hosts *hs, const char *name)
{
	struct strbuf b, one;
	bool comma = false;

	strbuf_init(&b);
	strbuf_init(&one);
	strbuf_puts(&b, "no such host '");
	eng_sanitize(&b, name, strlen(name));
	strbuf_puts(&b, "' (hosts:");
	for (size_t k = 0; k < hs->n; k++) {
		const char *h = eng_host_name(u->e, (unsigned)k);

		strbuf_reset(&one);
		eng_host_list_add(&one, h);
		strbuf_puts(&b, k > 0 ? ", " : " ");
		eng_sanitize(&b, one.s, one.len);
		comma = comma || strchr(h, ',') != NULL;
	}
	strbuf_puts(&b, comma ? "; \\, is a comma in a name)" : ")");
	snprintf(u->prompt.error, sizeof u->prompt.error, "%s", b.s);
	strbuf_free(&one);
	strbuf_free(&b);
}

int
ui_hosts_typed(struct ui *u, const char *text)
{
	struct ui_hosts *hs = state(u);
	bool *chosen = eng_xcalloc(hs->n + 1, sizeof *chosen);
	struct strbuf names;
	size_t n;
	const char *p;

	strbuf_init(&names);
	n = eng_host_split(u->e, text, &names);
	p = names.s;
	for (; n-- > 0; p += strlen(p) + 1) {
		size_t i;

		if ((i = host_find(u, hs, p)) == hs->n) {
			no_such_host(u, hs, p);
			strbuf_free(&names);
			free(chosen);
			return UI_HANDLED | UI_REDRAW;
		}
		chosen[i] = true;
	}
	strbuf_free(&names);
	memcpy(hs->chosen, chosen, hs->n * sizeof *chosen);
	free(chosen);
	apply(u, hs);
	ui_show(u, hs->back == UI_STATS ? UI_STATS : UI_LIST);
	return UI_HANDLED | UI_REDRAW;
}

/* = : the hosts typed, the chosen ones to begin with. */
static void
open_typed(struct ui *u, struct ui_hosts *hs)
{
	struct strbuf list;

	strbuf_init(&list);
	chosen_list(u, hs, &list);
	ui_prompt_open(u, UI_PROMPT_HOSTS, list.len > 0 ? list.s : NULL);
	strbuf_free(&list);
}

static int
hosts_key(struct ui *u, int key)
{
	struct ui_hosts *hs = state(u);
	enum ui_screen_id back = hs->back == UI_STATS ? UI_STATS : UI_LIST;
	bool all = true;

	if (key == 'k' || key == 'j')
		key = UK(key == 'k' ? KEY_UP : KEY_DOWN);
	if (ui_move_key(key, &hs->sel, hs->n, 0))
		return UI_HANDLED | UI_REDRAW;
	switch (key) {
	case ' ':
		if (hs->sel < hs->n)
			hs->chosen[hs->sel] = !hs->chosen[hs->sel];
		if (hs->sel + 1 < hs->n)
			hs->sel++;
		break;
	case 'a':
		for (size_t i = 0; i < hs->n; i++)
			all = all && hs->chosen[i];
		for (size_t i = 0; i < hs->n; i++)
			hs->chosen[i] = !all;
		break;
	case '\n':
	case '\r':
	case UK(KEY_ENTER):
		apply(u, hs);
		ui_show(u, back);
		break;
	case '=':
		open_typed(u, hs);
		break;
	case 'H':
	case UK(KEY_LEFT):
		ui_show(u, back);
		break;
	default:
		return ui_screen_key(u, key, back);
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
hosts_free(struct ui *u)
{
	if (u->hosts == NULL)
		return;
	free(u->hosts->chosen);
	free(u->hosts->entries);
	free(u->hosts);
	u->hosts = NULL;
}

const struct ui_screen ui_hosts_screen = {
	.hint = "Esc back  Up Down choose  Space on/off  a all  = type  Enter filter"
	    "  h help",
	.draw = hosts_draw,
	.key = hosts_key,
	.enter = hosts_enter,
	.free = hosts_free,
};
