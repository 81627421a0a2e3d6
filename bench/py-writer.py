#!/usr/bin/env python3
"""py-writer.py - the peer of bench-writer: what Python's logging costs per
entry for the line bench-writer's tool case writes.  The same
tool_execution line built as a dict, dumped with json and written through
logging.handlers.RotatingFileHandler (10 MiB, 5 backups), by THREADS
threads through one handler, ENTRIES each.  Prints
"python THREADS mean_ns cpu_ns": the mean wall time of a call in a thread
and the threads' CPU time per entry.

    py-writer.py DIR ENTRIES THREADS
"""
import datetime
import json
import logging
import logging.handlers
import os
import sys
import threading
import time

RESULT = ("def complete(self, messages):\n"
          "    return self.provider.chat(messages, stream=True)\n")


def work(logger, index, entries, out):
    pid = os.getpid()
    cpu0 = time.thread_time()
    start = time.perf_counter()
    for i in range(entries):
        params = {"path": "/home/user/projects/llm-os/src/mod%d/file%d.py"
                  % (index, i % 1000), "recursive": False}
        entry = {
            "category": "tool",
            "timestamp": datetime.datetime.now(datetime.timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": "INFO",
            "event": "tool_execution",
            "pid": pid,
            "tool_name": "read_file",
            "tool_server": "filesystem",
            "parameters": params,
            "result_summary": RESULT[:500],
            "success": True,
            "duration_ms": 4.2,
        }
        logger.info(json.dumps(entry, separators=(",", ":"),
                               ensure_ascii=False))
    out[index] = (time.perf_counter() - start, time.thread_time() - cpu0)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: py-writer.py DIR ENTRIES THREADS")
    directory, entries, nthreads = (sys.argv[1], int(sys.argv[2]),
                                     int(sys.argv[3]))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        os.path.join(directory, "tool_executions.log"),
        maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("llm_os.tool")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)

    out = [None] * nthreads
    threads = [threading.Thread(target=work, args=(logger, t, entries, out))
               for t in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    handler.close()
    wall = sum(w for w, _ in out) / nthreads
    cpu = sum(c for _, c in out)
    print("python %d %.0f %.0f" % (nthreads, wall * 1e9 / entries,
                                   cpu * 1e9 / (entries * nthreads)))


if __name__ == "__main__":
    main()
