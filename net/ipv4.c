/*
 * ipv4.c — the Internet Protocol, version 4 (RFC 791): checking each
 * received header before anything behind it is looked at, passing the
 * payload to ICMP or UDP, and putting a header in front of what they send.
 *
 * A received packet is accepted only if, in this order:
 *   - there are at least 20 bytes, the version is 4, the header length
 *     (IHL, in 32-bit words) is at least 5 and fits in the data;
 *   - the total length covers the header and fits in the frame (Ethernet
 *     may pad a short packet: the bytes past the total length are ignored);
 *   - the header checksum is right (the sum over the header, checksum
 *     field included, is 0 after complementing);
 *   - it is not a fragment (MF set, or a fragment offset): we do not
 *     reassemble;
 *   - it is addressed to us, and comes from a sensible host on our link.
 * Options (IHL > 5) are allowed and skipped.
 */
#include "kernel/errno.h"
#include "lib/string.h"
#include "net/net.h"

static uint16_t next_id;

static unsigned int header_length(const struct ipv4_header *ip)
{
	return (ip->version_ihl & 0x0f) * 4u;
}

/* The packet's length if the header holds up, else 0 (and counted). */
static size_t checked_length(struct net_iface *ifc, const struct ipv4_header *ip,
			     size_t len)
{
	unsigned int hlen = header_length(ip);
	size_t total = ntohs(ip->total_length);

	if ((ip->version_ihl >> 4) != IPV4_VERSION || hlen < IPV4_MIN_HEADER_LEN ||
	    hlen > len || total < hlen || total > len) {
		ifc->stats.ipv4_malformed++;
		return 0;
	}
	if (net_checksum(ip, hlen) != 0) {
		ifc->stats.ipv4_bad_checksum++;
		return 0;
	}
	if (ntohs(ip->flags_fragment) & (IPV4_FLAG_MF | IPV4_FRAGMENT_OFFSET)) {
		ifc->stats.ipv4_fragments++;
		return 0;
	}
	return total;
}

/* We answer every packet we accept, so its source must be a host we can
 * answer on this link: not 0, not us, not broadcast or multicast (answering
 * those would turn one packet into many), inside our prefix (no routing). */
static bool answerable_source(const struct net_iface *ifc, uint32_t src)
{
	uint32_t host_mask = ifc->prefix_len >= 31 ? 0 : 0xffffffffu >> ifc->prefix_len;

	return src != 0 && src != ifc->addr && (src >> 28) != 0xe && src != 0xffffffffu &&
	       net_same_subnet(ifc, src) && (host_mask == 0 || (src & host_mask) != host_mask);
}

void ipv4_receive(struct net_iface *ifc, const uint8_t *data, size_t len)
{
	const struct ipv4_header *ip = (const struct ipv4_header *)data;
	size_t total;
	uint32_t src, dst;

	if (len < IPV4_MIN_HEADER_LEN) {
		ifc->stats.ipv4_malformed++;
		return;
	}
	total = checked_length(ifc, ip, len);
	if (total == 0)
		return;
	src = ntohl(ip->src);
	dst = ntohl(ip->dst);
	if (dst != ifc->addr) {
		ifc->stats.ipv4_not_for_us++;
		return;
	}
	if (!answerable_source(ifc, src)) {
		ifc->stats.ipv4_bad_source++;
		return;
	}
	ifc->stats.ipv4_received++;
	data += header_length(ip);
	total -= header_length(ip);
	switch (ip->protocol) {
	case IPV4_PROTOCOL_ICMP:
		icmp_receive(ifc, src, data, total);
		break;
	case IPV4_PROTOCOL_UDP:
		udp_receive(ifc, src, dst, data, total);
		break;
	default:
		ifc->stats.ipv4_unknown_protocol++;
		break;
	}
}

uint8_t *ipv4_payload_buffer(struct net_iface *ifc)
{
	return ifc->tx_frame + ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN;
}

int ipv4_send(struct net_iface *ifc, uint32_t dst, uint8_t protocol, size_t payload_len)
{
	struct ipv4_header *ip = (struct ipv4_header *)(ifc->tx_frame + ETH_HEADER_LEN);
	size_t total = IPV4_MIN_HEADER_LEN + payload_len;
	uint8_t mac[ETH_ADDR_LEN];

	if (total > ETH_MAX_PAYLOAD)
		return -EINVAL;
	ip->version_ihl = IPV4_VERSION << 4 | IPV4_IHL_MIN;
	ip->tos = 0;
	ip->total_length = htons((uint16_t)total);
	ip->id = htons(next_id++);
	ip->flags_fragment = htons(IPV4_FLAG_DF);       /* we never fragment */
	ip->ttl = IPV4_DEFAULT_TTL;
	ip->protocol = protocol;
	ip->checksum = 0;
	ip->src = htonl(ifc->addr);
	ip->dst = htonl(dst);
	ip->checksum = htons(net_checksum(ip, IPV4_MIN_HEADER_LEN));
	if (!arp_resolve(ifc, dst, mac)) {
		arp_park(ifc, dst, (const uint8_t *)ip, total);  /* sent when the reply comes */
		return 0;
	}
	int error = net_send_frame(ifc, mac, ETHERTYPE_IPV4, total);

	if (!error)
		ifc->stats.ipv4_sent++;
	return error;
}
