/*
 * xen_time.h — Xen's time for the guest: the pvclock fields of
 * vcpu_time_info and the wall clock in shared_info.
 *
 * Xen system time is nanoseconds since the domain started.  The guest
 * computes it from the TSC without asking:
 *     now = system_time + scale(rdtsc() - tsc_timestamp)
 *     scale(t) = ((shift >= 0 ? t << shift : t >> -shift) * tsc_to_system_mul) >> 32
 * so pvkit-hv publishes one pair (guest TSC, system time) and the factors
 * for the guest's TSC rate.  A writer makes `version` odd, writes, then
 * makes it even again; a reader retries while it is odd or changed.
 * Pure arithmetic: the caller reads the guest TSC and the host clocks.
 */
#ifndef PVKIT_HOST_XEN_TIME_H
#define PVKIT_HOST_XEN_TIME_H

#include <stdint.h>

#include "host/xen_abi.h"

struct xen_time {
	uint32_t mul;                   /* tsc_to_system_mul */
	int8_t shift;                   /* tsc_shift */
	uint64_t tsc;                   /* the guest TSC at... */
	uint64_t system_ns;             /* ...this system time */
};

/* The factors for a TSC of tsc_hz ticks per second (tsc_hz > 0). */
void xen_time_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift);
/* scale(ticks): what the guest computes. */
uint64_t xen_time_ticks_to_ns(uint64_t ticks, uint32_t mul, int8_t shift);
/* Xen system time at guest TSC value tsc, by the published pair. */
uint64_t xen_time_system_ns(const struct xen_time *time, uint64_t tsc);
/* Writes the pair and factors into t with the odd/even version protocol. */
void xen_time_publish(const struct xen_time *time, struct vcpu_time_info *t);
/* The wall clock at system time 0: realtime_ns is the time of day (ns
 * since the epoch) when system time was system_ns. */
void xen_time_publish_wallclock(struct shared_info *s, uint64_t realtime_ns, uint64_t system_ns);

#endif
