/*
 * checksum.c — the Internet checksum (RFC 1071), used by IPv4 (header
 * only), ICMP (the whole message) and UDP (pseudo-header + segment).
 *
 * Add the data as 16-bit big-endian words in one's complement arithmetic
 * (a carry out of bit 15 is added back in at bit 0), then complement.  We
 * add into 32 bits and fold the carries at the end, which gives the same
 * result.  The sender stores the complement in the checksum field; the
 * receiver sums the message *including* that field and gets 0 (after the
 * final complement) when nothing changed.  The result here is in host
 * order: store it with htons().
 */
#include "net/net.h"

uint32_t net_checksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *bytes = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)bytes[i] << 8 | bytes[i + 1];
	if (i < len)                    /* odd length: pad with a zero byte */
		sum += (uint32_t)bytes[i] << 8;
	/* No folding needed yet: a 32-bit sum of 16-bit words cannot overflow
	 * below 128 KiB of data, and a packet is at most 64 KiB. */
	return sum;
}

uint16_t net_checksum_finish(uint32_t sum)
{
	while (sum >> 16)               /* end-around carry */
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t net_checksum(const void *data, size_t len)
{
	return net_checksum_finish(net_checksum_add(0, data, len));
}
