/*
 * test_virtio_net.c — the virtio-net driver against the host's device
 * (QEMU: virtio-net-device on microvm, virtio-net-pci on q35).  Skips
 * without one.  Nothing here needs anyone listening on the other side:
 * the exchange with a real peer is the harness's "net echo" check
 * (tests/tools/net-peer.c with echo=SECONDS).
 */
#include <linux/virtio_net.h>

#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/netdev.h"
#include "kernel/test.h"
#include "kernel/timer.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_net.h"

#define NO_NET "no virtio-net device (QEMU: -device virtio-net-device or virtio-net-pci)"
#define LOCAL_EXPERIMENTAL_ETHERTYPE 0x88b5     /* IEEE 802: for experiments, never routed */
#define RECLAIM_TIMEOUT_NS (2 * NSEC_PER_SEC)

static struct netdev *virtio_netdev(void)
{
	for (struct netdev *d = netdev_first(); d; d = d->next)
		if (virtio_net_of(d) && !virtio_net_device(virtio_net_of(d))->broken)
			return d;
	return NULL;
}

TEST(virtio_net, device_is_a_netdev_with_the_hosts_mac)
{
	struct netdev *dev = virtio_netdev();

	if (!dev)
		SKIP(NO_NET);
	struct virtio_device *vdev = virtio_net_device(virtio_net_of(dev));
	uint8_t mac[NETDEV_MAC_LEN];

	CHECK(netdev_find(dev->name) == dev);
	CHECK(str_starts_with(dev->name, "eth"));
	CHECK_EQ(dev->mtu, NETDEV_DEFAULT_MTU);
	CHECK(vdev->ready);
	CHECK(virtio_has_feature(vdev, VIRTIO_F_VERSION_1));
	CHECK(!(dev->mac[0] & 1));                      /* unicast */
	if (virtio_has_feature(vdev, VIRTIO_NET_F_MAC)) {
		virtio_config_read(vdev, offsetof(struct virtio_net_config, mac), mac, sizeof(mac));
		CHECK(memcmp(mac, dev->mac, NETDEV_MAC_LEN) == 0);
	} else {
		CHECK(dev->mac[0] & 2);                 /* locally administered default */
	}
}

TEST(virtio_net, no_offloads_are_negotiated)
{
	struct netdev *dev = virtio_netdev();

	if (!dev)
		SKIP(NO_NET);
	struct virtio_device *vdev = virtio_net_device(virtio_net_of(dev));
	static const unsigned int offloads[] = {
		VIRTIO_NET_F_CSUM, VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_TSO4,
		VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_CTRL_VQ,
		VIRTIO_NET_F_MQ,
	};

	for (unsigned int i = 0; i < sizeof(offloads) / sizeof(offloads[0]); i++)
		CHECK(!virtio_has_feature(vdev, offloads[i]));
}

TEST(virtio_net, receive_ring_is_kept_full)
{
	struct netdev *dev = virtio_netdev();

	if (!dev)
		SKIP(NO_NET);
	struct virtio_net *vnet = virtio_net_of(dev);

	bool was_enabled = irq_save();                  /* netdev calls: interrupts off */

	CHECK_EQ(netdev_open(dev), 0);
	netdev_poll(dev, 16);                           /* whatever came: taken and refilled */
	irq_restore(was_enabled);
	CHECK_EQ(virtio_net_rx_posted(vnet), virtio_net_rx_ring_size(vnet));
}

/* A broadcast frame of an experimental EtherType: harmless to whoever
 * gets it.  It is sent, and the device gives its buffer back. */
TEST(virtio_net, frame_is_sent_and_its_buffer_reclaimed)
{
	struct netdev *dev = virtio_netdev();

	if (!dev)
		SKIP(NO_NET);
	struct virtio_net *vnet = virtio_net_of(dev);
	uint64_t completions = virtio_net_stats(vnet)->tx_completions;
	uint64_t frames = dev->stats.tx_frames;
	uint64_t deadline = time_now_ns() + RECLAIM_TIMEOUT_NS;
	uint8_t frame[60];

	memset(frame, 0xff, NETDEV_MAC_LEN);
	memcpy(frame + NETDEV_MAC_LEN, dev->mac, NETDEV_MAC_LEN);
	frame[12] = LOCAL_EXPERIMENTAL_ETHERTYPE >> 8;
	frame[13] = LOCAL_EXPERIMENTAL_ETHERTYPE & 0xff;
	for (unsigned int i = 14; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	CHECK_EQ(netdev_transmit(dev, frame, sizeof(frame)), 0);
	CHECK_EQ(dev->stats.tx_frames, frames + 1);
	while (virtio_net_tx_pending(vnet) > 0 && time_now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	CHECK_EQ(virtio_net_tx_pending(vnet), 0);
	CHECK(virtio_net_stats(vnet)->tx_completions > completions);
}

TEST(virtio_net, oversized_frames_are_refused_before_the_driver)
{
	struct netdev *dev = virtio_netdev();

	if (!dev)
		SKIP(NO_NET);
	static uint8_t frame[NETDEV_ETH_HEADER_LEN + NETDEV_DEFAULT_MTU + 1];
	uint64_t errors = dev->stats.tx_errors;

	CHECK_EQ(netdev_transmit(dev, frame, sizeof(frame)), -EINVAL);
	CHECK_EQ(netdev_transmit(dev, frame, NETDEV_ETH_HEADER_LEN - 1), -EINVAL);
	CHECK_EQ(dev->stats.tx_errors, errors + 2);
}

/* What the device says it wrote is checked before the frame is looked at:
 * no device needed, the receive path's check on a made-up buffer. */
TEST(virtio_net, bad_used_lengths_are_dropped_and_counted)
{
	static uint8_t buffer[VIRTIO_NET_BUFFER_BYTES];
	const size_t header = sizeof(struct virtio_net_hdr_v1);
	struct virtio_net_stats stats = { 0 };
	struct virtio_net_hdr_v1 *hdr = (struct virtio_net_hdr_v1 *)buffer;
	size_t len = 0;

	CHECK(virtio_net_checked_frame(&stats, buffer, 0, &len) == NULL);
	CHECK(virtio_net_checked_frame(&stats, buffer, header + 13, &len) == NULL);
	CHECK_EQ(stats.rx_too_short, 2);
	CHECK(virtio_net_checked_frame(&stats, buffer, header + 1515, &len) == NULL);
	CHECK(virtio_net_checked_frame(&stats, buffer, sizeof(buffer), &len) == NULL);
	CHECK_EQ(stats.rx_too_long, 2);
	hdr->num_buffers = 2;                           /* needs MRG_RXBUF, never negotiated */
	CHECK(virtio_net_checked_frame(&stats, buffer, header + 60, &len) == NULL);
	CHECK_EQ(stats.rx_merged, 1);
	hdr->num_buffers = 1;
	CHECK(virtio_net_checked_frame(&stats, buffer, header + 1514, &len) == buffer + header);
	CHECK_EQ(len, 1514);
	CHECK(virtio_net_checked_frame(&stats, buffer, header + 14, &len) == buffer + header);
	CHECK_EQ(len, 14);
}
