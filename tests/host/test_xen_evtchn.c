/*
 * test_xen_evtchn.c — the event-channel model of pvkit-hv's Xen mode
 * (host/xen_evtchn.c): the port states, what a send makes pending, the
 * 2-level bits and the upcall, and the errors for ports that are not
 * what the operation needs.
 */
#include <string.h>

#include "host/xen_evtchn.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

static struct xen_events ev;
static unsigned int upcalls, backend_notes;
static evtchn_port_t backend_port;

static void count_upcall(void *opaque)
{
	(void)opaque;
	upcalls++;
}

static void count_backend(void *opaque, int backend, evtchn_port_t port)
{
	(void)opaque;
	CHECK_INT(backend, 7);
	backend_notes++;
	backend_port = port;
}

static void fresh(void)
{
	xen_events_init(&ev);
	ev.raise_upcall = count_upcall;
	ev.notify_backend = count_backend;
	upcalls = backend_notes = 0;
}

static bool pending(evtchn_port_t port)
{
	return xen_events_is_pending(&ev, port);
}

static evtchn_port_t alloc_self(void)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };

	CHECK_INT(xen_events_alloc_unbound(&ev, &op), 0);
	return op.port;
}

/* The guest tests' loop-back pair: send on either end, the other is pending. */
static void loopback_pair(void)
{
	fresh();
	evtchn_port_t a = alloc_self();
	struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF, .remote_port = a };

	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), 0);
	evtchn_port_t b = bind.local_port;

	CHECK(a != 0 && b != 0 && a != b);
	CHECK(pending(b));                      /* Xen marks the new end pending */
	CHECK(!pending(a));
	CHECK_INT(xen_events_send(&ev, b), 0);
	CHECK(pending(a));
	CHECK_INT(upcalls, 1);                  /* one 0 -> 1 of evtchn_upcall_pending */
	CHECK_UINT(ev.shared->vcpu_info[0].evtchn_pending_sel, 1);

	struct evtchn_status st = { .dom = DOMID_SELF, .port = a };

	CHECK_INT(xen_events_status(&ev, &st), 0);
	CHECK_UINT(st.status, EVTCHNSTAT_interdomain);
	CHECK_UINT(st.u.interdomain.port, b);
	CHECK_UINT(st.u.interdomain.dom, XEN_HOST_DOMID);
}

/* Masked: PENDING is set but neither the selector nor the upcall; unmask
 * delivers it. */
static void masked_port_waits_for_unmask(void)
{
	fresh();
	evtchn_port_t a = alloc_self();
	struct evtchn_bind_interdomain bind = { .remote_dom = XEN_HOST_DOMID, .remote_port = a };

	for (unsigned int w = 0; w < 64; w++)
		ev.shared->evtchn_mask[w] = ~(xen_ulong_t)0;
	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), 0);
	CHECK_INT(xen_events_send(&ev, bind.local_port), 0);
	CHECK(pending(a));
	CHECK_INT(upcalls, 0);
	CHECK_UINT(ev.shared->vcpu_info[0].evtchn_upcall_pending, 0);
	CHECK_INT(xen_events_unmask(&ev, a), 0);
	CHECK_INT(upcalls, 1);
	CHECK_UINT(ev.shared->vcpu_info[0].evtchn_upcall_pending, 1);
	/* A second event while the upcall is still pending raises no new one. */
	CHECK_INT(xen_events_unmask(&ev, bind.local_port), 0);
	CHECK_INT(upcalls, 1);
}

/* Closing one end leaves the other unbound; the closed port is refused. */
static void close_unbinds_the_peer(void)
{
	fresh();
	evtchn_port_t a = alloc_self();
	struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF, .remote_port = a };
	struct evtchn_status st = { .dom = DOMID_SELF, .port = a };

	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), 0);
	CHECK_INT(xen_events_close(&ev, bind.local_port), 0);
	CHECK(!pending(bind.local_port));       /* closing clears PENDING */
	CHECK_INT(xen_events_send(&ev, bind.local_port), -XEN_EINVAL);
	CHECK_INT(xen_events_close(&ev, bind.local_port), -XEN_EINVAL);
	CHECK_INT(xen_events_status(&ev, &st), 0);
	CHECK_UINT(st.status, EVTCHNSTAT_unbound);
	CHECK_INT(xen_events_send(&ev, a), 0);  /* unbound: accepted, goes nowhere */
	CHECK_INT(xen_events_close(&ev, a), 0);
	st.port = a;
	CHECK_INT(xen_events_status(&ev, &st), 0);
	CHECK_UINT(st.status, EVTCHNSTAT_closed);
}

static void bind_interdomain_checks_its_peer(void)
{
	fresh();
	struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF, .remote_port = 5 };

	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), -XEN_EINVAL);     /* free port */
	bind.remote_port = XEN_EVTCHN_PORTS + 1;
	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), -XEN_EINVAL);
	bind.remote_port = 0;
	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), -XEN_EINVAL);
	bind.remote_dom = 77;
	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), -XEN_ESRCH);
	/* A port waiting for dom0 cannot be bound by us. */
	struct evtchn_alloc_unbound for_dom0 = { .dom = DOMID_SELF, .remote_dom = 0 };

	CHECK_INT(xen_events_alloc_unbound(&ev, &for_dom0), 0);
	bind = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF,
						  .remote_port = for_dom0.port };
	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), -XEN_EINVAL);
	/* An already joined port cannot be joined again. */
	evtchn_port_t a = alloc_self();

	bind.remote_port = a;
	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), 0);
	CHECK_INT(xen_events_bind_interdomain(&ev, &bind), -XEN_EINVAL);
}

static void alloc_unbound_checks_domains(void)
{
	struct evtchn_alloc_unbound op = { .dom = 5, .remote_dom = DOMID_SELF };

	fresh();
	CHECK_INT(xen_events_alloc_unbound(&ev, &op), -XEN_EPERM);
	op = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = 9 };
	CHECK_INT(xen_events_alloc_unbound(&ev, &op), -XEN_ESRCH);
}

/* Every port can be allocated once, then the table is full. */
static void ports_run_out(void)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };

	fresh();
	for (unsigned int i = 1; i < XEN_EVTCHN_PORTS; i++) {
		CHECK_INT(xen_events_alloc_unbound(&ev, &op), 0);
		CHECK_UINT(op.port, i);
	}
	CHECK_INT(xen_events_alloc_unbound(&ev, &op), -XEN_ENOSPC);
	CHECK_UINT(xen_events_bind_backend(&ev, 0), 0);
}

static void virq_binding(void)
{
	struct evtchn_bind_virq op = { .virq = VIRQ_TIMER, .vcpu = 0 };

	fresh();
	CHECK(!xen_events_raise_virq(&ev, VIRQ_TIMER));
	CHECK_INT(xen_events_bind_virq(&ev, &op), 0);
	CHECK_INT(xen_events_bind_virq(&ev, &op), -XEN_EEXIST);
	CHECK_INT(xen_events_send(&ev, op.port), -XEN_EINVAL);      /* nobody to send to */
	CHECK(xen_events_raise_virq(&ev, VIRQ_TIMER));
	CHECK(pending(op.port));
	op.vcpu = 1;
	CHECK_INT(xen_events_bind_virq(&ev, &op), -XEN_ENOENT);
	op = (struct evtchn_bind_virq){ .virq = NR_VIRQS };
	CHECK_INT(xen_events_bind_virq(&ev, &op), -XEN_EINVAL);
	CHECK(!xen_events_raise_virq(&ev, NR_VIRQS));
}

/* bind_vcpu: Xen's checks in Xen's order; a global VIRQ and interdomain
 * and unbound ports may move, a per-vCPU VIRQ (the timer) may not. */
static void bind_vcpu_checks(void)
{
	struct evtchn_bind_virq timer = { .virq = VIRQ_TIMER };
	struct evtchn_bind_virq dom_exc = { .virq = VIRQ_DOM_EXC };

	fresh();
	evtchn_port_t unbound = alloc_self();

	CHECK_INT(xen_events_bind_virq(&ev, &timer), 0);
	CHECK_INT(xen_events_bind_virq(&ev, &dom_exc), 0);
	CHECK_INT(xen_events_bind_vcpu(&ev, &(struct evtchn_bind_vcpu){ unbound, 0 }), 0);
	CHECK_INT(xen_events_bind_vcpu(&ev, &(struct evtchn_bind_vcpu){ dom_exc.port, 0 }), 0);
	CHECK_INT(xen_events_bind_vcpu(&ev, &(struct evtchn_bind_vcpu){ timer.port, 0 }),
		  -XEN_EINVAL);
	CHECK_INT(xen_events_bind_vcpu(&ev, &(struct evtchn_bind_vcpu){ unbound, 1 }),
		  -XEN_ENOENT);
	CHECK_INT(xen_events_close(&ev, unbound), 0);
	CHECK_INT(xen_events_bind_vcpu(&ev, &(struct evtchn_bind_vcpu){ unbound, 0 }),
		  -XEN_EINVAL);
	CHECK_INT(xen_events_bind_vcpu(&ev, &(struct evtchn_bind_vcpu){ XEN_EVTCHN_PORTS, 0 }),
		  -XEN_EINVAL);
}

/* A backend port is interdomain to dom0; a send calls the backend. */
static void backend_port_calls_the_backend(void)
{
	fresh();
	evtchn_port_t port = xen_events_bind_backend(&ev, 7);
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

	CHECK_INT(xen_events_status(&ev, &st), 0);
	CHECK_UINT(st.status, EVTCHNSTAT_interdomain);
	CHECK_UINT(st.u.interdomain.dom, 0);
	CHECK_INT(xen_events_send(&ev, port), 0);
	CHECK_INT(backend_notes, 1);
	CHECK_UINT(backend_port, port);
	CHECK(!pending(port));
	st.dom = 3;
	CHECK_INT(xen_events_status(&ev, &st), -XEN_ESRCH);
}

/* shared_info keeps its bits when the guest maps it. */
static void shared_info_moves_with_its_bits(void)
{
	static struct shared_info page;

	fresh();
	evtchn_port_t a = alloc_self();

	xen_events_set_pending(&ev, a);
	memset(&page, 0xee, sizeof(page));
	xen_events_move_shared_info(&ev, &page);
	CHECK(ev.shared == &page);
	CHECK(pending(a));
	CHECK_UINT(page.evtchn_mask[0], 0);
	CHECK_UINT(page.vcpu_info[0].evtchn_upcall_pending, 1);
}

void xen_evtchn_tests(void)
{
	check_run("xen_evtchn.loopback_pair", loopback_pair);
	check_run("xen_evtchn.masked_port_waits_for_unmask", masked_port_waits_for_unmask);
	check_run("xen_evtchn.close_unbinds_the_peer", close_unbinds_the_peer);
	check_run("xen_evtchn.bind_interdomain_checks_its_peer", bind_interdomain_checks_its_peer);
	check_run("xen_evtchn.alloc_unbound_checks_domains", alloc_unbound_checks_domains);
	check_run("xen_evtchn.ports_run_out", ports_run_out);
	check_run("xen_evtchn.virq_binding", virq_binding);
	check_run("xen_evtchn.bind_vcpu_checks", bind_vcpu_checks);
	check_run("xen_evtchn.backend_port_calls_the_backend", backend_port_calls_the_backend);
	check_run("xen_evtchn.shared_info_moves_with_its_bits", shared_info_moves_with_its_bits);
}
