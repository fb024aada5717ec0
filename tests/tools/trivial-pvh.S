/*
 * trivial-pvh.S — the smallest guest a PVH loader can start: it prints one
 * line on COM1 and leaves through the debug-exit port 0xf4 with status 0.
 *
 * `make bench` boots it under pvkit-hv and QEMU to measure what each VMM
 * itself costs from process start to exit, with (almost) no guest work in
 * the way.  A 32-bit ELF, so it also exercises pvkit-hv's ELF32 loader.
 */
#include <xen/elfnote.h>

#define COM1_THR        0x3f8
#define DEBUG_EXIT_PORT 0xf4

	.section .note.Xen, "a", @note
	.balign 4
	.long	4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.long	_start

	.text
	.code32
	.globl	_start
_start:
	cli
	mov	$message, %esi
	mov	$(message_end - message), %ecx
	mov	$COM1_THR, %dx
	rep outsb			/* KVM exits once per byte */
	mov	$DEBUG_EXIT_PORT, %dx
	xor	%eax, %eax
	outb	%al, %dx
1:	hlt				/* only without a debug-exit device */
	jmp	1b

	.section .rodata
message:
	.ascii	"trivial-pvh: hello\n"
message_end:
