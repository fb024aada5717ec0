/*
 * pci.h — a PCI host bridge with configuration mechanism #1 (ports 0xcf8
 * and 0xcfc-0xcff) and a table of PCI functions, each with its own
 * 256-byte configuration space.
 *
 * A function is its configuration bytes plus a mask of the bits the guest
 * may change; everything else reads back as the device set it.  A device
 * that must react to configuration writes (virtio-pci moving its BAR or
 * enabling MSI-X) sets config_written; one whose configuration bytes must
 * be fresh when read sets config_before_read.  The model is pure: tests
 * drive it with pci_host_io_read/write without KVM.
 *
 * Memory BARs: a function may have 32-bit memory BARs with a handler.  The
 * host bridge decodes one memory window (host/layout.h) and passes each
 * access inside it to the function whose enabled BAR contains it, as a
 * real host bridge does; a BAR the guest moves outside the window is not
 * reachable.  Sizing works as on hardware, through the write masks: the
 * address bits below the BAR's size are read-only zeros.
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
#define PCI_NUM_BARS            6
#define PCI_BAR_UNMAPPED        UINT64_MAX      /* see pci_bar_address */

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
#define PCI_BAR0                0x10    /* BARn at PCI_BAR0 + 4 * n */
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_CAPABILITIES_POINTER 0x34
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_COMMAND_MEMORY_SPACE 0x0002
#define PCI_COMMAND_BUS_MASTER  0x0004

/* The functions pvkit-hv offers. */
#define PCI_HOST_BRIDGE_VENDOR  0x8086  /* Intel */
#define PCI_HOST_BRIDGE_DEVICE  0x29c0  /* 82G33 DRAM controller, as QEMU's q35 */
#define PCI_IDE_VENDOR          0x8086  /* Intel */
#define PCI_IDE_DEVICE          0x7010  /* PIIX3 IDE, as QEMU's pc machine */
#define PCI_IDE_SLOT            1

/* A 32-bit memory BAR: its size (a power of two, at least 16; 0: none)
 * and who handles accesses (offsets are from the BAR's start). */
struct pci_bar {
	uint64_t size;
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned int size);
	void (*write)(void *opaque, uint64_t offset, unsigned int size, uint64_t value);
	void *opaque;
};

struct pci_function {
	const char *name;
	uint8_t slot, function;                 /* on bus 0 */
	uint8_t config[PCI_CONFIG_SPACE_SIZE];
	uint8_t writable[PCI_CONFIG_SPACE_SIZE];        /* bits the guest may change */
	void (*config_written)(struct pci_function *fn, unsigned int offset, unsigned int size);
	void (*config_before_read)(struct pci_function *fn, unsigned int offset,
				   unsigned int size);
	struct pci_bar bars[PCI_NUM_BARS];
	void *opaque;
};

struct pci_host {
	uint32_t address;                       /* what the guest wrote to 0xcf8 */
	struct pci_function *functions[PCI_HOST_MAX_FUNCTIONS];
	unsigned int count;
	uint64_t window_base, window_size;      /* the memory window for BARs */
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

/* Gives fn a 32-bit non-prefetchable memory BAR at index, placed at
 * address (as firmware would), with its handlers. */
void pci_function_set_memory_bar(struct pci_function *fn, unsigned int index,
				 uint64_t size, uint32_t address, const struct pci_bar *handlers);
/* Where BAR index of fn decodes now: its address, or PCI_BAR_UNMAPPED when
 * the function's memory decoding is off or the BAR lies (partly) outside
 * the host's window. */
uint64_t pci_bar_address(const struct pci_host *host, const struct pci_function *fn,
			 unsigned int index);

/* 00:00.0, the host bridge; and the IDE controller in legacy mode. */
void pci_host_bridge_init(struct pci_function *fn);
void pci_ide_init(struct pci_function *fn);

/* The 0xcf8-0xcff ports: offsets 0-3 the address register (32-bit
 * accesses only), 4-7 the data window. */
uint64_t pci_host_io_read(void *opaque, uint64_t offset, unsigned int size);
void pci_host_io_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value);
struct io_region pci_host_io_region(struct pci_host *host);

/* The memory window [base, base + size) on the MMIO bus, dispatched to
 * BARs; an address no BAR claims reads as all-ones. */
void pci_host_set_window(struct pci_host *host, uint64_t base, uint64_t size);
uint64_t pci_host_memory_read(void *opaque, uint64_t offset, unsigned int size);
void pci_host_memory_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value);
struct io_region pci_host_memory_region(struct pci_host *host);

#endif
