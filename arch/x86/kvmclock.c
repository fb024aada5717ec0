/*
 * kvmclock.c — KVM's paravirtual clock (Linux: Documentation/virt/kvm/x86/msr.rst).
 *
 * The guest writes the physical address of a pvclock structure, with bit 0
 * set to enable it, to MSR_KVM_SYSTEM_TIME_NEW; KVM keeps the structure up
 * to date from then on.  Offered when CPUID 0x40000001 has
 * KVM_FEATURE_CLOCKSOURCE2.
 */
#include <asm/kvm_para.h>

#include "arch/x86/cpu.h"
#include "arch/x86/hypervisor.h"
#include "arch/x86/kvmclock.h"
#include "arch/x86/pvclock.h"

#define KVMCLOCK_ENABLE 1ull

static struct vcpu_time_info time_page __attribute__((aligned(64)));

bool kvmclock_init(void)
{
	const struct hypervisor_info *hv = hypervisor();

	if (hv->kind != HV_KVM)
		return false;
	if (!(cpuid(hv->base_leaf + (KVM_CPUID_FEATURES - KVM_CPUID_SIGNATURE), 0).eax &
	      (1u << KVM_FEATURE_CLOCKSOURCE2)))
		return false;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uintptr_t)&time_page | KVMCLOCK_ENABLE);
	return time_page.tsc_to_system_mul != 0;
}

uint64_t kvmclock_read_ns(void)
{
	return pvclock_read_ns(&time_page);
}

uint64_t kvmclock_tsc_hz(void)
{
	return pvclock_tsc_hz(&time_page);
}
