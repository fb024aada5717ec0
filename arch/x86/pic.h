/*
 * pic.h — the legacy 8259 interrupt controller pair.
 */
#ifndef PVKIT_ARCH_X86_PIC_H
#define PVKIT_ARCH_X86_PIC_H

#define PIC_VECTOR_BASE 0x20    /* where its 16 lines land once remapped */

void pic_disable(void);

#endif
