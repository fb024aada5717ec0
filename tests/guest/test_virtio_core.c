/*
 * test_virtio_core.c — the split virtqueue without a device: the test
 * plays the device itself, reading the available ring and writing the
 * used ring of a queue in ordinary memory, behind a fake transport.  So
 * the ring arithmetic, indirect descriptors, event-index suppression and
 * the checks against a misbehaving device run on every host, QEMU's
 * devices or not.
 */
#include "kernel/errno.h"
#include "kernel/page_alloc.h"
#include "kernel/test.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"

#define FAKE_QUEUE_SIZE 8
#define F(bit)          (1ull << (bit))

static unsigned int fake_notifies, fake_resets;

static void fake_notify(struct virtio_device *dev, unsigned int index)
{
	(void)dev;
	(void)index;
	fake_notifies++;
}

static void fake_reset(struct virtio_device *dev)
{
	(void)dev;
	fake_resets++;
}

static uint8_t fake_status;

static uint8_t fake_get_status(struct virtio_device *dev)
{
	(void)dev;
	return fake_status;
}

static const struct virtio_transport_ops fake_ops = {
	.name = "fake",
	.notify = fake_notify,
	.reset = fake_reset,
	.get_status = fake_get_status,
};

static unsigned int driver_told_broken;

static void fake_driver_broken(struct virtio_device *dev)
{
	(void)dev;
	driver_told_broken++;
}

static const struct virtio_driver fake_driver = {
	.name = "fake-driver", .broken = fake_driver_broken,
};

static struct fake {
	struct virtio_device dev;
	struct virtqueue vq;
	struct virtqueue_buffer_state state[FAKE_QUEUE_SIZE];
	uint8_t ring[1024] __attribute__((aligned(16)));
	uint16_t device_avail_idx;      /* what the "device" consumed */
} fake;

static int make_fake(uint64_t features)
{
	memset(&fake.dev, 0, sizeof(fake.dev));
	fake.dev.ops = &fake_ops;
	fake.dev.features = features | F(VIRTIO_F_VERSION_1);
	strlcpy(fake.dev.name, "fake", sizeof(fake.dev.name));
	fake.device_avail_idx = 0;
	fake_notifies = fake_resets = driver_told_broken = 0;
	fake_status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		      VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
	if (virtqueue_split_bytes(FAKE_QUEUE_SIZE) > sizeof(fake.ring))
		return -ENOMEM;
	fake.dev.queues[0] = &fake.vq;  /* so that a broken device breaks its queue */
	return virtqueue_init_split(&fake.vq, &fake.dev, 0, FAKE_QUEUE_SIZE, fake.ring,
				    fake.state);
}

/* The device's side: the head of the next available buffer. */
static uint16_t device_next_avail(void)
{
	return fake.vq.ring.avail->ring[fake.device_avail_idx++ % FAKE_QUEUE_SIZE];
}

static void device_use(uint32_t id, uint32_t len)
{
	struct vring_used *used = fake.vq.ring.used;

	used->ring[used->idx % FAKE_QUEUE_SIZE] = (struct vring_used_elem){ id, len };
	used->idx++;
}

static uint8_t buf_a[64], buf_b[64], buf_c[64];

TEST(virtio_core, need_event_arithmetic)
{
	/* The device asked to be told once the index passes event. */
	CHECK(vring_need_event(5, 6, 5));       /* moved from 5 to 6: crossed */
	CHECK(vring_need_event(5, 9, 3));       /* crossed inside a batch */
	CHECK(!vring_need_event(5, 5, 4));      /* not yet past 5 */
	CHECK(!vring_need_event(2, 9, 5));      /* already passed before this batch */
	CHECK(vring_need_event(0xffff, 0, 0xfffe));     /* across the 16-bit wrap */
	CHECK(!vring_need_event(0xfffd, 0, 0xfffe));
}

TEST(virtio_core, split_ring_layout_follows_the_spec)
{
	CHECK_EQ(make_fake(0), 0);
	CHECK_EQ((uintptr_t)fake.vq.ring.desc % VRING_DESC_ALIGN_SIZE, 0);
	CHECK_EQ((uintptr_t)fake.vq.ring.avail - (uintptr_t)fake.vq.ring.desc,
		 FAKE_QUEUE_SIZE * sizeof(struct vring_desc));
	CHECK_EQ((uintptr_t)fake.vq.ring.used % VRING_USED_ALIGN_SIZE, 0);
	CHECK_EQ(virtqueue_num_free(&fake.vq), FAKE_QUEUE_SIZE);
	CHECK_EQ(virtqueue_init_split(&fake.vq, &fake.dev, 0, 6, fake.ring, fake.state),
		 -EINVAL);
}

TEST(virtio_core, buffers_go_round_and_come_back_by_token)
{
	struct virtio_sg two[2] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 32 } };
	struct virtio_sg one = { virt_to_phys(buf_c), 8 };
	uint32_t len = 0;

	CHECK_EQ(make_fake(0), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, two, 1, 1, buf_a), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, &one, 0, 1, buf_c), 0);
	CHECK_EQ(fake.vq.ring.avail->idx, 2);
	CHECK_EQ(virtqueue_num_free(&fake.vq), FAKE_QUEUE_SIZE - 3);
	CHECK_EQ(virtqueue_in_flight(&fake.vq), 2);

	uint16_t head_a = device_next_avail(), head_c = device_next_avail();
	const struct vring_desc *d = &fake.vq.ring.desc[head_a];

	CHECK_EQ(d->addr, virt_to_phys(buf_a));
	CHECK_EQ(d->len, 16);
	CHECK_EQ(d->flags, VRING_DESC_F_NEXT);
	d = &fake.vq.ring.desc[d->next];
	CHECK_EQ(d->addr, virt_to_phys(buf_b));
	CHECK_EQ(d->flags, VRING_DESC_F_WRITE);
	CHECK_EQ(fake.vq.ring.desc[head_c].flags, VRING_DESC_F_WRITE);

	CHECK(virtqueue_get_buf(&fake.vq, &len) == NULL);
	device_use(head_c, 8);          /* out of order: allowed */
	device_use(head_a, 20);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_c);
	CHECK_EQ(len, 8);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_a);
	CHECK_EQ(len, 20);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == NULL);
	CHECK_EQ(virtqueue_num_free(&fake.vq), FAKE_QUEUE_SIZE);
	CHECK_EQ(virtqueue_in_flight(&fake.vq), 0);
	CHECK(!fake.dev.broken);
}

TEST(virtio_core, indirect_table_for_chains_when_negotiated)
{
	struct virtio_sg three[3] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 64 },
				      { virt_to_phys(buf_c), 1 } };
	uint32_t len;

	CHECK_EQ(make_fake(F(VIRTIO_RING_F_INDIRECT_DESC)), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, three, 2, 1, buf_a), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, three, 1, 0, buf_b), 0);     /* one element */
	CHECK_EQ(virtqueue_num_free(&fake.vq), FAKE_QUEUE_SIZE - 2);

	uint16_t head = device_next_avail(), single = device_next_avail();
	const struct vring_desc *d = &fake.vq.ring.desc[head];
	const struct vring_desc *table = phys_to_virt(d->addr);

	CHECK_EQ(d->flags, VRING_DESC_F_INDIRECT);
	CHECK_EQ(d->len, 3 * sizeof(struct vring_desc));
	CHECK_EQ(table[0].flags, VRING_DESC_F_NEXT);
	CHECK_EQ(table[1].flags, VRING_DESC_F_NEXT);
	CHECK_EQ(table[1].len, 64);
	CHECK_EQ(table[2].flags, VRING_DESC_F_WRITE);
	CHECK_EQ(table[table[0].next].addr, virt_to_phys(buf_b));
	CHECK_EQ(fake.vq.ring.desc[single].flags, 0);

	device_use(head, 1);
	device_use(single, 0);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_a);
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_b);
	CHECK_EQ(virtqueue_num_free(&fake.vq), FAKE_QUEUE_SIZE);
}

TEST(virtio_core, full_ring_refuses_more)
{
	struct virtio_sg sg[FAKE_QUEUE_SIZE + 1];

	for (unsigned int i = 0; i <= FAKE_QUEUE_SIZE; i++)
		sg[i] = (struct virtio_sg){ virt_to_phys(buf_a), 4 };
	CHECK_EQ(make_fake(0), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 0, FAKE_QUEUE_SIZE + 1, buf_a), -EINVAL);
	for (unsigned int i = 0; i < FAKE_QUEUE_SIZE; i++)
		CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 0, &sg[i]), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 0, buf_a), -ENOSPC);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 0, 0, buf_a), -EINVAL);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 0, NULL), -EINVAL);
}

TEST(virtio_core, kicks_follow_no_notify_flag)
{
	struct virtio_sg sg = { virt_to_phys(buf_a), 4 };

	CHECK_EQ(make_fake(0), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, buf_a), 0);
	CHECK(virtqueue_kick(&fake.vq));
	CHECK_EQ(fake_notifies, 1);
	fake.vq.ring.used->flags = VRING_USED_F_NO_NOTIFY;
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, buf_b), 0);
	CHECK(!virtqueue_kick(&fake.vq));
	CHECK_EQ(fake_notifies, 1);
	CHECK_EQ(fake.vq.kicks_suppressed, 1);
}

/* The device publishes avail_event: "notify me when avail->idx passes it". */
TEST(virtio_core, event_index_suppresses_kicks)
{
	struct virtio_sg sg = { virt_to_phys(buf_a), 4 };
	volatile uint16_t *avail_event =
		(volatile uint16_t *)(void *)&fake.vq.ring.used->ring[FAKE_QUEUE_SIZE];

	CHECK_EQ(make_fake(F(VIRTIO_RING_F_EVENT_IDX)), 0);
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, &buf_a[0]), 0);    /* idx 0 -> 1 */
	CHECK(virtqueue_kick_prepare(&fake.vq));        /* event 0 was passed */
	*avail_event = 3;
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, &buf_a[1]), 0);    /* 1 -> 2 */
	CHECK(!virtqueue_kick_prepare(&fake.vq));
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, &buf_a[2]), 0);    /* 2 -> 3 */
	CHECK(!virtqueue_kick_prepare(&fake.vq));
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, &buf_a[3]), 0);    /* 3 -> 4: passes 3 */
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, &buf_a[4]), 0);    /* batched: 3 -> 5 */
	CHECK(virtqueue_kick_prepare(&fake.vq));
	/* The other direction: used_event tells the device when to interrupt. */
	volatile uint16_t *used_event = &fake.vq.ring.avail->ring[FAKE_QUEUE_SIZE];

	device_use(device_next_avail(), 0);
	virtqueue_disable_cb(&fake.vq);
	CHECK(!vring_need_event(*used_event, 1, 0));     /* the device would stay quiet */
	CHECK(!virtqueue_enable_cb(&fake.vq));          /* one is waiting: reap it first */
	CHECK_EQ(*used_event, 0);
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == &buf_a[0]);
	CHECK_EQ(*used_event, 1);                       /* interrupt for the next one */
	CHECK(virtqueue_enable_cb(&fake.vq));
	CHECK(vring_need_event(*used_event, 2, 1));
}

/* ---- a device that lies: detected, device marked broken and reset ---- */

static void put_one_in_flight(struct virtio_sg *sg, uint16_t *head)
{
	make_fake(0);
	virtqueue_add(&fake.vq, sg, 1, 1, buf_a);
	*head = device_next_avail();
}

TEST(virtio_core, used_id_out_of_range_breaks_the_device)
{
	struct virtio_sg sg[2] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 32 } };
	uint16_t head;

	put_one_in_flight(sg, &head);
	device_use(FAKE_QUEUE_SIZE + 100, 4);
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	CHECK(fake.dev.broken);
	CHECK_EQ(fake_resets, 1);
	CHECK(fake.vq.broken);
	CHECK_EQ(virtqueue_add(&fake.vq, sg, 1, 0, buf_b), -EIO);
	device_use(head, 4);            /* even a good entry is not followed now */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
}

TEST(virtio_core, used_id_not_in_flight_breaks_the_device)
{
	struct virtio_sg sg[2] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 32 } };
	uint16_t head;

	put_one_in_flight(sg, &head);
	device_use((head + 5) % FAKE_QUEUE_SIZE, 4);    /* a free descriptor */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	CHECK(fake.dev.broken);
	CHECK_EQ(fake_resets, 1);
}

TEST(virtio_core, used_length_beyond_writable_bytes_breaks_the_device)
{
	struct virtio_sg sg[2] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 32 } };
	uint16_t head;

	put_one_in_flight(sg, &head);
	device_use(head, 33);           /* 32 writable bytes; the 16 readable don't count */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	CHECK(fake.dev.broken);
	CHECK(str_starts_with(fake.dev.problem, "queue 0: used entry 0 says 33 bytes"));
}

TEST(virtio_core, used_index_running_ahead_breaks_the_device)
{
	struct virtio_sg sg[2] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 32 } };
	uint16_t head;

	put_one_in_flight(sg, &head);
	device_use(head, 1);
	fake.vq.ring.used->idx += 3;    /* claims 4 used, 1 was in flight */
	CHECK(virtqueue_get_buf(&fake.vq, NULL) == NULL);
	CHECK(fake.dev.broken);
	CHECK_EQ(fake_resets, 1);
}

TEST(virtio_core, a_good_device_is_not_suspected)
{
	struct virtio_sg sg[2] = { { virt_to_phys(buf_a), 16 }, { virt_to_phys(buf_b), 32 } };
	uint16_t head;
	uint32_t len;

	put_one_in_flight(sg, &head);
	device_use(head, 32);           /* exactly the writable bytes */
	CHECK(virtqueue_get_buf(&fake.vq, &len) == buf_a);
	CHECK_EQ(len, 32);
	CHECK(!fake.dev.broken);
	CHECK_EQ(fake_resets, 0);
}

/* A configuration interrupt with DEVICE_NEEDS_RESET in the status: the
 * device is reset and reported, the driver told, the queues stop. */
TEST(virtio_core, device_needs_reset_is_handled)
{
	struct virtio_sg sg = { virt_to_phys(buf_a), 4 };

	CHECK_EQ(make_fake(0), 0);
	fake.dev.driver = &fake_driver;
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, buf_a), 0);
	virtio_interrupt(&fake.dev, VIRTIO_INTERRUPT_CONFIG);
	CHECK(!fake.dev.broken);                /* status still fine: nothing happens */
	fake_status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	virtio_interrupt(&fake.dev, VIRTIO_INTERRUPT_CONFIG);
	CHECK(fake.dev.broken);
	CHECK_EQ(fake_resets, 1);
	CHECK_EQ(driver_told_broken, 1);
	CHECK(fake.vq.broken);
	CHECK_EQ(virtqueue_add(&fake.vq, &sg, 1, 0, buf_b), -EIO);
	virtio_interrupt(&fake.dev, VIRTIO_INTERRUPT_CONFIG);  /* once only */
	CHECK_EQ(driver_told_broken, 1);
}
