/*
 * xen_ring.h — Xen's shared-ring macros (/usr/include/xen/io/ring.h) for
 * the guest's frontends: the memory barriers the macros expect, then the
 * header.  Include this before xen/io/blkif.h or xen/io/netif.h.  The
 * console's byte rings (xen_console.c) use the same three barriers.
 *
 * xen/io/ring.h leaves the barriers to its user (interface versions past
 * 3.2.8).  x86 keeps stores in order and loads in order, so the write and
 * read barriers only have to stop the compiler; the full barrier (stores
 * before later loads: publish an index, then read the peer's event index)
 * needs mfence.
 */
#ifndef PVKIT_PV_XEN_XEN_RING_H
#define PVKIT_PV_XEN_XEN_RING_H

#define xen_mb()        __asm__ volatile("mfence" ::: "memory")
#define xen_rmb()       __asm__ volatile("" ::: "memory")
#define xen_wmb()       __asm__ volatile("" ::: "memory")

#include <xen/xen.h>
#include <xen/io/ring.h>

#endif
