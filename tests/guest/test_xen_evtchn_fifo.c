/*
 * test_xen_evtchn_fifo.c — what the FIFO event-channel ABI adds: it is
 * chosen when Xen offers it (Xen 4.17 does), events of one priority come
 * out in the order they were raised (2-level: lowest port first), a
 * higher priority is served first, and ports past 2-level's 4096 work.  With evtchn=2l the ordering tests are
 * skipped and set_priority must say ENOSYS.  Skipped when not on Xen.
 */
#include "kernel/irq.h"
#include "kernel/test.h"
#include "lib/string.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_evtchn.h"
#include "tests/guest/xen_evtchn_test.h"
#include "tests/guest/xen_test.h"

#define LOW_PRIORITY            10
#define HIGH_PRIORITY           2
/* Unbound ports we may hold to reach a number past 2-level's range; the
 * lab's domU may have 8192 (scripts/xen-lab.sh, max_event_channels). */
#define FILLER_PORTS_MAX        (EVTCHN_2L_NR_CHANNELS + 64)

#define SKIP_UNLESS_FIFO()                                                    \
	do {                                                                  \
		SKIP_UNLESS_XEN_MAPPED();                                     \
		if (!xen_evtchn_abi_status().fifo)                            \
			SKIP("event channels are %s (evtchn=%s)",             \
			     xen_evtchn_abi_status().name,                    \
			     xen_evtchn_abi_status().requested);              \
	} while (0)

/* Xen 4.17 offers FIFO: unless told evtchn=2l, we must be using it.  A
 * hypervisor without it (pvkit-hv --xen) answers init_control with ENOSYS,
 * and the guest must then be on 2-level. */
TEST(xen_evtchn_fifo, chosen_when_offered)
{
	struct xen_evtchn_abi_status st = xen_evtchn_abi_status();

	SKIP_UNLESS_XEN_MAPPED();
	if (strcmp(st.requested, "2l") == 0) {
		CHECK(!st.fifo && !st.fifo_tried);
		CHECK_EQ(st.max_ports, EVTCHN_2L_NR_CHANNELS);
		SKIP("evtchn=2l: FIFO not tried");
	}
	CHECK(st.fifo_tried);
	if (st.fifo_rc == -XEN_ENOSYS) {
		CHECK(!st.fifo);
		CHECK_EQ(st.max_ports, EVTCHN_2L_NR_CHANNELS);
		SKIP("this hypervisor does not offer FIFO (EVTCHNOP_init_control: ENOSYS)");
	}
	CHECK_XEN(st.fifo_rc, 0);
	CHECK(st.fifo);
	CHECK_EQ(st.max_ports, EVTCHN_FIFO_NR_CHANNELS);
	CHECK(st.ports_ready >= 1024);          /* at least the first page */
	CHECK_EQ(st.bad_links, 0);
}

/* set_priority is FIFO's: 0-15, 16 refused; 2-level has none at all. */
TEST(xen_evtchn_fifo, set_priority_checks_its_range)
{
	evtchn_port_t listener, sender;

	SKIP_UNLESS_XEN_MAPPED();
	CHECK_EQ(make_loopback_pair(&listener, &sender), 0);
	if (!xen_evtchn_abi_status().fifo) {
		CHECK_XEN(xen_evtchn_set_priority(listener, HIGH_PRIORITY), -XEN_ENOSYS);
	} else {
		CHECK_XEN(xen_evtchn_set_priority(listener, EVTCHN_FIFO_PRIORITY_MAX), 0);
		CHECK_XEN(xen_evtchn_set_priority(listener, EVTCHN_FIFO_PRIORITY_MIN), 0);
		CHECK_XEN(xen_evtchn_set_priority(listener, EVTCHN_FIFO_PRIORITY_MIN + 1),
			  -XEN_EINVAL);
	}
	CHECK_EQ(close_pair(listener, sender), 0);
}

/* Two pairs sharing one log; `first` and `second` are raised in that
 * order while the upcall is held off, then both are delivered. */
static long raise_two(evtchn_port_t first, evtchn_port_t second, struct event_log *log)
{
	bool was_enabled = irq_save();
	long rc = xen_evtchn_send(first);

	if (rc == 0)
		rc = xen_evtchn_send(second);
	irq_restore(was_enabled);
	wait_for_count(&log->count, 2, EVENT_PATIENCE_NS);
	return rc;
}

/* One queue is first in, first out: the higher port, raised first, comes
 * first (the 2-level scan would take the lower port first). */
TEST(xen_evtchn_fifo, same_priority_in_order_raised)
{
	static struct event_log log;    /* static: see EVENT_LOG_LIFETIME */
	evtchn_port_t low_port, low_sender, high_port, high_sender;

	log = (struct event_log){ 0 };
	SKIP_UNLESS_FIFO();
	CHECK_EQ(make_logged_pair(&log, &low_port, &low_sender), 0);
	CHECK_EQ(make_logged_pair(&log, &high_port, &high_sender), 0);
	CHECK(low_port < high_port);
	CHECK_XEN(raise_two(high_sender, low_sender, &log), 0);
	CHECK_EQ(log.count, 2);
	CHECK_EQ(log.order[0], high_port);
	CHECK_EQ(log.order[1], low_port);
	CHECK_EQ(close_pair(low_port, low_sender), 0);
	CHECK_EQ(close_pair(high_port, high_sender), 0);
}

/* Queue 2 is served before queue 10, whatever the order raised. */
TEST(xen_evtchn_fifo, higher_priority_delivered_first)
{
	static struct event_log log;    /* static: see EVENT_LOG_LIFETIME */
	evtchn_port_t urgent, urgent_sender, lazy, lazy_sender;

	log = (struct event_log){ 0 };
	SKIP_UNLESS_FIFO();
	CHECK_EQ(make_logged_pair(&log, &urgent, &urgent_sender), 0);
	CHECK_EQ(make_logged_pair(&log, &lazy, &lazy_sender), 0);
	CHECK_XEN(xen_evtchn_set_priority(urgent, HIGH_PRIORITY), 0);
	CHECK_XEN(xen_evtchn_set_priority(lazy, LOW_PRIORITY), 0);
	CHECK_XEN(raise_two(lazy_sender, urgent_sender, &log), 0);
	CHECK_EQ(log.count, 2);
	CHECK_EQ(log.order[0], urgent);
	CHECK_EQ(log.order[1], lazy);
	CHECK_EQ(close_pair(urgent, urgent_sender), 0);
	CHECK_EQ(close_pair(lazy, lazy_sender), 0);
}

static evtchn_port_t filler[FILLER_PORTS_MAX];

/* Unbound ports, lowest first (Xen hands out the lowest free number),
 * until one is at least `at_least`: how many were made, 0 on an error. */
static unsigned int fill_ports_up_to(evtchn_port_t at_least)
{
	for (unsigned int n = 0; n < FILLER_PORTS_MAX; n++) {
		if (xen_evtchn_alloc_unbound(DOMID_SELF, &filler[n]) != 0)
			return 0;
		if (filler[n] >= at_least)
			return n + 1;
	}
	return 0;
}

static long close_fillers(unsigned int count)
{
	long rc = 0;

	for (unsigned int i = 0; i < count; i++)
		rc = rc ? rc : xen_evtchn_close(filler[i]);
	return rc;
}

/* A port number 2-level cannot name: it gets an event word (the ABI adds
 * event-array pages up to it), a handler (the table grows past 4096) and
 * its event. */
TEST(xen_evtchn_fifo, port_beyond_2l_range_delivers)
{
	static struct event_log log;    /* static: see EVENT_LOG_LIFETIME */
	evtchn_port_t far, sender;

	log = (struct event_log){ 0 };
	SKIP_UNLESS_FIFO();
	unsigned int count = fill_ports_up_to(EVTCHN_2L_NR_CHANNELS);

	CHECK(count > 0);
	far = filler[count - 1];
	CHECK_XEN(xen_evtchn_bind_interdomain(DOMID_SELF, far, &sender), 0);
	CHECK_XEN(xen_evtchn_bind_handler(far, record_event, &log), 0);
	CHECK(xen_evtchn_abi_status().ports_ready > sender);
	CHECK_EQ(xen_evtchn_send(sender), 0);
	wait_for_count(&log.count, 1, EVENT_PATIENCE_NS);
	CHECK_EQ(log.count, 1);
	CHECK_EQ(log.last_port, far);
	CHECK_EQ(xen_evtchn_close(sender), 0);
	CHECK_XEN(close_fillers(count), 0);
}
