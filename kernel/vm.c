/*
 * vm.c — four-level page-table walks and updates.
 *
 * Every write to a page-table entry and every TLB flush goes through the
 * platform: natively that is a plain store and invlpg; a Xen PV guest's
 * page tables are read-only to it, and the same calls become mmu_update
 * and mmuext_op hypercalls.  Ranges of pages are written in batches
 * (platform->write_ptes), one hypercall per batch under PV.
 */
#include "kernel/page_alloc.h"
#include "kernel/platform.h"
#include "kernel/vm.h"
#include "lib/string.h"

#define LEVELS          4
#define ENTRIES         512
#define TABLE_FLAGS     (PTE_PRESENT | PTE_WRITABLE)
#define BATCH           64      /* entries per write_ptes call (1 KiB of stack) */

static unsigned int index_at(uintptr_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & (ENTRIES - 1);
}

/* The level-0 entry for va, creating tables on the way if asked. */
static uint64_t *walk(uintptr_t va, bool create)
{
	uint64_t *table = phys_to_virt(platform->page_table_root());

	for (int level = LEVELS - 1; level > 0; level--) {
		uint64_t *entry = &table[index_at(va, level)];
		uint64_t value = platform->read_pte(entry);

		if (value & PTE_PRESENT) {
			if (value & PTE_LARGE)
				return NULL;
			table = phys_to_virt(value & PTE_ADDRESS);
			continue;
		}
		if (!create)
			return NULL;
		uint64_t new_table = page_alloc(1);

		if (!new_table)
			return NULL;
		memset(phys_to_virt(new_table), 0, PAGE_SIZE);
		platform->prepare_page_table(new_table);
		platform->write_pte(entry, new_table | TABLE_FLAGS);
		table = phys_to_virt(new_table);
	}
	return &table[index_at(va, 0)];
}

/*
 * Set the level-0 entries of `count` pages from va: page i gets `value`
 * plus i pages, or 0 (unmapped) when value is 0.  The entries go to the
 * platform in batches of up to BATCH (one mmu_update each under Xen PV).
 * Mapping creates missing tables and stops when it cannot (false, the
 * pages before stay mapped); unmapping skips pages that have no tables.
 */
static bool write_range(uintptr_t va, size_t count, uint64_t value)
{
	struct pte_write batch[BATCH];
	bool mapping = value != 0, ok = true;
	size_t queued = 0;

	for (size_t i = 0; i < count && ok; i++) {
		uint64_t *pte = walk(va + i * PAGE_SIZE, mapping);

		if (!pte) {
			ok = !mapping;
			continue;
		}
		batch[queued++] = (struct pte_write){ pte, mapping ? value + i * PAGE_SIZE : 0 };
		if (queued == BATCH) {
			platform->write_ptes(batch, queued);
			queued = 0;
		}
	}
	if (queued > 0)
		platform->write_ptes(batch, queued);
	/* One page: invlpg; more: one full flush instead of one per page. */
	if (count == 1)
		platform->flush_tlb_page(va);
	else
		platform->flush_tlb_all();
	return ok;
}

bool vm_map_pages(uintptr_t va, uint64_t paddr, size_t count, uint64_t flags)
{
	return write_range(va, count, (paddr & PTE_ADDRESS) | flags | PTE_PRESENT);
}

void vm_unmap_pages(uintptr_t va, size_t count)
{
	write_range(va, count, 0);
}

bool vm_map_page(uintptr_t va, uint64_t paddr, uint64_t flags)
{
	return vm_map_pages(va, paddr, 1, flags);
}

void vm_unmap_page(uintptr_t va)
{
	vm_unmap_pages(va, 1);
}

uint64_t *vm_pte(uintptr_t va)
{
	return walk(va, false);
}

uint64_t *vm_pte_alloc(uintptr_t va)
{
	return walk(va, true);
}

bool vm_translate(uintptr_t va, uint64_t *paddr)
{
	uint64_t *table = phys_to_virt(platform->page_table_root());

	for (int level = LEVELS - 1; level >= 0; level--) {
		uint64_t entry = platform->read_pte(&table[index_at(va, level)]);
		uint64_t page_mask = (1ull << (PAGE_SHIFT + 9 * level)) - 1;

		if (!(entry & PTE_PRESENT))
			return false;
		if (level == 0 || (entry & PTE_LARGE)) {
			*paddr = (entry & PTE_ADDRESS & ~page_mask) | (va & page_mask);
			return true;
		}
		table = phys_to_virt(entry & PTE_ADDRESS);
	}
	return false;
}
