/*
 * xen_clock.c — time from Xen's vcpu_time_info.
 *
 * Xen keeps, for every vCPU, a struct vcpu_time_info in shared_info
 * (vcpu_info[N].time): the TSC value and system time at its last update,
 * and the factors that turn TSC ticks into nanoseconds.  It is the same
 * layout and formula KVM's kvmclock uses (both are "pvclock"), so the reading
 * itself is arch/x86/pvclock.c.  arch/x86/time_native.c picks this clock
 * when it is available, as it picks kvmclock under KVM.
 */
#include "arch/x86/pvclock.h"
#include "pv/xen/xen_clock.h"

static const volatile struct vcpu_time_info *time_info;

void xen_clock_init(const volatile struct vcpu_time_info *time)
{
	time_info = time;
}

bool xen_clock_available(void)
{
	return time_info && time_info->tsc_to_system_mul != 0;
}

uint64_t xen_clock_read_ns(void)
{
	return pvclock_read_ns(time_info);
}

uint64_t xen_clock_tsc_hz(void)
{
	return pvclock_tsc_hz(time_info);
}

const volatile struct vcpu_time_info *xen_clock_time_info(void)
{
	return time_info;
}
