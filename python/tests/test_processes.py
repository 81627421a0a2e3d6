"""Four processes of two threads each (two of them in async mode) write
one category through a small max_bytes, so that the file rotates many times under them: every entry is
in the files exactly once and every line is whole.  The same load through
Python's logging.handlers.RotatingFileHandler (one handler per process,
as separate programs have) is run beside it, and what it lost, duplicated
or tore is printed: that is why this package exists, and it is shown, not
asserted (it depends on timing)."""
import json
import logging
import logging.handlers
import multiprocessing
import os
import shutil
import tempfile
import threading
import unittest

import llmlog
import support

PROCS, THREADS, ENTRIES = 4, 2, 400
MAX_BYTES = 32 * 1024
BACKUPS = 200    # enough to keep every entry: nothing may be rotated away


def params(p, t, i):
    return {"proc": p, "thread": t, "seq": i, "pad": "x" * (i % 97)}


def llmlog_writer(directory, p):
    # half the processes queue their entries for a writer thread
    llmlog.setup_logging(directory, console=False, max_bytes=MAX_BYTES,
                         backup_count=BACKUPS, async_mode=p % 2 == 1)
    tool = llmlog.get_logger("tool")

    def work(t):
        for i in range(ENTRIES):
            tool.log_execution(tool_name="write_file",
                               tool_server="filesystem",
                               parameters=params(p, t, i), result="ok",
                               duration_ms=1.0)
    threads = [threading.Thread(target=work, args=(t,))
               for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    os._exit(0 if llmlog.flush() and llmlog.dropped() == 0 else 1)


def python_writer(directory, p):
    handler = logging.handlers.RotatingFileHandler(
        os.path.join(directory, "tool_executions.log"), maxBytes=MAX_BYTES,
        backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("tool-%d" % p)
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def work(t):
        for i in range(ENTRIES):
            logger.info(json.dumps({"tool_name": "write_file",
                                    "parameters": params(p, t, i)}))
    threads = [threading.Thread(target=work, args=(t,))
               for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    handler.close()
    os._exit(0)


def run(target, directory):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=target, args=(directory, p))
             for p in range(PROCS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    return [p.exitcode for p in procs]


def census(directory):
    """(entries by key, torn lines) over the file and its backups."""
    seen, torn = {}, 0
    for name in os.listdir(directory):
        if not name.startswith("tool_executions.log"):
            continue
        with open(os.path.join(directory, name), "rb") as f:
            data = f.read()
        for raw in data.split(b"\n"):
            if not raw:
                continue
            try:
                q = support.strict_loads(raw.decode("utf-8"))["parameters"]
                key = (q["proc"], q["thread"], q["seq"])
            except (ValueError, KeyError, TypeError):
                torn += 1
                continue
            seen[key] = seen.get(key, 0) + 1
        if data and not data.endswith(b"\n"):
            torn += 1
    return seen, torn


class Processes(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="llmlog-mp-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def report(self, who, seen, torn):
        want = PROCS * THREADS * ENTRIES
        lost = want - len(seen)
        dup = sum(n - 1 for n in seen.values() if n > 1)
        print("\n%s: %d processes x %d threads x %d entries, max_bytes %d: "
              "%d lost, %d duplicated, %d torn lines"
              % (who, PROCS, THREADS, ENTRIES, MAX_BYTES, lost, dup, torn),
              flush=True)
        return lost, dup

    def test_llmlog_nothing_lost_torn_or_duplicated(self):
        d = os.path.join(self.tmp, "llmlog")
        self.assertEqual(run(llmlog_writer, d), [0] * PROCS)
        seen, torn = census(d)
        lost, dup = self.report("llmlog", seen, torn)
        self.assertEqual((lost, dup, torn), (0, 0, 0))
        self.assertEqual(set(seen), {(p, t, i) for p in range(PROCS)
                                     for t in range(THREADS)
                                     for i in range(ENTRIES)})
        files = [n for n in os.listdir(d) if n.startswith("tool_")]
        self.assertGreater(len(files), 10)   # it did rotate, many times
        for n in files:
            self.assertLessEqual(os.path.getsize(os.path.join(d, n)),
                                 MAX_BYTES)

    def test_rotating_file_handler_beside(self):
        d = os.path.join(self.tmp, "python")
        os.makedirs(d)
        run(python_writer, d)
        seen, torn = census(d)
        self.report("logging.handlers.RotatingFileHandler", seen, torn)


if __name__ == "__main__":
    unittest.main()
