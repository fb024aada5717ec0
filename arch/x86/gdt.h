/*
 * gdt.h — the kernel's segment descriptors and task-state segment.
 */
#ifndef PVKIT_ARCH_X86_GDT_H
#define PVKIT_ARCH_X86_GDT_H

#define KERNEL_CS       0x08
#define KERNEL_DS       0x10
#define TSS_SELECTOR    0x18

void gdt_init(void);

#endif
