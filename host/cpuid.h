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
 *
 * With --xen the range says Xen instead (xen/arch-x86/cpuid.h), and KVM's
 * leaves are hidden, so a guest that knows both picks Xen:
 *
 *   0x40000000  EAX 0x40000004, signature "XenVMMXenVMM"
 *   0x40000001  EAX = 4 << 16 | 17: Xen 4.17
 *   0x40000002  EAX 1 hypercall page, EBX 0x40000000: the MSR that places it
 *   0x40000003  sub-leaf 0: EBX TSC mode 2 (native, not emulated), ECX guest TSC kHz
 *   0x40000004  HVM features: EBX vCPU id 0, ECX domain id 1 (both flagged present)
 *
 * Pure data manipulation: testable without KVM.
 */
#ifndef PVKIT_HOST_CPUID_H
#define PVKIT_HOST_CPUID_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#define PVKIT_HV_CPUID_BASE             0x40000000u
#define PVKIT_HV_CPUID_VERSION          1u
#define PVKIT_HV_SIGNATURE              "pvkit-hv\0\0\0"        /* 12 bytes with the final NUL */
#define PVKIT_HV_KVM_CPUID_BASE         0x40000100u
#define CPUID_HYPERVISOR_FIRST          0x40000000u
#define CPUID_HYPERVISOR_LAST           0x4fffffffu
#define XEN_CPUID_BASE                  0x40000000u
#define XEN_SIGNATURE                   "XenVMMXenVMM"
#define XEN_CPUID_LEAF_VERSION          1u
#define XEN_CPUID_LEAF_HYPERCALL        2u
#define XEN_CPUID_LEAF_TIME             3u
#define XEN_CPUID_LEAF_HVM              4u
#define XEN_CPUID_TSC_MODE_NATIVE       2u      /* "no emulation" */
#define XEN_HYPERCALL_PAGE_MSR          0x40000000u
#define CPUID1_ECX_TSC_DEADLINE         (1u << 24)
#define CPUID1_ECX_HYPERVISOR           (1u << 31)

/* Rewrites table (which has room for `capacity` entries) as described
 * above; tsc_deadline also advertises the LAPIC TSC-deadline timer, which
 * KVM emulates but leaves out of its supported list.  False if the
 * table has no room. */
bool cpuid_install_hypervisor_leaves(struct kvm_cpuid2 *table, unsigned int capacity,
				     bool tsc_deadline);

/* The same with Xen's leaves instead (see above); tsc_khz is the guest's
 * TSC rate, for the time leaf. */
bool cpuid_install_xen_leaves(struct kvm_cpuid2 *table, unsigned int capacity,
			      bool tsc_deadline, uint32_t tsc_khz);

#endif
