/*
 * netfront.c — the Xen network frontend (netif protocol, xen/io/netif.h)
 * behind kernel/netdev.h; see netfront.h and docs/xen-netfront.md.
 *
 * Connecting (netfront_init, at boot): for each device/vif/N in our
 * xenstore home, read the backend's path and domain and our MAC, wait
 * for the backend (netback) to reach InitWait, grant it the two ring
 * pages and every buffer page, open an event channel to it, write
 * tx-ring-ref, rx-ring-ref, event-channel and our features in one
 * transaction, post the rx buffers, say Connected, and wait for the
 * backend to say Connected too.
 *
 * Grants are made once and kept: buffer `id` always sits in the same page
 * under the same grant, so refilling the rx ring or sending a frame is
 * only a ring write.  (Linux grants and revokes per use; keeping them is
 * what netif calls "persistent" on the frontend's side, and costs nothing
 * in safety: the backend can reach exactly the pages we meant it to.)
 *
 * Receiving is polled as for virtio-net: the event only wakes the CPU;
 * netdev_poll() takes the responses, hands the good frames up, and posts
 * every buffer that came back again.  Sent frames are reclaimed at the
 * next transmit or poll: nothing waits for them.
 *
 * The backend is not trusted.  Each response is copied out of the shared
 * ring once (RING_COPY_RESPONSE) and only the copy is looked at; a frame
 * is copied out of its page before the stack sees it, so the backend
 * cannot change it while it is parsed.  A response that is merely bad
 * (an error status, a size that cannot be a frame) costs that frame; one
 * that breaks the protocol (an id we have not posted, a producer index
 * beyond our requests, flags we never negotiated) disconnects the device:
 * it says why, turns the link down, masks its event channel and moves
 * our xenbus state to Closed.  Other devices carry on.
 */
#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/page_alloc.h"
#include "kernel/timer.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/xen/grant_table.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/netfront.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_evtchn.h"
#include "pv/xen/xenstore.h"

#define VIF_DIR                 "device/vif"
#define VIF_NAMES_MAX           256     /* the names under device/vif, nul-separated */
#define NETFRONT_POLL_RX_CHECK  4       /* loops of "take, re-arm, look again" at most */
/* Stand-in grant refs of an unconnected netfront: far above any real ref,
 * so a test that mistakes one for a grant finds no entry. */
#define UNCONNECTED_REF_BASE    0x40000000u

static uint8_t *buffer_page(uint8_t *pages, unsigned int id)
{
	return pages + (size_t)id * PAGE_SIZE;
}

/* ---- the backend broke the rules ---------------------------------------------------- */

/* Stop using the device, for good (the backend broke the protocol, or the
 * connection failed half-way): link down, no more ring accesses, the
 * event channel masked, and (for a real backend) our state Closed, so the
 * toolstack sees it too. */
static void disconnect(struct netfront *nf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void disconnect(struct netfront *nf, const char *fmt, ...)
{
	va_list ap;

	if (nf->broken)
		return;
	va_start(ap, fmt);
	vsnprintf(nf->broken_reason, sizeof(nf->broken_reason), fmt, ap);
	va_end(ap);
	nf->broken = true;
	nf->netdev.link_up = false;
	printk("netfront: %s: disconnected: %s\n", nf->dir, nf->broken_reason);
	if (nf->connected) {
		xen_evtchn_mask(nf->port);
		xenbus_switch_state(nf->dir, XenbusStateClosed);
	}
}

/* Read once: the backend may change it at any moment. */
static RING_IDX read_index(const RING_IDX *shared)
{
	RING_IDX value = *(const volatile RING_IDX *)shared;

	xen_rmb();              /* the responses up to it, after the index */
	return value;
}

static void notify_backend(struct netfront *nf)
{
	if (!nf->connected)
		return;
	nf->stats.notifications++;
	xen_evtchn_send(nf->port);
}

/* ---- receiving ------------------------------------------------------------------------ */

unsigned int netfront_rx_posted(const struct netfront *nf)
{
	return nf->rx.req_prod_pvt - nf->rx.rsp_cons;
}

/* Every buffer that is ours again goes back to the backend, in one push. */
static void refill_rx(struct netfront *nf)
{
	bool notify = false;
	unsigned int posted = 0;

	for (uint16_t id = 0; id < NETFRONT_RX_BUFFERS; id++) {
		struct netif_rx_request *req;

		if (nf->rx_in_flight[id])
			continue;
		req = RING_GET_REQUEST(&nf->rx, nf->rx.req_prod_pvt);
		req->id = id;
		req->gref = nf->rx_grant[id];
		nf->rx.req_prod_pvt++;
		nf->rx_in_flight[id] = true;
		posted++;
	}
	if (!posted)
		return;
	nf->stats.rx_posted += posted;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
	if (notify)
		notify_backend(nf);
}

/* The size a good response announces, or 0 (counted) when it cannot be a
 * frame: the backend's error, or a size or place outside the page. */
static size_t rx_frame_size(struct netfront *nf, const struct netif_rx_response *rsp)
{
	if (rsp->status < 0) {
		nf->stats.rx_errors++;
		return 0;
	}
	if ((size_t)rsp->status < NETDEV_ETH_HEADER_LEN || rsp->status > NETFRONT_FRAME_MAX ||
	    rsp->offset + (size_t)rsp->status > PAGE_SIZE) {
		nf->stats.rx_bad_size++;
		return 0;
	}
	return (size_t)rsp->status;
}

/* One response, already copied out of the ring: true when a frame went up. */
static bool take_rx_response(struct netfront *nf, const struct netif_rx_response *rsp)
{
	size_t size;

	if (rsp->id >= NETFRONT_RX_BUFFERS || !nf->rx_in_flight[rsp->id]) {
		disconnect(nf, "rx response for buffer %u, which it does not hold", rsp->id);
		return false;
	}
	nf->rx_in_flight[rsp->id] = false;
	if (rsp->flags & (NETRXF_more_data | NETRXF_extra_info)) {
		disconnect(nf, "rx flags %#x: fragments or extra info were not negotiated",
			   rsp->flags);
		return false;
	}
	size = rx_frame_size(nf, rsp);
	if (!size) {
		nf->netdev.stats.rx_dropped++;
		return false;
	}
	memcpy(nf->rx_copy, buffer_page(nf->rx_pages, rsp->id) + rsp->offset, size);
	netdev_deliver(&nf->netdev, nf->rx_copy, size);
	return true;
}

/* Up to budget responses; returns the frames delivered. */
static unsigned int receive_some(struct netfront *nf, unsigned int budget)
{
	RING_IDX prod = read_index(&nf->rx.sring->rsp_prod);
	unsigned int delivered = 0, taken = 0;

	if (prod - nf->rx.rsp_cons > netfront_rx_posted(nf)) {
		disconnect(nf, "rx response index %u, but only %u requests are posted from %u",
			   prod, netfront_rx_posted(nf), nf->rx.rsp_cons);
		return 0;
	}
	while (nf->rx.rsp_cons != prod && taken < budget && !nf->broken) {
		struct netif_rx_response rsp;

		RING_COPY_RESPONSE(&nf->rx, nf->rx.rsp_cons, &rsp);
		nf->rx.rsp_cons++;
		taken++;
		delivered += take_rx_response(nf, &rsp);
	}
	return delivered;
}

/* ---- transmitting ------------------------------------------------------------------- */

unsigned int netfront_tx_in_flight(const struct netfront *nf)
{
	return NETFRONT_TX_BUFFERS - nf->tx_free_count;
}

static void take_tx_response(struct netfront *nf, const struct netif_tx_response *rsp)
{
	if (rsp->id >= NETFRONT_TX_BUFFERS || !nf->tx_in_flight[rsp->id]) {
		disconnect(nf, "tx response for buffer %u, which it does not hold", rsp->id);
		return;
	}
	if (rsp->status != NETIF_RSP_OKAY && rsp->status != NETIF_RSP_ERROR &&
	    rsp->status != NETIF_RSP_DROPPED) {
		disconnect(nf, "tx response status %d", rsp->status);
		return;
	}
	nf->tx_in_flight[rsp->id] = false;
	nf->tx_free[nf->tx_free_count++] = rsp->id;
	if (rsp->status == NETIF_RSP_OKAY)
		nf->stats.tx_done++;
	else
		nf->stats.tx_errors++;
}

/* Takes back the buffers of every answered tx request. */
static void reclaim_tx(struct netfront *nf)
{
	RING_IDX prod = read_index(&nf->tx.sring->rsp_prod);
	RING_IDX outstanding = nf->tx.req_prod_pvt - nf->tx.rsp_cons;

	if (prod - nf->tx.rsp_cons > outstanding) {
		disconnect(nf, "tx response index %u, but only %u requests are out from %u",
			   prod, outstanding, nf->tx.rsp_cons);
		return;
	}
	while (nf->tx.rsp_cons != prod && !nf->broken) {
		struct netif_tx_response rsp;

		RING_COPY_RESPONSE(&nf->tx, nf->tx.rsp_cons, &rsp);
		nf->tx.rsp_cons++;
		take_tx_response(nf, &rsp);
	}
}

/* The frame goes into a free buffer's page, whose grant the request names;
 * no checksum offload: flags 0, our stack has filled in every checksum. */
static int netfront_transmit(struct netdev *dev, const void *frame, size_t len)
{
	struct netfront *nf = dev->driver_data;
	struct netif_tx_request *req;
	bool notify = false;
	uint16_t id;

	if (nf->broken)
		return -EIO;
	reclaim_tx(nf);
	if (nf->broken)
		return -EIO;
	if (nf->tx_free_count == 0) {
		nf->stats.tx_ring_full++;
		return -ENOSPC;
	}
	id = nf->tx_free[--nf->tx_free_count];
	nf->tx_in_flight[id] = true;
	memcpy(buffer_page(nf->tx_pages, id), frame, len);
	req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
	req->gref = nf->tx_grant[id];
	req->offset = 0;
	req->flags = 0;
	req->id = id;
	req->size = (uint16_t)len;
	nf->tx.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
	if (notify)
		notify_backend(nf);
	return 0;
}

/* ---- the netdev operations ------------------------------------------------------------ */

static int netfront_open(struct netdev *dev)
{
	struct netfront *nf = dev->driver_data;

	return nf->broken ? -EIO : 0;   /* the rx buffers went out when we connected */
}

/*
 * Frames until the budget is spent or the ring is empty.  When it is
 * empty, RING_FINAL_CHECK_FOR_RESPONSES asks the backend for an event at
 * the next response (rsp_event) and looks once more, so a response that
 * slipped in meanwhile is not left waiting for an event that will not come.
 */
static unsigned int netfront_poll(struct netdev *dev, unsigned int budget)
{
	struct netfront *nf = dev->driver_data;
	unsigned int delivered = 0;

	if (nf->broken)
		return 0;
	reclaim_tx(nf);
	for (unsigned int round = 0; round < NETFRONT_POLL_RX_CHECK && !nf->broken; round++) {
		int more = 0;

		delivered += receive_some(nf, budget - delivered);
		if (delivered == budget || nf->broken)
			break;
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
		if (!more)
			break;
	}
	if (!nf->broken)
		refill_rx(nf);
	return delivered;
}

static const struct netdev_ops netfront_ops = {
	.open = netfront_open,
	.transmit = netfront_transmit,
	.poll = netfront_poll,
};

struct netfront *netfront_of(struct netdev *dev)
{
	return dev && dev->ops == &netfront_ops ? dev->driver_data : NULL;
}

/* ---- rings and buffers ------------------------------------------------------------ */

static void free_pages_of(struct netfront *nf)
{
	if (nf->tx.sring)
		page_free(virt_to_phys(nf->tx.sring), 1);
	if (nf->rx.sring)
		page_free(virt_to_phys(nf->rx.sring), 1);
	if (nf->rx_pages)
		page_free(virt_to_phys(nf->rx_pages), NETFRONT_RX_BUFFERS);
	if (nf->tx_pages)
		page_free(virt_to_phys(nf->tx_pages), NETFRONT_TX_BUFFERS);
	kfree(nf);
}

static void *zeroed_page(void)
{
	uint64_t paddr = page_alloc(1);

	if (!paddr)
		return NULL;
	memset(phys_to_virt(paddr), 0, PAGE_SIZE);
	return phys_to_virt(paddr);
}

static uint8_t *buffer_pages(unsigned int count)
{
	uint64_t paddr = page_alloc(count);

	return paddr ? phys_to_virt(paddr) : NULL;
}

/* The rings (empty, indexes 0) and the buffer pages, with no grants yet. */
static struct netfront *alloc_netfront(void)
{
	struct netfront *nf = kzalloc(sizeof(*nf));
	struct netif_tx_sring *tx_sring;
	struct netif_rx_sring *rx_sring;

	if (!nf)
		return NULL;
	tx_sring = zeroed_page();
	rx_sring = zeroed_page();
	nf->rx_pages = buffer_pages(NETFRONT_RX_BUFFERS);
	nf->tx_pages = buffer_pages(NETFRONT_TX_BUFFERS);
	if (tx_sring) {
		SHARED_RING_INIT(tx_sring);
		FRONT_RING_INIT(&nf->tx, tx_sring, PAGE_SIZE);
	}
	if (rx_sring) {
		SHARED_RING_INIT(rx_sring);
		FRONT_RING_INIT(&nf->rx, rx_sring, PAGE_SIZE);
	}
	if (!tx_sring || !rx_sring || !nf->rx_pages || !nf->tx_pages) {
		free_pages_of(nf);
		return NULL;
	}
	for (uint16_t id = 0; id < NETFRONT_TX_BUFFERS; id++)
		nf->tx_free[nf->tx_free_count++] = NETFRONT_TX_BUFFERS - 1 - id;
	nf->netdev.ops = &netfront_ops;
	nf->netdev.driver_data = nf;
	nf->netdev.mtu = NETDEV_DEFAULT_MTU;
	return nf;
}

struct netfront *netfront_create_unconnected(void)
{
	struct netfront *nf = alloc_netfront();

	if (!nf)
		return NULL;
	for (unsigned int id = 0; id < NETFRONT_RX_BUFFERS; id++)
		nf->rx_grant[id] = UNCONNECTED_REF_BASE + id;
	for (unsigned int id = 0; id < NETFRONT_TX_BUFFERS; id++)
		nf->tx_grant[id] = UNCONNECTED_REF_BASE + NETFRONT_RX_BUFFERS + id;
	strlcpy(nf->dir, "unconnected", sizeof(nf->dir));
	strlcpy(nf->netdev.name, "nf-test", sizeof(nf->netdev.name));
	nf->netdev.model = "Xen netfront, unconnected (test)";
	nf->netdev.link_up = true;      /* the test plays a backend that is there */
	refill_rx(nf);
	return nf;
}

void netfront_destroy_unconnected(struct netfront *nf)
{
	if (nf && !nf->connected)
		free_pages_of(nf);
}

/* ---- connecting to the backend ------------------------------------------------------ */

/* "00:16:3e:5a:01:02": six two-digit hex bytes, colon-separated. */
static bool parse_mac(const char *text, uint8_t mac[NETDEV_MAC_LEN])
{
	for (unsigned int i = 0; i < NETDEV_MAC_LEN; i++) {
		const char *p = text + i * 3;
		char byte[3] = { p[0], p[0] ? p[1] : 0, 0 };
		uint64_t value;

		if (strlen(byte) != 2 || !parse_u64(byte, 16, &value))
			return false;
		if (p[2] != (i + 1 < NETDEV_MAC_LEN ? ':' : '\0'))
			return false;
		mac[i] = (uint8_t)value;
	}
	return true;
}

static long read_mac(struct netfront *nf)
{
	char path[XENBUS_PATH_MAX], text[24];
	long rc;

	snprintf(path, sizeof(path), "%s/mac", nf->dir);
	rc = xs_read(XS_NO_TRANSACTION, path, text, sizeof(text));
	if (rc < 0)
		return rc;
	return parse_mac(text, nf->netdev.mac) ? 0 : -XEN_EINVAL;
}

static long grant_page(struct netfront *nf, const void *page, bool readonly, grant_ref_t *ref)
{
	long rc = gnttab_grant_foreign_access(nf->backend_id, xen_frame_of(page), readonly);

	if (rc < 0)
		return rc;
	*ref = (grant_ref_t)rc;
	return 0;
}

/* The rings and rx buffers writable, tx buffers read-only. */
static long grant_everything(struct netfront *nf)
{
	long rc = grant_page(nf, nf->tx.sring, false, &nf->tx_ring_ref);

	if (rc == 0)
		rc = grant_page(nf, nf->rx.sring, false, &nf->rx_ring_ref);
	for (unsigned int id = 0; rc == 0 && id < NETFRONT_RX_BUFFERS; id++)
		rc = grant_page(nf, buffer_page(nf->rx_pages, id), false, &nf->rx_grant[id]);
	for (unsigned int id = 0; rc == 0 && id < NETFRONT_TX_BUFFERS; id++)
		rc = grant_page(nf, buffer_page(nf->tx_pages, id), true, &nf->tx_grant[id]);
	return rc;
}

static void netfront_event(evtchn_port_t port, void *arg)
{
	struct netfront *nf = arg;

	(void)port;
	nf->stats.events++;     /* the interrupt has woken the CPU: netdev_poll does the work */
}

/* What netback reads when we say Connected (netif.h, "Frontend"): our ring
 * pages and event channel; rx by copy into our pages (the only mode
 * netback has); events for rx refills; and no checksum offload, so every
 * frame arrives with its checksums filled in. */
static long write_connection(xs_transaction_t tx, void *arg)
{
	struct netfront *nf = arg;
	long rc = xenbus_printf(tx, nf->dir, "tx-ring-ref", "%u", nf->tx_ring_ref);

	if (rc == 0)
		rc = xenbus_printf(tx, nf->dir, "rx-ring-ref", "%u", nf->rx_ring_ref);
	if (rc == 0)
		rc = xenbus_printf(tx, nf->dir, "event-channel", "%u", nf->port);
	if (rc == 0)
		rc = xenbus_printf(tx, nf->dir, "request-rx-copy", "%u", 1);
	if (rc == 0)
		rc = xenbus_printf(tx, nf->dir, "feature-rx-notify", "%u", 1);
	if (rc == 0)
		rc = xenbus_printf(tx, nf->dir, "feature-no-csum-offload", "%u", 1);
	return rc;
}

/* Everything the backend needs before we write xenstore: where it is, our
 * MAC, the backend ready (InitWait), the grants and the event channel. */
static long prepare(struct netfront *nf, const char **step)
{
	enum xenbus_state seen;
	long rc;

	*step = "backend";
	rc = xenbus_read_backend(nf->dir, nf->backend, sizeof(nf->backend), &nf->backend_id);
	if (rc == 0) {
		*step = "mac";
		rc = read_mac(nf);
	}
	if (rc == 0) {
		*step = "waiting for the backend's InitWait";
		rc = xenbus_wait_for_state(nf->backend, XenbusStateInitWait,
					   NETFRONT_CONNECT_TIMEOUT_NS, &seen);
	}
	if (rc == 0) {
		*step = "grants";
		rc = grant_everything(nf);
	}
	if (rc == 0) {
		*step = "event channel";
		rc = xen_evtchn_alloc_unbound(nf->backend_id, &nf->port);
	}
	if (rc == 0)
		rc = xen_evtchn_bind_handler(nf->port, netfront_event, nf);
	return rc;
}

/* The handshake: our keys in one transaction, the rx buffers posted, then
 * Connected on our side, and wait for the backend's. */
static long handshake(struct netfront *nf, const char **step)
{
	enum xenbus_state seen;
	long rc;

	*step = "xenstore keys";
	rc = xs_transact(write_connection, nf);
	if (rc == 0) {
		refill_rx(nf);
		*step = "switching to Connected";
		rc = xenbus_switch_state(nf->dir, XenbusStateConnected);
	}
	if (rc == 0) {
		*step = "waiting for the backend's Connected";
		rc = xenbus_wait_for_state(nf->backend, XenbusStateConnected,
					   NETFRONT_CONNECT_TIMEOUT_NS, &seen);
	}
	return rc;
}

static void connect_vif(const char *name)
{
	struct netfront *nf = alloc_netfront();
	const char *step = "memory";
	uint64_t start = time_now_ns();
	long rc;

	if (!nf) {
		printk("netfront: " VIF_DIR "/%s: no memory for its rings\n", name);
		return;
	}
	snprintf(nf->dir, sizeof(nf->dir), VIF_DIR "/%s", name);
	rc = prepare(nf, &step);
	if (rc == 0) {
		nf->connected = true;   /* from here on a failure is told to the backend */
		rc = handshake(nf, &step);
	}
	if (rc != 0) {
		printk("netfront: %s: %s: %s\n", nf->dir, step, xen_error_name(rc));
		/* Pages the backend may have been granted are never reused:
		 * a failed device keeps them, and our state says Closed. */
		if (!nf->tx_ring_ref)
			free_pages_of(nf);
		else
			disconnect(nf, "connection failed at %s", step);
		return;
	}
	snprintf(nf->model, sizeof(nf->model), "Xen netfront (%s, backend domain %u)", nf->dir,
		 nf->backend_id);
	nf->netdev.model = nf->model;
	nf->netdev.link_up = true;
	netdev_register(&nf->netdev);
	notify_backend(nf);     /* the rx buffers are there */
	printk("netfront: %s: connected to %s in %lu ms (event channel %u, rings %u/%u, "
	       "%u rx buffers)\n", nf->dir, nf->backend, (time_now_ns() - start) / NSEC_PER_MSEC,
	       nf->port, nf->tx_ring_ref, nf->rx_ring_ref, netfront_rx_posted(nf));
}

void netfront_init(void)
{
	char names[VIF_NAMES_MAX];
	long count, rc;
	const char *name = names;

	if (!xen_running() || !xen_info()->shared_info)
		return;
	rc = xs_init();
	if (rc == 0)
		rc = gnttab_init();
	if (rc != 0) {
		printk("netfront: not probed: %s\n", xen_error_name(rc));
		return;
	}
	count = xs_directory(XS_NO_TRANSACTION, VIF_DIR, names, sizeof(names));
	if (count == -XEN_ENOENT)
		return;                 /* the toolstack gave us no network */
	if (count < 0) {
		printk("netfront: listing " VIF_DIR ": %s\n", xen_error_name(count));
		return;
	}
	for (long i = 0; i < count; i++, name += strlen(name) + 1)
		connect_vif(name);
}
