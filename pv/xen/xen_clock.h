/*
 * xen_clock.h — Xen's paravirtual clock: vcpu_info.time in shared_info.
 */
#ifndef PVKIT_PV_XEN_XEN_CLOCK_H
#define PVKIT_PV_XEN_XEN_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>

/* Remember where Xen publishes this vCPU's time (after shared_info is mapped). */
void xen_clock_init(const volatile struct vcpu_time_info *time);
/* True when Xen's time can be read (shared_info mapped, scale published). */
bool xen_clock_available(void);
/* Xen system time: nanoseconds since the host booted. */
uint64_t xen_clock_read_ns(void);
/* The TSC frequency implied by Xen's scale factors. */
uint64_t xen_clock_tsc_hz(void);
const volatile struct vcpu_time_info *xen_clock_time_info(void);

#endif
