/*
 * xen_hypercall_page.h — the hypercall page pvkit-hv writes into the guest
 * when it writes the page's address to MSR 0x40000000 (CPUID 0x40000002
 * names the MSR).
 *
 * Xen's stubs enter Xen with vmcall (Intel) or vmmcall (AMD).  Ours leave
 * the guest with an `out` instead, because this machine's kvm_pvm cannot
 * run vmcall/vmmcall at CPL0 (the guest hangs) and because KVM gives user
 * space a port exit on every KVM, where a hypercall exit
 * (KVM_CAP_EXIT_HYPERCALL) is not delivered everywhere.  Each of the 128
 * stubs is 32 bytes, at nr * 32:
 *
 *     b8 NN NN NN NN    mov  $nr, %eax
 *     e7 PP             out  %eax, $port      (an 8-bit port: %dx holds an argument)
 *     c3                ret
 *     cc ...            int3 padding
 *
 * The arguments stay where the caller put them (rdi, rsi, rdx, r10, r8);
 * pvkit-hv reads them where KVM syncs the registers into kvm_run and
 * writes the result to rax there (host/xen.c).
 */
#ifndef PVKIT_HOST_XEN_HYPERCALL_PAGE_H
#define PVKIT_HOST_XEN_HYPERCALL_PAGE_H

#include <stdint.h>

#define XEN_HYPERCALL_PAGE_SIZE 4096
#define XEN_HYPERCALL_STUB_SIZE 32
#define XEN_HYPERCALL_STUBS     (XEN_HYPERCALL_PAGE_SIZE / XEN_HYPERCALL_STUB_SIZE)

/* Fills page (XEN_HYPERCALL_PAGE_SIZE bytes) with the stubs. */
void xen_hypercall_page_fill(uint8_t *page, uint8_t port);

#endif
