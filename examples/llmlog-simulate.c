/*
 * llmlog-simulate.c - writes a realistic LLM-OS session through libllmlog's
 * public API: demo data for the explorer, input for the benchmarks and a
 * live writer for follow-mode demos.  Deterministic for a given --seed.
 *
 * A user request is a trace (llmlog(5), TRACES): its interaction entry
 * records the root span, each LLM call and tool execution records a span
 * under it, and a tool's security check and slow-tool metric are leaves
 * under the tool.  The entries of an episode are made before they are
 * written (each gets its time then), so the spans are filled in here from
 * a generator of the seed's rather than begun live, which also keeps the
 * ids the same for a seed.  Requests come in conversations of a few.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "llmlog.h"

#define NS_PER_SEC 1000000000LL
#define MAX_PENDING 48
#define MAX_STRINGS 96
#define MAX_TOOLS 8
#define SHUTDOWN_ENTRIES 5	/* what episode_shutdown() writes */

/* ---- options ------------------------------------------------------------ */

struct options {
	const char *dir;
	int64_t entries;	/* -1: not given */
	uint64_t seed;
	int64_t start_ns;	/* INT64_MIN: now minus span */
	int64_t span_ns;
	bool span_given;
	double rate;		/* 0: batch mode */
	int64_t duration_ns;	/* live mode; 0: until killed */
	bool duration_given;
	int64_t max_bytes;
	int backups;		/* -1: library default */
	int processes;
	int threads;		/* writer threads per process */
	bool async;
	bool console;
};

static volatile sig_atomic_t stop_requested;

/* ---- the random source: splitmix64, so a seed means the same story ------ */

struct rng {
	uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* uniform integer in [lo, hi] */
static int64_t
rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static bool
rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

static double
rng_normal(struct rng *r)
{
	double u = 1.0 - rng_unit(r), v = rng_unit(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Durations and token counts are skewed with a long right tail. */
static double
rng_lognormal(struct rng *r, double median, double sigma)
{
	return median * exp(sigma * rng_normal(r));
}

#define PICK(r, arr) ((arr)[rng_next(r) % (sizeof(arr) / sizeof((arr)[0]))])

/* One decimal place, as a person would read a duration. */
static double
round1(double x)
{
	return round(x * 10.0) / 10.0;
}

/* ---- the world the simulated shell lives in ------------------------------ */

struct provider {
	const char *name;
	const char *models[3];
	double latency_ms;	/* until the first token */
	double tokens_per_s;
	int weight;
	const char *errors[3];
};

static const struct provider providers[] = {
	{ "groq", { "llama3-70b-8192", "llama3-8b-8192", "mixtral-8x7b-32768" },
	  170, 280, 55,
	  { "Error code: 503 - Service Unavailable: groq is currently over capacity",
	    "Request timed out after 30.0s",
	    "Error code: 400 - Please reduce the length of the messages or completion." } },
	{ "openai", { "gpt-4o", "gpt-4o-mini", NULL },
	  420, 75, 20,
	  { "Error code: 503 - The server is overloaded or not ready yet.",
	    "Request timed out after 60.0s",
	    "Error code: 400 - This model's maximum context length is 128000 tokens." } },
	{ "ollama", { "llama3.1:8b", "qwen2.5-coder:7b", "mistral:7b" },
	  90, 28, 15,
	  { "Connection refused: could not reach http://localhost:11434/api/chat",
	    "model 'llama3.1:8b' not found, try pulling it first",
	    "Ollama runner process has terminated: signal: killed" } },
	{ "anthropic", { "claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022", NULL },
	  600, 62, 10,
	  { "Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}",
	    "Request timed out after 60.0s",
	    "Error code: 400 - prompt is too long: 204521 tokens > 200000 maximum" } },
};
#define NPROVIDERS (int)(sizeof providers / sizeof providers[0])

/* What the providers bill, USD per million tokens, input and output, per
 * model of the table above (their published prices; ollama runs locally). */
static const double prices[][3][2] = {
	{ { 0.59, 0.79 }, { 0.05, 0.08 }, { 0.24, 0.24 } },
	{ { 2.50, 10.00 }, { 0.15, 0.60 }, { 0, 0 } },
	{ { 0, 0 }, { 0, 0 }, { 0, 0 } },
	{ { 3.00, 15.00 }, { 0.80, 4.00 }, { 0, 0 } },
};

static const char *const workdirs[] = {
	"/home/user/projects/llm-os", "/home/user/projects/webapp",
	"/home/user/Documents/notes", "/home/user/projects/llm-os/src/llm_os",
	"/home/user/Downloads", "/home/user/Photos/2024 été",
	"/home/user/projects/数据分析", "/tmp/scratch",
};

static const char *const filenames[] = {
	"README.md", "main.py", "config.yaml", "router.py", "requirements.txt",
	"Makefile", "notes-2024-01-12.md", "package.json", "index.ts",
	"résumé.pdf", "报告.docx", "todo.txt", "Cargo.toml", "server.log",
	"🐍 snippets.py", "docker-compose.yml", "CHANGELOG.md", ".env.example",
};

/* Paths a model should never be allowed near. */
static const struct denied {
	const char *resource;
	const char *action;
	const char *prompt;
} denied[] = {
	{ "/etc/passwd", "read", "show me the contents of /etc/passwd" },
	{ "/etc/shadow", "read", "read /etc/shadow and tell me the root hash" },
	{ "/home/user/.ssh/id_rsa", "read", "print my ssh key from ~/.ssh/id_rsa" },
	{ "/root/.bash_history", "read", "what did root run recently?" },
	{ "/home/user/projects/llm-os/../../../etc/hosts", "read",
	  "open ../../../etc/hosts from the project dir" },
	{ "/proc/self/environ", "read", "dump the environment of this process" },
	{ "/etc/sudoers", "write", "add me to sudoers please" },
	{ "/var/log/auth.log", "read", "who logged in over ssh today?" },
};

/* Fake credentials a careless user pastes, and what the shell answers;
 * every one must come out [REDACTED].  tests/test-sim.sh greps the files
 * for their bodies. */
static const struct {
	const char *input;
	const char *reply;
} secret_inputs[] = {
	{ "my key is sk-proj-Xq3vT9mB2kLr8NwYc4HdJ6sFa1PzE7gU0oRiKtVy5bMnQ2w, set up openai with it",
	  "Saved to the openai provider settings. Consider rotating the key: it was pasted in plain text." },
	{ "export GROQ_API_KEY=gsk_W7nRt2YpQ9vLx4KcB8mZs1HdJ3fGa6EoU5iNwTyXkPq0 and switch to groq",
	  "Saved, and groq is the default provider again." },
	{ "use this github token ghp_Zr8Kq2Wn5Tx1Bv7Cm4Yp9Ls3Hd6Fg0Jj2Ak for the git server",
	  "The git server will use the new token from now on." },
	{ "aws creds AKIAZ7QW3RT5YU2IO9PL with secret in ~/.aws, can you check s3?",
	  "I stored the access key id; I have no S3 tool, so I can't list buckets." },
	{ "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.c2ltdWxhdGVkLXRva2Vu.Qm9ndXNTaWduYXR1cmU' https://api.example.com/me fails, why?",
	  "The token has expired: ask the API for a new one and retry." },
};

static const char *const chat_prompts[] = {
	"explain what a race condition is",
	"how do I undo the last git commit but keep the changes?",
	"write a haiku about log rotation",
	"what's the difference between TCP and UDP?",
	"traduis « bonjour, ça va ? » en anglais",
	"翻译成英文：日志轮换已完成",
	"summarize our conversation so far",
	"is it safe to delete node_modules?",
	"¿cómo cambio el modelo por defecto?",
	"give me a regex for ISO 8601 dates",
	"why is my python script so slow? 🐢",
};

static const char *const chat_replies[] = {
	"A race condition happens when two threads access shared state and the result depends on timing. Use a lock or an atomic operation around the shared update.",
	"Run `git reset --soft HEAD~1`: the commit is undone and its changes stay staged.",
	"Ten megabytes reached / the old log steps aside, renamed / five ghosts, then silence.",
	"TCP gives you an ordered, reliable byte stream with congestion control; UDP sends independent datagrams with no delivery guarantee and less overhead.",
	"« Hello, how are you? »",
	"Log rotation is complete.",
	"We listed the project files, read config.yaml and fixed the provider setting.",
	"Yes — it is rebuilt by `npm install`; deleting it frees about 412 MB here.",
	"Usa `/model` o edita default_provider en ~/.llm_os/config.yaml.",
	"^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?)?$",
	"Profile it first: `python -m cProfile -s cumtime script.py`. The usual culprit is a loop doing I/O per item.",
};

static const char *const lorem[] = {
	"The router picks a provider per request and falls back when one is rate limited.",
	"Each MCP server runs in its own process and is restarted when it stops answering.",
	"Tool results are summarised before they reach the model so that the context stays small.",
	"Configuration lives in ~/.llm_os/config.yaml and is reloaded on change.",
	"Le fichier contient les notes de la réunion du 12 janvier : priorités, risques, échéances.",
	"この関数はログファイルを読み込み、エントリを時刻順に並べ替えます。",
	"Tests pass on CPython 3.11 and 3.12; the 3.10 job is flaky because of a timeout.",
	"def complete(self, messages):\n    return self.provider.chat(messages, stream=True)",
};

/* ---- the story being told: entries waiting for their timestamps --------- */

struct pending {
	enum llmlog_category cat;
	double at_ms;		/* when it happened, from the episode's start */
	struct llmlog_span span;	/* ctx.span_id 0: outside a request */
	union {
		struct llmlog_interaction user;
		struct llmlog_system sys;
		struct llmlog_tool tool;
		struct llmlog_llm llm;
		struct llmlog_security sec;
		struct llmlog_metric perf;
	} u;
	const char *tool_calls[MAX_TOOLS + 1];
};

struct episode {
	struct pending ent[MAX_PENDING];
	int n;
	double clock_ms;	/* the story's own clock */
	char *strings[MAX_STRINGS];	/* text the entries point at */
	int nstrings;
	struct llmlog_context req;	/* the request's root span; 0: none */
	uint64_t parent;		/* where new entries go: the root or a
					 * tool's span */
	struct sim *sim;		/* whose generator makes the ids */
};

struct sim {
	const struct options *opt;
	struct rng rng;
	struct llmlog *lg;
	int64_t quota;		/* entries this process writes; -1: no limit */
	int64_t written;
	int64_t failed;
	int64_t slot_start_ns;	/* batch mode: where the next episode may start */
	int64_t start_ns;
	int64_t span_ns;
	int64_t live_start_ns;	/* live mode: wall clock at the start */
	int64_t exchanges;	/* user turns since startup: the history grows */
	double mem_mb;		/* the shell's resident memory, drifting */
	int provider;		/* the router's current default */
	int model;
	int fallback_left;	/* turns until the rate-limited provider is back */
	bool closing;		/* live mode: the goodbye is written at once */
	struct rng ids;		/* trace ids, conversations and costs: apart
				 * from rng, so the story stays the same */
	char conversation[40];
	int conversation_left;	/* requests until the next conversation */
};

static const char *
ep_printf(struct episode *ep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *
ep_printf(struct episode *ep, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL || ep->nstrings == MAX_STRINGS) {
		free(s);
		return "";
	}
	ep->strings[ep->nstrings++] = s;
	return s;
}

/* A span id: never 0. */
static uint64_t
new_id(struct sim *s)
{
	uint64_t id;

	while ((id = rng_next(&s->ids)) == 0)
		;
	return id;
}

/* A new entry of the episode, stamped with the story clock. */
static struct pending *
ep_add(struct episode *ep, enum llmlog_category cat)
{
	struct pending *p;

	if (ep->n == MAX_PENDING)
		return NULL;
	p = &ep->ent[ep->n++];
	memset(p, 0, sizeof *p);
	p->cat = cat;
	p->at_ms = ep->clock_ms;
	/* inside a request: a leaf under the current parent, until a record
	 * takes the span over (ep_record) */
	if (ep->req.span_id != 0) {
		p->span.ctx = ep->req;
		p->span.ctx.parent_span_id = ep->parent;
		p->span.ctx.span_id = new_id(ep->sim);
	}
	return p;
}

/* The start of a user request: a new trace, in the conversation of the
 * last few requests or a new one. */
static void
ep_request(struct sim *s, struct episode *ep)
{
	if (s->conversation_left-- <= 0) {
		snprintf(s->conversation, sizeof s->conversation,
		    "conv-%016" PRIx64, new_id(s));
		s->conversation_left = (int)(rng_next(&s->ids) % 6);
	}
	memset(&ep->req, 0, sizeof ep->req);
	ep->req.trace_hi = new_id(s);
	ep->req.trace_lo = new_id(s);
	ep->req.span_id = new_id(s);
	ep->req.flags = 1;
	ep->req.conversation_id = ep_printf(ep, "%s", s->conversation);
	ep->parent = ep->req.span_id;
}

/* Make the entry the record of span id, under the span parent (0: the
 * request's root itself). */
static void
ep_record(struct episode *ep, struct pending *p, uint64_t id, uint64_t parent)
{
	if (p == NULL || ep->req.span_id == 0)
		return;
	p->span.ctx = ep->req;
	p->span.ctx.span_id = id;
	p->span.ctx.parent_span_id = parent;
}

/* Drop the json objects of an entry that will not be written. */
static void
pending_discard(struct pending *p)
{
	switch (p->cat) {
	case LLMLOG_USER:
		json_object_put(p->u.user.details);
		break;
	case LLMLOG_SYSTEM:
		json_object_put(p->u.sys.details);
		break;
	case LLMLOG_TOOL:
		json_object_put(p->u.tool.parameters);
		json_object_put(p->u.tool.result);
		break;
	case LLMLOG_PERFORMANCE:
		json_object_put(p->u.perf.details);
		break;
	default:
		break;
	}
}

static void
ep_reset(struct episode *ep)
{
	for (int i = 0; i < ep->nstrings; i++)
		free(ep->strings[i]);
	ep->nstrings = 0;
	ep->n = 0;
	ep->clock_ms = 0;
	memset(&ep->req, 0, sizeof ep->req);
	ep->parent = 0;
}

/* ---- small json builders --------------------------------------------------- */

static json_object *
jobj(void)
{
	return json_object_new_object();
}

static void
jset_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void
jset_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void
jset_bool(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

static void
jset_double(json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(v));
}

/* ---- entries of each kind ---------------------------------------------------- */

static void
add_system(struct sim *s, struct episode *ep, const char *event,
    const char *component, const char *message, json_object *details)
{
	struct pending *p = ep_add(ep, LLMLOG_SYSTEM);

	if (p == NULL) {
		json_object_put(details);
		return;
	}
	p->u.sys.event = event;
	p->u.sys.component = component;
	p->u.sys.message = message;
	p->u.sys.details = details;
}

/* The shell's memory drifts up with use and drops when caches are freed. */
static double
sim_memory(struct sim *s)
{
	s->mem_mb += rng_normal(&s->rng) * 0.8 + 0.05;
	if (s->mem_mb > 380 || rng_chance(&s->rng, 0.002))
		s->mem_mb = 120 + rng_unit(&s->rng) * 30;
	if (s->mem_mb < 60)
		s->mem_mb = 60;
	return round1(s->mem_mb);
}

static void
add_metric(struct sim *s, struct episode *ep, const char *operation,
    double duration_ms, double cpu, json_object *details)
{
	struct pending *p = ep_add(ep, LLMLOG_PERFORMANCE);

	if (p == NULL) {
		json_object_put(details);
		return;
	}
	p->u.perf.operation = operation;
	p->u.perf.duration_ms = round1(duration_ms);
	p->u.perf.memory_mb = sim_memory(s);
	p->u.perf.cpu_percent = round1(cpu < 0.1 ? 0.1 : cpu);
	p->u.perf.details = details;
}

static void
add_security(struct episode *ep, const char *event_type, const char *resource,
    const char *action, bool allowed, const char *reason)
{
	struct pending *p = ep_add(ep, LLMLOG_SECURITY);

	if (p == NULL)
		return;
	p->u.sec.event_type = event_type;
	p->u.sec.resource = resource;
	p->u.sec.action = action;
	p->u.sec.allowed = allowed;
	p->u.sec.reason = reason;
}

/* Some calls know what they were billed (a local model: 0.00, said so);
 * the rest leave it to the explorer's price table. */
static void
add_cost(struct sim *s, struct pending *p, int prov, int model)
{
	const double *pr = prices[prov][model];
	double usd;

	if (!rng_chance(&s->ids, 0.4))
		return;
	usd = ((double)p->u.llm.prompt_tokens * pr[0] +
	    (double)p->u.llm.completion_tokens * pr[1]) / 1e6;
	p->u.llm.cost_usd = round(usd * 1e8) / 1e8;
	p->u.llm.has_cost = true;
}

/* One call to the model: advances the clock by its duration, then logs.
 * Returns the completion tokens (0 when it failed). */
static int64_t
add_llm(struct sim *s, struct episode *ep, int prov, int model,
    bool final_answer, const char *error)
{
	const struct provider *pv = &providers[prov];
	struct rng *r = &s->rng;
	/* the conversation grows until the shell compacts it */
	int64_t history = (s->exchanges % 12) * 90;
	int64_t prompt, completion;
	double ms;
	struct pending *p;

	prompt = 520 + 380 + history + (int64_t)rng_lognormal(r, 60, 0.9);
	if (final_answer)
		completion = (int64_t)rng_lognormal(r, 170, 0.75) + 5;
	else
		completion = (int64_t)rng_lognormal(r, 38, 0.4) + 8;
	if (completion > 4096)
		completion = 4096;
	ms = rng_lognormal(r, pv->latency_ms, 0.35) +
	    completion * 1000.0 / rng_lognormal(r, pv->tokens_per_s, 0.2);
	if (error != NULL) {
		completion = 0;
		ms = strstr(error, "timed out") ? 30000 + rng_unit(r) * 30000 :
		    rng_lognormal(r, pv->latency_ms, 0.5);
	}
	if (rng_chance(r, 0.01))
		ms *= 8;	/* a cold start or a congested region */
	ep->clock_ms += ms;
	if ((p = ep_add(ep, LLMLOG_LLM)) == NULL)
		return 0;
	p->u.llm.provider = pv->name;
	p->u.llm.model = pv->models[model];
	p->u.llm.prompt_tokens = prompt;
	p->u.llm.completion_tokens = completion;
	p->u.llm.duration_ms = round1(ms);
	p->u.llm.streaming = final_answer && rng_chance(r, 0.7);
	p->u.llm.error = error;
	add_cost(s, p, prov, model);
	return completion;
}

/* ---- tools: parameters, results, durations --------------------------------- */

struct tool_run {
	const char *name;
	const char *server;
	json_object *params;
	json_object *result;
	const char *result_text;
	const char *error;
	double ms;
	const char *path;	/* what a security check would look at */
};

static const char *
random_path(struct sim *s, struct episode *ep)
{
	return ep_printf(ep, "%s/%s", PICK(&s->rng, workdirs),
	    PICK(&s->rng, filenames));
}

/* A listing long enough, now and then, for the summary to be cut. */
static json_object *
listing(struct sim *s, int n)
{
	json_object *o = jobj(), *files = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(files,
		    json_object_new_string(PICK(&s->rng, filenames)));
	json_object_object_add(o, "files", files);
	jset_int(o, "count", n);
	return o;
}

static const char *
file_text(struct sim *s, struct episode *ep, int paragraphs)
{
	size_t cap = 64 + (size_t)paragraphs * 160, len = 0;
	char *t = malloc(cap);

	if (t == NULL)
		return "";
	t[0] = '\0';
	for (int i = 0; i < paragraphs; i++) {
		const char *l = PICK(&s->rng, lorem);
		size_t n = strlen(l);

		if (len + n + 2 > cap)
			break;
		memcpy(t + len, l, n);
		len += n;
		t[len++] = '\n';
		t[len] = '\0';
	}
	if (ep->nstrings < MAX_STRINGS)
		ep->strings[ep->nstrings++] = t;
	else {
		free(t);
		return "";
	}
	return t;
}

static void
tool_filesystem(struct sim *s, struct episode *ep, struct tool_run *t)
{
	struct rng *r = &s->rng;
	const char *dir = PICK(r, workdirs);

	t->params = jobj();
	if (strcmp(t->name, "list_directory") == 0) {
		jset_str(t->params, "path", dir);
		jset_bool(t->params, "recursive", rng_chance(r, 0.15));
		t->result = listing(s, (int)rng_lognormal(r, 4, 0.9) + 1);
		t->ms = rng_lognormal(r, 4, 0.7);
		t->path = dir;
	} else if (strcmp(t->name, "read_file") == 0) {
		t->path = random_path(s, ep);
		jset_str(t->params, "path", t->path);
		/* mostly a short file; now and then one the summary must cut */
		t->result_text = file_text(s, ep, rng_chance(r, 0.1) ?
		    (int)rng_range(r, 4, 12) : 1);
		t->ms = rng_lognormal(r, 6, 0.8);
	} else if (strcmp(t->name, "write_file") == 0) {
		t->path = random_path(s, ep);
		jset_str(t->params, "path", t->path);
		/* sometimes a whole file: the parameters get truncated */
		jset_str(t->params, "content", file_text(s, ep,
		    rng_chance(r, 0.1) ? (int)rng_range(r, 8, 40) : 1));
		t->result_text = ep_printf(ep, "Wrote %" PRId64 " bytes to %s",
		    rng_range(r, 40, 9000), t->path);
		t->ms = rng_lognormal(r, 9, 0.6);
	} else if (strcmp(t->name, "get_file_info") == 0) {
		t->path = random_path(s, ep);
		jset_str(t->params, "path", t->path);
		t->result = jobj();
		jset_int(t->result, "size", (int64_t)rng_lognormal(r, 4000, 1.5));
		jset_str(t->result, "modified", "2024-01-12T09:41:07Z");
		jset_bool(t->result, "is_dir", false);
		jset_str(t->result, "permissions", "0644");
		t->ms = rng_lognormal(r, 1.5, 0.5);
	} else if (strcmp(t->name, "search_files") == 0) {
		static const char *const patterns[] = { "*.py", "TODO", "*.md",
		    "import requests", "def main", "*.log", "café" };
		jset_str(t->params, "path", dir);
		jset_str(t->params, "pattern", PICK(r, patterns));
		t->result = listing(s, (int)rng_lognormal(r, 3, 1.0));
		t->ms = rng_lognormal(r, 180, 1.1);
		t->path = dir;
	} else {
		jset_str(t->params, "path", ep_printf(ep, "%s/new-folder", dir));
		t->result_text = "Directory created";
		t->ms = rng_lognormal(r, 2, 0.5);
		t->path = dir;
	}
}

static void
tool_git(struct sim *s, struct episode *ep, struct tool_run *t)
{
	struct rng *r = &s->rng;

	t->params = jobj();
	jset_str(t->params, "repo_path", "/home/user/projects/llm-os");
	if (strcmp(t->name, "git_status") == 0) {
		t->result_text = "On branch main\nChanges not staged for commit:\n"
		    "\tmodified:   src/llm_os/router.py\n\tmodified:   README.md";
		t->ms = rng_lognormal(r, 35, 0.5);
	} else if (strcmp(t->name, "git_log") == 0) {
		jset_int(t->params, "max_count", 10);
		t->result_text = file_text(s, ep, 2);
		t->ms = rng_lognormal(r, 60, 0.5);
	} else if (strcmp(t->name, "git_diff") == 0) {
		t->result_text = ep_printf(ep, "diff --git a/router.py b/router.py\n"
		    "@@ -12,%d +12,%d @@\n-    provider = \"groq\"\n+    provider = config.default_provider",
		    (int)rng_range(r, 3, 40), (int)rng_range(r, 3, 40));
		t->ms = rng_lognormal(r, 45, 0.6);
	} else {
		jset_str(t->params, "message", "router: read the provider from the config");
		t->result_text = ep_printf(ep, "[main %07" PRIx64 "] router: read the "
		    "provider from the config", rng_next(r) & 0xfffffff);
		t->ms = rng_lognormal(r, 80, 0.5);
	}
}

static void
tool_shell(struct sim *s, struct episode *ep, struct tool_run *t)
{
	static const char *const commands[] = { "ls -la", "make test",
	    "python3 -m pytest -q", "df -h /", "du -sh node_modules",
	    "uname -a", "npm run build", "grep -rn TODO src" };
	struct rng *r = &s->rng;
	const char *cmd = PICK(r, commands);

	t->params = jobj();
	jset_str(t->params, "command", cmd);
	jset_str(t->params, "cwd", PICK(r, workdirs));
	jset_int(t->params, "timeout", 30);
	t->result = jobj();
	jset_int(t->result, "exit_code", 0);
	jset_str(t->result, "stdout", file_text(s, ep, rng_chance(r, 0.2) ?
	    (int)rng_range(r, 3, 8) : 1));
	t->ms = strstr(cmd, "test") || strstr(cmd, "build") ?
	    rng_lognormal(r, 6000, 0.6) : rng_lognormal(r, 40, 0.8);
}

static void
tool_web(struct sim *s, struct episode *ep, struct tool_run *t)
{
	static const char *const urls[] = {
	    "https://docs.python.org/3/library/logging.handlers.html",
	    "https://console.groq.com/docs/rate-limits",
	    "https://github.com/ollama/ollama/blob/main/docs/api.md",
	    "https://ja.wikipedia.org/wiki/ログ",
	    "https://www.rfc-editor.org/rfc/rfc3339" };
	static const char *const queries[] = { "json-c parse performance",
	    "llama3 70b context window", "météo Paris demain",
	    "how to rotate logs without losing lines", "东京 天气" };
	struct rng *r = &s->rng;

	t->params = jobj();
	if (strcmp(t->name, "fetch_url") == 0) {
		jset_str(t->params, "url", PICK(r, urls));
		t->result = jobj();
		jset_int(t->result, "status", 200);
		jset_str(t->result, "content_type", "text/html; charset=utf-8");
		jset_int(t->result, "length", (int64_t)rng_lognormal(r, 48000, 0.8));
		t->ms = rng_lognormal(r, 420, 0.7);
	} else {
		jset_str(t->params, "query", PICK(r, queries));
		jset_int(t->params, "max_results", 5);
		t->result_text = file_text(s, ep, 2);
		t->ms = rng_lognormal(r, 900, 0.5);
	}
}

static const struct tool_kind {
	const char *name;
	const char *server;
	void (*build)(struct sim *, struct episode *, struct tool_run *);
	int weight;
	const char *errors[2];
} tool_kinds[] = {
	{ "list_directory", "filesystem", tool_filesystem, 30,
	  { "ENOENT: no such file or directory", "EACCES: permission denied" } },
	{ "read_file", "filesystem", tool_filesystem, 24,
	  { "ENOENT: no such file or directory", "File too large to read (limit 10 MB)" } },
	{ "write_file", "filesystem", tool_filesystem, 10,
	  { "EROFS: read-only file system", "ENOSPC: no space left on device" } },
	{ "get_file_info", "filesystem", tool_filesystem, 9,
	  { "ENOENT: no such file or directory", "ELOOP: too many symbolic links" } },
	{ "search_files", "filesystem", tool_filesystem, 8,
	  { "Search timed out after 10s", "Invalid pattern: unbalanced bracket" } },
	{ "create_directory", "filesystem", tool_filesystem, 2,
	  { "EEXIST: file already exists", "EACCES: permission denied" } },
	{ "git_status", "git", tool_git, 5,
	  { "fatal: not a git repository (or any of the parent directories): .git",
	    "MCP server 'git' not responding (timeout 10s)" } },
	{ "git_log", "git", tool_git, 3,
	  { "fatal: your current branch 'main' does not have any commits yet",
	    "MCP server 'git' not responding (timeout 10s)" } },
	{ "git_diff", "git", tool_git, 3,
	  { "fatal: bad revision 'HEAD~3'", "MCP server 'git' not responding (timeout 10s)" } },
	{ "git_commit", "git", tool_git, 1,
	  { "nothing to commit, working tree clean", "Author identity unknown" } },
	{ "run_command", "shell", tool_shell, 4,
	  { "Command exited with status 2", "Command timed out after 30s" } },
	{ "fetch_url", "web", tool_web, 2,
	  { "HTTP 404 Not Found", "SSL: CERTIFICATE_VERIFY_FAILED" } },
	{ "web_search", "web", tool_web, 2,
	  { "HTTP 429 Too Many Requests", "MCP server 'web' not responding (timeout 10s)" } },
};
#define NTOOL_KINDS (int)(sizeof tool_kinds / sizeof tool_kinds[0])

static int
pick_weighted_tool(struct rng *r)
{
	int total = 0, x;

	for (int i = 0; i < NTOOL_KINDS; i++)
		total += tool_kinds[i].weight;
	x = (int)rng_range(r, 0, total - 1);
	for (int i = 0; i < NTOOL_KINDS; i++)
		if ((x -= tool_kinds[i].weight) < 0)
			return i;
	return 0;
}

static int
tool_kind(const char *name)
{
	for (int i = 0; i < NTOOL_KINDS; i++)
		if (strcmp(tool_kinds[i].name, name) == 0)
			return i;
	return 0;
}

static int
pick_provider(struct rng *r)
{
	int total = 0, x;

	for (int i = 0; i < NPROVIDERS; i++)
		total += providers[i].weight;
	x = (int)rng_range(r, 0, total - 1);
	for (int i = 0; i < NPROVIDERS; i++)
		if ((x -= providers[i].weight) < 0)
			return i;
	return 0;
}

static int
pick_model(struct rng *r, int prov)
{
	int n = 0;

	while (n < 3 && providers[prov].models[n] != NULL)
		n++;
	/* the first model is the one people configure */
	return rng_chance(r, 0.75) ? 0 : (int)rng_range(r, 0, n - 1);
}

/* Log the permission check, then the execution; the check sometimes
 * comes first for filesystem tools only, as a real policy layer would. */
/* A tool's span: what is added until tool_done() goes under it. */
static uint64_t
tool_begin(struct sim *s, struct episode *ep)
{
	uint64_t id = new_id(s);

	if (ep->req.span_id != 0)
		ep->parent = id;
	return id;
}

static void
tool_done(struct episode *ep)
{
	ep->parent = ep->req.span_id;
}

static void
add_tool_entry(struct sim *s, struct episode *ep, struct tool_run *t)
{
	uint64_t span = tool_begin(s, ep);
	struct pending *p;

	if (t->path != NULL && rng_chance(&s->rng, 0.25))
		add_security(ep, "file_access", t->path,
		    strcmp(t->name, "write_file") == 0 ? "write" : "read", true,
		    "Within allowed directories");
	ep->clock_ms += t->ms;
	if ((p = ep_add(ep, LLMLOG_TOOL)) == NULL) {
		json_object_put(t->params);
		json_object_put(t->result);
		return;
	}
	ep_record(ep, p, span, ep->req.span_id);
	p->u.tool.tool_name = t->name;
	p->u.tool.tool_server = t->server;
	p->u.tool.parameters = t->params;
	p->u.tool.duration_ms = round1(t->ms);
	p->u.tool.error = t->error;
	if (t->error != NULL) {
		json_object_put(t->result);
		return;
	}
	p->u.tool.result = t->result;
	p->u.tool.result_text = t->result ? NULL : t->result_text;
}

/* One tool call chosen by the model; returns its name. */
static const char *
run_tool(struct sim *s, struct episode *ep, int kind, bool *ok)
{
	const struct tool_kind *k = &tool_kinds[kind];
	struct tool_run t = { .name = k->name, .server = k->server };

	k->build(s, ep, &t);
	if (rng_chance(&s->rng, 0.02))
		t.ms *= rng_range(&s->rng, 15, 60);	/* a slow disk, a big tree */
	if (rng_chance(&s->rng, 0.02)) {
		t.error = k->errors[rng_next(&s->rng) % 2];
		*ok = false;
	}
	add_tool_entry(s, ep, &t);
	if (t.ms > 1000) {
		json_object *d = jobj();

		jset_str(d, "tool", k->name);
		jset_int(d, "threshold_ms", 1000);
		add_metric(s, ep, ep_printf(ep, "tool.%s", k->name), t.ms,
		    rng_lognormal(&s->rng, 20, 0.6), d);
	}
	tool_done(ep);
	return k->name;
}

/* ---- episodes: what a user turn, a startup or a failure looks like ------- */

/* The answer of a tool-using turn: a line, or a long explanation that the
 * summary will have to cut. */
static const char *
compose_response(struct sim *s, struct episode *ep, const char *dir,
    const char *const *tools, int ntools)
{
	struct rng *r = &s->rng;

	if (rng_chance(r, 0.08))
		return ep_printf(ep, "Here is what I found in %s:\n%s", dir,
		    file_text(s, ep, (int)rng_range(r, 4, 14)));
	if (ntools == 1)
		return ep_printf(ep, "Done with %s in %s: %d items.", tools[0],
		    dir, (int)rng_lognormal(r, 6, 0.8));
	return ep_printf(ep, "Done in %d steps (%s, then %s). Everything in "
	    "%s looks fine.", ntools, tools[0], tools[ntools - 1], dir);
}

static void
add_interaction(struct sim *s, struct episode *ep, const char *input,
    const char *response, const char **tools, int ntools, const char *error)
{
	struct pending *p = ep_add(ep, LLMLOG_USER);

	if (p == NULL)
		return;
	for (int i = 0; i < ntools && i < MAX_TOOLS; i++)
		p->tool_calls[i] = tools[i];
	p->u.user.user_input = input;
	p->u.user.response = response;
	p->u.user.tool_calls = ntools > 0 ? p->tool_calls : NULL;
	p->u.user.duration_ms = round1(ep->clock_ms);
	p->u.user.error = error;
	ep_record(ep, p, ep->req.span_id, 0);
	s->exchanges++;
}

static void
add_process_metric(struct sim *s, struct episode *ep, int ntools)
{
	json_object *d = jobj();

	jset_int(d, "tool_calls", ntools);
	jset_int(d, "history_messages", s->exchanges * 2);
	ep->clock_ms += rng_unit(&s->rng) * 2;
	add_metric(s, ep, "process_message", ep->clock_ms,
	    rng_lognormal(&s->rng, 12, 0.7), d);
}

/* The router's choice for this turn, following a rate-limit fallback. */
static void
choose_model(struct sim *s, int *prov, int *model)
{
	if (s->fallback_left == 0 && rng_chance(&s->rng, 0.3)) {
		*prov = pick_provider(&s->rng);
		*model = pick_model(&s->rng, *prov);
		return;
	}
	*prov = s->provider;
	*model = s->model;
}

/* groq answers 429 now and then; the router falls back to local ollama. */
static void
rate_limit_fallback(struct sim *s, struct episode *ep, int *prov, int *model)
{
	const struct provider *pv = &providers[*prov];
	json_object *d = jobj();
	int to = 2;	/* ollama */

	add_llm(s, ep, *prov, *model, false, ep_printf(ep,
	    "Error code: 429 - Rate limit reached for model `%s` on tokens per "
	    "minute (TPM): Limit 6000, Used %d, Requested %d. Please try again "
	    "in %.2fs.", pv->models[*model], (int)rng_range(&s->rng, 4800, 5990),
	    (int)rng_range(&s->rng, 900, 2400), 1 + rng_unit(&s->rng) * 9));
	jset_str(d, "from", pv->name);
	jset_str(d, "to", providers[to].name);
	jset_str(d, "model", providers[to].models[0]);
	add_system(s, ep, "warning", "llm_router",
	    "Provider switched due to rate limit", d);
	*prov = s->provider = to;
	*model = s->model = 0;
	s->fallback_left = (int)rng_range(&s->rng, 5, 25);
}

static void
restore_provider(struct sim *s, struct episode *ep)
{
	json_object *d = jobj();

	s->provider = 0;
	s->model = 0;
	jset_str(d, "provider", providers[0].name);
	jset_str(d, "model", providers[0].models[0]);
	add_system(s, ep, "status", "llm_router",
	    "Rate limit window passed, default provider restored", d);
}

/* The template with its "%s" replaced by arg (the templates are ours,
 * but a format taken from a table cannot be checked by the compiler). */
static const char *
fill_in(struct episode *ep, const char *tmpl, const char *arg)
{
	const char *at = strstr(tmpl, "%s");

	if (at == NULL)
		return tmpl;
	return ep_printf(ep, "%.*s%s%s", (int)(at - tmpl), tmpl, arg, at + 2);
}

/* The ordinary turn: plan with the model, run tools, answer. */
static void
episode_task(struct sim *s, struct episode *ep)
{
	struct rng *r = &s->rng;
	const char *tools[MAX_TOOLS];
	int ntools = 0, prov, model, want;
	bool ok = true;
	const char *input, *error = NULL;
	const char *dir = PICK(r, workdirs);
	/* what the user asks, and the tool the model reaches for first */
	static const struct { const char *text, *tool; } asks[] = {
		{ "list files in %s", "list_directory" },
		{ "what's in %s?", "list_directory" },
		{ "montre-moi les fichiers dans %s", "list_directory" },
		{ "%s の中身を一覧表示して", "list_directory" },
		{ "find all python files under %s", "search_files" },
		{ "search for TODO comments in %s", "search_files" },
		{ "read the README in %s and summarize it", "read_file" },
		{ "résume le fichier de notes dans %s", "read_file" },
		{ "how big is %s?", "get_file_info" },
		{ "create a notes file in %s", "write_file" },
		{ "show me what changed in git", "git_diff" },
		{ "what's the git status of %s?", "git_status" },
		{ "run the tests", "run_command" },
		{ "clean up the build output in %s 🧹", "run_command" },
		{ "look up the groq rate limits and compare with our usage", "web_search" },
	};
	int ask = (int)(rng_next(r) % (sizeof asks / sizeof asks[0]));

	ep_request(s, ep);
	if (s->fallback_left > 0 && --s->fallback_left == 0)
		restore_provider(s, ep);
	input = fill_in(ep, asks[ask].text, dir);
	choose_model(s, &prov, &model);
	if (prov == 0 && rng_chance(r, 0.015))
		rate_limit_fallback(s, ep, &prov, &model);
	want = (int)rng_range(r, 1, 4);
	for (int i = 0; i < want && ok; i++) {
		add_llm(s, ep, prov, model, false, NULL);
		tools[ntools++] = run_tool(s, ep, i == 0 ?
		    tool_kind(asks[ask].tool) : pick_weighted_tool(r), &ok);
	}
	if (!ok && rng_chance(r, 0.5))
		error = ep_printf(ep, "Tool %s failed", tools[ntools - 1]);
	add_llm(s, ep, prov, model, true, NULL);
	add_interaction(s, ep, input, error ? "" :
	    compose_response(s, ep, dir, tools, ntools), tools, ntools, error);
	add_process_metric(s, ep, ntools);
}

/* Questions the model answers without tools. */
static void
episode_chat(struct sim *s, struct episode *ep)
{
	int i = (int)(rng_next(&s->rng) % (sizeof chat_prompts / sizeof chat_prompts[0]));
	int prov, model;

	ep_request(s, ep);
	choose_model(s, &prov, &model);
	add_llm(s, ep, prov, model, true, NULL);
	add_interaction(s, ep, chat_prompts[i], chat_replies[i], NULL, 0, NULL);
	add_process_metric(s, ep, 0);
}

/* The model asks for something outside the sandbox and is refused. */
static void
episode_denied(struct sim *s, struct episode *ep)
{
	/* the classic first: a model asked about users reaches for passwd */
	const struct denied *d = rng_chance(&s->rng, 0.35) ? &denied[0] :
	    &PICK(&s->rng, denied);
	const char *tool = strcmp(d->action, "write") == 0 ? "write_file" : "read_file";
	const char *tools[1] = { tool };
	struct pending *p;
	json_object *params = jobj();
	int prov, model;

	uint64_t span;

	ep_request(s, ep);
	choose_model(s, &prov, &model);
	add_llm(s, ep, prov, model, false, NULL);
	/* the denied check is the tool's: it fails, and so may the request */
	span = tool_begin(s, ep);
	add_security(ep, "permission_check", d->resource, d->action, false,
	    strstr(d->resource, "..") ? "Path traversal outside allowed directories" :
	    "Outside allowed directories");
	jset_str(params, "path", d->resource);
	ep->clock_ms += 0.4;
	if ((p = ep_add(ep, LLMLOG_TOOL)) != NULL) {
		ep_record(ep, p, span, ep->req.span_id);
		p->u.tool.tool_name = tool;
		p->u.tool.tool_server = "filesystem";
		p->u.tool.parameters = params;
		p->u.tool.duration_ms = 0.4;
		p->u.tool.error = ep_printf(ep, "Access denied: %s is outside the "
		    "allowed directories", d->resource);
	} else
		json_object_put(params);
	tool_done(ep);
	add_llm(s, ep, prov, model, true, NULL);
	/* the model usually explains the refusal; sometimes it just fails */
	add_interaction(s, ep, d->prompt, "I can't access that file: it is "
	    "outside the directories I'm allowed to use.", tools, 1,
	    rng_chance(&s->rng, 0.4) ? "Permission denied" : NULL);
	add_process_metric(s, ep, 1);
}

/* A user pastes a credential; the shell must never store it. */
static void
episode_secret(struct sim *s, struct episode *ep)
{
	int which = (int)(rng_next(&s->rng) %
	    (sizeof secret_inputs / sizeof secret_inputs[0]));
	const char *tools[1] = { "write_file" };
	json_object *params = jobj(), *result = jobj(), *prov_cfg = jobj();
	struct tool_run t = { .name = "write_file", .server = "filesystem",
	    .path = "/home/user/.llm_os/config.yaml" };
	int prov, model;

	ep_request(s, ep);
	choose_model(s, &prov, &model);
	add_llm(s, ep, prov, model, false, NULL);
	jset_str(params, "path", t.path);
	jset_str(params, "content", ep_printf(ep, "providers:\n  openai:\n    "
	    "api_key: %s\n", "sk-proj-Xq3vT9mB2kLr8NwYc4HdJ6sFa1PzE7gU0oRiKtVy5bMnQ2w"));
	/* secrets under telling keys, one level down */
	jset_str(prov_cfg, "provider", "groq");
	jset_str(prov_cfg, "password", "correct-horse-battery-staple");
	jset_str(prov_cfg, "api_key", "gsk_W7nRt2YpQ9vLx4KcB8mZs1HdJ3fGa6EoU5iNwTyXkPq0");
	json_object_object_add(params, "settings", prov_cfg);
	jset_bool(result, "written", true);
	t.params = params;
	t.result = result;
	t.ms = rng_lognormal(&s->rng, 8, 0.5);
	add_tool_entry(s, ep, &t);
	tool_done(ep);
	add_llm(s, ep, prov, model, true, NULL);
	add_interaction(s, ep, secret_inputs[which].input,
	    secret_inputs[which].reply, tools, 1, NULL);
	add_process_metric(s, ep, 1);
}

/* A request the router could not serve at all. */
static void
episode_llm_failure(struct sim *s, struct episode *ep)
{
	int prov = pick_provider(&s->rng), model = pick_model(&s->rng, prov);
	const char *err = providers[prov].errors[rng_next(&s->rng) % 3];

	ep_request(s, ep);
	add_llm(s, ep, prov, model, true, err);
	add_interaction(s, ep, PICK(&s->rng, chat_prompts), "", NULL, 0,
	    ep_printf(ep, "LLM provider %s failed: %s", providers[prov].name, err));
	add_process_metric(s, ep, 0);
}

/* Background life between turns: health checks, reindexing, hiccups. */
static void
episode_background(struct sim *s, struct episode *ep)
{
	struct rng *r = &s->rng;
	json_object *d = jobj();
	double x = rng_unit(r);

	if (x < 0.4) {
		jset_int(d, "servers_up", 4);
		jset_int(d, "queue_depth", rng_range(r, 0, 3));
		add_system(s, ep, "status", "mcp_orchestrator", "Health check passed", d);
	} else if (x < 0.65) {
		jset_int(d, "files", rng_range(r, 200, 40000));
		add_metric(s, ep, "index_workspace", rng_lognormal(r, 2500, 0.9),
		    rng_lognormal(r, 70, 0.3), d);
	} else if (x < 0.8) {
		jset_double(d, "memory_mb", round1(s->mem_mb));
		jset_int(d, "threshold_mb", 300);
		add_system(s, ep, "warning", "core_system",
		    "Context cache is large; compacting conversation history", d);
		add_metric(s, ep, "context_window.compress", rng_lognormal(r, 300, 0.5),
		    rng_lognormal(r, 40, 0.4), NULL);
	} else if (x < 0.9) {
		jset_str(d, "server", PICK(r, ((const char *const[]){ "git", "web", "shell" })));
		jset_str(d, "error", "Connection refused");
		add_system(s, ep, "error", "mcp_orchestrator", "MCP server stopped responding", d);
		ep->clock_ms += rng_lognormal(r, 900, 0.4);
		add_system(s, ep, "startup", "mcp_orchestrator", "MCP server restarted", NULL);
	} else if (x < 0.97) {
		jset_str(d, "key", "llm.temperature");
		jset_double(d, "old", 0.7);
		jset_double(d, "new", 0.2);
		add_system(s, ep, "config_change", "config", "Setting changed by user", d);
	} else {
		struct pending *p;

		jset_str(d, "server", "shell");
		jset_int(d, "rss_mb", rng_range(r, 3800, 4096));
		add_system(s, ep, "error", "mcp_orchestrator",
		    "MCP server 'shell' killed by the OOM killer", d);
		if (ep->n > 0 && (p = &ep->ent[ep->n - 1])->cat == LLMLOG_SYSTEM)
			p->u.sys.level = LLMLOG_CRITICAL;
	}
}

/* A blocked shell command or network fetch: the other kinds of denial. */
static void
episode_policy(struct sim *s, struct episode *ep)
{
	static const struct {
		const char *type, *resource, *action, *reason;
		bool allowed;
	} checks[] = {
		{ "command_execution", "rm -rf /home/user/projects", "execute",
		  "Destructive command requires confirmation", false },
		{ "command_execution", "sudo apt-get install nmap", "execute",
		  "Privilege escalation is not allowed", false },
		{ "network_access", "http://169.254.169.254/latest/meta-data/", "fetch",
		  "Link-local address blocked", false },
		{ "network_access", "https://docs.python.org/3/", "fetch",
		  "Domain in allowlist", true },
		{ "command_execution", "python3 -m pytest -q", "execute",
		  "Command in allowlist", true },
		{ "api_key_access", "providers.groq.api_key", "read",
		  "Requested by llm_router", true },
	};
	int i = (int)(rng_next(&s->rng) % (sizeof checks / sizeof checks[0]));

	add_security(ep, checks[i].type, checks[i].resource, checks[i].action,
	    checks[i].allowed, checks[i].reason);
}

static void
episode_startup(struct sim *s, struct episode *ep)
{
	static const char *const servers[] = { "filesystem", "git", "shell", "web" };
	json_object *d = jobj(), *arr = json_object_new_array();

	jset_str(d, "version", LLMLOG_VERSION);
	jset_str(d, "config", "/home/user/.llm_os/config.yaml");
	add_system(s, ep, "startup", "core_system", "LLM-OS starting", d);
	d = jobj();
	jset_str(d, "default_provider", providers[s->provider].name);
	jset_str(d, "model", providers[s->provider].models[s->model]);
	ep->clock_ms += rng_lognormal(&s->rng, 40, 0.3);
	add_system(s, ep, "startup", "llm_router", "Router ready", d);
	d = jobj();
	jset_int(d, "providers", NPROVIDERS);
	add_metric(s, ep, "initialize_router", ep->clock_ms,
	    rng_lognormal(&s->rng, 35, 0.3), d);
	for (size_t i = 0; i < 4; i++) {
		json_object_array_add(arr, json_object_new_string(servers[i]));
		ep->clock_ms += rng_lognormal(&s->rng, 120, 0.4);
		d = jobj();
		jset_str(d, "server", servers[i]);
		if (i == 0)
			jset_str(d, "allowed_dirs", "/home/user:/tmp");
		add_system(s, ep, "startup", ep_printf(ep, "mcp_server.%s", servers[i]),
		    "MCP server connected", d);
	}
	d = jobj();
	json_object_object_add(d, "servers", arr);
	add_system(s, ep, "startup", "mcp_orchestrator", "All MCP servers running", d);
	add_metric(s, ep, "initialize_system", ep->clock_ms,
	    rng_lognormal(&s->rng, 45, 0.3), NULL);
	s->exchanges = 0;
}

static void
episode_shutdown(struct sim *s, struct episode *ep)
{
	json_object *d = jobj();

	jset_int(d, "exchanges", s->exchanges);
	add_system(s, ep, "shutdown", "terminal_ui", "User quit", d);
	ep->clock_ms += 15;
	add_system(s, ep, "shutdown", "mcp_orchestrator", "MCP servers stopped", NULL);
	ep->clock_ms += 4;
	add_system(s, ep, "shutdown", "llm_router", NULL, NULL);
	ep->clock_ms += 2;
	add_metric(s, ep, "shutdown", ep->clock_ms, rng_lognormal(&s->rng, 15, 0.3), NULL);
	add_system(s, ep, "shutdown", "core_system", "LLM-OS stopped", NULL);
}

static void
episode_restart(struct sim *s, struct episode *ep)
{
	episode_shutdown(s, ep);
	ep->clock_ms += rng_lognormal(&s->rng, 20000, 1.0);
	episode_startup(s, ep);
}

static const struct {
	void (*fn)(struct sim *, struct episode *);
	int weight;	/* per mille */
} episodes[] = {
	{ episode_task, 570 },
	{ episode_chat, 170 },
	{ episode_background, 140 },
	{ episode_policy, 60 },
	{ episode_denied, 30 },
	{ episode_llm_failure, 10 },
	{ episode_secret, 17 },
	{ episode_restart, 3 },
};

static void
episode_next(struct sim *s, struct episode *ep)
{
	int x = (int)rng_range(&s->rng, 0, 999);

	for (size_t i = 0; i < sizeof episodes / sizeof episodes[0]; i++)
		if ((x -= episodes[i].weight) < 0) {
			episodes[i].fn(s, ep);
			return;
		}
	episode_task(s, ep);
}

/* ---- writing: timestamps, pacing, the library calls ----------------------- */

static int64_t
now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static struct timespec
ns_to_ts(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / NS_PER_SEC, .tv_nsec = ns % NS_PER_SEC };

	return ts;
}

static int
write_pending(struct sim *s, struct pending *p, struct timespec when)
{
	const struct llmlog_span *span = p->span.ctx.span_id != 0 ?
	    &p->span : NULL;

	switch (p->cat) {
	case LLMLOG_USER:
		p->u.user.span = span;
		p->u.user.when = when;
		return llmlog_interaction_(s->lg, &p->u.user);
	case LLMLOG_SYSTEM:
		p->u.sys.span = span;
		p->u.sys.when = when;
		return llmlog_system_(s->lg, &p->u.sys);
	case LLMLOG_TOOL:
		p->u.tool.span = span;
		p->u.tool.when = when;
		return llmlog_tool_(s->lg, &p->u.tool);
	case LLMLOG_LLM:
		p->u.llm.span = span;
		p->u.llm.when = when;
		return llmlog_llm_(s->lg, &p->u.llm);
	case LLMLOG_SECURITY:
		p->u.sec.span = span;
		p->u.sec.when = when;
		return llmlog_security_(s->lg, &p->u.sec);
	default:
		p->u.perf.span = span;
		p->u.perf.when = when;
		return llmlog_metric_(s->lg, &p->u.perf);
	}
}

static void
count_result(struct sim *s, int rc)
{
	if (rc == 0)
		s->written++;
	else if (s->failed++ == 0)
		fprintf(stderr, "llmlog-simulate: %s\n", llmlog_errmsg());
}

/* Live mode: wait for the entry's turn at the given rate; false when
 * asked to stop or when the duration is over. */
static bool
live_wait(struct sim *s)
{
	int64_t due = s->live_start_ns +
	    (int64_t)((double)(s->written + s->failed) * 1e9 / s->opt->rate);
	struct timespec ts;

	if (s->closing)
		return true;
	if (s->opt->duration_ns > 0 && due - s->live_start_ns >= s->opt->duration_ns)
		return false;
	while (!stop_requested) {
		int64_t left = due - now_ns(CLOCK_MONOTONIC);

		if (left <= 0)
			return true;
		ts = ns_to_ts(left);
		nanosleep(&ts, NULL);
	}
	return false;
}

/*
 * Batch mode gives each entry an equal share of the span: an episode of k
 * entries owns the time of k shares.  It starts at the beginning of that
 * slot and keeps its real pace when it fits, and is squeezed when it does
 * not, so the whole session lies within the span whatever the count.
 */
static void
episode_times(struct sim *s, const struct episode *ep, int n, int64_t *t)
{
	int64_t first = s->written + s->failed;
	int64_t slot_end = s->start_ns + (int64_t)((double)s->span_ns *
	    (double)(first + n) / (double)s->quota);
	int64_t begin = s->slot_start_ns;
	double len_ms = n > 0 ? ep->ent[n - 1].at_ms : 0, scale = 1.0;

	if (len_ms * 1e6 > (double)(slot_end - begin) && len_ms > 0)
		scale = (double)(slot_end - begin) / (len_ms * 1e6);
	else if (first > 0)	/* people do not act on the slot boundary */
		begin += (int64_t)(rng_unit(&s->rng) * 0.6 *
		    ((double)(slot_end - begin) - len_ms * 1e6));
	for (int i = 0; i < n; i++)
		t[i] = begin + (int64_t)(ep->ent[i].at_ms * 1e6 * scale);
	s->slot_start_ns = slot_end;
}

/* Write the first n entries of the episode; the rest are dropped. */
static void
episode_flush(struct sim *s, struct episode *ep, int n)
{
	int64_t t[MAX_PENDING];
	int i;

	if (n > ep->n)
		n = ep->n;
	if (s->opt->rate == 0)
		episode_times(s, ep, n, t);
	for (i = 0; i < n; i++) {
		struct timespec when = { 0, 0 };

		if (s->opt->rate > 0) {
			if (!live_wait(s))
				break;
		} else
			when = ns_to_ts(t[i]);
		count_result(s, write_pending(s, &ep->ent[i], when));
	}
	for (; i < ep->n; i++)
		pending_discard(&ep->ent[i]);
	ep_reset(ep);
}

static int64_t
remaining(const struct sim *s)
{
	return s->quota < 0 ? INT64_MAX : s->quota - s->written - s->failed;
}

static bool
live_over(const struct sim *s)
{
	int64_t elapsed = now_ns(CLOCK_MONOTONIC) - s->live_start_ns;

	return stop_requested || (s->opt->duration_ns > 0 &&
	    elapsed >= s->opt->duration_ns);
}

/* The whole session of one writer process. */
static void
simulate(struct sim *s)
{
	struct episode *ep = calloc(1, sizeof *ep);
	bool live = s->opt->rate > 0;

	if (ep == NULL) {
		fprintf(stderr, "llmlog-simulate: out of memory\n");
		s->failed++;
		return;
	}
	ep->sim = s;
	episode_startup(s, ep);
	episode_flush(s, ep, (int)(remaining(s) < ep->n ? remaining(s) : ep->n));
	while (!stop_requested && !(live && live_over(s))) {
		int64_t left = remaining(s);

		if (left <= SHUTDOWN_ENTRIES)
			break;
		episode_next(s, ep);
		if (ep->n > left - SHUTDOWN_ENTRIES) {
			/* no room to finish the story: a lone check fills in */
			episode_flush(s, ep, 0);
			episode_policy(s, ep);
		}
		episode_flush(s, ep, ep->n);
	}
	s->closing = true;	/* say goodbye even when interrupted */
	episode_shutdown(s, ep);
	episode_flush(s, ep, (int)(remaining(s) < ep->n ? remaining(s) : ep->n));
	free(ep);
}

/* ---- processes ------------------------------------------------------------ */

struct tally {
	int64_t written;
	int64_t failed;
};

static struct llmlog *
open_log(const struct options *opt)
{
	struct llmlog_config cfg = {
		.dir = opt->dir,
		.max_bytes = opt->max_bytes,
		.backups = opt->backups < 0 ? 0 :
		    opt->backups == 0 ? LLMLOG_BACKUPS_NONE : opt->backups,
		.no_console = !opt->console,
		.async = opt->async,
	};
	struct llmlog *lg = llmlog_open(&cfg);

	if (lg == NULL)
		fprintf(stderr, "llmlog-simulate: %s\n", llmlog_errmsg());
	return lg;
}

/* One writer: its own log handle, its own share and its own story. */
static struct tally
run_writer(const struct options *opt, int index, int64_t quota)
{
	struct sim s = {
		.opt = opt,
		.rng = { opt->seed + (uint64_t)index * 0x632be59bd9b4e019ULL },
		.quota = quota,
		.start_ns = opt->start_ns,
		.span_ns = opt->span_ns,
		.slot_start_ns = opt->start_ns,
		.mem_mb = 110,
	};
	/* the ids' walk starts at a hash of seed and writer, far from the
	 * other writers' walks (a start one step apart would repeat them) */
	struct rng start = { opt->seed ^ 0xd1b54a32d192ed03ULL };
	struct tally t = { 0, 0 };

	if ((s.lg = open_log(opt)) == NULL) {
		t.failed = 1;
		return t;
	}
	/* a different walk for each writer, the same for a given seed */
	for (int i = 0; i < 4; i++)
		rng_next(&s.rng);
	start.s += (uint64_t)index * 0x2545f4914f6cdd1dULL;
	s.ids.s = rng_next(&start);
	s.live_start_ns = now_ns(CLOCK_MONOTONIC);
	simulate(&s);
	if (llmlog_dropped(s.lg) > 0)
		fprintf(stderr, "llmlog-simulate: %" PRIu64 " entries dropped\n",
		    llmlog_dropped(s.lg));
	if (llmlog_close(s.lg) != 0) {
		fprintf(stderr, "llmlog-simulate: %s\n", llmlog_errmsg());
		s.failed++;
	}
	t.written = s.written;
	t.failed = s.failed;
	return t;
}

static int64_t
share(int64_t total, int n, int i)
{
	if (total < 0)
		return -1;
	return total / n + (i < total % n ? 1 : 0);
}

struct thread_job {
	const struct options *opt;
	int index;
	int64_t quota;
	struct tally t;
};

static void *
thread_main(void *arg)
{
	struct thread_job *j = arg;

	j->t = run_writer(j->opt, j->index, j->quota);
	return NULL;
}

/* A process's writers: --threads of them at once, each its own share and
 * story, so requests of one pid run concurrently and their traces
 * interleave in the files.  Writer p * threads + i is the same for a seed
 * whatever runs it. */
static struct tally
run_threads(const struct options *opt, int process, int64_t quota)
{
	struct thread_job jobs[64];
	pthread_t tid[64];
	struct options each = *opt;
	struct tally total = { 0, 0 };
	int n = opt->threads, started = 0;

	if (n == 1)
		return run_writer(opt, process, quota);
	each.rate = opt->rate / n;
	for (int i = 0; i < n; i++) {
		jobs[i] = (struct thread_job){ &each, process * n + i,
		    share(quota, n, i), { 0, 0 } };
		if (pthread_create(&tid[i], NULL, thread_main, &jobs[i]) != 0) {
			fprintf(stderr, "llmlog-simulate: cannot start a "
			    "writer thread\n");
			total.failed++;
			break;
		}
		started++;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(tid[i], NULL);
		total.written += jobs[i].t.written;
		total.failed += jobs[i].t.failed;
	}
	return total;
}

static void
forward_stop(const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
}

/* Wait for every child; a stop request is passed on once. */
static int
reap(pid_t *pids, int n)
{
	int left = n, bad = 0, status;
	bool forwarded = false;

	while (left > 0) {
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0) {
			if (errno != EINTR)
				break;
			if (stop_requested && !forwarded) {
				forward_stop(pids, n);
				forwarded = true;
			}
			continue;
		}
		for (int i = 0; i < n; i++)
			if (pids[i] == pid)
				pids[i] = 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
		left--;
	}
	return bad;
}

/* Several writers at once, as several shells sharing one log directory. */
static struct tally
run_processes(const struct options *opt)
{
	struct tally total = { 0, 0 }, t;
	struct options child = *opt;
	pid_t pids[256];
	int fd[2], n = opt->processes;

	child.rate = opt->rate / n;
	if (pipe(fd) != 0) {
		fprintf(stderr, "llmlog-simulate: pipe: %s\n", strerror(errno));
		total.failed = 1;
		return total;
	}
	for (int i = 0; i < n; i++) {
		if ((pids[i] = fork()) < 0) {
			fprintf(stderr, "llmlog-simulate: fork: %s\n", strerror(errno));
			forward_stop(pids, i);
			n = i;
			total.failed++;
			break;
		}
		if (pids[i] == 0) {
			close(fd[0]);
			t = run_threads(&child, i,
			    share(opt->entries, opt->processes, i));
			/* 16 bytes: one atomic pipe write */
			_exit(write(fd[1], &t, sizeof t) == sizeof t &&
			    t.failed == 0 ? 0 : 1);
		}
	}
	close(fd[1]);
	if (reap(pids, n) > 0 && total.failed == 0)
		total.failed = 1;
	while (read(fd[0], &t, sizeof t) == sizeof t) {
		total.written += t.written;
		total.failed += t.failed;
	}
	close(fd[0]);
	return total;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: sleeps end early */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The directory the writers used, for the closing message. */
static char *
log_dir_name(const struct options *opt)
{
	struct llmlog *lg = open_log(opt);
	char *d;

	if (lg == NULL)
		return NULL;
	d = strdup(llmlog_dir(lg));
	llmlog_close(lg);
	return d;
}

/* ---- the command line --------------------------------------------------------- */

static const char *progname = "llmlog-simulate";

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: %s [OPTIONS]\n"
"Write a simulated LLM-OS session (all six llmlog categories) through libllmlog.\n"
"\n"
"  -d, --dir DIR           log directory (default: $LLMLOG_DIR, else ~/.llm_os/logs)\n"
"  -n, --entries N         entries to write (default 2000; with --rate: no limit)\n"
"  -s, --seed S            random seed; same seed and options, same files (default 1)\n"
"      --start TIME        time of the first entry: RFC 3339, \"YYYY-MM-DD HH:MM[:SS]\"\n"
"                          (local time) or @EPOCH (default: now minus the span)\n"
"      --span DURATION     time the entries are spread over: 90s, 30m, 2h, 1d, 1w\n"
"                          (default 1h)\n"
"  -r, --rate R            write live, R entries per second, stamped with the time now\n"
"      --duration DUR      with --rate: stop after DUR (seconds or 90s, 5m, ...);\n"
"                          0 or absent: until interrupted\n"
"      --max-bytes SIZE    rotate a file before it reaches SIZE (bytes, or with\n"
"                          K, M, G; default 10M)\n"
"      --backups N         rotated files kept per category; 0: never rotate (default 5)\n"
"  -p, --processes P       P writer processes at once, each writing its share\n"
"                          (same lines for a seed; their interleaving varies)\n"
"  -t, --threads T         T writer threads in each process, each writing its share\n"
"                          (as --processes, within one pid)\n"
"      --async             queue entries for a writer thread (libllmlog async mode)\n"
"      --console           echo WARNING and above to stderr, as the library does by\n"
"                          default\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Interrupt (SIGINT, SIGTERM) ends the session cleanly with its shutdown entries.\n"
"See llmlog(5) for the files, llmlog(1) to read them.\n", progname);
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", progname);
	exit(2);
}

static int64_t
parse_int(const char *opt, const char *arg, int64_t min, int64_t max,
    const char *expected)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
		usage_error("%s: '%s' is not valid (expected %s)", opt, arg,
		    expected);
	return v;
}

static double
parse_number(const char *arg, char **end)
{
	double v;

	errno = 0;
	v = strtod(arg, end);
	if (errno != 0 || *end == arg || !isfinite(v) || v < 0)
		return -1;
	return v;
}

/* "90s", "30m", "2h", "1d", "1w", "250ms"; a bare number is seconds. */
static int64_t
parse_duration(const char *opt, const char *arg, bool zero_ok)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "", 1e9 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 },
		{ "h", 3600e9 }, { "d", 86400e9 }, { "w", 604800e9 },
	};
	char *end;
	double v = parse_number(arg, &end);

	for (size_t i = 0; v >= 0 && i < sizeof units / sizeof units[0]; i++)
		if (strcmp(end, units[i].unit) == 0) {
			double ns = v * units[i].ns;

			if ((ns >= 1e6 || (zero_ok && ns == 0)) && ns < 1e18)
				return (int64_t)ns;
		}
	usage_error("%s: '%s' is not a duration (expected e.g. 90s, 30m, 2h, 1d%s)",
	    opt, arg, zero_ok ? ", or 0" : "");
}

/* Bytes, or with a K, M or G suffix (powers of 1024). */
static int64_t
parse_size(const char *opt, const char *arg)
{
	static const char *const suffixes = "KMG";
	char *end;
	double v = parse_number(arg, &end), mult = 1;
	const char *p;

	if (v >= 0 && *end != '\0') {
		p = strchr(suffixes, *end & ~0x20);
		if (p == NULL || (end[1] != '\0' && strcasecmp(end + 1, "iB") != 0 &&
		    strcasecmp(end + 1, "B") != 0))
			v = -1;
		else
			mult = pow(1024, (double)(p - suffixes + 1));
	}
	if (v < 0 || v * mult < 256 || v * mult > 1e15)
		usage_error("%s: '%s' is not a size of at least 256 bytes "
		    "(expected e.g. 10485760, 512K, 10M)", opt, arg);
	return (int64_t)(v * mult);
}

/* "+01:00", "-0530", "Z"; seconds east of UTC. */
static bool
parse_zone(const char *p, long *off)
{
	int h, m;

	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*off = 0;
		return true;
	}
	if ((p[0] != '+' && p[0] != '-') ||
	    (sscanf(p + 1, "%2d:%2d", &h, &m) != 2 &&
	     sscanf(p + 1, "%2d%2d", &h, &m) != 2) || h > 23 || m > 59)
		return false;
	if (strlen(p) != (strchr(p, ':') ? 6u : 5u))
		return false;
	*off = (h * 3600L + m * 60L) * (p[0] == '-' ? -1 : 1);
	return true;
}

static bool
parse_clock(const char *arg, int64_t *ns)
{
	struct tm tm;
	const char *p;
	double frac = 0;
	long off;
	time_t t;

	memset(&tm, 0, sizeof tm);
	if ((p = strptime(arg, "%Y-%m-%d", &tm)) == NULL)
		return false;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if ((p = strptime(p + 1, "%H:%M", &tm)) == NULL)
			return false;
		if (*p == ':' && (p = strptime(p + 1, "%S", &tm)) == NULL)
			return false;
		if (*p == '.' || *p == ',') {
			char *end;

			frac = strtod(p, &end);
			if (end == p + 1)
				return false;
			p = end;
		}
	}
	if (*p == '\0') {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	} else if (parse_zone(p, &off))
		t = timegm(&tm) - off;
	else
		return false;
	*ns = (int64_t)t * NS_PER_SEC + (int64_t)(frac * 1e9);
	return true;
}

static int64_t
parse_time(const char *opt, const char *arg)
{
	int64_t ns;
	char *end;

	if (arg[0] == '@') {
		double v;

		errno = 0;
		v = strtod(arg + 1, &end);
		if (errno == 0 && end != arg + 1 && *end == '\0' && isfinite(v) &&
		    v >= 0 && v < 1e11)	/* microseconds are exact in a double */
			return (int64_t)llround(v * 1e6) * 1000;
	} else if (parse_clock(arg, &ns) && ns >= 0)
		return ns;
	usage_error("%s: '%s' is not a time from 1970 on (expected RFC 3339 "
	    "like 2026-11-26T10:00:00Z, \"2026-11-26 10:00[:SS]\" in local "
	    "time, or @EPOCH)", opt, arg);
}

static double
parse_rate(const char *opt, const char *arg)
{
	char *end;
	double v = parse_number(arg, &end);

	if (v <= 0 || *end != '\0' || v > 1e7)
		usage_error("%s: '%s' is not a rate (expected entries per second, "
		    "e.g. 50 or 0.5)", opt, arg);
	return v;
}

enum {
	OPT_START = 256, OPT_SPAN, OPT_DURATION, OPT_MAX_BYTES, OPT_BACKUPS,
	OPT_ASYNC, OPT_CONSOLE,
};

static const struct option longopts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "entries", required_argument, NULL, 'n' },
	{ "seed", required_argument, NULL, 's' },
	{ "start", required_argument, NULL, OPT_START },
	{ "span", required_argument, NULL, OPT_SPAN },
	{ "rate", required_argument, NULL, 'r' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
	{ "backups", required_argument, NULL, OPT_BACKUPS },
	{ "processes", required_argument, NULL, 'p' },
	{ "threads", required_argument, NULL, 't' },
	{ "async", no_argument, NULL, OPT_ASYNC },
	{ "console", no_argument, NULL, OPT_CONSOLE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
parse_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case 'd':
		if (*arg == '\0')
			usage_error("--dir: the directory name is empty");
		o->dir = arg;
		break;
	case 'n':
		o->entries = parse_int("--entries", arg, 1, INT64_MAX / 4,
		    "a whole number of entries, at least 1");
		break;
	case 's':
		o->seed = (uint64_t)parse_int("--seed", arg, 0, INT64_MAX,
		    "a whole number, 0 or more");
		break;
	case OPT_START:
		o->start_ns = parse_time("--start", arg);
		break;
	case OPT_SPAN:
		o->span_ns = parse_duration("--span", arg, false);
		o->span_given = true;
		break;
	case 'r':
		o->rate = parse_rate("--rate", arg);
		break;
	case OPT_DURATION:
		o->duration_ns = parse_duration("--duration", arg, true);
		o->duration_given = true;
		break;
	case OPT_MAX_BYTES:
		o->max_bytes = parse_size("--max-bytes", arg);
		break;
	case OPT_BACKUPS:
		o->backups = (int)parse_int("--backups", arg, 0, 1000,
		    "a whole number from 0 to 1000");
		break;
	case 'p':
		o->processes = (int)parse_int("--processes", arg, 1, 256,
		    "a whole number from 1 to 256");
		break;
	case 't':
		o->threads = (int)parse_int("--threads", arg, 1, 64,
		    "a whole number from 1 to 64");
		break;
	case OPT_ASYNC:
		o->async = true;
		break;
	case OPT_CONSOLE:
		o->console = true;
		break;
	case 'h':
		usage(stdout);
		exit(0);
	case 'V':
		printf("%s %s\n", progname, LLMLOG_VERSION);
		exit(0);
	default:
		fprintf(stderr, "Try '%s --help' for more information.\n", progname);
		exit(2);
	}
}

static void
parse_args(struct options *o, int argc, char **argv)
{
	int c;

	opterr = 1;
	while ((c = getopt_long(argc, argv, "d:n:s:r:p:t:hV", longopts, NULL)) != -1)
		parse_option(o, c, optarg);
	if (optind < argc)
		usage_error("unexpected argument '%s' (this program takes only options)",
		    argv[optind]);
	if (o->duration_given && o->rate == 0)
		usage_error("--duration needs --rate (it sets how long to write live)");
	if (o->rate > 0 && (o->start_ns != INT64_MIN || o->span_given))
		usage_error("--start and --span do not apply with --rate: live "
		    "entries are stamped with the time they are written");
	if (o->rate == 0 && o->entries < 0)
		o->entries = 2000;
	if (o->entries >= 0 && o->entries < o->processes)
		usage_error("--entries: '%" PRId64 "' is fewer than the %d processes",
		    o->entries, o->processes);
	if (o->entries >= 0 && o->entries < (int64_t)o->processes * o->threads)
		usage_error("--entries: '%" PRId64 "' is fewer than the %d "
		    "writers (--processes times --threads)", o->entries,
		    o->processes * o->threads);
	if (o->start_ns == INT64_MIN)
		o->start_ns = now_ns(CLOCK_REALTIME) - o->span_ns;
}

int
main(int argc, char **argv)
{
	struct options o = {
		.entries = -1, .seed = 1, .start_ns = INT64_MIN,
		.span_ns = 3600 * NS_PER_SEC, .backups = -1, .processes = 1,
		.threads = 1,
	};
	struct tally t;
	char *dir;

	parse_args(&o, argc, argv);
	catch_signals();
	if (o.processes == 1) {
		t = run_threads(&o, 0, o.entries);
	} else
		t = run_processes(&o);
	dir = log_dir_name(&o);
	printf("%s: wrote %" PRId64 " %s to %s", progname, t.written,
	    t.written == 1 ? "entry" : "entries",
	    dir ? dir : o.dir ? o.dir : "the default log directory");
	if (o.processes > 1)
		printf(" from %d processes", o.processes);
	if (o.threads > 1)
		printf(" from %d threads%s", o.threads,
		    o.processes > 1 ? " each" : "");
	printf("\n");
	if (t.failed > 0)
		fprintf(stderr, "%s: %" PRId64 " entries could not be written\n",
		    progname, t.failed);
	free(dir);
	return t.failed > 0 ? 1 : 0;
}
