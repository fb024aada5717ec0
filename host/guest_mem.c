/*
 * guest_mem.c — checked translation of guest-physical ranges (see
 * host/guest_mem.h).
 */
#include <stddef.h>

#include "host/guest_mem.h"

void *guest_mem_range(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	/* Written as two comparisons so that gpa + len is never computed:
	 * gpa near UINT64_MAX must not wrap around into RAM. */
	if (mem->ram == NULL || gpa > mem->size || len > mem->size - gpa)
		return NULL;
	return mem->ram + gpa;
}

void *guest_mem_page(const struct guest_mem *mem, uint64_t pfn)
{
	if (pfn > UINT64_MAX >> GUEST_MEM_PAGE_SHIFT)
		return NULL;    /* pfn << 12 would wrap */
	return guest_mem_range(mem, pfn << GUEST_MEM_PAGE_SHIFT, GUEST_MEM_PAGE_SIZE);
}
