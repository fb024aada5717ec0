/*
 * xen_gnttab.h — the guest's grant table, version 1, as Xen keeps it and
 * as a backend (dom0) uses it: what pvkit-hv's Xen mode does for
 * GNTTABOP_query_size, XENMEM_add_to_physmap(XENMAPSPACE_grant_table) and
 * GNTTABOP_copy, and how its backends get at the pages a guest grants.
 *
 * A grant v1 entry (struct grant_entry_v1, /usr/include/xen/grant_table.h)
 * is 8 bytes in a table the guest writes: flags, the domain allowed in,
 * and the guest frame.  On Xen the table is Xen's memory from the
 * domain's creation (the toolstack seeds the console and xenstore
 * entries there), and the guest puts each table frame `idx` at a gfn of
 * its choice with XENMEM_add_to_physmap.  Here a frame lives in host
 * memory until the guest maps it; then it moves to that guest page (and
 * with the page when mapped again elsewhere).  So every entry the guest
 * can reach is hostile input: it is read once per use, checked (ref
 * inside the table, GTF_permit_access, the right domain, GTF_readonly
 * against a write), and the busy bits GTF_reading/GTF_writing are set with
 * one compare-and-swap on the flags+domid word, as Xen does, so that the
 * guest's revoke sees the entry in use.  They are cleared on release.
 *
 * A pure model: guest memory only through host/guest_mem.h.  Errors are
 * GNTST_* statuses, or negative Xen errno values (enum xen_errno) where
 * the hypercall itself fails.
 */
#ifndef PVKIT_HOST_XEN_GNTTAB_H
#define PVKIT_HOST_XEN_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>               /* after stdint.h: it uses uint64_t... */
#include <xen/grant_table.h>

#include "host/guest_mem.h"

#define XEN_GNTTAB_PAGE_SIZE            4096u
#define XEN_GNTTAB_ENTRIES_PER_FRAME    (XEN_GNTTAB_PAGE_SIZE / sizeof(struct grant_entry_v1))
#define XEN_GNTTAB_MAX_FRAMES           64      /* xl's default max_grant_frames */
#define XEN_GNTTAB_INITIAL_FRAMES       1       /* the table grows when the guest maps more */
#define XEN_GNTTAB_NO_GFN               UINT64_MAX

/* How many backend accesses hold an entry right now. */
struct xen_gnttab_pin {
	uint32_t readers, writers;
	uint64_t gfn;           /* the frame fixed at the first pin */
};

struct xen_gnttab {
	const struct guest_mem *mem;
	domid_t domid;                  /* the guest: whose table this is */
	uint32_t nr_frames;             /* the table's size now (query_size) */
	uint32_t max_frames;            /* the domain's limit */
	uint64_t frame_gfn[XEN_GNTTAB_MAX_FRAMES];     /* XEN_GNTTAB_NO_GFN: not mapped */
	uint8_t *unmapped;              /* max_frames pages: frames not mapped yet */
	struct xen_gnttab_pin *pins;    /* one per possible ref */
};

/* A guest page a backend holds through a grant. */
struct xen_grant {
	uint8_t *page;                  /* XEN_GNTTAB_PAGE_SIZE bytes of guest RAM */
	grant_ref_t ref;
	bool write;
};

/* The table of guest `domid`, in `mem`, limited to max_frames (1 to
 * XEN_GNTTAB_MAX_FRAMES).  0, -XEN_EINVAL or -XEN_ENOMEM. */
int xen_gnttab_init(struct xen_gnttab *gt, const struct guest_mem *mem, domid_t domid,
		    uint32_t max_frames);
void xen_gnttab_destroy(struct xen_gnttab *gt);

/* XENMEM_add_to_physmap with space XENMAPSPACE_grant_table: table frame
 * `idx` is at guest frame `gfn` from now on, its entries copied there
 * (over the page's old contents, which the guest gave up); an idx past
 * the end grows the table, up to its limit.  0, or -XEN_EINVAL (idx past
 * the limit, a v2 status frame, gfn outside RAM). */
int xen_gnttab_map_frame(struct xen_gnttab *gt, uint64_t idx, uint64_t gfn);

/* What the toolstack does before the guest runs (xc_dom_gnttab_seed):
 * grant `gfn` to `domid` in entry `ref` (GNTTAB_RESERVED_CONSOLE,
 * GNTTAB_RESERVED_XENSTORE), read-write.  0, or -XEN_EINVAL for a ref
 * outside the table. */
int xen_gnttab_seed(struct xen_gnttab *gt, grant_ref_t ref, domid_t domid, uint32_t gfn);

/* GNTTABOP_query_size for `caller` (q->dom DOMID_SELF or the guest's id;
 * GNTST_bad_domain otherwise). */
void xen_gnttab_query_size(const struct xen_gnttab *gt, domid_t caller,
			   struct gnttab_query_size *q);

/* Domain `grantee` (a backend: 0) accesses the page granted by `ref`, for
 * reading or writing.  GNTST_okay with *g filled (hold it as short as you
 * can, then xen_gnttab_release), or GNTST_bad_gntref (ref outside the
 * table), GNTST_general_error
 * (not granted to grantee, read-only, or the entry kept changing: Xen's
 * answers), GNTST_bad_page (the granted frame is not RAM). */
int16_t xen_gnttab_acquire(struct xen_gnttab *gt, grant_ref_t ref, domid_t grantee,
			   bool write, struct xen_grant *g);
void xen_gnttab_release(struct xen_gnttab *gt, struct xen_grant *g);

/* One GNTTABOP_copy op asked by domain `caller`; returns its status.
 * Each side is a grant ref of the guest's table (GNTCOPY_*_gref) or a
 * frame of the guest's RAM (the guest's own, or any for dom0); offset +
 * len must stay inside each page (GNTST_bad_copy_arg). */
int16_t xen_gnttab_copy(struct xen_gnttab *gt, domid_t caller, const struct gnttab_copy *op);

/* What a GNTST_* status means, in Xen's words (GNTTABOP_error_msgs:
 * "okay", "invalid grant reference"...), for logs and --trace. */
const char *xen_gnttab_status_name(int16_t status);

#endif
