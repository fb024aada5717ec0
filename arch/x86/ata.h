/*
 * ata.h — the guest's ATA disk driver: polled PIO on the two legacy IDE
 * channels of a PC (ports 0x1f0 and 0x170), each drive registered as a
 * block device "ataN" (kernel/block.h).
 *
 * Names follow the drive's position, as Linux's hda-hdd once did: ata0 =
 * primary master, ata1 = primary slave, ata2 = secondary master, ata3 =
 * secondary slave.  docs/ata.md explains the driver and its costs.
 */
#ifndef PVKIT_ARCH_X86_ATA_H
#define PVKIT_ARCH_X86_ATA_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/ata_regs.h"        /* ATA_IDENTIFY_WORDS */
#include "kernel/block.h"

/* Find the ATA disks on the legacy channels and register them.  Runs
 * during platform init: before the page allocator, so it uses no heap. */
void ata_probe(void);

/* The drives found, in the order of their names. */
unsigned int ata_drive_count(void);
struct block_device *ata_device(unsigned int index);

/* For a block device of this driver: whether it uses the LBA48 commands,
 * and the words its IDENTIFY DEVICE returned.  NULL / false otherwise. */
bool ata_uses_lba48(const struct block_device *dev);
const uint16_t *ata_identify_data(const struct block_device *dev);

#endif
