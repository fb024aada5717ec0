/*
 * virtio_console.h — the virtio console device (virtio 1.2, section 5.3)
 * with a single port: receiveq0 (queue 0, host to guest) and transmitq0
 * (queue 1, guest to host).  No multiport, no size or emergency-write
 * features.
 *
 * Its backend is a second console on pvkit-hv's own stdin and stdout:
 * what the guest transmits is written to stdout at once (one write per
 * buffer), and keyboard input goes to the receive queue.  The UART keeps
 * writing to stdout too; the two streams interleave at their write
 * boundaries (the UART writes whole lines).  With a virtio console on
 * stdin the UART no longer receives input: two readers of one terminal
 * would split every line between them.  Either end may be a file instead
 * (--virtio-console=in=FILE,out=FILE): input from a regular file, a FIFO
 * or a terminal, output to a file, so that a test can feed and check the
 * console without a terminal.
 */
#ifndef PVKIT_HOST_VIRTIO_CONSOLE_H
#define PVKIT_HOST_VIRTIO_CONSOLE_H

#include <stddef.h>

#include "host/virtio.h"

#define VIRTIO_CONSOLE_QUEUE_SIZE       64
#define VIRTIO_CONSOLE_RECEIVEQ         0
#define VIRTIO_CONSOLE_TRANSMITQ        1

/* A device named "virtio-console<index>" reading in_fd (-1: no input;
 * it should be non-blocking unless it is a regular file) and writing
 * out_fd; descriptors above stderr are closed with the device.  NULL only
 * when out of memory. */
struct virtio_device *virtio_console_create(unsigned int index, int in_fd, int out_fd,
					    char *err, size_t err_len);

#endif
