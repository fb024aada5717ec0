/*
 * grant_table.c — grant tables v1 and v2: mapping the table, granting and
 * revoking access to our pages, and grant copy (see grant_table.h).
 *
 * Where the table lives.  Either way we take `want` pages from the page
 * allocator, as ordinary RAM, never give them back, and make the table
 * appear at their addresses (place_table_frames, one variant per kind of
 * guest):
 *   - a PVH/HVM guest names guest-physical frames and asks Xen to put each
 *     table frame there: XENMEM_add_to_physmap, space
 *     XENMAPSPACE_grant_table, idx = which table frame, gpfn = where.  Xen
 *     takes the RAM page that was at each frame away from us and puts its
 *     table page there instead;
 *   - a PV guest asks for the table's machine frames (GNTTABOP_setup_table
 *     fills a list of them) and maps each one itself, with
 *     update_va_mapping, over the virtual address of one of those pages:
 *     the RAM page behind it stays ours but is no longer reachable.
 * So the allocator must never hand those pages out again.  (Linux uses the PCI BAR of Xen's platform device on
 * HVM, or "unpopulated" holes; a PVH guest has no such device, and the
 * memory map does not say which holes are free, so RAM we own is the one
 * place we know is safe.)  Asking for a frame index past the table's
 * current size makes Xen grow it, up to the domain's limit (setup_table
 * grows it to the number of frames asked for).
 *
 * Frame numbers.  Wherever we give Xen the number of one of our pages (a
 * grant entry's frame, grant copy's gmfn), it is the number Xen knows the
 * page by: guest-physical under PVH, machine under PV (xen_frame_of).
 *
 * Refs 0-7 are reserved (GNTTAB_NR_RESERVED_ENTRIES): the toolstack uses
 * ref 0 for the console page and ref 1 for the xenstore page.  The rest
 * are kept on a free list, last freed first out.
 *
 * Version 2 (GNTTABOP_set_version, used when Xen offers it unless
 * gnttab=v1): entries of 16 bytes (union grant_entry_v2: a header with
 * flags and domid, then a 64-bit frame), and GTF_reading/GTF_writing moved
 * out to a separate array of 16-bit *status* words, in status frames that
 * a PVH/HVM guest places like table frames (XENMAPSPACE_grant_table with
 * XENMAPIDX_grant_table_status in idx).  So Xen never writes the entry,
 * only the status word, and the guest never writes the status word.  The
 * price: flags and status are no longer one word that a single
 * compare-and-swap can check and clear (see end_v2()).
 */
#include "arch/x86/cpu.h"
#include "kernel/cmdline.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "pv/xen/grant_table.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_pv.h"

#define V1_PER_FRAME    (PAGE_SIZE / sizeof(struct grant_entry_v1))
#define V2_PER_FRAME    (PAGE_SIZE / sizeof(union grant_entry_v2))
#define MAX_REFS        GNTTAB_MAX_REFS
#define NO_REF          UINT32_MAX
#define IN_USE          (GTF_reading | GTF_writing)

static struct gnttab_state state;
static long init_rc = 1;        /* 1: not tried yet */
/* The table's frames, seen as the version in use. */
static volatile struct grant_entry_v1 *table;
static volatile union grant_entry_v2 *table_v2;
static volatile grant_status_t *status_words;   /* v2 */
static grant_ref_t next_free[MAX_REFS];
static grant_ref_t free_head = NO_REF;

static long query_size(uint32_t *frames, uint32_t *max_frames)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	long rc = xen_grant_table_op(GNTTABOP_query_size, &q, 1);

	if (rc == 0 && q.status != GNTST_okay)
		rc = -XEN_EINVAL;
	*frames = q.nr_frames;
	*max_frames = q.max_nr_frames;
	return rc;
}

/* PVH: table frame `index` replaces the RAM page at paddr. */
static long map_frame(uint32_t index, uint64_t paddr)
{
	struct xen_add_to_physmap map = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = index,
		.gpfn = paddr >> PAGE_SHIFT,
	};

	return xen_memory_op(XENMEM_add_to_physmap, &map);
}

/* PVH: one add_to_physmap per frame.  A frame that fails (the domain's
 * limit reached) ends the table there; the pages after it stay ordinary
 * RAM, unused. */
static uint32_t place_frames_pvh(uint64_t paddr, uint32_t want, long *rc)
{
	uint32_t placed = 0;

	*rc = 0;
	while (placed < want && *rc == 0) {
		*rc = map_frame(placed, paddr + placed * PAGE_SIZE);
		if (*rc == 0)
			placed++;
	}
	return placed;
}

/* PV: the machine frames of table frames 0..want-1, all at once. */
static long table_machine_frames(uint32_t want, xen_pfn_t *mfns)
{
	struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = want };
	long rc;

	set_xen_guest_handle(setup.frame_list, mfns);
	rc = xen_grant_table_op(GNTTABOP_setup_table, &setup, 1);
	if (rc == 0 && setup.status != GNTST_okay)
		rc = -XEN_EINVAL;
	return rc;
}

/* PV: each table frame mapped over the virtual address of our page. */
static uint32_t place_frames_pv(uint64_t paddr, uint32_t want, long *rc)
{
	xen_pfn_t mfns[GNTTAB_MAX_FRAMES];
	uint32_t placed = 0;

	*rc = table_machine_frames(want, mfns);
	while (placed < want && *rc == 0) {
		*rc = xen_pv_map_machine_frame(phys_to_virt(paddr + placed * PAGE_SIZE),
					       mfns[placed]);
		if (*rc == 0)
			placed++;
	}
	return placed;
}

/* Make up to `want` table frames appear at paddr (our RAM, contiguous):
 * how many did, and the error that stopped it in *rc. */
static uint32_t place_table_frames(uint64_t paddr, uint32_t want, long *rc)
{
	if (xen_info()->pv)
		return place_frames_pv(paddr, want, rc);
	return place_frames_pvh(paddr, want, rc);
}

static enum { VERSION_AUTO, VERSION_1, VERSION_2 } version_choice;
static const char *const version_names[] = { "auto", "v1", "v2" };

static bool set_gnttab(const char *value)
{
	int i = cmdline_choice(value, version_names,
			       sizeof(version_names) / sizeof(version_names[0]));

	if (i >= 0)
		version_choice = i;
	return i >= 0;
}
CMDLINE_OPTION(gnttab, "gnttab", set_gnttab,
	       "Xen grant-table version: gnttab=auto (v2 when Xen offers it, the default), v1 or v2");

/*
 * Before any frame is mapped: ask for version 2 unless told v1.  Xen
 * refuses while grants other than the 8 reserved ones are in use, and
 * when the domain may not use v2 (xl's max_grant_version); then v1 stays.
 * Xen converts the reserved entries (console, xenstore) itself.  A PV
 * guest stays at v1 until its status frames are mapped too
 * (GNTTABOP_get_status_frames gives their machine frames).
 */
static void choose_version(void)
{
	struct gnttab_set_version op = { .version = 2 };

	state.version = 1;
	state.entries_per_frame = V1_PER_FRAME;
	if (version_choice == VERSION_1 || xen_info()->pv)
		return;
	state.v2_tried = true;
	state.set_version_rc = xen_grant_table_op(GNTTABOP_set_version, &op, 1);
	if (state.set_version_rc == 0 && op.version == 2) {
		state.version = 2;
		state.entries_per_frame = V2_PER_FRAME;
	}
}

/* v2: the status words of every mapped entry, in frames of our RAM that
 * Xen replaces with its own, as for the table frames. */
static long map_status_frames(void)
{
	uint32_t want = (state.refs * sizeof(grant_status_t) + PAGE_SIZE - 1) / PAGE_SIZE;
	long rc = 0;

	state.status_paddr = page_alloc(want);
	if (!state.status_paddr)
		return -XEN_ENOMEM;
	while (state.status_frames < want && rc == 0) {
		rc = map_frame(XENMAPIDX_grant_table_status | state.status_frames,
			       state.status_paddr + state.status_frames * PAGE_SIZE);
		if (rc == 0)
			state.status_frames++;
	}
	status_words = phys_to_virt(state.status_paddr);
	return rc;
}

static void put_free(grant_ref_t ref)
{
	next_free[ref] = free_head;
	free_head = ref;
	state.free_refs++;
}

static grant_ref_t take_free(void)
{
	grant_ref_t ref = free_head;

	if (ref != NO_REF) {
		free_head = next_free[ref];
		state.free_refs--;
	}
	return ref;
}

/* Enough for our cap of refs in the version chosen, within the domain's
 * limit (xl's max_grant_frames). */
static uint32_t frames_wanted(uint32_t xen_max)
{
	uint32_t ours = GNTTAB_MAX_REFS / state.entries_per_frame;

	return xen_max < ours ? xen_max : ours;
}

static long setup(void)
{
	uint32_t xen_frames, want;
	long rc;

	if (!xen_running())
		return -XEN_ENODEV;
	rc = query_size(&xen_frames, &state.xen_max_frames);
	if (rc != 0)
		return rc;
	choose_version();
	want = frames_wanted(state.xen_max_frames);
	if (want == 0)
		return -XEN_ENOSPC;
	state.paddr = page_alloc(want);
	if (!state.paddr)
		return -XEN_ENOMEM;
	state.frames = place_table_frames(state.paddr, want, &rc);
	if (state.frames == 0)
		return rc;
	table = phys_to_virt(state.paddr);
	table_v2 = phys_to_virt(state.paddr);
	state.refs = state.frames * state.entries_per_frame;
	rc = state.version == 2 ? map_status_frames() : 0;
	if (rc != 0)
		return rc;
	for (grant_ref_t ref = state.refs; ref-- > GNTTAB_NR_RESERVED_ENTRIES;)
		put_free(ref);
	state.ready = true;
	return 0;
}

long gnttab_init(void)
{
	if (init_rc == 1)
		init_rc = setup();
	return init_rc;
}

const struct gnttab_state *gnttab_state(void)
{
	return &state;
}

static bool ref_is_ours(grant_ref_t ref)
{
	return state.ready && ref >= GNTTAB_NR_RESERVED_ENTRIES && ref < state.refs;
}

struct gnttab_entry_view gnttab_entry(grant_ref_t ref)
{
	if (!state.ready || ref >= state.refs)
		return (struct gnttab_entry_view){ .valid = false };
	if (state.version == 1)
		return (struct gnttab_entry_view){
			.valid = true, .flags = table[ref].flags,
			.domid = table[ref].domid, .frame = table[ref].frame,
		};
	return (struct gnttab_entry_view){
		.valid = true,
		.flags = table_v2[ref].hdr.flags | (status_words[ref] & IN_USE),
		.domid = table_v2[ref].hdr.domid,
		.frame = table_v2[ref].full_page.frame,
	};
}

/*
 * The order matters: Xen may look at the entry at any moment (a backend
 * can try a ref before we told it, or a stale one).  flags is what makes
 * the entry valid, so domid and frame are written first, then a write
 * barrier, then flags: whoever sees GTF_permit_access also sees the right
 * domid and frame.  x86 keeps stores in program order, so the barrier only
 * has to stop the compiler from reordering them.  The same in both
 * versions; only the layout differs.
 */
static void fill_entry(grant_ref_t ref, domid_t domid, uint64_t frame, uint16_t flags)
{
	if (state.version == 1) {
		table[ref].domid = domid;
		table[ref].frame = (uint32_t)frame;
		barrier();
		table[ref].flags = flags;
		return;
	}
	table_v2[ref].full_page.frame = frame;
	table_v2[ref].hdr.domid = domid;
	barrier();
	table_v2[ref].hdr.flags = flags;
}

long gnttab_grant_foreign_access(domid_t domid, uint64_t frame, bool readonly)
{
	if (!state.ready)
		return -XEN_ENODEV;
	if (state.version == 1 && frame > UINT32_MAX)   /* a v1 entry holds 32 bits */
		return -XEN_ERANGE;
	bool was_enabled = irq_save();
	grant_ref_t ref = take_free();

	irq_restore(was_enabled);
	if (ref == NO_REF)
		return -XEN_ENOSPC;
	fill_entry(ref, domid, frame, GTF_permit_access | (readonly ? GTF_readonly : 0));
	return ref;
}

/*
 * v1: Xen sets GTF_reading/GTF_writing in the entry while the peer has the
 * page mapped, and may do so between our read and our write; a plain write
 * of 0 could then revoke a page under a live mapping.  So: compare-and-swap
 * the flags we saw (without those bits) with 0; if Xen changed them
 * meanwhile the swap fails and we look again.
 */
static long end_v1(grant_ref_t ref)
{
	volatile uint16_t *flags = &table[ref].flags;
	uint16_t seen = *flags;

	do {
		if ((seen & GTF_type_mask) != GTF_permit_access)
			return -XEN_EINVAL;     /* not granted: a double revoke */
		if (seen & IN_USE)
			return -XEN_EBUSY;
	} while (!__atomic_compare_exchange_n(flags, &seen, 0, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return 0;
}

/*
 * v2: the flags are ours and the in-use bits Xen's, in two words, so no
 * single swap can check one and clear the other.  Look at the status;
 * clear the flags (a sequentially consistent store: on x86 a locked
 * exchange, so the status is read again only after Xen can see the
 * clear); look again.  A peer that mapped the page in between got a valid
 * mapping, so the grant is put back and the revoke refused, as in v1.
 */
static long end_v2(grant_ref_t ref)
{
	volatile uint16_t *flags = &table_v2[ref].hdr.flags;
	uint16_t granted = *flags;

	if ((granted & GTF_type_mask) != GTF_permit_access)
		return -XEN_EINVAL;
	if (status_words[ref] & IN_USE)
		return -XEN_EBUSY;
	__atomic_store_n(flags, 0, __ATOMIC_SEQ_CST);
	if (status_words[ref] & IN_USE) {
		__atomic_store_n(flags, granted, __ATOMIC_SEQ_CST);
		return -XEN_EBUSY;
	}
	return 0;
}

long gnttab_end_foreign_access(grant_ref_t ref)
{
	if (!ref_is_ours(ref))
		return -XEN_EINVAL;
	long rc = state.version == 1 ? end_v1(ref) : end_v2(ref);

	if (rc == 0) {
		bool was_enabled = irq_save();

		put_free(ref);
		irq_restore(was_enabled);
	}
	return rc;
}

/* Where Xen keeps a ref's in-use bits: its flags (v1), its status word (v2). */
static volatile uint16_t *in_use_word(grant_ref_t ref)
{
	return state.version == 1 ? &table[ref].flags : &status_words[ref];
}

void gnttab_test_set_in_use(grant_ref_t ref, uint16_t bits, bool in_use)
{
	if (!ref_is_ours(ref))
		return;
	bits &= IN_USE;
	if (in_use)
		__atomic_fetch_or(in_use_word(ref), bits, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(in_use_word(ref), (uint16_t)~bits, __ATOMIC_SEQ_CST);
}

/*
 * For a PVH/HVM domain, host_addr is a guest-physical address: Xen points
 * that frame of our physical address space at the granter's page (and
 * sets GTF_reading, plus GTF_writing unless read-only, in its entry).
 * Unmapping takes the frame away again, leaving a hole: mapping over RAM
 * would lose that RAM page, so callers pick an address outside RAM.  For a
 * PV domain it is a virtual address: Xen writes the level-1 entry that
 * maps it (the tables down to level 1 must exist), and unmapping clears
 * that entry.
 */
long gnttab_map_grant(domid_t granter, grant_ref_t ref, uint64_t gpa, bool readonly,
		      grant_handle_t *handle)
{
	struct gnttab_map_grant_ref op = {
		.host_addr = gpa,
		.flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
		.ref = ref,
		.dom = granter,
	};
	long rc = xen_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);

	if (rc != 0)
		return rc;
	*handle = op.handle;
	return op.status;
}

long gnttab_unmap_grant(grant_handle_t handle, uint64_t gpa)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = gpa, .handle = handle };
	long rc = xen_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

	return rc != 0 ? rc : op.status;
}

long gnttab_copy(struct gnttab_copy *ops, unsigned int count)
{
	return xen_grant_table_op(GNTTABOP_copy, ops, count);
}

const char *gnttab_status_name(int16_t status)
{
	static const char *const names[] = {
		"GNTST_okay", "GNTST_general_error", "GNTST_bad_domain",
		"GNTST_bad_gntref", "GNTST_bad_handle", "GNTST_bad_virt_addr",
		"GNTST_bad_dev_addr", "GNTST_no_device_space",
		"GNTST_permission_denied", "GNTST_bad_page", "GNTST_bad_copy_arg",
		"GNTST_address_too_big", "GNTST_eagain", "GNTST_no_space",
	};

	if (status > 0 || -status >= (int)(sizeof(names) / sizeof(names[0])))
		return "unknown GNTST";
	return names[-status];
}
