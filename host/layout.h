/*
 * layout.h — where pvkit-hv puts things in the guest's physical address
 * space.  Every fixed guest address used by pvkit-hv is defined here.
 *
 *   0x00000000-0x00005fff  RAM, free for the guest
 *   0x00006000-0x000060ff  struct hvm_start_info (PVH boot information; %ebx)
 *   0x00006100-0x00006fff  memory map (struct hvm_memmap_table_entry[])
 *   0x00007000-0x00007fff  kernel command line, NUL-terminated
 *   0x00008000-0x0009fbff  RAM, free for the guest
 *   0x0009fc00-0x000fffff  reserved (where a PC has its EBDA, VGA and BIOS); with
 *                          --xen it holds the PV console ring's page at 0xfe000
 *                          and the xenstore ring's at 0xff000
 *   0x00100000-RAM end     RAM: the kernel's segments (pvkit links at 1 MiB), then free
 *   0xc0000000             highest allowed RAM end (--mem at most 3 GiB), so RAM
 *                          never reaches the 32-bit hole below 4 GiB:
 *   0xd0000000-0xd0000fff  virtio-mmio register blocks, 0x200 bytes each, in
 *                          command-line order (at most 8), announced to the
 *                          guest as virtio_mmio.device=512@<base>:<gsi>
 *   0xe0000000-0xefffffff  PCI memory window: BARs of PCI functions (virtio-pci:
 *                          32 KiB each, pre-assigned in order from the bottom)
 *   0xfec00000             I/O APIC (in-kernel, KVM_CREATE_IRQCHIP)
 *   0xfee00000             local APIC (in-kernel)
 *   0xfeffc000             KVM's identity-map page (KVM_SET_IDENTITY_MAP_ADDR)
 *   0xfeffd000-0xfeffffff  KVM's 3-page TSS area (KVM_SET_TSS_ADDR)
 *
 * Interrupt lines: the virtio devices use I/O APIC pins (GSIs) 16-23, one
 * each in command-line order, above every ISA line (0-15); a virtio-pci
 * function's INTA# is its GSI, written to its interrupt line register.
 *
 * The two KVM areas are needed only by Intel VMX for real-mode and
 * unpaged-protected-mode emulation; they must not overlap RAM or devices.
 * The boot-information block (0x6000-0x7fff) is below the 640 KiB line
 * like a BIOS's data, and kernel segments may not overlap it.
 */
#ifndef PVKIT_HOST_LAYOUT_H
#define PVKIT_HOST_LAYOUT_H

#define KiB                     1024ull
#define MiB                     (1024ull * KiB)
#define GiB                     (1024ull * MiB)

#define LAYOUT_START_INFO       0x6000ull
#define LAYOUT_MEMMAP           0x6100ull
#define LAYOUT_MEMMAP_END       0x7000ull
#define LAYOUT_CMDLINE          0x7000ull
#define LAYOUT_CMDLINE_SIZE     0x1000ull       /* including the NUL */
#define LAYOUT_BOOT_AREA_START  LAYOUT_START_INFO
#define LAYOUT_BOOT_AREA_END    (LAYOUT_CMDLINE + LAYOUT_CMDLINE_SIZE)

#define LAYOUT_LOW_RAM_END      0x9fc00ull      /* 639 KiB: conventional memory */
#define LAYOUT_HIGH_RAM_START   0x100000ull     /* 1 MiB */
/* --xen: the console ring (HVM_PARAM_CONSOLE_PFN), in the reserved hole, as
 * Xen's toolstack puts its special pages where the memory map says reserved. */
#define LAYOUT_XEN_CONSOLE_PAGE 0xfe000ull
#define LAYOUT_XEN_STORE_PAGE   0xff000ull

#define LAYOUT_RAM_MIN          (4 * MiB)
#define LAYOUT_RAM_MAX          (3 * GiB)
#define LAYOUT_RAM_DEFAULT      (128 * MiB)

#define LAYOUT_VIRTIO_MMIO_BASE 0xd0000000ull
#define LAYOUT_VIRTIO_MMIO_STRIDE 0x200ull      /* VIRTIO_MMIO_REGION_SIZE */
#define LAYOUT_VIRTIO_FIRST_GSI 16
#define LAYOUT_VIRTIO_LAST_GSI  23              /* KVM's I/O APIC has 24 pins */
#define LAYOUT_PCI_WINDOW_BASE  0xe0000000ull
#define LAYOUT_PCI_WINDOW_SIZE  0x10000000ull   /* 256 MiB */
#define LAYOUT_VIRTIO_PCI_FIRST_SLOT 2          /* slot 1 is the IDE controller */

#define LAYOUT_KVM_IDENTITY_MAP 0xfeffc000ull
#define LAYOUT_KVM_TSS          0xfeffd000ull

#endif
