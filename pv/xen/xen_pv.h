/*
 * xen_pv.h — pvkit as a Xen PV guest (issue 6; docs/xen-pv.md).
 *
 * xen_pv_boot.c turns start_info into struct boot_info;
 * xen_pv_page_tables.c moves us from the builder's page tables onto our
 * own; xen_pv_platform.c is the platform table whose every privileged
 * operation is a hypercall or a write to shared_info; xen_pv_entry.S holds
 * the trap and event-callback entry points Xen bounces us to.
 */
#ifndef PVKIT_PV_XEN_XEN_PV_H
#define PVKIT_PV_XEN_XEN_PV_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>

/* NULL unless we were entered as a PV guest. */
const struct start_info *xen_pv_start_info(void);

/* Pseudo-physical <-> machine frame numbers: the P2M (start_info's
 * mfn_list, ours) and the M2P (Xen's, read-only at MACH2PHYS_VIRT_START). */
uint64_t xen_pv_pfn_to_mfn(uint64_t pfn);
uint64_t xen_pv_mfn_to_pfn(uint64_t mfn);

/* Point the page at va (one of ours, already mapped) at machine frame mfn,
 * writable: how a PV guest sees pages that are not its RAM (shared_info,
 * the grant table's frames).  0 or a Xen error. */
long xen_pv_map_machine_frame(void *va, uint64_t mfn);

/* Where we can reach machine frame mfn: its place in the direct map when
 * it is one of our mapped RAM pages, else a new mapping over a page taken
 * from the page allocator (and never given back).  NULL when neither. */
void *xen_pv_machine_page(uint64_t mfn);

/* Our own page tables (xen_pv_page_tables.c): where the root is, and how
 * the switch away from the domain builder's tables went. */
struct xen_pv_page_tables {
	uint64_t root;                  /* our L4 (pseudo-physical), 0 before */
	uint64_t copied;                /* tables our copy of Xen's needed */
	uint64_t given_back;            /* Xen's frames now ours to allocate */
	uint64_t tsc_cycles;            /* what it all took */
	const char *failed_step;        /* NULL once we run on our own tables */
	long rc;                        /* and the Xen error that stopped it */
};
const struct xen_pv_page_tables *xen_pv_page_tables(void);
uint64_t xen_pv_page_table_root(void);

/* At boot, with all of RAM mapped: build our tables in the pages from
 * *free on (below mapped_end), switch to them, give Xen's frames back. */
void xen_pv_take_over_page_tables(uint64_t *free, uint64_t mapped_end);

/* The L4 slots of Xen's own area, 256-271 (HYPERVISOR_VIRT_START to _END:
 * its read-only M2P, its code and data, a linear map of the tables). */
bool xen_pv_is_xen_l4_slot(unsigned int slot);

/* One mmuext_op: arg is a machine frame, or a virtual address for
 * MMUEXT_INVLPG_LOCAL.  0 or a Xen error. */
long xen_pv_mmuext(unsigned int cmd, uint64_t arg);

/* The NMIs the NMI callback has taken, and whether events were masked
 * while it ran (Xen masks them, as an interrupt gate clears IF). */
struct xen_pv_nmis {
	unsigned long count;
	bool events_masked;
};
const struct xen_pv_nmis *xen_pv_nmis(void);

/* Make the PV table the platform: the first thing the PV entry does. */
void xen_pv_platform_select(void);

/* Stop at once with SHUTDOWN_crash, for failures before the console. */
void xen_pv_crash(void) __attribute__((noreturn));

#endif
