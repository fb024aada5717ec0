/*
 * boot_defs.h — constants shared by the entry assembly and the C that
 * follows it (selectors of the boot GDT, boot-path codes, stack size).
 */
#ifndef PVKIT_ARCH_X86_BOOT_DEFS_H
#define PVKIT_ARCH_X86_BOOT_DEFS_H

#define BOOT_CODE64_SELECTOR    0x08
#define BOOT_DATA_SELECTOR      0x10

/* What the entry stub passes to boot_native() in %edi. */
#define BOOT_PATH_PVH           1
#define BOOT_PATH_MULTIBOOT2    2
#define BOOT_PATH_UNKNOWN       3       /* Multiboot2 entry without its magic */

#define BOOT_STACK_SIZE         16384

#endif
