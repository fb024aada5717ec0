/*
 * boot_native.h — the readers of each native entry path's boot information.
 */
#ifndef PVKIT_ARCH_X86_BOOT_NATIVE_H
#define PVKIT_ARCH_X86_BOOT_NATIVE_H

#include <stdint.h>

extern uint64_t boot_entry_tsc;         /* written by boot.S */

void pvh_read_boot_info(uint32_t info_paddr);
void multiboot2_read_boot_info(uint32_t info_paddr);

#endif
