/*
 * options.c - llmlog's command line, parsed with getopt_long into struct
 * options.  Every bad value is named with the forms that would be
 * accepted; a usage error is exit status 2.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>

#include "cli.h"
#include "llmlog.h"

enum {
	OPT_LIST = 0x100,
	OPT_COLOR,
	OPT_NO_COLOR,
	OPT_UTC,
	OPT_NO_CACHE,
	OPT_SQL,
	OPT_COUNT,
	OPT_FIELDS,
	OPT_CURSOR_FILE,
	OPT_BY,
	OPT_SORT,
	OPT_HOSTS,
	OPT_HOST,
	OPT_RAW,
	OPT_PRICES,
	OPT_MALFORMED,
	OPT_TRACE,
	OPT_CONVERSATION,
};

static const char short_opts[] = ":d:c:l:S:U:k:e:w:n:fso:phV";

static const struct option long_opts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "hosts", required_argument, NULL, OPT_HOSTS },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "category", required_argument, NULL, 'c' },
	{ "level", required_argument, NULL, 'l' },
	{ "since", required_argument, NULL, 'S' },
	{ "until", required_argument, NULL, 'U' },
	{ "keyword", required_argument, NULL, 'k' },
	{ "regex", required_argument, NULL, 'e' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "where", required_argument, NULL, 'w' },
	{ "count", no_argument, NULL, OPT_COUNT },
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "cursor-file", required_argument, NULL, OPT_CURSOR_FILE },
	{ "by", required_argument, NULL, OPT_BY },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "prices", required_argument, NULL, OPT_PRICES },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "conversation", required_argument, NULL, OPT_CONVERSATION },
	{ "tail", required_argument, NULL, 'n' },
	{ "follow", no_argument, NULL, 'f' },
	{ "stats", no_argument, NULL, 's' },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "output", required_argument, NULL, 'o' },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-colour", no_argument, NULL, OPT_NO_COLOR },
	{ "utc", no_argument, NULL, OPT_UTC },
	{ "malformed", no_argument, NULL, OPT_MALFORMED },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "sql", required_argument, NULL, OPT_SQL },
	{ "print", no_argument, NULL, 'p' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const char help_text[] =
"Usage: llmlog [OPTIONS] [FILE...]\n"
"Explore the logs of an LLM-driven shell: an interactive viewer on a\n"
"terminal, plain text otherwise.\n"
"\n"
"  -d, --dir DIR          log directory (repeatable: merged by time; a glob\n"
"                         pattern adds each match); default $LLMLOG_DIR,\n"
"                         else ~/.llm_os/logs\n"
"  FILE                   a log file (read as the category its name says,\n"
"                         else by each line's own category), a directory\n"
"                         (as --dir), or - for standard input; with any,\n"
"                         the default directory is not read\n"
"      --hosts DIR        each subdirectory of DIR with log files, as a host\n"
"      --host LIST        only these hosts (comma list of names as shown,\n"
"                         \\, a comma in a name; may be repeated)\n"
"  -c, --category LIST    user,system,tool,llm,security,performance\n"
"                         (comma list, repeatable)\n"
"  -l, --level LEVEL      minimum level: DEBUG, INFO, WARNING, ERROR, CRITICAL\n"
"  -S, --since TIME       entries at or after TIME\n"
"  -U, --until TIME       entries at or before TIME\n"
"                         TIME: \"2024-01-12 10:00[:05]\", 2024-01-12, 10:00,\n"
"                         RFC 3339, 30m, 2h, 1d, 1w (ago), -1h, now, today,\n"
"                         yesterday, tomorrow, @EPOCH\n"
"  -k, --keyword WORD     case-insensitive substring\n"
"  -e, --regex PATTERN    PCRE2 pattern, caseless unless it has upper case\n"
"      --raw              -k and -e match the raw JSON lines, not the text\n"
"                         shown (summary and fields, escapes undone)\n"
"  -w, --where EXPR       field filter, e.g. 'duration_ms > 5000 and\n"
"                         success = false' (repeatable: all must hold;\n"
"                         llmlog(1), WHERE GRAMMAR)\n"
"  -n, --tail N           only the last N matching entries\n"
"  -f, --follow           keep printing new entries (Ctrl-C to stop)\n"
"      --count            only the number of matching entries\n"
"      --cursor-file FILE\n"
"                         only the entries after those the last run with\n"
"                         FILE saw; then FILE remembers this run's\n"
"  -s, --stats            statistics report\n"
"      --by FIELD[,FIELD]\n"
"                         with --stats: one row per group of values;\n"
"                         time:DURATION groups by time (time:1h)\n"
"      --sort KEY         rows of --by: count (default), name, p95, failed\n"
"      --trace ID         one request end to end: the entries of trace ID\n"
"                         as a tree with offsets, durations, a waterfall\n"
"      --conversation ID  only the entries of conversation ID\n"
"      --list             the log files with sizes, entries and times\n"
"      --sql QUERY        run an SQLite query over the matching entries\n"
"                         (tables entries, user, system, tool, llm,\n"
"                         security, performance)\n"
"  -o, --output FMT       short (default), json (raw lines), pretty or csv;\n"
"                         with --sql: table (default), json or csv\n"
"      --fields LIST      only these fields (comma list, dotted paths)\n"
"      --malformed        with -o json, print malformed lines as they are\n"
"      --color[=WHEN]     auto (default), always or never\n"
"      --no-color         same as --color=never\n"
"      --utc              show times in UTC instead of local time\n"
"      --prices FILE      the price table of LLM calls' cost (LiteLLM's\n"
"                         shape); default $LLMLOG_PRICES, else the\n"
"                         installed one and ~/.config/llmlog/prices.json\n"
"      --no-cache         neither read nor write the index cache\n"
"  -p, --print            print, never start the interactive viewer\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"Exit status: 0 something shown, 1 nothing matched, 2 usage error or\n"
"unreadable input.  See llmlog(1) for details and examples.\n";

struct parse_state {
	struct options *o;
	int64_t now_us;
	const char **where;		/* the -w texts, compiled at the end */
	size_t nwhere, where_cap;
	size_t compiled_cap;		/* room of o->where */
};

void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("llmlog: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'llmlog --help' for more information.\n", stderr);
}

/* "user, system, ..." and "DEBUG, INFO, ...", from the one table in
 * lib/category.c, for the messages that list what is accepted. */
static const char *
category_names(void)
{
	static char buf[128];

	if (buf[0] == '\0') {
		for (int c = 0; c < LLMLOG_NCATEGORIES; c++)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
			    "%s%s", c > 0 ? ", " : "", llmlog_category_name(c));
	}
	return buf;
}

static const char *
level_names(void)
{
	static char buf[64];

	if (buf[0] == '\0') {
		for (int l = LLMLOG_DEBUG; l <= LLMLOG_CRITICAL; l += 10)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
			    "%s%s", l > LLMLOG_DEBUG ? ", " : "",
			    llmlog_level_name(l));
	}
	return buf;
}

/* "user,llm" -> bits; "all" selects every category. */
static int
parse_categories(const char *arg, unsigned *bits)
{
	char *copy = eng_xstrdup(arg), *save = NULL, *tok;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		int c;

		tok += strspn(tok, " ");
		tok[strcspn(tok, " ")] = '\0';
		if (strcasecmp(tok, "all") == 0) {
			*bits |= (1u << LLMLOG_NCATEGORIES) - 1;
			continue;
		}
		if ((c = llmlog_category_parse(tok)) < 0) {
			usage_error("invalid category '%s': expected a comma list "
			    "of %s (or all)", tok, category_names());
			rc = -1;
			break;
		}
		*bits |= 1u << c;
	}
	if (rc == 0 && *bits == 0) {
		usage_error("invalid category '%s': expected a comma list of "
		    "%s (or all)", arg, category_names());
		rc = -1;
	}
	free(copy);
	return rc;
}

static int
parse_tail(const char *arg, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v < 0 ||
	    strchr(arg, '-') != NULL) {
		usage_error("invalid count '%s' for --tail: expected a whole "
		    "number, 0 or more", arg);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_output(const char *arg, enum output_format *out)
{
	if (strcasecmp(arg, "short") == 0)
		*out = OUTPUT_SHORT;
	else if (strcasecmp(arg, "json") == 0)
		*out = OUTPUT_JSON;
	else if (strcasecmp(arg, "pretty") == 0)
		*out = OUTPUT_PRETTY;
	else if (strcasecmp(arg, "csv") == 0)
		*out = OUTPUT_CSV;
	else {
		usage_error("invalid output format '%s': expected one of short, "
		    "json, pretty, csv", arg);
		return -1;
	}
	return 0;
}

static int
parse_color(const char *arg, enum color_when *out)
{
	if (arg == NULL || strcasecmp(arg, "always") == 0)
		*out = COLOR_ALWAYS;
	else if (strcasecmp(arg, "auto") == 0)
		*out = COLOR_AUTO;
	else if (strcasecmp(arg, "never") == 0)
		*out = COLOR_NEVER;
	else {
		usage_error("invalid --color value '%s': expected one of auto, "
		    "always, never", arg);
		return -1;
	}
	return 0;
}

/* After all options, as --utc says the zone of a time written without. */
static int
parse_time(const char *opt, const char *arg, int64_t now_us, unsigned flags,
    int64_t *out)
{
	char err[512];

	if (arg != NULL &&
	    eng_time_parse_as(arg, now_us, flags, out, err, sizeof err) != 0) {
		usage_error("%s: %s", opt, err);
		return -1;
	}
	return 0;
}

static int
parse_level(const char *arg, int *out)
{
	int l = llmlog_level_parse(arg);

	if (l < 0) {
		usage_error("invalid level '%s': expected one of %s", arg,
		    level_names());
		return -1;
	}
	*out = l;
	return 0;
}

static int
parse_sort(const char *arg, enum eng_group_sort *out)
{
	static const char *const names[] = {
		[ENG_SORT_COUNT] = "count", [ENG_SORT_NAME] = "name",
		[ENG_SORT_P95] = "p95", [ENG_SORT_FAILED] = "failed",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(arg, names[i]) == 0) {
			*out = (enum eng_group_sort)i;
			return 0;
		}
	usage_error("invalid --sort key '%s': expected one of count, name, "
	    "p95, failed", arg);
	return -1;
}

/* "model,tool_name" -> its names; empty ones are refused. */
static int
parse_fields(const char *arg, struct options *o)
{
	char *copy = eng_xstrdup(arg), *save = NULL, *tok;
	size_t cap = 0;

	if (o->fields != NULL)
		free((char *)o->fields[o->nfields]);	/* a --fields before */
	free(o->fields);
	o->fields = NULL;
	o->nfields = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		tok += strspn(tok, " ");
		tok[strcspn(tok, " ")] = '\0';
		if (*tok == '\0')
			continue;
		eng_grow(&o->fields, &cap, o->nfields + 1, sizeof *o->fields);
		o->fields[o->nfields++] = tok;
	}
	if (o->nfields == 0) {
		usage_error("invalid --fields '%s': expected a comma list of "
		    "field names, e.g. model,duration_ms", arg);
		free(copy);
		return -1;
	}
	/* the names point into copy, which lives as long as the options */
	eng_grow(&o->fields, &cap, o->nfields + 1, sizeof *o->fields);
	o->fields[o->nfields] = copy;
	return 0;
}

/* A where expression's error: the message, the expression, a caret under
 * the column it names. */
static int
compile_where(struct parse_state *ps, const char *text)
{
	struct options *o = ps->o;
	struct eng_where *w;
	char err[768];
	size_t col = 1;

	if ((w = eng_where_new(text, ps->now_us, o->utc, err, sizeof err,
	    &col)) == NULL) {
		usage_error("--where: %s\n  %s\n  %*s^", err, text,
		    (int)(col - 1), "");
		return -1;
	}
	eng_grow(&o->where, &ps->compiled_cap, o->nwhere + 1,
	    sizeof *o->where);
	o->where[o->nwhere++] = w;
	o->filter.where = o->where;
	o->filter.nwhere = o->nwhere;
	return 0;
}

/* One option: 0, -1 on a usage error, 1 when the program is done (help,
 * version). */
static int
parse_one(struct parse_state *ps, int c, char **argv)
{
	struct options *o = ps->o;

	switch (c) {
	case 'd':
		return dirs_add(&o->dir_list, optarg);
	case OPT_HOSTS:
		return dirs_add_hosts(&o->dir_list, optarg);
	case OPT_HOST:
		/* each adds its hosts; read once the hosts are known */
		o->host_lists = eng_xrealloc(o->host_lists,
		    (o->nhost_lists + 1) * sizeof *o->host_lists);
		o->host_lists[o->nhost_lists++] = optarg;
		return 0;
	case 'c':
		return parse_categories(optarg, &o->filter.categories);
	case 'l':
		return parse_level(optarg, &o->filter.min_level);
	case 'S':
		o->since_text = optarg;
		return 0;
	case 'U':
		o->until_text = optarg;
		return 0;
	case 'k':
		o->filter.keyword = optarg;
		return 0;
	case 'e':
		o->regex_text = optarg;
		return 0;
	case OPT_RAW:
		o->filter.raw = true;
		return 0;
	case 'w':
		eng_grow(&ps->where, &ps->where_cap, ps->nwhere + 1,
		    sizeof *ps->where);
		ps->where[ps->nwhere++] = optarg;
		return 0;
	case OPT_COUNT:
		o->count = true;
		return 0;
	case OPT_FIELDS:
		return parse_fields(optarg, o);
	case OPT_CURSOR_FILE:
		o->cursor_file = optarg;
		return 0;
	case OPT_BY:
		o->by_text = optarg;
		return 0;
	case OPT_SORT:
		o->sort_given = true;
		return parse_sort(optarg, &o->sort);
	case OPT_PRICES:
		o->prices = optarg;
		return 0;
	case OPT_TRACE:
		if (!eng_trace_id_parse(optarg, o->trace_id)) {
			usage_error("invalid trace id '%s' for --trace: expected "
			    "32 hex digits, as in an entry's trace_id", optarg);
			return -1;
		}
		return 0;
	case OPT_CONVERSATION:
		o->conversation = optarg;
		return 0;
	case 'n':
		return parse_tail(optarg, &o->tail);
	case 'f':
		o->follow = true;
		return 0;
	case 's':
		o->stats = true;
		return 0;
	case OPT_LIST:
		o->list = true;
		return 0;
	case 'o':
		o->output_given = true;
		return parse_output(optarg, &o->output);
	case OPT_COLOR:
		return parse_color(optarg, &o->color);
	case OPT_NO_COLOR:
		o->color = COLOR_NEVER;
		return 0;
	case OPT_UTC:
		o->utc = true;
		return 0;
	case OPT_MALFORMED:
		o->malformed = true;
		return 0;
	case OPT_NO_CACHE:
		o->no_cache = true;
		return 0;
	case OPT_SQL:
		o->sql = optarg;
		return 0;
	case 'p':
		o->print = true;
		return 0;
	case 'h':
		fputs(help_text, stdout);
		return 1;
	case 'V':
		printf("llmlog %s\n", PACKAGE_VERSION);
		return 1;
	case ':':
		usage_error("option '%s' needs a value", argv[optind - 1]);
		return -1;
	default:
		if (optopt != 0)
			usage_error("unknown option '-%c'", optopt);
		else
			usage_error("unknown option '%s'", argv[optind - 1]);
		return -1;
	}
}

/* --sql prints rows, not entries: the options that shape entries have
 * no meaning with it. */
static int
check_sql(const struct options *o)
{
	const char *clash = o->stats ? "--stats" : o->list ? "--list" :
	    o->follow ? "--follow" : o->tail >= 0 ? "--tail" :
	    o->output == OUTPUT_PRETTY ? "--output pretty" :
	    o->count ? "--count" : o->nfields > 0 ? "--fields" :
	    o->cursor_file != NULL ? "--cursor-file" : NULL;

	if (o->sql == NULL)
		return 0;
	if (clash != NULL) {
		usage_error("--sql cannot be combined with %s: its rows are "
		    "printed as a table, json or csv", clash);
		return -1;
	}
	return 0;
}

/* --conversation ID is the where expression conversation_id = "ID",
 * the ID written as a JSON string. */
static int
conversation_where(struct parse_state *ps)
{
	struct strbuf w;
	int rc;

	if (*ps->o->conversation == '\0') {
		usage_error("empty conversation id for --conversation");
		return -1;
	}
	strbuf_init(&w);
	strbuf_puts(&w, "conversation_id = \"");
	for (const unsigned char *c = (const unsigned char *)ps->o->conversation;
	    *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			strbuf_printf(&w, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			strbuf_printf(&w, "\\u%04x", *c);
		else
			strbuf_add(&w, (const char *)c, 1);
	}
	strbuf_puts(&w, "\"");
	rc = compile_where(ps, w.s);
	strbuf_free(&w);
	return rc;
}

/* --trace prints one tree or its lines: not with what prints others. */
static int
check_trace(const struct options *o)
{
	const char *clash = o->stats ? "--stats" : o->list ? "--list" :
	    o->follow ? "--follow" : o->tail >= 0 ? "--tail" :
	    o->count ? "--count" : o->nfields > 0 ? "--fields" :
	    o->cursor_file != NULL ? "--cursor-file" :
	    o->sql != NULL ? "--sql" : o->output == OUTPUT_PRETTY ?
	    "--output pretty" : o->output == OUTPUT_CSV ? "--output csv" : NULL;

	if (o->trace_id[0] == '\0')
		return 0;
	if (clash != NULL) {
		usage_error("--trace cannot be combined with %s: it prints the "
		    "trace's tree, or with --output json its lines", clash);
		return -1;
	}
	return 0;
}

/* After the options: defaults and checks that need all of them. */
static int
finish_options(struct parse_state *ps, int argc, char **argv, char **dflt)
{
	struct options *o = ps->o;

	for (int i = optind; i < argc; i++) {
		/* a log file, a directory (as --dir), or "-": standard input */
		struct stat st;

		if (strcmp(argv[i], "-") == 0) {
			if (o->reads_stdin) {
				usage_error("'-' (standard input) given twice");
				return -1;
			}
			o->reads_stdin = true;
		} else if (*argv[i] == '\0' || stat(argv[i], &st) != 0) {
			usage_error("'%s': %s (arguments are log files, "
			    "directories or - for standard input; filters are "
			    "options, e.g. --keyword WORD)", argv[i],
			    *argv[i] == '\0' ? "empty file name" :
			    strerror(errno));
			return -1;
		}
		dirs_add_source(&o->dir_list, argv[i]);
	}
	if (parse_time("--since", o->since_text, ps->now_us,
	    o->utc ? ENG_TIME_UTC : 0, &o->filter.since_us) != 0 ||
	    parse_time("--until", o->until_text, ps->now_us,
	    ENG_TIME_UNTIL | (o->utc ? ENG_TIME_UTC : 0),
	    &o->filter.until_us) != 0)
		return -1;
	if (o->filter.since_us != ENG_TIME_NONE &&
	    o->filter.until_us != ENG_TIME_NONE &&
	    o->filter.since_us > o->filter.until_us) {
		usage_error("--since '%s' is later than --until '%s'",
		    o->since_text, o->until_text);
		return -1;
	}
	for (size_t i = 0; i < ps->nwhere; i++)
		if (compile_where(ps, ps->where[i]) != 0)
			return -1;
	if (o->follow && o->stats) {
		usage_error("--follow and --stats do not combine: --stats "
		    "reports once (the viewer's Stats tab follows new entries)");
		return -1;
	}
	if (o->conversation != NULL && conversation_where(ps) != 0)
		return -1;
	if (check_trace(o) != 0)
		return -1;
	if (o->cursor_file != NULL && (o->follow || o->stats || o->count)) {
		usage_error("--cursor-file prints the new entries once: not "
		    "with %s", o->follow ? "--follow" : o->stats ? "--stats" :
		    "--count");
		return -1;
	}
	if (o->by_text != NULL) {
		struct by_spec by;

		if (!o->stats) {
			usage_error("--by needs --stats (e.g. --stats --by "
			    "model)");
			return -1;
		}
		if (by_parse(o->by_text, &by) != 0)
			return -1;
		by_free(&by);
	}
	if (check_sql(o) != 0)
		return -1;
	if (o->dir_list.n == 0) {
		/* the directory the library writes by default */
		if ((*dflt = llmlog_default_dir()) == NULL) {
			if (errno == ENOMEM)
				eng_oom();
			usage_error("no log directory: set LLMLOG_DIR or use --dir");
			return -1;
		}
		if (dirs_add(&o->dir_list, *dflt) != 0)
			return -1;
	}
	dirs_dedup(&o->dir_list);
	o->dirs = (const char **)o->dir_list.v;
	o->ndirs = o->dir_list.n;
	return 0;
}

int
options_parse(int argc, char **argv, struct options *o, char **dflt)
{
	struct parse_state ps = { .o = o, .now_us = eng_now_us() };
	int c, rc = 0;

	memset(o, 0, sizeof *o);
	eng_filter_init(&o->filter);
	o->tail = -1;
	opterr = 0;
	while (rc == 0 &&
	    (c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1)
		rc = parse_one(&ps, c, argv);
	if (rc == 0 && finish_options(&ps, argc, argv, dflt) != 0)
		rc = -1;
	free(ps.where);
	if (rc != 0) {
		options_free(o);
		return rc > 0 ? 1 + EXIT_SUCCESS : 1 + EXIT_USAGE;
	}
	return 0;
}

void
options_free(struct options *o)
{
	for (size_t i = 0; i < o->nwhere; i++)
		eng_where_free(o->where[i]);
	free(o->where);
	if (o->fields != NULL)
		free((char *)o->fields[o->nfields]);
	free(o->fields);
	dirs_free(&o->dir_list);
	free(o->host_lists);
	o->host_lists = NULL;
	o->nhost_lists = 0;
	o->where = NULL;
	o->fields = NULL;
	o->dirs = NULL;
	o->nwhere = o->nfields = 0;
}
