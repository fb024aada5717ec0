/*
 * hypervisor.h — which hypervisor, if any, we run under (CPUID 0x40000000+).
 */
#ifndef PVKIT_ARCH_X86_HYPERVISOR_H
#define PVKIT_ARCH_X86_HYPERVISOR_H

#include <stdbool.h>
#include <stdint.h>

enum hypervisor_kind { HV_NONE, HV_KVM, HV_XEN, HV_QEMU_TCG, HV_OTHER };

struct hypervisor_info {
	enum hypervisor_kind kind;
	bool cpuid_bit;                 /* CPUID.1:ECX[31], "running under a hypervisor" */
	uint32_t base_leaf;             /* where its signature leaf was found */
	uint32_t max_leaf;
	char signature[13];             /* 12 bytes from EBX, ECX, EDX */
	/* A VMM that offers a known interface a step up (pvkit-hv puts its own
	 * name at 0x40000000 and KVM's leaves at 0x40000100) is named here. */
	char vmm_signature[13];
};

void hypervisor_detect(void);
const struct hypervisor_info *hypervisor(void);
const char *hypervisor_name(enum hypervisor_kind kind);

#endif
