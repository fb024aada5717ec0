/*
 * tests/tools/net-peer.c — a tiny host on the guest's Ethernet, for testing
 * and measuring the guest's network stack from outside.
 *
 * QEMU's `-netdev socket,id=n0,udp=127.0.0.1:PEER,localaddr=127.0.0.1:GUESTSIDE`
 * puts every Ethernet frame the guest sends into one UDP datagram to PEER,
 * and every datagram arriving at GUESTSIDE into the guest as one frame (no
 * header, no FCS).  pvkit-hv's virtio-net backend uses the same
 * encapsulation.  This program listens on PEER, so it *is* a host on that
 * wire, with its own MAC and IPv4 address (default 10.0.2.2, 52:54:00:00:02:02):
 *
 *   1. it waits for the guest (its first frame: the guest announces itself
 *      with a gratuitous ARP, which also tells us where QEMU's side is);
 *   2. ARP: asks for the guest's address and checks the reply;
 *   3. N ICMP echo requests, sizes and contents varied, one at a time;
 *   4. N UDP datagrams to port 7 from varied ports, some without checksum;
 *   5. a few malformed packets (bad checksums, a fragment, a short one),
 *      which must get no answer;
 *   6. one ping from a second address the guest has never heard of, so the
 *      guest has to ARP for it (we answer) before it can reply.
 * Every reply is checked field by field: Ethernet addresses, IPv4 header
 * and checksum, ICMP/UDP checksums, ports, ids, and the payload byte for byte.
 * It prints "# " lines as it goes and one summary line, and exits 0 only if
 * nothing was lost or wrong.
 *
 * With --interface IF it speaks raw Ethernet on a Linux interface instead
 * (an AF_PACKET socket, the interface in promiscuous mode): in the real-Xen
 * lab it runs in dom0 on the bridge xenbr0 that the domU's vif is on
 * (scripts/xen-lab.sh --net-peer).  The checks are the same; only the
 * frames' way in and out differs.  With --bench it then measures UDP echo round
 * trips and packets per second (reported, never judged).
 *
 * The wire formats are written out here with byte offsets, independently of
 * the guest's net/wire.h: a mistake in one is not repeated in the other.
 *
 * Exit status: 0 all replies right, 1 something lost or wrong, 2 bad
 * usage or a socket error, 3 the guest never showed up.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EXIT_BAD        1
#define EXIT_USAGE      2
#define EXIT_NO_GUEST   3

/* Ethernet II */
#define ETH_HLEN        14
#define ETH_MIN_FRAME   60
#define ETH_MAX_FRAME   1514
#define ETYPE_IPV4      0x0800
#define ETYPE_ARP       0x0806
/* ARP (RFC 826), after the Ethernet header */
#define ARP_LEN         28
#define ARP_REQUEST     1
#define ARP_REPLY       2
/* IPv4 (RFC 791) */
#define IP_HLEN         20
#define IP_MF           0x2000
#define IP_OFFSET_MASK  0x1fff
#define PROTO_ICMP      1
#define PROTO_UDP       17
/* ICMP (RFC 792), UDP (RFC 768) */
#define ICMP_ECHO_REPLY   0
#define ICMP_ECHO_REQUEST 8
#define L4_HLEN         8               /* both headers are 8 bytes */
#define UDP_ECHO_PORT   7
#define MAX_DATA        (ETH_MAX_FRAME - ETH_HLEN - IP_HLEN - L4_HLEN)  /* 1472 */
#define PING_ID         0x7076          /* "pv" */
#define GIVE_UP_SILENT  3               /* unanswered requests in a row: the guest is gone */

struct peer {
	int sock;
	struct sockaddr_in guest_side;  /* QEMU's end of the socket netdev */
	bool guest_side_known;          /* (with --interface: always, the wire is there) */
	int ifindex;                    /* --interface: raw Ethernet on it; 0: UDP mode */
	uint8_t mac[6], guest_mac[6], neighbour_mac[6];
	bool guest_mac_known;
	uint32_t ip, guest_ip, neighbour_ip;    /* host order */
	uint16_t ip_id;
	int count;
	int reply_timeout_ms;
	int wait_s;
	bool bench;
	int bench_seconds;
	int failures;                   /* problems found */
	int silent_in_a_row;            /* requests without any reply, consecutive */
	int guest_arp_requests;         /* the guest asked us or our neighbour */
};

/* ---- little helpers --------------------------------------------------------- */

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void problem(struct peer *p, const char *fmt, ...)
{
	va_list ap;

	p->failures++;
	printf("# PROBLEM: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* RFC 1071 over big-endian 16-bit words, as a running sum. */
static uint32_t sum16(uint32_t sum, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)data[i] << 8 | (i + 1 < len ? data[i + 1] : 0);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, size_t udp_len)
{
	uint8_t ph[12];

	put32(ph, src);
	put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = PROTO_UDP;
	put16(ph + 10, (uint16_t)udp_len);
	return sum16(0, ph, sizeof(ph));
}

static bool parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*ip = ntohl(a.s_addr);
	return true;
}

static const char *ip_text(uint32_t ip)
{
	static char buf[4][16];
	static int n;
	char *b = buf[n++ % 4];

	snprintf(b, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
	return b;
}

static const char *mac_text(const uint8_t *m)
{
	static char buf[4][18];
	static int n;
	char *b = buf[n++ % 4];

	snprintf(b, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return b;
}

/* ---- frames in and out ------------------------------------------------------------ */

/* Raw Ethernet: the frame goes out on the interface as it is. */
static int send_raw(struct peer *p, const uint8_t *frame, size_t len)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = p->ifindex,
				  .sll_halen = 6 };

	memcpy(to.sll_addr, frame, 6);
	return (int)sendto(p->sock, frame, len, 0, (const struct sockaddr *)&to, sizeof(to));
}

static void send_frame(struct peer *p, const uint8_t *frame, size_t len)
{
	int rc;

	if (!p->guest_side_known)
		return;                 /* nowhere to send yet */
	if (p->ifindex)
		rc = send_raw(p, frame, len);
	else
		rc = (int)sendto(p->sock, frame, len, 0, (const struct sockaddr *)&p->guest_side,
				 sizeof(p->guest_side));
	if (rc < 0 && errno != ECONNREFUSED)
		note("sendto: %s", strerror(errno));
}

static size_t eth_header(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
	return ETH_HLEN;
}

static void send_arp(struct peer *p, int op, const uint8_t *eth_dst, const uint8_t *sha,
		     uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	uint8_t f[ETH_MIN_FRAME] = { 0 };
	uint8_t *a = f + eth_header(f, eth_dst, sha, ETYPE_ARP);

	put16(a, 1);                    /* Ethernet */
	put16(a + 2, ETYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, (uint16_t)op);
	memcpy(a + 8, sha, 6);
	put32(a + 14, spa);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tpa);
	send_frame(p, f, sizeof(f));
}

/* An IPv4 packet around payload[0..len), from src (with src_mac) to the guest. */
static size_t build_ipv4(struct peer *p, uint8_t *f, const uint8_t *src_mac, uint32_t src,
			 uint8_t proto, size_t len)
{
	uint8_t *ip = f + eth_header(f, p->guest_mac, src_mac, ETYPE_IPV4);

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(IP_HLEN + len));
	put16(ip + 4, p->ip_id++);
	put16(ip + 6, 0);
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, p->guest_ip);
	put16(ip + 10, fold(sum16(0, ip, IP_HLEN)));
	return ETH_HLEN + IP_HLEN + len;
}

static size_t build_ping(struct peer *p, uint8_t *f, const uint8_t *src_mac, uint32_t src,
			 uint16_t seq, const uint8_t *data, size_t len)
{
	uint8_t *icmp = f + ETH_HLEN + IP_HLEN;

	icmp[0] = ICMP_ECHO_REQUEST;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, PING_ID);
	put16(icmp + 6, seq);
	memcpy(icmp + L4_HLEN, data, len);
	put16(icmp + 2, fold(sum16(0, icmp, L4_HLEN + len)));
	return build_ipv4(p, f, src_mac, src, PROTO_ICMP, L4_HLEN + len);
}

static size_t build_udp(struct peer *p, uint8_t *f, uint16_t sport, const uint8_t *data,
			size_t len, bool with_checksum)
{
	uint8_t *udp = f + ETH_HLEN + IP_HLEN;
	size_t ulen = L4_HLEN + len;

	put16(udp, sport);
	put16(udp + 2, UDP_ECHO_PORT);
	put16(udp + 4, (uint16_t)ulen);
	put16(udp + 6, 0);
	memcpy(udp + L4_HLEN, data, len);
	if (with_checksum) {
		uint16_t c = fold(sum16(pseudo_sum(p->ip, p->guest_ip, ulen), udp, ulen));

		put16(udp + 6, c ? c : 0xffff);
	}
	return build_ipv4(p, f, p->mac, p->ip, PROTO_UDP, ulen);
}

/* Contents that differ by test number and position, so that a reply
 * carrying another request's data, or shifted data, is caught. */
static void fill_data(uint8_t *data, size_t len, int n)
{
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(n * 37 + i * 11 + (i >> 8));
}

/* Answers the guest's ARP requests for us or our neighbour. */
static void answer_arp_request(struct peer *p, const uint8_t *f)
{
	const uint8_t *a = f + ETH_HLEN;
	uint32_t tpa = get32(a + 24);
	const uint8_t *mac = tpa == p->ip ? p->mac : tpa == p->neighbour_ip ?
			     p->neighbour_mac : NULL;

	if (!mac || get16(a + 6) != ARP_REQUEST || get32(a + 14) == tpa)
		return;                 /* not for us, or an announcement */
	p->guest_arp_requests++;
	send_arp(p, ARP_REPLY, a + 8, mac, tpa, a + 8, get32(a + 14));
}

/* One datagram from QEMU's side of the socket netdev: its size, or -1 for
 * one from anywhere else. */
static ssize_t receive_udp(struct peer *p, uint8_t *f)
{
	struct sockaddr_in from;
	socklen_t fromlen = sizeof(from);
	ssize_t n = recvfrom(p->sock, f, ETH_MAX_FRAME + 64, 0, (struct sockaddr *)&from, &fromlen);

	if (n < 0)
		return -1;
	if (!p->guest_side_known) {
		p->guest_side = from;
		p->guest_side_known = true;
		note("the guest's side of the wire is %s:%u", inet_ntoa(from.sin_addr),
		     ntohs(from.sin_port));
	} else if (from.sin_port != p->guest_side.sin_port ||
		   from.sin_addr.s_addr != p->guest_side.sin_addr.s_addr) {
		return -1;
	}
	return n;
}

/* One frame off the interface: its size, or -1 for one we sent ourselves
 * (the socket sees the interface's outgoing frames too) or, once we know
 * the guest, one from another MAC (dom0's own traffic, say). */
static ssize_t receive_raw(struct peer *p, uint8_t *f)
{
	struct sockaddr_ll from;
	socklen_t fromlen = sizeof(from);
	ssize_t n = recvfrom(p->sock, f, ETH_MAX_FRAME + 64, 0, (struct sockaddr *)&from, &fromlen);

	if (n < 0 || from.sll_pkttype == PACKET_OUTGOING)
		return -1;
	if (p->guest_mac_known && n >= ETH_HLEN && memcmp(f + 6, p->guest_mac, 6) != 0)
		return -1;
	return n;
}

/*
 * The next frame from the guest, or 0 at the deadline.  ARP frames are
 * looked at here (the guest's MAC learned from its announcement, its
 * requests answered) and returned only when want_arp.  Frames from
 * anywhere but the guest's side are ignored.
 */
static size_t next_frame(struct peer *p, uint8_t *f, int64_t deadline_us, bool want_arp)
{
	for (;;) {
		int64_t left = deadline_us - now_us();
		struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, (int)((left + 999) / 1000)) <= 0)
			continue;
		n = p->ifindex ? receive_raw(p, f) : receive_udp(p, f);
		if (n < 0)
			continue;
		if (n < ETH_HLEN) {
			problem(p, "a %zd-byte frame from the guest: shorter than an Ethernet header", n);
			continue;
		}
		if (get16(f + 12) == ETYPE_ARP && n >= ETH_HLEN + ARP_LEN) {
			const uint8_t *a = f + ETH_HLEN;

			if (!p->guest_mac_known && get32(a + 14) == p->guest_ip) {
				memcpy(p->guest_mac, a + 8, 6);
				p->guest_mac_known = true;
				note("the guest %s is at %s", ip_text(p->guest_ip), mac_text(p->guest_mac));
			}
			answer_arp_request(p, f);
			if (!want_arp)
				continue;
		}
		return (size_t)n;
	}
}

/* ---- checking replies ---------------------------------------------------------------- */

/* The IPv4 reply's payload, if frame f is a well-formed IPv4 packet of
 * protocol proto from the guest to dst; otherwise NULL and a problem noted. */
static const uint8_t *check_ipv4(struct peer *p, const uint8_t *f, size_t n, uint8_t proto,
				 uint32_t dst, const uint8_t *dst_mac, size_t *len,
				 const char *what)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t total;

	if (memcmp(f, dst_mac, 6) || memcmp(f + 6, p->guest_mac, 6)) {
		problem(p, "%s: Ethernet %s -> %s, expected %s -> %s", what, mac_text(f + 6),
			mac_text(f), mac_text(p->guest_mac), mac_text(dst_mac));
		return NULL;
	}
	if (get16(f + 12) != ETYPE_IPV4 || n < ETH_HLEN + IP_HLEN) {
		problem(p, "%s: not an IPv4 frame (type %#x, %zu bytes)", what, get16(f + 12), n);
		return NULL;
	}
	total = get16(ip + 2);
	if (ip[0] != 0x45 || total < IP_HLEN || total > n - ETH_HLEN ||
	    (n - ETH_HLEN != total && n != ETH_MIN_FRAME)) {
		problem(p, "%s: IPv4 version/IHL %#x, total length %zu in a %zu-byte frame",
			what, ip[0], total, n);
		return NULL;
	}
	if (fold(sum16(0, ip, IP_HLEN)) != 0) {
		problem(p, "%s: bad IPv4 header checksum %#06x", what, get16(ip + 10));
		return NULL;
	}
	if ((get16(ip + 6) & (IP_MF | IP_OFFSET_MASK)) || ip[8] == 0 || ip[9] != proto ||
	    get32(ip + 12) != p->guest_ip || get32(ip + 16) != dst) {
		problem(p, "%s: IPv4 flags %#x ttl %u protocol %u, %s -> %s", what, get16(ip + 6),
			ip[8], ip[9], ip_text(get32(ip + 12)), ip_text(get32(ip + 16)));
		return NULL;
	}
	*len = total - IP_HLEN;
	return ip + IP_HLEN;
}

static bool check_arp_reply(struct peer *p, const uint8_t *f, size_t n)
{
	const uint8_t *a = f + ETH_HLEN;

	if (n < ETH_HLEN + ARP_LEN || get16(a + 6) != ARP_REPLY)
		return false;           /* not the reply: an announcement, say */
	if (memcmp(f, p->mac, 6) || memcmp(f + 6, p->guest_mac, 6) || get16(a) != 1 ||
	    get16(a + 2) != ETYPE_IPV4 || a[4] != 6 || a[5] != 4 ||
	    memcmp(a + 8, p->guest_mac, 6) || get32(a + 14) != p->guest_ip ||
	    memcmp(a + 18, p->mac, 6) || get32(a + 24) != p->ip)
		problem(p, "ARP reply: wrong fields (sha %s spa %s tha %s tpa %s)", mac_text(a + 8),
			ip_text(get32(a + 14)), mac_text(a + 18), ip_text(get32(a + 24)));
	return true;
}

/* An ICMP echo reply for seq carrying data? */
static bool check_pong(struct peer *p, const uint8_t *f, size_t n, uint32_t dst,
		       const uint8_t *dst_mac, uint16_t seq, const uint8_t *data, size_t len)
{
	char what[48];
	size_t plen;
	const uint8_t *icmp;

	snprintf(what, sizeof(what), "ping %u (%zu bytes)", seq, len);
	icmp = check_ipv4(p, f, n, PROTO_ICMP, dst, dst_mac, &plen, what);
	if (!icmp)
		return false;
	if (plen != L4_HLEN + len || icmp[0] != ICMP_ECHO_REPLY || icmp[1] != 0 ||
	    get16(icmp + 4) != PING_ID || get16(icmp + 6) != seq) {
		problem(p, "%s: reply type %u code %u id %#x seq %u, %zu bytes", what, icmp[0],
			icmp[1], get16(icmp + 4), get16(icmp + 6), plen);
		return false;
	}
	if (fold(sum16(0, icmp, plen)) != 0) {
		problem(p, "%s: bad ICMP checksum %#06x", what, get16(icmp + 2));
		return false;
	}
	if (memcmp(icmp + L4_HLEN, data, len) != 0) {
		problem(p, "%s: the data came back changed", what);
		return false;
	}
	return true;
}

static bool check_udp_echo(struct peer *p, const uint8_t *f, size_t n, uint16_t sport,
			   const uint8_t *data, size_t len, const char *what)
{
	size_t plen;
	const uint8_t *udp = check_ipv4(p, f, n, PROTO_UDP, p->ip, p->mac, &plen, what);

	if (!udp)
		return false;
	if (plen != L4_HLEN + len || get16(udp) != UDP_ECHO_PORT || get16(udp + 2) != sport ||
	    get16(udp + 4) != plen) {
		problem(p, "%s: UDP %u -> %u, length %u, %zu bytes", what, get16(udp),
			get16(udp + 2), get16(udp + 4), plen);
		return false;
	}
	if (get16(udp + 6) == 0 || fold(sum16(pseudo_sum(p->guest_ip, p->ip, plen), udp, plen))) {
		problem(p, "%s: bad or missing UDP checksum %#06x", what, get16(udp + 6));
		return false;
	}
	if (memcmp(udp + L4_HLEN, data, len) != 0) {
		problem(p, "%s: the data came back changed", what);
		return false;
	}
	return true;
}

/* ---- the steps ---------------------------------------------------------------------- */

static bool wait_for_guest(struct peer *p)
{
	uint8_t f[ETH_MAX_FRAME + 64];
	int64_t deadline = now_us() + (int64_t)p->wait_s * 1000000;

	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];

	note("waiting up to %d s for the guest %s to announce itself", p->wait_s,
	     ip_text(p->guest_ip));
	while (!p->guest_mac_known && now_us() < deadline) {
		/* Told where the guest is (--guest-port): ask, in case its
		 * announcement went out before we were listening. */
		send_arp(p, ARP_REQUEST, broadcast, p->mac, p->ip, zero, p->guest_ip);
		next_frame(p, f, now_us() + 500000 < deadline ? now_us() + 500000 : deadline, false);
	}
	return p->guest_mac_known;
}

static bool arp_check(struct peer *p)
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	uint8_t f[ETH_MAX_FRAME + 64];

	for (int attempt = 0; attempt < 3; attempt++) {
		int64_t deadline = now_us() + (int64_t)p->reply_timeout_ms * 1000;
		size_t n;

		send_arp(p, ARP_REQUEST, broadcast, p->mac, p->ip, zero, p->guest_ip);
		while ((n = next_frame(p, f, deadline, true)))
			if (get16(f + 12) == ETYPE_ARP && check_arp_reply(p, f, n))
				return true;
	}
	problem(p, "no ARP reply from the guest for %s", ip_text(p->guest_ip));
	return false;
}

/* Sends one ping and waits for its reply; any other IPv4 frame is wrong. */
static bool ping_once(struct peer *p, const uint8_t *src_mac, uint32_t src, uint16_t seq,
		      size_t len)
{
	uint8_t f[ETH_MAX_FRAME + 64], data[MAX_DATA];
	int64_t deadline = now_us() + (int64_t)p->reply_timeout_ms * 1000;
	size_t n;

	fill_data(data, len, seq);
	send_frame(p, f, build_ping(p, f, src_mac, src, seq, data, len));
	if (!(n = next_frame(p, f, deadline, false))) {
		problem(p, "ping %u (%zu bytes) from %s: no reply in %d ms", seq, len, ip_text(src),
			p->reply_timeout_ms);
		p->silent_in_a_row++;
		return false;
	}
	p->silent_in_a_row = 0;
	return check_pong(p, f, n, src, src_mac, seq, data, len);
}

static const size_t ping_sizes[] = { 56, 0, 1, 7, 64, 100, 511, 1000, 1471, MAX_DATA };
static const size_t udp_sizes[] = { 1, 0, 2, 17, 64, 200, 512, 999, 1400, MAX_DATA };
#define SIZES (sizeof(ping_sizes) / sizeof(ping_sizes[0]))

static int pings(struct peer *p)
{
	int good = 0;

	for (int i = 0; i < p->count && p->silent_in_a_row < GIVE_UP_SILENT; i++)
		good += ping_once(p, p->mac, p->ip, (uint16_t)i, ping_sizes[i % SIZES]);
	return good;
}

static bool udp_once(struct peer *p, int i, uint16_t sport, size_t len, bool with_checksum)
{
	uint8_t f[ETH_MAX_FRAME + 64], data[MAX_DATA];
	int64_t deadline = now_us() + (int64_t)p->reply_timeout_ms * 1000;
	char what[64];
	size_t n;

	snprintf(what, sizeof(what), "UDP datagram %d (%zu bytes, port %u%s)", i, len, sport,
		 with_checksum ? "" : ", no checksum");
	fill_data(data, len, 1000 + i);
	send_frame(p, f, build_udp(p, f, sport, data, len, with_checksum));
	if (!(n = next_frame(p, f, deadline, false))) {
		problem(p, "%s: no reply in %d ms", what, p->reply_timeout_ms);
		p->silent_in_a_row++;
		return false;
	}
	p->silent_in_a_row = 0;
	return check_udp_echo(p, f, n, sport, data, len, what);
}

static int udp_echoes(struct peer *p)
{
	int good = 0;

	for (int i = 0; i < p->count && p->silent_in_a_row < GIVE_UP_SILENT; i++)
		good += udp_once(p, i, (uint16_t)(40000 + i * 13), udp_sizes[i % SIZES], i % 5 != 4);
	return good;
}

/* Packets the guest must drop without answering; returns how many were sent. */
static int malformed(struct peer *p)
{
	uint8_t f[ETH_MAX_FRAME + 64], data[64];
	int64_t deadline;
	size_t len, n;
	int sent = 0;

	fill_data(data, sizeof(data), 7);
	len = build_ping(p, f, p->mac, p->ip, 9001, data, sizeof(data));
	f[ETH_HLEN + 10] ^= 0x5a;                       /* IPv4 header checksum */
	send_frame(p, f, len), sent++;
	len = build_ping(p, f, p->mac, p->ip, 9002, data, sizeof(data));
	f[ETH_HLEN + IP_HLEN + 2] ^= 0x01;              /* ICMP checksum */
	send_frame(p, f, len), sent++;
	len = build_udp(p, f, 41000, data, sizeof(data), true);
	f[len - 1] ^= 0xff;                             /* data under a UDP checksum */
	send_frame(p, f, len), sent++;
	len = build_ping(p, f, p->mac, p->ip, 9003, data, sizeof(data));
	put16(f + ETH_HLEN + 6, IP_MF);                 /* a first fragment */
	put16(f + ETH_HLEN + 10, 0);
	put16(f + ETH_HLEN + 10, fold(sum16(0, f + ETH_HLEN, IP_HLEN)));
	send_frame(p, f, len), sent++;
	len = build_ping(p, f, p->mac, p->ip, 9004, data, sizeof(data));
	send_frame(p, f, ETH_HLEN + IP_HLEN + 4), sent++;  /* cut short: total length lies */

	deadline = now_us() + 200000;                   /* any answer would come by now */
	while ((n = next_frame(p, f, deadline, false)))
		problem(p, "a malformed packet got an answer (%zu-byte frame)", n);
	return sent;
}

/* A ping from an address the guest has never seen: it must ARP for it. */
static bool new_neighbour(struct peer *p)
{
	int before = p->guest_arp_requests;
	bool ok = ping_once(p, p->neighbour_mac, p->neighbour_ip, 7777, 48);

	if (ok && p->guest_arp_requests == before) {
		problem(p, "ping from %s answered without an ARP request first",
			ip_text(p->neighbour_ip));
		return false;
	}
	return ok;
}

/* ---- bench ---------------------------------------------------------------------- */

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Sequential UDP echo round trips: one datagram in flight at a time. */
static void bench_latency(struct peer *p, int samples)
{
	int64_t *rtt = calloc((size_t)samples, sizeof(*rtt));
	uint8_t f[ETH_MAX_FRAME + 64], data[64];
	int got = 0;

	fill_data(data, sizeof(data), 3);
	for (int i = 0; i < samples && rtt; i++) {
		int64_t start = now_us();
		size_t n;

		send_frame(p, f, build_udp(p, f, 45000, data, sizeof(data), true));
		n = next_frame(p, f, start + (int64_t)p->reply_timeout_ms * 1000, false);
		if (n && check_udp_echo(p, f, n, 45000, data, sizeof(data), "bench round trip"))
			rtt[got++] = now_us() - start;
	}
	if (got) {
		qsort(rtt, (size_t)got, sizeof(*rtt), compare_i64);
		printf("net-peer: bench: udp-rtt-us median %" PRId64 " min %" PRId64 " p99 %" PRId64
		       " samples %d/%d\n", rtt[got / 2], rtt[0], rtt[got * 99 / 100], got, samples);
	} else {
		printf("net-peer: bench: udp-rtt-us none (0/%d replies)\n", samples);
	}
	free(rtt);
}

/* Datagrams kept `window` in flight for `seconds`: replies per second. */
static void bench_rate(struct peer *p, int window, int seconds)
{
	uint8_t f[ETH_MAX_FRAME + 64], data[64];
	int64_t start = now_us(), end = start + (int64_t)seconds * 1000000, last_reply = start;
	long sent = 0, received = 0;

	fill_data(data, sizeof(data), 5);
	while (now_us() < end) {
		size_t n;

		while (sent - received < window && now_us() < end) {
			send_frame(p, f, build_udp(p, f, 46000, data, sizeof(data), true));
			sent++;
		}
		n = next_frame(p, f, now_us() + 200000, false);
		if (n) {
			received++;
			last_reply = now_us();
		} else if (now_us() - last_reply > 200000) {
			received = sent;        /* give up on the lost ones: refill the window */
		}
	}
	/* Collect the stragglers. */
	long tail = 0;

	while (next_frame(p, f, now_us() + 200000, false))
		tail++;
	printf("net-peer: bench: udp-pps %.0f window %d sent %ld replies %ld in %d s\n",
	       (double)(received + tail) / seconds, window, sent, received + tail, seconds);
}

/* ---- main ------------------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr,
		"usage: net-peer [--port N] [--port-file FILE] [--guest-port N] [--count N]\n"
		"                [--ip A] [--guest-ip A] [--wait S] [--reply-timeout MS]\n"
		"                [--bench [--bench-seconds S]] [--interface IF]\n"
		"Listens on 127.0.0.1:PORT (0: any free port, written to FILE) for QEMU's\n"
		"-netdev socket,udp=127.0.0.1:PORT,localaddr=127.0.0.1:GUESTPORT;\n"
		"with --interface, sends and receives raw Ethernet on IF instead (root).\n");
	return EXIT_USAGE;
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

static int open_socket(struct peer *p, int port, const char *port_file)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t alen = sizeof(a);
	int rcvbuf = 1 << 20;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (p->sock < 0 || bind(p->sock, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(p->sock, (struct sockaddr *)&a, &alen) < 0) {
		fprintf(stderr, "net-peer: socket on 127.0.0.1:%d: %s\n", port, strerror(errno));
		return -1;
	}
	setsockopt(p->sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	note("listening on 127.0.0.1:%u as %s (%s)", ntohs(a.sin_port), ip_text(p->ip),
	     mac_text(p->mac));
	if (port_file) {
		char tmp[4096];
		FILE *fp;

		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		fp = fopen(tmp, "w");
		if (!fp || fprintf(fp, "%u\n", ntohs(a.sin_port)) < 0 || fclose(fp) != 0 ||
		    rename(tmp, port_file) != 0) {
			fprintf(stderr, "net-peer: %s: %s\n", port_file, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Raw Ethernet on one interface: every frame type, and promiscuous, so that
 * replies to our made-up MACs reach us through a bridge that does not know
 * them. */
static int open_raw_socket(struct peer *p, const char *ifname)
{
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct packet_mreq promisc = { .mr_type = PACKET_MR_PROMISC };
	int rcvbuf = 1 << 20;

	p->ifindex = (int)if_nametoindex(ifname);
	a.sll_ifindex = promisc.mr_ifindex = p->ifindex;
	p->sock = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (!p->ifindex || p->sock < 0 || bind(p->sock, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    setsockopt(p->sock, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &promisc, sizeof(promisc)) < 0) {
		fprintf(stderr, "net-peer: raw socket on %s: %s\n", ifname,
			p->ifindex ? strerror(errno) : "no such interface");
		return -1;
	}
	setsockopt(p->sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	p->guest_side_known = true;
	note("raw Ethernet on %s (index %d) as %s (%s)", ifname, p->ifindex, ip_text(p->ip),
	     mac_text(p->mac));
	return 0;
}

int main(int argc, char **argv)
{
	struct peer p = {
		.mac = { 0x52, 0x54, 0x00, 0x00, 0x02, 0x02 },
		.neighbour_mac = { 0x52, 0x54, 0x00, 0x00, 0x02, 0x03 },
		.count = 20, .reply_timeout_ms = 2000, .wait_s = 60, .bench_seconds = 2,
	};
	const char *port_file = NULL, *interface = NULL;
	int port = 0, guest_port = 0;
	int good_pings, good_udp, neighbour, dropped;
	int64_t start;

	parse_ip("10.0.2.2", &p.ip);
	parse_ip("10.0.2.15", &p.guest_ip);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true;

		if (!strcmp(a, "--bench")) {
			p.bench = true;
			continue;
		}
		if (!v)
			return usage();
		if (!strcmp(a, "--port"))
			ok = parse_int(v, 0, 65535, &port);
		else if (!strcmp(a, "--port-file"))
			port_file = v;
		else if (!strcmp(a, "--guest-port"))
			ok = parse_int(v, 1, 65535, &guest_port);
		else if (!strcmp(a, "--count"))
			ok = parse_int(v, 1, 100000, &p.count);
		else if (!strcmp(a, "--ip"))
			ok = parse_ip(v, &p.ip);
		else if (!strcmp(a, "--guest-ip"))
			ok = parse_ip(v, &p.guest_ip);
		else if (!strcmp(a, "--wait"))
			ok = parse_int(v, 1, 3600, &p.wait_s);
		else if (!strcmp(a, "--reply-timeout"))
			ok = parse_int(v, 1, 600000, &p.reply_timeout_ms);
		else if (!strcmp(a, "--bench-seconds"))
			ok = parse_int(v, 1, 600, &p.bench_seconds);
		else if (!strcmp(a, "--interface"))
			interface = v;
		else
			return usage();
		if (!ok)
			return usage();
		i++;
	}
	p.neighbour_ip = p.ip + 1;
	if (p.neighbour_ip == p.guest_ip)
		p.neighbour_ip++;
	if (interface ? open_raw_socket(&p, interface) < 0 : open_socket(&p, port, port_file) < 0)
		return EXIT_USAGE;
	if (guest_port) {
		p.guest_side = (struct sockaddr_in){ .sin_family = AF_INET,
						     .sin_port = htons((uint16_t)guest_port) };
		p.guest_side.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		p.guest_side_known = true;
	}
	if (!wait_for_guest(&p)) {
		printf("net-peer: FAILED: the guest %s never announced itself in %d s\n",
		       ip_text(p.guest_ip), p.wait_s);
		return EXIT_NO_GUEST;
	}
	start = now_us();
	arp_check(&p);
	good_pings = pings(&p);
	good_udp = udp_echoes(&p);
	dropped = malformed(&p);
	neighbour = p.silent_in_a_row < GIVE_UP_SILENT && new_neighbour(&p);
	if (p.silent_in_a_row >= GIVE_UP_SILENT)
		problem(&p, "gave up after %d requests in a row got no reply", GIVE_UP_SILENT);
	printf("net-peer: %s: %d/%d pings, %d/%d UDP datagrams, %d/1 ping via the guest's ARP, "
	       "%d malformed packets unanswered, %d problems, %.1f s\n",
	       p.failures ? "FAILED" : "ok", good_pings, p.count, good_udp, p.count, neighbour,
	       dropped, p.failures, (double)(now_us() - start) / 1e6);
	printf("net-peer: expect guest: %d ICMP echo replies, %d UDP echo replies, %d dropped\n",
	       p.count + 1, p.count, dropped);
	if (p.bench && !p.failures) {
		bench_latency(&p, 200);
		bench_rate(&p, 16, p.bench_seconds);
	}
	fflush(stdout);
	return p.failures ? EXIT_BAD : 0;
}
