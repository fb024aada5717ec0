/*
 * test_ata.c — what only the ATA driver can be asked, against whatever
 * disk the host gives us: QEMU's IDE emulation or pvkit-hv's
 * (host/ata.c).  Reading, writing and flushing through the block
 * interface are tested on every disk by test_block.c; here: the IDENTIFY
 * data, the LBA28/LBA48 choice, the drive's own refusal of a request
 * past its end, and the register accesses the driver counts.
 *
 * The tests skip when no ATA disk is attached.  They only read.
 */
#include "arch/x86/ata.h"
#include "arch/x86/ata_regs.h"
#include "kernel/block.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/test.h"
#include "lib/string.h"

#define SECTOR          ATA_SECTOR_SIZE

#define NO_DISK "no ATA disk attached (QEMU: -drive file=IMG,format=raw,if=ide; " \
		"pvkit-hv: --disk IMG)"

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

/* The EXT commands exactly when the drive has the 48-bit feature set
 * both supported (word 83) and enabled (word 86); their 16-bit count
 * is what the driver then announces as its request limit. */
TEST(ata, uses_lba48_when_the_drive_has_it)
{
	struct block_device *dev = ata_device(0);

	if (!dev)
		SKIP(NO_DISK);
	const uint16_t *id = ata_identify_data(dev);
	bool has_lba48 = (id[ID_COMMAND_SET_2] & ID_SET2_LBA48) &&
			 (id[ID_COMMAND_ENABLED_2] & ID_SET2_LBA48);

	CHECK_EQ(ata_uses_lba48(dev), has_lba48);
	CHECK_EQ(dev->max_sectors_per_request,
		 has_lba48 ? ATA_LBA48_MAX_COUNT : ATA_LBA28_MAX_COUNT);
}

/* Past the block layer's check: the driver, asked directly, sends the
 * command and the drive refuses it (IDNF or ABRT: -EIO) — and works
 * normally afterwards. */
TEST(ata, drive_refuses_requests_past_its_end)
{
	struct block_device *dev = ata_device(0);

	if (!dev)
		SKIP(NO_DISK);
	uint8_t *buf = kzalloc(2 * SECTOR);

	CHECK(buf != NULL);
	CHECK_EQ(dev->ops->read(dev, dev->sectors, 1, buf), -EIO);
	CHECK_EQ(dev->ops->read(dev, dev->sectors - 1, 2, buf), -EIO);
	CHECK_EQ(dev->ops->write(dev, dev->sectors, 1, buf), -EIO);
	CHECK_EQ(block_read(dev, dev->sectors - 1, 1, buf), 0);
	CHECK_EQ(block_read(dev, 0, 1, buf), 0);
	kfree(buf);
}

/* A one-sector read is Device, the address and count registers (4 more
 * for LBA48), Command, at least one Status, and 256 words of Data
 * (docs/ata.md); no interrupt, since the driver polls. */
TEST(ata, counts_every_register_access)
{
	struct block_device *dev = ata_device(0);

	if (!dev)
		SKIP(NO_DISK);
	unsigned int command = ata_uses_lba48(dev) ? 10 : 6;
	uint8_t *buf = kmalloc(SECTOR);
	struct block_counters before, after;

	CHECK(buf != NULL);
	CHECK(dev->ops->counters != NULL);
	block_read_counters(dev, &before);
	CHECK_EQ(block_read(dev, 0, 1, buf), 0);
	block_read_counters(dev, &after);
	CHECK(after.notifications - before.notifications >= command + 1 + ATA_SECTOR_WORDS);
	CHECK_EQ(after.interrupts, 0);
	kfree(buf);
}
