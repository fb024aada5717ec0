/*
 * virtio_pci.h — the modern virtio-pci transport (virtio 1.2, 4.1):
 * vendor 0x1af4 functions found by PCI enumeration.
 */
#ifndef PVKIT_PV_VIRTIO_VIRTIO_PCI_H
#define PVKIT_PV_VIRTIO_VIRTIO_PCI_H

/* Probes every modern virtio function on the PCI buses (virtio_init calls it). */
void virtio_pci_probe(void);

#endif
