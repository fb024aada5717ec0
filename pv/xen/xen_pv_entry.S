/*
 * xen_pv_entry.S — where Xen enters a PV guest for an exception or an event.
 *
 * A PV guest has no IDT: HYPERVISOR_set_trap_table names, per exception
 * vector, an address, and Xen "bounces" the exception there.  Its frame is
 * the hardware's (ss, rsp, rflags, cs, rip, and an error code for the
 * vectors that have one) plus two more words below it: the guest's %rcx
 * and %r11, which Xen's own entry path (syscall/sysret) overwrote.  So each
 * stub here restores those two registers and drops them; from there on the
 * frame is exactly what the native stubs (arch/x86/trap_entry.S) build, and
 * the same trap_dispatch() handles it.  The way back is HYPERVISOR_iret.
 *
 * Events (the upcall) arrive at the event callback (CALLBACKTYPE_event)
 * with the same frame, no error code, and event delivery masked; the
 * return through HYPERVISOR_iret unmasks them again.  NMIs arrive the same
 * way at the NMI callback (CALLBACKTYPE_nmi), not through the trap table.
 */
#include <xen/xen.h>

#include "arch/x86/trap_frame_asm.h"

#define PV_STUB_SIZE    32

/* Return to the frame on the stack (rip, cs, rflags, rsp, ss) through Xen:
 * iretq cannot, because Xen shows our code segment with RPL 0 in the
 * frame (we run in ring 3).  The hypercall stub pushes %rcx, %r11 and
 * %rax itself; we push the flags word below them (0: not a syscall
 * return).  HYPERVISOR_iret also sets the upcall mask from RFLAGS.IF. */
.macro xen_iret
	pushq	$0
	jmp	xen_hypercall_page + __HYPERVISOR_iret * 32
.endm

/* Undo Xen's two extra words: the guest's %rcx and %r11. */
.macro xen_bounce_frame_to_native
	mov	(%rsp), %rcx
	mov	8(%rsp), %r11
	lea	16(%rsp), %rsp
.endm

	.text
	.code64

	.balign	PV_STUB_SIZE
	.globl	xen_pv_trap_stubs
xen_pv_trap_stubs:
	.set	vector, 0
	.rept	32
	.balign	PV_STUB_SIZE
	xen_bounce_frame_to_native
	push_missing_error_code vector
	pushq	$vector
	jmp	xen_pv_trap_common
	.set	vector, vector + 1
	.endr

/* The same struct trap_frame as arch/x86/trap_entry.S's trap_common, and
 * the same trap_dispatch(); only the way back differs. */
xen_pv_trap_common:
	save_registers_and_dispatch
	restore_registers
	xen_iret

/* A callback that is not an exception (no vector, no trap frame): save
 * what C may change, call `handler`, return through HYPERVISOR_iret
 * (flags 0: not returning from a syscall). */
.macro callback_entry name, handler
	.globl	\name
\name:
	xen_bounce_frame_to_native
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp			/* the C ABI's stack alignment */
	cld
	call	\handler
	mov	%rbp, %rsp
	popq	%rbp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	xen_iret
.endm

/* The event callback (CALLBACKTYPE_event): the upcall. */
	callback_entry xen_pv_event_entry, xen_pv_event

/* The NMI callback (CALLBACKTYPE_nmi), entered with events masked.  Xen
 * holds back further NMIs until our HYPERVISOR_iret, as the CPU does
 * until an iretq. */
	callback_entry xen_pv_nmi_entry, xen_pv_nmi

/* The failsafe callback: Xen could not reload our segment registers on a
 * return to us.  Nothing sensible can go on; report it. */
	.globl	xen_pv_failsafe_entry
xen_pv_failsafe_entry:
	and	$-16, %rsp
	call	xen_pv_failsafe
1:	jmp	1b
