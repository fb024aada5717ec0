/*
 * virtqueue_ring.h — private to pv/virtio/virtqueue*.c: what the virtqueue
 * API (virtqueue.c) calls in each ring format, and the few helpers both
 * formats share.  Drivers never include this; they see only virtio.h,
 * and the same driver runs over either format.
 *
 *   virtqueue_split.c    split rings (virtio 1.2, 2.7): descriptor table,
 *                        available ring, used ring
 *   virtqueue_packed.c   packed rings (2.8): one descriptor ring with wrap
 *                        counters, two event-suppression areas
 *
 * Each function has the contract of the virtqueue_* function of the same
 * name in virtio.h; virtqueue.c has already checked what is common (a
 * broken queue, an empty buffer, a NULL token).
 */
#ifndef PVKIT_PV_VIRTIO_VIRTQUEUE_RING_H
#define PVKIT_PV_VIRTIO_VIRTQUEUE_RING_H

#include "pv/virtio/virtio.h"

int split_add(struct virtqueue *vq, const struct virtio_sg *sg, unsigned int out_count,
	      unsigned int total, uint32_t writable, void *token);
bool split_kick_prepare(struct virtqueue *vq);
void *split_get_buf(struct virtqueue *vq, uint32_t *len);
void split_disable_cb(struct virtqueue *vq);
bool split_enable_cb(struct virtqueue *vq);
bool split_has_used(const struct virtqueue *vq);

int packed_add(struct virtqueue *vq, const struct virtio_sg *sg, unsigned int out_count,
	       unsigned int total, uint32_t writable, void *token);
bool packed_kick_prepare(struct virtqueue *vq);
void *packed_get_buf(struct virtqueue *vq, uint32_t *len);
void packed_disable_cb(struct virtqueue *vq);
bool packed_enable_cb(struct virtqueue *vq);
bool packed_has_used(const struct virtqueue *vq);

/* After virtio_device_broken(): this queue stops too, even one the device
 * does not list (a test's queue).  Returns NULL for get_buf to pass on. */
void *virtqueue_refuse(struct virtqueue *vq);

/* Both formats read and write the shared rings only through these: one
 * access of the field's own width that the compiler may neither split,
 * merge nor move across the barriers (volatile). */
static inline uint16_t vq_load16(const volatile __virtio16 *p)
{
	return *p;
}

static inline uint32_t vq_load32(const volatile __virtio32 *p)
{
	return *p;
}

static inline void vq_store16(volatile __virtio16 *p, uint16_t v)
{
	*p = v;
}

/* The flags of element i of a chain of `total` whose first out_count are
 * device-readable: WRITE for the device-writable part, NEXT on all but the
 * last.  Both ring formats (and indirect tables) mark chains this way. */
static inline uint16_t chain_element_flags(unsigned int i, unsigned int out_count,
					   unsigned int total)
{
	uint16_t flags = 0;

	if (i >= out_count)
		flags |= VRING_DESC_F_WRITE;
	if (i + 1 < total)
		flags |= VRING_DESC_F_NEXT;
	return flags;
}

#endif
