/*
 * trap_entry.S — one small entry stub per vector, and the common path that
 * saves the interrupted registers as a struct trap_frame (arch/x86/traps.h)
 * and calls trap_dispatch(frame).
 *
 * The CPU pushes an error code for some exceptions and not for others; the
 * stubs push a zero where it does not, so every frame has the same shape.
 */

	.text
	.code64

	.balign 16
	.globl	trap_stubs_start
trap_stubs_start:
	.set	vector, 0
	.rept	256
	.balign 16
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
