/*
 * test_heap.c — in-guest tests of kmalloc/kfree.
 */
#include "kernel/heap.h"
#include "kernel/page_alloc.h"
#include "kernel/test.h"
#include "lib/string.h"

#define OBJECTS 64

TEST(heap, objects_are_aligned_and_do_not_overlap)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 100, 512, 1000, 1024 };
	uint8_t *objects[sizeof(sizes) / sizeof(sizes[0])];

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		objects[i] = kmalloc(sizes[i]);
		CHECK(objects[i] != NULL);
		CHECK_EQ((uintptr_t)objects[i] % HEAP_ALIGN, 0);
		memset(objects[i], (int)i + 1, sizes[i]);
	}
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t j = 0; j < sizes[i]; j++)
			CHECK_EQ(objects[i][j], i + 1);
		kfree(objects[i]);
	}
}

TEST(heap, freed_object_is_reused)
{
	void *a = kmalloc(48);

	CHECK(a != NULL);
	kfree(a);
	void *b = kmalloc(40);  /* same 64-byte class */

	CHECK(b == a);
	kfree(b);
}

TEST(heap, many_small_objects_and_counts)
{
	void *objects[OBJECTS];
	uint64_t live_before = heap_stats().allocations;

	for (int i = 0; i < OBJECTS; i++) {
		objects[i] = kmalloc(200);
		CHECK(objects[i] != NULL);
	}
	CHECK_EQ(heap_stats().allocations, live_before + OBJECTS);
	for (int i = 0; i < OBJECTS; i++)
		kfree(objects[i]);
	CHECK_EQ(heap_stats().allocations, live_before);
}

TEST(heap, large_objects_use_and_return_pages)
{
	uint64_t free_before = page_free_count();
	uint8_t *big = kmalloc(3 * PAGE_SIZE);

	CHECK(big != NULL);
	CHECK_EQ((uintptr_t)big % HEAP_ALIGN, 0);
	CHECK(page_free_count() <= free_before - 3);
	big[0] = 1;
	big[3 * PAGE_SIZE - 1] = 2;
	kfree(big);
	CHECK_EQ(page_free_count(), free_before);
}

TEST(heap, kzalloc_zeroes_and_zero_size_fails)
{
	uint8_t *dirty = kmalloc(128);

	CHECK(dirty != NULL);
	memset(dirty, 0xa5, 128);
	kfree(dirty);
	uint8_t *clean = kzalloc(128);  /* very likely the same object */

	CHECK(clean != NULL);
	for (int i = 0; i < 128; i++)
		CHECK_EQ(clean[i], 0);
	kfree(clean);
	CHECK(kmalloc(0) == NULL);
	kfree(NULL);
}
