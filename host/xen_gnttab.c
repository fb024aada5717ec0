/*
 * xen_gnttab.c — grant table v1 from Xen's and the backend's side (see
 * xen_gnttab.h).
 *
 * Pinning.  Several backend accesses may hold one entry at once; like
 * Xen's "active entries", pins[ref] counts them.  The first pin sets the
 * busy bits in the guest's entry and fixes the frame; later pins only
 * check the entry again and add to the counts; the last release clears
 * GTF_writing (when no writer is left) and GTF_reading (when nobody is).
 *
 * Setting the bits.  flags (16 bits) and domid (16 bits) are the first
 * 32-bit word of the entry.  We read the word once, check it, and swap in
 * the same word with the busy bits added: if the guest changed either
 * field meanwhile (say, revoked the grant) the swap fails and we look
 * again, a few times only, so a guest flipping the bits without end gets
 * GNTST_general_error instead of a hung pvkit-hv.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "host/xen_gnttab.h"

#include <xen/errno.h>            /* enum xen_errno: XEN_EINVAL... */
#include <xen/memory.h>           /* XENMAPIDX_grant_table_status */

#define SWAP_TRIES      4       /* as Xen's "shared grant entry is unstable" */
#define MAX_PINS        UINT32_MAX

int xen_gnttab_init(struct xen_gnttab *gt, const struct guest_mem *mem, domid_t domid,
		    uint32_t max_frames)
{
	if (max_frames < XEN_GNTTAB_INITIAL_FRAMES || max_frames > XEN_GNTTAB_MAX_FRAMES ||
	    domid >= DOMID_FIRST_RESERVED)
		return -XEN_EINVAL;
	*gt = (struct xen_gnttab){
		.mem = mem,
		.domid = domid,
		.nr_frames = XEN_GNTTAB_INITIAL_FRAMES,
		.max_frames = max_frames,
	};
	for (uint32_t i = 0; i < XEN_GNTTAB_MAX_FRAMES; i++)
		gt->frame_gfn[i] = XEN_GNTTAB_NO_GFN;
	gt->unmapped = calloc(max_frames, XEN_GNTTAB_PAGE_SIZE);
	gt->pins = calloc((size_t)max_frames * XEN_GNTTAB_ENTRIES_PER_FRAME, sizeof(*gt->pins));
	if (gt->unmapped == NULL || gt->pins == NULL) {
		xen_gnttab_destroy(gt);
		return -XEN_ENOMEM;
	}
	return 0;
}

void xen_gnttab_destroy(struct xen_gnttab *gt)
{
	free(gt->unmapped);
	free(gt->pins);
	gt->unmapped = NULL;
	gt->pins = NULL;
}

/* Where table frame `frame` is now: a guest page or our own memory. */
static uint8_t *table_frame(const struct xen_gnttab *gt, uint32_t frame)
{
	if (gt->frame_gfn[frame] == XEN_GNTTAB_NO_GFN)
		return gt->unmapped + (size_t)frame * XEN_GNTTAB_PAGE_SIZE;
	return guest_mem_page(gt->mem, gt->frame_gfn[frame]);
}

int xen_gnttab_map_frame(struct xen_gnttab *gt, uint64_t idx, uint64_t gfn)
{
	uint8_t *to = guest_mem_page(gt->mem, gfn);

	/* XENMAPIDX_grant_table_status asks for a v2 status frame: no v2 here. */
	if (idx & XENMAPIDX_grant_table_status || idx >= gt->max_frames || to == NULL)
		return -XEN_EINVAL;
	memmove(to, table_frame(gt, (uint32_t)idx), XEN_GNTTAB_PAGE_SIZE);
	gt->frame_gfn[idx] = gfn;
	if (idx >= gt->nr_frames)
		gt->nr_frames = (uint32_t)idx + 1;
	return 0;
}

void xen_gnttab_query_size(const struct xen_gnttab *gt, domid_t caller,
			   struct gnttab_query_size *q)
{
	domid_t dom = q->dom == DOMID_SELF ? caller : q->dom;

	if (dom != gt->domid) {
		q->status = GNTST_bad_domain;
		return;
	}
	q->nr_frames = gt->nr_frames;
	q->max_nr_frames = gt->max_frames;
	q->status = GNTST_okay;
}

/* The entry of `ref`, or NULL when the ref is outside the table. */
static struct grant_entry_v1 *entry_of(const struct xen_gnttab *gt, grant_ref_t ref)
{
	uint32_t frame = ref / XEN_GNTTAB_ENTRIES_PER_FRAME;
	uint8_t *table = frame < gt->nr_frames ? table_frame(gt, frame) : NULL;

	if (table == NULL)
		return NULL;
	return (struct grant_entry_v1 *)table + ref % XEN_GNTTAB_ENTRIES_PER_FRAME;
}

int xen_gnttab_seed(struct xen_gnttab *gt, grant_ref_t ref, domid_t domid, uint32_t gfn)
{
	struct grant_entry_v1 *e = entry_of(gt, ref);

	if (e == NULL)
		return -XEN_EINVAL;
	*e = (struct grant_entry_v1){ .flags = GTF_permit_access, .domid = domid, .frame = gfn };
	return 0;
}

/* flags (low half) and domid (high half) as one word, as x86 lays them. */
static uint32_t *flags_and_domid(struct grant_entry_v1 *e)
{
	_Static_assert(offsetof(struct grant_entry_v1, flags) == 0 &&
		       offsetof(struct grant_entry_v1, domid) == 2, "grant_entry_v1 layout");
	return (uint32_t *)e;
}

/* Check the entry allows `grantee` in (for writing if `write`) and set
 * `busy` in its flags, in one swap.  GNTST_okay or GNTST_general_error. */
static int16_t mark_busy(struct grant_entry_v1 *e, domid_t grantee, bool write, uint16_t busy)
{
	uint32_t *word = flags_and_domid(e);
	uint32_t seen = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	for (int tries = 0; tries < SWAP_TRIES; tries++) {
		uint16_t flags = (uint16_t)seen;
		domid_t domid = (domid_t)(seen >> 16);

		if ((flags & GTF_type_mask) != GTF_permit_access || domid != grantee)
			return GNTST_general_error;
		if (write && (flags & GTF_readonly))
			return GNTST_general_error;
		if (__atomic_compare_exchange_n(word, &seen, seen | busy, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return GNTST_okay;
	}
	return GNTST_general_error;     /* the guest keeps changing it */
}

/* Drop the busy bits nobody needs any more. */
static void clear_busy(struct grant_entry_v1 *e, const struct xen_gnttab_pin *pin)
{
	uint16_t clear = 0;

	if (pin->writers == 0)
		clear |= GTF_writing;
	if (pin->readers == 0 && pin->writers == 0)
		clear |= GTF_reading;
	__atomic_fetch_and(&e->flags, (uint16_t)~clear, __ATOMIC_RELEASE);
}

int16_t xen_gnttab_acquire(struct xen_gnttab *gt, grant_ref_t ref, domid_t grantee,
			   bool write, struct xen_grant *g)
{
	struct grant_entry_v1 *e = entry_of(gt, ref);
	uint16_t busy = write ? GTF_reading | GTF_writing : GTF_reading;
	struct xen_gnttab_pin *pin;
	int16_t status;

	if (e == NULL)
		return GNTST_bad_gntref;
	pin = &gt->pins[ref];
	if (pin->readers == MAX_PINS || pin->writers == MAX_PINS)
		return GNTST_no_space;
	status = mark_busy(e, grantee, write, busy);
	if (status != GNTST_okay)
		return status;
	if (pin->readers == 0 && pin->writers == 0)
		pin->gfn = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);  /* read once */
	g->page = guest_mem_page(gt->mem, pin->gfn);
	if (g->page == NULL) {
		clear_busy(e, pin);
		return GNTST_bad_page;
	}
	if (write)
		pin->writers++;
	else
		pin->readers++;
	g->ref = ref;
	g->write = write;
	return GNTST_okay;
}

void xen_gnttab_release(struct xen_gnttab *gt, struct xen_grant *g)
{
	struct grant_entry_v1 *e = entry_of(gt, g->ref);
	struct xen_gnttab_pin *pin = &gt->pins[g->ref];

	if (g->write)
		pin->writers--;
	else
		pin->readers--;
	clear_busy(e, pin);     /* e: a pinned ref is in the table, which never shrinks */
	g->page = NULL;
}

/* One side of a copy: a page through a grant, or a frame of the guest. */
struct copy_side {
	struct xen_grant grant;
	bool granted;
};

static int16_t open_side(struct xen_gnttab *gt, domid_t caller, const struct gnttab_copy_ptr *p,
			 bool by_gref, bool write, struct copy_side *side)
{
	domid_t dom = p->domid == DOMID_SELF ? caller : p->domid;

	side->granted = false;
	if (dom != gt->domid)
		return GNTST_bad_domain;        /* the guest is the only domain with pages */
	if (by_gref) {
		int16_t status = xen_gnttab_acquire(gt, p->u.ref, caller, write, &side->grant);

		side->granted = status == GNTST_okay;
		return status;
	}
	if (caller != dom && caller != 0)
		return GNTST_permission_denied; /* another domain's frame: dom0's privilege */
	side->grant.page = guest_mem_page(gt->mem, p->u.gmfn);
	return side->grant.page ? GNTST_okay : GNTST_bad_page;
}

static void close_side(struct xen_gnttab *gt, struct copy_side *side)
{
	if (side->granted)
		xen_gnttab_release(gt, &side->grant);
}

int16_t xen_gnttab_copy(struct xen_gnttab *gt, domid_t caller, const struct gnttab_copy *op)
{
	struct copy_side src, dst;
	int16_t status;

	if (op->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref) ||
	    op->source.offset + op->len > XEN_GNTTAB_PAGE_SIZE ||
	    op->dest.offset + op->len > XEN_GNTTAB_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	status = open_side(gt, caller, &op->source, op->flags & GNTCOPY_source_gref, false, &src);
	if (status != GNTST_okay)
		return status;
	status = open_side(gt, caller, &op->dest, op->flags & GNTCOPY_dest_gref, true, &dst);
	if (status == GNTST_okay) {
		/* memmove: both sides may be the same page. */
		memmove(dst.grant.page + op->dest.offset, src.grant.page + op->source.offset,
			op->len);
		close_side(gt, &dst);
	}
	close_side(gt, &src);
	return status;
}

const char *xen_gnttab_status_name(int16_t status)
{
	static const char *const messages[] = GNTTABOP_error_msgs;

	if (status > 0 || -status >= (int)(sizeof(messages) / sizeof(messages[0])))
		return "unknown status";
	return messages[-status];
}
