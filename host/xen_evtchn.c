/*
 * xen_evtchn.c — the event-channel model of pvkit-hv's Xen mode (see
 * host/xen_evtchn.h; Xen's own is xen/common/event_channel.c and
 * event_2l.c).
 */
#include <string.h>

#include "host/trace.h"
#include "host/xen_evtchn.h"

#define BITS_PER_WORD   (8 * sizeof(xen_ulong_t))

_Static_assert(XEN_EVTCHN_PORTS <= BITS_PER_WORD * BITS_PER_WORD,
	       "the 2-level ABI has 4096 ports at most");

void xen_events_init(struct xen_events *ev)
{
	memset(&ev->backing, 0, sizeof(ev->backing));
	/* As Xen does for a new vCPU; an HVM/PVH guest with a callback
	 * vector is not gated by it, a PV guest clears it. */
	ev->backing.vcpu_info[0].evtchn_upcall_mask = 1;
	ev->shared = &ev->backing;
	for (unsigned int p = 0; p < XEN_EVTCHN_PORTS; p++)
		ev->ports[p] = (struct xen_port){ .state = XEN_PORT_FREE, .backend = -1 };
	memset(ev->virq_port, 0, sizeof(ev->virq_port));
	ev->sent = ev->upcalls = 0;
}

void xen_events_move_shared_info(struct xen_events *ev, struct shared_info *page)
{
	if (page != ev->shared)
		memmove(page, ev->shared, sizeof(*page));
	ev->shared = page;
}

static struct xen_port *valid_port(struct xen_events *ev, evtchn_port_t port)
{
	return port > 0 && port < XEN_EVTCHN_PORTS ? &ev->ports[port] : NULL;
}

static struct xen_port *bound_port(struct xen_events *ev, evtchn_port_t port)
{
	struct xen_port *p = valid_port(ev, port);

	return p && p->state != XEN_PORT_FREE ? p : NULL;
}

/* The VIRQs Xen keeps per vCPU (xen/include/xen/event.h virq_is_global):
 * the rest are global and can be moved between vCPUs. */
static bool virq_is_per_vcpu(uint32_t virq)
{
	return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
	       virq == VIRQ_XENPMU;
}

/* The lowest free port, or 0. */
static evtchn_port_t free_port(struct xen_events *ev)
{
	for (evtchn_port_t port = 1; port < XEN_EVTCHN_PORTS; port++)
		if (ev->ports[port].state == XEN_PORT_FREE)
			return port;
	return 0;
}

static bool test_bit(const xen_ulong_t *words, unsigned int bit)
{
	return (words[bit / BITS_PER_WORD] >> (bit % BITS_PER_WORD)) & 1;
}

/* Sets the bit; returns whether it was set already. */
static bool test_and_set_bit(xen_ulong_t *words, unsigned int bit)
{
	xen_ulong_t mask = (xen_ulong_t)1 << (bit % BITS_PER_WORD);
	bool was = words[bit / BITS_PER_WORD] & mask;

	words[bit / BITS_PER_WORD] |= mask;
	return was;
}

static void clear_bit(xen_ulong_t *words, unsigned int bit)
{
	words[bit / BITS_PER_WORD] &= ~((xen_ulong_t)1 << (bit % BITS_PER_WORD));
}

/* Level 1 and the upcall flag: what Xen does after a port of an unmasked
 * word became pending (evtchn_2l_set_pending, vcpu_mark_events_pending). */
static void mark_word_pending(struct xen_events *ev, unsigned int word)
{
	struct vcpu_info *vcpu = &ev->shared->vcpu_info[0];
	xen_ulong_t sel = vcpu->evtchn_pending_sel;

	vcpu->evtchn_pending_sel = sel | ((xen_ulong_t)1 << word);
	if (sel & ((xen_ulong_t)1 << word))
		return;
	if (vcpu->evtchn_upcall_pending)
		return;
	vcpu->evtchn_upcall_pending = 1;
	ev->upcalls++;
	if (ev->raise_upcall)
		ev->raise_upcall(ev->opaque);
}

void xen_events_set_pending(struct xen_events *ev, evtchn_port_t port)
{
	struct shared_info *s = ev->shared;

	if (!valid_port(ev, port) || test_and_set_bit(s->evtchn_pending, port))
		return;
	bool masked = test_bit(s->evtchn_mask, port);

	TRACE("xen event: port %u pending%s", port, masked ? " (masked: no upcall)" : "");
	if (!masked)
		mark_word_pending(ev, port / BITS_PER_WORD);
}

bool xen_events_is_pending(const struct xen_events *ev, evtchn_port_t port)
{
	return port > 0 && port < XEN_EVTCHN_PORTS && test_bit(ev->shared->evtchn_pending, port);
}

evtchn_port_t xen_events_bind_backend(struct xen_events *ev, int backend)
{
	evtchn_port_t port = free_port(ev);

	if (port)
		ev->ports[port] = (struct xen_port){
			.state = XEN_PORT_INTERDOMAIN, .remote_dom = XEN_HOST_DOM0,
			.remote_port = port, .backend = backend,
		};
	return port;
}

/* The port, if it is interdomain-bound to `backend`. */
static struct xen_port *backend_port(struct xen_events *ev, evtchn_port_t port, int backend)
{
	struct xen_port *p = valid_port(ev, port);

	return p && p->state == XEN_PORT_INTERDOMAIN && p->backend == backend ? p : NULL;
}

long xen_events_bind_to_backend(struct xen_events *ev, evtchn_port_t port, int backend)
{
	struct xen_port *p = valid_port(ev, port);

	if (!p || p->state != XEN_PORT_UNBOUND || p->remote_dom != XEN_HOST_DOM0)
		return -XEN_EINVAL;
	p->state = XEN_PORT_INTERDOMAIN;
	p->remote_port = port;
	p->backend = backend;
	return 0;
}

void xen_events_unbind_backend(struct xen_events *ev, evtchn_port_t port, int backend)
{
	struct xen_port *p = backend_port(ev, port, backend);

	if (p)
		*p = (struct xen_port){ .state = XEN_PORT_UNBOUND, .remote_dom = XEN_HOST_DOM0,
					 .backend = -1 };
}

bool xen_events_notify_frontend(struct xen_events *ev, evtchn_port_t port, int backend)
{
	if (!backend_port(ev, port, backend))
		return false;
	xen_events_set_pending(ev, port);
	return true;
}

long xen_events_alloc_unbound(struct xen_events *ev, struct evtchn_alloc_unbound *op)
{
	if (!xen_is_self(op->dom))
		return -XEN_EPERM;      /* only a privileged domain makes others' ports */
	if (!xen_is_self(op->remote_dom) && op->remote_dom != XEN_HOST_DOM0)
		return -XEN_ESRCH;      /* no such domain */
	evtchn_port_t port = free_port(ev);

	if (!port)
		return -XEN_ENOSPC;
	ev->ports[port] = (struct xen_port){
		.state = XEN_PORT_UNBOUND, .backend = -1,
		.remote_dom = xen_is_self(op->remote_dom) ? XEN_HOST_DOMID : XEN_HOST_DOM0,
	};
	op->port = port;
	return 0;
}

/* Only our own unbound ports can be bound to: dom0's side of every channel
 * pvkit-hv offers is bound already (the console). */
long xen_events_bind_interdomain(struct xen_events *ev, struct evtchn_bind_interdomain *op)
{
	if (!xen_is_self(op->remote_dom))
		return op->remote_dom == XEN_HOST_DOM0 ? -XEN_EINVAL : -XEN_ESRCH;
	struct xen_port *remote = valid_port(ev, op->remote_port);

	if (!remote || remote->state != XEN_PORT_UNBOUND || remote->remote_dom != XEN_HOST_DOMID)
		return -XEN_EINVAL;
	evtchn_port_t local = free_port(ev);

	if (!local)
		return -XEN_ENOSPC;
	ev->ports[local] = (struct xen_port){
		.state = XEN_PORT_INTERDOMAIN, .remote_dom = XEN_HOST_DOMID,
		.remote_port = op->remote_port, .backend = -1,
	};
	remote->state = XEN_PORT_INTERDOMAIN;
	remote->remote_port = local;
	op->local_port = local;
	/* As Xen does: the new local port starts pending, so nothing sent
	 * before the bind is lost. */
	xen_events_set_pending(ev, local);
	return 0;
}

long xen_events_bind_virq(struct xen_events *ev, struct evtchn_bind_virq *op)
{
	if (op->virq >= NR_VIRQS)
		return -XEN_EINVAL;
	if (op->vcpu != 0)
		return -XEN_ENOENT;     /* we have one vCPU */
	if (ev->virq_port[op->virq])
		return -XEN_EEXIST;
	evtchn_port_t port = free_port(ev);

	if (!port)
		return -XEN_ENOSPC;
	ev->ports[port] = (struct xen_port){ .state = XEN_PORT_VIRQ, .virq = op->virq,
					      .backend = -1 };
	ev->virq_port[op->virq] = port;
	op->port = port;
	return 0;
}

/* Which vCPU a port's events go to.  We have one vCPU, so binding to it
 * changes nothing; what is checked is what Xen checks, in its order: the
 * vCPU exists (ENOENT), the port is bound (EINVAL), and it is not a
 * per-vCPU VIRQ such as VIRQ_TIMER, which stays with the vCPU that bound it
 * (EINVAL). */
long xen_events_bind_vcpu(struct xen_events *ev, const struct evtchn_bind_vcpu *op)
{
	if (op->vcpu != 0)
		return -XEN_ENOENT;
	const struct xen_port *p = bound_port(ev, op->port);

	if (!p || (p->state == XEN_PORT_VIRQ && virq_is_per_vcpu(p->virq)))
		return -XEN_EINVAL;
	return 0;
}

bool xen_events_raise_virq(struct xen_events *ev, uint32_t virq)
{
	if (virq >= NR_VIRQS || !ev->virq_port[virq])
		return false;
	xen_events_set_pending(ev, ev->virq_port[virq]);
	return true;
}

long xen_events_send(struct xen_events *ev, evtchn_port_t port)
{
	struct xen_port *p = bound_port(ev, port);

	if (!p || p->state == XEN_PORT_VIRQ)
		return -XEN_EINVAL;
	ev->sent++;
	if (p->state == XEN_PORT_UNBOUND)
		return 0;               /* nobody listens yet: dropped, as Xen does */
	if (p->backend >= 0) {
		if (ev->notify_backend)
			ev->notify_backend(ev->opaque, p->backend, port);
		return 0;
	}
	xen_events_set_pending(ev, p->remote_port);
	return 0;
}

long xen_events_close(struct xen_events *ev, evtchn_port_t port)
{
	struct xen_port *p = bound_port(ev, port);

	if (!p)
		return -XEN_EINVAL;
	if (p->state == XEN_PORT_INTERDOMAIN && p->backend < 0) {
		/* The peer is ours too: it waits for a new partner. */
		struct xen_port *peer = &ev->ports[p->remote_port];

		peer->state = XEN_PORT_UNBOUND;
		peer->remote_dom = XEN_HOST_DOMID;
		peer->remote_port = 0;
	}
	if (p->state == XEN_PORT_VIRQ)
		ev->virq_port[p->virq] = 0;
	*p = (struct xen_port){ .state = XEN_PORT_FREE, .backend = -1 };
	clear_bit(ev->shared->evtchn_pending, port);
	return 0;
}

long xen_events_status(struct xen_events *ev, struct evtchn_status *op)
{
	if (!xen_is_self(op->dom))
		return -XEN_ESRCH;
	struct xen_port *p = valid_port(ev, op->port);

	if (!p)
		return -XEN_EINVAL;
	op->vcpu = 0;
	memset(&op->u, 0, sizeof(op->u));
	switch (p->state) {
	case XEN_PORT_FREE:
		op->status = EVTCHNSTAT_closed;
		break;
	case XEN_PORT_UNBOUND:
		op->status = EVTCHNSTAT_unbound;
		op->u.unbound.dom = p->remote_dom;
		break;
	case XEN_PORT_INTERDOMAIN:
		op->status = EVTCHNSTAT_interdomain;
		op->u.interdomain.dom = p->remote_dom;
		op->u.interdomain.port = p->remote_port;
		break;
	case XEN_PORT_VIRQ:
		op->status = EVTCHNSTAT_virq;
		op->u.virq = p->virq;
		break;
	}
	return 0;
}

/* Clear MASK; if the port was pending meanwhile, deliver it now. */
long xen_events_unmask(struct xen_events *ev, evtchn_port_t port)
{
	struct shared_info *s = ev->shared;

	if (!valid_port(ev, port))
		return -XEN_EINVAL;
	clear_bit(s->evtchn_mask, port);
	if (test_bit(s->evtchn_pending, port))
		mark_word_pending(ev, port / BITS_PER_WORD);
	return 0;
}

const char *xen_port_state_name(enum xen_port_state state)
{
	switch (state) {
	case XEN_PORT_FREE:
		return "free";
	case XEN_PORT_UNBOUND:
		return "unbound";
	case XEN_PORT_INTERDOMAIN:
		return "interdomain";
	case XEN_PORT_VIRQ:
		return "virq";
	}
	return "?";
}
