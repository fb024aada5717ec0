/*
 * time_native.h — the native time source and one-shot timer.
 */
#ifndef PVKIT_ARCH_X86_TIME_NATIVE_H
#define PVKIT_ARCH_X86_TIME_NATIVE_H

#include <stdint.h>

void time_native_init(void);
uint64_t time_native_now_ns(void);
void time_native_set_timer(uint64_t deadline_ns);
void time_native_report(void);
uint64_t time_native_tsc_hz(void);

#endif
