/*
 * io.h — how emulated devices attach to the guest's I/O-port and MMIO
 * address spaces in pvkit-hv.
 *
 * A device describes each range it owns with a struct io_region; the vCPU
 * loop finds the region that owns the port or address of a VM exit and
 * calls its read or write function.  Offsets are relative to the region's
 * base; size is the access width in bytes (1, 2 or 4 for ports; up to 8
 * for MMIO).  A read returns the value in the low `size` bytes.
 */
#ifndef PVKIT_HOST_IO_H
#define PVKIT_HOST_IO_H

#include <stdbool.h>
#include <stdint.h>

struct io_region {
	const char *name;               /* device name, shown by --trace */
	uint64_t base;
	uint64_t length;
	void *opaque;                   /* the device's state, passed back */
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned int size);
	void (*write)(void *opaque, uint64_t offset, unsigned int size, uint64_t value);
};

#define IO_BUS_MAX_REGIONS 64

/* One address space: I/O ports, or guest-physical MMIO. */
struct io_bus {
	const char *name;               /* "pio" or "mmio" */
	struct io_region regions[IO_BUS_MAX_REGIONS];
	unsigned int count;
};

/* Adds a copy of region; false (and nothing added) if it overlaps another
 * region, has length 0, wraps around, or the bus is full. */
bool io_bus_add(struct io_bus *bus, const struct io_region *region);
/* The region containing addr, or NULL. */
const struct io_region *io_bus_find(const struct io_bus *bus, uint64_t addr);

#endif
