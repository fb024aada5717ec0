/*
 * lapic.h — the local APIC: this CPU's interrupt acceptance and its timer.
 */
#ifndef PVKIT_ARCH_X86_LAPIC_H
#define PVKIT_ARCH_X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_TIMER_VECTOR      0xef
#define LAPIC_SPURIOUS_VECTOR   0xff

void lapic_init(void);
bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);
uint32_t lapic_version(void);
void lapic_eoi(void);

/* The timer in one of its two one-shot forms. */
void lapic_timer_oneshot(uint32_t initial_count);      /* ticks of the bus clock / 16 */
void lapic_timer_tsc_deadline(uint64_t tsc);
void lapic_timer_stop(void);
uint32_t lapic_timer_current_count(void);
/* Prepare the timer LVT for the chosen mode (masked until armed). */
void lapic_timer_use_tsc_deadline(bool on);

#endif
