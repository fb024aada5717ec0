/*
 * tests/host/test_ata.c - unit tests of pvkit-hv's ATA device model
 * (host/ata.c), driven the way a guest drives it: through the port
 * regions the controller registers on an I/O bus, against temporary disk
 * image files whose bytes we check directly.
 *
 * ata_tests() runs them all; tests/host/main.c calls it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86/ata_regs.h"
#include "host/ata.h"
#include "host/io.h"
#include "tests/unit/check.h"

void ata_tests(void);

/* Short names for the ports these tests drive, from arch/x86/ata_regs.h. */
#define SECTOR          ATA_SECTOR_SIZE
#define PRI_BASE        ATA_PRIMARY_COMMAND_BASE
#define PRI_CONTROL     ATA_PRIMARY_CONTROL_PORT
#define SEC_BASE        ATA_SECONDARY_COMMAND_BASE
#define SEC_CONTROL     ATA_SECONDARY_CONTROL_PORT
#define PRI_IRQ         ATA_PRIMARY_IRQ

/* Device register values: device 0 or 1, LBA or CHS addressing. */
#define DEV_MASTER_LBA  (ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA)                  /* 0xe0 */
#define DEV_SLAVE_LBA   (ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA | ATA_DEVICE_DEV) /* 0xf0 */
#define DEV_MASTER_CHS  ATA_DEVICE_OBSOLETE                                     /* 0xa0 */

#define CMD_READ_DMA    0xc8    /* a real command we do not implement */

/* A controller on its own port bus, with up to four temporary images. */
struct rig {
	struct io_bus bus;
	struct ata_controller *ctl;
	char path[ATA_MAX_DRIVES + 1][64];
	unsigned int files;
	int irq_level[16];
	unsigned int irq_changes;
};

static void record_irq(void *opaque, unsigned int line, int level)
{
	struct rig *r = opaque;

	if (line < 16)
		r->irq_level[line] = level;
	r->irq_changes++;
}

/* Byte i of sector lba in the images' initial contents. */
static uint8_t initial_byte(uint64_t lba, unsigned int i)
{
	return (uint8_t)(lba * 31 + i * 3 + 1);
}

/* A new temporary image of `bytes` bytes; the first `filled` sectors hold
 * initial_byte(), the rest is a hole (reads as zeros). */
static const char *make_image(struct rig *r, uint64_t bytes, uint64_t filled)
{
	char *path = r->path[r->files];
	uint8_t sector[SECTOR];
	int fd;

	snprintf(path, sizeof(r->path[0]), "/tmp/pvkit-ata-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	r->files++;
	for (uint64_t lba = 0; lba < filled; lba++) {
		for (unsigned int i = 0; i < SECTOR; i++)
			sector[i] = initial_byte(lba, i);
		if (pwrite(fd, sector, SECTOR, (off_t)(lba * SECTOR)) != SECTOR)
			break;
	}
	if (ftruncate(fd, (off_t)bytes) != 0) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->bus.name = "pio";
	r->ctl = ata_controller_create(record_irq, r);
}

/* A controller with `disks` images of `sectors` sectors each, registered. */
static bool rig_start(struct rig *r, unsigned int disks, uint64_t sectors)
{
	char err[256];

	rig_init(r);
	if (!r->ctl)
		return false;
	for (unsigned int i = 0; i < disks; i++) {
		const char *path = make_image(r, sectors * SECTOR, sectors < 4096 ? sectors : 64);

		if (!path || !ata_controller_add_disk(r->ctl, path, err, sizeof(err)))
			return false;
	}
	return ata_controller_register(r->ctl, &r->bus);
}

static void rig_stop(struct rig *r)
{
	ata_controller_destroy(r->ctl);
	for (unsigned int i = 0; i < r->files; i++)
		unlink(r->path[i]);
}

/* ---- port access as the guest does it -------------------------------------- */

static uint64_t port_in(struct rig *r, uint16_t port, unsigned int size)
{
	const struct io_region *region = io_bus_find(&r->bus, port);

	if (!region)
		return size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff;
	return region->read(region->opaque, port - region->base, size);
}

static void port_out(struct rig *r, uint16_t port, unsigned int size, uint64_t value)
{
	const struct io_region *region = io_bus_find(&r->bus, port);

	if (region)
		region->write(region->opaque, port - region->base, size, value);
}

static uint8_t in8(struct rig *r, uint16_t port)
{
	return (uint8_t)port_in(r, port, 1);
}

static void out8(struct rig *r, uint16_t port, uint8_t value)
{
	port_out(r, port, 1, value);
}

static uint8_t status(struct rig *r)
{
	return in8(r, PRI_BASE + ATA_REG_STATUS);
}

static void read_words(struct rig *r, uint8_t *buf, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i += 2) {
		uint16_t w = (uint16_t)port_in(r, PRI_BASE + ATA_REG_DATA, 2);

		buf[i] = (uint8_t)w;
		buf[i + 1] = (uint8_t)(w >> 8);
	}
}

static void write_words(struct rig *r, const uint8_t *buf, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i += 2)
		port_out(r, PRI_BASE + ATA_REG_DATA, 2, (uint16_t)(buf[i] | buf[i + 1] << 8));
}

/* Program an LBA28 command: count, LBA, device, command. */
static void issue28(struct rig *r, uint8_t device, uint8_t command, uint32_t lba, uint8_t count)
{
	out8(r, PRI_BASE + ATA_REG_COUNT, count);
	out8(r, PRI_BASE + ATA_REG_LBA_LOW, (uint8_t)lba);
	out8(r, PRI_BASE + ATA_REG_LBA_MID, (uint8_t)(lba >> 8));
	out8(r, PRI_BASE + ATA_REG_LBA_HIGH, (uint8_t)(lba >> 16));
	out8(r, PRI_BASE + ATA_REG_DEVICE, (uint8_t)(device | ((lba >> 24) & 0x0f)));
	out8(r, PRI_BASE + ATA_REG_COMMAND, command);
}

/* Program an LBA48 command: each register twice, high-order byte first. */
static void issue48(struct rig *r, uint8_t command, uint64_t lba, uint16_t count)
{
	out8(r, PRI_BASE + ATA_REG_COUNT, (uint8_t)(count >> 8));
	out8(r, PRI_BASE + ATA_REG_LBA_LOW, (uint8_t)(lba >> 24));
	out8(r, PRI_BASE + ATA_REG_LBA_MID, (uint8_t)(lba >> 32));
	out8(r, PRI_BASE + ATA_REG_LBA_HIGH, (uint8_t)(lba >> 40));
	out8(r, PRI_BASE + ATA_REG_COUNT, (uint8_t)count);
	out8(r, PRI_BASE + ATA_REG_LBA_LOW, (uint8_t)lba);
	out8(r, PRI_BASE + ATA_REG_LBA_MID, (uint8_t)(lba >> 8));
	out8(r, PRI_BASE + ATA_REG_LBA_HIGH, (uint8_t)(lba >> 16));
	out8(r, PRI_BASE + ATA_REG_DEVICE, DEV_MASTER_LBA);
	out8(r, PRI_BASE + ATA_REG_COMMAND, command);
}

static bool file_sector(const char *path, uint64_t lba, uint8_t *buf)
{
	int fd = open(path, O_RDONLY);
	bool ok = fd >= 0 && pread(fd, buf, SECTOR, (off_t)(lba * SECTOR)) == SECTOR;

	if (fd >= 0)
		close(fd);
	return ok;
}

static void fill_pattern(uint8_t *buf, uint64_t lba, uint8_t seed)
{
	for (unsigned int i = 0; i < SECTOR; i++)
		buf[i] = (uint8_t)(lba * 7 + i * 13 + seed);
}

static bool sector_is_initial(const uint8_t *buf, uint64_t lba)
{
	for (unsigned int i = 0; i < SECTOR; i++)
		if (buf[i] != initial_byte(lba, i))
			return false;
	return true;
}

static uint16_t word(const uint8_t *buf, unsigned int index)
{
	return (uint16_t)(buf[2 * index] | buf[2 * index + 1] << 8);
}

/* IDENTIFY the master; the 512 bytes in id.  True if it worked. */
static bool identify(struct rig *r, uint8_t *id)
{
	out8(r, PRI_BASE + ATA_REG_DEVICE, DEV_MASTER_LBA);
	out8(r, PRI_BASE + ATA_REG_COMMAND, ATA_CMD_IDENTIFY_DEVICE);
	if (status(r) != (ATA_STATUS_IDLE | ATA_STATUS_DRQ))
		return false;
	read_words(r, id, SECTOR);
	return status(r) == ATA_STATUS_IDLE;
}

/* ATA strings: two characters per word, first in the high byte. */
static void id_string(const uint8_t *id, unsigned int first_word, unsigned int chars, char *out)
{
	for (unsigned int i = 0; i < chars; i += 2) {
		uint16_t w = word(id, first_word + i / 2);

		out[i] = (char)(w >> 8);
		out[i + 1] = (char)w;
	}
	out[chars] = '\0';
	while (chars > 0 && out[chars - 1] == ' ')
		out[--chars] = '\0';
}

/* ---- the tests ------------------------------------------------------------------ */

static void test_identify(void)
{
	struct rig r;
	uint8_t id[SECTOR];
	char model[41];
	uint8_t sum = 0;

	CHECK(rig_start(&r, 1, 1000));
	CHECK(identify(&r, id));
	CHECK_UINT(word(id, 0), 0x0040);                /* ATA, fixed */
	CHECK(word(id, 49) & 0x0200);                   /* LBA */
	CHECK_UINT(word(id, 47) & 0xff00, 0x8000);
	CHECK_UINT(word(id, 60) | (uint32_t)word(id, 61) << 16, 1000);
	CHECK(word(id, 80) & 0x0040);                   /* ATA/ATAPI-6 */
	CHECK_UINT(word(id, 83) & 0xc000, 0x4000);      /* word valid */
	CHECK(word(id, 83) & 0x0400);                   /* LBA48 supported */
	CHECK(word(id, 86) & 0x0400);                   /* ... and enabled */
	CHECK(word(id, 83) & 0x1000);                   /* FLUSH CACHE */
	CHECK(word(id, 83) & 0x2000);                   /* FLUSH CACHE EXT */
	CHECK(word(id, 85) & 0x0020);                   /* write cache enabled */
	CHECK_UINT(word(id, 88), 0);                    /* no Ultra DMA */
	CHECK_UINT(word(id, 100), 1000);
	CHECK_UINT(word(id, 101) | word(id, 102) | word(id, 103), 0);
	id_string(id, 27, 40, model);
	CHECK_STR(model, "pvkit-hv ATA disk");
	CHECK_UINT(id[510], 0xa5);                      /* integrity signature */
	for (unsigned int i = 0; i < SECTOR; i++)
		sum += id[i];
	CHECK_UINT(sum, 0);                             /* and checksum */
	rig_stop(&r);
}

static void test_lba28_round_trip(void)
{
	struct rig r;
	uint8_t out[3][SECTOR], in[SECTOR], file[SECTOR];

	CHECK(rig_start(&r, 1, 100));
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_WRITE_SECTORS, 5, 3);
	for (unsigned int s = 0; s < 3; s++) {
		CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_DRQ);
		fill_pattern(out[s], 5 + s, 0x42);
		write_words(&r, out[s], SECTOR);
	}
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	for (unsigned int s = 0; s < 3; s++) {
		CHECK(file_sector(r.path[0], 5 + s, file));
		CHECK(memcmp(file, out[s], SECTOR) == 0);
	}
	CHECK(file_sector(r.path[0], 4, file) && sector_is_initial(file, 4));
	CHECK(file_sector(r.path[0], 8, file) && sector_is_initial(file, 8));

	issue28(&r, DEV_MASTER_LBA, ATA_CMD_READ_SECTORS, 4, 5);
	for (unsigned int s = 0; s < 5; s++) {
		CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_DRQ);
		read_words(&r, in, SECTOR);
		if (s == 0 || s == 4)
			CHECK(sector_is_initial(in, 4 + s));
		else
			CHECK(memcmp(in, out[s - 1], SECTOR) == 0);
	}
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	rig_stop(&r);
}

/* A sparse image larger than LBA28 can address: the LBA48 path must use
 * the high-order bytes, and IDENTIFY caps words 60-61. */
static void test_lba48_round_trip(void)
{
	const uint64_t sectors = (UINT64_C(1) << 28) + 4096;
	const uint64_t lba = (UINT64_C(1) << 28) + 0x123;       /* needs bits above 27 */
	struct rig r;
	uint8_t id[SECTOR], out[2][SECTOR], in[SECTOR], file[SECTOR];

	CHECK(rig_start(&r, 1, sectors));
	CHECK(identify(&r, id));
	CHECK_UINT(word(id, 60) | (uint32_t)word(id, 61) << 16, 0x0fffffff);
	CHECK_UINT(word(id, 100) | (uint64_t)word(id, 101) << 16 |
		   (uint64_t)word(id, 102) << 32, sectors);
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);
	issue48(&r, ATA_CMD_WRITE_SECTORS_EXT, lba, 2);
	for (unsigned int s = 0; s < 2; s++) {
		CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_DRQ);
		fill_pattern(out[s], lba + s, 0x99);
		write_words(&r, out[s], SECTOR);
	}
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	for (unsigned int s = 0; s < 2; s++) {
		CHECK(file_sector(r.path[0], lba + s, file));
		CHECK(memcmp(file, out[s], SECTOR) == 0);
	}
	/* The same low 28 bits without the high bytes: untouched (a hole). */
	CHECK(file_sector(r.path[0], lba & 0x0fffffff, file));
	CHECK(file[0] == 0 && file[SECTOR - 1] == 0);

	issue48(&r, ATA_CMD_READ_SECTORS_EXT, lba + 1, 1);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_DRQ);
	read_words(&r, in, SECTOR);
	CHECK(memcmp(in, out[1], SECTOR) == 0);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	rig_stop(&r);
}

static void test_count_zero(void)
{
	struct rig r;
	uint8_t in[SECTOR];

	/* LBA28: 0 means 256. 300 sectors: 256 from LBA 0 fit, from 100 not. */
	CHECK(rig_start(&r, 1, 300));
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_READ_SECTORS, 0, 0);
	for (unsigned int s = 0; s < 256; s++) {
		CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_DRQ);
		read_words(&r, in, SECTOR);
		CHECK(sector_is_initial(in, s));
	}
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_READ_SECTORS, 100, 0);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_ERROR), ATA_ERROR_IDNF);
	rig_stop(&r);

	/* LBA48: 0 means 65536. */
	CHECK(rig_start(&r, 1, 65536 + 10));
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);
	issue48(&r, ATA_CMD_READ_SECTORS_EXT, 11, 0);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_ERROR), ATA_ERROR_IDNF);
	issue48(&r, ATA_CMD_READ_SECTORS_EXT, 10, 0);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_DRQ);
	rig_stop(&r);
}

static bool image_is_initial(const char *path, uint64_t sectors)
{
	uint8_t buf[SECTOR];

	for (uint64_t lba = 0; lba < sectors; lba++)
		if (!file_sector(path, lba, buf) || !sector_is_initial(buf, lba))
			return false;
	return true;
}

static void test_out_of_range(void)
{
	struct rig r;
	uint8_t junk[SECTOR];
	struct stat st;

	memset(junk, 0xee, sizeof(junk));
	CHECK(rig_start(&r, 1, 64));
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);

	issue28(&r, DEV_MASTER_LBA, ATA_CMD_WRITE_SECTORS, 63, 2);  /* last sector + one past */
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_ERROR), ATA_ERROR_IDNF);
	write_words(&r, junk, SECTOR);                  /* no DRQ: ignored */

	issue28(&r, DEV_MASTER_LBA, ATA_CMD_WRITE_SECTORS, 64, 1);  /* one past the end */
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_WRITE_SECTORS, 0x0fffffff, 1);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	issue48(&r, ATA_CMD_WRITE_SECTORS_EXT, UINT64_C(0xffffffffffff), 0xffff);   /* wraps past 2^48 */
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_ERROR), ATA_ERROR_IDNF);
	write_words(&r, junk, SECTOR);
	issue48(&r, ATA_CMD_READ_SECTORS_EXT, 64, 1);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);

	CHECK(image_is_initial(r.path[0], 64));
	CHECK(stat(r.path[0], &st) == 0 && st.st_size == 64 * SECTOR);
	rig_stop(&r);
}

static void check_aborted(struct rig *r, uint8_t command, uint8_t device)
{
	out8(r, PRI_BASE + ATA_REG_DEVICE, device);
	out8(r, PRI_BASE + ATA_REG_COMMAND, command);
	CHECK_UINT(status(r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	CHECK_UINT(in8(r, PRI_BASE + ATA_REG_ERROR), ATA_ERROR_ABRT);
}

static void test_unknown_command(void)
{
	struct rig r;

	CHECK(rig_start(&r, 1, 64));
	check_aborted(&r, CMD_READ_DMA, DEV_MASTER_LBA);
	check_aborted(&r, 0x00, DEV_MASTER_LBA);        /* NOP: always aborts */
	check_aborted(&r, 0xa1, DEV_MASTER_LBA);        /* IDENTIFY PACKET DEVICE */
	check_aborted(&r, 0x91, DEV_MASTER_LBA);        /* INITIALIZE DEVICE PARAMETERS */
	check_aborted(&r, 0xff, DEV_MASTER_LBA);
	/* CHS addressing is rejected. */
	out8(&r, PRI_BASE + ATA_REG_COUNT, 1);
	check_aborted(&r, ATA_CMD_READ_SECTORS, DEV_MASTER_CHS);
	/* An unknown SET FEATURES subcommand, and a DMA transfer mode. */
	out8(&r, PRI_BASE + ATA_REG_FEATURES, 0x10);
	check_aborted(&r, ATA_CMD_SET_FEATURES, DEV_MASTER_LBA);
	out8(&r, PRI_BASE + ATA_REG_FEATURES, 0x03);
	out8(&r, PRI_BASE + ATA_REG_COUNT, 0x42);           /* UDMA mode 2 */
	check_aborted(&r, ATA_CMD_SET_FEATURES, DEV_MASTER_LBA);
	/* The error is cleared by the next good command. */
	out8(&r, PRI_BASE + ATA_REG_COUNT, 0x0c);           /* PIO flow control mode 4 */
	out8(&r, PRI_BASE + ATA_REG_COMMAND, ATA_CMD_SET_FEATURES);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_ERROR), 0);
	rig_stop(&r);
}

static void test_data_port_without_drq(void)
{
	struct rig r;
	uint8_t junk[SECTOR];

	memset(junk, 0x5a, sizeof(junk));
	CHECK(rig_start(&r, 1, 16));
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK_UINT(port_in(&r, PRI_BASE + ATA_REG_DATA, 2), 0xffff);
	CHECK_UINT(port_in(&r, PRI_BASE + ATA_REG_DATA, 4), 0xffffffffu);
	CHECK_UINT(port_in(&r, PRI_BASE + ATA_REG_DATA, 1), 0xff);
	write_words(&r, junk, SECTOR);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK(image_is_initial(r.path[0], 16));
	/* After a completed read, extra data reads are all-ones too. */
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_READ_SECTORS, 3, 1);
	read_words(&r, junk, SECTOR);
	CHECK(sector_is_initial(junk, 3));
	CHECK_UINT(port_in(&r, PRI_BASE + ATA_REG_DATA, 2), 0xffff);
	rig_stop(&r);
}

/* 8-, 16- and 32-bit data accesses see the same byte stream. */
static void test_access_sizes(void)
{
	struct rig r;
	uint8_t by16[SECTOR], other[SECTOR];

	CHECK(rig_start(&r, 1, 16));
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_READ_SECTORS, 2, 3);
	read_words(&r, by16, SECTOR);
	CHECK(sector_is_initial(by16, 2));
	for (unsigned int i = 0; i < SECTOR; i += 4) {
		uint32_t v = (uint32_t)port_in(&r, PRI_BASE + ATA_REG_DATA, 4);

		memcpy(other + i, &v, 4);
	}
	CHECK(sector_is_initial(other, 3));
	for (unsigned int i = 0; i < SECTOR; i++)
		other[i] = (uint8_t)port_in(&r, PRI_BASE + ATA_REG_DATA, 1);
	CHECK(sector_is_initial(other, 4));
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	/* A 16-bit access to the 8-bit registers covers two of them. */
	out8(&r, PRI_BASE + ATA_REG_LBA_LOW, 0x12);
	out8(&r, PRI_BASE + ATA_REG_LBA_MID, 0x34);
	CHECK_UINT(port_in(&r, PRI_BASE + ATA_REG_LBA_LOW, 2), 0x3412);
	rig_stop(&r);
}

static void test_irq_and_nien(void)
{
	struct rig r;
	uint8_t buf[SECTOR];

	CHECK(rig_start(&r, 1, 16));
	/* IDENTIFY with interrupts enabled: INTRQ when the data is ready. */
	out8(&r, PRI_BASE + ATA_REG_DEVICE, DEV_MASTER_LBA);
	out8(&r, PRI_BASE + ATA_REG_COMMAND, ATA_CMD_IDENTIFY_DEVICE);
	CHECK_INT(r.irq_level[PRI_IRQ], 1);
	CHECK_UINT(in8(&r, PRI_CONTROL), ATA_STATUS_IDLE | ATA_STATUS_DRQ);     /* alternate status */
	CHECK_INT(r.irq_level[PRI_IRQ], 1);                     /* ... keeps it */
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_DRQ);
	CHECK_INT(r.irq_level[PRI_IRQ], 0);                     /* Status acks it */
	read_words(&r, buf, SECTOR);
	CHECK_INT(r.irq_level[PRI_IRQ], 0);                     /* none at the end */

	/* A 2-sector read: one interrupt per sector. */
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_READ_SECTORS, 0, 2);
	CHECK_INT(r.irq_level[PRI_IRQ], 1);
	status(&r);
	read_words(&r, buf, SECTOR);
	CHECK_INT(r.irq_level[PRI_IRQ], 1);
	status(&r);
	read_words(&r, buf, SECTOR);
	CHECK_INT(r.irq_level[PRI_IRQ], 0);

	/* A 2-sector write: none before the first sector, one after each. */
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_WRITE_SECTORS, 0, 2);
	CHECK_INT(r.irq_level[PRI_IRQ], 0);
	write_words(&r, buf, SECTOR);
	CHECK_INT(r.irq_level[PRI_IRQ], 1);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_DRQ);
	write_words(&r, buf, SECTOR);
	CHECK_INT(r.irq_level[PRI_IRQ], 1);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK_INT(r.irq_level[PRI_IRQ], 0);

	/* nIEN set: the line stays low, however the command ends. */
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);
	unsigned int changes = r.irq_changes;

	issue28(&r, DEV_MASTER_LBA, ATA_CMD_READ_SECTORS, 0, 1);
	read_words(&r, buf, SECTOR);
	out8(&r, PRI_BASE + ATA_REG_COMMAND, CMD_READ_DMA);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	CHECK_UINT(r.irq_changes, changes);
	CHECK_INT(r.irq_level[PRI_IRQ], 0);

	/* A pending interrupt shows as soon as nIEN is cleared again. */
	out8(&r, PRI_BASE + ATA_REG_COMMAND, ATA_CMD_FLUSH_CACHE);
	CHECK_INT(r.irq_level[PRI_IRQ], 0);
	out8(&r, PRI_CONTROL, 0);
	CHECK_INT(r.irq_level[PRI_IRQ], 1);
	status(&r);
	CHECK_INT(r.irq_level[PRI_IRQ], 0);
	rig_stop(&r);
}

static void test_flush(void)
{
	struct rig r;
	uint8_t id[SECTOR], buf[SECTOR], file[SECTOR];

	CHECK(rig_start(&r, 1, 16));
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);
	fill_pattern(buf, 1, 7);
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_WRITE_SECTORS, 1, 1);
	write_words(&r, buf, SECTOR);
	out8(&r, PRI_BASE + ATA_REG_COMMAND, ATA_CMD_FLUSH_CACHE);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	out8(&r, PRI_BASE + ATA_REG_COMMAND, ATA_CMD_FLUSH_CACHE_EXT);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK(file_sector(r.path[0], 1, file));
	CHECK(memcmp(file, buf, SECTOR) == 0);
	CHECK_INT(ata_controller_sync(r.ctl), 0);

	/* Write cache off: IDENTIFY says so, and writes still work. */
	out8(&r, PRI_BASE + ATA_REG_FEATURES, 0x82);
	out8(&r, PRI_BASE + ATA_REG_COMMAND, ATA_CMD_SET_FEATURES);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK(identify(&r, id));
	CHECK_UINT(word(id, 85) & 0x0020, 0);
	fill_pattern(buf, 2, 9);
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_WRITE_SECTORS, 2, 1);
	write_words(&r, buf, SECTOR);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK(file_sector(r.path[0], 2, file));
	CHECK(memcmp(file, buf, SECTOR) == 0);
	rig_stop(&r);
}

static void test_absent_slave(void)
{
	struct rig r;
	unsigned int changes;

	CHECK(rig_start(&r, 1, 16));
	/* The empty secondary channel is there, floating at FFh. */
	CHECK(io_bus_find(&r.bus, SEC_BASE) != NULL);
	CHECK(io_bus_find(&r.bus, SEC_CONTROL) != NULL);
	CHECK_UINT(in8(&r, SEC_BASE + ATA_REG_STATUS), 0xff);
	out8(&r, PRI_BASE + ATA_REG_DEVICE, DEV_SLAVE_LBA);
	CHECK_UINT(status(&r), 0);
	CHECK_UINT(in8(&r, PRI_CONTROL), 0);
	changes = r.irq_changes;
	out8(&r, PRI_BASE + ATA_REG_COMMAND, ATA_CMD_IDENTIFY_DEVICE);         /* nobody answers */
	CHECK_UINT(status(&r), 0);
	CHECK_UINT(port_in(&r, PRI_BASE + ATA_REG_DATA, 2), 0xffff);
	CHECK_UINT(r.irq_changes, changes);
	out8(&r, PRI_BASE + ATA_REG_DEVICE, DEV_MASTER_LBA);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	rig_stop(&r);

	/* A third disk brings the secondary channel. */
	CHECK(rig_start(&r, 3, 16));
	CHECK(io_bus_find(&r.bus, SEC_BASE) != NULL);
	CHECK(io_bus_find(&r.bus, SEC_CONTROL) != NULL);
	out8(&r, PRI_BASE + ATA_REG_DEVICE, DEV_SLAVE_LBA);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK_UINT(in8(&r, SEC_BASE + ATA_REG_STATUS), ATA_STATUS_IDLE);
	out8(&r, SEC_BASE + ATA_REG_DEVICE, DEV_SLAVE_LBA);
	CHECK_UINT(in8(&r, SEC_BASE + ATA_REG_STATUS), 0);
	rig_stop(&r);

	/* No disk at all: the primary channel floats. */
	CHECK(rig_start(&r, 0, 0));
	CHECK_UINT(status(&r), 0xff);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_LBA_MID), 0xff);
	rig_stop(&r);
}

static void test_software_reset(void)
{
	struct rig r;

	CHECK(rig_start(&r, 2, 16));
	out8(&r, PRI_BASE + ATA_REG_DEVICE, DEV_SLAVE_LBA);
	out8(&r, PRI_BASE + ATA_REG_COMMAND, CMD_READ_DMA);         /* leave an error */
	out8(&r, PRI_CONTROL, ATA_CONTROL_SRST | ATA_CONTROL_NIEN);
	CHECK_UINT(in8(&r, PRI_CONTROL), ATA_STATUS_BSY);
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_DEVICE) & 0x10, 0);   /* master again */
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_COUNT), 1);           /* ATA signature */
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_LBA_LOW), 1);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_LBA_MID), 0);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_LBA_HIGH), 0);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_ERROR), 1);           /* diagnostics passed */
	out8(&r, PRI_BASE + ATA_REG_DEVICE, DEV_SLAVE_LBA);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_ERROR), 1);
	rig_stop(&r);
}

static void test_hob(void)
{
	struct rig r;

	CHECK(rig_start(&r, 1, 16));
	out8(&r, PRI_BASE + ATA_REG_COUNT, 0x12);
	out8(&r, PRI_BASE + ATA_REG_COUNT, 0x34);
	out8(&r, PRI_BASE + ATA_REG_LBA_HIGH, 0x56);
	out8(&r, PRI_BASE + ATA_REG_LBA_HIGH, 0x78);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_COUNT), 0x34);
	out8(&r, PRI_CONTROL, ATA_CONTROL_HOB | ATA_CONTROL_NIEN);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_COUNT), 0x12);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_LBA_HIGH), 0x56);
	out8(&r, PRI_BASE + ATA_REG_LBA_LOW, 0);                    /* clears HOB */
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_COUNT), 0x34);
	rig_stop(&r);
}

/* The image shrinks behind our back: the read fails with UNC, no crash. */
static void test_host_read_error(void)
{
	struct rig r;

	CHECK(rig_start(&r, 1, 16));
	CHECK(truncate(r.path[0], 4 * SECTOR) == 0);
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);
	fprintf(stderr, "# the next message about ata0 is expected:\n");
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_READ_SECTORS, 8, 1);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	CHECK_UINT(in8(&r, PRI_BASE + ATA_REG_ERROR), ATA_ERROR_UNC);
	CHECK_UINT(port_in(&r, PRI_BASE + ATA_REG_DATA, 2), 0xffff);
	rig_stop(&r);
}

static void test_add_disk(void)
{
	struct rig r;
	char err[256];
	uint8_t id[SECTOR];
	const char *tiny, *odd;

	rig_init(&r);
	CHECK(r.ctl != NULL);
	err[0] = '\0';
	CHECK(!ata_controller_add_disk(r.ctl, "/nonexistent/disk.img", err, sizeof(err)));
	CHECK(strstr(err, "/nonexistent/disk.img") != NULL);
	tiny = make_image(&r, 100, 0);
	CHECK(tiny && !ata_controller_add_disk(r.ctl, tiny, err, sizeof(err)));
	CHECK(strstr(err, "sector") != NULL);
	CHECK_UINT(ata_controller_disk_count(r.ctl), 0);

	fprintf(stderr, "# the next 4 messages about a 100-byte tail are expected:\n");
	odd = make_image(&r, 3 * SECTOR + 100, 3);      /* tail of 100 bytes */
	CHECK(odd && ata_controller_add_disk(r.ctl, odd, err, sizeof(err)));
	for (unsigned int i = 1; i < ATA_MAX_DRIVES; i++)
		CHECK(ata_controller_add_disk(r.ctl, odd, err, sizeof(err)));
	CHECK_UINT(ata_controller_disk_count(r.ctl), ATA_MAX_DRIVES);
	CHECK(!ata_controller_add_disk(r.ctl, odd, err, sizeof(err)));
	CHECK(strstr(err, "at most 4") != NULL);
	CHECK(ata_controller_register(r.ctl, &r.bus));
	CHECK(identify(&r, id));
	CHECK_UINT(word(id, 60), 3);                    /* the tail is not exposed */
	out8(&r, PRI_CONTROL, ATA_CONTROL_NIEN);
	issue28(&r, DEV_MASTER_LBA, ATA_CMD_READ_SECTORS, 3, 1);
	CHECK_UINT(status(&r), ATA_STATUS_IDLE | ATA_STATUS_ERR);
	rig_stop(&r);
}

void ata_tests(void)
{
	check_run("ata.identify", test_identify);
	check_run("ata.lba28_round_trip", test_lba28_round_trip);
	check_run("ata.lba48_round_trip", test_lba48_round_trip);
	check_run("ata.count_zero_means_256_or_65536", test_count_zero);
	check_run("ata.out_of_range_is_refused", test_out_of_range);
	check_run("ata.unknown_command_aborts", test_unknown_command);
	check_run("ata.data_port_without_drq", test_data_port_without_drq);
	check_run("ata.access_sizes", test_access_sizes);
	check_run("ata.irq_and_nien", test_irq_and_nien);
	check_run("ata.flush", test_flush);
	check_run("ata.absent_slave", test_absent_slave);
	check_run("ata.software_reset", test_software_reset);
	check_run("ata.hob_reads_previous", test_hob);
	check_run("ata.host_read_error", test_host_read_error);
	check_run("ata.add_disk", test_add_disk);
}
