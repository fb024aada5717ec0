/*
 * virtio_blk.h — what the virtio-blk driver shows beyond the block
 * interface: counters, for tests and benchmarks.
 */
#ifndef PVKIT_PV_VIRTIO_VIRTIO_BLK_H
#define PVKIT_PV_VIRTIO_VIRTIO_BLK_H

#include <stdint.h>

#include "kernel/block.h"

struct virtio_blk;
struct virtio_device;

struct virtio_blk_stats {
	uint64_t requests;              /* submitted to the device */
	uint64_t interrupt_completions; /* returned through the queue's interrupt */
	unsigned int max_in_flight;     /* most requests the device had at once */
};

/* The driver behind a block device, or NULL if it is not virtio-blk. */
struct virtio_blk *virtio_blk_of(struct block_device *bdev);
const struct virtio_blk_stats *virtio_blk_stats(struct virtio_blk *vblk);
struct virtio_device *virtio_blk_device(struct virtio_blk *vblk);

#endif
