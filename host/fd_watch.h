/*
 * fd_watch.h — a thread that tells another one when a descriptor has
 * something to read, once per arming.
 *
 * pvkit-hv's Xen backends run on the vCPU thread (host/xen.c), which sits
 * in KVM_RUN while the guest runs; a frame arriving for the guest's
 * netfront must bring it out.  The watcher polls the link's descriptor
 * and, when it is readable, calls kick() (which signals the vCPU thread)
 * and then waits to be re-armed: the owner re-arms it once it has taken
 * what it could, so a descriptor that stays readable (no receive buffer
 * posted) does not make the watcher spin.
 */
#ifndef PVKIT_HOST_FD_WATCH_H
#define PVKIT_HOST_FD_WATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct fd_watch {
	int fd;                 /* watched */
	int arm_fd;             /* eventfd: "watch again" */
	int stop_fd;            /* eventfd: "end the thread" */
	void (*kick)(void *opaque);
	void *opaque;
	pthread_t thread;
	bool running;
};

/* Starts watching fd, armed.  False + a message when out of resources. */
bool fd_watch_start(struct fd_watch *w, int fd, void (*kick)(void *opaque), void *opaque,
		    char *err, size_t err_len);
/* Watch again after a kick. */
void fd_watch_rearm(struct fd_watch *w);
/* Ends the thread; safe after a failed start. */
void fd_watch_stop(struct fd_watch *w);

#endif
