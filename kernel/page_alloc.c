/*
 * page_alloc.c — physical pages, kept as a sorted list of free ranges.
 *
 * A range allocator needs no per-page metadata, so setting it up costs one
 * entry per usable region of the memory map, however much RAM there is:
 * nothing is written into the free memory at boot (where guest CPL0 code is
 * emulated, touching every page of a large guest would take seconds).
 * Allocation is first fit; freeing merges with the neighbours, and
 * catches a range freed twice.
 */
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "kernel/panic.h"

#define MAX_FREE_RANGES 256
#define LOW_MEMORY_END  0x100000ull     /* below 1 MiB: firmware and loader data */

struct free_range {
	uint64_t base;          /* page aligned */
	uint64_t pages;
};

static struct free_range ranges[MAX_FREE_RANGES];
static unsigned int range_count;
static uint64_t ignored_high_bytes;

extern const char __kernel_start[], __kernel_end[];

static void remove_range_at(unsigned int i)
{
	for (; i + 1 < range_count; i++)
		ranges[i] = ranges[i + 1];
	range_count--;
}

static void insert_range_at(unsigned int i, uint64_t base, uint64_t pages)
{
	if (range_count == MAX_FREE_RANGES)
		panic("page allocator: more than %d free ranges", MAX_FREE_RANGES);
	for (unsigned int j = range_count; j > i; j--)
		ranges[j] = ranges[j - 1];
	ranges[i] = (struct free_range){ base, pages };
	range_count++;
}

static uint64_t range_end(const struct free_range *r)
{
	return r->base + r->pages * PAGE_SIZE;
}

/* Insert [base, base + pages) keeping the list sorted and merged. */
static void add_free(uint64_t base, uint64_t pages)
{
	uint64_t end = base + pages * PAGE_SIZE;
	unsigned int i = 0;

	while (i < range_count && ranges[i].base < base)
		i++;
	if ((i > 0 && range_end(&ranges[i - 1]) > base) ||
	    (i < range_count && ranges[i].base < end))
		panic("page allocator: freeing %#lx-%#lx, which is already free",
		      base, end - 1);

	bool joins_previous = i > 0 && range_end(&ranges[i - 1]) == base;
	bool joins_next = i < range_count && ranges[i].base == end;

	if (joins_previous && joins_next) {
		ranges[i - 1].pages += pages + ranges[i].pages;
		remove_range_at(i);
	} else if (joins_previous) {
		ranges[i - 1].pages += pages;
	} else if (joins_next) {
		ranges[i].base = base;
		ranges[i].pages += pages;
	} else {
		insert_range_at(i, base, pages);
	}
}

/* Add the part of a usable region that is ours: above 1 MiB, below the
 * direct map's end, not the kernel image. */
static void add_usable_region(uint64_t base, uint64_t size)
{
	uint64_t start = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t end = (base + size) & ~(PAGE_SIZE - 1);
	uint64_t kernel_start = (uintptr_t)__kernel_start;
	uint64_t kernel_end = (uintptr_t)__kernel_end;

	if (start < LOW_MEMORY_END)
		start = LOW_MEMORY_END;
	if (end > DIRECT_MAP_END) {
		ignored_high_bytes += end - (start > DIRECT_MAP_END ? start : DIRECT_MAP_END);
		end = DIRECT_MAP_END;
	}
	if (start >= end)
		return;
	if (start < kernel_end && end > kernel_start) {
		add_usable_region(start, kernel_start > start ? kernel_start - start : 0);
		add_usable_region(kernel_end, end > kernel_end ? end - kernel_end : 0);
		return;
	}
	add_free(start, (end - start) / PAGE_SIZE);
}

void page_alloc_init(void)
{
	for (unsigned int i = 0; i < boot_info.mem_count; i++)
		if (boot_info.mem[i].type == MEM_USABLE)
			add_usable_region(boot_info.mem[i].base, boot_info.mem[i].size);
}

uint64_t page_alloc(size_t count)
{
	bool was_enabled = irq_save();
	uint64_t paddr = 0;

	for (unsigned int i = 0; count && i < range_count; i++) {
		if (ranges[i].pages < count)
			continue;
		paddr = ranges[i].base;
		ranges[i].base += count * PAGE_SIZE;
		ranges[i].pages -= count;
		if (ranges[i].pages == 0)
			remove_range_at(i);
		break;
	}
	irq_restore(was_enabled);
	return paddr;
}

void page_free(uint64_t paddr, size_t count)
{
	if (paddr % PAGE_SIZE != 0 || count == 0)
		panic("page_free(%#lx, %zu): not a page-aligned allocation", paddr, count);
	bool was_enabled = irq_save();

	add_free(paddr, count);
	irq_restore(was_enabled);
}

uint64_t page_free_count(void)
{
	uint64_t pages = 0;

	for (unsigned int i = 0; i < range_count; i++)
		pages += ranges[i].pages;
	return pages;
}

unsigned int page_free_ranges(void)
{
	return range_count;
}

void page_alloc_report(void)
{
	printk("memory: %lu KiB free in %u range%s, kernel image %#lx-%#lx (%lu KiB)\n",
	       page_free_count() * PAGE_SIZE / 1024, range_count,
	       range_count == 1 ? "" : "s",
	       (uint64_t)(uintptr_t)__kernel_start, (uint64_t)(uintptr_t)__kernel_end - 1,
	       (uint64_t)(__kernel_end - __kernel_start) / 1024);
	if (ignored_high_bytes)
		printk("memory: %lu MiB above 4 GiB not used (outside the boot identity map)\n",
		       ignored_high_bytes >> 20);
}
