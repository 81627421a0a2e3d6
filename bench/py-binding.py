#!/usr/bin/env python3
"""py-binding.py - what a log_call costs a Python caller through the llmlog
package (sync and async mode), beside logging.handlers.RotatingFileHandler
with json.dumps of the same fields, in the same run.  Prints one line per
case: "CASE mean_ns cpu_ns", the mean wall time of a call and the
process's CPU time per call (async: the caller's side, the writer thread's
work excluded from the wall figure, included in the CPU one).

    py-binding.py DIR ENTRIES
"""
import datetime
import json
import logging
import logging.handlers
import os
import shutil
import sys
import time


def fields(i):
    return dict(provider="groq", model="llama3-70b-8192",
                prompt_tokens=150 + i % 50, completion_tokens=80,
                duration_ms=1234.5, success=True, streaming=False)


def run_llmlog(directory, n, async_mode):
    import llmlog
    llmlog.setup_logging(directory, console=False, async_mode=async_mode)
    llm = llmlog.get_logger("llm")
    for i in range(1000):                 # warm up: files open, caches
        llm.log_call(**fields(i))
    llmlog.flush()
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(n):
        llm.log_call(provider="groq", model="llama3-70b-8192",
                     prompt_tokens=150 + i % 50, completion_tokens=80,
                     duration_ms=1234.5, success=True, streaming=False)
    wall = time.perf_counter() - t0
    llmlog.flush()
    cpu = time.process_time() - cpu0
    if llmlog.dropped():
        sys.exit("llmlog dropped %d entries: %s" % (llmlog.dropped(),
                                                    llmlog.last_error()))
    return wall, cpu


def run_python(directory, n):
    os.makedirs(directory, mode=0o700, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        os.path.join(directory, "llm_calls.log"), maxBytes=10 * 1024 * 1024,
        backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("llm_os.llm")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    pid = os.getpid()

    def log_call(provider, model, prompt_tokens=0, completion_tokens=0,
                 duration_ms=0.0, success=True, streaming=False, error=None):
        entry = {
            "category": "llm",
            "timestamp": datetime.datetime.now(datetime.timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": "INFO" if success else "ERROR",
            "event": "llm_call", "pid": pid,
            "provider": provider, "model": model,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "duration_ms": round(duration_ms, 3), "success": success,
            "streaming": streaming,
        }
        if error:
            entry["error"] = error
        logger.info(json.dumps(entry, separators=(",", ":"),
                               ensure_ascii=False))

    for i in range(1000):
        log_call(**fields(i))
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(n):
        log_call(provider="groq", model="llama3-70b-8192",
                 prompt_tokens=150 + i % 50, completion_tokens=80,
                 duration_ms=1234.5, success=True, streaming=False)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    handler.close()
    return wall, cpu


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: py-binding.py DIR ENTRIES")
    top, n = sys.argv[1], int(sys.argv[2])
    case = os.environ.get("PY_BINDING_CASE")
    if case is None:
        # each case in a process of its own: one library setup each
        for c in ("python", "llmlog-sync", "llmlog-async"):
            r = os.spawnve(os.P_WAIT, sys.executable,
                           [sys.executable] + sys.argv,
                           dict(os.environ, PY_BINDING_CASE=c))
            if r != 0:
                sys.exit(r)
        return
    d = os.path.join(top, case)
    shutil.rmtree(d, ignore_errors=True)
    if case == "python":
        wall, cpu = run_python(d, n)
    else:
        wall, cpu = run_llmlog(d, n, case == "llmlog-async")
    shutil.rmtree(d, ignore_errors=True)
    print("%s %.0f %.0f" % (case, wall * 1e9 / n, cpu * 1e9 / n), flush=True)


if __name__ == "__main__":
    main()
