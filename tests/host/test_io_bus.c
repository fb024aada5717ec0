/*
 * test_io_bus.c — the port/MMIO bus (host/io_bus.c) and how the run loop
 * dispatches accesses on it (host/vcpu.c), without KVM.
 */
#include <string.h>

#include "host/io.h"
#include "host/vcpu.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

static struct io_bus bus;

static struct io_region region(const char *name, uint64_t base, uint64_t length)
{
	return (struct io_region){ .name = name, .base = base, .length = length };
}

static void add(uint64_t base, uint64_t length)
{
	struct io_region r = region("r", base, length);

	CHECK(io_bus_add(&bus, &r));
}

static bool try_add(uint64_t base, uint64_t length)
{
	struct io_region r = region("new", base, length);

	return io_bus_add(&bus, &r);
}

static void overlaps_are_rejected(void)
{
	memset(&bus, 0, sizeof(bus));
	add(0x3f8, 8);
	CHECK(!try_add(0x3f8, 8));              /* the same */
	CHECK(!try_add(0x3f0, 9));              /* ends on its first port */
	CHECK(!try_add(0x3ff, 2));              /* starts on its last port */
	CHECK(!try_add(0x3fa, 1));              /* inside */
	CHECK(!try_add(0x300, 0x200));          /* around */
	CHECK(try_add(0x3f0, 8));               /* adjacent below */
	CHECK(try_add(0x400, 1));               /* adjacent above */
	CHECK_UINT(bus.count, 3);
}

static void bad_regions_are_rejected(void)
{
	memset(&bus, 0, sizeof(bus));
	CHECK(!try_add(0x10, 0));
	CHECK(!try_add(UINT64_MAX - 2, 4));     /* wraps */
	CHECK(try_add(UINT64_MAX - 3, 4));      /* ends exactly at the top */
	for (unsigned int i = 1; i < IO_BUS_MAX_REGIONS; i++)
		CHECK(try_add(i * 0x10, 0x10));
	CHECK_UINT(bus.count, IO_BUS_MAX_REGIONS);
	CHECK(!try_add(0x100000, 1));           /* full */
}

static void lookup_at_edges(void)
{
	memset(&bus, 0, sizeof(bus));
	add(0x1f0, 8);
	add(0x3f6, 1);
	CHECK(io_bus_find(&bus, 0x1ef) == NULL);
	CHECK_UINT(io_bus_find(&bus, 0x1f0)->base, 0x1f0);
	CHECK_UINT(io_bus_find(&bus, 0x1f7)->base, 0x1f0);
	CHECK(io_bus_find(&bus, 0x1f8) == NULL);
	CHECK_UINT(io_bus_find(&bus, 0x3f6)->base, 0x3f6);
	CHECK(io_bus_find(&bus, 0x3f5) == NULL);
	CHECK(io_bus_find(&bus, 0x3f7) == NULL);
	CHECK(io_bus_find(&bus, UINT64_MAX) == NULL);
}

/* A device that records its last access. */
static uint64_t last_offset, last_value;
static unsigned int last_size;

static uint64_t recorder_read(void *opaque, uint64_t offset, unsigned int size)
{
	(void)opaque;
	last_offset = offset;
	last_size = size;
	return 0x1122334455667788ull;           /* wider than asked: must be cut */
}

static void recorder_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value)
{
	(void)opaque;
	last_offset = offset;
	last_size = size;
	last_value = value;
}

static void dispatch_reads_and_writes(void)
{
	static struct vcpu_loop loop;
	static struct io_bus pio;
	struct stats stats;
	struct stop_request stop = { 0 };
	struct io_region dev = { .name = "rec", .base = 0x100, .length = 4,
				 .read = recorder_read, .write = recorder_write };

	memset(&pio, 0, sizeof(pio));
	stats_init(&stats, true);
	loop = (struct vcpu_loop){ .pio = &pio, .mmio = NULL, .stats = &stats, .stop = &stop };
	CHECK(io_bus_add(&pio, &dev));

	CHECK_UINT(vcpu_bus_read(&loop, &pio, 0x102, 2), 0x7788);
	CHECK_UINT(last_offset, 2);
	CHECK_UINT(last_size, 2);
	vcpu_bus_write(&loop, &pio, 0x101, 1, 0x1ab);
	CHECK_UINT(last_value, 0xab);           /* cut to the access size */
	/* Unassigned, or running off the end of a region: all-ones, ignored. */
	CHECK_UINT(vcpu_bus_read(&loop, &pio, 0x80, 1), 0xff);
	CHECK_UINT(vcpu_bus_read(&loop, &pio, 0x80, 4), 0xffffffffu);
	CHECK_UINT(vcpu_bus_read(&loop, &pio, 0x102, 4), 0xffffffffu);
	last_size = 0;
	vcpu_bus_write(&loop, &pio, 0x103, 2, 0);
	CHECK_UINT(last_size, 0);
	CHECK(!stop.requested);                 /* never fatal */
	CHECK_UINT(stats.device_count, 2);      /* "rec" and "(unassigned)" */
	CHECK_UINT(stats.devices[0].count, 2);
	CHECK_UINT(stats.devices[1].count, 4);
}

void io_bus_tests(void)
{
	check_run("io_bus.overlaps_are_rejected", overlaps_are_rejected);
	check_run("io_bus.bad_regions_are_rejected", bad_regions_are_rejected);
	check_run("io_bus.lookup_at_edges", lookup_at_edges);
	check_run("io_bus.dispatch_reads_and_writes", dispatch_reads_and_writes);
}
