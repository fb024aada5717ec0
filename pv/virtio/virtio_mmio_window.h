/*
 * virtio_mmio_window.h — where device registers may live: the top GiB
 * below 4 GiB, which arch/x86/boot.S maps uncached (LAPIC, IOAPIC,
 * microvm's virtio-mmio slots at 0xfeb00000+, PCI BARs).  Registers
 * elsewhere would be unmapped (above 4 GiB) or mapped write-back like RAM.
 */
#ifndef PVKIT_PV_VIRTIO_VIRTIO_MMIO_WINDOW_H
#define PVKIT_PV_VIRTIO_VIRTIO_MMIO_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define UNCACHED_WINDOW_START   UINT64_C(0xc0000000)
#define UNCACHED_WINDOW_END     UINT64_C(0x100000000)

static inline bool in_uncached_window(uint64_t base, uint64_t size)
{
	return base >= UNCACHED_WINDOW_START && size <= UNCACHED_WINDOW_END - base;
}

#endif
