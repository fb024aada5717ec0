/*
 * gdt.c — the GDT and the 64-bit TSS.
 *
 * Long mode ignores segment bases and limits, but still needs a code
 * segment with the L bit, and a TSS: its interrupt-stack table (IST) gives
 * double faults, NMIs and machine checks a known-good stack, so a fault
 * caused by a broken stack can still be reported.
 */
#include <stdint.h>

#include "arch/x86/gdt.h"

#define IST_STACK_SIZE  4096
#define IST_STACKS      3               /* slots 1-3, see arch/x86/traps.c */

/* Flat descriptors: base 0, limit 4 GiB, present, DPL 0. */
#define DESC_CODE64     0x00af9a000000ffffull   /* L=1, execute/read */
#define DESC_DATA       0x00cf92000000ffffull   /* read/write */
#define DESC_TSS_AVAILABLE 0x89ull              /* type 9, present */

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct tss64 tss;
static uint8_t ist_stacks[IST_STACKS][IST_STACK_SIZE] __attribute__((aligned(16)));
static uint64_t gdt[5];         /* null, code, data, TSS (two slots) */

/* A system descriptor is 16 bytes in long mode: base bits spread over both. */
static void set_tss_descriptor(uint64_t *slot, uintptr_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  (DESC_TSS_AVAILABLE << 40) | ((uint64_t)(limit >> 16 & 0xf) << 48) |
		  ((uint64_t)(base >> 24 & 0xff) << 56);
	slot[1] = base >> 32;
}

void gdt_init(void)
{
	for (int i = 0; i < IST_STACKS; i++)
		tss.ist[i] = (uintptr_t)ist_stacks[i] + IST_STACK_SIZE;
	tss.iomap_base = sizeof(tss);   /* no I/O permission bitmap */

	gdt[KERNEL_CS / 8] = DESC_CODE64;
	gdt[KERNEL_DS / 8] = DESC_DATA;
	set_tss_descriptor(&gdt[TSS_SELECTOR / 8], (uintptr_t)&tss, sizeof(tss) - 1);

	struct descriptor_pointer gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };

	/* Reload every segment register; CS only changes through a far
	 * return, which pops the new selector with the return address. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "ltr %w3"
			 : : "m"(gdtr), "i"(KERNEL_CS), "i"(KERNEL_DS), "r"(TSS_SELECTOR)
			 : "rax", "memory");
}
