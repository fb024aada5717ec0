/*
 * virtio_rng.h — the virtio entropy device (virtio 1.2, section 5.4): the
 * driver queues device-writable buffers on its one queue, and the device
 * fills them with random bytes from the host's getrandom(2).
 */
#ifndef PVKIT_HOST_VIRTIO_RNG_H
#define PVKIT_HOST_VIRTIO_RNG_H

#include <stddef.h>

#include "host/virtio.h"

#define VIRTIO_RNG_QUEUE_SIZE   64

/* A device named "virtio-rng<index>"; NULL only when out of memory. */
struct virtio_device *virtio_rng_create(unsigned int index, char *err, size_t err_len);

#endif
