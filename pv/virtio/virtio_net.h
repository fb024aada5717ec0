/*
 * virtio_net.h — the virtio network device's driver, seen from outside:
 * it registers each device as a netdev (kernel/netdev.h), "eth0", ...; this
 * header only adds what tests and reports want to look at.
 */
#ifndef PVKIT_PV_VIRTIO_VIRTIO_NET_H
#define PVKIT_PV_VIRTIO_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/netdev.h"

struct virtio_net;
struct virtio_device;

/* What the driver counts besides the netdev counters. */
struct virtio_net_stats {
	uint64_t rx_interrupts;         /* receive-queue interrupts taken */
	uint64_t rx_refills;            /* buffers given back to the device */
	uint64_t rx_too_short;          /* used length < virtio header + Ethernet header */
	uint64_t rx_too_long;           /* a frame longer than Ethernet allows */
	uint64_t rx_merged;             /* num_buffers > 1, never negotiated */
	uint64_t tx_completions;        /* sent frames whose buffers came back */
	uint64_t tx_ring_full;          /* frames dropped: no free transmit buffer */
	uint64_t config_changes;        /* configuration interrupts (link status) */
};

/* The driver's state behind a netdev, or NULL if it is not a virtio-net. */
struct virtio_net *virtio_net_of(struct netdev *dev);
struct virtio_device *virtio_net_device(struct virtio_net *vnet);
const struct virtio_net_stats *virtio_net_stats(struct virtio_net *vnet);
/* Receive buffers the device holds now (the ring is kept full). */
unsigned int virtio_net_rx_posted(struct virtio_net *vnet);
unsigned int virtio_net_rx_ring_size(struct virtio_net *vnet);
/* Sent frames whose buffers the device has not returned yet, after
 * taking back those it has. */
unsigned int virtio_net_tx_pending(struct virtio_net *vnet);

/* The receive path's check of one used buffer (virtio header, then the
 * frame) against the length the device reported: the frame and its length,
 * or NULL with the reason counted in stats (too short, too long, merged). */
#define VIRTIO_NET_BUFFER_BYTES 2048
const uint8_t *virtio_net_checked_frame(struct virtio_net_stats *stats,
					const uint8_t *buffer, uint32_t used_len,
					size_t *frame_len);

#endif
