/*
 * test_virtqueue.c — the device side of split virtqueues (host/virtqueue.c)
 * against rings built by hand in a fake guest RAM: good chains, and every
 * kind of broken one a hostile guest could write.  The device must take
 * each broken chain apart without touching memory outside guest RAM (ASan
 * watches), say what is wrong, and carry on with the next chain.
 */
#include <stdio.h>
#include <string.h>

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

static struct guest_mem mem;
static struct fake_queue fq;
static struct virtqueue vq;
static struct vq_chain chain;
static char why[256];

/* A ready queue of QSIZE entries over fresh RAM. */
static void setup(bool indirect, bool event_idx)
{
	fake_ram_free(&mem);
	mem = fake_ram_new();
	fake_queue_init(&fq, &mem, 0, QSIZE);
	vq = (struct virtqueue){ .name = "testq", .max_size = QSIZE };
	virtqueue_reset(&vq);
	vq.desc_addr = fq.desc;
	vq.driver_addr = fq.avail;
	vq.device_addr = fq.used;
	vq.indirect = indirect;
	vq.event_idx = event_idx;
	CHECK(virtqueue_enable(&vq, &mem, why, sizeof(why)));
	why[0] = '\0';
}

static enum vq_pop_result pop(void)
{
	return virtqueue_pop(&vq, &mem, &chain, why, sizeof(why));
}

#define CHECK_WHY(text)                                                         \
	do {                                                                    \
		if (strstr(why, text) == NULL)                                  \
			check_fail(__FILE__, __LINE__, "reason \"%s\" lacks \"%s\"",  \
				   why, text);                                  \
	} while (0)

static void good_chain(void)
{
	setup(false, false);
	fake_desc(&mem, fq.desc, 3, BUF(0), 16, R | N, 5);
	fake_desc(&mem, fq.desc, 5, BUF(1), 512, W | N, 0);
	fake_desc(&mem, fq.desc, 0, BUF(2), 1, W, 0);
	memcpy(fake_ptr(&mem, BUF(0)), "0123456789abcdef", 16);
	CHECK_INT(pop(), VQ_EMPTY);
	fake_publish(&fq, &mem, 3);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(chain.head, 3);
	CHECK_UINT(chain.count, 3);
	CHECK_UINT(chain.readable, 1);
	CHECK_UINT(chain.readable_bytes, 16);
	CHECK_UINT(chain.writable_bytes, 513);
	CHECK_UINT(chain.seg[1].gpa, BUF(1));
	CHECK(chain.seg[1].device_writable);
	CHECK_PTR(chain.seg[2].host, fake_ptr(&mem, BUF(2)));
	CHECK_INT(pop(), VQ_EMPTY);

	char header[8] = "";
	CHECK_UINT(vq_chain_read(&chain, 4, header, 6), 6);
	CHECK(memcmp(header, "456789", 6) == 0);
	CHECK_UINT(vq_chain_read(&chain, 10, header, 8), 6);    /* only 16 readable */
	CHECK_UINT(vq_chain_write(&chain, 510, "xyz", 3), 3);    /* crosses into BUF(2) */
	CHECK(memcmp(fake_ptr(&mem, BUF(1) + 510), "xy", 2) == 0);
	CHECK_UINT(*(uint8_t *)fake_ptr(&mem, BUF(2)), 'z');
	CHECK_UINT(vq_chain_write(&chain, 513, "!", 1), 0);      /* past the end */

	virtqueue_push(&vq, chain.head, 513);
	CHECK_UINT(fake_used_pending(&fq, &mem), 1);
	struct vring_used_elem e = fake_take_used(&fq, &mem);

	CHECK_UINT(e.id, 3);
	CHECK_UINT(e.len, 513);
}

static void used_ring_wraps(void)
{
	setup(false, false);
	fake_desc(&mem, fq.desc, 1, BUF(0), 4, W, 0);
	for (unsigned int i = 0; i < 3 * QSIZE; i++) {
		fake_publish(&fq, &mem, 1);
		CHECK_INT(pop(), VQ_CHAIN);
		virtqueue_push(&vq, chain.head, i);
		CHECK_UINT(fake_used_pending(&fq, &mem), 1);
		CHECK_UINT(fake_take_used(&fq, &mem).len, i);
	}
	/* A full ring of chains at once: all taken, in order. */
	for (unsigned int i = 0; i < QSIZE; i++) {
		fake_desc(&mem, fq.desc, i, BUF(i), 8, R, 0);
		fake_publish(&fq, &mem, (uint16_t)i);
	}
	for (unsigned int i = 0; i < QSIZE; i++) {
		CHECK_INT(pop(), VQ_CHAIN);
		CHECK_UINT(chain.head, i);
	}
	CHECK_INT(pop(), VQ_EMPTY);
}

static void buffer_outside_ram(void)
{
	setup(false, false);
	fake_desc(&mem, fq.desc, 0, FAKE_RAM_SIZE - 8, 16, R, 0);      /* straddles the end */
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("outside guest RAM");
	CHECK_UINT(chain.head, 0);
	fake_desc(&mem, fq.desc, 1, 0xfee00000, 4, W, 0);               /* the LAPIC */
	fake_publish(&fq, &mem, 1);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	/* The queue carries on: a good chain after the bad ones works. */
	fake_desc(&mem, fq.desc, 2, BUF(0), 4, W, 0);
	fake_publish(&fq, &mem, 2);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(vq.bad_chains, 2);
}

static void address_plus_length_overflows(void)
{
	setup(false, false);
	fake_desc(&mem, fq.desc, 0, UINT64_MAX - 15, 0x100, R, 0);
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("outside guest RAM");
	fake_desc(&mem, fq.desc, 0, BUF(0), UINT32_MAX, W, 0);
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
}

static void looping_chain(void)
{
	setup(false, false);
	fake_desc(&mem, fq.desc, 0, BUF(0), 4, R | N, 1);
	fake_desc(&mem, fq.desc, 1, BUF(1), 4, R | N, 2);
	fake_desc(&mem, fq.desc, 2, BUF(2), 4, R | N, 0);               /* back to the head */
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("loop");
	fake_desc(&mem, fq.desc, 4, BUF(0), 4, W | N, 4);               /* onto itself */
	fake_publish(&fq, &mem, 4);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("loop");
}

static void next_outside_table(void)
{
	setup(false, false);
	fake_desc(&mem, fq.desc, 0, BUF(0), 4, R | N, QSIZE);
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("outside the table");
}

static void over_long_chain(void)
{
	setup(true, false);
	/* One direct descriptor, then a full indirect table chained end to end:
	 * VIRTQUEUE_MAX_SEGMENTS + 1 buffers in one chain. */
	fake_desc(&mem, fq.desc, 0, BUF(0), 4, R | N, 1);
	fake_desc(&mem, fq.desc, 1, TABLE, VIRTQUEUE_MAX_INDIRECT * 16, IND, 0);
	for (unsigned int i = 0; i < VIRTQUEUE_MAX_INDIRECT; i++)
		fake_desc(&mem, TABLE, i, BUF(1), 4, R | (i + 1 < VIRTQUEUE_MAX_INDIRECT ? N : 0),
			  (uint16_t)(i + 1));
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("longer than");
	/* Without the direct one it is exactly the limit: accepted. */
	fake_publish(&fq, &mem, 1);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(chain.count, VIRTQUEUE_MAX_SEGMENTS);
}

static void indirect_tables(void)
{
	setup(true, false);
	fake_desc(&mem, TABLE, 0, BUF(0), 16, R | N, 1);
	fake_desc(&mem, TABLE, 1, BUF(1), 512, W | N, 2);
	fake_desc(&mem, TABLE, 2, BUF(2), 1, W, 0);
	fake_desc(&mem, fq.desc, 6, TABLE, 3 * 16, IND, 0);
	fake_publish(&fq, &mem, 6);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_UINT(chain.head, 6);
	CHECK_UINT(chain.count, 3);
	CHECK_UINT(chain.readable, 1);
	CHECK_UINT(chain.writable_bytes, 513);
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
		{ TABLE, 32, IND | N, "both INDIRECT and NEXT" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup(true, false);
		fake_desc(&mem, fq.desc, 2, cases[i].addr, cases[i].len, cases[i].flags, 3);
		fake_desc(&mem, fq.desc, 3, BUF(0), 4, W, 0);
		fake_desc(&mem, TABLE, 0, BUF(0), 4, W, 0);
		fake_desc(&mem, TABLE, 1, BUF(0), 4, W, 0);
		fake_publish(&fq, &mem, 2);
		CHECK_INT(pop(), VQ_BAD_CHAIN);
		CHECK_WHY(cases[i].reason);
	}
	/* A table inside a table. */
	setup(true, false);
	fake_desc(&mem, fq.desc, 0, TABLE, 32, IND, 0);
	fake_desc(&mem, TABLE, 0, BUF(0), 4, R | N, 1);
	fake_desc(&mem, TABLE, 1, TABLE, 32, IND, 0);
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("another indirect table");
	/* Indirect without the feature. */
	setup(false, false);
	fake_desc(&mem, fq.desc, 0, TABLE, 32, IND, 0);
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("not negotiated");
	/* A loop inside the indirect table. */
	setup(true, false);
	fake_desc(&mem, fq.desc, 0, TABLE, 32, IND, 0);
	fake_desc(&mem, TABLE, 0, BUF(0), 4, R | N, 1);
	fake_desc(&mem, TABLE, 1, BUF(0), 4, R | N, 0);
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("loop");
}

static void writable_before_readable(void)
{
	setup(false, false);
	fake_desc(&mem, fq.desc, 0, BUF(0), 16, W | N, 1);
	fake_desc(&mem, fq.desc, 1, BUF(1), 16, R, 0);
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_BAD_CHAIN);
	CHECK_WHY("follows a device-writable");
}

static void broken_rings(void)
{
	setup(false, false);
	fake_publish(&fq, &mem, QSIZE);                 /* head beyond the table */
	CHECK_INT(pop(), VQ_BROKEN);
	CHECK_WHY("beyond the queue size");

	setup(false, false);
	struct vring_avail *avail = fake_ptr(&mem, fq.avail);

	avail->idx = QSIZE + 1;                         /* more than a full ring */
	CHECK_INT(pop(), VQ_BROKEN);
	CHECK_WHY("jumped");
}

static void enable_checks_rings(void)
{
	setup(false, false);
	vq.ready = false;
	vq.size = 6;
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK_WHY("power of two");
	vq.size = 2 * QSIZE;
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	vq.size = QSIZE;
	vq.desc_addr = fq.desc + 8;
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK_WHY("aligned");
	vq.desc_addr = FAKE_RAM_SIZE - 64;              /* 8 x 16 bytes do not fit */
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK_WHY("outside guest RAM");
	vq.desc_addr = fq.desc;
	vq.device_addr = fq.used + 2;
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK_WHY("used ring");
	vq.device_addr = UINT64_MAX - 3;
	CHECK(!virtqueue_enable(&vq, &mem, why, sizeof(why)));
	CHECK(!vq.ready);
	vq.device_addr = fq.used;
	CHECK(virtqueue_enable(&vq, &mem, why, sizeof(why)));
}

static void no_interrupt_flag(void)
{
	setup(false, false);
	fake_desc(&mem, fq.desc, 0, BUF(0), 4, W, 0);
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_CHAIN);
	virtqueue_push(&vq, 0, 4);
	CHECK(virtqueue_should_interrupt(&vq));
	fake_set_avail_flags(&fq, &mem, VRING_AVAIL_F_NO_INTERRUPT);
	virtqueue_push(&vq, 0, 4);
	CHECK(!virtqueue_should_interrupt(&vq));
}

static void event_idx(void)
{
	setup(false, true);
	fake_desc(&mem, fq.desc, 0, BUF(0), 4, W, 0);
	/* Popping an empty ring publishes avail_event = next index wanted. */
	CHECK_INT(pop(), VQ_EMPTY);
	CHECK_UINT(fake_avail_event(&fq, &mem), 0);
	for (int i = 0; i < 3; i++)
		fake_publish(&fq, &mem, 0);
	for (int i = 0; i < 3; i++)
		CHECK_INT(pop(), VQ_CHAIN);
	CHECK_INT(pop(), VQ_EMPTY);
	CHECK_UINT(fake_avail_event(&fq, &mem), 3);

	/* used_event = 0: interrupt when entry 0 is used, not for 1 and 2. */
	fake_set_used_event(&fq, &mem, 0);
	virtqueue_push(&vq, 0, 4);
	CHECK(virtqueue_should_interrupt(&vq));
	virtqueue_push(&vq, 0, 4);
	CHECK(!virtqueue_should_interrupt(&vq));
	/* The driver asks for entry 3 (the 4th): two more pushes reach it. */
	fake_set_used_event(&fq, &mem, 3);
	virtqueue_push(&vq, 0, 4);
	CHECK(!virtqueue_should_interrupt(&vq));        /* used_idx 3: entry 2 */
	virtqueue_push(&vq, 0, 4);
	CHECK(virtqueue_should_interrupt(&vq));         /* used_idx 4: entry 3 passed */
	/* Several pushes in one batch that pass used_event: one interrupt. */
	fake_set_used_event(&fq, &mem, 5);
	virtqueue_push(&vq, 0, 4);
	virtqueue_push(&vq, 0, 4);
	virtqueue_push(&vq, 0, 4);
	CHECK(virtqueue_should_interrupt(&vq));
	CHECK(!virtqueue_should_interrupt(&vq));        /* nothing new since */
}

static void unpop(void)
{
	setup(false, false);
	fake_desc(&mem, fq.desc, 0, BUF(0), 4, W, 0);
	fake_publish(&fq, &mem, 0);
	CHECK_INT(pop(), VQ_CHAIN);
	virtqueue_unpop(&vq);
	CHECK_INT(pop(), VQ_CHAIN);
	CHECK_INT(pop(), VQ_EMPTY);
}

static void not_ready_is_empty(void)
{
	setup(false, false);
	fake_publish(&fq, &mem, 0);
	vq.ready = false;
	CHECK_INT(pop(), VQ_EMPTY);
	fake_ram_free(&mem);
}

void virtqueue_tests(void)
{
	check_run("virtqueue.good_chain", good_chain);
	check_run("virtqueue.used_ring_wraps", used_ring_wraps);
	check_run("virtqueue.buffer_outside_ram", buffer_outside_ram);
	check_run("virtqueue.address_plus_length_overflows", address_plus_length_overflows);
	check_run("virtqueue.looping_chain", looping_chain);
	check_run("virtqueue.next_outside_table", next_outside_table);
	check_run("virtqueue.over_long_chain", over_long_chain);
	check_run("virtqueue.indirect_tables", indirect_tables);
	check_run("virtqueue.bad_indirect", bad_indirect);
	check_run("virtqueue.writable_before_readable", writable_before_readable);
	check_run("virtqueue.broken_rings", broken_rings);
	check_run("virtqueue.enable_checks_rings", enable_checks_rings);
	check_run("virtqueue.no_interrupt_flag", no_interrupt_flag);
	check_run("virtqueue.event_idx", event_idx);
	check_run("virtqueue.unpop", unpop);
	check_run("virtqueue.not_ready_is_empty", not_ready_is_empty);
}
