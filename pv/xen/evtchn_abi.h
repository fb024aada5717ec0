/*
 * evtchn_abi.h — the part of event channels that depends on the ABI: where
 * a port's PENDING and MASK bits live and how the upcall finds the ports to
 * handle.  Xen offers two ABIs:
 *
 *   2-level (evtchn_2l.c)  bitmaps in shared_info, 4096 ports, scanned
 *                          lowest port first;
 *   FIFO (evtchn_fifo.c)   one 32-bit event word per port in pages we give
 *                          Xen, up to 2^17 ports, and per-vCPU queues of 16
 *                          priorities that Xen links events onto.
 *
 * Everything else (making, binding and closing ports, the handlers, the
 * upcall's entry) is the same for both and lives in xen_evtchn.c, which
 * calls the chosen ABI through this table.  Internal to pv/xen/.
 */
#ifndef PVKIT_PV_XEN_EVTCHN_ABI_H
#define PVKIT_PV_XEN_EVTCHN_ABI_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

/* Called by an ABI's scan for each port it finds pending and unmasked:
 * clears PENDING and runs the port's handler (xen_evtchn.c). */
typedef void evtchn_deliver_fn(evtchn_port_t port);

struct evtchn_abi {
	const char *name;                       /* "2-level", "FIFO" */
	/* The highest port number the ABI can name, plus one. */
	unsigned int (*max_ports)(void);
	/* Ports whose bits exist now (FIFO: event-array pages added so far). */
	unsigned int (*ports_ready)(void);
	/* Make the bits of a fresh port exist (FIFO: add event-array pages). */
	long (*setup_port)(evtchn_port_t port);
	bool (*is_pending)(evtchn_port_t port);
	bool (*is_masked)(evtchn_port_t port);
	/* Clear PENDING atomically; true when it was set. */
	bool (*test_and_clear_pending)(evtchn_port_t port);
	void (*mask)(evtchn_port_t port);
	/* Unmask; Xen must deliver the event if it is pending. */
	long (*unmask)(evtchn_port_t port);
	/* The upcall's scan: deliver() each pending, unmasked port. */
	void (*handle_events)(evtchn_deliver_fn *deliver);
};

extern const struct evtchn_abi evtchn_2l_abi;
extern const struct evtchn_abi evtchn_fifo_abi;

/* EVTCHNOP_unmask: Xen clears MASK and, if the port is pending, raises
 * the upcall (2-level), or links the event onto its queue (FIFO). */
long evtchn_unmask_by_xen(evtchn_port_t port);

/* Mask every 2-level port: Xen leaves them unmasked at boot. */
void evtchn_2l_mask_all(void);

/* Switch this domain to FIFO (EVTCHNOP_init_control for vCPU 0, then the
 * first event-array page).  0, or init_control's error: then 2-level
 * stays. */
long evtchn_fifo_init(void);

/* What the FIFO scan found wrong: a HEAD or LINK naming a port without
 * an event word (0 unless Xen misbehaves). */
uint64_t evtchn_fifo_bad_links(void);

#endif
