/*
 * netdev.c — the list of network devices, and the checks and counters
 * every frame passes on its way between a driver and the protocol code.
 */
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/netdev.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct netdev *devices;
static unsigned int unnamed_count;

void netdev_register(struct netdev *dev)
{
	struct netdev **tail = &devices;

	if (!dev->name[0])      /* drivers do not choose: eth0, eth1, ... in probe order */
		snprintf(dev->name, sizeof(dev->name), "eth%u", unnamed_count++);
	if (!dev->mtu)
		dev->mtu = NETDEV_DEFAULT_MTU;
	while (*tail)
		tail = &(*tail)->next;
	dev->next = NULL;
	*tail = dev;
}

struct netdev *netdev_first(void)
{
	return devices;
}

struct netdev *netdev_find(const char *name)
{
	for (struct netdev *d = devices; d; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

void netdev_format_mac(const uint8_t mac[NETDEV_MAC_LEN], char *buf)
{
	snprintf(buf, NETDEV_MAC_TEXT, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

void netdev_report(void)
{
	char mac[NETDEV_MAC_TEXT];

	for (struct netdev *d = devices; d; d = d->next) {
		netdev_format_mac(d->mac, mac);
		printk("netdev: %s: MAC %s, MTU %u, link %s, %s\n", d->name, mac, d->mtu,
		       d->link_up ? "up" : "down", d->model ? d->model : "");
	}
}

void netdev_set_receive(struct netdev *dev, netdev_receive_fn *receive, void *data)
{
	dev->receive = receive;
	dev->receive_data = data;
}

int netdev_open(struct netdev *dev)
{
	return dev->ops->open ? dev->ops->open(dev) : 0;
}

int netdev_transmit(struct netdev *dev, const void *frame, size_t len)
{
	int error;

	if (len < NETDEV_ETH_HEADER_LEN || len > NETDEV_ETH_HEADER_LEN + (size_t)dev->mtu) {
		dev->stats.tx_errors++;
		return -EINVAL;
	}
	error = dev->ops->transmit(dev, frame, len);
	if (error) {
		dev->stats.tx_errors++;
		return error;
	}
	dev->stats.tx_frames++;
	dev->stats.tx_bytes += len;
	return 0;
}

unsigned int netdev_poll(struct netdev *dev, unsigned int budget)
{
	return dev->ops->poll ? dev->ops->poll(dev, budget) : 0;
}

void netdev_deliver(struct netdev *dev, const void *frame, size_t len)
{
	if (!dev->receive || len < NETDEV_ETH_HEADER_LEN) {
		dev->stats.rx_dropped++;
		return;
	}
	dev->stats.rx_frames++;
	dev->stats.rx_bytes += len;
	dev->receive(dev, frame, len);
}
