/*
 * virtio_net.h — the virtio network device (virtio 1.2, section 5.1):
 * receiveq (queue 0) and transmitq (queue 1), a MAC address and a link
 * status in the configuration space, no offloads, no control queue, no
 * merged receive buffers.
 *
 * Every buffer starts with struct virtio_net_hdr_v1 (12 bytes with
 * VIRTIO_F_VERSION_1, whether or not VIRTIO_NET_F_MRG_RXBUF is negotiated;
 * num_buffers is 1 on every received frame).  Transmit: the header is
 * skipped (we offer no checksum or segmentation offload, so it carries
 * nothing) and the Ethernet frame goes to the backend.  Receive: a zeroed
 * header, then the frame; the driver must post buffers of at least
 * 12 + 1514 bytes (the spec's rule without MRG_RXBUF).
 *
 * Backends: a UDP socket (QEMU's "-netdev socket,udp=..." encapsulation)
 * or a TAP interface, host/packet_link.h.
 */
#ifndef PVKIT_HOST_VIRTIO_NET_H
#define PVKIT_HOST_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/packet_link.h"
#include "host/virtio.h"

#define VIRTIO_NET_QUEUE_SIZE   256
#define VIRTIO_NET_RECEIVEQ     0
#define VIRTIO_NET_TRANSMITQ    1
#define VIRTIO_NET_FRAME_MAX    PACKET_LINK_FRAME_MAX
#define VIRTIO_NET_MAC_LEN      6

struct virtio_net_params {
	struct packet_link_params link;         /* host/packet_link.h */
	uint8_t mac[VIRTIO_NET_MAC_LEN];
};

/* A device named "virtio-net<index>" with its backend open; NULL + a
 * message when the socket or TAP device cannot be set up. */
struct virtio_device *virtio_net_create(const struct virtio_net_params *params,
					unsigned int index, char *err, size_t err_len);
/* A backend already open (tests: one end of a socketpair of datagrams). */
struct virtio_device *virtio_net_create_on_fd(int fd, const uint8_t mac[VIRTIO_NET_MAC_LEN],
					      unsigned int index, char *err, size_t err_len);

#endif
