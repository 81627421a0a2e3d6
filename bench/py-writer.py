#!/usr/bin/env python3
"""py-writer.py - the peer of bench-writer: what the seed's Python logger
costs per entry.  The same tool_execution line built as a dict, dumped with
json and written through logging.handlers.RotatingFileHandler (10 MiB, 5
backups).  Prints "python 1 mean_ns".

    py-writer.py DIR ENTRIES
"""
import datetime
import json
import logging
import logging.handlers
import os
import sys
import time

RESULT = ("def complete(self, messages):\n"
          "    return self.provider.chat(messages, stream=True)\n")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: py-writer.py DIR ENTRIES")
    directory, entries = sys.argv[1], int(sys.argv[2])
    os.makedirs(directory, mode=0o700, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        os.path.join(directory, "tool_executions.log"),
        maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("llm_os.tool")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    pid = os.getpid()

    start = time.perf_counter()
    for i in range(entries):
        params = {"path": "/home/user/projects/llm-os/src/mod0/file%d.py"
                  % (i % 1000), "recursive": False}
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
    elapsed = time.perf_counter() - start
    handler.close()
    print("python 1 %.0f" % (elapsed * 1e9 / entries))


if __name__ == "__main__":
    main()
