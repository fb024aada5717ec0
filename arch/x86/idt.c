/*
 * idt.c — builds the IDT from the trap table and loads it with lidt: the
 * native way of installing traps (a Xen PV guest hands the same table to
 * the hypervisor with HYPERVISOR_set_trap_table instead).
 */
#include <stdint.h>

#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"

#define IDT_ENTRIES             256
#define GATE_INTERRUPT          0xe     /* clears IF on entry */
#define GATE_PRESENT            0x80

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct idt_entry idt[IDT_ENTRIES];

static struct idt_entry make_gate(const struct trap_gate *g)
{
	uintptr_t entry = (uintptr_t)g->entry;

	return (struct idt_entry){
		.offset_low = entry & 0xffff,
		.selector = KERNEL_CS,
		.ist = g->ist,
		.type_attr = GATE_PRESENT | (uint8_t)(g->dpl << 5) | GATE_INTERRUPT,
		.offset_mid = (entry >> 16) & 0xffff,
		.offset_high = (uint32_t)(entry >> 32),
	};
}

void idt_install(const struct trap_gate *gates, size_t count)
{
	for (size_t i = 0; i < count; i++)
		idt[gates[i].vector] = make_gate(&gates[i]);

	struct idt_pointer idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}
