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
#include "host/trace.h"
#include "host/virtio_net.h"

#define HEADER_SIZE     sizeof(struct virtio_net_hdr_v1)
#define RX_BATCH        64      /* frames per wakeup, so one busy device cannot hog the thread */

struct virtio_net {
	struct virtio_device dev;
	int fd;
	struct sockaddr_storage remote; /* udp: where frames go; tap: unused */
	socklen_t remote_len;
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
	ssize_t n = net->remote_len > 0 ?
		sendto(net->fd, net->frame, len, 0, (struct sockaddr *)&net->remote,
		       net->remote_len) :
		write(net->fd, net->frame, len);

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
	ssize_t n = read(net->fd, net->frame, sizeof(net->frame));

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

	if (net->fd >= 0)
		close(net->fd);
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
	net->fd = fd;
	net->dev.backend_fd = fd;
	memcpy(net->dev.config + offsetof(struct virtio_net_config, mac), mac,
	       VIRTIO_NET_MAC_LEN);
	memcpy(net->dev.config + offsetof(struct virtio_net_config, status), &link_up,
	       sizeof(link_up));
	net->dev.config_size = offsetof(struct virtio_net_config, max_virtqueue_pairs);
	return &net->dev;
}

static bool is_loopback(const struct sockaddr_in *a)
{
	return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
}

/* The UDP socket: bound to LOCALPORT, frames sent to REMOTEHOST:REMOTEPORT. */
static int open_udp(const struct virtio_net_params *p, struct sockaddr_storage *remote,
		    socklen_t *remote_len, char *err, size_t err_len)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *found = NULL;
	char port[8];

	snprintf(port, sizeof(port), "%u", p->remote_port);
	int rc = getaddrinfo(p->remote_host, port, &hints, &found);

	if (rc != 0) {
		error_set(err, err_len, "udp: remote host '%s': %s", p->remote_host,
			  gai_strerror(rc));
		return -1;
	}
	memcpy(remote, found->ai_addr, found->ai_addrlen);
	*remote_len = found->ai_addrlen;
	freeaddrinfo(found);

	struct sockaddr_in local = {
		.sin_family = AF_INET, .sin_port = htons(p->local_port),
		.sin_addr.s_addr = htonl(is_loopback((struct sockaddr_in *)remote) ?
					 INADDR_LOOPBACK : INADDR_ANY),
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		error_set(err, err_len, "udp: cannot bind local port %u: %s", p->local_port,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int open_tap(const char *name, char *err, size_t err_len)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		error_set(err, err_len, "tap: cannot create TAP interface '%s': %s%s", name,
			  strerror(errno), errno == EPERM ? " (needs CAP_NET_ADMIN; use udp= "
			  "instead without privileges)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct virtio_device *virtio_net_create(const struct virtio_net_params *params,
					unsigned int index, char *err, size_t err_len)
{
	struct sockaddr_storage remote = { 0 };
	socklen_t remote_len = 0;
	int fd = params->backend == VIRTIO_NET_UDP ?
		open_udp(params, &remote, &remote_len, err, err_len) :
		open_tap(params->tap_name, err, err_len);

	if (fd < 0)
		return NULL;
	struct virtio_device *dev = virtio_net_create_on_fd(fd, params->mac, index, err, err_len);

	if (dev == NULL) {
		close(fd);
		return NULL;
	}
	struct virtio_net *net = net_of(dev);

	net->remote = remote;
	net->remote_len = remote_len;
	return dev;
}
