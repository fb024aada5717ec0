/*
 * platform_native.h — bring-up of the native PC platform: the entry code,
 * then the CPU tables, interrupt controllers and timer, in order.
 */
#ifndef PVKIT_ARCH_X86_PLATFORM_NATIVE_H
#define PVKIT_ARCH_X86_PLATFORM_NATIVE_H

#include <stdint.h>

void boot_native(uint32_t path, uint32_t info_paddr) __attribute__((noreturn));
void platform_native_init(void);
void platform_native_report(void);

#endif
