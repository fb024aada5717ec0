/*
 * xen_netback.h — pvkit-hv's Xen network backend: the guest's netfront
 * (vif 0) joined to a UDP socket or a TAP interface (host/packet_link.h,
 * the links --virtio-net uses), over the netif protocol
 * (/usr/include/xen/io/netif.h), as Linux's xen-netback joins a vif to
 * dom0's bridge.  docs/pvkit-hv-xen.md, "The network backend".
 *
 * The toolstack's part: device/vif/0 and backend/vif/1/0 with the MAC in
 * both, feature-rx-copy, InitWait (host/xen_xenbus.c).  When the frontend
 * says Connected, its two ring pages are taken through the grant model and
 * kept, its event channel bound to us; it must ask for request-rx-copy
 * (the only receive mode netback has).
 *
 * Transmit (tx ring): each request names a granted page, an offset and a
 * size; the page is taken read-only, the frame (14 to 4096 bytes, inside
 * the page) sent as one datagram, the page given back, and the request
 * answered with its id: OKAY, or ERROR for a bad grant, size or offset.
 * We offer no scatter-gather and no extra info: a request with
 * NETTXF_more_data or NETTXF_extra_info fails, with every slot of its
 * chain (at most XEN_NETIF_NR_SLOTS_MIN).
 * Receive (rx ring, rx-copy): a frame waiting on the link is read into the
 * page of the next posted rx request, taken writable through its grant,
 * and answered with the request's id, offset 0 and the frame's length; a
 * bad grant answers NETIF_RSP_ERROR (that frame is lost).  Frames wait in
 * the link while no rx request is posted.
 * Work per call is bounded by the rings' sizes; a producer index no ring
 * can have closes the connection (Closing).
 */
#ifndef PVKIT_HOST_XEN_NETBACK_H
#define PVKIT_HOST_XEN_NETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "host/packet_link.h"
#include "host/xen_evtchn.h"
#include "host/xen_gnttab.h"
#include "host/xen_ring.h"
#include "host/xen_xenbus.h"

#include <xen/io/netif.h>

#define XEN_NETBACK_MAC_LEN     6
#define XEN_NETBACK_FRAME_MIN   14      /* an Ethernet header */
#define XEN_NETBACK_RX_BATCH    64      /* frames received per call at most */

struct xen_netback_stats {
	uint64_t notifications;
	uint64_t tx_frames, tx_errors, tx_lost;     /* lost: the link refused it */
	uint64_t rx_frames, rx_errors;
	uint64_t rx_dropped;            /* link down, or not a frame a page can take */
	uint64_t grants;
	uint64_t events;
};

struct xen_netback {
	struct xen_gnttab *gnttab;
	struct xen_events *events;
	int backend_id;
	struct packet_link link;
	uint8_t mac[XEN_NETBACK_MAC_LEN];
	struct xen_xenbus_device bus;
	bool connected;
	struct xen_grant tx_grant, rx_grant;    /* the two ring pages */
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	evtchn_port_t port;
	struct xen_netback_stats stats;
	uint8_t frame[PACKET_LINK_FRAME_MAX];
};

/* Takes over `link` (open) and writes vif 0 into the store, up to
 * InitWait.  False with a message when the store refuses. */
bool xen_netback_create(struct xen_netback *n, const struct packet_link *link,
			const uint8_t mac[XEN_NETBACK_MAC_LEN], struct xenstore *store,
			struct xen_gnttab *gnttab, struct xen_events *events, int backend_id,
			char *err, size_t err_len);
void xen_netback_destroy(struct xen_netback *n);

/* After the guest's xenstore requests: the handshake, if its state
 * changed.  True when the store changed. */
bool xen_netback_poll_xenbus(struct xen_netback *n);

/* The frontend sent on its port: its tx requests, and frames for the rx
 * buffers it may have posted. */
void xen_netback_notify(struct xen_netback *n);
/* Frames waiting on the link into posted rx buffers.  True when frames
 * may still be waiting for lack of buffers. */
bool xen_netback_receive(struct xen_netback *n);

void xen_netback_print_stats(const struct xen_netback *n, FILE *out);

#endif
