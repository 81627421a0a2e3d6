"""llmlog.Handler: standard logging records in the system category, the
level mapped onto the five, the logger's name as the component, extra=
fields as details, tracebacks in the message; the library's minimum level
applies."""
import logging
import unittest

import llmlog
import support


class HandlerTest(support.LogTestCase):
    def setUp(self):
        super().setUp()
        self.logger = logging.getLogger("llm_os.router")
        self.logger.propagate = False
        self.logger.setLevel(1)
        self.handler = llmlog.Handler()
        self.logger.addHandler(self.handler)

    def tearDown(self):
        self.logger.removeHandler(self.handler)
        super().tearDown()

    def test_records(self):
        log = self.logger
        log.debug("not written at INFO")
        log.info("switched %s", "provider", extra={"from": "groq",
                                                   "to": "ollama"})
        log.log(25, "between info and warning")
        log.warning("rate limited", extra={"retry_after": 2.5})
        try:
            raise ConnectionError("refused")
        except ConnectionError:
            log.exception("MCP server down")
        log.critical("out of memory")
        got = self.lines("system")
        for e in got:
            self.assert_fields("system", e)
            self.assertEqual(e["component"], "llm_os.router")
        self.assertEqual([(e["event"], e["level"]) for e in got],
                         [("log", "INFO"), ("log", "INFO"),
                          ("warning", "WARNING"), ("error", "ERROR"),
                          ("error", "CRITICAL")])
        self.assertEqual(got[0]["message"], "switched provider")
        self.assertEqual(got[0]["details"], {"from": "groq", "to": "ollama"})
        self.assertNotIn("details", got[1])
        self.assertEqual(got[2]["details"], {"retry_after": 2.5})
        self.assertIn("ConnectionError: refused", got[3]["message"])
        self.assertIn("Traceback", got[3]["message"])

    def test_debug_when_enabled(self):
        llmlog.setup_logging(self.logs, level="DEBUG", console=False)
        self.logger.debug("now written", extra={"category": "clash",
                                                "pid": "clash"})
        e = self.only("system")
        self.assertEqual((e["level"], e["message"]), ("DEBUG", "now written"))
        self.assertEqual(e["details"], {"category": "clash", "pid": "clash"})
        self.assertEqual(e["category"], "system")


if __name__ == "__main__":
    unittest.main()
