/*
 * xen_netback.c — the Xen network backend (see host/xen_netback.h).
 *
 * Everything a request says is read once from a private copy
 * (RING_COPY_REQUEST); the pages are reached only through their grants,
 * held for one copy each.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "host/error.h"
#include "host/trace.h"
#include "host/xen_netback.h"

#define PAGE_SIZE       XEN_GNTTAB_PAGE_SIZE

/* A page through a grant, counted. */
static bool use_grant(struct xen_netback *n, grant_ref_t ref, bool write, struct xen_grant *g)
{
	n->stats.grants++;
	return xen_xenbus_take_grant(&n->bus, n->gnttab, ref, write, g);
}

/* The frontend's producer index on a ring, read once; false when more
 * than a ring's worth is outstanding (we then close the connection). */
static bool producer_ok(RING_IDX prod, RING_IDX rsp_prod_pvt, unsigned int size, const char *ring)
{
	if (prod - rsp_prod_pvt <= size)
		return true;
	fprintf(stderr, "pvkit-hv: xen netback: the frontend's %s req_prod %u is more than a "
		"ring (%u) past our responses (%u): connection closed\n", ring, prod, size,
		rsp_prod_pvt);
	return false;
}

static void broken_ring(struct xen_netback *n);

/* ---- transmit ------------------------------------------------------------------ */

static void tx_respond(struct xen_netback *n, uint16_t id, int16_t status)
{
	netif_tx_response_t *rsp = RING_GET_RESPONSE(&n->tx, n->tx.rsp_prod_pvt);

	rsp->id = id;
	rsp->status = status;
	n->tx.rsp_prod_pvt++;
}

/* One single-slot frame: its status. */
static int16_t transmit(struct xen_netback *n, const netif_tx_request_t *req)
{
	struct xen_grant g;

	if (req->size < XEN_NETBACK_FRAME_MIN || req->offset + (uint32_t)req->size > PAGE_SIZE)
		return NETIF_RSP_ERROR;
	if (!use_grant(n, req->gref, false, &g))
		return NETIF_RSP_ERROR;
	memcpy(n->frame, g.page + req->offset, req->size);     /* before the frontend changes it */
	xen_gnttab_release(n->gnttab, &g);
	if (packet_link_send(&n->link, n->frame, req->size) < 0)
		n->stats.tx_lost++;     /* nobody listening: lost, as on a cable */
	return NETIF_RSP_OKAY;
}

/* The slots of a chain we cannot take (more_data or extra_info): each
 * fails.  Returns how many slots it had (at least 1, at most the slots
 * published and XEN_NETIF_NR_SLOTS_MIN). */
static RING_IDX refuse_chain(struct xen_netback *n, RING_IDX index, RING_IDX prod)
{
	RING_IDX used = 0;
	netif_tx_request_t req;

	do {
		RING_COPY_REQUEST(&n->tx, index + used, &req);
		tx_respond(n, req.id, NETIF_RSP_ERROR);
		used++;
	} while ((req.flags & (NETTXF_more_data | NETTXF_extra_info)) &&
		 index + used != prod && used < XEN_NETIF_NR_SLOTS_MIN);
	return used;
}

static bool take_tx(struct xen_netback *n)
{
	RING_IDX prod = __atomic_load_n(&n->tx.sring->req_prod, __ATOMIC_ACQUIRE);

	if (!producer_ok(prod, n->tx.rsp_prod_pvt, RING_SIZE(&n->tx), "tx"))
		return false;
	while (n->tx.req_cons != prod) {
		netif_tx_request_t req;
		int16_t status;

		RING_COPY_REQUEST(&n->tx, n->tx.req_cons, &req);
		if (req.flags & (NETTXF_more_data | NETTXF_extra_info)) {
			TRACE("xen netback: tx id %u: more_data/extra_info not offered: error", req.id);
			n->tx.req_cons += refuse_chain(n, n->tx.req_cons, prod);
			n->stats.tx_errors++;
			continue;
		}
		status = transmit(n, &req);
		TRACE("xen netback: tx id %u, %u bytes at offset %u: status %d", req.id, req.size,
		      req.offset, status);
		tx_respond(n, req.id, status);
		n->tx.req_cons++;
		if (status == NETIF_RSP_OKAY)
			n->stats.tx_frames++;
		else
			n->stats.tx_errors++;
	}
	return true;
}

/* ---- receive -------------------------------------------------------------------- */

static void rx_respond(struct xen_netback *n, uint16_t id, int16_t status)
{
	netif_rx_response_t *rsp = RING_GET_RESPONSE(&n->rx, n->rx.rsp_prod_pvt);

	rsp->id = id;
	rsp->offset = 0;
	rsp->flags = 0;         /* whole frames, checksums as they came */
	rsp->status = status;
	n->rx.rsp_prod_pvt++;
}

/* The frame in n->frame into the next posted buffer (rx-copy). */
static void deliver(struct xen_netback *n, size_t len)
{
	netif_rx_request_t req;
	struct xen_grant g;
	int16_t status = (int16_t)len;

	RING_COPY_REQUEST(&n->rx, n->rx.req_cons, &req);
	n->rx.req_cons++;
	if (use_grant(n, req.gref, true, &g)) {
		memcpy(g.page, n->frame, len);
		xen_gnttab_release(n->gnttab, &g);
		n->stats.rx_frames++;
	} else {
		status = NETIF_RSP_ERROR;
		n->stats.rx_errors++;
	}
	TRACE("xen netback: rx id %u, %zu bytes: status %d", req.id, len, status);
	rx_respond(n, req.id, status);
}

static bool link_readable(const struct xen_netback *n)
{
	struct pollfd pfd = { .fd = n->link.fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/* Frames from the link while buffers are posted; false when the ring is
 * broken.  *starved: frames may wait for buffers. */
static bool take_rx(struct xen_netback *n, bool *starved)
{
	RING_IDX prod = __atomic_load_n(&n->rx.sring->req_prod, __ATOMIC_ACQUIRE);

	*starved = false;
	if (!producer_ok(prod, n->rx.rsp_prod_pvt, RING_SIZE(&n->rx), "rx"))
		return false;
	for (int i = 0; i < XEN_NETBACK_RX_BATCH; i++) {
		if (n->rx.req_cons == prod) {
			*starved = link_readable(n);
			break;
		}
		ssize_t len = packet_link_receive(&n->link, n->frame, sizeof(n->frame));

		if (len < 0)
			break;          /* EAGAIN: nothing more */
		if (len < XEN_NETBACK_FRAME_MIN || len > PAGE_SIZE) {
			n->stats.rx_dropped++;  /* not a frame a page can take: dropped here */
			continue;
		}
		deliver(n, (size_t)len);
	}
	return true;
}

/* ---- events --------------------------------------------------------------------- */

/* After pushing a ring's responses (up to prod): the event, if due. */
static void notify_frontend(struct xen_netback *n, const char *ring, RING_IDX prod, bool due)
{
	TRACE("xen netback: %s rsp_prod %u%s", ring, prod, due ? ", event to the frontend" : "");
	if (due && xen_events_notify_frontend(n->events, n->port, n->backend_id))
		n->stats.events++;
}

/* Before the frontend connects (or after it broke the ring) the link is
 * down: frames are read and dropped, so they do not pile up. */
static void drop_frames(struct xen_netback *n)
{
	for (int i = 0; i < XEN_NETBACK_RX_BATCH; i++) {
		if (packet_link_receive(&n->link, n->frame, sizeof(n->frame)) < 0)
			break;
		n->stats.rx_dropped++;
	}
}

bool xen_netback_receive(struct xen_netback *n)
{
	bool starved = false;
	int notify;

	if (!n->connected) {
		drop_frames(n);
		return false;
	}
	if (!take_rx(n, &starved)) {
		broken_ring(n);
		return false;
	}
	/* A frame we deliver while the frontend is busy in its own poll (we
	 * run inside its transmit's notification) may come after it looked at
	 * the ring and before it re-armed rsp_event: the event is sent for
	 * every new response, as for blkback, and a frontend takes one it did
	 * not need. */
	RING_IDX before = n->rx.sring->rsp_prod;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&n->rx, notify);
	(void)notify;           /* what rsp_event says; we send one anyway (above) */
	if (n->rx.rsp_prod_pvt != before)
		notify_frontend(n, "rx", n->rx.rsp_prod_pvt, true);
	return starved;
}

void xen_netback_notify(struct xen_netback *n)
{
	int tx_notify, more;
	RING_IDX before;

	if (!n->connected)
		return;
	before = n->tx.rsp_prod_pvt;
	n->stats.notifications++;
	if (!take_tx(n)) {
		broken_ring(n);
		return;
	}
	RING_FINAL_CHECK_FOR_REQUESTS(&n->tx, more);
	if (more && !take_tx(n)) {
		broken_ring(n);
		return;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&n->tx, tx_notify);
	if (n->tx.rsp_prod_pvt != before)
		notify_frontend(n, "tx", n->tx.rsp_prod_pvt, tx_notify);
	xen_netback_receive(n);         /* new rx buffers, maybe */
}

/* ---- the connection ------------------------------------------------------------ */

/* A ring page named by the frontend's node, taken writable. */
static bool take_ring(struct xen_netback *n, const char *node, struct xen_grant *g)
{
	uint64_t ref;

	return xen_xenbus_read_frontend_u64(&n->bus, node, UINT32_MAX, &ref) == 0 &&
	       use_grant(n, (grant_ref_t)ref, true, g);
}

static const char *connect_rings(struct xen_netback *n)
{
	uint64_t port, rx_copy;

	if (xen_xenbus_read_frontend_u64(&n->bus, "request-rx-copy", 1, &rx_copy) != 0 ||
	    rx_copy != 1)
		return "no request-rx-copy = 1 (rx-flip is not offered)";
	if (xen_xenbus_read_frontend_u64(&n->bus, "event-channel", UINT32_MAX, &port) != 0)
		return "no usable event-channel (split channels are not offered)";
	if (!take_ring(n, "tx-ring-ref", &n->tx_grant))
		return "tx-ring-ref is not a page granted to dom0, writable";
	if (!take_ring(n, "rx-ring-ref", &n->rx_grant)) {
		xen_gnttab_release(n->gnttab, &n->tx_grant);
		return "rx-ring-ref is not a page granted to dom0, writable";
	}
	if (xen_events_bind_to_backend(n->events, (evtchn_port_t)port, n->backend_id) != 0) {
		xen_gnttab_release(n->gnttab, &n->tx_grant);
		xen_gnttab_release(n->gnttab, &n->rx_grant);
		return "event-channel is not a port offered to dom0";
	}
	n->port = (evtchn_port_t)port;
	return NULL;
}

static bool connect_frontend(void *opaque)
{
	struct xen_netback *n = opaque;
	const char *why = connect_rings(n);

	if (why) {
		fprintf(stderr, "pvkit-hv: xen netback: %s: %s: not connecting\n", n->bus.frontend,
			why);
		return false;
	}
	BACK_RING_INIT(&n->tx, (netif_tx_sring_t *)n->tx_grant.page, PAGE_SIZE);
	BACK_RING_INIT(&n->rx, (netif_rx_sring_t *)n->rx_grant.page, PAGE_SIZE);
	n->connected = true;
	TRACE("xen netback: connected: port %u", n->port);
	return true;
}

static void disconnect_frontend(void *opaque)
{
	struct xen_netback *n = opaque;

	if (!n->connected)
		return;
	xen_events_unbind_backend(n->events, n->port, n->backend_id);
	xen_gnttab_release(n->gnttab, &n->tx_grant);
	xen_gnttab_release(n->gnttab, &n->rx_grant);
	n->connected = false;
	TRACE("xen netback: disconnected");
}

static void broken_ring(struct xen_netback *n)
{
	disconnect_frontend(n);
	xen_xenbus_switch_state(&n->bus, XenbusStateClosing);
}

bool xen_netback_poll_xenbus(struct xen_netback *n)
{
	return xen_xenbus_poll(&n->bus);
}

/* ---- setup ----------------------------------------------------------------------- */

/* xl's vif nodes and netback's features before InitWait. */
static int write_vif_nodes(void *opaque)
{
	struct xen_netback *n = opaque;
	struct xen_xenbus_device *d = &n->bus;
	char mac[18];
	int rc;

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1],
		 n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
	rc = xen_xenbus_write(d, XEN_XENBUS_FRONTEND, "mac", "%s", mac);
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_FRONTEND, "handle", "0");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "mac", "%s", mac);
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "handle", "0");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "type", "vif");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "feature-rx-copy", "1");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "feature-rx-flip", "0");
	if (rc == 0)
		rc = xen_xenbus_write(d, XEN_XENBUS_BACKEND, "feature-sg", "0");
	return rc;
}

bool xen_netback_create(struct xen_netback *n, const struct packet_link *link,
			const uint8_t mac[XEN_NETBACK_MAC_LEN], struct xenstore *store,
			struct xen_gnttab *gnttab, struct xen_events *events, int backend_id,
			char *err, size_t err_len)
{
	const struct xen_xenbus_ops ops = { .write_nodes = write_vif_nodes,
					    .connect = connect_frontend,
					    .disconnect = disconnect_frontend, .opaque = n };
	int rc;

	n->gnttab = gnttab;
	n->events = events;
	n->backend_id = backend_id;
	n->link = *link;
	n->connected = false;
	memset(&n->stats, 0, sizeof(n->stats));
	memcpy(n->mac, mac, XEN_NETBACK_MAC_LEN);
	rc = xen_xenbus_create(&n->bus, store, "vif", 0, &ops);
	if (rc == 0)
		return true;
	xen_netback_destroy(n);
	return error_set(err, err_len, "--xen-net: the store refused the card's nodes: %s",
			 xenstore_error_name(-rc));
}

void xen_netback_destroy(struct xen_netback *n)
{
	disconnect_frontend(n);
	xen_xenbus_destroy(&n->bus);
	packet_link_close(&n->link);
}

void xen_netback_print_stats(const struct xen_netback *n, FILE *out)
{
	const struct xen_netback_stats *s = &n->stats;

	fprintf(out, "  xen netback: %" PRIu64 " notifications, tx %" PRIu64 " frames (%" PRIu64
		" errors, %" PRIu64 " lost), rx %" PRIu64 " frames (%" PRIu64 " errors, %" PRIu64
		" dropped), %" PRIu64 " grant uses, %" PRIu64 " events sent\n", s->notifications,
		s->tx_frames, s->tx_errors, s->tx_lost, s->rx_frames, s->rx_errors, s->rx_dropped,
		s->grants, s->events);
}
