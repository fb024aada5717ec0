/*
 * pci.c — PCI configuration access (mechanism #1) and bus enumeration.
 *
 * Writing (enable | bus | slot | function | register) to port 0xcf8 selects
 * a 32-bit configuration register, which port 0xcfc then reads or writes.
 * An absent function reads as all-ones.  Enumeration follows the buses the
 * bridges actually lead to, instead of probing all 256 buses: each probe is
 * two VM exits under a hypervisor.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/pci.h"
#include "kernel/console.h"
#include "kernel/platform.h"

#define PCI_CONFIG_ADDRESS      0xcf8
#define PCI_CONFIG_DATA         0xcfc
#define PCI_CONFIG_ENABLE       0x80000000u

/* Configuration header registers (PCI Local Bus Specification 3.0, 6.1). */
#define PCI_REG_ID              0x00    /* vendor (low), device (high) */
#define PCI_REG_CLASS           0x08    /* revision, prog-if, subclass, class */
#define PCI_REG_HEADER          0x0c    /* header type in bits 16-23 */
#define PCI_REG_BRIDGE_BUSES    0x18    /* primary, secondary, subordinate */
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_HEADER_TYPE_MASK    0x7f
#define PCI_HEADER_TYPE_BRIDGE  0x01
#define PCI_VENDOR_NONE         0xffff
#define PCI_SLOTS               32
#define PCI_FUNCTIONS           8

static struct pci_device devices[PCI_MAX_DEVICES];
static unsigned int device_count;
static unsigned int devices_dropped;

static uint32_t config_address(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset)
{
	return PCI_CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)slot << 11 |
	       (uint32_t)function << 8 | (offset & 0xfc);
}

uint32_t pci_config_read32(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset)
{
	outl(PCI_CONFIG_ADDRESS, config_address(bus, slot, function, offset));
	return inl(PCI_CONFIG_DATA);
}

void pci_config_write32(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset,
			uint32_t value)
{
	outl(PCI_CONFIG_ADDRESS, config_address(bus, slot, function, offset));
	outl(PCI_CONFIG_DATA, value);
}

/* Narrow accesses: the same dword is selected, and the byte lanes of the
 * data port (0xcfc-0xcff) pick the bytes within it. */
uint8_t pci_config_read8(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset)
{
	outl(PCI_CONFIG_ADDRESS, config_address(bus, slot, function, offset));
	return inb(PCI_CONFIG_DATA + (offset & 3));
}

uint16_t pci_config_read16(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset)
{
	outl(PCI_CONFIG_ADDRESS, config_address(bus, slot, function, offset));
	return inw(PCI_CONFIG_DATA + (offset & 2));
}

void pci_config_write16(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset,
			uint16_t value)
{
	outl(PCI_CONFIG_ADDRESS, config_address(bus, slot, function, offset));
	outw(PCI_CONFIG_DATA + (offset & 2), value);
}

/* The address register of mechanism #1 reads back what was written. */
bool pci_config_present(void)
{
	if (!platform->port_io)
		return false;   /* a Xen PV guest: no PCI, and in/out would fault */
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE);
	return inl(PCI_CONFIG_ADDRESS) == PCI_CONFIG_ENABLE;
}

static void scan_bus(uint8_t bus);

static void record_function(uint8_t bus, uint8_t slot, uint8_t function, uint32_t id)
{
	uint32_t class_reg = pci_config_read32(bus, slot, function, PCI_REG_CLASS);
	uint8_t header = pci_config_read32(bus, slot, function, PCI_REG_HEADER) >> 16;

	if (device_count == PCI_MAX_DEVICES) {
		devices_dropped++;
	} else {
		devices[device_count++] = (struct pci_device){
			.bus = bus, .slot = slot, .function = function,
			.vendor_id = id & 0xffff, .device_id = id >> 16,
			.class_code = class_reg >> 24, .subclass = class_reg >> 16,
			.prog_if = class_reg >> 8, .revision = class_reg,
			.header_type = header,
		};
	}
	if ((header & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE) {
		uint8_t secondary = pci_config_read32(bus, slot, function,
						      PCI_REG_BRIDGE_BUSES) >> 8;

		if (secondary > bus)    /* firmware numbered it; a loop is impossible */
			scan_bus(secondary);
	}
}

static void scan_slot(uint8_t bus, uint8_t slot)
{
	uint32_t id = pci_config_read32(bus, slot, 0, PCI_REG_ID);

	if ((id & 0xffff) == PCI_VENDOR_NONE)
		return;
	record_function(bus, slot, 0, id);

	uint8_t header = pci_config_read32(bus, slot, 0, PCI_REG_HEADER) >> 16;

	if (!(header & PCI_HEADER_MULTIFUNCTION))
		return;
	for (uint8_t function = 1; function < PCI_FUNCTIONS; function++) {
		id = pci_config_read32(bus, slot, function, PCI_REG_ID);
		if ((id & 0xffff) != PCI_VENDOR_NONE)
			record_function(bus, slot, function, id);
	}
}

static void scan_bus(uint8_t bus)
{
	for (uint8_t slot = 0; slot < PCI_SLOTS; slot++)
		scan_slot(bus, slot);
}

/* ---- capabilities and BARs (used by drivers such as pv/virtio/virtio_pci.c) ---- */
#define PCI_REG_STATUS          0x06
#define PCI_STATUS_CAP_LIST     0x0010  /* the capability pointer is valid */
#define PCI_REG_CAP_POINTER     0x34
#define PCI_REG_BAR0            0x10
#define PCI_BAR_IO              0x1
#define PCI_BAR_MEM_TYPE_MASK   0x6
#define PCI_BAR_MEM_TYPE_64     0x4
#define PCI_BAR_MEM_MASK        (~(uint64_t)0xf)
#define PCI_BAR_IO_MASK         (~(uint64_t)0x3)
#define PCI_COMMAND_IO          0x0001
#define PCI_CAPS_MAX            48      /* a corrupt list cannot loop us forever */

uint8_t pci_find_capability(const struct pci_device *d, uint8_t id, uint8_t after)
{
	uint8_t pos;

	if (!(pci_config_read16(d->bus, d->slot, d->function, PCI_REG_STATUS) &
	      PCI_STATUS_CAP_LIST))
		return 0;
	if (after)
		pos = pci_config_read8(d->bus, d->slot, d->function, after + 1);
	else
		pos = pci_config_read8(d->bus, d->slot, d->function, PCI_REG_CAP_POINTER);
	for (int steps = 0; pos >= 0x40 && steps < PCI_CAPS_MAX; steps++) {
		pos &= 0xfc;            /* the low two bits are reserved */
		if (pci_config_read8(d->bus, d->slot, d->function, pos) == id)
			return pos;
		pos = pci_config_read8(d->bus, d->slot, d->function, pos + 1);
	}
	return 0;
}

static uint8_t bar_offset(unsigned int index)
{
	return PCI_REG_BAR0 + 4 * index;
}

/* Sizing: write all-ones, read back which address bits stick, restore.
 * Decoding is turned off meanwhile, so that the device never answers at
 * the all-ones address (PCI 3.0, 6.2.5.1). */
bool pci_bar_read(const struct pci_device *d, unsigned int index, struct pci_bar *bar)
{
	if (index > 5)
		return false;
	uint8_t off = bar_offset(index);
	uint16_t command = pci_config_read16(d->bus, d->slot, d->function, PCI_REG_COMMAND);
	uint32_t low = pci_config_read32(d->bus, d->slot, d->function, off), high = 0;
	uint32_t low_mask, high_mask = 0xffffffffu;

	*bar = (struct pci_bar){ .io = low & PCI_BAR_IO };
	bar->is_64bit = !bar->io && (low & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64;
	if (bar->is_64bit && index == 5)
		return false;
	if (bar->is_64bit)
		high = pci_config_read32(d->bus, d->slot, d->function, off + 4);

	pci_config_write16(d->bus, d->slot, d->function, PCI_REG_COMMAND,
			   command & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
	pci_config_write32(d->bus, d->slot, d->function, off, 0xffffffffu);
	low_mask = pci_config_read32(d->bus, d->slot, d->function, off);
	pci_config_write32(d->bus, d->slot, d->function, off, low);
	if (bar->is_64bit) {
		pci_config_write32(d->bus, d->slot, d->function, off + 4, 0xffffffffu);
		high_mask = pci_config_read32(d->bus, d->slot, d->function, off + 4);
		pci_config_write32(d->bus, d->slot, d->function, off + 4, high);
	}
	pci_config_write16(d->bus, d->slot, d->function, PCI_REG_COMMAND, command);

	if (bar->io) {
		uint32_t mask = low_mask & (uint32_t)PCI_BAR_IO_MASK;

		if (!(mask & 0xffff0000u))      /* a 16-bit decoder: upper bits read 0 */
			mask |= 0xffff0000u;
		bar->address = low & (uint32_t)PCI_BAR_IO_MASK;
		bar->size = mask ? (uint32_t)(~mask + 1) : 0;
		return true;
	}
	uint64_t mask = ((uint64_t)high_mask << 32 | low_mask) & PCI_BAR_MEM_MASK;

	bar->address = ((uint64_t)high << 32 | low) & PCI_BAR_MEM_MASK;
	bar->size = (low_mask & PCI_BAR_MEM_MASK) || high_mask != 0xffffffffu ? ~mask + 1 : 0;
	return true;
}

void pci_bar_assign(const struct pci_device *d, unsigned int index, const struct pci_bar *bar,
		    uint64_t address)
{
	uint8_t off = bar_offset(index);
	uint32_t low = pci_config_read32(d->bus, d->slot, d->function, off);

	pci_config_write32(d->bus, d->slot, d->function, off,
			   (uint32_t)address | (low & 0xf));
	if (bar->is_64bit)
		pci_config_write32(d->bus, d->slot, d->function, off + 4,
				   (uint32_t)(address >> 32));
}

void pci_command_set(const struct pci_device *d, uint16_t bits)
{
	uint16_t command = pci_config_read16(d->bus, d->slot, d->function, PCI_REG_COMMAND);

	if ((command & bits) != bits)
		pci_config_write16(d->bus, d->slot, d->function, PCI_REG_COMMAND,
				   command | bits);
}

unsigned int pci_enumerate(void)
{
	device_count = 0;
	devices_dropped = 0;
	if (pci_config_present())
		scan_bus(0);
	return device_count;
}

unsigned int pci_device_count(void)
{
	return device_count;
}

const struct pci_device *pci_device_at(unsigned int index)
{
	return index < device_count ? &devices[index] : NULL;
}

const char *pci_class_name(uint8_t class_code, uint8_t subclass)
{
	switch (class_code << 8 | subclass) {
	case 0x0100: return "SCSI controller";
	case 0x0101: return "IDE controller";
	case 0x0106: return "SATA controller";
	case 0x0200: return "Ethernet controller";
	case 0x0300: return "VGA controller";
	case 0x0600: return "host bridge";
	case 0x0601: return "ISA bridge";
	case 0x0604: return "PCI bridge";
	case 0x0780: return "communication controller";
	case 0x0c05: return "SMBus controller";
	case 0x00ff: case 0xff00: return "unassigned class";
	}
	switch (class_code) {
	case 0x01: return "storage controller";
	case 0x02: return "network controller";
	case 0x03: return "display controller";
	case 0x06: return "bridge";
	case 0x0c: return "serial bus controller";
	}
	return "device";
}

void pci_report(void)
{
	if (!pci_config_present()) {
		printk("pci: no configuration mechanism #1 (no PCI host bridge)\n");
		return;
	}
	printk("pci: %u device%s\n", device_count, device_count == 1 ? "" : "s");
	for (unsigned int i = 0; i < device_count; i++) {
		const struct pci_device *d = &devices[i];

		printk("  %02x:%02x.%u %04x:%04x class %02x.%02x.%02x %s\n",
		       d->bus, d->slot, d->function, d->vendor_id, d->device_id,
		       d->class_code, d->subclass, d->prog_if,
		       pci_class_name(d->class_code, d->subclass));
	}
	if (devices_dropped)
		printk("  (%u more not recorded: table full)\n", devices_dropped);
}
