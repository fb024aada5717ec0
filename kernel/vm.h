/*
 * vm.h — changing the kernel's page tables, through the platform layer.
 */
#ifndef PVKIT_KERNEL_VM_H
#define PVKIT_KERNEL_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PTE_PRESENT     (1ull << 0)
#define PTE_WRITABLE    (1ull << 1)
#define PTE_USER        (1ull << 2)
#define PTE_PWT         (1ull << 3)
#define PTE_PCD         (1ull << 4)
#define PTE_LARGE       (1ull << 7)
#define PTE_NO_EXECUTE  (1ull << 63)
#define PTE_ADDRESS     0x000ffffffffff000ull

/* Map one 4 KiB page; allocates missing tables.  False when out of memory
 * or when va already lies inside a large-page mapping. */
bool vm_map_page(uintptr_t va, uint64_t paddr, uint64_t flags);
void vm_unmap_page(uintptr_t va);
/* The same for `count` pages from va to paddr on, their entries written in
 * batches.  On false the pages before the failing one stay mapped. */
bool vm_map_pages(uintptr_t va, uint64_t paddr, size_t count, uint64_t flags);
void vm_unmap_pages(uintptr_t va, size_t count);
/* The physical address va maps to, or false if it is not mapped. */
bool vm_translate(uintptr_t va, uint64_t *paddr);
/* The level-0 entry that maps va (to pass to platform->write_pte), or NULL
 * when its tables are missing or va lies inside a large page. */
uint64_t *vm_pte(uintptr_t va);
/* The same, allocating the missing tables above it (the entry itself is
 * left as it is): for whoever fills the entry some other way. */
uint64_t *vm_pte_alloc(uintptr_t va);

#endif
