/*
 * virtio_blk.h — the virtio block device (virtio 1.2, section 5.2), backed
 * by a raw disk-image file.
 *
 * One request queue.  Each request is a chain: a 16-byte header
 * (struct virtio_blk_outhdr: type, sector) the device reads, then the data
 * (read by the device for VIRTIO_BLK_T_OUT, written for VIRTIO_BLK_T_IN),
 * then one status byte the device writes.  Requests are carried out with
 * pread/pwrite straight between the file and the guest's buffers, in the
 * order the driver queued them, on the I/O thread.
 */
#ifndef PVKIT_HOST_VIRTIO_BLK_H
#define PVKIT_HOST_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>

#include "host/disk_image.h"
#include "host/virtio.h"

#define VIRTIO_BLK_SECTOR_SIZE  DISK_IMAGE_SECTOR_SIZE  /* capacity and sector numbers count these */
#define VIRTIO_BLK_QUEUE_SIZE   VIRTQUEUE_MAX_SIZE
/* Data segments per request we accept: the chain limit minus the header
 * and the status byte (told to the driver as seg_max). */
#define VIRTIO_BLK_SEG_MAX      (VIRTQUEUE_MAX_SEGMENTS - 2)

/* A device named "virtio-blk<index>" on path, opened read-write (or
 * read-only, offering VIRTIO_BLK_F_RO, when the file cannot be written).
 * NULL + message on failure. */
struct virtio_device *virtio_blk_create(const char *path, unsigned int index,
					char *err, size_t err_len);
/* fsync of the image; 0 or -errno. */
int virtio_blk_sync(struct virtio_device *dev);

#endif
