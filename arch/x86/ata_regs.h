/*
 * ata_regs.h — the ATA register interface of the PC's legacy IDE
 * controller (ATA/ATAPI-6), shared by the guest driver (arch/x86/ata.c)
 * and pvkit-hv's device model (host/ata.c): both sides of one hardware
 * interface, so each constant is written once.
 *
 * Reference: ATA/ATAPI-6 (T13/1410D): section 7 for the registers and
 * their bits, 8 for the commands, 8.16 (table 27) for the IDENTIFY DEVICE
 * words.  The names follow the specification's (BSY, DRQ, IDNF, nIEN...).
 * docs/ata.md explains the interface for a student.
 *
 * Plain #defines only: this header is included by the freestanding guest
 * build and by the hosted build of pvkit-hv and its tests.  What only one
 * side needs (the driver's timeouts, the values pvkit-hv chooses to put
 * in IDENTIFY, SET FEATURES subcommands) stays in that side's file.
 */
#ifndef PVKIT_ARCH_X86_ATA_REGS_H
#define PVKIT_ARCH_X86_ATA_REGS_H

#include <stdint.h>             /* UINT64_C */

/* ---- the controller ------------------------------------------------------ */

/* Two channels, each with device 0 ("master") and device 1 ("slave"). */
#define ATA_CHANNELS            2
#define ATA_DRIVES_PER_CHANNEL  2
#define ATA_MAX_DRIVES          (ATA_CHANNELS * ATA_DRIVES_PER_CHANNEL)

/* The legacy ("compatibility mode") resources of the two channels: an
 * 8-port command block, a 1-port control block, an ISA interrupt line. */
#define ATA_PRIMARY_COMMAND_BASE   0x1f0
#define ATA_PRIMARY_CONTROL_PORT   0x3f6
#define ATA_PRIMARY_IRQ            14
#define ATA_SECONDARY_COMMAND_BASE 0x170
#define ATA_SECONDARY_CONTROL_PORT 0x376
#define ATA_SECONDARY_IRQ          15
#define ATA_COMMAND_BLOCK_PORTS    8
#define ATA_CONTROL_BLOCK_PORTS    1    /* 0x3f7 belongs to the floppy controller */

/* ---- sectors and addressing ---------------------------------------------- */

#define ATA_SECTOR_SIZE         512
#define ATA_SECTOR_WORDS        (ATA_SECTOR_SIZE / 2)   /* Data is 16 bits wide */

/* Addressing limits of one command. */
#define ATA_LBA28_SECTORS       (UINT64_C(1) << 28)     /* LBA28 reaches 128 GiB */
#define ATA_LBA48_SECTORS       (UINT64_C(1) << 48)
#define ATA_LBA28_MAX_COUNT     256     /* a Sector Count of 0 means this */
#define ATA_LBA48_MAX_COUNT     65536   /* a 16-bit Sector Count of 0 means this */

/* ---- command block registers: offsets from the command base (ATA-6 7) ---- */

#define ATA_REG_DATA            0       /* 16-bit PIO data */
#define ATA_REG_ERROR           1       /* read */
#define ATA_REG_FEATURES        1       /* write */
#define ATA_REG_COUNT           2       /* sector count */
#define ATA_REG_LBA_LOW         3       /* LBA bits 7:0 (previous: 31:24) */
#define ATA_REG_LBA_MID         4       /* bits 15:8 (39:32) */
#define ATA_REG_LBA_HIGH        5       /* bits 23:16 (47:40) */
#define ATA_REG_DEVICE          6
#define ATA_REG_STATUS          7       /* read: clears a pending interrupt */
#define ATA_REG_COMMAND         7       /* write: starts the command */

/* Status register bits; Alternate Status has the same. */
#define ATA_STATUS_ERR          0x01    /* the last command failed: see Error */
#define ATA_STATUS_DRQ          0x08    /* the data register wants a transfer */
#define ATA_STATUS_DSC          0x10    /* seek complete: obsolete, but legacy
					 * drives (and drivers) expect it set */
#define ATA_STATUS_DF           0x20    /* device fault */
#define ATA_STATUS_DRDY         0x40    /* ready to accept commands */
#define ATA_STATUS_BSY          0x80    /* busy: other bits are not valid */
#define ATA_STATUS_IDLE         (ATA_STATUS_DRDY | ATA_STATUS_DSC)  /* ready, idle */
#define ATA_STATUS_FLOATING     0xff    /* no drive on the channel: the bus floats high */
#define ATA_STATUS_ABSENT       0x00    /* device 0 answers for a missing device 1
					 * (ATA-6 7.1.2) */

/* Error register bits (ATA-6 7.9). */
#define ATA_ERROR_ABRT          0x04    /* command aborted: unsupported or bad */
#define ATA_ERROR_IDNF          0x10    /* address not found: beyond the disk */
#define ATA_ERROR_UNC           0x40    /* uncorrectable data error */
#define ATA_DIAGNOSTIC_PASSED   0x01    /* Error register after a reset */

/* Device register bits. */
#define ATA_DEVICE_LBA28_HIGH   0x0f    /* LBA28 bits 27:24 */
#define ATA_DEVICE_DEV          0x10    /* 0 = device 0 (master), 1 = device 1 (slave) */
#define ATA_DEVICE_LBA          0x40    /* 1 = LBA address, 0 = CHS */
#define ATA_DEVICE_OBSOLETE     0xa0    /* bits 7 and 5: set, as legacy drives expect */

/* Signature in LBA Mid/High after a reset (ATA-6 9.12): an ATAPI device
 * (a CD-ROM...) shows 14h EBh, an ATA disk 00h 00h. */
#define ATA_SIGNATURE_ATAPI_MID  0x14
#define ATA_SIGNATURE_ATAPI_HIGH 0xeb

/* ---- control block register ---------------------------------------------- */

/* Device Control bits (written at the control port; reading it gives
 * Alternate Status). */
#define ATA_CONTROL_NIEN        0x02    /* 1 = do not assert INTRQ */
#define ATA_CONTROL_SRST        0x04    /* software reset of both drives */
#define ATA_CONTROL_HOB         0x80    /* read the "previous" (high-order) bytes */

/* ---- commands (ATA-6 8) -------------------------------------------------- */

#define ATA_CMD_READ_SECTORS       0x20
#define ATA_CMD_READ_SECTORS_EXT   0x24
#define ATA_CMD_WRITE_SECTORS      0x30
#define ATA_CMD_WRITE_SECTORS_EXT  0x34
#define ATA_CMD_FLUSH_CACHE        0xe7
#define ATA_CMD_FLUSH_CACHE_EXT    0xea
#define ATA_CMD_IDENTIFY_DEVICE    0xec
#define ATA_CMD_SET_FEATURES       0xef

/* ---- IDENTIFY DEVICE data (ATA-6 8.16, table 27) ------------------------- */

#define ATA_IDENTIFY_WORDS      256     /* one sector */

/* Word numbers. */
#define ID_CONFIG               0       /* general configuration */
#define ID_CYLINDERS            1       /* CHS geometry words 1, 3, 6 */
#define ID_HEADS                3
#define ID_SECTORS_PER_TRACK    6
#define ID_SERIAL               10      /* 20 ASCII characters, words 10-19 */
#define ID_FIRMWARE             23      /* 8 characters, words 23-26 */
#define ID_MODEL                27      /* 40 characters, words 27-46 */
#define ID_MULTIPLE_MAX         47
#define ID_CAPABILITIES         49
#define ID_CAPABILITIES_2       50
#define ID_PIO_TIMING           51
#define ID_FIELD_VALID          53
#define ID_LBA28_CAPACITY       60      /* words 60-61 */
#define ID_PIO_MODES            64
#define ID_MIN_MWDMA_CYCLE      65      /* words 65-68: cycle times in ns */
#define ID_MAJOR_VERSION        80
#define ID_MINOR_VERSION        81
#define ID_COMMAND_SET_1        82      /* supported */
#define ID_COMMAND_SET_2        83
#define ID_COMMAND_SET_EXT      84
#define ID_COMMAND_ENABLED_1    85      /* enabled */
#define ID_COMMAND_ENABLED_2    86
#define ID_COMMAND_DEFAULT      87
#define ID_UDMA_MODES           88
#define ID_LBA48_CAPACITY       100     /* words 100-103 */
#define ID_INTEGRITY            255

/* Lengths of the strings, two characters per word, first in the high byte. */
#define ID_SERIAL_CHARS         20
#define ID_FIRMWARE_CHARS       8
#define ID_MODEL_CHARS          40

/* Bits. */
#define ID_CONFIG_NOT_ATA       0x8000  /* word 0 bit 15 set: not an ATA device */
#define ID_CONFIG_FIXED_ATA     0x0040  /* bit 15 = 0: ATA; bit 6: fixed device */
#define ID_CAP_IORDY            0x0800  /* word 49 bit 11 */
#define ID_CAP_LBA              0x0200  /* word 49 bit 9 */
#define ID_CAP2_VALID           0x4000  /* word 50 bits 15:14 = 01b */
#define ID_VALID_64_70          0x0002  /* word 53: words 64-70 are valid */
#define ID_VALID_88             0x0004  /* word 53: word 88 is valid */
#define ID_WORD_VALID           0x4000  /* words 83, 84, 87: bits 15:14 = 01b */
#define ID_SET1_WRITE_CACHE     0x0020  /* word 82/85 bit 5 */
#define ID_SET1_LOOK_AHEAD      0x0040  /* word 82/85 bit 6 */
#define ID_SET2_LBA48           0x0400  /* word 83/86 bit 10 */
#define ID_SET2_FLUSH_CACHE     0x1000  /* word 83/86 bit 12 */
#define ID_SET2_FLUSH_CACHE_EXT 0x2000  /* word 83/86 bit 13 */
#define ID_INTEGRITY_SIGNATURE  0xa5    /* word 255 bits 7:0; 15:8 checksum */

#endif
