/*
 * virtio_console.c — a one-port virtio console on stdin/stdout or files
 * (see host/virtio_console.h).
 *
 * Transmit: each chain's readable bytes are written to out_fd; used
 * length 0 (the device writes nothing into a transmit buffer).
 *
 * Receive: one read() of input fills one receive buffer.  How the device
 * learns that input is there depends on what in_fd is:
 *   - a terminal, pipe, FIFO or socket: the I/O thread's epoll watches it
 *     while the driver has receive buffers; with none left the device
 *     stops watching until the driver adds some (a notification on
 *     receiveq0), so the I/O thread never spins on input it cannot deliver;
 *   - a regular file (or /dev/null): epoll refuses those (EPERM), because
 *     their reads never wait.  The device reads such input directly
 *     whenever the driver offers receive buffers, until they or the input
 *     run out.
 * End of input (read() returns 0: the end of the file, the last writer of
 * a FIFO gone) is final.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "host/error.h"
#include "host/trace.h"
#include "host/virtio_console.h"

#define INPUT_CHUNK     4096

struct virtio_console {
	struct virtio_device dev;
	int in_fd;                      /* -1: no input */
	int out_fd;
	bool read_directly;             /* in_fd cannot be polled: read it when buffers come */
	bool input_ended;
};

/* What one attempt to move input into a receive buffer came to. */
enum input_result {
	INPUT_DELIVERED,                /* a buffer was used (and returned) */
	INPUT_NO_BUFFER,                /* the driver has no receive buffer posted */
	INPUT_NOT_NOW,                  /* no input waiting at the moment */
	INPUT_ENDED,                    /* end of input: there will be no more */
};

static struct virtio_console *console_of(struct virtio_device *dev)
{
	return dev->backend;
}

static void write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;         /* output gone (closed pipe): drop it, as the UART does */
		p += n;
		len -= (size_t)n;
	}
}

static uint32_t transmit(struct virtio_device *dev, struct virtqueue *vq, struct vq_chain *chain)
{
	struct virtio_console *con = console_of(dev);

	(void)vq;
	for (unsigned int i = 0; i < chain->readable; i++)
		write_all(con->out_fd, chain->seg[i].host, chain->seg[i].len);
	return 0;
}

/* One read() of input into the next receive buffer. */
static enum input_result receive_one(struct virtio_console *con)
{
	struct virtio_device *dev = &con->dev;
	uint8_t buf[INPUT_CHUNK];

	if (!virtio_take_chain(dev, VIRTIO_CONSOLE_RECEIVEQ))
		return INPUT_NO_BUFFER;
	if (dev->chain.writable_bytes == 0) {
		virtio_report(dev, "receive buffer at descriptor %u has no device-writable "
			      "bytes; returned empty", dev->chain.head);
		virtio_complete(dev, VIRTIO_CONSOLE_RECEIVEQ, dev->chain.head, 0);
		return INPUT_DELIVERED;
	}
	size_t room = dev->chain.writable_bytes < sizeof(buf) ? dev->chain.writable_bytes
							      : sizeof(buf);
	ssize_t n = read(con->in_fd, buf, room);

	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		virtqueue_unpop(&dev->queues[VIRTIO_CONSOLE_RECEIVEQ]);
		return INPUT_NOT_NOW;
	}
	if (n <= 0) {                   /* end of input, or it failed: no more input */
		virtqueue_unpop(&dev->queues[VIRTIO_CONSOLE_RECEIVEQ]);
		TRACE("%s: end of input", dev->name);
		con->input_ended = true;
		return INPUT_ENDED;
	}
	vq_chain_write(&dev->chain, 0, buf, (size_t)n);
	TRACE("%s received %zd bytes", dev->name, n);
	virtio_complete(dev, VIRTIO_CONSOLE_RECEIVEQ, dev->chain.head, (uint32_t)n);
	return INPUT_DELIVERED;
}

/* The I/O thread saw polled input readable: one read per wakeup (epoll
 * reports it again while more is waiting). */
static void input_ready(struct virtio_device *dev)
{
	enum input_result r = receive_one(console_of(dev));

	if (r == INPUT_NO_BUFFER || r == INPUT_ENDED)
		virtio_watch_backend(dev, false);       /* until buffers come, or for good */
}

/* Input that cannot be polled never makes us wait: fill every buffer the
 * driver has posted, or stop at the end of the input. */
static void read_input_directly(struct virtio_console *con)
{
	while (receive_one(con) == INPUT_DELIVERED)
		;
}

static void process_queue(struct virtio_device *dev, unsigned int q)
{
	struct virtio_console *con = console_of(dev);

	if (q == VIRTIO_CONSOLE_TRANSMITQ)
		virtio_process_chains(dev, q, transmit);
	else if (con->input_ended)
		return;                                 /* new buffers, but nothing to put in them */
	else if (con->read_directly)
		read_input_directly(con);
	else
		virtio_watch_backend(dev, true);        /* new receive buffers: watch the input */
}

static void destroy(struct virtio_device *dev)
{
	struct virtio_console *con = dev->backend;

	if (con->in_fd > STDERR_FILENO)         /* an in=FILE of ours, not stdin */
		close(con->in_fd);
	if (con->out_fd > STDERR_FILENO)        /* an out=FILE of ours, not stdout */
		close(con->out_fd);
	free(con);
}

/* Whether epoll can watch fd.  It refuses (EPERM) regular files and
 * devices such as /dev/null, whose reads never wait; those, and a
 * descriptor that is not open at all, are read directly. */
static bool pollable(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int epoll_fd = epoll_create1(EPOLL_CLOEXEC);

	if (epoll_fd < 0)
		return true;    /* cannot tell: the I/O thread's own epoll will say */
	bool ok = epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;

	close(epoll_fd);
	return ok;
}

static const struct virtio_device_ops console_ops = {
	.process_queue = process_queue,
	.backend_ready = input_ready,
	.destroy = destroy,
};

struct virtio_device *virtio_console_create(unsigned int index, int in_fd, int out_fd,
					    char *err, size_t err_len)
{
	static const char *const queue_names[] = { "receiveq0", "transmitq0" };
	struct virtio_console *con = calloc(1, sizeof(*con));
	char name[VIRTIO_NAME_MAX];

	if (con == NULL) {
		error_set(err, err_len, "out of memory");
		return NULL;
	}
	snprintf(name, sizeof(name), "virtio-console%u", index);
	virtio_device_init(&con->dev, name, VIRTIO_ID_CONSOLE, 0, 2, queue_names,
			   VIRTIO_CONSOLE_QUEUE_SIZE, &console_ops, con);
	con->in_fd = in_fd;
	con->out_fd = out_fd;
	con->input_ended = in_fd < 0;
	con->read_directly = in_fd >= 0 && !pollable(in_fd);
	if (in_fd >= 0 && !con->read_directly)
		con->dev.backend_fd = in_fd;    /* the I/O thread watches it */
	else if (con->read_directly)
		TRACE("%s: input fd %d cannot be polled (a regular file?): read whenever "
		      "the driver posts receive buffers", name, in_fd);
	/* cols, rows, max_nr_ports, emerg_wr: meaningful only with features
	 * we do not offer; present (as zeros) for drivers that read them. */
	con->dev.config_size = sizeof(struct virtio_console_config);
	return &con->dev;
}
