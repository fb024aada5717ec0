/*
 * bench.c — in-guest benchmarks, run with `bench=NAME` on the command line.
 *
 * The guest measures with its own clock and prints one line per result,
 *   bench: NAME DEVICE: BYTES bytes in NS ns
 * which scripts/bench.sh reads.  The same code runs over any driver behind
 * the block interface, so ATA, virtio-blk and Xen blkfront are measured by
 * one yardstick.  Results are reported, never judged: nothing here fails
 * because it is slow.
 */
#include "kernel/bench.h"
#include "kernel/block.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/timer.h"
#include "lib/string.h"

#define BENCH_NAME_MAX          32
#define BLOCK_REQUEST_BYTES     (64 * 1024)
#define BLOCK_READ_BYTES        (1024 * 1024)
#define BLOCK_WRITE_BYTES       (128 * 1024)    /* emulated disks write slowly */
/* Past the sectors the in-guest tests use (tests/guest/test_ata.c). */
#define BLOCK_BENCH_FIRST_LBA   1024

static char requested[BENCH_NAME_MAX];

static bool set_bench(const char *value)
{
	if (!value || (strcmp(value, "block") != 0))
		return false;
	strlcpy(requested, value, sizeof(requested));
	return true;
}
CMDLINE_OPTION(bench, "bench", set_bench,
	       "run an in-guest benchmark and stop: bench=block (sequential "
	       "read and write on every block device; overwrites its sectors)");

bool bench_requested(void)
{
	return requested[0] != '\0';
}

typedef int transfer_fn(struct block_device *dev, uint64_t lba, uint32_t count,
			void *buf);

static int read_request(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
	return block_read(dev, lba, count, buf);
}

static int write_request(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
	return block_write(dev, lba, count, buf);
}

/* Moves `bytes` in requests of BLOCK_REQUEST_BYTES from the first bench LBA. */
static int time_transfer(struct block_device *dev, transfer_fn *transfer, void *buf,
			 uint64_t bytes, uint64_t *elapsed_ns)
{
	uint32_t sectors = BLOCK_REQUEST_BYTES / dev->sector_size;
	uint64_t lba = BLOCK_BENCH_FIRST_LBA;
	uint64_t start = time_now_ns();

	for (uint64_t done = 0; done < bytes; done += BLOCK_REQUEST_BYTES) {
		int error = transfer(dev, lba, sectors, buf);

		if (error)
			return error;
		lba += sectors;
	}
	*elapsed_ns = time_now_ns() - start;
	return 0;
}

static void bench_one(const char *name, struct block_device *dev, transfer_fn *transfer,
		      void *buf, uint64_t bytes)
{
	uint64_t ns = 0;
	int error = time_transfer(dev, transfer, buf, bytes, &ns);

	if (error)
		printk("bench: %s %s: failed: %s\n", name, dev->name, errno_name(error));
	else
		printk("bench: %s %s: %lu bytes in %lu ns (%lu KiB/s)\n", name, dev->name,
		       bytes, ns, ns ? bytes * NSEC_PER_SEC / 1024 / ns : 0);
}

static void bench_block(void)
{
	uint64_t needed = BLOCK_BENCH_FIRST_LBA * 512 + BLOCK_READ_BYTES;
	void *buf = kmalloc(BLOCK_REQUEST_BYTES);

	if (!buf) {
		printk("bench: block: out of memory\n");
		return;
	}
	memset(buf, 0xa5, BLOCK_REQUEST_BYTES);
	if (!block_first())
		printk("bench: block: no block device\n");
	for (struct block_device *d = block_first(); d; d = d->next) {
		if (d->sectors * d->sector_size < needed) {
			printk("bench: block %s: needs %lu KiB, has %lu\n", d->name,
			       needed / 1024, d->sectors * d->sector_size / 1024);
			continue;
		}
		bench_one("seq-write", d, write_request, buf, BLOCK_WRITE_BYTES);
		bench_one("seq-read", d, read_request, buf, BLOCK_READ_BYTES);
	}
	kfree(buf);
}

void bench_run(void)
{
	if (strcmp(requested, "block") == 0)
		bench_block();
}
