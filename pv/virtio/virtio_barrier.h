/*
 * virtio_barrier.h — the memory barriers the virtqueue code needs, and
 * why x86 needs so few.
 *
 * The device reads and writes the rings concurrently with us (another
 * host thread, or the hypervisor during an exit).  Three orders matter:
 *
 *   store → store  (descriptors, then the avail index that publishes
 *                   them):  virtio_wmb()
 *   load → load    (the used index, then the used entry it covers):
 *                   virtio_rmb()
 *   store → load   (our avail index, then the device's "notify me?" event
 *                   index or flag; our "interrupt me" request, then the
 *                   used index):  virtio_mb()
 *
 * x86 (TSO: Intel SDM vol. 3, 9.2.2) never reorders a store with an older
 * store, nor a load with an older load, so the first two only have to stop
 * the *compiler* from reordering: an empty asm with a "memory" clobber.
 * But a load may complete before an older store to another address leaves
 * the store buffer; that is the third case, and it needs a real fence
 * (mfence, or any locked instruction).  Getting it wrong loses a
 * notification or an interrupt once in a long while: a hang, not a crash.
 *
 * Register accesses (notify, ISR) go to uncached MMIO or I/O ports, which
 * x86 does not reorder with earlier ordinary stores; they need only the
 * compiler barrier that `volatile` already implies.
 */
#ifndef PVKIT_PV_VIRTIO_VIRTIO_BARRIER_H
#define PVKIT_PV_VIRTIO_VIRTIO_BARRIER_H

#define virtio_wmb()    __asm__ volatile("" ::: "memory")
#define virtio_rmb()    __asm__ volatile("" ::: "memory")
#define virtio_mb()     __asm__ volatile("mfence" ::: "memory")

#endif
