/*
 * test_hostile.c — a hostile guest against pvkit-hv's devices, without KVM.
 *
 * The guest is untrusted: whatever values it writes to whatever ports, in
 * whatever order and width, a device must answer with some value, report
 * errors through its registers, and never crash or touch anything outside
 * its own state — for the ATA disk, never write outside the image file.
 * These tests throw long seeded random sequences of port accesses at the
 * devices, biased toward the registers that start commands, and check
 * what must stay true; ASan and UBSan watch everything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86/ata_regs.h"
#include "host/ata.h"
#include "host/io.h"
#include "host/pci.h"
#include "host/uart.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define HOSTILE_ACCESSES        200000
#define DISK_SECTORS            64      /* small, so random LBAs often hit the end */

/* A small deterministic generator: the same seed gives the same sequence. */
static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

/* A value a hostile guest might write: often a valid opcode or a boundary. */
static uint32_t hostile_value(void)
{
	static const uint32_t interesting[] = {
		0, 1, 0xff, 0xffff, 0xffffffff, DISK_SECTORS - 1, DISK_SECTORS,
		ATA_CMD_READ_SECTORS, ATA_CMD_READ_SECTORS_EXT, ATA_CMD_WRITE_SECTORS,
		ATA_CMD_WRITE_SECTORS_EXT, ATA_CMD_FLUSH_CACHE, ATA_CMD_IDENTIFY_DEVICE,
		ATA_DEVICE_LBA, ATA_DEVICE_LBA | ATA_DEVICE_DEV, ATA_CONTROL_SRST,
		ATA_CONTROL_NIEN, ATA_CONTROL_HOB,
	};

	if (rng() % 2)
		return interesting[rng() % (sizeof(interesting) / sizeof(interesting[0]))];
	return rng();
}

static void random_access(struct io_bus *bus, const uint16_t *ports, unsigned int nports)
{
	static const unsigned int sizes[] = { 1, 1, 1, 2, 2, 4 };
	uint16_t port = (uint16_t)(ports[rng() % nports] + (rng() % 8 == 0 ? rng() % 8 : 0));
	unsigned int size = sizes[rng() % (sizeof(sizes) / sizeof(sizes[0]))];
	const struct io_region *r = io_bus_find(bus, port);

	if (r == NULL || port + size > r->base + r->length)
		return;         /* the run loop treats these as unassigned */
	if (rng() % 2)
		r->write(r->opaque, port - r->base, size, hostile_value());
	else
		r->read(r->opaque, port - r->base, size);
}

/* A sector's worth of 16-bit data-port traffic, as `rep outsw/insw` makes:
 * without it, random single accesses would never finish a transfer. */
static void data_burst(struct io_bus *bus, uint16_t command_base)
{
	const struct io_region *r = io_bus_find(bus, command_base + ATA_REG_DATA);
	bool write = rng() % 2;

	for (unsigned int i = 0; r && i < ATA_SECTOR_WORDS; i++) {
		if (write)
			r->write(r->opaque, command_base + ATA_REG_DATA - r->base, 2, rng());
		else
			r->read(r->opaque, command_base + ATA_REG_DATA - r->base, 2);
	}
}

static void out8(struct io_bus *bus, uint16_t port, uint8_t value)
{
	const struct io_region *r = io_bus_find(bus, port);

	if (r)
		r->write(r->opaque, port - r->base, 1, value);
}

/* Registers set up as a driver would, with random values near the disk's
 * end, then a random opcode: the noise around it decides what happens. */
static void plausible_command(struct io_bus *bus, uint16_t command_base)
{
	static const uint8_t opcodes[] = {
		ATA_CMD_READ_SECTORS, ATA_CMD_READ_SECTORS_EXT, ATA_CMD_WRITE_SECTORS,
		ATA_CMD_WRITE_SECTORS_EXT, ATA_CMD_FLUSH_CACHE, ATA_CMD_IDENTIFY_DEVICE, 0x00,
	};

	out8(bus, command_base + ATA_REG_DEVICE,
	     ATA_DEVICE_OBSOLETE | ATA_DEVICE_LBA | (rng() % 2 ? ATA_DEVICE_DEV : 0));
	out8(bus, command_base + ATA_REG_COUNT, (uint8_t)(rng() % 4));
	out8(bus, command_base + ATA_REG_LBA_LOW, (uint8_t)(rng() % (DISK_SECTORS + 8)));
	out8(bus, command_base + ATA_REG_LBA_MID, (uint8_t)(rng() % 8 == 0 ? rng() : 0));
	out8(bus, command_base + ATA_REG_LBA_HIGH, 0);
	out8(bus, command_base + ATA_REG_COMMAND,
	     opcodes[rng() % (sizeof(opcodes) / sizeof(opcodes[0]))]);
}

static void irq_ignored(void *opaque, unsigned int line, int level)
{
	(void)opaque;
	(void)line;
	(void)level;
}

static bool file_has_data(const char *path)
{
	FILE *f = fopen(path, "rb");
	int c;
	bool found = false;

	while (f && !found && (c = fgetc(f)) != EOF)
		found = c != 0;
	if (f)
		fclose(f);
	return found;
}

static void ata_survives_random_port_traffic(void)
{
	static const uint16_t ports[] = {
		ATA_PRIMARY_COMMAND_BASE, ATA_PRIMARY_COMMAND_BASE + ATA_REG_COMMAND,
		ATA_PRIMARY_COMMAND_BASE + ATA_REG_DATA, ATA_PRIMARY_CONTROL_PORT,
		ATA_SECONDARY_COMMAND_BASE, ATA_SECONDARY_COMMAND_BASE + ATA_REG_COMMAND,
		ATA_SECONDARY_CONTROL_PORT,
	};
	char path[] = "/tmp/pvkit-hostile-XXXXXX";
	char err[256];
	struct io_bus bus = { .name = "pio" };
	struct stat st;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(ftruncate(fd, DISK_SECTORS * ATA_SECTOR_SIZE) == 0);
	close(fd);

	struct ata_controller *ctl = ata_controller_create(irq_ignored, NULL);

	CHECK(ctl != NULL);
	CHECK(ata_controller_add_disk(ctl, path, err, sizeof(err)));
	CHECK(ata_controller_add_disk(ctl, path, err, sizeof(err)));    /* a slave too */
	CHECK(ata_controller_register(ctl, &bus));
	rng_state = 0x5eed;
	for (int i = 0; i < HOSTILE_ACCESSES; i++) {
		random_access(&bus, ports, sizeof(ports) / sizeof(ports[0]));
		uint16_t channel = rng() % 2 ? ATA_PRIMARY_COMMAND_BASE :
					       ATA_SECONDARY_COMMAND_BASE;

		if (rng() % 256 == 0)
			plausible_command(&bus, channel);
		if (rng() % 64 == 0)
			data_burst(&bus, channel);
	}
	CHECK(ata_controller_sync(ctl) == 0);
	ata_controller_destroy(ctl);

	CHECK(stat(path, &st) == 0);
	CHECK_UINT(st.st_size, DISK_SECTORS * ATA_SECTOR_SIZE);    /* nothing past the end */
	/* The traffic did reach the write path: the zeroed image has data now. */
	CHECK(file_has_data(path));
	unlink(path);
}

static void count_byte(void *opaque, uint8_t byte)
{
	(void)byte;
	(*(unsigned long *)opaque)++;
}

static void uart_survives_random_port_traffic(void)
{
	static const uint16_t ports[] = { 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd };
	unsigned long transmitted = 0;
	struct uart_backend backend = { .transmit = count_byte, .opaque = &transmitted };
	struct uart16550 uart;
	struct io_bus bus = { .name = "pio" };

	uart_init(&uart, &backend);
	struct io_region region = uart_io_region(&uart, 0x3f8);

	CHECK(io_bus_add(&bus, &region));
	rng_state = 0xc0ffee;
	for (int i = 0; i < HOSTILE_ACCESSES; i++) {
		random_access(&bus, ports, sizeof(ports) / sizeof(ports[0]));
		if (rng() % 16 == 0)
			uart_receive(&uart, (uint8_t)rng());
	}
	CHECK(transmitted > 0);
	CHECK(uart.rx_count <= UART_RX_FIFO_SIZE);
	CHECK(uart.rx_head < UART_RX_FIFO_SIZE);
}

/* Random addresses through 0xcf8 and random data through 0xcfc-0xcff:
 * the host bridge's identity must survive, whatever the guest writes. */
static void pci_survives_random_config_traffic(void)
{
	static const uint16_t ports[] = { 0xcf8, 0xcfc, 0xcfd, 0xcfe, 0xcff };
	struct pci_host host;
	struct pci_function bridge, ide;
	struct io_bus bus = { .name = "pio" };

	pci_host_init(&host);
	pci_host_bridge_init(&bridge);
	pci_ide_init(&ide);
	CHECK(pci_host_add(&host, &bridge) && pci_host_add(&host, &ide));
	struct io_region region = pci_host_io_region(&host);

	CHECK(io_bus_add(&bus, &region));
	rng_state = 0xbeef;
	for (int i = 0; i < HOSTILE_ACCESSES; i++)
		random_access(&bus, ports, sizeof(ports) / sizeof(ports[0]));
	CHECK_UINT(bridge.config[0] | bridge.config[1] << 8, PCI_HOST_BRIDGE_VENDOR);
	CHECK_UINT(ide.config[2] | ide.config[3] << 8, PCI_IDE_DEVICE);
}

void hostile_tests(void)
{
	check_run("hostile.ata_survives_random_port_traffic", ata_survives_random_port_traffic);
	check_run("hostile.uart_survives_random_port_traffic", uart_survives_random_port_traffic);
	check_run("hostile.pci_survives_random_config_traffic",
		  pci_survives_random_config_traffic);
}
