/*
 * blkfront.c — the Xen block frontend (xen/io/blkif.h) behind the kernel's
 * block interface (kernel/block.h).  docs/xen-blkfront.md tells the story.
 *
 * Connecting (the xenbus handshake, for each device/vbd/<vdev>):
 *   1. wait for the backend to reach InitWait (it has read its own
 *      configuration and written its feature-max-indirect-segments);
 *   2. share one page of ring, granted to the backend, make an unbound
 *      event channel for it, and publish both in our directory (ring-ref,
 *      event-channel, protocol, feature-persistent) in one transaction;
 *      switch to Initialised;
 *   3. wait for the backend to be Connected, read what it says about the
 *      disk (sectors, sector-size, info, feature-*), switch to Connected.
 *
 * Requests.  Each of BLKFRONT_SLOTS slots owns pages for one request's data
 * (up to `segments` pages: BLKIF_MAX_SEGMENTS_PER_REQUEST, or more when the
 * backend takes indirect requests) and, for indirect requests, one page of
 * segment descriptors.  Data is copied between the caller's buffer and the
 * slot's pages: the caller's buffer may start anywhere, but a segment names
 * whole 512-byte sectors of one granted page.  With persistent grants
 * (both sides say feature-persistent) the slot's pages are granted once at
 * connection and the backend keeps them mapped; otherwise each request
 * grants the pages it uses and revokes them when its response comes.
 *
 * Completions: the backend's event only wakes the CPU; responses are read
 * in the waiting code, not in the interrupt handler.  Every response is
 * copied out of the shared page once and then checked
 * (blkfront_response_problem): a backend that answers with a wrong id or
 * status, a response index that runs past our requests, or nothing at all
 * for REQUEST_TIMEOUT_NS, is misbehaving.  That disk is then disconnected
 * (state Closing, then Closed; every later request fails with -EIO), and
 * its granted pages are left granted forever rather than reused while the
 * backend might still write them.  Nothing else in the kernel notices.
 * blkfront_reconnect() runs the handshake again once the backend closed.
 */
#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "kernel/block.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "kernel/timer.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/xen/blkfront.h"
#include "pv/xen/grant_table.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_evtchn.h"
#include "pv/xen/xenbus.h"
#include "pv/xen/xenstore.h"

#include <xen/io/protocols.h>

#define SECTOR_SIZE             512
#define SECTORS_PER_PAGE        (PAGE_SIZE / SECTOR_SIZE)
/* Our own cap on segments per indirect request: 128 KiB, and their
 * descriptors (8 bytes each) fit in one indirect page. */
#define INDIRECT_SEGMENTS       32
#define MAX_DISKS               4
#define VBD_LIST_BYTES          128     /* names of device/vbd's children */
#define CONNECT_TIMEOUT_NS      (10 * NSEC_PER_SEC)
#define REQUEST_TIMEOUT_NS      (10 * NSEC_PER_SEC)
#define CLOSE_TIMEOUT_NS        (2 * NSEC_PER_SEC)

struct blk_slot {
	uint8_t *data;                  /* `segments` contiguous pages */
	grant_ref_t refs[INDIRECT_SEGMENTS];
	struct blkif_request_segment *indirect; /* a page of descriptors, or NULL */
	grant_ref_t indirect_ref;
	unsigned int granted;           /* data refs held for this request */
	bool indirect_granted;
	void *read_into;                /* a read's destination, NULL for writes */
	uint32_t bytes;
};

struct blkfront {
	struct block_device bdev;
	char dir[XENBUS_PATH_MAX];
	char backend[XENBUS_PATH_MAX];
	domid_t backend_id;
	uint16_t vdev;                  /* the "handle" of each request */
	struct blkif_front_ring ring;
	grant_ref_t ring_ref;
	evtchn_port_t port;
	struct blk_slot slots[BLKFRONT_SLOTS];
	uint8_t slot_ops[BLKFRONT_SLOTS];       /* the operation in flight, or FREE */
	unsigned int in_flight;
	unsigned int segments;          /* per request */
	struct blkfront_features features;
	struct blkfront_stats stats;
	char name[8];
	char model[80];
};

static unsigned int disk_count;
static const char *absent_reason = "blkfront_init has not run";
static bool persistent_off;

/* Without persistent grants every request grants and revokes its pages:
 * the path a backend without feature-persistent takes, tried on one that
 * has it (Linux's blkback) by not offering ours. */
static bool set_persistent(const char *value)
{
	if (!value || (strcmp(value, "on") != 0 && strcmp(value, "off") != 0))
		return false;
	persistent_off = strcmp(value, "off") == 0;
	return true;
}
CMDLINE_OPTION(xen_blkfront_persistent, "xen_blkfront.persistent", set_persistent,
	       "xen_blkfront.persistent=off: do not offer persistent grants to Xen disk "
	       "backends (default on: used whenever the backend offers them too)");

static struct blkfront *to_bf(struct block_device *bdev)
{
	return bdev->driver_data;
}

/* ---- checking responses ------------------------------------------------------------ */

static bool known_status(int16_t status)
{
	return status == BLKIF_RSP_OKAY || status == BLKIF_RSP_ERROR ||
	       status == BLKIF_RSP_EOPNOTSUPP;
}

/* An indirect request's response may carry the data operation (Linux's
 * blkback does) or BLKIF_OP_INDIRECT itself: both answer a read or write. */
static bool operation_matches(uint8_t answered, uint8_t asked)
{
	if (answered == asked)
		return true;
	return answered == BLKIF_OP_INDIRECT &&
	       (asked == BLKIF_OP_READ || asked == BLKIF_OP_WRITE);
}

const char *blkfront_response_problem(const struct blkif_response *rsp,
				      const uint8_t *slot_ops, unsigned int slots)
{
	if (rsp->id >= slots)
		return "response id out of range";
	if (slot_ops[rsp->id] == BLKFRONT_SLOT_FREE)
		return "response for an id with no request in flight";
	if (!operation_matches(rsp->operation, slot_ops[rsp->id]))
		return "response operation differs from the request's";
	if (!known_status(rsp->status))
		return "response status is not a BLKIF_RSP_* value";
	return NULL;
}

/* ---- grants ----------------------------------------------------------------------- */

static long grant_page(struct blkfront *bf, const void *page, bool readonly)
{
	long ref = gnttab_grant_foreign_access(bf->backend_id, xen_frame_of(page), readonly);

	if (ref >= 0)
		bf->stats.grants++;
	return ref;
}

/* Persistent grants: every page of every slot, writable (the same page
 * serves reads and writes), once. */
static long grant_slots_persistently(struct blkfront *bf)
{
	for (unsigned int s = 0; s < BLKFRONT_SLOTS; s++) {
		struct blk_slot *slot = &bf->slots[s];
		long ref;

		for (unsigned int i = 0; i < bf->segments; i++) {
			ref = grant_page(bf, slot->data + i * PAGE_SIZE, false);
			if (ref < 0)
				return ref;
			slot->refs[i] = ref;
		}
		if (!slot->indirect)
			continue;
		ref = grant_page(bf, slot->indirect, false);
		if (ref < 0)
			return ref;
		slot->indirect_ref = ref;
	}
	return 0;
}

/* Without persistent grants: the pages this request uses, read-only when
 * the backend only reads them (a write's data, the descriptors). */
static long grant_request(struct blkfront *bf, struct blk_slot *slot, unsigned int pages,
			  bool data_readonly, bool indirect)
{
	for (slot->granted = 0; slot->granted < pages; slot->granted++) {
		long ref = grant_page(bf, slot->data + slot->granted * PAGE_SIZE, data_readonly);

		if (ref < 0)
			return ref;
		slot->refs[slot->granted] = ref;
	}
	if (indirect) {
		long ref = grant_page(bf, slot->indirect, true);

		if (ref < 0)
			return ref;
		slot->indirect_ref = ref;
		slot->indirect_granted = true;
	}
	return 0;
}

/* The backend unmaps before it answers, so revoking cannot find a page
 * still in use unless the backend misbehaves: false then. */
static bool revoke_request(struct blk_slot *slot)
{
	bool ok = true;

	while (slot->granted > 0)
		ok &= gnttab_end_foreign_access(slot->refs[--slot->granted]) == 0;
	if (slot->indirect_granted) {
		ok &= gnttab_end_foreign_access(slot->indirect_ref) == 0;
		slot->indirect_granted = false;
	}
	return ok;
}

/* ---- disconnecting a misbehaving backend ------------------------------------------------ */

/* Stop using the disk for good.  The event channel is closed so a
 * backend gone wild cannot keep interrupting us; the slots' grants stay,
 * since the backend may still hold those pages. */
static void disconnect(struct blkfront *bf, const char *fmt, ...)
{
	char why[96];
	va_list ap;

	if (bf->stats.broken)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printk("xen-blkfront: %s: %s: disconnecting the backend\n", bf->name, why);
	bf->stats.broken = true;
	bf->in_flight = 0;
	xen_evtchn_close(bf->port);
	xenbus_switch_state(bf->dir, XenbusStateClosing);
	xenbus_wait_for_state(bf->backend, XenbusStateClosing, CLOSE_TIMEOUT_NS, NULL);
	xenbus_switch_state(bf->dir, XenbusStateClosed);
}

/* ---- completions --------------------------------------------------------------------- */

static int status_to_errno(int16_t status)
{
	if (status == BLKIF_RSP_OKAY)
		return 0;
	return status == BLKIF_RSP_EOPNOTSUPP ? -EOPNOTSUPP : -EIO;
}

/* The request in `id` is answered: copy a read's data out, give the
 * request's grants back, free the slot. */
static int complete(struct blkfront *bf, unsigned int id, int16_t status)
{
	struct blk_slot *slot = &bf->slots[id];
	int result = status_to_errno(status);

	if (!bf->features.persistent && !revoke_request(slot)) {
		disconnect(bf, "request %u: a granted page is still mapped after its response", id);
		return -EIO;
	}
	if (result == 0 && slot->read_into)
		memcpy(slot->read_into, slot->data, slot->bytes);
	bf->slot_ops[id] = BLKFRONT_SLOT_FREE;
	bf->in_flight--;
	return result;
}

/*
 * Consume every response the backend has produced; the first error seen
 * (0 if none).  rsp_prod is read once, checked against the ring's size,
 * and each response is copied before anything looks at it: the backend
 * can change the shared page at any time, and a value read twice might
 * differ between the check and the use.
 */
static int take_responses(struct blkfront *bf)
{
	struct blkif_front_ring *ring = &bf->ring;
	int error = 0;
	int more;

	do {
		RING_IDX prod = *(volatile RING_IDX *)&ring->sring->rsp_prod;

		xen_rmb();      /* the responses before the index that covers them */
		if (RING_RESPONSE_PROD_OVERFLOW(ring, prod) ||
		    prod - ring->rsp_cons > bf->in_flight) {
			disconnect(bf, "rsp_prod %u runs past our %u requests in flight", prod,
				   bf->in_flight);
			return -EIO;
		}
		for (; ring->rsp_cons != prod; ring->rsp_cons++) {
			struct blkif_response rsp;
			const char *problem;
			int result;

			RING_COPY_RESPONSE(ring, ring->rsp_cons, &rsp);
			problem = blkfront_response_problem(&rsp, bf->slot_ops, BLKFRONT_SLOTS);
			if (problem) {
				disconnect(bf, "%s (id %lu, operation %u, status %d)", problem,
					   rsp.id, rsp.operation, rsp.status);
				return -EIO;
			}
			result = complete(bf, rsp.id, rsp.status);
			if (bf->stats.broken)
				return -EIO;
			if (!error)
				error = result;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(ring, more);
	} while (more);
	return error;
}

static void backend_event(evtchn_port_t port, void *arg)
{
	struct blkfront *bf = arg;

	(void)port;
	bf->stats.interrupts++;         /* waking the CPU is all: the waiter reads */
}

static bool responses_waiting(void *arg)
{
	struct blkfront *bf = arg;
	RING_IDX prod = *(volatile RING_IDX *)&bf->ring.sring->rsp_prod;

	return prod != bf->ring.rsp_cons;
}

/* Sleep until the backend answered something, then take the answers. */
static int wait_and_take(struct blkfront *bf)
{
	bf->stats.waits += !responses_waiting(bf);
	if (wait_until(responses_waiting, bf, REQUEST_TIMEOUT_NS) != 0) {
		disconnect(bf, "no response in %lu s", REQUEST_TIMEOUT_NS / NSEC_PER_SEC);
		return -ETIMEDOUT;
	}
	return take_responses(bf);
}

/* ---- submitting --------------------------------------------------------------------- */

static int free_slot(const struct blkfront *bf)
{
	for (unsigned int i = 0; i < BLKFRONT_SLOTS; i++)
		if (bf->slot_ops[i] == BLKFRONT_SLOT_FREE)
			return i;
	return -1;
}

/* Segment i of a request of `bytes`: whole sectors of page i. */
static struct blkif_request_segment segment(const struct blk_slot *slot, unsigned int i,
					    uint32_t bytes)
{
	uint32_t in_page = bytes - i * PAGE_SIZE < PAGE_SIZE ? bytes - i * PAGE_SIZE : PAGE_SIZE;

	return (struct blkif_request_segment){
		.gref = slot->refs[i],
		.first_sect = 0,
		.last_sect = in_page / SECTOR_SIZE - 1,
	};
}

/* The ring entry: a plain request with its segments inline (at most 11),
 * or an indirect one whose segments are in the slot's descriptor page. */
static void write_ring_entry(struct blkfront *bf, unsigned int id, uint8_t op,
			     uint64_t sector, uint32_t bytes, unsigned int pages)
{
	struct blk_slot *slot = &bf->slots[id];
	struct blkif_request *req = RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt);

	if (pages > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		struct blkif_request_indirect *ind = (struct blkif_request_indirect *)req;

		for (unsigned int i = 0; i < pages; i++)
			slot->indirect[i] = segment(slot, i, bytes);
		*ind = (struct blkif_request_indirect){
			.operation = BLKIF_OP_INDIRECT, .indirect_op = op,
			.nr_segments = pages, .id = id, .sector_number = sector,
			.handle = bf->vdev, .indirect_grefs = { slot->indirect_ref },
		};
		bf->stats.indirect_requests++;
	} else {
		*req = (struct blkif_request){
			.operation = op, .nr_segments = pages, .handle = bf->vdev,
			.id = id, .sector_number = sector,
		};
		for (unsigned int i = 0; i < pages; i++)
			req->seg[i] = segment(slot, i, bytes);
	}
	bf->ring.req_prod_pvt++;
}

/*
 * One request on the ring (not yet pushed): `bytes` at `sector`, from or
 * into buf.  0, -EAGAIN when no slot or ring entry is free (wait for a
 * response), or an error of the grant table.
 */
static int queue_request(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf,
			 uint32_t bytes)
{
	int id = free_slot(bf);
	unsigned int pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	struct blk_slot *slot;

	if (id < 0 || RING_FULL(&bf->ring))
		return -EAGAIN;
	slot = &bf->slots[id];
	if (!bf->features.persistent) {
		long rc = grant_request(bf, slot, pages, op == BLKIF_OP_WRITE,
					pages > BLKIF_MAX_SEGMENTS_PER_REQUEST);

		if (rc < 0) {
			revoke_request(slot);
			printk("xen-blkfront: %s: cannot grant a page: %s\n", bf->name,
			       xen_error_name(rc));
			return -ENOMEM;
		}
	}
	if (op == BLKIF_OP_WRITE)
		memcpy(slot->data, buf, bytes);
	slot->read_into = op == BLKIF_OP_READ ? buf : NULL;
	slot->bytes = bytes;
	write_ring_entry(bf, id, op, sector, bytes, pages);
	bf->slot_ops[id] = op;
	bf->in_flight++;
	bf->stats.requests++;
	bf->stats.flushes += op == BLKIF_OP_FLUSH_DISKCACHE || op == BLKIF_OP_WRITE_BARRIER;
	if (bf->in_flight > bf->stats.max_in_flight)
		bf->stats.max_in_flight = bf->in_flight;
	return 0;
}

static void push_requests(struct blkfront *bf)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&bf->ring, notify);
	if (notify) {
		xen_evtchn_send(bf->port);
		bf->stats.notifications++;
	}
}

/* The next request of a transfer (a flush: a piece of 0 sectors, one
 * request without segments). */
static int queue_next(struct blkfront *bf, uint8_t op, struct block_cursor *c)
{
	uint32_t bytes = block_cursor_next_bytes(c, bf->segments * PAGE_SIZE);
	int rc = queue_request(bf, op, c->lba, c->buf, bytes);

	if (rc == 0)
		block_cursor_advance(c, bytes);
	return rc;
}

/*
 * Queue requests while slots are free, push them with at most one
 * notification, sleep until responses come, take them, repeat until every
 * piece is done and nothing is in flight.  Interrupts stay disabled except
 * while sleeping.
 */
static int transfer(struct blkfront *bf, uint8_t op, const struct block_io *pieces,
		    unsigned int n)
{
	struct block_cursor c;
	bool was_enabled = irq_save();
	int error = 0;

	block_cursor_start(&c, pieces, n, SECTOR_SIZE);
	while (!bf->stats.broken && ((!error && !block_cursor_done(&c)) || bf->in_flight > 0)) {
		int rc = 0;

		while (!error && !block_cursor_done(&c) && (rc = queue_next(bf, op, &c)) == 0)
			;
		if (rc != 0 && rc != -EAGAIN)
			error = rc;
		push_requests(bf);
		if (bf->in_flight == 0)
			continue;
		rc = wait_and_take(bf);
		if (!error)
			error = rc;
	}
	irq_restore(was_enabled);
	return bf->stats.broken ? -EIO : error;
}

static int bf_read(struct block_device *bdev, uint64_t lba, uint32_t count, void *buf)
{
	const struct block_io piece = { lba, count, buf };

	return transfer(to_bf(bdev), BLKIF_OP_READ, &piece, 1);
}

/* A write's buffer is only read (copied into the slot's pages). */
static int bf_write(struct block_device *bdev, uint64_t lba, uint32_t count, const void *buf)
{
	const struct block_io piece = { lba, count, (void *)buf };

	return transfer(to_bf(bdev), BLKIF_OP_WRITE, &piece, 1);
}

static int bf_read_batch(struct block_device *bdev, const struct block_io *ios, unsigned int n)
{
	return transfer(to_bf(bdev), BLKIF_OP_READ, ios, n);
}

/* A request without segments (a piece of 0 sectors): flush the disk's
 * cache, or a barrier.  A backend with neither writes through: a
 * completed write is already durable. */
static int bf_flush(struct block_device *bdev)
{
	struct blkfront *bf = to_bf(bdev);
	const struct block_io no_data = { 0, 0, NULL };

	if (bf->stats.broken)
		return -EIO;
	if (bf->features.flush)
		return transfer(bf, BLKIF_OP_FLUSH_DISKCACHE, &no_data, 1);
	if (bf->features.barrier)
		return transfer(bf, BLKIF_OP_WRITE_BARRIER, &no_data, 1);
	return 0;
}

static void bf_counters(struct block_device *bdev, struct block_counters *out)
{
	const struct blkfront *bf = to_bf(bdev);

	out->notifications = bf->stats.notifications;
	out->interrupts = bf->stats.interrupts;
}

static const struct block_ops blkfront_ops = {
	.read = bf_read,
	.write = bf_write,
	.flush = bf_flush,
	.read_batch = bf_read_batch,
	.counters = bf_counters,
};

/* ---- connecting --------------------------------------------------------------------- */

/* A number the backend published, or `fallback` when the node is absent. */
static uint64_t backend_number(const struct blkfront *bf, const char *node, uint64_t fallback)
{
	uint64_t value;

	return xenbus_read_u64(bf->backend, node, &value) == 0 ? value : fallback;
}

/* Step 2's nodes, all or none (xs_transact retries on EAGAIN). */
static long publish_ring(xs_transaction_t tx, void *arg)
{
	struct blkfront *bf = arg;
	long rc = xenbus_printf(tx, bf->dir, "ring-ref", "%u", bf->ring_ref);

	if (rc == 0)
		rc = xenbus_printf(tx, bf->dir, "event-channel", "%u", bf->port);
	if (rc == 0)
		rc = xenbus_printf(tx, bf->dir, "protocol", "%s", XEN_IO_PROTO_ABI_NATIVE);
	if (rc == 0)
		rc = xenbus_printf(tx, bf->dir, "feature-persistent", "%u", !persistent_off);
	return rc;
}

/* The ring page, its grant, the event channel. */
static long setup_ring(struct blkfront *bf)
{
	uint64_t page = page_alloc(1);
	struct blkif_sring *sring;
	long rc;

	if (!page)
		return -XEN_ENOMEM;
	sring = phys_to_virt(page);
	memset(sring, 0, PAGE_SIZE);
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&bf->ring, sring, PAGE_SIZE);
	rc = grant_page(bf, sring, false);
	if (rc < 0)
		return rc;
	bf->ring_ref = rc;
	rc = xen_evtchn_alloc_unbound(bf->backend_id, &bf->port);
	if (rc == 0)
		rc = xen_evtchn_bind_handler(bf->port, backend_event, bf);
	return rc;
}

/* Each slot's data pages, and its descriptor page when the backend
 * takes indirect requests. */
static long setup_slots(struct blkfront *bf)
{
	bool indirect = bf->segments > BLKIF_MAX_SEGMENTS_PER_REQUEST;

	for (unsigned int s = 0; s < BLKFRONT_SLOTS; s++) {
		uint64_t data = page_alloc(bf->segments);
		uint64_t descriptors = indirect ? page_alloc(1) : 0;

		if (!data || (indirect && !descriptors))
			return -XEN_ENOMEM;
		bf->slots[s].data = phys_to_virt(data);
		bf->slots[s].indirect = indirect ? phys_to_virt(descriptors) : NULL;
		bf->slot_ops[s] = BLKFRONT_SLOT_FREE;
	}
	return bf->features.persistent ? grant_slots_persistently(bf) : 0;
}

static void read_features(struct blkfront *bf)
{
	uint64_t indirect = backend_number(bf, "feature-max-indirect-segments", 0);
	struct blkfront_features *f = &bf->features;

	f->flush = backend_number(bf, "feature-flush-cache", 0) != 0;
	f->barrier = backend_number(bf, "feature-barrier", 0) != 0;
	f->persistent = !persistent_off && backend_number(bf, "feature-persistent", 0) != 0;
	f->readonly = (backend_number(bf, "info", 0) & VDISK_READONLY) != 0;
	f->indirect_segments = indirect > INDIRECT_SEGMENTS ? INDIRECT_SEGMENTS : indirect;
	bf->segments = f->indirect_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST ?
		       f->indirect_segments : BLKIF_MAX_SEGMENTS_PER_REQUEST;
}

static long wait_for_backend(struct blkfront *bf, enum xenbus_state wanted)
{
	enum xenbus_state seen;
	long rc = xenbus_wait_for_state(bf->backend, wanted, CONNECT_TIMEOUT_NS, &seen);

	if (rc != 0)
		printk("xen-blkfront: %s: backend %s is %s, not %s: %s\n", bf->name, bf->backend,
		       xenbus_state_name(seen), xenbus_state_name(wanted), xen_error_name(rc));
	return rc;
}

/* What the backend says about the disk, once it is Connected. */
static long read_disk(struct blkfront *bf)
{
	uint64_t sectors = backend_number(bf, "sectors", 0);
	uint64_t sector_size = backend_number(bf, "sector-size", 0);

	if (sectors == 0 || sector_size != SECTOR_SIZE) {
		printk("xen-blkfront: %s: backend says %lu sectors of %lu bytes: not a disk we "
		       "can use\n", bf->name, sectors, sector_size);
		return -XEN_EIO;
	}
	bf->bdev.sectors = sectors;
	return 0;
}

static void describe(struct blkfront *bf)
{
	const struct blkfront_features *f = &bf->features;

	snprintf(bf->model, sizeof(bf->model),
		 "Xen blkfront, backend dom%u:%s%s %s grants, indirect %u%s", bf->backend_id,
		 f->flush ? " flush" : "", f->barrier ? " barrier" : "",
		 f->persistent ? "persistent" : "per-request", f->indirect_segments,
		 f->readonly ? ", read-only" : "");
}

/*
 * The handshake (see the top of this file).  The backend writes
 * feature-max-indirect-segments before InitWait but feature-persistent
 * and the disk's size only when it connects, so the slots (whose size
 * depends on the first and whose grants on the second) are made after
 * Connected, before we say Connected ourselves.
 */
static long connect(struct blkfront *bf)
{
	long rc = xenbus_read_backend(bf->dir, bf->backend, sizeof(bf->backend),
				      &bf->backend_id);

	if (rc == 0)
		rc = wait_for_backend(bf, XenbusStateInitWait);
	if (rc == 0)
		rc = setup_ring(bf);
	if (rc == 0)
		rc = xs_transact(publish_ring, bf);
	if (rc == 0)
		rc = xenbus_switch_state(bf->dir, XenbusStateInitialised);
	if (rc == 0)
		rc = wait_for_backend(bf, XenbusStateConnected);
	if (rc == 0)
		rc = read_disk(bf);
	if (rc != 0)
		return rc;
	read_features(bf);
	rc = setup_slots(bf);
	if (rc == 0)
		rc = xenbus_switch_state(bf->dir, XenbusStateConnected);
	return rc;
}

/* One disk: device/vbd/<vdev>.  A disk that fails to connect is left out
 * (and its memory kept: the backend may know the ring's grant already). */
static void probe(const char *vdev)
{
	struct blkfront *bf = kzalloc(sizeof(*bf));
	uint64_t number;
	long rc;

	if (!bf || !parse_u64(vdev, 10, &number) || number > UINT16_MAX) {
		printk("xen-blkfront: device/vbd/%s: %s\n", vdev, bf ? "not a vdev number" :
		       "out of memory");
		kfree(bf);
		return;
	}
	bf->vdev = number;
	snprintf(bf->dir, sizeof(bf->dir), "device/vbd/%s", vdev);
	snprintf(bf->name, sizeof(bf->name), "xvd%c", 'a' + disk_count);
	rc = connect(bf);
	if (rc != 0) {
		printk("xen-blkfront: %s (%s): not connected: %s\n", bf->name, bf->dir,
		       xen_error_name(rc));
		xenbus_switch_state(bf->dir, XenbusStateClosed);
		return;
	}
	describe(bf);
	bf->bdev = (struct block_device){
		.name = bf->name, .model = bf->model, .sectors = bf->bdev.sectors,
		.sector_size = SECTOR_SIZE,
		.max_sectors_per_request = bf->segments * SECTORS_PER_PAGE,
		.max_in_flight = BLKFRONT_SLOTS, .ops = &blkfront_ops, .driver_data = bf,
	};
	disk_count++;
	absent_reason = NULL;
	block_register(&bf->bdev);
}

void blkfront_init(void)
{
	char names[VBD_LIST_BYTES];
	long count, rc;

	if (!xen_running()) {
		absent_reason = "not running on Xen";
		return;
	}
	rc = xs_init();
	if (rc == 0)
		rc = gnttab_init();
	if (rc != 0) {
		absent_reason = "xenstore or grant tables failed";
		printk("xen-blkfront: no disks: %s\n", xen_error_name(rc));
		return;
	}
	count = xs_directory(XS_NO_TRANSACTION, "device/vbd", names, sizeof(names));
	if (count <= 0) {
		absent_reason = "no device/vbd in xenstore: the domU has no disk";
		return;
	}
	absent_reason = "no vbd connected (see the boot log)";
	for (const char *name = names; count-- > 0 && disk_count < MAX_DISKS;
	     name += strlen(name) + 1)
		probe(name);
}

/*
 * A disconnected disk, again.  The backend closes after us (blkback goes
 * Closed when we do, and back to InitWait when we say Initialising), then
 * the whole handshake runs with a fresh ring, port and slots.  The old
 * ones stay granted, since the backend that misbehaved may still hold
 * them: each reconnection costs their memory and grant references.
 */
long blkfront_reconnect(struct blkfront *bf)
{
	long rc;

	if (!bf->stats.broken)
		return -XEN_EISCONN;
	rc = wait_for_backend(bf, XenbusStateClosed);
	if (rc == 0)
		rc = xenbus_switch_state(bf->dir, XenbusStateInitialising);
	if (rc != 0)
		return rc;
	memset(bf->slots, 0, sizeof(bf->slots));
	rc = connect(bf);
	if (rc == 0) {
		bf->stats.broken = false;
		printk("xen-blkfront: %s: connected again\n", bf->name);
	}
	return rc;
}

/* ---- for tests ------------------------------------------------------------------------- */

int blkfront_poll(struct blkfront *bf)
{
	bool was_enabled = irq_save();
	int rc = bf->stats.broken ? -EIO : take_responses(bf);

	irq_restore(was_enabled);
	return rc;
}

struct blkif_sring *blkfront_shared_ring(struct blkfront *bf)
{
	return bf->ring.sring;
}

const char *blkfront_absent_reason(void)
{
	return absent_reason;
}

struct blkfront *blkfront_of(struct block_device *bdev)
{
	return bdev && bdev->ops == &blkfront_ops ? bdev->driver_data : NULL;
}

const struct blkfront_features *blkfront_features(const struct blkfront *bf)
{
	return &bf->features;
}

const struct blkfront_stats *blkfront_stats(const struct blkfront *bf)
{
	return &bf->stats;
}

const char *blkfront_dir(const struct blkfront *bf)
{
	return bf->dir;
}

const char *blkfront_backend_dir(const struct blkfront *bf)
{
	return bf->backend;
}
