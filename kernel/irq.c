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
