/*
 * xen_evtchn.h — Xen event channels, 2-level ABI, with upcalls.
 *
 * A port is one end of a doorbell.  Its other end is another domain's port
 * (interdomain), a virtual interrupt source in Xen (VIRQ: the timer...), or
 * another of our own ports (a loop-back pair: handy for tests).  Each port
 * has a PENDING and a MASK bit in shared_info.  A handler registered here
 * runs in interrupt context when its port becomes pending while unmasked:
 * Xen injects our callback vector (HVM_PARAM_CALLBACK_IRQ) and the upcall
 * handler scans the pending bits.  Every function returns 0 or a negative
 * Xen error (xen_error_name()).
 */
#ifndef PVKIT_PV_XEN_XEN_EVTCHN_H
#define PVKIT_PV_XEN_XEN_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

/* Ports we can give handlers to: the first 2-level words are plenty for
 * a small kernel (Xen hands out low numbers first). */
#define XEN_EVTCHN_HANDLED_PORTS        256

typedef void xen_evtchn_handler_fn(evtchn_port_t port, void *arg);

/* A fresh port that `remote` may bind to (DOMID_SELF: ourselves). */
long xen_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
/* Connect a fresh local port to <remote, remote_port>, which must be unbound. */
long xen_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				 evtchn_port_t *port);
/* A port on which virtual interrupt `virq` (VIRQ_TIMER...) arrives. */
long xen_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
/* Close the port; its handler is forgotten and it is left masked. */
long xen_evtchn_close(evtchn_port_t port);

/* Set up the upcall (once), register `handler` for `port` and unmask it. */
/* Handle every pending, unmasked port: a PV guest's event callback. */
void xen_evtchn_upcall(void);
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

/* The upcall: its vector (0 before the first handler) and how often it ran. */
uint8_t xen_evtchn_upcall_vector(void);
uint64_t xen_evtchn_upcall_count(void);

#endif
