/*
 * pic.c — takes the 8259 PICs out of the way.
 *
 * We use the APICs, but the PICs power up delivering IRQ 0-7 on vectors
 * 8-15, on top of CPU exceptions.  Reprogramming them to vectors 0x20-0x2f
 * and masking every line means a stray or spurious PIC interrupt can never
 * look like a double fault.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/pic.h"

#define PIC1_COMMAND    0x20
#define PIC1_DATA       0x21
#define PIC2_COMMAND    0xa0
#define PIC2_DATA       0xa1

#define ICW1_INIT_WITH_ICW4     0x11
#define ICW3_PRIMARY_HAS_SECONDARY_ON_IRQ2      0x04
#define ICW3_SECONDARY_ID       0x02
#define ICW4_8086_MODE          0x01
#define MASK_ALL_LINES          0xff

void pic_disable(void)
{
	outb(PIC1_COMMAND, ICW1_INIT_WITH_ICW4);
	outb(PIC2_COMMAND, ICW1_INIT_WITH_ICW4);
	outb(PIC1_DATA, PIC_VECTOR_BASE);
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, ICW3_PRIMARY_HAS_SECONDARY_ON_IRQ2);
	outb(PIC2_DATA, ICW3_SECONDARY_ID);
	outb(PIC1_DATA, ICW4_8086_MODE);
	outb(PIC2_DATA, ICW4_8086_MODE);
	outb(PIC1_DATA, MASK_ALL_LINES);
	outb(PIC2_DATA, MASK_ALL_LINES);
}
