/*
 * hypervisor.c — detects the hypervisor from its CPUID leaves.
 *
 * Hypervisors answer CPUID leaves from 0x40000000 up: EAX gives the highest
 * leaf they serve and EBX, ECX, EDX a 12-byte signature ("KVMKVMKVM\0\0\0",
 * "XenVMMXenVMM"; QEMU's TCG emulator says "TCGTCGTCGTCG").  A hypervisor that also emulates another one's interface
 * (Xen or KVM offering Hyper-V's) moves its own leaves up by 0x100, so we
 * look at every 0x100 step and prefer a signature we know; an unknown name
 * in the first block is kept as the VMM's own (pvkit-hv does this).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/hypervisor.h"
#include "lib/string.h"

#define HV_LEAF_FIRST   0x40000000u
#define HV_LEAF_LAST    0x40010000u
#define HV_LEAF_STEP    0x100u

static struct hypervisor_info info;

static enum hypervisor_kind kind_of(const char *signature)
{
	if (memcmp(signature, "KVMKVMKVM\0\0\0", 12) == 0)
		return HV_KVM;
	if (memcmp(signature, "XenVMMXenVMM", 12) == 0)
		return HV_XEN;
	if (memcmp(signature, "TCGTCGTCGTCG", 12) == 0)
		return HV_QEMU_TCG;
	return HV_OTHER;
}

static void read_signature(uint32_t leaf, struct hypervisor_info *out)
{
	struct cpuid_regs r = cpuid(leaf, 0);

	memcpy(out->signature + 0, &r.ebx, 4);
	memcpy(out->signature + 4, &r.ecx, 4);
	memcpy(out->signature + 8, &r.edx, 4);
	out->signature[12] = '\0';
	out->base_leaf = leaf;
	out->max_leaf = r.eax;
	out->kind = kind_of(out->signature);
}

void hypervisor_detect(void)
{
	info = (struct hypervisor_info){ .kind = HV_NONE };
	info.cpuid_bit = cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR;
	if (!info.cpuid_bit)
		return;

	for (uint32_t leaf = HV_LEAF_FIRST; leaf < HV_LEAF_LAST; leaf += HV_LEAF_STEP) {
		struct hypervisor_info candidate = info;

		read_signature(leaf, &candidate);
		if (candidate.max_leaf < leaf)
			break;          /* no more hypervisor leaf blocks */
		if (leaf == HV_LEAF_FIRST && candidate.kind == HV_OTHER)
			memcpy(candidate.vmm_signature, candidate.signature,
			       sizeof(candidate.vmm_signature));
		if (info.kind == HV_NONE || candidate.kind != HV_OTHER)
			info = candidate;
		if (info.kind == HV_KVM || info.kind == HV_XEN)
			break;
	}
}

const struct hypervisor_info *hypervisor(void)
{
	return &info;
}

const char *hypervisor_name(enum hypervisor_kind kind)
{
	switch (kind) {
	case HV_NONE:
		return "none";
	case HV_KVM:
		return "KVM";
	case HV_XEN:
		return "Xen";
	case HV_QEMU_TCG:
		return "QEMU TCG (emulation, no hardware virtualization)";
	case HV_OTHER:
		return "unknown";
	}
	return "?";
}
