/*
 * grant_table.h — Xen grant tables, version 1 or 2: how a guest lets
 * another domain (a backend in dom0, usually) read or write one of its
 * pages.
 *
 * The grant table is an array of small entries in pages that Xen and the
 * guest share.  Entry number `ref` says "domain D may access my frame F,
 * read-only or not".  The guest gives D the number (through xenstore or a
 * ring); D asks Xen to map or copy "ref R of domain G", and Xen checks the
 * entry.  Revoking is clearing the entry — allowed only while D does not
 * have the page mapped (Xen sets GTF_reading/GTF_writing while it does: in
 * the entry's flags in version 1, in a separate status word in version 2).
 *
 * Every function returns 0 (or a ref) or a negative Xen error
 * (xen_error_name()).  See docs/xen.md, "Grant tables".
 */
#ifndef PVKIT_PV_XEN_GRANT_TABLE_H
#define PVKIT_PV_XEN_GRANT_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/grant_table.h>

/* We use at most this many refs (the frontends need hundreds): 4 frames
 * of 512 v1 entries, or 8 of 256 v2 ones. */
#define GNTTAB_MAX_REFS         2048
#define GNTTAB_MAX_FRAMES       (GNTTAB_MAX_REFS / (4096 / sizeof(union grant_entry_v2)))

struct gnttab_state {
	bool ready;
	unsigned int version;           /* 1 or 2 */
	bool v2_tried;                  /* GNTTABOP_set_version(2) was called... */
	long set_version_rc;            /* ...and said this */
	uint32_t frames;                /* frames mapped */
	uint32_t xen_max_frames;        /* GNTTABOP_query_size: the domain's limit */
	uint64_t paddr;                 /* address of frame 0 (PV: where we mapped it) */
	uint32_t entries_per_frame;     /* 512 (v1) or 256 (v2) */
	uint32_t refs;                  /* frames * entries_per_frame */
	uint32_t free_refs;
	uint32_t status_frames;         /* v2: frames of status words mapped */
	uint64_t status_paddr;          /* v2: guest-physical address of the first */
};

/* Map the table (once; later calls return the first result). */
long gnttab_init(void);
const struct gnttab_state *gnttab_state(void);

/* Let `domid` access our frame `frame` (xen_frame_of); returns the ref,
 * or -XEN_ENOSPC when every ref is in use. */
long gnttab_grant_foreign_access(domid_t domid, uint64_t frame, bool readonly);

/* Revoke: 0, and the ref is free again; -XEN_EBUSY while the peer has the
 * page mapped (the grant stays, try again after it unmaps); -XEN_EINVAL
 * for a ref that is not ours to end. */
long gnttab_end_foreign_access(grant_ref_t ref);

/* An entry as one version-neutral value, for tests and reports.  flags
 * also carries GTF_reading/GTF_writing, which version 2 keeps in the
 * entry's status word. */
struct gnttab_entry_view {
	bool valid;                     /* ref is within the table */
	uint16_t flags;
	domid_t domid;
	uint64_t frame;
};
struct gnttab_entry_view gnttab_entry(grant_ref_t ref);

/* GNTTABOP_copy: Xen copies between pages named by ref or by frame; the
 * hypercall's result, and each operation's own `status` (GNTST_*). */
long gnttab_copy(struct gnttab_copy *ops, unsigned int count);
const char *gnttab_status_name(int16_t status);

/* The other side, what a backend does: map `granter`'s ref at our
 * guest-physical address gpa (page-aligned, where no RAM is: Xen puts the
 * granted page there and leaves a hole when it is unmapped) — under PV at
 * the virtual address gpa, whose level-1 table must exist; 0 and
 * *handle, or a negative GNTST_* status (gnttab_status_name()). */
long gnttab_map_grant(domid_t granter, grant_ref_t ref, uint64_t gpa, bool readonly,
		      grant_handle_t *handle);
long gnttab_unmap_grant(grant_handle_t handle, uint64_t gpa);

/* A test's stand-in for a peer: set or clear GTF_reading/GTF_writing as
 * Xen does while the peer has the page mapped (in the flags, or in the
 * status word). */
void gnttab_test_set_in_use(grant_ref_t ref, uint16_t flags, bool in_use);

#endif
