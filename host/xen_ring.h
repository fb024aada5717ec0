/*
 * xen_ring.h — Xen's shared-ring macros (/usr/include/xen/io/ring.h) for
 * pvkit-hv's backends: the memory barriers the macros expect, then the
 * header.  Include this before xen/io/blkif.h or xen/io/netif.h.
 *
 * The guest is stopped while a backend runs (everything happens in a VM
 * exit on the vCPU thread), but the fences say what the protocol needs
 * and cost nothing next to the exit.
 */
#ifndef PVKIT_HOST_XEN_RING_H
#define PVKIT_HOST_XEN_RING_H

#define xen_mb()        __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb()       __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb()       __atomic_thread_fence(__ATOMIC_RELEASE)

#include "host/xen_abi.h"

#include <xen/io/ring.h>

#endif
