"""The Python examples of the README run as written, and every line they
write has the fields llmlog(5) lists.  Names the examples leave to the
reader (response, result, LLMResponse, the object a method is bound to)
are given simple stand-ins."""
import asyncio
import os
import re
import types
import unittest

import support

README = os.path.join(os.environ.get("PY_SRCDIR", os.path.join(
    os.path.dirname(__file__), "..")), "..", "README.md")


def examples():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("\n## Python\n"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


class LLMResponse:
    """What the shell's LLM router returns: text, and the call's figures."""

    def __init__(self, content, provider, model, prompt_tokens,
                 completion_tokens):
        self.content = content
        self.provider = provider
        self.model = model
        self.usage = {"prompt_tokens": prompt_tokens,
                      "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}


class Examples(support.LogTestCase):
    def setUp(self):
        super().setUp()
        self.saved = os.environ.get("LLMLOG_DIR")
        os.environ["LLMLOG_DIR"] = self.logs  # setup_logging() with no dir

    def tearDown(self):
        if self.saved is None:
            os.environ.pop("LLMLOG_DIR", None)
        else:
            os.environ["LLMLOG_DIR"] = self.saved
        super().tearDown()

    def run_examples(self):
        blocks = examples()
        self.assertGreaterEqual(len(blocks), 11)
        spaces = []
        for code in blocks:
            self.assertNotIn("llm_os.utils", code)
            ns = {
                "__name__": "example",
                "LLMResponse": LLMResponse,
                "response": LLMResponse("Here are the files: a.txt", "groq",
                                        "llama3-70b-8192", 150, 80),
                "result": {"files": ["file1.txt", "file2.txt"]},
            }
            exec(compile(code, "README.md", "exec"), ns)
            spaces.append(ns)
        return spaces

    def test_every_example(self):
        spaces = self.run_examples()
        router = types.SimpleNamespace(provider="groq",
                                       model="llama3-70b-8192")
        # the decorated functions, called as the shell would
        deco = next(ns for ns in spaces if "process_message" in ns)
        asyncio.run(deco["process_message"](router, "list files"))
        asyncio.run(deco["complete"](router, [{"role": "user",
                                               "content": "hi"}]))
        asyncio.run(deco["execute_tool"](router, "list_directory",
                                         {"path": "/home/user"}))
        asyncio.run(deco["initialize"](router))
        # the component
        comp = next(ns for ns in spaces if "MyComponent" in ns)
        c = comp["MyComponent"]()
        asyncio.run(c.initialize())
        self.assertEqual(asyncio.run(c.process([1, 2, 3])), "success")
        asyncio.run(c.shutdown())

        seen = {}
        for cat in support.FILES:
            for e in self.lines(cat):
                self.assert_fields(cat, e)
                seen.setdefault(cat, []).append(e)
        self.assertEqual(sorted(seen), sorted(support.FILES))

        user = seen["user"]
        self.assertEqual(user[0]["user_input"],
                         "list files in current directory")
        self.assertEqual(user[0]["tool_calls"],
                         ["list_directory", "get_file_info"])
        self.assertEqual((user[1]["success"], user[1]["error"],
                          user[1]["level"]),
                         (False, "Permission denied", "ERROR"))
        self.assertIn({"user_input": "list files",
                       "response_summary": "Here are the files: a.txt"},
                      [{k: e[k] for k in ("user_input", "response_summary")}
                       for e in user])

        system = seen["system"]
        events = [(e["event"], e["component"], e["level"]) for e in system]
        for want in [("startup", "llm_router", "INFO"),
                     ("shutdown", "llm_router", "INFO"),
                     ("error", "mcp_orchestrator", "ERROR"),
                     ("warning", "llm_router", "WARNING"),
                     ("startup", "core_system", "INFO"),
                     ("startup", "my_component", "INFO"),
                     ("shutdown", "my_component", "INFO")]:
            self.assertIn(want, events)
        err = next(e for e in system if e["event"] == "error")
        self.assertEqual(err["message"], "Failed to start MCP server")
        self.assertEqual(err["details"], {"server": "git",
                                          "error": "Connection refused"})

        tool = seen["tool"]
        self.assertEqual(tool[0]["parameters"],
                         {"path": "/home/user", "recursive": False})
        self.assertEqual(tool[0]["result_summary"],
                         '{"files":["file1.txt","file2.txt"]}')
        self.assertIn("list_directory", [e["tool_name"] for e in tool])

        llm = seen["llm"]
        self.assertEqual([e["total_tokens"] for e in llm], [230, 230, 230])
        decorated = llm[2]
        self.assertEqual((decorated["provider"], decorated["model"]),
                         ("groq", "llama3-70b-8192"))

        sec = seen["security"]
        self.assertEqual([(e["allowed"], e["level"]) for e in sec],
                         [(False, "WARNING"), (True, "INFO")])

        perf = {e["operation"]: e for e in seen["performance"]}
        self.assertEqual(set(perf), {"process_message", "initialize_router",
                                     "initialize_system",
                                     "initialize_my_component"})
        self.assertEqual((perf["initialize_router"]["memory_mb"],
                          perf["initialize_router"]["cpu_percent"],
                          perf["initialize_router"]["details"]),
                         (45.2, 12.5, {"providers": 3}))
        self.assertGreater(perf["process_message"]["memory_mb"], 0)


if __name__ == "__main__":
    unittest.main()
