/*
 * test_xen_gnttab.c — grant table v1 from Xen's and dom0's side
 * (host/xen_gnttab.c): table frames the guest maps, query_size, a backend
 * acquiring and releasing grants (flags, domain, read-only, busy bits as
 * the guest's revoke sees them), GNTTABOP_copy, and every way a hostile
 * guest's entry or argument is refused.  The test writes the guest's
 * entries itself, as pv/xen/grant_table.c would.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "host/xen_gnttab.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#include <xen/errno.h>
#include <xen/memory.h>

#define GUEST           4
#define RAM_FRAMES      64
#define TABLE_GFN       10      /* where the guest puts table frame 0 */
#define PAGE            XEN_GNTTAB_PAGE_SIZE
#define REF             8       /* the first ref after the reserved ones */
#define DATA_GFN        20

static struct guest_mem mem;
static struct xen_gnttab gt;

static void setup(void)
{
	mem.size = (uint64_t)RAM_FRAMES * PAGE;
	mem.ram = calloc(RAM_FRAMES, PAGE);
	CHECK_INT(xen_gnttab_init(&gt, &mem, GUEST, 4), 0);
	CHECK_INT(xen_gnttab_map_frame(&gt, 0, TABLE_GFN), 0);
}

static void teardown(void)
{
	xen_gnttab_destroy(&gt);
	free(mem.ram);
}

static struct grant_entry_v1 *entry(grant_ref_t ref)
{
	return (struct grant_entry_v1 *)(mem.ram + TABLE_GFN * PAGE) + ref;
}

/* What the guest's gnttab_grant_foreign_access writes. */
static void grant(grant_ref_t ref, domid_t to, uint32_t gfn, bool readonly)
{
	entry(ref)->domid = to;
	entry(ref)->frame = gfn;
	entry(ref)->flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

static uint16_t busy_bits(grant_ref_t ref)
{
	return entry(ref)->flags & (GTF_reading | GTF_writing);
}

static void frames_and_query_size(void)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	setup();
	xen_gnttab_query_size(&gt, GUEST, &q);
	CHECK_INT(q.status, GNTST_okay);
	CHECK_UINT(q.nr_frames, XEN_GNTTAB_INITIAL_FRAMES);
	CHECK_UINT(q.max_nr_frames, 4);
	CHECK_INT(xen_gnttab_map_frame(&gt, 2, TABLE_GFN + 2), 0);     /* grows to 3 */
	q.dom = GUEST;
	xen_gnttab_query_size(&gt, GUEST, &q);
	CHECK_UINT(q.nr_frames, 3);
	q.dom = GUEST + 1;
	xen_gnttab_query_size(&gt, GUEST, &q);
	CHECK_INT(q.status, GNTST_bad_domain);
	/* Past the limit, a v2 status frame, a frame outside RAM. */
	CHECK_INT(xen_gnttab_map_frame(&gt, 4, TABLE_GFN), -XEN_EINVAL);
	CHECK_INT(xen_gnttab_map_frame(&gt, XENMAPIDX_grant_table_status, TABLE_GFN),
		  -XEN_EINVAL);
	CHECK_INT(xen_gnttab_map_frame(&gt, 1, RAM_FRAMES), -XEN_EINVAL);
	CHECK_INT(xen_gnttab_map_frame(&gt, 1, UINT64_MAX), -XEN_EINVAL);
	CHECK_INT(xen_gnttab_init(&gt, &mem, GUEST, XEN_GNTTAB_MAX_FRAMES + 1), -XEN_EINVAL);
	CHECK_INT(xen_gnttab_init(&gt, &mem, DOMID_SELF, 4), -XEN_EINVAL);
	teardown();
}

/* The toolstack's entries wait in the table until the guest maps it; the
 * page the guest gives up for a table frame shows the table, and the
 * entries move with the frame. */
static void seeded_entries_and_moving_frames(void)
{
	struct xen_grant g;

	mem.size = (uint64_t)RAM_FRAMES * PAGE;
	mem.ram = malloc(RAM_FRAMES * PAGE);
	memset(mem.ram, 0xff, RAM_FRAMES * PAGE);       /* old contents */
	CHECK_INT(xen_gnttab_init(&gt, &mem, GUEST, 4), 0);
	CHECK_INT(xen_gnttab_seed(&gt, GNTTAB_RESERVED_CONSOLE, 0, DATA_GFN), 0);
	CHECK_INT(xen_gnttab_seed(&gt, 4 * XEN_GNTTAB_ENTRIES_PER_FRAME, 0, DATA_GFN),
		  -XEN_EINVAL);
	CHECK_INT(xen_gnttab_acquire(&gt, GNTTAB_RESERVED_CONSOLE, 0, true, &g), GNTST_okay);
	xen_gnttab_release(&gt, &g);
	CHECK_INT(xen_gnttab_map_frame(&gt, 0, TABLE_GFN), 0);
	CHECK_UINT(entry(GNTTAB_RESERVED_CONSOLE)->flags, GTF_permit_access);
	CHECK_UINT(entry(GNTTAB_RESERVED_CONSOLE)->frame, DATA_GFN);
	CHECK_UINT(entry(REF)->flags, 0);               /* not the page's old bytes */
	grant(REF, 0, DATA_GFN + 1, false);
	CHECK_INT(xen_gnttab_map_frame(&gt, 0, TABLE_GFN + 5), 0);     /* moved */
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, true, &g), GNTST_okay);
	CHECK_PTR(g.page, mem.ram + (DATA_GFN + 1) * PAGE);
	CHECK_UINT(mem.ram[(TABLE_GFN + 5) * PAGE + REF * 8], GTF_permit_access | GTF_reading |
		   GTF_writing);                        /* the busy bits: in the new place */
	xen_gnttab_release(&gt, &g);
	teardown();
}

static void backend_reads_and_writes_granted_pages(void)
{
	struct xen_grant g;

	setup();
	grant(REF, 0, DATA_GFN, true);
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, false, &g), GNTST_okay);
	CHECK_PTR(g.page, mem.ram + DATA_GFN * PAGE);
	CHECK_UINT(busy_bits(REF), GTF_reading);        /* the guest's revoke sees it */
	xen_gnttab_release(&gt, &g);
	CHECK_UINT(busy_bits(REF), 0);
	CHECK_UINT(entry(REF)->flags, GTF_permit_access | GTF_readonly);

	grant(REF + 1, 0, DATA_GFN, false);
	CHECK_INT(xen_gnttab_acquire(&gt, REF + 1, 0, true, &g), GNTST_okay);
	CHECK_UINT(busy_bits(REF + 1), GTF_reading | GTF_writing);
	g.page[5] = 0x77;
	CHECK_UINT(mem.ram[DATA_GFN * PAGE + 5], 0x77);
	xen_gnttab_release(&gt, &g);
	CHECK_UINT(busy_bits(REF + 1), 0);
	teardown();
}

static void bad_entries_are_refused(void)
{
	struct xen_grant g;

	setup();
	grant(REF, 0, DATA_GFN, true);
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, true, &g), GNTST_general_error);  /* r/o */
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 1, false, &g), GNTST_general_error); /* not to 1 */
	CHECK_UINT(busy_bits(REF), 0);
	entry(REF)->flags = GTF_invalid;                                    /* revoked */
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, false, &g), GNTST_general_error);
	entry(REF)->flags = GTF_accept_transfer;
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, false, &g), GNTST_general_error);
	/* Refs past the table, or in a frame the guest never mapped. */
	CHECK_INT(xen_gnttab_acquire(&gt, XEN_GNTTAB_ENTRIES_PER_FRAME, 0, false, &g),
		  GNTST_bad_gntref);
	CHECK_INT(xen_gnttab_acquire(&gt, UINT32_MAX, 0, false, &g), GNTST_bad_gntref);
	CHECK_INT(xen_gnttab_map_frame(&gt, 2, TABLE_GFN + 2), 0);
	CHECK_INT(xen_gnttab_acquire(&gt, XEN_GNTTAB_ENTRIES_PER_FRAME, 0, false, &g),
		  GNTST_general_error);         /* frame 1: not mapped, so nothing granted */
	/* A granted frame outside RAM: refused, and not left busy. */
	grant(REF, 0, RAM_FRAMES, false);
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, false, &g), GNTST_bad_page);
	grant(REF, 0, UINT32_MAX, false);
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, true, &g), GNTST_bad_page);
	CHECK_UINT(busy_bits(REF), 0);
	teardown();
}

static void several_users_share_an_entry(void)
{
	struct xen_grant reader, writer;

	setup();
	grant(REF, 0, DATA_GFN, false);
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, false, &reader), GNTST_okay);
	/* The guest changes the frame under a live pin: the pin keeps its
	 * page, as Xen's active entry does. */
	entry(REF)->frame = DATA_GFN + 1;
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, true, &writer), GNTST_okay);
	CHECK_PTR(writer.page, reader.page);
	CHECK_UINT(busy_bits(REF), GTF_reading | GTF_writing);
	xen_gnttab_release(&gt, &writer);
	CHECK_UINT(busy_bits(REF), GTF_reading);        /* still read */
	xen_gnttab_release(&gt, &reader);
	CHECK_UINT(busy_bits(REF), 0);
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, false, &reader), GNTST_okay);
	CHECK_PTR(reader.page, mem.ram + (DATA_GFN + 1) * PAGE);       /* a fresh pin */
	xen_gnttab_release(&gt, &reader);
	teardown();
}

static volatile bool stop_flipping;

/* Another vCPU of a hostile guest: the entry's domain flips between the
 * backend's and another's as fast as it can. */
static void *flip_domid(void *arg)
{
	uint32_t *word = arg;

	while (!stop_flipping) {
		__atomic_store_n(word, GTF_permit_access | (0u << 16), __ATOMIC_RELAXED);
		__atomic_store_n(word, GTF_permit_access | (1u << 16), __ATOMIC_RELAXED);
	}
	return NULL;
}

/* While the guest changes the entry under us, every acquire ends, with
 * okay (the domain was 0 when the bits went in) or general_error. */
static void entry_changing_under_us(void)
{
	unsigned int okay = 0, refused = 0;
	pthread_t flipper;
	struct xen_grant g;

	setup();
	grant(REF, 0, DATA_GFN, false);
	stop_flipping = false;
	CHECK_INT(pthread_create(&flipper, NULL, flip_domid, entry(REF)), 0);
	for (int i = 0; i < 100000; i++) {
		int16_t status = xen_gnttab_acquire(&gt, REF, 0, true, &g);

		if (status == GNTST_okay) {
			okay++;
			xen_gnttab_release(&gt, &g);
		} else {
			refused += status == GNTST_general_error;
		}
	}
	stop_flipping = true;
	pthread_join(flipper, NULL);
	CHECK_UINT(okay + refused, 100000);
	grant(REF, 0, DATA_GFN, false);                 /* calm again: works as before */
	CHECK_INT(xen_gnttab_acquire(&gt, REF, 0, true, &g), GNTST_okay);
	xen_gnttab_release(&gt, &g);
	CHECK_UINT(busy_bits(REF), 0);
	teardown();
}

static void fill(uint32_t gfn, uint8_t seed)
{
	for (uint32_t i = 0; i < PAGE; i++)
		mem.ram[gfn * PAGE + i] = (uint8_t)(i * 7 + seed);
}

static struct gnttab_copy ref_to_frame(grant_ref_t ref, domid_t granter, uint64_t gfn)
{
	return (struct gnttab_copy){
		.source = { .u.ref = ref, .domid = granter },
		.dest = { .u.gmfn = gfn, .domid = DOMID_SELF },
		.len = PAGE,
		.flags = GNTCOPY_source_gref,
	};
}

/* As tests/guest/test_xen_gnttab.c does on real Xen: the guest grants a
 * page to itself and copies it through the grant to another page. */
static void guest_copies_through_its_own_grant(void)
{
	struct gnttab_copy op;

	setup();
	fill(DATA_GFN, 3);
	grant(REF, GUEST, DATA_GFN, true);
	op = ref_to_frame(REF, GUEST, DATA_GFN + 1);
	CHECK_INT(xen_gnttab_copy(&gt, GUEST, &op), GNTST_okay);
	CHECK(memcmp(mem.ram + DATA_GFN * PAGE, mem.ram + (DATA_GFN + 1) * PAGE, PAGE) == 0);
	CHECK_UINT(busy_bits(REF), 0);                  /* done with it */
	entry(REF)->flags = GTF_invalid;                /* revoked: no more copies */
	CHECK(xen_gnttab_copy(&gt, GUEST, &op) != GNTST_okay);

	/* dom0, as a backend, writes into a page granted to it. */
	grant(REF, 0, DATA_GFN + 2, false);
	op = (struct gnttab_copy){
		.source = { .u.gmfn = DATA_GFN, .domid = GUEST, .offset = 100 },
		.dest = { .u.ref = REF, .domid = GUEST, .offset = 200 },
		.len = 50,
		.flags = GNTCOPY_dest_gref,
	};
	CHECK_INT(xen_gnttab_copy(&gt, 0, &op), GNTST_okay);
	CHECK(memcmp(mem.ram + (DATA_GFN + 2) * PAGE + 200, mem.ram + DATA_GFN * PAGE + 100, 50)
	      == 0);
	CHECK_UINT(mem.ram[(DATA_GFN + 2) * PAGE + 199], 0);   /* not a byte more */
	CHECK_UINT(mem.ram[(DATA_GFN + 2) * PAGE + 250], 0);
	teardown();
}

static void bad_copies_are_refused(void)
{
	struct gnttab_copy op;

	setup();
	grant(REF, GUEST, DATA_GFN, true);
	op = ref_to_frame(REF, GUEST, DATA_GFN + 1);
	op.source.offset = PAGE - 100;
	op.len = 200;                                   /* crosses the page's end */
	CHECK_INT(xen_gnttab_copy(&gt, GUEST, &op), GNTST_bad_copy_arg);
	op = ref_to_frame(REF, GUEST, DATA_GFN + 1);
	op.dest.offset = 1;
	CHECK_INT(xen_gnttab_copy(&gt, GUEST, &op), GNTST_bad_copy_arg);
	op = ref_to_frame(REF, GUEST, DATA_GFN + 1);
	op.flags |= 0x100;
	CHECK_INT(xen_gnttab_copy(&gt, GUEST, &op), GNTST_bad_copy_arg);
	op = ref_to_frame(REF, GUEST, RAM_FRAMES);      /* destination outside RAM */
	CHECK_INT(xen_gnttab_copy(&gt, GUEST, &op), GNTST_bad_page);
	CHECK_UINT(busy_bits(REF), 0);                  /* the source was let go */
	op = ref_to_frame(REF, GUEST, UINT64_MAX);
	CHECK_INT(xen_gnttab_copy(&gt, GUEST, &op), GNTST_bad_page);
	op = ref_to_frame(REF, GUEST + 1, DATA_GFN + 1);        /* no such domain */
	CHECK_INT(xen_gnttab_copy(&gt, GUEST, &op), GNTST_bad_domain);
	op = (struct gnttab_copy){                      /* domain 9 at the guest's frames */
		.source = { .u.gmfn = DATA_GFN, .domid = GUEST },
		.dest = { .u.gmfn = DATA_GFN + 1, .domid = GUEST },
		.len = 8,
	};
	CHECK_INT(xen_gnttab_copy(&gt, 9, &op), GNTST_permission_denied);
	op = ref_to_frame(REF, GUEST, DATA_GFN + 1);    /* granted to GUEST, not to 9 */
	CHECK_INT(xen_gnttab_copy(&gt, 9, &op), GNTST_general_error);
	/* Writing through a read-only grant. */
	op = (struct gnttab_copy){
		.source = { .u.gmfn = DATA_GFN + 1, .domid = DOMID_SELF },
		.dest = { .u.ref = REF, .domid = GUEST },
		.len = 8,
		.flags = GNTCOPY_dest_gref,
	};
	CHECK_INT(xen_gnttab_copy(&gt, GUEST, &op), GNTST_general_error);
	CHECK_STR(xen_gnttab_status_name(GNTST_bad_copy_arg), "copy arguments cross page boundary");
	CHECK_STR(xen_gnttab_status_name(GNTST_okay), "okay");
	CHECK_STR(xen_gnttab_status_name(-100), "unknown status");
	teardown();
}

void xen_gnttab_tests(void)
{
	check_run("xen_gnttab.frames_and_query_size", frames_and_query_size);
	check_run("xen_gnttab.seeded_entries_and_moving_frames", seeded_entries_and_moving_frames);
	check_run("xen_gnttab.backend_reads_and_writes_granted_pages",
		  backend_reads_and_writes_granted_pages);
	check_run("xen_gnttab.bad_entries_are_refused", bad_entries_are_refused);
	check_run("xen_gnttab.several_users_share_an_entry", several_users_share_an_entry);
	check_run("xen_gnttab.entry_changing_under_us", entry_changing_under_us);
	check_run("xen_gnttab.guest_copies_through_its_own_grant",
		  guest_copies_through_its_own_grant);
	check_run("xen_gnttab.bad_copies_are_refused", bad_copies_are_refused);
}
