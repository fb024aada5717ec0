/*
 * test_pci.c — configuration mechanism #1 and the function table
 * (host/pci.c), through the same port handlers the guest reaches.
 */
#include <string.h>

#include "host/pci.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

static struct pci_host host;
static struct pci_function bridge, ide;

/* Port offsets inside the 0xcf8-0xcff region. */
#define ADDRESS 0
#define DATA    4

static uint32_t address_of(unsigned int bus, unsigned int slot, unsigned int fn,
			   unsigned int reg)
{
	return 0x80000000u | bus << 16 | slot << 11 | fn << 8 | reg;
}

static uint64_t config_read(unsigned int slot, unsigned int fn, unsigned int reg,
			    unsigned int size)
{
	pci_host_io_write(&host, ADDRESS, 4, address_of(0, slot, fn, reg & 0xfc));
	return pci_host_io_read(&host, DATA + (reg & 3), size);
}

static void config_write(unsigned int slot, unsigned int fn, unsigned int reg,
			 unsigned int size, uint32_t value)
{
	pci_host_io_write(&host, ADDRESS, 4, address_of(0, slot, fn, reg & 0xfc));
	pci_host_io_write(&host, DATA + (reg & 3), size, value);
}

static void setup(bool with_ide)
{
	pci_host_init(&host);
	pci_host_bridge_init(&bridge);
	CHECK(pci_host_add(&host, &bridge));
	if (with_ide) {
		pci_ide_init(&ide);
		CHECK(pci_host_add(&host, &ide));
	}
}

static void address_register(void)
{
	setup(false);
	pci_host_io_write(&host, ADDRESS, 4, 0xffffffff);
	CHECK_UINT(pci_host_io_read(&host, ADDRESS, 4), 0x80fffffc);    /* reserved bits 0 */
	pci_host_io_write(&host, ADDRESS, 1, 0);        /* only dword accesses hit it */
	pci_host_io_write(&host, ADDRESS + 1, 2, 0);
	CHECK_UINT(pci_host_io_read(&host, ADDRESS, 4), 0x80fffffc);
	CHECK_UINT(pci_host_io_read(&host, ADDRESS, 2), 0xffff);
}

static void host_bridge_identity(void)
{
	setup(false);
	CHECK_UINT(config_read(0, 0, 0x00, 4), 0x29c08086);
	CHECK_UINT(config_read(0, 0, 0x08, 4), 0x06000000);    /* class 06.00.00, rev 0 */
	CHECK_UINT(config_read(0, 0, 0x0c, 4), 0);              /* header type 0 */
	CHECK_UINT(config_read(0, 0, 0x02, 2), 0x29c0);         /* word at offset 2 */
	CHECK_UINT(config_read(0, 0, 0x01, 1), 0x80);           /* byte at offset 1 */
	CHECK_UINT(config_read(0, 0, 0x0b, 1), 0x06);
	CHECK_UINT(config_read(0, 0, 0xfc, 4), 0);              /* last register */
}

static void absent_functions_read_all_ones(void)
{
	setup(false);
	CHECK_UINT(config_read(1, 0, 0, 4), 0xffffffffu);       /* no IDE without disks */
	CHECK_UINT(config_read(0, 1, 0, 4), 0xffffffffu);
	CHECK_UINT(config_read(31, 7, 0, 2), 0xffff);
	pci_host_io_write(&host, ADDRESS, 4, address_of(1, 0, 0, 0));  /* bus 1 */
	CHECK_UINT(pci_host_io_read(&host, DATA, 4), 0xffffffffu);
	pci_host_io_write(&host, ADDRESS, 4, 0);                       /* not enabled */
	CHECK_UINT(pci_host_io_read(&host, DATA, 4), 0xffffffffu);
	config_write(5, 0, 0x3c, 1, 0x12);                              /* goes nowhere */
}

static void read_only_fields_ignore_writes(void)
{
	setup(false);
	config_write(0, 0, 0x00, 4, 0x12345678);
	CHECK_UINT(config_read(0, 0, 0x00, 4), 0x29c08086);
	config_write(0, 0, 0x08, 4, 0xffffffff);
	CHECK_UINT(config_read(0, 0, 0x08, 4), 0x06000000);
	config_write(0, 0, 0x04, 4, 0xffffffff);                /* command + status */
	CHECK_UINT(config_read(0, 0, 0x04, 4), 0x00000007);     /* I/O, memory, bus master */
	config_write(0, 0, 0x3c, 1, 0x0b);                      /* interrupt line: scratch */
	CHECK_UINT(config_read(0, 0, 0x3c, 1), 0x0b);
	config_write(0, 0, 0x3d, 1, 0x01);                      /* interrupt pin: read-only */
	CHECK_UINT(config_read(0, 0, 0x3d, 1), 0);
}

static void ide_function(void)
{
	setup(true);
	CHECK_UINT(config_read(1, 0, 0x00, 4), 0x70108086);
	CHECK_UINT(config_read(1, 0, 0x08, 4), 0x01018000);     /* IDE, legacy ports */
	CHECK_UINT(config_read(1, 0, 0x04, 2), 0x0001);         /* I/O decoding on */
	CHECK_UINT(config_read(1, 0, 0x10, 4), 0);              /* no BARs in legacy mode */
	CHECK_UINT(config_read(1, 0, 0x20, 4), 0);
	CHECK_UINT(config_read(1, 0, 0x3c, 1), 14);
	CHECK(!pci_host_add(&host, &ide));                      /* slot taken */
}

static unsigned int written_offset, written_size;

static void note_write(struct pci_function *fn, unsigned int offset, unsigned int size)
{
	(void)fn;
	written_offset = offset;
	written_size = size;
}

static void functions_and_hooks(void)
{
	static struct pci_function extra;

	setup(false);
	pci_function_init(&extra, "extra", 0, 3, 0x1af4, 0x1042, 0x01, 0x80, 0);
	extra.config_written = note_write;
	CHECK_UINT(config_read(0, 0, 0x0e, 1), 0);
	CHECK(pci_host_add(&host, &extra));
	CHECK_UINT(config_read(0, 0, 0x0e, 1), PCI_HEADER_MULTIFUNCTION);
	CHECK_UINT(config_read(0, 3, 0, 4), 0x10421af4);
	config_write(0, 3, 0x0d, 1, 0x40);
	CHECK_UINT(written_offset, 0x0d);
	CHECK_UINT(written_size, 1);
}

void pci_tests(void)
{
	check_run("pci.address_register", address_register);
	check_run("pci.host_bridge_identity", host_bridge_identity);
	check_run("pci.absent_functions_read_all_ones", absent_functions_read_all_ones);
	check_run("pci.read_only_fields_ignore_writes", read_only_fields_ignore_writes);
	check_run("pci.ide_function", ide_function);
	check_run("pci.functions_and_hooks", functions_and_hooks);
}
