/*
 * netdev.h — the network-device interface every network driver implements:
 * virtio-net (pv/virtio/virtio_net.c) now, Xen netfront later.  It is to
 * Ethernet cards what kernel/block.h is to disks: the protocol code
 * (net/) and the tests use only this, so they run unchanged over any
 * driver, or over a fake device in a test.
 *
 * A device moves whole Ethernet frames: destination MAC, source MAC,
 * EtherType, payload; no preamble, no frame check sequence (the hardware
 * or the host adds and strips those).  Sending copies the frame, so the
 * caller's buffer is free again when netdev_transmit returns.  Receiving
 * is polled, in the style of Linux's NAPI: the device's interrupt only
 * wakes the CPU; whoever runs the network then calls netdev_poll(), which
 * hands each waiting frame to the device's receive function, outside any
 * interrupt handler.
 *
 * Locking: one CPU.  netdev_* calls are made with interrupts disabled
 * (irq_save), so a driver's interrupt handler never races them.
 */
#ifndef PVKIT_KERNEL_NETDEV_H
#define PVKIT_KERNEL_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_MAC_LEN          6
#define NETDEV_NAME_MAX         16
#define NETDEV_ETH_HEADER_LEN   14      /* destination, source, EtherType */
#define NETDEV_DEFAULT_MTU      1500    /* payload bytes per frame, as on Ethernet */

struct netdev;

/* Where received frames go.  frame is valid only during the call: copy
 * what you keep.  Runs from netdev_poll, never from an interrupt. */
typedef void netdev_receive_fn(struct netdev *dev, const void *frame, size_t len);

struct netdev_ops {
	/* Start the device: from now on it receives (e.g. hand the device its
	 * receive buffers).  0 or -errno.  Optional. */
	int (*open)(struct netdev *dev);
	/* Queue one frame for sending, header included, at most
	 * NETDEV_ETH_HEADER_LEN + mtu bytes (checked before the call).  The
	 * driver copies it.  0, -ENOSPC (no room even after reclaiming sent
	 * frames: the frame is dropped, as a busy card would), -EIO (broken). */
	int (*transmit)(struct netdev *dev, const void *frame, size_t len);
	/* Deliver up to budget received frames (netdev_deliver), give their
	 * buffers back to the device, reclaim sent frames.  Returns the
	 * number delivered.  When it returns fewer than budget, the device's
	 * interrupt is armed again: it is safe to sleep in platform->idle(). */
	unsigned int (*poll)(struct netdev *dev, unsigned int budget);
};

/* Counted by netdev.c (frames that reach or leave the driver) and by the
 * drivers (what they had to drop). */
struct netdev_stats {
	uint64_t rx_frames, rx_bytes;   /* delivered to the receive function */
	uint64_t rx_dropped;            /* the driver's: malformed or no receiver */
	uint64_t tx_frames, tx_bytes;   /* accepted by the driver */
	uint64_t tx_errors;             /* refused: bad length, ring full, broken */
};

struct netdev {
	char name[NETDEV_NAME_MAX];     /* "eth0": given by netdev_register if empty */
	const char *model;              /* "virtio-net over mmio", for reports */
	uint8_t mac[NETDEV_MAC_LEN];
	uint16_t mtu;                   /* largest payload after the Ethernet header */
	bool link_up;                   /* as far as the device tells */
	const struct netdev_ops *ops;
	void *driver_data;
	netdev_receive_fn *receive;     /* set by netdev_set_receive; NULL: dropped */
	void *receive_data;             /* the receiver's, e.g. its interface */
	struct netdev_stats stats;
	struct netdev *next;
};

/* The list of devices, in probe order. */
void netdev_register(struct netdev *dev);
struct netdev *netdev_first(void);
struct netdev *netdev_find(const char *name);
void netdev_report(void);

/* For the protocol code: choose the receiver, then open the device. */
void netdev_set_receive(struct netdev *dev, netdev_receive_fn *receive, void *data);
int netdev_open(struct netdev *dev);
/* Checked entry points: length checks and counters, then the driver. */
int netdev_transmit(struct netdev *dev, const void *frame, size_t len);
unsigned int netdev_poll(struct netdev *dev, unsigned int budget);

/* For drivers: one received frame, to the receiver (or counted as dropped). */
void netdev_deliver(struct netdev *dev, const void *frame, size_t len);

/* "52:54:00:12:34:56" into buf (at least NETDEV_MAC_TEXT bytes). */
#define NETDEV_MAC_TEXT 18
void netdev_format_mac(const uint8_t mac[NETDEV_MAC_LEN], char *buf);

#endif
