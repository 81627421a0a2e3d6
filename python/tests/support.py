"""support.py - what the Python tests share: a temporary log directory
opened for the process, the lines of its files, and the fields every line
must have by llmlog(5)."""
import glob
import json
import os
import re
import shutil
import tempfile
import unittest

import llmlog

FILES = {
    "user": "user_interactions.log",
    "system": "system_health.log",
    "tool": "tool_executions.log",
    "llm": "llm_calls.log",
    "security": "security.log",
    "performance": "performance.log",
}

COMMON = ("category", "timestamp", "level", "event", "pid")
# the fields llmlog(5) lists for each category, leaving out the optional
REQUIRED = {
    "user": ("user_input", "response_summary", "tool_calls", "success",
             "duration_ms"),
    "system": ("component",),
    "tool": ("tool_name", "tool_server", "parameters", "result_summary",
             "success", "duration_ms"),
    "llm": ("provider", "model", "prompt_tokens", "completion_tokens",
            "total_tokens", "duration_ms", "success", "streaming"),
    "security": ("event_type", "resource", "action", "allowed", "reason"),
    "performance": ("operation", "duration_ms", "memory_mb"),
}
EVENTS = {
    "user": {"user_interaction"}, "tool": {"tool_execution"},
    "llm": {"llm_call"}, "security": {"security_event"},
    "performance": {"performance_metric"},
}
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def strict_loads(line):
    """json.loads that refuses what RFC 8259 does not allow (NaN,
    Infinity)."""
    def no_constant(name):
        raise ValueError("not JSON: " + name)
    return json.loads(line, parse_constant=no_constant)


def read_lines(directory, category, backups=True):
    """The lines of a category, oldest file first, each parsed."""
    base = os.path.join(directory, FILES[category])
    paths = [base] if os.path.exists(base) else []
    if backups:
        rotated = glob.glob(base + ".*")
        rotated.sort(key=lambda p: int(p.rsplit(".", 1)[1]), reverse=True)
        paths = rotated + paths
    out = []
    for p in paths:
        with open(p, "rb") as f:
            for raw in f.read().split(b"\n")[:-1]:
                out.append(strict_loads(raw.decode("utf-8")))
    return out


class LogTestCase(unittest.TestCase):
    """Each test gets a fresh directory, opened for the whole process."""
    setup_args = {}

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="llmlog-py-")
        self.logs = os.path.join(self.dir, "logs")
        llmlog.setup_logging(self.logs, console=False, **self.setup_args)

    def tearDown(self):
        llmlog.flush()
        shutil.rmtree(self.dir, ignore_errors=True)

    def lines(self, category):
        llmlog.flush()
        return read_lines(self.logs, category)

    def only(self, category):
        got = self.lines(category)
        self.assertEqual(len(got), 1, got)
        return got[0]

    def assert_fields(self, category, entry):
        """An entry has the fields llmlog(5) lists, common ones first."""
        self.assertEqual(tuple(entry)[:5], COMMON, entry)
        self.assertEqual(entry["category"], category)
        self.assertRegex(entry["timestamp"], TIMESTAMP)
        self.assertIn(entry["level"], LEVELS)
        self.assertEqual(entry["pid"], os.getpid())
        if category in EVENTS:
            self.assertIn(entry["event"], EVENTS[category])
        for k in REQUIRED[category]:
            self.assertIn(k, entry, "%s entry without %s: %r"
                          % (category, k, entry))
