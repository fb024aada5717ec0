/*
 * evtchn_fifo.c — the FIFO event-channel ABI (Xen 4.4 and later; the
 * design is David Vrabel's "FIFO-based event channel ABI", the structures
 * are in xen/event_channel.h).
 *
 * Each port has a 32-bit *event word* in an array of pages the guest gives
 * Xen (EVTCHNOP_expand_array, one page = 1024 ports, up to 2^17 ports):
 *
 *   bit 31 PENDING  bit 30 MASKED  bit 29 LINKED  bit 28 BUSY  bits 0-16 LINK
 *
 * Each vCPU has a *control block* (EVTCHNOP_init_control) with a READY
 * word and the HEAD port of 16 queues, one per priority (0 is the highest,
 * 7 the default).  When Xen makes an unmasked port pending it links the
 * event at the tail of its queue: the old tail's LINK gets the port, or,
 * when the queue was empty, HEAD gets it and READY gets the queue's bit —
 * and then the upcall is raised as under 2-level.  So events of one
 * priority come out in the order they were raised, and a higher priority
 * always first: that is what the 2-level bitmap scan (lowest port first)
 * cannot do.
 *
 * The guest consumes the queues from their heads (evtchn_fifo_queue.c).
 * This file sets them up, adds event-array pages and does the per-port
 * operations.  Xen sets BUSY on the tail word while it links a new event
 * behind it; the guest must not clear MASKED while BUSY is set, which is
 * why unmask uses a compare-exchange that only succeeds with BUSY clear.
 */
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "pv/xen/evtchn_abi.h"
#include "pv/xen/evtchn_fifo_queue.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_pv.h"

#define WORDS_PER_PAGE          EVTCHN_FIFO_WORDS_PER_PAGE
#define MAX_ARRAY_PAGES         (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)
#define PENDING                 EVTCHN_FIFO_PENDING_BIT
#define MASKED                  EVTCHN_FIFO_MASKED_BIT
#define BUSY                    EVTCHN_FIFO_BUSY_BIT

/* Xen holds BUSY only while it links one event (a few compare-exchanges);
 * after this many failed tries we let Xen unmask instead. */
#define UNMASK_TRIES            100

/*
 * vCPU 0's control block, and the first event-array page: static, because
 * a PV guest binds its timer before the page allocator exists, and the
 * first page holds the ports the toolstack bound for us (console,
 * xenstore).  Later pages come from the page allocator.  Xen maps these
 * pages itself and keeps them until the domain dies: they are never freed.
 */
static union {
	struct evtchn_fifo_control_block block;
	uint8_t page[PAGE_SIZE];
} control __attribute__((aligned(PAGE_SIZE)));
static event_word_t first_array_page[WORDS_PER_PAGE] __attribute__((aligned(PAGE_SIZE)));

static volatile event_word_t *array_pages[MAX_ARRAY_PAGES];
static unsigned int link_bits;          /* from EVTCHNOP_init_control */
/* vCPU 0's queues, over the pages added so far (page_count). */
static struct evtchn_fifo_queues vcpu0 = { .block = &control.block, .pages = array_pages };

/* A port must fit in an event word's LINK field, link_bits wide. */
static unsigned int max_ports(void)
{
	return 1u << link_bits;
}

static unsigned int ports_ready(void)
{
	return vcpu0.page_count * WORDS_PER_PAGE;
}

/* NULL for a port whose event-array page we have not added. */
static volatile event_word_t *word_of(evtchn_port_t port)
{
	return evtchn_fifo_word(&vcpu0, port);
}

static event_word_t *new_array_page(unsigned int slot)
{
	if (slot == 0)
		return first_array_page;
	return phys_to_virt(page_alloc(1));
}

/*
 * One more page of event words.  Every word starts MASKED (as every
 * 2-level port is after boot): a port interrupts us only once a handler
 * is bound.  Interrupts are off while Xen adds the page, because Xen may
 * link events into it at once (those pending while it was missing), and
 * the upcall must find the page counted when it follows their links.
 */
static long add_array_page(void)
{
	unsigned int slot = vcpu0.page_count;

	if (slot >= max_ports() / WORDS_PER_PAGE)
		return -XEN_ENOSPC;
	event_word_t *page = new_array_page(slot);

	if (!page)
		return -XEN_ENOMEM;
	for (unsigned int i = 0; i < WORDS_PER_PAGE; i++)
		page[i] = MASKED;

	struct evtchn_expand_array op = { .array_gfn = xen_frame_of(page) };
	bool was_enabled = irq_save();

	array_pages[slot] = page;
	long rc = xen_event_channel_op(EVTCHNOP_expand_array, &op);

	if (rc == 0)
		vcpu0.page_count++;
	irq_restore(was_enabled);
	if (rc != 0 && slot != 0)
		page_free(virt_to_phys(page), 1);
	return rc;
}

static long setup_port(evtchn_port_t port)
{
	if (port >= max_ports())
		return -XEN_EINVAL;
	while (port >= ports_ready()) {
		long rc = add_array_page();

		if (rc != 0)
			return rc;
	}
	return 0;
}

long evtchn_fifo_init(void)
{
	struct evtchn_init_control op = {
		.control_gfn = xen_frame_of(&control),
		.offset = 0,
		.vcpu = 0,
	};
	long rc = xen_event_channel_op(EVTCHNOP_init_control, &op);

	if (rc != 0)
		return rc;
	/* Our tables are sized for EVTCHN_FIFO_LINK_BITS; a smaller LINK
	 * field (a future Xen) only lowers the highest port. */
	link_bits = op.link_bits < EVTCHN_FIFO_LINK_BITS ? op.link_bits : EVTCHN_FIFO_LINK_BITS;
	/* The domain is on FIFO from here, whatever happens next.  Should the
	 * first page (the console's and xenstore's ports) fail, setup_port()
	 * tries again at the first bind, and the boot report shows 0 ports. */
	add_array_page();
	return 0;
}

static bool is_pending(evtchn_port_t port)
{
	volatile event_word_t *word = word_of(port);

	return word && (*word & PENDING);
}

/* As Xen sees it: a port without an event word cannot be delivered. */
static bool is_masked(evtchn_port_t port)
{
	volatile event_word_t *word = word_of(port);

	return !word || (*word & MASKED);
}

static bool test_and_clear_pending(evtchn_port_t port)
{
	volatile event_word_t *word = word_of(port);

	return word && (__atomic_fetch_and(word, ~PENDING, __ATOMIC_SEQ_CST) & PENDING);
}

static void mask(evtchn_port_t port)
{
	volatile event_word_t *word = word_of(port);

	if (word)
		__atomic_fetch_or(word, MASKED, __ATOMIC_SEQ_CST);
}

/*
 * Clearing MASKED ourselves is enough when the port is not pending.  When
 * it is, the event must be linked onto its queue, which only Xen can do:
 * EVTCHNOP_unmask.  The compare-exchange expects BUSY clear, so it fails
 * (and we look again) while Xen is linking a new event behind this one.
 */
static long unmask(evtchn_port_t port)
{
	volatile event_word_t *word = word_of(port);

	if (!word)
		return -XEN_EINVAL;
	event_word_t seen = *word;

	for (unsigned int try = 0; try < UNMASK_TRIES; try++) {
		if (!(seen & MASKED))
			return 0;
		if (seen & PENDING)
			break;
		event_word_t expected = seen & ~BUSY;

		if (__atomic_compare_exchange_n(word, &expected, expected & ~MASKED, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return 0;
		seen = expected;        /* what the word held instead */
	}
	return evtchn_unmask_by_xen(port);
}

static void handle_events(evtchn_deliver_fn *deliver)
{
	evtchn_fifo_consume(&vcpu0, deliver);
}

uint64_t evtchn_fifo_bad_links(void)
{
	return vcpu0.bad_links;
}

const struct evtchn_abi evtchn_fifo_abi = {
	.name = "FIFO",
	.max_ports = max_ports,
	.ports_ready = ports_ready,
	.setup_port = setup_port,
	.is_pending = is_pending,
	.is_masked = is_masked,
	.test_and_clear_pending = test_and_clear_pending,
	.mask = mask,
	.unmask = unmask,
	.handle_events = handle_events,
};
