/*
 * test_virtqueue_packed.c — the device side of packed virtqueues
 * (host/virtqueue_packed.c, through the interface of host/virtqueue.h)
 * against rings built by hand in a fake guest RAM: good chains, rings that
 * wrap round many times, out-of-order completion, event suppression in
 * both modes, and every kind of broken ring a hostile guest could write.
 * As for split rings: the device must take each broken chain apart
 * without touching memory outside guest RAM (ASan watches), say what is
 * wrong, and carry on (or, when the ring itself is broken, say so).  One
 * test drives virtio-blk end to end over a packed queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_blk.h>

#include "host/virtio_blk.h"
#include "host/virtio_mmio.h"
#include "host/virtqueue.h"
#include "tests/host/fake_driver.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define QSIZE   8
#define R       0                               /* device-readable */
#define W       VRING_DESC_F_WRITE              /* device-writable */
#define N       VRING_DESC_F_NEXT
#define IND     VRING_DESC_F_INDIRECT
#define BUF(i)  (FAKE_BUFFERS + (uint64_t)(i) * 0x1000)
#define TABLE   (FAKE_BUFFERS + 0x80000)        /* an indirect table */
#define AVAIL_BIT       (1u << VRING_PACKED_DESC_F_AVAIL)
#define USED_BIT        (1u << VRING_PACKED_DESC_F_USED)
#define WRAP_BIT        (1u << VRING_PACKED_EVENT_F_WRAP_CTR)

static struct guest_mem mem;
static struct fake_queue fq;
static struct virtqueue vq;
static struct vq_chain chain;
static char why[256];

/* A ready packed queue of `size` entries over fresh RAM. */
static void setup_sized(uint16_t size, bool indirect, bool event_idx)
{
	fake_ram_free(&mem);
	mem = fake_ram_new();
	fake_packed_init(&fq, &mem, 0, size);
	vq = (struct virtqueue){ .name = "testq", .max_size = 16 };
	virtqueue_reset(&vq);
	vq.size = size;
	vq.desc_addr = fq.desc;
	vq.driver_addr = fq.avail;
	vq.device_addr = fq.used;
	vq.packed = true;
	vq.indirect = indirect;
	vq.event_idx = event_idx;
	CHECK(virtqueue_enable(&vq, &mem, why, sizeof(why)));
	why[0] = '\0';
}

static void setup(bool indirect, bool event_idx)
{
	setup_sized(QSIZE, indirect, event_idx);
}

static enum vq_pop_result pop(void)
{
	return virtqueue_pop(&vq, &mem, &chain, why, sizeof(why));
}

/* A one-descriptor buffer. */
static void add_one(uint64_t addr, uint32_t len, uint16_t flags, uint16_t id)
{
	struct fake_elem e = { addr, len, flags };

	fake_packed_add(&fq, &mem, &e, 1, id);
}

#define CHECK_WHY(text)                                                         \
	do {                                                                    \
		if (strstr(why, text) == NULL)                                  \
			check_fail(__FILE__, __LINE__, "reason \"%s\" lacks \"%s\"",  \
				   why, text);                                  \
	} while (0)

static void good_chain(void)
{
	const struct fake_elem e[3] = {
		{ BUF(0), 16, R | N }, { BUF(1), 512, W | N }, { BUF(2), 1, W },
	};
	struct vring_packed_desc used;

	setup(false, false);
	memcpy(fake_ptr(&mem, BUF(0)), "0123456789abcdef", 16);
	CHECK_INT(pop(), VQ_EMPTY);                     /* a zeroed ring has nothing */
	fake_packed_add(&fq, &mem, e, 3, 5);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(chain.head, 5);                      /* the buffer id, not a slot */
	CHECK_UINT(chain.count, 3);
	CHECK_UINT(chain.readable, 1);
	CHECK_UINT(chain.readable_bytes, 16);
	CHECK_UINT(chain.writable_bytes, 513);
	CHECK_PTR(chain.seg[2].host, fake_ptr(&mem, BUF(2)));
	CHECK_INT(pop(), VQ_EMPTY);
	CHECK(!fake_packed_take_used(&fq, &mem, &used));

	virtqueue_push(&vq, chain.head, 513);
	CHECK_UINT(vq.used_idx, 1);                     /* counts chains, as for split */
	CHECK(fake_packed_take_used(&fq, &mem, &used));
	CHECK_UINT(used.id, 5);
	CHECK_UINT(used.len, 513);
	CHECK_UINT(used.flags, AVAIL_BIT | USED_BIT | W);       /* lap 1, wrote something */
	CHECK_UINT(fq.next_used, 3);                    /* the driver skips the chain */
	CHECK_UINT(vq.used_slot, 3);
}

/* Chains of 1 to 3 slots, again and again, so that chains start in every
 * slot, straddle the end of the ring, and both wrap counters flip many
 * times.  A ring of 7: packed rings need no power of two. */
static void wraps_around_for_many_laps(void)
{
	struct vring_packed_desc used;
	unsigned int crossings = 0;

	setup_sized(7, false, false);
	for (unsigned int i = 0; i < 40; i++) {
		unsigned int n = 1 + i % 3;
		struct fake_elem e[3];

		crossings += vq.avail_slot + n > 7;

		for (unsigned int k = 0; k < n; k++)
			e[k] = (struct fake_elem){ BUF(k), 100 + k, (k + 1 < n ? N : 0) | W };
		fake_packed_add(&fq, &mem, e, n, (uint16_t)(i % 7));
		CHECK_INT(pop(), VQ_CHAIN);
		CHECK_UINT(chain.head, i % 7);
		CHECK_UINT(chain.count, n);
		CHECK_UINT(chain.seg[n - 1].len, 100 + n - 1);
		virtqueue_push(&vq, chain.head, i);
		CHECK(fake_packed_take_used(&fq, &mem, &used));
		CHECK_UINT(used.id, i % 7);
		CHECK_UINT(used.len, i);
		CHECK_INT(pop(), VQ_EMPTY);
	}
	CHECK_UINT(vq.avail_slot, fq.next_avail);
	CHECK_INT(vq.avail_wrap, fq.avail_wrap);
	CHECK_UINT(vq.used_slot, fq.next_used);
	CHECK_INT(vq.used_wrap, fq.used_wrap);
	CHECK_UINT(vq.bad_chains, 0);
	CHECK(crossings >= 5);
}

/* A full ring taken at once, completed in the opposite order: the used
 * descriptors go in completion order, each where the device's position
 * is, and the driver skips by each id's chain length. */
static void out_of_order_completion(void)
{
	const struct fake_elem two[2] = { { BUF(0), 8, R | N }, { BUF(1), 8, W } };
	struct vring_packed_desc used;
	uint16_t ids[4];

	setup(false, false);
	for (uint16_t id = 0; id < 4; id++)
		fake_packed_add(&fq, &mem, two, 2, id);         /* 4 x 2 slots: full */
	for (unsigned int i = 0; i < 4; i++) {
		CHECK_INT(pop(), VQ_CHAIN);
		ids[i] = chain.head;
	}
	CHECK_INT(pop(), VQ_EMPTY);
	for (int i = 3; i >= 0; i--)
		virtqueue_push(&vq, ids[i], 8);
	for (int i = 3; i >= 0; i--) {
		CHECK(fake_packed_take_used(&fq, &mem, &used));
		CHECK_UINT(used.id, ids[i]);
	}
	CHECK(!fake_packed_take_used(&fq, &mem, &used));
	CHECK_UINT(vq.used_slot, 0);
	CHECK(!vq.used_wrap);                           /* one lap done */
	/* The next lap works the same. */
	fake_packed_add(&fq, &mem, two, 2, 2);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(chain.head, 2);
	virtqueue_push(&vq, 2, 0);
	CHECK(fake_packed_take_used(&fq, &mem, &used));
	CHECK_UINT(used.flags, 0);                      /* lap 0, nothing written */
}

static void buffer_outside_ram(void)
{
	struct vring_packed_desc used;

	setup(false, false);
	add_one(FAKE_RAM_SIZE - 8, 16, R, 1);                   /* straddles the end */
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("outside guest RAM");
	CHECK_UINT(chain.head, 1);                              /* still returnable */
	virtqueue_push(&vq, chain.head, 0);
	CHECK(fake_packed_take_used(&fq, &mem, &used));
	CHECK_UINT(used.id, 1);
	add_one(UINT64_MAX - 15, 0x100, W, 2);                  /* wraps round 2^64 */
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	add_one(BUF(0), UINT32_MAX, W, 3);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	/* The queue carries on. */
	add_one(BUF(0), 4, W, 4);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(vq.bad_chains, 3);
}

/* A bad buffer in the middle: the walk still finds the chain's end, so
 * the chain is returned by its id and the next chain starts right. */
static void bad_buffer_mid_chain_keeps_the_ring_in_step(void)
{
	const struct fake_elem e[3] = {
		{ BUF(0), 16, R | N }, { 0xfee00000, 4, R | N }, { BUF(2), 1, W },
	};

	setup(false, false);
	fake_packed_add(&fq, &mem, e, 3, 6);
	add_one(BUF(3), 4, W, 7);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("descriptor 1: buffer 0xfee00000+4 lies outside guest RAM");
	CHECK_UINT(chain.head, 6);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(chain.head, 7);
	CHECK_UINT(chain.seg[0].gpa, BUF(3));
}

static void writable_before_readable(void)
{
	const struct fake_elem e[2] = { { BUF(0), 16, W | N }, { BUF(1), 16, R } };

	setup(false, false);
	fake_packed_add(&fq, &mem, e, 2, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("follows a device-writable");
}

/* No `next` index means no loops; the packed equivalents break the ring. */
static void chain_round_the_whole_ring(void)
{
	struct fake_elem e[QSIZE];

	setup(false, false);
	for (unsigned int i = 0; i < QSIZE; i++)
		e[i] = (struct fake_elem){ BUF(i), 4, R | N };  /* NEXT even on the last */
	fake_packed_add(&fq, &mem, e, QSIZE, 0);
	CHECK_INT(pop(), VQ_BROKEN);
	CHECK_WHY("all the way round");
}

static void chain_into_a_slot_not_available(void)
{
	const struct fake_elem e[3] = { { BUF(0), 4, R | N }, { BUF(1), 4, R | N },
					{ BUF(2), 4, W } };

	setup(false, false);
	fake_packed_add(&fq, &mem, e, 3, 0);
	fake_packed_slot(&fq, &mem, 2)->flags ^= AVAIL_BIT | USED_BIT;  /* last lap's */
	CHECK_INT(pop(), VQ_BROKEN);
	CHECK_WHY("continues into slot 2");
	/* The same at the end of a chain that runs off the published part. */
	setup(false, false);
	add_one(BUF(0), 4, R | N, 0);
	CHECK_INT(pop(), VQ_BROKEN);
	CHECK_WHY("not made available");
}

static void buffer_id_beyond_queue_size(void)
{
	setup(false, false);
	add_one(BUF(0), 4, W, QSIZE);
	CHECK_INT(pop(), VQ_BROKEN);
	CHECK_WHY("beyond the queue size");
}

/* A table of packed descriptors: consecutive, only WRITE counts. */
static void indirect_table(void)
{
	struct vring_packed_desc *t;

	setup(true, false);
	t = fake_ptr(&mem, TABLE);
	t[0] = (struct vring_packed_desc){ .addr = BUF(0), .len = 16, .flags = R };
	t[1] = (struct vring_packed_desc){ .addr = BUF(1), .len = 512, .flags = W | N };
	t[2] = (struct vring_packed_desc){ .addr = BUF(2), .len = 1, .flags = W };
	add_one(TABLE, 3 * 16, IND, 4);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(chain.head, 4);
	CHECK_UINT(chain.count, 3);
	CHECK_UINT(chain.readable, 1);
	CHECK_UINT(chain.writable_bytes, 513);
	CHECK_UINT(vq.avail_slot, 1);                   /* one slot for the whole buffer */
	/* The largest table accepted: VIRTQUEUE_MAX_INDIRECT entries. */
	for (unsigned int i = 0; i < VIRTQUEUE_MAX_INDIRECT; i++)
		t[i] = (struct vring_packed_desc){ .addr = BUF(1), .len = 4, .flags = W };
	add_one(TABLE, VIRTQUEUE_MAX_INDIRECT * 16, IND, 5);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(chain.count, VIRTQUEUE_MAX_SEGMENTS);
}

/* Each broken indirect descriptor in turn, with the reason expected. */
static void bad_indirect(void)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
		uint16_t flags;
		const char *reason;
	} cases[] = {
		{ FAKE_RAM_SIZE - 16, 32, IND, "outside guest RAM" },
		{ UINT64_MAX - 15, 32, IND, "outside guest RAM" },
		{ TABLE, 24, IND, "multiple of 16" },
		{ TABLE, 0, IND, "multiple of 16" },
		{ TABLE, (VIRTQUEUE_MAX_INDIRECT + 1) * 16, IND, "more than" },
		{ TABLE, 32, IND | N, "must be alone" },
	};
	struct vring_packed_desc *t;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fake_elem e[2] = { { cases[i].addr, cases[i].len, cases[i].flags },
						{ BUF(0), 4, W } };

		setup(true, false);
		t = fake_ptr(&mem, TABLE);
		t[0] = (struct vring_packed_desc){ .addr = BUF(0), .len = 4, .flags = W };
		t[1] = t[0];
		fake_packed_add(&fq, &mem, e, cases[i].flags & N ? 2 : 1, 1);
		CHECK_INT(pop(), VQ_BAD_CHAIN);
		CHECK_WHY(cases[i].reason);
	}
	/* An indirect descriptor after a direct one. */
	const struct fake_elem mixed[2] = { { BUF(0), 4, R | N }, { TABLE, 32, IND } };

	setup(true, false);
	fake_packed_add(&fq, &mem, mixed, 2, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("must be alone");
	/* A table inside a table. */
	setup(true, false);
	t = fake_ptr(&mem, TABLE);
	t[0] = (struct vring_packed_desc){ .addr = BUF(0), .len = 4, .flags = R };
	t[1] = (struct vring_packed_desc){ .addr = TABLE, .len = 32, .flags = IND };
	add_one(TABLE, 32, IND, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("another indirect table");
	/* Indirect without the feature. */
	setup(false, false);
	add_one(TABLE, 32, IND, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("not negotiated");
}

static void enable_checks_areas(void)
{
	setup(false, false);
	vq.ready = false;
	vq.size = 6;                                    /* fine: no power of two needed */
	CHECK(virtqueue_enable(&vq, &mem, why, sizeof(why)));
	vq.ready = false;
	vq.size = 0;
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK_WHY("queue size");
	vq.size = 17;                                   /* more than max_size */
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	vq.size = QSIZE;
	vq.desc_addr = fq.desc + 8;
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK_WHY("aligned");
	vq.desc_addr = FAKE_RAM_SIZE - 64;              /* 8 x 16 bytes do not fit */
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK_WHY("outside guest RAM");
	vq.desc_addr = fq.desc;
	vq.driver_addr = fq.avail + 2;
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK_WHY("driver event suppression");
	vq.driver_addr = fq.avail;
	vq.device_addr = FAKE_RAM_SIZE - 2;
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK_WHY("device event suppression");
	CHECK(!vq.ready);
	vq.device_addr = fq.used;
	CHECK(virtqueue_enable(&vq, &mem, why, sizeof(why)));
}

/* Without EVENT_IDX: the driver's flags alone; we never ask for fewer
 * notifications (our event area stays ENABLE). */
static void interrupts_follow_driver_flags(void)
{
	setup(false, false);
	for (uint16_t id = 0; id < 3; id++)
		add_one(BUF(id), 4, W, id);
	CHECK_INT(pop(), VQ_CHAIN);
	virtqueue_push(&vq, chain.head, 4);
	CHECK(virtqueue_should_interrupt(&vq));
	fake_packed_set_driver_event(&fq, &mem, 0, VRING_PACKED_EVENT_FLAG_DISABLE);
	CHECK_INT(pop(), VQ_CHAIN);
	virtqueue_push(&vq, chain.head, 4);
	CHECK(!virtqueue_should_interrupt(&vq));
	/* DESC without EVENT_IDX negotiated is not valid: treated as ENABLE. */
	fake_packed_set_driver_event(&fq, &mem, 7, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK_INT(pop(), VQ_CHAIN);
	virtqueue_push(&vq, chain.head, 4);
	CHECK(virtqueue_should_interrupt(&vq));
	CHECK_INT(pop(), VQ_EMPTY);
	CHECK_UINT(fake_packed_device_event(&fq, &mem).flags, VRING_PACKED_EVENT_FLAG_ENABLE);
}

/* With EVENT_IDX, both directions name "this slot of this lap". */
static void event_index_both_directions(void)
{
	struct vring_packed_desc used;

	setup(false, true);
	/* Device → driver: popping an empty ring asks for a notification at
	 * the next slot we will look at. */
	CHECK_INT(pop(), VQ_EMPTY);
	CHECK_UINT(fake_packed_device_event(&fq, &mem).flags, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK_UINT(fake_packed_device_event(&fq, &mem).off_wrap, 0 | WRAP_BIT);
	for (uint16_t id = 0; id < 6; id++)
		add_one(BUF(id), 4, W, id);
	for (int i = 0; i < 6; i++)
		CHECK_INT(pop(), VQ_CHAIN);
	CHECK_INT(pop(), VQ_EMPTY);
	CHECK_UINT(fake_packed_device_event(&fq, &mem).off_wrap, 6 | WRAP_BIT);

	/* Driver → device: interrupt once slot 2 of lap 1 is used. */
	fake_packed_set_driver_event(&fq, &mem, 2 | WRAP_BIT, VRING_PACKED_EVENT_FLAG_DESC);
	virtqueue_push(&vq, 0, 4);                      /* slot 0 */
	CHECK(!virtqueue_should_interrupt(&vq));
	virtqueue_push(&vq, 1, 4);                      /* slot 1 */
	CHECK(!virtqueue_should_interrupt(&vq));
	virtqueue_push(&vq, 2, 4);                      /* slot 2: there */
	CHECK(virtqueue_should_interrupt(&vq));
	virtqueue_push(&vq, 3, 4);                      /* past it: quiet again */
	CHECK(!virtqueue_should_interrupt(&vq));
	/* Several pushes in one batch that pass the event: one interrupt. */
	fake_packed_set_driver_event(&fq, &mem, 5 | WRAP_BIT, VRING_PACKED_EVENT_FLAG_DESC);
	virtqueue_push(&vq, 4, 4);
	virtqueue_push(&vq, 5, 4);
	CHECK(virtqueue_should_interrupt(&vq));
	for (int i = 0; i < 6; i++)
		CHECK(fake_packed_take_used(&fq, &mem, &used));

	/* Across the end of the ring: slots 6, 7 of lap 1, then 0 of lap 0.
	 * An event at slot 0 of lap 0 is passed by the batch; one at slot 1
	 * of lap 0 is not; one at slot 6 of lap 1 is (before the wrap). */
	for (uint16_t id = 0; id < 3; id++)
		add_one(BUF(id), 4, W, id);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(pop(), VQ_CHAIN);
		virtqueue_push(&vq, chain.head, 4);
	}
	CHECK(!vq.used_wrap);
	fake_packed_set_driver_event(&fq, &mem, 0, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK(virtqueue_should_interrupt(&vq));
	CHECK_INT(pop(), VQ_EMPTY);
	CHECK_UINT(fake_packed_device_event(&fq, &mem).off_wrap, 1);    /* slot 1, lap 0 */
	add_one(BUF(0), 4, W, 0);
	CHECK_INT(pop(), VQ_CHAIN);
	virtqueue_push(&vq, 0, 4);                      /* slot 1 of lap 0 */
	fake_packed_set_driver_event(&fq, &mem, 6 | WRAP_BIT, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK(!virtqueue_should_interrupt(&vq));        /* slot 6 of lap 1: long gone */
	fake_packed_set_driver_event(&fq, &mem, 0, VRING_PACKED_EVENT_FLAG_DISABLE);
	CHECK(!virtqueue_should_interrupt(&vq));
}

static void unpop(void)
{
	const struct fake_elem e[2] = { { BUF(0), 4, R | N }, { BUF(1), 4, W } };

	setup(false, false);
	fake_packed_add(&fq, &mem, e, 2, 3);
	CHECK_INT(pop(), VQ_CHAIN);
	virtqueue_unpop(&vq);
	CHECK_UINT(vq.avail_slot, 0);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(chain.head, 3);
	CHECK_INT(pop(), VQ_EMPTY);
}

/* Random descriptors, flags and ids, over and over: whatever the ring
 * holds, the device returns a chain, a bad chain or a broken ring, and
 * never touches memory outside guest RAM (ASan). */
static void random_rings_survive(void)
{
	static const uint16_t flag_choices[] = { R, W, N, W | N, IND, IND | N,
						 AVAIL_BIT, USED_BIT, AVAIL_BIT | USED_BIT };
	unsigned int broken = 0, good = 0;

	srand(7);
	for (int round = 0; round < 2000; round++) {
		setup((round & 1) != 0, (round & 2) != 0);
		struct vring_packed_desc *ring = fake_ptr(&mem, fq.desc);

		for (unsigned int i = 0; i < QSIZE; i++) {
			uint64_t addr = rand() % 3 == 0 ? TABLE : (uint64_t)rand() % (FAKE_RAM_SIZE + 64);

			ring[i] = (struct vring_packed_desc){
				.addr = rand() % 7 == 0 ? UINT64_MAX - (uint64_t)(rand() % 64) : addr,
				.len = (uint32_t)(rand() % 3 == 0 ? rand() : rand() % 600),
				.id = (uint16_t)(rand() % (QSIZE + 2)),
				.flags = (uint16_t)(flag_choices[rand() % 9] |
						    (rand() % 2 ? AVAIL_BIT : USED_BIT)),
			};
		}
		memset(fake_ptr(&mem, TABLE), rand() & 0xff, 64);
		for (int pops = 0; pops < 2 * QSIZE; pops++) {
			enum vq_pop_result r = pop();

			if (r == VQ_EMPTY)
				break;
			if (r == VQ_BROKEN) {
				broken++;
				break;
			}
			good += r == VQ_CHAIN;
			CHECK(chain.head < QSIZE);
			virtqueue_push(&vq, chain.head, 0);
		}
	}
	CHECK(broken > 0);
	CHECK(good > 0);
	fake_ram_free(&mem);
}

/* ---- virtio-blk over a packed queue, through the mmio transport ------------ */

#define BLK_SECTORS     16

static void ignore_line(void *opaque, unsigned int gsi, int level)
{
	(void)opaque;
	(void)gsi;
	(void)level;
}

static void blk_over_a_packed_queue(void)
{
	char path[] = "/tmp/pvkit-packed-blk-XXXXXX", err[256] = "";
	int fd = mkstemp(path);
	uint8_t sector[512];
	struct virtio_mmio mmio;
	struct fake_queue q;
	struct vring_packed_desc used;

	for (unsigned int i = 0; i < sizeof(sector); i++)
		sector[i] = (uint8_t)(i * 3);
	for (int s = 0; s < BLK_SECTORS; s++)
		CHECK(write(fd, sector, sizeof(sector)) == (ssize_t)sizeof(sector));
	close(fd);
	fake_ram_free(&mem);
	mem = fake_ram_new();
	struct virtio_device *dev = virtio_blk_create(path, 0, err, sizeof(err));

	CHECK(dev != NULL);
	virtio_device_set_memory(dev, &mem);
	virtio_mmio_init(&mmio, dev, 0xd0000000ull, 16, ignore_line, NULL);
	CHECK(fake_mmio_start_packed(&mmio, &mem, &q, 1, QSIZE, UINT64_MAX) &
	      VIRTIO_CONFIG_S_DRIVER_OK);
	CHECK(dev->queues[0].packed);

	/* Read sector 3 through an indirect table, then sector 1 directly. */
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_IN, .sector = 3 };
	struct vring_packed_desc *t = fake_ptr(&mem, TABLE);

	memcpy(fake_ptr(&mem, BUF(0)), &h, sizeof(h));
	t[0] = (struct vring_packed_desc){ .addr = BUF(0), .len = sizeof(h), .flags = R };
	t[1] = (struct vring_packed_desc){ .addr = BUF(1), .len = 512, .flags = W };
	t[2] = (struct vring_packed_desc){ .addr = BUF(2), .len = 1, .flags = W };
	struct fake_elem ind = { TABLE, 3 * 16, IND };

	fake_packed_add(&q, &mem, &ind, 1, 0);
	virtio_mmio_write(&mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0);
	CHECK(fake_packed_take_used(&q, &mem, &used));
	CHECK_UINT(used.id, 0);
	CHECK_UINT(used.len, 513);
	CHECK_UINT(*(uint8_t *)fake_ptr(&mem, BUF(2)), VIRTIO_BLK_S_OK);
	CHECK(memcmp(fake_ptr(&mem, BUF(1)), sector, 512) == 0);

	h.sector = 1;
	memcpy(fake_ptr(&mem, BUF(3)), &h, sizeof(h));
	const struct fake_elem direct[3] = {
		{ BUF(3), sizeof(h), R | N }, { BUF(4), 512, W | N }, { BUF(5), 1, W },
	};

	fake_packed_add(&q, &mem, direct, 3, 1);
	virtio_mmio_write(&mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0);
	CHECK(fake_packed_take_used(&q, &mem, &used));
	CHECK_UINT(used.id, 1);
	CHECK_UINT(*(uint8_t *)fake_ptr(&mem, BUF(5)), VIRTIO_BLK_S_OK);
	CHECK(memcmp(fake_ptr(&mem, BUF(4)), sector, 512) == 0);
	CHECK_UINT(q.next_used, 4);                     /* 1 slot + 3 slots */
	virtio_device_destroy(dev);
	unlink(path);
	fake_ram_free(&mem);
}

void virtqueue_packed_tests(void)
{
	check_run("virtqueue_packed.good_chain", good_chain);
	check_run("virtqueue_packed.wraps_around_for_many_laps", wraps_around_for_many_laps);
	check_run("virtqueue_packed.out_of_order_completion", out_of_order_completion);
	check_run("virtqueue_packed.buffer_outside_ram", buffer_outside_ram);
	check_run("virtqueue_packed.bad_buffer_mid_chain_keeps_the_ring_in_step",
		  bad_buffer_mid_chain_keeps_the_ring_in_step);
	check_run("virtqueue_packed.writable_before_readable", writable_before_readable);
	check_run("virtqueue_packed.chain_round_the_whole_ring", chain_round_the_whole_ring);
	check_run("virtqueue_packed.chain_into_a_slot_not_available",
		  chain_into_a_slot_not_available);
	check_run("virtqueue_packed.buffer_id_beyond_queue_size", buffer_id_beyond_queue_size);
	check_run("virtqueue_packed.indirect_table", indirect_table);
	check_run("virtqueue_packed.bad_indirect", bad_indirect);
	check_run("virtqueue_packed.enable_checks_areas", enable_checks_areas);
	check_run("virtqueue_packed.interrupts_follow_driver_flags",
		  interrupts_follow_driver_flags);
	check_run("virtqueue_packed.event_index_both_directions", event_index_both_directions);
	check_run("virtqueue_packed.unpop", unpop);
	check_run("virtqueue_packed.random_rings_survive", random_rings_survive);
	check_run("virtqueue_packed.blk_over_a_packed_queue", blk_over_a_packed_queue);
}
