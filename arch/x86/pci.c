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

/* The address register of mechanism #1 reads back what was written. */
bool pci_config_present(void)
{
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
