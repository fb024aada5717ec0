/*
 * test_xen_pages.c — what pvkit-hv's Xen mode writes into guest pages:
 * the hypercall page's stubs (host/xen_hypercall_page.c), the pvclock
 * and wall clock (host/xen_time.c), and the console ring's backend side
 * (host/xen_console.c), including a ring whose indexes a hostile guest
 * has scribbled on.
 */
#include <string.h>

#include "host/xen_console.h"
#include "host/xen_hypercall_page.h"
#include "host/xen_time.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

static void hypercall_stubs(void)
{
	static uint8_t page[XEN_HYPERCALL_PAGE_SIZE];
	static const uint8_t stub17[] = { 0xb8, 17, 0, 0, 0, 0xe7, 0xe8, 0xc3, 0xcc };

	xen_hypercall_page_fill(page, 0xe8);
	CHECK(memcmp(page + 17 * XEN_HYPERCALL_STUB_SIZE, stub17, sizeof(stub17)) == 0);
	CHECK_UINT(page[127 * XEN_HYPERCALL_STUB_SIZE + 1], 127);
	CHECK_UINT(page[XEN_HYPERCALL_PAGE_SIZE - 1], 0xcc);
}

/* One second of ticks comes out as one second, for slow and fast TSCs:
 * within 1 ppm (mul is truncated to 32 bits). */
static void pvclock_scale_is_right(void)
{
	static const uint64_t rates[] = {
		1000000, 999999999, 1000000000, 1000000001, 2596126000, 3000000000, 10000000000,
	};

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint32_t mul;
		int8_t shift;

		xen_time_scale(rates[i], &mul, &shift);
		uint64_t ns = xen_time_ticks_to_ns(rates[i], mul, shift);

		CHECK(ns <= 1000000000 && ns >= 1000000000 - 1000);
		CHECK_UINT(xen_time_ticks_to_ns(0, mul, shift), 0);
	}
}

static void pvclock_publish_and_read(void)
{
	static struct shared_info s;
	struct xen_time t = { .tsc = 5000, .system_ns = 123456 };

	xen_time_scale(2000000000, &t.mul, &t.shift);
	s.vcpu_info[0].time.version = 6;
	xen_time_publish(&t, &s.vcpu_info[0].time);
	CHECK_UINT(s.vcpu_info[0].time.version, 8);     /* odd while written, even after */
	CHECK_UINT(s.vcpu_info[0].time.tsc_timestamp, 5000);
	CHECK_UINT(s.vcpu_info[0].time.system_time, 123456);
	CHECK_UINT(xen_time_system_ns(&t, 5000 + 2000), 123456 + 1000);   /* 2 GHz: exact */
	CHECK_UINT(xen_time_system_ns(&t, 10), 123456);        /* before the pair: not back */
	xen_time_publish_wallclock(&s, 1700000000ull * 1000000000ull + 500, 1000000500);
	CHECK_UINT(s.wc_version, 2);
	CHECK_UINT(s.wc_sec, 1699999999);
	CHECK_UINT(s.wc_nsec, 0);
}

static char out[8192];
static size_t out_len;

static void collect(void *opaque, uint8_t byte)
{
	(void)opaque;
	if (out_len < sizeof(out))
		out[out_len++] = (char)byte;
}

static void console_ring_drains_and_feeds(void)
{
	static struct xencons_interface ring;
	uint8_t input[2000];

	memset(&ring, 0, sizeof(ring));
	out_len = 0;
	/* Output that wraps around the end of the ring. */
	ring.out_cons = ring.out_prod = UINT32_MAX - 2;
	for (int i = 0; i < 5; i++)
		ring.out[MASK_XENCONS_IDX(ring.out_prod++, ring.out)] = (char)('a' + i);
	CHECK_UINT(xen_console_drain(&ring, collect, NULL), 5);
	CHECK(out_len == 5 && memcmp(out, "abcde", 5) == 0);
	CHECK_UINT(ring.out_cons, ring.out_prod);
	/* Input: as much as fits, the rest is left. */
	memset(input, 'x', sizeof(input));
	CHECK_UINT(xen_console_in_room(&ring), sizeof(ring.in));
	CHECK_UINT(xen_console_feed(&ring, input, sizeof(input)), sizeof(ring.in));
	CHECK_UINT(xen_console_in_room(&ring), 0);
	CHECK_UINT(xen_console_feed(&ring, input, 1), 0);
	ring.in_cons += 10;
	CHECK_UINT(xen_console_feed(&ring, input, sizeof(input)), 10);
}

/* Indexes that make no sense: nothing is read or written outside the
 * rings, and the backend resynchronises instead of replaying garbage. */
static void console_ring_survives_bad_indexes(void)
{
	static struct xencons_interface ring;
	uint8_t byte = 'y';

	memset(&ring, 0, sizeof(ring));
	out_len = 0;
	ring.out_prod = 0x7fffffff;
	CHECK_UINT(xen_console_drain(&ring, collect, NULL), 0);
	CHECK_UINT(out_len, 0);
	CHECK_UINT(ring.out_cons, 0x7fffffff);
	ring.in_cons = 5000;            /* the guest claims to have read more than we wrote */
	CHECK_UINT(xen_console_in_room(&ring), 0);
	CHECK_UINT(xen_console_feed(&ring, &byte, 1), 0);
}

void xen_pages_tests(void)
{
	check_run("xen_pages.hypercall_stubs", hypercall_stubs);
	check_run("xen_pages.pvclock_scale_is_right", pvclock_scale_is_right);
	check_run("xen_pages.pvclock_publish_and_read", pvclock_publish_and_read);
	check_run("xen_pages.console_ring_drains_and_feeds", console_ring_drains_and_feeds);
	check_run("xen_pages.console_ring_survives_bad_indexes", console_ring_survives_bad_indexes);
}
