/*
 * net.c — the stack's bottom layer: binding an interface (address, ARP
 * cache, counters) to a netdev, reading the Ethernet header of each
 * received frame and passing the payload to ARP or IPv4, framing what we
 * send; and the `ip=` option with the boot report's line.
 */
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "net/net.h"

static const uint8_t broadcast_mac[ETH_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- ip=ADDR/PREFIX ------------------------------------------------------------------ */

static uint32_t configured_addr = NET_DEFAULT_ADDRESS;
static unsigned int configured_prefix = NET_DEFAULT_PREFIX;

/* One decimal byte of a dotted quad, up to the separator `end`. */
static bool parse_address_byte(const char **text, char end, uint32_t *addr)
{
	char digits[4];
	size_t n = 0;
	uint64_t value;

	while (**text && **text != end && n < sizeof(digits) - 1)
		digits[n++] = *(*text)++;
	digits[n] = '\0';
	if (**text != end || n == 0 || (n > 1 && digits[0] == '0') ||
	    !parse_u64(digits, 10, &value) || value > 255)
		return false;
	if (end)
		(*text)++;
	*addr = *addr << 8 | (uint32_t)value;
	return true;
}

/* Addresses a host may not take: 0.x, 127.x (loopback), 224.x and above
 * (multicast, reserved, broadcast), and with a prefix up to /30 the
 * network's first (network) and last (broadcast) address. */
static bool usable_host_address(uint32_t addr, unsigned int prefix_len)
{
	uint8_t first = (uint8_t)(addr >> 24);
	uint32_t host_mask = prefix_len == 32 ? 0 : 0xffffffffu >> prefix_len;

	if (first == 0 || first == 127 || first >= 224)
		return false;
	if (prefix_len <= 30 && ((addr & host_mask) == 0 || (addr & host_mask) == host_mask))
		return false;
	return true;
}

bool net_parse_address(const char *text, uint32_t *addr, unsigned int *prefix_len)
{
	uint32_t value = 0;
	uint64_t prefix;

	for (int i = 0; i < 3; i++)
		if (!parse_address_byte(&text, '.', &value))
			return false;
	if (!parse_address_byte(&text, '/', &value))
		return false;
	if (!parse_u64(text, 10, &prefix) || prefix < 1 || prefix > 32 ||
	    (text[0] == '0' && text[1]))
		return false;
	if (!usable_host_address(value, (unsigned int)prefix))
		return false;
	*addr = value;
	*prefix_len = (unsigned int)prefix;
	return true;
}

static bool set_ip(const char *value)
{
	return value && net_parse_address(value, &configured_addr, &configured_prefix);
}
CMDLINE_OPTION(ip, "ip", set_ip,
	       "our IPv4 address and prefix on the first network device: ip=ADDR/PREFIX "
	       "(default 10.0.2.15/24)");

uint32_t net_configured_address(void)
{
	return configured_addr;
}

unsigned int net_configured_prefix(void)
{
	return configured_prefix;
}

void net_format_address(uint32_t addr, char buf[NET_ADDR_TEXT])
{
	snprintf(buf, NET_ADDR_TEXT, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
}

void net_report(void)
{
	struct netdev *dev = netdev_first();
	char addr[NET_ADDR_TEXT];

	if (!dev)
		return;
	net_format_address(configured_addr, addr);
	printk("net: %s: IPv4 %s/%u (ip=)\n", dev->name, addr, configured_prefix);
}

/* ---- interfaces ---------------------------------------------------------------------- */

void net_iface_init(struct net_iface *ifc, struct netdev *dev, uint32_t addr,
		    unsigned int prefix_len)
{
	memset(ifc, 0, sizeof(*ifc));
	ifc->dev = dev;
	ifc->addr = addr;
	ifc->prefix_len = prefix_len;
	netdev_set_receive(dev, net_receive, ifc);
}

void net_iface_release(struct net_iface *ifc)
{
	for (unsigned int i = 0; i < NET_ARP_CACHE_ENTRIES; i++) {
		kfree(ifc->arp[i].parked);
		ifc->arp[i].parked = NULL;
	}
	netdev_set_receive(ifc->dev, NULL, NULL);
}

bool net_same_subnet(const struct net_iface *ifc, uint32_t addr)
{
	uint32_t mask = ifc->prefix_len == 0 ? 0 : 0xffffffffu << (32 - ifc->prefix_len);

	return (addr & mask) == (ifc->addr & mask);
}

/* ---- Ethernet ----------------------------------------------------------------------- */

int net_send_frame(struct net_iface *ifc, const uint8_t dst_mac[ETH_ADDR_LEN],
		   uint16_t ethertype, size_t payload_len)
{
	struct eth_header *eth = (struct eth_header *)ifc->tx_frame;
	size_t len = ETH_HEADER_LEN + payload_len;
	int error;

	memcpy(eth->dst, dst_mac, ETH_ADDR_LEN);
	memcpy(eth->src, ifc->dev->mac, ETH_ADDR_LEN);
	eth->type = htons(ethertype);
	/* Ethernet's minimum frame: a real card pads for us, a virtual one
	 * may send the short frame as it is. */
	if (len < ETH_MIN_FRAME_LEN) {
		memset(ifc->tx_frame + len, 0, ETH_MIN_FRAME_LEN - len);
		len = ETH_MIN_FRAME_LEN;
	}
	error = netdev_transmit(ifc->dev, ifc->tx_frame, len);
	if (error)
		ifc->stats.tx_failed++;
	return error;
}

static bool is_for_us(const struct net_iface *ifc, const uint8_t mac[ETH_ADDR_LEN])
{
	return memcmp(mac, ifc->dev->mac, ETH_ADDR_LEN) == 0 ||
	       memcmp(mac, broadcast_mac, ETH_ADDR_LEN) == 0;
}

void net_receive(struct netdev *dev, const void *frame, size_t len)
{
	struct net_iface *ifc = dev->receive_data;
	const struct eth_header *eth = frame;
	const uint8_t *payload = (const uint8_t *)frame + ETH_HEADER_LEN;

	ifc->stats.frames_in++;
	if (len < ETH_HEADER_LEN) {
		ifc->stats.eth_too_short++;
		return;
	}
	if (!is_for_us(ifc, eth->dst)) {
		ifc->stats.eth_not_for_us++;
		return;
	}
	switch (ntohs(eth->type)) {
	case ETHERTYPE_ARP:
		arp_receive(ifc, eth, payload, len - ETH_HEADER_LEN);
		break;
	case ETHERTYPE_IPV4:
		ipv4_receive(ifc, payload, len - ETH_HEADER_LEN);
		break;
	default:
		ifc->stats.eth_unknown_type++;
		break;
	}
}
