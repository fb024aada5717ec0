/*
 * ata.c — the emulated ATA disk of pvkit-hv: the legacy IDE register
 * interface of a PC (two channels, master and slave on each), PIO data
 * transfers, and the ATA commands a simple driver needs, backed by raw
 * disk-image files.
 *
 * Reference: ATA/ATAPI-6 (T13/1410D): section 7 for the registers, 8 for
 * the commands, 9 for the PIO data-in / data-out protocols, 8.16 for the
 * IDENTIFY DEVICE words.  The register and bit names below follow it.
 *
 * How it works.  Every guest access to one of our ports is a VM exit that
 * pvkit-hv hands to command_block_read/write or control_block_read/write.
 * A command runs to completion inside the exit that writes the Command
 * register: a READ reads its first sector from the file into the sector
 * buffer at once, so the guest never sees BSY (a real disk, or QEMU with
 * asynchronous I/O, would show BSY while it works).  The guest then moves
 * the 512 bytes through the Data register while DRQ is set; when the
 * buffer is empty (reads) or full (writes) the next sector is loaded or
 * the received one is written with pwrite.  Nothing is cached here: the
 * data is in the host's page cache the moment pwrite returns, and FLUSH
 * CACHE makes it durable with fsync, which is why IDENTIFY says the drive
 * has a volatile write cache.
 *
 * The guest is untrusted: every address and count it programs is checked
 * against the disk's size before any file offset is computed, and no
 * sequence of register accesses can make us read or write outside the
 * file or outside the sector buffer.
 *
 * Choices the specification leaves to us (docs/ata.md lists them too):
 *   - CHS addressing (LBA bit clear in the Device register) is rejected
 *     with ABRT; only LBA28 and LBA48 are supported.
 *   - Data-register accesses when DRQ is clear are ignored: reads return
 *     all-ones (what a floating bus returns), writes are dropped.
 *   - Each byte of a Data-register access moves one byte of the sector
 *     buffer, so 8-, 16- and 32-bit accesses all work.  A wider access to
 *     the 8-bit registers is split into single-byte accesses at
 *     consecutive ports.
 *   - A read-only image is exposed; writes to it fail with ABRT.
 *   - An image's tail shorter than one sector is not exposed.
 *   - An absent drive on a channel with a drive reads Status 00h (ATA-6
 *     7.1.2: device 0 answers for an absent device 1); a channel with no
 *     drive at all reads FFh everywhere, like a floating bus.
 *
 * The register interface itself (ports, registers, bits, commands,
 * IDENTIFY words) is arch/x86/ata_regs.h, shared with the guest driver
 * (arch/x86/ata.c): both sides of one hardware interface.  QEMU's IDE
 * disk, which the guest's tests also run against, remains an independent
 * reading of the specification.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86/ata_regs.h"
#include "host/ata.h"
#include "host/io.h"
#include "host/trace.h"

/* SET FEATURES subcommands (Features register). */
#define ATA_FEATURE_ENABLE_WRITE_CACHE  0x02
#define ATA_FEATURE_SET_TRANSFER_MODE   0x03
#define ATA_FEATURE_DISABLE_LOOK_AHEAD  0x55
#define ATA_FEATURE_DISABLE_REVERTING   0x66
#define ATA_FEATURE_DISABLE_WRITE_CACHE 0x82
#define ATA_FEATURE_ENABLE_LOOK_AHEAD   0xaa
#define ATA_FEATURE_ENABLE_REVERTING    0xcc
/* Transfer mode values (Sector Count of SET TRANSFER MODE): mode type in
 * bits 7:3; we have PIO only. */
#define ATA_XFER_TYPE_SHIFT             3
#define ATA_XFER_PIO_DEFAULT            0x00
#define ATA_XFER_PIO_FLOW_CONTROL       0x01
#define ATA_XFER_PIO_MAX_MODE           4

/* What our drive reports in IDENTIFY DEVICE, beyond its size and the
 * feature bits of arch/x86/ata_regs.h. */
#define ID_MULTIPLE_NONE        0x8000  /* bits 15:8 = 80h, no READ MULTIPLE */
#define ID_PIO_TIMING_MODE2     0x0200  /* obsolete word 51: mode 2 in 15:8 */
#define ID_PIO_MODES_3_4        0x0003
#define ID_PIO_CYCLE_NS         120     /* PIO mode 4 */
#define ID_MAJOR_ATA_4_TO_6     0x0070  /* bits 4, 5, 6: ATA/ATAPI-4, -5, -6 */
#define ID_MINOR_NOT_REPORTED   0x0000

/* CHS geometry reported in words 1, 3, 6 (ATA-6 annex: 16 heads, 63
 * sectors per track, at most 16383 cylinders).  Informational only: CHS
 * commands are rejected. */
#define CHS_HEADS               16
#define CHS_SECTORS_PER_TRACK   63
#define CHS_MAX_CYLINDERS       16383

#define ATA_MODEL               "pvkit-hv ATA disk"
#define ATA_FIRMWARE            "0.1"

/* Which way the Data register is moving a sector, if at all. */
enum ata_transfer {
	TRANSFER_NONE,
	TRANSFER_TO_GUEST,      /* PIO data-in: READ, IDENTIFY */
	TRANSFER_FROM_GUEST,    /* PIO data-out: WRITE */
};

/* The shadow task file.  Both drives of a channel latch every write to
 * the command block, so it belongs to the channel.  Each write to an
 * LBA48-capable register first pushes the old value into its "previous"
 * byte: writing the high-order byte then the low-order byte of a 16-bit
 * count or a 48-bit LBA leaves both in place. */
struct ata_taskfile {
	uint8_t features, count, lba_low, lba_mid, lba_high;
	uint8_t prev_features, prev_count, prev_lba_low, prev_lba_mid, prev_lba_high;
	uint8_t device;
};

struct ata_channel;

struct ata_drive {
	struct ata_channel *channel;
	unsigned int number;            /* 0-3: the N in "ataN" */
	char *path;
	int fd;
	bool read_only;
	uint64_t sectors;

	bool write_cache;               /* SET FEATURES 02h/82h */
	bool look_ahead;                /* SET FEATURES AAh/55h */

	uint8_t status;
	uint8_t error;
	bool irq_pending;               /* cleared by reading Status */

	/* The PIO data phase of the command in progress. */
	enum ata_transfer transfer;
	uint8_t buffer[ATA_SECTOR_SIZE];
	unsigned int buffer_pos;
	uint64_t next_lba;              /* sector after the one in the buffer */
	uint32_t sectors_left;          /* including the one in the buffer */
};

struct ata_channel {
	struct ata_controller *ctl;
	const char *name;               /* "ata-primary", shown by --trace */
	const char *control_name;
	uint16_t command_base;
	uint16_t control_port;
	unsigned int irq_line;
	struct ata_drive *drive[ATA_DRIVES_PER_CHANNEL];  /* NULL: absent */
	struct ata_taskfile tf;
	uint8_t control;                /* last Device Control value */
	int irq_level;                  /* what we last told set_irq */
};

struct ata_controller {
	ata_irq_fn *set_irq;
	void *irq_opaque;
	struct ata_channel channel[ATA_CHANNELS];
	struct ata_drive drives[ATA_MAX_DRIVES];
	unsigned int disk_count;
};

/* One transfer request decoded from the task file. */
struct ata_request {
	uint64_t lba;
	uint32_t count;
};

/* ---- interrupts and status ---------------------------------------------- */

static struct ata_drive *selected_drive(const struct ata_channel *ch)
{
	return ch->drive[(ch->tf.device & ATA_DEVICE_DEV) ? 1 : 0];
}

static bool channel_is_empty(const struct ata_channel *ch)
{
	return !ch->drive[0] && !ch->drive[1];
}

/* INTRQ is driven by the selected drive only, and only while nIEN is 0. */
static void update_irq(struct ata_channel *ch)
{
	const struct ata_drive *d = selected_drive(ch);
	int level = d && d->irq_pending && !(ch->control & ATA_CONTROL_NIEN);

	if (level == ch->irq_level)
		return;
	ch->irq_level = level;
	if (ch->ctl->set_irq)
		ch->ctl->set_irq(ch->ctl->irq_opaque, ch->irq_line, level);
}

static void raise_irq(struct ata_drive *d)
{
	d->irq_pending = true;
	update_irq(d->channel);
}

static void complete_ok(struct ata_drive *d)
{
	d->transfer = TRANSFER_NONE;
	d->status = ATA_STATUS_IDLE;
	raise_irq(d);
}

static const char *error_name(uint8_t error)
{
	switch (error) {
	case ATA_ERROR_ABRT: return "ABRT";
	case ATA_ERROR_IDNF: return "IDNF";
	case ATA_ERROR_UNC: return "UNC";
	default: return "?";
	}
}

/* End the command with ERR set and `error` in the Error register. */
static void complete_error(struct ata_drive *d, uint8_t error, const char *why)
{
	TRACE("ata%u: error %s: %s", d->number, error_name(error), why);
	d->transfer = TRANSFER_NONE;
	d->sectors_left = 0;
	d->error = error;
	d->status = ATA_STATUS_IDLE | ATA_STATUS_ERR;
	raise_irq(d);
}

/* ---- the backing file ------------------------------------------------------ */

static int read_sector(struct ata_drive *d, uint64_t lba, uint8_t *buf)
{
	size_t done = 0;

	while (done < ATA_SECTOR_SIZE) {
		ssize_t n = pread(d->fd, buf + done, ATA_SECTOR_SIZE - done,
				  (off_t)(lba * ATA_SECTOR_SIZE + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "pvkit-hv: ata%u: reading sector %" PRIu64 " of %s: %s\n",
				d->number, lba, d->path,
				n < 0 ? strerror(errno) : "unexpected end of file");
			return -EIO;
		}
		done += (size_t)n;
	}
	return 0;
}

static int write_sector(struct ata_drive *d, uint64_t lba, const uint8_t *buf)
{
	size_t done = 0;

	while (done < ATA_SECTOR_SIZE) {
		ssize_t n = pwrite(d->fd, buf + done, ATA_SECTOR_SIZE - done,
				   (off_t)(lba * ATA_SECTOR_SIZE + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "pvkit-hv: ata%u: writing sector %" PRIu64 " of %s: %s\n",
				d->number, lba, d->path, n < 0 ? strerror(errno) : "no progress");
			return -EIO;
		}
		done += (size_t)n;
	}
	/* With the write cache disabled, a completed write must be durable. */
	if (!d->write_cache && fdatasync(d->fd) != 0) {
		fprintf(stderr, "pvkit-hv: ata%u: fdatasync %s: %s\n", d->number, d->path,
			strerror(errno));
		return -EIO;
	}
	return 0;
}

static int sync_drive(struct ata_drive *d)
{
	if (fsync(d->fd) == 0)
		return 0;
	int error = errno;

	fprintf(stderr, "pvkit-hv: ata%u: fsync %s: %s\n", d->number, d->path, strerror(error));
	return -error;
}

/* ---- IDENTIFY DEVICE ------------------------------------------------------- */

/* ATA strings hold two characters per word, the first in the high byte,
 * padded with spaces. */
static void put_string(uint16_t *id, unsigned int word, unsigned int chars, const char *s)
{
	size_t len = strlen(s);

	for (unsigned int i = 0; i < chars; i += 2) {
		uint8_t first = i < len ? (uint8_t)s[i] : ' ';
		uint8_t second = i + 1 < len ? (uint8_t)s[i + 1] : ' ';

		id[word + i / 2] = (uint16_t)(first << 8 | second);
	}
}

static void put_capacity(uint16_t *id, unsigned int word, unsigned int words, uint64_t value)
{
	for (unsigned int i = 0; i < words; i++)
		id[word + i] = (uint16_t)(value >> (16 * i));
}

static void put_geometry(uint16_t *id, uint64_t sectors)
{
	uint64_t cylinders = sectors / (CHS_HEADS * CHS_SECTORS_PER_TRACK);

	id[ID_CYLINDERS] = cylinders > CHS_MAX_CYLINDERS ? CHS_MAX_CYLINDERS
							 : (uint16_t)cylinders;
	id[ID_HEADS] = CHS_HEADS;
	id[ID_SECTORS_PER_TRACK] = CHS_SECTORS_PER_TRACK;
}

/* Word 255: signature A5h in the low byte, and a high byte that makes the
 * sum of all 512 bytes zero (mod 256). */
static void put_integrity_word(uint16_t *id)
{
	uint8_t sum = ID_INTEGRITY_SIGNATURE;

	for (unsigned int i = 0; i < ID_INTEGRITY; i++)
		sum += (uint8_t)(id[i] & 0xff) + (uint8_t)(id[i] >> 8);
	id[ID_INTEGRITY] = (uint16_t)((uint8_t)-sum << 8 | ID_INTEGRITY_SIGNATURE);
}

static void build_identify(const struct ata_drive *d, uint16_t *id)
{
	char serial[ID_SERIAL_CHARS + 1];
	uint64_t lba28 = d->sectors < ATA_LBA28_SECTORS ? d->sectors : ATA_LBA28_SECTORS - 1;

	memset(id, 0, ATA_IDENTIFY_WORDS * sizeof(*id));
	snprintf(serial, sizeof(serial), "PVKITHV-ATA%u", d->number);

	id[ID_CONFIG] = ID_CONFIG_FIXED_ATA;
	put_geometry(id, d->sectors);
	put_string(id, ID_SERIAL, ID_SERIAL_CHARS, serial);
	put_string(id, ID_FIRMWARE, ID_FIRMWARE_CHARS, ATA_FIRMWARE);
	put_string(id, ID_MODEL, ID_MODEL_CHARS, ATA_MODEL);
	id[ID_MULTIPLE_MAX] = ID_MULTIPLE_NONE;
	id[ID_CAPABILITIES] = ID_CAP_LBA | ID_CAP_IORDY;
	id[ID_CAPABILITIES_2] = ID_CAP2_VALID;
	id[ID_PIO_TIMING] = ID_PIO_TIMING_MODE2;
	id[ID_FIELD_VALID] = ID_VALID_64_70 | ID_VALID_88;
	put_capacity(id, ID_LBA28_CAPACITY, 2, lba28);
	id[ID_PIO_MODES] = ID_PIO_MODES_3_4;
	for (unsigned int w = ID_MIN_MWDMA_CYCLE; w < ID_MIN_MWDMA_CYCLE + 4; w++)
		id[w] = ID_PIO_CYCLE_NS;
	id[ID_MAJOR_VERSION] = ID_MAJOR_ATA_4_TO_6;
	id[ID_MINOR_VERSION] = ID_MINOR_NOT_REPORTED;
	id[ID_COMMAND_SET_1] = ID_SET1_WRITE_CACHE | ID_SET1_LOOK_AHEAD;
	id[ID_COMMAND_SET_2] = ID_WORD_VALID | ID_SET2_LBA48 | ID_SET2_FLUSH_CACHE |
			       ID_SET2_FLUSH_CACHE_EXT;
	id[ID_COMMAND_SET_EXT] = ID_WORD_VALID;
	id[ID_COMMAND_ENABLED_1] = (d->write_cache ? ID_SET1_WRITE_CACHE : 0) |
				   (d->look_ahead ? ID_SET1_LOOK_AHEAD : 0);
	id[ID_COMMAND_ENABLED_2] = ID_SET2_LBA48 | ID_SET2_FLUSH_CACHE |
				   ID_SET2_FLUSH_CACHE_EXT;
	id[ID_COMMAND_DEFAULT] = ID_WORD_VALID;
	id[ID_UDMA_MODES] = 0;          /* no Ultra DMA: we do PIO only */
	put_capacity(id, ID_LBA48_CAPACITY, 4, d->sectors);
	put_integrity_word(id);
}

/* ---- the PIO data phase ------------------------------------------------------- */

/* Offer the sector in the buffer to the guest: DRQ, and an interrupt
 * (PIO data-in raises one per sector, when its data is ready). */
static void offer_buffer(struct ata_drive *d)
{
	d->transfer = TRANSFER_TO_GUEST;
	d->buffer_pos = 0;
	d->status = ATA_STATUS_IDLE | ATA_STATUS_DRQ;
	raise_irq(d);
}

static void offer_next_sector(struct ata_drive *d)
{
	if (read_sector(d, d->next_lba, d->buffer) != 0) {
		complete_error(d, ATA_ERROR_UNC, "host read failed");
		return;
	}
	d->next_lba++;
	offer_buffer(d);
}

/* Wait for the guest to fill the buffer.  No interrupt here: PIO data-out
 * interrupts after each sector is written, not before. */
static void expect_sector(struct ata_drive *d)
{
	d->transfer = TRANSFER_FROM_GUEST;
	d->buffer_pos = 0;
	d->status = ATA_STATUS_IDLE | ATA_STATUS_DRQ;
}

/* The guest has read the whole buffer. */
static void buffer_consumed(struct ata_drive *d)
{
	d->transfer = TRANSFER_NONE;
	if (--d->sectors_left > 0) {
		offer_next_sector(d);
		return;
	}
	/* Done; no interrupt: the last one came with the last sector's data. */
	d->status = ATA_STATUS_IDLE;
}

/* The guest has filled the buffer: write it, then ask for the next. */
static void buffer_filled(struct ata_drive *d)
{
	d->transfer = TRANSFER_NONE;
	if (write_sector(d, d->next_lba, d->buffer) != 0) {
		complete_error(d, ATA_ERROR_ABRT, "host write failed");
		return;
	}
	d->next_lba++;
	if (--d->sectors_left > 0) {
		expect_sector(d);
		raise_irq(d);
		return;
	}
	complete_ok(d);
}

static uint8_t data_read_byte(struct ata_drive *d)
{
	if (!d || d->transfer != TRANSFER_TO_GUEST)
		return 0xff;
	uint8_t byte = d->buffer[d->buffer_pos++];

	if (d->buffer_pos == ATA_SECTOR_SIZE)
		buffer_consumed(d);
	return byte;
}

static void data_write_byte(struct ata_drive *d, uint8_t byte)
{
	if (!d || d->transfer != TRANSFER_FROM_GUEST)
		return;
	d->buffer[d->buffer_pos++] = byte;
	if (d->buffer_pos == ATA_SECTOR_SIZE)
		buffer_filled(d);
}

/* ---- commands ------------------------------------------------------------------- */

static bool decode_lba28(const struct ata_taskfile *tf, struct ata_request *req)
{
	if (!(tf->device & ATA_DEVICE_LBA))
		return false;
	req->lba = (uint64_t)(tf->device & ATA_DEVICE_LBA28_HIGH) << 24 |
		   (uint64_t)tf->lba_high << 16 | (uint64_t)tf->lba_mid << 8 | tf->lba_low;
	req->count = tf->count ? tf->count : ATA_LBA28_MAX_COUNT;
	return true;
}

static bool decode_lba48(const struct ata_taskfile *tf, struct ata_request *req)
{
	if (!(tf->device & ATA_DEVICE_LBA))
		return false;
	req->lba = (uint64_t)tf->prev_lba_high << 40 | (uint64_t)tf->prev_lba_mid << 32 |
		   (uint64_t)tf->prev_lba_low << 24 | (uint64_t)tf->lba_high << 16 |
		   (uint64_t)tf->lba_mid << 8 | tf->lba_low;
	req->count = (uint32_t)tf->prev_count << 8 | tf->count;
	if (req->count == 0)
		req->count = ATA_LBA48_MAX_COUNT;
	return true;
}

/* Decode, trace and check a READ/WRITE request; on failure the command
 * is already completed with an error. */
static bool decode_request(struct ata_drive *d, const char *command, bool lba48,
			   struct ata_request *req)
{
	char why[120];
	bool lba = lba48 ? decode_lba48(&d->channel->tf, req) : decode_lba28(&d->channel->tf, req);

	if (!lba) {
		TRACE("ata%u: %s%s (CHS address)", d->number, command, lba48 ? " EXT" : "");
		complete_error(d, ATA_ERROR_ABRT, "CHS addressing is not supported");
		return false;
	}
	TRACE("ata%u: %s%s lba=%" PRIu64 " count=%" PRIu32, d->number, command,
	      lba48 ? " EXT" : "", req->lba, req->count);
	if (req->lba >= d->sectors || req->count > d->sectors - req->lba) {
		snprintf(why, sizeof(why), "lba=%" PRIu64 " count=%" PRIu32
			 " is beyond the disk's %" PRIu64 " sectors", req->lba, req->count,
			 d->sectors);
		complete_error(d, ATA_ERROR_IDNF, why);
		return false;
	}
	return true;
}

static void cmd_read(struct ata_drive *d, bool lba48)
{
	struct ata_request req;

	if (!decode_request(d, "READ SECTORS", lba48, &req))
		return;
	d->next_lba = req.lba;
	d->sectors_left = req.count;
	offer_next_sector(d);
}

static void cmd_write(struct ata_drive *d, bool lba48)
{
	struct ata_request req;

	if (!decode_request(d, "WRITE SECTORS", lba48, &req))
		return;
	if (d->read_only) {
		complete_error(d, ATA_ERROR_ABRT, "the disk image is read-only");
		return;
	}
	d->next_lba = req.lba;
	d->sectors_left = req.count;
	expect_sector(d);
}

static void cmd_identify(struct ata_drive *d)
{
	uint16_t id[ATA_IDENTIFY_WORDS];

	TRACE("ata%u: IDENTIFY DEVICE", d->number);
	build_identify(d, id);
	for (unsigned int i = 0; i < ATA_IDENTIFY_WORDS; i++) {
		d->buffer[2 * i] = (uint8_t)(id[i] & 0xff);     /* words are little-endian */
		d->buffer[2 * i + 1] = (uint8_t)(id[i] >> 8);
	}
	d->sectors_left = 1;
	offer_buffer(d);
}

static void cmd_flush(struct ata_drive *d, bool ext)
{
	TRACE("ata%u: FLUSH CACHE%s", d->number, ext ? " EXT" : "");
	if (sync_drive(d) != 0) {
		complete_error(d, ATA_ERROR_ABRT, "host fsync failed");
		return;
	}
	complete_ok(d);
}

static bool transfer_mode_supported(uint8_t mode)
{
	uint8_t type = mode >> ATA_XFER_TYPE_SHIFT;
	uint8_t number = mode & ((1u << ATA_XFER_TYPE_SHIFT) - 1);

	return type == ATA_XFER_PIO_DEFAULT ||
	       (type == ATA_XFER_PIO_FLOW_CONTROL && number <= ATA_XFER_PIO_MAX_MODE);
}

/* Accept the subcommands that change nothing we could get wrong; turning
 * the write cache off makes every later write synchronous. */
static void cmd_set_features(struct ata_drive *d)
{
	uint8_t feature = d->channel->tf.features;

	TRACE("ata%u: SET FEATURES 0x%02x", d->number, feature);
	switch (feature) {
	case ATA_FEATURE_ENABLE_WRITE_CACHE:
		d->write_cache = true;
		break;
	case ATA_FEATURE_DISABLE_WRITE_CACHE:
		d->write_cache = false;
		if (sync_drive(d) != 0) {       /* what was cached must not be lost */
			complete_error(d, ATA_ERROR_ABRT, "host fsync failed");
			return;
		}
		break;
	case ATA_FEATURE_ENABLE_LOOK_AHEAD:
		d->look_ahead = true;
		break;
	case ATA_FEATURE_DISABLE_LOOK_AHEAD:
		d->look_ahead = false;
		break;
	case ATA_FEATURE_SET_TRANSFER_MODE:
		if (!transfer_mode_supported(d->channel->tf.count)) {
			complete_error(d, ATA_ERROR_ABRT, "only PIO transfer modes exist here");
			return;
		}
		break;
	case ATA_FEATURE_DISABLE_REVERTING:
	case ATA_FEATURE_ENABLE_REVERTING:
		break;
	default:
		complete_error(d, ATA_ERROR_ABRT, "unsupported SET FEATURES subcommand");
		return;
	}
	complete_ok(d);
}

static void execute_command(struct ata_channel *ch, uint8_t command)
{
	struct ata_drive *d = selected_drive(ch);
	char why[64];

	if (!d || (ch->control & ATA_CONTROL_SRST))
		return;         /* nobody there, or held in reset: nobody executes it */
	/* A new command ends any transfer still in progress and clears the
	 * pending interrupt and the previous error. */
	d->transfer = TRANSFER_NONE;
	d->irq_pending = false;
	d->error = 0;
	update_irq(ch);

	switch (command) {
	case ATA_CMD_IDENTIFY_DEVICE:   cmd_identify(d); break;
	case ATA_CMD_READ_SECTORS:      cmd_read(d, false); break;
	case ATA_CMD_READ_SECTORS_EXT:  cmd_read(d, true); break;
	case ATA_CMD_WRITE_SECTORS:     cmd_write(d, false); break;
	case ATA_CMD_WRITE_SECTORS_EXT: cmd_write(d, true); break;
	case ATA_CMD_FLUSH_CACHE:       cmd_flush(d, false); break;
	case ATA_CMD_FLUSH_CACHE_EXT:   cmd_flush(d, true); break;
	case ATA_CMD_SET_FEATURES:      cmd_set_features(d); break;
	default:
		snprintf(why, sizeof(why), "command 0x%02x is not supported", command);
		complete_error(d, ATA_ERROR_ABRT, why);
		break;
	}
}

/* ---- software reset ---------------------------------------------------------------- */

/* After a reset each drive shows the ATA signature (count 1, LBA 1, 0, 0;
 * ATAPI devices show 14h EBh in LBA mid/high), diagnostic code 01h, and
 * device 0 is selected again. */
static void finish_reset(struct ata_channel *ch)
{
	TRACE("%s: software reset done", ch->name);
	ch->tf = (struct ata_taskfile){ .count = 1, .lba_low = 1 };
	for (unsigned int i = 0; i < ATA_DRIVES_PER_CHANNEL; i++) {
		struct ata_drive *d = ch->drive[i];

		if (!d)
			continue;
		d->transfer = TRANSFER_NONE;
		d->sectors_left = 0;
		d->irq_pending = false;
		d->error = ATA_DIAGNOSTIC_PASSED;
		d->status = ATA_STATUS_IDLE;
	}
}

static void hold_in_reset(struct ata_channel *ch)
{
	for (unsigned int i = 0; i < ATA_DRIVES_PER_CHANNEL; i++) {
		struct ata_drive *d = ch->drive[i];

		if (!d)
			continue;
		d->transfer = TRANSFER_NONE;
		d->irq_pending = false;
		d->status = ATA_STATUS_BSY;
	}
}

static void write_device_control(struct ata_channel *ch, uint8_t value)
{
	bool was_in_reset = ch->control & ATA_CONTROL_SRST;

	ch->control = value;
	if (value & ATA_CONTROL_SRST)
		hold_in_reset(ch);
	else if (was_in_reset)
		finish_reset(ch);
	update_irq(ch);
}

/* ---- register access ----------------------------------------------------------------- */

/* Push the old value into "previous", then store the new one. */
static void push_register(uint8_t *current, uint8_t *previous, uint8_t value)
{
	*previous = *current;
	*current = value;
}

static void write_register(struct ata_channel *ch, unsigned int reg, uint8_t value)
{
	struct ata_taskfile *tf = &ch->tf;

	ch->control &= ~ATA_CONTROL_HOB;        /* any command-block write clears HOB */
	switch (reg) {
	case ATA_REG_FEATURES: push_register(&tf->features, &tf->prev_features, value); break;
	case ATA_REG_COUNT:    push_register(&tf->count, &tf->prev_count, value); break;
	case ATA_REG_LBA_LOW:  push_register(&tf->lba_low, &tf->prev_lba_low, value); break;
	case ATA_REG_LBA_MID:  push_register(&tf->lba_mid, &tf->prev_lba_mid, value); break;
	case ATA_REG_LBA_HIGH: push_register(&tf->lba_high, &tf->prev_lba_high, value); break;
	case ATA_REG_DEVICE:
		tf->device = value;
		update_irq(ch);         /* the other drive now drives INTRQ */
		break;
	case ATA_REG_COMMAND:
		execute_command(ch, value);
		break;
	}
}

static uint8_t drive_status(const struct ata_channel *ch)
{
	const struct ata_drive *d = selected_drive(ch);

	if (channel_is_empty(ch))
		return ATA_STATUS_FLOATING;
	return d ? d->status : ATA_STATUS_ABSENT;
}

static uint8_t read_register(struct ata_channel *ch, unsigned int reg)
{
	const struct ata_taskfile *tf = &ch->tf;
	struct ata_drive *d = selected_drive(ch);
	bool hob = ch->control & ATA_CONTROL_HOB;

	if (channel_is_empty(ch))
		return 0xff;
	switch (reg) {
	case ATA_REG_ERROR:    return d ? d->error : 0;
	case ATA_REG_COUNT:    return hob ? tf->prev_count : tf->count;
	case ATA_REG_LBA_LOW:  return hob ? tf->prev_lba_low : tf->lba_low;
	case ATA_REG_LBA_MID:  return hob ? tf->prev_lba_mid : tf->lba_mid;
	case ATA_REG_LBA_HIGH: return hob ? tf->prev_lba_high : tf->lba_high;
	case ATA_REG_DEVICE:   return tf->device | ATA_DEVICE_OBSOLETE;
	case ATA_REG_STATUS:
		if (d) {
			d->irq_pending = false;   /* reading Status acknowledges INTRQ */
			update_irq(ch);
		}
		return drive_status(ch);
	}
	return 0xff;
}

static uint64_t command_block_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct ata_channel *ch = opaque;
	uint64_t value = 0;

	for (unsigned int i = 0; i < size; i++) {
		uint64_t port = offset + i;
		uint8_t byte;

		if (offset == ATA_REG_DATA)     /* 8/16/32-bit PIO from the buffer */
			byte = data_read_byte(selected_drive(ch));
		else if (port < ATA_COMMAND_BLOCK_PORTS)
			byte = read_register(ch, (unsigned int)port);
		else
			byte = 0xff;
		value |= (uint64_t)byte << (8 * i);
	}
	return value;
}

static void command_block_write(void *opaque, uint64_t offset, unsigned int size,
				uint64_t value)
{
	struct ata_channel *ch = opaque;

	for (unsigned int i = 0; i < size; i++) {
		uint64_t port = offset + i;
		uint8_t byte = (uint8_t)(value >> (8 * i));

		if (offset == ATA_REG_DATA)
			data_write_byte(selected_drive(ch), byte);
		else if (port < ATA_COMMAND_BLOCK_PORTS)
			write_register(ch, (unsigned int)port, byte);
	}
}

/* Alternate Status: the Status value without acknowledging the interrupt. */
static uint64_t control_block_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct ata_channel *ch = opaque;
	uint64_t value = drive_status(ch);

	(void)offset;
	for (unsigned int i = 1; i < size; i++)     /* bytes past 0x3f6 float */
		value |= (uint64_t)0xff << (8 * i);
	return value;
}

static void control_block_write(void *opaque, uint64_t offset, unsigned int size,
				uint64_t value)
{
	(void)offset;
	(void)size;
	write_device_control(opaque, (uint8_t)value);
}

/* ---- the controller -------------------------------------------------------------- */

static void init_channel(struct ata_controller *ctl, unsigned int index)
{
	struct ata_channel *ch = &ctl->channel[index];

	ch->ctl = ctl;
	if (index == 0) {
		ch->name = "ata-primary";
		ch->control_name = "ata-primary-control";
		ch->command_base = ATA_PRIMARY_COMMAND_BASE;
		ch->control_port = ATA_PRIMARY_CONTROL_PORT;
		ch->irq_line = ATA_PRIMARY_IRQ;
	} else {
		ch->name = "ata-secondary";
		ch->control_name = "ata-secondary-control";
		ch->command_base = ATA_SECONDARY_COMMAND_BASE;
		ch->control_port = ATA_SECONDARY_CONTROL_PORT;
		ch->irq_line = ATA_SECONDARY_IRQ;
	}
	/* Power-on state: the reset signature, device 0 selected. */
	ch->tf = (struct ata_taskfile){ .count = 1, .lba_low = 1 };
}

struct ata_controller *ata_controller_create(ata_irq_fn *set_irq, void *irq_opaque)
{
	struct ata_controller *ctl = calloc(1, sizeof(*ctl));

	if (!ctl)
		return NULL;
	ctl->set_irq = set_irq;
	ctl->irq_opaque = irq_opaque;
	for (unsigned int i = 0; i < ATA_CHANNELS; i++)
		init_channel(ctl, i);
	for (unsigned int i = 0; i < ATA_MAX_DRIVES; i++)
		ctl->drives[i].fd = -1;
	return ctl;
}

/* Open read-write; fall back to read-only when writing is not allowed. */
static int open_image(const char *path, bool *read_only)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	*read_only = false;
	if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		*read_only = fd >= 0;
	}
	return fd;
}

/* The image's size in bytes (lseek works for files and block devices),
 * or -1 with errno set. */
static int64_t image_size(int fd)
{
	return lseek(fd, 0, SEEK_END);
}

bool ata_controller_add_disk(struct ata_controller *ctl, const char *path,
			     char *err, size_t err_len)
{
	unsigned int number = ctl->disk_count;
	struct ata_drive *d;
	struct ata_channel *ch;
	bool read_only;
	int64_t size, sectors;
	int fd;

	if (number == ATA_MAX_DRIVES) {
		snprintf(err, err_len, "%s: at most %u ATA disks (primary and secondary, "
			 "master and slave)", path, ATA_MAX_DRIVES);
		return false;
	}
	d = &ctl->drives[number];
	ch = &ctl->channel[number / ATA_DRIVES_PER_CHANNEL];
	fd = open_image(path, &read_only);
	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return false;
	}
	size = image_size(fd);
	sectors = size / ATA_SECTOR_SIZE;
	if (sectors <= 0) {
		snprintf(err, err_len, "%s: %s", path, size < 0 ? strerror(errno)
			 : "smaller than one 512-byte sector: not a usable disk");
		close(fd);
		return false;
	}
	if (size % ATA_SECTOR_SIZE)
		fprintf(stderr, "pvkit-hv: ata%u: %s: the last %lld bytes are not a whole "
			"sector and are not exposed to the guest\n", number, path,
			(long long)(size % ATA_SECTOR_SIZE));
	d->path = strdup(path);
	if (!d->path) {
		snprintf(err, err_len, "%s: out of memory", path);
		close(fd);
		return false;
	}
	if ((uint64_t)sectors > ATA_LBA48_SECTORS) {
		fprintf(stderr, "pvkit-hv: ata%u: %s: only the first 2^48 sectors are "
			"addressable\n", number, path);
		sectors = (int64_t)ATA_LBA48_SECTORS;
	}
	if (read_only)
		fprintf(stderr, "pvkit-hv: ata%u: %s is read-only: the guest's writes will "
			"fail (ABRT)\n", number, path);
	d->channel = ch;
	d->number = number;
	d->fd = fd;
	d->read_only = read_only;
	d->sectors = (uint64_t)sectors;
	d->write_cache = true;
	d->look_ahead = true;
	d->status = ATA_STATUS_IDLE;
	d->error = ATA_DIAGNOSTIC_PASSED;
	ch->drive[number % ATA_DRIVES_PER_CHANNEL] = d;
	ctl->disk_count++;
	return true;
}

unsigned int ata_controller_disk_count(const struct ata_controller *ctl)
{
	return ctl->disk_count;
}

static bool register_channel(struct ata_channel *ch, struct io_bus *pio)
{
	struct io_region command = {
		.name = ch->name, .base = ch->command_base,
		.length = ATA_COMMAND_BLOCK_PORTS, .opaque = ch,
		.read = command_block_read, .write = command_block_write,
	};
	struct io_region control = {
		.name = ch->control_name, .base = ch->control_port,
		.length = ATA_CONTROL_BLOCK_PORTS, .opaque = ch,
		.read = control_block_read, .write = control_block_write,
	};

	return io_bus_add(pio, &command) && io_bus_add(pio, &control);
}

bool ata_controller_register(struct ata_controller *ctl, struct io_bus *pio)
{
	/* Both channels are always there, as on a PIIX IDE controller: a
	 * channel with no drive floats at FFh, which is how a driver's probe
	 * tells that nothing is attached. */
	return register_channel(&ctl->channel[0], pio) &&
	       register_channel(&ctl->channel[1], pio);
}

int ata_controller_sync(struct ata_controller *ctl)
{
	int first_error = 0;

	for (unsigned int i = 0; i < ctl->disk_count; i++) {
		int error = sync_drive(&ctl->drives[i]);

		if (error && !first_error)
			first_error = error;
	}
	return first_error;
}

void ata_controller_destroy(struct ata_controller *ctl)
{
	if (!ctl)
		return;
	ata_controller_sync(ctl);
	for (unsigned int i = 0; i < ctl->disk_count; i++) {
		close(ctl->drives[i].fd);
		free(ctl->drives[i].path);
	}
	free(ctl);
}
