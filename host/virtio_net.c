/*
 * virtio_net.c — virtio-net with a UDP or TAP backend (see
 * host/virtio_net.h).
 *
 * Both backends are a file descriptor on which one read() or recv() is one
 * Ethernet frame and one write() or send() sends one, so the device code is
 * the same for both; only setting them up differs.
 *
 * Receiving is driven by the backend: when the descriptor is readable the
 * I/O thread takes a receive buffer, reads one frame into a bounce buffer
 * and copies header + frame into the chain.  With no receive buffer left
 * the device stops watching the descriptor (frames wait in the socket's
 * queue, or the kernel drops them when it is full, as a real NIC would)
 * until the driver posts more and notifies receiveq.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "host/error.h"
#include "host/packet_link.h"
#include "host/trace.h"
#include "host/virtio_net.h"

#define HEADER_SIZE     sizeof(struct virtio_net_hdr_v1)
#define RX_BATCH        64      /* frames per wakeup, so one busy device cannot hog the thread */

struct virtio_net {
	struct virtio_device dev;
	struct packet_link link;
	uint64_t rx_frames, tx_frames, rx_dropped;
	uint8_t frame[VIRTIO_NET_FRAME_MAX];
};

static struct virtio_net *net_of(struct virtio_device *dev)
{
	return dev->backend;
}

/* ---- transmit ------------------------------------------------------------ */

static uint32_t transmit(struct virtio_device *dev, struct virtqueue *vq, struct vq_chain *chain)
{
	struct virtio_net *net = net_of(dev);

	(void)vq;
	if (chain->readable_bytes < HEADER_SIZE ||
	    chain->readable_bytes - HEADER_SIZE > sizeof(net->frame)) {
		virtio_report(dev, "transmit chain at descriptor %u has %" PRIu64 " bytes: not a "
			      "%zu-byte header and a frame of at most %zu; dropped", chain->head,
			      chain->readable_bytes, HEADER_SIZE, sizeof(net->frame));
		return 0;
	}
	size_t len = vq_chain_read(chain, HEADER_SIZE, net->frame,
				   chain->readable_bytes - HEADER_SIZE);
	ssize_t n = packet_link_send(&net->link, net->frame, len);

	/* A peer that is not listening (ECONNREFUSED) or a full queue loses
	 * the frame, as a cable would: not the guest's fault. */
	TRACE("%s transmit %zu bytes%s", dev->name, len, n < 0 ? " (lost)" : "");
	net->tx_frames++;
	return 0;
}

/* ---- receive ------------------------------------------------------------- */

/* One frame into the chain already taken; false when none is waiting. */
static bool receive_one(struct virtio_net *net)
{
	struct virtio_device *dev = &net->dev;
	struct virtio_net_hdr_v1 header = { .num_buffers = htole16(1) };
	ssize_t n = packet_link_receive(&net->link, net->frame, sizeof(net->frame));

	if (n < 0)
		return false;           /* EAGAIN: nothing more; other errors: try later */
	if (HEADER_SIZE + (uint64_t)n > dev->chain.writable_bytes) {
		net->rx_dropped++;
		virtio_report(dev, "receive buffer at descriptor %u holds %" PRIu64 " bytes, too "
			      "small for a %zd-byte frame and its header; frame dropped",
			      dev->chain.head, dev->chain.writable_bytes, n);
		virtqueue_unpop(&dev->queues[VIRTIO_NET_RECEIVEQ]);
		return true;
	}
	vq_chain_write(&dev->chain, 0, &header, HEADER_SIZE);
	vq_chain_write(&dev->chain, HEADER_SIZE, net->frame, (size_t)n);
	virtqueue_push(&dev->queues[VIRTIO_NET_RECEIVEQ], dev->chain.head,
		       (uint32_t)(HEADER_SIZE + (size_t)n));
	TRACE("%s receive %zd bytes", dev->name, n);
	net->rx_frames++;
	return true;
}

static void receive(struct virtio_device *dev)
{
	struct virtio_net *net = net_of(dev);
	bool delivered = false;

	for (int i = 0; i < RX_BATCH; i++) {
		if (!virtio_take_chain(dev, VIRTIO_NET_RECEIVEQ)) {
			virtio_watch_backend(dev, false);       /* until buffers come */
			break;
		}
		uint16_t used_before = dev->queues[VIRTIO_NET_RECEIVEQ].used_idx;

		if (!receive_one(net)) {
			virtqueue_unpop(&dev->queues[VIRTIO_NET_RECEIVEQ]);
			break;
		}
		delivered |= dev->queues[VIRTIO_NET_RECEIVEQ].used_idx != used_before;
	}
	if (delivered)
		virtio_interrupt_if_wanted(dev, VIRTIO_NET_RECEIVEQ);
}

static void process_queue(struct virtio_device *dev, unsigned int q)
{
	if (q == VIRTIO_NET_TRANSMITQ)
		virtio_process_chains(dev, q, transmit);
	else
		virtio_watch_backend(dev, true);        /* new receive buffers */
}

static void destroy(struct virtio_device *dev)
{
	struct virtio_net *net = net_of(dev);

	packet_link_close(&net->link);
	free(net);
}

static const struct virtio_device_ops net_ops = {
	.process_queue = process_queue,
	.backend_ready = receive,
	.destroy = destroy,
};

/* ---- set-up --------------------------------------------------------------- */

struct virtio_device *virtio_net_create_on_fd(int fd, const uint8_t mac[VIRTIO_NET_MAC_LEN],
					      unsigned int index, char *err, size_t err_len)
{
	static const char *const queue_names[] = { "receiveq", "transmitq" };
	struct virtio_net *net = calloc(1, sizeof(*net));
	char name[VIRTIO_NAME_MAX];
	uint16_t link_up = htole16(VIRTIO_NET_S_LINK_UP);

	if (net == NULL) {
		error_set(err, err_len, "out of memory");
		return NULL;
	}
	snprintf(name, sizeof(name), "virtio-net%u", index);
	virtio_device_init(&net->dev, name, VIRTIO_ID_NET,
			   (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS), 2,
			   queue_names, VIRTIO_NET_QUEUE_SIZE, &net_ops, net);
	packet_link_on_fd(&net->link, fd);
	net->dev.backend_fd = fd;
	memcpy(net->dev.config + offsetof(struct virtio_net_config, mac), mac,
	       VIRTIO_NET_MAC_LEN);
	memcpy(net->dev.config + offsetof(struct virtio_net_config, status), &link_up,
	       sizeof(link_up));
	net->dev.config_size = offsetof(struct virtio_net_config, max_virtqueue_pairs);
	return &net->dev;
}

struct virtio_device *virtio_net_create(const struct virtio_net_params *params,
					unsigned int index, char *err, size_t err_len)
{
	struct packet_link link;

	if (!packet_link_open(&link, &params->link, err, err_len))
		return NULL;
	struct virtio_device *dev = virtio_net_create_on_fd(link.fd, params->mac, index, err,
							    err_len);

	if (dev == NULL) {
		packet_link_close(&link);
		return NULL;
	}
	net_of(dev)->link = link;       /* with the udp peer's address */
	return dev;
}
