/*
 * xen_time.c — pvclock and wall clock for pvkit-hv's Xen mode (see
 * host/xen_time.h; Xen's own is set_time_scale() in xen/arch/x86/time.c).
 */
#include "host/xen_time.h"

#define NSEC_PER_SEC    1000000000ull

/*
 * Bring the rate into (1e9, 2e9] ticks per second by halving or doubling
 * it (that is `shift`); then mul = 2^32 * 1e9 / rate is below 2^32, and
 * (t << shift) * mul >> 32 is t in nanoseconds.
 */
void xen_time_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift)
{
	uint64_t rate = tsc_hz ? tsc_hz : 1;
	int s = 0;

	while (rate > 2 * NSEC_PER_SEC) {
		rate >>= 1;
		s--;
	}
	while (rate <= NSEC_PER_SEC) {
		rate <<= 1;
		s++;
	}
	*mul = (uint32_t)((NSEC_PER_SEC << 32) / rate);
	*shift = (int8_t)s;
}

uint64_t xen_time_ticks_to_ns(uint64_t ticks, uint32_t mul, int8_t shift)
{
	uint64_t t = shift >= 0 ? ticks << shift : ticks >> -shift;

	return (uint64_t)(((unsigned __int128)t * mul) >> 32);
}

uint64_t xen_time_system_ns(const struct xen_time *time, uint64_t tsc)
{
	uint64_t elapsed = tsc >= time->tsc ? tsc - time->tsc : 0;

	return time->system_ns + xen_time_ticks_to_ns(elapsed, time->mul, time->shift);
}

void xen_time_publish(const struct xen_time *time, struct vcpu_time_info *t)
{
	volatile struct vcpu_time_info *v = t;

	v->version = v->version | 1;            /* odd: being written */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	v->tsc_timestamp = time->tsc;
	v->system_time = time->system_ns;
	v->tsc_to_system_mul = time->mul;
	v->tsc_shift = time->shift;
	v->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	v->version = v->version + 1;            /* even: consistent */
}

void xen_time_publish_wallclock(struct shared_info *s, uint64_t realtime_ns, uint64_t system_ns)
{
	volatile struct shared_info *v = s;
	uint64_t boot_ns = realtime_ns - system_ns;
	uint64_t sec = boot_ns / NSEC_PER_SEC;

	v->wc_version = v->wc_version | 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	v->wc_sec = (uint32_t)sec;
	v->xen_wc_sec_hi = (uint32_t)(sec >> 32);
	v->wc_nsec = (uint32_t)(boot_ns % NSEC_PER_SEC);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	v->wc_version = v->wc_version + 1;
}
