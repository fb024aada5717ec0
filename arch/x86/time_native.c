/*
 * time_native.c — time on a (virtualized) PC: a clock and a one-shot timer.
 *
 * Clock, best first: kvmclock when KVM offers it, or Xen's pvclock (the
 * hypervisor tells us how to scale the TSC); otherwise the TSC, whose
 * frequency comes from CPUID leaf 0x15, from the hypervisor timing leaf 0x40000010, or from
 * measuring it against the PIT.
 * Timer: the LAPIC in TSC-deadline mode when the CPU has it (we write the
 * TSC value to fire at); otherwise the LAPIC's own count-down, whose rate
 * we measure against the clock.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/hypervisor.h"
#include "arch/x86/kvmclock.h"
#include "arch/x86/lapic.h"
#include "arch/x86/pit.h"
#include "arch/x86/time_native.h"
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/timer.h"
#include "pv/xen/xen_clock.h"

#define CPUID_TSC_LEAF          0x15
#define HV_TIMING_LEAF_OFFSET   0x10    /* 0x40000010: EAX = TSC kHz */
#define LAPIC_CALIBRATION_NS    2000000ull      /* see measure_lapic_timer_hz */
#define LAPIC_TIMER_DIVIDER     16

static const char *clock_source;
static bool use_kvmclock;
static bool use_xen_clock;
static const char *tsc_hz_source;
static bool use_tsc_deadline;
static uint64_t tsc_hz;
static uint64_t lapic_timer_hz;
static uint64_t boot_clock_ns;  /* clock reading at init: "since boot" */

/* a * b / c without overflowing 64 bits in the product. */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 product = (unsigned __int128)a * b;
	uint64_t hi = (uint64_t)(product >> 64), lo = (uint64_t)product, q;

	if (hi >= c)
		return UINT64_MAX;      /* would not fit: saturate */
	__asm__("divq %3" : "=a"(q), "=d"(hi) : "a"(lo), "r"(c), "d"(hi));
	return q;
}

static uint64_t tsc_hz_from_cpuid(void)
{
	const struct hypervisor_info *hv = hypervisor();

	if (cpuid(0, 0).eax >= CPUID_TSC_LEAF) {
		struct cpuid_regs r = cpuid(CPUID_TSC_LEAF, 0);

		if (r.eax && r.ebx && r.ecx) {
			tsc_hz_source = "CPUID 0x15";
			return (uint64_t)r.ecx * r.ebx / r.eax;
		}
	}
	if (hv->kind != HV_NONE && hv->max_leaf >= hv->base_leaf + HV_TIMING_LEAF_OFFSET) {
		uint32_t khz = cpuid(hv->base_leaf + HV_TIMING_LEAF_OFFSET, 0).eax;

		if (khz) {
			tsc_hz_source = "hypervisor CPUID 0x40000010";
			return (uint64_t)khz * 1000;
		}
	}
	return 0;
}

static uint64_t clock_raw_ns(void)
{
	if (use_kvmclock)
		return kvmclock_read_ns();
	if (use_xen_clock)
		return xen_clock_read_ns();
	return mul_div(rdtsc(), NSEC_PER_SEC, tsc_hz);
}

static void choose_clock(void)
{
	use_kvmclock = kvmclock_init();
	if (use_kvmclock) {
		clock_source = "kvmclock";
		tsc_hz = kvmclock_tsc_hz();
		tsc_hz_source = "kvmclock scale";
		return;
	}
	/* Xen: shared_info is mapped by now (pv/xen/xen_setup.c, at entry). */
	use_xen_clock = xen_clock_available();
	if (use_xen_clock) {
		clock_source = "Xen pvclock";
		tsc_hz = xen_clock_tsc_hz();
		tsc_hz_source = "Xen pvclock scale";
		return;
	}
	clock_source = "TSC";
	tsc_hz = tsc_hz_from_cpuid();
	if (!tsc_hz) {
		tsc_hz = pit_measure_tsc_hz();
		tsc_hz_source = "measured against the PIT";
	}
	if (!tsc_hz)
		panic("time: cannot find the TSC frequency (no CPUID leaf, no PIT)");
}

/* Let the LAPIC timer count down for a known time and see how far it got.
 * 2 ms keeps boot short; the error (a few microseconds of clock-reading
 * latency) only makes timers fire slightly late or early, and
 * kernel/timer.c re-arms a timer that fired early. */
static uint64_t measure_lapic_timer_hz(void)
{
	uint64_t end = clock_raw_ns() + LAPIC_CALIBRATION_NS;

	lapic_timer_oneshot(UINT32_MAX);
	while (clock_raw_ns() < end)
		cpu_relax();
	uint32_t ticks = UINT32_MAX - lapic_timer_current_count();

	lapic_timer_stop();
	return mul_div(ticks, NSEC_PER_SEC, LAPIC_CALIBRATION_NS);
}

static void timer_vector_handler(void *arg)
{
	(void)arg;
	timer_interrupt();
}

void time_native_init(void)
{
	choose_clock();
	boot_clock_ns = clock_raw_ns();

	use_tsc_deadline = cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE;
	lapic_timer_use_tsc_deadline(use_tsc_deadline);
	if (!use_tsc_deadline) {
		lapic_timer_hz = measure_lapic_timer_hz();
		if (!lapic_timer_hz)
			panic("time: the LAPIC timer does not count");
	}
	irq_register(LAPIC_TIMER_VECTOR, timer_vector_handler, NULL);
}

uint64_t time_native_now_ns(void)
{
	return clock_raw_ns() - boot_clock_ns;
}

uint64_t time_native_tsc_hz(void)
{
	return tsc_hz;
}

void time_native_set_timer(uint64_t deadline_ns)
{
	if (deadline_ns == 0) {
		lapic_timer_stop();
		return;
	}
	uint64_t now = time_native_now_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;

	if (use_tsc_deadline) {
		lapic_timer_tsc_deadline(rdtsc() + mul_div(delta, tsc_hz, NSEC_PER_SEC) + 1);
		return;
	}
	/* A count that does not fit fires early; kernel/timer.c re-arms. */
	uint64_t count = mul_div(delta, lapic_timer_hz, NSEC_PER_SEC);

	lapic_timer_oneshot(count == 0 ? 1 : count > UINT32_MAX ? UINT32_MAX : (uint32_t)count);
}

void time_native_report(void)
{
	printk("time: clock %s, TSC %lu.%03lu MHz (%s)\n", clock_source,
	       tsc_hz / 1000000, tsc_hz / 1000 % 1000, tsc_hz_source);
	if (use_tsc_deadline)
		printk("time: timer LAPIC TSC-deadline\n");
	else
		printk("time: timer LAPIC one-shot, %lu.%03lu MHz after /%d\n",
		       lapic_timer_hz / 1000000, lapic_timer_hz / 1000 % 1000,
		       LAPIC_TIMER_DIVIDER);
}
