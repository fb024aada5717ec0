/*
 * xen_evtchn.h — Xen event channels, with upcalls, on the 2-level or the
 * FIFO ABI (docs/xen.md).
 *
 * A port is one end of a doorbell.  Its other end is another domain's port
 * (interdomain), a virtual interrupt source in Xen (VIRQ: the timer...), or
 * another of our own ports (a loop-back pair: handy for tests).  Each port
 * has a PENDING and a MASK bit: in shared_info's bitmaps (2-level), or in
 * its event word (FIFO).  A handler registered here runs in interrupt
 * context when its port becomes pending while unmasked: Xen raises the
 * upcall (a PVH guest's callback vector, HVM_PARAM_CALLBACK_IRQ; a PV
 * guest's event callback) and the ABI's scan finds the port.  Every
 * function returns 0 or a negative Xen error (xen_error_name()).
 */
#ifndef PVKIT_PV_XEN_XEN_EVTCHN_H
#define PVKIT_PV_XEN_XEN_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

typedef void xen_evtchn_handler_fn(evtchn_port_t port, void *arg);

/* A fresh port that `remote` may bind to (DOMID_SELF: ourselves). */
long xen_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
/* Connect a fresh local port to <remote, remote_port>, which must be unbound. */
long xen_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				 evtchn_port_t *port);
/* A port on which virtual interrupt `virq` (VIRQ_TIMER...) arrives. */
long xen_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
/* Which vCPU the port notifies (we have vCPU 0 only; a per-vCPU VIRQ
 * cannot move: -EINVAL; a vCPU the domain does not have: -ENOENT). */
long xen_evtchn_bind_vcpu(evtchn_port_t port, uint32_t vcpu);
/* FIFO only (2-level: -ENOSYS): the port's queue, 0 (first served) to 15;
 * EVTCHN_FIFO_PRIORITY_DEFAULT is 7.  Applies to later events. */
long xen_evtchn_set_priority(evtchn_port_t port, uint32_t priority);
/* Close the port; its handler is forgotten and it is left masked. */
long xen_evtchn_close(evtchn_port_t port);

/* Handle every pending, unmasked port: a PV guest's event callback. */
void xen_evtchn_upcall(void);
/* Set up the upcall (once), register `handler` for `port` and unmask it. */
long xen_evtchn_bind_handler(evtchn_port_t port, xen_evtchn_handler_fn *handler, void *arg);
void xen_evtchn_mask(evtchn_port_t port);
/* Unmask; if the port became pending meanwhile, Xen delivers it now. */
long xen_evtchn_unmask(evtchn_port_t port);
bool xen_evtchn_is_pending(evtchn_port_t port);
/* Clear PENDING atomically; true when it was set. */
bool xen_evtchn_test_and_clear(evtchn_port_t port);
/* Block in Xen until `port` is pending or Xen system time passes
 * timeout_ns (SCHEDOP_poll; works on masked ports, without an upcall). */
long xen_evtchn_poll(evtchn_port_t port, uint64_t timeout_ns);
bool xen_evtchn_is_masked(evtchn_port_t port);

/* Choose the ABI (evtchn=, FIFO when offered): the platform's init,
 * before any handler is bound.  Before it, the 2-level bits are used. */
void xen_evtchn_init(void);
/* The boot report's "xen: event channels ..." line. */
void xen_evtchn_report(void);

struct xen_evtchn_abi_status {
	const char *name;               /* "2-level" or "FIFO" */
	bool fifo;
	const char *requested;          /* the evtchn= option: auto, 2l, fifo */
	bool fifo_tried;                /* EVTCHNOP_init_control was called... */
	long fifo_rc;                   /* ...and said this */
	unsigned int ports_ready;       /* ports with bits now (FIFO: array pages) */
	unsigned int max_ports;         /* the ABI's limit */
	uint64_t bad_links;             /* FIFO: HEAD/LINK outside our pages */
};
struct xen_evtchn_abi_status xen_evtchn_abi_status(void);

/* The upcall: its vector (0 before the first handler) and how often it ran. */
uint8_t xen_evtchn_upcall_vector(void);
uint64_t xen_evtchn_upcall_count(void);

#endif
