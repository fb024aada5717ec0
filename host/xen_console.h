/*
 * xen_console.h — the backend half of the Xen PV console ring
 * (xen/io/console.h), the part xenconsoled plays in dom0.
 *
 * The page holds two byte rings: `out` (guest to backend) and `in`
 * (backend to guest), each with free-running producer and consumer
 * indexes.  The backend consumes `out` (bytes out_cons..out_prod) and
 * produces `in`.  The page is in guest memory and the guest can write
 * anything in the indexes, so every position is masked and a producer
 * more than a ring's size ahead is treated as a broken ring: the backend
 * skips to it rather than replay garbage (xenconsoled does the same).
 */
#ifndef PVKIT_HOST_XEN_CONSOLE_H
#define PVKIT_HOST_XEN_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "host/xen_abi.h"

/* Hands each byte of `out` to put() and consumes it; returns how many. */
size_t xen_console_drain(struct xencons_interface *ring,
			 void (*put)(void *opaque, uint8_t byte), void *opaque);
/* Copies as much of buf into `in` as there is room for; returns how many. */
size_t xen_console_feed(struct xencons_interface *ring, const uint8_t *buf, size_t len);
/* Free bytes in `in` (0 for a ring whose indexes make no sense). */
size_t xen_console_in_room(const struct xencons_interface *ring);

#endif
