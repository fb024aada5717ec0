/*
 * virtio_console.c — a one-port virtio console on stdin/stdout (see
 * host/virtio_console.h).
 *
 * Transmit: each chain's readable bytes are written to out_fd; used
 * length 0 (the device writes nothing into a transmit buffer).
 * Receive: when in_fd is readable and the driver has a receive buffer, one
 * read() fills it; with no buffer the device stops watching in_fd until
 * the driver adds one (a notification on receiveq0), so the I/O thread
 * never spins on input it cannot deliver.  End of input is final.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "host/error.h"
#include "host/trace.h"
#include "host/virtio_console.h"

#define INPUT_CHUNK     4096

struct virtio_console {
	struct virtio_device dev;
	int out_fd;
	bool input_ended;
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

static void process_queue(struct virtio_device *dev, unsigned int q)
{
	if (q == VIRTIO_CONSOLE_TRANSMITQ)
		virtio_process_chains(dev, q, transmit);
	else if (!console_of(dev)->input_ended)
		virtio_watch_backend(dev, true);        /* new receive buffers */
}

static void receive(struct virtio_device *dev)
{
	struct virtio_console *con = console_of(dev);
	uint8_t buf[INPUT_CHUNK];

	if (!virtio_take_chain(dev, VIRTIO_CONSOLE_RECEIVEQ)) {
		virtio_watch_backend(dev, false);       /* until the driver adds buffers */
		return;
	}
	if (dev->chain.writable_bytes == 0) {
		virtio_report(dev, "receive buffer at descriptor %u has no device-writable "
			      "bytes; returned empty", dev->chain.head);
		virtio_complete(dev, VIRTIO_CONSOLE_RECEIVEQ, dev->chain.head, 0);
		return;
	}
	size_t room = dev->chain.writable_bytes < sizeof(buf) ? dev->chain.writable_bytes
							      : sizeof(buf);
	ssize_t n = read(dev->backend_fd, buf, room);

	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		virtqueue_unpop(&dev->queues[VIRTIO_CONSOLE_RECEIVEQ]);
		return;
	}
	if (n <= 0) {                   /* end of input, or it failed: no more input */
		virtqueue_unpop(&dev->queues[VIRTIO_CONSOLE_RECEIVEQ]);
		con->input_ended = true;
		virtio_watch_backend(dev, false);
		return;
	}
	vq_chain_write(&dev->chain, 0, buf, (size_t)n);
	TRACE("%s received %zd bytes", dev->name, n);
	virtio_complete(dev, VIRTIO_CONSOLE_RECEIVEQ, dev->chain.head, (uint32_t)n);
}

static void destroy(struct virtio_device *dev)
{
	struct virtio_console *con = dev->backend;

	if (con->out_fd > STDERR_FILENO)        /* an out=FILE of ours, not stdout */
		close(con->out_fd);
	free(con);
}

static const struct virtio_device_ops console_ops = {
	.process_queue = process_queue,
	.backend_ready = receive,
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
	con->out_fd = out_fd;
	con->dev.backend_fd = in_fd;
	con->input_ended = in_fd < 0;
	/* cols, rows, max_nr_ports, emerg_wr: meaningful only with features
	 * we do not offer; present (as zeros) for drivers that read them. */
	con->dev.config_size = sizeof(struct virtio_console_config);
	return &con->dev;
}
