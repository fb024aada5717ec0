/*
 * hypercall.h — calling Xen: a generic entry through the hypercall page
 * (five arguments, or two for the many hypercalls that take no more), and
 * a typed wrapper per hypercall the kernel uses.
 *
 * The 64-bit calling convention: arguments in rdi, rsi, rdx, r10, r8; the
 * result in rax.  Xen may change the argument registers (a debug build of
 * Xen deliberately scribbles on the ones a hypercall does not use), so the
 * asm tells the compiler they are all overwritten.  A negative result is a
 * Xen error code (-XEN_EINVAL ...; /usr/include/xen/errno.h), which
 * xen_error_name() turns into its name.
 *
 * Structures and constants are Xen's public headers, unchanged.
 */
#ifndef PVKIT_PV_XEN_HYPERCALL_H
#define PVKIT_PV_XEN_HYPERCALL_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/errno.h>            /* enum xen_errno: XEN_EINVAL... */
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

#define XEN_HYPERCALL_STUB_SIZE 32
#define XEN_HYPERCALL_SLOTS     (4096 / XEN_HYPERCALL_STUB_SIZE)

extern uint8_t xen_hypercall_page[4096];        /* hypercall_page.S */

/*
 * Calling a stub.  Two forms, because every argument register the compiler
 * must fill is an instruction on each call, and a hypercall is often hot:
 * where CPL0 guest code is emulated (kvm_pvm under pvkit-hv --xen) each
 * costs as much as a tenth of the exit itself (docs/pvkit-hv-xen.md, "What
 * a hypercall costs").  Both tell the compiler that all five argument
 * registers may come back changed, used or not, as Linux's hypercall
 * macros do.  `stub` is a stub of the hypercall page or (xen_bench.c) code
 * that mimics one to compare their costs.
 */

/* Five arguments in rdi, rsi, rdx, r10, r8. */
static inline long xen_call_stub5(const void *stub, unsigned long a1, unsigned long a2,
				  unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	long result;

	__asm__ volatile("call *%[stub]"
			 : "=a"(result), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
			 : [stub] "r"(stub)
			 : "memory", "rcx", "r11", "r9");
	return result;
}

/* Two arguments in rdi, rsi; rdx, r10 and r8 are left as they are. */
static inline long xen_call_stub2(const void *stub, unsigned long a1, unsigned long a2)
{
	long result;

	__asm__ volatile("call *%[stub]"
			 : "=a"(result), "+D"(a1), "+S"(a2)
			 : [stub] "r"(stub)
			 : "memory", "rcx", "r11", "rdx", "r10", "r8", "r9");
	return result;
}

/* Where hypercall nr's stub is in the page. */
static inline const void *xen_hypercall_stub(unsigned int nr)
{
	return xen_hypercall_page + nr * XEN_HYPERCALL_STUB_SIZE;
}

/* Hypercall `nr` with up to five arguments (unused ones: pass 0). */
static inline long xen_hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
				 unsigned long a3, unsigned long a4, unsigned long a5)
{
	return xen_call_stub5(xen_hypercall_stub(nr), a1, a2, a3, a4, a5);
}

/* Hypercall `nr` that takes two arguments (most do: a command and a pointer). */
static inline long xen_hypercall2(unsigned int nr, unsigned long a1, unsigned long a2)
{
	return xen_call_stub2(xen_hypercall_stub(nr), a1, a2);
}

/* The name of a Xen error: -XEN_ENOSYS -> "ENOSYS"; 0 -> "OK". */
const char *xen_error_name(long rc);
/* "ENOENT" -> -XEN_ENOENT (xenstore reports errors by name); unknown: -XEN_EIO. */
long xen_error_from_name(const char *name);

/* ---- typed wrappers: one per hypercall; argument types from Xen's headers ---- */

/* XENVER_version returns (major << 16) | minor; others fill `arg`. */
static inline long xen_version_op(int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_xen_version, (unsigned long)cmd, (unsigned long)arg);
}

/* XENMEM_add_to_physmap and friends (memory.h). */
static inline long xen_memory_op(unsigned int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_memory_op, cmd, (unsigned long)arg);
}

/* HVMOP_get_param / HVMOP_set_param (hvm_op.h). */
static inline long xen_hvm_op(unsigned int op, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_hvm_op, op, (unsigned long)arg);
}

/* SCHEDOP_yield, SCHEDOP_poll, SCHEDOP_shutdown (sched.h). */
static inline long xen_sched_op(int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_sched_op, (unsigned long)cmd, (unsigned long)arg);
}

/* EVTCHNOP_send, EVTCHNOP_status... (event_channel.h). */
static inline long xen_event_channel_op(int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_event_channel_op, (unsigned long)cmd,
			      (unsigned long)arg);
}

/* VCPUOP_* for one virtual CPU (vcpu.h). */
static inline long xen_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return xen_hypercall(__HYPERVISOR_vcpu_op, (unsigned long)cmd, vcpu,
			     (unsigned long)arg, 0, 0);
}

/* GNTTABOP_query_size, GNTTABOP_copy... on an array of `count` operations
 * (grant_table.h); each operation also has its own status field. */
static inline long xen_grant_table_op(unsigned int cmd, void *ops, unsigned int count)
{
	return xen_hypercall(__HYPERVISOR_grant_table_op, cmd, (unsigned long)ops, count, 0, 0);
}

/* CONSOLEIO_write: Xen's own emergency console.  A domU on a release build
 * of Xen gets -EPERM: it must use the PV console ring (xen_console.c). */
static inline long xen_console_io(int cmd, unsigned int count, const char *text)
{
	return xen_hypercall(__HYPERVISOR_console_io, (unsigned long)cmd, count,
			     (unsigned long)text, 0, 0);
}

/* ---- small conveniences built on the wrappers ---- */

/* HVMOP_get_param for our own domain: 0 and *value, or a Xen error. */
long xen_hvm_get_param(uint32_t index, uint64_t *value);
/* EVTCHNOP_send: raise the event on the other end of our port. */
long xen_evtchn_send(evtchn_port_t port);

#endif
