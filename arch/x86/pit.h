/*
 * pit.h — the 8254 programmable interval timer, used only as a reference
 * clock of known frequency to measure the TSC.
 */
#ifndef PVKIT_ARCH_X86_PIT_H
#define PVKIT_ARCH_X86_PIT_H

#include <stdint.h>

/* TSC ticks per second, or 0 when no PIT seems to be counting. */
uint64_t pit_measure_tsc_hz(void);

#endif
