/*
 * irq.h — interrupt handlers by vector, and masking through the platform.
 *
 * Device drivers register a handler for the vector their interrupt
 * arrives on; the trap code calls irq_dispatch() for every vector >= 32.
 */
#ifndef PVKIT_KERNEL_IRQ_H
#define PVKIT_KERNEL_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/platform.h"

#define IRQ_FIRST_VECTOR 32     /* 0-31 are CPU exceptions */
#define IRQ_VECTORS      256

typedef void irq_handler_fn(void *arg);

void irq_register(uint8_t vector, irq_handler_fn *handler, void *arg);
void irq_unregister(uint8_t vector);
/* Returns false when nothing is registered for the vector. */
bool irq_dispatch(uint8_t vector);
/* A vector nobody uses yet, for a device interrupt (MSI-X entry, IOAPIC
 * pin); 0 when they are all taken.  Vectors are never given back: drivers
 * allocate theirs once, at probe time. */
uint8_t irq_alloc_vector(void);

/* How many interrupts each vector has taken (for tests and reports). */
uint64_t irq_count(uint8_t vector);

/* Disable interrupts, returning whether they were enabled. */
static inline bool irq_save(void)
{
	bool was_enabled = platform->irq_enabled();

	platform->irq_disable();
	return was_enabled;
}

static inline void irq_restore(bool was_enabled)
{
	if (was_enabled)
		platform->irq_enable();
}

#endif
