/*
 * test_net_checksum.c — the Internet checksum (net/checksum.c) against
 * RFC 1071's worked example and a well-known IPv4 header.
 */
#include "kernel/test.h"
#include "net/net.h"

/* RFC 1071, section 3: these 8 bytes sum (one's complement) to 0xddf2. */
static const uint8_t rfc1071_bytes[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

/* An IPv4 header (UDP, 192.168.0.1 -> 192.168.0.199) whose checksum is 0xb861. */
static const uint8_t ipv4_header[] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

TEST(net_checksum, rfc1071_example)
{
	CHECK_EQ(net_checksum(rfc1071_bytes, sizeof(rfc1071_bytes)), (uint16_t)~0xddf2);
	/* the sum before folding carries 2 into the top: 0x2ddf0 */
	CHECK_EQ(net_checksum_add(0, rfc1071_bytes, sizeof(rfc1071_bytes)), 0x2ddf0);
}

TEST(net_checksum, odd_length_is_padded_with_zero)
{
	static const uint8_t one[] = { 0x01 };

	CHECK_EQ(net_checksum(one, 1), 0xfeff);                 /* word 0x0100 */
	CHECK_EQ(net_checksum(rfc1071_bytes, 3), (uint16_t)~(0x0001 + 0xf200));
	CHECK_EQ(net_checksum(rfc1071_bytes, 0), 0xffff);       /* nothing: ~0 */
}

TEST(net_checksum, header_with_its_checksum_sums_to_zero)
{
	uint8_t copy[sizeof(ipv4_header)];

	CHECK_EQ(net_checksum(ipv4_header, sizeof(ipv4_header)), 0);
	for (unsigned int i = 0; i < sizeof(copy); i++)
		copy[i] = ipv4_header[i];
	copy[10] = copy[11] = 0;                /* the sender's view: field zeroed */
	CHECK_EQ(net_checksum(copy, sizeof(copy)), 0xb861);
	copy[15] ^= 0x01;                       /* one bit flipped somewhere else */
	copy[10] = 0xb8, copy[11] = 0x61;
	CHECK(net_checksum(copy, sizeof(copy)) != 0);
}

TEST(net_checksum, pieces_add_up_to_the_whole)
{
	uint32_t sum = net_checksum_add(0, ipv4_header, 8);

	sum = net_checksum_add(sum, ipv4_header + 8, 12);
	CHECK_EQ(net_checksum_finish(sum), net_checksum(ipv4_header, sizeof(ipv4_header)));
}

/* Carries out of bit 15 wrap around: 0xffff + 0x0001 is 0x0001 in one's
 * complement, not 0. */
TEST(net_checksum, carries_wrap_around)
{
	static const uint8_t words[] = { 0xff, 0xff, 0x00, 0x01 };

	CHECK_EQ(net_checksum(words, sizeof(words)), 0xfffe);
}
