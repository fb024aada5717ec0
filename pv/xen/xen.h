/*
 * xen.h — pvkit as a Xen guest (PVH domU today; docs/xen.md).
 *
 * At boot, xen_early_init() looks for Xen's CPUID leaves and, when they are
 * there, sets up the basics every Xen guest needs before anything else:
 *   1. the hypercall page (hypercall.h, hypercall_page.S);
 *   2. shared_info, the page Xen and the guest both read: per-vCPU time
 *      (pvclock), event-channel pending/mask bits, the wall clock;
 *   3. the PV console ring (xen_console.c), so printk reaches `xl console`;
 *   4. the platform's Xen-aware operations (xen_platform.c): shutdown by
 *      SCHEDOP_shutdown, the console ring as the early console.
 * Nothing here runs when Xen is absent: on QEMU, KVM or pvkit-hv the
 * kernel is exactly what it was.
 */
#ifndef PVKIT_PV_XEN_XEN_H
#define PVKIT_PV_XEN_XEN_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>

struct xen_info {
	bool present;                   /* Xen's CPUID leaves are there */
	uint32_t cpuid_base;            /* 0x40000000, or 0x40000100 with Viridian */
	uint16_t major, minor;          /* version, from CPUID base + 1 */
	uint32_t hypercall_msr;         /* from CPUID base + 2 */
	bool hypercalls;                /* the hypercall page is filled in */
	struct shared_info *shared_info; /* NULL until mapped */
	long shared_info_rc;            /* XENMEM_add_to_physmap's result */
	bool pv;                        /* entered as a PV guest (xen_pv_boot.c) */
};

/* Called by the entry path (arch/x86/setup_native.c) right after the boot
 * information is read.  Returns true when we run on Xen. */
bool xen_early_init(void);

/* The same for a PV guest, whose loader did most of it: called by the
 * PV entry (xen_pv_boot.c) with shared_info already mapped. */
void xen_pv_early_init(struct shared_info *shared);

/* True once the hypercall page works: the only test callers need. */
bool xen_running(void);
const struct xen_info *xen_info(void);

/* The frame number Xen knows our page by (page: a direct-map address):
 * what a grant entry's frame, grant copy's gmfn and the FIFO event
 * channels' control and array pages must hold.  Under PVH the
 * guest-physical frame; under PV the machine frame (Xen does not
 * translate for a PV guest), ~0 for a page that is not our RAM. */
uint64_t xen_frame_of(const void *page);

/* Boot-report lines (called through the platform's report). */
void xen_report(void);

#endif
