/*
 * icmp.c — the Internet Control Message Protocol (RFC 792), as much as
 * "ping" needs: an echo request (type 8) is answered with an echo reply
 * (type 0) carrying the same identifier, sequence number and data, back to
 * the sender.  The checksum covers the whole ICMP message.  Other types
 * are counted and ignored.
 */
#include "lib/string.h"
#include "net/net.h"

void icmp_receive(struct net_iface *ifc, uint32_t src, const uint8_t *data, size_t len)
{
	const struct icmp_echo *request = (const struct icmp_echo *)data;
	uint8_t *out = ipv4_payload_buffer(ifc);
	struct icmp_echo *reply = (struct icmp_echo *)out;

	if (len < ICMP_HEADER_LEN) {
		ifc->stats.icmp_malformed++;
		return;
	}
	if (net_checksum(data, len) != 0) {
		ifc->stats.icmp_bad_checksum++;
		return;
	}
	if (request->type != ICMP_TYPE_ECHO_REQUEST || request->code != 0) {
		ifc->stats.icmp_ignored++;
		return;
	}
	/* The reply is the request with another type and a new checksum. */
	memcpy(out, data, len);
	reply->type = ICMP_TYPE_ECHO_REPLY;
	reply->checksum = 0;
	reply->checksum = htons(net_checksum(out, len));
	if (ipv4_send(ifc, src, IPV4_PROTOCOL_ICMP, len) == 0)
		ifc->stats.icmp_echo_replies++;
}
