/*
 * test_page_alloc.c — in-guest tests of the physical page allocator.
 */
#include "kernel/boot_info.h"
#include "kernel/page_alloc.h"
#include "kernel/test.h"

extern const char __kernel_start[], __kernel_end[];

static bool inside_usable_memory(uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < boot_info.mem_count; i++) {
		const struct mem_region *r = &boot_info.mem[i];

		if (r->type == MEM_USABLE && base >= r->base &&
		    base + size <= r->base + r->size)
			return true;
	}
	return false;
}

TEST(page_alloc, pages_come_from_usable_ram_outside_the_kernel)
{
	uint64_t p = page_alloc(4);

	CHECK(p != 0);
	CHECK_EQ(p % PAGE_SIZE, 0);
	CHECK(inside_usable_memory(p, 4 * PAGE_SIZE));
	CHECK(p + 4 * PAGE_SIZE <= (uintptr_t)__kernel_start ||
	      p >= (uintptr_t)__kernel_end);
	page_free(p, 4);
}

TEST(page_alloc, free_returns_every_page)
{
	uint64_t before = page_free_count();
	uint64_t a = page_alloc(1), b = page_alloc(7);

	CHECK(a && b);
	CHECK(b >= a + PAGE_SIZE || b + 7 * PAGE_SIZE <= a);
	CHECK_EQ(page_free_count(), before - 8);
	page_free(a, 1);
	page_free(b, 7);
	CHECK_EQ(page_free_count(), before);
}

/* Freeing the middle of three neighbours last must merge all three back
 * into the range they came from. */
TEST(page_alloc, neighbours_merge_on_free)
{
	unsigned int ranges_before = page_free_ranges();
	uint64_t a = page_alloc(1), b = page_alloc(1), c = page_alloc(1);

	CHECK(a && b && c);
	CHECK_EQ(b, a + PAGE_SIZE);
	CHECK_EQ(c, b + PAGE_SIZE);
	page_free(a, 1);
	page_free(c, 1);
	CHECK(page_free_ranges() > ranges_before);
	page_free(b, 1);
	CHECK_EQ(page_free_ranges(), ranges_before);
}

TEST(page_alloc, impossible_request_fails_cleanly)
{
	uint64_t before = page_free_count();

	CHECK_EQ(page_alloc(before + 1), 0);
	CHECK_EQ(page_alloc(0), 0);
	CHECK_EQ(page_free_count(), before);
}

TEST(page_alloc, memory_is_writable_and_distinct)
{
	uint64_t a = page_alloc(1), b = page_alloc(1);
	volatile uint64_t *pa = phys_to_virt(a), *pb = phys_to_virt(b);

	CHECK(a && b && a != b);
	*pa = 0x1111111111111111ull;
	*pb = 0x2222222222222222ull;
	CHECK_EQ(*pa, 0x1111111111111111ull);
	CHECK_EQ(*pb, 0x2222222222222222ull);
	page_free(a, 1);
	page_free(b, 1);
}
