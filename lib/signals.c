/*
 * signals.c - no signal the library causes may end its host.  Two system
 * calls it makes can raise one at the calling thread: a write past the
 * process's file size limit raises SIGXFSZ, a write to a pipe whose reader
 * is gone raises SIGPIPE, and the default action of both ends the process.
 * MSG_NOSIGNAL is for sockets only, so such a write is made with the signal
 * blocked: it then fails with EFBIG or EPIPE, and the signal it left
 * pending is taken back before the mask is restored.
 */
#include "config.h"

#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

void
sig_block(struct sig_guard *g, int sig)
{
	sigset_t set, pending;

	if (g->sig != 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (pthread_sigmask(SIG_BLOCK, &set, &g->old) != 0)
		return;
	/* one pending already is the host's (it blocks the signal itself):
	 * a signal does not queue, so ours would be the same one */
	g->was_pending = sigpending(&pending) == 0 &&
	    sigismember(&pending, sig) == 1;
	g->sig = sig;
}

void
sig_restore(struct sig_guard *g)
{
	static const struct timespec now = { 0, 0 };
	sigset_t set, pending;
	int saved = errno;

	if (g->sig == 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, g->sig);
	if (!g->was_pending && sigpending(&pending) == 0 &&
	    sigismember(&pending, g->sig) == 1)
		(void)sigtimedwait(&set, NULL, &now);
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
	g->sig = 0;
	errno = saved;
}
