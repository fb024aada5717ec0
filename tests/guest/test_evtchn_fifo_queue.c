/*
 * test_evtchn_fifo_queue.c — the FIFO event-channel ABI's queue walk
 * (pv/xen/evtchn_fifo_queue.c) on a fake control block and two fake
 * event-array pages, on every host: no Xen needed.  The test plays Xen's
 * part, linking events the way Xen does (link_like_xen()), and also the
 * part of a broken Xen: a HEAD or LINK outside the array, a LINK cycle,
 * READY bits for queues that do not exist.  The walk must deliver what is
 * deliverable in order, unlink everything it passes, and never follow a
 * port outside the pages.
 */
#include "kernel/test.h"
#include "lib/string.h"
#include "pv/xen/evtchn_fifo_queue.h"

#define FAKE_PAGES      2
#define MAX_DELIVERED   16
#define FAR_PORT        (FAKE_PAGES * EVTCHN_FIFO_WORDS_PER_PAGE + 100)

static struct evtchn_fifo_control_block fake_block;
static event_word_t fake_array[FAKE_PAGES][EVTCHN_FIFO_WORDS_PER_PAGE];
static volatile event_word_t *const fake_pages[FAKE_PAGES] = { fake_array[0], fake_array[1] };
static struct evtchn_fifo_queues queues;
static evtchn_port_t tails[EVTCHN_FIFO_MAX_QUEUES];     /* Xen's own record */

static evtchn_port_t delivered[MAX_DELIVERED];
static unsigned int delivered_count;
static void (*during_delivery)(evtchn_port_t port);

static void reset(void)
{
	memset(&fake_block, 0, sizeof(fake_block));
	memset(fake_array, 0, sizeof(fake_array));
	memset(tails, 0, sizeof(tails));
	queues = (struct evtchn_fifo_queues){
		.block = &fake_block, .pages = fake_pages, .page_count = FAKE_PAGES,
	};
	delivered_count = 0;
	during_delivery = NULL;
}

static volatile event_word_t *word(evtchn_port_t port)
{
	return evtchn_fifo_word(&queues, port);
}

/* What Xen does for an unmasked port made pending: PENDING and LINKED,
 * then append it: behind the tail if the tail is still linked, else as
 * the new HEAD with the queue's READY bit. */
static void link_like_xen(evtchn_port_t port, unsigned int prio)
{
	*word(port) |= EVTCHN_FIFO_PENDING_BIT | EVTCHN_FIFO_LINKED_BIT;
	if (tails[prio] && (*word(tails[prio]) & EVTCHN_FIFO_LINKED_BIT)) {
		*word(tails[prio]) = (*word(tails[prio]) & ~EVTCHN_FIFO_LINK_MASK) | port;
	} else {
		fake_block.head[prio] = port;
		fake_block.ready |= 1u << prio;
	}
	tails[prio] = port;
}

/* The kernel's deliver(): clear PENDING, then "run the handler". */
static void record(evtchn_port_t port)
{
	*word(port) &= ~EVTCHN_FIFO_PENDING_BIT;
	if (delivered_count < MAX_DELIVERED)
		delivered[delivered_count] = port;
	delivered_count++;
	if (during_delivery)
		during_delivery(port);
}

static bool unlinked(evtchn_port_t port)
{
	return (*word(port) & (EVTCHN_FIFO_LINKED_BIT | EVTCHN_FIFO_LINK_MASK)) == 0;
}

TEST(evtchn_fifo_queue, priority_first_then_order_raised)
{
	reset();
	link_like_xen(5, EVTCHN_FIFO_PRIORITY_DEFAULT);
	link_like_xen(1030, EVTCHN_FIFO_PRIORITY_DEFAULT);     /* second page */
	link_like_xen(3, EVTCHN_FIFO_PRIORITY_DEFAULT);
	link_like_xen(9, 2);
	evtchn_fifo_consume(&queues, record);
	CHECK_EQ(delivered_count, 4);
	CHECK_EQ(delivered[0], 9);
	CHECK_EQ(delivered[1], 5);
	CHECK_EQ(delivered[2], 1030);
	CHECK_EQ(delivered[3], 3);
	CHECK(unlinked(5) && unlinked(1030) && unlinked(3) && unlinked(9));
	CHECK_EQ(fake_block.ready, 0);
	CHECK_EQ(queues.bad_links, 0);
}

/* Masked, or no longer pending, since Xen linked it: unlinked, not
 * delivered; a masked event keeps PENDING for its unmask. */
TEST(evtchn_fifo_queue, masked_or_cleared_events_unlinked_not_delivered)
{
	reset();
	link_like_xen(5, 7);
	link_like_xen(6, 7);
	link_like_xen(7, 7);
	*word(6) |= EVTCHN_FIFO_MASKED_BIT;
	*word(7) &= ~EVTCHN_FIFO_PENDING_BIT;
	evtchn_fifo_consume(&queues, record);
	CHECK_EQ(delivered_count, 1);
	CHECK_EQ(delivered[0], 5);
	CHECK(unlinked(5) && unlinked(6) && unlinked(7));
	CHECK_EQ(*word(6), EVTCHN_FIFO_PENDING_BIT | EVTCHN_FIFO_MASKED_BIT);
}

static void xen_links_port_20(evtchn_port_t port)
{
	if (port == 10)
		link_like_xen(20, 7);
}

/* Xen appends while we walk.  Behind a tail still linked (11): by LINK.
 * Behind a tail we already unlinked: Xen starts the queue again at HEAD
 * and sets READY, which the walk takes again after every event. */
TEST(evtchn_fifo_queue, events_linked_during_the_walk_are_delivered)
{
	reset();
	link_like_xen(10, 7);
	link_like_xen(11, 7);
	during_delivery = xen_links_port_20;    /* 11 is the linked tail then */
	evtchn_fifo_consume(&queues, record);
	CHECK_EQ(delivered_count, 3);
	CHECK_EQ(delivered[2], 20);

	reset();
	link_like_xen(10, 7);                   /* alone: unlinked when 20 comes */
	during_delivery = xen_links_port_20;
	evtchn_fifo_consume(&queues, record);
	CHECK_EQ(delivered_count, 2);
	CHECK_EQ(delivered[0], 10);
	CHECK_EQ(delivered[1], 20);
	CHECK(unlinked(20));
}

TEST(evtchn_fifo_queue, head_or_link_outside_the_array_is_not_followed)
{
	reset();
	fake_block.head[3] = FAR_PORT;
	fake_block.ready = 1u << 3;
	evtchn_fifo_consume(&queues, record);
	CHECK_EQ(delivered_count, 0);
	CHECK_EQ(queues.bad_links, 1);

	link_like_xen(5, 7);
	*word(5) |= FAR_PORT & EVTCHN_FIFO_LINK_MASK;  /* a LINK past our pages */
	evtchn_fifo_consume(&queues, record);
	CHECK_EQ(delivered_count, 1);
	CHECK_EQ(delivered[0], 5);
	CHECK_EQ(queues.bad_links, 2);
	CHECK_EQ(queues.head[7], 0);
}

/* 10 -> 11 -> 10: each word is unlinked as we pass it, so the second
 * visit to 10 finds LINK 0 and the walk ends. */
TEST(evtchn_fifo_queue, link_cycle_ends)
{
	reset();
	link_like_xen(10, 7);
	link_like_xen(11, 7);
	*word(11) |= 10;
	evtchn_fifo_consume(&queues, record);
	CHECK_EQ(delivered_count, 2);
	CHECK(unlinked(10) && unlinked(11));
}

TEST(evtchn_fifo_queue, ready_bits_of_missing_queues_ignored)
{
	reset();
	fake_block.ready = ~((1u << EVTCHN_FIFO_MAX_QUEUES) - 1);
	evtchn_fifo_consume(&queues, record);
	CHECK_EQ(delivered_count, 0);
	CHECK_EQ(fake_block.ready, 0);
}
