/*
 * test_block.c — what every disk driver must do, checked through the
 * block interface alone (kernel/block.h), on every registered block
 * device: the ATA disk (QEMU's IDE, pvkit-hv's), virtio-blk (QEMU's and
 * pvkit-hv's, mmio and pci), and Xen blkfront (dom0's blkback).  What only
 * one driver can be asked stays in its own file (test_ata.c,
 * test_virtio_blk.c).
 *
 * Each test runs on every disk of at least MIN_SECTORS, names the disk
 * when it fails, and skips when there is none.  The tests WRITE: sectors
 * 64-71 get the pattern of tests/tools/disk_pattern.h (the harness then
 * runs `disk-pattern check IMG 64 8` on each image) and 512-639 are
 * scratch, so never attach a disk you care about.  If the host wrote its
 * pattern at 128-131 before the boot (`disk-pattern write IMG 128 4`),
 * block.reads_the_hosts_pattern checks it; otherwise that test skips.
 */
#include "kernel/block.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/test.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "tests/tools/disk_pattern.h"

#define SECTOR          DISK_PATTERN_SECTOR_SIZE
#define GUEST_LBA       DISK_PATTERN_GUEST_LBA
#define GUEST_COUNT     DISK_PATTERN_GUEST_COUNT
#define HOST_LBA        DISK_PATTERN_HOST_LBA
#define HOST_COUNT      DISK_PATTERN_HOST_COUNT
#define SCRATCH_LBA     512
#define SCRATCH_COUNT   128     /* 64 KiB: more than one request of most drivers */
#define MIN_SECTORS     (SCRATCH_LBA + SCRATCH_COUNT)
/* Bytes that must match for the host's pattern to count as present. */
#define HOST_MAGIC_BYTES 16

typedef void disk_test_fn(struct test_ctx *t, struct block_device *dev);

/* Runs check on every disk big enough for these tests.  The first
 * failure (or skip) ends the test, its reason prefixed by the disk's
 * name: "vda: tests/guest/test_block.c:90: ...". */
static void on_every_disk(struct test_ctx *t, disk_test_fn *check)
{
	unsigned int tested = 0;

	for (struct block_device *dev = block_first(); dev; dev = dev->next) {
		char reason[TEST_REASON_MAX];

		if (dev->sectors < MIN_SECTORS || dev->sector_size != SECTOR)
			continue;
		check(t, dev);
		tested++;
		if (t->failed || t->skipped) {
			strlcpy(reason, t->reason, sizeof(reason));
			snprintf(t->reason, sizeof(t->reason), "%s: %s", dev->name, reason);
			return;
		}
	}
	if (tested == 0)
		SKIP("no disk of %u sectors of %u bytes or more (ATA: QEMU -drive if=ide, "
		     "pvkit-hv --disk; virtio-blk: QEMU -device virtio-blk-*, pvkit-hv "
		     "--virtio-blk; Xen: scripts/xen-lab.sh --disk)", MIN_SECTORS, SECTOR);
}

/* TEST(block, name) that runs the body below it on every disk, as dev. */
#define DISK_TEST(name)                                                       \
	static disk_test_fn check_##name;                                     \
	TEST(block, name)                                                     \
	{                                                                     \
		on_every_disk(t, check_##name);                               \
	}                                                                     \
	static void check_##name(struct test_ctx *t, struct block_device *dev)

static void fill_patterns(uint8_t *buf, uint64_t lba, uint32_t count, bool inverted)
{
	for (uint32_t s = 0; s < count; s++) {
		disk_pattern_fill(buf + s * SECTOR, lba + s);
		if (inverted)
			for (unsigned int i = 0; i < SECTOR; i++)
				buf[s * SECTOR + i] ^= 0xff;
	}
}

/* Number of the first sector in buf that is not lba's pattern, or -1. */
static int64_t first_bad_sector(const uint8_t *buf, uint64_t lba, uint32_t count)
{
	for (uint32_t s = 0; s < count; s++)
		if (disk_pattern_mismatch(buf + s * SECTOR, lba + s) >= 0)
			return (int64_t)(lba + s);
	return -1;
}

DISK_TEST(device_is_registered_sanely)
{
	CHECK(dev->name != NULL && dev->name[0] != '\0');
	CHECK(block_find(dev->name) == dev);
	CHECK(dev->model != NULL && dev->model[0] != '\0');
	CHECK(dev->max_sectors_per_request > 0);
	CHECK(dev->max_in_flight >= 1);
	CHECK(dev->ops->read && dev->ops->write && dev->ops->flush);
}

/* First the inverted pattern, then the pattern: a write that silently does
 * nothing cannot pass by finding the last run's data. */
DISK_TEST(write_then_read_back)
{
	uint8_t *out = kmalloc(GUEST_COUNT * SECTOR), *in = kmalloc(GUEST_COUNT * SECTOR);

	CHECK(out && in);
	fill_patterns(out, GUEST_LBA, GUEST_COUNT, true);
	CHECK_EQ(block_write(dev, GUEST_LBA, GUEST_COUNT, out), 0);
	memset(in, 0, GUEST_COUNT * SECTOR);
	CHECK_EQ(block_read(dev, GUEST_LBA, GUEST_COUNT, in), 0);
	CHECK(memcmp(in, out, GUEST_COUNT * SECTOR) == 0);

	fill_patterns(out, GUEST_LBA, GUEST_COUNT, false);
	CHECK_EQ(block_write(dev, GUEST_LBA, GUEST_COUNT, out), 0);
	memset(in, 0, GUEST_COUNT * SECTOR);
	CHECK_EQ(block_read(dev, GUEST_LBA, GUEST_COUNT, in), 0);
	CHECK_EQ(first_bad_sector(in, GUEST_LBA, GUEST_COUNT), -1);
	CHECK_EQ(block_flush(dev), 0);
	kfree(out);
	kfree(in);
}

/* One request covering the range and its neighbours, and the range read
 * in pieces that do not line up with the write. */
DISK_TEST(multi_sector_reads)
{
	const uint32_t span = GUEST_COUNT + 4;
	uint8_t *out = kmalloc(GUEST_COUNT * SECTOR), *in = kmalloc(span * SECTOR);

	CHECK(out && in);
	fill_patterns(out, GUEST_LBA, GUEST_COUNT, false);
	CHECK_EQ(block_write(dev, GUEST_LBA, GUEST_COUNT, out), 0);

	CHECK_EQ(block_read(dev, GUEST_LBA - 2, span, in), 0);
	CHECK_EQ(first_bad_sector(in + 2 * SECTOR, GUEST_LBA, GUEST_COUNT), -1);

	memset(in, 0, span * SECTOR);
	CHECK_EQ(block_read(dev, GUEST_LBA, 3, in), 0);
	CHECK_EQ(block_read(dev, GUEST_LBA + 3, GUEST_COUNT - 3, in + 3 * SECTOR), 0);
	CHECK_EQ(first_bad_sector(in, GUEST_LBA, GUEST_COUNT), -1);
	for (uint32_t s = 0; s < GUEST_COUNT; s++) {
		memset(in, 0, SECTOR);
		CHECK_EQ(block_read(dev, GUEST_LBA + s, 1, in), 0);
		CHECK_EQ(first_bad_sector(in, GUEST_LBA + s, 1), -1);
	}
	kfree(out);
	kfree(in);
}

/* 64 KiB in one block-layer request, which drivers cut into several of
 * theirs.  Each sector is stamped with its number only, at both ends
 * (cheap: guest code is slow under this machine's KVM). */
DISK_TEST(large_transfer_round_trip)
{
	const unsigned int words = SECTOR / sizeof(uint64_t);
	uint64_t *out = kmalloc(SCRATCH_COUNT * SECTOR), *in = kmalloc(SCRATCH_COUNT * SECTOR);

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
	kfree(out);
	kfree(in);
}

/* A batch of single sectors, out of order: each lands in its own buffer,
 * whatever order the driver completes them in. */
DISK_TEST(batched_reads_land_in_their_buffers)
{
	struct block_io batch[GUEST_COUNT];
	uint8_t *out = kmalloc(GUEST_COUNT * SECTOR), *in = kzalloc(GUEST_COUNT * SECTOR);

	CHECK(out && in);
	fill_patterns(out, GUEST_LBA, GUEST_COUNT, false);
	CHECK_EQ(block_write(dev, GUEST_LBA, GUEST_COUNT, out), 0);
	for (uint32_t i = 0; i < GUEST_COUNT; i++) {
		uint32_t s = GUEST_COUNT - 1 - i;       /* last sector first */

		batch[i] = (struct block_io){ GUEST_LBA + s, 1, in + s * SECTOR };
	}
	CHECK_EQ(block_read_batch(dev, batch, GUEST_COUNT), 0);
	CHECK_EQ(first_bad_sector(in, GUEST_LBA, GUEST_COUNT), -1);
	CHECK_EQ(block_read_batch(dev, batch, 0), 0);
	kfree(out);
	kfree(in);
}

DISK_TEST(flush_succeeds)
{
	CHECK_EQ(block_flush(dev), 0);
	CHECK_EQ(block_flush(dev), 0);
}

/* The block layer refuses what lies past the end before any driver sees
 * it (a batch as a whole, if one piece is bad), and the last sector
 * still reads.  What the device itself answers when asked directly is
 * each driver's test. */
DISK_TEST(requests_past_the_end_are_refused)
{
	uint8_t *buf = kzalloc(2 * SECTOR);
	const struct block_io batch[2] = {
		{ 0, 1, buf }, { dev->sectors - 1, 2, buf + SECTOR },
	};

	CHECK(buf != NULL);
	CHECK_EQ(block_read(dev, dev->sectors, 1, buf), -ERANGE);
	CHECK_EQ(block_read(dev, dev->sectors - 1, 2, buf), -ERANGE);
	CHECK_EQ(block_write(dev, dev->sectors, 1, buf), -ERANGE);
	CHECK_EQ(block_read(dev, 0, 0, buf), -EINVAL);
	CHECK_EQ(block_read_batch(dev, batch, 2), -ERANGE);
	CHECK_EQ(block_read(dev, dev->sectors - 1, 1, buf), 0);
	CHECK_EQ(block_read(dev, 0, 1, buf), 0);
	kfree(buf);
}

DISK_TEST(reading_twice_gives_the_same_data)
{
	uint8_t *first = kmalloc(SECTOR), *second = kmalloc(SECTOR);

	CHECK(first && second);
	memset(first, 0x11, SECTOR);
	memset(second, 0x22, SECTOR);
	CHECK_EQ(block_read(dev, 0, 1, first), 0);
	CHECK_EQ(block_read(dev, 0, 1, second), 0);
	CHECK(memcmp(first, second, SECTOR) == 0);
	kfree(first);
	kfree(second);
}

/* What the host wrote before the boot reaches us intact. */
DISK_TEST(reads_the_hosts_pattern)
{
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
