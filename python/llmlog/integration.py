"""llmlog.integration - decorators that log a call, and a small helper.

    from llmlog.integration import (log_user_interaction, log_llm_call,
                                    log_tool_execution, log_performance)

Each decorator works on plain and async functions and methods.  It runs
the call in a span of its own (llmlog.span), times it and writes one entry,
the span's record, when the call ends, so decorated calls inside it nest
under it in the trace; a call that raises is
logged as failed (the error is "Type: message") and the exception goes on
unchanged.  What each one reads from the call and its result is listed in
llmlog.py(3), DECORATORS.
"""
import functools
import inspect
import time

import _llmlog as _w

from . import PerformanceTimer, _describe, get_logger

__all__ = ["log_user_interaction", "log_llm_call", "log_tool_execution",
           "log_performance", "get_logging_helper", "LoggingHelper"]

_SELF = ("self", "cls")


def _ms(start):
    return (time.perf_counter() - start) * 1000.0


def _timed(func, record):
    """func wrapped so that it runs in a span of its own and
    record(call, result, exc, duration_ms, span) runs when it ends, to
    write the entry that records the span; call is (signature, args,
    kwargs).  Whatever record does, the call's result or exception is what
    the caller gets."""
    name = getattr(func, "__qualname__", None)
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        sig = None

    def done(args, kwargs, result, exc, ms, sp):
        try:
            record((sig, args, kwargs), result, exc, ms, sp)
        except Exception:
            pass

    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def logged_async(*args, **kwargs):
            sp = _w.span_begin(name, None)
            token = _w.current_span.set(sp)
            start = time.perf_counter()
            try:
                result = await func(*args, **kwargs)
            except BaseException as exc:
                _w.current_span.reset(token)
                done(args, kwargs, None, exc, _ms(start), sp)
                raise
            _w.current_span.reset(token)
            done(args, kwargs, result, None, _ms(start), sp)
            return result
        return logged_async

    @functools.wraps(func)
    def logged(*args, **kwargs):
        sp = _w.span_begin(name, None)
        token = _w.current_span.set(sp)
        start = time.perf_counter()
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            _w.current_span.reset(token)
            done(args, kwargs, None, exc, _ms(start), sp)
            raise
        _w.current_span.reset(token)
        done(args, kwargs, result, None, _ms(start), sp)
        return result
    return logged


def _arguments(call):
    """The call's arguments by name, and its arguments after self/cls in
    order, and the bound object (or None)."""
    sig, args, kwargs = call
    named, rest, owner = dict(kwargs), list(args), None
    if sig is not None:
        try:
            bound = sig.bind_partial(*args, **kwargs)
            bound.apply_defaults()
            named = dict(bound.arguments)
            for k, v in list(named.items()):
                kind = sig.parameters[k].kind
                if kind == inspect.Parameter.VAR_KEYWORD:
                    named.update(named.pop(k))
                elif kind == inspect.Parameter.VAR_POSITIONAL:
                    named.pop(k)
            params = list(sig.parameters)
            if params and params[0] in _SELF and args:
                owner, rest = args[0], list(args[1:])
        except TypeError:
            pass
    return named, rest, owner


def _pick(named, rest, names, position):
    for n in names:
        if n in named:
            return named[n]
    if position is not None and len(rest) > position:
        return rest[position]
    return None


def _get(obj, *names):
    """The first of names that obj has, as an attribute or a key."""
    for n in names:
        if isinstance(obj, dict):
            if n in obj and obj[n] is not None:
                return obj[n]
        else:
            v = getattr(obj, n, None)
            if v is not None:
                return v
    return None


def _text(value):
    """A str attribute only (a Mock's or a client's other attributes are
    not names)."""
    return value if isinstance(value, str) else None


# ---- log_user_interaction --------------------------------------------------


def _response_text(result):
    if result is None or isinstance(result, str):
        return result or ""
    v = _get(result, "response", "content", "text", "output")
    return v if isinstance(v, str) else str(result)


def _tool_names(result):
    calls = _get(result, "tool_calls") if result is not None and \
        not isinstance(result, str) else None
    if not isinstance(calls, (list, tuple)):
        return []
    names = []
    for c in calls:
        if isinstance(c, str):
            names.append(c)
            continue
        fn = _get(c, "function")
        name = _get(fn, "name") if fn is not None else None
        names.append(str(name or _get(c, "name") or c))
    return names


def log_user_interaction(func):
    """Logs a request of the user: user_input is the argument named
    user_input (or message, prompt, query), else the first after self;
    the response is the result (a str, or its response/content/text);
    tool_calls are the names in the result's tool_calls."""
    user = get_logger("user")

    def record(call, result, exc, ms, sp):
        named, rest, _ = _arguments(call)
        user_input = _pick(named, rest, ("user_input", "message", "prompt",
                                         "query", "text"), 0)
        if exc is not None:
            user.log_interaction(user_input=user_input, response="",
                                 success=False, error=_describe(exc),
                                 duration_ms=ms, span=sp)
            return
        failed = _get(result, "success") is False if \
            not isinstance(result, str) and result is not None else False
        user.log_interaction(user_input=user_input,
                             response=_response_text(result),
                             tool_calls=_tool_names(result),
                             success=not failed,
                             error=_get(result, "error") if failed else None,
                             duration_ms=ms, span=sp)
    return _timed(func, record)


# ---- log_llm_call --------------------------------------------------------------

_PROVIDER_MODULES = ("openai", "groq", "anthropic", "ollama", "mistralai",
                     "cohere", "google")


def _provider(result, owner, named):
    p = _text(_get(result, "provider")) if result is not None else None
    p = p or _text(named.get("provider"))
    if p is None and owner is not None:
        p = _text(_get(owner, "provider", "provider_name", "name"))
    if p is None:
        for obj in (result, owner):
            if obj is None:
                continue
            root = type(obj).__module__.split(".")[0]
            if root in _PROVIDER_MODULES:
                return root
    if p is None and result is not None:
        # the shapes of the clients' results: Groq's completions carry
        # x_groq, Anthropic's messages count input/output tokens, OpenAI's
        # are "chat.completion" objects
        usage = _get(result, "usage")
        if _get(result, "x_groq") is not None:
            return "groq"
        if usage is not None and _get(usage, "input_tokens") is not None:
            return "anthropic"
        obj = _text(_get(result, "object"))
        if obj is not None and obj.startswith(("chat.completion",
                                               "text_completion")):
            return "openai"
    return p or "unknown"


def _usage(result):
    """(prompt, completion, total or None) from the result's usage, in
    OpenAI's and Groq's names or Anthropic's, or from the result itself."""
    if result is None:
        return 0, 0, None
    usage = _get(result, "usage")
    for src in (usage, result):
        if src is None:
            continue
        prompt = _get(src, "prompt_tokens", "input_tokens")
        completion = _get(src, "completion_tokens", "output_tokens")
        total = _get(src, "total_tokens")
        if prompt is not None or completion is not None:
            return (int(prompt or 0), int(completion or 0),
                    int(total) if total is not None else None)
    return 0, 0, None


def log_llm_call(func):
    """Logs a call to an LLM: provider, model and token usage from the
    result (OpenAI's and Groq's ChatCompletion: model, usage.prompt_tokens,
    usage.completion_tokens, usage.total_tokens; Anthropic's Message:
    model, usage.input_tokens, usage.output_tokens; or an object with
    provider, model and those counts), else from the call's provider and
    model arguments, else from the bound object's provider (or
    provider_name, name) and model attributes; streaming from a stream or
    streaming argument."""
    llm = get_logger("llm")

    def record(call, result, exc, ms, sp):
        named, _, owner = _arguments(call)
        model = (_text(_get(result, "model")) if result is not None else
                 None) or _text(named.get("model")) or \
            (_text(_get(owner, "model", "model_name")) if owner is not None
             else None) or "unknown"
        prompt, completion, total = _usage(result) if exc is None else \
            (0, 0, None)
        streaming = bool(named.get("stream") or named.get("streaming"))
        llm.log_call(provider=_provider(result, owner, named), model=model,
                     prompt_tokens=prompt, completion_tokens=completion,
                     total_tokens=total, duration_ms=ms,
                     success=exc is None, streaming=streaming,
                     error=_describe(exc) if exc is not None else None,
                     span=sp)
    return _timed(func, record)


# ---- log_tool_execution ----------------------------------------------------------


def _tool_failure(result):
    """The error a result reports of itself (MCP's isError, a success
    field that is false), or None."""
    if result is None or isinstance(result, str):
        return None
    if _get(result, "isError", "is_error") is True or \
            _get(result, "success") is False:
        err = _get(result, "error")
        return str(err) if err else "the tool reported an error"
    return None


def log_tool_execution(func):
    """Logs a tool run: tool_name is the argument named tool_name (or
    name, tool), else the first after self; parameters the argument named
    parameters (or arguments, params), else the second; tool_server the
    argument named tool_server (or server), else the bound object's
    tool_server, server_name or server.  A result whose isError is true or
    whose success is false is a failed run."""
    tool = get_logger("tool")

    def record(call, result, exc, ms, sp):
        named, rest, owner = _arguments(call)
        server = _text(_pick(named, [], ("tool_server", "server",
                                         "server_name"), None))
        if server is None and owner is not None:
            server = _text(_get(owner, "tool_server", "server_name",
                                "server"))
        failure = _describe(exc) if exc is not None else \
            _tool_failure(result)
        tool.log_execution(
            tool_name=_pick(named, rest, ("tool_name", "name", "tool"), 0),
            tool_server=server or "",
            parameters=_pick(named, rest, ("parameters", "arguments",
                                           "params", "args"), 1),
            result=result if exc is None else None,
            success=failure is None, error=failure, duration_ms=ms,
            span=sp)
    return _timed(func, record)


# ---- log_performance --------------------------------------------------------------


def log_performance(name):
    """Logs the time (and memory and CPU use) of each call as the
    operation name: @log_performance("initialize_system").  Used bare
    (@log_performance), the operation is the function's qualified name."""
    if callable(name):
        return PerformanceTimer(get_logger("performance"),
                                name.__qualname__)(name)
    return PerformanceTimer(get_logger("performance"), name)


# ---- the helper -------------------------------------------------------------------


class LoggingHelper:
    """One object with a method for each common entry."""

    def __init__(self):
        self.user = get_logger("user")
        self.system = get_logger("system")
        self.tool = get_logger("tool")
        self.llm = get_logger("llm")
        self.security = get_logger("security")
        self.performance = get_logger("performance")

    def log_user_message(self, user_input, response="", tool_calls=None,
                         success=True, duration_ms=0.0, error=None):
        return self.user.log_interaction(
            user_input=user_input, response=response, tool_calls=tool_calls,
            success=success, duration_ms=duration_ms, error=error)

    def log_llm_request(self, provider, model, prompt_tokens=0,
                        completion_tokens=0, duration_ms=0.0, success=True,
                        streaming=False, error=None):
        return self.llm.log_call(
            provider=provider, model=model, prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens, duration_ms=duration_ms,
            success=success, streaming=streaming, error=error)

    def log_tool_call(self, tool_name, tool_server="", parameters=None,
                      result=None, success=True, duration_ms=0.0,
                      error=None):
        return self.tool.log_execution(
            tool_name=tool_name, tool_server=tool_server,
            parameters=parameters, result=result, success=success,
            duration_ms=duration_ms, error=error)

    def log_security_check(self, event_type, resource, action,
                           allowed=False, reason=None):
        return self.security.log_event(
            event_type=event_type, resource=resource, action=action,
            allowed=allowed, reason=reason)

    def log_startup(self, component, details=None):
        return self.system.log_startup(component, details=details)

    def log_shutdown(self, component, details=None):
        return self.system.log_shutdown(component, details=details)

    def log_error(self, component, message, details=None):
        return self.system.log_error(component, message, details=details)


_HELPER = None


def get_logging_helper():
    """The process's LoggingHelper."""
    global _HELPER
    if _HELPER is None:
        _HELPER = LoggingHelper()
    return _HELPER
