/*
 * test_paging.c — page-table updates made through the platform layer take
 * effect: a new mapping aliases a known page, and an unmapped page faults;
 * a range written in batches (platform->write_ptes) is what read_pte and
 * the mapping itself show.
 */
#include "arch/x86/traps.h"
#include "kernel/page_alloc.h"
#include "kernel/platform.h"
#include "kernel/test.h"
#include "kernel/vm.h"

/* In the second 512 GiB slot of the address space: nothing else maps it. */
#define ALIAS_VA 0x8000000000ull
/* A range of more than one batch (vm.c writes 64 entries per call) that
 * crosses from one level-1 table into the next, 2 MiB on. */
#define RANGE_PAGES 70
#define RANGE_VA (ALIAS_VA + 0x200000 - 8 * PAGE_SIZE)

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

TEST(paging, batched_range_is_seen_by_read_pte_and_through_the_mapping)
{
	uint64_t block = page_alloc(RANGE_PAGES), value = 0;

	CHECK(block != 0);
	CHECK(vm_map_pages(RANGE_VA, block, RANGE_PAGES, PTE_WRITABLE));
	for (unsigned int i = 0; i < RANGE_PAGES; i++) {
		uintptr_t va = RANGE_VA + i * PAGE_SIZE;
		uint64_t *pte = vm_pte(va);

		CHECK(pte != NULL);
		/* (without the accessed and dirty bits the CPU may set) */
		CHECK_EQ(platform->read_pte(pte) & (PTE_ADDRESS | PTE_WRITABLE | PTE_PRESENT),
			 (block + i * PAGE_SIZE) | PTE_WRITABLE | PTE_PRESENT);
		*(volatile uint64_t *)va = 0xba7c0000 + i;
		CHECK_EQ(*(volatile uint64_t *)phys_to_virt(block + i * PAGE_SIZE), 0xba7c0000 + i);
	}
	vm_unmap_pages(RANGE_VA, RANGE_PAGES);
	CHECK_EQ(platform->read_pte(vm_pte(RANGE_VA)), 0);
	CHECK(!probe_read64(RANGE_VA, &value));
	CHECK(!probe_read64(RANGE_VA + (RANGE_PAGES - 1) * PAGE_SIZE, &value));
	CHECK_EQ(last_fixed_fault.cr2, RANGE_VA + (RANGE_PAGES - 1) * PAGE_SIZE);
	page_free(block, RANGE_PAGES);
}
