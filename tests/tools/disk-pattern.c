/*
 * tests/tools/disk-pattern.c - write or check the deterministic test
 * pattern (tests/tools/disk_pattern.h) in a raw disk image, from the host.
 *
 *   disk-pattern write FILE LBA COUNT   put the pattern in sectors LBA..LBA+COUNT-1
 *                                       (the file is created or extended as needed)
 *   disk-pattern check FILE LBA COUNT   exit 0 if those sectors hold it, else 1
 *
 * Exit status 2: bad arguments or an I/O error.  The harness uses it around
 * a boot with an ATA (or virtio-blk, Xen) disk: it writes the pattern that
 * the guest's tests read, and checks the one they wrote, so the guest's
 * driver is not the only judge of what reached the disk.
 *
 * Build: gcc -O2 -Wall -Wextra -Werror -I. -o build/tools/disk-pattern tests/tools/disk-pattern.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tools/disk_pattern.h"

#define EXIT_MISMATCH   1
#define EXIT_USAGE      2

#define SECTOR          DISK_PATTERN_SECTOR_SIZE
#define MAX_LBA         (UINT64_C(1) << 48)     /* what LBA48 can address */

static int usage(void)
{
	fprintf(stderr, "usage: disk-pattern write|check FILE LBA COUNT\n");
	return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno == 0 && end != s && *end == '\0' && s[0] != '-';
}

static int write_pattern(int fd, const char *path, uint64_t lba, uint64_t count)
{
	uint8_t sector[SECTOR];

	for (uint64_t s = lba; s < lba + count; s++) {
		disk_pattern_fill(sector, s);
		if (pwrite(fd, sector, SECTOR, (off_t)(s * SECTOR)) != SECTOR) {
			fprintf(stderr, "disk-pattern: writing sector %" PRIu64 " of %s: %s\n",
				s, path, strerror(errno));
			return EXIT_USAGE;
		}
	}
	if (fsync(fd) != 0) {
		fprintf(stderr, "disk-pattern: fsync %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	printf("disk-pattern: wrote sectors %" PRIu64 "-%" PRIu64 " of %s\n",
	       lba, lba + count - 1, path);
	return EXIT_SUCCESS;
}

static int check_pattern(int fd, const char *path, uint64_t lba, uint64_t count)
{
	uint8_t sector[SECTOR];

	for (uint64_t s = lba; s < lba + count; s++) {
		ssize_t n = pread(fd, sector, SECTOR, (off_t)(s * SECTOR));
		int bad;

		if (n < 0) {
			fprintf(stderr, "disk-pattern: reading sector %" PRIu64 " of %s: %s\n",
				s, path, strerror(errno));
			return EXIT_USAGE;
		}
		if (n != SECTOR) {
			printf("disk-pattern: %s: sector %" PRIu64 " is beyond the end of the file\n",
			       path, s);
			return EXIT_MISMATCH;
		}
		bad = disk_pattern_mismatch(sector, s);
		if (bad >= 0) {
			printf("disk-pattern: %s: sector %" PRIu64 " byte %d is 0x%02x, expected 0x%02x\n",
			       path, s, bad, sector[bad], disk_pattern_byte(s, (unsigned int)bad));
			return EXIT_MISMATCH;
		}
	}
	printf("disk-pattern: sectors %" PRIu64 "-%" PRIu64 " of %s hold the pattern\n",
	       lba, lba + count - 1, path);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	uint64_t lba, count;
	bool writing;
	int fd, status;

	if (argc != 5 || !parse_u64(argv[3], &lba) || !parse_u64(argv[4], &count))
		return usage();
	if (strcmp(argv[1], "write") == 0)
		writing = true;
	else if (strcmp(argv[1], "check") == 0)
		writing = false;
	else
		return usage();
	if (count == 0 || lba >= MAX_LBA || count > MAX_LBA - lba) {
		fprintf(stderr, "disk-pattern: LBA %" PRIu64 " COUNT %" PRIu64
			" is not a range of sectors\n", lba, count);
		return EXIT_USAGE;
	}
	fd = writing ? open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644)
		     : open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "disk-pattern: %s: %s\n", argv[2], strerror(errno));
		return EXIT_USAGE;
	}
	status = writing ? write_pattern(fd, argv[2], lba, count)
			 : check_pattern(fd, argv[2], lba, count);
	close(fd);
	return status;
}
