/*
 * fake_driver.h — the driver side of a split virtqueue, built by hand in a
 * fake guest RAM, for pvkit-hv's virtio unit tests: a test writes
 * descriptors (good or deliberately broken), makes them available, and
 * reads back what the device put in the used ring.
 */
#ifndef PVKIT_TESTS_HOST_FAKE_DRIVER_H
#define PVKIT_TESTS_HOST_FAKE_DRIVER_H

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

struct fake_queue {
	uint16_t size;
	uint64_t desc, avail, used;     /* guest-physical */
	uint16_t avail_idx;             /* what we published */
	uint16_t used_seen;             /* used entries consumed */
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

/* The virtio-mmio handshake on a transport, as a driver does it: reset,
 * ACKNOWLEDGE, DRIVER, accept `features` (of those offered), FEATURES_OK,
 * queues 0..nq-1 of `size` entries (fake_queue_init), DRIVER_OK.
 * Returns the device status read back at the end. */
struct virtio_mmio;
uint32_t fake_mmio_start(struct virtio_mmio *t, const struct guest_mem *mem,
			 struct fake_queue fq[], unsigned int nq, uint16_t size, uint64_t features);

#endif
