/*
 * virtqueue_split.c — split virtqueues (virtio 1.2, section 2.7): the
 * descriptor table, the available ring the driver writes and the used ring
 * the device writes, with indirect descriptors, event-index notification
 * suppression, the memory barriers they need, and checks of everything the
 * device writes.  virtqueue.c calls these split_* functions when
 * VIRTIO_F_RING_PACKED was not negotiated (virtqueue_packed.c otherwise).
 *
 * Hardening.  The device is not trusted: every used entry is checked
 * before we act on it (its id must be the head of a buffer we gave and did
 * not get back yet, its length at most the bytes that buffer lets the
 * device write, and the used index may not run ahead by more than a
 * ring's worth).  Our own bookkeeping — the free list, the chain links,
 * the tokens — lives in `state`, private memory the device cannot write;
 * the descriptor table is only ever written by us and never read back.  A
 * device caught misbehaving is reset and marked broken
 * (virtio_device_broken); nothing it wrote is followed.
 */
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/page_alloc.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_barrier.h"
#include "pv/virtio/virtqueue_ring.h"

/* The used ring needs 4-byte alignment, the others less: packing the three
 * areas with that alignment keeps a 64-entry queue in one page. */
#define RING_ALIGN VRING_USED_ALIGN_SIZE

/*
 * The two event indices live just past the ends of the rings.
 * <linux/virtio_ring.h> offers vring_used_event() and vring_avail_event(),
 * but the latter casts a used-element pointer to __virtio16 *, which gcc
 * rejects at -O2 -Wall -Werror (-Wstrict-aliasing).  So we name both
 * places ourselves, through a type that may alias anything.
 */
typedef __virtio16 __attribute__((may_alias)) event_index_t;

static inline volatile event_index_t *used_event(const struct vring *vr)
{
	return (volatile event_index_t *)&vr->avail->ring[vr->num];
}

static inline volatile event_index_t *avail_event(const struct vring *vr)
{
	return (volatile event_index_t *)(void *)&vr->used->ring[vr->num];
}

size_t virtqueue_split_bytes(uint16_t size)
{
	return vring_size(size, RING_ALIGN);
}

int virtqueue_init_split(struct virtqueue *vq, struct virtio_device *dev,
			 unsigned int index, uint16_t size, void *ring_memory,
			 struct virtqueue_buffer_state *state)
{
	if (size == 0 || (size & (size - 1)))
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	vq->packed = false;
	vq->dev = dev;
	vq->index = index;
	vq->size = size;
	vq->state = state;
	vring_init(&vq->ring, size, ring_memory, RING_ALIGN);
	/* Only the indices and flags need a defined value; the entries are
	 * written before they are published.  (Cheap on purpose: guest ring-0
	 * code is slow under this machine's KVM.) */
	vq->ring.avail->flags = 0;
	vq->ring.avail->idx = 0;
	*used_event(&vq->ring) = 0;
	vq->ring.used->flags = 0;
	vq->ring.used->idx = 0;
	*avail_event(&vq->ring) = 0;
	for (uint16_t i = 0; i < size; i++)
		state[i] = (struct virtqueue_buffer_state){ .next = (uint16_t)(i + 1) };
	vq->free_head = 0;
	vq->num_free = size;
	vq->event_idx = virtio_has_feature(dev, VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = virtio_has_feature(dev, VIRTIO_RING_F_INDIRECT_DESC);
	vq->callbacks_enabled = true;
	return 0;
}

/* One ring descriptor pointing at a table of `total` (VRING_DESC_F_INDIRECT). */
static uint16_t add_indirect(struct virtqueue *vq, struct vring_desc *table,
			     const struct virtio_sg *sg, unsigned int out_count,
			     unsigned int total)
{
	uint16_t head = vq->free_head;

	for (unsigned int i = 0; i < total; i++)
		table[i] = (struct vring_desc){
			.addr = sg[i].addr, .len = sg[i].len,
			.flags = chain_element_flags(i, out_count, total), .next = (uint16_t)(i + 1),
		};
	vq->ring.desc[head] = (struct vring_desc){
		.addr = virt_to_phys(table), .len = total * sizeof(struct vring_desc),
		.flags = VRING_DESC_F_INDIRECT,
	};
	vq->free_head = vq->state[head].next;
	vq->num_free--;
	return head;
}

/* A chain of `total` ring descriptors taken from the free list. */
static uint16_t add_direct(struct virtqueue *vq, const struct virtio_sg *sg,
			   unsigned int out_count, unsigned int total)
{
	uint16_t head = vq->free_head, i = head;

	for (unsigned int n = 0; n < total; n++) {
		uint16_t next = vq->state[i].next;

		vq->ring.desc[i] = (struct vring_desc){
			.addr = sg[n].addr, .len = sg[n].len,
			.flags = chain_element_flags(n, out_count, total), .next = next,
		};
		if (n + 1 < total)
			i = next;
	}
	vq->free_head = vq->state[i].next;
	vq->num_free -= total;
	return head;
}

int split_add(struct virtqueue *vq, const struct virtio_sg *sg, unsigned int out_count,
	      unsigned int total, uint32_t writable, void *token)
{
	struct vring_desc *table = NULL;
	uint16_t head;

	if (vq->indirect && total > 1)
		table = kmalloc(total * sizeof(*table));        /* 16-byte aligned */
	if (!table && total > vq->size)
		return -EINVAL;
	if (vq->num_free < (table ? 1 : total)) {
		kfree(table);
		return -ENOSPC;
	}
	if (table)
		head = add_indirect(vq, table, sg, out_count, total);
	else
		head = add_direct(vq, sg, out_count, total);
	vq->state[head].token = token;
	vq->state[head].writable_bytes = writable;
	vq->state[head].ring_descs = table ? 1 : (uint16_t)total;
	vq->state[head].indirect = table;
	vq->in_flight++;

	/* Descriptors and the ring slot first, then the index that publishes
	 * them: two stores the device must see in this order (wmb). */
	vq->ring.avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	virtio_wmb();
	vq->avail_idx++;
	vq_store16(&vq->ring.avail->idx, vq->avail_idx);
	vq->added_since_kick++;
	return 0;
}

bool split_kick_prepare(struct virtqueue *vq)
{
	uint16_t new_idx = vq->avail_idx;
	uint16_t old_idx = (uint16_t)(new_idx - vq->added_since_kick);
	bool needed;

	/* Our store of avail->idx, then our load of what the device asked
	 * for: a store followed by a load, the one order x86 does not keep.
	 * Without the full barrier we could read a stale "don't notify me"
	 * while the device, having not yet seen our index, goes to sleep. */
	virtio_mb();
	vq->added_since_kick = 0;
	if (vq->event_idx)
		needed = vring_need_event(vq_load16(avail_event(&vq->ring)), new_idx, old_idx);
	else
		needed = !(vq_load16(&vq->ring.used->flags) & VRING_USED_F_NO_NOTIFY);
	if (!needed && new_idx != old_idx)
		vq->kicks_suppressed++;
	return needed;
}

/* Gives a returned buffer's descriptors back to the free list. */
static void free_buffer(struct virtqueue *vq, uint16_t head)
{
	struct virtqueue_buffer_state *st = &vq->state[head];
	uint16_t last = head;

	for (uint16_t n = 1; n < st->ring_descs; n++)
		last = vq->state[last].next;
	vq->state[last].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += st->ring_descs;
	kfree(st->indirect);
	st->token = NULL;
	st->indirect = NULL;
	st->ring_descs = 0;
	vq->in_flight--;
}

bool split_has_used(const struct virtqueue *vq)
{
	return vq_load16(&vq->ring.used->idx) != vq->last_used_idx;
}

void *split_get_buf(struct virtqueue *vq, uint32_t *len)
{
	uint16_t used_idx = vq_load16(&vq->ring.used->idx);
	uint16_t pending = (uint16_t)(used_idx - vq->last_used_idx);

	if (pending == 0)
		return NULL;
	if (pending > vq->in_flight) {
		virtio_device_broken(vq->dev, "queue %u: used index moved from %u to %u, but "
				     "only %u buffers are in flight", vq->index,
				     vq->last_used_idx, used_idx, vq->in_flight);
		return virtqueue_refuse(vq);
	}
	/* The index, then the entry it covers: two loads, kept in order (rmb). */
	virtio_rmb();
	const volatile struct vring_used_elem *elem =
		&vq->ring.used->ring[vq->last_used_idx & (vq->size - 1)];
	uint32_t id = vq_load32(&elem->id), written = vq_load32(&elem->len);

	if (id >= vq->size || !vq->state[id].token) {
		virtio_device_broken(vq->dev, "queue %u: used entry %u names descriptor %u, "
				     "which is not a buffer in flight", vq->index,
				     vq->last_used_idx, id);
		return virtqueue_refuse(vq);
	}
	if (written > vq->state[id].writable_bytes) {
		virtio_device_broken(vq->dev, "queue %u: used entry %u says %u bytes were "
				     "written into a buffer with %u writable bytes", vq->index,
				     vq->last_used_idx, written, vq->state[id].writable_bytes);
		return virtqueue_refuse(vq);
	}
	void *token = vq->state[id].token;

	vq->last_used_idx++;
	/* With event indices, "interrupt me when you pass this entry": keep it
	 * just ahead of what we have consumed while callbacks are wanted.
	 * Store, then (next call) load used->idx: store→load, so mb; else a
	 * device that has not seen the new used_event yet uses the entry,
	 * finds "no interrupt wanted", and we read a stale used->idx too. */
	if (vq->event_idx && vq->callbacks_enabled) {
		vq_store16(used_event(&vq->ring), vq->last_used_idx);
		virtio_mb();
	}
	free_buffer(vq, (uint16_t)id);
	if (len)
		*len = written;
	return token;
}

void split_disable_cb(struct virtqueue *vq)
{
	if (vq->event_idx)      /* an event index already behind us: never reached */
		vq_store16(used_event(&vq->ring), (uint16_t)(vq->last_used_idx - 1));
	else
		vq_store16(&vq->ring.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
}

bool split_enable_cb(struct virtqueue *vq)
{
	if (vq->event_idx)
		vq_store16(used_event(&vq->ring), vq->last_used_idx);
	else
		vq_store16(&vq->ring.avail->flags, 0);
	/* Store the request, then load used->idx: store→load again (mb).
	 * Otherwise a buffer used just before the device saw our request
	 * would raise no interrupt and we would not see it either. */
	virtio_mb();
	return !split_has_used(vq);
}
