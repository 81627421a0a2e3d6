/*
 * fleet-line.c - write one user interaction whose input is BYTES long
 * through libllmlog into DIR (rotating as the simulator beside it does:
 * before MAX_BYTES, BACKUPS kept), for test-fleet.sh: the shipped lines
 * must include one far longer than a syslog message usually is.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmlog.h"

int
main(int argc, char **argv)
{
	struct llmlog_config cfg = { 0 };
	struct llmlog *lg;
	char *text;
	long n;
	int rc;

	if (argc != 5 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: fleet-line DIR BYTES MAX_BYTES BACKUPS\n");
		return 2;
	}
	cfg.dir = argv[1];
	cfg.max_bytes = strtoll(argv[3], NULL, 10);
	cfg.backups = atoi(argv[4]);
	if ((lg = llmlog_open(&cfg)) == NULL || (text = malloc(n + 1)) == NULL) {
		perror("fleet-line");
		return 1;
	}
	for (long i = 0; i < n; i++)
		text[i] = "long input, "[i % 12];
	text[n] = '\0';
	rc = llmlog_interaction(lg, .user_input = text, .response = "ok",
	    .duration_ms = 1.0);
	free(text);
	return llmlog_close(lg) == 0 && rc == 0 ? 0 : 1;
}
