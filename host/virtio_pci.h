/*
 * virtio_pci.h — the modern virtio-pci transport (virtio 1.2, section
 * 4.1): a PCI function, vendor 0x1af4, device 0x1040 + the virtio device
 * id, whose vendor-specific capabilities point at structures in a memory
 * BAR, and MSI-X for interrupts (INTx when the driver leaves MSI-X off).
 *
 * Configuration space:
 *
 *   0x00-0x3f  type-0 header; BAR0 = 32 KiB of 32-bit memory, pre-assigned
 *              by pvkit-hv in the PCI window (as firmware would), movable
 *   0x40       VIRTIO_PCI_CAP_COMMON_CFG  -> BAR0 + 0x0000
 *   0x50       VIRTIO_PCI_CAP_NOTIFY_CFG  -> BAR0 + 0x3000, notify_off_multiplier 4
 *   0x64       VIRTIO_PCI_CAP_ISR_CFG     -> BAR0 + 0x1000
 *   0x74       VIRTIO_PCI_CAP_DEVICE_CFG  -> BAR0 + 0x2000
 *   0x84       VIRTIO_PCI_CAP_PCI_CFG     (a window on BAR0 through config space)
 *   0x98       MSI-X: table at BAR0 + 0x4000, pending bits at BAR0 + 0x5000
 *
 * Queue q is notified by a 16-bit write at BAR0 + 0x3000 + 4 * q, so each
 * queue has its own address and an ioeventfd without data matching.
 */
#ifndef PVKIT_HOST_VIRTIO_PCI_H
#define PVKIT_HOST_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "host/pci.h"
#include "host/virtio.h"

#define VIRTIO_PCI_VENDOR               0x1af4  /* Red Hat, Inc.: the virtio vendor */
#define VIRTIO_PCI_DEVICE_BASE          0x1040  /* + device id: a modern-only device */
#define VIRTIO_PCI_SUBSYSTEM_ID         0x1100  /* what QEMU uses */
#define VIRTIO_PCI_REVISION             1       /* 1 or more: not transitional (4.1.2.1) */

#define VIRTIO_PCI_BAR                  0
#define VIRTIO_PCI_BAR_SIZE             0x8000
#define VIRTIO_PCI_COMMON_OFFSET        0x0000
#define VIRTIO_PCI_ISR_OFFSET           0x1000
#define VIRTIO_PCI_DEVICE_OFFSET        0x2000
#define VIRTIO_PCI_NOTIFY_OFFSET        0x3000
#define VIRTIO_PCI_NOTIFY_MULTIPLIER    4
#define VIRTIO_PCI_MSIX_TABLE_OFFSET    0x4000
#define VIRTIO_PCI_MSIX_PBA_OFFSET      0x5000
#define VIRTIO_PCI_MSIX_VECTORS         (VIRTIO_MAX_QUEUES + 1)   /* a queue each + config */

/* Capability positions in configuration space. */
#define VIRTIO_PCI_CAP_COMMON_AT        0x40
#define VIRTIO_PCI_CAP_NOTIFY_AT        0x50
#define VIRTIO_PCI_CAP_ISR_AT           0x64
#define VIRTIO_PCI_CAP_DEVICE_AT        0x74
#define VIRTIO_PCI_CAP_PCI_CFG_AT       0x84
#define VIRTIO_PCI_CAP_MSIX_AT          0x98

/* How the transport reaches KVM (machine.c wires these; tests record). */
struct virtio_pci_host_ops {
	void (*set_intx)(void *opaque, unsigned int gsi, int level);
	void (*signal_msi)(void *opaque, uint64_t address, uint32_t data);
	/* Queue q's notify address moved from old_addr to new_addr (either may
	 * be PCI_BAR_UNMAPPED): move its ioeventfd. */
	void (*notify_moved)(void *opaque, struct virtio_device *dev, unsigned int q,
			     uint64_t old_addr, uint64_t new_addr);
	void *opaque;
};

struct msix_entry {
	uint64_t address;
	uint32_t data;
	uint32_t control;               /* bit 0: masked */
};

struct virtio_pci {
	struct virtio_device *dev;
	struct pci_function fn;
	struct pci_host *host;
	unsigned int gsi;               /* INTx (INTA#) line */
	const struct virtio_pci_host_ops *ops;
	/* Common configuration registers that belong to the transport. */
	uint32_t device_features_sel, driver_features_sel;
	uint16_t queue_sel;
	uint16_t config_vector;
	uint16_t queue_vector[VIRTIO_MAX_QUEUES];
	/* MSI-X and INTx state, copied from configuration space when the
	 * guest writes it (under dev->lock), for the I/O thread to read. */
	struct msix_entry msix[VIRTIO_PCI_MSIX_VECTORS];
	uint64_t msix_pending;          /* the PBA: one bit per vector */
	bool msix_enabled, msix_function_masked, intx_disabled;
	int intx_level;
	uint64_t notify_base;           /* BAR0 + 0x3000 as decoded now, or PCI_BAR_UNMAPPED */
	uint64_t msi_sent;
};

/* Makes dev a PCI function at slot (bus 0, function 0) with its BAR at
 * bar_address and INTx on gsi, and MSI-X unless msix is false (the driver
 * then has INTx only); call virtio_pci_attach once ops can act. */
void virtio_pci_init(struct virtio_pci *t, struct virtio_device *dev, struct pci_host *host,
		     uint8_t slot, uint32_t bar_address, unsigned int gsi, bool msix,
		     const struct virtio_pci_host_ops *ops);
/* Registers the notify addresses as they are now (notify_moved). */
void virtio_pci_attach(struct virtio_pci *t);

/* BAR0's handlers (exposed for tests; they take dev->lock). */
uint64_t virtio_pci_bar_read(void *opaque, uint64_t offset, unsigned int size);
void virtio_pci_bar_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value);

#endif
