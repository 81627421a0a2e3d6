/*
 * bench-format.c - what building one line costs, without any writing:
 * formats N entries of each category (fields of a typical size) into a
 * reused buffer and prints nanoseconds of thread CPU time per entry, the
 * best of five runs; then the CPU time llmlog_redact() takes on a
 * megabyte of each of a set of hostile pieces (linear redaction takes
 * milliseconds; a scan that reads back to the start of a word, a line or
 * the text at each trigger byte takes minutes).  Built by make bench or
 * make -C tests bench-programs, never by make check:
 *     tests/bench-format [N]
 */
#include "config.h"

#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llmlog.h"

static double
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static const char *const tools[] = { "list_directory", "get_file_info", NULL };
static json_object *params, *result;

static int
one(struct jbuf *jb, int kind, int i)
{
	switch (kind) {
	case 0:
		return format_interaction(jb, &(struct llmlog_interaction){
		    .user_input = "list files in current directory",
		    .response = "Here are the files: file1.txt, file2.txt, "
		    "notes.md and 3 more in /home/user/projects",
		    .tool_calls = tools, .duration_ms = 234.5 + i % 7 },
		    LLMLOG_INFO);
	case 1:
		return format_llm(jb, &(struct llmlog_llm){ .provider = "groq",
		    .model = "llama3-70b-8192", .prompt_tokens = 150 + i % 100,
		    .completion_tokens = 80, .duration_ms = 1234.5 },
		    LLMLOG_INFO);
	case 2:
		return format_tool(jb, &(struct llmlog_tool){
		    .tool_name = "list_directory", .tool_server = "filesystem",
		    .parameters = params, .result = result,
		    .duration_ms = 12.25 }, LLMLOG_INFO);
	default:
		return format_security(jb, &(struct llmlog_security){
		    .event_type = "permission_check", .resource = "/etc/passwd",
		    .action = "read", .reason = "Outside allowed directories" },
		    LLMLOG_WARNING);
	}
}

#define HOSTILE_BYTES (1 << 20)

static void
hostile(void)
{
	static const char *const pieces[] = {
		"a_", "AAAA", "bb", "eyJ", "sk-", "-p ", "mysql -p ",
		"--password ", "curl -u a:", "sshpass -p 'x ", "password='",
		"trace_id='x ", "\"value\":\"", "\"value\":", "a:a:", "k: ",
		"a=", "Bearer ", "Basic dXNlcjpw", "Cookie: a=1; ",
		"password:\n", "-----END RSA PRIVATE KEY-----",
		"openssl -passin \"x ", "https://a:", "AC0123456789abcdef",
	};
	char *text = malloc(HOSTILE_BYTES + 1);

	if (text == NULL)
		return;
	printf("redaction of 1 MiB of one piece repeated (CPU ms):\n");
	for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
		size_t len = strlen(pieces[i]);
		double t0;
		char *out;

		for (size_t k = 0; k < HOSTILE_BYTES; k++)
			text[k] = pieces[i][k % len];
		text[HOSTILE_BYTES] = '\0';
		t0 = cpu_ns();
		out = llmlog_redact(text);
		printf("  %-32.*s %8.1f\n", (int)strcspn(pieces[i], "\n"),
		    pieces[i], (cpu_ns() - t0) / 1e6);
		free(out);
	}
	free(text);
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "user", "llm", "tool", "security" };
	int n = argc > 1 ? atoi(argv[1]) : 200000;
	struct jbuf jb = { 0 };

	params = json_tokener_parse("{\"path\":\"/home/user\",\"recursive\":false}");
	result = json_tokener_parse("{\"files\":[\"file1.txt\",\"file2.txt\"]}");
	if (n <= 0)
		n = 200000;
	for (int kind = 0; kind < 4; kind++) {
		double best = 1e30, t0, t;
		size_t bytes = 0;

		for (int run = 0; run < 5; run++) {
			t0 = cpu_ns();
			for (int i = 0; i < n; i++) {
				jb.len = 0;
				if (one(&jb, kind, i) != 0)
					return 1;
			}
			t = (cpu_ns() - t0) / n;
			if (t < best)
				best = t;
			bytes = jb.len;
		}
		printf("%-9s %6.0f ns/entry  %4zu bytes/line\n", names[kind],
		    best, bytes);
	}
	json_object_put(params);
	json_object_put(result);
	jbuf_free(&jb);
	hostile();
	return 0;
}
