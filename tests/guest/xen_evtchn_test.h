/*
 * xen_evtchn_test.h — what the event-channel tests share
 * (tests/guest/test_xen_evtchn.c, test_xen_evtchn_fifo.c): a handler that
 * logs events in arrival order, waiting for them with interrupts on, and
 * loop-back pairs of our own ports.
 */
#ifndef PVKIT_TESTS_GUEST_XEN_EVTCHN_TEST_H
#define PVKIT_TESTS_GUEST_XEN_EVTCHN_TEST_H

#include <stdint.h>

#include "kernel/timer.h"
#include "pv/xen/xen_evtchn.h"

#define EVENT_PATIENCE_NS       (2 * NSEC_PER_SEC)
#define QUIET_NS                (20 * NSEC_PER_MSEC)
#define EVENT_LOG_ORDER         8       /* arrival order kept for the first 8 */

/* EVENT_LOG_LIFETIME: a test's event_log is static, not on its stack.  A
 * CHECK that fails returns from the test with the handler still bound, and
 * an event arriving later must not write into a stack frame that is gone. */
struct event_log {
	volatile unsigned int count;
	volatile evtchn_port_t last_port;
	volatile uint64_t at_ns;        /* Xen system time of the last event */
	volatile evtchn_port_t order[EVENT_LOG_ORDER];
};

/* A handler: arg is a struct event_log. */
void record_event(evtchn_port_t port, void *arg);

/* Wait with interrupts on (the upcall is an interrupt) until *count
 * reaches `want` or `patience_ns` passed. */
void wait_for_count(volatile unsigned int *count, unsigned int want, uint64_t patience_ns);

/* Two of our own ports joined to each other: sending on one makes the
 * other pending. */
long make_loopback_pair(evtchn_port_t *listener, evtchn_port_t *sender);

/* A loop-back pair whose listener has `log`'s handler: 0 or the error. */
long make_logged_pair(struct event_log *log, evtchn_port_t *listener, evtchn_port_t *sender);
/* Close both ports: 0, or the first error. */
long close_pair(evtchn_port_t listener, evtchn_port_t sender);

#endif
