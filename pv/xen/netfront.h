/*
 * netfront.h — the Xen network frontend: a vif (xenstore device/vif/N)
 * whose backend is netback in dom0, behind the kernel's network-device
 * interface (kernel/netdev.h), so the net/ stack runs over it unchanged.
 *
 * Two shared rings of the netif protocol (xen/io/netif.h), each one page
 * granted to the backend: on tx we post a request per frame (the grant of
 * a page holding it, its size) and the backend answers with a status; on
 * rx we post requests that each carry the grant of an empty page, and with
 * request-rx-copy the backend copies an arriving frame into one of them
 * and answers with its size.  One event channel rings both ways.
 *
 * The struct is public for the tests (tests/guest/test_xen_netfront.c),
 * which play a hostile backend on a netfront that is not connected to
 * anything.  See docs/xen-netfront.md.
 */
#ifndef PVKIT_PV_XEN_NETFRONT_H
#define PVKIT_PV_XEN_NETFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "pv/xen/xen_ring.h"

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xen/io/netif.h>

#include "kernel/netdev.h"
#include "pv/xen/xenbus.h"

/* Buffers, one page each, that we keep posted on rx and may have in flight
 * on tx.  The rings have 256 slots (one page); we use fewer buffers, so a
 * ring never fills up and its size needs no checking. */
#define NETFRONT_RX_BUFFERS     64
#define NETFRONT_TX_BUFFERS     32
#define NETFRONT_FRAME_MAX      (NETDEV_ETH_HEADER_LEN + NETDEV_DEFAULT_MTU)
#define NETFRONT_CONNECT_TIMEOUT_NS (10ULL * 1000 * 1000 * 1000)

struct netfront_stats {
	uint64_t events;                /* event-channel upcalls */
	uint64_t notifications;         /* events we sent the backend */
	uint64_t rx_posted;             /* rx requests given to the backend, refills included */
	uint64_t rx_errors;             /* rx responses with a negative status */
	uint64_t rx_bad_size;           /* empty, shorter than an Ethernet header, longer
					 * than a frame, or past the end of the page */
	uint64_t tx_done;               /* tx responses NETIF_RSP_OKAY */
	uint64_t tx_errors;             /* tx responses NETIF_RSP_ERROR or _DROPPED */
	uint64_t tx_ring_full;          /* frames refused: every tx buffer in flight */
};

struct netfront {
	struct netdev netdev;
	char dir[XENBUS_PATH_MAX];      /* "device/vif/0", relative to our home */
	char backend[XENBUS_PATH_MAX];  /* "/local/domain/0/backend/vif/1/0" */
	domid_t backend_id;
	evtchn_port_t port;
	bool connected;                 /* to a real backend: grants, event channel */
	bool broken;                    /* the backend broke the protocol: disconnected */
	char broken_reason[80];
	struct netif_tx_front_ring tx;
	struct netif_rx_front_ring rx;
	grant_ref_t tx_ring_ref, rx_ring_ref;
	uint8_t *rx_pages, *tx_pages;   /* [BUFFERS][PAGE_SIZE]: buffer `id` is page `id` */
	grant_ref_t rx_grant[NETFRONT_RX_BUFFERS], tx_grant[NETFRONT_TX_BUFFERS];
	bool rx_in_flight[NETFRONT_RX_BUFFERS], tx_in_flight[NETFRONT_TX_BUFFERS];
	uint16_t tx_free[NETFRONT_TX_BUFFERS];  /* stack of tx buffer ids not in flight */
	unsigned int tx_free_count;
	uint8_t rx_copy[NETFRONT_FRAME_MAX];    /* a received frame, out of the backend's reach */
	char model[48];
	struct netfront_stats stats;
};

/* At boot, on Xen: connect every device/vif/N the toolstack gave us and
 * register each as a netdev.  Prints a line for each vif that fails. */
void netfront_init(void);

/* The netfront behind a netdev, or NULL if it is something else. */
struct netfront *netfront_of(struct netdev *dev);

/* rx requests the backend holds now, and tx requests it has not answered. */
unsigned int netfront_rx_posted(const struct netfront *nf);
unsigned int netfront_tx_in_flight(const struct netfront *nf);

/* For tests: a netfront with its rings and buffers but no backend: no
 * grants (refs are stand-ins), no event channel, not in the netdev list;
 * every rx buffer is posted, link up.  The test writes the backend's
 * responses. */
struct netfront *netfront_create_unconnected(void);
void netfront_destroy_unconnected(struct netfront *nf);

#endif
