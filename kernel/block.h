/*
 * block.h — the block-device interface every disk driver implements: the
 * emulated ATA disk (arch/x86/ata.c), and later virtio-blk and Xen
 * blkfront.  Tests and benchmarks use only this interface, which is what
 * makes their results comparable across drivers.
 */
#ifndef PVKIT_KERNEL_BLOCK_H
#define PVKIT_KERNEL_BLOCK_H

#include <stdint.h>

struct block_device;

struct block_ops {
	/* Transfer count sectors at lba; 0 or a negative errno (kernel/errno.h).
	 * Requests past the end of the device fail with -ERANGE. */
	int (*read)(struct block_device *dev, uint64_t lba, uint32_t count, void *buf);
	int (*write)(struct block_device *dev, uint64_t lba, uint32_t count,
		     const void *buf);
	/* Make every completed write durable. */
	int (*flush)(struct block_device *dev);
};

struct block_device {
	const char *name;               /* "ata0", "vda", "xvda", ... */
	const char *model;              /* what the device says it is, for reports */
	uint64_t sectors;
	uint32_t sector_size;           /* bytes */
	uint32_t max_sectors_per_request;
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

#endif
