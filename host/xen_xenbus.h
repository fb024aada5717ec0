/*
 * xen_xenbus.h — the xenbus side of a split device that pvkit-hv plays as
 * dom0: what xl writes into the store for a new disk or network card, and
 * the backend's half of the state handshake (xen/io/xenbus.h), shared by
 * host/xen_blkback.c and host/xen_netback.c.
 *
 * xl creates two directories for device `type`/`id` of domain D:
 *   /local/domain/D/device/TYPE/ID        the frontend's: owned by D, read by dom0
 *   /local/domain/0/backend/TYPE/D/ID     the backend's: owned by dom0, read by D
 * each naming the other (backend, backend-id / frontend, frontend-id) with
 * a `state` node; dom0's backend driver then watches the frontend's state
 * and moves its own, as Linux's xenbus_backend does (frontend_changed in
 * drivers/block/xen-blkback/xenbus.c):
 *
 *   frontend Initialising, backend Closed     -> InitWait (a reconnection)
 *   frontend Initialised or Connected         -> connect(): Connected, or Closing on failure
 *   frontend Closing                          -> disconnect(), Closing
 *   frontend Closed, or its state gone        -> disconnect(), Closed
 *
 * The watch belongs to a dom0 connection of our own on the store; its
 * events arrive while the store runs a guest's request, when the store must
 * not be changed, so they only raise a flag, and xen_xenbus_poll() (called
 * after the guest's requests are served) runs the handshake.
 */
#ifndef PVKIT_HOST_XEN_XENBUS_H
#define PVKIT_HOST_XEN_XENBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "host/xen_abi.h"
#include "host/xen_gnttab.h"
#include "host/xenstore.h"

#include <xen/io/xenbus.h>

#define XEN_XENBUS_PATH_MAX     96

struct xen_xenbus_ops {
	/* The device's own nodes (xl's and the backend's probe's), written
	 * before the backend says InitWait.  0 or -errno. */
	int (*write_nodes)(void *opaque);
	/* The frontend says it is ready: read its nodes, map its rings, bind
	 * its port, write the backend's last nodes.  False (with a message on
	 * stderr) when the frontend's nodes are unusable. */
	bool (*connect)(void *opaque);
	/* Stop using the frontend's rings and port (safe when not connected). */
	void (*disconnect)(void *opaque);
	void *opaque;
};

struct xen_xenbus_device {
	struct xenstore *store;
	struct xenstore_conn *watcher;          /* dom0's connection, for the watch */
	char frontend[XEN_XENBUS_PATH_MAX];     /* /local/domain/D/device/TYPE/ID */
	char backend[XEN_XENBUS_PATH_MAX];      /* /local/domain/0/backend/TYPE/D/ID */
	char name[8];                           /* "vbd", "vif": for --trace */
	enum xenbus_state state;                /* the backend's, as last written */
	bool frontend_changed;                  /* the watch fired since the last poll */
	struct xen_xenbus_ops ops;
};

/* Writes both directories as xl does, the device's own nodes
 * (ops->write_nodes), watches the frontend's state and says InitWait.
 * 0 or -errno. */
int xen_xenbus_create(struct xen_xenbus_device *dev, struct xenstore *store, const char *type,
		      unsigned int id, const struct xen_xenbus_ops *ops);
void xen_xenbus_destroy(struct xen_xenbus_device *dev);

enum xen_xenbus_side { XEN_XENBUS_FRONTEND, XEN_XENBUS_BACKEND };

/* A node in the backend's or the frontend's directory, printf-style: what
 * the toolstack and the backend write.  0 or -errno. */
int xen_xenbus_write(struct xen_xenbus_device *dev, enum xen_xenbus_side side,
		     const char *node, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A decimal number the frontend wrote in its directory, at most `max`:
 * 0, -ENOENT, or -EINVAL (not a number, or too large). */
int xen_xenbus_read_frontend_u64(struct xen_xenbus_device *dev, const char *node, uint64_t max,
				 uint64_t *value);

/* A page the frontend granted to dom0, for reading or writing, through
 * the grant-table model (which checks the ref, the domain and the
 * access); traced.  False when refused. */
bool xen_xenbus_take_grant(struct xen_xenbus_device *dev, struct xen_gnttab *gnttab,
			   grant_ref_t ref, bool write, struct xen_grant *g);

/* The backend's own state, written to the store and noted. */
void xen_xenbus_switch_state(struct xen_xenbus_device *dev, enum xenbus_state state);

/* If the frontend's state changed since the last call, run the handshake
 * step it asks for.  True if anything was written to the store. */
bool xen_xenbus_poll(struct xen_xenbus_device *dev);

/* "InitWait"..., for --trace and messages. */
const char *xen_xenbus_state_name(unsigned int state);

#endif
