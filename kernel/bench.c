/*
 * bench.c — in-guest benchmarks, run with `bench=NAME` on the command line.
 *
 * The guest measures with its own clock and prints one line per result,
 *   bench: PHASE DEVICE: BYTES bytes in NS ns (RATE KiB/s), N requests
 *          (IOPS IOPS), D at a time, K notifications, I interrupts
 * (on one line), which scripts/bench.sh reads.  The same code runs over
 * any driver behind the block interface, so ATA, virtio-blk and Xen
 * blkfront are measured by one yardstick.  Results are reported, never
 * judged: nothing here fails because it is slow.
 *
 * The phases, on every block device:
 *   seq-write, seq-read  64 KiB block-layer requests, one after another;
 *   rand-read            4 KiB reads at random places, one at a time;
 *   rand-read-queued     the same reads, several at a time through
 *                        block_read_batch, as many as the driver keeps in
 *                        flight (at most RAND_MAX_DEPTH); only for drivers
 *                        that keep more than one.
 * Notifications and interrupts are the driver's counters (kernel/block.h)
 * before and after each phase.
 *
 * bench=xen (hypercall, PTE write, event-channel costs) is in
 * pv/xen/xen_bench.c.
 */
#include "kernel/bench.h"
#include "kernel/block.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/timer.h"
#include "lib/string.h"
#include "pv/xen/xen_bench.h"

#define BENCH_NAME_MAX          32
#define BLOCK_REQUEST_BYTES     (64 * 1024)
#define BLOCK_READ_BYTES        (1024 * 1024)
#define BLOCK_WRITE_BYTES       (1024 * 1024)   /* ~4 s on the emulated ATA disk under KVM here */
/* Past the sectors the in-guest tests use (tests/guest/test_block.c). */
#define BLOCK_BENCH_FIRST_LBA   1024
/* Random reads: few, because this machine's KVM emulates every guest
 * ring-0 instruction (~1 us each), in a region larger than the
 * sequential phases touch, by a fixed generator so every run and every
 * host reads the same places. */
#define RAND_READS              200
#define RAND_READ_BYTES         4096
#define RAND_REGION_BYTES       (8 * 1024 * 1024)
#define RAND_MAX_DEPTH          16
#define RAND_SEED               0x70766b6974ull         /* "pvkit" */
/* A batch's pieces share the one buffer. */
_Static_assert(RAND_MAX_DEPTH * RAND_READ_BYTES <= BLOCK_REQUEST_BYTES,
	       "a batch of random reads must fit in the bench buffer");

static char requested[BENCH_NAME_MAX];

static bool set_bench(const char *value)
{
	if (!value || (strcmp(value, "block") != 0 && strcmp(value, "xen") != 0))
		return false;
	strlcpy(requested, value, sizeof(requested));
	return true;
}
CMDLINE_OPTION(bench, "bench", set_bench,
	       "run an in-guest benchmark and stop: bench=block (sequential "
	       "read and write, random reads, on every block device; overwrites "
	       "its sectors) or bench=xen (null hypercall, PTE write, "
	       "event channel one way and ping-pong; pv/xen/xen_bench.c)");

bool bench_requested(void)
{
	return requested[0] != '\0';
}

/* What one phase did; the runner adds the time and the counters. */
struct phase_result {
	uint64_t bytes;
	uint64_t requests;              /* block-layer requests */
	unsigned int depth;             /* of them at a time */
};

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
static int sequential(struct block_device *dev, transfer_fn *transfer, uint8_t *buf,
		      uint64_t bytes, struct phase_result *r)
{
	uint32_t sectors = BLOCK_REQUEST_BYTES / dev->sector_size;
	uint64_t lba = BLOCK_BENCH_FIRST_LBA;

	for (uint64_t done = 0; done < bytes; done += BLOCK_REQUEST_BYTES) {
		int error = transfer(dev, lba, sectors, buf);

		if (error)
			return error;
		lba += sectors;
		r->requests++;
	}
	r->bytes = bytes;
	r->depth = 1;
	return 0;
}

static int seq_write(struct block_device *dev, uint8_t *buf, struct phase_result *r)
{
	return sequential(dev, write_request, buf, BLOCK_WRITE_BYTES, r);
}

static int seq_read(struct block_device *dev, uint8_t *buf, struct phase_result *r)
{
	return sequential(dev, read_request, buf, BLOCK_READ_BYTES, r);
}

/* A 64-bit linear congruential generator (Knuth's MMIX constants); its
 * high bits are the random ones. */
static uint32_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

/* RAND_READS reads of RAND_READ_BYTES at random aligned places of the
 * region, in batches of `depth`, each piece into its own part of buf. */
static int random_reads(struct block_device *dev, uint8_t *buf, unsigned int depth,
			struct phase_result *r)
{
	struct block_io batch[RAND_MAX_DEPTH];
	uint32_t sectors = RAND_READ_BYTES / dev->sector_size;
	uint64_t state = RAND_SEED;

	for (unsigned int done = 0; done < RAND_READS; done += depth) {
		unsigned int n = RAND_READS - done < depth ? RAND_READS - done : depth;
		int error;

		for (unsigned int i = 0; i < n; i++) {
			uint64_t block = next_random(&state) % (RAND_REGION_BYTES / RAND_READ_BYTES);

			batch[i] = (struct block_io){ BLOCK_BENCH_FIRST_LBA + block * sectors,
						      sectors, buf + i * RAND_READ_BYTES };
		}
		error = block_read_batch(dev, batch, n);
		if (error)
			return error;
	}
	r->bytes = (uint64_t)RAND_READS * RAND_READ_BYTES;
	r->requests = RAND_READS;
	r->depth = depth;
	return 0;
}

static int rand_read(struct block_device *dev, uint8_t *buf, struct phase_result *r)
{
	return random_reads(dev, buf, 1, r);
}

/* As deep as the driver goes, up to RAND_MAX_DEPTH. */
static unsigned int queue_depth(const struct block_device *dev)
{
	return dev->max_in_flight < RAND_MAX_DEPTH ? dev->max_in_flight : RAND_MAX_DEPTH;
}

static int rand_read_queued(struct block_device *dev, uint8_t *buf, struct phase_result *r)
{
	return random_reads(dev, buf, queue_depth(dev), r);
}

typedef int phase_fn(struct block_device *dev, uint8_t *buf, struct phase_result *r);

static uint64_t per_second(uint64_t count, uint64_t ns)
{
	return ns ? count * NSEC_PER_SEC / ns : 0;
}

/* Runs one phase on dev, timed and counted, and prints its line. */
static void run_phase(const char *name, struct block_device *dev, phase_fn *phase,
		      uint8_t *buf)
{
	struct phase_result r = { 0 };
	struct block_counters before, after;
	uint64_t start, ns;
	int error;

	block_read_counters(dev, &before);
	start = time_now_ns();
	error = phase(dev, buf, &r);
	ns = time_now_ns() - start;
	block_read_counters(dev, &after);
	if (error) {
		printk("bench: %s %s: failed: %s\n", name, dev->name, errno_name(error));
		return;
	}
	printk("bench: %s %s: %lu bytes in %lu ns (%lu KiB/s), %lu requests (%lu IOPS), "
	       "%u at a time, %lu notifications, %lu interrupts\n", name, dev->name,
	       r.bytes, ns, per_second(r.bytes, ns) / 1024, r.requests,
	       per_second(r.requests, ns), r.depth,
	       after.notifications - before.notifications,
	       after.interrupts - before.interrupts);
}

static void bench_device(struct block_device *dev, uint8_t *buf)
{
	run_phase("seq-write", dev, seq_write, buf);
	run_phase("seq-read", dev, seq_read, buf);
	run_phase("rand-read", dev, rand_read, buf);
	if (queue_depth(dev) > 1)
		run_phase("rand-read-queued", dev, rand_read_queued, buf);
}

static void bench_block(void)
{
	uint64_t needed = BLOCK_BENCH_FIRST_LBA * 512 +
			  (BLOCK_READ_BYTES > RAND_REGION_BYTES ? BLOCK_READ_BYTES :
			   RAND_REGION_BYTES);
	uint8_t *buf = kmalloc(BLOCK_REQUEST_BYTES);

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
		bench_device(d, buf);
	}
	kfree(buf);
}

void bench_run(void)
{
	if (strcmp(requested, "block") == 0)
		bench_block();
	else if (strcmp(requested, "xen") == 0)
		xen_bench_run();
}
