/*
 * blkfront.h — Xen's paravirtual disk, the guest half ("blkfront"), behind
 * the kernel's block interface (kernel/block.h) as "xvda", "xvdb", ...
 *
 * The other half, the backend (Linux's blkback in dom0), serves a disk the
 * toolstack gave us.  The two meet in xenstore (device/vbd/<vdev> and the
 * backend's directory, xenbus.h), share one page of requests and
 * responses (the blkif ring, xen/io/blkif.h), signal each other with an
 * event channel, and move data through pages we grant to the backend.
 * See docs/xen-blkfront.md.
 */
#ifndef PVKIT_PV_XEN_BLKFRONT_H
#define PVKIT_PV_XEN_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "pv/xen/xen_ring.h"

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/blkif.h>

struct block_device;
struct blkfront;

/* Requests in flight at once, each with its own id and its own pages. */
#define BLKFRONT_SLOTS          16
/* What a free slot holds in the table of in-flight operations. */
#define BLKFRONT_SLOT_FREE      0xff

/* What the backend offered and we use (its xenstore "feature-*" nodes). */
struct blkfront_features {
	bool flush;                     /* feature-flush-cache: BLKIF_OP_FLUSH_DISKCACHE */
	bool barrier;                   /* feature-barrier: BLKIF_OP_WRITE_BARRIER */
	bool persistent;                /* feature-persistent: grants kept across requests */
	uint32_t indirect_segments;     /* feature-max-indirect-segments (0: none) */
	bool readonly;                  /* "info" has VDISK_READONLY */
};

struct blkfront_stats {
	uint64_t requests;              /* put on the ring */
	uint64_t indirect_requests;     /* of which BLKIF_OP_INDIRECT */
	uint64_t flushes;               /* flush or barrier requests */
	uint64_t grants;                /* grant entries made, ring's included */
	uint64_t notifications;         /* EVTCHNOP_send to the backend */
	uint64_t interrupts;            /* events from the backend */
	uint64_t waits;                 /* times we slept for responses (none were there yet) */
	uint32_t max_in_flight;
	bool broken;                    /* the backend misbehaved: disconnected */
};

/* Finds the disks under device/vbd in xenstore and connects each (once, at boot, after
 * the page allocator).  Nothing happens when not on Xen. */
void blkfront_init(void);

/* Why there is no blkfront disk (NULL when there is one). */
const char *blkfront_absent_reason(void);

/* The blkfront behind a block device, or NULL for another driver's. */
struct blkfront *blkfront_of(struct block_device *bdev);
const struct blkfront_features *blkfront_features(const struct blkfront *bf);
const struct blkfront_stats *blkfront_stats(const struct blkfront *bf);
/* Our xenstore directory ("device/vbd/51712") and the backend's. */
const char *blkfront_dir(const struct blkfront *bf);
const char *blkfront_backend_dir(const struct blkfront *bf);

/* After the disk was disconnected (stats.broken): wait for the backend to
 * close, then connect again with a fresh ring.  0, -XEN_EISCONN when the
 * disk is connected, or the failed step's error. */
long blkfront_reconnect(struct blkfront *bf);

/* For tests that play a lying backend: the ring as the backend sees it,
 * and taking whatever responses are on it now (0, or -EIO when the disk
 * is, or has just been, disconnected). */
struct blkif_sring *blkfront_shared_ring(struct blkfront *bf);
int blkfront_poll(struct blkfront *bf);

/*
 * Is this response (already copied out of the shared ring) one we can
 * accept?  slot_ops[id] is the operation in flight in slot id, or
 * BLKFRONT_SLOT_FREE.  NULL when it is, otherwise what is wrong with it:
 * an id out of range, an id with nothing in flight (a duplicate), another
 * operation than the one asked, a status blkif.h does not define.
 */
const char *blkfront_response_problem(const struct blkif_response *rsp,
				      const uint8_t *slot_ops, unsigned int slots);

#endif
