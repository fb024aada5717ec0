/*
 * iothread.h — pvkit-hv's one I/O thread: an epoll loop over file
 * descriptors (the virtqueues' notification eventfds, the backends'
 * sockets and terminals), calling a handler when one becomes readable.
 *
 * Why one thread: the vCPU thread should go back into KVM_RUN as soon as
 * possible, so device work (disk reads, packets) happens elsewhere; and one
 * thread for all devices keeps the locking simple (each handler takes its
 * device's lock) while a guest with one vCPU rarely keeps two devices busy
 * at once.  The thread blocks every signal, so SIGALRM ticks and SIGINT
 * always interrupt the vCPU thread's KVM_RUN, never this thread.
 */
#ifndef PVKIT_HOST_IOTHREAD_H
#define PVKIT_HOST_IOTHREAD_H

#include <stdbool.h>
#include <stddef.h>

#define IOTHREAD_MAX_FDS 64

typedef void iothread_handler_fn(void *opaque);

struct iothread;

struct iothread *iothread_create(char *err, size_t err_len);
/* Watches fd (for reading) and calls handler(opaque) on the I/O thread
 * whenever it is readable; false if the table is full or epoll refuses. */
bool iothread_add(struct iothread *t, int fd, iothread_handler_fn *handler, void *opaque);
/* Pauses or resumes watching fd (which must have been added). */
void iothread_watch(struct iothread *t, int fd, bool watch);
bool iothread_start(struct iothread *t, char *err, size_t err_len);
/* Stops the thread and waits for it: afterwards no handler runs. */
void iothread_stop(struct iothread *t);
void iothread_destroy(struct iothread *t);

#endif
