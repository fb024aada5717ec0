/*
 * xen_evtchn.c — event channels, 2-level ABI: the hypercalls that make and
 * close ports, the PENDING/MASK bits in shared_info, and the upcall.
 *
 * The 2-level ABI: shared_info has evtchn_pending[64] and evtchn_mask[64],
 * 64-bit words with one bit per port (4096 ports).  When Xen sets a
 * PENDING bit of an unmasked port it also sets the word's bit in this vCPU's
 * vcpu_info.evtchn_pending_sel (level 1) and evtchn_upcall_pending, and —
 * for an HVM/PVH guest that asked with HVM_PARAM_CALLBACK_IRQ (type
 * "vector") — injects that interrupt vector.  The upcall handler clears
 * evtchn_upcall_pending (Xen re-injects the vector as long as it is set),
 * takes the selector, and for each word it names handles the pending,
 * unmasked ports: clear PENDING first, then call the handler, so an event
 * that arrives during the handler is not lost.
 *
 * Waiting without an upcall also works: test-and-clear the bit, or sleep in
 * Xen with SCHEDOP_poll until the port is pending (the console does that,
 * with its port left masked).
 */
#include "kernel/irq.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_evtchn.h"

#define BITS_PER_WORD   (8 * sizeof(xen_ulong_t))
#define PORTS_2L        (BITS_PER_WORD * BITS_PER_WORD)

struct port_handler {
	xen_evtchn_handler_fn *fn;
	void *arg;
};

static struct port_handler handlers[XEN_EVTCHN_HANDLED_PORTS];
static uint8_t upcall_vector;
static uint64_t upcall_count;

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

static struct shared_info *shared(void)
{
	return xen_info()->shared_info;
}

/* Atomic bit operations on shared_info words: Xen may change other bits
 * of the same word from another CPU at any moment, so a plain
 * read-modify-write could lose them. */
static bool atomic_test_and_clear(volatile xen_ulong_t *word, unsigned int bit)
{
	bool was_set;

	__asm__ volatile("lock btrq %2, %1; setc %0"
			 : "=r"(was_set), "+m"(*word)
			 : "r"((uint64_t)bit)
			 : "memory", "cc");
	return was_set;
}

static void atomic_set(volatile xen_ulong_t *word, unsigned int bit)
{
	__asm__ volatile("lock btsq %1, %0" : "+m"(*word) : "r"((uint64_t)bit) : "memory", "cc");
}

static bool test_bit(const volatile xen_ulong_t *words, evtchn_port_t port)
{
	return (words[port / BITS_PER_WORD] >> (port % BITS_PER_WORD)) & 1;
}

bool xen_evtchn_test_and_clear(evtchn_port_t port)
{
	struct shared_info *s = shared();

	if (!s || port >= PORTS_2L)
		return false;
	return atomic_test_and_clear(&s->evtchn_pending[port / BITS_PER_WORD],
				     port % BITS_PER_WORD);
}

bool xen_evtchn_is_pending(evtchn_port_t port)
{
	return shared() && port < PORTS_2L && test_bit(shared()->evtchn_pending, port);
}

bool xen_evtchn_is_masked(evtchn_port_t port)
{
	return shared() && port < PORTS_2L && test_bit(shared()->evtchn_mask, port);
}

void xen_evtchn_mask(evtchn_port_t port)
{
	if (shared() && port < PORTS_2L)
		atomic_set(&shared()->evtchn_mask[port / BITS_PER_WORD], port % BITS_PER_WORD);
}

/* The hypercall, rather than clearing the bit ourselves: Xen then also
 * raises the upcall if the port is pending, which we would otherwise have
 * to arrange by hand. */
long xen_evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask unmask = { .port = port };

	return xen_event_channel_op(EVTCHNOP_unmask, &unmask);
}

long xen_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
	long rc = xen_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	if (rc == 0)
		*port = op.port;
	return rc;
}

long xen_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				 evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = { .remote_dom = remote, .remote_port = remote_port };
	long rc = xen_event_channel_op(EVTCHNOP_bind_interdomain, &op);

	if (rc == 0)
		*port = op.local_port;
	return rc;
}

long xen_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
	long rc = xen_event_channel_op(EVTCHNOP_bind_virq, &op);

	if (rc == 0)
		*port = op.port;
	return rc;
}

/* Mask before closing: Xen may hand the number out again, and the new
 * port must not interrupt us before someone registers a handler for it. */
long xen_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };
	bool was_enabled = irq_save();

	xen_evtchn_mask(port);
	if (port < XEN_EVTCHN_HANDLED_PORTS)
		handlers[port] = (struct port_handler){ 0 };
	irq_restore(was_enabled);
	return xen_event_channel_op(EVTCHNOP_close, &op);
}

/* ---- the upcall ------------------------------------------------------------ */

static void handle_port(evtchn_port_t port)
{
	struct port_handler h = port < XEN_EVTCHN_HANDLED_PORTS ? handlers[port]
								 : (struct port_handler){ 0 };

	if (h.fn)
		h.fn(port, h.arg);
	/* A pending port without a handler is dropped: its bit is clear now. */
}

/* One word of level 2: the ports pending and not masked, lowest first. */
static void handle_word(struct shared_info *s, unsigned int word)
{
	xen_ulong_t ready;

	while ((ready = s->evtchn_pending[word] & ~s->evtchn_mask[word]) != 0) {
		unsigned int bit = __builtin_ctzl(ready);

		if (atomic_test_and_clear(&s->evtchn_pending[word], bit))
			handle_port(word * BITS_PER_WORD + bit);
	}
}

static void upcall(void *arg)
{
	struct shared_info *s = shared();
	volatile struct vcpu_info *vcpu = &s->vcpu_info[0];

	(void)arg;
	upcall_count++;
	do {
		/* Clear first: an event that arrives after this sets it again
		 * and we go round once more instead of missing it. */
		vcpu->evtchn_upcall_pending = 0;
		xen_ulong_t selector = __atomic_exchange_n(&vcpu->evtchn_pending_sel, 0,
							   __ATOMIC_SEQ_CST);

		while (selector) {
			unsigned int word = __builtin_ctzl(selector);

			selector &= selector - 1;
			handle_word(s, word);
		}
	} while (vcpu->evtchn_upcall_pending);
}

/*
 * Once, at the first handler: mask every port (Xen leaves them unmasked;
 * the console's port stays masked, it polls), register the upcall on a
 * free vector and tell Xen to inject that vector (HVM_PARAM_CALLBACK_IRQ,
 * type "vector" in the top byte).  With this global callback the vector
 * does not go through the local APIC's in-service register, so the EOI
 * that the trap code sends after every interrupt finds nothing to end:
 * harmless.
 */
static long setup_upcall(void)
{
	struct shared_info *s = shared();

	if (upcall_vector)
		return 0;
	if (!s)
		return -XEN_ENODEV;
	uint8_t vector = irq_alloc_vector();

	if (!vector)
		return -XEN_ENOSPC;
	for (unsigned int word = 0; word < BITS_PER_WORD; word++)
		s->evtchn_mask[word] = ~(xen_ulong_t)0;
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

long xen_evtchn_bind_handler(evtchn_port_t port, xen_evtchn_handler_fn *handler, void *arg)
{
	long rc;

	if (port >= XEN_EVTCHN_HANDLED_PORTS)
		return -XEN_ENOSPC;
	rc = setup_upcall();
	if (rc != 0)
		return rc;
	bool was_enabled = irq_save();

	handlers[port] = (struct port_handler){ handler, arg };
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
