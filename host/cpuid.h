/*
 * cpuid.h — the CPUID table pvkit-hv gives its vCPU.
 *
 * It starts from what KVM supports (KVM_GET_SUPPORTED_CPUID) and rewrites
 * the hypervisor range:
 *
 *   0x40000000  EAX 0x40000001, signature "pvkit-hv\0\0\0\0"  (who we are)
 *   0x40000001  EAX = PVKIT_HV_CPUID_VERSION, the rest 0
 *   0x40000100  EAX 0x40000101, signature "KVMKVMKVM\0\0\0"   (KVM's interface)
 *   0x40000101  KVM's feature bits (kvmclock, ...), as KVM reported them
 *
 * Guests and KVM itself look for "KVMKVMKVM" at every 0x100 step, so the
 * guest still finds kvmclock.  Leaf 1 gets the "hypervisor present" bit.
 * Pure data manipulation: testable without KVM.
 */
#ifndef PVKIT_HOST_CPUID_H
#define PVKIT_HOST_CPUID_H

#include <stdbool.h>
#include <linux/kvm.h>

#define PVKIT_HV_CPUID_BASE             0x40000000u
#define PVKIT_HV_CPUID_VERSION          1u
#define PVKIT_HV_SIGNATURE              "pvkit-hv\0\0\0"        /* 12 bytes with the final NUL */
#define PVKIT_HV_KVM_CPUID_BASE         0x40000100u
#define CPUID_HYPERVISOR_FIRST          0x40000000u
#define CPUID_HYPERVISOR_LAST           0x4fffffffu
#define CPUID1_ECX_TSC_DEADLINE         (1u << 24)
#define CPUID1_ECX_HYPERVISOR           (1u << 31)

/* Rewrites table (which has room for `capacity` entries) as described
 * above; tsc_deadline also advertises the LAPIC TSC-deadline timer, which
 * KVM emulates but leaves out of its supported list.  False if the
 * table has no room. */
bool cpuid_install_hypervisor_leaves(struct kvm_cpuid2 *table, unsigned int capacity,
				     bool tsc_deadline);

#endif
