/*
 * test_xen.c — the Xen basics, checked from inside a Xen domU (PVH): the
 * hypercall page and typed hypercalls, errors by name, shared_info and its
 * clock, the PV console ring and its event channel.  Every test skips when
 * we are not running on Xen (QEMU, KVM, pvkit-hv).  The real-Xen host of
 * the harness (scripts/xen-lab.sh, host xen-pvh) runs them; docs/xen.md.
 */
#include <xen/arch-x86/cpuid.h>

#include "arch/x86/cpu.h"
#include "arch/x86/hypervisor.h"
#include "kernel/console.h"
#include "kernel/platform.h"
#include "kernel/test.h"
#include "kernel/timer.h"
#include "lib/string.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_clock.h"
#include "pv/xen/xen_console.h"
#include "tests/guest/xen_test.h"

#define EXPECTED_MAJOR          4
#define EXPECTED_MINOR          17
/* No hypercall has this number (xen.h defines 0-42 and 48-55). */
#define UNUSED_HYPERCALL        63
/* 2020-01-01 and 2100-01-01, seconds since the epoch: a sane wall clock. */
#define WALLCLOCK_MIN_S         UINT64_C(1577836800)
#define WALLCLOCK_MAX_S         UINT64_C(4102444800)
#define TSC_LEAF                3       /* Xen's CPUID base + 3: time */
#define MEASURE_NS              (20 * NSEC_PER_MSEC)

TEST(xen, hypercall_page_filled_and_version_is_4_17)
{
	SKIP_UNLESS_XEN();
	/* Xen replaced our int3 filler with stubs ("mov $0, %eax" first). */
	CHECK(xen_hypercall_page[0] != 0xcc);
	long version = xen_version_op(XENVER_version, NULL);

	CHECK_EQ(version >> 16, EXPECTED_MAJOR);
	CHECK_EQ(version & 0xffff, EXPECTED_MINOR);
	/* The hypercall and CPUID agree. */
	CHECK_EQ(xen_info()->major, EXPECTED_MAJOR);
	CHECK_EQ(xen_info()->minor, EXPECTED_MINOR);
}

TEST(xen, unknown_hypercall_is_enosys_by_name)
{
	SKIP_UNLESS_XEN();
	long rc = xen_hypercall(UNUSED_HYPERCALL, 0, 0, 0, 0, 0);

	CHECK_EQ(rc, -XEN_ENOSYS);
	CHECK(strcmp(xen_error_name(rc), "ENOSYS") == 0);
}

TEST(xen, bad_arguments_come_back_as_named_errors)
{
	uint64_t value;

	SKIP_UNLESS_XEN();
	/* A parameter index past the last one. */
	long rc = xen_hvm_get_param(HVM_NR_PARAMS, &value);

	CHECK_EQ(rc, -XEN_EINVAL);
	CHECK(strcmp(xen_error_name(rc), "EINVAL") == 0);
	/* An event-channel port we never allocated. */
	rc = xen_evtchn_send(4000);
	CHECK(strcmp(xen_error_name(rc), "EINVAL") == 0);
	CHECK(strcmp(xen_error_name(-XEN_EAGAIN), "EAGAIN") == 0);
	CHECK(strcmp(xen_error_name(0), "OK") == 0);
}

/* Xen's own console: a domU may be refused it (this Debian build does). */
TEST(xen, console_io_is_refused_or_works)
{
	static const char line[] = "pvkit: test line through CONSOLEIO_write\n";

	SKIP_UNLESS_XEN();
	long rc = xen_console_io(CONSOLEIO_write, sizeof(line) - 1, line);

	if (rc != 0)
		CHECK(strcmp(xen_error_name(rc), "EPERM") == 0);
}

TEST(xen, shared_info_mapped_with_sane_times)
{
	SKIP_UNLESS_XEN();
	const struct shared_info *s = xen_info()->shared_info;

	CHECK(s != NULL);
	const volatile struct vcpu_time_info *time = &s->vcpu_info[0].time;
	uint32_t version = time->version;

	if (version & 1)        /* Xen was updating it just then: look again */
		version = time->version;
	CHECK_EQ(version & 1, 0);
	CHECK(time->tsc_to_system_mul != 0);
	CHECK(time->system_time > 0);
	/* Wall clock = the time at Xen's system time 0, plus system time. */
	uint64_t boot_s = s->wc_sec | (uint64_t)s->xen_wc_sec_hi << 32;
	uint64_t now_s = boot_s + xen_clock_read_ns() / NSEC_PER_SEC;

	CHECK_EQ(s->wc_version & 1, 0);
	CHECK(now_s > WALLCLOCK_MIN_S);
	CHECK(now_s < WALLCLOCK_MAX_S);
}

/*
 * Xen's clock against the TSC, whose rate Xen states separately in CPUID
 * (leaf base + 3, sub-leaf 0, ECX: guest TSC kHz).  On hardware the two
 * agree to parts per million.  In the lab, Xen runs under QEMU TCG: its
 * system time is corrected from its platform timer while the TSC is
 * emulated, and over 20 ms they were seen ~50% apart.  So the check is
 * for a plausible rate (within a factor of two), which still catches a
 * wrong scale or shift in the pvclock formula.
 */
TEST(xen, pvclock_advances_and_agrees_with_tsc)
{
	SKIP_UNLESS_XEN();
	if (xen_info()->pv)
		SKIP("Xen's CPUID leaves (the TSC rate) are not visible to a PV guest");
	CHECK(xen_clock_available());
	uint64_t tsc_khz = cpuid(xen_info()->cpuid_base + TSC_LEAF, 0).ecx;

	CHECK(tsc_khz != 0);
	uint64_t platform0 = platform->now_ns();
	uint64_t ns0 = xen_clock_read_ns(), tsc0 = rdtsc(), ns1, tsc1;

	do {
		ns1 = xen_clock_read_ns();
		tsc1 = rdtsc();
		CHECK(ns1 >= ns0);
	} while (ns1 - ns0 < MEASURE_NS);
	uint64_t by_platform = platform->now_ns() - platform0;
	uint64_t by_tsc = (tsc1 - tsc0) * 1000000 / tsc_khz;
	uint64_t by_clock = ns1 - ns0;

	if (by_tsc >= 2 * by_clock || by_clock >= 2 * by_tsc)
		test_fail(t, __FILE__, __LINE__, "pvclock %lu ns, TSC at %lu kHz %lu ns",
			  by_clock, tsc_khz, by_tsc);
	/* The platform clock is this clock (arch/x86/time_native.c), so it saw
	 * the same interval, plus the reads around the loop, which a preempted
	 * vCPU (Xen itself runs under QEMU TCG in the lab) can stretch: at
	 * least as long, and not twice as long.  (Comparing TSC rates instead
	 * would be flaky: Xen rescales vcpu_time_info as it recalibrates.) */
	CHECK(by_platform >= by_clock && by_platform < 2 * by_clock);
}

/* printk reaches the ring, and the backend (xenconsoled) reads it. */
TEST(xen, console_ring_is_drained_by_the_backend)
{
	static const char marker[] = "xen: this line went out through the PV console ring\n";

	SKIP_UNLESS_XEN();
	volatile struct xencons_interface *ring = xen_console_ring();

	CHECK(ring != NULL);
	uint32_t before = ring->out_prod;

	printk("%s", marker);
	/* One more byte per line: "\n" leaves as "\r\n". */
	CHECK_EQ(ring->out_prod - before, sizeof(marker));
	CHECK_EQ(ring->out[MASK_XENCONS_IDX(before, ring->out)], 'x');
	xen_console_flush();
	CHECK_EQ(ring->out_cons, ring->out_prod);
}

TEST(xen, console_event_channel_is_bound_to_dom0)
{
	SKIP_UNLESS_XEN();
	struct evtchn_status status = { .dom = DOMID_SELF, .port = xen_console_port() };

	CHECK_EQ(xen_event_channel_op(EVTCHNOP_status, &status), 0);
	CHECK_EQ(status.status, EVTCHNSTAT_interdomain);
	CHECK_EQ(status.u.interdomain.dom, 0);
	CHECK_EQ(xen_evtchn_send(xen_console_port()), 0);
}
