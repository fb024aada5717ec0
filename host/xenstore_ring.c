/*
 * xenstore_ring.c — serving a domain's xenstore ring page (see
 * xenstore_ring.h).
 *
 * Each ring is XENSTORE_RING_SIZE bytes with free-running 32-bit indices:
 * prod - cons is how many bytes wait (unsigned arithmetic handles the
 * wrap at 2^32), and MASK_XENSTORE_IDX(index) is the byte's position.  The
 * guest produces `req` and consumes `rsp`; we do the opposite.
 *
 * Ordering: we load the guest's index with acquire semantics before
 * copying the bytes it covers, and store ours with release semantics
 * after: the guest never sees a slot freed before we copied it, nor an
 * index before the bytes it covers.
 */
#include <stddef.h>
#include <string.h>

#include "host/xenstore_ring.h"

#define HEADER_SIZE     ((uint32_t)sizeof(struct xsd_sockmsg))

/* A queued message is its header and body back to back: one copy. */
_Static_assert(offsetof(struct xenstore_msg, body) ==
	       offsetof(struct xenstore_msg, hdr) + sizeof(struct xsd_sockmsg),
	       "xenstore_msg body follows its header");

static XENSTORE_RING_IDX load_guest_index(const XENSTORE_RING_IDX *index)
{
	return __atomic_load_n(index, __ATOMIC_ACQUIRE);
}

static void store_our_index(XENSTORE_RING_IDX *index, XENSTORE_RING_IDX value)
{
	__atomic_store_n(index, value, __ATOMIC_RELEASE);
}

static bool fail(struct xenstore_ring *r, const char *why, uint32_t code)
{
	r->error = why;
	r->page->error = code;
	return false;
}

void xenstore_ring_init(struct xenstore_ring *r, struct xenstore_domain_interface *page,
			struct xenstore_conn *conn)
{
	*r = (struct xenstore_ring){
		.page = page,
		.conn = conn,
		.req_cons = page->req_cons,
		.rsp_prod = page->rsp_prod,
	};
	page->server_features = XENSTORE_SERVER_FEATURE_ERROR;
	page->connection = XENSTORE_CONNECTED;
	page->error = XENSTORE_ERROR_NONE;
}

/* Copy len bytes from ring position `at` on, wrapping at its end. */
static void copy_from_ring(void *to, const char *ring, XENSTORE_RING_IDX at, uint32_t len)
{
	uint32_t start = MASK_XENSTORE_IDX(at);
	uint32_t first = len < XENSTORE_RING_SIZE - start ? len : XENSTORE_RING_SIZE - start;

	memcpy(to, ring + start, first);
	memcpy((char *)to + first, ring, len - first);
}

static void copy_to_ring(char *ring, XENSTORE_RING_IDX at, const void *from, uint32_t len)
{
	uint32_t start = MASK_XENSTORE_IDX(at);
	uint32_t first = len < XENSTORE_RING_SIZE - start ? len : XENSTORE_RING_SIZE - start;

	memcpy(ring + start, from, first);
	memcpy(ring, (const char *)from + first, len - first);
}

/* Write queued messages into `rsp` while there is room; a message may go
 * in pieces, continued by a later call. */
static bool write_output(struct xenstore_ring *r, bool *notify, bool *progress)
{
	XENSTORE_RING_IDX used = r->rsp_prod - load_guest_index(&r->page->rsp_cons);
	const struct xenstore_msg *msg;
	bool wrote = false;

	if (used > XENSTORE_RING_SIZE)
		return fail(r, "rsp_cons out of range", XENSTORE_ERROR_RINGIDX);
	uint32_t room = XENSTORE_RING_SIZE - used;

	while (room > 0 && (msg = xenstore_conn_output(r->conn)) != NULL) {
		uint32_t total = HEADER_SIZE + msg->hdr.len;
		uint32_t n = total - r->reply_sent < room ? total - r->reply_sent : room;

		copy_to_ring(r->page->rsp, r->rsp_prod, (const char *)&msg->hdr + r->reply_sent, n);
		r->rsp_prod += n;
		r->reply_sent += n;
		room -= n;
		wrote = true;
		if (r->reply_sent == total) {
			xenstore_conn_output_done(r->conn);
			r->reply_sent = 0;
		}
	}
	if (wrote) {
		store_our_index(&r->page->rsp_prod, r->rsp_prod);
		*notify = *progress = true;
	}
	return true;
}

/* Bytes still missing from the request being assembled. */
static uint32_t missing(const struct xenstore_ring *r, const struct xsd_sockmsg *hdr)
{
	if (r->request_have < HEADER_SIZE)
		return HEADER_SIZE - r->request_have;
	return HEADER_SIZE + hdr->len - r->request_have;
}

/* Copy the guest's request bytes out and run each whole request, up to
 * the per-call limit and while the connection takes requests. */
static bool read_input(struct xenstore_ring *r, bool *notify, bool *progress,
		       unsigned int *requests)
{
	XENSTORE_RING_IDX avail = load_guest_index(&r->page->req_prod) - r->req_cons;
	struct xsd_sockmsg hdr;
	bool consumed = false;

	if (avail > XENSTORE_RING_SIZE)
		return fail(r, "req_prod out of range", XENSTORE_ERROR_RINGIDX);
	while (*requests < XENSTORE_RING_REQUESTS_PER_CALL &&
	       xenstore_conn_can_take_request(r->conn)) {
		memcpy(&hdr, r->request, HEADER_SIZE);  /* our copy: stable */
		if (r->request_have >= HEADER_SIZE && hdr.len > XENSTORE_PAYLOAD_MAX)
			return fail(r, "request longer than XENSTORE_PAYLOAD_MAX",
				    XENSTORE_ERROR_PROTO);
		uint32_t need = missing(r, &hdr);

		if (need == 0) {
			xenstore_conn_request(r->conn, &hdr, (const char *)r->request + HEADER_SIZE);
			r->request_have = 0;
			(*requests)++;
			*progress = true;
			continue;
		}
		if (avail == 0)
			break;
		uint32_t n = need < avail ? need : avail;

		copy_from_ring(r->request + r->request_have, r->page->req, r->req_cons, n);
		r->request_have += n;
		r->req_cons += n;
		avail -= n;
		consumed = true;
	}
	if (consumed) {
		store_our_index(&r->page->req_cons, r->req_cons);
		*notify = *progress = true;
	}
	return true;
}

enum xenstore_ring_result xenstore_ring_process(struct xenstore_ring *r, bool *notify)
{
	unsigned int requests = 0;
	bool progress;

	*notify = false;
	if (r->error != NULL)
		return XENSTORE_RING_FAILED;
	do {
		progress = false;
		if (!write_output(r, notify, &progress) ||
		    !read_input(r, notify, &progress, &requests)) {
			*notify = true;         /* let the guest look at `error` */
			return XENSTORE_RING_FAILED;
		}
	} while (progress && requests < XENSTORE_RING_REQUESTS_PER_CALL);
	if (!write_output(r, notify, &progress)) {
		*notify = true;
		return XENSTORE_RING_FAILED;
	}
	return requests == XENSTORE_RING_REQUESTS_PER_CALL ? XENSTORE_RING_MORE
							   : XENSTORE_RING_IDLE;
}
