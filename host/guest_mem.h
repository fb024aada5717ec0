/*
 * guest_mem.h — the one checked way from a guest-physical address to a
 * host pointer.
 *
 * Every address a device model reads from guest memory (a ring, a
 * descriptor, a data buffer) comes from the guest and is untrusted.  The
 * device asks guest_mem_range() for [gpa, gpa + len): it answers with a
 * pointer into our mapping of guest RAM only when the whole range lies in
 * RAM, computed without any arithmetic that could overflow.  Nothing else
 * in pvkit-hv's virtio code adds a guest address to the RAM pointer.
 */
#ifndef PVKIT_HOST_GUEST_MEM_H
#define PVKIT_HOST_GUEST_MEM_H

#include <stdint.h>

struct guest_mem {
	uint8_t *ram;                   /* guest-physical 0 */
	uint64_t size;                  /* bytes of RAM from guest-physical 0 */
};

/* A host pointer to guest-physical [gpa, gpa + len), or NULL if any byte
 * of it lies outside RAM.  len 0 is allowed where gpa <= size. */
void *guest_mem_range(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

#define GUEST_MEM_PAGE_SHIFT    12
#define GUEST_MEM_PAGE_SIZE     (1ull << GUEST_MEM_PAGE_SHIFT)

/* The 4 KiB guest page at frame number `pfn`, or NULL if it is not all
 * RAM (or pfn is too large to be an address). */
void *guest_mem_page(const struct guest_mem *mem, uint64_t pfn);

#endif
