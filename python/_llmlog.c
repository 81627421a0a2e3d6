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

/* ---- the calls ------------------------------------------------------------------- */

#define WRITE(call) do {			\
	Py_BEGIN_ALLOW_THREADS			\
	rc = (call);				\
	Py_END_ALLOW_THREADS			\
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
 *             error, details, level) */
static PyObject *
py_interaction(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	const char **names;
	int rc;

	if (!nargs_ok("interaction", nargs, 8))
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
	};
	WRITE(llmlog_interaction_(NULL, &e));
	PyMem_Free(names);
	held_release(&h);
	return written(rc);
}

/* system(event, component, message, details, level) */
static PyObject *
py_system(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("system", nargs, 5))
		return NULL;
	struct llmlog_system e = {
		.event = text_of(a[0], &h),
		.component = text_of(a[1], &h),
		.message = text_of(a[2], &h),
		.details = json_arg(a[3]),
		.level = (int)integer_of(a[4]),
	};
	WRITE(llmlog_system_(NULL, &e));
	held_release(&h);
	return written(rc);
}

/* tool(tool_name, tool_server, parameters, result, duration_ms, failed,
 *      error, level); a str result is the result text itself */
static PyObject *
py_tool(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("tool", nargs, 8))
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
		.level = (int)integer_of(a[7]),
	};
	WRITE(llmlog_tool_(NULL, &e));
	held_release(&h);
	return written(rc);
}

/* llm(provider, model, prompt_tokens, completion_tokens, total_tokens,
 *     duration_ms, streaming, failed, error, level); total None: the sum */
static PyObject *
py_llm(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("llm", nargs, 10))
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
		.level = (int)integer_of(a[9]),
	};
	WRITE(llmlog_llm_(NULL, &e));
	held_release(&h);
	return written(rc);
}

/* security(event_type, resource, action, allowed, reason, level) */
static PyObject *
py_security(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("security", nargs, 6))
		return NULL;
	struct llmlog_security e = {
		.event_type = text_of(a[0], &h),
		.resource = text_of(a[1], &h),
		.action = text_of(a[2], &h),
		.allowed = truth_of(a[3]),
		.reason = text_of(a[4], &h),
		.level = (int)integer_of(a[5]),
	};
	WRITE(llmlog_security_(NULL, &e));
	held_release(&h);
	return written(rc);
}

/* metric(operation, duration_ms, memory_mb, cpu_percent, details, level);
 * memory_mb None: the process's RSS now */
static PyObject *
py_metric(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
	struct held h = { .nobj = 0 };
	int rc;

	if (!nargs_ok("metric", nargs, 6))
		return NULL;
	struct llmlog_metric e = {
		.operation = text_of(a[0], &h),
		.duration_ms = number_of(a[1]),
		.memory_mb = number_of(a[2]),
		.cpu_percent = number_of(a[3]),
		.details = json_arg(a[4]),
		.level = (int)integer_of(a[5]),
	};
	WRITE(llmlog_metric_(NULL, &e));
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
	  "duration_ms, failed, error, details, level) -> written" },
	{ "system", (PyCFunction)(void (*)(void))py_system, METH_FASTCALL,
	  "system(event, component, message, details, level) -> written" },
	{ "tool", (PyCFunction)(void (*)(void))py_tool, METH_FASTCALL,
	  "tool(tool_name, tool_server, parameters, result, duration_ms, "
	  "failed, error, level) -> written" },
	{ "llm", (PyCFunction)(void (*)(void))py_llm, METH_FASTCALL,
	  "llm(provider, model, prompt_tokens, completion_tokens, "
	  "total_tokens, duration_ms, streaming, failed, error, level) -> "
	  "written" },
	{ "security", (PyCFunction)(void (*)(void))py_security, METH_FASTCALL,
	  "security(event_type, resource, action, allowed, reason, level) -> "
	  "written" },
	{ "metric", (PyCFunction)(void (*)(void))py_metric, METH_FASTCALL,
	  "metric(operation, duration_ms, memory_mb, cpu_percent, details, "
	  "level) -> written" },
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
	PyObject *m = PyModule_Create(&module);

	if (m == NULL)
		return NULL;
	if (PyModule_AddStringConstant(m, "VERSION", LLMLOG_VERSION) < 0 ||
	    PyModule_AddIntConstant(m, "BACKUPS_NONE", LLMLOG_BACKUPS_NONE) < 0 ||
	    PyModule_AddObject(m, "MAX_BYTES_NONE",
	    PyLong_FromLongLong(LLMLOG_MAX_BYTES_NONE)) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
