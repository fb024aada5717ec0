/*
 * xs_ring.h — the xenstore ring page, seen as two byte streams: writing
 * request bytes into `req`, and cutting whole messages out of `rsp`.
 *
 * Separate from xenstore.c (which does requests, replies and watches) and
 * free of hypercalls, so that the hardening rules can be tested on any
 * host with a fake page full of garbage (tests/guest/test_xs_ring.c).
 *
 * The rules: our own indexes (req_prod, rsp_cons) are kept here and only
 * written to the page, never read back; the backend's index is read once
 * per look and must be within one ring size of ours; a header may announce
 * at most XENSTORE_PAYLOAD_MAX bytes; positions are masked.  Breaking a
 * rule marks the ring broken, for good: nothing is read or written after.
 */
#ifndef PVKIT_PV_XEN_XS_RING_H
#define PVKIT_PV_XEN_XS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#define XS_HEADER_SIZE  sizeof(struct xsd_sockmsg)

struct xs_ring {
	volatile struct xenstore_domain_interface *page;
	XENSTORE_RING_IDX req_prod, rsp_cons;   /* ours: never read back */
	bool broken;
	/* The incoming message being assembled: header, body, a nul. */
	uint8_t incoming[XS_HEADER_SIZE + XENSTORE_PAYLOAD_MAX + 1];
	size_t have;
};

/* Start using `page`, taking our indexes from it; false (and broken)
 * when its indexes are already impossible. */
bool xs_ring_attach(struct xs_ring *r, volatile struct xenstore_domain_interface *page);

/* Copy as much of src[len] as fits into `req`; returns how many bytes,
 * or -1 when the ring is broken. */
long xs_ring_write(struct xs_ring *r, const void *src, size_t len);

/* Take bytes from `rsp` until one message is whole: 1 with *header and
 * *body (nul-terminated, valid until the next call); 0 when the ring ran
 * dry first (what was taken is kept for next time); -1 when broken.
 * *took is set when bytes were taken (the backend may wait for room). */
int xs_ring_next_message(struct xs_ring *r, struct xsd_sockmsg *header, const char **body,
			 bool *took);

#endif
