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
	.if	!(vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30)
	pushq	$0				/* no error code: push one */
	.endif
	pushq	$vector
	jmp	trap_common
	.set	vector, vector + 1
	.endr

/* Stack now: vector, error code, then what the CPU pushed (rip ... ss). */
trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	mov	%rsp, %rdi
	call	trap_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	add	$16, %rsp			/* vector and error code */
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
