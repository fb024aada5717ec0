/*
 * virtqueue_packed.c — packed virtqueues (virtio 1.2, section 2.8): one
 * ring of descriptors that the driver and the device both write, with a
 * wrap counter on each side instead of indices, buffer ids, chains of
 * consecutive descriptors, indirect tables, the two event-suppression
 * areas (with VIRTIO_F_EVENT_IDX: "at this slot of this lap"), the memory
 * barriers they need, and checks of everything the device writes.
 * virtqueue.c calls these packed_* functions when VIRTIO_F_RING_PACKED
 * was negotiated.  docs/virtio.md draws the layout.
 *
 * The ring, for a queue of N descriptors, in one allocation:
 *
 *   desc[N]   struct vring_packed_desc {addr, len, id, flags}  16-byte aligned
 *   driver    struct vring_packed_desc_event: we write it, "interrupt me when"
 *   device    struct vring_packed_desc_event: the device writes, "notify me when"
 *
 * We put buffers in at slot next_avail, going round and round; each lap
 * flips our wrap counter, and a descriptor is available when its AVAIL
 * bit equals the wrap counter of the lap it was written in and its USED
 * bit does not.  The device overwrites descriptors in the same circular
 * order with used ones (AVAIL = USED = its own wrap counter): one per
 * buffer, carrying the buffer id, at the slot where the buffer's first
 * descriptor was (if it completes in order).  So we read only the slot
 * next_used, and skip as many slots as that buffer took.
 *
 * Hardening, as for split rings: a used descriptor must name a buffer id
 * we gave and did not get back, with a length at most that buffer's
 * writable bytes, and may not appear when nothing is in flight (a device
 * running ahead).  Our bookkeeping (free ids, chain lengths, tokens) is in
 * `state`, which the device cannot write; from the shared ring we read
 * only the used descriptor at next_used, each field once.
 */
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/page_alloc.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_barrier.h"
#include "pv/virtio/virtqueue_ring.h"

/* <linux/virtio_ring.h> gives bit numbers for these; we need the masks. */
#define DESC_F_AVAIL    ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define DESC_F_USED     ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))
#define EVENT_F_WRAP    ((uint16_t)(1u << VRING_PACKED_EVENT_F_WRAP_CTR))
#define PACKED_MAX_SIZE 0x8000          /* 2^15: the slot must fit beside the wrap bit */

/* The two fields of an event-suppression area, read or written as one
 * 32-bit access, so the other side never sees the offset of one update
 * with the flags of another. */
typedef uint32_t __attribute__((may_alias)) event_word_t;

union event_word {
	uint32_t word;
	struct vring_packed_desc_event event;
};

size_t virtqueue_packed_bytes(uint16_t size)
{
	return (size_t)size * sizeof(struct vring_packed_desc) +
	       2 * sizeof(struct vring_packed_desc_event);
}

static struct vring_packed_desc_event read_event(const struct vring_packed_desc_event *area)
{
	union event_word u = { .word = *(const volatile event_word_t *)area };

	return u.event;
}

static void write_driver_event(struct virtqueue *vq, uint16_t off_wrap, uint16_t flags)
{
	union event_word u = { .event = { .off_wrap = off_wrap, .flags = flags } };

	*(volatile event_word_t *)vq->packed_ring.driver = u.word;
	vq->packed_ring.driver_flags = flags;
}

/* "Slot `slot` of the lap whose wrap counter is `wrap`", as the event
 * areas encode it: the slot in bits 0-14, the wrap counter in bit 15. */
static uint16_t event_off_wrap(uint16_t slot, bool wrap)
{
	return (uint16_t)(slot | (wrap ? EVENT_F_WRAP : 0));
}

/* The AVAIL/USED bits of a descriptor we make available in the lap with
 * wrap counter `wrap`: AVAIL equal to it, USED the opposite. */
static uint16_t avail_bits(bool wrap)
{
	return wrap ? DESC_F_AVAIL : DESC_F_USED;
}

/* A descriptor the device used in the lap with wrap counter `wrap`: both
 * bits equal to it.  (Both bits equal but to the other value is a used
 * descriptor from the previous lap: not news.) */
static bool is_used(uint16_t flags, bool wrap)
{
	bool avail = flags & DESC_F_AVAIL, used = flags & DESC_F_USED;

	return avail == used && used == wrap;
}

/* Moves a ring position n slots on (n <= size); crossing the end starts
 * the next lap, which flips the wrap counter. */
static void advance(uint16_t *slot, bool *wrap, uint16_t n, uint16_t size)
{
	unsigned int next = (unsigned int)*slot + n;

	if (next >= size) {
		next -= size;
		*wrap = !*wrap;
	}
	*slot = (uint16_t)next;
}

/*
 * Did the last `moved` slots, ending just before (slot, wrap), include the
 * one an event area names?  This is vring_need_event() for a ring without
 * free-running indices: we count positions from the start of the current
 * lap, so a slot of the previous lap (the other wrap counter) is
 * negative, and ask whether the event lies in [slot - moved, slot).
 */
static bool event_passed(uint16_t event_off_wrap_value, uint16_t slot, bool wrap,
			 unsigned int moved, uint16_t size)
{
	int event = event_off_wrap_value & (EVENT_F_WRAP - 1);
	bool event_wrap = event_off_wrap_value & EVENT_F_WRAP;

	if (moved >= size)
		return true;            /* a whole lap went by: every slot was passed */
	if (event_wrap != wrap)
		event -= size;
	return (int)slot - (int)moved <= event && event < (int)slot;
}

int virtqueue_init_packed(struct virtqueue *vq, struct virtio_device *dev,
			  unsigned int index, uint16_t size, void *ring_memory,
			  struct virtqueue_buffer_state *state)
{
	struct virtqueue_packed *pr = &vq->packed_ring;

	/* Packed rings need no power of 2; any size up to 2^15 will do. */
	if (size == 0 || size > PACKED_MAX_SIZE)
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	vq->packed = true;
	vq->dev = dev;
	vq->index = index;
	vq->size = size;
	vq->state = state;
	pr->desc = ring_memory;
	pr->driver = (struct vring_packed_desc_event *)(pr->desc + size);
	pr->device = pr->driver + 1;
	/* "The descriptor ring is zero-initialized": with both wrap counters
	 * starting at 1, a zero descriptor is neither available nor used. */
	memset(pr->desc, 0, size * sizeof(*pr->desc));
	*pr->device = (struct vring_packed_desc_event){ 0 };   /* ENABLE until the device says */
	pr->avail_wrap = true;
	pr->used_wrap = true;
	for (uint16_t i = 0; i < size; i++)
		state[i] = (struct virtqueue_buffer_state){ .next = (uint16_t)(i + 1) };
	pr->free_id = 0;
	vq->num_free = size;
	vq->event_idx = virtio_has_feature(dev, VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = virtio_has_feature(dev, VIRTIO_RING_F_INDIRECT_DESC);
	vq->callbacks_enabled = true;
	if (vq->event_idx)      /* interrupt for the first used slot */
		write_driver_event(vq, event_off_wrap(0, true), VRING_PACKED_EVENT_FLAG_DESC);
	else
		write_driver_event(vq, 0, VRING_PACKED_EVENT_FLAG_ENABLE);
	return 0;
}

/* ---- making buffers available ----------------------------------------------- */

/*
 * Writes `total` consecutive ring descriptors from next_avail on, every
 * one with the buffer id (the spec needs it in the last; Linux and we put
 * it in all) and with the AVAIL/USED bits of its own lap: a chain that
 * crosses the end of the ring changes laps in the middle.  The head's
 * flags are not stored but returned: storing them is what makes the whole
 * chain available, so that comes last (packed_add).
 */
static uint16_t put_chain(struct virtqueue *vq, const struct virtio_sg *sg,
			  unsigned int out_count, unsigned int total, uint16_t id)
{
	struct virtqueue_packed *pr = &vq->packed_ring;
	uint16_t head_flags = 0;

	for (unsigned int i = 0; i < total; i++) {
		struct vring_packed_desc *d = &pr->desc[pr->next_avail];
		uint16_t flags = chain_element_flags(i, out_count, total) | avail_bits(pr->avail_wrap);

		d->addr = sg[i].addr;
		d->len = sg[i].len;
		d->id = id;
		if (i == 0)
			head_flags = flags;
		else
			d->flags = flags;
		advance(&pr->next_avail, &pr->avail_wrap, 1, vq->size);
	}
	return head_flags;
}

/* One ring descriptor pointing at a table of `total` (INDIRECT).  In the
 * packed form the table's entries are consecutive, without NEXT: the
 * table's length says how many there are, and only WRITE is meaningful. */
static uint16_t put_indirect(struct virtqueue *vq, struct vring_packed_desc *table,
			     const struct virtio_sg *sg, unsigned int out_count,
			     unsigned int total, uint16_t id)
{
	struct virtqueue_packed *pr = &vq->packed_ring;
	struct vring_packed_desc *d = &pr->desc[pr->next_avail];
	uint16_t flags = VRING_DESC_F_INDIRECT | avail_bits(pr->avail_wrap);

	for (unsigned int i = 0; i < total; i++)
		table[i] = (struct vring_packed_desc){
			.addr = sg[i].addr, .len = sg[i].len,
			.flags = i >= out_count ? VRING_DESC_F_WRITE : 0,
		};
	d->addr = virt_to_phys(table);
	d->len = total * sizeof(*table);
	d->id = id;
	advance(&pr->next_avail, &pr->avail_wrap, 1, vq->size);
	return flags;
}

int packed_add(struct virtqueue *vq, const struct virtio_sg *sg, unsigned int out_count,
	       unsigned int total, uint32_t writable, void *token)
{
	struct virtqueue_packed *pr = &vq->packed_ring;
	struct vring_packed_desc *table = NULL;

	if (vq->indirect && total > 1)
		table = kmalloc(total * sizeof(*table));        /* 16-byte aligned */
	if (!table && total > vq->size)
		return -EINVAL;
	uint16_t slots = table ? 1 : (uint16_t)total;

	if (vq->num_free < slots) {
		kfree(table);
		return -ENOSPC;
	}
	uint16_t id = pr->free_id, head = pr->next_avail, head_flags;

	pr->free_id = vq->state[id].next;
	if (table)
		head_flags = put_indirect(vq, table, sg, out_count, total, id);
	else
		head_flags = put_chain(vq, sg, out_count, total, id);
	vq->state[id].token = token;
	vq->state[id].writable_bytes = writable;
	vq->state[id].ring_descs = slots;
	vq->state[id].indirect = table;
	vq->num_free -= slots;
	vq->in_flight++;
	/* More than a lap since the last kick means "certainly passed the
	 * device's event" (event_passed); no need to count higher. */
	vq->added_since_kick = vq->added_since_kick + slots < vq->size ?
			       (uint16_t)(vq->added_since_kick + slots) : vq->size;

	/* Every descriptor of the chain, then the head's flags that publish
	 * it: two stores the device must see in this order (wmb). */
	virtio_wmb();
	vq_store16(&pr->desc[head].flags, head_flags);
	return 0;
}

bool packed_kick_prepare(struct virtqueue *vq)
{
	struct virtqueue_packed *pr = &vq->packed_ring;
	unsigned int added = vq->added_since_kick;
	bool needed;

	/* Our flag stores, then our load of the device's wishes: store→load,
	 * the order x86 does not keep (see split_kick_prepare). */
	virtio_mb();
	vq->added_since_kick = 0;
	struct vring_packed_desc_event device = read_event(pr->device);

	if (device.flags == VRING_PACKED_EVENT_FLAG_DISABLE)
		needed = false;
	else if (device.flags == VRING_PACKED_EVENT_FLAG_DESC && vq->event_idx)
		needed = event_passed(device.off_wrap, pr->next_avail, pr->avail_wrap, added,
				      vq->size);
	else
		needed = true;          /* ENABLE, or a value we do not know */
	if (!needed && added)
		vq->kicks_suppressed++;
	return needed;
}

/* ---- taking used buffers back ------------------------------------------------ */

bool packed_has_used(const struct virtqueue *vq)
{
	const struct virtqueue_packed *pr = &vq->packed_ring;

	return is_used(vq_load16(&pr->desc[pr->next_used].flags), pr->used_wrap);
}

/* Buffer id back on the free list, its slots free again. */
static void free_buffer(struct virtqueue *vq, uint16_t id)
{
	struct virtqueue_buffer_state *st = &vq->state[id];

	vq->num_free += st->ring_descs;
	kfree(st->indirect);
	st->token = NULL;
	st->indirect = NULL;
	st->ring_descs = 0;
	st->next = vq->packed_ring.free_id;
	vq->packed_ring.free_id = id;
	vq->in_flight--;
}

void *packed_get_buf(struct virtqueue *vq, uint32_t *len)
{
	struct virtqueue_packed *pr = &vq->packed_ring;
	const volatile struct vring_packed_desc *d = &pr->desc[pr->next_used];
	uint16_t flags = vq_load16(&d->flags);

	if (!is_used(flags, pr->used_wrap))
		return NULL;
	if (vq->in_flight == 0) {
		virtio_device_broken(vq->dev, "queue %u: slot %u was marked used, but no buffer "
				     "is in flight", vq->index, pr->next_used);
		return virtqueue_refuse(vq);
	}
	/* The flags, then the id and length they cover: two loads, kept in
	 * order (rmb).  The spec says the length counts only with WRITE set
	 * in the used descriptor, but QEMU 7.2 never sets WRITE there (and
	 * Linux ignores it): we take the length as it is, and check it. */
	virtio_rmb();
	uint16_t id = vq_load16(&d->id);
	uint32_t written = vq_load32(&d->len);

	if (id >= vq->size || !vq->state[id].token) {
		virtio_device_broken(vq->dev, "queue %u: used slot %u names buffer id %u, which "
				     "is not in flight", vq->index, pr->next_used, id);
		return virtqueue_refuse(vq);
	}
	if (written > vq->state[id].writable_bytes) {
		virtio_device_broken(vq->dev, "queue %u: used slot %u says %u bytes were written "
				     "into a buffer with %u writable bytes", vq->index,
				     pr->next_used, written, vq->state[id].writable_bytes);
		return virtqueue_refuse(vq);
	}
	void *token = vq->state[id].token;

	/* The device's next used descriptor goes where this buffer's chain
	 * ended: skip all the slots it took. */
	advance(&pr->next_used, &pr->used_wrap, vq->state[id].ring_descs, vq->size);
	/* With event indices, "interrupt me at the next slot"; then store→load
	 * (the next call's flags) needs mb, as in split_get_buf. */
	if (vq->event_idx && vq->callbacks_enabled) {
		write_driver_event(vq, event_off_wrap(pr->next_used, pr->used_wrap),
				   VRING_PACKED_EVENT_FLAG_DESC);
		virtio_mb();
	}
	free_buffer(vq, id);
	if (len)
		*len = written;
	return token;
}

/* DISABLE works with or without event indices.  Written only when it
 * changes: a device polling the area keeps its cache line clean. */
void packed_disable_cb(struct virtqueue *vq)
{
	struct virtqueue_packed *pr = &vq->packed_ring;

	if (pr->driver_flags != VRING_PACKED_EVENT_FLAG_DISABLE)
		write_driver_event(vq, read_event(pr->driver).off_wrap,
				   VRING_PACKED_EVENT_FLAG_DISABLE);
}

bool packed_enable_cb(struct virtqueue *vq)
{
	struct virtqueue_packed *pr = &vq->packed_ring;

	if (vq->event_idx)
		write_driver_event(vq, event_off_wrap(pr->next_used, pr->used_wrap),
				   VRING_PACKED_EVENT_FLAG_DESC);
	else
		write_driver_event(vq, 0, VRING_PACKED_EVENT_FLAG_ENABLE);
	/* Store the request, then load the next slot's flags: store→load (mb),
	 * or a buffer used just before the device saw the request is missed
	 * by both of us. */
	virtio_mb();
	return !packed_has_used(vq);
}
