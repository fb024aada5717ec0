/*
 * virtio_blk.c — the virtio block device (virtio 1.2, 5.2) behind the
 * kernel's block interface (kernel/block.h), as "vda", "vdb", ...
 *
 * A request is one buffer of three parts:
 *   struct virtio_blk_outhdr   device-readable: type (IN, OUT, FLUSH), sector
 *   the data                   device-writable for reads, readable for writes
 *   one status byte            device-writable: VIRTIO_BLK_S_OK, IOERR, UNSUPP
 * The sector is always in 512-byte units, whatever the disk's block size.
 *
 * The block interface is synchronous, but the device is not: a transfer
 * (one range, or the pieces of a batch read) is cut into requests of at
 * most REQUEST_BYTES, up to MAX_IN_FLIGHT of them are handed to the
 * device at once (one kick for the lot), and as each completes the next
 * is submitted.  Completions arrive by interrupt:
 * the queue's callback marks requests done, and the submitting code sleeps
 * in platform->idle() between them (virtio_wait).  Why interrupts and not
 * polling: a poll loop in a guest is a CPU spinning on memory the host
 * writes, which under this machine's KVM (every guest ring-0 instruction
 * emulated) is pure waste, and the interrupt path must work anyway for
 * devices that take time (a real disk behind the host).
 */
#include <linux/virtio_blk.h>

#include "kernel/block.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "kernel/timer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_blk.h"

#define BLK_QUEUE               0       /* requestq */
#define BLK_QUEUE_SIZE          64      /* ring entries: modest, one page */
#define MAX_IN_FLIGHT           16
#define REQUEST_BYTES           (16 * 1024)
#define MAX_DATA_SEGMENTS       4       /* per request, when size_max is small */
#define SECTOR_SIZE             512
#define REQUEST_TIMEOUT_NS      (10 * NSEC_PER_SEC)
#define STATUS_PENDING          0xff    /* not a status the device sends */

/* One request: header and status must be memory the device can reach
 * (ours is identity-mapped), and stay put until the device returns it. */
struct blk_request {
	struct virtio_blk_outhdr header;
	uint8_t status;
	bool in_use;
	volatile bool done;
	uint32_t written;               /* used length the device reported */
};

struct virtio_blk {
	struct block_device bdev;
	struct virtio_device *dev;
	struct virtqueue *vq;
	struct blk_request *requests;   /* [MAX_IN_FLIGHT] */
	unsigned int in_flight;
	uint32_t request_bytes;         /* REQUEST_BYTES, or less if the device says so */
	uint32_t segment_bytes;         /* largest data segment (size_max) */
	char name[8];
	char model[40];
	struct virtio_blk_stats stats;
};

static unsigned int disk_count;

static struct virtio_blk *to_vblk(struct block_device *bdev)
{
	return bdev->driver_data;
}

/* ---- completions (interrupt context) ------------------------------------------------ */

static void blk_queue_callback(struct virtqueue *vq)
{
	struct virtio_blk *vblk = vq->priv;
	struct blk_request *req;
	uint32_t len;

	while ((req = virtqueue_get_buf(vq, &len))) {
		req->written = len;
		req->done = true;
		vblk->stats.interrupt_completions++;
	}
}

/* The device was reset: whatever it had will never come back. */
static void blk_broken(struct virtio_device *dev)
{
	struct virtio_blk *vblk = dev->driver_data;

	if (!vblk)
		return;
	for (unsigned int i = 0; i < MAX_IN_FLIGHT; i++)
		if (vblk->requests[i].in_use)
			vblk->requests[i].done = true;
}

/* ---- submitting ------------------------------------------------------------------------ */

static struct blk_request *free_request(struct virtio_blk *vblk)
{
	for (unsigned int i = 0; i < MAX_IN_FLIGHT; i++)
		if (!vblk->requests[i].in_use)
			return &vblk->requests[i];
	return NULL;
}

/* Header, data (cut at segment_bytes), status: returns 0 or -errno. */
static int submit(struct virtio_blk *vblk, struct blk_request *req, uint32_t type,
		  uint64_t sector, void *data, uint32_t bytes)
{
	struct virtio_sg sg[MAX_DATA_SEGMENTS + 2];
	unsigned int n = 0, out;
	int error;

	req->header = (struct virtio_blk_outhdr){ .type = type, .sector = sector };
	req->status = STATUS_PENDING;
	req->done = false;
	req->written = 0;
	sg[n++] = (struct virtio_sg){ virt_to_phys(&req->header), sizeof(req->header) };
	for (uint32_t off = 0; off < bytes; off += vblk->segment_bytes) {
		uint32_t len = bytes - off < vblk->segment_bytes ? bytes - off :
			       vblk->segment_bytes;

		sg[n++] = (struct virtio_sg){ virt_to_phys((uint8_t *)data + off), len };
	}
	out = type == VIRTIO_BLK_T_IN ? 1 : n;  /* reads: the data is device-writable */
	sg[n++] = (struct virtio_sg){ virt_to_phys(&req->status), 1 };
	error = virtqueue_add(vblk->vq, sg, out, n - out, req);
	if (error)
		return error;
	req->in_use = true;
	vblk->in_flight++;
	vblk->stats.requests++;
	if (vblk->in_flight > vblk->stats.max_in_flight)
		vblk->stats.max_in_flight = vblk->in_flight;
	return 0;
}

/* The result of a completed request, and its slot freed. */
static int finish(struct virtio_blk *vblk, struct blk_request *req)
{
	int result = 0;

	if (vblk->dev->broken)
		result = -EIO;
	else if (req->written < 1 || req->status != VIRTIO_BLK_S_OK)
		result = -EIO;
	req->in_use = false;
	vblk->in_flight--;
	return result;
}

static bool some_request_done(void *arg)
{
	struct virtio_blk *vblk = arg;

	for (unsigned int i = 0; i < MAX_IN_FLIGHT; i++)
		if (vblk->requests[i].in_use && vblk->requests[i].done)
			return true;
	return vblk->dev->broken;
}

/* Collects every finished request; returns the first error seen. */
static int reap(struct virtio_blk *vblk)
{
	int error = 0;

	for (unsigned int i = 0; i < MAX_IN_FLIGHT; i++) {
		struct blk_request *req = &vblk->requests[i];

		if (req->in_use && req->done) {
			int result = finish(vblk, req);

			if (!error)
				error = result;
		}
	}
	return error;
}

static int wait_for_completion(struct virtio_blk *vblk)
{
	if (virtio_wait(some_request_done, vblk, REQUEST_TIMEOUT_NS) == 0)
		return 0;
	virtio_device_broken(vblk->dev, "%s: no request completed in %lu s", vblk->name,
			     REQUEST_TIMEOUT_NS / NSEC_PER_SEC);
	blk_broken(vblk->dev);
	return -ETIMEDOUT;
}

/* The next request of a transfer: at most request_bytes of the piece. */
static bool submit_next(struct virtio_blk *vblk, uint32_t type, struct block_cursor *c)
{
	struct blk_request *req = free_request(vblk);
	uint32_t bytes = block_cursor_next_bytes(c, vblk->request_bytes);

	if (!req || vblk->dev->broken || submit(vblk, req, type, c->lba, c->buf, bytes) != 0)
		return false;           /* no slot, or ring full: wait for room */
	block_cursor_advance(c, bytes);
	return true;
}

/*
 * The internal queue: submit requests while there is room (in our table
 * and in the ring), kick once if anything was added, sleep until at
 * least one completes, reap, repeat.  Runs with interrupts disabled
 * except while sleeping.
 */
static int transfer(struct virtio_blk *vblk, uint32_t type, const struct block_io *pieces,
		    unsigned int n)
{
	struct block_cursor c;
	bool was_enabled = irq_save();
	int error = vblk->dev->broken ? -EIO : 0;

	block_cursor_start(&c, pieces, n, SECTOR_SIZE);
	while ((!error && !block_cursor_done(&c)) || vblk->in_flight > 0) {
		bool added = false;

		while (!error && !block_cursor_done(&c) && submit_next(vblk, type, &c))
			added = true;
		if (vblk->dev->broken && !error)
			error = -EIO;
		if (added)
			virtqueue_kick(vblk->vq);
		if (vblk->in_flight == 0)
			continue;
		int waited = wait_for_completion(vblk);
		int result = reap(vblk);

		if (!error)
			error = waited ? waited : result;
	}
	irq_restore(was_enabled);
	return error;
}

static int blk_read(struct block_device *bdev, uint64_t lba, uint32_t count, void *buf)
{
	const struct block_io piece = { lba, count, buf };

	return transfer(to_vblk(bdev), VIRTIO_BLK_T_IN, &piece, 1);
}

/* The data of an OUT request is only read: casting its const away is safe. */
static int blk_write(struct block_device *bdev, uint64_t lba, uint32_t count,
		     const void *buf)
{
	const struct block_io piece = { lba, count, (void *)buf };

	return transfer(to_vblk(bdev), VIRTIO_BLK_T_OUT, &piece, 1);
}

static int blk_read_batch(struct block_device *bdev, const struct block_io *ios,
			  unsigned int n)
{
	return transfer(to_vblk(bdev), VIRTIO_BLK_T_IN, ios, n);
}

/* Without VIRTIO_BLK_F_FLUSH the device is write-through (5.2.6.2):
 * a completed write is already durable. */
static int blk_flush(struct block_device *bdev)
{
	struct virtio_blk *vblk = to_vblk(bdev);
	const struct block_io no_data = { 0, 0, NULL };

	if (vblk->dev->broken)
		return -EIO;
	if (!virtio_has_feature(vblk->dev, VIRTIO_BLK_F_FLUSH))
		return 0;
	return transfer(vblk, VIRTIO_BLK_T_FLUSH, &no_data, 1);
}

/* The virtio core counts kicks and interrupts per device. */
static void blk_counters(struct block_device *bdev, struct block_counters *out)
{
	const struct virtio_device *dev = to_vblk(bdev)->dev;

	out->notifications = dev->notifications;
	out->interrupts = dev->interrupts;
}

static const struct block_ops blk_ops = {
	.read = blk_read,
	.write = blk_write,
	.flush = blk_flush,
	.read_batch = blk_read_batch,
	.counters = blk_counters,
};

/* ---- probing ------------------------------------------------------------------------- */

/* Request size from the device's limits: segments of at most size_max,
 * at most seg_max (and MAX_DATA_SEGMENTS) of them. */
static void read_limits(struct virtio_blk *vblk)
{
	uint32_t size_max = REQUEST_BYTES, seg_max = MAX_DATA_SEGMENTS;

	if (virtio_has_feature(vblk->dev, VIRTIO_BLK_F_SIZE_MAX))
		virtio_config_read(vblk->dev, offsetof(struct virtio_blk_config, size_max),
				   &size_max, sizeof(size_max));
	if (virtio_has_feature(vblk->dev, VIRTIO_BLK_F_SEG_MAX))
		virtio_config_read(vblk->dev, offsetof(struct virtio_blk_config, seg_max),
				   &seg_max, sizeof(seg_max));
	if (size_max < SECTOR_SIZE)
		size_max = SECTOR_SIZE;
	size_max &= ~(uint32_t)(SECTOR_SIZE - 1);
	if (seg_max == 0 || seg_max > MAX_DATA_SEGMENTS)
		seg_max = MAX_DATA_SEGMENTS;
	vblk->segment_bytes = size_max < REQUEST_BYTES ? size_max : REQUEST_BYTES;
	vblk->request_bytes = vblk->segment_bytes * seg_max < REQUEST_BYTES ?
			      vblk->segment_bytes * seg_max : REQUEST_BYTES;
}

static int blk_probe(struct virtio_device *dev)
{
	struct virtio_blk *vblk = kzalloc(sizeof(*vblk));
	uint64_t capacity;

	if (!vblk)
		return -ENOMEM;
	vblk->requests = kzalloc(MAX_IN_FLIGHT * sizeof(*vblk->requests));
	vblk->dev = dev;
	vblk->vq = vblk->requests ? virtqueue_create(dev, BLK_QUEUE, BLK_QUEUE_SIZE,
						     blk_queue_callback) : NULL;
	if (!vblk->vq) {
		kfree(vblk->requests);
		kfree(vblk);
		return -ENOMEM;
	}
	vblk->vq->priv = vblk;
	virtio_config_read(dev, offsetof(struct virtio_blk_config, capacity), &capacity,
			   sizeof(capacity));
	read_limits(vblk);
	snprintf(vblk->name, sizeof(vblk->name), "vd%c", 'a' + disk_count++ % 26);
	snprintf(vblk->model, sizeof(vblk->model), "virtio-blk over %s%s", dev->ops->name,
		 virtio_has_feature(dev, VIRTIO_BLK_F_RO) ? ", read-only" : "");
	vblk->bdev = (struct block_device){
		.name = vblk->name, .model = vblk->model, .sectors = capacity,
		.sector_size = SECTOR_SIZE, .max_sectors_per_request = UINT32_MAX / SECTOR_SIZE,
		.max_in_flight = MAX_IN_FLIGHT, .ops = &blk_ops, .driver_data = vblk,
	};
	dev->driver_data = vblk;
	block_register(&vblk->bdev);
	return 0;
}

VIRTIO_DRIVER(blk, .name = "virtio-blk", .device_id = VIRTIO_ID_BLOCK,
	      .features = (1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
			  (1ull << VIRTIO_BLK_F_RO) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
			  (1ull << VIRTIO_BLK_F_FLUSH),
	      .probe = blk_probe, .broken = blk_broken);

/* ---- for tests ---------------------------------------------------------------------------- */

struct virtio_blk *virtio_blk_of(struct block_device *bdev)
{
	return bdev && bdev->ops == &blk_ops ? bdev->driver_data : NULL;
}

const struct virtio_blk_stats *virtio_blk_stats(struct virtio_blk *vblk)
{
	return &vblk->stats;
}

struct virtio_device *virtio_blk_device(struct virtio_blk *vblk)
{
	return vblk->dev;
}
