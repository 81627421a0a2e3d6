/*
 * trace.c - spans, the thread's current span and conversation, and the
 * trace fields an entry gets (llmlog(5), TRACES).
 *
 * The current span is a value in thread-local storage, not a pointer to
 * the caller's span: a span can be returned by value (a timer, the scope
 * macros) or kept inside a binding's object, and a span left behind on a
 * stack that is gone can never be read.  Ids come from a xoshiro256**
 * generator per thread, seeded from getrandom(): no lock, no system call
 * per id.  After fork() the child's forking thread keeps its current span
 * and conversation (memory is copied) but seeds its generator again, so
 * parent and child never hand out the same ids.
 */
#include "config.h"

#include "internal.h"

#include <sys/random.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACEPARENT_LEN 55	/* 00-<32>-<16>-<2> */
#define FLAG_SAMPLED 0x01

struct trace_state {
	struct llmlog_span cur;		/* ctx.span_id 0: no current span */
	char *conv;			/* the thread's conversation, or NULL */
	size_t conv_cap;
	uint64_t rng[4];
	bool seeded;
	bool registered;		/* conv is freed when the thread exits */
};

static __thread struct trace_state tstate;
static pthread_once_t trace_once = PTHREAD_ONCE_INIT;
static pthread_key_t conv_key;

/* $TRACEPARENT, read once, used by the process's first root span. */
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static struct llmlog_context env_ctx;
static bool env_valid;
static atomic_bool env_used;

static void
trace_fork_child(void)
{
	tstate.seeded = false;
}

static void
conv_free(void *p)
{
	free(p);
}

static void
trace_init(void)
{
	pthread_key_create(&conv_key, conv_free);
	pthread_atfork(NULL, NULL, trace_fork_child);
}

/* ---- ids ----------------------------------------------------------------- */

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct trace_state *st)
{
	uint64_t seed[4] = { 0, 0, 0, 0 }, x;
	struct timespec ts = { 0, 0 };
	ssize_t n;

	pthread_once(&trace_once, trace_init);
	n = getrandom(seed, sizeof seed, GRND_NONBLOCK);
	/* no entropy yet (early boot) or no getrandom: the time, the pid and
	 * the thread's address still tell processes and threads apart */
	clock_gettime(CLOCK_REALTIME, &ts);
	x = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	x ^= (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)st;
	for (int i = 0; i < 4; i++) {
		if (n != (ssize_t)sizeof seed)
			seed[i] ^= splitmix64(&x);
		st->rng[i] = seed[i];
	}
	if ((st->rng[0] | st->rng[1] | st->rng[2] | st->rng[3]) == 0)
		st->rng[0] = 1;
	st->seeded = true;
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256**; never 0. */
static uint64_t
rng_next(struct trace_state *st)
{
	uint64_t *s = st->rng, r, t;

	if (!st->seeded)
		rng_seed(st);
	do {
		r = rotl(s[1] * 5, 7) * 9;
		t = s[1] << 17;
		s[2] ^= s[0];
		s[3] ^= s[1];
		s[1] ^= s[2];
		s[0] ^= s[3];
		s[2] ^= t;
		s[3] = rotl(s[3], 45);
	} while (r == 0);
	return r;
}

/* ---- $TRACEPARENT ------------------------------------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;		/* upper case is not valid either */
}

/* n lowercase hex digits into *v (n <= 16); false on another character. */
static bool
parse_hex(const char *s, int n, uint64_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return false;
		*v = *v << 4 | (uint64_t)d;
	}
	return true;
}

bool
trace_parse_traceparent(const char *s, struct llmlog_context *ctx)
{
	uint64_t version, flags;
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n < TRACEPARENT_LEN || s[2] != '-' || s[35] != '-' || s[52] != '-')
		return false;
	if (!parse_hex(s, 2, &version) || version == 0xff)
		return false;
	/* version 00 is exactly this long; a later one may add fields */
	if (n > TRACEPARENT_LEN && (version == 0 || s[TRACEPARENT_LEN] != '-'))
		return false;
	memset(ctx, 0, sizeof *ctx);
	if (!parse_hex(s + 3, 16, &ctx->trace_hi) ||
	    !parse_hex(s + 19, 16, &ctx->trace_lo) ||
	    !parse_hex(s + 36, 16, &ctx->span_id) ||
	    !parse_hex(s + 53, 2, &flags))
		return false;
	if ((ctx->trace_hi | ctx->trace_lo) == 0 || ctx->span_id == 0)
		return false;
	ctx->flags = (uint8_t)flags;
	return true;
}

static void
env_read(void)
{
	env_valid = trace_parse_traceparent(getenv("TRACEPARENT"), &env_ctx);
}

/* ---- spans ------------------------------------------------------------------ */

struct llmlog_span
llmlog_span_start(const char *conversation_id)
{
	struct trace_state *st = &tstate;
	struct llmlog_span sp;

	sp.prev_ = st->cur.ctx;
	sp.ctx = st->cur.ctx;
	if (sp.ctx.span_id != 0) {
		sp.ctx.parent_span_id = sp.ctx.span_id;
	} else {
		pthread_once(&env_once, env_read);
		if (env_valid && !atomic_exchange(&env_used, true)) {
			sp.ctx = env_ctx;
			sp.ctx.parent_span_id = env_ctx.span_id;
		} else {
			sp.ctx.trace_hi = rng_next(st);
			sp.ctx.trace_lo = rng_next(st);
			sp.ctx.parent_span_id = 0;
			sp.ctx.flags = FLAG_SAMPLED;
		}
		sp.ctx.conversation_id = NULL;
	}
	sp.ctx.span_id = rng_next(st);
	if (conversation_id != NULL)
		sp.ctx.conversation_id = conversation_id;
	st->cur.ctx = sp.ctx;
	return sp;
}

void
llmlog_span_begin(struct llmlog_span *sp, const char *conversation_id)
{
	if (sp != NULL)
		*sp = llmlog_span_start(conversation_id);
}

void
llmlog_span_end(struct llmlog_span *sp)
{
	struct trace_state *st = &tstate;

	if (sp == NULL || sp->ctx.span_id == 0)
		return;
	if (st->cur.ctx.span_id == sp->ctx.span_id &&
	    st->cur.ctx.trace_lo == sp->ctx.trace_lo)
		st->cur.ctx = sp->prev_;
	/* a second end finds it ended */
	sp->ctx.span_id = 0;
}

const struct llmlog_span *
llmlog_span_current(void)
{
	struct trace_state *st = &tstate;

	return st->cur.ctx.span_id != 0 ? &st->cur : NULL;
}

struct llmlog_span
llmlog_span_set_current(const struct llmlog_span *sp)
{
	struct trace_state *st = &tstate;
	struct llmlog_span prev;

	memset(&prev, 0, sizeof prev);
	prev.ctx = st->cur.ctx;
	if (sp != NULL && sp->ctx.span_id != 0)
		st->cur.ctx = sp->ctx;
	else
		memset(&st->cur.ctx, 0, sizeof st->cur.ctx);
	return prev;
}

/* ---- hex ---------------------------------------------------------------- */

void
trace_hex64(char *out, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 15; i >= 0; i--) {
		out[i] = digits[v & 0xf];
		v >>= 4;
	}
}

int
llmlog_span_traceparent(const struct llmlog_span *sp, char *buf, size_t size)
{
	static const char digits[] = "0123456789abcdef";

	if (sp == NULL || sp->ctx.span_id == 0) {
		errno = ENOENT;
		return errmsg_set("no span to format as a traceparent");
	}
	if (buf == NULL || size < LLMLOG_TRACEPARENT_SIZE) {
		errno = ERANGE;
		return errmsg_set("a traceparent takes %d bytes, the buffer "
		    "has %zu", LLMLOG_TRACEPARENT_SIZE, buf == NULL ? 0 : size);
	}
	memcpy(buf, "00-", 3);
	trace_hex64(buf + 3, sp->ctx.trace_hi);
	trace_hex64(buf + 19, sp->ctx.trace_lo);
	buf[35] = '-';
	trace_hex64(buf + 36, sp->ctx.span_id);
	buf[52] = '-';
	buf[53] = digits[sp->ctx.flags >> 4];
	buf[54] = digits[sp->ctx.flags & 0xf];
	buf[55] = '\0';
	return 0;
}

int
llmlog_traceparent(char *buf, size_t size)
{
	return llmlog_span_traceparent(llmlog_span_current(), buf, size);
}

void
llmlog_span_hex(const struct llmlog_span *sp, char trace_id[33],
    char span_id[17], char parent_span_id[17])
{
	struct llmlog_context z = { 0 };
	const struct llmlog_context *c = sp != NULL ? &sp->ctx : &z;

	if (trace_id != NULL) {
		trace_hex64(trace_id, c->trace_hi);
		trace_hex64(trace_id + 16, c->trace_lo);
		trace_id[32] = '\0';
	}
	if (span_id != NULL) {
		trace_hex64(span_id, c->span_id);
		span_id[16] = '\0';
	}
	if (parent_span_id != NULL) {
		if (c->parent_span_id != 0)
			trace_hex64(parent_span_id, c->parent_span_id);
		parent_span_id[c->parent_span_id != 0 ? 16 : 0] = '\0';
	}
}

/* ---- conversations ---------------------------------------------------------- */

int
llmlog_set_conversation(const char *conversation_id)
{
	struct trace_state *st = &tstate;
	size_t n;
	char *p;

	if (conversation_id == NULL || *conversation_id == '\0') {
		if (st->conv != NULL)
			st->conv[0] = '\0';
		return 0;
	}
	n = strlen(conversation_id) + 1;
	if (n > st->conv_cap) {
		if ((p = realloc(st->conv, n)) == NULL) {
			errno = ENOMEM;
			return errmsg_set("out of memory keeping a "
			    "conversation id");
		}
		st->conv = p;
		st->conv_cap = n;
		if (!st->registered) {
			pthread_once(&trace_once, trace_init);
			st->registered = true;
		}
		/* the key holds the newest block, freed at thread exit */
		pthread_setspecific(conv_key, p);
	}
	memcpy(st->conv, conversation_id, n);
	return 0;
}

const char *
llmlog_conversation(void)
{
	struct trace_state *st = &tstate;

	return st->conv != NULL && st->conv[0] != '\0' ? st->conv : NULL;
}

/* ---- an entry's fields -------------------------------------------------------- */

void
trace_resolve(struct trace_fields *tf, const struct llmlog_span *span,
    const char *conversation_id)
{
	struct trace_state *st = &tstate;

	if (span != NULL && span->ctx.span_id != 0)
		tf->ctx = span->ctx;
	else if (st->cur.ctx.span_id != 0) {
		tf->ctx = st->cur.ctx;
		tf->ctx.parent_span_id = st->cur.ctx.span_id;
		tf->ctx.span_id = rng_next(st);
	} else
		memset(&tf->ctx, 0, sizeof tf->ctx);
	tf->conversation_id = conversation_id;
	if (tf->conversation_id == NULL || *tf->conversation_id == '\0')
		tf->conversation_id = tf->ctx.conversation_id;
	if (tf->conversation_id == NULL || *tf->conversation_id == '\0')
		tf->conversation_id = st->conv;
	if (tf->conversation_id != NULL && *tf->conversation_id == '\0')
		tf->conversation_id = NULL;
}
