/*
 * test_xen_netback.c — pvkit-hv's Xen network backend (host/xen_netback.c)
 * driven by a fake netfront in host memory, its link one end of a
 * datagram socketpair whose other end plays the wire: the handshake,
 * frames out and in with their bytes checked on the other side, every
 * hostile tx and rx request failing alone, frames waiting while no
 * buffer is posted, ring-index garbage closing the connection, and seeded
 * random garbage on both rings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/xen_netback.h"
#include "tests/host/fake_xen_guest.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define PAGE            XEN_GNTTAB_PAGE_SIZE
#define TX_RING_GFN     2
#define RX_RING_GFN     3
#define BUF_GFN         16      /* buffer pages: BUF_GFN + i, granted by BUF_REF + i */
#define TX_RING_REF     8
#define RX_RING_REF     9
#define BUF_REF         16
#define BUFFERS         16
#define BACKEND         3
#define RANDOM_ROUNDS   2000

static struct fake_xen_guest guest;
static struct xen_netback *net;
static netif_tx_front_ring_t tx;
static netif_rx_front_ring_t rx;
static int wire;                /* the other end of the link */
static const uint8_t mac[XEN_NETBACK_MAC_LEN] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };

static void frontend_state(enum xenbus_state state)
{
	char value[4];

	snprintf(value, sizeof(value), "%u", state);
	fake_xen_write(&guest, net->bus.frontend, "state", value);
	xen_netback_poll_xenbus(net);
}

/* What netfront writes before it says Connected. */
static void frontend_connect(bool rx_copy)
{
	char value[16];

	SHARED_RING_INIT((netif_tx_sring_t *)fake_xen_page(&guest, TX_RING_GFN));
	SHARED_RING_INIT((netif_rx_sring_t *)fake_xen_page(&guest, RX_RING_GFN));
	FRONT_RING_INIT(&tx, (netif_tx_sring_t *)fake_xen_page(&guest, TX_RING_GFN), PAGE);
	FRONT_RING_INIT(&rx, (netif_rx_sring_t *)fake_xen_page(&guest, RX_RING_GFN), PAGE);
	fake_xen_grant(&guest, TX_RING_REF, XEN_HOST_DOM0, TX_RING_GFN, false);
	fake_xen_grant(&guest, RX_RING_REF, XEN_HOST_DOM0, RX_RING_GFN, false);
	snprintf(value, sizeof(value), "%u", TX_RING_REF);
	fake_xen_write(&guest, net->bus.frontend, "tx-ring-ref", value);
	snprintf(value, sizeof(value), "%u", RX_RING_REF);
	fake_xen_write(&guest, net->bus.frontend, "rx-ring-ref", value);
	snprintf(value, sizeof(value), "%u", fake_xen_port_for_dom0(&guest));
	fake_xen_write(&guest, net->bus.frontend, "event-channel", value);
	fake_xen_write(&guest, net->bus.frontend, "request-rx-copy", rx_copy ? "1" : "0");
	frontend_state(XenbusStateConnected);
}

static void setup(void)
{
	struct packet_link link;
	char err[256];
	int fds[2];

	fake_xen_guest_init(&guest);
	net = calloc(1, sizeof(*net));
	CHECK_INT(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, fds), 0);
	wire = fds[1];
	packet_link_on_fd(&link, fds[0]);
	CHECK(xen_netback_create(net, &link, mac, guest.store, &guest.gnttab, &guest.events,
				 BACKEND, err, sizeof(err)));
	CHECK_UINT(fake_xen_read_number(&guest, net->bus.backend, "state"), XenbusStateInitWait);
	for (unsigned int i = 0; i < BUFFERS; i++)
		fake_xen_grant(&guest, BUF_REF + i, XEN_HOST_DOM0, BUF_GFN + i, false);
	frontend_connect(true);
}

static void teardown(void)
{
	xen_netback_destroy(net);
	close(wire);
	fake_xen_guest_free(&guest);
	free(net);
}

/* One tx request; the frame (if any) read from the wire into out. */
static netif_tx_response_t send_frame(netif_tx_request_t req)
{
	netif_tx_response_t rsp = { .status = 99 };
	int notify;

	*RING_GET_REQUEST(&tx, tx.req_prod_pvt) = req;
	tx.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&tx, notify);
	(void)notify;
	xen_netback_notify(net);
	CHECK_UINT(tx.sring->rsp_prod, tx.rsp_cons + 1);
	if (tx.sring->rsp_prod == tx.rsp_cons + 1)
		rsp = *RING_GET_RESPONSE(&tx, tx.rsp_cons++);
	return rsp;
}

static void post_rx(uint16_t id, grant_ref_t gref)
{
	*RING_GET_REQUEST(&rx, rx.req_prod_pvt) = (netif_rx_request_t){ .id = id, .gref = gref };
	rx.req_prod_pvt++;
	rx.sring->req_prod = rx.req_prod_pvt;
}

static void handshake_and_nodes(void)
{
	char value[32], path[128];

	setup();
	CHECK(net->connected);
	CHECK_UINT(fake_xen_read_number(&guest, net->bus.backend, "state"), XenbusStateConnected);
	CHECK_UINT(fake_xen_read_number(&guest, net->bus.backend, "feature-rx-copy"), 1);
	snprintf(path, sizeof(path), "%s/mac", net->bus.frontend);
	CHECK(xenstore_read(guest.store, path, value, sizeof(value)) > 0);
	CHECK_STR(value, "00:16:3e:12:34:56");
	CHECK_STR(net->bus.frontend, "/local/domain/1/device/vif/0");
	CHECK_STR(net->bus.backend, "/local/domain/0/backend/vif/1/0");
	/* Away and back; then a frontend without rx-copy is refused. */
	frontend_state(XenbusStateClosing);
	CHECK(!net->connected);
	CHECK(!(fake_xen_entry(&guest, TX_RING_REF)->flags & GTF_writing));
	frontend_state(XenbusStateClosed);
	frontend_state(XenbusStateInitialising);
	CHECK_UINT(fake_xen_read_number(&guest, net->bus.backend, "state"), XenbusStateInitWait);
	fputs("# the next message, about request-rx-copy, is expected:\n", stderr);
	frontend_connect(false);
	CHECK(!net->connected);
	CHECK_UINT(fake_xen_read_number(&guest, net->bus.backend, "state"), XenbusStateClosing);
	teardown();
}

static void frames_go_out(void)
{
	uint8_t frame[128];

	setup();
	for (unsigned int i = 0; i < 100; i++)
		fake_xen_page(&guest, BUF_GFN)[200 + i] = (uint8_t)(i * 3);
	netif_tx_response_t rsp = send_frame((netif_tx_request_t){ .gref = BUF_REF, .offset = 200,
								 .id = 5, .size = 100 });

	CHECK_UINT(rsp.id, 5);
	CHECK_INT(rsp.status, NETIF_RSP_OKAY);
	CHECK_INT(recv(wire, frame, sizeof(frame), 0), 100);
	CHECK(memcmp(frame, fake_xen_page(&guest, BUF_GFN) + 200, 100) == 0);
	CHECK(fake_xen_grants_idle(&guest, BUF_REF, BUFFERS));
	teardown();
}

/* Each bad tx request fails alone and sends nothing. */
static void hostile_tx_requests_fail_alone(void)
{
	uint8_t frame[128];

	setup();
	CHECK_INT(send_frame((netif_tx_request_t){ BUF_REF, 0, 0, 1, 13 }).status,
		  NETIF_RSP_ERROR);                             /* shorter than a header */
	CHECK_INT(send_frame((netif_tx_request_t){ BUF_REF, 4000, 0, 2, 100 }).status,
		  NETIF_RSP_ERROR);                             /* past the page */
	CHECK_INT(send_frame((netif_tx_request_t){ 3000, 0, 0, 3, 60 }).status,
		  NETIF_RSP_ERROR);                             /* outside the table */
	CHECK_INT(send_frame((netif_tx_request_t){ BUF_REF + BUFFERS, 0, 0, 4, 60 }).status,
		  NETIF_RSP_ERROR);                             /* not granted */
	fake_xen_grant(&guest, BUF_REF + 1, 9, BUF_GFN + 1, true);
	CHECK_INT(send_frame((netif_tx_request_t){ BUF_REF + 1, 0, 0, 5, 60 }).status,
		  NETIF_RSP_ERROR);                             /* granted to another domain */
	CHECK_INT(send_frame((netif_tx_request_t){ BUF_REF, 0, NETTXF_extra_info, 6, 60 }).status,
		  NETIF_RSP_ERROR);                             /* not offered */
	/* A chain of three slots: each one answered with an error. */
	for (uint16_t i = 0; i < 3; i++)
		*RING_GET_REQUEST(&tx, tx.req_prod_pvt + i) = (netif_tx_request_t){
			BUF_REF, 0, i < 2 ? NETTXF_more_data : 0, (uint16_t)(10 + i), 60 };
	tx.req_prod_pvt += 3;
	tx.sring->req_prod = tx.req_prod_pvt;
	xen_netback_notify(net);
	CHECK_UINT(tx.sring->rsp_prod - tx.rsp_cons, 3);
	for (uint16_t i = 0; i < 3; i++) {
		netif_tx_response_t rsp = *RING_GET_RESPONSE(&tx, tx.rsp_cons++);

		CHECK_UINT(rsp.id, 10 + i);
		CHECK_INT(rsp.status, NETIF_RSP_ERROR);
	}
	CHECK_INT(recv(wire, frame, sizeof(frame), 0), -1);    /* nothing went out */
	CHECK(fake_xen_grants_idle(&guest, BUF_REF, BUFFERS));
	CHECK(net->connected);
	teardown();
}

static void frames_come_in_to_posted_buffers(void)
{
	uint8_t frame[300], big[5000] = { 0 };
	netif_rx_response_t rsp;

	setup();
	for (unsigned int i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i + 7);
	CHECK_INT(send(wire, frame, sizeof(frame), 0), (int)sizeof(frame));
	CHECK(xen_netback_receive(net));                /* no buffer yet: it waits */
	CHECK_UINT(rx.sring->rsp_prod, 0);
	post_rx(3, BUF_REF + 3);
	CHECK(!xen_netback_receive(net));
	CHECK_UINT(rx.sring->rsp_prod, 1);
	rsp = *RING_GET_RESPONSE(&rx, rx.rsp_cons++);
	CHECK_UINT(rsp.id, 3);
	CHECK_INT(rsp.status, (int)sizeof(frame));
	CHECK_UINT(rsp.offset, 0);
	CHECK(memcmp(fake_xen_page(&guest, BUF_GFN + 3), frame, sizeof(frame)) == 0);
	CHECK(xen_events_is_pending(&guest.events, net->port));
	/* A buffer we may not write: that frame is lost with an error. */
	fake_xen_grant(&guest, BUF_REF + 4, XEN_HOST_DOM0, BUF_GFN + 4, true);
	post_rx(4, BUF_REF + 4);
	post_rx(5, 4000);
	CHECK_INT(send(wire, frame, sizeof(frame), 0), (int)sizeof(frame));
	CHECK_INT(send(wire, frame, sizeof(frame), 0), (int)sizeof(frame));
	xen_netback_receive(net);
	CHECK_INT(RING_GET_RESPONSE(&rx, rx.rsp_cons++)->status, NETIF_RSP_ERROR);
	CHECK_INT(RING_GET_RESPONSE(&rx, rx.rsp_cons++)->status, NETIF_RSP_ERROR);
	/* More than a page, or less than a header: dropped, buffer kept. */
	post_rx(6, BUF_REF + 6);
	CHECK_INT(send(wire, big, sizeof(big), 0), (int)sizeof(big));
	CHECK_INT(send(wire, big, 10, 0), 10);
	CHECK(xen_netback_receive(net) == false);
	CHECK_UINT(rx.sring->rsp_prod, rx.rsp_cons);
	CHECK_UINT(net->stats.rx_dropped, 2);
	CHECK(fake_xen_grants_idle(&guest, BUF_REF, BUFFERS));
	teardown();
}

static void ring_index_garbage_closes_the_connection(void)
{
	setup();
	fputs("# the next 2 messages, about req_prod, are expected:\n", stderr);
	rx.sring->req_prod = 1000;              /* the rx ring has 256 entries */
	xen_netback_receive(net);
	CHECK(!net->connected);
	CHECK_UINT(fake_xen_read_number(&guest, net->bus.backend, "state"), XenbusStateClosing);
	/* Again, on the tx ring, after reconnecting. */
	frontend_state(XenbusStateClosed);
	frontend_state(XenbusStateInitialising);
	frontend_connect(true);
	CHECK(net->connected);
	tx.sring->req_prod = 0x80000000u;
	xen_netback_notify(net);
	CHECK(!net->connected);
	CHECK(!(fake_xen_entry(&guest, RX_RING_REF)->flags & GTF_writing));
	teardown();
}

/* Random requests on both rings, seeded: every request is answered,
 * nothing crashes, every grant is given back. */
static void random_garbage_on_the_rings(void)
{
	unsigned int seed = 1130;
	uint8_t frame[64] = { 0 }, sink[PACKET_LINK_FRAME_MAX];

	setup();
	for (int round = 0; round < RANDOM_ROUNDS && net->connected; round++) {
		unsigned int n = (unsigned int)rand_r(&seed) % 8;
		RING_IDX tx_before = tx.sring->rsp_prod;

		for (unsigned int i = 0; i < n; i++) {
			netif_tx_request_t *req = RING_GET_REQUEST(&tx, tx.req_prod_pvt + i);

			req->gref = BUF_REF + (grant_ref_t)(rand_r(&seed) % (BUFFERS + 2));
			req->offset = (uint16_t)(rand_r(&seed) % 5000);
			req->flags = (uint16_t)(rand_r(&seed) % 4 == 0 ? rand_r(&seed) : 0);
			req->id = (uint16_t)rand_r(&seed);
			req->size = (uint16_t)(rand_r(&seed) % 5000);
		}
		tx.req_prod_pvt += n;
		tx.sring->req_prod = tx.req_prod_pvt;
		if (rand_r(&seed) % 2) {
			post_rx((uint16_t)rand_r(&seed), BUF_REF + (grant_ref_t)(rand_r(&seed) % 20));
			CHECK(send(wire, frame, 14 + (size_t)(rand_r(&seed) % 50), 0) > 0);
		}
		xen_netback_notify(net);
		CHECK_UINT(tx.sring->rsp_prod - tx_before, n);
		tx.rsp_cons = tx.sring->rsp_prod;
		rx.rsp_cons = rx.sring->rsp_prod;
		while (recv(wire, sink, sizeof(sink), 0) > 0)
			;
	}
	CHECK(net->connected);
	CHECK_UINT(rx.sring->rsp_prod, rx.req_prod_pvt);       /* every buffer answered */
	CHECK(fake_xen_grants_idle(&guest, BUF_REF, BUFFERS));
	CHECK(net->stats.tx_frames > 0 && net->stats.tx_errors > 0);
	teardown();
}

void xen_netback_tests(void)
{
	check_run("xen_netback.handshake_and_nodes", handshake_and_nodes);
	check_run("xen_netback.frames_go_out", frames_go_out);
	check_run("xen_netback.hostile_tx_requests_fail_alone", hostile_tx_requests_fail_alone);
	check_run("xen_netback.frames_come_in_to_posted_buffers",
		  frames_come_in_to_posted_buffers);
	check_run("xen_netback.ring_index_garbage_closes_the_connection",
		  ring_index_garbage_closes_the_connection);
	check_run("xen_netback.random_garbage_on_the_rings", random_garbage_on_the_rings);
}
