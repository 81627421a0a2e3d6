/*
 * test-format.c - the line builder without a log: the JSON of each
 * category, escaping, numbers, truncation at UTF-8 boundaries, and the
 * redaction rules (cases under data/redact/<case>/{input,expected}).
 */
#include "config.h"

#include "format.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "util.h"

/* 2026-11-26T11:16:32.123Z */
#define WHEN { 1795691792, 123456789 }

static struct jbuf jb;

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* The line just built, as a NUL-terminated string. */
static const char *
line(void)
{
	jbuf_char(&jb, '\0');
	jb.len--;
	return jb.buf;
}

static json_object *
parsed(void)
{
	json_object *o = json_tokener_parse(line());

	CU_ASSERT_PTR_NOT_NULL(o);
	return o;
}

static const char *
field(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

/* The keys of the line in order, joined by ','. */
static void
check_keys(json_object *o, const char *want)
{
	char got[1024] = "";

	json_object_object_foreach(o, key, val) {
		(void)val;
		if (got[0] != '\0')
			strcat(got, ",");
		strcat(got, key);
	}
	CU_ASSERT_STRING_EQUAL(got, want);
}

static char pidtext[32];

/* want with "PID" replaced by our pid */
static void
check_line(const char *want)
{
	char buf[4096];
	const char *p = strstr(want, "PID");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - want), want, pidtext,
	    p + 3);
	CU_ASSERT_STRING_EQUAL(line(), buf);
	if (strcmp(line(), buf) != 0)
		fprintf(stderr, "\n got: %s want: %s", line(), buf);
}

static void
test_interaction(void)
{
	json_object *d = json_tokener_parse("{\"model\":\"llama3\",\"n\":2}");

	jbuf_reset(&jb);
	CU_ASSERT_EQUAL(format_interaction(&jb, &(struct llmlog_interaction){
	    .user_input = "list files", .response = "Here: a.txt",
	    .tool_calls = (const char *[]){ "list_directory", "get_file_info",
	    NULL }, .duration_ms = 123.4, .details = d, .when = WHEN },
	    LLMLOG_INFO), 0);
	check_line("{\"category\":\"user\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"INFO\",\"event\":\"user_interaction\",\"pid\":PID,"
	    "\"user_input\":\"list files\",\"response_summary\":\"Here: a.txt\","
	    "\"tool_calls\":[\"list_directory\",\"get_file_info\"],"
	    "\"success\":true,\"duration_ms\":123.4,"
	    "\"details\":{\"model\":\"llama3\",\"n\":2}}\n");
	json_object_put(d);

	jbuf_reset(&jb);
	format_interaction(&jb, &(struct llmlog_interaction){
	    .user_input = "read secret.txt", .error = "Permission denied",
	    .duration_ms = 5, .when = WHEN }, LLMLOG_ERROR);
	check_line("{\"category\":\"user\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"ERROR\",\"event\":\"user_interaction\",\"pid\":PID,"
	    "\"user_input\":\"read secret.txt\",\"response_summary\":\"\","
	    "\"tool_calls\":[],\"success\":false,\"duration_ms\":5.0,"
	    "\"error\":\"Permission denied\"}\n");
}

static void
test_system(void)
{
	json_object *d = json_tokener_parse("{\"server\":\"git\"}");

	jbuf_reset(&jb);
	format_system(&jb, &(struct llmlog_system){ .event = "error",
	    .component = "mcp_orchestrator",
	    .message = "Failed to start MCP server", .details = d,
	    .when = WHEN }, LLMLOG_ERROR);
	check_line("{\"category\":\"system\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"ERROR\",\"event\":\"error\",\"pid\":PID,"
	    "\"component\":\"mcp_orchestrator\","
	    "\"message\":\"Failed to start MCP server\","
	    "\"details\":{\"server\":\"git\"}}\n");
	json_object_put(d);

	jbuf_reset(&jb);
	format_system(&jb, &(struct llmlog_system){ .event = "startup",
	    .component = "llm_router", .when = WHEN }, LLMLOG_INFO);
	check_line("{\"category\":\"system\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"INFO\",\"event\":\"startup\",\"pid\":PID,"
	    "\"component\":\"llm_router\"}\n");

	CU_ASSERT_EQUAL(format_system_level(&(struct llmlog_system){
	    .event = "warning" }), LLMLOG_WARNING);
	CU_ASSERT_EQUAL(format_system_level(&(struct llmlog_system){
	    .event = "error" }), LLMLOG_ERROR);
	CU_ASSERT_EQUAL(format_system_level(&(struct llmlog_system){
	    .event = "config_change" }), LLMLOG_INFO);
	CU_ASSERT_EQUAL(format_system_level(&(struct llmlog_system){
	    .event = NULL }), -1);
	CU_ASSERT_EQUAL(format_system_level(&(struct llmlog_system){
	    .event = "bad\"name" }), -1);
}

static void
test_tool(void)
{
	json_object *p = json_tokener_parse(
	    "{\"path\":\"/home/user\",\"recursive\":false}");
	json_object *r = json_tokener_parse(
	    "{\"files\":[\"file1.txt\",\"file2.txt\"]}");

	jbuf_reset(&jb);
	format_tool(&jb, &(struct llmlog_tool){ .tool_name = "list_directory",
	    .tool_server = "filesystem", .parameters = p, .result = r,
	    .duration_ms = 0.125, .when = WHEN }, LLMLOG_INFO);
	check_line("{\"category\":\"tool\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"INFO\",\"event\":\"tool_execution\",\"pid\":PID,"
	    "\"tool_name\":\"list_directory\",\"tool_server\":\"filesystem\","
	    "\"parameters\":{\"path\":\"/home/user\",\"recursive\":false},"
	    "\"result_summary\":\"{\\\"files\\\":[\\\"file1.txt\\\",\\\"file2.txt\\\"]}\","
	    "\"success\":true,\"duration_ms\":0.125}\n");
	json_object_put(p);
	json_object_put(r);

	jbuf_reset(&jb);
	format_tool(&jb, &(struct llmlog_tool){ .tool_name = "read_file",
	    .result_text = "no such file", .failed = true, .duration_ms = 1,
	    .when = WHEN }, LLMLOG_ERROR);
	check_line("{\"category\":\"tool\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"ERROR\",\"event\":\"tool_execution\",\"pid\":PID,"
	    "\"tool_name\":\"read_file\",\"tool_server\":\"\","
	    "\"parameters\":{},\"result_summary\":\"no such file\","
	    "\"success\":false,\"duration_ms\":1.0}\n");
}

static void
test_llm(void)
{
	jbuf_reset(&jb);
	format_llm(&jb, &(struct llmlog_llm){ .provider = "groq",
	    .model = "llama3-70b-8192", .prompt_tokens = 150,
	    .completion_tokens = 80, .duration_ms = 1234.5678, .when = WHEN },
	    LLMLOG_INFO);
	check_line("{\"category\":\"llm\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"INFO\",\"event\":\"llm_call\",\"pid\":PID,"
	    "\"provider\":\"groq\",\"model\":\"llama3-70b-8192\","
	    "\"prompt_tokens\":150,\"completion_tokens\":80,"
	    "\"total_tokens\":230,\"duration_ms\":1234.568,\"success\":true,"
	    "\"streaming\":false}\n");

	jbuf_reset(&jb);
	format_llm(&jb, &(struct llmlog_llm){ .provider = "openai",
	    .model = "gpt-4o", .total_tokens = 7, .streaming = true,
	    .error = "rate limited", .when = WHEN }, LLMLOG_ERROR);
	check_line("{\"category\":\"llm\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"ERROR\",\"event\":\"llm_call\",\"pid\":PID,"
	    "\"provider\":\"openai\",\"model\":\"gpt-4o\","
	    "\"prompt_tokens\":0,\"completion_tokens\":0,"
	    "\"total_tokens\":7,\"duration_ms\":0.0,\"success\":false,"
	    "\"streaming\":true,\"error\":\"rate limited\"}\n");
}

static void
test_security(void)
{
	jbuf_reset(&jb);
	format_security(&jb, &(struct llmlog_security){
	    .event_type = "permission_check", .resource = "/etc/passwd",
	    .action = "read", .reason = "Outside allowed directories",
	    .when = WHEN }, LLMLOG_WARNING);
	check_line("{\"category\":\"security\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"WARNING\",\"event\":\"security_event\",\"pid\":PID,"
	    "\"event_type\":\"permission_check\",\"resource\":\"/etc/passwd\","
	    "\"action\":\"read\",\"allowed\":false,"
	    "\"reason\":\"Outside allowed directories\"}\n");
	CU_ASSERT_EQUAL(format_security_level(&(struct llmlog_security){
	    .allowed = true }), LLMLOG_INFO);
	CU_ASSERT_EQUAL(format_security_level(&(struct llmlog_security){
	    .allowed = false }), LLMLOG_WARNING);
}

static void
test_metric(void)
{
	json_object *d = json_tokener_parse("{\"providers\":3}");

	jbuf_reset(&jb);
	format_metric(&jb, &(struct llmlog_metric){
	    .operation = "initialize_router", .duration_ms = 1234.5,
	    .memory_mb = 45.2, .cpu_percent = 12.5, .details = d,
	    .when = WHEN }, LLMLOG_INFO);
	check_line("{\"category\":\"performance\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"INFO\",\"event\":\"performance_metric\",\"pid\":PID,"
	    "\"operation\":\"initialize_router\",\"duration_ms\":1234.5,"
	    "\"memory_mb\":45.2,\"cpu_percent\":12.5,"
	    "\"details\":{\"providers\":3}}\n");
	json_object_put(d);

	jbuf_reset(&jb);
	format_metric(&jb, &(struct llmlog_metric){ .operation = "x",
	    .duration_ms = 2, .memory_mb = 3, .when = WHEN }, LLMLOG_INFO);
	check_line("{\"category\":\"performance\",\"timestamp\":\"2026-11-26T11:16:32.123Z\","
	    "\"level\":\"INFO\",\"event\":\"performance_metric\",\"pid\":PID,"
	    "\"operation\":\"x\",\"duration_ms\":2.0,\"memory_mb\":3.0}\n");
}

/* A line built at "now" carries a plausible current time. */
static void
test_timestamp_now(void)
{
	json_object *o;
	const char *ts;
	char want[16];
	time_t t = time(NULL);
	struct tm tm;

	jbuf_reset(&jb);
	format_security(&jb, &(struct llmlog_security){ .allowed = true },
	    LLMLOG_INFO);
	o = parsed();
	ts = field(o, "timestamp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	CU_ASSERT_EQUAL(strlen(ts), 24);
	CU_ASSERT_EQUAL(ts[23], 'Z');
	gmtime_r(&t, &tm);
	snprintf(want, sizeof want, "%04d-", tm.tm_year + 1900);
	CU_ASSERT_NSTRING_EQUAL(ts, want, 5);
	json_object_put(o);
}

static void
test_numbers(void)
{
	static const struct {
		double v;
		int dec;
		const char *want;
	} cases[] = {
		{ 123.4, 3, "123.4" }, { 12, 3, "12.0" }, { 0.125, 3, "0.125" },
		{ 0.0004, 3, "0.0" }, { 0.0005, 3, "0.001" }, { -2.5, 3, "-2.5" },
		{ 1234.56789, 3, "1234.568" }, { 45.25, 1, "45.3" },
		{ 45.04, 1, "45.0" }, { 99.96, 1, "100.0" }, { 0, 1, "0.0" },
		/* past 1e15 a double has no decimals to show: the shortest
		 * form that reads back, never null */
		{ 1e16, 1, "1e+16" }, { 1e300, 3, "1e+300" },
		{ -1.5e300, 3, "-1.5e+300" }, { 1234567890123456.0, 3,
		"1234567890123456.0" },
		{ 1.7976931348623157e308, 1, "1.7976931348623157e+308" },
		/* JSON has no NaN or infinity */
		{ 1.0 / 0.0, 3, "null" }, { -1.0 / 0.0, 3, "null" },
		{ 0.0 / 0.0, 3, "null" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		jbuf_reset(&jb);
		jbuf_fixed(&jb, cases[i].v, cases[i].dec);
		CU_ASSERT_STRING_EQUAL(line(), cases[i].want);
	}
	/* a huge duration in a line still parses, as the number it was */
	jbuf_reset(&jb);
	format_metric(&jb, &(struct llmlog_metric){ .operation = "o",
	    .duration_ms = 1e300, .memory_mb = 1, .when = WHEN }, LLMLOG_INFO);
	{
		json_object *o = parsed(), *v;

		CU_ASSERT(json_object_object_get_ex(o, "duration_ms", &v));
		CU_ASSERT_EQUAL(json_object_get_double(v), 1e300);
		json_object_put(o);
	}
	jbuf_reset(&jb);
	jbuf_int(&jb, INT64_MIN);
	CU_ASSERT_STRING_EQUAL(line(), "-9223372036854775808");
	jbuf_reset(&jb);
	jbuf_int(&jb, 0);
	CU_ASSERT_STRING_EQUAL(line(), "0");
}

static void
test_escaping(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"" },
		{ "\x1b[31mred", "\"\\u001b[31mred\"" },
		{ "/slash/ ok", "\"/slash/ ok\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		/* invalid: lone continuation, bad start, overlong, surrogate,
		 * beyond U+10FFFF, cut short at the end */
		{ "a\x80z", "\"a\\ufffdz\"" },
		{ "\xff\xfe", "\"\\ufffd\\ufffd\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "ok\xe2\x82", "\"ok\\ufffd\\ufffd\"" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_object *o;

		jbuf_reset(&jb);
		jbuf_cstr(&jb, cases[i].in);
		CU_ASSERT_STRING_EQUAL(line(), cases[i].want);
		o = json_tokener_parse(line());
		CU_ASSERT_PTR_NOT_NULL(o);
		json_object_put(o);
	}
}

/* Is s valid UTF-8 (what we write always is)? */
static bool
valid_utf8(const char *s)
{
	size_t n = strlen(s), i = 0, len;

	while (i < n) {
		if ((len = utf8_seqlen((const unsigned char *)s + i, n - i)) == 0)
			return false;
		i += len;
	}
	return true;
}

static size_t
chars_of(const char *s)
{
	size_t total;

	utf8_cut(s, strlen(s), 0, &total);
	return total;
}

/* A response of `before` ASCII characters, then the character c, then
 * `after` more: cut at 500 characters, never inside c. */
static void
check_cut(size_t before, const char *c, size_t after)
{
	char *text = malloc(before + strlen(c) + after + 1), *p = text;
	json_object *o, *v;
	const char *sum;
	size_t total = before + 1 + after;

	memset(p, 'a', before);
	p += before;
	p = stpcpy(p, c);
	memset(p, 'b', after);
	p[after] = '\0';
	jbuf_reset(&jb);
	format_interaction(&jb, &(struct llmlog_interaction){
	    .response = text, .when = WHEN }, LLMLOG_INFO);
	o = parsed();
	sum = field(o, "response_summary");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	CU_ASSERT(valid_utf8(sum));
	CU_ASSERT_EQUAL(chars_of(sum), total > 500 ? 500 : total);
	CU_ASSERT_EQUAL(strncmp(sum, text, strlen(sum)), 0);
	if (total > 500) {
		CU_ASSERT_STRING_EQUAL(field(o, "response_truncated"), "true");
		CU_ASSERT(json_object_object_get_ex(o, "response_length", &v));
		CU_ASSERT_EQUAL(json_object_get_int64(v), (int64_t)total);
	} else {
		CU_ASSERT_PTR_NULL(field(o, "response_truncated"));
		CU_ASSERT_PTR_NULL(field(o, "response_length"));
	}
	json_object_put(o);
	free(text);
}

static void
test_truncation_utf8(void)
{
	static const char *const chars[] = {
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"
	};

	for (size_t i = 0; i < 3; i++) {
		check_cut(498, chars[i], 10);
		check_cut(499, chars[i], 10);	/* c is the 500th */
		check_cut(500, chars[i], 10);	/* c is the 501st */
		check_cut(499, chars[i], 0);	/* exactly 500: kept whole */
		check_cut(500, chars[i], 0);
	}
	check_cut(0, "x", 0);
}

/* Invalid bytes around the cut count as one character each and never
 * make the cut land inside a sequence. */
static void
test_truncation_invalid(void)
{
	char text[700];
	json_object *o, *v;
	const char *sum;

	memset(text, 'a', sizeof text);
	text[498] = (char)0xe2;	/* a 3-byte start, cut short */
	text[499] = (char)0x82;
	text[500] = (char)0xff;
	text[501] = (char)0xf0;	/* a 4-byte sequence across the cut */
	text[502] = (char)0x9f;
	text[503] = (char)0x98;
	text[504] = (char)0x80;
	text[sizeof text - 1] = '\0';
	jbuf_reset(&jb);
	format_interaction(&jb, &(struct llmlog_interaction){
	    .response = text, .when = WHEN }, LLMLOG_INFO);
	o = parsed();
	sum = field(o, "response_summary");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	CU_ASSERT(valid_utf8(sum));
	CU_ASSERT_EQUAL(chars_of(sum), 500);
	CU_ASSERT(json_object_object_get_ex(o, "response_length", &v));
	/* 699 bytes: the 4-byte sequence is one character */
	CU_ASSERT_EQUAL(json_object_get_int64(v), 696);
	json_object_put(o);
}

static void
test_result_truncation(void)
{
	json_object *r = json_object_new_array(), *o, *v;
	const char *sum;

	for (int i = 0; i < 200; i++)
		json_object_array_add(r, json_object_new_string("f\xc3\xa9"));
	jbuf_reset(&jb);
	format_tool(&jb, &(struct llmlog_tool){ .tool_name = "t", .result = r,
	    .when = WHEN }, LLMLOG_INFO);
	o = parsed();
	sum = field(o, "result_summary");
	CU_ASSERT_EQUAL(chars_of(sum), 500);
	CU_ASSERT_NSTRING_EQUAL(sum, "[\"f\xc3\xa9\",\"f\xc3\xa9\"", 12);
	CU_ASSERT_STRING_EQUAL(field(o, "result_truncated"), "true");
	CU_ASSERT(json_object_object_get_ex(o, "result_length", &v));
	CU_ASSERT_EQUAL(json_object_get_int64(v), 200 * 5 + 1);
	json_object_put(o);
	json_object_put(r);
}

static void
test_parameters_truncation(void)
{
	json_object *p = json_object_new_object(), *o, *v;
	char big[2000];
	const char *s;

	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = '\0';
	json_object_object_add(p, "content", json_object_new_string(big));
	jbuf_reset(&jb);
	format_tool(&jb, &(struct llmlog_tool){ .tool_name = "write_file",
	    .parameters = p, .when = WHEN }, LLMLOG_INFO);
	o = parsed();
	CU_ASSERT(json_object_object_get_ex(o, "parameters", &v));
	CU_ASSERT(json_object_is_type(v, json_type_string));
	s = json_object_get_string(v);
	CU_ASSERT_EQUAL(strlen(s), 1000);
	CU_ASSERT_NSTRING_EQUAL(s, "{\"content\":\"xxx", 15);
	CU_ASSERT_STRING_EQUAL(field(o, "parameters_truncated"), "true");
	CU_ASSERT(json_object_object_get_ex(o, "parameters_length", &v));
	CU_ASSERT_EQUAL(json_object_get_int64(v), 1999 + 14);
	check_keys(o, "category,timestamp,level,event,pid,tool_name,"
	    "tool_server,parameters,parameters_truncated,parameters_length,"
	    "result_summary,success,duration_ms");
	json_object_put(o);
	json_object_put(p);
}

/* ---- long text: cut, then redacted ------------------------------------------- */

/* Characters of valid UTF-8 text: the bytes that start one (not
 * 10xxxxxx), as llmlog(5) counts them. */
static size_t
chars_valid(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* The bytes of the first max characters of valid UTF-8 text. */
static size_t
bytes_of_chars(const char *s, size_t max)
{
	size_t i = 0, c = 0;

	for (; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == max)
			break;
	return i;
}

#define GH_TOKEN "ghp_16C7e42F292c6912E7710c838347Ae178B4a"

/* A huge response is cut before it is redacted: a secret across the cut is
 * still replaced, and response_length is the text's own length. */
static void
test_cut_then_redact(void)
{
	size_t n = 1024 * 1024;
	char *text = malloc(n + 1);
	json_object *o, *v;
	const char *sum;

	memset(text, 'a', n);
	text[n] = '\0';
	/* a token from the 496th character to the 535th, another far on */
	memcpy(text + 494, " " GH_TOKEN " ", sizeof GH_TOKEN + 1);
	memcpy(text + n / 2, " " GH_TOKEN " ", sizeof GH_TOKEN + 1);
	jbuf_reset(&jb);
	format_interaction(&jb, &(struct llmlog_interaction){
	    .response = text, .when = WHEN }, LLMLOG_INFO);
	CU_ASSERT_PTR_NULL(strstr(line(), "ghp_16C7"));
	o = parsed();
	sum = field(o, "response_summary");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	CU_ASSERT_EQUAL(strlen(sum), 500);
	CU_ASSERT_EQUAL(strncmp(sum, text, 495), 0);
	CU_ASSERT_STRING_EQUAL(sum + 495, "[REDA");
	CU_ASSERT_STRING_EQUAL(field(o, "response_truncated"), "true");
	CU_ASSERT(json_object_object_get_ex(o, "response_length", &v));
	CU_ASSERT_EQUAL(json_object_get_int64(v), (int64_t)n);
	json_object_put(o);
	/* the same for a text result, and for the console */
	jbuf_reset(&jb);
	format_tool(&jb, &(struct llmlog_tool){ .tool_name = "cat",
	    .result_text = text, .when = WHEN }, LLMLOG_INFO);
	CU_ASSERT_PTR_NULL(strstr(line(), "ghp_16C7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line(), "\"result_length\":1048576"));
	memcpy(text + 190, " " GH_TOKEN " ", sizeof GH_TOKEN + 1);
	jbuf_reset(&jb);
	format_summary(&jb, LLMLOG_TOOL, &(struct llmlog_tool){
	    .tool_name = "cat", .error = text });
	CU_ASSERT_PTR_NULL(strstr(jb.buf, "ghp_16C7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(jb.buf, " [REDACTED..."));
	free(text);
}

/* Long texts of secrets, long values and fillers: a summary holds what
 * redacting the whole text and keeping its first 500 characters gives
 * (llmlog(5)), however far the secrets replaced before the cut reach, and
 * the length is the text's as given. */
static void
test_cut_random(void)
{
	static const char *const pieces[] = {
		GH_TOKEN, " ", "password=", "token: \"", "\"", "\n",
		"-----BEGIN RSA PRIVATE KEY-----\n", "-----END RSA PRIVATE KEY-----",
		"api_key=", "Bearer ", "abcdefghij0123456789", "\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", "x", "=", ":", "'",
	};
	size_t np = sizeof pieces / sizeof pieces[0], cap = 64 * 1024;
	char *text = malloc(cap), *ref;
	int bad = 0;

	for (int iter = 0; iter < 300; iter++) {
		size_t len = 0, keep;
		json_object *o, *v;
		const char *sum;

		while (len < 600 + util_rand_below(30000)) {
			const char *p = pieces[util_rand_below((unsigned)np)];
			size_t pl = strlen(p), fill;

			/* now and then a long run: values and blocks that
			 * go on past any margin */
			if (util_rand_below(20) == 0) {
				fill = util_rand_below(9000);
				if (len + fill >= cap - 64)
					break;
				memset(text + len, 'z', fill);
				len += fill;
			}
			if (len + pl >= cap)
				break;
			memcpy(text + len, p, pl);
			len += pl;
		}
		text[len] = '\0';
		ref = llmlog_redact(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
		keep = bytes_of_chars(ref, 500);
		jbuf_reset(&jb);
		format_interaction(&jb, &(struct llmlog_interaction){
		    .response = text, .when = WHEN }, LLMLOG_INFO);
		o = parsed();
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		sum = field(o, "response_summary");
		CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
		if ((strlen(sum) != keep || strncmp(sum, ref, keep) != 0) &&
		    bad++ < 3)
			fprintf(stderr, "\nsummary of a %zu-byte text:\n%s\n"
			    "want:\n%.*s\n", len, sum, (int)keep, ref);
		if (chars_valid(ref, strlen(ref)) > 500) {
			CU_ASSERT(json_object_object_get_ex(o,
			    "response_length", &v));
			CU_ASSERT_EQUAL(json_object_get_int64(v),
			    (int64_t)chars_valid(text, len));
		} else
			CU_ASSERT_PTR_NULL(field(o, "response_length"));
		json_object_put(o);
		free(ref);
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(text);
}

/* ---- redaction ------------------------------------------------------------- */

static void
test_redact_cases(void)
{
	DIR *d = opendir(SRCDIR "/data/redact");
	struct dirent *de;
	int ncases = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL) {
		char path[1024], *in, *want, *got;
		json_object *o;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, SRCDIR "/data/redact/%s/input",
		    de->d_name);
		in = slurp(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(in);
		snprintf(path, sizeof path, SRCDIR "/data/redact/%s/expected",
		    de->d_name);
		if ((want = slurp(path)) == NULL)
			want = strdup(in);	/* not a secret: unchanged */
		got = llmlog_redact(in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got, want);
		if (strcmp(got, want) != 0)
			fprintf(stderr, "\nredact case %s:\n got: %s\nwant: %s\n",
			    de->d_name, got, want);
		/* and the same through a line */
		jbuf_reset(&jb);
		format_security(&jb, &(struct llmlog_security){
		    .resource = in, .when = WHEN }, LLMLOG_INFO);
		o = parsed();
		CU_ASSERT_STRING_EQUAL(field(o, "resource"), want);
		json_object_put(o);
		free(in);
		free(want);
		free(got);
		ncases++;
	}
	closedir(d);
	CU_ASSERT(ncases >= 40);
}

static void
test_secret_keys(void)
{
	static const char *const yes[] = {
		"password", "PASSWORD", "passwd", "pwd", "token", "Api-Key",
		"api_key", "apikey", "X-API-KEY", "access_token",
		"refresh-token", "client_secret", "Authorization", "auth",
		"Cookie", "Set-Cookie", "private_key", "credential",
		"credentials", "session_id", "db_password", "github_token",
		"AWS_SECRET_ACCESS_KEY", "secret", "proxy-authorization",
	};
	static const char *const no[] = {
		"max_tokens", "token_count", "tokenizer", "prompt_tokens",
		"author", "username", "path", "session", "description", "key",
		"monkey", "", "passage", "tokens",
	};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		CU_ASSERT(llmlog_secret_key(yes[i]));
		if (!llmlog_secret_key(yes[i]))
			fprintf(stderr, "\nnot secret: %s\n", yes[i]);
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		CU_ASSERT(!llmlog_secret_key(no[i]));
		if (llmlog_secret_key(no[i]))
			fprintf(stderr, "\nsecret: %s\n", no[i]);
	}
	CU_ASSERT(!llmlog_secret_key(NULL));
	CU_ASSERT_PTR_NULL(llmlog_redact(NULL));
}

#define SK "sk-abcdefghijklmnopqrstuvwxyz0123456789"
#define GH "ghp_16C7e42F292c6912E7710c838347Ae178B4a"

/* Secrets planted everywhere a caller can put text never come out. */
static void
test_no_raw_secrets(void)
{
	json_object *d = json_tokener_parse("{\"config\":{\"api_key\":\"k1\","
	    "\"list\":[\"" SK "\",{\"Password\":\"hunter2\"}],"
	    "\"max_tokens\":100,\"note\":\"token=abc123\","
	    "\"" GH "\":1,\"enabled\":true,\"auth\":null}}");
	json_object *p = json_tokener_parse("{\"headers\":{\"Authorization\":"
	    "\"Bearer abcdef0123456789\"},\"cookie\":{\"sid\":\"zzz\"}}");
	json_object *o, *v;
	const char *l;

	jbuf_reset(&jb);
	format_interaction(&jb, &(struct llmlog_interaction){
	    .user_input = "use " SK " please", .response = "ok " GH,
	    .tool_calls = (const char *[]){ SK, NULL },
	    .error = "login failed password=hunter2", .details = d,
	    .when = WHEN }, LLMLOG_ERROR);
	format_tool(&jb, &(struct llmlog_tool){ .tool_name = GH,
	    .parameters = p, .result = d, .error = "Bearer abcdef0123456789",
	    .when = WHEN }, LLMLOG_ERROR);
	format_system(&jb, &(struct llmlog_system){ .event = "error",
	    .component = SK, .message = "secret: k1", .details = d,
	    .when = WHEN }, LLMLOG_ERROR);
	format_security(&jb, &(struct llmlog_security){
	    .event_type = "x", .resource = "/x?token=abc123",
	    .reason = "key " SK, .when = WHEN }, LLMLOG_WARNING);
	l = line();
	CU_ASSERT_PTR_NULL(strstr(l, SK));
	CU_ASSERT_PTR_NULL(strstr(l, GH));
	CU_ASSERT_PTR_NULL(strstr(l, "hunter2"));
	CU_ASSERT_PTR_NULL(strstr(l, "abc123"));
	CU_ASSERT_PTR_NULL(strstr(l, "abcdef0123456789"));
	CU_ASSERT_PTR_NULL(strstr(l, "k1"));
	CU_ASSERT_PTR_NULL(strstr(l, "zzz"));
	/* what is not secret is kept, and the details still parse */
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"max_tokens\":100"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"enabled\":true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"auth\":null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "Bearer [REDACTED]"));
	jbuf_reset(&jb);
	format_system(&jb, &(struct llmlog_system){ .event = "error",
	    .component = "c", .details = d, .when = WHEN }, LLMLOG_ERROR);
	o = parsed();
	CU_ASSERT(json_object_object_get_ex(o, "details", &v));
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(v,
	    JSON_C_TO_STRING_PLAIN), "{\"config\":{\"api_key\":\"[REDACTED]\","
	    "\"list\":[\"[REDACTED]\",{\"Password\":\"[REDACTED]\"}],"
	    "\"max_tokens\":100,\"note\":\"token=[REDACTED]\","
	    "\"[REDACTED]\":1,\"enabled\":true,\"auth\":null}}");
	json_object_put(o);
	json_object_put(d);
	json_object_put(p);
}

/* The console summary: redacted, no raw control characters. */
static void
test_summary(void)
{
	jbuf_reset(&jb);
	format_summary(&jb, LLMLOG_SECURITY, &(struct llmlog_security){
	    .action = "read", .resource = "/etc/\x1b[2Jshadow",
	    .reason = "token=abc123" });
	CU_ASSERT_STRING_EQUAL(jb.buf,
	    "denied read on /etc/^[[2Jshadow: token=[REDACTED]");
	jbuf_reset(&jb);
	format_summary(&jb, LLMLOG_TOOL, &(struct llmlog_tool){
	    .tool_name = "git", .error = "exit\n1" });
	CU_ASSERT_STRING_EQUAL(jb.buf, "tool git failed: exit^J1");
	/* long text is cut for the console, at a character boundary */
	{
		char big[1200];

		for (int i = 0; i < 400; i++)
			memcpy(big + 3 * i, "\xe2\x82\xac", 3);
		big[1199] = '\0';
		jbuf_reset(&jb);
		format_summary(&jb, LLMLOG_LLM, &(struct llmlog_llm){
		    .provider = "p", .model = "m", .error = big });
		CU_ASSERT_EQUAL(strlen(jb.buf), strlen("llm call p/m failed: ") +
		    200 * 3 + 3);
		CU_ASSERT(valid_utf8(jb.buf));
	}
}

/* Caller-given numbers keep their value and kind. */
static void
test_json_numbers(void)
{
	json_object *d = json_object_new_object(), *o, *v;

	json_object_object_add(d, "a", json_object_new_double(0.1));
	json_object_object_add(d, "b", json_object_new_double(3));
	json_object_object_add(d, "c", json_object_new_double(1e300));
	json_object_object_add(d, "d", json_object_new_double(0.0 / 0.0));
	json_object_object_add(d, "e", json_object_new_int64(INT64_MIN));
	json_object_object_add(d, "f", json_object_new_uint64(UINT64_MAX));
	json_object_object_add(d, "g", json_object_new_double(1.0 / 3));
	jbuf_reset(&jb);
	format_metric(&jb, &(struct llmlog_metric){ .operation = "n",
	    .details = d, .when = WHEN }, LLMLOG_INFO);
	CU_ASSERT_PTR_NOT_NULL(strstr(line(), "\"details\":{\"a\":0.1,"
	    "\"b\":3.0,\"c\":1e+300,\"d\":null,\"e\":-9223372036854775808,"
	    "\"f\":18446744073709551615,\"g\":0.33333333333333331}"));
	o = parsed();
	CU_ASSERT(json_object_object_get_ex(o, "details", &v));
	CU_ASSERT(json_object_object_get_ex(v, "g", &v));
	CU_ASSERT_EQUAL(json_object_get_double(v), 1.0 / 3);
	json_object_put(o);
	json_object_put(d);
}

/* JSON nested deeper than FORMAT_MAX_DEPTH is cut there, and the line
 * says so where it was cut: the value is the string "[TOO DEEP]". */
static void
test_deep_json(void)
{
	json_object *root = json_object_new_array(), *cur = root, *o, *v;
	const char *l, *mark;
	int depth = 0;

	for (int i = 0; i < 200; i++) {
		json_object *next = json_object_new_array();

		json_object_array_add(cur, next);
		cur = next;
	}
	jbuf_reset(&jb);
	format_metric(&jb, &(struct llmlog_metric){ .operation = "deep",
	    .details = root, .when = WHEN }, LLMLOG_INFO);
	l = line();
	mark = strstr(l, "\"[TOO DEEP]\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mark);
	for (const char *p = strstr(l, "\"details\":"); p < mark; p++)
		depth += *p == '[';
	/* the arrays at depths 0 to FORMAT_MAX_DEPTH are kept */
	CU_ASSERT_EQUAL(depth, FORMAT_MAX_DEPTH + 1);
	o = parsed();
	CU_ASSERT(json_object_object_get_ex(o, "details", &v));
	for (int i = 0; i <= FORMAT_MAX_DEPTH; i++)
		v = json_object_array_get_idx(v, 0);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "[TOO DEEP]");
	json_object_put(o);
	/* at the limit nothing is cut */
	json_object_put(root);
	root = cur = json_object_new_array();
	for (int i = 0; i < FORMAT_MAX_DEPTH; i++) {
		json_object *next = json_object_new_array();

		json_object_array_add(cur, next);
		cur = next;
	}
	jbuf_reset(&jb);
	format_metric(&jb, &(struct llmlog_metric){ .operation = "deep",
	    .details = root, .when = WHEN }, LLMLOG_INFO);
	CU_ASSERT_PTR_NULL(strstr(line(), "TOO DEEP"));
	json_object_put(root);
}

/* A json-c string holds its length: a NUL inside it is written as
 * \u0000 with what follows, in details and in a string result. */
static void
test_json_nul(void)
{
	json_object *d = json_object_new_object(), *o, *v;
	json_object *r = json_object_new_string_len("x\0y", 3);

	json_object_object_add(d, "raw", json_object_new_string_len("a\0b",
	    3));
	jbuf_reset(&jb);
	format_tool(&jb, &(struct llmlog_tool){ .tool_name = "t",
	    .parameters = d, .result = r, .when = WHEN }, LLMLOG_INFO);
	CU_ASSERT_PTR_NOT_NULL(strstr(line(),
	    "\"parameters\":{\"raw\":\"a\\u0000b\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line(),
	    "\"result_summary\":\"x\\u0000y\""));
	o = parsed();
	CU_ASSERT(json_object_object_get_ex(o, "result_summary", &v));
	CU_ASSERT_EQUAL(json_object_get_string_len(v), 3);
	CU_ASSERT_EQUAL(memcmp(json_object_get_string(v), "x\0y", 3), 0);
	json_object_put(o);
	json_object_put(d);
	json_object_put(r);
}

/* A buffer that cannot grow says so and stays usable. */
static void
test_out_of_memory(void)
{
	struct jbuf b = { 0 };

	jbuf_lit(&b, "abc");
	CU_ASSERT(!jbuf_room(&b, SIZE_MAX - 8));
	CU_ASSERT(b.oom);
	jbuf_lit(&b, "more");
	CU_ASSERT(b.oom);
	CU_ASSERT_EQUAL(format_llm(&b, &(struct llmlog_llm){ .model = "m" },
	    LLMLOG_INFO), -1);
	jbuf_reset(&b);
	CU_ASSERT(!b.oom);
	CU_ASSERT_EQUAL(format_llm(&b, &(struct llmlog_llm){ .model = "m" },
	    LLMLOG_INFO), 0);
	jbuf_free(&b);
}

/* Random texts made of pieces of secrets, separators, multibyte and
 * invalid UTF-8: redaction is stable when repeated, every line parses,
 * is valid UTF-8, and summaries keep at most 500 characters. */
static void
test_random_text(void)
{
	static const char *const pieces[] = {
		"sk-", "abcdefghij0123456789", "password", "token", "=", ":",
		" ", "\"", "'", "\\", "\n", "-----BEGIN RSA PRIVATE KEY-----",
		"-----END RSA PRIVATE KEY-----", "eyJ", ".", "AKIA",
		"ABCDEFGHIJKLMNOP", "Bearer ", "ghp_", "xoxb-", "_", "-",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff",
		"\xc3", "\x1b", "[REDACTED]", "api_key", "x", "gsk_",
	};
	char text[2048], *once, *twice;
	size_t np = sizeof pieces / sizeof pieces[0], len;
	json_object *o;
	int bad = 0;

	for (int iter = 0; iter < 5000; iter++) {
		len = 0;
		for (unsigned k = util_rand_below(120); k > 0; k--) {
			const char *p = pieces[util_rand_below((unsigned)np)];
			size_t pl = strlen(p);

			if (len + pl >= sizeof text)
				break;
			memcpy(text + len, p, pl);
			len += pl;
		}
		text[len] = '\0';
		once = llmlog_redact(text);
		twice = llmlog_redact(once);
		if (strcmp(once, twice) != 0 && bad++ < 3)
			fprintf(stderr, "\nnot stable:\n%s\n%s\n%s\n", text,
			    once, twice);
		free(once);
		free(twice);
		jbuf_reset(&jb);
		format_interaction(&jb, &(struct llmlog_interaction){
		    .user_input = text, .response = text, .error = text,
		    .when = WHEN }, LLMLOG_ERROR);
		CU_ASSERT(valid_utf8(line()));
		o = json_tokener_parse(line());
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT(chars_of(field(o, "response_summary")) <= 500);
		json_object_put(o);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "interaction line", test_interaction },
		{ "system line", test_system },
		{ "tool line", test_tool },
		{ "llm line", test_llm },
		{ "security line", test_security },
		{ "metric line", test_metric },
		{ "timestamp now", test_timestamp_now },
		{ "numbers", test_numbers },
		{ "escaping", test_escaping },
		{ "truncation at UTF-8 boundaries", test_truncation_utf8 },
		{ "truncation of invalid UTF-8", test_truncation_invalid },
		{ "result truncation", test_result_truncation },
		{ "parameters truncation", test_parameters_truncation },
		{ "cut, then redacted", test_cut_then_redact },
		{ "cut, then redacted: random text", test_cut_random },
		{ "redaction cases", test_redact_cases },
		{ "secret keys", test_secret_keys },
		{ "no raw secrets", test_no_raw_secrets },
		{ "console summary", test_summary },
		{ "json numbers", test_json_numbers },
		{ "deep json", test_deep_json },
		{ "NUL in a json-c string", test_json_nul },
		{ "out of memory", test_out_of_memory },
		{ "random text", test_random_text },
		{ NULL, NULL },
	};
	int status;

	snprintf(pidtext, sizeof pidtext, "%ld", (long)getpid());
	status = util_run("format", tests);
	jbuf_free(&jb);
	return status;
}
