/*
 * xenstore.h — pvkit-hv's xenstore: the store a Xen guest reads its
 * configuration from and its frontends and backends meet in, with the
 * operations, watches, transactions, permissions and limits of Xen's
 * xenstored (docs/misc/xenstore.txt; the wire format is
 * /usr/include/xen/io/xs_wire.h).
 *
 * A pure model: no KVM, no guest memory.  Each domain talks to the store
 * through a connection; xenstore_conn_request() runs one request (header
 * and body already copied into host memory, e.g. by host/xenstore_ring.c)
 * and queues the reply, and any watch events, as whole xs_wire messages
 * on the connection's output, which the caller drains.  pvkit-hv itself,
 * playing the toolstack and dom0's backends, uses the xenstore_* calls
 * below as dom0, or a dom0 connection whose watch events go to a callback.
 *
 * Errors are negative errno values (-ENOENT ...): on the wire they become
 * an XS_ERROR reply carrying the name from xs_wire.h's xsd_errors.
 */
#ifndef PVKIT_HOST_XENSTORE_H
#define PVKIT_HOST_XENSTORE_H

#include <errno.h>               /* before xs_wire.h: its xsd_errors needs EINVAL... */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#include "host/xenstore_tree.h"

/* Limits, as xenstored's defaults (its -N, -W, -T, -t quotas). */
#define XENSTORE_NODES_PER_DOMAIN       1000    /* nodes a domU may own: ENOSPC */
#define XENSTORE_WATCHES_PER_CONN       128     /* E2BIG */
#define XENSTORE_TRANSACTIONS_PER_CONN  10      /* ENOSPC */
#define XENSTORE_TX_NODES_MAX           1024    /* nodes one transaction touches: ENOSPC */
/* Messages waiting on a connection's output; past it the connection takes
 * no new request and watch events are dropped (and counted). */
#define XENSTORE_CONN_OUTPUT_MAX        64

struct xenstore;
struct xenstore_conn;

/* One whole message for a domain: an xs_wire header and hdr.len bytes. */
struct xenstore_msg {
	struct xenstore_msg *next;
	struct xsd_sockmsg hdr;
	char body[];
};

/* Instead of queuing them as messages: a watch fired with `path` (as the
 * watcher named it) and the watcher's `token`. */
typedef void xenstore_event_fn(void *arg, const char *path, const char *token);

/* An empty store ("/" only, dom0's); NULL when out of memory. */
struct xenstore *xenstore_create(void);
/* Frees the store and every connection still open on it. */
void xenstore_destroy(struct xenstore *xs);

/* ---- as the toolstack / dom0 (no transaction, dom0's rights) ---------- */

/* Create a domain's home /local/domain/<domid> as xl does: owned by dom0
 * and readable by the domain, with "domid" (read-only to it) and "data"
 * (its own, writable).  0 or -errno. */
int xenstore_introduce_domain(struct xenstore *xs, uint16_t domid);

/* Write `value` at absolute `path`, creating missing nodes; watches fire.
 * 0 or -errno. */
int xenstore_write(struct xenstore *xs, const char *path, const char *value);

/* Copy the value at `path` (0-terminated) into buf: its length, -ENOENT,
 * or -ERANGE when it does not fit. */
int xenstore_read(struct xenstore *xs, const char *path, char *buf, size_t size);

/* Remove `path` and everything below it; watches fire.  0 or -errno. */
int xenstore_rm(struct xenstore *xs, const char *path);

/* Set `path`'s permissions: perms[0] is the owner and everyone else's
 * access.  0 or -errno (-EINVAL for a bad letter or count). */
int xenstore_set_perms(struct xenstore *xs, const char *path, const struct xs_perm *perms,
		       unsigned int count);

/* ---- connections ------------------------------------------------------ */

/* A connection for domain `domid`; relative paths resolve under its home.
 * With on_event set, watch events go to it instead of the output queue.
 * NULL when out of memory. */
struct xenstore_conn *xenstore_connect(struct xenstore *xs, uint16_t domid,
				       xenstore_event_fn *on_event, void *arg);
/* Ends its transactions, removes its watches, frees its output. */
void xenstore_disconnect(struct xenstore_conn *conn);

/* Run one request: hdr->len body bytes at `body` (hdr->len <=
 * XENSTORE_PAYLOAD_MAX; anything else in the header may be garbage and
 * gets an error reply).  Queues exactly one reply. */
void xenstore_conn_request(struct xenstore_conn *conn, const struct xsd_sockmsg *hdr,
			   const char *body);

/* The oldest queued message, or NULL; and dropping it once sent. */
const struct xenstore_msg *xenstore_conn_output(const struct xenstore_conn *conn);
void xenstore_conn_output_done(struct xenstore_conn *conn);
/* Messages queued; whether the connection takes another request now. */
unsigned int xenstore_conn_pending(const struct xenstore_conn *conn);
bool xenstore_conn_can_take_request(const struct xenstore_conn *conn);
/* Watch events dropped because the output was full. */
unsigned long xenstore_conn_dropped_events(const struct xenstore_conn *conn);

/* The name of an errno value as xenstored sends it ("ENOENT"), or "EINVAL"
 * for one it has no name for. */
const char *xenstore_error_name(int err);

#endif
