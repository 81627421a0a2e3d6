"""The decorators on plain and async functions: what they read from the
call and its result (stand-ins of the OpenAI, Groq and Anthropic clients'
result shapes, written from those clients' documented fields), failures
logged as failed with the exception re-raised unchanged, the trace of
nested decorated calls, spans across asyncio tasks, PerformanceTimer and
the helper."""
import asyncio
import gc
import threading
import traceback
import unittest

import llmlog
import support
from llmlog.integration import (get_logging_helper, log_llm_call,
                                log_performance, log_tool_execution,
                                log_user_interaction)


class Model:
    """A pydantic-like model: attributes, and model_dump()."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def model_dump(self):
        return {k: v.model_dump() if isinstance(v, Model) else v
                for k, v in self.__dict__.items()}


def openai_completion():
    # openai.types.chat.ChatCompletion
    return Model(id="chatcmpl-1", object="chat.completion", created=1,
                 model="gpt-4o-2024-08-06", choices=[],
                 usage=Model(prompt_tokens=11, completion_tokens=7,
                             total_tokens=18))


def groq_completion():
    # groq.types.chat.ChatCompletion: OpenAI's shape, plus x_groq
    return Model(id="chatcmpl-2", object="chat.completion", created=1,
                 model="llama3-70b-8192", choices=[],
                 usage=Model(prompt_tokens=150, completion_tokens=80,
                             total_tokens=230, queue_time=0.01),
                 x_groq={"id": "req_1"})


def anthropic_message():
    # anthropic.types.Message
    return Model(id="msg_1", type="message", role="assistant", content=[],
                 model="claude-3-5-sonnet-20241022", stop_reason="end_turn",
                 usage=Model(input_tokens=25, output_tokens=9))


class Boom(Exception):
    pass


class Decorators(support.LogTestCase):
    def test_llm_call_shapes(self):
        class Client:
            @log_llm_call
            def create(self, model, messages, stream=False):
                return self.reply

        c = Client()
        for reply in (openai_completion(), groq_completion(),
                      anthropic_message()):
            c.reply = reply
            self.assertIs(c.create(model="x", messages=[]), reply)
        got = [(e["provider"], e["model"], e["prompt_tokens"],
                e["completion_tokens"], e["total_tokens"], e["success"])
               for e in self.lines("llm")]
        self.assertEqual(got, [
            ("openai", "gpt-4o-2024-08-06", 11, 7, 18, True),
            ("groq", "llama3-70b-8192", 150, 80, 230, True),
            ("anthropic", "claude-3-5-sonnet-20241022", 25, 9, 34, True)])

    def test_llm_call_bound_object_and_stream(self):
        class Router:
            provider = "ollama"
            model = "llama3.1:8b"

            @log_llm_call
            async def complete(self, messages, stream=False):
                return "text"

        asyncio.run(Router().complete([], stream=True))
        e = self.only("llm")
        self.assert_fields("llm", e)
        self.assertEqual((e["provider"], e["model"], e["streaming"]),
                         ("ollama", "llama3.1:8b", True))

    def test_failure_reraised_unchanged(self):
        err = Boom("rate limited")

        class Router:
            provider = "groq"

            @log_llm_call
            async def complete(self, messages):
                raise err

            @log_tool_execution
            def execute_tool(self, tool_name, parameters):
                raise err

        with self.assertRaises(Boom) as cm:
            asyncio.run(Router().complete([]))
        self.assertIs(cm.exception, err)
        try:
            Router().execute_tool("read_file", {"path": "/x"})
            self.fail("not raised")
        except Boom as exc:
            self.assertIs(exc, err)
            # the traceback still ends where it was raised
            self.assertEqual(traceback.extract_tb(exc.__traceback__)[-1].name,
                             "execute_tool")
        llm, tool = self.only("llm"), self.only("tool")
        for e in (llm, tool):
            self.assertEqual((e["success"], e["level"], e["error"]),
                             (False, "ERROR", "Boom: rate limited"))
        self.assertEqual(tool["parameters"], {"path": "/x"})

    def test_tool_result_reports_error(self):
        @log_tool_execution
        def run(tool_name, parameters, server="git"):
            return Model(isError=True, content=[{"type": "text",
                                                 "text": "no repo"}])
        run("git_status", {"repo": "/nope"})
        e = self.only("tool")
        self.assert_fields("tool", e)
        self.assertEqual((e["tool_name"], e["tool_server"], e["success"]),
                         ("git_status", "git", False))
        self.assertIn("no repo", e["result_summary"])

    def test_user_interaction_sync_and_async(self):
        @log_user_interaction
        def sync(user_input):
            return Model(content="two files",
                         tool_calls=[Model(function=Model(
                             name="list_directory"))])

        @log_user_interaction
        async def failing(self, user_input):
            raise ValueError("bad path")

        self.assertEqual(sync("ls").content, "two files")
        with self.assertRaises(ValueError):
            asyncio.run(failing(None, user_input="cat /x"))
        ok, bad = self.lines("user")
        self.assertEqual((ok["user_input"], ok["response_summary"],
                          ok["tool_calls"], ok["success"]),
                         ("ls", "two files", ["list_directory"], True))
        self.assertEqual((bad["user_input"], bad["success"], bad["error"],
                          bad["level"]),
                         ("cat /x", False, "ValueError: bad path", "ERROR"))

    def test_nested_trace(self):
        class Shell:
            provider, model = "groq", "llama3-70b-8192"

            @log_tool_execution
            async def execute_tool(self, tool_name, parameters):
                llmlog.get_logger("security").log_event(
                    event_type="file_access", resource="/x", action="read",
                    allowed=True, reason="ok")
                return "contents"

            @log_llm_call
            async def complete(self, messages):
                await self.execute_tool("read_file", {"path": "/x"})
                return groq_completion()

            @log_user_interaction
            async def process_message(self, user_input):
                await self.complete([])
                return "done"

        async def both():
            s = Shell()
            with llmlog.conversation("conv-9"):
                await asyncio.gather(s.process_message("one"),
                                     s.process_message("two"))
        asyncio.run(both())
        users = self.lines("user")
        self.assertEqual(len(users), 2)
        llms, tools = self.lines("llm"), self.lines("tool")
        secs = self.lines("security")
        for u in users:
            self.assertNotIn("parent_span_id", u)
            self.assertEqual(u["conversation_id"], "conv-9")
            tid = u["trace_id"]
            self.assertRegex(tid, "^[0-9a-f]{32}$")
            llm = [e for e in llms if e["trace_id"] == tid]
            tool = [e for e in tools if e["trace_id"] == tid]
            sec = [e for e in secs if e["trace_id"] == tid]
            self.assertEqual((len(llm), len(tool), len(sec)), (1, 1, 1))
            self.assertEqual(llm[0]["parent_span_id"], u["span_id"])
            self.assertEqual(tool[0]["parent_span_id"], llm[0]["span_id"])
            # the security entry is a leaf child of the tool's span
            self.assertEqual(sec[0]["parent_span_id"], tool[0]["span_id"])
            self.assertNotIn(sec[0]["span_id"], (tool[0]["span_id"],))
        self.assertNotEqual(users[0]["trace_id"], users[1]["trace_id"])

    def test_span_context_manager_and_threads(self):
        user = llmlog.get_logger("user")
        with llmlog.span("process_message", conversation_id="c1") as sp:
            self.assertIs(llmlog.current_span(), sp)
            self.assertRegex(llmlog.traceparent(),
                             "^00-%s-%s-01$" % (sp.trace_id, sp.span_id))
            seen = []
            t = threading.Thread(target=lambda: seen.append(
                llmlog.current_span()))
            t.start()
            t.join()
            self.assertEqual(seen, [None])   # a new thread starts outside
            user.log_interaction(user_input="hi", response="hello", span=sp)
        self.assertIsNone(llmlog.current_span())
        # a child outlives its parent with the conversation it inherited
        with llmlog.span("outer", conversation_id="c2" * 8):
            with llmlog.span("inner") as child:
                pass
        gc.collect()
        self.assertEqual(child.conversation_id, "c2" * 8)
        e = self.only("user")
        self.assertEqual((e["trace_id"], e["span_id"], e["conversation_id"]),
                         (sp.trace_id, sp.span_id, "c1"))

    def test_performance_timer_and_decorator(self):
        perf = llmlog.get_logger("performance")

        @log_performance("initialize_system")
        def init():
            llmlog.get_logger("system").log_startup("core")

        @llmlog.PerformanceTimer(perf, "timed_async")
        async def timed():
            await asyncio.sleep(0)

        init()
        asyncio.run(timed())
        with self.assertRaises(KeyError):
            with llmlog.PerformanceTimer(perf, "failing"):
                raise KeyError("k")
        got = {e["operation"]: e for e in self.lines("performance")}
        self.assertEqual(set(got), {"initialize_system", "timed_async",
                                    "failing"})
        for e in got.values():
            self.assert_fields("performance", e)
        self.assertEqual(got["failing"]["details"], {"error": "KeyError: 'k'"})
        startup = self.only("system")
        self.assertEqual(startup["parent_span_id"],
                         got["initialize_system"]["span_id"])

    def test_helper(self):
        h = get_logging_helper()
        self.assertIs(h, get_logging_helper())
        h.log_user_message(user_input="ls", response="a b",
                           tool_calls=["list_directory"], success=True,
                           duration_ms=1.5)
        h.log_llm_request(provider="groq", model="m", prompt_tokens=1,
                          completion_tokens=2, duration_ms=3)
        h.log_startup("core_system", {"version": "0.1.0"})
        self.assertEqual(self.only("user")["tool_calls"], ["list_directory"])
        self.assertEqual(self.only("llm")["total_tokens"], 3)
        self.assertEqual(self.only("system")["details"],
                         {"version": "0.1.0"})


if __name__ == "__main__":
    unittest.main()
