/*
 * main.c - llmlog's entry point: the options, then the explorer on a
 * terminal or the print mode otherwise.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "explorer.h"

/* With "-" standard input holds the logs, not keys: the explorer reads
 * them from the controlling terminal, put at 0 (the engine reads standard
 * input from a descriptor of its own).  No terminal: print mode. */
static bool
keys_from_tty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = isatty(fd) && dup2(fd, STDIN_FILENO) == STDIN_FILENO;
	close(fd);
	return ok;
}

static bool
wants_ui(const struct options *o)
{
	/* an option that asks for printed output (llmlog(1), DESCRIPTION) */
	bool printed = o->print || o->stats || o->list || o->output_given ||
	    o->count || o->cursor_file != NULL || o->nfields > 0 ||
	    o->trace_id[0] != '\0';

	/* "-" on a terminal is read as typed, to its end, in print mode */
	if (o->reads_stdin && isatty(STDIN_FILENO))
		return false;
	return (o->reads_stdin || isatty(STDIN_FILENO)) &&
	    isatty(STDOUT_FILENO) && !printed &&
	    (!o->reads_stdin || keys_from_tty());
}

/* The explorer, starting from what the options say. */
static int
explore(struct eng *e, const struct options *o)
{
	const char *nc = getenv("NO_COLOR");
	struct ui_start start = {
		.filter = o->filter,
		.since_text = o->since_text,
		.until_text = o->until_text,
		.regex_text = o->regex_text,
		.tail = o->tail,
		.utc = o->utc,
		.color = o->color == COLOR_ALWAYS ||
		    (o->color == COLOR_AUTO && (nc == NULL || *nc == '\0')),
	};

	return ui_run(e, &start);
}

static int
run(struct options *o)
{
	struct eng *e;
	struct eng_prices *prices;
	char err[1024];
	int rc;

	if (o->regex_text != NULL &&
	    (o->filter.regex = eng_regex_new(o->regex_text, err,
	    sizeof err)) == NULL) {
		usage_error("%s", err);	/* names the pattern and the fault */
		return EXIT_USAGE;
	}
	if ((prices = eng_prices_default(o->prices, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "llmlog: %s\n", err);
		rc = EXIT_USAGE;
	} else if ((e = eng_open(o->dirs, o->ndirs, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "llmlog: %s\n", err);
		rc = EXIT_USAGE;
	} else if (o->nhost_lists > 0 && !dirs_host_filter(e, o)) {
		eng_close(e);
		rc = EXIT_USAGE;
	} else {
		const char *bad;
		bool ui = o->sql == NULL && wants_ui(o);
		const char *done;
		size_t nbad;

		eng_set_prices(e, prices);
		if (ui || o->follow)
			eng_stdin_live(e);	/* shown as it comes */
		/* standard input's copy is gone at exit: nothing to keep */
		if (!o->no_cache && !o->reads_stdin)
			eng_cache_enable(e, NULL);	/* or none: off */
		rc = o->sql != NULL ? query_run(e, o) :
		    ui ? explore(e, o) : print_run(e, o);
		/* one line however many: the first named, the others counted */
		nbad = ui ? 0 : eng_cache_corrupt(e, &bad);
		done = eng_cache_read_only(e) ? "ignored (the cache directory "
		    "cannot be written)" : "ignored and rebuilt";
		if (nbad == 1)
			fprintf(stderr, "llmlog: %s: index cache corrupt, %s\n",
			    bad, done);
		else if (nbad > 1)
			fprintf(stderr, "llmlog: %s and %zu other index caches "
			    "corrupt, %s\n", bad, nbad - 1, done);
		eng_close(e);
	}
	eng_prices_free(prices);
	if (o->filter.regex != NULL)
		eng_regex_free(o->filter.regex);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o;
	char *dflt = NULL;
	int rc;

	if ((rc = options_parse(argc, argv, &o, &dflt)) != 0)
		return rc - 1;
	rc = run(&o);
	options_free(&o);
	free(dflt);
	return rc;
}
