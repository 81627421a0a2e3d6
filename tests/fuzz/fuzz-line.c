/*
 * fuzz-line.c - any bytes in a log file index, filter, summarise and walk
 * without crashing; every line is either an entry or a malformed entry,
 * and the pretty walk agrees with the index about which.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/llmlog-fuzz-XXXXXX";
static char path[sizeof dir + 32];

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static int
write_input(const uint8_t *data, size_t size)
{
	int fd;

	if (path[0] == '\0') {
		if (mkdtemp(dir) == NULL)
			return -1;
		snprintf(path, sizeof path, "%s/tool_executions.log", dir);
		atexit(cleanup);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static void
walk(struct eng *e)
{
	struct eng_filter f;
	struct eng_view *v;
	struct eng_stats *st;
	struct strbuf sb;
	struct eng_fields fields;
	json_object *o;

	eng_filter_init(&f);
	f.keyword = "a";
	v = eng_view_new(e, &f);
	eng_view_free(v);
	eng_filter_init(&f);
	v = eng_view_new(e, &f);
	strbuf_init(&sb);
	eng_fields_init(&fields);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);

		const char *line;
		size_t n;

		strbuf_reset(&sb);
		eng_summary(e, en, &sb);
		if ((line = eng_line(e, en, &n)) != NULL &&
		    eng_entry_fields(line, n, &fields) !=
		    !(en->flags & ENTRY_MALFORMED))
			abort();	/* the walk and the index disagree */
	}
	strbuf_free(&sb);
	eng_fields_free(&fields);
	st = eng_stats_new();
	eng_stats_update(st, v);
	o = eng_stats_json(st);
	json_object_put(o);
	eng_stats_free(st);
	eng_view_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dirs[1];
	char err[256];
	struct eng *e;

	if (write_input(data, size) != 0)
		return 0;
	dirs[0] = dir;
	e = eng_open(dirs, 1, err, sizeof err);
	if (e == NULL)
		return 0;
	if (eng_load(e, err, sizeof err) == 0)
		walk(e);
	eng_close(e);
	return 0;
}
