/*
 * test_xen_blkfront.c — what only Xen's blkfront can be asked, against
 * dom0's blkback (the lab's xvda: scripts/xen-lab.sh --disk).  Reading,
 * writing and flushing through the block interface are tested on every
 * disk by test_block.c; here: the xenbus handshake reached Connected on
 * both sides, the features the backend offered are the ones we use,
 * several requests travel together, the indirect path and persistent
 * grants are used when offered (and grants per request when not: the
 * harness also boots with xen_blkfront.persistent=off), a lying backend
 * disconnects the disk until it reconnects, and the check every response
 * passes before we believe it (that one needs no disk and runs
 * everywhere).
 *
 * The disk tests skip, with the reason, where there is no vbd: every
 * non-Xen host, and a PV domU until its xenstore and grant tables exist.
 * They only read, from test_block.c's scratch sectors (512-639), and
 * flush.
 */
#include "kernel/block.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/page_alloc.h"
#include "kernel/test.h"
#include "lib/string.h"
#include "pv/xen/blkfront.h"
#include "pv/xen/grant_table.h"
#include "pv/xen/xenbus.h"
#include "tests/guest/xen_test.h"

#define SECTOR          512
#define SCRATCH_LBA     512
#define SCRATCH_COUNT   128     /* 64 KiB: 16 pages, more than 11 segments */
#define BATCH           (BLKFRONT_SLOTS + 4)    /* single sectors */
#define SMALL_READ      8       /* sectors: one page, one segment */

static struct block_device *xen_disk(void)
{
	for (struct block_device *d = block_first(); d; d = d->next) {
		struct blkfront *bf = blkfront_of(d);

		if (bf && !blkfront_stats(bf)->broken && d->sectors >= SCRATCH_LBA + SCRATCH_COUNT)
			return d;
	}
	return NULL;
}

#define SKIP_UNLESS_VBD(dev)                                                  \
	do {                                                                  \
		if (!(dev))                                                   \
			SKIP("no Xen vbd: %s", blkfront_absent_reason() ?     \
			     blkfront_absent_reason() : "none big enough");   \
	} while (0)

/* ---- the response check, on made-up responses --------------------------------------- */

TEST(xen_blkfront, response_check_rejects_what_a_backend_must_not_send)
{
	uint8_t ops[4] = { BLKIF_OP_READ, BLKFRONT_SLOT_FREE, BLKIF_OP_WRITE,
			   BLKIF_OP_FLUSH_DISKCACHE };
	struct blkif_response rsp = { .id = 0, .operation = BLKIF_OP_READ,
				      .status = BLKIF_RSP_OKAY };

	CHECK(blkfront_response_problem(&rsp, ops, 4) == NULL);
	rsp.status = BLKIF_RSP_ERROR;           /* an I/O error is a valid answer */
	CHECK(blkfront_response_problem(&rsp, ops, 4) == NULL);
	rsp = (struct blkif_response){ 3, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_RSP_EOPNOTSUPP };
	CHECK(blkfront_response_problem(&rsp, ops, 4) == NULL);
	/* An indirect write may be answered with either opcode. */
	rsp = (struct blkif_response){ 2, BLKIF_OP_INDIRECT, BLKIF_RSP_OKAY };
	CHECK(blkfront_response_problem(&rsp, ops, 4) == NULL);

	rsp = (struct blkif_response){ 4, BLKIF_OP_READ, BLKIF_RSP_OKAY };    /* bad id */
	CHECK(blkfront_response_problem(&rsp, ops, 4) != NULL);
	rsp.id = UINT64_MAX;
	CHECK(blkfront_response_problem(&rsp, ops, 4) != NULL);
	rsp = (struct blkif_response){ 1, BLKIF_OP_READ, BLKIF_RSP_OKAY };    /* nothing in flight */
	CHECK(blkfront_response_problem(&rsp, ops, 4) != NULL);
	rsp = (struct blkif_response){ 0, BLKIF_OP_WRITE, BLKIF_RSP_OKAY };   /* wrong operation */
	CHECK(blkfront_response_problem(&rsp, ops, 4) != NULL);
	rsp = (struct blkif_response){ 3, BLKIF_OP_INDIRECT, BLKIF_RSP_OKAY }; /* flush is never indirect */
	CHECK(blkfront_response_problem(&rsp, ops, 4) != NULL);
	rsp = (struct blkif_response){ 0, BLKIF_OP_READ, 7 };                 /* bad status */
	CHECK(blkfront_response_problem(&rsp, ops, 4) != NULL);
	rsp.status = -3;
	CHECK(blkfront_response_problem(&rsp, ops, 4) != NULL);
}

/* The same id answered twice: the first is accepted and frees the slot,
 * so the second names a slot with nothing in flight. */
TEST(xen_blkfront, response_check_rejects_a_duplicate_id)
{
	uint8_t ops[2] = { BLKIF_OP_WRITE, BLKIF_OP_READ };
	const struct blkif_response rsp = { 1, BLKIF_OP_READ, BLKIF_RSP_OKAY };

	CHECK(blkfront_response_problem(&rsp, ops, 2) == NULL);
	ops[rsp.id] = BLKFRONT_SLOT_FREE;       /* what completing it does */
	CHECK(blkfront_response_problem(&rsp, ops, 2) != NULL);
}

/* ---- against dom0's blkback ------------------------------------------------------------ */

TEST(xen_blkfront, both_halves_are_connected)
{
	struct block_device *dev = xen_disk();

	SKIP_UNLESS_VBD(dev);
	struct blkfront *bf = blkfront_of(dev);
	enum xenbus_state ours, theirs;

	CHECK(str_starts_with(dev->name, "xvd"));
	CHECK(block_find(dev->name) == dev);
	CHECK_EQ(dev->sector_size, SECTOR);
	CHECK_XEN(xenbus_read_state(blkfront_dir(bf), &ours), 0);
	CHECK_XEN(xenbus_read_state(blkfront_backend_dir(bf), &theirs), 0);
	CHECK_EQ(ours, XenbusStateConnected);
	CHECK_EQ(theirs, XenbusStateConnected);
}

/* What we use is what the backend's nodes say (Linux's blkback offers
 * flush, persistent grants and 256 indirect segments, of which we take
 * 32), persistent grants only if we offered them too, and the request
 * size follows. */
TEST(xen_blkfront, features_are_the_backends)
{
	struct block_device *dev = xen_disk();

	SKIP_UNLESS_VBD(dev);
	struct blkfront *bf = blkfront_of(dev);
	const struct blkfront_features *f = blkfront_features(bf);
	uint64_t indirect = 0, persistent = 0, flush = 0, offered = 0;

	xenbus_read_u64(blkfront_backend_dir(bf), "feature-max-indirect-segments", &indirect);
	xenbus_read_u64(blkfront_backend_dir(bf), "feature-persistent", &persistent);
	xenbus_read_u64(blkfront_backend_dir(bf), "feature-flush-cache", &flush);
	CHECK_XEN(xenbus_read_u64(blkfront_dir(bf), "feature-persistent", &offered), 0);
	CHECK_EQ(f->indirect_segments != 0, indirect != 0);
	CHECK(f->indirect_segments <= indirect);
	CHECK_EQ(f->persistent, persistent != 0 && offered != 0);
	CHECK_EQ(f->flush, flush != 0);
	CHECK_EQ(dev->max_sectors_per_request,
		 (f->indirect_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST ?
		  f->indirect_segments : BLKIF_MAX_SEGMENTS_PER_REQUEST) * (4096 / SECTOR));
}

/* A batch of more pieces than there are slots: the first BLKFRONT_SLOTS
 * go onto the ring together (one notification), the rest as slots come
 * back.  Every piece lands in its own buffer, as one big read shows. */
TEST(xen_blkfront, a_batch_fills_every_slot)
{
	struct block_device *dev = xen_disk();

	SKIP_UNLESS_VBD(dev);
	const struct blkfront_stats *stats = blkfront_stats(blkfront_of(dev));
	struct block_io batch[BATCH];
	uint8_t *pieces = kmalloc(BATCH * SECTOR), *whole = kmalloc(BATCH * SECTOR);
	uint64_t requests_before = stats->requests, waits_before = stats->waits;
	struct block_counters before, after;

	CHECK(pieces && whole);
	for (unsigned int i = 0; i < BATCH; i++) {
		unsigned int s = (i * 7) % BATCH;       /* 7 and BATCH share no factor */

		batch[i] = (struct block_io){ SCRATCH_LBA + s, 1, pieces + s * SECTOR };
	}
	block_read_counters(dev, &before);
	CHECK_EQ(block_read_batch(dev, batch, BATCH), 0);
	block_read_counters(dev, &after);
	CHECK_EQ(stats->requests - requests_before, BATCH);
	CHECK_EQ(stats->max_in_flight, BLKFRONT_SLOTS);
	/* Completions we slept for came by event.  (A backend that answers
	 * inside our notification, as pvkit-hv's does, leaves nothing to wait
	 * for: then no event needs to come.) */
	CHECK(after.interrupts > before.interrupts || stats->waits == waits_before);
	CHECK_EQ(block_read(dev, SCRATCH_LBA, BATCH, whole), 0);
	CHECK(memcmp(pieces, whole, BATCH * SECTOR) == 0);
	kfree(pieces);
	kfree(whole);
}

/* 64 KiB is 16 pages: one indirect request when the backend takes them,
 * otherwise two plain ones (11 segments at most).  Either way the data
 * must equal what single-sector reads find. */
TEST(xen_blkfront, large_reads_use_indirect_requests_when_offered)
{
	struct block_device *dev = xen_disk();

	SKIP_UNLESS_VBD(dev);
	struct blkfront *bf = blkfront_of(dev);
	const struct blkfront_stats *stats = blkfront_stats(bf);
	uint8_t *big = kmalloc(SCRATCH_COUNT * SECTOR), *one = kmalloc(SECTOR);
	uint64_t requests_before = stats->requests, indirect_before = stats->indirect_requests;
	bool indirect = blkfront_features(bf)->indirect_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST;

	CHECK(big && one);
	CHECK_EQ(block_read(dev, SCRATCH_LBA, SCRATCH_COUNT, big), 0);
	CHECK_EQ(stats->requests - requests_before, indirect ? 1 : 2);
	CHECK_EQ(stats->indirect_requests - indirect_before, indirect ? 1 : 0);
	for (unsigned int s = 0; s < SCRATCH_COUNT; s += 37) {
		CHECK_EQ(block_read(dev, SCRATCH_LBA + s, 1, one), 0);
		CHECK(memcmp(one, big + s * SECTOR, SECTOR) == 0);
	}
	kfree(big);
	kfree(one);
	if (!indirect)
		SKIP("the backend offers no indirect requests (feature-max-indirect-segments)");
}

/* With persistent grants the backend keeps our pages mapped, so reads and
 * writes make no new grants; without (xen_blkfront.persistent=off, or a
 * backend that does not offer them), each request grants its pages and
 * gives every one back when its response comes. */
TEST(xen_blkfront, grants_follow_the_negotiation)
{
	struct block_device *dev = xen_disk();

	SKIP_UNLESS_VBD(dev);
	struct blkfront *bf = blkfront_of(dev);
	const struct blkfront_stats *stats = blkfront_stats(bf);
	uint8_t *buf = kmalloc(SMALL_READ * SECTOR);
	uint64_t grants_before = stats->grants;
	uint32_t free_before = gnttab_state()->free_refs;

	CHECK(buf != NULL);
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(block_read(dev, SCRATCH_LBA + i * SMALL_READ, SMALL_READ, buf), 0);
	CHECK_EQ(block_write(dev, SCRATCH_LBA, SMALL_READ, buf), 0);
	CHECK_EQ(stats->grants - grants_before, blkfront_features(bf)->persistent ? 0 : 5);
	CHECK_EQ(gnttab_state()->free_refs, free_before);
	kfree(buf);
}

/* The test plays a lying backend on the real disk's ring: one response
 * that no request asked for.  That disk is disconnected (only it: the
 * kernel and this test go on), its requests fail, and once the backend
 * has closed too the handshake runs again and the disk works. */
TEST(xen_blkfront, a_lying_backend_disconnects_the_disk_until_reconnected)
{
	struct block_device *dev = xen_disk();

	SKIP_UNLESS_VBD(dev);
	struct blkfront *bf = blkfront_of(dev);
	struct blkif_sring *sring = blkfront_shared_ring(bf);
	uint8_t *before = kmalloc(SECTOR), *after = kmalloc(SECTOR);
	enum xenbus_state ours, theirs;
	RING_IDX prod;

	CHECK(before && after);
	CHECK_EQ(block_read(dev, SCRATCH_LBA, 1, before), 0);
	prod = sring->rsp_prod;         /* nothing in flight: every response taken */
	sring->ring[prod % __RING_SIZE(sring, PAGE_SIZE)].rsp =
		(struct blkif_response){ 0, BLKIF_OP_READ, BLKIF_RSP_OKAY };
	__atomic_store_n(&sring->rsp_prod, prod + 1, __ATOMIC_RELEASE);
	CHECK_EQ(blkfront_poll(bf), -EIO);
	CHECK(blkfront_stats(bf)->broken);
	CHECK_EQ(block_read(dev, SCRATCH_LBA, 1, after), -EIO);
	CHECK_EQ(block_flush(dev), -EIO);
	CHECK_XEN(xenbus_read_state(blkfront_dir(bf), &ours), 0);
	CHECK_EQ(ours, XenbusStateClosed);
	CHECK_XEN(blkfront_reconnect(bf), 0);
	CHECK_XEN(blkfront_reconnect(bf), -XEN_EISCONN);
	CHECK_XEN(xenbus_read_state(blkfront_backend_dir(bf), &theirs), 0);
	CHECK_EQ(theirs, XenbusStateConnected);
	CHECK_EQ(block_read(dev, SCRATCH_LBA, 1, after), 0);
	CHECK(memcmp(before, after, SECTOR) == 0);
	kfree(before);
	kfree(after);
}

/* A flush is a request of its own, without segments. */
TEST(xen_blkfront, flush_reaches_the_backend)
{
	struct block_device *dev = xen_disk();

	SKIP_UNLESS_VBD(dev);
	struct blkfront *bf = blkfront_of(dev);
	const struct blkfront_features *f = blkfront_features(bf);
	uint64_t flushes_before = blkfront_stats(bf)->flushes;

	CHECK_EQ(block_flush(dev), 0);
	CHECK_EQ(blkfront_stats(bf)->flushes - flushes_before, f->flush || f->barrier ? 1 : 0);
	CHECK(!blkfront_stats(bf)->broken);
}
