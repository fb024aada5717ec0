/*
 * test_xen_evtchn.c — event channels on real Xen: a loop-back pair of our
 * own ports (alloc_unbound + bind_interdomain with DOMID_SELF), delivery by
 * upcall, masking, and VIRQ_TIMER driven by the single-shot timer hypercall.
 * Skipped when not on Xen.
 */
#include "arch/x86/hypervisor.h"
#include "kernel/irq.h"
#include "kernel/test.h"
#include "kernel/timer.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_clock.h"
#include "pv/xen/xen_evtchn.h"
#include "tests/guest/xen_test.h"


#define EVENT_PATIENCE_NS       (2 * NSEC_PER_SEC)
#define QUIET_NS                (20 * NSEC_PER_MSEC)
#define TIMER_DELAY_NS          (5 * NSEC_PER_MSEC)

struct event_log {
	volatile unsigned int count;
	volatile evtchn_port_t last_port;
	volatile uint64_t at_ns;        /* Xen system time of the last event */
};

static void record_event(evtchn_port_t port, void *arg)
{
	struct event_log *log = arg;

	log->last_port = port;
	log->at_ns = xen_clock_read_ns();
	log->count++;
}

static void wake_up(struct timer *timer)
{
	(void)timer;            /* the interrupt itself ends the idle wait */
}

/* Wait with interrupts on (the upcall is an interrupt) until the log has
 * `count` events or `patience_ns` passed.  A kernel timer at the end makes
 * sure the idle wait wakes up even if no event ever comes. */
static void wait_for_events(struct event_log *log, unsigned int count, uint64_t patience_ns)
{
	struct timer alarm = { 0 };
	uint64_t end = time_now_ns() + patience_ns;
	bool was_enabled = irq_save();

	timer_start(&alarm, end, wake_up);
	while (log->count < count && time_now_ns() < end)
		platform->idle();
	timer_cancel(&alarm);
	irq_restore(was_enabled);
}

/* Two of our own ports joined to each other: sending on one makes the
 * other pending. */
static long make_loopback_pair(evtchn_port_t *listener, evtchn_port_t *sender)
{
	long rc = xen_evtchn_alloc_unbound(DOMID_SELF, listener);

	if (rc == 0)
		rc = xen_evtchn_bind_interdomain(DOMID_SELF, *listener, sender);
	return rc;
}

TEST(xen_evtchn, loopback_event_arrives_by_upcall)
{
	struct event_log log = { 0 };
	evtchn_port_t listener, sender;

	SKIP_UNLESS_XEN_MAPPED();     /* events need shared_info */
	CHECK_EQ(make_loopback_pair(&listener, &sender), 0);
	CHECK(listener != sender);
	CHECK_EQ(xen_evtchn_bind_handler(listener, record_event, &log), 0);
	CHECK(xen_evtchn_upcall_vector() != 0);
	uint64_t upcalls = xen_evtchn_upcall_count();

	CHECK_EQ(xen_evtchn_send(sender), 0);
	wait_for_events(&log, 1, EVENT_PATIENCE_NS);
	CHECK_EQ(log.count, 1);
	CHECK_EQ(log.last_port, listener);
	CHECK(xen_evtchn_upcall_count() > upcalls);
	CHECK(!xen_evtchn_is_pending(listener));       /* cleared before the handler */
	CHECK_EQ(xen_evtchn_close(sender), 0);
	CHECK_EQ(xen_evtchn_close(listener), 0);
}

TEST(xen_evtchn, masked_event_waits_for_unmask)
{
	struct event_log log = { 0 };
	evtchn_port_t listener, sender;

	SKIP_UNLESS_XEN_MAPPED();
	CHECK_EQ(make_loopback_pair(&listener, &sender), 0);
	CHECK_EQ(xen_evtchn_bind_handler(listener, record_event, &log), 0);
	xen_evtchn_mask(listener);
	CHECK(xen_evtchn_is_masked(listener));
	CHECK_EQ(xen_evtchn_send(sender), 0);
	wait_for_events(&log, 1, QUIET_NS);
	CHECK_EQ(log.count, 0);                         /* masked: no upcall... */
	CHECK(xen_evtchn_is_pending(listener));         /* ...but it is pending */
	CHECK_EQ(xen_evtchn_unmask(listener), 0);
	wait_for_events(&log, 1, EVENT_PATIENCE_NS);
	CHECK_EQ(log.count, 1);
	CHECK(!xen_evtchn_is_masked(listener));
	CHECK_EQ(xen_evtchn_close(sender), 0);
	CHECK_EQ(xen_evtchn_close(listener), 0);
}

TEST(xen_evtchn, closed_port_refuses_send)
{
	evtchn_port_t listener, sender;

	SKIP_UNLESS_XEN_MAPPED();
	CHECK_EQ(make_loopback_pair(&listener, &sender), 0);
	CHECK_EQ(xen_evtchn_close(sender), 0);
	CHECK_EQ(xen_evtchn_send(sender), -XEN_EINVAL);
	CHECK_EQ(xen_evtchn_close(listener), 0);
	CHECK_EQ(xen_evtchn_close(listener), -XEN_EINVAL);
}

/* Xen's own timer: VCPUOP_set_singleshot_timer raises VIRQ_TIMER at an
 * absolute Xen system time, never before it. */
TEST(xen_evtchn, singleshot_timer_raises_virq_timer)
{
	struct event_log log = { 0 };
	evtchn_port_t port;

	SKIP_UNLESS_XEN_MAPPED();
	if (xen_info()->pv)
		SKIP("under PV, VIRQ_TIMER is the platform timer (the timer tests use it)");
	CHECK_EQ(xen_evtchn_bind_virq(VIRQ_TIMER, 0, &port), 0);
	CHECK_EQ(xen_evtchn_bind_handler(port, record_event, &log), 0);
	uint64_t deadline = xen_clock_read_ns() + TIMER_DELAY_NS;
	struct vcpu_set_singleshot_timer timer = { .timeout_abs_ns = deadline };

	CHECK_EQ(xen_vcpu_op(VCPUOP_set_singleshot_timer, 0, &timer), 0);
	wait_for_events(&log, 1, EVENT_PATIENCE_NS);
	CHECK(log.count >= 1);
	CHECK_EQ(log.last_port, port);
	CHECK(log.at_ns >= deadline);
	CHECK_EQ(xen_evtchn_close(port), 0);
}
