/*
 * test_xen_gnttab.c — grant tables on real Xen, version 2 where Xen offers
 * it (the Xen hosts run them again with gnttab=v1): the table is mapped,
 * a grant's entry holds what we asked for, revoking is refused while the
 * page is "mapped" by the peer, refs are reused, and grant copy moves a
 * page through a grant we gave ourselves.  Skipped when not on Xen.
 *
 * Nobody maps the grants we give dom0 here; that is allowed, and it lets
 * the test look at the entry alone.  The in-use case is tested twice: by
 * setting GTF_reading/GTF_writing ourselves, standing in for a peer, and
 * for real, by playing the backend and mapping our own grant.
 */
#include "arch/x86/hypervisor.h"
#include "kernel/boot_info.h"
#include "kernel/page_alloc.h"
#include "kernel/platform.h"
#include "kernel/test.h"
#include "kernel/vm.h"
#include "lib/parse.h"
#include "lib/string.h"
#include "pv/xen/grant_table.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xenbus.h"
#include "pv/xen/xenstore.h"
#include "tests/guest/xen_test.h"

#define DOM0    0
/* PV: where our own grant is mapped, away from the other tests' addresses
 * (test_paging.c, test_xen_pv.c, xen_bench.c). */
#define GRANT_MAP_VA    0x8000600000ull

/* A GNTST_* status, by name. */
#define CHECK_GNTST(expr, expected) CHECK_NAMED(expr, expected, status_name)

/* Hypercall errors are below -20, GNTST_* statuses above. */
static const char *status_name(long rc)
{
	return rc < -20 ? xen_error_name(rc) : gnttab_status_name(rc);
}

#define SKIP_UNLESS_GNTTAB() SKIP_UNLESS_INIT(gnttab_init())

TEST(xen_gnttab, table_is_mapped)
{
	const struct gnttab_state *g;

	SKIP_UNLESS_GNTTAB();
	g = gnttab_state();
	CHECK(g->ready);
	CHECK(g->frames >= 1 && g->frames <= GNTTAB_MAX_FRAMES);
	CHECK(g->refs <= GNTTAB_MAX_REFS);
	CHECK(g->frames <= g->xen_max_frames);
	CHECK_EQ(g->refs, g->frames * g->entries_per_frame);
	CHECK(g->free_refs > 0 && g->free_refs <= g->refs - GNTTAB_NR_RESERVED_ENTRIES);
	/* The toolstack granted our console and xenstore pages to dom0 in
	 * the reserved refs before we ran: the table is really Xen's. */
	struct gnttab_entry_view console = gnttab_entry(GNTTAB_RESERVED_CONSOLE);

	CHECK(console.valid);
	CHECK_EQ(console.flags & GTF_type_mask, GTF_permit_access);
	CHECK_EQ(console.domid, DOM0);
}

/* Version 2 unless gnttab=v1 (Xen 4.17 offers it), and Xen agrees:
 * GNTTABOP_get_version.  v2 has its status words in frames of their own.
 * A hypervisor with version 1 only (pvkit-hv --xen) refuses set_version(2)
 * with ENOSYS, and the guest stays on version 1. */
TEST(xen_gnttab, version_as_chosen)
{
	const struct gnttab_state *g;
	struct gnttab_get_version get = { .dom = DOMID_SELF };

	SKIP_UNLESS_GNTTAB();
	g = gnttab_state();
	CHECK_XEN(xen_grant_table_op(GNTTABOP_get_version, &get, 1), 0);
	CHECK_EQ(get.version, g->version);
	if (!g->v2_tried) {
		CHECK_EQ(g->version, 1);
		CHECK_EQ(g->entries_per_frame, PAGE_SIZE / sizeof(struct grant_entry_v1));
		SKIP("gnttab=v1: version 2 not asked for");
	}
	if (g->set_version_rc == -XEN_ENOSYS) {
		CHECK_EQ(g->version, 1);
		SKIP("this hypervisor offers grant tables version 1 only (set_version: ENOSYS)");
	}
	CHECK_XEN(g->set_version_rc, 0);
	CHECK_EQ(g->version, 2);
	CHECK_EQ(g->entries_per_frame, PAGE_SIZE / sizeof(union grant_entry_v2));
	CHECK(g->status_frames >= 1);
	CHECK(g->status_frames * PAGE_SIZE >= g->refs * sizeof(grant_status_t));
}

/* A v1 entry has 32 bits for the frame, a v2 entry 64. */
TEST(xen_gnttab, frame_above_32_bits_needs_v2)
{
	const uint64_t wide = UINT64_C(0x123456789);
	long ref;

	SKIP_UNLESS_GNTTAB();
	ref = gnttab_grant_foreign_access(DOM0, wide, true);
	if (gnttab_state()->version == 1) {
		CHECK_XEN(ref, -XEN_ERANGE);
		return;
	}
	CHECK(ref >= GNTTAB_NR_RESERVED_ENTRIES);
	CHECK_EQ(gnttab_entry(ref).frame, wide);
	CHECK_XEN(gnttab_end_foreign_access(ref), 0);
}

TEST(xen_gnttab, grant_fills_entry_and_revoke_clears_it)
{
	uint64_t page;
	long ref;

	SKIP_UNLESS_GNTTAB();
	page = page_alloc(1);
	CHECK(page != 0);
	ref = gnttab_grant_foreign_access(DOM0, xen_frame_of(phys_to_virt(page)), true);
	CHECK(ref >= GNTTAB_NR_RESERVED_ENTRIES);
	struct gnttab_entry_view e = gnttab_entry(ref);

	CHECK_EQ(e.domid, DOM0);
	CHECK_EQ(e.frame, xen_frame_of(phys_to_virt(page)));
	CHECK_EQ(e.flags, GTF_permit_access | GTF_readonly);
	CHECK_XEN(gnttab_end_foreign_access(ref), 0);
	CHECK_EQ(gnttab_entry(ref).flags, GTF_invalid);
	CHECK_XEN(gnttab_end_foreign_access(ref), -XEN_EINVAL);     /* twice */

	ref = gnttab_grant_foreign_access(DOM0, xen_frame_of(phys_to_virt(page)), false);
	CHECK(ref >= GNTTAB_NR_RESERVED_ENTRIES);
	CHECK_EQ(gnttab_entry(ref).flags, GTF_permit_access);     /* writable */
	CHECK_XEN(gnttab_end_foreign_access(ref), 0);
	page_free(page, 1);
}

TEST(xen_gnttab, revoke_refused_while_peer_maps)
{
	uint64_t page;
	long ref;

	SKIP_UNLESS_GNTTAB();
	page = page_alloc(1);
	CHECK(page != 0);
	ref = gnttab_grant_foreign_access(DOM0, xen_frame_of(phys_to_virt(page)), false);
	CHECK(ref >= 0);
	gnttab_test_set_in_use(ref, GTF_reading | GTF_writing, true);
	CHECK_XEN(gnttab_end_foreign_access(ref), -XEN_EBUSY);
	CHECK(gnttab_entry(ref).flags & GTF_permit_access);       /* still granted */
	gnttab_test_set_in_use(ref, GTF_writing, false);
	CHECK_XEN(gnttab_end_foreign_access(ref), -XEN_EBUSY);     /* still reading */
	gnttab_test_set_in_use(ref, GTF_reading, false);
	CHECK_XEN(gnttab_end_foreign_access(ref), 0);
	page_free(page, 1);
}

TEST(xen_gnttab, refs_are_reused)
{
	unsigned int free_before;
	long first, second;

	SKIP_UNLESS_GNTTAB();
	free_before = gnttab_state()->free_refs;
	first = gnttab_grant_foreign_access(DOM0, 0x1234, true);
	CHECK(first >= 0);
	CHECK_EQ(gnttab_state()->free_refs, free_before - 1);
	CHECK_XEN(gnttab_end_foreign_access(first), 0);
	CHECK_EQ(gnttab_state()->free_refs, free_before);
	second = gnttab_grant_foreign_access(DOM0, 0x5678, true);
	CHECK_EQ(second, first);                        /* last freed, first out */
	CHECK_XEN(gnttab_end_foreign_access(second), 0);
	CHECK_XEN(gnttab_end_foreign_access(GNTTAB_RESERVED_XENSTORE), -XEN_EINVAL);
}

/* Our domain id, from xenstore's "domid" under our home path. */
static long our_domid(domid_t *id)
{
	long rc = xs_init();

	return rc == 0 ? xenbus_read_domid(id) : rc;
}

static void copy_through_grant(struct gnttab_copy *op, domid_t granter, grant_ref_t ref,
			       uint64_t dest)
{
	*op = (struct gnttab_copy){
		.source = { .u.ref = ref, .domid = granter },
		.dest = { .u.gmfn = xen_frame_of(phys_to_virt(dest)), .domid = DOMID_SELF },
		.len = PAGE_SIZE,
		.flags = GNTCOPY_source_gref,
	};
}

/* Xen checks the grant as for any peer: the entry must name the domain
 * that asks for the copy, which here is our own id (not DOMID_SELF). */
TEST(xen_gnttab, grant_copy_to_ourselves)
{
	struct gnttab_copy op;
	uint64_t source, dest;
	domid_t self;
	long ref;

	SKIP_UNLESS_GNTTAB();
	if (our_domid(&self) != 0)
		SKIP("no domain id from xenstore");
	source = page_alloc(1);
	dest = page_alloc(1);
	CHECK(source && dest);
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		((uint8_t *)phys_to_virt(source))[i] = (uint8_t)(i * 7 + 3);
	memset(phys_to_virt(dest), 0, PAGE_SIZE);
	ref = gnttab_grant_foreign_access(self, xen_frame_of(phys_to_virt(source)), true);
	CHECK(ref >= 0);
	copy_through_grant(&op, self, ref, dest);
	CHECK_XEN(gnttab_copy(&op, 1), 0);
	CHECK_GNTST(op.status, GNTST_okay);
	CHECK_EQ(memcmp(phys_to_virt(source), phys_to_virt(dest), PAGE_SIZE), 0);
	CHECK_EQ(gnttab_entry(ref).flags & (GTF_reading | GTF_writing), 0);  /* done */
	CHECK_XEN(gnttab_end_foreign_access(ref), 0);

	copy_through_grant(&op, self, ref, dest);       /* the grant is gone */
	CHECK_XEN(gnttab_copy(&op, 1), 0);
	CHECK(op.status != GNTST_okay);
	page_free(source, 1);
	page_free(dest, 1);
}

/* A page-aligned guest-physical address where no region of the memory map
 * is, above RAM and below the reserved area near 4 GiB: where a mapped
 * grant can appear without taking a RAM page's place.  0 when none. */
static uint64_t frame_outside_ram(void)
{
	uint64_t candidate = 0;

	for (unsigned int i = 0; i < boot_info.mem_count; i++) {
		const struct mem_region *m = &boot_info.mem[i];

		if (m->type == MEM_USABLE && m->base + m->size > candidate)
			candidate = m->base + m->size;
	}
	candidate = (candidate + 0x200000 - 1) & ~UINT64_C(0x1fffff);  /* 2 MiB up */
	for (unsigned int i = 0; i < boot_info.mem_count; i++) {
		const struct mem_region *m = &boot_info.mem[i];

		if (candidate < m->base + m->size && m->base < candidate + PAGE_SIZE)
			return 0;
	}
	return candidate < UINT64_C(0xf0000000) ? candidate : 0;
}

/* Where a grant we map can appear.  PVH: a guest-physical frame above RAM
 * (seen through the identity map).  PV: a virtual address, whose level-1
 * entry Xen writes: one with its tables in place and its entry empty. */
static uint64_t grant_map_address(void)
{
	if (!xen_info()->pv)
		return frame_outside_ram();
	uint64_t *pte = vm_pte_alloc(GRANT_MAP_VA);

	return pte && platform->read_pte(pte) == 0 ? GRANT_MAP_VA : 0;
}

/* The real in-use case: we play the backend and map our own grant.  While
 * it is mapped Xen sets GTF_reading/GTF_writing and revoke must refuse;
 * after the unmap it works. */
TEST(xen_gnttab, revoke_refused_while_really_mapped)
{
	grant_handle_t handle;
	uint64_t page, where;
	domid_t self;
	long ref;

	SKIP_UNLESS_GNTTAB();
	if (our_domid(&self) != 0)
		SKIP("no domain id from xenstore");
	where = grant_map_address();
	if (!where)
		SKIP("no free address to map the grant at");
	page = page_alloc(1);
	CHECK(page != 0);
	memset(phys_to_virt(page), 0x5a, PAGE_SIZE);
	ref = gnttab_grant_foreign_access(self, xen_frame_of(phys_to_virt(page)), false);
	CHECK(ref >= 0);
	CHECK_GNTST(gnttab_map_grant(self, ref, where, false, &handle), GNTST_okay);
	CHECK_EQ(gnttab_entry(ref).flags & (GTF_reading | GTF_writing),
		 GTF_reading | GTF_writing);
	CHECK_EQ(*(volatile uint8_t *)phys_to_virt(where + 100), 0x5a);  /* the same page */
	CHECK_XEN(gnttab_end_foreign_access(ref), -XEN_EBUSY);
	CHECK_GNTST(gnttab_unmap_grant(handle, where), GNTST_okay);
	CHECK_EQ(gnttab_entry(ref).flags & (GTF_reading | GTF_writing), 0);
	CHECK_XEN(gnttab_end_foreign_access(ref), 0);
	/* Not freed, on purpose: on Xen 4.17, once its own grant has been
	 * mapped and unmapped, GNTTABOP_copy refuses this page by frame
	 * (GNTST_bad_page), so Xen's books about it changed; we have not
	 * found out why, and do not hand such a page out again. */
}
