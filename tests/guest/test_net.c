/*
 * test_net.c — the network stack (net/) on hand-made frames, through a
 * fake netdev that records what the stack sends: ARP, IPv4, ICMP echo, UDP
 * echo, and malformed frames dropped and counted.  No device needed.
 */
#include "kernel/test.h"
#include "lib/string.h"
#include "net/net.h"

#define OUR_IP          0x0a00020f      /* 10.0.2.15 */
#define PEER_IP         0x0a000202      /* 10.0.2.2 */
#define OTHER_IP        0x0a000263      /* 10.0.2.99: not us */
#define FAKE_FRAMES     4
#define FRAME_MAX       (ETH_HEADER_LEN + ETH_MAX_PAYLOAD)
#define L4_OFFSET       (ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN)

static const uint8_t our_mac[ETH_ADDR_LEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t peer_mac[ETH_ADDR_LEN] = { 0x52, 0x54, 0x00, 0x00, 0x02, 0x02 };
static const uint8_t broadcast[ETH_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t no_mac[ETH_ADDR_LEN];

/* The fake device and one interface on it; static, reset by setup(). */
static struct {
	struct netdev dev;
	struct net_iface ifc;
	uint8_t sent[FAKE_FRAMES][FRAME_MAX];
	size_t sent_len[FAKE_FRAMES];
	unsigned int sent_count;
	uint8_t frame[FRAME_MAX + 64];  /* the frame a test builds */
} fake;

static int fake_transmit(struct netdev *dev, const void *frame, size_t len)
{
	(void)dev;
	if (fake.sent_count < FAKE_FRAMES) {
		memcpy(fake.sent[fake.sent_count], frame, len);
		fake.sent_len[fake.sent_count] = len;
	}
	fake.sent_count++;
	return 0;
}

static const struct netdev_ops fake_ops = { .transmit = fake_transmit };

static void setup(void)
{
	if (fake.ifc.dev)
		net_iface_release(&fake.ifc);   /* parked packets of the last test */
	memset(&fake, 0, sizeof(fake));
	strlcpy(fake.dev.name, "fake0", sizeof(fake.dev.name));
	memcpy(fake.dev.mac, our_mac, ETH_ADDR_LEN);
	fake.dev.mtu = ETH_MAX_PAYLOAD;
	fake.dev.ops = &fake_ops;
	net_iface_init(&fake.ifc, &fake.dev, OUR_IP, 24);
}

/* ---- building frames ------------------------------------------------------------------ */

static void put_eth(const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	struct eth_header *eth = (struct eth_header *)fake.frame;

	memcpy(eth->dst, dst, ETH_ADDR_LEN);
	memcpy(eth->src, src, ETH_ADDR_LEN);
	eth->type = htons(type);
}

static size_t make_arp(uint16_t oper, const uint8_t *eth_dst, const uint8_t *sha,
		       uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	struct arp_packet *arp = (struct arp_packet *)(fake.frame + ETH_HEADER_LEN);

	put_eth(eth_dst, sha, ETHERTYPE_ARP);
	arp->htype = htons(ARP_HTYPE_ETHERNET);
	arp->ptype = htons(ARP_PTYPE_IPV4);
	arp->hlen = ETH_ADDR_LEN;
	arp->plen = IPV4_ADDR_LEN;
	arp->oper = htons(oper);
	memcpy(arp->sha, sha, ETH_ADDR_LEN);
	arp->spa = htonl(spa);
	memcpy(arp->tha, tha, ETH_ADDR_LEN);
	arp->tpa = htonl(tpa);
	return ETH_HEADER_LEN + sizeof(*arp);
}

/* Ethernet + IPv4 header in front of payload_len bytes already at L4_OFFSET. */
static size_t make_ipv4(uint32_t src, uint32_t dst, uint8_t protocol, size_t payload_len)
{
	struct ipv4_header *ip = (struct ipv4_header *)(fake.frame + ETH_HEADER_LEN);

	put_eth(our_mac, peer_mac, ETHERTYPE_IPV4);
	*ip = (struct ipv4_header){
		.version_ihl = 0x45, .total_length = htons(IPV4_MIN_HEADER_LEN + payload_len),
		.id = htons(0x4242), .ttl = 64, .protocol = protocol,
		.src = htonl(src), .dst = htonl(dst),
	};
	ip->checksum = htons(net_checksum(ip, IPV4_MIN_HEADER_LEN));
	return L4_OFFSET + payload_len;
}

static void fill(uint8_t *data, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(seed + i * 7);
}

static size_t make_ping(uint16_t id, uint16_t seq, size_t data_len)
{
	struct icmp_echo *icmp = (struct icmp_echo *)(fake.frame + L4_OFFSET);

	*icmp = (struct icmp_echo){ .type = ICMP_TYPE_ECHO_REQUEST, .id = htons(id),
				    .sequence = htons(seq) };
	fill(fake.frame + L4_OFFSET + ICMP_HEADER_LEN, data_len, seq);
	icmp->checksum = htons(net_checksum(icmp, ICMP_HEADER_LEN + data_len));
	return make_ipv4(PEER_IP, OUR_IP, IPV4_PROTOCOL_ICMP, ICMP_HEADER_LEN + data_len);
}

static size_t make_udp(uint16_t src_port, uint16_t dst_port, size_t data_len, bool checksum)
{
	struct udp_header *udp = (struct udp_header *)(fake.frame + L4_OFFSET);
	size_t len = UDP_HEADER_LEN + data_len;

	*udp = (struct udp_header){ .src_port = htons(src_port), .dst_port = htons(dst_port),
				    .length = htons(len) };
	fill(fake.frame + L4_OFFSET + UDP_HEADER_LEN, data_len, src_port);
	if (checksum)
		udp->checksum = htons(udp_checksum(PEER_IP, OUR_IP, (uint8_t *)udp, len));
	return make_ipv4(PEER_IP, OUR_IP, IPV4_PROTOCOL_UDP, len);
}

static void deliver(size_t len)
{
	netdev_deliver(&fake.dev, fake.frame, len);
}

/* The peer asks for our address: from then on we know its MAC. */
static void peer_says_hello(void)
{
	deliver(make_arp(ARP_OP_REQUEST, broadcast, peer_mac, PEER_IP, no_mac, OUR_IP));
	fake.sent_count = 0;
}

/* ---- checking what the stack sent -------------------------------------------------------- */

static const struct ipv4_header *sent_ipv4(unsigned int i)
{
	return (const struct ipv4_header *)(fake.sent[i] + ETH_HEADER_LEN);
}

/* An IPv4 packet from us to the peer's MAC and address, header checksum right. */
static bool is_ipv4_to_peer(unsigned int i, uint8_t protocol, size_t payload_len)
{
	const struct eth_header *eth = (const struct eth_header *)fake.sent[i];
	const struct ipv4_header *ip = sent_ipv4(i);

	return memcmp(eth->dst, peer_mac, ETH_ADDR_LEN) == 0 &&
	       memcmp(eth->src, our_mac, ETH_ADDR_LEN) == 0 &&
	       ntohs(eth->type) == ETHERTYPE_IPV4 && ip->version_ihl == 0x45 &&
	       ntohs(ip->total_length) == IPV4_MIN_HEADER_LEN + payload_len &&
	       net_checksum(ip, IPV4_MIN_HEADER_LEN) == 0 && ip->protocol == protocol &&
	       ip->ttl == IPV4_DEFAULT_TTL && ntohl(ip->src) == OUR_IP &&
	       ntohl(ip->dst) == PEER_IP &&
	       !(ntohs(ip->flags_fragment) & (IPV4_FLAG_MF | IPV4_FRAGMENT_OFFSET));
}

static bool is_echo_reply(unsigned int i, uint16_t id, uint16_t seq, size_t data_len)
{
	const uint8_t *icmp_bytes = fake.sent[i] + L4_OFFSET;
	const struct icmp_echo *icmp = (const struct icmp_echo *)icmp_bytes;
	uint8_t expected[ETH_MAX_PAYLOAD];

	fill(expected, data_len, seq);
	return is_ipv4_to_peer(i, IPV4_PROTOCOL_ICMP, ICMP_HEADER_LEN + data_len) &&
	       icmp->type == ICMP_TYPE_ECHO_REPLY && icmp->code == 0 &&
	       ntohs(icmp->id) == id && ntohs(icmp->sequence) == seq &&
	       net_checksum(icmp_bytes, ICMP_HEADER_LEN + data_len) == 0 &&
	       memcmp(icmp_bytes + ICMP_HEADER_LEN, expected, data_len) == 0;
}

/* ---- ARP -------------------------------------------------------------------------------- */

TEST(net, arp_request_for_us_is_answered_and_its_sender_learned)
{
	const struct arp_packet *arp;
	const struct eth_header *eth;

	setup();
	deliver(make_arp(ARP_OP_REQUEST, broadcast, peer_mac, PEER_IP, no_mac, OUR_IP));
	CHECK_EQ(fake.sent_count, 1);
	CHECK_EQ(fake.sent_len[0], ETH_MIN_FRAME_LEN);          /* 42 bytes, padded */
	eth = (const struct eth_header *)fake.sent[0];
	arp = (const struct arp_packet *)(fake.sent[0] + ETH_HEADER_LEN);
	CHECK(memcmp(eth->dst, peer_mac, ETH_ADDR_LEN) == 0);   /* straight back, not broadcast */
	CHECK(memcmp(eth->src, our_mac, ETH_ADDR_LEN) == 0);
	CHECK_EQ(ntohs(eth->type), ETHERTYPE_ARP);
	CHECK_EQ(ntohs(arp->htype), ARP_HTYPE_ETHERNET);
	CHECK_EQ(ntohs(arp->ptype), ARP_PTYPE_IPV4);
	CHECK_EQ(ntohs(arp->oper), ARP_OP_REPLY);
	CHECK(memcmp(arp->sha, our_mac, ETH_ADDR_LEN) == 0);
	CHECK_EQ(ntohl(arp->spa), OUR_IP);
	CHECK(memcmp(arp->tha, peer_mac, ETH_ADDR_LEN) == 0);
	CHECK_EQ(ntohl(arp->tpa), PEER_IP);
	CHECK(arp_lookup(&fake.ifc, PEER_IP) && arp_lookup(&fake.ifc, PEER_IP)->resolved);
	CHECK(memcmp(arp_lookup(&fake.ifc, PEER_IP)->mac, peer_mac, ETH_ADDR_LEN) == 0);
	CHECK_EQ(fake.ifc.stats.arp_requests_answered, 1);
}

TEST(net, arp_for_others_and_gratuitous_arp_get_no_answer)
{
	static const uint8_t new_mac[ETH_ADDR_LEN] = { 0x52, 0x54, 0x00, 0x00, 0x09, 0x09 };

	setup();
	deliver(make_arp(ARP_OP_REQUEST, broadcast, peer_mac, PEER_IP, no_mac, OTHER_IP));
	CHECK(arp_lookup(&fake.ifc, PEER_IP) == NULL);  /* RFC 826: only merged, not added */
	deliver(make_arp(ARP_OP_REQUEST, broadcast, new_mac, OTHER_IP, no_mac, OTHER_IP));
	CHECK(arp_lookup(&fake.ifc, OTHER_IP) == NULL);
	CHECK_EQ(fake.sent_count, 0);
	CHECK_EQ(fake.ifc.stats.arp_ignored, 2);
	/* A gratuitous ARP from a neighbour we know updates its MAC. */
	peer_says_hello();
	deliver(make_arp(ARP_OP_REQUEST, broadcast, new_mac, PEER_IP, no_mac, PEER_IP));
	CHECK_EQ(fake.sent_count, 0);
	CHECK(memcmp(arp_lookup(&fake.ifc, PEER_IP)->mac, new_mac, ETH_ADDR_LEN) == 0);
}

TEST(net, arp_claiming_our_address_is_a_conflict)
{
	setup();
	deliver(make_arp(ARP_OP_REPLY, broadcast, peer_mac, OUR_IP, no_mac, OUR_IP));
	CHECK_EQ(fake.ifc.stats.arp_conflicts, 1);
	CHECK_EQ(fake.sent_count, 0);
}

TEST(net, announcement_is_a_broadcast_gratuitous_request)
{
	const struct arp_packet *arp = (const struct arp_packet *)(fake.sent[0] + ETH_HEADER_LEN);

	setup();
	CHECK_EQ(arp_announce(&fake.ifc), 0);
	CHECK_EQ(fake.sent_count, 1);
	CHECK(memcmp(fake.sent[0], broadcast, ETH_ADDR_LEN) == 0);
	CHECK_EQ(ntohs(arp->oper), ARP_OP_REQUEST);
	CHECK_EQ(ntohl(arp->spa), OUR_IP);
	CHECK_EQ(ntohl(arp->tpa), OUR_IP);
}

/* ---- ICMP and UDP echo ------------------------------------------------------------------ */

TEST(net, ping_is_answered_with_the_same_id_sequence_and_data)
{
	setup();
	peer_says_hello();
	deliver(make_ping(0x1234, 7, 56));
	CHECK_EQ(fake.sent_count, 1);
	CHECK(is_echo_reply(0, 0x1234, 7, 56));
	CHECK_EQ(fake.sent_len[0], L4_OFFSET + ICMP_HEADER_LEN + 56);
	deliver(make_ping(0x1234, 8, 0));               /* no data at all */
	deliver(make_ping(0x1234, 9, ETH_MAX_PAYLOAD - IPV4_MIN_HEADER_LEN - ICMP_HEADER_LEN));
	CHECK_EQ(fake.sent_count, 3);
	CHECK(is_echo_reply(1, 0x1234, 8, 0));
	CHECK(is_echo_reply(2, 0x1234, 9, ETH_MAX_PAYLOAD - IPV4_MIN_HEADER_LEN - ICMP_HEADER_LEN));
	CHECK_EQ(fake.ifc.stats.icmp_echo_replies, 3);
}

/* A short packet arrives padded to Ethernet's 60 bytes: the padding is
 * not part of it, and must not be echoed. */
TEST(net, ethernet_padding_is_not_part_of_the_packet)
{
	size_t len;

	setup();
	peer_says_hello();
	len = make_ping(1, 2, 4);                       /* 46 bytes */
	memset(fake.frame + len, 0xee, ETH_MIN_FRAME_LEN - len);
	deliver(ETH_MIN_FRAME_LEN);
	CHECK_EQ(fake.sent_count, 1);
	CHECK(is_echo_reply(0, 1, 2, 4));
}

/* IHL 6: one 4-byte option word (four NOPs), skipped. */
TEST(net, ipv4_options_are_skipped)
{
	struct ipv4_header *ip = (struct ipv4_header *)(fake.frame + ETH_HEADER_LEN);
	size_t len;

	setup();
	peer_says_hello();
	len = make_ping(5, 6, 20);
	memmove(fake.frame + L4_OFFSET + 4, fake.frame + L4_OFFSET, len - L4_OFFSET);
	memset(fake.frame + L4_OFFSET, 1, 4);           /* option 1: no operation */
	ip->version_ihl = 0x46;
	ip->total_length = htons(ntohs(ip->total_length) + 4);
	ip->checksum = 0;
	ip->checksum = htons(net_checksum(ip, 24));
	deliver(len + 4);
	CHECK_EQ(fake.sent_count, 1);
	CHECK(is_echo_reply(0, 5, 6, 20));
}

static bool is_udp_echo(unsigned int i, uint16_t peer_port, size_t data_len)
{
	const uint8_t *bytes = fake.sent[i] + L4_OFFSET;
	const struct udp_header *udp = (const struct udp_header *)bytes;
	size_t len = UDP_HEADER_LEN + data_len;
	uint8_t expected[ETH_MAX_PAYLOAD];
	uint32_t sum;

	fill(expected, data_len, peer_port);
	/* the checksum, verified the receiver's way: pseudo-header + segment sum to 0 */
	struct udp_pseudo_header pseudo = { .src = htonl(OUR_IP), .dst = htonl(PEER_IP),
					    .protocol = IPV4_PROTOCOL_UDP, .udp_length = htons(len) };
	sum = net_checksum_add(net_checksum_add(0, &pseudo, sizeof(pseudo)), bytes, len);
	return is_ipv4_to_peer(i, IPV4_PROTOCOL_UDP, len) &&
	       ntohs(udp->src_port) == UDP_PORT_ECHO && ntohs(udp->dst_port) == peer_port &&
	       ntohs(udp->length) == len && udp->checksum != 0 &&
	       net_checksum_finish(sum) == 0 &&
	       memcmp(bytes + UDP_HEADER_LEN, expected, data_len) == 0;
}

TEST(net, udp_echo_goes_back_to_the_senders_port)
{
	setup();
	peer_says_hello();
	deliver(make_udp(40001, UDP_PORT_ECHO, 100, true));
	deliver(make_udp(40002, UDP_PORT_ECHO, 0, true));
	deliver(make_udp(40003, UDP_PORT_ECHO, 33, false));    /* checksum 0: "none" */
	CHECK_EQ(fake.sent_count, 3);
	CHECK(is_udp_echo(0, 40001, 100));
	CHECK(is_udp_echo(1, 40002, 0));
	CHECK(is_udp_echo(2, 40003, 33));
	CHECK_EQ(fake.ifc.stats.udp_echo_replies, 3);
}

TEST(net, udp_to_another_port_gets_no_answer)
{
	setup();
	peer_says_hello();
	deliver(make_udp(40001, 9, 10, true));
	CHECK_EQ(fake.sent_count, 0);
	CHECK_EQ(fake.ifc.stats.udp_no_port, 1);
}

/* Nobody told us the peer's MAC: the reply waits while we ask for it. */
TEST(net, unknown_peer_is_asked_for_by_arp_before_the_reply)
{
	const struct arp_packet *arp = (const struct arp_packet *)(fake.sent[0] + ETH_HEADER_LEN);

	setup();
	deliver(make_ping(3, 4, 10));
	CHECK_EQ(fake.sent_count, 1);
	CHECK(memcmp(fake.sent[0], broadcast, ETH_ADDR_LEN) == 0);
	CHECK_EQ(ntohs(arp->oper), ARP_OP_REQUEST);
	CHECK_EQ(ntohl(arp->tpa), PEER_IP);
	CHECK_EQ(ntohl(arp->spa), OUR_IP);
	CHECK_EQ(fake.ifc.stats.ipv4_parked, 1);
	deliver(make_ping(3, 5, 10));                   /* meanwhile: rate-limited, no new ARP */
	CHECK_EQ(fake.sent_count, 1);
	deliver(make_arp(ARP_OP_REPLY, our_mac, peer_mac, PEER_IP, our_mac, OUR_IP));
	CHECK_EQ(fake.sent_count, 2);
	CHECK(is_echo_reply(1, 3, 5, 10));              /* the newest parked reply */
	CHECK_EQ(fake.ifc.stats.ipv4_unresolved, 1);    /* seq 4's reply was replaced */
	CHECK_EQ(fake.ifc.stats.arp_replies_received, 1);
	net_iface_release(&fake.ifc);
}

/* ---- malformed and foreign frames ------------------------------------------------------ */

static struct ipv4_header *frame_ip(void)
{
	return (struct ipv4_header *)(fake.frame + ETH_HEADER_LEN);
}

static void rechecksum_ip(void)
{
	frame_ip()->checksum = 0;
	frame_ip()->checksum = htons(net_checksum(frame_ip(), IPV4_MIN_HEADER_LEN));
}

TEST(net, malformed_ipv4_is_dropped_and_counted)
{
	const struct net_stats *s = &fake.ifc.stats;
	size_t len;

	setup();
	peer_says_hello();
	make_ping(1, 1, 8);
	deliver(ETH_HEADER_LEN + 10);                   /* 10 bytes of IPv4 */
	CHECK_EQ(s->ipv4_malformed, 1);
	len = make_ping(1, 1, 8);
	frame_ip()->checksum ^= htons(0x0100);
	deliver(len);
	CHECK_EQ(s->ipv4_bad_checksum, 1);
	len = make_ping(1, 1, 8);
	frame_ip()->total_length = htons(ntohs(frame_ip()->total_length) + 1);
	rechecksum_ip();
	deliver(len);                                   /* says one byte more than there is */
	CHECK_EQ(s->ipv4_malformed, 2);
	len = make_ping(1, 1, 8);
	frame_ip()->version_ihl = 0x44;                 /* header shorter than 20 bytes */
	rechecksum_ip();
	deliver(len);
	CHECK_EQ(s->ipv4_malformed, 3);
	len = make_ping(1, 1, 8);
	frame_ip()->version_ihl = 0x65;                 /* IPv6's version in an IPv4 frame */
	rechecksum_ip();
	deliver(len);
	CHECK_EQ(s->ipv4_malformed, 4);
	len = make_ping(1, 1, 8);
	frame_ip()->flags_fragment = htons(IPV4_FLAG_MF);
	rechecksum_ip();
	deliver(len);
	len = make_ping(1, 1, 8);
	frame_ip()->flags_fragment = htons(185);        /* a later fragment */
	rechecksum_ip();
	deliver(len);
	CHECK_EQ(s->ipv4_fragments, 2);
	CHECK_EQ(fake.sent_count, 0);
	CHECK_EQ(s->ipv4_received, 0);
}

TEST(net, malformed_icmp_and_udp_are_dropped_and_counted)
{
	const struct net_stats *s = &fake.ifc.stats;
	struct udp_header *udp = (struct udp_header *)(fake.frame + L4_OFFSET);
	size_t len;

	setup();
	peer_says_hello();
	len = make_ping(1, 1, 8);
	fake.frame[len - 1] ^= 0x80;                    /* data changed under the checksum */
	deliver(len);
	CHECK_EQ(s->icmp_bad_checksum, 1);
	deliver(make_ipv4(PEER_IP, OUR_IP, IPV4_PROTOCOL_ICMP, 4));  /* half an ICMP header */
	CHECK_EQ(s->icmp_malformed, 1);
	len = make_udp(40000, UDP_PORT_ECHO, 16, true);
	fake.frame[len - 3] ^= 0x01;
	deliver(len);
	CHECK_EQ(s->udp_bad_checksum, 1);
	len = make_udp(40000, UDP_PORT_ECHO, 16, false);
	udp->length = htons(UDP_HEADER_LEN + 17);       /* longer than IPv4 carried */
	deliver(len);
	udp->length = htons(UDP_HEADER_LEN - 1);
	deliver(len);
	CHECK_EQ(s->udp_malformed, 2);
	deliver(make_ipv4(PEER_IP, OUR_IP, 6, 20));     /* TCP: not spoken here */
	CHECK_EQ(s->ipv4_unknown_protocol, 1);
	CHECK_EQ(fake.sent_count, 0);
}

TEST(net, malformed_arp_is_dropped_and_counted)
{
	struct arp_packet *arp = (struct arp_packet *)(fake.frame + ETH_HEADER_LEN);
	size_t len;

	setup();
	len = make_arp(ARP_OP_REQUEST, broadcast, peer_mac, PEER_IP, no_mac, OUR_IP);
	deliver(len - 1);                               /* one byte short */
	arp->hlen = 8;
	deliver(len);
	make_arp(ARP_OP_REQUEST, broadcast, peer_mac, PEER_IP, no_mac, OUR_IP);
	arp->oper = htons(3);
	deliver(len);
	CHECK_EQ(fake.ifc.stats.arp_malformed, 3);
	CHECK_EQ(fake.sent_count, 0);
	CHECK(arp_lookup(&fake.ifc, PEER_IP) == NULL);
}

TEST(net, frames_for_others_are_dropped_and_counted)
{
	static const uint8_t other_mac[ETH_ADDR_LEN] = { 0x52, 0x54, 0x00, 0x00, 0x07, 0x07 };
	const struct net_stats *s = &fake.ifc.stats;
	size_t len;

	setup();
	peer_says_hello();
	net_receive(&fake.dev, fake.frame, ETH_HEADER_LEN - 1);
	CHECK_EQ(s->eth_too_short, 1);
	len = make_ping(1, 1, 8);
	memcpy(fake.frame, other_mac, ETH_ADDR_LEN);
	deliver(len);
	CHECK_EQ(s->eth_not_for_us, 1);
	len = make_ping(1, 1, 8);
	put_eth(our_mac, peer_mac, 0x86dd);             /* IPv6 */
	deliver(len);
	CHECK_EQ(s->eth_unknown_type, 1);
	len = make_ping(1, 1, 8);
	frame_ip()->dst = htonl(OTHER_IP);
	rechecksum_ip();
	deliver(len);
	CHECK_EQ(s->ipv4_not_for_us, 1);
	/* Sources we must not answer: broadcast, off our link (no routing). */
	len = make_ping(1, 1, 8);
	frame_ip()->src = htonl(0x0a0002ff);
	rechecksum_ip();
	deliver(len);
	len = make_ping(1, 1, 8);
	frame_ip()->src = htonl(0xc0a80101);            /* 192.168.1.1 */
	rechecksum_ip();
	deliver(len);
	CHECK_EQ(s->ipv4_bad_source, 2);
	CHECK_EQ(fake.sent_count, 0);
}

/* ---- ip= ---------------------------------------------------------------------------------- */

TEST(net, ip_option_accepts_addresses_with_a_prefix)
{
	uint32_t addr = 0;
	unsigned int prefix = 0;

	CHECK(net_parse_address("10.0.2.15/24", &addr, &prefix));
	CHECK_EQ(addr, OUR_IP);
	CHECK_EQ(prefix, 24);
	CHECK(net_parse_address("192.168.100.200/16", &addr, &prefix));
	CHECK_EQ(addr, 0xc0a864c8);
	CHECK(net_parse_address("172.16.0.1/32", &addr, &prefix));
	CHECK_EQ(prefix, 32);
}

TEST(net, ip_option_refuses_what_a_host_cannot_be)
{
	static const char *const bad[] = {
		"10.0.2.15", "10.0.2/24", "10.0.2.256/24", "10.0.2.15/33", "10.0.2.15/0",
		"010.0.2.15/24", "10.0.2.15/024", "10.0.2.0/24", "10.0.2.255/24",
		"224.0.0.1/24", "127.0.0.1/8", "0.0.0.1/8", "10.0.2.15/24x", "a.b.c.d/24",
		"10..2.15/24", "", "/24", "1.2.3.4.5/24",
	};
	uint32_t addr = 0x01020304;
	unsigned int prefix = 7;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (net_parse_address(bad[i], &addr, &prefix))
			test_fail(t, __FILE__, __LINE__, "accepted \"%s\"", bad[i]);
		if (t->failed)
			return;
	}
	CHECK_EQ(addr, 0x01020304);                     /* untouched on failure */
	CHECK_EQ(prefix, 7);
}
