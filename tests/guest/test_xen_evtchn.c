/*
 * test_xen_evtchn.c — event channels on real Xen, whichever ABI is in use
 * (the xen-pvh and xen-pv hosts run these with FIFO, then again with
 * evtchn=2l): a loop-back pair of our own ports (alloc_unbound +
 * bind_interdomain with DOMID_SELF), delivery by upcall, masking,
 * bind_vcpu, many ports at once, and VIRQ_TIMER driven by the single-shot
 * timer hypercall.  Skipped when not on Xen.
 */
#include "kernel/irq.h"
#include "kernel/test.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_clock.h"
#include "pv/xen/xen_evtchn.h"
#include "tests/guest/xen_evtchn_test.h"
#include "tests/guest/xen_test.h"

#define TIMER_DELAY_NS          (5 * NSEC_PER_MSEC)

/*
 * Enough pairs for 1200 ports: past the first FIFO event-array page (1024
 * ports: the ABI must add pages with EVTCHNOP_expand_array) and over 19
 * words of the 2-level bitmap (the selector names several words at once).
 * A domU may have max_event_channels ports (xl's default, 1023, would
 * stop us: scripts/xen-lab.sh raises it).
 */
#define MANY_PAIRS              600
#define FIFO_PAGE_PORTS         1024

TEST(xen_evtchn, loopback_event_arrives_by_upcall)
{
	static struct event_log log;    /* static: see EVENT_LOG_LIFETIME */
	evtchn_port_t listener, sender;

	log = (struct event_log){ 0 };
	SKIP_UNLESS_XEN_MAPPED();     /* events need shared_info */
	CHECK_EQ(make_loopback_pair(&listener, &sender), 0);
	CHECK(listener != sender);
	CHECK_EQ(xen_evtchn_bind_handler(listener, record_event, &log), 0);
	CHECK(xen_evtchn_upcall_vector() != 0);
	uint64_t upcalls = xen_evtchn_upcall_count();

	CHECK_EQ(xen_evtchn_send(sender), 0);
	wait_for_count(&log.count, 1, EVENT_PATIENCE_NS);
	CHECK_EQ(log.count, 1);
	CHECK_EQ(log.last_port, listener);
	CHECK(xen_evtchn_upcall_count() > upcalls);
	CHECK(!xen_evtchn_is_pending(listener));       /* cleared before the handler */
	CHECK_EQ(close_pair(listener, sender), 0);
}

TEST(xen_evtchn, masked_event_waits_for_unmask)
{
	static struct event_log log;    /* static: see EVENT_LOG_LIFETIME */
	evtchn_port_t listener, sender;

	log = (struct event_log){ 0 };
	SKIP_UNLESS_XEN_MAPPED();
	CHECK_EQ(make_logged_pair(&log, &listener, &sender), 0);
	xen_evtchn_mask(listener);
	CHECK(xen_evtchn_is_masked(listener));
	CHECK_EQ(xen_evtchn_send(sender), 0);
	wait_for_count(&log.count, 1, QUIET_NS);
	CHECK_EQ(log.count, 0);                         /* masked: no upcall... */
	CHECK(xen_evtchn_is_pending(listener));         /* ...but it is pending */
	CHECK_EQ(xen_evtchn_unmask(listener), 0);
	wait_for_count(&log.count, 1, EVENT_PATIENCE_NS);
	CHECK_EQ(log.count, 1);
	CHECK(!xen_evtchn_is_masked(listener));
	CHECK_EQ(close_pair(listener, sender), 0);
}

TEST(xen_evtchn, closed_port_refuses_send)
{
	evtchn_port_t listener, sender;

	SKIP_UNLESS_XEN_MAPPED();
	CHECK_EQ(make_loopback_pair(&listener, &sender), 0);
	CHECK_EQ(xen_evtchn_close(sender), 0);
	CHECK_XEN(xen_evtchn_send(sender), -XEN_EINVAL);
	CHECK_EQ(xen_evtchn_close(listener), 0);
	CHECK_XEN(xen_evtchn_close(listener), -XEN_EINVAL);
}

/*
 * Sent while interrupts are off, events wait and then all arrive; and each
 * time upcall_pending rises again after the handler cleared it, the upcall
 * comes again.  pvkit-hv sends the vector once per rise, not after every
 * hypercall (docs/pvkit-hv-xen.md, "Event channels and the upcall"): the
 * second send of a round, and the hypercalls after it, find the flag set.
 */
TEST(xen_evtchn, events_sent_with_interrupts_off_arrive_when_on)
{
	static struct event_log log;    /* static: see EVENT_LOG_LIFETIME */
	evtchn_port_t listener[2], sender[2];

	log = (struct event_log){ 0 };
	SKIP_UNLESS_XEN_MAPPED();
	CHECK_EQ(make_logged_pair(&log, &listener[0], &sender[0]), 0);
	CHECK_EQ(make_logged_pair(&log, &listener[1], &sender[1]), 0);
	for (unsigned int round = 1; round <= 3; round++) {
		bool was_enabled = irq_save();
		long sent = xen_evtchn_send(sender[0]);

		if (sent == 0)
			sent = xen_evtchn_send(sender[1]);
		(void)xen_version_op(XENVER_version, NULL);
		unsigned int while_off = log.count;

		irq_restore(was_enabled);
		CHECK_EQ(sent, 0);
		CHECK_EQ(while_off, 2 * (round - 1));
		wait_for_count(&log.count, 2 * round, EVENT_PATIENCE_NS);
		CHECK_EQ(log.count, 2 * round);
	}
	CHECK_EQ(close_pair(listener[0], sender[0]), 0);
	CHECK_EQ(close_pair(listener[1], sender[1]), 0);
}

/* EVTCHNOP_bind_vcpu: we have vCPU 0 only, so moving a port there must
 * work and change nothing; a vCPU the domain does not have is refused. */
TEST(xen_evtchn, bind_vcpu_0_keeps_events_arriving)
{
	static struct event_log log;    /* static: see EVENT_LOG_LIFETIME */
	evtchn_port_t listener, sender;

	log = (struct event_log){ 0 };
	SKIP_UNLESS_XEN_MAPPED();
	CHECK_EQ(make_logged_pair(&log, &listener, &sender), 0);
	CHECK_XEN(xen_evtchn_bind_vcpu(listener, 0), 0);
	CHECK_EQ(xen_evtchn_send(sender), 0);
	wait_for_count(&log.count, 1, EVENT_PATIENCE_NS);
	CHECK_EQ(log.count, 1);
	CHECK_EQ(log.last_port, listener);
	CHECK_EQ(close_pair(listener, sender), 0);
}

TEST(xen_evtchn, bind_vcpu_refuses_missing_vcpu_and_port)
{
	evtchn_port_t listener, sender;

	SKIP_UNLESS_XEN_MAPPED();
	CHECK_EQ(make_loopback_pair(&listener, &sender), 0);
	CHECK_XEN(xen_evtchn_bind_vcpu(listener, 1), -XEN_ENOENT);    /* vcpus = 1 */
	CHECK_EQ(close_pair(listener, sender), 0);
	CHECK_XEN(xen_evtchn_bind_vcpu(listener, 0), -XEN_EINVAL);    /* closed */
}

static evtchn_port_t many_listeners[MANY_PAIRS], many_senders[MANY_PAIRS];
static volatile unsigned int many_hits[MANY_PAIRS];
static volatile unsigned int many_total;

static void count_hit(evtchn_port_t port, void *arg)
{
	(void)port;
	(*(volatile unsigned int *)arg)++;
	many_total++;
}

/* MANY_PAIRS loop-back pairs, each listener with count_hit(). */
static long bind_many(void)
{
	long rc = 0;

	for (unsigned int i = 0; i < MANY_PAIRS && rc == 0; i++) {
		rc = make_loopback_pair(&many_listeners[i], &many_senders[i]);
		if (rc == 0)
			rc = xen_evtchn_bind_handler(many_listeners[i], count_hit,
						     (void *)&many_hits[i]);
	}
	return rc;
}

/* Every event raised while the upcall is held off arrives once, after. */
TEST(xen_evtchn, many_ports_each_delivered_once)
{
	evtchn_port_t highest = 0;
	unsigned int wrong = 0;
	long rc = 0;

	SKIP_UNLESS_XEN_MAPPED();
	CHECK_XEN(bind_many(), 0);
	many_total = 0;
	bool was_enabled = irq_save();

	for (unsigned int i = 0; i < MANY_PAIRS; i++) {
		many_hits[i] = 0;
		rc = rc ? rc : xen_evtchn_send(many_senders[i]);
		highest = many_listeners[i] > highest ? many_listeners[i] : highest;
	}
	irq_restore(was_enabled);
	CHECK_XEN(rc, 0);
	wait_for_count(&many_total, MANY_PAIRS, EVENT_PATIENCE_NS);
	for (unsigned int i = 0; i < MANY_PAIRS; i++) {
		wrong += many_hits[i] != 1;
		rc = rc ? rc : close_pair(many_listeners[i], many_senders[i]);
	}
	CHECK_EQ(many_total, MANY_PAIRS);
	CHECK_EQ(wrong, 0);
	CHECK_XEN(rc, 0);
	CHECK(highest >= FIFO_PAGE_PORTS);
	CHECK(xen_evtchn_abi_status().ports_ready > highest);
}

/* Xen's own timer: VCPUOP_set_singleshot_timer raises VIRQ_TIMER at an
 * absolute Xen system time, never before it. */
TEST(xen_evtchn, singleshot_timer_raises_virq_timer)
{
	static struct event_log log;    /* static: see EVENT_LOG_LIFETIME */
	evtchn_port_t port;

	log = (struct event_log){ 0 };
	SKIP_UNLESS_XEN_MAPPED();
	if (xen_info()->pv)
		SKIP("under PV, VIRQ_TIMER is the platform timer (the timer tests use it)");
	CHECK_EQ(xen_evtchn_bind_virq(VIRQ_TIMER, 0, &port), 0);
	CHECK_EQ(xen_evtchn_bind_handler(port, record_event, &log), 0);
	uint64_t deadline = xen_clock_read_ns() + TIMER_DELAY_NS;
	struct vcpu_set_singleshot_timer timer = { .timeout_abs_ns = deadline };

	CHECK_EQ(xen_vcpu_op(VCPUOP_set_singleshot_timer, 0, &timer), 0);
	wait_for_count(&log.count, 1, EVENT_PATIENCE_NS);
	CHECK(log.count >= 1);
	CHECK_EQ(log.last_port, port);
	CHECK(log.at_ns >= deadline);
	CHECK_XEN(xen_evtchn_bind_vcpu(port, 0), -XEN_EINVAL);  /* per-vCPU VIRQ: fixed */
	CHECK_EQ(xen_evtchn_close(port), 0);
}
