/*
 * xenstore_ring.h — the server end of a domain's xenstore ring page
 * (struct xenstore_domain_interface, /usr/include/xen/io/xs_wire.h): what
 * xenstored does with the page the toolstack shares with each domain.
 *
 * The page is guest memory: the guest may change any byte of it at any
 * time, from another vCPU, even while we read it.  So each call reads each
 * index the guest owns (req_prod, rsp_cons) once, checks it (no more than
 * a ring's worth ahead of ours), copies the bytes it covers out before
 * looking at them, and never reads back the indices we own (req_cons,
 * rsp_prod: we keep our own copies and only write them).  A request is
 * assembled in host memory across wrap-arounds and partial writes; a
 * header announcing more than XENSTORE_PAYLOAD_MAX bytes, or an index out
 * of range, fails the connection: the error is recorded here and in the
 * page's `error` field, and the ring is left alone from then on.
 */
#ifndef PVKIT_HOST_XENSTORE_RING_H
#define PVKIT_HOST_XENSTORE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/xenstore.h"

/* Requests run per xenstore_ring_process() call at most, so that a guest
 * that keeps writing cannot keep pvkit-hv in one call for ever. */
#define XENSTORE_RING_REQUESTS_PER_CALL 32

struct xenstore_ring {
	struct xenstore_domain_interface *page;        /* guest memory */
	struct xenstore_conn *conn;
	XENSTORE_RING_IDX req_cons, rsp_prod;   /* ours; written to the page, never read */
	uint8_t request[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	uint32_t request_have;                  /* bytes of it assembled so far */
	uint32_t reply_sent;                    /* bytes of the oldest output already written */
	const char *error;                      /* why the connection failed; NULL while fine */
};

/* Serve `page` for `conn`, starting from the indices now in the page (0
 * on a fresh page).  The page's server_features and error are set. */
void xenstore_ring_init(struct xenstore_ring *r, struct xenstore_domain_interface *page,
			struct xenstore_conn *conn);

enum xenstore_ring_result {
	XENSTORE_RING_IDLE,     /* all done until the guest writes more */
	XENSTORE_RING_MORE,     /* stopped at the per-call limit: call again */
	XENSTORE_RING_FAILED,   /* the guest broke the protocol: see r->error */
};

/* Copy out and run every whole request the guest has written, and write
 * as much of the replies and watch events as fits.  *notify is set when
 * the guest should get an event: we consumed requests (it may wait for
 * room) or produced output. */
enum xenstore_ring_result xenstore_ring_process(struct xenstore_ring *r, bool *notify);

#endif
