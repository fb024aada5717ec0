/*
 * disk_image.h — a raw disk-image file as the block backends use it
 * (virtio-blk in host/virtio_blk.c, Xen's blkback in host/xen_blkback.c):
 * opened read-write or, when writing is not allowed, read-only; its size
 * in 512-byte sectors; range checks; whole transfers with pread/pwrite.
 */
#ifndef PVKIT_HOST_DISK_IMAGE_H
#define PVKIT_HOST_DISK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISK_IMAGE_SECTOR_SIZE  512     /* what sector numbers count, for every backend */

struct disk_image {
	int fd;                 /* -1: not open */
	bool read_only;
	uint64_t sectors;       /* whole sectors; a shorter tail is not exposed */
};

/* Opens path (a regular file of at least one sector).  False with a
 * message ("PATH: reason") otherwise. */
bool disk_image_open(struct disk_image *img, const char *path, char *err, size_t err_len);
void disk_image_close(struct disk_image *img);

/* bytes is whole sectors and sector .. sector + bytes/512 is inside the disk. */
bool disk_image_range_ok(const struct disk_image *img, uint64_t sector, uint64_t bytes);

/* Reads or writes all len bytes at byte offset `offset`, retrying short
 * transfers: 0, or -errno (-EIO when the file ended early). */
int disk_image_read(const struct disk_image *img, void *buf, uint64_t len, uint64_t offset);
int disk_image_write(const struct disk_image *img, const void *buf, uint64_t len,
		     uint64_t offset);

/* fdatasync (what a FLUSH asks) and fsync (at exit); 0 or -errno.  Both
 * are 0 for a read-only image. */
int disk_image_flush(const struct disk_image *img);
int disk_image_sync(const struct disk_image *img);

#endif
