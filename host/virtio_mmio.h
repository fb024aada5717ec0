/*
 * virtio_mmio.h — the virtio-mmio transport, version 2 (virtio 1.2,
 * section 4.2): a 0x200-byte register block in guest-physical memory per
 * device, and one interrupt line.
 *
 * The guest cannot discover an mmio device by itself: pvkit-hv tells it on
 * the kernel command line, in Linux's form (the one QEMU microvm and
 * Firecracker use): virtio_mmio.device=<size>@<base>:<irq>.
 *
 * The interrupt line is level-triggered in spirit: it is high while
 * InterruptStatus is not zero and drops when the driver acknowledges every
 * bit (InterruptACK).  pvkit-hv drives it with KVM_IRQ_LINE, which works
 * whether the guest programs its I/O APIC pin edge- or level-triggered.
 */
#ifndef PVKIT_HOST_VIRTIO_MMIO_H
#define PVKIT_HOST_VIRTIO_MMIO_H

#include "host/io.h"
#include "host/virtio.h"

#define VIRTIO_MMIO_REGION_SIZE 0x200   /* registers 0x000-0x0ff, config 0x100-0x1ff */
#define VIRTIO_MMIO_MAGIC       0x74726976u     /* "virt" in little-endian */
#define VIRTIO_MMIO_VERSION_2   2               /* the modern (non-legacy) layout */
#define VIRTIO_MMIO_VENDOR      0x544b5650u     /* "PVKT": the spec leaves it to us */

typedef void virtio_mmio_irq_fn(void *opaque, unsigned int gsi, int level);

struct virtio_mmio {
	struct virtio_device *dev;
	uint64_t base;
	unsigned int gsi;
	virtio_mmio_irq_fn *set_irq;
	void *irq_opaque;
	int line;                       /* the level we last drove */
	/* Register state that belongs to the transport. */
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
};

/* Connects dev to this transport (dev->transport*). */
void virtio_mmio_init(struct virtio_mmio *t, struct virtio_device *dev, uint64_t base,
		      unsigned int gsi, virtio_mmio_irq_fn *set_irq, void *irq_opaque);
/* The register block, for the MMIO bus; the handlers take dev->lock. */
struct io_region virtio_mmio_io_region(struct virtio_mmio *t);
/* The QueueNotify register: where an ioeventfd (datamatch = queue index)
 * catches notifications without a VM exit to pvkit-hv. */
uint64_t virtio_mmio_notify_address(const struct virtio_mmio *t);

/* The register handlers themselves (exposed for tests; they lock). */
uint64_t virtio_mmio_read(void *opaque, uint64_t offset, unsigned int size);
void virtio_mmio_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value);

#endif
