/*
 * xenbus.h — the handshake between the two halves of a Xen split driver,
 * done through xenstore: the base for blkfront and netfront.
 *
 * Each half has a directory (the frontend's: device/vbd/768 under the
 * guest's home; the backend's: /local/domain/0/backend/vbd/<id>/768) with
 * a "state" node holding a number from enum xenbus_state
 * (xen/io/xenbus.h).  Each half writes only its own state and watches the
 * other's: Initialising -> (InitWait) -> Initialised -> Connected, then
 * Closing -> Closed.  The frontend's "backend" and "backend-id" nodes say
 * where the other half is.  Errors: negative Xen errors, as xenstore.h.
 */
#ifndef PVKIT_PV_XEN_XENBUS_H
#define PVKIT_PV_XEN_XENBUS_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/xenbus.h>

#include "pv/xen/xenstore.h"

#define XENBUS_PATH_MAX         256

const char *xenbus_state_name(enum xenbus_state state);

/* The state in `dir`/state.  A missing node reads as XenbusStateUnknown
 * (the other half has not started, or is gone); anything but a number in
 * range is -XEN_EIO. */
long xenbus_read_state(const char *dir, enum xenbus_state *state);

/* A decimal number in `dir`/`node` (a backend's "sectors", "feature-..."):
 * -XEN_ENOENT when the node is missing, -XEN_EIO when it is not a number. */
long xenbus_read_u64(const char *dir, const char *node, uint64_t *number);
/* Our own domain id: "domid" in our xenstore home (xs_init first). */
long xenbus_read_domid(domid_t *id);

/* Write `dir`/`node`, its value made from fmt (as printf), inside tx (or
 * XS_NO_TRANSACTION); -XEN_ENAMETOOLONG when the path does not fit. */
long xenbus_printf(xs_transaction_t tx, const char *dir, const char *node, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

/* Write our own state into `dir`/state. */
long xenbus_switch_state(const char *dir, enum xenbus_state state);

/* Wait, with interrupts on, until `dir`/state is `wanted`, re-reading it
 * whenever a watch on it fires; -XEN_ETIMEDOUT after timeout_ns.  *seen
 * (may be NULL) gets the last state read. */
long xenbus_wait_for_state(const char *dir, enum xenbus_state wanted, uint64_t timeout_ns,
			   enum xenbus_state *seen);

/* A frontend's other half: its "backend" path and "backend-id" domain. */
long xenbus_read_backend(const char *frontend_dir, char *backend_dir, size_t size,
			 domid_t *backend_id);

#endif
