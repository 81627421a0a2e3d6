/*
 * faultinject.c - an LD_PRELOAD shim that makes writes to log files fail
 * while a control file exists, so tests can switch a full disk or an I/O
 * error on and off under a running writer.
 *
 *   LLMLOG_FAULT_CTL=path   while this file exists, faults are on; its
 *                           first word says which: ENOSPC or EIO (writes to
 *                           log files fail), EACCES (opening them fails),
 *                           SIGUSR1 (each write to a log file raises SIGUSR1
 *                           in the writing thread first, then is made: a
 *                           signal handler that runs inside the library)
 *
 * Only files named *.log or *.log.N are affected.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);
int open(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);

static void
resolve(void)
{
	if (real_write != NULL)
		return;
	real_writev = (ssize_t (*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
	real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
}

static int
is_log_name(const char *path)
{
	const char *p = strstr(path, ".log");

	if (p == NULL)
		return 0;
	while (p != NULL && p[4] != '\0' && p[4] != '.')
		p = strstr(p + 1, ".log");
	return p != NULL;
}

static int
is_log_fd(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	if (fd <= 2)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return is_log_name(path);
}

/* Not an errno: the control file asks for SIGUSR1. */
#define FAULT_SIGNAL (-1)

/* The errno the control file asks for, FAULT_SIGNAL, or 0 when faults are
 * off. */
static int
fault(void)
{
	const char *ctl = getenv("LLMLOG_FAULT_CTL");
	char what[16] = "";
	int fd, saved = errno;
	ssize_t n;

	if (ctl == NULL)
		return 0;
	fd = real_open(ctl, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = saved;
		return 0;
	}
	n = read(fd, what, sizeof what - 1);
	close(fd);
	errno = saved;
	if (n > 0 && strncmp(what, "ENOSPC", 6) == 0)
		return ENOSPC;
	if (n > 0 && strncmp(what, "EACCES", 6) == 0)
		return EACCES;
	if (n > 0 && strncmp(what, "SIGUSR1", 7) == 0)
		return FAULT_SIGNAL;
	return EIO;
}

/* Whether a write to fd is to fail, with errno set; raises the signal
 * first when that is the fault. */
static int
write_fails(int fd)
{
	int err;

	if (!is_log_fd(fd) || (err = fault()) == 0 || err == EACCES)
		return 0;
	if (err == FAULT_SIGNAL) {
		int saved = errno;

		raise(SIGUSR1);
		errno = saved;
		return 0;
	}
	errno = err;
	return 1;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	resolve();
	if (write_fails(fd))
		return -1;
	return real_write(fd, buf, n);
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	resolve();
	if (write_fails(fd))
		return -1;
	return real_writev(fd, iov, iovcnt);
}

static int
open_fault(const char *path, int flags)
{
	return (flags & (O_WRONLY | O_RDWR)) && is_log_name(path) &&
	    fault() == EACCES;
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	resolve();
	va_start(ap, flags);
	mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	if (open_fault(path, flags)) {
		errno = EACCES;
		return -1;
	}
	return real_open(path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	resolve();
	va_start(ap, flags);
	mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	if (open_fault(path, flags)) {
		errno = EACCES;
		return -1;
	}
	return real_openat(dirfd, path, flags, mode);
}
