/*
 * virtqueue.c — the device side of a split virtqueue (see host/virtqueue.h),
 * the checks every chain gets whatever its ring format, and the entry
 * points of the interface, which hand packed queues to virtqueue_packed.c.
 *
 * Layout in guest RAM (virtio 1.2, 2.7), for a queue of N entries:
 *
 *   descriptor table  N x struct vring_desc {addr, len, flags, next}   16-byte aligned
 *   available ring    flags, idx, ring[N], used_event                  2-byte aligned
 *   used ring         flags, idx, ring[N] {id, len}, avail_event       4-byte aligned
 *
 * The driver puts the head of a chain in avail->ring[idx % N] and then
 * increments avail->idx; the device takes chains from last_avail up to
 * avail->idx, and returns each by writing {head, bytes written} to
 * used->ring[used_idx % N] and then incrementing used->idx.
 *
 * Memory ordering with the guest's vCPU (another CPU):
 *   - avail->idx is loaded with acquire: the ring entry and descriptors the
 *     driver wrote before it are visible once we see the new index;
 *   - used->idx is stored with release: the used entry (and the data we
 *     wrote into the buffers) is visible before the new index;
 *   - a full fence separates "we published something" from "we read the
 *     driver's suppression flag or event index", pairing with the driver's
 *     own full barrier, so neither side can miss the other's update.
 * All fields are little-endian (VIRTIO_F_VERSION_1); the le*toh calls
 * cost nothing on x86 and say what the format is.
 */
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "host/trace.h"
#include "host/virtqueue.h"
#include "host/virtqueue_impl.h"

#define DESC_ALIGN      VRING_DESC_ALIGN_SIZE
#define AVAIL_ALIGN     VRING_AVAIL_ALIGN_SIZE
#define USED_ALIGN      VRING_USED_ALIGN_SIZE

/* Bytes of each ring for a queue of n entries (the trailing event fields
 * included: they exist whether or not EVENT_IDX is negotiated). */
static uint64_t desc_table_bytes(uint16_t n)
{
	return (uint64_t)n * sizeof(struct vring_desc);
}

static uint64_t avail_ring_bytes(uint16_t n)
{
	return sizeof(struct vring_avail) + (uint64_t)n * sizeof(__virtio16) + sizeof(__virtio16);
}

static uint64_t used_ring_bytes(uint16_t n)
{
	return sizeof(struct vring_used) + (uint64_t)n * sizeof(struct vring_used_elem) +
	       sizeof(__virtio16);
}

void virtqueue_reset(struct virtqueue *vq)
{
	const char *name = vq->name;
	uint16_t max_size = vq->max_size;
	uint64_t notifications = vq->notifications, interrupts = vq->interrupts;
	uint64_t chains = vq->chains, bad_chains = vq->bad_chains;

	memset(vq, 0, sizeof(*vq));
	vq->name = name;
	vq->max_size = max_size;
	vq->size = max_size;
	/* The counters describe the whole run, across resets. */
	vq->notifications = notifications;
	vq->interrupts = interrupts;
	vq->chains = chains;
	vq->bad_chains = bad_chains;
}

static bool is_power_of_two(uint16_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

void *vq_ring_in_ram(const struct guest_mem *mem, const char *what, uint64_t addr,
		     uint64_t bytes, uint64_t align, char *why, size_t why_len)
{
	void *p = NULL;

	if (addr % align != 0)
		snprintf(why, why_len, "%s at %#" PRIx64 " is not %" PRIu64 "-byte aligned",
			 what, addr, align);
	else if ((p = guest_mem_range(mem, addr, bytes)) == NULL)
		snprintf(why, why_len, "%s at %#" PRIx64 "+%#" PRIx64 " lies outside guest RAM",
			 what, addr, bytes);
	return p;
}

bool virtqueue_enable(struct virtqueue *vq, const struct guest_mem *mem,
		      char *why, size_t why_len)
{
	if (vq->packed)
		return packed_enable(vq, mem, why, why_len);
	if (!is_power_of_two(vq->size) || vq->size > vq->max_size) {
		snprintf(why, why_len, "queue size %u is not a power of two from 1 to %u",
			 vq->size, vq->max_size);
		return false;
	}
	const uint8_t *desc = vq_ring_in_ram(mem, "descriptor table", vq->desc_addr,
					  desc_table_bytes(vq->size), DESC_ALIGN, why, why_len);
	struct vring_avail *avail = desc == NULL ? NULL :
		vq_ring_in_ram(mem, "available ring", vq->driver_addr, avail_ring_bytes(vq->size),
			    AVAIL_ALIGN, why, why_len);
	struct vring_used *used = avail == NULL ? NULL :
		vq_ring_in_ram(mem, "used ring", vq->device_addr, used_ring_bytes(vq->size),
			    USED_ALIGN, why, why_len);

	if (used == NULL)
		return false;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->ready = true;
	return true;
}

/* ---- taking chains ------------------------------------------------------ */

static uint16_t load_avail_idx(const struct virtqueue *vq)
{
	return le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
}

/* avail_event sits just after the used ring's entries. */
static void publish_avail_event(struct virtqueue *vq)
{
	__virtio16 *avail_event = (__virtio16 *)&vq->used->ring[vq->size];

	__atomic_store_n(avail_event, htole16(vq->last_avail), __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Where the walk is: the ring's descriptor table, or one indirect table. */
struct walk {
	const uint8_t *table;
	unsigned int entries;
	bool indirect;
	uint8_t seen[VIRTQUEUE_MAX_INDIRECT / 8];       /* entries visited: loops */
};

static const char *table_name(const struct walk *w)
{
	return w->indirect ? "indirect descriptor" : "descriptor";
}

static void enter_table(struct walk *w, const uint8_t *table, unsigned int entries,
			bool indirect)
{
	w->table = table;
	w->entries = entries;
	w->indirect = indirect;
	memset(w->seen, 0, sizeof(w->seen));
}

const uint8_t *vq_indirect_table(const struct guest_mem *mem, unsigned int index,
				 uint64_t addr, uint32_t len, unsigned int *entries,
				 char *why, size_t why_len)
{
	const size_t entry = sizeof(struct vring_desc);         /* = vring_packed_desc */
	const uint8_t *table = NULL;

	if (len == 0 || len % entry != 0)
		snprintf(why, why_len, "descriptor %u: indirect table length %u is not a non-zero "
			 "multiple of %zu", index, len, entry);
	else if (len / entry > VIRTQUEUE_MAX_INDIRECT)
		snprintf(why, why_len, "descriptor %u: indirect table of %zu entries, more than %u",
			 index, len / entry, VIRTQUEUE_MAX_INDIRECT);
	else if ((table = guest_mem_range(mem, addr, len)) == NULL)
		snprintf(why, why_len, "descriptor %u: indirect table %#" PRIx64 "+%u lies outside "
			 "guest RAM", index, addr, len);
	else
		*entries = (unsigned int)(len / entry);
	return table;
}

/* An indirect descriptor: its buffer is a table of descriptors that
 * replaces the rest of the chain (one level only). */
static bool enter_indirect(struct virtqueue *vq, const struct guest_mem *mem, struct walk *w,
			   unsigned int index, uint64_t addr, uint32_t len, uint16_t flags,
			   char *why, size_t why_len)
{
	const uint8_t *table;
	unsigned int entries;

	if (!vq->indirect)
		snprintf(why, why_len, "descriptor %u is indirect, but VIRTIO_RING_F_INDIRECT_DESC "
			 "was not negotiated", index);
	else if (w->indirect)
		snprintf(why, why_len, "indirect descriptor %u points to another indirect table "
			 "(only one level is allowed)", index);
	else if (flags & VRING_DESC_F_NEXT)
		snprintf(why, why_len, "descriptor %u has both INDIRECT and NEXT", index);
	else if ((table = vq_indirect_table(mem, index, addr, len, &entries, why,
					    why_len)) != NULL) {
		enter_table(w, table, entries, true);
		return true;
	}
	return false;
}

bool vq_add_segment(struct vq_chain *chain, const struct guest_mem *mem, const char *what,
		    unsigned int index, uint64_t addr, uint32_t len, bool writable,
		    char *why, size_t why_len)
{
	uint8_t *host = guest_mem_range(mem, addr, len);

	if (host == NULL)
		snprintf(why, why_len, "%s %u: buffer %#" PRIx64 "+%u lies outside guest RAM",
			 what, index, addr, len);
	else if (!writable && chain->count > chain->readable)
		snprintf(why, why_len, "%s %u is device-readable but follows a device-writable one "
			 "(the spec puts all readable buffers first)", what, index);
	else if (chain->count == VIRTQUEUE_MAX_SEGMENTS)
		snprintf(why, why_len, "chain longer than %u descriptors", VIRTQUEUE_MAX_SEGMENTS);
	else {
		chain->seg[chain->count++] = (struct vq_segment){
			.gpa = addr, .host = host, .len = len, .device_writable = writable,
		};
		if (writable) {
			chain->writable_bytes += len;
		} else {
			chain->readable++;
			chain->readable_bytes += len;
		}
		return true;
	}
	return false;
}

/* Follows the chain from chain->head, checking every descriptor. */
static bool walk_chain(struct virtqueue *vq, const struct guest_mem *mem,
		       struct vq_chain *chain, char *why, size_t why_len)
{
	struct walk w;
	unsigned int index = chain->head;

	enter_table(&w, vq->desc, vq->size, false);
	for (;;) {
		struct vring_desc d;

		if (w.seen[index / 8] & (1u << (index % 8))) {
			snprintf(why, why_len, "%s %u appears twice in one chain (a loop)",
				 table_name(&w), index);
			return false;
		}
		w.seen[index / 8] |= (uint8_t)(1u << (index % 8));
		/* One copy of the descriptor: the guest may change it while we
		 * look, so we check and use only this copy. */
		memcpy(&d, w.table + (size_t)index * sizeof(d), sizeof(d));
		uint64_t addr = le64toh(d.addr);
		uint32_t len = le32toh(d.len);
		uint16_t flags = le16toh(d.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			if (!enter_indirect(vq, mem, &w, index, addr, len, flags, why, why_len))
				return false;
			index = 0;
			continue;
		}
		if (!vq_add_segment(chain, mem, table_name(&w), index, addr, len,
				    flags & VRING_DESC_F_WRITE, why, why_len))
			return false;
		if (!(flags & VRING_DESC_F_NEXT))
			return true;
		unsigned int next = le16toh(d.next);

		if (next >= w.entries) {
			snprintf(why, why_len, "%s %u: next %u is outside the table of %u entries",
				 table_name(&w), index, next, w.entries);
			return false;
		}
		index = next;
	}
}

enum vq_pop_result virtqueue_pop(struct virtqueue *vq, const struct guest_mem *mem,
				 struct vq_chain *chain, char *why, size_t why_len)
{
	if (!vq->ready)
		return VQ_EMPTY;
	if (vq->packed)
		return packed_pop(vq, mem, chain, why, why_len);
	uint16_t avail_idx = load_avail_idx(vq);

	if (avail_idx == vq->last_avail && vq->event_idx) {
		publish_avail_event(vq);
		avail_idx = load_avail_idx(vq);
	}
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);

	if (pending == 0)
		return VQ_EMPTY;
	if (pending > vq->size) {
		snprintf(why, why_len, "available index jumped from %u to %u, more than the "
			 "queue size %u", vq->last_avail, avail_idx, vq->size);
		return VQ_BROKEN;
	}
	uint16_t head = le16toh(vq->avail->ring[vq->last_avail & (vq->size - 1)]);

	vq->last_avail++;
	if (head >= vq->size) {
		snprintf(why, why_len, "available ring entry %u names descriptor %u, beyond the "
			 "queue size %u", (uint16_t)(vq->last_avail - 1), head, vq->size);
		return VQ_BROKEN;       /* no valid id to give back */
	}
	chain->head = head;
	chain->count = chain->readable = 0;
	chain->readable_bytes = chain->writable_bytes = 0;
	vq->chains++;
	if (walk_chain(vq, mem, chain, why, why_len))
		return VQ_CHAIN;
	vq->bad_chains++;
	return VQ_BAD_CHAIN;
}

void virtqueue_unpop(struct virtqueue *vq)
{
	if (vq->packed) {
		packed_unpop(vq);
		return;
	}
	vq->last_avail--;
	vq->chains--;
}

/* ---- returning chains --------------------------------------------------- */

void virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t len)
{
	if (vq->packed) {
		packed_push(vq, head, len);
		return;
	}
	struct vring_used_elem *elem = &vq->used->ring[vq->used_idx & (vq->size - 1)];

	elem->id = htole32(head);
	elem->len = htole32(len);
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx), __ATOMIC_RELEASE);
}

bool virtqueue_should_interrupt(struct virtqueue *vq)
{
	if (!vq->ready)
		return false;
	if (vq->packed)
		return packed_should_interrupt(vq);
	/* Our used->idx store must be visible before we read what the driver
	 * asked for, or a driver that just re-enabled interrupts is missed. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx) {
		uint16_t flags = le16toh(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED));

		return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	uint16_t old = vq->signalled_used, new = vq->used_idx;
	bool valid = vq->signalled_valid;
	/* used_event sits just after the available ring's entries. */
	uint16_t used_event = le16toh(__atomic_load_n(&vq->avail->ring[vq->size],
						      __ATOMIC_RELAXED));

	vq->signalled_used = new;
	vq->signalled_valid = true;
	/* Interrupt iff used_event lies in (old, new]: the driver asked to
	 * hear about the entry at used_event and we just passed it. */
	return !valid || vring_need_event(used_event, new, old);
}

/* ---- copying to and from a chain ------------------------------------------ */

size_t vq_chain_read(const struct vq_chain *chain, uint64_t offset, void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t done = 0;

	for (unsigned int i = 0; i < chain->readable && done < len; i++) {
		const struct vq_segment *s = &chain->seg[i];

		if (offset >= s->len) {
			offset -= s->len;
			continue;
		}
		size_t n = s->len - offset < len - done ? s->len - offset : len - done;

		memcpy(out + done, s->host + offset, n);
		done += n;
		offset = 0;
	}
	return done;
}

size_t vq_chain_write(const struct vq_chain *chain, uint64_t offset, const void *buf,
		      size_t len)
{
	const uint8_t *in = buf;
	size_t done = 0;

	for (unsigned int i = chain->readable; i < chain->count && done < len; i++) {
		const struct vq_segment *s = &chain->seg[i];

		if (offset >= s->len) {
			offset -= s->len;
			continue;
		}
		size_t n = s->len - offset < len - done ? s->len - offset : len - done;

		memcpy(s->host + offset, in + done, n);
		done += n;
		offset = 0;
	}
	return done;
}

/* ---- --trace -------------------------------------------------------------- */

#define TRACE_SEGMENTS_SHOWN 12

void virtqueue_trace_chain(const struct virtqueue *vq, const char *device,
			   const struct vq_chain *chain)
{
	char text[400];
	size_t used = 0;

	if (!trace_enabled)
		return;
	for (unsigned int i = 0; i < chain->count && i < TRACE_SEGMENTS_SHOWN; i++) {
		const struct vq_segment *s = &chain->seg[i];
		int n = snprintf(text + used, sizeof(text) - used, " %c:%#" PRIx64 "+%u",
				 s->device_writable ? 'W' : 'R', s->gpa, s->len);

		if (n < 0 || (size_t)n >= sizeof(text) - used)
			break;
		used += (size_t)n;
	}
	TRACE("%s %s chain %s=%u segments=%u read=%" PRIu64 " write=%" PRIu64 ":%s%s",
	      device, vq->name, vq->packed ? "id" : "head", chain->head, chain->count, chain->readable_bytes,
	      chain->writable_bytes, used ? text : " (empty)",
	      chain->count > TRACE_SEGMENTS_SHOWN ? " ..." : "");
}
