/*
 * tests/tools/disk_pattern.h - the deterministic disk pattern shared by the
 * in-guest disk tests (tests/guest/test_block.c) and the host's checker
 * (tests/tools/disk-pattern.c), so that each side can verify what the
 * other wrote: the guest writes the pattern and the host checks the image
 * file after the boot; the host writes it before the boot and the guest
 * checks it.
 *
 * Freestanding on purpose (only <stdint.h>): the kernel includes it too.
 */
#ifndef PVKIT_TESTS_TOOLS_DISK_PATTERN_H
#define PVKIT_TESTS_TOOLS_DISK_PATTERN_H

#include <stdint.h>

#define DISK_PATTERN_SECTOR_SIZE 512

/* Where the guest writes the pattern on every disk, whatever its driver
 * (then `disk-pattern check IMG 64 8`).  Each disk gets its own image. */
#define DISK_PATTERN_GUEST_LBA   64
#define DISK_PATTERN_GUEST_COUNT 8

/* Where the host writes it before the boot (`disk-pattern write IMG 128 4`)
 * for the guest to read back. */
#define DISK_PATTERN_HOST_LBA    128
#define DISK_PATTERN_HOST_COUNT  4

/* Byte i of sector lba.  131 and 7 are odd, so every sector differs from
 * its neighbours and the bytes of a sector do not repeat with a short
 * period: a sector written at the wrong LBA, or shifted by some bytes, is
 * caught. */
static inline uint8_t disk_pattern_byte(uint64_t lba, unsigned int i)
{
	return (uint8_t)(lba * 131 + i * 7 + 0x5a);
}

static inline void disk_pattern_fill(uint8_t *sector, uint64_t lba)
{
	for (unsigned int i = 0; i < DISK_PATTERN_SECTOR_SIZE; i++)
		sector[i] = disk_pattern_byte(lba, i);
}

/* Index of the first byte of sector that differs from the pattern of lba,
 * or -1 when it all matches. */
static inline int disk_pattern_mismatch(const uint8_t *sector, uint64_t lba)
{
	for (unsigned int i = 0; i < DISK_PATTERN_SECTOR_SIZE; i++)
		if (sector[i] != disk_pattern_byte(lba, i))
			return (int)i;
	return -1;
}

#endif
