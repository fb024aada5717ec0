/*
 * ata.c — the ATA disk driver: polled PIO on the legacy IDE channels.
 *
 * This is the fully emulated disk path, the baseline the paravirtual disks
 * are measured against.  The driver talks to the drive through the ATA
 * command block (eight byte-wide registers, one of them the 16-bit data
 * port) and control block (Alternate Status / Device Control), exactly as
 * on a real PC.  Reference: ATA/ATAPI-6 (T13/1410D), sections 7 (registers),
 * 8 (commands), 9 (the PIO data-in and data-out protocols).
 *
 * Why it polls.  The drive's interrupt (IRQ 14/15) only says "look at
 * Status now"; the driver would still read Status and move every word
 * through the data port.  Polling with nIEN set gives the same sequence of
 * port accesses minus the interrupt round trip, needs no interrupt routing
 * (the 8259 is masked and these ISA lines would go through the IOAPIC),
 * and makes every wait an explicit, bounded loop.  For a baseline that is
 * the honest measurement: what the register interface itself costs.
 *
 * What it costs under a hypervisor.  Every in/out to these ports is a VM
 * exit to the device model: the CPU leaves the guest, the hypervisor
 * decodes the access, emulates the register and re-enters the guest —
 * microseconds each (about 6.6 us per port exit on our development
 * machines' KVM).  So the driver keeps the accesses per sector minimal:
 *   - the 256 words of a sector move with one `rep insw` / `rep outsw`,
 *     which KVM hands to the device model as one exit (two if the 512
 *     bytes cross a page) instead of 256;
 *   - Status is read once per sector when the drive is ready, as it is
 *     with an emulated disk; the 400 ns the specification asks us to wait
 *     before Status is valid is a spin on the clock, not the customary
 *     four reads of Alternate Status (which would be four more exits);
 *   - the Error register is read only when Status says ERR.
 * docs/ata.md counts the exits: a READ SECTORS EXT of n sectors takes
 * 10 + 2n of them.
 *
 * Every register access goes through the few helpers below, which count
 * them: the number the benchmarks show next to virtio's kicks.
 *
 * Every wait is bounded by the kernel's clock: a device that stays busy
 * gives -ETIMEDOUT, one that reports an error gives -EIO with the Status
 * and Error registers printed.  Nothing here waits for an interrupt.
 */
#include "arch/x86/ata.h"
#include "arch/x86/ata_regs.h"
#include "arch/x86/cpu.h"
#include "kernel/block.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/timer.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Timing.  The specification lets a spinning disk take up to 31 s to come
 * out of reset; ours are emulated, so the bounds are shorter, long enough
 * for a slow host and short enough that a broken device does not stall
 * the boot for long. */
#define ATA_SETTLE_NS           400                     /* Status valid after */
#define ATA_SRST_PULSE_NS       (5 * NSEC_PER_USEC)
#define ATA_RESET_RECOVERY_NS   (2 * NSEC_PER_MSEC)
#define ATA_RESET_TIMEOUT_NS    (1 * NSEC_PER_SEC)
#define ATA_IDENTIFY_TIMEOUT_NS (1 * NSEC_PER_SEC)
#define ATA_COMMAND_TIMEOUT_NS  (5 * NSEC_PER_SEC)      /* per sector */
#define ATA_FLUSH_TIMEOUT_NS    (30 * NSEC_PER_SEC)

struct ata_channel {
	const char *name;               /* "primary" */
	uint16_t command_base;
	uint16_t control_port;
	int selected;                   /* drive last written to Device; -1 unknown */
	uint64_t register_accesses;     /* each one a trap to the device model */
};

struct ata_drive {
	struct block_device blk;        /* what block_register sees */
	struct ata_channel *channel;
	unsigned int position;          /* 0 master, 1 slave */
	bool lba48;
	char name[8];                   /* "ata0" */
	char model[ID_MODEL_CHARS + 1];
	uint16_t identify[ATA_IDENTIFY_WORDS];
};

/* One command as the messages describe it. */
struct ata_command {
	uint8_t opcode;
	const char *name;
	uint64_t lba;
	uint32_t count;
};

static struct ata_channel channels[ATA_CHANNELS] = {
	{ .name = "primary", .command_base = ATA_PRIMARY_COMMAND_BASE,
	  .control_port = ATA_PRIMARY_CONTROL_PORT, .selected = -1 },
	{ .name = "secondary", .command_base = ATA_SECONDARY_COMMAND_BASE,
	  .control_port = ATA_SECONDARY_CONTROL_PORT, .selected = -1 },
};

/* Static, not kmalloc'd: ata_probe runs before the page allocator. */
static struct ata_drive drives[ATA_MAX_DRIVES];
static unsigned int drive_count;

static const struct block_ops ata_block_ops;

/* ---- register access ----------------------------------------------------------------- */

/* Every access traps to the hypervisor's device model, so each is counted
 * (per channel: its drives share the registers).  String I/O counts one
 * per word, as pvkit-hv --stats does, though KVM hands a whole `rep insw`
 * to the VMM in one exit (docs/ata.md). */
static uint8_t command_in(struct ata_channel *ch, uint16_t reg)
{
	ch->register_accesses++;
	return inb(ch->command_base + reg);
}

static void command_out(struct ata_channel *ch, uint16_t reg, uint8_t value)
{
	ch->register_accesses++;
	outb(ch->command_base + reg, value);
}

static void control_out(struct ata_channel *ch, uint8_t value)
{
	ch->register_accesses++;
	outb(ch->control_port, value);
}

static void data_in(struct ata_channel *ch, void *buf, unsigned int words)
{
	ch->register_accesses += words;
	insw(ch->command_base + ATA_REG_DATA, buf, words);
}

static void data_out(struct ata_channel *ch, const void *buf, unsigned int words)
{
	ch->register_accesses += words;
	outsw(ch->command_base + ATA_REG_DATA, buf, words);
}

/* ---- waiting ------------------------------------------------------------------- */

/* Spin on the clock: no port access, so no VM exit. */
static void delay_ns(uint64_t ns)
{
	uint64_t end = time_now_ns() + ns;

	while (time_now_ns() < end)
		cpu_relax();
}

static uint8_t read_status(struct ata_channel *ch)
{
	return command_in(ch, ATA_REG_STATUS);
}

/* Poll Status until BSY clears: the status, or -ETIMEDOUT.  A device that
 * vanished reads FFh (BSY set) and so times out too. */
static int wait_not_busy(struct ata_channel *ch, uint64_t timeout_ns)
{
	uint64_t deadline = time_now_ns() + timeout_ns;

	delay_ns(ATA_SETTLE_NS);
	for (;;) {
		uint8_t status = read_status(ch);

		if (!(status & ATA_STATUS_BSY))
			return status;
		if (time_now_ns() > deadline)
			return -ETIMEDOUT;
		cpu_relax();
	}
}

/* "ABRT IDNF" for the bits of the Error register (ATA-6 7.9). */
static void describe_error(uint8_t error, char *out, size_t size)
{
	static const char *const bit_names[8] = {
		"AMNF", "NM", "ABRT", "MCR", "IDNF", "MC", "UNC", "ICRC",
	};
	size_t len = 0;

	out[0] = '\0';
	for (int bit = 7; bit >= 0; bit--)
		if (error & (1u << bit) && len < size)
			len += snprintf(out + len, size - len, "%s%s", len ? " " : "",
					bit_names[bit]);
}

/* "ata0: READ SECTORS EXT lba 64 count 8", the start of a message. */
static void print_command(const struct ata_drive *d, const struct ata_command *cmd)
{
	printk("%s: %s", d->name, cmd->name);
	if (cmd->count)
		printk(" lba %lu count %u", cmd->lba, cmd->count);
}

static int command_failed(const struct ata_drive *d, const struct ata_command *cmd,
			  int status)
{
	char names[48];

	print_command(d, cmd);
	if (status < 0) {
		printk(": the drive stayed busy: timed out\n");
		return -ETIMEDOUT;
	}
	uint8_t error = command_in(d->channel, ATA_REG_ERROR);

	describe_error(error, names, sizeof(names));
	printk(" failed: status %#x error %#x (%s)\n", (unsigned int)status, error, names);
	return -EIO;
}

/* Wait for the drive to offer (read) or ask for (write) one sector. */
static int wait_for_data(const struct ata_drive *d, const struct ata_command *cmd)
{
	int status = wait_not_busy(d->channel, ATA_COMMAND_TIMEOUT_NS);

	if (status < 0 || (status & (ATA_STATUS_ERR | ATA_STATUS_DF)))
		return command_failed(d, cmd, status);
	if (!(status & ATA_STATUS_DRQ)) {
		print_command(d, cmd);
		printk(": status %#x without DRQ: no data phase\n", (unsigned int)status);
		return -EIO;
	}
	return 0;
}

/* Wait for the end of a command that has no more data to move. */
static int wait_for_completion(const struct ata_drive *d, const struct ata_command *cmd,
			       uint64_t timeout_ns)
{
	int status = wait_not_busy(d->channel, timeout_ns);

	if (status < 0 || (status & (ATA_STATUS_ERR | ATA_STATUS_DF)))
		return command_failed(d, cmd, status);
	if (status & ATA_STATUS_DRQ) {
		print_command(d, cmd);
		printk(": the drive still wants data (status %#x)\n", (unsigned int)status);
		return -EIO;
	}
	return 0;
}

/* ---- issuing commands -------------------------------------------------------------- */

/* Write the Device register.  Switching drives needs the 400 ns settle
 * before the newly selected drive's Status is valid. */
static void select_drive(const struct ata_drive *d, uint8_t low_bits)
{
	struct ata_channel *ch = d->channel;

	command_out(ch, ATA_REG_DEVICE, ATA_DEVICE_OBSOLETE | low_bits |
		    (d->position ? ATA_DEVICE_DEV : 0));
	if (ch->selected != (int)d->position) {
		ch->selected = (int)d->position;
		delay_ns(ATA_SETTLE_NS);
	}
}

/* Program address and count, then the command.  LBA48 registers are
 * two-byte FIFOs: the high-order byte is written first, and each write
 * pushes the previous one into the "previous" half. */
static void issue_command(const struct ata_drive *d, const struct ata_command *cmd)
{
	struct ata_channel *ch = d->channel;
	uint8_t high_bits = d->lba48 ? 0 : (uint8_t)((cmd->lba >> 24) & ATA_DEVICE_LBA28_HIGH);

	select_drive(d, ATA_DEVICE_LBA | high_bits);
	if (d->lba48) {
		command_out(ch, ATA_REG_COUNT, (uint8_t)(cmd->count >> 8));
		command_out(ch, ATA_REG_LBA_LOW, (uint8_t)(cmd->lba >> 24));
		command_out(ch, ATA_REG_LBA_MID, (uint8_t)(cmd->lba >> 32));
		command_out(ch, ATA_REG_LBA_HIGH, (uint8_t)(cmd->lba >> 40));
	}
	command_out(ch, ATA_REG_COUNT, (uint8_t)cmd->count);    /* 256 / 65536 → 0 */
	command_out(ch, ATA_REG_LBA_LOW, (uint8_t)cmd->lba);
	command_out(ch, ATA_REG_LBA_MID, (uint8_t)(cmd->lba >> 8));
	command_out(ch, ATA_REG_LBA_HIGH, (uint8_t)(cmd->lba >> 16));
	command_out(ch, ATA_REG_COMMAND, cmd->opcode);
}

static uint32_t max_count(const struct ata_drive *d)
{
	return d->lba48 ? ATA_LBA48_MAX_COUNT : ATA_LBA28_MAX_COUNT;
}

/* The two PIO data protocols (ATA-6 section 9), one sector at a time:
 *
 *   data-in (READ SECTORS): the drive fetches a sector into its buffer and
 *     sets DRQ; we read its 256 words from Data with `rep insw`.  Taking
 *     the last word makes the drive fetch the next sector; after the last
 *     one the command is over and there is nothing more to wait for.
 *
 *   data-out (WRITE SECTORS): the drive sets DRQ when its buffer can take
 *     a sector; we write 256 words to Data with `rep outsw`, and the drive
 *     writes them to the medium.  Only after the last sector does Status
 *     say whether the write worked, so we wait for the command to end.
 */
enum pio_direction {
	PIO_DATA_IN,            /* drive to memory: a read */
	PIO_DATA_OUT,           /* memory to drive: a write */
};

/* The command of a transfer: the EXT (LBA48) form when the drive has it. */
static struct ata_command pio_command(const struct ata_drive *d, enum pio_direction dir,
				      uint64_t lba, uint32_t count)
{
	struct ata_command cmd = { .lba = lba, .count = count };

	if (dir == PIO_DATA_IN) {
		cmd.opcode = d->lba48 ? ATA_CMD_READ_SECTORS_EXT : ATA_CMD_READ_SECTORS;
		cmd.name = d->lba48 ? "READ SECTORS EXT" : "READ SECTORS";
	} else {
		cmd.opcode = d->lba48 ? ATA_CMD_WRITE_SECTORS_EXT : ATA_CMD_WRITE_SECTORS;
		cmd.name = d->lba48 ? "WRITE SECTORS EXT" : "WRITE SECTORS";
	}
	return cmd;
}

/* One READ or WRITE SECTORS (EXT) of count sectors (at most max_count),
 * moving them between buf and the drive by the protocol of dir. */
static int pio_transfer(const struct ata_drive *d, enum pio_direction dir, uint64_t lba,
			uint32_t count, uint8_t *buf)
{
	const struct ata_command cmd = pio_command(d, dir, lba, count);

	issue_command(d, &cmd);
	for (uint32_t i = 0; i < count; i++) {
		int error = wait_for_data(d, &cmd);

		if (error)
			return error;
		if (dir == PIO_DATA_IN)
			data_in(d->channel, buf + i * ATA_SECTOR_SIZE, ATA_SECTOR_WORDS);
		else
			data_out(d->channel, buf + i * ATA_SECTOR_SIZE, ATA_SECTOR_WORDS);
	}
	if (dir == PIO_DATA_OUT)
		return wait_for_completion(d, &cmd, ATA_COMMAND_TIMEOUT_NS);
	return 0;
}

/* LBA28 reaches only the first 2^28 sectors (128 GiB). */
static bool addressable(const struct ata_drive *d, uint64_t lba, uint32_t count)
{
	return d->lba48 || (lba < ATA_LBA28_SECTORS && count <= ATA_LBA28_SECTORS - lba);
}

/* ---- the block device ---------------------------------------------------------------- */

/* A read or write of any length: as many commands as max_count needs.
 * The block layer has checked the range against blk.sectors; the drive
 * checks it again, and a request past its end comes back as -EIO. */
static int ata_transfer(struct block_device *dev, enum pio_direction dir, uint64_t lba,
			uint32_t count, uint8_t *buf)
{
	const struct ata_drive *d = dev->driver_data;

	if (!addressable(d, lba, count))
		return -ERANGE;
	while (count > 0) {
		uint32_t n = count < max_count(d) ? count : max_count(d);
		int error = pio_transfer(d, dir, lba, n, buf);

		if (error)
			return error;
		lba += n;
		count -= n;
		buf += (uint64_t)n * ATA_SECTOR_SIZE;
	}
	return 0;
}

static int ata_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
	return ata_transfer(dev, PIO_DATA_IN, lba, count, buf);
}

/* Data-out only reads from buf: casting its const away is safe. */
static int ata_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
	return ata_transfer(dev, PIO_DATA_OUT, lba, count, (void *)buf);
}

static int ata_flush(struct block_device *dev)
{
	const struct ata_drive *d = dev->driver_data;
	const struct ata_command cmd = {
		.opcode = d->lba48 ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE,
		.name = d->lba48 ? "FLUSH CACHE EXT" : "FLUSH CACHE",
	};

	select_drive(d, 0);
	command_out(d->channel, ATA_REG_COMMAND, cmd.opcode);
	return wait_for_completion(d, &cmd, ATA_FLUSH_TIMEOUT_NS);
}

static void ata_counters(struct block_device *dev, struct block_counters *out)
{
	const struct ata_drive *d = dev->driver_data;

	out->notifications = d->channel->register_accesses;
	out->interrupts = 0;            /* polled: nIEN stays set (see the top) */
}

/* No read_batch: one PIO command at a time is all the interface has. */
static const struct block_ops ata_block_ops = {
	.read = ata_read,
	.write = ata_write,
	.flush = ata_flush,
	.counters = ata_counters,
};

/* ---- probing ----------------------------------------------------------------------- */

/* Software reset of both drives of a channel, leaving nIEN set for good:
 * this driver never wants the drive's interrupt.  False if the channel
 * stays busy. */
static bool reset_channel(struct ata_channel *ch)
{
	control_out(ch, ATA_CONTROL_SRST | ATA_CONTROL_NIEN);
	delay_ns(ATA_SRST_PULSE_NS);
	control_out(ch, ATA_CONTROL_NIEN);
	delay_ns(ATA_RESET_RECOVERY_NS);
	ch->selected = 0;               /* a reset selects device 0 */
	if (wait_not_busy(ch, ATA_RESET_TIMEOUT_NS) < 0) {
		printk("ata: %s channel stays busy after a reset: ignored\n", ch->name);
		return false;
	}
	return true;
}

/* ATA strings hold two characters per word, the first in the high byte,
 * padded with spaces at the end. */
static void copy_model(char *out, const uint16_t *id)
{
	size_t len = ID_MODEL_CHARS;

	for (unsigned int i = 0; i < ID_MODEL_CHARS; i += 2) {
		out[i] = (char)(id[ID_MODEL + i / 2] >> 8);
		out[i + 1] = (char)(id[ID_MODEL + i / 2] & 0xff);
	}
	while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\0'))
		len--;
	out[len] = '\0';
}

/* Word 255, when its low byte is A5h, makes all 512 bytes sum to zero. */
static bool identify_checksum_ok(const uint16_t *id)
{
	uint8_t sum = 0;

	if ((id[ID_INTEGRITY] & 0xff) != ID_INTEGRITY_SIGNATURE)
		return true;            /* no checksum offered */
	for (unsigned int i = 0; i < ATA_IDENTIFY_WORDS; i++)
		sum += (uint8_t)(id[i] & 0xff) + (uint8_t)(id[i] >> 8);
	return sum == 0;
}

static bool is_atapi(struct ata_channel *ch)
{
	return command_in(ch, ATA_REG_LBA_MID) == ATA_SIGNATURE_ATAPI_MID &&
	       command_in(ch, ATA_REG_LBA_HIGH) == ATA_SIGNATURE_ATAPI_HIGH;
}

/* IDENTIFY DEVICE into d->identify.  -ENODEV when there is no ATA disk at
 * this position (nothing there, or an ATAPI device), -EIO/-ETIMEDOUT when
 * something answers wrongly. */
static int identify(struct ata_drive *d)
{
	const struct ata_command cmd = { .opcode = ATA_CMD_IDENTIFY_DEVICE,
					 .name = "IDENTIFY DEVICE" };
	struct ata_channel *ch = d->channel;
	int status;

	select_drive(d, 0);
	status = read_status(ch);
	if (status == ATA_STATUS_ABSENT || status == ATA_STATUS_FLOATING)
		return -ENODEV;
	if (is_atapi(ch))
		return -ENODEV;         /* a CD-ROM or similar: not ours */
	command_out(ch, ATA_REG_COMMAND, ATA_CMD_IDENTIFY_DEVICE);
	status = wait_not_busy(ch, ATA_IDENTIFY_TIMEOUT_NS);
	if (status == ATA_STATUS_ABSENT)
		return -ENODEV;
	/* A device that aborts IDENTIFY DEVICE is no ATA disk: an ATAPI
	 * device, or (in QEMU) the empty master position of a channel that
	 * has only a slave. */
	if (status >= 0 && (status & ATA_STATUS_ERR))
		return -ENODEV;
	if (status < 0 || (status & ATA_STATUS_DF))
		return command_failed(d, &cmd, status);
	if (!(status & ATA_STATUS_DRQ))
		return -ENODEV;
	data_in(ch, d->identify, ATA_IDENTIFY_WORDS);
	return 0;
}

/* Check what IDENTIFY said and fill in the block device. */
static bool configure(struct ata_drive *d)
{
	const uint16_t *id = d->identify;

	if (id[ID_CONFIG] & ID_CONFIG_NOT_ATA || !identify_checksum_ok(id)) {
		printk("%s: IDENTIFY data is not an ATA disk's (word 0 %#x, word 255 %#x)\n",
		       d->name, id[ID_CONFIG], id[ID_INTEGRITY]);
		return false;
	}
	if (!(id[ID_CAPABILITIES] & ID_CAP_LBA)) {
		printk("%s: the drive cannot do LBA addressing (CHS only): ignored\n", d->name);
		return false;
	}
	d->lba48 = (id[ID_COMMAND_SET_2] & ID_SET2_LBA48) &&
		   (id[ID_COMMAND_ENABLED_2] & ID_SET2_LBA48);
	d->blk.sectors = 0;
	if (d->lba48)
		for (int w = 3; w >= 0; w--)
			d->blk.sectors = d->blk.sectors << 16 | id[ID_LBA48_CAPACITY + w];
	if (d->blk.sectors == 0)        /* no LBA48, or it reports no size */
		d->blk.sectors = (uint32_t)id[ID_LBA28_CAPACITY + 1] << 16 |
				 id[ID_LBA28_CAPACITY];
	if (d->blk.sectors == 0) {
		printk("%s: the drive reports a capacity of 0 sectors: ignored\n", d->name);
		return false;
	}
	copy_model(d->model, id);
	d->blk.name = d->name;
	d->blk.model = d->model;
	d->blk.sector_size = ATA_SECTOR_SIZE;
	d->blk.max_sectors_per_request = max_count(d);
	d->blk.max_in_flight = 1;
	d->blk.ops = &ata_block_ops;
	d->blk.driver_data = d;
	return true;
}

static void probe_drive(struct ata_channel *ch, unsigned int channel_index,
			unsigned int position)
{
	struct ata_drive *d = &drives[drive_count];
	int error;

	*d = (struct ata_drive){ .channel = ch, .position = position };
	snprintf(d->name, sizeof(d->name), "ata%u",
		 channel_index * ATA_DRIVES_PER_CHANNEL + position);
	error = identify(d);
	if (error == -ENODEV)
		return;
	if (error) {
		printk("%s: %s %s: no usable drive (%s)\n", d->name, ch->name,
		       position ? "slave" : "master", errno_name(error));
		return;
	}
	if (!configure(d))
		return;
	block_register(&d->blk);
	drive_count++;
}

void ata_probe(void)
{
	for (unsigned int c = 0; c < ATA_CHANNELS; c++) {
		struct ata_channel *ch = &channels[c];

		/* Nothing on the bus: the lines float high.  One exit per
		 * channel is all a machine without IDE pays. */
		if (read_status(ch) == ATA_STATUS_FLOATING)
			continue;
		if (!reset_channel(ch))
			continue;
		for (unsigned int p = 0; p < ATA_DRIVES_PER_CHANNEL; p++)
			probe_drive(ch, c, p);
	}
}

unsigned int ata_drive_count(void)
{
	return drive_count;
}

struct block_device *ata_device(unsigned int index)
{
	return index < drive_count ? &drives[index].blk : NULL;
}

static const struct ata_drive *drive_of(const struct block_device *dev)
{
	return dev && dev->ops == &ata_block_ops ? dev->driver_data : NULL;
}

bool ata_uses_lba48(const struct block_device *dev)
{
	const struct ata_drive *d = drive_of(dev);

	return d && d->lba48;
}

const uint16_t *ata_identify_data(const struct block_device *dev)
{
	const struct ata_drive *d = drive_of(dev);

	return d ? d->identify : NULL;
}
