/*
 * xen_console.h — the Xen PV console for a PVH (or HVM) guest.
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
bool xen_console_ready(void);
void xen_console_write(const char *s, size_t len);
/* Wait (bounded) until the backend has read everything we wrote. */
void xen_console_flush(void);
void xen_console_report(void);

/* For tests: the ring and its port. */
volatile struct xencons_interface *xen_console_ring(void);
uint32_t xen_console_port(void);

#endif
