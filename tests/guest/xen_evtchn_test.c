/*
 * xen_evtchn_test.c — the event-channel tests' shared helpers
 * (xen_evtchn_test.h).
 */
#include "kernel/irq.h"
#include "kernel/platform.h"
#include "pv/xen/xen_clock.h"
#include "tests/guest/xen_evtchn_test.h"

void record_event(evtchn_port_t port, void *arg)
{
	struct event_log *log = arg;

	if (log->count < EVENT_LOG_ORDER)
		log->order[log->count] = port;
	log->last_port = port;
	log->at_ns = xen_clock_read_ns();
	log->count++;
}

static void wake_up(struct timer *timer)
{
	(void)timer;            /* the interrupt itself ends the idle wait */
}

/* A kernel timer at the end makes sure the idle wait wakes up even if no
 * event ever comes. */
void wait_for_count(volatile unsigned int *count, unsigned int want, uint64_t patience_ns)
{
	struct timer alarm = { 0 };
	uint64_t end = time_now_ns() + patience_ns;
	bool was_enabled = irq_save();

	timer_start(&alarm, end, wake_up);
	while (*count < want && time_now_ns() < end)
		platform->idle();
	timer_cancel(&alarm);
	irq_restore(was_enabled);
}

long make_loopback_pair(evtchn_port_t *listener, evtchn_port_t *sender)
{
	long rc = xen_evtchn_alloc_unbound(DOMID_SELF, listener);

	if (rc == 0)
		rc = xen_evtchn_bind_interdomain(DOMID_SELF, *listener, sender);
	return rc;
}

long make_logged_pair(struct event_log *log, evtchn_port_t *listener, evtchn_port_t *sender)
{
	long rc = make_loopback_pair(listener, sender);

	if (rc == 0)
		rc = xen_evtchn_bind_handler(*listener, record_event, log);
	return rc;
}

long close_pair(evtchn_port_t listener, evtchn_port_t sender)
{
	long rc = xen_evtchn_close(sender);
	long rc2 = xen_evtchn_close(listener);

	return rc != 0 ? rc : rc2;
}
