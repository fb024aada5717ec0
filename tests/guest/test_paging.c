/*
 * test_paging.c — page-table updates made through the platform layer take
 * effect: a new mapping aliases a known page, and an unmapped page faults.
 */
#include "arch/x86/traps.h"
#include "kernel/page_alloc.h"
#include "kernel/test.h"
#include "kernel/vm.h"

/* In the second 512 GiB slot of the address space: nothing else maps it. */
#define ALIAS_VA 0x8000000000ull

TEST(paging, identity_map_translates_to_itself)
{
	static uint64_t word;
	uint64_t paddr = 0;

	CHECK(vm_translate((uintptr_t)&word, &paddr));
	CHECK_EQ(paddr, (uintptr_t)&word);
	CHECK(!vm_translate(ALIAS_VA, &paddr));
}

TEST(paging, new_mapping_aliases_a_page_and_unmap_faults)
{
	uint64_t page = page_alloc(1);
	volatile uint64_t *direct = phys_to_virt(page);
	volatile uint64_t *alias = (volatile uint64_t *)ALIAS_VA;
	uint64_t paddr = 0, value = 0;

	CHECK(page != 0);
	CHECK(vm_map_page(ALIAS_VA, page, PTE_WRITABLE));
	CHECK(vm_translate(ALIAS_VA + 8, &paddr));
	CHECK_EQ(paddr, page + 8);

	*alias = 0x5ca1ab1e;
	CHECK_EQ(*direct, 0x5ca1ab1e);
	*direct = 0xfeedface;
	CHECK_EQ(*alias, 0xfeedface);

	vm_unmap_page(ALIAS_VA);
	CHECK(!probe_read64(ALIAS_VA, &value));
	CHECK_EQ(last_fixed_fault.vector, VEC_PAGE_FAULT);
	CHECK_EQ(last_fixed_fault.cr2, ALIAS_VA);
	page_free(page, 1);
}

TEST(paging, read_only_mapping_rejects_writes)
{
	uint64_t page = page_alloc(1);

	CHECK(page != 0);
	CHECK(vm_map_page(ALIAS_VA, page, 0));
	CHECK(!probe_write64(ALIAS_VA, 1));
	CHECK_EQ(last_fixed_fault.vector, VEC_PAGE_FAULT);
	CHECK(last_fixed_fault.error_code & PF_PRESENT);
	CHECK(last_fixed_fault.error_code & PF_WRITE);
	vm_unmap_page(ALIAS_VA);
	page_free(page, 1);
}
