/*
 * virtio_mmio.h — the virtio-mmio transport (virtio 1.2, 4.2): devices
 * described on the command line as virtio_mmio.device=<size>@<base>:<irq>.
 */
#ifndef PVKIT_PV_VIRTIO_VIRTIO_MMIO_H
#define PVKIT_PV_VIRTIO_VIRTIO_MMIO_H

/* Probes every device the command line described (virtio_init calls it). */
void virtio_mmio_probe(void);

#endif
