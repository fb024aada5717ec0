/*
 * page_alloc.h — the physical page allocator.
 */
#ifndef PVKIT_KERNEL_PAGE_ALLOC_H
#define PVKIT_KERNEL_PAGE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE       UINT64_C(4096)
#define PAGE_SHIFT      12

/* Memory the boot identity map covers; RAM above it is not handed out yet. */
#define DIRECT_MAP_END  UINT64_C(0x100000000)

void page_alloc_init(void);
/* count contiguous pages; returns the physical address, or 0 when none. */
uint64_t page_alloc(size_t count);
void page_free(uint64_t paddr, size_t count);
uint64_t page_free_count(void);
unsigned int page_free_ranges(void);
void page_alloc_report(void);

/* The kernel sees physical memory at the same virtual address. */
static inline void *phys_to_virt(uint64_t paddr)
{
	return (void *)(uintptr_t)paddr;
}

static inline uint64_t virt_to_phys(const void *va)
{
	return (uintptr_t)va;
}

#endif
