/*
 * fake_driver.h — the driver side of a split or packed virtqueue, built by
 * hand in a fake guest RAM, for pvkit-hv's virtio unit tests: a test writes
 * descriptors (good or deliberately broken), makes them available, and
 * reads back what the device put in the used ring (packed: the used
 * descriptors in the one ring).
 */
#ifndef PVKIT_TESTS_HOST_FAKE_DRIVER_H
#define PVKIT_TESTS_HOST_FAKE_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

#include "host/guest_mem.h"

#define FAKE_RAM_SIZE   (4u << 20)      /* 4 MiB of "guest RAM" */

/* Where each queue's rings go: queue q uses FAKE_QUEUE_BASE + q * FAKE_QUEUE_STRIDE. */
#define FAKE_QUEUE_BASE         0x10000u
#define FAKE_QUEUE_STRIDE       0x10000u
#define FAKE_DESC_OFFSET        0x0000u
#define FAKE_AVAIL_OFFSET       0x4000u
#define FAKE_USED_OFFSET        0x8000u
#define FAKE_BUFFERS            0x100000u       /* free space for data and indirect tables */
#define FAKE_MAX_IDS            256             /* packed buffer ids the fake driver tracks */

struct fake_queue {
	uint16_t size;
	uint64_t desc, avail, used;     /* guest-physical (packed: descriptor ring,
					   driver event, device event) */
	uint16_t avail_idx;             /* what we published */
	uint16_t used_seen;             /* used entries consumed */
	/* Packed rings (fake_packed_*). */
	bool packed;
	uint16_t next_avail, next_used; /* slots */
	bool avail_wrap, used_wrap;     /* the two wrap counters, starting at 1 */
	uint16_t slots_of[FAKE_MAX_IDS];        /* by buffer id: slots its chain took */
};

/* A zeroed RAM; fake_ram_free releases it. */
struct guest_mem fake_ram_new(void);
void fake_ram_free(struct guest_mem *mem);
void *fake_ptr(const struct guest_mem *mem, uint64_t gpa);

/* Queue q's rings, size entries, zeroed. */
void fake_queue_init(struct fake_queue *fq, const struct guest_mem *mem, unsigned int q,
		     uint16_t size);
/* Descriptor i of the ring's table, or of the table at gpa table. */
void fake_desc(const struct guest_mem *mem, uint64_t table, unsigned int i, uint64_t addr,
	       uint32_t len, uint16_t flags, uint16_t next);
/* Puts head in the available ring and publishes the new index. */
void fake_publish(struct fake_queue *fq, const struct guest_mem *mem, uint16_t head);
/* Number of used entries not yet consumed; the next one. */
uint16_t fake_used_pending(const struct fake_queue *fq, const struct guest_mem *mem);
struct vring_used_elem fake_take_used(struct fake_queue *fq, const struct guest_mem *mem);
/* The EVENT_IDX fields: the driver's used_event, the device's avail_event. */
void fake_set_used_event(const struct fake_queue *fq, const struct guest_mem *mem, uint16_t v);
uint16_t fake_avail_event(const struct fake_queue *fq, const struct guest_mem *mem);
void fake_set_avail_flags(const struct fake_queue *fq, const struct guest_mem *mem, uint16_t f);

/* ---- packed rings ---- */

/* Queue q's three areas, zeroed (the descriptor ring must start so). */
void fake_packed_init(struct fake_queue *fq, const struct guest_mem *mem, unsigned int q,
		      uint16_t size);
/* One element of a buffer: flags are WRITE, NEXT, INDIRECT as the test
 * wants them (nothing is added but the AVAIL/USED bits). */
struct fake_elem {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
};
/* Writes n descriptors from the next free slot on, each with buffer id
 * `id` and the AVAIL/USED bits of its own lap, the head's flags last (so
 * that is what makes the chain available); remembers n for `id`. */
void fake_packed_add(struct fake_queue *fq, const struct guest_mem *mem,
		     const struct fake_elem *e, unsigned int n, uint16_t id);
/* The descriptor in slot `slot`, to inspect or spoil. */
struct vring_packed_desc *fake_packed_slot(const struct fake_queue *fq,
					   const struct guest_mem *mem, uint16_t slot);
/* The next used descriptor, if the device wrote one: copied to *out, and
 * the fake driver skips the slots of that buffer id. */
bool fake_packed_take_used(struct fake_queue *fq, const struct guest_mem *mem,
			   struct vring_packed_desc *out);
/* The event suppression areas: the driver's (we write), the device's. */
void fake_packed_set_driver_event(const struct fake_queue *fq, const struct guest_mem *mem,
				  uint16_t off_wrap, uint16_t flags);
struct vring_packed_desc_event fake_packed_device_event(const struct fake_queue *fq,
							const struct guest_mem *mem);

/* The virtio-mmio handshake on a transport, as a driver does it: reset,
 * ACKNOWLEDGE, DRIVER, accept `features` (of those offered), FEATURES_OK,
 * queues 0..nq-1 of `size` entries (fake_queue_init), DRIVER_OK.
 * Returns the device status read back at the end.  fake_mmio_start never
 * accepts VIRTIO_F_RING_PACKED (its queues are split);
 * fake_mmio_start_packed always does (fake_packed_init). */
struct virtio_mmio;
uint32_t fake_mmio_start(struct virtio_mmio *t, const struct guest_mem *mem,
			 struct fake_queue fq[], unsigned int nq, uint16_t size, uint64_t features);
uint32_t fake_mmio_start_packed(struct virtio_mmio *t, const struct guest_mem *mem,
				struct fake_queue fq[], unsigned int nq, uint16_t size,
				uint64_t features);

#endif
