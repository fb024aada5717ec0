/*
 * pci.h — a PCI host bridge with configuration mechanism #1 (ports 0xcf8
 * and 0xcfc-0xcff) and a table of PCI functions, each with its own
 * 256-byte configuration space.
 *
 * A function is its configuration bytes plus a mask of the bits the guest
 * may change; everything else reads back as the device set it.  A device
 * that must react to configuration writes (a future virtio-pci device
 * mapping its BARs) sets config_written.  The model is pure: tests drive
 * it with pci_host_io_read/write without KVM.
 */
#ifndef PVKIT_HOST_PCI_H
#define PVKIT_HOST_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "host/io.h"

#define PCI_CONFIG_ADDRESS_PORT 0xcf8
#define PCI_CONFIG_DATA_PORT    0xcfc
#define PCI_HOST_PORT_COUNT     8       /* 0xcf8-0xcff */
#define PCI_CONFIG_SPACE_SIZE   256
#define PCI_HOST_MAX_FUNCTIONS  32

/* Configuration header offsets (PCI Local Bus Specification 3.0, 6.1). */
#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define PCI_STATUS              0x06
#define PCI_REVISION_ID         0x08
#define PCI_PROG_IF             0x09
#define PCI_SUBCLASS            0x0a
#define PCI_CLASS               0x0b
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d
#define PCI_HEADER_MULTIFUNCTION 0x80

/* The functions pvkit-hv offers. */
#define PCI_HOST_BRIDGE_VENDOR  0x8086  /* Intel */
#define PCI_HOST_BRIDGE_DEVICE  0x29c0  /* 82G33 DRAM controller, as QEMU's q35 */
#define PCI_IDE_VENDOR          0x8086  /* Intel */
#define PCI_IDE_DEVICE          0x7010  /* PIIX3 IDE, as QEMU's pc machine */
#define PCI_IDE_SLOT            1

struct pci_function {
	const char *name;
	uint8_t slot, function;                 /* on bus 0 */
	uint8_t config[PCI_CONFIG_SPACE_SIZE];
	uint8_t writable[PCI_CONFIG_SPACE_SIZE];        /* bits the guest may change */
	void (*config_written)(struct pci_function *fn, unsigned int offset, unsigned int size);
	void *opaque;
};

struct pci_host {
	uint32_t address;                       /* what the guest wrote to 0xcf8 */
	struct pci_function *functions[PCI_HOST_MAX_FUNCTIONS];
	unsigned int count;
};

void pci_host_init(struct pci_host *host);
/* Adds fn (the caller keeps it alive); false if its slot and function are
 * taken or the table is full. */
bool pci_host_add(struct pci_host *host, struct pci_function *fn);

/* A function with a type-0 header and the identity given; every field
 * read-only except the command register's I/O, memory and bus-master
 * bits, cache line size, latency timer and interrupt line. */
void pci_function_init(struct pci_function *fn, const char *name, uint8_t slot,
		       uint8_t function, uint16_t vendor, uint16_t device,
		       uint8_t class_code, uint8_t subclass, uint8_t prog_if);

/* 00:00.0, the host bridge; and the IDE controller in legacy mode. */
void pci_host_bridge_init(struct pci_function *fn);
void pci_ide_init(struct pci_function *fn);

/* The 0xcf8-0xcff ports: offsets 0-3 the address register (32-bit
 * accesses only), 4-7 the data window. */
uint64_t pci_host_io_read(void *opaque, uint64_t offset, unsigned int size);
void pci_host_io_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value);
struct io_region pci_host_io_region(struct pci_host *host);

#endif
