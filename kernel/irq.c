/*
 * irq.c — the table of interrupt handlers, indexed by vector.
 */
#include "kernel/irq.h"
#include "kernel/panic.h"

struct irq_slot {
	irq_handler_fn *handler;
	void *arg;
	uint64_t count;
};

static struct irq_slot slots[IRQ_VECTORS];

/*
 * Device vectors are handed out from 0x40 up to just below the LAPIC
 * timer (0xef): 0x20-0x2f is where the masked 8259 would deliver a
 * spurious interrupt, and the top vectors are the LAPIC's own.  The x86
 * priority class is vector >> 4; all device vectors sit below the timer's.
 */
#define DEVICE_VECTOR_FIRST 0x40
#define DEVICE_VECTOR_LAST  0xee

static unsigned int next_device_vector = DEVICE_VECTOR_FIRST;

uint8_t irq_alloc_vector(void)
{
	while (next_device_vector <= DEVICE_VECTOR_LAST) {
		unsigned int vector = next_device_vector++;

		if (!slots[vector].handler)
			return (uint8_t)vector;
	}
	return 0;
}

void irq_register(uint8_t vector, irq_handler_fn *handler, void *arg)
{
	ASSERT(vector >= IRQ_FIRST_VECTOR);
	ASSERT(slots[vector].handler == NULL);
	slots[vector].arg = arg;
	slots[vector].handler = handler;
}

void irq_unregister(uint8_t vector)
{
	slots[vector].handler = NULL;
	slots[vector].arg = NULL;
}

bool irq_dispatch(uint8_t vector)
{
	struct irq_slot *slot = &slots[vector];

	slot->count++;
	if (!slot->handler)
		return false;
	slot->handler(slot->arg);
	return true;
}

uint64_t irq_count(uint8_t vector)
{
	return slots[vector].count;
}
