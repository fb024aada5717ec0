/*
 * virtio_blk.c — virtio-blk on a raw image file (see host/virtio_blk.h).
 *
 * How a request is checked, in the order it is read:
 *   - the chain must have at least one device-writable byte: the last one
 *     is the status byte; without it the request cannot even fail
 *     properly, so it is completed with used length 0 and reported;
 *   - the header is the first 16 device-readable bytes (however the driver
 *     split them over descriptors: with VERSION_1 the framing is free);
 *   - IN: the data is every writable byte but the status; OUT: every
 *     readable byte after the header.  Its length must be a whole number
 *     of sectors and the range must end inside the disk, or the request
 *     fails with VIRTIO_BLK_S_IOERR;
 *   - FLUSH: fdatasync; GET_ID: up to 20 bytes of serial number;
 *     anything else: VIRTIO_BLK_S_UNSUPP.
 * The used length is what we wrote into the chain: data + status.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "host/disk_image.h"
#include "host/error.h"
#include "host/le_bytes.h"
#include "host/trace.h"
#include "host/virtio_blk.h"

#define HEADER_SIZE     sizeof(struct virtio_blk_outhdr)
#define STATUS_SIZE     1

struct virtio_blk {
	struct virtio_device dev;       /* first: dev->backend points back here */
	struct disk_image image;
	char serial[VIRTIO_BLK_ID_BYTES];
};

static struct virtio_blk *blk_of(struct virtio_device *dev)
{
	return dev->backend;
}

/* Moves len bytes between the image at file_offset and the chain's
 * writable (to_file false) or readable (to_file true) bytes from
 * chain_offset, segment by segment; 0 or -errno. */
static int transfer(const struct disk_image *img, const struct vq_chain *chain, bool to_file,
		    uint64_t chain_offset, uint64_t file_offset, uint64_t len)
{
	unsigned int first = to_file ? 0 : chain->readable;
	unsigned int end = to_file ? chain->readable : chain->count;

	for (unsigned int i = first; i < end && len > 0; i++) {
		const struct vq_segment *s = &chain->seg[i];

		if (chain_offset >= s->len) {
			chain_offset -= s->len;
			continue;
		}
		uint64_t n = s->len - chain_offset < len ? s->len - chain_offset : len;
		uint8_t *p = s->host + chain_offset;
		int rc = to_file ? disk_image_write(img, p, n, file_offset)
				 : disk_image_read(img, p, n, file_offset);

		if (rc < 0)
			return rc;
		file_offset += n;
		len -= n;
		chain_offset = 0;
	}
	return len == 0 ? 0 : -EIO;
}

static uint8_t do_read(struct virtio_blk *blk, const struct vq_chain *chain, uint64_t sector,
		       uint64_t bytes)
{
	if (!disk_image_range_ok(&blk->image, sector, bytes)) {
		/* A disk answers this with an error, as a real one would: it is
		 * not a broken driver, so it goes to --trace, not stderr. */
		TRACE("%s: read of %" PRIu64 " bytes at sector %" PRIu64 " is not whole sectors "
		      "inside the disk (%" PRIu64 " sectors): I/O error", blk->dev.name, bytes,
		      sector, blk->image.sectors);
		return VIRTIO_BLK_S_IOERR;
	}
	int rc = transfer(&blk->image, chain, false, 0, sector * VIRTIO_BLK_SECTOR_SIZE, bytes);

	return rc == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
}

static uint8_t do_write(struct virtio_blk *blk, const struct vq_chain *chain, uint64_t sector,
			uint64_t bytes)
{
	if (blk->image.read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!disk_image_range_ok(&blk->image, sector, bytes)) {
		TRACE("%s: write of %" PRIu64 " bytes at sector %" PRIu64 " is not whole sectors "
		      "inside the disk (%" PRIu64 " sectors): I/O error", blk->dev.name, bytes,
		      sector, blk->image.sectors);
		return VIRTIO_BLK_S_IOERR;
	}
	int rc = transfer(&blk->image, chain, true, HEADER_SIZE, sector * VIRTIO_BLK_SECTOR_SIZE,
			  bytes);

	return rc == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_IN:     return "IN";
	case VIRTIO_BLK_T_OUT:    return "OUT";
	case VIRTIO_BLK_T_FLUSH:  return "FLUSH";
	case VIRTIO_BLK_T_GET_ID: return "GET_ID";
	default:                  return "unsupported";
	}
}

static uint32_t handle_request(struct virtio_device *dev, struct virtqueue *vq,
			       struct vq_chain *chain)
{
	struct virtio_blk *blk = blk_of(dev);
	struct virtio_blk_outhdr header;
	uint64_t reply = 0;             /* bytes written before the status */
	uint8_t status;

	(void)vq;
	if (chain->writable_bytes < STATUS_SIZE) {
		virtio_report(dev, "request at descriptor %u has no writable status byte; "
			      "completed with length 0", chain->head);
		return 0;
	}
	uint64_t data_in = chain->writable_bytes - STATUS_SIZE;

	if (vq_chain_read(chain, 0, &header, HEADER_SIZE) != HEADER_SIZE) {
		virtio_report(dev, "request at descriptor %u: header shorter than %zu bytes: "
			      "I/O error", chain->head, HEADER_SIZE);
		status = VIRTIO_BLK_S_IOERR;
	} else {
		uint32_t type = le32toh(header.type);
		uint64_t sector = le64toh(header.sector);

		switch (type) {
		case VIRTIO_BLK_T_IN:
			status = do_read(blk, chain, sector, data_in);
			reply = status == VIRTIO_BLK_S_OK ? data_in : 0;
			break;
		case VIRTIO_BLK_T_OUT:
			status = do_write(blk, chain, sector, chain->readable_bytes - HEADER_SIZE);
			break;
		case VIRTIO_BLK_T_FLUSH:
			status = disk_image_flush(&blk->image) == 0 ? VIRTIO_BLK_S_OK
								    : VIRTIO_BLK_S_IOERR;
			break;
		case VIRTIO_BLK_T_GET_ID:
			reply = vq_chain_write(chain, 0, blk->serial,
					       data_in < sizeof(blk->serial) ? data_in
									     : sizeof(blk->serial));
			status = VIRTIO_BLK_S_OK;
			break;
		default:
			status = VIRTIO_BLK_S_UNSUPP;
			break;
		}
		TRACE("%s %s sector=%" PRIu64 " bytes=%" PRIu64 " status=%u", dev->name,
		      type_name(type), sector,
		      type == VIRTIO_BLK_T_OUT ? chain->readable_bytes - HEADER_SIZE : data_in,
		      status);
	}
	vq_chain_write(chain, data_in, &status, STATUS_SIZE);
	return (uint32_t)(reply + STATUS_SIZE);
}

static void process_queue(struct virtio_device *dev, unsigned int q)
{
	virtio_process_chains(dev, q, handle_request);
}

static void destroy(struct virtio_device *dev)
{
	struct virtio_blk *blk = blk_of(dev);

	disk_image_close(&blk->image);
	free(blk);
}

static const struct virtio_device_ops blk_ops = {
	.process_queue = process_queue,
	.destroy = destroy,
};

struct virtio_device *virtio_blk_create(const char *path, unsigned int index,
					char *err, size_t err_len)
{
	static const char *const queue_names[] = { "requestq" };
	struct virtio_blk *blk = calloc(1, sizeof(*blk));
	char name[VIRTIO_NAME_MAX];

	if (blk == NULL) {
		error_set(err, err_len, "out of memory");
		return NULL;
	}
	if (!disk_image_open(&blk->image, path, err, err_len)) {
		free(blk);
		return NULL;
	}
	snprintf(blk->serial, sizeof(blk->serial), "pvkit-vblk%u", index);

	uint64_t features = (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
			    (1ull << VIRTIO_BLK_F_BLK_SIZE);

	if (blk->image.read_only)
		features |= 1ull << VIRTIO_BLK_F_RO;
	snprintf(name, sizeof(name), "virtio-blk%u", index);
	virtio_device_init(&blk->dev, name, VIRTIO_ID_BLOCK, features, 1, queue_names,
			   VIRTIO_BLK_QUEUE_SIZE, &blk_ops, blk);
	le_put64(blk->dev.config + offsetof(struct virtio_blk_config, capacity), blk->image.sectors);
	le_put32(blk->dev.config + offsetof(struct virtio_blk_config, seg_max), VIRTIO_BLK_SEG_MAX);
	le_put32(blk->dev.config + offsetof(struct virtio_blk_config, blk_size),
		 VIRTIO_BLK_SECTOR_SIZE);
	blk->dev.config_size = offsetof(struct virtio_blk_config, physical_block_exp);
	return &blk->dev;
}

int virtio_blk_sync(struct virtio_device *dev)
{
	return disk_image_sync(&blk_of(dev)->image);
}
