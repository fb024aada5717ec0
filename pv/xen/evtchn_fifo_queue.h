/*
 * evtchn_fifo_queue.h — the consumer side of the FIFO event-channel ABI:
 * finding an event word, and walking one vCPU's 16 queues in the upcall.
 * Pure memory work, no hypercalls: evtchn_fifo.c runs it on the pages it
 * gave Xen, and tests/guest/test_evtchn_fifo_queue.c on fake ones, linked
 * by hand as Xen would (or as a broken Xen might), on every host.
 */
#ifndef PVKIT_PV_XEN_EVTCHN_FIFO_QUEUE_H
#define PVKIT_PV_XEN_EVTCHN_FIFO_QUEUE_H

#include <stdint.h>

#include "kernel/page_alloc.h"
#include "pv/xen/evtchn_abi.h"

#define EVTCHN_FIFO_WORDS_PER_PAGE      (PAGE_SIZE / sizeof(event_word_t))
#define EVTCHN_FIFO_PENDING_BIT         (1u << EVTCHN_FIFO_PENDING)
#define EVTCHN_FIFO_MASKED_BIT          (1u << EVTCHN_FIFO_MASKED)
#define EVTCHN_FIFO_LINKED_BIT          (1u << EVTCHN_FIFO_LINKED)
#define EVTCHN_FIFO_BUSY_BIT            (1u << EVTCHN_FIFO_BUSY)

struct evtchn_fifo_queues {
	volatile struct evtchn_fifo_control_block *block;
	volatile event_word_t *const *pages;    /* the event array, page by page */
	unsigned int page_count;
	/* Where we are in each queue: the port to take next (0: read HEAD). */
	evtchn_port_t head[EVTCHN_FIFO_MAX_QUEUES];
	uint64_t bad_links;     /* HEADs or LINKs naming a port without a word */
};

/* The port's event word, or NULL when its page is not in the array. */
volatile event_word_t *evtchn_fifo_word(const struct evtchn_fifo_queues *q, evtchn_port_t port);

/* The upcall's scan: deliver() each linked event that is pending and not
 * masked, highest priority first, each queue in order. */
void evtchn_fifo_consume(struct evtchn_fifo_queues *q, evtchn_deliver_fn *deliver);

#endif
