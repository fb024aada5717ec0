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
 * The guest consumes a queue from its head (see consume_one()).  The only
 * changes the guest may make to a LINKED word are: set or clear MASKED,
 * clear PENDING, clear LINKED together with LINK.  Xen sets BUSY on the
 * tail word while it links a new event behind it; the guest must not clear
 * MASKED while BUSY is set, which is why unmask uses a compare-exchange
 * that only succeeds with BUSY clear.
 */
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "pv/xen/evtchn_abi.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_pv.h"

#define WORDS_PER_PAGE          (PAGE_SIZE / sizeof(event_word_t))
#define MAX_ARRAY_PAGES         (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)
#define PENDING                 (1u << EVTCHN_FIFO_PENDING)
#define MASKED                  (1u << EVTCHN_FIFO_MASKED)
#define LINKED                  (1u << EVTCHN_FIFO_LINKED)
#define BUSY                    (1u << EVTCHN_FIFO_BUSY)
#define ALL_QUEUES              ((1u << EVTCHN_FIFO_MAX_QUEUES) - 1)

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
static unsigned int array_page_count;
static unsigned int link_bits;          /* from EVTCHNOP_init_control */
/* Where we are in each queue: the port to take next (0: read HEAD). */
static evtchn_port_t queue_head[EVTCHN_FIFO_MAX_QUEUES];
static uint64_t bad_links;

/* The frame number Xen wants for one of our pages: a PV guest's pages are
 * named by machine frame, an HVM/PVH guest's by guest-physical frame. */
static uint64_t xen_frame_of(const void *page)
{
	uint64_t pfn = virt_to_phys(page) >> PAGE_SHIFT;

	return xen_info()->pv ? xen_pv_pfn_to_mfn(pfn) : pfn;
}

static unsigned int max_ports(void)
{
	return 1u << link_bits;
}

static unsigned int ports_ready(void)
{
	return array_page_count * WORDS_PER_PAGE;
}

/* NULL for a port whose event-array page we have not added. */
static volatile event_word_t *word_of(evtchn_port_t port)
{
	if (port >= ports_ready())
		return NULL;
	return &array_pages[port / WORDS_PER_PAGE][port % WORDS_PER_PAGE];
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
	unsigned int slot = array_page_count;

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
		array_page_count++;
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
	return add_array_page();
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

/* The unlink step of the design: clear LINKED and LINK in one
 * compare-exchange and return the LINK we cleared, the next event of the
 * queue (0: this was the tail).  Atomic, because Xen may be setting LINK
 * (to add an event behind this one) at the same moment: either Xen's write
 * lands first and we see it, or ours does and Xen sees an unlinked tail
 * and starts the queue afresh at HEAD. */
static evtchn_port_t unlink_event(volatile event_word_t *word)
{
	event_word_t seen = *word;
	event_word_t unlinked;

	do
		unlinked = seen & ~(LINKED | EVTCHN_FIFO_LINK_MASK);
	while (!__atomic_compare_exchange_n(word, &seen, unlinked, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return seen & EVTCHN_FIFO_LINK_MASK;
}

/*
 * Take the event at the head of queue q off it and deliver it if it is
 * still pending and unmasked (it may have been masked or cleared since Xen
 * linked it).  Our own queue_head[q] is where we are; when it is 0 we
 * have consumed everything we knew of, and read HEAD, which Xen wrote
 * when it linked an event onto the empty queue.  Returns false when the
 * queue is now empty.  A HEAD or LINK naming a port we have no word for
 * would be Xen's bug: it is counted and the queue dropped, never followed.
 */
static bool consume_one(volatile struct evtchn_fifo_control_block *block, unsigned int q,
			evtchn_deliver_fn *deliver)
{
	evtchn_port_t port = queue_head[q];

	if (port == 0)
		port = __atomic_load_n(&block->head[q], __ATOMIC_ACQUIRE);
	volatile event_word_t *word = word_of(port);

	if (port == 0 || !word) {
		bad_links += port != 0;
		queue_head[q] = 0;
		return false;
	}
	queue_head[q] = unlink_event(word);
	if ((*word & (PENDING | MASKED)) == PENDING)
		deliver(port);
	return queue_head[q] != 0;
}

static uint32_t take_ready(volatile struct evtchn_fifo_control_block *block)
{
	return __atomic_exchange_n(&block->ready, 0, __ATOMIC_SEQ_CST) & ALL_QUEUES;
}

/* READY has a bit per non-empty queue; Xen sets it when it starts a queue
 * (at HEAD).  Take it, and serve the highest priority (lowest bit) first,
 * one event at a time, taking READY again after each: an event Xen raises
 * meanwhile at a higher priority goes before the rest. */
static void handle_events(evtchn_deliver_fn *deliver)
{
	volatile struct evtchn_fifo_control_block *block = &control.block;
	uint32_t ready = take_ready(block);

	while (ready) {
		unsigned int q = __builtin_ctz(ready);

		if (!consume_one(block, q, deliver))
			ready &= ~(1u << q);
		ready |= take_ready(block);
	}
}

uint64_t evtchn_fifo_bad_links(void)
{
	return bad_links;
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
