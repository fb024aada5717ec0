/*
 * fd_watch.c — a descriptor watcher thread (see host/fd_watch.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "host/error.h"
#include "host/fd_watch.h"

/* Waits until `fd` is readable or the stop eventfd is; false on stop. */
static bool wait_readable(struct fd_watch *w, int fd)
{
	struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
				 { .fd = w->stop_fd, .events = POLLIN } };

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return false;
		if (pfd[1].revents)
			return false;
		if (pfd[0].revents)
			return true;
	}
}

static void *loop(void *arg)
{
	struct fd_watch *w = arg;
	uint64_t count;

	for (;;) {
		if (!wait_readable(w, w->arm_fd) || read(w->arm_fd, &count, sizeof(count)) < 0)
			return NULL;
		if (!wait_readable(w, w->fd))
			return NULL;
		w->kick(w->opaque);
	}
}

bool fd_watch_start(struct fd_watch *w, int fd, void (*kick)(void *opaque), void *opaque,
		    char *err, size_t err_len)
{
	sigset_t all, old;

	*w = (struct fd_watch){ .fd = fd, .arm_fd = -1, .stop_fd = -1, .kick = kick,
				.opaque = opaque };
	w->arm_fd = eventfd(1, EFD_CLOEXEC);    /* armed from the start */
	w->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (w->arm_fd < 0 || w->stop_fd < 0) {
		fd_watch_stop(w);
		return error_set(err, err_len, "eventfd: %s", strerror(errno));
	}
	/* The thread inherits this mask: it never takes our signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, loop, w);

	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		fd_watch_stop(w);
		return error_set(err, err_len, "cannot start the watcher thread: %s", strerror(rc));
	}
	w->running = true;
	return true;
}

void fd_watch_rearm(struct fd_watch *w)
{
	uint64_t one = 1;

	if (w->running && write(w->arm_fd, &one, sizeof(one)) < 0)
		return;         /* the counter is full: armed already */
}

void fd_watch_stop(struct fd_watch *w)
{
	uint64_t one = 1;

	if (w->running && write(w->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(w->thread, NULL);
	w->running = false;
	if (w->arm_fd >= 0)
		close(w->arm_fd);
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	w->arm_fd = w->stop_fd = -1;
}
