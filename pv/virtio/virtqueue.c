/*
 * virtqueue.c — the virtqueue API of virtio.h, whatever the ring format:
 * creating a queue in the format the device and we agreed on, the checks
 * common to both formats, and the dispatch to virtqueue_split.c or
 * virtqueue_packed.c.  Drivers call only these functions, so every driver
 * runs on split and packed rings unchanged.
 *
 * The format is a property of the device, not of one queue: with
 * VIRTIO_F_RING_PACKED negotiated every queue of the device is packed
 * (virtio 1.2, 2.8).  The core offers that feature unless the command line
 * says virtio.packed=off, so that both formats can be tried against the
 * same device.
 */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/page_alloc.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtqueue_ring.h"

/* ---- virtio.packed=on|off ------------------------------------------------ */

static bool packed_off;

static bool set_packed(const char *value)
{
	if (value && strcmp(value, "off") == 0)
		packed_off = true;
	else if (value && strcmp(value, "on") == 0)
		packed_off = false;
	else
		return false;
	return true;
}
CMDLINE_OPTION(virtio_packed, "virtio.packed", set_packed,
	       "virtio.packed=off: never use packed virtqueues, only split ones "
	       "(default on: packed whenever the device offers them)");

bool virtio_packed_allowed(void)
{
	return !packed_off;
}

/* ---- the calls, checked once and dispatched --------------------------------- */

/* Sum of the device-writable lengths; false when it does not fit 32 bits
 * (the used length is 32 bits, so such a buffer could not be checked). */
static bool writable_bytes(const struct virtio_sg *sg, unsigned int out_count,
			   unsigned int total, uint32_t *sum)
{
	uint64_t bytes = 0;

	for (unsigned int i = out_count; i < total; i++)
		bytes += sg[i].len;
	*sum = (uint32_t)bytes;
	return bytes <= UINT32_MAX;
}

int virtqueue_add(struct virtqueue *vq, const struct virtio_sg *sg, unsigned int out_count,
		  unsigned int in_count, void *token)
{
	unsigned int total = out_count + in_count;
	uint32_t writable;

	if (vq->broken)
		return -EIO;
	if (total == 0 || !token || !writable_bytes(sg, out_count, total, &writable))
		return -EINVAL;
	if (vq->packed)
		return packed_add(vq, sg, out_count, total, writable, token);
	return split_add(vq, sg, out_count, total, writable, token);
}

bool virtqueue_kick_prepare(struct virtqueue *vq)
{
	return vq->packed ? packed_kick_prepare(vq) : split_kick_prepare(vq);
}

void virtqueue_notify(struct virtqueue *vq)
{
	if (vq->broken)
		return;
	vq->kicks++;
	vq->dev->notifications++;
	vq->dev->ops->notify(vq->dev, vq->index);
}

bool virtqueue_kick(struct virtqueue *vq)
{
	if (!virtqueue_kick_prepare(vq))
		return false;
	virtqueue_notify(vq);
	return true;
}

void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len)
{
	if (vq->broken)
		return NULL;
	return vq->packed ? packed_get_buf(vq, len) : split_get_buf(vq, len);
}

void virtqueue_disable_cb(struct virtqueue *vq)
{
	vq->callbacks_enabled = false;
	if (vq->packed)
		packed_disable_cb(vq);
	else
		split_disable_cb(vq);
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	vq->callbacks_enabled = true;
	return vq->packed ? packed_enable_cb(vq) : split_enable_cb(vq);
}

bool virtqueue_has_used(const struct virtqueue *vq)
{
	if (vq->broken)
		return false;
	return vq->packed ? packed_has_used(vq) : split_has_used(vq);
}

unsigned int virtqueue_num_free(const struct virtqueue *vq)
{
	return vq->num_free;
}

unsigned int virtqueue_in_flight(const struct virtqueue *vq)
{
	return vq->in_flight;
}

void virtqueue_set_broken(struct virtqueue *vq)
{
	vq->broken = true;
}

void *virtqueue_refuse(struct virtqueue *vq)
{
	vq->broken = true;
	return NULL;
}

/* ---- creation ------------------------------------------------------------------ */

static size_t ring_bytes(bool packed, uint16_t size)
{
	return packed ? virtqueue_packed_bytes(size) : virtqueue_split_bytes(size);
}

static int init_ring(struct virtqueue *vq, struct virtio_device *dev, unsigned int index,
		     uint16_t size, void *memory, struct virtqueue_buffer_state *state)
{
	if (virtio_has_feature(dev, VIRTIO_F_RING_PACKED))
		return virtqueue_init_packed(vq, dev, index, size, memory, state);
	return virtqueue_init_split(vq, dev, index, size, memory, state);
}

/* The physical addresses of the three areas, in the transport's order. */
static int register_with_transport(struct virtqueue *vq)
{
	struct virtio_device *dev = vq->dev;

	if (vq->packed)
		return dev->ops->queue_setup(dev, vq->index, vq->size,
					     virt_to_phys(vq->packed_ring.desc),
					     virt_to_phys(vq->packed_ring.driver),
					     virt_to_phys(vq->packed_ring.device));
	return dev->ops->queue_setup(dev, vq->index, vq->size, virt_to_phys(vq->ring.desc),
				     virt_to_phys(vq->ring.avail), virt_to_phys(vq->ring.used));
}

struct virtqueue *virtqueue_create(struct virtio_device *dev, unsigned int index,
				   uint16_t max_size, virtqueue_callback_fn *callback)
{
	uint16_t size = dev->ops->queue_max_size(dev, index);

	if (index >= VIRTIO_MAX_QUEUES || size == 0) {
		snprintf(dev->problem, sizeof(dev->problem), "queue %u does not exist", index);
		return NULL;
	}
	if (max_size && size > max_size)
		size = max_size;
	/* A power of 2: split rings require it; packed ones do not (and may
	 * have at most 2^15 entries), but the same rule keeps both simple. */
	if (size > 0x8000)
		size = 0x8000;
	while (size & (size - 1))
		size &= size - 1;

	bool packed = virtio_has_feature(dev, VIRTIO_F_RING_PACKED);
	size_t pages = (ring_bytes(packed, size) + PAGE_SIZE - 1) / PAGE_SIZE;
	struct virtqueue *vq = kmalloc(sizeof(*vq));
	struct virtqueue_buffer_state *state = kmalloc(size * sizeof(*state));
	uint64_t paddr = page_alloc(pages);

	if (!vq || !state || !paddr) {
		kfree(vq);
		kfree(state);
		if (paddr)
			page_free(paddr, pages);
		snprintf(dev->problem, sizeof(dev->problem), "out of memory for queue %u", index);
		return NULL;
	}
	init_ring(vq, dev, index, size, phys_to_virt(paddr), state);
	vq->ring_paddr = paddr;
	vq->ring_pages = pages;
	vq->callback = callback;
	if (register_with_transport(vq)) {
		snprintf(dev->problem, sizeof(dev->problem), "queue %u: the transport refused it",
			 index);
		virtqueue_destroy(vq);
		return NULL;
	}
	dev->queues[index] = vq;
	return vq;
}

/* Only once the device is reset (or never saw the queue): it may still be
 * reading the ring until then. */
void virtqueue_destroy(struct virtqueue *vq)
{
	if (!vq)
		return;
	for (uint16_t i = 0; i < vq->size; i++)
		kfree(vq->state[i].indirect);
	if (vq->dev && vq->index < VIRTIO_MAX_QUEUES && vq->dev->queues[vq->index] == vq)
		vq->dev->queues[vq->index] = NULL;
	if (vq->ring_pages)
		page_free(vq->ring_paddr, vq->ring_pages);
	kfree(vq->state);
	kfree(vq);
}
