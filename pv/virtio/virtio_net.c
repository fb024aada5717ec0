/*
 * virtio_net.c — the virtio network device (virtio 1.2, 5.1) behind the
 * kernel's network-device interface (kernel/netdev.h), as "eth0", ...
 *
 * Two queues: receiveq1 (0), buffers the device fills with arriving frames,
 * and transmitq1 (1), buffers the device reads frames to send from.  Every
 * frame in either direction is preceded by a struct virtio_net_hdr_v1
 * (12 bytes with VIRTIO_F_VERSION_1): offload information, which we never
 * negotiate (no checksum offload, no GSO), so on transmit it is all zero
 * and on receive we only look at num_buffers.
 *
 *   one buffer, 2 KiB:  [ virtio_net_hdr_v1 (12) | Ethernet frame (<= 1514) | spare ]
 *
 * Receive: at probe time every descriptor of the receive ring gets an
 * empty buffer; each frame that comes back is checked, handed to the
 * netdev layer, and its buffer goes straight back into the ring, so the
 * device always has somewhere to put the next frame (a device with no
 * buffers drops frames, or makes the host queue them).  Receiving is
 * interrupt-driven in the NAPI style: the interrupt only turns further
 * interrupts off and wakes the CPU; netdev_poll() then takes the frames
 * and turns the interrupt back on when the ring is empty.
 *
 * Transmit: the frame is copied behind a zeroed header into a free
 * buffer, one device-readable descriptor, one kick.  Nothing waits for a
 * sent frame, so there is no transmit interrupt: buffers the device has
 * finished with are reclaimed at the next transmit or poll.
 *
 * The device is not trusted: the core checks every used entry (id in
 * flight, length no more than the buffer); here a frame shorter than the
 * header plus an Ethernet header, or longer than an Ethernet frame, is
 * dropped and counted, never handed up.
 */
#include <linux/virtio_net.h>

#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "kernel/netdev.h"
#include "kernel/page_alloc.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_net.h"

#define NET_RX_QUEUE            0       /* receiveq1 */
#define NET_TX_QUEUE            1       /* transmitq1 */
#define NET_QUEUE_SIZE          64      /* at most; the device may offer fewer */
#define NET_BUFFER_BYTES        VIRTIO_NET_BUFFER_BYTES /* header + largest frame, rounded up */
#define NET_HEADER_BYTES        sizeof(struct virtio_net_hdr_v1)
#define NET_FRAME_MAX           (NETDEV_ETH_HEADER_LEN + NETDEV_DEFAULT_MTU)
#define BUFFERS_PER_PAGE        (PAGE_SIZE / NET_BUFFER_BYTES)

/* A locally administered, unicast address for a device that has none:
 * bit 1 of the first byte set (local), bit 0 clear (unicast); then "pvk"
 * and the device's number. */
static const uint8_t default_mac_prefix[] = { 0x02, 'p', 'v', 'k', 0x00 };

struct virtio_net {
	struct netdev netdev;
	struct virtio_device *dev;
	struct virtqueue *rx, *tx;
	uint8_t *rx_buffers, *tx_buffers;       /* [ring size][NET_BUFFER_BYTES] */
	uint8_t **tx_free;                      /* stack of free transmit buffers */
	unsigned int tx_free_count;
	bool opened;
	char model[40];
	struct virtio_net_stats stats;
};

static unsigned int device_count;

static struct virtio_net *to_vnet(struct netdev *nd)
{
	return nd->driver_data;
}

static uint8_t *buffer_at(uint8_t *buffers, unsigned int i)
{
	return buffers + (size_t)i * NET_BUFFER_BYTES;
}

/* ---- interrupts and configuration ------------------------------------------------ */

/* Interrupt context: only note it and switch further interrupts off; the
 * interrupt has already woken whoever sleeps in platform->idle(), and
 * netdev_poll() does the work. */
static void rx_queue_callback(struct virtqueue *vq)
{
	struct virtio_net *vnet = vq->priv;

	vnet->stats.rx_interrupts++;
	virtqueue_disable_cb(vq);
}

static void read_link_status(struct virtio_net *vnet)
{
	uint16_t status = VIRTIO_NET_S_LINK_UP;

	if (virtio_has_feature(vnet->dev, VIRTIO_NET_F_STATUS))
		virtio_config_read(vnet->dev, offsetof(struct virtio_net_config, status),
				   &status, sizeof(status));
	vnet->netdev.link_up = status & VIRTIO_NET_S_LINK_UP;
}

static void net_config_changed(struct virtio_device *dev)
{
	struct virtio_net *vnet = dev->driver_data;

	vnet->stats.config_changes++;
	read_link_status(vnet);
}

static void net_broken(struct virtio_device *dev)
{
	struct virtio_net *vnet = dev->driver_data;

	if (vnet)
		vnet->netdev.link_up = false;
}

/* ---- receiving -------------------------------------------------------------------- */

static int post_rx_buffer(struct virtio_net *vnet, uint8_t *buffer)
{
	struct virtio_sg sg = { .addr = virt_to_phys(buffer), .len = NET_BUFFER_BYTES };

	return virtqueue_add(vnet->rx, &sg, 0, 1, buffer);
}

/* A used receive buffer: the frame inside it, or NULL (counted) when the
 * device's length cannot be right.  (The core has already refused a length
 * beyond the buffer.) */
const uint8_t *virtio_net_checked_frame(struct virtio_net_stats *stats,
					const uint8_t *buffer, uint32_t used_len,
					size_t *frame_len)
{
	const struct virtio_net_hdr_v1 *hdr = (const void *)buffer;

	if (used_len < NET_HEADER_BYTES + NETDEV_ETH_HEADER_LEN) {
		stats->rx_too_short++;
		return NULL;
	}
	if (used_len - NET_HEADER_BYTES > NET_FRAME_MAX) {
		stats->rx_too_long++;
		return NULL;
	}
	if (hdr->num_buffers > 1) {     /* only with VIRTIO_NET_F_MRG_RXBUF */
		stats->rx_merged++;
		return NULL;
	}
	*frame_len = used_len - NET_HEADER_BYTES;
	return buffer + NET_HEADER_BYTES;
}

/* Takes up to budget frames from the receive ring, hands the good ones up
 * and every buffer straight back to the device. */
static unsigned int receive_some(struct virtio_net *vnet, unsigned int budget)
{
	unsigned int delivered = 0;
	uint8_t *buffer;
	uint32_t used_len;

	while (delivered < budget && (buffer = virtqueue_get_buf(vnet->rx, &used_len))) {
		size_t frame_len = 0;
		const uint8_t *frame = virtio_net_checked_frame(&vnet->stats, buffer, used_len,
								&frame_len);

		if (frame) {
			netdev_deliver(&vnet->netdev, frame, frame_len);
			delivered++;
		} else {
			vnet->netdev.stats.rx_dropped++;
		}
		if (post_rx_buffer(vnet, buffer) == 0)
			vnet->stats.rx_refills++;
	}
	return delivered;
}

/* ---- transmitting ---------------------------------------------------------------- */

static void reclaim_tx(struct virtio_net *vnet)
{
	uint8_t *buffer;

	while ((buffer = virtqueue_get_buf(vnet->tx, NULL))) {
		vnet->tx_free[vnet->tx_free_count++] = buffer;
		vnet->stats.tx_completions++;
	}
}

static int net_transmit(struct netdev *nd, const void *frame, size_t len)
{
	struct virtio_net *vnet = to_vnet(nd);
	struct virtio_sg sg;
	uint8_t *buffer;
	int error;

	if (vnet->dev->broken)
		return -EIO;
	reclaim_tx(vnet);
	if (vnet->tx_free_count == 0) {
		vnet->stats.tx_ring_full++;
		return -ENOSPC;
	}
	buffer = vnet->tx_free[--vnet->tx_free_count];
	memset(buffer, 0, NET_HEADER_BYTES);    /* flags 0, VIRTIO_NET_HDR_GSO_NONE */
	memcpy(buffer + NET_HEADER_BYTES, frame, len);
	sg = (struct virtio_sg){ virt_to_phys(buffer), (uint32_t)(NET_HEADER_BYTES + len) };
	error = virtqueue_add(vnet->tx, &sg, 1, 0, buffer);
	if (error) {
		vnet->tx_free[vnet->tx_free_count++] = buffer;
		return error;
	}
	virtqueue_kick(vnet->tx);
	return 0;
}

/* ---- the netdev operations ------------------------------------------------------------ */

/* The buffers went into the ring at probe time, but a driver may not
 * notify a device before DRIVER_OK (3.1.1): this is the first notification. */
static int net_open(struct netdev *nd)
{
	struct virtio_net *vnet = to_vnet(nd);

	if (vnet->dev->broken)
		return -EIO;
	if (!vnet->opened) {
		vnet->opened = true;
		virtqueue_notify(vnet->rx);
	}
	return 0;
}

/*
 * Frames until the budget is spent or the ring is empty.  When it is
 * empty, interrupts go back on, and enable_cb tells us whether a frame
 * slipped in meanwhile (then we go round again rather than sleep on an
 * interrupt that was never going to come).
 */
static unsigned int net_poll(struct netdev *nd, unsigned int budget)
{
	struct virtio_net *vnet = to_vnet(nd);
	unsigned int delivered = 0;

	reclaim_tx(vnet);
	for (;;) {
		delivered += receive_some(vnet, budget - delivered);
		if (delivered == budget || vnet->dev->broken)
			break;
		if (virtqueue_enable_cb(vnet->rx))
			break;
		virtqueue_disable_cb(vnet->rx);
	}
	if (vnet->opened)
		virtqueue_kick(vnet->rx);       /* the refilled buffers */
	return delivered;
}

static const struct netdev_ops net_ops = {
	.open = net_open,
	.transmit = net_transmit,
	.poll = net_poll,
};

/* ---- probing ------------------------------------------------------------------------- */

static void read_mac(struct virtio_net *vnet, unsigned int number)
{
	if (virtio_has_feature(vnet->dev, VIRTIO_NET_F_MAC)) {
		virtio_config_read(vnet->dev, offsetof(struct virtio_net_config, mac),
				   vnet->netdev.mac, NETDEV_MAC_LEN);
		return;
	}
	memcpy(vnet->netdev.mac, default_mac_prefix, sizeof(default_mac_prefix));
	vnet->netdev.mac[NETDEV_MAC_LEN - 1] = (uint8_t)number;
}

static uint8_t *alloc_buffers(unsigned int count)
{
	uint64_t pages = (count + BUFFERS_PER_PAGE - 1) / BUFFERS_PER_PAGE;
	uint64_t paddr = page_alloc(pages);

	return paddr ? phys_to_virt(paddr) : NULL;
}

/* Queues, then buffers for every slot: receive buffers into the ring,
 * transmit buffers onto the free stack. */
static int setup_queues(struct virtio_net *vnet)
{
	vnet->rx = virtqueue_create(vnet->dev, NET_RX_QUEUE, NET_QUEUE_SIZE,
				    rx_queue_callback);
	vnet->tx = virtqueue_create(vnet->dev, NET_TX_QUEUE, NET_QUEUE_SIZE, NULL);
	if (!vnet->rx || !vnet->tx)
		return -ENODEV;
	vnet->rx->priv = vnet->tx->priv = vnet;
	virtqueue_disable_cb(vnet->tx);         /* reclaimed lazily: no interrupt wanted */
	vnet->rx_buffers = alloc_buffers(vnet->rx->size);
	vnet->tx_buffers = alloc_buffers(vnet->tx->size);
	vnet->tx_free = kmalloc(vnet->tx->size * sizeof(*vnet->tx_free));
	if (!vnet->rx_buffers || !vnet->tx_buffers || !vnet->tx_free)
		return -ENOMEM;
	for (unsigned int i = 0; i < vnet->rx->size; i++)
		if (post_rx_buffer(vnet, buffer_at(vnet->rx_buffers, i)) != 0)
			return -ENOSPC;
	virtqueue_kick_prepare(vnet->rx);       /* publish; the notification waits for open */
	for (unsigned int i = 0; i < vnet->tx->size; i++)
		vnet->tx_free[vnet->tx_free_count++] = buffer_at(vnet->tx_buffers, i);
	return 0;
}

/* Undoes a half-done probe (the core resets the device and frees the queues). */
static void free_vnet(struct virtio_net *vnet)
{
	if (vnet->rx_buffers && vnet->rx)
		page_free(virt_to_phys(vnet->rx_buffers),
			  (vnet->rx->size + BUFFERS_PER_PAGE - 1) / BUFFERS_PER_PAGE);
	if (vnet->tx_buffers && vnet->tx)
		page_free(virt_to_phys(vnet->tx_buffers),
			  (vnet->tx->size + BUFFERS_PER_PAGE - 1) / BUFFERS_PER_PAGE);
	kfree(vnet->tx_free);
	kfree(vnet);
}

static int net_probe(struct virtio_device *dev)
{
	struct virtio_net *vnet = kzalloc(sizeof(*vnet));
	int error;

	if (!vnet)
		return -ENOMEM;
	vnet->dev = dev;
	error = setup_queues(vnet);
	if (error) {
		free_vnet(vnet);
		return error;
	}
	read_mac(vnet, device_count++);
	read_link_status(vnet);
	snprintf(vnet->model, sizeof(vnet->model), "virtio-net over %s (%s)", dev->ops->name,
		 dev->name);
	vnet->netdev.model = vnet->model;
	vnet->netdev.mtu = NETDEV_DEFAULT_MTU;
	vnet->netdev.ops = &net_ops;
	vnet->netdev.driver_data = vnet;
	dev->driver_data = vnet;
	netdev_register(&vnet->netdev);
	return 0;
}

/* MAC and STATUS only: no offloads (CSUM, GUEST_CSUM, GSO), no mergeable
 * receive buffers, one queue pair, no control queue. */
VIRTIO_DRIVER(net, .name = "virtio-net", .device_id = VIRTIO_ID_NET,
	      .features = (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS),
	      .probe = net_probe, .broken = net_broken,
	      .config_changed = net_config_changed);

/* ---- for tests ------------------------------------------------------------------------ */

struct virtio_net *virtio_net_of(struct netdev *dev)
{
	return dev && dev->ops == &net_ops ? dev->driver_data : NULL;
}

struct virtio_device *virtio_net_device(struct virtio_net *vnet)
{
	return vnet->dev;
}

const struct virtio_net_stats *virtio_net_stats(struct virtio_net *vnet)
{
	return &vnet->stats;
}

unsigned int virtio_net_rx_posted(struct virtio_net *vnet)
{
	return virtqueue_in_flight(vnet->rx);
}

unsigned int virtio_net_rx_ring_size(struct virtio_net *vnet)
{
	return vnet->rx->size;
}

unsigned int virtio_net_tx_pending(struct virtio_net *vnet)
{
	reclaim_tx(vnet);
	return virtqueue_in_flight(vnet->tx);
}
