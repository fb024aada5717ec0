/*
 * wire.h — the byte layouts our small network stack reads and writes:
 * Ethernet II, ARP (RFC 826), IPv4 (RFC 791), ICMP echo (RFC 792) and UDP
 * (RFC 768), with every constant named.  docs/net.md draws each one.
 *
 * Multi-byte fields on the wire are big-endian ("network byte order");
 * x86 is little-endian, so every 16- or 32-bit field is converted with
 * ntohs/ntohl on the way in and htons/htonl on the way out.  The fields
 * keep their wire order in these structures (the be16/be32 names are a
 * reminder); the stack's own variables are in host order.
 *
 * The structures are packed: an IPv4 header follows a 14-byte Ethernet
 * header, so its 32-bit fields are not 4-byte aligned in a frame, and
 * ARP's addresses sit at odd offsets.  Read them through these types
 * (the compiler then makes unaligned accesses safe) and never take the
 * address of a field.
 */
#ifndef PVKIT_NET_WIRE_H
#define PVKIT_NET_WIRE_H

#include <stdint.h>

typedef uint16_t be16;          /* a 16-bit field in network byte order */
typedef uint32_t be32;          /* a 32-bit field in network byte order */

static inline uint16_t ntohs(be16 x) { return __builtin_bswap16(x); }
static inline be16 htons(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t ntohl(be32 x) { return __builtin_bswap32(x); }
static inline be32 htonl(uint32_t x) { return __builtin_bswap32(x); }

/* ---- Ethernet II: destination, source, EtherType, then the payload ------------ */

#define ETH_ADDR_LEN            6
#define ETH_HEADER_LEN          14
#define ETH_MIN_FRAME_LEN       60      /* without the 4-byte FCS: shorter frames are padded */
#define ETH_MAX_PAYLOAD         1500    /* the MTU */
#define ETHERTYPE_IPV4          0x0800
#define ETHERTYPE_ARP           0x0806

struct eth_header {
	uint8_t dst[ETH_ADDR_LEN];
	uint8_t src[ETH_ADDR_LEN];
	be16 type;                      /* ETHERTYPE_*: what the payload is */
} __attribute__((packed));

/* ---- ARP for IPv4 over Ethernet (RFC 826): 28 bytes ------------------------------ */

#define ARP_HTYPE_ETHERNET      1       /* hardware type */
#define ARP_PTYPE_IPV4          ETHERTYPE_IPV4  /* protocol type */
#define ARP_OP_REQUEST          1       /* "who has tpa? tell spa" */
#define ARP_OP_REPLY            2       /* "spa is at sha" */
#define IPV4_ADDR_LEN           4

struct arp_packet {
	be16 htype;
	be16 ptype;
	uint8_t hlen;                   /* ETH_ADDR_LEN */
	uint8_t plen;                   /* IPV4_ADDR_LEN */
	be16 oper;                      /* ARP_OP_* */
	uint8_t sha[ETH_ADDR_LEN];      /* sender hardware address */
	be32 spa;                       /* sender protocol (IPv4) address */
	uint8_t tha[ETH_ADDR_LEN];      /* target hardware address (0 in a request) */
	be32 tpa;                       /* target protocol address */
} __attribute__((packed));

/* ---- IPv4 (RFC 791): 20 bytes, plus options when ihl > 5 ------------------------ */

#define IPV4_VERSION            4
#define IPV4_MIN_HEADER_LEN     20
#define IPV4_IHL_MIN            5       /* header length in 32-bit words */
#define IPV4_FLAG_DF            0x4000  /* don't fragment */
#define IPV4_FLAG_MF            0x2000  /* more fragments follow */
#define IPV4_FRAGMENT_OFFSET    0x1fff  /* in 8-byte units */
#define IPV4_DEFAULT_TTL        64
#define IPV4_PROTOCOL_ICMP      1
#define IPV4_PROTOCOL_UDP       17

struct ipv4_header {
	uint8_t version_ihl;            /* version (high 4 bits), header length (low 4) */
	uint8_t tos;                    /* type of service (DSCP + ECN today) */
	be16 total_length;              /* header + payload, bytes */
	be16 id;                        /* identifies the fragments of one datagram */
	be16 flags_fragment;            /* IPV4_FLAG_* and the fragment offset */
	uint8_t ttl;
	uint8_t protocol;               /* IPV4_PROTOCOL_* */
	be16 checksum;                  /* of the header only (RFC 1071) */
	be32 src;
	be32 dst;
} __attribute__((packed));

/* ---- ICMP echo (RFC 792): 8 bytes, then the data the request carried ----------- */

#define ICMP_TYPE_ECHO_REPLY    0
#define ICMP_TYPE_ECHO_REQUEST  8
#define ICMP_HEADER_LEN         8

struct icmp_echo {
	uint8_t type;                   /* ICMP_TYPE_* */
	uint8_t code;                   /* 0 for echo */
	be16 checksum;                  /* of the whole ICMP message */
	be16 id;                        /* chosen by the sender, copied back */
	be16 sequence;                  /* likewise */
} __attribute__((packed));

/* ---- UDP (RFC 768): 8 bytes, then the data -------------------------------------- */

#define UDP_HEADER_LEN          8
#define UDP_PORT_ECHO           7       /* RFC 862: send back what arrives */

struct udp_header {
	be16 src_port;
	be16 dst_port;
	be16 length;                    /* header + data, bytes */
	be16 checksum;                  /* over pseudo-header + UDP; 0: not computed */
} __attribute__((packed));

/* Not sent: what the UDP checksum covers in front of the UDP header. */
struct udp_pseudo_header {
	be32 src;
	be32 dst;
	uint8_t zero;
	uint8_t protocol;               /* IPV4_PROTOCOL_UDP */
	be16 udp_length;
} __attribute__((packed));

#endif
