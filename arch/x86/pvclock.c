/*
 * pvclock.c — the pvclock formula, shared by kvmclock and Xen.
 *
 * The hypervisor publishes (tsc_timestamp, system_time, mul, shift) and
 * bumps `version` to an odd number while it rewrites them.  Time now is
 *   system_time + (((tsc - tsc_timestamp) << shift) * mul) >> 32
 * (a negative shift means shift right).  A reader retries until it saw the
 * same even version before and after: a sequence lock.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/pvclock.h"

#define NSEC_PER_SEC UINT64_C(1000000000)

static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t pvclock_read_ns(const volatile struct vcpu_time_info *t)
{
	uint32_t version;
	uint64_t ns;

	do {
		version = t->version;
		barrier();
		ns = t->system_time + scale_delta(rdtsc() - t->tsc_timestamp,
						  t->tsc_to_system_mul, t->tsc_shift);
		barrier();
	} while ((version & 1) || version != t->version);
	return ns;
}

/* Invert the scaling: one second of nanoseconds, back to TSC ticks. */
uint64_t pvclock_tsc_hz(const volatile struct vcpu_time_info *t)
{
	uint64_t hz = (NSEC_PER_SEC << 32) / t->tsc_to_system_mul;

	if (t->tsc_shift < 0)
		return hz << -t->tsc_shift;
	return hz >> t->tsc_shift;
}
