/*
 * net.h — a small IPv4 network stack over one netdev (kernel/netdev.h):
 * enough to answer ARP, ICMP echo ("ping") and UDP echo on port 7, which is
 * what the harness's host-side peer (tests/tools/net-peer.c) checks.
 *
 *   net.c       interfaces, Ethernet in and out, ip=, the boot report
 *   arp.c       ARP: answering, the neighbour cache, resolving before sending
 *   ipv4.c      IPv4: header checks, delivery to ICMP/UDP, building packets
 *   icmp.c      ICMP echo reply
 *   udp.c       UDP echo on port 7
 *   checksum.c  the Internet checksum (RFC 1071)
 *   echo.c      echo=SECONDS: the service loop
 *
 * All of it runs outside interrupt handlers, with interrupts disabled, on
 * frames handed over by netdev_poll(): no locking.  What is not done: IP
 * options are skipped, fragments are dropped (we never send any either),
 * there is no routing (only peers inside our prefix get answers), no TCP,
 * no ICMP errors of our own.  Every drop is counted in struct net_stats.
 */
#ifndef PVKIT_NET_NET_H
#define PVKIT_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/netdev.h"
#include "kernel/platform.h"
#include "net/wire.h"

#define NET_ARP_CACHE_ENTRIES   8
#define NET_DEFAULT_ADDRESS     0x0a00020f      /* 10.0.2.15, QEMU user networking's guest */
#define NET_DEFAULT_PREFIX      24
#define NET_ADDR_TEXT           16              /* "255.255.255.255" */

/* Everything dropped or done is counted: tests read these, echo= prints them. */
struct net_stats {
	/* Ethernet */
	uint64_t frames_in;
	uint64_t eth_too_short;         /* shorter than an Ethernet header */
	uint64_t eth_not_for_us;        /* destination neither our MAC nor broadcast */
	uint64_t eth_unknown_type;      /* not IPv4, not ARP */
	uint64_t tx_failed;             /* the device refused a frame */
	/* ARP */
	uint64_t arp_malformed;         /* short, or not IPv4-over-Ethernet */
	uint64_t arp_requests_answered;
	uint64_t arp_replies_received;
	uint64_t arp_requests_sent;     /* to resolve a peer we must answer */
	uint64_t arp_ignored;           /* for someone else, or gratuitous */
	uint64_t arp_conflicts;         /* someone else claims our address */
	/* IPv4 */
	uint64_t ipv4_received;         /* passed every check */
	uint64_t ipv4_malformed;        /* version, header length, total length */
	uint64_t ipv4_bad_checksum;
	uint64_t ipv4_fragments;        /* dropped: we do not reassemble */
	uint64_t ipv4_not_for_us;       /* another destination address */
	uint64_t ipv4_bad_source;       /* 0, ours, broadcast, multicast, off-link */
	uint64_t ipv4_unknown_protocol;
	uint64_t ipv4_sent;
	uint64_t ipv4_parked;           /* held until ARP finds the peer's MAC */
	uint64_t ipv4_unresolved;       /* a parked packet replaced before its ARP reply */
	/* ICMP */
	uint64_t icmp_malformed;
	uint64_t icmp_bad_checksum;
	uint64_t icmp_echo_replies;
	uint64_t icmp_ignored;          /* types other than echo request */
	/* UDP */
	uint64_t udp_malformed;         /* short, or length field disagrees with IPv4's */
	uint64_t udp_bad_checksum;
	uint64_t udp_echo_replies;
	uint64_t udp_no_port;           /* nobody listens on that port */
};

/* One neighbour: an IPv4 address on our link and its MAC, once known. */
struct arp_entry {
	uint32_t addr;                  /* host order; 0: the slot is free */
	uint8_t mac[ETH_ADDR_LEN];
	bool resolved;                  /* false: our request is out, no reply yet */
	uint64_t used_ns;               /* last learned or asked: the oldest is replaced */
	uint64_t requested_ns;          /* when we last asked */
	uint8_t *parked;                /* an IPv4 packet waiting for mac (kmalloc), or NULL */
	size_t parked_len;
};

/* Our address on one device, its neighbours, its counters. */
struct net_iface {
	struct netdev *dev;
	uint32_t addr;                  /* host order */
	unsigned int prefix_len;
	struct arp_entry arp[NET_ARP_CACHE_ENTRIES];
	struct net_stats stats;
	uint8_t tx_frame[ETH_HEADER_LEN + ETH_MAX_PAYLOAD];    /* built here, copied by the driver */
};

/* ---- for the rest of the kernel ---------------------------------------------------- */

/* Binds ifc to dev with this address: dev's frames now go to net_receive.
 * Does not open the device (netdev_open), so tests can use fake ones. */
void net_iface_init(struct net_iface *ifc, struct netdev *dev, uint32_t addr,
		    unsigned int prefix_len);
/* Frees what ifc holds (parked packets) and unbinds it from its device. */
void net_iface_release(struct net_iface *ifc);
/* One Ethernet frame from the device (a netdev_receive_fn). */
void net_receive(struct netdev *dev, const void *frame, size_t len);

/* The address from ip= (or the default). */
uint32_t net_configured_address(void);
unsigned int net_configured_prefix(void);
/* "ADDR/PREFIX" strictly: four decimal bytes, a prefix of 1-32, not a
 * network, broadcast, multicast, loopback or zero address. */
bool net_parse_address(const char *text, uint32_t *addr, unsigned int *prefix_len);
void net_format_address(uint32_t addr, char buf[NET_ADDR_TEXT]);
/* The boot report's line: the address ip= gives the first device. */
void net_report(void);

/* echo=SECONDS (echo.c): was it given; answer on the first netdev for
 * that long, print the counters, return the exit status (EXIT_OK, or
 * EXIT_BAD_CMDLINE when there is no device to answer on). */
bool net_echo_requested(void);
enum exit_status net_echo_run(void);

/* ---- between the stack's files ------------------------------------------------------- */

/* RFC 1071: the one's complement of the one's complement sum of 16-bit
 * big-endian words; an odd last byte is padded with zero. */
uint16_t net_checksum(const void *data, size_t len);
/* The same in pieces: add data to a running 32-bit sum, then fold and complement. */
uint32_t net_checksum_add(uint32_t sum, const void *data, size_t len);
uint16_t net_checksum_finish(uint32_t sum);

bool net_same_subnet(const struct net_iface *ifc, uint32_t addr);
/* Sends payload (already at tx_frame + ETH_HEADER_LEN) to dst_mac, padded
 * to the Ethernet minimum.  0 or -errno. */
int net_send_frame(struct net_iface *ifc, const uint8_t dst_mac[ETH_ADDR_LEN],
		   uint16_t ethertype, size_t payload_len);

void arp_receive(struct net_iface *ifc, const struct eth_header *eth, const uint8_t *data,
		 size_t len);
/* addr's MAC, if the cache knows it. */
bool arp_resolve(struct net_iface *ifc, uint32_t addr, uint8_t mac[ETH_ADDR_LEN]);
/* For an unresolved addr: keep a copy of this IPv4 packet (one per peer,
 * the newest wins) and broadcast a request (at most once a second); the
 * reply sends the packet. */
void arp_park(struct net_iface *ifc, uint32_t addr, const uint8_t *packet, size_t len);
/* "This is our address, at our MAC": a gratuitous ARP request, broadcast. */
int arp_announce(struct net_iface *ifc);
const struct arp_entry *arp_lookup(const struct net_iface *ifc, uint32_t addr);

void ipv4_receive(struct net_iface *ifc, const uint8_t *data, size_t len);
/* Where the transport header of the next outgoing packet goes. */
uint8_t *ipv4_payload_buffer(struct net_iface *ifc);
/* Puts an IPv4 header in front of the payload_len bytes at
 * ipv4_payload_buffer() and sends (or parks) the packet.  0 or -errno. */
int ipv4_send(struct net_iface *ifc, uint32_t dst, uint8_t protocol, size_t payload_len);

void icmp_receive(struct net_iface *ifc, uint32_t src, const uint8_t *data, size_t len);
void udp_receive(struct net_iface *ifc, uint32_t src, uint32_t dst, const uint8_t *data,
		 size_t len);
/* The UDP checksum of a segment (pseudo-header included), as it goes on
 * the wire: 0 computed becomes 0xffff, since 0 means "none". */
uint16_t udp_checksum(uint32_t src, uint32_t dst, const uint8_t *segment, size_t len);

#endif
