/*
 * xen_blkback.h — pvkit-hv's Xen block backend: a raw image file served to
 * the guest's blkfront as disk xvda, over the blkif protocol
 * (/usr/include/xen/io/blkif.h), as Linux's xen-blkback serves a file (a
 * loop device) in dom0.  docs/pvkit-hv-xen.md, "The block backend".
 *
 * The toolstack's part: device/vbd/51712 and backend/vbd/1/51712 in the
 * store (host/xen_xenbus.c), the backend's features, InitWait.  When the
 * frontend says Initialised, its ring page is taken through the grant
 * table model (host/xen_gnttab.c) and kept for the connection, and its
 * event channel is bound to us.  Each notification then runs the requests
 * the frontend has published, at most one ring's worth: every field is
 * read once from a private copy of the request, every segment's page is
 * taken through its grant for the access the operation needs (writable
 * for a read into it, readable for a write from it) and given back after,
 * and each request gets one response with its id.  A request that asks
 * for something wrong fails alone (BLKIF_RSP_ERROR, or EOPNOTSUPP for an
 * operation we did not offer); a producer index that no ring can have
 * closes the connection (the backend goes Closing), as Linux does.
 *
 * Offered: feature-flush-cache and feature-max-indirect-segments (32).
 * Not offered: persistent grants, barriers, discard, multi-page rings.
 */
#ifndef PVKIT_HOST_XEN_BLKBACK_H
#define PVKIT_HOST_XEN_BLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "host/disk_image.h"
#include "host/xen_abi.h"
#include "host/xen_evtchn.h"
#include "host/xen_gnttab.h"
#include "host/xen_xenbus.h"

#include "host/xen_ring.h"
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

#define XEN_BLKBACK_VDEV                51712   /* xvda: (202 << 8) | 0, xl's number */
#define XEN_BLKBACK_INDIRECT_SEGMENTS   32      /* feature-max-indirect-segments */
#define XEN_BLKBACK_SECTORS_PER_PAGE    (XEN_GNTTAB_PAGE_SIZE / DISK_IMAGE_SECTOR_SIZE)

struct xen_blkback_stats {
	uint64_t notifications;         /* the frontend's events */
	uint64_t requests, reads, writes, flushes, indirect;
	uint64_t failed;                /* responses other than BLKIF_RSP_OKAY */
	uint64_t grants;                /* grant acquisitions (ring, segments, indirect pages) */
	uint64_t bytes;                 /* data moved */
	uint64_t events;                /* our notifications to the frontend */
};

struct xen_blkback {
	struct xen_gnttab *gnttab;
	struct xen_events *events;
	int backend_id;                 /* our number in xen_events' notify_backend */
	struct disk_image image;
	const char *path;               /* the image's, as given */
	struct xen_xenbus_device bus;
	bool connected;
	struct xen_grant ring_grant;    /* the shared ring, held while connected */
	blkif_back_ring_t ring;
	evtchn_port_t port;             /* the frontend's port, bound to us */
	struct xen_blkback_stats stats;
};

/* Opens the image and writes the device into the store, up to InitWait.
 * False with a message when the image is unusable or the store refuses. */
bool xen_blkback_create(struct xen_blkback *b, const char *path, struct xenstore *store,
			struct xen_gnttab *gnttab, struct xen_events *events, int backend_id,
			char *err, size_t err_len);
void xen_blkback_destroy(struct xen_blkback *b);

/* After the guest's xenstore requests ran: the handshake, if its state
 * changed.  True when the store changed (the guest may have a watch). */
bool xen_blkback_poll_xenbus(struct xen_blkback *b);

/* The frontend sent on its port: serve its requests. */
void xen_blkback_notify(struct xen_blkback *b);

/* fsync of the image; 0 or -errno. */
int xen_blkback_sync(struct xen_blkback *b);

/* The counters, as a few lines for --stats. */
void xen_blkback_print_stats(const struct xen_blkback *b, FILE *out);

#endif
