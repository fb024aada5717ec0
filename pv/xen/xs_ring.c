/*
 * xs_ring.c — writing to and reading whole messages from the xenstore
 * ring page, checking everything the backend controls (see xs_ring.h).
 *
 * Like the console's, the indexes only grow (wrapping at 2^32) and
 * index & (XENSTORE_RING_SIZE - 1) is the position.  A message can be
 * split over several fills of the ring (a 4 KiB reply through a 1 KiB
 * ring), so it is assembled in r->incoming a piece at a time.
 */
#include "arch/x86/cpu.h"
#include "lib/string.h"
#include "pv/xen/xs_ring.h"

static void mark_broken(struct xs_ring *r)
{
	r->broken = true;
}

bool xs_ring_attach(struct xs_ring *r, volatile struct xenstore_domain_interface *page)
{
	r->page = page;
	r->req_prod = page->req_prod;
	r->rsp_cons = page->rsp_cons;
	r->have = 0;
	r->broken = r->req_prod - page->req_cons > XENSTORE_RING_SIZE ||
		    page->rsp_prod - r->rsp_cons > XENSTORE_RING_SIZE;
	return !r->broken;
}

long xs_ring_write(struct xs_ring *r, const void *src, size_t len)
{
	const uint8_t *bytes = src;

	if (r->broken)
		return -1;
	XENSTORE_RING_IDX used = r->req_prod - r->page->req_cons;  /* one read */

	if (used > XENSTORE_RING_SIZE) {
		mark_broken(r);
		return -1;
	}
	if (len > XENSTORE_RING_SIZE - used)
		len = XENSTORE_RING_SIZE - used;
	for (size_t i = 0; i < len; i++)
		r->page->req[MASK_XENSTORE_IDX(r->req_prod + i)] = bytes[i];
	barrier();      /* the bytes before the index that covers them */
	r->req_prod += len;
	r->page->req_prod = r->req_prod;
	return len;
}

/* Copy up to `want` bytes the backend produced into the message being
 * assembled; returns how many, or -1 when its index is impossible. */
static long take(struct xs_ring *r, size_t want)
{
	XENSTORE_RING_IDX avail = r->page->rsp_prod - r->rsp_cons;    /* one read */

	if (avail > XENSTORE_RING_SIZE)
		return -1;
	if (avail < want)
		want = avail;
	barrier();      /* the index before the bytes (x86 keeps loads in order) */
	for (size_t i = 0; i < want; i++)
		r->incoming[r->have + i] = r->page->rsp[MASK_XENSTORE_IDX(r->rsp_cons + i)];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);  /* done reading before giving slots back */
	r->rsp_cons += want;
	r->page->rsp_cons = r->rsp_cons;
	r->have += want;
	return want;
}

/* Bytes still missing from the message being assembled; -1 when its
 * header announces too long a body. */
static long missing(const struct xs_ring *r)
{
	uint32_t len;

	if (r->have < XS_HEADER_SIZE)
		return XS_HEADER_SIZE - r->have;
	memcpy(&len, r->incoming + offsetof(struct xsd_sockmsg, len), sizeof(len));
	if (len > XENSTORE_PAYLOAD_MAX)
		return -1;
	return XS_HEADER_SIZE + len - r->have;
}

int xs_ring_next_message(struct xs_ring *r, struct xsd_sockmsg *header, const char **body,
			 bool *took)
{
	*took = false;
	while (!r->broken) {
		long need = missing(r);

		if (need < 0)
			break;
		if (need == 0) {
			memcpy(header, r->incoming, XS_HEADER_SIZE);
			r->incoming[XS_HEADER_SIZE + header->len] = 0;
			*body = (const char *)r->incoming + XS_HEADER_SIZE;
			r->have = 0;    /* the next call starts a new message */
			return 1;
		}
		long got = take(r, need);

		if (got < 0)
			break;
		if (got == 0)
			return 0;
		*took = true;
	}
	mark_broken(r);
	return -1;
}
