/*
 * test_virtio_blk.c — what only the virtio-blk driver can be asked,
 * against the host's device (QEMU's virtio-blk-device on microvm,
 * virtio-blk-pci on q35; pvkit-hv's on both transports).  Reading,
 * writing and flushing through the block interface are tested on every
 * disk by test_block.c; here: the capacity in config space and the
 * features, requests in flight together, completions by interrupt, the
 * kicks and interrupts the core counts, and the device's own refusal of
 * a request past its end.
 *
 * Skips without a virtio disk of at least MIN_SECTORS.  Only reads, from
 * sectors 512-639 (test_block.c's scratch) and the last one.
 */
#include "kernel/block.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/test.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_blk.h"

#define SECTOR          512
#define SCRATCH_LBA     512
#define SCRATCH_COUNT   128     /* 64 KiB: several requests of the driver */
#define MIN_SECTORS     (SCRATCH_LBA + SCRATCH_COUNT)
#define BATCH           8       /* single 4 KiB reads, together */
#define BATCH_SECTORS   8

#define NO_DISK "no virtio-blk disk (QEMU: -device virtio-blk-device or virtio-blk-pci; " \
		"pvkit-hv: --virtio-blk IMG)"

static struct block_device *virtio_disk(void)
{
	for (struct block_device *d = block_first(); d; d = d->next)
		if (virtio_blk_of(d) && d->sectors >= MIN_SECTORS &&
		    !virtio_blk_device(virtio_blk_of(d))->broken)
			return d;
	return NULL;
}

TEST(virtio_blk, disk_is_registered_with_its_capacity)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	struct virtio_device *vdev = virtio_blk_device(virtio_blk_of(dev));
	uint64_t capacity = 0;

	CHECK(str_starts_with(dev->name, "vd"));
	CHECK(block_find(dev->name) == dev);
	CHECK_EQ(dev->sector_size, SECTOR);
	virtio_config_read(vdev, 0, &capacity, sizeof(capacity));
	CHECK_EQ(capacity, dev->sectors);
	CHECK(vdev->ready);
	CHECK(virtio_has_feature(vdev, VIRTIO_F_VERSION_1));
}

/* 64 KiB is several of the driver's requests; it submits them together. */
TEST(virtio_blk, large_reads_keep_requests_in_flight)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	struct virtio_blk *vblk = virtio_blk_of(dev);
	uint8_t *in = kmalloc(SCRATCH_COUNT * SECTOR);
	uint64_t requests_before = virtio_blk_stats(vblk)->requests;

	CHECK(in != NULL);
	CHECK_EQ(block_read(dev, SCRATCH_LBA, SCRATCH_COUNT, in), 0);
	CHECK(virtio_blk_stats(vblk)->requests >= requests_before + 4);
	CHECK(virtio_blk_stats(vblk)->max_in_flight >= 2);
	kfree(in);
}

/* A batch read is one virtio request per piece, all handed over before
 * the one kick (event index may save even that one). */
TEST(virtio_blk, a_batch_is_submitted_with_one_kick)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	struct virtio_blk *vblk = virtio_blk_of(dev);
	struct block_io batch[BATCH];
	uint8_t *in = kmalloc(BATCH * BATCH_SECTORS * SECTOR);
	uint64_t requests_before = virtio_blk_stats(vblk)->requests;
	struct block_counters before, after;

	CHECK(in != NULL);
	CHECK(dev->max_in_flight >= BATCH);
	for (unsigned int i = 0; i < BATCH; i++)
		batch[i] = (struct block_io){ SCRATCH_LBA + (BATCH - 1 - i) * BATCH_SECTORS,
					      BATCH_SECTORS, in + i * BATCH_SECTORS * SECTOR };
	block_read_counters(dev, &before);
	CHECK_EQ(block_read_batch(dev, batch, BATCH), 0);
	block_read_counters(dev, &after);
	CHECK_EQ(virtio_blk_stats(vblk)->requests, requests_before + BATCH);
	CHECK(virtio_blk_stats(vblk)->max_in_flight >= BATCH);
	CHECK(after.notifications - before.notifications <= 1);
	kfree(in);
}

/* Completions come back through the device's interrupt (MSI-X, or the
 * I/O APIC line): the queue callback runs only from there.  The core
 * counts those interrupts, and the kicks, for the block counters. */
TEST(virtio_blk, reads_complete_through_the_interrupt)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	struct virtio_blk *vblk = virtio_blk_of(dev);
	uint8_t *buf = kmalloc(SECTOR);
	uint64_t before = virtio_blk_stats(vblk)->interrupt_completions;
	struct block_counters counted_before, counted_after;

	CHECK(buf != NULL);
	block_read_counters(dev, &counted_before);
	CHECK_EQ(block_read(dev, 0, 1, buf), 0);
	CHECK_EQ(block_read(dev, SCRATCH_LBA, 1, buf), 0);
	block_read_counters(dev, &counted_after);
	CHECK_EQ(virtio_blk_stats(vblk)->interrupt_completions, before + 2);
	CHECK(counted_after.interrupts >= counted_before.interrupts + 2);
	CHECK(counted_after.notifications >= counted_before.notifications + 1);
	kfree(buf);
}

/* Past the block layer's check: asked directly, the device answers
 * VIRTIO_BLK_S_IOERR (-EIO) and keeps working. */
TEST(virtio_blk, device_refuses_requests_past_its_end)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	uint8_t *buf = kzalloc(2 * SECTOR);

	CHECK(buf != NULL);
	CHECK_EQ(dev->ops->read(dev, dev->sectors, 1, buf), -EIO);
	CHECK_EQ(dev->ops->write(dev, dev->sectors + 8, 1, buf), -EIO);
	CHECK(!virtio_blk_device(virtio_blk_of(dev))->broken);
	CHECK_EQ(block_read(dev, dev->sectors - 1, 1, buf), 0);
	kfree(buf);
}
