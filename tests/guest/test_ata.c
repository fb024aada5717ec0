/*
 * test_ata.c — the ATA disk driver against whatever disk the host gives
 * us: QEMU's IDE emulation or pvkit-hv's (host/ata.c).
 *
 * Needs a raw disk of at least 132 sectors on an IDE channel; the tests
 * skip without one.  They WRITE to sectors 64-71 of the first ATA disk
 * (leaving the pattern of tests/tools/disk_pattern.h there, for the host
 * to check with `disk-pattern check IMG 64 8`), so never attach a disk you
 * care about.  If the host wrote the pattern to sectors 128-131 before the
 * boot (`disk-pattern write IMG 128 4`), ata.reads_the_hosts_pattern
 * checks it; otherwise that test skips.
 */
#include "arch/x86/ata.h"
#include "arch/x86/ata_regs.h"
#include "kernel/block.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/test.h"
#include "lib/string.h"
#include "tests/tools/disk_pattern.h"

#define SECTOR          DISK_PATTERN_SECTOR_SIZE
#define GUEST_LBA       DISK_PATTERN_GUEST_LBA
#define GUEST_COUNT     DISK_PATTERN_GUEST_COUNT
#define HOST_LBA        DISK_PATTERN_HOST_LBA
#define HOST_COUNT      DISK_PATTERN_HOST_COUNT
#define MIN_SECTORS     (HOST_LBA + HOST_COUNT)
/* Bytes that must match for the host's pattern to count as present. */
#define HOST_MAGIC_BYTES 16

#define NO_DISK "no ATA disk attached (QEMU: -drive file=IMG,format=raw,if=ide; " \
		"pvkit-hv: --disk IMG)"

/* The first ATA disk, if it is big enough for these tests. */
static struct block_device *test_disk(void)
{
	struct block_device *dev = ata_device(0);

	return dev && dev->sectors >= MIN_SECTORS ? dev : NULL;
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

/* Number of the first sector in buf that is not lba's pattern, or -1. */
static int64_t first_bad_sector(const uint8_t *buf, uint64_t lba, uint32_t count)
{
	for (uint32_t s = 0; s < count; s++)
		if (disk_pattern_mismatch(buf + s * SECTOR, lba + s) >= 0)
			return (int64_t)(lba + s);
	return -1;
}

static uint64_t identify_capacity(const uint16_t *id, bool lba48)
{
	uint64_t sectors = 0;

	if (lba48)
		for (int w = 3; w >= 0; w--)
			sectors = sectors << 16 | id[ID_LBA48_CAPACITY + w];
	else
		sectors = (uint32_t)id[ID_LBA28_CAPACITY + 1] << 16 | id[ID_LBA28_CAPACITY];
	return sectors;
}

TEST(ata, identify_is_sane)
{
	struct block_device *dev = ata_device(0);

	if (!dev)
		SKIP(NO_DISK);
	const uint16_t *id = ata_identify_data(dev);
	uint8_t sum = 0;

	CHECK(id != NULL);
	CHECK(str_starts_with(dev->name, "ata"));
	CHECK(block_find(dev->name) == dev);
	CHECK(dev->sectors > 0);
	CHECK_EQ(dev->sector_size, SECTOR);
	CHECK(dev->model != NULL && dev->model[0] != '\0');
	CHECK_EQ(id[ID_CONFIG] & ID_CONFIG_NOT_ATA, 0);
	CHECK_EQ(identify_capacity(id, ata_uses_lba48(dev)), dev->sectors);
	if ((id[ID_INTEGRITY] & 0xff) == ID_INTEGRITY_SIGNATURE) {
		for (unsigned int i = 0; i < ATA_IDENTIFY_WORDS; i++)
			sum += (uint8_t)(id[i] & 0xff) + (uint8_t)(id[i] >> 8);
		CHECK_EQ(sum, 0);
	}
}

/* First the inverted pattern, then the pattern: a write that silently does
 * nothing cannot pass by finding the last run's data. */
TEST(ata, write_then_read_back)
{
	struct block_device *dev = test_disk();

	if (!dev)
		SKIP(NO_DISK);
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
TEST(ata, multi_sector_reads)
{
	struct block_device *dev = test_disk();

	if (!dev)
		SKIP(NO_DISK);
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

TEST(ata, flush_succeeds)
{
	struct block_device *dev = ata_device(0);

	if (!dev)
		SKIP(NO_DISK);
	CHECK_EQ(block_flush(dev), 0);
	CHECK_EQ(block_flush(dev), 0);
}

/* The block layer refuses a request past the end; the driver, asked
 * directly, sends it and the drive refuses it (IDNF or ABRT: -EIO) — and
 * the drive works normally afterwards. */
TEST(ata, requests_past_the_end_fail)
{
	struct block_device *dev = ata_device(0);

	if (!dev)
		SKIP(NO_DISK);
	uint8_t *buf = kzalloc(2 * SECTOR);

	CHECK(buf != NULL);
	CHECK_EQ(block_read(dev, dev->sectors, 1, buf), -ERANGE);
	CHECK_EQ(block_read(dev, dev->sectors - 1, 2, buf), -ERANGE);
	CHECK_EQ(block_write(dev, dev->sectors, 1, buf), -ERANGE);
	CHECK_EQ(dev->ops->read(dev, dev->sectors, 1, buf), -EIO);
	CHECK_EQ(dev->ops->read(dev, dev->sectors - 1, 2, buf), -EIO);
	CHECK_EQ(dev->ops->write(dev, dev->sectors, 1, buf), -EIO);
	CHECK_EQ(block_read(dev, dev->sectors - 1, 1, buf), 0);
	CHECK_EQ(block_read(dev, 0, 1, buf), 0);
	kfree(buf);
}

TEST(ata, reading_twice_gives_the_same_data)
{
	struct block_device *dev = ata_device(0);

	if (!dev)
		SKIP(NO_DISK);
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
TEST(ata, reads_the_hosts_pattern)
{
	struct block_device *dev = test_disk();

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
