/*
 * virtqueue_packed.c — the device side of a packed virtqueue (virtio 1.2,
 * section 2.8; VIRTIO_F_RING_PACKED), behind the interface of
 * host/virtqueue.h: virtqueue.c hands packed queues to these functions.
 *
 * Layout in guest RAM, for a queue of N descriptors:
 *
 *   descriptor ring  N x struct vring_packed_desc {addr, len, id, flags}  16-byte aligned
 *   driver area      struct vring_packed_desc_event: the driver's wishes   4-byte aligned
 *                    about interrupts (we only read it)
 *   device area      struct vring_packed_desc_event: our wishes about      4-byte aligned
 *                    notifications (we only write it)
 *
 * There are no indices.  The driver writes descriptors into the ring in
 * circular order; a descriptor is available when its AVAIL flag equals
 * the wrap counter of the lap it was written in and its USED flag does
 * not.  We keep our own position and wrap counter (avail_slot/avail_wrap)
 * and look at one slot only: the next.  A chain is consecutive slots
 * linked by NEXT; its last descriptor carries the buffer id.  We return a
 * chain by writing one used descriptor — id, length written, and both
 * flags equal to our used wrap counter — at used_slot, and skip as many
 * slots as the chain took.
 *
 * Validation, as for split rings: every buffer inside guest RAM, readable
 * before writable, at most VIRTQUEUE_MAX_SEGMENTS, indirect tables only if
 * negotiated, alone in their chain, one level deep, of a sane size.  A
 * loop is impossible here (there is no `next` index to point backwards),
 * but a chain of NEXT flags running all the way round the ring is its
 * equivalent, and so is a chain continuing into a descriptor that is not
 * available: both break the ring (DEVICE_NEEDS_RESET), as does a buffer id
 * we could not return (>= the queue size).  Every descriptor is copied
 * once before it is looked at, so the guest cannot change it under us.
 *
 * Memory ordering with the guest's vCPU: the flags of the next slot are
 * loaded with acquire (the descriptor contents the driver wrote before
 * making it available are then visible); a used descriptor's flags are
 * stored with release after its id and length; a full fence separates
 * "we published something" from "we read the driver's event suppression",
 * as for split rings.
 */
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "host/virtqueue.h"
#include "host/virtqueue_impl.h"

#define DESC_ALIGN      16      /* the descriptor ring (2.8.10.1) */
#define EVENT_ALIGN     4       /* each event suppression structure */
#define PACKED_MAX_SIZE 0x8000  /* 2^15 descriptors: a slot fits beside the wrap bit */

/* <linux/virtio_ring.h> gives bit numbers for these; we need the masks. */
#define DESC_F_AVAIL    ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define DESC_F_USED     ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))
#define EVENT_F_WRAP    ((uint16_t)(1u << VRING_PACKED_EVENT_F_WRAP_CTR))

/* The two fields of an event suppression structure, read or written in
 * one 32-bit access so that the offset and the flags always belong to the
 * same update. */
union event_word {
	uint32_t word;
	struct vring_packed_desc_event event;
};

bool packed_enable(struct virtqueue *vq, const struct guest_mem *mem, char *why,
		   size_t why_len)
{
	if (vq->size == 0 || vq->size > vq->max_size || vq->size > PACKED_MAX_SIZE) {
		snprintf(why, why_len, "queue size %u is not from 1 to %u", vq->size, vq->max_size);
		return false;
	}
	struct vring_packed_desc *ring =
		vq_ring_in_ram(mem, "descriptor ring", vq->desc_addr,
			       (uint64_t)vq->size * sizeof(*ring), DESC_ALIGN, why, why_len);
	struct vring_packed_desc_event *driver = ring == NULL ? NULL :
		vq_ring_in_ram(mem, "driver event suppression", vq->driver_addr,
			       sizeof(*driver), EVENT_ALIGN, why, why_len);
	struct vring_packed_desc_event *device = driver == NULL ? NULL :
		vq_ring_in_ram(mem, "device event suppression", vq->device_addr,
			       sizeof(*device), EVENT_ALIGN, why, why_len);

	if (device == NULL)
		return false;
	vq->ring = ring;
	vq->driver_event = driver;
	vq->device_event = device;
	/* Both wrap counters start at 1 (2.8.1), positions at slot 0. */
	vq->avail_slot = vq->used_slot = 0;
	vq->avail_wrap = vq->used_wrap = true;
	vq->used_idx = 0;
	vq->unsignalled_slots = 0;
	vq->ready = true;
	return true;
}

/* Moves a ring position n slots on (n <= size); crossing the end starts
 * the next lap, which flips the wrap counter. */
static void advance(uint16_t *slot, bool *wrap, unsigned int n, uint16_t size)
{
	unsigned int next = *slot + n;

	if (next >= size) {
		next -= size;
		*wrap = !*wrap;
	}
	*slot = (uint16_t)next;
}

/* Has the driver made `slot` available in the lap with wrap counter
 * `wrap`?  AVAIL must equal the counter and USED must not.  Acquire: what
 * the driver wrote before these flags is visible after. */
static bool slot_available(const struct virtqueue *vq, uint16_t slot, bool wrap)
{
	uint16_t flags = le16toh(__atomic_load_n(&vq->ring[slot].flags, __ATOMIC_ACQUIRE));
	bool avail = flags & DESC_F_AVAIL, used = flags & DESC_F_USED;

	return avail == wrap && used != wrap;
}

/* With EVENT_IDX: "notify me when you make this slot of this lap
 * available", i.e. the next one we will look at.  Then a full fence: the
 * store before the re-check of the slot (pairs with the driver's mb
 * between making a descriptor available and reading this). */
static void publish_device_event(struct virtqueue *vq)
{
	union event_word u = { .event = {
		.off_wrap = htole16((uint16_t)(vq->avail_slot | (vq->avail_wrap ? EVENT_F_WRAP : 0))),
		.flags = htole16(VRING_PACKED_EVENT_FLAG_DESC),
	} };

	__atomic_store_n((uint32_t *)(void *)vq->device_event, u.word, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* The buffers of an indirect table (one level: the entries are
 * consecutive, only their WRITE flag means anything, and an entry that
 * is itself INDIRECT is refused). */
static bool add_indirect(struct vq_chain *chain, const struct guest_mem *mem,
			 unsigned int slot, uint64_t addr, uint32_t len, char *why, size_t why_len)
{
	unsigned int entries;
	const uint8_t *table = vq_indirect_table(mem, slot, addr, len, &entries, why, why_len);

	if (table == NULL)
		return false;
	for (unsigned int i = 0; i < entries; i++) {
		struct vring_packed_desc d;

		memcpy(&d, table + (size_t)i * sizeof(d), sizeof(d));
		uint16_t flags = le16toh(d.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			snprintf(why, why_len, "indirect descriptor %u points to another indirect "
				 "table (only one level is allowed)", i);
			return false;
		}
		if (!vq_add_segment(chain, mem, "indirect descriptor", i, le64toh(d.addr),
				    le32toh(d.len), flags & VRING_DESC_F_WRITE, why, why_len))
			return false;
	}
	return true;
}

/* One descriptor of a chain (`position` in it, 0 for the first), already
 * copied: its buffer, or the buffers of its indirect table. */
static bool add_descriptor(struct virtqueue *vq, const struct guest_mem *mem,
			   struct vq_chain *chain, unsigned int slot, unsigned int position,
			   const struct vring_packed_desc *d, char *why, size_t why_len)
{
	uint16_t flags = le16toh(d->flags);
	uint64_t addr = le64toh(d->addr);
	uint32_t len = le32toh(d->len);

	if (!(flags & VRING_DESC_F_INDIRECT))
		return vq_add_segment(chain, mem, "descriptor", slot, addr, len,
				      flags & VRING_DESC_F_WRITE, why, why_len);
	if (!vq->indirect)
		snprintf(why, why_len, "descriptor %u is indirect, but VIRTIO_RING_F_INDIRECT_DESC "
			 "was not negotiated", slot);
	else if (position > 0 || (flags & VRING_DESC_F_NEXT))
		snprintf(why, why_len, "descriptor %u is indirect inside a chain of NEXT "
			 "descriptors (an indirect one must be alone)", slot);
	else
		return add_indirect(chain, mem, slot, addr, len, why, why_len);
	return false;
}

/*
 * Walks the chain that starts at avail_slot: consecutive slots until one
 * without NEXT.  A bad buffer makes the chain bad, but the walk goes on
 * to its end, because the end is where the buffer id is and where the
 * next chain starts: the chain can then still be returned (length 0).
 * *slots gets the chain's length in slots, *id its buffer id.  false +
 * why when the ring itself is broken.
 */
static bool walk_chain(struct virtqueue *vq, const struct guest_mem *mem,
		       struct vq_chain *chain, unsigned int *slots, uint16_t *id,
		       bool *bad, char *why, size_t why_len)
{
	uint16_t slot = vq->avail_slot;
	bool wrap = vq->avail_wrap;

	for (unsigned int n = 0;; n++) {
		struct vring_packed_desc d;

		if (n == vq->size) {
			snprintf(why, why_len, "a chain of NEXT descriptors from slot %u runs all the "
				 "way round the ring of %u", vq->avail_slot, vq->size);
			return false;
		}
		if (n > 0 && !slot_available(vq, slot, wrap)) {
			snprintf(why, why_len, "the chain from slot %u continues into slot %u, which "
				 "was not made available", vq->avail_slot, slot);
			return false;
		}
		/* One copy: checked and used, whatever the guest writes meanwhile. */
		memcpy(&d, &vq->ring[slot], sizeof(d));
		if (!*bad && !add_descriptor(vq, mem, chain, slot, n, &d, why, why_len))
			*bad = true;
		advance(&slot, &wrap, 1, vq->size);
		if (!(le16toh(d.flags) & VRING_DESC_F_NEXT)) {
			*slots = n + 1;
			*id = le16toh(d.id);    /* the last descriptor carries it */
			return true;
		}
	}
}

enum vq_pop_result packed_pop(struct virtqueue *vq, const struct guest_mem *mem,
			      struct vq_chain *chain, char *why, size_t why_len)
{
	if (!slot_available(vq, vq->avail_slot, vq->avail_wrap)) {
		if (!vq->event_idx)
			return VQ_EMPTY;
		publish_device_event(vq);
		if (!slot_available(vq, vq->avail_slot, vq->avail_wrap))
			return VQ_EMPTY;
	}
	unsigned int slots = 0;
	uint16_t id = 0;
	bool bad = false;

	chain->count = chain->readable = 0;
	chain->readable_bytes = chain->writable_bytes = 0;
	if (!walk_chain(vq, mem, chain, &slots, &id, &bad, why, why_len))
		return VQ_BROKEN;
	if (id >= vq->size) {
		snprintf(why, why_len, "the chain at slot %u has buffer id %u, beyond the queue "
			 "size %u", vq->avail_slot, id, vq->size);
		return VQ_BROKEN;       /* no id we could give back */
	}
	vq->popped_slot = vq->avail_slot;
	vq->popped_wrap = vq->avail_wrap;
	advance(&vq->avail_slot, &vq->avail_wrap, slots, vq->size);
	vq->chain_slots[id] = (uint16_t)slots;
	chain->head = id;
	vq->chains++;
	if (!bad)
		return VQ_CHAIN;
	vq->bad_chains++;
	return VQ_BAD_CHAIN;
}

void packed_unpop(struct virtqueue *vq)
{
	vq->avail_slot = vq->popped_slot;
	vq->avail_wrap = vq->popped_wrap;
	vq->chains--;
}

/*
 * One used descriptor at used_slot: the id and the length, then the flags
 * with release, since the flags are what tell the driver the rest is
 * valid.  WRITE says "the length counts" (2.8.4): set when we wrote
 * anything.  Then skip the slots the chain took: the driver, which knows
 * each id's chain length, skips the same number.
 */
void packed_push(struct virtqueue *vq, uint16_t id, uint32_t len)
{
	struct vring_packed_desc *d = &vq->ring[vq->used_slot];
	uint16_t slots = id < vq->size && vq->chain_slots[id] > 0 ? vq->chain_slots[id] : 1;
	uint16_t flags = vq->used_wrap ? (DESC_F_AVAIL | DESC_F_USED) : 0;

	if (len > 0)
		flags |= VRING_DESC_F_WRITE;
	d->id = htole16(id);
	d->len = htole32(len);
	__atomic_store_n(&d->flags, htole16(flags), __ATOMIC_RELEASE);
	advance(&vq->used_slot, &vq->used_wrap, slots, vq->size);
	vq->used_idx++;
	vq->unsignalled_slots = (uint16_t)(vq->unsignalled_slots + slots < vq->size ?
					   vq->unsignalled_slots + slots : vq->size);
}

/*
 * Did the last `moved` used slots, ending just before (slot, wrap), pass
 * the slot the driver named?  Positions count from the start of our
 * current lap, so a slot of the previous lap (the other wrap counter) is
 * negative; the event must lie in [slot - moved, slot).  This is
 * vring_need_event() for a ring without free-running indices.
 */
static bool event_passed(uint16_t off_wrap, uint16_t slot, bool wrap, unsigned int moved,
			 uint16_t size)
{
	int event = off_wrap & (EVENT_F_WRAP - 1);

	if (moved >= size)
		return true;            /* a whole lap: every slot was passed */
	if (((off_wrap & EVENT_F_WRAP) != 0) != wrap)
		event -= size;
	return (int)slot - (int)moved <= event && event < (int)slot;
}

bool packed_should_interrupt(struct virtqueue *vq)
{
	unsigned int moved = vq->unsignalled_slots;

	/* Our used flags must be visible before we read what the driver asked
	 * for, or a driver that just re-enabled interrupts is missed. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	union event_word u = {
		.word = __atomic_load_n((uint32_t *)(void *)vq->driver_event, __ATOMIC_RELAXED)
	};
	uint16_t flags = le16toh(u.event.flags), off_wrap = le16toh(u.event.off_wrap);

	vq->unsignalled_slots = 0;
	if (flags == VRING_PACKED_EVENT_FLAG_DISABLE)
		return false;
	if (flags == VRING_PACKED_EVENT_FLAG_DESC && vq->event_idx)
		return event_passed(off_wrap, vq->used_slot, vq->used_wrap, moved, vq->size);
	return true;    /* ENABLE, or a value we do not know: better one too many */
}
