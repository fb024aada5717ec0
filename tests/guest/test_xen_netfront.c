/*
 * test_xen_netfront.c — the Xen network frontend (pv/xen/netfront.c).
 *
 * xen_netfront.connected_* and friends: against dom0's netback, on a
 * PVH domU that the lab started with a vif (scripts/xen-lab.sh --net):
 * both xenbus states Connected, the MAC the toolstack chose, the rx ring
 * full of grants to the backend, a frame sent and answered.  They skip,
 * with the reason, where there is no vif.
 *
 * xen_netfront.hostile_*: on every host, with a netfront connected to
 * nothing: the test plays a lying backend by writing responses into the
 * shared rings itself (bad ids, bad statuses, sizes that cannot be a
 * frame, an index past our requests) and checks that each costs a frame
 * or disconnects the device, never more.  The exchange with a real peer
 * (ping, UDP echo) is the harness's net-echo check on host xen-pvh.
 */
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/netdev.h"
#include "kernel/page_alloc.h"
#include "kernel/test.h"
#include "kernel/timer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/xen/grant_table.h"
#include "pv/xen/netfront.h"
#include "pv/xen/xenbus.h"
#include "tests/guest/xen_test.h"

#define LOCAL_EXPERIMENTAL_ETHERTYPE 0x88b5     /* IEEE 802: for experiments, never routed */
#define TX_ANSWER_TIMEOUT_NS (2 * NSEC_PER_SEC)
#define TEST_FRAME_LEN  60

/* ---- with a real backend ------------------------------------------------------------ */

static struct netfront *connected_netfront(void)
{
	for (struct netdev *d = netdev_first(); d; d = d->next)
		if (netfront_of(d))
			return netfront_of(d);
	return NULL;
}

/* On Xen with xenstore, and a vif in it; then the netfront must be there. */
#define SKIP_UNLESS_VIF(nf)                                                   \
	do {                                                                  \
		char names_[64];                                              \
		SKIP_UNLESS_XENSTORE();                                       \
		if (xs_directory(XS_NO_TRANSACTION, "device/vif", names_,     \
				 sizeof(names_)) <= 0)                        \
			SKIP("no vif in xenstore (the lab without --net)");   \
		(nf) = connected_netfront();                                  \
		CHECK((nf) != NULL);                                          \
	} while (0)

static void experimental_frame(uint8_t *frame, const uint8_t *source_mac)
{
	memset(frame, 0xff, NETDEV_MAC_LEN);                    /* broadcast */
	memcpy(frame + NETDEV_MAC_LEN, source_mac, NETDEV_MAC_LEN);
	frame[12] = LOCAL_EXPERIMENTAL_ETHERTYPE >> 8;
	frame[13] = LOCAL_EXPERIMENTAL_ETHERTYPE & 0xff;
	for (unsigned int i = NETDEV_ETH_HEADER_LEN; i < TEST_FRAME_LEN; i++)
		frame[i] = (uint8_t)(i * 7);
}

TEST(xen_netfront, connected_with_the_mac_from_xenstore)
{
	struct netfront *nf;
	enum xenbus_state ours, theirs;
	char path[XENBUS_PATH_MAX], text[24], mac[NETDEV_MAC_TEXT];

	SKIP_UNLESS_VIF(nf);
	CHECK(!nf->broken);
	CHECK(nf->netdev.link_up);
	CHECK(netdev_find(nf->netdev.name) == &nf->netdev);
	CHECK_XEN(xenbus_read_state(nf->dir, &ours), 0);
	CHECK_XEN(xenbus_read_state(nf->backend, &theirs), 0);
	CHECK_EQ(ours, XenbusStateConnected);
	CHECK_EQ(theirs, XenbusStateConnected);
	snprintf(path, sizeof(path), "%s/mac", nf->dir);
	CHECK(xs_read(XS_NO_TRANSACTION, path, text, sizeof(text)) == NETDEV_MAC_TEXT - 1);
	netdev_format_mac(nf->netdev.mac, mac);
	CHECK_EQ(strcmp(mac, text), 0);
	CHECK(!(nf->netdev.mac[0] & 1));                        /* unicast */
}

/* Every rx buffer is posted, each under a writable grant of its own page
 * to the backend's domain. */
TEST(xen_netfront, rx_ring_is_filled_with_grants_to_the_backend)
{
	struct netfront *nf;

	SKIP_UNLESS_VIF(nf);
	bool was_enabled = irq_save();

	netdev_poll(&nf->netdev, 0);    /* refill whatever came back meanwhile */
	irq_restore(was_enabled);
	CHECK_EQ(netfront_rx_posted(nf), NETFRONT_RX_BUFFERS);
	for (RING_IDX i = nf->rx.rsp_cons; i != nf->rx.req_prod_pvt; i++) {
		struct netif_rx_request req = *RING_GET_REQUEST(&nf->rx, i);
		struct gnttab_entry_view entry = gnttab_entry(req.gref);

		CHECK(req.id < NETFRONT_RX_BUFFERS);
		CHECK_EQ(req.gref, nf->rx_grant[req.id]);
		CHECK(entry.valid);
		CHECK_EQ(entry.domid, nf->backend_id);
		CHECK_EQ(entry.frame, xen_frame_of(nf->rx_pages + req.id * PAGE_SIZE));
		CHECK(entry.flags & GTF_permit_access);
		CHECK(!(entry.flags & GTF_readonly));
	}
}

/* A broadcast of an experimental EtherType, harmless to the bridge: the
 * backend answers its tx request with OKAY and the buffer comes back. */
TEST(xen_netfront, frame_is_sent_and_its_tx_response_consumed)
{
	struct netfront *nf;

	SKIP_UNLESS_VIF(nf);
	uint64_t done = nf->stats.tx_done, deadline = time_now_ns() + TX_ANSWER_TIMEOUT_NS;
	uint8_t frame[TEST_FRAME_LEN];
	bool was_enabled;
	int rc;

	experimental_frame(frame, nf->netdev.mac);
	was_enabled = irq_save();
	rc = netdev_transmit(&nf->netdev, frame, sizeof(frame));
	while (rc == 0 && netfront_tx_in_flight(nf) > 0 && time_now_ns() < deadline) {
		irq_restore(was_enabled);
		sleep_ns(NSEC_PER_MSEC);
		was_enabled = irq_save();
		netdev_poll(&nf->netdev, 0);    /* budget 0: only reclaims tx */
	}
	irq_restore(was_enabled);
	CHECK_EQ(rc, 0);
	CHECK_EQ(netfront_tx_in_flight(nf), 0);
	CHECK_EQ(nf->stats.tx_done, done + 1);
	CHECK_EQ(nf->stats.tx_errors, 0);
	CHECK(!nf->broken);
}

/* ---- a lying backend, played by the test ----------------------------------------------- */

static unsigned int frames_received;
static uint8_t last_frame[NETFRONT_FRAME_MAX];
static size_t last_len;
static const uint8_t *last_pointer;

static void count_frame(struct netdev *dev, const void *frame, size_t len)
{
	(void)dev;
	frames_received++;
	last_pointer = frame;
	memcpy(last_frame, frame, len);
	last_len = len;
}

static struct netfront *unconnected(void)
{
	struct netfront *nf = netfront_create_unconnected();

	frames_received = 0;
	last_len = 0;
	if (nf)
		netdev_set_receive(&nf->netdev, count_frame, NULL);
	return nf;
}

/* The backend's side of rx: one response at its producer index. */
static void backend_rx_response(struct netfront *nf, uint16_t id, uint16_t offset,
				uint16_t flags, int16_t status)
{
	struct netif_rx_sring *s = nf->rx.sring;
	struct netif_rx_response *rsp = &s->ring[s->rsp_prod & (RING_SIZE(&nf->rx) - 1)].rsp;

	rsp->id = id;
	rsp->offset = offset;
	rsp->flags = flags;
	rsp->status = status;
	s->rsp_prod++;
}

/* The backend's side of tx: answer the oldest request we have not answered. */
static void backend_tx_response(struct netfront *nf, uint16_t id, int16_t status)
{
	struct netif_tx_sring *s = nf->tx.sring;
	struct netif_tx_response *rsp = &s->ring[s->rsp_prod & (RING_SIZE(&nf->tx) - 1)].rsp;

	rsp->id = id;
	rsp->status = status;
	s->rsp_prod++;
}

static unsigned int poll(struct netfront *nf)
{
	bool was_enabled = irq_save();
	unsigned int n = netdev_poll(&nf->netdev, 16);

	irq_restore(was_enabled);
	return n;
}

/* The backend "copies" a frame into buffer id's page, then answers. */
static void backend_delivers(struct netfront *nf, uint16_t id, uint16_t offset)
{
	experimental_frame(nf->rx_pages + id * PAGE_SIZE + offset, nf->netdev.mac);
	backend_rx_response(nf, id, offset, 0, TEST_FRAME_LEN);
}

TEST(xen_netfront, hostile_good_frame_is_delivered_once_and_reposted)
{
	struct netfront *nf = unconnected();
	uint8_t expected[TEST_FRAME_LEN];

	CHECK(nf != NULL);
	CHECK_EQ(netfront_rx_posted(nf), NETFRONT_RX_BUFFERS);
	CHECK_EQ(nf->rx.sring->req_prod, NETFRONT_RX_BUFFERS);  /* published */
	backend_delivers(nf, 5, 100);
	CHECK_EQ(poll(nf), 1);
	experimental_frame(expected, nf->netdev.mac);
	CHECK_EQ(last_len, TEST_FRAME_LEN);
	CHECK(memcmp(last_frame, expected, TEST_FRAME_LEN) == 0);
	CHECK_EQ(netfront_rx_posted(nf), NETFRONT_RX_BUFFERS);  /* buffer 5 went back */
	/* The backend rewrites the slot we consumed: we never look again. */
	nf->rx.sring->ring[0].rsp.status = 200;
	CHECK_EQ(poll(nf), 0);
	CHECK_EQ(frames_received, 1);
	CHECK(!nf->broken);
	netfront_destroy_unconnected(nf);
}

/* The stack gets a copy, never a pointer into the backend's page, which
 * the backend could rewrite while the stack parses it. */
TEST(xen_netfront, hostile_frame_goes_up_as_a_private_copy)
{
	struct netfront *nf = unconnected();
	const uint8_t *pages;

	CHECK(nf != NULL);
	pages = nf->rx_pages;
	backend_delivers(nf, 7, 0);
	CHECK_EQ(poll(nf), 1);
	CHECK(last_pointer < pages || last_pointer >= pages + NETFRONT_RX_BUFFERS * PAGE_SIZE);
	netfront_destroy_unconnected(nf);
}

TEST(xen_netfront, hostile_bad_status_and_sizes_cost_only_that_frame)
{
	struct netfront *nf = unconnected();

	CHECK(nf != NULL);
	backend_rx_response(nf, 0, 0, 0, NETIF_RSP_ERROR);
	backend_rx_response(nf, 1, 0, 0, NETIF_RSP_DROPPED);
	backend_rx_response(nf, 2, 0, 0, 0);                            /* empty */
	backend_rx_response(nf, 3, 0, 0, NETDEV_ETH_HEADER_LEN - 1);    /* no header */
	backend_rx_response(nf, 4, 0, 0, NETFRONT_FRAME_MAX + 1);       /* oversize */
	backend_rx_response(nf, 5, PAGE_SIZE - 40, 0, TEST_FRAME_LEN);  /* past the page */
	backend_rx_response(nf, 6, 0xffff, 0, TEST_FRAME_LEN);          /* offset past the page */
	backend_delivers(nf, 8, 0);                                     /* a good one after */
	CHECK_EQ(poll(nf), 1);
	CHECK_EQ(frames_received, 1);
	CHECK_EQ(nf->stats.rx_errors, 2);
	CHECK_EQ(nf->stats.rx_bad_size, 5);
	CHECK_EQ(nf->netdev.stats.rx_dropped, 7);
	CHECK(!nf->broken);
	CHECK_EQ(netfront_rx_posted(nf), NETFRONT_RX_BUFFERS);
	netfront_destroy_unconnected(nf);
}

TEST(xen_netfront, hostile_unknown_or_repeated_rx_id_disconnects)
{
	struct netfront *nf = unconnected();

	CHECK(nf != NULL);
	backend_rx_response(nf, NETFRONT_RX_BUFFERS, 0, 0, TEST_FRAME_LEN);
	CHECK_EQ(poll(nf), 0);
	CHECK(nf->broken);
	CHECK(!nf->netdev.link_up);
	netfront_destroy_unconnected(nf);

	nf = unconnected();
	CHECK(nf != NULL);
	backend_delivers(nf, 3, 0);
	backend_delivers(nf, 3, 0);     /* buffer 3 is ours again by now */
	CHECK_EQ(poll(nf), 1);
	CHECK(nf->broken);
	CHECK_EQ(poll(nf), 0);          /* and stays disconnected */
	CHECK_EQ(netdev_transmit(&nf->netdev, last_frame, TEST_FRAME_LEN), -EIO);
	netfront_destroy_unconnected(nf);
}

/* A lying backend costs its own device only: another one carries on. */
TEST(xen_netfront, hostile_disconnect_is_per_device)
{
	struct netfront *liar = unconnected(), *honest = netfront_create_unconnected();

	CHECK(liar != NULL && honest != NULL);
	netdev_set_receive(&honest->netdev, count_frame, NULL);
	backend_rx_response(liar, 0xffff, 0, 0, TEST_FRAME_LEN);
	CHECK_EQ(poll(liar), 0);
	CHECK(liar->broken);
	backend_delivers(honest, 2, 0);
	CHECK_EQ(poll(honest), 1);
	CHECK(!honest->broken);
	CHECK(honest->netdev.link_up);
	netfront_destroy_unconnected(liar);
	netfront_destroy_unconnected(honest);
}

TEST(xen_netfront, hostile_index_past_our_requests_disconnects_before_reading)
{
	struct netfront *nf = unconnected();

	CHECK(nf != NULL);
	backend_delivers(nf, 0, 0);
	nf->rx.sring->rsp_prod = NETFRONT_RX_BUFFERS + 1;
	CHECK_EQ(poll(nf), 0);
	CHECK(nf->broken);
	CHECK_EQ(frames_received, 0);
	netfront_destroy_unconnected(nf);
}

TEST(xen_netfront, hostile_unnegotiated_rx_flags_disconnect)
{
	struct netfront *nf = unconnected();

	CHECK(nf != NULL);
	backend_rx_response(nf, 1, 0, NETRXF_more_data, TEST_FRAME_LEN);
	CHECK_EQ(poll(nf), 0);
	CHECK(nf->broken);
	netfront_destroy_unconnected(nf);

	nf = unconnected();
	CHECK(nf != NULL);
	backend_rx_response(nf, 1, 0, NETRXF_extra_info, TEST_FRAME_LEN);
	CHECK_EQ(poll(nf), 0);
	CHECK(nf->broken);
	netfront_destroy_unconnected(nf);
}

/* A frame goes out as one request naming its buffer's grant; the answer
 * frees the buffer; a full set of buffers in flight refuses the next. */
TEST(xen_netfront, hostile_tx_requests_and_answers)
{
	struct netfront *nf = unconnected();
	uint8_t frame[TEST_FRAME_LEN];
	struct netif_tx_request req;
	bool was_enabled;
	int rc = 0;

	CHECK(nf != NULL);
	experimental_frame(frame, nf->netdev.mac);
	was_enabled = irq_save();
	for (unsigned int i = 0; i < NETFRONT_TX_BUFFERS && rc == 0; i++)
		rc = netdev_transmit(&nf->netdev, frame, sizeof(frame));
	if (rc == 0)
		rc = netdev_transmit(&nf->netdev, frame, sizeof(frame));
	irq_restore(was_enabled);
	CHECK_EQ(rc, -ENOSPC);
	CHECK_EQ(nf->stats.tx_ring_full, 1);
	CHECK_EQ(nf->tx.sring->req_prod, NETFRONT_TX_BUFFERS);
	req = nf->tx.sring->ring[0].req;
	CHECK(req.id < NETFRONT_TX_BUFFERS);
	CHECK_EQ(req.gref, nf->tx_grant[req.id]);
	CHECK_EQ(req.size, TEST_FRAME_LEN);
	CHECK_EQ(req.offset, 0);
	CHECK_EQ(req.flags, 0);
	CHECK(memcmp(nf->tx_pages + req.id * PAGE_SIZE, frame, sizeof(frame)) == 0);
	backend_tx_response(nf, req.id, NETIF_RSP_OKAY);
	backend_tx_response(nf, nf->tx.sring->ring[1].req.id, NETIF_RSP_DROPPED);
	poll(nf);
	CHECK_EQ(nf->stats.tx_done, 1);
	CHECK_EQ(nf->stats.tx_errors, 1);
	CHECK_EQ(netfront_tx_in_flight(nf), NETFRONT_TX_BUFFERS - 2);
	CHECK(!nf->broken);
	netfront_destroy_unconnected(nf);
}

/* Each lie on its own device: an id we never use, a buffer that is not
 * in flight, statuses that are not tx statuses (NETIF_RSP_NULL answers
 * extra info, which we never send). */
TEST(xen_netfront, hostile_tx_answers_disconnect)
{
	static const struct {
		uint16_t id;
		bool relative;          /* id is added to the id of the frame we sent */
		int16_t status;
	} lies[] = {
		{ NETFRONT_TX_BUFFERS, false, NETIF_RSP_OKAY },
		{ 0xffff, false, NETIF_RSP_OKAY },
		{ 1, true, NETIF_RSP_OKAY },
		{ 0, true, NETIF_RSP_NULL },
		{ 0, true, 77 },
	};

	for (unsigned int i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct netfront *nf = unconnected();
		uint8_t frame[TEST_FRAME_LEN];
		bool was_enabled;
		uint16_t id;

		CHECK(nf != NULL);
		experimental_frame(frame, nf->netdev.mac);
		was_enabled = irq_save();
		CHECK_EQ(netdev_transmit(&nf->netdev, frame, sizeof(frame)), 0);
		irq_restore(was_enabled);
		id = lies[i].id;
		if (lies[i].relative)
			id = (nf->tx.sring->ring[0].req.id + id) % NETFRONT_TX_BUFFERS;
		backend_tx_response(nf, id, lies[i].status);
		poll(nf);
		CHECK(nf->broken);
		netfront_destroy_unconnected(nf);
	}
}

/* More tx responses than requests out: disconnected, nothing freed twice. */
TEST(xen_netfront, hostile_tx_index_past_our_requests_disconnects)
{
	struct netfront *nf = unconnected();

	CHECK(nf != NULL);
	nf->tx.sring->rsp_prod = 3;
	poll(nf);
	CHECK(nf->broken);
	CHECK_EQ(netfront_tx_in_flight(nf), 0);
	netfront_destroy_unconnected(nf);
}
