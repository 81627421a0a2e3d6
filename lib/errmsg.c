/*
 * errmsg.c - the calling thread's last error message, behind
 * llmlog_errmsg().  Kept apart from the handle (log.c) so that every part
 * of the library, the files and the queue included, can set it without
 * calling up into the code that owns them.
 */
#include "config.h"

#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#define ERRMSG_SIZE 512

static __thread char errmsg[ERRMSG_SIZE];

int
errmsg_set(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof errmsg, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

const char *
llmlog_errmsg(void)
{
	return errmsg;
}
