/*
 * xenstore.h — a client for xenstore, Xen's small shared tree of strings
 * (/local/domain/<id>/..., device/vbd/..., backend/...), through which
 * guests and dom0 find each other's devices and settings.
 *
 * The guest talks to the xenstore daemon (xenstored, in dom0) over a pair
 * of byte rings in one shared page plus an event channel, both given by
 * HVM parameters (HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN) to a PVH
 * guest, by start_info (store_mfn, store_evtchn) to a PV one.  Each
 * request is a struct xsd_sockmsg header (type, request id, transaction
 * id, length) and nul-separated strings (xen/io/xs_wire.h); the reply
 * carries the same request id, or comes as XS_ERROR with an errno name.
 * Watch events arrive on the same ring whenever a watched path changes.
 *
 * One request at a time; each waits at most XS_TIMEOUT_NS.  Functions
 * return 0 (or a length/count) or a negative Xen error: the XS_ERROR name
 * turned into its number (-XEN_ENOENT...), -XEN_ETIMEDOUT when xenstored
 * does not answer in time, -XEN_EIO when the ring holds garbage (the
 * client then refuses further requests), -XEN_ENODEV when not on Xen.
 * Paths are absolute ("/local/domain/1/domid") or relative to our home
 * ("domid", "data/x").  See docs/xen.md, "xenstore".
 */
#ifndef PVKIT_PV_XEN_XENSTORE_H
#define PVKIT_PV_XEN_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t xs_transaction_t;

#define XS_NO_TRANSACTION       0
#define XS_TIMEOUT_NS           (5ULL * 1000 * 1000 * 1000)
#define XS_TRANSACTION_TRIES    10
#define XS_MAX_WATCHES          8
#define XS_WATCH_PATH_MAX       256     /* longest path or token we keep */

/* Find the ring and bind its event channel (once; later calls return the
 * first result). */
long xs_init(void);
bool xs_ready(void);

/* The value of `path`, nul-terminated in value[size]; returns its length,
 * or -XEN_ERANGE when it does not fit. */
long xs_read(xs_transaction_t tx, const char *path, char *value, size_t size);
/* Create or replace `path` (parents are created as needed). */
long xs_write(xs_transaction_t tx, const char *path, const char *value);
/* The children's names, each nul-terminated, one after the other in
 * names[size]; returns how many. */
long xs_directory(xs_transaction_t tx, const char *path, char *names, size_t size);
/* Remove `path` and everything under it. */
long xs_rm(xs_transaction_t tx, const char *path);

/*
 * Watches.  xenstored sends an event once when the watch is set, then
 * every time `path` or anything below it changes; the event carries the
 * changed path and our token.  Events are queued when they come off the
 * ring and `fn` is called for each: from the event-channel upcall
 * (interrupt context), or at the end of a xenstore call that found them.
 * So a callback must be short and must not call xenstore itself: record,
 * and act later.
 */
typedef void xs_watch_fn(const char *path, const char *token, void *arg);

long xs_watch(const char *path, const char *token, xs_watch_fn *fn, void *arg);
long xs_unwatch(const char *path, const char *token);

/* Transactions: requests made with `tx` see one snapshot of the store and
 * take effect together at the end, or not at all: ending with commit
 * returns -XEN_EAGAIN when someone else changed what we read meanwhile. */
long xs_transaction_start(xs_transaction_t *tx);
long xs_transaction_end(xs_transaction_t tx, bool commit);

/* Run body(tx, arg) in a transaction and commit; start again on -XEN_EAGAIN,
 * at most XS_TRANSACTION_TRIES times.  A body that fails aborts. */
typedef long xs_transaction_body_fn(xs_transaction_t tx, void *arg);
long xs_transact(xs_transaction_body_fn *body, void *arg);

struct xs_stats {
	uint64_t requests;
	uint64_t watch_events;          /* delivered to a callback */
	uint64_t dropped_events;        /* queue full, unknown token, too long */
	uint64_t stray_replies;         /* ids we were not waiting for (late replies) */
	bool broken;                    /* the ring held garbage: we stopped */
};
struct xs_stats xs_stats(void);

#endif
