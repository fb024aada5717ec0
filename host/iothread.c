/*
 * iothread.c — the epoll loop of pvkit-hv's I/O thread (see host/iothread.h).
 *
 * Stopping: iothread_stop() writes to an eventfd that the loop watches like
 * any other; the loop sees it, returns, and the caller joins the thread.
 * Handlers are called one at a time, in the order epoll reports them.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "host/error.h"
#include "host/iothread.h"

#define EVENTS_PER_WAIT 16

struct watched_fd {
	int fd;
	iothread_handler_fn *handler;
	void *opaque;
	bool watched;                   /* in the epoll set right now */
};

struct iothread {
	int epoll_fd;
	int stop_fd;                    /* an eventfd: readable = stop */
	pthread_t thread;
	bool running;
	struct watched_fd fds[IOTHREAD_MAX_FDS];
	unsigned int count;
};

struct iothread *iothread_create(char *err, size_t err_len)
{
	struct iothread *t = calloc(1, sizeof(*t));

	if (t == NULL) {
		error_set(err, err_len, "out of memory");
		return NULL;
	}
	t->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	t->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->epoll_fd < 0 || t->stop_fd < 0) {
		error_set(err, err_len, "cannot create the I/O thread's epoll/eventfd: %s",
			  strerror(errno));
		iothread_destroy(t);
		return NULL;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };  /* NULL: stop */

	epoll_ctl(t->epoll_fd, EPOLL_CTL_ADD, t->stop_fd, &ev);
	return t;
}

bool iothread_add(struct iothread *t, int fd, iothread_handler_fn *handler, void *opaque)
{
	if (t->count == IOTHREAD_MAX_FDS) {
		errno = ENOSPC;
		return false;
	}
	struct watched_fd *w = &t->fds[t->count];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	*w = (struct watched_fd){ .fd = fd, .handler = handler, .opaque = opaque, .watched = true };
	if (epoll_ctl(t->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return false;
	t->count++;
	return true;
}

/*
 * Pausing takes fd out of the epoll set rather than clearing its event mask:
 * epoll reports EPOLLHUP and EPOLLERR whatever the mask says, so a pipe or
 * FIFO whose writer has gone would otherwise wake the loop again and again.
 */
void iothread_watch(struct iothread *t, int fd, bool watch)
{
	for (unsigned int i = 0; i < t->count; i++) {
		struct watched_fd *w = &t->fds[i];

		if (w->fd != fd)
			continue;
		if (w->watched == watch)
			return;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

		if (epoll_ctl(t->epoll_fd, watch ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev) == 0)
			w->watched = watch;
		return;
	}
}

static void *loop(void *arg)
{
	struct iothread *t = arg;
	struct epoll_event events[EVENTS_PER_WAIT];

	for (;;) {
		int n = epoll_wait(t->epoll_fd, events, EVENTS_PER_WAIT, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		for (int i = 0; i < n; i++) {
			struct watched_fd *w = events[i].data.ptr;

			if (w == NULL)
				return NULL;    /* iothread_stop */
			w->handler(w->opaque);
		}
	}
}

bool iothread_start(struct iothread *t, char *err, size_t err_len)
{
	sigset_t all, old;

	/* The new thread inherits this mask: it never takes our signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&t->thread, NULL, loop, t);

	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return error_set(err, err_len, "cannot start the I/O thread: %s", strerror(rc));
	t->running = true;
	return true;
}

void iothread_stop(struct iothread *t)
{
	uint64_t one = 1;

	if (t == NULL || !t->running)
		return;
	if (write(t->stop_fd, &one, sizeof(one)) != sizeof(one))
		return;         /* cannot happen with a fresh eventfd; do not join a runner */
	pthread_join(t->thread, NULL);
	t->running = false;
}

void iothread_destroy(struct iothread *t)
{
	if (t == NULL)
		return;
	iothread_stop(t);
	if (t->epoll_fd >= 0)
		close(t->epoll_fd);
	if (t->stop_fd >= 0)
		close(t->stop_fd);
	free(t);
}
