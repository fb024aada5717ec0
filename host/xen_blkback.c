/*
 * xen_blkback.c — the Xen block backend (see host/xen_blkback.h).
 *
 * One request, in the order it is handled:
 *   1. copied out of the ring once (RING_COPY_REQUEST): the frontend may
 *      rewrite the entry at any time, so only the copy is looked at;
 *   2. its segments gathered: from the entry (1 to 11), or for
 *      BLKIF_OP_INDIRECT from the indirect pages (1 to 32 segments), each
 *      page taken read-only through its grant just long enough to copy
 *      the descriptors out;
 *   3. every segment checked (first_sect <= last_sect <= 7) and its page
 *      taken through its grant, writable for a read (we write the guest's
 *      page) or readable for a write; the sectors must lie inside the disk;
 *   4. the data moved between the pages and the file (pread/pwrite);
 *   5. the grants given back, one response with the request's id.
 * A failure at any step fails the request only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "host/error.h"
#include "host/trace.h"
#include "host/xen_blkback.h"

#define PAGE_SIZE               XEN_GNTTAB_PAGE_SIZE
#define SECTOR_SIZE             DISK_IMAGE_SECTOR_SIZE
#define MAX_SEGMENTS            XEN_BLKBACK_INDIRECT_SEGMENTS
#define SEGMENTS_PER_INDIRECT_PAGE (PAGE_SIZE / sizeof(struct blkif_request_segment))
#define INDIRECT_PAGES(n)       \
	(((n) + SEGMENTS_PER_INDIRECT_PAGE - 1) / SEGMENTS_PER_INDIRECT_PAGE)
/* Rounds of "take the requests, re-arm req_event, look again" per
 * notification: bounded, so a frontend cannot keep us here. */
#define ROUNDS_PER_NOTIFY       2

_Static_assert(INDIRECT_PAGES(MAX_SEGMENTS) <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST,
	       "our indirect segments fit the protocol's indirect pages");
_Static_assert(MAX_SEGMENTS >= BLKIF_MAX_SEGMENTS_PER_REQUEST, "indirect carries more");

/* A request reduced to what we act on, whatever its form. */
struct blk_request {
	uint64_t id, sector;
	uint8_t operation;              /* the data operation: READ, WRITE, FLUSH... */
	bool indirect;
	unsigned int nr_segments;
	struct blkif_request_segment seg[MAX_SEGMENTS];
};

static const char *operation_name(uint8_t op)
{
	switch (op) {
	case BLKIF_OP_READ:             return "read";
	case BLKIF_OP_WRITE:            return "write";
	case BLKIF_OP_WRITE_BARRIER:    return "barrier";
	case BLKIF_OP_FLUSH_DISKCACHE:  return "flush";
	case BLKIF_OP_DISCARD:          return "discard";
	case BLKIF_OP_INDIRECT:         return "indirect";
	default:                        return "unknown";
	}
}

/* Takes a page through a grant, counted. */
static bool take_grant(struct xen_blkback *b, grant_ref_t ref, bool write, struct xen_grant *g)
{
	b->stats.grants++;
	return xen_xenbus_take_grant(&b->bus, b->gnttab, ref, write, g);
}

/* ---- requests -------------------------------------------------------------------- */

/* Step 2 for an indirect request: the descriptors out of its pages. */
static bool read_indirect_segments(struct xen_blkback *b, const blkif_request_indirect_t *ind,
				   struct blk_request *r)
{
	unsigned int pages = INDIRECT_PAGES(r->nr_segments);

	for (unsigned int p = 0; p < pages; p++) {
		unsigned int first = p * SEGMENTS_PER_INDIRECT_PAGE;
		unsigned int count = r->nr_segments - first < SEGMENTS_PER_INDIRECT_PAGE
				     ? r->nr_segments - first : SEGMENTS_PER_INDIRECT_PAGE;
		struct xen_grant g;

		if (!take_grant(b, ind->indirect_grefs[p], false, &g))
			return false;
		memcpy(&r->seg[first], g.page, count * sizeof(r->seg[0]));
		xen_gnttab_release(b->gnttab, &g);
	}
	return true;
}

/* Step 1-2: the ring's copy turned into a blk_request.  False when the
 * request is malformed (bad segment count, unreadable indirect pages). */
static bool decode(struct xen_blkback *b, const blkif_request_t *req, struct blk_request *r)
{
	r->id = req->id;
	r->indirect = req->operation == BLKIF_OP_INDIRECT;
	if (!r->indirect) {
		r->operation = req->operation;
		r->sector = req->sector_number;
		r->nr_segments = req->nr_segments;
		if (r->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
			return false;
		memcpy(r->seg, req->seg, r->nr_segments * sizeof(r->seg[0]));
		return true;
	}
	blkif_request_indirect_t ind;

	_Static_assert(sizeof(ind) <= sizeof(*req), "an indirect request fits a ring entry");
	memcpy(&ind, req, sizeof(ind));
	r->id = ind.id;
	r->operation = ind.indirect_op;
	r->sector = ind.sector_number;
	r->nr_segments = ind.nr_segments;
	if (r->operation != BLKIF_OP_READ && r->operation != BLKIF_OP_WRITE)
		return false;
	if (r->nr_segments == 0 || r->nr_segments > MAX_SEGMENTS)
		return false;
	return read_indirect_segments(b, &ind, r);
}

/* Steps 3-5 for a read or a write. */
static int16_t do_rw(struct xen_blkback *b, const struct blk_request *r)
{
	bool read = r->operation == BLKIF_OP_READ;
	struct xen_grant pages[MAX_SEGMENTS];
	unsigned int taken = 0;
	uint64_t sectors = 0;
	int16_t status = BLKIF_RSP_ERROR;

	if (r->nr_segments == 0 || (!read && b->image.read_only))
		return BLKIF_RSP_ERROR;
	for (; taken < r->nr_segments; taken++) {
		const struct blkif_request_segment *s = &r->seg[taken];

		if (s->first_sect > s->last_sect || s->last_sect >= XEN_BLKBACK_SECTORS_PER_PAGE)
			goto out;
		if (!take_grant(b, s->gref, read, &pages[taken]))
			goto out;
		sectors += s->last_sect - s->first_sect + 1u;
	}
	if (!disk_image_range_ok(&b->image, r->sector, sectors * SECTOR_SIZE))
		goto out;
	uint64_t offset = r->sector * SECTOR_SIZE;

	for (unsigned int i = 0; i < r->nr_segments; i++) {
		const struct blkif_request_segment *s = &r->seg[i];
		uint8_t *data = pages[i].page + s->first_sect * SECTOR_SIZE;
		uint64_t len = (s->last_sect - s->first_sect + 1u) * (uint64_t)SECTOR_SIZE;
		int rc = read ? disk_image_read(&b->image, data, len, offset)
			      : disk_image_write(&b->image, data, len, offset);

		if (rc < 0)
			goto out;
		offset += len;
	}
	b->stats.bytes += sectors * SECTOR_SIZE;
	status = BLKIF_RSP_OKAY;
out:
	while (taken > 0)
		xen_gnttab_release(b->gnttab, &pages[--taken]);
	return status;
}

static int16_t execute(struct xen_blkback *b, const struct blk_request *r)
{
	switch (r->operation) {
	case BLKIF_OP_READ:
		b->stats.reads++;
		return do_rw(b, r);
	case BLKIF_OP_WRITE:
		b->stats.writes++;
		return do_rw(b, r);
	case BLKIF_OP_FLUSH_DISKCACHE:
		b->stats.flushes++;
		if (r->nr_segments != 0)        /* ours carry no data: a flush only */
			return BLKIF_RSP_ERROR;
		return disk_image_flush(&b->image) == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_DISCARD:
		return BLKIF_RSP_EOPNOTSUPP;    /* features we do not offer */
	default:
		return BLKIF_RSP_ERROR;
	}
}

static void respond(struct xen_blkback *b, uint64_t id, uint8_t operation, int16_t status)
{
	blkif_response_t *rsp = RING_GET_RESPONSE(&b->ring, b->ring.rsp_prod_pvt);

	rsp->id = id;
	rsp->operation = operation;
	rsp->status = status;
	b->ring.rsp_prod_pvt++;
	if (status != BLKIF_RSP_OKAY)
		b->stats.failed++;
}

static void handle_request(struct xen_blkback *b, RING_IDX index)
{
	blkif_request_t req;
	struct blk_request r = { 0 };
	int16_t status;

	RING_COPY_REQUEST(&b->ring, index, &req);
	b->stats.requests++;
	if (!decode(b, &req, &r))
		status = BLKIF_RSP_ERROR;
	else
		status = execute(b, &r);
	if (r.indirect)
		b->stats.indirect++;
	TRACE("xen blkback: request id %" PRIu64 " %s%s sector %" PRIu64 " segments %u: "
	      "status %d", r.id, r.indirect ? "indirect " : "", operation_name(r.operation),
	      r.sector, r.nr_segments, status);
	/* Linux's blkback answers an indirect request with its data operation. */
	respond(b, r.id, r.indirect && status == BLKIF_RSP_OKAY ? r.operation : req.operation,
		status);
}

/* The frontend's req_prod, read once; false when no ring can have it. */
static bool take_requests(struct xen_blkback *b)
{
	RING_IDX prod = __atomic_load_n(&b->ring.sring->req_prod, __ATOMIC_ACQUIRE);

	if (RING_REQUEST_PROD_OVERFLOW(&b->ring, prod)) {
		fprintf(stderr, "pvkit-hv: xen blkback: the frontend's req_prod %u is more than a "
			"ring (%u) past our responses (%u): connection closed\n", prod,
			RING_SIZE(&b->ring), b->ring.rsp_prod_pvt);
		return false;
	}
	while (b->ring.req_cons != prod) {
		handle_request(b, b->ring.req_cons);
		b->ring.req_cons++;
	}
	return true;
}

static void disconnect(void *opaque);

void xen_blkback_notify(struct xen_blkback *b)
{
	int more = 1, notify;

	if (!b->connected)
		return;
	b->stats.notifications++;
	for (int round = 0; more && round < ROUNDS_PER_NOTIFY; round++) {
		if (!take_requests(b)) {
			disconnect(b);
			xen_xenbus_switch_state(&b->bus, XenbusStateClosing);
			return;
		}
		RING_FINAL_CHECK_FOR_REQUESTS(&b->ring, more);
	}
	/* The frontend asks for an event through rsp_event only once it has
	 * found the ring empty; we answer inside its notification, before it
	 * could look, so we send one whenever there are new responses (a
	 * frontend must take an event it did not need anyway). */
	RING_IDX before = b->ring.sring->rsp_prod;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b->ring, notify);
	notify |= b->ring.rsp_prod_pvt != before;
	TRACE("xen blkback: rsp_prod %u -> %u%s", before, b->ring.rsp_prod_pvt,
	      notify ? ", event to the frontend" : "");
	if (notify && xen_events_notify_frontend(b->events, b->port, b->backend_id))
		b->stats.events++;
}

/* ---- the connection ------------------------------------------------------------- */

/* A number in the backend's directory, for the frontend to read. */
static void write_number(struct xen_blkback *b, const char *node, uint64_t value)
{
	xen_xenbus_write(&b->bus, XEN_XENBUS_BACKEND, node, "%" PRIu64, value);
}

/* The frontend's ring-ref, event-channel and protocol; false (with the
 * reason on stderr) when unusable. */
static bool connect(void *opaque)
{
	struct xen_blkback *b = opaque;
	uint64_t ref, port;
	char protocol[32], path[XEN_XENBUS_PATH_MAX + 16];
	const char *why = NULL;

	snprintf(path, sizeof(path), "%s/protocol", b->bus.frontend);
	if (xen_xenbus_read_frontend_u64(&b->bus, "ring-ref", UINT32_MAX, &ref) != 0)
		why = "no usable ring-ref (multi-page rings are not offered)";
	else if (xen_xenbus_read_frontend_u64(&b->bus, "event-channel", UINT32_MAX, &port) != 0)
		why = "no usable event-channel";
	else if (xenstore_read(b->bus.store, path, protocol, sizeof(protocol)) >= 0 &&
		 strcmp(protocol, XEN_IO_PROTO_ABI_X86_64) != 0)
		why = "a protocol other than " XEN_IO_PROTO_ABI_X86_64;
	else if (!take_grant(b, (grant_ref_t)ref, true, &b->ring_grant))
		why = "ring-ref is not a page granted to dom0, writable";
	else if (xen_events_bind_to_backend(b->events, (evtchn_port_t)port, b->backend_id) != 0) {
		xen_gnttab_release(b->gnttab, &b->ring_grant);
		why = "event-channel is not a port offered to dom0";
	}
	if (why) {
		fprintf(stderr, "pvkit-hv: xen blkback: %s: %s: not connecting\n", b->bus.frontend,
			why);
		return false;
	}
	b->port = (evtchn_port_t)port;
	BACK_RING_INIT(&b->ring, (blkif_sring_t *)b->ring_grant.page, PAGE_SIZE);
	b->connected = true;
	TRACE("xen blkback: connected: ring ref %" PRIu64 ", port %u", ref, b->port);
	write_number(b, "sectors", b->image.sectors);
	write_number(b, "sector-size", SECTOR_SIZE);
	write_number(b, "physical-sector-size", SECTOR_SIZE);
	write_number(b, "info", b->image.read_only ? VDISK_READONLY : 0);
	write_number(b, "feature-flush-cache", 1);
	write_number(b, "feature-barrier", 0);
	write_number(b, "feature-persistent", 0);
	return true;
}

static void disconnect(void *opaque)
{
	struct xen_blkback *b = opaque;

	if (!b->connected)
		return;
	xen_events_unbind_backend(b->events, b->port, b->backend_id);
	xen_gnttab_release(b->gnttab, &b->ring_grant);
	b->connected = false;
	TRACE("xen blkback: disconnected");
}

bool xen_blkback_poll_xenbus(struct xen_blkback *b)
{
	return xen_xenbus_poll(&b->bus);
}

/* ---- setup ------------------------------------------------------------------------ */

/* What xl writes besides the common nodes, and what blkback's probe adds
 * before InitWait. */
static int write_disk_nodes(void *opaque)
{
	struct xen_blkback *b = opaque;
	struct xen_xenbus_device *d = &b->bus;
	int rc = xen_xenbus_write(d, XEN_XENBUS_FRONTEND, "virtual-device", "%u", XEN_BLKBACK_VDEV);

	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_FRONTEND, "device-type", "disk");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "params", "%s", b->path);
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "type", "file");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "mode", "%s", b->image.read_only ? "r" : "w");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "dev", "xvda");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "device-type", "disk");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "feature-max-indirect-segments", "%u",
					      XEN_BLKBACK_INDIRECT_SEGMENTS);
	return rc;
}

bool xen_blkback_create(struct xen_blkback *b, const char *path, struct xenstore *store,
			struct xen_gnttab *gnttab, struct xen_events *events, int backend_id,
			char *err, size_t err_len)
{
	const struct xen_xenbus_ops ops = { .write_nodes = write_disk_nodes, .connect = connect,
					    .disconnect = disconnect, .opaque = b };
	int rc;

	*b = (struct xen_blkback){ .gnttab = gnttab, .events = events, .backend_id = backend_id,
				   .path = path };
	if (!disk_image_open(&b->image, path, err, err_len))
		return false;
	rc = xen_xenbus_create(&b->bus, store, "vbd", XEN_BLKBACK_VDEV, &ops);
	if (rc == 0)
		return true;
	xen_blkback_destroy(b);
	return error_set(err, err_len, "--xen-blk: the store refused the disk's nodes: %s",
			 xenstore_error_name(-rc));
}

void xen_blkback_destroy(struct xen_blkback *b)
{
	disconnect(b);
	xen_xenbus_destroy(&b->bus);
	disk_image_close(&b->image);
}

int xen_blkback_sync(struct xen_blkback *b)
{
	return b->image.fd >= 0 ? disk_image_sync(&b->image) : 0;
}

void xen_blkback_print_stats(const struct xen_blkback *b, FILE *out)
{
	const struct xen_blkback_stats *s = &b->stats;

	fprintf(out, "  xen blkback: %" PRIu64 " notifications, %" PRIu64 " requests (%" PRIu64
		" reads, %" PRIu64 " writes, %" PRIu64 " flushes, %" PRIu64 " indirect), %" PRIu64
		" failed, %" PRIu64 " grant uses, %" PRIu64 " bytes, %" PRIu64 " events sent\n",
		s->notifications, s->requests, s->reads, s->writes, s->flushes, s->indirect,
		s->failed, s->grants, s->bytes, s->events);
}
