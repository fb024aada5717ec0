/*
 * heap.c — a size-class allocator on top of the page allocator.
 *
 * Requests up to 1 KiB are rounded up to a power of two (16 ... 1024) and
 * served from "slab" pages holding objects of one size; freed objects go on
 * that size's free list and are reused first.  Larger requests get whole
 * pages.  Every page starts with a small header saying which kind it is, so
 * kfree finds it by rounding the pointer down to its page.
 */
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "kernel/panic.h"
#include "lib/string.h"

#define SMALLEST_CLASS_SHIFT    4       /* 16 bytes */
#define SIZE_CLASSES            7       /* 16, 32, ..., 1024 */
#define LARGEST_SMALL_SIZE      (1u << (SMALLEST_CLASS_SHIFT + SIZE_CLASSES - 1))
#define SLAB_MAGIC              0x534c4142u     /* "SLAB" */
#define LARGE_MAGIC             0x4c415247u     /* "LARG" */

struct page_header {                    /* HEAP_ALIGN bytes, keeps objects aligned */
	uint32_t magic;
	uint32_t size_class;            /* SLAB_MAGIC pages */
	uint64_t pages;                 /* LARGE_MAGIC allocations */
};

struct free_object {
	struct free_object *next;
};

static struct free_object *free_lists[SIZE_CLASSES];
static struct heap_stats stats;

_Static_assert(sizeof(struct page_header) == HEAP_ALIGN, "header keeps alignment");

static unsigned int size_class_of(size_t size)
{
	unsigned int class = 0;

	while ((1u << (SMALLEST_CLASS_SHIFT + class)) < size)
		class++;
	return class;
}

/* Carve a new page into objects of one class and put them on its list. */
static bool grow_class(unsigned int class)
{
	uint64_t paddr = page_alloc(1);
	size_t object_size = 1u << (SMALLEST_CLASS_SHIFT + class);

	if (!paddr)
		return false;
	struct page_header *page = phys_to_virt(paddr);

	*page = (struct page_header){ .magic = SLAB_MAGIC, .size_class = class };
	for (size_t offset = sizeof(*page); offset + object_size <= PAGE_SIZE;
	     offset += object_size) {
		struct free_object *object = (void *)((char *)page + offset);

		object->next = free_lists[class];
		free_lists[class] = object;
	}
	stats.slab_pages++;
	return true;
}

static void *alloc_small(size_t size)
{
	unsigned int class = size_class_of(size);

	if (!free_lists[class] && !grow_class(class))
		return NULL;
	struct free_object *object = free_lists[class];

	free_lists[class] = object->next;
	return object;
}

static void *alloc_large(size_t size)
{
	uint64_t pages = (size + sizeof(struct page_header) + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t paddr = page_alloc(pages);

	if (!paddr)
		return NULL;
	struct page_header *header = phys_to_virt(paddr);

	*header = (struct page_header){ .magic = LARGE_MAGIC, .pages = pages };
	stats.large_pages += pages;
	return header + 1;
}

void *kmalloc(size_t size)
{
	if (size == 0 || size > DIRECT_MAP_END)
		return NULL;
	bool was_enabled = irq_save();
	void *ptr = size <= LARGEST_SMALL_SIZE ? alloc_small(size) : alloc_large(size);

	if (ptr)
		stats.allocations++;
	irq_restore(was_enabled);
	return ptr;
}

void *kzalloc(size_t size)
{
	void *ptr = kmalloc(size);

	if (ptr)
		memset(ptr, 0, size);
	return ptr;
}

void kfree(void *ptr)
{
	if (!ptr)
		return;
	/* ptr - 1: a large object starts right after its page's header. */
	struct page_header *page =
		(void *)(((uintptr_t)ptr - 1) & ~(uintptr_t)(PAGE_SIZE - 1));
	bool was_enabled = irq_save();

	if (page->magic == SLAB_MAGIC && page->size_class < SIZE_CLASSES &&
	    ((uintptr_t)ptr - (uintptr_t)(page + 1)) %
		    (1u << (SMALLEST_CLASS_SHIFT + page->size_class)) == 0) {
		struct free_object *object = ptr;

		object->next = free_lists[page->size_class];
		free_lists[page->size_class] = object;
	} else if (page->magic == LARGE_MAGIC && ptr == page + 1) {
		stats.large_pages -= page->pages;
		page->magic = 0;        /* a second kfree now panics */
		page_free(virt_to_phys(page), page->pages);
	} else {
		panic("kfree(%p): not a pointer kmalloc returned", ptr);
	}
	stats.allocations--;
	irq_restore(was_enabled);
}

struct heap_stats heap_stats(void)
{
	return stats;
}
