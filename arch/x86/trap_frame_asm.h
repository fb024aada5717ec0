/*
 * trap_frame_asm.h — assembly macros that build and take apart a struct
 * trap_frame (arch/x86/traps.h).  Included by the native entry stubs
 * (arch/x86/trap_entry.S) and the Xen PV ones (pv/xen/xen_pv_entry.S),
 * which differ only in how an exception arrives and how they return.
 */
#ifndef PVKIT_ARCH_X86_TRAP_FRAME_ASM_H
#define PVKIT_ARCH_X86_TRAP_FRAME_ASM_H

/* The CPU (and Xen) push an error code for some exceptions only; push a
 * zero for the others, so every frame has the same shape. */
.macro push_missing_error_code vector
	.if	!(\vector == 8 || (\vector >= 10 && \vector <= 14) || \vector == 17 || \vector == 21 || \vector == 29 || \vector == 30)
	pushq	$0
	.endif
.endm

/* Below the vector and error code: every general register, the last
 * pushed first in struct trap_frame.  Then call trap_dispatch(frame). */
.macro save_registers_and_dispatch
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
.endm

/* Undo save_registers_and_dispatch, and drop the vector and error code:
 * what is left is the frame to return to (rip, cs, rflags, rsp, ss). */
.macro restore_registers
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
	add	$16, %rsp
.endm

#endif
