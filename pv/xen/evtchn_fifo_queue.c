/*
 * evtchn_fifo_queue.c — walking the FIFO ABI's queues (evtchn_fifo_queue.h).
 *
 * When Xen makes an unmasked port pending it sets LINKED in its event word
 * and appends it to the queue of its priority: it writes the port into the
 * LINK field of the queue's last word or, when the queue was empty, into
 * the control block's HEAD[q], and sets READY's bit q.  The guest takes
 * events from the front.  The only changes the guest may make to a LINKED
 * word are: set or clear MASKED, clear PENDING, clear LINKED together with
 * LINK — the unlink step below.
 */
#include <stddef.h>

#include "pv/xen/evtchn_fifo_queue.h"

#define ALL_QUEUES      ((1u << EVTCHN_FIFO_MAX_QUEUES) - 1)

volatile event_word_t *evtchn_fifo_word(const struct evtchn_fifo_queues *q, evtchn_port_t port)
{
	if (port >= q->page_count * EVTCHN_FIFO_WORDS_PER_PAGE)
		return NULL;
	return &q->pages[port / EVTCHN_FIFO_WORDS_PER_PAGE][port % EVTCHN_FIFO_WORDS_PER_PAGE];
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
		unlinked = seen & ~(EVTCHN_FIFO_LINKED_BIT | EVTCHN_FIFO_LINK_MASK);
	while (!__atomic_compare_exchange_n(word, &seen, unlinked, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return seen & EVTCHN_FIFO_LINK_MASK;
}

/*
 * Take the event at the front of queue `prio` off it and deliver it if it
 * is still pending and unmasked (it may have been masked or cleared since
 * Xen linked it).  q->head[prio] is where we are; when it is 0 we have
 * consumed everything we knew of, and read HEAD, which Xen wrote when it
 * linked an event onto the empty queue.  Returns false when the queue is
 * now empty.  A HEAD or LINK naming a port we have no word for would be
 * Xen's bug: it is counted and the queue dropped, never followed.  A LINK
 * cycle ends too: each word we pass is unlinked, so the second visit finds
 * LINK 0.
 */
static bool consume_one(struct evtchn_fifo_queues *q, unsigned int prio,
			evtchn_deliver_fn *deliver)
{
	evtchn_port_t port = q->head[prio];

	if (port == 0)
		port = __atomic_load_n(&q->block->head[prio], __ATOMIC_ACQUIRE);
	volatile event_word_t *word = evtchn_fifo_word(q, port);

	if (port == 0 || !word) {
		q->bad_links += port != 0;
		q->head[prio] = 0;
		return false;
	}
	q->head[prio] = unlink_event(word);
	if ((*word & (EVTCHN_FIFO_PENDING_BIT | EVTCHN_FIFO_MASKED_BIT)) == EVTCHN_FIFO_PENDING_BIT)
		deliver(port);
	return q->head[prio] != 0;
}

static uint32_t take_ready(volatile struct evtchn_fifo_control_block *block)
{
	return __atomic_exchange_n(&block->ready, 0, __ATOMIC_SEQ_CST) & ALL_QUEUES;
}

/* READY has a bit per non-empty queue.  Take it, and serve the highest
 * priority (lowest bit) first, one event at a time, taking READY again
 * after each: an event Xen raises meanwhile at a higher priority goes
 * before the rest. */
void evtchn_fifo_consume(struct evtchn_fifo_queues *q, evtchn_deliver_fn *deliver)
{
	uint32_t ready = take_ready(q->block);

	while (ready) {
		unsigned int prio = __builtin_ctz(ready);

		if (!consume_one(q, prio, deliver))
			ready &= ~(1u << prio);
		ready |= take_ready(q->block);
	}
}
