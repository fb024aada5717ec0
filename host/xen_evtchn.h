/*
 * xen_evtchn.h — pvkit-hv's model of Xen's event channels (2-level ABI)
 * for its one domain: the port table and the PENDING/MASK bits, selector
 * and upcall flag in shared_info.
 *
 * A port is free, unbound (allocated, waiting for a peer), interdomain
 * (joined to a peer port: one of ours for a loop-back pair, or a backend
 * that pvkit-hv plays as dom0, such as the console) or bound to a VIRQ.
 * Sending on an interdomain port makes its peer pending; for a backend
 * port it calls the backend instead.  Making a port pending follows Xen's
 * evtchn_2l_set_pending(): set PENDING; if the port is not masked, set its
 * word's bit in evtchn_pending_sel and then evtchn_upcall_pending, and when
 * that goes from 0 to 1, raise the upcall (inject the guest's vector).
 *
 * Pure state: no KVM.  Every function takes guest-supplied numbers and
 * returns 0 or a negative Xen error (-XEN_EINVAL...), never trusting them.
 * Everything runs on the vCPU thread while the vCPU is stopped in an exit,
 * so the guest never sees shared_info half-updated.
 */
#ifndef PVKIT_HOST_XEN_EVTCHN_H
#define PVKIT_HOST_XEN_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include "host/xen_abi.h"

/* Ports we hand out: 1..XEN_EVTCHN_PORTS-1 (port 0 is never valid): all
 * that the 2-level ABI can name on a 64-bit guest, 64 x 64 pending bits,
 * as Xen offers (the guest's tests bind over a thousand). */
#define XEN_EVTCHN_PORTS        4096

enum xen_port_state {
	XEN_PORT_FREE,
	XEN_PORT_UNBOUND,
	XEN_PORT_INTERDOMAIN,
	XEN_PORT_VIRQ,
};

struct xen_port {
	enum xen_port_state state;
	domid_t remote_dom;             /* unbound, interdomain */
	evtchn_port_t remote_port;      /* interdomain */
	uint32_t virq;                  /* virq */
	int backend;                    /* interdomain to dom0: which backend, else -1 */
};

struct xen_events {
	struct shared_info *shared;     /* the guest's page once mapped, else `backing` */
	struct shared_info backing;     /* shared_info before the guest maps it */
	struct xen_port ports[XEN_EVTCHN_PORTS];
	evtchn_port_t virq_port[NR_VIRQS];      /* 0: VIRQ not bound */
	/* The upcall: called when evtchn_upcall_pending goes from 0 to 1. */
	void (*raise_upcall)(void *opaque);
	/* A backend port was sent on: backend is what bind_backend was given. */
	void (*notify_backend)(void *opaque, int backend, evtchn_port_t port);
	void *opaque;
	uint64_t sent, upcalls;         /* counters for --stats and tests */
};

void xen_events_init(struct xen_events *ev);
/* Moves shared_info to the guest page `page` (a host pointer into guest
 * RAM, checked by the caller), keeping its contents. */
void xen_events_move_shared_info(struct xen_events *ev, struct shared_info *page);

/* A port interdomain-bound to a backend that pvkit-hv runs as dom0 (the
 * console): returns the port, or 0 if none is free. */
evtchn_port_t xen_events_bind_backend(struct xen_events *ev, int backend);

/* A backend pvkit-hv plays (blkback, netback) binds the port a frontend
 * allocated for dom0 (EVTCHNOP_alloc_unbound, remote_dom 0), as dom0's
 * EVTCHNOP_bind_interdomain does: 0, or -XEN_EINVAL when the port is not
 * an unbound one offered to dom0. */
long xen_events_bind_to_backend(struct xen_events *ev, evtchn_port_t port, int backend);
/* The backend lets go of it: the port goes back to unbound (to dom0), as
 * a frontend's port does when dom0 closes its end; nothing when the
 * frontend has closed or reused it meanwhile. */
void xen_events_unbind_backend(struct xen_events *ev, evtchn_port_t port, int backend);
/* The backend's notification: the port pending, if it is still bound to
 * that backend; false otherwise (the frontend closed it). */
bool xen_events_notify_frontend(struct xen_events *ev, evtchn_port_t port, int backend);

/* The EVTCHNOP_* operations, on the guest's own structures (already copied
 * out of guest memory; results are written back into them). */
long xen_events_alloc_unbound(struct xen_events *ev, struct evtchn_alloc_unbound *op);
long xen_events_bind_interdomain(struct xen_events *ev, struct evtchn_bind_interdomain *op);
long xen_events_bind_virq(struct xen_events *ev, struct evtchn_bind_virq *op);
long xen_events_send(struct xen_events *ev, evtchn_port_t port);
long xen_events_close(struct xen_events *ev, evtchn_port_t port);
long xen_events_status(struct xen_events *ev, struct evtchn_status *op);
long xen_events_unmask(struct xen_events *ev, evtchn_port_t port);
long xen_events_bind_vcpu(struct xen_events *ev, const struct evtchn_bind_vcpu *op);

/* Makes port pending as a peer's send does (a backend's reply). */
void xen_events_set_pending(struct xen_events *ev, evtchn_port_t port);
/* Makes the port bound to virq pending; false if none is bound. */
bool xen_events_raise_virq(struct xen_events *ev, uint32_t virq);
/* True if the port is valid and its PENDING bit is set. */
bool xen_events_is_pending(const struct xen_events *ev, evtchn_port_t port);

/* The name of a port state, for --trace. */
const char *xen_port_state_name(enum xen_port_state state);

#endif
