"""Python values in, JSON out, and bad input: non-string categories and
arguments, objects json cannot serialise, huge strings, NUL bytes, lone
surrogates, cycles, NaN.  A logging call never raises and every line it
writes is strict JSON; setup_logging raises OSError with errno."""
import errno
import math
import os
import subprocess
import sys
import tempfile
import unittest

import _llmlog
import llmlog
import support


class Pydantic:
    def __init__(self):
        self.secret_internal = 1

    def model_dump(self):
        return {"id": "msg_1", "usage": {"input_tokens": 3}}


class Plain:
    def __init__(self):
        self.path = "/x"
        self.depth = 2
        self._private = "not shown"


class Hostile:
    __slots__ = ()

    def __repr__(self):
        raise RuntimeError("no repr")

    def __str__(self):
        raise RuntimeError("no str")


class BadDump:
    def model_dump(self):
        raise RuntimeError("broken")


class Values(support.LogTestCase):
    def test_conversion(self):
        j = support.strict_loads
        self.assertEqual(j(_llmlog.to_json(
            {"a": [1, 2.5, None, True], "t": (1, "x"), 7: "k"})),
            {"a": [1, 2.5, None, True], "t": [1, "x"], "7": "k"})
        self.assertEqual(j(_llmlog.to_json(Pydantic())),
                         {"id": "msg_1", "usage": {"input_tokens": 3}})
        self.assertEqual(j(_llmlog.to_json(Plain())), {"path": "/x",
                                                       "depth": 2})
        self.assertEqual(j(_llmlog.to_json({1, 2}))[:1], "{")   # repr
        self.assertEqual(j(_llmlog.to_json(Hostile())), "<Hostile object>")
        # a model_dump() that raises: its __dict__ instead
        self.assertEqual(j(_llmlog.to_json(BadDump())), {})
        self.assertEqual(j(_llmlog.to_json(2 ** 70)), str(2 ** 70))
        self.assertEqual(j(_llmlog.to_json(2 ** 64 - 1)), 2 ** 64 - 1)
        cyc = []
        cyc.append(cyc)
        self.assertIn("[TOO DEEP]", _llmlog.to_json(cyc))

    def test_get_logger_bad_category(self):
        for bad in (5, None, b"user", ["user"]):
            with self.assertRaisesRegex(TypeError, "user, system, tool"):
                llmlog.get_logger(bad)
        with self.assertRaisesRegex(ValueError, "'usr'.*user, system"):
            llmlog.get_logger("usr")
        self.assertIs(llmlog.get_logger("LLM"), llmlog.get_logger("llm"))

    def test_never_raises(self):
        user, system = llmlog.get_logger("user"), llmlog.get_logger("system")
        tool, llm = llmlog.get_logger("tool"), llmlog.get_logger("llm")
        sec = llmlog.get_logger("security")
        perf = llmlog.get_logger("performance")
        h = Hostile()
        calls = [
            lambda: user.log_interaction(user_input=h, response=h,
                                         tool_calls=[h, 5, None],
                                         duration_ms="slow", success=h,
                                         details={h: h}, level="LOUD"),
            lambda: system.log_startup(12345, details=object()),
            lambda: system.log_error(None, h, details=[BadDump()]),
            lambda: tool.log_execution(tool_name=None, tool_server=3.5,
                                       parameters={1, 2}, result=BadDump(),
                                       duration_ms=float("nan")),
            lambda: llm.log_call(provider=b"groq", model=["m"],
                                 prompt_tokens="many", completion_tokens=2**80,
                                 duration_ms=None),
            lambda: sec.log_event(event_type=h, resource=Plain(),
                                  action=None, allowed="yes", reason=h),
            lambda: perf.log_metric(h, duration_ms=h, memory_mb="x",
                                    details={"nan": math.nan,
                                             "inf": math.inf}),
            lambda: llmlog.log("nope", a=1),
            lambda: llmlog.log(5, a=1),
            lambda: llmlog.log("system", event="status", component=h,
                               details=h),
        ]
        for call in calls:
            self.assertIn(call(), (True, False))
        for cat in support.FILES:
            for e in self.lines(cat):       # strict JSON, or it raises
                self.assert_fields(cat, e)
        nan = self.only("performance")["details"]
        self.assertEqual(nan, {"nan": None, "inf": None})
        call = self.only("llm")
        self.assertEqual((call["provider"], call["prompt_tokens"]),
                         ("b'groq'", 0))

    def test_huge_nul_and_surrogates(self):
        user = llmlog.get_logger("user")
        big = "é" * (4 * 1024 * 1024)
        self.assertTrue(user.log_interaction(user_input="big", response=big))
        self.assertTrue(user.log_interaction(
            user_input="a\x00b", response="\ud800 lone", details={
                "nul": "x\x00y", "sur": "\udfff"}))
        first, second = self.lines("user")
        self.assertEqual(len(first["response_summary"]), 500)
        self.assertEqual(first["response_length"], len(big))
        self.assertTrue(first["response_truncated"])
        # text is never cut at a NUL; inside details it stays a NUL
        self.assertEqual(second["user_input"], "a\ufffdb")
        self.assertEqual(second["response_summary"], "\\ud800 lone")
        self.assertEqual(second["details"], {"nul": "x\x00y",
                                             "sur": "\\udfff"})
        tool = llmlog.get_logger("tool")
        self.assertTrue(tool.log_execution(tool_name="t", parameters={
            "blob": "p" * 100000}, result=["r" * 1000]))
        t = self.only("tool")
        self.assertTrue(t["parameters_truncated"])
        self.assertEqual(len(t["parameters"]), 1000)
        self.assertEqual(len(t["result_summary"]), 500)

    def test_details_and_cost(self):
        llmlog.get_logger("tool").log_execution(
            tool_name="t", details={"attempt": 2})
        llmlog.get_logger("llm").log_call(
            provider="openai", model="gpt-4o", prompt_tokens=10,
            cost_usd=0.0, details={"finish_reason": "stop"})
        llmlog.get_logger("security").log_event(
            event_type="network_access", resource="https://x", action="fetch",
            allowed=True, reason="allow-listed", details={"rule": 3})
        self.assertEqual(self.only("tool")["details"], {"attempt": 2})
        llm = self.only("llm")
        self.assertEqual((llm["details"], llm["cost_usd"]),
                         ({"finish_reason": "stop"}, 0))
        self.assertEqual(self.only("security")["details"], {"rule": 3})

    def test_redaction_applies(self):
        llmlog.get_logger("tool").log_execution(
            tool_name="http", parameters={"api_key": "sk-live-123456789012345"
                                          "6789012345", "url": "/v1"})
        self.assertEqual(self.only("tool")["parameters"],
                         {"api_key": "[REDACTED]", "url": "/v1"})

    def test_setup_logging_errors(self):
        with tempfile.NamedTemporaryFile() as f:
            with self.assertRaises(OSError) as cm:
                llmlog.setup_logging(os.path.join(f.name, "logs"))
            self.assertEqual(cm.exception.errno, errno.ENOTDIR)
            self.assertEqual(cm.exception.filename,
                             os.path.join(f.name, "logs"))
            self.assertTrue(cm.exception.strerror)
        with self.assertRaisesRegex(ValueError, "DEBUG, INFO"):
            llmlog.setup_logging(self.logs, level="LOUD")
        with self.assertRaisesRegex(ValueError, "max_bytes"):
            llmlog.setup_logging(self.logs, max_bytes=-1)

    def test_backup_count_zero_never_rotates(self):
        llmlog.setup_logging(self.logs, console=False, max_bytes=2048,
                             backup_count=0)
        for i in range(100):
            llmlog.get_logger("llm").log_call(provider="p", model="m" * 50)
        self.assertEqual([n for n in os.listdir(self.logs)
                          if not n.startswith(".")], ["llm_calls.log"])
        self.assertGreater(os.path.getsize(os.path.join(self.logs,
                                                        "llm_calls.log")),
                           2048)

    def test_full_file_is_counted(self):
        # a file size limit stands in for a full disk: writes fail, the
        # calls return False, dropped() counts them, nothing raises
        code = (
            "import resource, signal, llmlog\n"
            "llmlog.setup_logging(%r, console=False)\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
            "ok = [llmlog.get_logger('llm').log_call(provider='p',"
            " model='m' * 100) for i in range(100)]\n"
            "print(ok.count(False), llmlog.dropped(), bool(llmlog.last_error()))\n"
        ) % self.logs
        out = subprocess.run([sys.executable, "-c", code], check=True,
                             stdout=subprocess.PIPE, text=True).stdout.split()
        failed, dropped, has_error = int(out[0]), int(out[1]), out[2]
        self.assertGreater(failed, 50)
        self.assertEqual(dropped, failed)
        self.assertEqual(has_error, "True")


if __name__ == "__main__":
    unittest.main()
