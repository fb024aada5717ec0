/*
 * evtchn_2l.c — the 2-level event-channel ABI: every port's bits in two
 * bitmaps of shared_info, and a per-vCPU selector saying which words to scan.
 *
 * shared_info has evtchn_pending[64] and evtchn_mask[64], 64-bit words with
 * one bit per port (4096 ports).  When Xen sets a PENDING bit of an
 * unmasked port it also sets the word's bit in this vCPU's
 * vcpu_info.evtchn_pending_sel (level 1) and evtchn_upcall_pending, and
 * raises the upcall.  The scan takes the selector and, for each word it
 * names, delivers the pending, unmasked ports, lowest first.  It is the ABI
 * every Xen has; it needs no setup but masking the ports Xen left unmasked.
 */
#include "pv/xen/evtchn_abi.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"

#define BITS_PER_WORD   (8 * sizeof(xen_ulong_t))

static struct shared_info *shared(void)
{
	return xen_info()->shared_info;
}

static xen_ulong_t bit_of(evtchn_port_t port)
{
	return (xen_ulong_t)1 << (port % BITS_PER_WORD);
}

static unsigned int max_ports(void)
{
	return EVTCHN_2L_NR_CHANNELS;
}

/* Every port has its bits in shared_info from the start. */
static long setup_port(evtchn_port_t port)
{
	return port < EVTCHN_2L_NR_CHANNELS ? 0 : -XEN_EINVAL;
}

static bool test_bit(const volatile xen_ulong_t *words, evtchn_port_t port)
{
	return shared() && port < EVTCHN_2L_NR_CHANNELS &&
	       (words[port / BITS_PER_WORD] & bit_of(port));
}

static bool is_pending(evtchn_port_t port)
{
	return shared() && test_bit(shared()->evtchn_pending, port);
}

static bool is_masked(evtchn_port_t port)
{
	return shared() && test_bit(shared()->evtchn_mask, port);
}

/* Locked: Xen may set other bits of the same word from another CPU. */
static bool test_and_clear_pending(evtchn_port_t port)
{
	if (!shared() || port >= EVTCHN_2L_NR_CHANNELS)
		return false;
	return __atomic_fetch_and(&shared()->evtchn_pending[port / BITS_PER_WORD],
				  ~bit_of(port), __ATOMIC_SEQ_CST) & bit_of(port);
}

static void mask(evtchn_port_t port)
{
	if (shared() && port < EVTCHN_2L_NR_CHANNELS)
		__atomic_fetch_or(&shared()->evtchn_mask[port / BITS_PER_WORD], bit_of(port),
				  __ATOMIC_SEQ_CST);
}

void evtchn_2l_mask_all(void)
{
	struct shared_info *s = shared();

	for (unsigned int word = 0; s && word < BITS_PER_WORD; word++)
		__atomic_store_n(&s->evtchn_mask[word], ~(xen_ulong_t)0, __ATOMIC_SEQ_CST);
}

/* One word of level 2: the ports pending and not masked, lowest first.
 * deliver() clears each PENDING bit, so the loop moves on. */
static void handle_word(struct shared_info *s, unsigned int word, evtchn_deliver_fn *deliver)
{
	xen_ulong_t ready;

	while ((ready = s->evtchn_pending[word] & ~s->evtchn_mask[word]) != 0)
		deliver(word * BITS_PER_WORD + __builtin_ctzl(ready));
}

static void handle_events(evtchn_deliver_fn *deliver)
{
	struct shared_info *s = shared();
	xen_ulong_t selector = __atomic_exchange_n(&s->vcpu_info[0].evtchn_pending_sel, 0,
						   __ATOMIC_SEQ_CST);

	while (selector) {
		unsigned int word = __builtin_ctzl(selector);

		selector &= selector - 1;
		handle_word(s, word, deliver);
	}
}

const struct evtchn_abi evtchn_2l_abi = {
	.name = "2-level",
	.max_ports = max_ports,
	.ports_ready = max_ports,
	.setup_port = setup_port,
	.is_pending = is_pending,
	.is_masked = is_masked,
	.test_and_clear_pending = test_and_clear_pending,
	.mask = mask,
	.unmask = evtchn_unmask_by_xen,   /* Xen raises the upcall if pending */
	.handle_events = handle_events,
};
