"""llmlog - structured logs for an LLM-driven shell, written by libllmlog.

Six category files of JSON lines (user interactions, system health, tool
executions, LLM calls, security decisions, performance metrics), rotated
by size, with secrets redacted and long text truncated before anything is
written, safe with many threads and many processes writing one directory.
Every rule lives in the C library; this package gives it Python's names:

    from llmlog import setup_logging, get_logger, PerformanceTimer

    setup_logging()                     # ~/.llm_os/logs, or $LLMLOG_DIR
    get_logger("llm").log_call(provider="groq", model="llama3-70b-8192",
                               prompt_tokens=150, completion_tokens=80,
                               duration_ms=1234.5, success=True)

A logging call never raises: what cannot be written is counted by
dropped(), with the reason in last_error().  The decorators are in
llmlog.integration; llmlog.Handler feeds the standard logging module into
the system category.  See llmlog.py(3), and llmlog(5) for the fields.
"""
import contextlib
import functools
import inspect
import logging
import os
import time

import _llmlog as _w

__all__ = [
    "setup_logging", "get_logger", "PerformanceTimer", "Handler",
    "dropped", "last_error", "flush", "log_dir", "CATEGORIES",
    "span", "conversation", "current_span", "traceparent", "log", "Span",
    "UserLogger", "SystemLogger", "ToolLogger", "LLMLogger",
    "SecurityLogger", "PerformanceLogger",
]

__version__ = _w.VERSION

CATEGORIES = ("user", "system", "tool", "llm", "security", "performance")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_BACKUP_COUNT = 5
_LEVELS = (10, 20, 30, 40, 50)


class _DefaultLevel(str):
    """The default of setup_logging's level: INFO unless $LLMLOG_LEVEL
    says otherwise (an explicit level wins over the environment)."""


_INFO = _DefaultLevel("INFO")


def _level(level, what="level"):
    """A level as the library's number: 10, 20, 30, 40 or 50 (the values
    of the logging module), from a number or a name."""
    if isinstance(level, int) and not isinstance(level, bool):
        if level in _LEVELS:
            return level
    elif isinstance(level, str):
        n = _w.level_parse(level)
        if n in _LEVELS:
            return n
    raise ValueError("%s %r: use DEBUG, INFO, WARNING, ERROR or CRITICAL "
                     "(or 10, 20, 30, 40, 50)" % (what, level))


def _entry_level(level):
    """The level argument of a logging call: None is the rule's level; a
    value that is no level is ignored (a logging call never raises)."""
    if level is None:
        return 0
    try:
        return _level(level)
    except (ValueError, TypeError):
        return 0


def setup_logging(log_dir=None, level=_INFO, console=True,
                  max_bytes=DEFAULT_MAX_BYTES,
                  backup_count=DEFAULT_BACKUP_COUNT, async_mode=False):
    """Open the log directory for the whole process (created 0700 when
    missing) and return its absolute path.

    log_dir: None for $LLMLOG_DIR, else ~/.llm_os/logs.  level: the
    lowest level written (a name or 10..50; by default INFO, or
    $LLMLOG_LEVEL).  console: echo WARNING and above to stderr.
    max_bytes, backup_count: rotation as RotatingFileHandler means them
    (0 for either: never rotate).  async_mode: queue entries for a writer
    thread, so a call costs its caller a fraction of a write.

    Raises OSError (with errno and the directory) when the directory
    cannot be used, ValueError for a bad level or size.  Calling it again
    replaces the configuration.
    """
    lv = 0 if level is _INFO else _level(level)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) \
            or max_bytes < 0:
        raise ValueError("max_bytes %r: a size in bytes, 0 for no limit"
                         % (max_bytes,))
    if isinstance(backup_count, bool) or not isinstance(backup_count, int) \
            or backup_count < 0:
        raise ValueError("backup_count %r: a number of files, 0 to never "
                         "rotate" % (backup_count,))
    if max_bytes == 0 or backup_count == 0:
        max_bytes, backup_count = _w.MAX_BYTES_NONE, _w.BACKUPS_NONE
    if log_dir is not None:
        log_dir = os.path.expanduser(os.fsdecode(os.fspath(log_dir)))
    return _w.setup(log_dir, lv, bool(console), max_bytes, backup_count,
                    bool(async_mode))


def dropped():
    """Entries not written since the log was opened (a full disk, an
    unwritable file, a full async queue that drops)."""
    return _w.dropped()


def last_error():
    """The calling thread's last error message of the library ("" when
    none)."""
    return _w.last_error()


def flush():
    """Write out everything queued so far (async mode); True when all of
    it was written."""
    return _w.flush()


def log_dir():
    """The directory in use, or None before anything opened it."""
    return _w.directory()


# ---- traces: spans and conversations ------------------------------------------

Span = _w.Span


class span:
    """A span of a trace, current inside the block (or the decorated
    function), in the running context: an asyncio task or a thread has its
    own, as contextvars do.  A child of the current span, or the root of a
    new trace (a child of $TRACEPARENT for the process's first).  Entries
    written inside carry the trace; the entry given span=sp records it.

        with llmlog.span("process_message", conversation_id="conv-7") as sp:
            ...
            user_logger.log_interaction(..., span=sp)

    Ending a span writes nothing.  conversation_id None: the parent's,
    else the one of an enclosing llmlog.conversation().
    """

    def __init__(self, name=None, conversation_id=None):
        self.name = name
        self.conversation_id = conversation_id
        self._tokens = []

    def __enter__(self):
        sp = _w.span_begin(self.name, self.conversation_id)
        self._tokens.append(_w.current_span.set(sp))
        return sp

    def __exit__(self, etype, exc, tb):
        _w.current_span.reset(self._tokens.pop())
        return False

    def __call__(self, func):
        name, conv = self.name, self.conversation_id
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def in_span_async(*args, **kwargs):
                with span(name, conv):
                    return await func(*args, **kwargs)
            return in_span_async

        @functools.wraps(func)
        def in_span(*args, **kwargs):
            with span(name, conv):
                return func(*args, **kwargs)
        return in_span


@contextlib.contextmanager
def conversation(conversation_id):
    """Entries written inside, and the root spans begun inside, belong to
    this conversation (conversation_id on each line)."""
    token = _w.current_conversation.set(
        None if conversation_id is None else str(conversation_id))
    try:
        yield conversation_id
    finally:
        _w.current_conversation.reset(token)


def current_span():
    """The running context's current span, or None."""
    return _w.current_span.get(None)


def traceparent():
    """The current span as a W3C traceparent value, for a child process's
    TRACEPARENT or an HTTP header; None outside any span."""
    sp = current_span()
    return sp.traceparent() if sp is not None else None


def log(category, span=None, **fields):
    """An entry of a category from its fields by name, as llmlog(5) lists
    them ("level" and "conversation_id" too; fields it does not know go
    into details).  False when the library refused it (last_error() says
    why): a field of the wrong type, a field it writes itself."""
    try:
        return _w.log_json(category, fields, span)
    except Exception:
        return False


# ---- the category loggers --------------------------------------------------


class _CategoryLogger:
    category = None

    def __init__(self):
        self.name = self.category

    def __repr__(self):
        return "<llmlog %s logger>" % self.category

    @staticmethod
    def is_enabled_for(level):
        """Whether an entry of this level would be written."""
        try:
            return _w.enabled(_level(level))
        except (ValueError, TypeError):
            return False

    @staticmethod
    def set_level(level):
        """Change the lowest level written, for every category."""
        _w.set_level(_level(level))


class UserLogger(_CategoryLogger):
    """user_interactions.log: INFO, or ERROR when it failed."""
    category = "user"

    def log_interaction(self, user_input, response="", tool_calls=None,
                        success=True, duration_ms=0.0, error=None,
                        details=None, level=None, span=None):
        """One request of the user and the shell's answer (stored as a
        summary of at most 500 characters)."""
        try:
            return _w.interaction(user_input, response, tool_calls,
                                  duration_ms, not success, error, details,
                                  _entry_level(level), span)
        except Exception:
            return False


class SystemLogger(_CategoryLogger):
    """system_health.log: startup, shutdown, config_change and status at
    INFO, warnings at WARNING, errors at ERROR."""
    category = "system"

    def log_system_event(self, event, component, message=None,
                         details=None, level=None, span=None):
        """An event of another name ([a-z0-9_]), written at INFO."""
        try:
            return _w.system(event, component, message, details,
                             _entry_level(level), span)
        except Exception:
            return False

    def log_startup(self, component, details=None, level=None):
        return self.log_system_event("startup", component, None, details,
                                     level)

    def log_shutdown(self, component, details=None, level=None):
        return self.log_system_event("shutdown", component, None, details,
                                     level)

    def log_error(self, component, message=None, details=None, level=None,
                  error=None):
        return self.log_system_event("error", component,
                                     message if message is not None
                                     else error, details, level)

    def log_warning(self, component, message=None, details=None,
                    level=None):
        return self.log_system_event("warning", component, message,
                                     details, level)

    def log_config_change(self, component, message=None, details=None,
                          level=None):
        return self.log_system_event("config_change", component, message,
                                     details, level)

    def log_status(self, component, message=None, details=None,
                   level=None):
        return self.log_system_event("status", component, message, details,
                                     level)


class ToolLogger(_CategoryLogger):
    """tool_executions.log: INFO, or ERROR when it failed."""
    category = "tool"

    def log_execution(self, tool_name, tool_server="", parameters=None,
                      result=None, success=True, duration_ms=0.0,
                      error=None, details=None, level=None, span=None):
        """A tool run: parameters as JSON (cut past 1000 characters), the
        result as a summary of at most 500 (a str as is, anything else as
        its compact JSON)."""
        try:
            return _w.tool(tool_name, tool_server, parameters, result,
                           duration_ms, not success, error, details,
                           _entry_level(level), span)
        except Exception:
            return False


class LLMLogger(_CategoryLogger):
    """llm_calls.log: INFO, or ERROR when it failed."""
    category = "llm"

    def log_call(self, provider, model, prompt_tokens=0,
                 completion_tokens=0, duration_ms=0.0, success=True,
                 streaming=False, error=None, total_tokens=None,
                 cost_usd=None, details=None, level=None, span=None):
        """A call to a provider; total_tokens is prompt + completion
        unless given; cost_usd, the billed amount in USD, when known."""
        try:
            return _w.llm(provider, model, prompt_tokens, completion_tokens,
                          total_tokens, duration_ms, streaming, not success,
                          error, cost_usd, details, _entry_level(level),
                          span)
        except Exception:
            return False


class SecurityLogger(_CategoryLogger):
    """security.log: INFO when allowed, WARNING when denied."""
    category = "security"

    def log_event(self, event_type, resource, action, allowed=False,
                  reason=None, details=None, level=None, span=None):
        """A decision; one not stated as allowed is recorded as a
        denial."""
        try:
            return _w.security(event_type, resource, action, allowed, reason,
                               details, _entry_level(level), span)
        except Exception:
            return False


class PerformanceLogger(_CategoryLogger):
    """performance.log: INFO."""
    category = "performance"

    def log_metric(self, operation, duration_ms=0.0, memory_mb=None,
                   cpu_percent=None, details=None, level=None, span=None):
        """A measurement; memory_mb None: the process's resident memory
        now; cpu_percent None: not written."""
        try:
            return _w.metric(operation, duration_ms, memory_mb, cpu_percent,
                             details, _entry_level(level), span)
        except Exception:
            return False


_LOGGERS = {c.category: c() for c in (UserLogger, SystemLogger, ToolLogger,
                                      LLMLogger, SecurityLogger,
                                      PerformanceLogger)}


def get_logger(category):
    """The logger of a category: "user", "system", "tool", "llm",
    "security" or "performance" (any case).  Raises TypeError or
    ValueError naming the accepted names for anything else."""
    if not isinstance(category, str):
        raise TypeError("get_logger: the category is a str, one of %s; got "
                        "%s %r" % (", ".join(CATEGORIES),
                                   type(category).__name__, category))
    logger = _LOGGERS.get(category.lower())
    if logger is None:
        raise ValueError("get_logger: unknown category %r: use one of %s"
                         % (category, ", ".join(CATEGORIES)))
    return logger


# ---- timing -----------------------------------------------------------------


class PerformanceTimer:
    """Times a block and logs it as a performance metric (duration,
    resident memory, the process's CPU use over the block):

        with PerformanceTimer(get_logger("performance"), "process_message"):
            ...

    or a function, plain or async:

        @PerformanceTimer(get_logger("performance"), "initialize")
        def initialize(): ...

    A block that raises is logged with the exception in details.error, and
    the exception goes on unchanged.  The block is a span (the timer's
    .span) that the metric records, so what is logged inside nests under
    it.
    """

    def __init__(self, logger=None, operation="operation", details=None):
        if not isinstance(logger, PerformanceLogger):
            logger = _LOGGERS["performance"]
        self.logger = logger
        self.operation = operation
        self.details = details
        self.duration_ms = None
        self.span = None
        self._wall = self._cpu = self._token = None

    def __enter__(self):
        self.span = _w.span_begin(self.operation, None)
        self._token = _w.current_span.set(self.span)
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    @property
    def elapsed_ms(self):
        """Milliseconds since the block began."""
        if self._wall is None:
            return 0.0
        return (time.perf_counter() - self._wall) * 1000.0

    def __exit__(self, etype, exc, tb):
        _w.current_span.reset(self._token)
        try:
            wall = time.perf_counter() - self._wall
            cpu = time.process_time() - self._cpu
            self.duration_ms = wall * 1000.0
            details = self.details
            if etype is not None:
                details = dict(details) if isinstance(details, dict) \
                    else ({"details": details} if details is not None
                          else {})
                details["error"] = _describe(exc)
            self.logger.log_metric(
                self.operation, self.duration_ms,
                cpu_percent=100.0 * cpu / wall if wall > 0 else None,
                details=details, span=self.span)
        except Exception:
            pass
        return False

    def __call__(self, func):
        logger, operation, details = self.logger, self.operation, \
            self.details
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def timed_async(*args, **kwargs):
                with PerformanceTimer(logger, operation, details):
                    return await func(*args, **kwargs)
            return timed_async

        @functools.wraps(func)
        def timed(*args, **kwargs):
            with PerformanceTimer(logger, operation, details):
                return func(*args, **kwargs)
        return timed


def _describe(exc):
    """An exception as the error text of an entry: "Type: message"."""
    text = str(exc)
    name = type(exc).__name__
    return "%s: %s" % (name, text) if text else name


# ---- the standard logging module ----------------------------------------------


# the attributes every LogRecord has; the others came from extra=
_RECORD_KEYS = frozenset(logging.LogRecord(
    "", 0, "", 0, "", (), None).__dict__) | {"message", "asctime",
                                             "taskName"}


def _record_level(levelno):
    """A logging level as one of the library's five: each range rounds
    down (25 is INFO, 5 is DEBUG)."""
    for lv in (50, 40, 30, 20):
        if levelno >= lv:
            return lv
    return 10


class Handler(logging.Handler):
    """A logging.Handler that writes standard logging records into the
    system category: the record's level mapped to the five levels, the
    logger's name as the component, the formatted message as the message,
    and the extra= fields as details.  WARNING is a "warning" event, ERROR
    and CRITICAL an "error", anything lower a "log" event.

        logging.getLogger().addHandler(llmlog.Handler())
    """

    def emit(self, record):
        try:
            message = self.format(record)
            details = {k: v for k, v in record.__dict__.items()
                       if k not in _RECORD_KEYS}
            lv = _record_level(record.levelno)
            event = "error" if lv >= 40 else "warning" if lv >= 30 \
                else "log"
            fields = {"event": event, "component": record.name,
                      "message": message, "level": lv}
            if details:
                fields["details"] = details
            _w.log_json("system", fields, None)
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)
