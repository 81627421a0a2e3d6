/*
 * _llmlog.c - the C half of the Python package llmlog: one function per
 * libllmlog call, over the process-wide default log.
 *
 * The library keeps every rule (levels, redaction, truncation, rotation,
 * locking across processes); this file only turns Python values into the
 * library's arguments: text into UTF-8 C strings, details, parameters and
 * results into json-c objects.  The GIL is released around each write, so
 * other Python threads run while a line goes to disk.
 *
 * A logging function never raises: every argument is turned into
 * something writable (str() or repr() as a last resort), and a write that
 * fails returns False, counted by dropped() with the reason in
 * last_error().  Only setup() raises, OSError with the errno of the
 * directory that cannot be used.  The package's llmlog/__init__.py gives
 * these functions the documented names and keyword arguments; see
 * llmlog.py(3).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "llmlog.h"

/* How deep Python containers are followed; the library cuts deeper JSON
 * itself (llmlog(5), Nesting), this only stops a cycle. */
#define MAX_DEPTH 20
/* Temporary Python objects one call may hold (converted text). */
#define MAX_HELD 16

/* ---- text ------------------------------------------------------------------ */

/* The objects whose UTF-8 buffers a call's C strings point into, released
 * after the call, and the buffers made for text with a NUL. */
struct held {
	PyObject *obj[MAX_HELD];
	char *mem[MAX_HELD];
	int nobj, nmem;
};

static void
held_release(struct held *h)
{
	for (int i = 0; i < h->nobj; i++)
		Py_DECREF(h->obj[i]);
	for (int i = 0; i < h->nmem; i++)
		PyMem_Free(h->mem[i]);
	h->nobj = h->nmem = 0;
}

static bool
held_keep(struct held *h, PyObject *o)
{
	if (h->nobj == MAX_HELD) {
		Py_DECREF(o);
		return false;
	}
	h->obj[h->nobj++] = o;
	return true;
}

/* str(o), or repr(o) when str() raises, or the type's name: a new
 * reference, never NULL unless memory ran out. */
static PyObject *
as_str(PyObject *o)
{
	PyObject *s;

	if (PyUnicode_Check(o)) {
		Py_INCREF(o);
		return o;
	}
	if ((s = PyObject_Str(o)) != NULL && PyUnicode_Check(s))
		return s;
	Py_XDECREF(s);
	PyErr_Clear();
	if ((s = PyObject_Repr(o)) != NULL && PyUnicode_Check(s))
		return s;
	Py_XDECREF(s);
	PyErr_Clear();
	return PyUnicode_FromFormat("<%s object>", Py_TYPE(o)->tp_name);
}

/* The UTF-8 of a str, and its length.  A lone surrogate (which UTF-8
 * cannot hold) is written as its \uXXXX escape.  The buffer lives as long
 * as the str or the object kept in h. */
static const char *
utf8_of(PyObject *s, Py_ssize_t *len, struct held *h)
{
	const char *p;
	PyObject *b;

	if ((p = PyUnicode_AsUTF8AndSize(s, len)) != NULL)
		return p;
	PyErr_Clear();
	b = PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace");
	if (b == NULL) {
		PyErr_Clear();
		return NULL;
	}
	if (!held_keep(h, b))
		return NULL;
	*len = PyBytes_GET_SIZE(b);
	return PyBytes_AS_STRING(b);
}

/* A C string for any Python value: None is NULL (the library writes "");
 * other values are str()'d.  C strings end at a NUL, so a NUL inside the
 * text is written as U+FFFD rather than cutting the rest off. */
static const char *
text_of(PyObject *o, struct held *h)
{
	static const char fffd[] = "\xef\xbf\xbd";
	PyObject *s;
	const char *p;
	Py_ssize_t len, i, nuls = 0;
	char *copy, *q;

	if (o == NULL || o == Py_None)
		return NULL;
	if ((s = as_str(o)) == NULL) {
		PyErr_Clear();
		return NULL;
	}
	if (s == o)
		Py_DECREF(s);		/* the caller's reference keeps it */
	else if (!held_keep(h, s))
		return NULL;
	if ((p = utf8_of(s, &len, h)) == NULL)
		return NULL;
	if ((Py_ssize_t)strlen(p) == len)
		return p;
	for (i = 0; i < len; i++)
		nuls += p[i] == '\0';
	if (h->nmem == MAX_HELD ||
	    (copy = PyMem_Malloc((size_t)(len + 2 * nuls + 1))) == NULL)
		return NULL;
	h->mem[h->nmem++] = copy;
	for (i = 0, q = copy; i < len; i++) {
		if (p[i] == '\0') {
			memcpy(q, fffd, 3);
			q += 3;
		} else {
			*q++ = p[i];
		}
	}
	*q = '\0';
	return copy;
}

static double
number_of(PyObject *o)
{
	double d;

	if (o == NULL || o == Py_None)
		return 0;
	d = PyFloat_AsDouble(o);
	if (d == -1 && PyErr_Occurred()) {
		PyErr_Clear();
		return 0;
	}
	return d;
}

static int64_t
integer_of(PyObject *o)
{
	long long v;
	int overflow;

	if (o == NULL || o == Py_None)
		return 0;
	if (PyFloat_Check(o))
		return (int64_t)PyFloat_AS_DOUBLE(o);
	v = PyLong_AsLongLongAndOverflow(o, &overflow);
	if (v == -1 && PyErr_Occurred()) {
		PyErr_Clear();
		return 0;
	}
	if (overflow)
		return overflow > 0 ? INT64_MAX : INT64_MIN;
	return (int64_t)v;
}

static bool
truth_of(PyObject *o)
{
	int t;

	if (o == NULL)
		return false;
	if ((t = PyObject_IsTrue(o)) < 0) {
		PyErr_Clear();
		return false;
	}
	return t != 0;
}

/* ---- Python values as JSON ----------------------------------------------------- */

static json_object *to_json(PyObject *o, int depth);

static json_object *
json_text(PyObject *s)
{
	struct held h = { .nobj = 0 };
	Py_ssize_t len;
	const char *p = utf8_of(s, &len, &h);
	json_object *j = p != NULL ? json_object_new_string_len(p, (int)len)
	    : json_object_new_string("");

	held_release(&h);
	return j;
}

static json_object *
json_repr(PyObject *o)
{
	PyObject *r = PyObject_Repr(o);
	json_object *j;

	if (r == NULL || !PyUnicode_Check(r)) {
		Py_XDECREF(r);
		PyErr_Clear();
		r = PyUnicode_FromFormat("<%s object>", Py_TYPE(o)->tp_name);
		if (r == NULL) {
			PyErr_Clear();
			return json_object_new_string("");
		}
	}
	j = json_text(r);
	Py_DECREF(r);
	return j;
}

static json_object *
json_int(PyObject *o)
{
	long long v;
	unsigned long long u;
	int overflow;

	v = PyLong_AsLongLongAndOverflow(o, &overflow);
	if (!overflow && !(v == -1 && PyErr_Occurred()))
		return json_object_new_int64(v);
	PyErr_Clear();
	u = PyLong_AsUnsignedLongLong(o);
	if (!(u == (unsigned long long)-1 && PyErr_Occurred()))
		return json_object_new_uint64(u);
	PyErr_Clear();
	/* beyond 64 bits: its digits, exactly, as text */
	return json_repr(o);
}

static json_object *
json_dict(PyObject *d, int depth, bool public_only)
{
	json_object *obj = json_object_new_object();
	PyObject *k, *v;
	Py_ssize_t pos = 0;

	if (obj == NULL)
		return NULL;
	while (PyDict_Next(d, &pos, &k, &v)) {
		struct held h = { .nobj = 0 };
		PyObject *ks = as_str(k);
		Py_ssize_t len;
		const char *key;

		if (ks == NULL) {
			PyErr_Clear();
			continue;
		}
		key = utf8_of(ks, &len, &h);
		if (key != NULL && !(public_only && key[0] == '_'))
			json_object_object_add(obj, key, to_json(v, depth + 1));
		held_release(&h);
		Py_DECREF(ks);
	}
	return obj;
}

static json_object *
json_seq(PyObject *seq, int depth)
{
	json_object *arr = json_object_new_array();
	PyObject *fast = PySequence_Fast(seq, "");
	Py_ssize_t n, i;

	if (fast == NULL) {
		PyErr_Clear();
		return arr;
	}
	n = PySequence_Fast_GET_SIZE(fast);
	for (i = 0; arr != NULL && i < n; i++)
		json_object_array_add(arr,
		    to_json(PySequence_Fast_GET_ITEM(fast, i), depth + 1));
	Py_DECREF(fast);
	return arr;
}

/* An object that describes itself: a pydantic model's model_dump() (or
 * dict() of pydantic 1), else its public __dict__; NULL when it does not. */
static json_object *
json_described(PyObject *o, int depth)
{
	static const char *const dumps[] = { "model_dump", "to_dict", NULL };
	PyObject *m, *r, *d;
	json_object *j;

	if (PyType_Check(o) || PyModule_Check(o) || PyCallable_Check(o))
		return NULL;
	for (int i = 0; dumps[i] != NULL; i++) {
		if ((m = PyObject_GetAttrString(o, dumps[i])) == NULL) {
			PyErr_Clear();
			continue;
		}
		r = PyCallable_Check(m) ? PyObject_CallNoArgs(m) : NULL;
		Py_DECREF(m);
		if (r == NULL) {
			PyErr_Clear();
			continue;
		}
		j = to_json(r, depth + 1);
		Py_DECREF(r);
		return j;
	}
	if ((d = PyObject_GetAttrString(o, "__dict__")) == NULL) {
		PyErr_Clear();
		return NULL;
	}
	j = PyDict_Check(d) ? json_dict(d, depth, true) : NULL;
	Py_DECREF(d);
	return j;
}

/* dicts, lists, tuples, str, int, float, bool and None as JSON; objects
 * with model_dump() or a __dict__ as what those give; anything else as
 * its repr().  NULL is JSON null. */
static json_object *
to_json(PyObject *o, int depth)
{
	json_object *j;

	if (o == Py_None)
		return NULL;
	if (depth > MAX_DEPTH)
		return json_object_new_string("[TOO DEEP]");
	if (PyBool_Check(o))
		return json_object_new_boolean(o == Py_True);
	if (PyLong_Check(o))
		return json_int(o);
	if (PyFloat_Check(o))
		return json_object_new_double(PyFloat_AS_DOUBLE(o));
	if (PyUnicode_Check(o))
		return json_text(o);
	if (PyDict_Check(o))
		return json_dict(o, depth, false);
	if (PyList_Check(o) || PyTuple_Check(o))
		return json_seq(o, depth);
	if (Py_EnterRecursiveCall(" converting a value to JSON")) {
		PyErr_Clear();
		return json_object_new_string("[TOO DEEP]");
	}
	j = json_described(o, depth);
	Py_LeaveRecursiveCall();
	return j != NULL ? j : json_repr(o);
}

/* A details/parameters/result argument: None is no value at all. */
static json_object *
json_arg(PyObject *o)
{
	if (o == NULL || o == Py_None)
		return NULL;
	return to_json(o, 0);
}

/* ---- spans: Python's context, the thread's current span around writes ----- */

/* A span: the library's value, and the conversation text it points to. */
typedef struct {
	PyObject_HEAD
	struct llmlog_span sp;
	PyObject *conv;		/* the object conversation_id points into */
	PyObject *name;
} Span;

static PyTypeObject SpanType;
/* The current span and conversation of the running context (asyncio
 * tasks and threads have their own), read at each write. */
static PyObject *span_var, *conv_var;

static Span *
span_of(PyObject *o)
{
	return o != NULL && Py_IS_TYPE(o, &SpanType) ? (Span *)o : NULL;
}

/* What a write needs of the context, gathered with the GIL held. */
struct context {
	PyObject *span, *conv;	/* new references, or NULL */
	const char *conv_text;
	struct held h;
};

static void
context_get(struct context *c)
{
	c->span = c->conv = NULL;
	c->conv_text = NULL;
	c->h.nobj = c->h.nmem = 0;
	if (PyContextVar_Get(span_var, NULL, &c->span) < 0) {
		PyErr_Clear();
		c->span = NULL;
	}
	if (span_of(c->span) == NULL)
		Py_CLEAR(c->span);
	if (PyContextVar_Get(conv_var, NULL, &c->conv) < 0) {
		PyErr_Clear();
		c->conv = NULL;
	}
	if (c->conv != NULL && c->conv != Py_None)
		c->conv_text = text_of(c->conv, &c->h);
}

static void
context_release(struct context *c)
{
	Py_XDECREF(c->span);
	Py_XDECREF(c->conv);
	held_release(&c->h);
}

/* Without the GIL: make the context's span and conversation the thread's
 * for one write, and put back what was there. */
struct thread_state {
	struct llmlog_span prev;
	bool span_set, conv_set;
};

static void
context_enter(const struct context *c, struct thread_state *t)
{
	t->span_set = c->span != NULL;
	if (t->span_set)
		t->prev = llmlog_span_set_current(&((Span *)c->span)->sp);
	t->conv_set = c->conv_text != NULL &&
	    llmlog_set_conversation(c->conv_text) == 0;
}

static void
context_leave(const struct thread_state *t)
{
	if (t->conv_set)
		llmlog_set_conversation(NULL);
	if (t->span_set)
		llmlog_span_set_current(t->prev.ctx.span_id != 0 ? &t->prev
		    : NULL);
}

/* span_begin(name, conversation_id) -> Span: a child of the context's
 * current span, or a new trace's root; conversation_id None: the
 * parent's, else the context's conversation */
static PyObject *
py_span_begin(PyObject *mod, PyObject *const *a, Py_ssize_t nargs)
{
	struct context c;
	struct llmlog_span prev;
	Span *sp;
	PyObject *conv;
	const char *conv_text = NULL;

	if (nargs != 2) {
		PyErr_SetString(PyExc_TypeError,
		    "span_begin(name, conversation_id)");
		return NULL;
	}
	if ((sp = PyObject_New(Span, &SpanType)) == NULL)
		return NULL;
	sp->conv = NULL;
	Py_INCREF(a[0]);
	sp->name = a[0];
	context_get(&c);
	conv = a[1] != Py_None ? a[1] : c.span == NULL ? c.conv : NULL;
	if (conv != NULL && conv != Py_None) {
		struct held h = { .nobj = 0 };

		/* kept whole by the span: the text is not copied */
		if ((conv_text = text_of(conv, &h)) != NULL) {
			sp->conv = PyBytes_FromString(conv_text);
			conv_text = sp->conv != NULL ?
			    PyBytes_AS_STRING(sp->conv) : NULL;
		}
		PyErr_Clear();
		held_release(&h);
	}
	prev = llmlog_span_set_current(c.span != NULL ?
	    &((Span *)c.span)->sp : NULL);
	llmlog_span_begin(&sp->sp, conv_text);
	llmlog_span_set_current(prev.ctx.span_id != 0 ? &prev : NULL);
	context_release(&c);
	/* a conversation taken from the parent points into the parent, which
	 * may go first: the span keeps its own copy */
	if (sp->conv == NULL && sp->sp.ctx.conversation_id != NULL) {
		sp->conv = PyBytes_FromString(sp->sp.ctx.conversation_id);
		sp->sp.ctx.conversation_id = sp->conv != NULL ?
		    PyBytes_AS_STRING(sp->conv) : NULL;
		PyErr_Clear();
	}
	return (PyObject *)sp;
}

static void
span_dealloc(PyObject *o)
{
	Span *sp = (Span *)o;

	Py_XDECREF(sp->conv);
	Py_XDECREF(sp->name);
	PyObject_Free(o);
}

static PyObject *
span_ids(PyObject *o, void *which)
{
	char trace[33], span[17], parent[17];

	llmlog_span_hex(&((Span *)o)->sp, trace, span, parent);
	switch ((intptr_t)which) {
	case 0:
		return PyUnicode_FromString(trace);
	case 1:
		return PyUnicode_FromString(span);
	default:
		if (parent[0] == '\0')
			Py_RETURN_NONE;
		return PyUnicode_FromString(parent);
	}
}

static PyObject *
span_conversation(PyObject *o, void *unused)
{
	const char *conv = ((Span *)o)->sp.ctx.conversation_id;

	if (conv == NULL)
		Py_RETURN_NONE;
	return PyUnicode_DecodeUTF8(conv, (Py_ssize_t)strlen(conv), "replace");
}

static PyObject *
span_name(PyObject *o, void *unused)
{
	Span *sp = (Span *)o;

	Py_INCREF(sp->name);
	return sp->name;
}

static PyObject *
span_traceparent(PyObject *o, PyObject *unused)
{
	char buf[LLMLOG_TRACEPARENT_SIZE];

	if (llmlog_span_traceparent(&((Span *)o)->sp, buf, sizeof buf) != 0)
		Py_RETURN_NONE;
	return PyUnicode_FromString(buf);
}

static PyObject *
span_repr(PyObject *o)
{
	char span[17];

	llmlog_span_hex(&((Span *)o)->sp, NULL, span, NULL);
	return PyUnicode_FromFormat("<llmlog span %R %s>", ((Span *)o)->name,
	    span);
}

static PyGetSetDef span_getset[] = {
	{ "trace_id", span_ids, NULL, "the trace's id, 32 hex digits",
	  (void *)0 },
	{ "span_id", span_ids, NULL, "the span's id, 16 hex digits",
	  (void *)1 },
	{ "parent_span_id", span_ids, NULL, "the parent's id, or None at a "
	  "root", (void *)2 },
	{ "conversation_id", span_conversation, NULL, "the conversation, or "
	  "None", NULL },
	{ "name", span_name, NULL, "the name it was begun with", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static PyMethodDef span_methods[] = {
	{ "traceparent", span_traceparent, METH_NOARGS,
	  "traceparent() -> the W3C traceparent value of this span" },
	{ NULL, NULL, 0, NULL }
};

static PyTypeObject SpanType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "llmlog.Span",
	.tp_basicsize = sizeof(Span),
	.tp_dealloc = span_dealloc,
	.tp_repr = span_repr,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A span of a trace (begun by llmlog.span()).",
	.tp_getset = span_getset,
	.tp_methods = span_methods,
};

static const struct llmlog_span *
record_of(PyObject *o)
{
	Span *sp = span_of(o);

	return sp != NULL ? &sp->sp : NULL;
}

/* ---- the calls ------------------------------------------------------------------- */

/* A write without the GIL, in the context's span and conversation. */
#define WRITE(call) do {			\
	struct context c_;			\
	struct thread_state t_;			\
	context_get(&c_);			\
	Py_BEGIN_ALLOW_THREADS			\
	context_enter(&c_, &t_);		\
	rc = (call);				\
	context_leave(&t_);			\
	Py_END_ALLOW_THREADS			\
	context_release(&c_);			\
} while (0)

static bool
nargs_ok(const char *fn, Py_ssize_t nargs, Py_ssize_t want)
{
	if (nargs == want)
		return true;
	PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)",
	    fn, want, nargs);
	return false;
}

static PyObject *
written(int rc)
{
	return PyBool_FromLong(rc == 0);
}

/* tool_calls: a sequence of names (one str is one name), or None; the
 * names' str()s are kept in a list held in h */
static const char **
names_of(PyObject *o, struct held *h)
{
	PyObject *fast, *keep;
	Py_ssize_t n, i, len;
	const char **names;

	if (o == NULL || o == Py_None)
		return NULL;
	if (PyUnicode_Check(o)) {
		if ((names = PyMem_Calloc(2, sizeof *names)) == NULL)
			return NULL;
		names[0] = text_of(o, h);
		if (names[0] == NULL)
			names[0] = "";
		return names;
	}
	if ((fast = PySequence_Fast(o, "")) == NULL) {
		PyErr_Clear();
		return NULL;
	}
	n = PySequence_Fast_GET_SIZE(fast);
	names = PyMem_Calloc((size_t)n + 1, sizeof *names);
	keep = names != NULL ? PyList_New(0) : NULL;
	if (keep != NULL && held_keep(h, keep)) {
		for (i = 0; i < n; i++) {
			PyObject *s = as_str(PySequence_Fast_GET_ITEM(fast, i));

			names[i] = s != NULL && PyList_Append(keep, s) == 0 ?
			    utf8_of(s, &len, h) : NULL;
			if (names[i] == NULL) {
				PyErr_Clear();
				names[i] = "";
			}
			Py_XDECREF(s);
		}
	}
	Py_DECREF(fast);
	return names;
}

/* interaction(user_input, response, tool_calls, duration_ms, failed,
 *             error, details, level, span) */
static PyObject *
py_interaction(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	const char **names;
	int rc;

	if (!nargs_ok("interaction", nargs, 9))
		return NULL;
	names = names_of(a[2], &h);
	struct llmlog_interaction e = {
		.user_input = text_of(a[0], &h),
		.response = text_of(a[1], &h),
		.tool_calls = names,
		.duration_ms = number_of(a[3]),
		.failed = truth_of(a[4]),
		.error = text_of(a[5], &h),
		.details = json_arg(a[6]),
		.level = (int)integer_of(a[7]),
		.span = record_of(a[8]),
	};
	WRITE(llmlog_interaction_(NULL, &e));
	PyMem_Free(names);
	held_release(&h);
	return written(rc);
}

/* system(event, component, message, details, level, span) */
static PyObject *
py_system(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("system", nargs, 6))
		return NULL;
	struct llmlog_system e = {
		.event = text_of(a[0], &h),
		.component = text_of(a[1], &h),
		.message = text_of(a[2], &h),
		.details = json_arg(a[3]),
		.level = (int)integer_of(a[4]),
		.span = record_of(a[5]),
	};
	WRITE(llmlog_system_(NULL, &e));
	held_release(&h);
	return written(rc);
}

/* tool(tool_name, tool_server, parameters, result, duration_ms, failed,
 *      error, details, level, span); a str result is the result text
 *      itself */
static PyObject *
py_tool(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("tool", nargs, 10))
		return NULL;
	bool text = PyUnicode_Check(a[3]);
	struct llmlog_tool e = {
		.tool_name = text_of(a[0], &h),
		.tool_server = text_of(a[1], &h),
		.parameters = json_arg(a[2]),
		.result = text ? NULL : json_arg(a[3]),
		.result_text = text ? text_of(a[3], &h) : NULL,
		.duration_ms = number_of(a[4]),
		.failed = truth_of(a[5]),
		.error = text_of(a[6], &h),
		.details = json_arg(a[7]),
		.level = (int)integer_of(a[8]),
		.span = record_of(a[9]),
	};
	WRITE(llmlog_tool_(NULL, &e));
	held_release(&h);
	return written(rc);
}

/* llm(provider, model, prompt_tokens, completion_tokens, total_tokens,
 *     duration_ms, streaming, failed, error, cost_usd, details, level, span);
 *     total
 * None: the sum; cost_usd None: not given */
static PyObject *
py_llm(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("llm", nargs, 13))
		return NULL;
	struct llmlog_llm e = {
		.provider = text_of(a[0], &h),
		.model = text_of(a[1], &h),
		.prompt_tokens = integer_of(a[2]),
		.completion_tokens = integer_of(a[3]),
		.total_tokens = integer_of(a[4]),
		.duration_ms = number_of(a[5]),
		.streaming = truth_of(a[6]),
		.failed = truth_of(a[7]),
		.error = text_of(a[8], &h),
		.cost_usd = number_of(a[9]),
		.has_cost = a[9] != Py_None,
		.details = json_arg(a[10]),
		.level = (int)integer_of(a[11]),
		.span = record_of(a[12]),
	};
	WRITE(llmlog_llm_(NULL, &e));
	held_release(&h);
	return written(rc);
}

/* security(event_type, resource, action, allowed, reason, details, level,
 *          span) */
static PyObject *
py_security(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("security", nargs, 8))
		return NULL;
	struct llmlog_security e = {
		.event_type = text_of(a[0], &h),
		.resource = text_of(a[1], &h),
		.action = text_of(a[2], &h),
		.allowed = truth_of(a[3]),
		.reason = text_of(a[4], &h),
		.details = json_arg(a[5]),
		.level = (int)integer_of(a[6]),
		.span = record_of(a[7]),
	};
	WRITE(llmlog_security_(NULL, &e));
	held_release(&h);
	return written(rc);
}

/* metric(operation, duration_ms, memory_mb, cpu_percent, details, level,
 *        span);
 * memory_mb None: the process's RSS now */
static PyObject *
py_metric(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("metric", nargs, 7))
		return NULL;
	struct llmlog_metric e = {
		.operation = text_of(a[0], &h),
		.duration_ms = number_of(a[1]),
		.memory_mb = number_of(a[2]),
		.cpu_percent = number_of(a[3]),
		.details = json_arg(a[4]),
		.level = (int)integer_of(a[5]),
		.span = record_of(a[6]),
	};
	WRITE(llmlog_metric_(NULL, &e));
	held_release(&h);
	return written(rc);
}

/* log_json(category, fields, span): the entry as a dict of fields,
 * written through llmlog_log_json() (fields it does not know go into
 * details); False when the library refused it */
static PyObject *
py_log_json(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	const char *cat, *text;
	const struct llmlog_span *span;
	json_object *j;
	int rc;

	if (!nargs_ok("log_json", nargs, 3))
		return NULL;
	cat = PyUnicode_Check(a[0]) ? text_of(a[0], &h) : NULL;
	j = to_json(a[1], 0);
	text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	span = record_of(a[2]);
	WRITE(llmlog_log_json_span(NULL, cat != NULL ? cat : "", text != NULL
	    ? text : "", span));
	json_object_put(j);
	held_release(&h);
	return written(rc);
}

/* ---- setup and state -------------------------------------------------------------- */

/* setup(dir, level, console, max_bytes, backups, async_mode): the
 * library's own config values (the package maps Python's meanings);
 * returns the directory in use, raises OSError */
static PyObject *
py_setup(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc, err;

	if (!nargs_ok("setup", nargs, 6))
		return NULL;
	struct llmlog_config cfg = {
		.dir = text_of(a[0], &h),
		.min_level = (int)integer_of(a[1]),
		.no_console = !truth_of(a[2]),
		.max_bytes = integer_of(a[3]),
		.backups = (int)integer_of(a[4]),
		.async = truth_of(a[5]),
	};
	WRITE(llmlog_setup(&cfg));
	err = errno;
	held_release(&h);
	if (rc != 0) {
		PyObject *exc = PyObject_CallFunction(PyExc_OSError, "isO",
		    err, llmlog_errmsg(), a[0]);

		if (exc != NULL) {
			PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
			Py_DECREF(exc);
		}
		return NULL;
	}
	return PyUnicode_DecodeFSDefault(llmlog_dir(NULL));
}

static PyObject *
py_flush(PyObject *self, PyObject *unused)
{
	int rc;

	WRITE(llmlog_flush(llmlog_default()));
	return written(rc);
}

static PyObject *
py_dropped(PyObject *self, PyObject *unused)
{
	return PyLong_FromUnsignedLongLong(llmlog_dropped(NULL));
}

static PyObject *
py_last_error(PyObject *self, PyObject *unused)
{
	return PyUnicode_DecodeUTF8(llmlog_errmsg(), (Py_ssize_t)strlen(
	    llmlog_errmsg()), "replace");
}

static PyObject *
py_directory(PyObject *self, PyObject *unused)
{
	const char *dir = llmlog_dir(NULL);

	if (dir == NULL)
		Py_RETURN_NONE;
	return PyUnicode_DecodeFSDefault(dir);
}

static PyObject *
py_enabled(PyObject *self, PyObject *level)
{
	int lv = (int)integer_of(level);

	return PyBool_FromLong(llmlog_enabled(NULL, (enum llmlog_level)lv));
}

static PyObject *
py_set_level(PyObject *self, PyObject *level)
{
	llmlog_set_level(NULL, (enum llmlog_level)integer_of(level));
	Py_RETURN_NONE;
}

/* level_parse(str) -> int, -1 when it names no level */
static PyObject *
py_level_parse(PyObject *self, PyObject *name)
{
	struct held h = { .nobj = 0 };
	const char *s = PyUnicode_Check(name) ? text_of(name, &h) : NULL;
	int lv = s != NULL ? llmlog_level_parse(s) : -1;

	held_release(&h);
	return PyLong_FromLong(lv);
}

/* to_json(value) -> str: the JSON a value is written as (the library's
 * own rules for numbers and depth apply when it is written) */
static PyObject *
py_to_json(PyObject *self, PyObject *value)
{
	json_object *j = to_json(value, 0);
	size_t len;
	const char *s = json_object_to_json_string_length(j,
	    JSON_C_TO_STRING_PLAIN, &len);
	PyObject *r = PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "replace");

	json_object_put(j);
	return r;
}

static PyMethodDef methods[] = {
	{ "interaction", (PyCFunction)(void (*)(void))py_interaction,
	  METH_FASTCALL, "interaction(user_input, response, tool_calls, "
	  "duration_ms, failed, error, details, level, span) -> written" },
	{ "system", (PyCFunction)(void (*)(void))py_system, METH_FASTCALL,
	  "system(event, component, message, details, level, span) -> "
	  "written" },
	{ "tool", (PyCFunction)(void (*)(void))py_tool, METH_FASTCALL,
	  "tool(tool_name, tool_server, parameters, result, duration_ms, "
	  "failed, error, details, level, span) -> written" },
	{ "llm", (PyCFunction)(void (*)(void))py_llm, METH_FASTCALL,
	  "llm(provider, model, prompt_tokens, completion_tokens, "
	  "total_tokens, duration_ms, streaming, failed, error, cost_usd, "
	  "details, level, span) -> written" },
	{ "security", (PyCFunction)(void (*)(void))py_security, METH_FASTCALL,
	  "security(event_type, resource, action, allowed, reason, details, "
	  "level, span) -> written" },
	{ "metric", (PyCFunction)(void (*)(void))py_metric, METH_FASTCALL,
	  "metric(operation, duration_ms, memory_mb, cpu_percent, details, "
	  "level, span) -> written" },
	{ "log_json", (PyCFunction)(void (*)(void))py_log_json, METH_FASTCALL,
	  "log_json(category, fields, span) -> written" },
	{ "span_begin", (PyCFunction)(void (*)(void))py_span_begin,
	  METH_FASTCALL, "span_begin(name, conversation_id) -> Span" },
	{ "setup", (PyCFunction)(void (*)(void))py_setup, METH_FASTCALL,
	  "setup(dir, level, console, max_bytes, backups, async_mode) -> dir" },
	{ "flush", py_flush, METH_NOARGS, "flush() -> written" },
	{ "dropped", py_dropped, METH_NOARGS, "dropped() -> int" },
	{ "last_error", py_last_error, METH_NOARGS, "last_error() -> str" },
	{ "directory", py_directory, METH_NOARGS, "directory() -> str or None" },
	{ "enabled", py_enabled, METH_O, "enabled(level) -> bool" },
	{ "set_level", py_set_level, METH_O, "set_level(level)" },
	{ "level_parse", py_level_parse, METH_O, "level_parse(name) -> int" },
	{ "to_json", py_to_json, METH_O, "to_json(value) -> str" },
	{ NULL, NULL, 0, NULL }
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT, "_llmlog",
	"The C half of the llmlog package: libllmlog's calls.", -1, methods,
	NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__llmlog(void) __attribute__((visibility("default")));

PyMODINIT_FUNC
PyInit__llmlog(void)
{
	PyObject *m;

	if (PyType_Ready(&SpanType) < 0)
		return NULL;
	span_var = PyContextVar_New("llmlog_span", NULL);
	conv_var = PyContextVar_New("llmlog_conversation", NULL);
	if (span_var == NULL || conv_var == NULL)
		return NULL;
	if ((m = PyModule_Create(&module)) == NULL)
		return NULL;
	Py_INCREF(span_var);
	Py_INCREF(conv_var);
	Py_INCREF(&SpanType);
	if (PyModule_AddObject(m, "current_span", span_var) < 0 ||
	    PyModule_AddObject(m, "current_conversation", conv_var) < 0 ||
	    PyModule_AddObject(m, "Span", (PyObject *)&SpanType) < 0 ||
	    PyModule_AddStringConstant(m, "VERSION", LLMLOG_VERSION) < 0 ||
	    PyModule_AddIntConstant(m, "BACKUPS_NONE", LLMLOG_BACKUPS_NONE) < 0 ||
	    PyModule_AddObject(m, "MAX_BYTES_NONE",
	    PyLong_FromLongLong(LLMLOG_MAX_BYTES_NONE)) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
