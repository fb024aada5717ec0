/*
 * arp.c — the Address Resolution Protocol (RFC 826) for IPv4 over
 * Ethernet: which MAC has this IPv4 address?
 *
 * Receiving follows RFC 826's algorithm ("Packet Reception"):
 *   1. check the hardware and protocol types and lengths;
 *   2. if the sender's address is in our cache, update its MAC ("merge");
 *   3. if the target address is ours: add the sender if step 2 did not,
 *      and if it is a request, answer it with our MAC, sent straight to
 *      the asker.
 * Requests for other addresses and gratuitous ARP (a host announcing
 * itself: sender address = target address) only refresh entries we
 * already have; we never answer them, so a broadcast cannot make us talk.
 * A packet claiming our own address from another MAC is an address
 * conflict: counted and otherwise ignored.
 *
 * Sending an IPv4 packet needs the peer's MAC: arp_resolve() looks in the
 * cache; on a miss arp_park() keeps the packet in the peer's entry (one
 * per peer, the newest wins) and broadcasts a request; the reply sends it.
 */
#include "kernel/heap.h"
#include "kernel/timer.h"
#include "lib/string.h"
#include "net/net.h"

#define ARP_RETRY_NS            NSEC_PER_SEC    /* ask again at most this often */

static const uint8_t broadcast_mac[ETH_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[ETH_ADDR_LEN];

/* ---- the cache ------------------------------------------------------------------------ */

static struct arp_entry *find_entry(struct net_iface *ifc, uint32_t addr)
{
	for (unsigned int i = 0; i < NET_ARP_CACHE_ENTRIES; i++)
		if (ifc->arp[i].addr == addr)
			return &ifc->arp[i];
	return NULL;
}

const struct arp_entry *arp_lookup(const struct net_iface *ifc, uint32_t addr)
{
	return find_entry((struct net_iface *)ifc, addr);
}

/* A free slot, or the least recently used one (its parked packet lost). */
static struct arp_entry *new_entry(struct net_iface *ifc, uint32_t addr)
{
	struct arp_entry *victim = &ifc->arp[0];

	for (unsigned int i = 0; i < NET_ARP_CACHE_ENTRIES; i++) {
		if (ifc->arp[i].addr == 0) {
			victim = &ifc->arp[i];
			break;
		}
		if (ifc->arp[i].used_ns < victim->used_ns)
			victim = &ifc->arp[i];
	}
	if (victim->parked)
		ifc->stats.ipv4_unresolved++;
	kfree(victim->parked);
	memset(victim, 0, sizeof(*victim));
	victim->addr = addr;
	return victim;
}

/* The entry now knows its MAC: a packet waiting for it can go. */
static void learn(struct net_iface *ifc, struct arp_entry *entry, const uint8_t *mac)
{
	memcpy(entry->mac, mac, ETH_ADDR_LEN);
	entry->resolved = true;
	entry->used_ns = time_now_ns();
	if (entry->parked) {
		uint8_t *packet = entry->parked;

		entry->parked = NULL;
		memcpy(ifc->tx_frame + ETH_HEADER_LEN, packet, entry->parked_len);
		if (net_send_frame(ifc, entry->mac, ETHERTYPE_IPV4, entry->parked_len) == 0)
			ifc->stats.ipv4_sent++;
		kfree(packet);
	}
}

/* ---- sending ------------------------------------------------------------------------ */

static int send_arp(struct net_iface *ifc, uint16_t oper, const uint8_t *dst_mac,
		    const uint8_t *target_mac, uint32_t target_addr)
{
	struct arp_packet *arp = (struct arp_packet *)(ifc->tx_frame + ETH_HEADER_LEN);

	arp->htype = htons(ARP_HTYPE_ETHERNET);
	arp->ptype = htons(ARP_PTYPE_IPV4);
	arp->hlen = ETH_ADDR_LEN;
	arp->plen = IPV4_ADDR_LEN;
	arp->oper = htons(oper);
	memcpy(arp->sha, ifc->dev->mac, ETH_ADDR_LEN);
	arp->spa = htonl(ifc->addr);
	memcpy(arp->tha, target_mac, ETH_ADDR_LEN);
	arp->tpa = htonl(target_addr);
	return net_send_frame(ifc, dst_mac, ETHERTYPE_ARP, sizeof(*arp));
}

int arp_announce(struct net_iface *ifc)
{
	return send_arp(ifc, ARP_OP_REQUEST, broadcast_mac, zero_mac, ifc->addr);
}

bool arp_resolve(struct net_iface *ifc, uint32_t addr, uint8_t mac[ETH_ADDR_LEN])
{
	struct arp_entry *entry = find_entry(ifc, addr);

	if (!entry || !entry->resolved)
		return false;
	memcpy(mac, entry->mac, ETH_ADDR_LEN);
	entry->used_ns = time_now_ns();
	return true;
}

/* Copies the packet first: the request below is built in tx_frame, where
 * the packet may be. */
void arp_park(struct net_iface *ifc, uint32_t addr, const uint8_t *packet, size_t len)
{
	struct arp_entry *entry = find_entry(ifc, addr);
	uint64_t now = time_now_ns();
	uint8_t *copy = kmalloc(len);

	if (!entry)
		entry = new_entry(ifc, addr);
	if (copy) {
		memcpy(copy, packet, len);
		if (entry->parked)      /* the newer packet replaces it */
			ifc->stats.ipv4_unresolved++;
		kfree(entry->parked);
		entry->parked = copy;
		entry->parked_len = len;
		ifc->stats.ipv4_parked++;
	}
	entry->used_ns = now;
	if (entry->requested_ns == 0 || now - entry->requested_ns >= ARP_RETRY_NS) {
		entry->requested_ns = now;
		if (send_arp(ifc, ARP_OP_REQUEST, broadcast_mac, zero_mac, addr) == 0)
			ifc->stats.arp_requests_sent++;
	}
}

/* ---- receiving ------------------------------------------------------------------------- */

static bool well_formed(const struct arp_packet *arp)
{
	return ntohs(arp->htype) == ARP_HTYPE_ETHERNET && ntohs(arp->ptype) == ARP_PTYPE_IPV4 &&
	       arp->hlen == ETH_ADDR_LEN && arp->plen == IPV4_ADDR_LEN &&
	       (ntohs(arp->oper) == ARP_OP_REQUEST || ntohs(arp->oper) == ARP_OP_REPLY);
}

/* A sender worth remembering: a real unicast host on our link (not an
 * RFC 5227 probe from 0.0.0.0, not a multicast or broadcast MAC). */
static bool plausible_sender(const struct net_iface *ifc, uint32_t addr, const uint8_t *mac)
{
	return addr != 0 && net_same_subnet(ifc, addr) && !(mac[0] & 1);
}

void arp_receive(struct net_iface *ifc, const struct eth_header *eth, const uint8_t *data,
		 size_t len)
{
	const struct arp_packet *arp = (const struct arp_packet *)data;
	uint32_t sender, target;
	struct arp_entry *entry;
	bool merged = false;

	(void)eth;
	if (len < sizeof(*arp) || !well_formed(arp)) {  /* longer: Ethernet padding */
		ifc->stats.arp_malformed++;
		return;
	}
	sender = ntohl(arp->spa);
	target = ntohl(arp->tpa);
	if (sender == ifc->addr && memcmp(arp->sha, ifc->dev->mac, ETH_ADDR_LEN) != 0) {
		ifc->stats.arp_conflicts++;
		return;
	}
	entry = find_entry(ifc, sender);
	if (entry && plausible_sender(ifc, sender, arp->sha)) {
		learn(ifc, entry, arp->sha);
		merged = true;
	}
	if (target != ifc->addr || sender == target) {  /* someone else's, or gratuitous */
		ifc->stats.arp_ignored++;
		return;
	}
	if (!merged && plausible_sender(ifc, sender, arp->sha))
		learn(ifc, new_entry(ifc, sender), arp->sha);
	if (ntohs(arp->oper) == ARP_OP_REPLY) {
		ifc->stats.arp_replies_received++;
		return;
	}
	if (send_arp(ifc, ARP_OP_REPLY, arp->sha, arp->sha, sender) == 0)
		ifc->stats.arp_requests_answered++;
}
