/*
 * ata.h — pvkit-hv's emulated ATA (IDE) disk controller: the two legacy
 * channels of a PC, each with a master and a slave drive, programmed by
 * port I/O and backed by raw disk-image files.
 *
 * This is the fully emulated disk: every register access of the guest is a
 * VM exit that lands in host/ata.c.  It is the baseline that the
 * paravirtual disks (virtio-blk, Xen blkfront) are compared against.
 * docs/ata.md explains the register interface and the costs.
 *
 * Drives are attached in PC order: ata0 = primary master (ports
 * 0x1f0-0x1f7 and 0x3f6, IRQ 14), ata1 = primary slave, ata2 = secondary
 * master (0x170-0x177 and 0x376, IRQ 15), ata3 = secondary slave.
 */
#ifndef PVKIT_HOST_ATA_H
#define PVKIT_HOST_ATA_H

#include <stdbool.h>
#include <stddef.h>

struct io_bus;
struct ata_controller;

/* Called whenever a channel's interrupt line (ISA IRQ 14 or 15) changes
 * level: 1 = asserted, 0 = deasserted. */
typedef void ata_irq_fn(void *opaque, unsigned int irq_line, int level);

/* A controller with no drives yet; NULL when out of memory.  set_irq may be
 * NULL (nothing is wired to the interrupt lines). */
struct ata_controller *ata_controller_create(ata_irq_fn *set_irq, void *irq_opaque);

/* Attach a raw disk image as the next drive (primary master, primary slave,
 * secondary master, secondary slave); false + message in err if the file is
 * unusable or 4 drives exist.  A file that cannot be opened for writing
 * (EACCES, EPERM, EROFS) is attached read-only: the guest's writes fail
 * with ABRT.  A tail shorter than one 512-byte sector is not exposed. */
bool ata_controller_add_disk(struct ata_controller *ctl, const char *path,
			     char *err, size_t err_len);
unsigned int ata_controller_disk_count(const struct ata_controller *ctl);

/* Register both channels' legacy ports (0x1f0-0x1f7, 0x3f6; 0x170-0x177,
 * 0x376) on the port bus; false if the bus refused one. */
bool ata_controller_register(struct ata_controller *ctl, struct io_bus *pio);

/* fsync every disk file; 0 or -errno (the first error; all are tried). */
int ata_controller_sync(struct ata_controller *ctl);

/* Syncs and closes every disk, then frees ctl.  NULL is allowed. */
void ata_controller_destroy(struct ata_controller *ctl);

#endif
