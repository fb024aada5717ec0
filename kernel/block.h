/*
 * block.h — the block-device interface every disk driver implements: the
 * emulated ATA disk (arch/x86/ata.c), and later virtio-blk and Xen
 * blkfront.  Tests and benchmarks use only this interface, which is what
 * makes their results comparable across drivers.
 */
#ifndef PVKIT_KERNEL_BLOCK_H
#define PVKIT_KERNEL_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct block_device;

/* One piece of a batch: count sectors at lba, into buf. */
struct block_io {
	uint64_t lba;
	uint32_t count;
	void *buf;
};

/* What a request costs besides the data, counted by the driver since boot
 * for the benchmarks (kernel/bench.c): the two things a paravirtual disk
 * is designed to make rare. */
struct block_counters {
	/* Signals to the device, each a trap to the hypervisor: a virtio
	 * kick (doorbell write).  The ATA disk has no doorbell: every
	 * register access traps, so it counts those (string I/O one per
	 * word, as pvkit-hv --stats does). */
	uint64_t notifications;
	uint64_t interrupts;            /* taken from the device */
};

struct block_ops {
	/* Transfer count sectors at lba; 0 or a negative errno (kernel/errno.h).
	 * Requests past the end of the device fail with -ERANGE. */
	int (*read)(struct block_device *dev, uint64_t lba, uint32_t count, void *buf);
	int (*write)(struct block_device *dev, uint64_t lba, uint32_t count,
		     const void *buf);
	/* Make every completed write durable. */
	int (*flush)(struct block_device *dev);
	/* Optional: read every piece of ios[0..n), with several requests in
	 * flight, completing in any order; 0 or the first error.  Without it
	 * block_read_batch reads the pieces one after another. */
	int (*read_batch)(struct block_device *dev, const struct block_io *ios,
			  unsigned int n);
	/* Optional: the driver's counters; all zero without it. */
	void (*counters)(struct block_device *dev, struct block_counters *out);
};

struct block_device {
	const char *name;               /* "ata0", "vda", "xvda", ... */
	const char *model;              /* what the device says it is, for reports */
	uint64_t sectors;
	uint32_t sector_size;           /* bytes */
	uint32_t max_sectors_per_request;
	uint32_t max_in_flight;         /* requests at once; block_register makes 0 a 1 */
	const struct block_ops *ops;
	void *driver_data;
	struct block_device *next;
};

void block_register(struct block_device *dev);
struct block_device *block_first(void);
struct block_device *block_find(const char *name);
void block_report(void);

/* Checked entry points: range and argument checks, then the driver. */
int block_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf);
int block_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf);
int block_flush(struct block_device *dev);
/* Every piece is checked before any is read. */
int block_read_batch(struct block_device *dev, const struct block_io *ios, unsigned int n);
void block_read_counters(struct block_device *dev, struct block_counters *out);

/*
 * For drivers: cutting a transfer (one range, or the pieces of a batch)
 * into requests of the driver's size.  The cursor says where the transfer
 * has got: the piece being cut, and what is left of it.  Every piece
 * gives at least one request, so a flush (one piece of 0 sectors) is one
 * request without data.
 */
struct block_cursor {
	const struct block_io *piece, *end;
	uint32_t sector_size;
	uint64_t lba;                   /* of the next request */
	uint8_t *buf;
	uint64_t bytes_left;            /* of the current piece */
};

void block_cursor_start(struct block_cursor *c, const struct block_io *pieces, unsigned int n,
			uint32_t sector_size);
bool block_cursor_done(const struct block_cursor *c);
/* The next request's size: what is left of the piece, at most `most`. */
uint32_t block_cursor_next_bytes(const struct block_cursor *c, uint32_t most);
/* A request of `bytes` was issued: move past it (to the next piece at its end). */
void block_cursor_advance(struct block_cursor *c, uint32_t bytes);

#endif
