/*
 * xen_console.h — the Xen PV console (a PVH guest finds it in HVM params,
 * a PV guest in start_info): output and input rings in one shared page,
 * and an event channel to the backend (docs/xen.md, "The PV console").
 */
#ifndef PVKIT_PV_XEN_XEN_CONSOLE_H
#define PVKIT_PV_XEN_XEN_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/console.h>

/* Find the ring and its event channel (HVM params) and register the
 * console driver.  False when Xen gave us no console. */
bool xen_console_init(void);
/* Use the ring at pseudo-physical frame pfn, bound to event channel evtchn. */
void xen_console_attach(uint64_t pfn, uint32_t evtchn);
/* Bind our handler to the console's port: the platform's init calls it
 * once the event-channel ABI is chosen. */
void xen_console_bind_events(void);
bool xen_console_ready(void);
void xen_console_write(const char *s, size_t len);
/* Wait (bounded) until the backend has read everything we wrote. */
void xen_console_flush(void);
void xen_console_report(void);

/* xen_console_ring_read's answer when the backend's in_prod is impossible
 * (more than a ring ahead of our consumer index, or behind it). */
#define XEN_CONSOLE_BAD_INDICES (-1L)
/* Copy up to len bytes of input from ring r into buf, starting at our
 * consumer index *cons, and give their slots back (*cons and the page's
 * in_cons advance): how many, or XEN_CONSOLE_BAD_INDICES, and then nothing
 * is read and neither index moves.  The driver's read; tests give it a
 * ring of their own. */
long xen_console_ring_read(volatile struct xencons_interface *r, XENCONS_RING_IDX *cons,
			   char *buf, size_t len);

/* bind_rc before xen_console_bind_events ran (Xen errors are negative). */
#define XEN_CONSOLE_NOT_BOUND   1L

struct xen_console_stats {
	long bind_rc;                   /* 0: events arrive by upcall */
	uint64_t events;                /* handled by upcall */
	uint64_t events_with_input;     /* ... that found unread input */
	XENCONS_RING_IDX in_prod_at_last_event;  /* in_prod as the latest one saw it */
	uint64_t in_bytes;              /* input read */
	uint64_t refused_input;         /* reads refused: impossible indices */
};

/* For tests: the ring, its port, what the driver counted. */
volatile struct xencons_interface *xen_console_ring(void);
uint32_t xen_console_port(void);
const struct xen_console_stats *xen_console_stats(void);

#endif
