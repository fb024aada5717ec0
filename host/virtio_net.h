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
 * Backends:
 *   udp  one UDP socket; every Ethernet frame is one datagram, no header
 *        added: the encapsulation of QEMU's "-netdev socket,udp=...".
 *        Frames go to REMOTEHOST:REMOTEPORT; frames are taken from any
 *        sender to LOCALPORT.  No privileges needed.  The socket is bound
 *        to 127.0.0.1 when the remote host is a loopback address, to all
 *        addresses otherwise.
 *   tap  a Linux TAP interface (needs CAP_NET_ADMIN and /dev/net/tun);
 *        configure and bring it up with ip(8).
 */
#ifndef PVKIT_HOST_VIRTIO_NET_H
#define PVKIT_HOST_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/virtio.h"

#define VIRTIO_NET_QUEUE_SIZE   256
#define VIRTIO_NET_RECEIVEQ     0
#define VIRTIO_NET_TRANSMITQ    1
#define VIRTIO_NET_FRAME_MAX    65536   /* the largest datagram or TAP frame we carry */
#define VIRTIO_NET_MAC_LEN      6

enum virtio_net_backend { VIRTIO_NET_UDP, VIRTIO_NET_TAP };

struct virtio_net_params {
	enum virtio_net_backend backend;
	uint16_t local_port;            /* udp */
	const char *remote_host;        /* udp */
	uint16_t remote_port;           /* udp */
	const char *tap_name;           /* tap */
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
