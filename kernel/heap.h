/*
 * heap.h — kmalloc and kfree: small objects for the kernel.
 */
#ifndef PVKIT_KERNEL_HEAP_H
#define PVKIT_KERNEL_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_ALIGN 16

void *kmalloc(size_t size);             /* 16-byte aligned, NULL when out of memory */
void *kzalloc(size_t size);             /* kmalloc, then zeroed */
void kfree(void *ptr);                  /* NULL is allowed */

struct heap_stats {
	uint64_t allocations;           /* live objects */
	uint64_t slab_pages;            /* pages holding small objects */
	uint64_t large_pages;           /* pages of live large objects */
};
struct heap_stats heap_stats(void);

#endif
