/*
 * pvclock.h — reading the paravirtual clock that KVM (kvmclock) and Xen
 * (vcpu_time_info) both publish in guest memory, in the same layout.
 */
#ifndef PVKIT_ARCH_X86_PVCLOCK_H
#define PVKIT_ARCH_X86_PVCLOCK_H

#include <stdint.h>
#include <xen/xen.h>

/* Nanoseconds of hypervisor system time now. */
uint64_t pvclock_read_ns(const volatile struct vcpu_time_info *t);
/* The TSC frequency the hypervisor's scaling factors imply. */
uint64_t pvclock_tsc_hz(const volatile struct vcpu_time_info *t);

#endif
