/*
 * virtio_console.h — the virtio console: a console driver (kernel/console.h)
 * whose output and input travel over two virtqueues.  The kernel uses it
 * through printk and console_read(); this header is for tests and reports.
 */
#ifndef PVKIT_PV_VIRTIO_VIRTIO_CONSOLE_H
#define PVKIT_PV_VIRTIO_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virtio_console_stats {
	uint64_t tx_buffers;            /* output buffers handed to the device */
	uint64_t tx_bytes;
	uint64_t tx_completions;        /* ... and taken back from it */
	uint64_t rx_buffers;            /* input buffers the device filled */
	uint64_t rx_bytes;
	uint64_t notifications;         /* kicks that reached the device (both queues) */
};

/* A virtio console is live (probed, DRIVER_OK, not broken). */
bool virtio_console_present(void);
/* Writes to the virtio console only (printk writes to every console):
 * len, or -ENODEV (none), -EIO (it broke). */
long virtio_console_write(const void *buf, size_t len);
/* Output buffers the device has not given back yet. */
unsigned int virtio_console_tx_in_flight(void);
const struct virtio_console_stats *virtio_console_stats(void);

#endif
