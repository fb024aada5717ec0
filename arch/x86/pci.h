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

/* Scan from bus 0 through every PCI-to-PCI bridge; returns how many devices. */
unsigned int pci_enumerate(void);
unsigned int pci_device_count(void);
const struct pci_device *pci_device_at(unsigned int index);
const char *pci_class_name(uint8_t class_code, uint8_t subclass);
void pci_report(void);

#endif
