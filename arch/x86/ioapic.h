/*
 * ioapic.h — the I/O APIC: routes device interrupt lines (GSIs) to vectors.
 */
#ifndef PVKIT_ARCH_X86_IOAPIC_H
#define PVKIT_ARCH_X86_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_DEFAULT_BASE     0xfec00000u

bool ioapic_init(void);
bool ioapic_present(void);
unsigned int ioapic_pins(void);
uint32_t ioapic_base(void);
/* Route an edge-triggered, active-high line (ISA style) to a vector on CPU 0. */
void ioapic_route(unsigned int pin, uint8_t vector);
void ioapic_mask(unsigned int pin);

#endif
