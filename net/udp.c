/*
 * udp.c — the User Datagram Protocol (RFC 768) and one service on it:
 * echo (RFC 862) on port 7, which sends every datagram back to the port
 * it came from, data unchanged.
 *
 * The UDP checksum covers a pseudo-header (source and destination
 * address, protocol, UDP length: struct udp_pseudo_header) and the whole
 * segment, so a datagram delivered to the wrong host or port is caught
 * too.  A checksum of 0 means the sender did not compute one (allowed in
 * IPv4); a computed 0 is therefore sent as 0xffff, its one's complement
 * twin.
 */
#include "lib/string.h"
#include "net/net.h"

/* The Internet checksum over pseudo-header and segment. */
static uint16_t pseudo_checksum(uint32_t src, uint32_t dst, const uint8_t *segment,
				size_t len)
{
	struct udp_pseudo_header pseudo = {
		.src = htonl(src), .dst = htonl(dst), .zero = 0,
		.protocol = IPV4_PROTOCOL_UDP, .udp_length = htons((uint16_t)len),
	};
	uint32_t sum = net_checksum_add(0, &pseudo, sizeof(pseudo));

	return net_checksum_finish(net_checksum_add(sum, segment, len));
}

uint16_t udp_checksum(uint32_t src, uint32_t dst, const uint8_t *segment, size_t len)
{
	uint16_t checksum = pseudo_checksum(src, dst, segment, len);

	return checksum ? checksum : 0xffff;
}

static void echo_back(struct net_iface *ifc, uint32_t src, const struct udp_header *udp,
		      const uint8_t *data, size_t data_len)
{
	uint8_t *out = ipv4_payload_buffer(ifc);
	struct udp_header *reply = (struct udp_header *)out;
	size_t len = UDP_HEADER_LEN + data_len;

	reply->src_port = udp->dst_port;
	reply->dst_port = udp->src_port;
	reply->length = htons((uint16_t)len);
	reply->checksum = 0;
	memcpy(out + UDP_HEADER_LEN, data, data_len);
	reply->checksum = htons(udp_checksum(ifc->addr, src, out, len));
	if (ipv4_send(ifc, src, IPV4_PROTOCOL_UDP, len) == 0)
		ifc->stats.udp_echo_replies++;
}

void udp_receive(struct net_iface *ifc, uint32_t src, uint32_t dst, const uint8_t *data,
		 size_t len)
{
	const struct udp_header *udp = (const struct udp_header *)data;
	size_t udp_len;

	if (len < UDP_HEADER_LEN) {
		ifc->stats.udp_malformed++;
		return;
	}
	/* The UDP length may be less than what IPv4 carried, never more. */
	udp_len = ntohs(udp->length);
	if (udp_len < UDP_HEADER_LEN || udp_len > len) {
		ifc->stats.udp_malformed++;
		return;
	}
	/* Summed with its checksum field in place, a good segment gives 0. */
	if (udp->checksum != 0 && pseudo_checksum(src, dst, data, udp_len) != 0) {
		ifc->stats.udp_bad_checksum++;
		return;
	}
	if (ntohs(udp->dst_port) != UDP_PORT_ECHO) {
		ifc->stats.udp_no_port++;
		return;
	}
	echo_back(ifc, src, udp, data + UDP_HEADER_LEN, udp_len - UDP_HEADER_LEN);
}
