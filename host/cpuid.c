/*
 * cpuid.c — builds the vCPU's CPUID table (see host/cpuid.h).
 */
#include <string.h>

#include "host/cpuid.h"
#include "host/xen_abi.h"

#define KVM_SIGNATURE           "KVMKVMKVM\0\0"         /* 12 bytes with the final NUL */
#define KVM_FEATURES_LEAF       0x40000001u             /* where KVM reports them */

static struct kvm_cpuid_entry2 *find_leaf(struct kvm_cpuid2 *table, unsigned int function)
{
	for (unsigned int i = 0; i < table->nent; i++)
		if (table->entries[i].function == function)
			return &table->entries[i];
	return NULL;
}

static void remove_hypervisor_leaves(struct kvm_cpuid2 *table)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; i < table->nent; i++) {
		unsigned int f = table->entries[i].function;

		if (f < CPUID_HYPERVISOR_FIRST || f > CPUID_HYPERVISOR_LAST)
			table->entries[kept++] = table->entries[i];
	}
	table->nent = kept;
}

/* A leaf whose EBX, ECX, EDX spell a 12-byte signature. */
static struct kvm_cpuid_entry2 signature_leaf(unsigned int function, unsigned int max_leaf,
					      const char signature[12])
{
	struct kvm_cpuid_entry2 e = { .function = function, .eax = max_leaf };

	memcpy(&e.ebx, signature, 4);
	memcpy(&e.ecx, signature + 4, 4);
	memcpy(&e.edx, signature + 8, 4);
	return e;
}

/* Appends count leaves; false if the table has no room for them. */
static bool append_leaves(struct kvm_cpuid2 *table, unsigned int capacity,
			  const struct kvm_cpuid_entry2 *added, unsigned int count)
{
	if (table->nent + count > capacity)
		return false;
	memcpy(&table->entries[table->nent], added, count * sizeof(added[0]));
	table->nent += count;
	return true;
}

/* Leaf 1: "a hypervisor is present", and the TSC-deadline timer. */
static void mark_hypervisor_present(struct kvm_cpuid2 *table, bool tsc_deadline)
{
	struct kvm_cpuid_entry2 *leaf1 = find_leaf(table, 1);

	if (leaf1 != NULL) {
		leaf1->ecx |= CPUID1_ECX_HYPERVISOR;
		if (tsc_deadline)
			leaf1->ecx |= CPUID1_ECX_TSC_DEADLINE;
	}
}

bool cpuid_install_hypervisor_leaves(struct kvm_cpuid2 *table, unsigned int capacity,
				     bool tsc_deadline)
{
	struct kvm_cpuid_entry2 kvm_features = { .function = PVKIT_HV_KVM_CPUID_BASE + 1 };
	struct kvm_cpuid_entry2 *from_kvm = find_leaf(table, KVM_FEATURES_LEAF);

	if (from_kvm != NULL) {
		kvm_features.eax = from_kvm->eax;
		kvm_features.ebx = from_kvm->ebx;
		kvm_features.ecx = from_kvm->ecx;
		kvm_features.edx = from_kvm->edx;
	}
	remove_hypervisor_leaves(table);

	const struct kvm_cpuid_entry2 added[] = {
		signature_leaf(PVKIT_HV_CPUID_BASE, PVKIT_HV_CPUID_BASE + 1, PVKIT_HV_SIGNATURE),
		{ .function = PVKIT_HV_CPUID_BASE + 1, .eax = PVKIT_HV_CPUID_VERSION },
		signature_leaf(PVKIT_HV_KVM_CPUID_BASE, PVKIT_HV_KVM_CPUID_BASE + 1, KVM_SIGNATURE),
		kvm_features,
	};

	if (!append_leaves(table, capacity, added, sizeof(added) / sizeof(added[0])))
		return false;
	mark_hypervisor_present(table, tsc_deadline);
	return true;
}

bool cpuid_install_xen_leaves(struct kvm_cpuid2 *table, unsigned int capacity,
			      bool tsc_deadline, uint32_t tsc_khz)
{
	const unsigned int base = XEN_CPUID_BASE;

	remove_hypervisor_leaves(table);

	const struct kvm_cpuid_entry2 added[] = {
		signature_leaf(base, base + XEN_CPUID_LEAF_HVM, XEN_SIGNATURE),
		{ .function = base + XEN_CPUID_LEAF_VERSION,
		  .eax = XEN_HOST_MAJOR << 16 | XEN_HOST_MINOR },
		{ .function = base + XEN_CPUID_LEAF_HYPERCALL,
		  .eax = 1, .ebx = XEN_HYPERCALL_PAGE_MSR },   /* one page, at this MSR */
		{ .function = base + XEN_CPUID_LEAF_TIME, .index = 0,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .ebx = XEN_CPUID_TSC_MODE_NATIVE, .ecx = tsc_khz },
		{ .function = base + XEN_CPUID_LEAF_HVM, .index = 0,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT,
		  .ebx = 0, .ecx = XEN_HOST_DOMID },
	};

	if (!append_leaves(table, capacity, added, sizeof(added) / sizeof(added[0])))
		return false;
	mark_hypervisor_present(table, tsc_deadline);
	return true;
}
