/*
 * xen_grant_map.h — GNTTABOP_map_grant_ref and unmap_grant_ref for a
 * PVH/HVM caller: a page another domain (here: the guest itself, playing
 * a backend) granted appears at a guest-physical address of the caller's
 * choice, until it is unmapped.
 *
 * The grant is taken with the grant-table model (xen_gnttab_acquire), which
 * marks the entry GTF_reading/GTF_writing so the granter cannot revoke it
 * while mapped; the page appears through ops.map_page, which pvkit-hv
 * implements with a KVM memory slot.  The address must be page-aligned
 * and lie in the hole above RAM (XEN_GRANT_MAP_WINDOW_END), so a mapping
 * never hides RAM or a device.  At most XEN_GRANT_MAPS mappings at once
 * (GNTST_no_space after that); the handle is the mapping's index.
 */
#ifndef PVKIT_HOST_XEN_GRANT_MAP_H
#define PVKIT_HOST_XEN_GRANT_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "host/layout.h"
#include "host/xen_abi.h"
#include "host/xen_gnttab.h"

#define XEN_GRANT_MAPS                  16
#define XEN_GRANT_MAP_WINDOW_END        LAYOUT_RAM_MAX  /* RAM ends below; nothing else is there */

struct xen_grant_map {
	bool used;
	uint64_t gpa;
	struct xen_grant grant;
};

struct xen_domain;

/* One operation; returns its GNTST_* status (also written into op). */
int16_t xen_grant_map(struct xen_domain *d, struct gnttab_map_grant_ref *op);
int16_t xen_grant_unmap(struct xen_domain *d, struct gnttab_unmap_grant_ref *op);

#endif
