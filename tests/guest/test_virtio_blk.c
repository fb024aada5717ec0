/*
 * test_virtio_blk.c — virtio-blk against the host's device (QEMU:
 * virtio-blk-device on microvm, virtio-blk-pci on q35), through the block
 * interface.  Skips without a virtio disk of at least MIN_SECTORS.
 *
 * The tests WRITE: sectors 256-263 get the pattern of
 * tests/tools/disk_pattern.h (the harness then runs `disk-pattern check
 * IMG 256 8` on the image), and 512-639 are scratch.  If the host wrote
 * its pattern at 128-131 before the boot, it is checked.
 */
#include "kernel/block.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/test.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_blk.h"
#include "tests/tools/disk_pattern.h"

#define SECTOR          DISK_PATTERN_SECTOR_SIZE
#define PATTERN_LBA     DISK_PATTERN_VIRTIO_LBA
#define PATTERN_COUNT   DISK_PATTERN_VIRTIO_COUNT
#define HOST_LBA        DISK_PATTERN_HOST_LBA
#define HOST_COUNT      DISK_PATTERN_HOST_COUNT
#define SCRATCH_LBA     512
#define SCRATCH_COUNT   128     /* 64 KiB: several requests of the driver */
#define MIN_SECTORS     (SCRATCH_LBA + SCRATCH_COUNT)
#define HOST_MAGIC_BYTES 16

#define NO_DISK "no virtio-blk disk (QEMU: -device virtio-blk-device or virtio-blk-pci)"

static struct block_device *virtio_disk(void)
{
	for (struct block_device *d = block_first(); d; d = d->next)
		if (virtio_blk_of(d) && d->sectors >= MIN_SECTORS &&
		    !virtio_blk_device(virtio_blk_of(d))->broken)
			return d;
	return NULL;
}

static void fill_patterns(uint8_t *buf, uint64_t lba, uint32_t count, bool inverted)
{
	for (uint32_t s = 0; s < count; s++) {
		disk_pattern_fill(buf + s * SECTOR, lba + s);
		if (inverted)
			for (unsigned int i = 0; i < SECTOR; i++)
				buf[s * SECTOR + i] ^= 0xff;
	}
}

static int64_t first_bad_sector(const uint8_t *buf, uint64_t lba, uint32_t count)
{
	for (uint32_t s = 0; s < count; s++)
		if (disk_pattern_mismatch(buf + s * SECTOR, lba + s) >= 0)
			return (int64_t)(lba + s);
	return -1;
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

/* Inverted first, then the pattern: a write that does nothing cannot pass
 * by finding the previous run's data. */
TEST(virtio_blk, write_pattern_then_read_back)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	uint8_t *out = kmalloc(PATTERN_COUNT * SECTOR), *in = kmalloc(PATTERN_COUNT * SECTOR);

	CHECK(out && in);
	fill_patterns(out, PATTERN_LBA, PATTERN_COUNT, true);
	CHECK_EQ(block_write(dev, PATTERN_LBA, PATTERN_COUNT, out), 0);
	memset(in, 0, PATTERN_COUNT * SECTOR);
	CHECK_EQ(block_read(dev, PATTERN_LBA, PATTERN_COUNT, in), 0);
	CHECK(memcmp(in, out, PATTERN_COUNT * SECTOR) == 0);

	fill_patterns(out, PATTERN_LBA, PATTERN_COUNT, false);
	CHECK_EQ(block_write(dev, PATTERN_LBA, PATTERN_COUNT, out), 0);
	memset(in, 0, PATTERN_COUNT * SECTOR);
	CHECK_EQ(block_read(dev, PATTERN_LBA, PATTERN_COUNT, in), 0);
	CHECK_EQ(first_bad_sector(in, PATTERN_LBA, PATTERN_COUNT), -1);
	CHECK_EQ(block_flush(dev), 0);
	kfree(out);
	kfree(in);
}

/* 64 KiB is several of the driver's requests; it submits them together.
 * Each sector is stamped with its number only (cheap: guest code is slow
 * under this machine's KVM). */
TEST(virtio_blk, many_requests_in_flight)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	struct virtio_blk *vblk = virtio_blk_of(dev);
	uint64_t *out = kmalloc(SCRATCH_COUNT * SECTOR), *in = kmalloc(SCRATCH_COUNT * SECTOR);
	const unsigned int words = SECTOR / sizeof(uint64_t);
	uint64_t requests_before = virtio_blk_stats(vblk)->requests;

	CHECK(out && in);
	for (unsigned int s = 0; s < SCRATCH_COUNT; s++) {
		out[s * words] = SCRATCH_LBA + s;
		out[s * words + words - 1] = ~(uint64_t)(SCRATCH_LBA + s);
		in[s * words] = in[s * words + words - 1] = 0;
	}
	CHECK_EQ(block_write(dev, SCRATCH_LBA, SCRATCH_COUNT, out), 0);
	CHECK_EQ(block_read(dev, SCRATCH_LBA, SCRATCH_COUNT, in), 0);
	for (unsigned int s = 0; s < SCRATCH_COUNT; s++) {
		CHECK_EQ(in[s * words], SCRATCH_LBA + s);
		CHECK_EQ(in[s * words + words - 1], ~(uint64_t)(SCRATCH_LBA + s));
	}
	CHECK(virtio_blk_stats(vblk)->requests >= requests_before + 4);
	CHECK(virtio_blk_stats(vblk)->max_in_flight >= 2);
	kfree(out);
	kfree(in);
}

/* Completions come back through the device's interrupt (MSI-X, or the
 * I/O APIC line): the queue callback runs only from there. */
TEST(virtio_blk, reads_complete_through_the_interrupt)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	struct virtio_blk *vblk = virtio_blk_of(dev);
	uint8_t *buf = kmalloc(SECTOR);
	uint64_t before = virtio_blk_stats(vblk)->interrupt_completions;

	CHECK(buf != NULL);
	CHECK_EQ(block_read(dev, 0, 1, buf), 0);
	CHECK_EQ(block_read(dev, PATTERN_LBA, 1, buf), 0);
	CHECK_EQ(virtio_blk_stats(vblk)->interrupt_completions, before + 2);
	kfree(buf);
}

TEST(virtio_blk, flush_succeeds)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	CHECK_EQ(block_flush(dev), 0);
	CHECK_EQ(block_flush(dev), 0);
}

/* The block layer refuses past the end; asked directly, the device
 * answers VIRTIO_BLK_S_IOERR (-EIO) and keeps working. */
TEST(virtio_blk, requests_past_the_end_fail)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	uint8_t *buf = kzalloc(2 * SECTOR);

	CHECK(buf != NULL);
	CHECK_EQ(block_read(dev, dev->sectors, 1, buf), -ERANGE);
	CHECK_EQ(block_read(dev, dev->sectors - 1, 2, buf), -ERANGE);
	CHECK_EQ(block_write(dev, dev->sectors, 1, buf), -ERANGE);
	CHECK_EQ(dev->ops->read(dev, dev->sectors, 1, buf), -EIO);
	CHECK_EQ(dev->ops->write(dev, dev->sectors + 8, 1, buf), -EIO);
	CHECK(!virtio_blk_device(virtio_blk_of(dev))->broken);
	CHECK_EQ(block_read(dev, dev->sectors - 1, 1, buf), 0);
	kfree(buf);
}

TEST(virtio_blk, reads_the_hosts_pattern)
{
	struct block_device *dev = virtio_disk();

	if (!dev)
		SKIP(NO_DISK);
	uint8_t *in = kmalloc(HOST_COUNT * SECTOR);
	int64_t bad;

	CHECK(in != NULL);
	CHECK_EQ(block_read(dev, HOST_LBA, HOST_COUNT, in), 0);
	for (unsigned int i = 0; i < HOST_MAGIC_BYTES; i++) {
		if (in[i] != disk_pattern_byte(HOST_LBA, i)) {
			kfree(in);
			SKIP("sector %u does not carry the host's pattern (disk-pattern write IMG %u %u)",
			     HOST_LBA, HOST_LBA, HOST_COUNT);
		}
	}
	bad = first_bad_sector(in, HOST_LBA, HOST_COUNT);
	kfree(in);
	CHECK_EQ(bad, -1);
}
