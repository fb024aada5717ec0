/*
 * test_virtio_packed.c — the packed virtqueue (pv/virtio/virtqueue_packed.c)
 * without a device: the test plays the device on a ring in ordinary memory,
 * behind a fake transport, as test_virtio_core.c does for split rings.  So
 * the wrap counters, chains that cross the end of the ring, indirect
 * tables, both kinds of event suppression and the checks against a lying
 * device run on every host, whatever ring format its devices offer.
 *
 * The fake device keeps its own two positions, as a real one does: where
 * it reads the next available descriptor (dev_avail/dev_avail_wrap) and
 * where it writes the next used one (dev_used/dev_used_wrap).
 */
#include "kernel/errno.h"
#include "kernel/page_alloc.h"
#include "kernel/test.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"

#define QSIZE           8
#define ODD_QSIZE       7       /* packed rings need no power of two */
#define F(bit)          (1ull << (bit))
#define AVAIL_BIT       ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define USED_BIT        ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))
#define WRAP_BIT        ((uint16_t)(1u << VRING_PACKED_EVENT_F_WRAP_CTR))

static unsigned int notifies, resets;

static void fake_notify(struct virtio_device *dev, unsigned int index)
{
	(void)dev;
	(void)index;
	notifies++;
}

static void fake_reset(struct virtio_device *dev)
{
	(void)dev;
	resets++;
}

static const struct virtio_transport_ops fake_ops = {
	.name = "fake", .notify = fake_notify, .reset = fake_reset,
};

static struct {
	struct virtio_device dev;
	struct virtqueue vq;
	struct virtqueue_buffer_state state[QSIZE];
	uint8_t ring[QSIZE * 16 + 8] __attribute__((aligned(16)));
	uint16_t dev_avail, dev_used;           /* the device's two positions */
	bool dev_avail_wrap, dev_used_wrap;
} fake;

static int make_fake(uint64_t features, uint16_t size)
{
	memset(&fake.dev, 0, sizeof(fake.dev));
	fake.dev.ops = &fake_ops;
	fake.dev.features = features | F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_RING_PACKED);
	strlcpy(fake.dev.name, "fake-packed", sizeof(fake.dev.name));
	fake.dev_avail = fake.dev_used = 0;
	fake.dev_avail_wrap = fake.dev_used_wrap = true;
	notifies = resets = 0;
	fake.dev.queues[0] = &fake.vq;
	memset(fake.ring, 0xa5, sizeof(fake.ring));     /* init must zero the ring */
	return virtqueue_init_packed(&fake.vq, &fake.dev, 0, size, fake.ring, fake.state);
}

static struct vring_packed_desc *slot(uint16_t i)
{
	return &fake.vq.packed_ring.desc[i];
}

static void next_pos(uint16_t *pos, bool *wrap)
{
	if (++*pos == fake.vq.size) {
		*pos = 0;
		*wrap = !*wrap;
	}
}

/* The device's side: is the next descriptor available (AVAIL equal to
 * the device's idea of the driver's wrap counter, USED not)? */
static bool device_sees(uint16_t i, bool wrap)
{
	uint16_t flags = slot(i)->flags;

	return ((flags & AVAIL_BIT) != 0) == wrap && ((flags & USED_BIT) != 0) != wrap;
}

/* Takes the next available buffer: its id; *slots the ring slots it took.
 * 0xffff if a descriptor of the chain was not available. */
static uint16_t device_take(unsigned int *slots)
{
	*slots = 0;
	for (;;) {
		if (!device_sees(fake.dev_avail, fake.dev_avail_wrap))
			return 0xffff;
		const struct vring_packed_desc *d = slot(fake.dev_avail);

		next_pos(&fake.dev_avail, &fake.dev_avail_wrap);
		++*slots;
		if (!(d->flags & VRING_DESC_F_NEXT))
			return d->id;
	}
}

/* Writes one used descriptor and moves on by the buffer's slots. */
static void device_use(uint16_t id, uint32_t len, unsigned int slots)
{
	struct vring_packed_desc *d = slot(fake.dev_used);

	d->id = id;
	d->len = len;
	d->flags = fake.dev_used_wrap ? (AVAIL_BIT | USED_BIT) : 0;
	while (slots--)
		next_pos(&fake.dev_used, &fake.dev_used_wrap);
}

static void set_device_event(uint16_t off_wrap, uint16_t flags)
{
	*fake.vq.packed_ring.device = (struct vring_packed_desc_event){ off_wrap, flags };
}

static uint8_t buf_a[64], buf_b[64], buf_c[64];

TEST(virtio_packed, ring_layout_follows_the_spec)
{
	CHECK_EQ(make_fake(0, QSIZE), 0);
	CHECK(fake.vq.packed);
	CHECK_EQ(virtqueue_packed_bytes(QSIZE), QSIZE * 16 + 8);
	CHECK_EQ((uintptr_t)fake.vq.packed_ring.desc % 16, 0);
	CHECK_EQ((uintptr_t)fake.vq.packed_ring.driver - (uintptr_t)fake.ring, QSIZE * 16);
	CHECK_EQ((uintptr_t)fake.vq.packed_ring.device - (uintptr_t)fake.ring, QSIZE * 16 + 4);
	for (unsigned int i = 0; i < QSIZE; i++)        /* "zero-initialized" */
		CHECK_EQ(slot(i)->flags, 0);
	CHECK_EQ(fake.vq.packed_ring.device->flags, VRING_PACKED_EVENT_FLAG_ENABLE);
	CHECK_EQ(fake.vq.packed_ring.driver->flags, VRING_PACKED_EVENT_FLAG_ENABLE);
	CHECK(fake.vq.packed_ring.avail_wrap && fake.vq.packed_ring.used_wrap);   /* start at 1 */
	CHECK_EQ(virtqueue_num_free(&fake.vq), QSIZE);
	CHECK_EQ(make_fake(0, ODD_QSIZE), 0);
	CHECK_EQ(virtqueue_init_packed(&fake.vq, &fake.dev, 0, 0, fake.ring, fake.state),
		 -EINVAL);
	CHECK_EQ(make_fake(F(VIRTIO_RING_F_EVENT_IDX), QSIZE), 0);      /* asks for slot 0 */
	CHECK_EQ(fake.vq.packed_ring.driver->flags, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK_EQ(fake.vq.packed_ring.driver->off_wrap, 0 | WRAP_BIT);
}

TEST(virtio_packed, buffers_go_round_and_come_back_by_id)
{
	struct virtio_sg two[2] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 32 } };
	struct virtio_sg one = { virt_to_phys(buf_c), 8 };
	unsigned int slots_a, slots_c;
	uint32_t len = 0;

	CHECK_EQ(make_fake(0, QSIZE), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, two, 1, 1, buf_a), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, &one, 0, 1, buf_c), 0);
	CHECK_EQ(virtqueue_num_free(&fake.vq), QSIZE - 3);
	CHECK_EQ(virtqueue_in_flight(&fake.vq), 2);
	/* Slot 0: readable, NEXT; slot 1: writable, end; slot 2: the other
	 * buffer.  All three available in lap 1: AVAIL set, USED clear. */
	CHECK_EQ(slot(0)->addr, virt_to_phys(buf_a));
	CHECK_EQ(slot(0)->flags, VRING_DESC_F_NEXT | AVAIL_BIT);
	CHECK_EQ(slot(1)->flags, VRING_DESC_F_WRITE | AVAIL_BIT);
	CHECK_EQ(slot(1)->len, 32);
	CHECK_EQ(slot(0)->id, slot(1)->id);             /* one id per buffer */
	CHECK_EQ(slot(2)->flags, VRING_DESC_F_WRITE | AVAIL_BIT);

	uint16_t id_a = device_take(&slots_a), id_c = device_take(&slots_c);

	CHECK_EQ(slots_a, 2);
	CHECK_EQ(slots_c, 1);
	CHECK(id_a != id_c);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == NULL);
	CHECK(!virtqueue_has_used(&fake.vq));
	device_use(id_c, 8, slots_c);                   /* out of order: allowed */
	device_use(id_a, 20, slots_a);
	CHECK(virtqueue_has_used(&fake.vq));
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_c);
	CHECK_EQ(len, 8);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_a);
	CHECK_EQ(len, 20);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == NULL);
	CHECK_EQ(fake.vq.packed_ring.next_used, 3);     /* 1 slot, then 2 */
	CHECK_EQ(virtqueue_num_free(&fake.vq), QSIZE);
	CHECK_EQ(virtqueue_in_flight(&fake.vq), 0);
	CHECK(!fake.dev.broken);
}

/* Chains of 1 to 3 descriptors in a ring of 7, lap after lap: chains start
 * in every slot and cross the end, so one chain's descriptors carry the
 * AVAIL/USED bits of two different laps. */
TEST(virtio_packed, wraps_around_over_many_laps)
{
	struct virtio_sg sg[3] = { { virt_to_phys(buf_a), 4 }, { virt_to_phys(buf_b), 4 },
				   { virt_to_phys(buf_c), 4 } };
	unsigned int laps = 0, crossings = 0;

	CHECK_EQ(make_fake(0, ODD_QSIZE), 0);
	for (unsigned int i = 0; i < 40; i++) {
		unsigned int n = 1 + i % 3, slots;
		uint16_t head = fake.vq.packed_ring.next_avail;
		bool wrap = fake.vq.packed_ring.avail_wrap;
		uint32_t len;

		CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, n - 1, &sg[i % 3]), 0);
		if (head + n > ODD_QSIZE) {             /* this chain crosses the end */
			uint16_t last = (uint16_t)((head + n - 1) % ODD_QSIZE);

			CHECK_EQ((slot(head)->flags & AVAIL_BIT) != 0, wrap);
			CHECK_EQ((slot(last)->flags & AVAIL_BIT) != 0, !wrap);
			CHECK_EQ((slot(last)->flags & USED_BIT) != 0, wrap);
			crossings++;
		}
		laps += fake.vq.packed_ring.avail_wrap != wrap;
		uint16_t id = device_take(&slots);

		CHECK_EQ(slots, n);
		device_use(id, n - 1, slots);
		CHECK(virtqueue_get_buf(&fake.vq, &len) == &sg[i % 3]);
		CHECK_EQ(len, n - 1);
		CHECK_EQ(fake.vq.packed_ring.next_used, fake.dev_used);
		CHECK_EQ(fake.vq.packed_ring.used_wrap, fake.dev_used_wrap);
	}
	CHECK(laps >= 10);                              /* 80 slots in a ring of 7 */
	CHECK(crossings >= 3);
	CHECK_EQ(virtqueue_num_free(&fake.vq), ODD_QSIZE);
	CHECK(!fake.dev.broken);
}

TEST(virtio_packed, indirect_table_in_packed_form)
{
	struct virtio_sg three[3] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 64 },
				      { virt_to_phys(buf_c), 1 } };
	unsigned int slots;
	uint32_t len;

	CHECK_EQ(make_fake(F(VIRTIO_RING_F_INDIRECT_DESC), QSIZE), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, three, 2, 1, buf_a), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, three, 1, 0, buf_b), 0);      /* one element: direct */
	CHECK_EQ(virtqueue_num_free(&fake.vq), QSIZE - 2);

	const struct vring_packed_desc *d = slot(0);
	const struct vring_packed_desc *table = phys_to_virt(d->addr);

	CHECK_EQ(d->flags, VRING_DESC_F_INDIRECT | AVAIL_BIT);
	CHECK_EQ(d->len, 3 * sizeof(struct vring_packed_desc));
	CHECK_EQ(table[0].flags, 0);                    /* consecutive: no NEXT in a table */
	CHECK_EQ(table[1].flags, 0);
	CHECK_EQ(table[1].len, 64);
	CHECK_EQ(table[2].flags, VRING_DESC_F_WRITE);
	CHECK_EQ(slot(1)->flags, AVAIL_BIT);

	uint16_t id = device_take(&slots);

	CHECK_EQ(slots, 1);
	device_use(id, 1, slots);
	id = device_take(&slots);
	device_use(id, 0, slots);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_a);
	CHECK_EQ(len, 1);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_b);
	CHECK_EQ(virtqueue_num_free(&fake.vq), QSIZE);
}

TEST(virtio_packed, full_ring_refuses_more)
{
	struct virtio_sg sg[QSIZE + 1];

	for (unsigned int i = 0; i <= QSIZE; i++)
		sg[i] = (struct virtio_sg){ virt_to_phys(buf_a), 4 };
	CHECK_EQ(make_fake(0, QSIZE), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 0, QSIZE + 1, buf_a), -EINVAL);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 2, 2, buf_a), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 0, QSIZE - 4, buf_b), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 0, buf_c), -ENOSPC);
	CHECK_EQ(virtqueue_in_flight(&fake.vq), 2);
}

/* Without EVENT_IDX the device's area says ENABLE or DISABLE. */
TEST(virtio_packed, kicks_follow_device_flags)
{
	struct virtio_sg sg = { virt_to_phys(buf_a), 4 };

	CHECK_EQ(make_fake(0, QSIZE), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, buf_a), 0);
	CHECK(virtqueue_kick(&fake.vq));
	CHECK_EQ(notifies, 1);
	set_device_event(0, VRING_PACKED_EVENT_FLAG_DISABLE);
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, buf_b), 0);
	CHECK(!virtqueue_kick(&fake.vq));
	CHECK_EQ(fake.vq.kicks_suppressed, 1);
	/* DESC is meaningless without EVENT_IDX: a kick, to be safe. */
	set_device_event(5, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, buf_c), 0);
	CHECK(virtqueue_kick(&fake.vq));
}

/* With EVENT_IDX the device names a slot and a lap: "notify me when you
 * make this one available".  Batches, and batches crossing the end. */
TEST(virtio_packed, event_index_suppresses_kicks)
{
	struct virtio_sg sg[2] = { { virt_to_phys(buf_a), 4 }, { virt_to_phys(buf_b), 4 } };
	unsigned int slots;

	CHECK_EQ(make_fake(F(VIRTIO_RING_F_EVENT_IDX), QSIZE), 0);
	set_device_event(0 | WRAP_BIT, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 0, &buf_a[0]), 0);     /* slot 0 */
	CHECK(virtqueue_kick_prepare(&fake.vq));
	set_device_event(3 | WRAP_BIT, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 0, &buf_a[1]), 0);     /* slot 1 */
	CHECK(!virtqueue_kick_prepare(&fake.vq));
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 0, &buf_a[2]), 0);     /* slot 2 */
	CHECK(!virtqueue_kick_prepare(&fake.vq));
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 1, &buf_a[3]), 0);     /* slots 3-4: passes 3 */
	CHECK(virtqueue_kick_prepare(&fake.vq));
	for (int i = 0; i < 4; i++) {                   /* the device catches up */
		uint16_t id = device_take(&slots);

		device_use(id, 0, slots);
		CHECK(virtqueue_get_buf(&fake.vq, NULL) != NULL);
	}
	/* Slots 5, 6, 7 of lap 1 and 0 of lap 0 in one batch: an event at
	 * slot 0 of lap 0 is passed; one at slot 1 of lap 0 is not; one at
	 * slot 6 of lap 1 is; one at slot 4 of lap 1 was passed before. */
	for (int i = 0; i < 2; i++)
		CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 1, &buf_b[i]), 0);
	CHECK(!fake.vq.packed_ring.avail_wrap);
	set_device_event(0, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK(virtqueue_kick_prepare(&fake.vq));
	static const struct { uint16_t off_wrap; bool kick; } cases[] = {
		{ 0, true }, { 1, false }, { 6 | WRAP_BIT, true }, { 4 | WRAP_BIT, false },
	};

	for (unsigned int i = 0; i < 4; i++) {
		fake.vq.added_since_kick = 4;           /* "the same batch again" */
		set_device_event(cases[i].off_wrap, VRING_PACKED_EVENT_FLAG_DESC);
		CHECK_EQ(virtqueue_kick_prepare(&fake.vq), cases[i].kick);
	}
	set_device_event(0, VRING_PACKED_EVENT_FLAG_DISABLE);  /* valid with EVENT_IDX too */
	fake.vq.added_since_kick = 4;
	CHECK(!virtqueue_kick_prepare(&fake.vq));
}

/* The driver's area, both modes: DISABLE while busy; ENABLE, or with
 * EVENT_IDX "this slot of this lap", kept just ahead of what we reaped. */
TEST(virtio_packed, interrupt_suppression_both_modes)
{
	struct virtio_sg sg = { virt_to_phys(buf_a), 4 };
	struct vring_packed_desc_event *driver;
	unsigned int slots;

	CHECK_EQ(make_fake(0, QSIZE), 0);
	driver = fake.vq.packed_ring.driver;
	virtqueue_disable_cb(&fake.vq);
	CHECK_EQ(driver->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	CHECK(virtqueue_enable_cb(&fake.vq));
	CHECK_EQ(driver->flags, VRING_PACKED_EVENT_FLAG_ENABLE);

	CHECK_EQ(make_fake(F(VIRTIO_RING_F_EVENT_IDX), QSIZE), 0);
	driver = fake.vq.packed_ring.driver;
	for (int i = 0; i < 7; i++) {                   /* to slot 7, the last of lap 1 */
		CHECK_EQ(virtqueue_add(&fake.vq, &sg, 0, 1, &buf_a[i]), 0);
		uint16_t id = device_take(&slots);

		device_use(id, 4, slots);
		CHECK(virtqueue_get_buf(&fake.vq, NULL) == &buf_a[i]);
	}
	CHECK_EQ(driver->flags, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK_EQ(driver->off_wrap, 7 | WRAP_BIT);       /* interrupt for slot 7 */
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 0, 1, &buf_b[0]), 0);
	uint16_t id = device_take(&slots);

	device_use(id, 4, slots);
	virtqueue_disable_cb(&fake.vq);
	CHECK_EQ(driver->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	CHECK(!virtqueue_enable_cb(&fake.vq));          /* one is waiting: reap it first */
	CHECK_EQ(driver->flags, VRING_PACKED_EVENT_FLAG_DESC);
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == &buf_b[0]);
	CHECK_EQ(driver->off_wrap, 0);                  /* slot 0 of lap 0 */
	CHECK(virtqueue_enable_cb(&fake.vq));
}

/* ---- a device that lies: detected, device marked broken and reset ---- */

static uint16_t put_one_in_flight(void)
{
	struct virtio_sg sg[2] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 32 } };
	unsigned int slots;

	make_fake(0, QSIZE);
	virtqueue_add(&fake.vq, sg, 1, 1, buf_a);
	return device_take(&slots);
}

TEST(virtio_packed, used_id_out_of_range_breaks_the_device)
{
	struct virtio_sg sg = { virt_to_phys(buf_a), 4 };
	uint16_t id = put_one_in_flight();

	device_use(QSIZE + 100, 4, 2);
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	CHECK(fake.dev.broken);
	CHECK_EQ(resets, 1);
	CHECK(fake.vq.broken);
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, buf_b), -EIO);
	fake.dev_used = 0;
	fake.dev_used_wrap = true;
	device_use(id, 4, 2);                           /* even a good one is not followed now */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
}

TEST(virtio_packed, used_id_not_in_flight_breaks_the_device)
{
	uint16_t id = put_one_in_flight();

	device_use((uint16_t)((id + 5) % QSIZE), 4, 2);  /* a free id */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	CHECK(fake.dev.broken);
	CHECK(str_starts_with(fake.dev.problem, "queue 0: used slot 0 names buffer id"));
}

TEST(virtio_packed, used_length_beyond_writable_bytes_breaks_the_device)
{
	uint16_t id = put_one_in_flight();

	device_use(id, 33, 2);          /* 32 writable bytes; the 16 readable don't count */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	CHECK(fake.dev.broken);
	CHECK(str_starts_with(fake.dev.problem, "queue 0: used slot 0 says 33 bytes"));
}

/* A used descriptor where nothing is in flight: the device ran ahead of
 * what we made available (here it used the same buffer twice). */
TEST(virtio_packed, device_running_ahead_breaks_the_device)
{
	uint16_t id = put_one_in_flight();

	device_use(id, 4, 2);
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == buf_a);
	device_use(id, 4, 2);           /* slot 2: never made available */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	CHECK(fake.dev.broken);
	CHECK(str_starts_with(fake.dev.problem, "queue 0: slot 2 was marked used, but no buffer"));
}

/* Used bits of the previous lap, or available-looking bits, are not news. */
TEST(virtio_packed, stale_descriptors_are_not_mistaken_for_used)
{
	uint16_t id = put_one_in_flight();
	uint32_t len;

	slot(0)->flags = 0;                             /* used, but in lap 0 */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	slot(0)->flags = USED_BIT;                      /* AVAIL != USED: not used */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	CHECK(!fake.dev.broken);
	device_use(id, 32, 2);                          /* exactly the writable bytes */
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_a);
	CHECK_EQ(len, 32);
	CHECK(!fake.dev.broken);
	CHECK_EQ(resets, 0);
}
