/*
 * virtio_devices.h — the virtio devices of pvkit-hv's machine: built from
 * the --virtio-* options, placed in the guest's address space (host/layout.h),
 * put on a transport, connected to KVM (ioeventfd for notifications,
 * KVM_IRQ_LINE and KVM_SIGNAL_MSI for interrupts) and to the I/O thread,
 * and taken down at exit.  host/machine.c calls these in order.
 */
#ifndef PVKIT_HOST_VIRTIO_DEVICES_H
#define PVKIT_HOST_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "host/guest_mem.h"
#include "host/io.h"
#include "host/options.h"
#include "host/pci.h"
#include "host/vm.h"

struct virtio_devices;

/* Appends " virtio_mmio.device=512@<base>:<gsi>" to cmdline (size bytes)
 * for every mmio device in opts; false + message if it does not fit. */
bool virtio_devices_cmdline(const struct options *opts, char *cmdline, size_t size,
			    char *err, size_t err_len);

/* Opens every backend (files, sockets, TAP); NULL + message on failure.
 * vm is where interrupts go once it exists. */
struct virtio_devices *virtio_devices_create(const struct options *opts,
					     const struct guest_mem *mem, struct vm *vm,
					     char *err, size_t err_len);
/* Puts the mmio register blocks on the MMIO bus and the PCI functions on
 * the PCI host (with its memory window, when there are any). */
bool virtio_devices_register(struct virtio_devices *d, struct io_bus *mmio,
			     struct pci_host *pci, char *err, size_t err_len);
/* After the VM exists: ioeventfds, the I/O thread.  false + message. */
bool virtio_devices_start(struct virtio_devices *d, char *err, size_t err_len);
/* True if a virtio console reads stdin (no in=FILE): the UART must not then. */
bool virtio_devices_use_stdin(const struct virtio_devices *d);
/* At exit, in this order: stop the I/O thread (no device work after it),
 * --stats rows, fsync the disk images (0 or -errno), free everything. */
void virtio_devices_stop(struct virtio_devices *d);
void virtio_devices_print_stats(const struct virtio_devices *d, FILE *out);
int virtio_devices_sync(struct virtio_devices *d);
void virtio_devices_destroy(struct virtio_devices *d);

#endif
