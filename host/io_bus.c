/*
 * io_bus.c — the I/O-port and MMIO address spaces of pvkit-hv (host/io.h).
 *
 * A bus is a short unsorted array of regions.  A PC has a few dozen port
 * ranges at most, so a linear search is both the simplest and, at this
 * size, as fast as anything cleverer; one VM exit costs far more.
 */
#include <stddef.h>

#include "host/io.h"

/* Last address of a region; length > 0 and no wrap-around are checked
 * before it is used. */
static uint64_t region_last(const struct io_region *r)
{
	return r->base + (r->length - 1);
}

static bool regions_overlap(const struct io_region *a, const struct io_region *b)
{
	return a->base <= region_last(b) && b->base <= region_last(a);
}

bool io_bus_add(struct io_bus *bus, const struct io_region *region)
{
	if (region->length == 0 || region->base + (region->length - 1) < region->base)
		return false;
	if (bus->count == IO_BUS_MAX_REGIONS)
		return false;
	for (unsigned int i = 0; i < bus->count; i++)
		if (regions_overlap(&bus->regions[i], region))
			return false;
	bus->regions[bus->count++] = *region;
	return true;
}

const struct io_region *io_bus_find(const struct io_bus *bus, uint64_t addr)
{
	for (unsigned int i = 0; i < bus->count; i++) {
		const struct io_region *r = &bus->regions[i];

		if (addr >= r->base && addr - r->base < r->length)
			return r;
	}
	return NULL;
}
