/*
 * trap_entry.S — one small entry stub per vector, and the common path that
 * saves the interrupted registers as a struct trap_frame (arch/x86/traps.h)
 * and calls trap_dispatch(frame).
 *
 * The CPU pushes an error code for some exceptions and not for others; the
 * stubs push a zero where it does not, so every frame has the same shape.
 *
 * The same file emits trap_gates[], the struct trap_gate table (see
 * kernel/platform.h) that traps_init hands to the platform: built by the
 * assembler, so that no loop has to fill it at boot.
 */
#include "arch/x86/trap_frame_asm.h"

#define TRAP_STUB_SIZE          16
#define IST_DOUBLE_FAULT        1       /* TSS stack slots, see arch/x86/gdt.c */
#define IST_NMI                 2
#define IST_MACHINE_CHECK       3

	.text
	.code64

	.balign 16
	.globl	trap_stubs_start
trap_stubs_start:
	.set	vector, 0
	.rept	256
	.balign TRAP_STUB_SIZE
	push_missing_error_code vector
	pushq	$vector
	jmp	trap_common
	.set	vector, vector + 1
	.endr

/* Stack now: vector, error code, then what the CPU pushed (rip ... ss). */
trap_common:
	save_registers_and_dispatch
	restore_registers
	iretq

/* struct trap_gate { uint8_t vector, ist, dpl; void *entry; }: 16 bytes. */
	.section .rodata
	.balign 8
	.globl	trap_gates
trap_gates:
	.set	vector, 0
	.rept	256
	.byte	vector
	.if	vector == 8
	.byte	IST_DOUBLE_FAULT
	.elseif	vector == 2
	.byte	IST_NMI
	.elseif	vector == 18
	.byte	IST_MACHINE_CHECK
	.else
	.byte	0
	.endif
	.byte	0				/* dpl: no user mode yet */
	.balign 8
	.quad	trap_stubs_start + vector * TRAP_STUB_SIZE
	.set	vector, vector + 1
	.endr
