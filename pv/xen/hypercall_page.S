/*
 * hypercall_page.S — the page Xen fills with its hypercall stubs.
 *
 * A guest does not hard-code the instruction that enters Xen: it is vmcall
 * on Intel, vmmcall on AMD (and syscall for a 64-bit PV guest).  Instead it
 * gives Xen one page of its memory (by writing the page's address to the
 * MSR that CPUID leaf 0x40000002 names, pv/xen/xen_setup.c), and Xen writes
 * 128 stubs of 32 bytes into it, stub N being "mov $N, %eax; <enter Xen>;
 * ret".  Hypercall N is then `call xen_hypercall_page + N * 32`.
 *
 * The page lives in .text because it is code.  It starts out full of int3
 * (0xcc): calling it before Xen wrote the stubs stops at a breakpoint
 * exception with a clear report instead of running garbage.
 */
	.section .text.xen_hypercall_page, "ax"
	.balign 4096
	.globl xen_hypercall_page
xen_hypercall_page:
	.fill 4096, 1, 0xcc
	.size xen_hypercall_page, 4096
