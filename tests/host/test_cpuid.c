/*
 * test_cpuid.c — the hypervisor leaves pvkit-hv installs (host/cpuid.c).
 */
#include <stdlib.h>
#include <string.h>

#include "host/cpuid.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define CAPACITY 8

static struct kvm_cpuid2 *table;

static struct kvm_cpuid_entry2 *leaf(unsigned int function)
{
	for (unsigned int i = 0; i < table->nent; i++)
		if (table->entries[i].function == function)
			return &table->entries[i];
	return NULL;
}

/* What KVM_GET_SUPPORTED_CPUID might say, in short. */
static void fake_supported_cpuid(void)
{
	free(table);
	table = calloc(1, sizeof(*table) + CAPACITY * sizeof(table->entries[0]));
	table->nent = 4;
	table->entries[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0xd };
	table->entries[1] = (struct kvm_cpuid_entry2){ .function = 1, .ecx = 0x00200000 };
	table->entries[2] = (struct kvm_cpuid_entry2){ .function = 0x40000000, .eax = 0x40000001,
						       .ebx = 0x4b4d564b };
	table->entries[3] = (struct kvm_cpuid_entry2){ .function = 0x40000001, .eax = 0x01007efb,
						       .edx = 1 };
}

static bool signature_is(const struct kvm_cpuid_entry2 *e, const char *expected)
{
	char sig[12];

	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	return memcmp(sig, expected, 12) == 0;
}

static void hypervisor_leaves(void)
{
	fake_supported_cpuid();
	CHECK(cpuid_install_hypervisor_leaves(table, CAPACITY, false));
	CHECK_UINT(table->nent, 6);
	CHECK_UINT(leaf(0x40000000)->eax, 0x40000001);
	CHECK(signature_is(leaf(0x40000000), "pvkit-hv\0\0\0\0"));
	CHECK_UINT(leaf(0x40000001)->eax, PVKIT_HV_CPUID_VERSION);
	CHECK_UINT(leaf(0x40000001)->edx, 0);
	CHECK_UINT(leaf(0x40000100)->eax, 0x40000101);
	CHECK(signature_is(leaf(0x40000100), "KVMKVMKVM\0\0\0"));
	CHECK_UINT(leaf(0x40000101)->eax, 0x01007efb);          /* KVM's features, moved */
	CHECK_UINT(leaf(0x40000101)->edx, 1);
	CHECK_UINT(leaf(1)->ecx, 0x80200000);                   /* + hypervisor present */
	CHECK_UINT(leaf(0)->eax, 0xd);                          /* the rest untouched */
}

/* --xen: Xen's five leaves, KVM's gone, so the guest picks Xen. */
static void xen_leaves(void)
{
	fake_supported_cpuid();
	CHECK(cpuid_install_xen_leaves(table, CAPACITY, false, 2596126));
	CHECK_UINT(table->nent, 7);
	CHECK_UINT(leaf(0x40000000)->eax, 0x40000004);
	CHECK(signature_is(leaf(0x40000000), "XenVMMXenVMM"));
	CHECK_UINT(leaf(0x40000001)->eax, 4 << 16 | 17);
	CHECK_UINT(leaf(0x40000002)->eax, 1);                   /* one hypercall page */
	CHECK_UINT(leaf(0x40000002)->ebx, 0x40000000);          /* at this MSR */
	CHECK_UINT(leaf(0x40000003)->ecx, 2596126);             /* TSC kHz */
	CHECK_UINT(leaf(0x40000004)->ecx, 1);                   /* our domain id */
	CHECK(leaf(0x40000100) == NULL);
	CHECK_UINT(leaf(1)->ecx, 0x80200000);
	fake_supported_cpuid();
	CHECK(!cpuid_install_xen_leaves(table, 6, false, 1));   /* no room for 5 */
}

static void tsc_deadline_and_capacity(void)
{
	fake_supported_cpuid();
	CHECK(cpuid_install_hypervisor_leaves(table, CAPACITY, true));
	CHECK(leaf(1)->ecx & CPUID1_ECX_TSC_DEADLINE);
	fake_supported_cpuid();
	CHECK(!cpuid_install_hypervisor_leaves(table, 5, false));       /* no room for 4 */
	free(table);
	table = NULL;
}

void cpuid_tests(void)
{
	check_run("cpuid.hypervisor_leaves", hypervisor_leaves);
	check_run("cpuid.xen_leaves", xen_leaves);
	check_run("cpuid.tsc_deadline_and_capacity", tsc_deadline_and_capacity);
}
