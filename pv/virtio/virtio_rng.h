/*
 * virtio_rng.h — random bytes from the host's virtio entropy device.
 */
#ifndef PVKIT_PV_VIRTIO_VIRTIO_RNG_H
#define PVKIT_PV_VIRTIO_VIRTIO_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fills buf with len random bytes from the first virtio-rng device:
 * len, or -ENODEV (no device), -EIO (device broken), -ETIMEDOUT. */
long virtio_rng_read(void *buf, size_t len);
bool virtio_rng_present(void);
/* Buffers the device returned through its interrupt (tests check it is used). */
uint64_t virtio_rng_interrupt_completions(void);

#endif
