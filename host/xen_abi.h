/*
 * xen_abi.h — Xen's public headers, as pvkit-hv's Xen mode includes them.
 *
 * The interface version decides which hypercall numbers and structure
 * layouts the headers give (an old one renames sched_op to its "compat"
 * predecessor, for instance), so it must be the guest's: the Makefile
 * builds the kernel with __XEN_INTERFACE_VERSION__ 0x00040d00 (Xen 4.13).
 */
#ifndef PVKIT_HOST_XEN_ABI_H
#define PVKIT_HOST_XEN_ABI_H

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040d00
#endif

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/io/console.h>
#include <xen/arch-x86/cpuid.h>

/* The Xen version pvkit-hv claims: the one in the project's real-Xen lab. */
#define XEN_HOST_MAJOR          4
#define XEN_HOST_MINOR          17
#define XEN_HOST_EXTRAVERSION   "-pvkit-hv"

/* Our domain id (a domU's first id) and dom0's, which pvkit-hv plays. */
#define XEN_HOST_DOMID          1
#define XEN_HOST_DOM0           0

/* DOMID_SELF and our own id both mean the guest itself. */
static inline bool xen_is_self(domid_t dom)
{
	return dom == DOMID_SELF || dom == XEN_HOST_DOMID;
}

#endif
