/*
 * fuzz-format.c - libFuzzer harness for the line builder: any bytes as
 * every text field and, when they parse, as JSON details, parameters and
 * result.  The line must parse back, be valid UTF-8 and end in one
 * newline; redacting twice must give what redacting once gave.
 */
#include "config.h"

#include "format.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_line(const struct jbuf *jb)
{
	json_object *o;
	size_t i = 0, len;

	if (jb->len == 0 || jb->buf[jb->len - 1] != '\n' ||
	    memchr(jb->buf, '\n', jb->len - 1) != NULL)
		abort();
	while (i < jb->len) {
		if ((len = utf8_seqlen((const unsigned char *)jb->buf + i,
		    jb->len - i)) == 0)
			abort();
		i += len;
	}
	if ((o = json_tokener_parse(jb->buf)) == NULL)
		abort();
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jbuf jb;
	char *text = malloc(size + 1), *once, *twice;
	json_object *j;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';	/* the text stops at the first NUL, as in C */
	once = llmlog_redact(text);
	twice = llmlog_redact(once);
	if (strcmp(once, twice) != 0)
		abort();
	free(once);
	free(twice);
	j = json_tokener_parse(text);

	jbuf_reset(&jb);
	format_interaction(&jb, &(struct llmlog_interaction){
	    .user_input = text, .response = text, .error = text,
	    .tool_calls = (const char *[]){ text, NULL }, .details = j },
	    LLMLOG_INFO);
	jbuf_char(&jb, '\0');
	jb.len--;
	check_line(&jb);
	jbuf_reset(&jb);
	format_tool(&jb, &(struct llmlog_tool){ .tool_name = text,
	    .tool_server = text, .parameters = j, .result = j,
	    .result_text = text }, LLMLOG_INFO);
	jbuf_char(&jb, '\0');
	jb.len--;
	check_line(&jb);
	jbuf_reset(&jb);
	format_security(&jb, &(struct llmlog_security){ .resource = text,
	    .reason = text }, LLMLOG_INFO);
	jbuf_char(&jb, '\0');
	jb.len--;
	check_line(&jb);
	jbuf_reset(&jb);
	format_summary(&jb, LLMLOG_USER, &(struct llmlog_interaction){
	    .user_input = text, .error = text });
	for (size_t i = 0; i + 1 < jb.len; i++)
		if ((unsigned char)jb.buf[i] < 0x20 || jb.buf[i] == 0x7f)
			abort();
	json_object_put(j);
	free(text);
	return 0;
}
