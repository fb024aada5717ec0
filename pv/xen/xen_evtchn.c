/*
 * xen_evtchn.c — event channels, whatever the ABI: the hypercalls that make,
 * bind and close ports, the per-port handlers, the upcall, the evtchn=
 * option and the choice of ABI.  Where a port's PENDING and MASK bits live
 * and how the upcall finds pending ports is the ABI's business
 * (evtchn_abi.h: evtchn_2l.c, evtchn_fifo.c).
 *
 * The ABI is chosen once, at xen_evtchn_init() (the platform's init, after
 * the command line is parsed): FIFO when Xen accepts EVTCHNOP_init_control,
 * else 2-level, unless evtchn=2l or evtchn=fifo says otherwise.  Until then
 * (the console's first lines) the 2-level bits are used, which every Xen
 * starts with.
 *
 * The upcall: Xen sets vcpu_info.evtchn_upcall_pending and — for an
 * HVM/PVH guest that asked with HVM_PARAM_CALLBACK_IRQ (type "vector") —
 * injects that interrupt vector; a PV guest's event callback comes here
 * too.  The handler clears evtchn_upcall_pending (Xen re-injects the vector
 * as long as it is set), lets the ABI find the pending, unmasked ports, and
 * for each clears PENDING first, then calls the handler, so an event that
 * arrives during the handler is not lost.
 *
 * Waiting without an upcall also works: test-and-clear the bit, or sleep in
 * Xen with SCHEDOP_poll until the port is pending (the console does that,
 * with its port left masked).
 */
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "pv/xen/evtchn_abi.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_evtchn.h"

/*
 * Handlers, by port.  FIFO allows 2^17 ports, so the table is in chunks
 * made when a port in them is first bound; chunks never move, so the
 * upcall can read them while another is being added.  The first chunk is
 * static: a PV guest binds its timer before the heap exists.
 */
#define HANDLER_CHUNK_PORTS     256
#define HANDLER_CHUNKS          (EVTCHN_FIFO_NR_CHANNELS / HANDLER_CHUNK_PORTS)

struct port_handler {
	xen_evtchn_handler_fn *fn;
	void *arg;
};

static struct port_handler first_chunk[HANDLER_CHUNK_PORTS];
static struct port_handler *handler_chunks[HANDLER_CHUNKS] = { first_chunk };

static const struct evtchn_abi *abi = &evtchn_2l_abi;
static enum { CHOOSE_AUTO, CHOOSE_2L, CHOOSE_FIFO } choice;
static const char *const choice_names[] = { "auto", "2l", "fifo" };
static bool fifo_tried;
static long fifo_rc;                    /* EVTCHNOP_init_control's answer */
static uint8_t upcall_vector;
static uint64_t upcall_count;

static bool set_evtchn(const char *value)
{
	int i = cmdline_choice(value, choice_names, sizeof(choice_names) / sizeof(choice_names[0]));

	if (i >= 0)
		choice = i;
	return i >= 0;
}
CMDLINE_OPTION(evtchn, "evtchn", set_evtchn,
	       "Xen event-channel ABI: evtchn=auto (FIFO when Xen offers it, the default), 2l or fifo");

void xen_evtchn_init(void)
{
	if (!xen_info()->shared_info)
		return;
	if (choice != CHOOSE_2L) {
		fifo_tried = true;
		fifo_rc = evtchn_fifo_init();
		if (fifo_rc == 0) {
			abi = &evtchn_fifo_abi;
			return;
		}
	}
	evtchn_2l_mask_all();
}

long xen_hvm_get_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param param = { .domid = DOMID_SELF, .index = index };
	long rc = xen_hvm_op(HVMOP_get_param, &param);

	if (rc == 0)
		*value = param.value;
	return rc;
}

long xen_evtchn_send(evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	return xen_event_channel_op(EVTCHNOP_send, &send);
}

long evtchn_unmask_by_xen(evtchn_port_t port)
{
	struct evtchn_unmask op = { .port = port };

	return xen_event_channel_op(EVTCHNOP_unmask, &op);
}

bool xen_evtchn_test_and_clear(evtchn_port_t port)
{
	return abi->test_and_clear_pending(port);
}

bool xen_evtchn_is_pending(evtchn_port_t port)
{
	return abi->is_pending(port);
}

bool xen_evtchn_is_masked(evtchn_port_t port)
{
	return abi->is_masked(port);
}

void xen_evtchn_mask(evtchn_port_t port)
{
	abi->mask(port);
}

long xen_evtchn_unmask(evtchn_port_t port)
{
	return abi->unmask(port);
}

/* A port Xen just gave us: make its bits exist (FIFO may need another
 * event-array page), or close it again and say why. */
static long new_port(long rc, evtchn_port_t port)
{
	if (rc != 0)
		return rc;
	rc = abi->setup_port(port);
	if (rc != 0) {
		struct evtchn_close op = { .port = port };

		xen_event_channel_op(EVTCHNOP_close, &op);
	}
	return rc;
}

long xen_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
	long rc = new_port(xen_event_channel_op(EVTCHNOP_alloc_unbound, &op), op.port);

	if (rc == 0)
		*port = op.port;
	return rc;
}

long xen_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				 evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = { .remote_dom = remote, .remote_port = remote_port };
	long rc = new_port(xen_event_channel_op(EVTCHNOP_bind_interdomain, &op), op.local_port);

	if (rc == 0)
		*port = op.local_port;
	return rc;
}

long xen_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
	long rc = new_port(xen_event_channel_op(EVTCHNOP_bind_virq, &op), op.port);

	if (rc == 0)
		*port = op.port;
	return rc;
}

long xen_evtchn_bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
	struct evtchn_bind_vcpu op = { .port = port, .vcpu = vcpu };

	return xen_event_channel_op(EVTCHNOP_bind_vcpu, &op);
}

long xen_evtchn_set_priority(evtchn_port_t port, uint32_t priority)
{
	struct evtchn_set_priority op = { .port = port, .priority = priority };

	return xen_event_channel_op(EVTCHNOP_set_priority, &op);
}

/* NULL when the port's chunk was never made (no handler ever bound). */
static struct port_handler *handler_slot(evtchn_port_t port)
{
	struct port_handler *chunk;

	if (port >= abi->max_ports())
		return NULL;
	chunk = handler_chunks[port / HANDLER_CHUNK_PORTS];
	return chunk ? &chunk[port % HANDLER_CHUNK_PORTS] : NULL;
}

/* Mask before closing: Xen may hand the number out again, and the new
 * port must not interrupt us before someone registers a handler for it. */
long xen_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };
	struct port_handler *slot = handler_slot(port);
	bool was_enabled = irq_save();

	xen_evtchn_mask(port);
	if (slot)
		*slot = (struct port_handler){ 0 };
	irq_restore(was_enabled);
	return xen_event_channel_op(EVTCHNOP_close, &op);
}

/* ---- the upcall ------------------------------------------------------------ */

/* Called by the ABI's scan for a pending, unmasked port.  A pending port
 * without a handler is dropped: its bit is clear now. */
static void deliver(evtchn_port_t port)
{
	struct port_handler *slot = handler_slot(port);

	if (!abi->test_and_clear_pending(port) || !slot)
		return;
	struct port_handler h = *slot;

	if (h.fn)
		h.fn(port, h.arg);
}

static void upcall(void *arg)
{
	volatile struct vcpu_info *vcpu = &xen_info()->shared_info->vcpu_info[0];

	(void)arg;
	upcall_count++;
	do {
		/* Clear first: an event that arrives after this sets it again
		 * and we go round once more instead of missing it. */
		vcpu->evtchn_upcall_pending = 0;
		abi->handle_events(deliver);
	} while (vcpu->evtchn_upcall_pending);
}

/*
 * Once, at the first handler: register the upcall on a free vector and
 * tell Xen to inject that vector (HVM_PARAM_CALLBACK_IRQ, type "vector"
 * in the top byte).  With this global callback the vector does not go
 * through the local APIC's in-service register, so the EOI that the trap
 * code sends after every interrupt finds nothing to end: harmless.
 */
static long setup_upcall(void)
{
	struct shared_info *s = xen_info()->shared_info;

	if (upcall_vector)
		return 0;
	if (!s)
		return -XEN_ENODEV;
	uint8_t vector = irq_alloc_vector();

	if (!vector)
		return -XEN_ENOSPC;
	/* A PV guest has no vector: Xen calls its event callback, which
	 * calls xen_evtchn_upcall(), and the upcall mask is its interrupt
	 * flag, which the platform owns (pv/xen/xen_pv_platform.c).  The
	 * vector stays allocated only as the sign that the upcall is set. */
	if (xen_info()->pv) {
		upcall_vector = vector;
		return 0;
	}
	s->vcpu_info[0].evtchn_upcall_mask = 0;
	irq_register(vector, upcall, NULL);

	struct xen_hvm_param param = {
		.domid = DOMID_SELF,
		.index = HVM_PARAM_CALLBACK_IRQ,
		.value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | vector,
	};
	long rc = xen_hvm_op(HVMOP_set_param, &param);

	if (rc != 0) {
		irq_unregister(vector);
		return rc;
	}
	upcall_vector = vector;
	return 0;
}

/* The port's slot, making its chunk if needed (not from interrupts). */
static long make_handler_slot(evtchn_port_t port, struct port_handler **slot)
{
	if (port >= abi->max_ports())
		return -XEN_EINVAL;
	struct port_handler **chunk = &handler_chunks[port / HANDLER_CHUNK_PORTS];

	if (!*chunk)
		*chunk = kzalloc(HANDLER_CHUNK_PORTS * sizeof(struct port_handler));
	if (!*chunk)
		return -XEN_ENOMEM;
	*slot = &(*chunk)[port % HANDLER_CHUNK_PORTS];
	return 0;
}

long xen_evtchn_bind_handler(evtchn_port_t port, xen_evtchn_handler_fn *handler, void *arg)
{
	struct port_handler *slot;
	long rc = make_handler_slot(port, &slot);

	if (rc == 0)
		rc = abi->setup_port(port);
	if (rc == 0)
		rc = setup_upcall();
	if (rc != 0)
		return rc;
	bool was_enabled = irq_save();

	*slot = (struct port_handler){ handler, arg };
	irq_restore(was_enabled);
	return xen_evtchn_unmask(port);
}

void xen_evtchn_upcall(void)
{
	upcall(NULL);
}

uint8_t xen_evtchn_upcall_vector(void)
{
	return upcall_vector;
}

uint64_t xen_evtchn_upcall_count(void)
{
	return upcall_count;
}

long xen_evtchn_poll(evtchn_port_t port, uint64_t timeout_ns)
{
	evtchn_port_t ports[1] = { port };
	struct sched_poll poll = { .nr_ports = 1, .timeout = timeout_ns };

	set_xen_guest_handle(poll.ports, ports);
	return xen_sched_op(SCHEDOP_poll, &poll);
}

struct xen_evtchn_abi_status xen_evtchn_abi_status(void)
{
	return (struct xen_evtchn_abi_status){
		.name = abi->name,
		.fifo = abi == &evtchn_fifo_abi,
		.requested = choice_names[choice],
		.fifo_tried = fifo_tried,
		.fifo_rc = fifo_rc,
		.ports_ready = abi->ports_ready(),
		.max_ports = abi->max_ports(),
		.bad_links = evtchn_fifo_bad_links(),
	};
}

/* "xen: event channels FIFO (...), evtchn=auto": which ABI, and why. */
void xen_evtchn_report(void)
{
	struct xen_evtchn_abi_status st = xen_evtchn_abi_status();

	if (!xen_info()->shared_info)
		return;
	printk("xen: event channels %s", st.name);
	if (st.fifo)
		printk(" (EVTCHNOP_init_control; %u of %u ports in event-array pages)",
		       st.ports_ready, st.max_ports);
	else if (st.fifo_tried)
		printk(" (FIFO refused: EVTCHNOP_init_control said -%s)", xen_error_name(st.fifo_rc));
	else
		printk(" (%u ports in shared_info)", st.max_ports);
	printk(", evtchn=%s\n", st.requested);
}
