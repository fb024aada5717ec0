/*
 * echo.c — `echo=SECONDS`: after the boot report, answer ARP, ICMP echo
 * and UDP echo (port 7) on the first network device for that many seconds,
 * print what was counted, and stop with status 0.  The harness's peer
 * (tests/tools/net-peer.c) pings us and sends UDP datagrams meanwhile.
 *
 * The loop: take every frame the device has (netdev_poll answers them as
 * they come), then sleep in platform->idle() until the next interrupt: the
 * device's when a frame arrives, or our timer's.  Interrupts stay disabled
 * except inside idle, so a frame cannot arrive between "nothing there" and
 * going to sleep without waking us.
 *
 * Until the first frame arrives we announce ourselves once a second with a
 * gratuitous ARP: a peer that is waiting for us learns our MAC and, over
 * QEMU's UDP socket netdev, where our frames come from.
 */
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/timer.h"
#include "lib/parse.h"
#include "net/net.h"

#define ECHO_MAX_SECONDS        3600
#define ECHO_POLL_BUDGET        32      /* frames per poll before checking the clock */
#define ANNOUNCE_INTERVAL_NS    NSEC_PER_SEC

static uint64_t echo_seconds;

static bool set_echo(const char *value)
{
	uint64_t seconds;

	if (!value || !parse_u64(value, 10, &seconds) || seconds < 1 ||
	    seconds > ECHO_MAX_SECONDS)
		return false;
	echo_seconds = seconds;
	return true;
}
CMDLINE_OPTION(echo, "echo", set_echo,
	       "answer ping and UDP echo (port 7) on the first network device for "
	       "echo=SECONDS (1-3600), then stop with status 0");

bool net_echo_requested(void)
{
	return echo_seconds != 0;
}

static void wake_up(struct timer *timer)
{
	(void)timer;    /* the interrupt itself ends platform->idle() */
}

static void print_summary(const struct net_iface *ifc, uint64_t elapsed_ns)
{
	const struct net_stats *s = &ifc->stats;
	uint64_t dropped = s->eth_too_short + s->eth_unknown_type + s->arp_malformed +
			   s->ipv4_malformed + s->ipv4_bad_checksum + s->ipv4_fragments +
			   s->ipv4_bad_source + s->ipv4_unknown_protocol + s->icmp_malformed +
			   s->icmp_bad_checksum + s->udp_malformed + s->udp_bad_checksum +
			   s->udp_no_port;

	printk("net: echo: done after %lu ms: %lu frames in, %lu ARP requests answered, "
	       "%lu ICMP echo replies, %lu UDP echo replies, %lu dropped, %lu not for us, "
	       "%lu send failures\n", elapsed_ns / NSEC_PER_MSEC, s->frames_in,
	       s->arp_requests_answered, s->icmp_echo_replies, s->udp_echo_replies, dropped,
	       s->eth_not_for_us + s->ipv4_not_for_us + s->arp_ignored, s->tx_failed);
}

/* Announcements until someone talks to us, frames, sleep; until `end`. */
static void serve(struct net_iface *ifc, uint64_t end)
{
	struct timer wake = { 0 };
	uint64_t next_announce = time_now_ns();
	uint64_t now;

	while ((now = time_now_ns()) < end) {
		bool announcing = ifc->stats.frames_in == 0;

		if (announcing && now >= next_announce) {
			arp_announce(ifc);
			next_announce = now + ANNOUNCE_INTERVAL_NS;
		}
		if (netdev_poll(ifc->dev, ECHO_POLL_BUDGET) == ECHO_POLL_BUDGET)
			continue;       /* more may be waiting: no sleep */
		if (!wake.pending)
			timer_start(&wake, announcing && next_announce < end ? next_announce : end,
				    wake_up);
		platform->idle();
	}
	timer_cancel(&wake);
}

enum exit_status net_echo_run(void)
{
	static struct net_iface ifc;    /* 1.5 KiB of frame buffer: not on the stack */
	struct netdev *dev = netdev_first();
	char addr[NET_ADDR_TEXT], mac[NETDEV_MAC_TEXT];
	uint64_t start;
	bool was_enabled;

	if (!dev) {
		printk("net: echo: no network device to answer on\n");
		return EXIT_BAD_CMDLINE;
	}
	net_iface_init(&ifc, dev, net_configured_address(), net_configured_prefix());
	if (netdev_open(dev) != 0) {
		printk("net: echo: %s could not be opened\n", dev->name);
		return EXIT_BAD_CMDLINE;
	}
	net_format_address(ifc.addr, addr);
	netdev_format_mac(dev->mac, mac);
	printk("net: echo: answering ARP, ping and UDP port %u on %s (MAC %s, IPv4 %s/%u) "
	       "for %lu s\n", UDP_PORT_ECHO, dev->name, mac, addr, ifc.prefix_len, echo_seconds);
	was_enabled = irq_save();
	start = time_now_ns();
	serve(&ifc, start + echo_seconds * NSEC_PER_SEC);
	irq_restore(was_enabled);
	print_summary(&ifc, time_now_ns() - start);
	net_iface_release(&ifc);
	return EXIT_OK;
}
