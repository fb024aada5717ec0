/*
 * pci.h — PCI configuration space and the devices found on the buses.
 */
#ifndef PVKIT_ARCH_X86_PCI_H
#define PVKIT_ARCH_X86_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_DEVICES 64

struct pci_device {
	uint8_t bus, slot, function;
	uint16_t vendor_id, device_id;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type;
};

/* Config mechanism #1 (ports 0xcf8/0xcfc): is there a host bridge? */
bool pci_config_present(void);
uint32_t pci_config_read32(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset);
void pci_config_write32(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset,
			uint32_t value);

uint8_t pci_config_read8(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset);
uint16_t pci_config_read16(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset);
void pci_config_write16(uint8_t bus, uint8_t slot, uint8_t function, uint8_t offset,
			uint16_t value);

/* Command register bits (PCI 3.0, 6.2.2) and the capability IDs we use. */
#define PCI_REG_COMMAND         0x04
#define PCI_COMMAND_MEMORY      0x0002  /* decode the memory BARs */
#define PCI_COMMAND_MASTER      0x0004  /* may DMA (bus mastering) */
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_REG_INTERRUPT_LINE  0x3c
#define PCI_REG_INTERRUPT_PIN   0x3d    /* 1 = INTA# .. 4 = INTD#, 0 = none */
#define PCI_CAP_ID_VENDOR       0x09
#define PCI_CAP_ID_MSIX         0x11

/* Offset of the next capability with this ID after `after` (0: from the
 * start of the list); 0 when there is none. */
uint8_t pci_find_capability(const struct pci_device *d, uint8_t id, uint8_t after);

/* One base address register, decoded and sized. */
struct pci_bar {
	uint64_t address;       /* 0: not assigned by the firmware */
	uint64_t size;          /* 0: the BAR is not implemented */
	bool io;                /* an I/O-port BAR */
	bool is_64bit;          /* takes this BAR and the next */
};

/* Reads BAR `index` (0-5) and sizes it (memory decode is off meanwhile). */
bool pci_bar_read(const struct pci_device *d, unsigned int index, struct pci_bar *bar);
/* Programs a memory BAR with a new address. */
void pci_bar_assign(const struct pci_device *d, unsigned int index, const struct pci_bar *bar,
		    uint64_t address);
/* Turns bits on in the command register. */
void pci_command_set(const struct pci_device *d, uint16_t bits);

/* Scan from bus 0 through every PCI-to-PCI bridge; returns how many devices. */
unsigned int pci_enumerate(void);
unsigned int pci_device_count(void);
const struct pci_device *pci_device_at(unsigned int index);
const char *pci_class_name(uint8_t class_code, uint8_t subclass);
void pci_report(void);

#endif
