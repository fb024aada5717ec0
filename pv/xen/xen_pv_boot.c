/*
 * xen_pv_boot.c — from the Xen PV entry (arch/x86/boot.S, xen_pv_entry) to
 * kernel_main: start_info turned into struct boot_info (docs/xen-pv.md).
 *
 * Xen's PV domain builder has already done what the other entry paths do
 * themselves: we run in 64-bit mode on page tables it built, mapping our
 * pseudo-physical memory at virtual address = pseudo-physical address
 * (VIRT_BASE 0) from 0 up to a little past its own boot data.  It hands us
 * one page, start_info (/usr/include/xen/xen.h), that says where
 * everything is:
 *
 *   nr_pages      how much RAM we have: pseudo-physical frames 0..nr_pages-1
 *   mfn_list      the P2M: mfn_list[pfn] is the machine frame behind pfn
 *   shared_info   the machine address of shared_info (not mapped yet)
 *   pt_base       virtual address of the top-level page table
 *   nr_pt_frames  how many page-table frames follow it
 *   console.domU  the console ring's machine frame and event channel
 *   cmd_line      the command line
 *
 * After the kernel image the builder laid out, in order: the P2M, the
 * start_info page, the xenstore and console pages, the page tables and a
 * boot stack page.  None of that may go to the page allocator.
 */
#include "arch/x86/boot_native.h"
#include "kernel/boot_info.h"
#include "kernel/main.h"
#include "kernel/page_alloc.h"
#include "kernel/platform.h"
#include "kernel/vm.h"
#include "lib/string.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_console.h"
#include "pv/xen/xen_pv.h"

#define PT_ENTRIES      512
#define MAP_BATCH       64      /* level-1 tables made per round at boot */

extern const char __kernel_end[];

static const struct start_info *start;
static uint64_t mapped_ram_end;         /* RAM below this is in the direct map */

/* The page shared_info is mapped over: its own frame is simply not used. */
static uint8_t shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* ---- P2M and M2P ---------------------------------------------------------- */

/* The P2M is ours (the builder wrote it into our memory); the M2P is Xen's
 * table of every machine frame's owner pfn, mapped read-only into every PV
 * guest at MACH2PHYS_VIRT_START. */
uint64_t xen_pv_pfn_to_mfn(uint64_t pfn)
{
	const xen_pfn_t *p2m = (const xen_pfn_t *)start->mfn_list;

	return pfn < start->nr_pages ? p2m[pfn] : ~0ull;
}

/* Past the M2P's area is Xen's own memory: a wild mfn must not reach it. */
uint64_t xen_pv_mfn_to_pfn(uint64_t mfn)
{
	if (mfn >= MACH2PHYS_NR_ENTRIES)
		return ~0ull;
	return ((const volatile unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

/* A page-table entry holds a machine address; we reach the table below it
 * at its pseudo-physical address (= virtual, in the initial mapping). */
static const uint64_t *next_table(uint64_t entry)
{
	uint64_t mfn = (entry & PTE_ADDRESS) >> PAGE_SHIFT;

	return (const uint64_t *)(xen_pv_mfn_to_pfn(mfn) << PAGE_SHIFT);
}

/* The level-3 table that maps our first 512 GiB, or NULL. */
static uint64_t *low_level3_table(void)
{
	const uint64_t *l4 = (const uint64_t *)start->pt_base;

	return l4[0] & PTE_PRESENT ? (uint64_t *)next_table(l4[0]) : NULL;
}

/*
 * How far the builder's initial mapping reaches: walk its tables from
 * virtual address 0 until the first page that is not mapped.  It covers
 * our image, its own boot data and a little more, rounded to 4 MiB (all
 * within the first GiB, the level-2 table of l3[0]).
 */
static uint64_t initial_mapping_end(const uint64_t *l3)
{
	uint64_t end = 0;

	if (!l3 || !(l3[0] & PTE_PRESENT) || (l3[0] & PTE_LARGE))
		return 0;
	const uint64_t *l2 = next_table(l3[0]);

	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		if (!(l2[i] & PTE_PRESENT) || (l2[i] & PTE_LARGE))
			return end;
		const uint64_t *l1 = next_table(l2[i]);

		for (unsigned int j = 0; j < PT_ENTRIES; j++, end += PAGE_SIZE)
			if (!(l1[j] & PTE_PRESENT))
				return end;
	}
	return end;
}

/* The next free page for a page table: they are taken in order from
 * *free, always below what is mapped already (so we can fill them). */
static uint64_t take_table_page(uint64_t *free)
{
	uint64_t page = *free;

	*free += PAGE_SIZE;
	return page;
}

/* Hand a filled page to Xen as a page table and link it in at *entry. */
static void link_table(uint64_t *entry, uint64_t table)
{
	platform->prepare_page_table(table);
	platform->write_pte(entry, table | PTE_PRESENT | PTE_WRITABLE);
}

/* The level-2 table of GiB number `gib`: the builder's (the first), or a
 * new, empty one; NULL where a large page is (not the layout we know). */
static uint64_t *level2_table(uint64_t *l3, uint64_t gib, uint64_t *free)
{
	if (l3[gib] & PTE_PRESENT)
		return l3[gib] & PTE_LARGE ? NULL : (uint64_t *)next_table(l3[gib]);
	uint64_t table = take_table_page(free);

	memset(phys_to_virt(table), 0, PAGE_SIZE);
	link_table(&l3[gib], table);
	return phys_to_virt(table);
}

/* Fill the level-1 table at `table` (still writable) with the machine
 * addresses of the 512 pages from `from` on; none past our RAM. */
static void fill_level1(uint64_t table, uint64_t from)
{
	uint64_t *l1 = phys_to_virt(table);

	for (unsigned int j = 0; j < PT_ENTRIES; j++) {
		uint64_t pfn = from / PAGE_SIZE + j;

		l1[j] = pfn < start->nr_pages ?
			(xen_pv_pfn_to_mfn(pfn) << PAGE_SHIFT) | PTE_PRESENT | PTE_WRITABLE : 0;
	}
}

/*
 * Map the rest of RAM at virtual = pseudo-physical, as every other entry
 * path has it, up to 512 GiB (one level-3 table).  Per 2 MiB a level-1
 * table: a free page filled with 512 machine addresses while it is still
 * writable.  Xen accepts a page as a table only while no mapping lets us
 * write it, so the tables are made in rounds of up to MAP_BATCH: one
 * write_ptes takes the write bit off their own entries in the direct map,
 * a second links them into their level-2 tables — two mmu_updates per
 * 128 MiB.  Per GiB past the first, a new level-2 table (level2_table).
 * The table pages come from *free on: first the rest of the initial
 * mapping, then the RAM mapped in the round before.  Returns the end.
 */
static uint64_t map_remaining_ram(uint64_t *l3, uint64_t mapped_end, uint64_t ram_end,
				  uint64_t *free)
{
	const uint64_t chunk = (uint64_t)PAGE_SIZE * PT_ENTRIES;        /* 2 MiB */
	const uint64_t gib = chunk * PT_ENTRIES;

	if (ram_end > gib * PT_ENTRIES)
		ram_end = gib * PT_ENTRIES;
	if (mapped_end % chunk != 0)
		return mapped_end;      /* not the layout we know: leave it */
	for (;;) {
		struct pte_write read_only[MAP_BATCH], links[MAP_BATCH];
		unsigned int n = 0;
		uint64_t at = mapped_end, *l2, *own_pte;

		/* Two free pages at most per table (a level-2 one too), both
		 * below what is mapped already. */
		while (n < MAP_BATCH && at < ram_end && *free + 2 * PAGE_SIZE <= mapped_end &&
		       (l2 = level2_table(l3, at / gib, free)) != NULL &&
		       (own_pte = vm_pte((uintptr_t)phys_to_virt(*free))) != NULL) {
			uint64_t table = take_table_page(free);

			fill_level1(table, at);
			read_only[n] = (struct pte_write){ own_pte, table | PTE_PRESENT };
			links[n++] = (struct pte_write){ &l2[at / chunk % PT_ENTRIES],
							 table | PTE_PRESENT | PTE_WRITABLE };
			at += chunk;
		}
		if (n == 0)
			break;
		platform->write_ptes(read_only, n);
		platform->write_ptes(links, n);
		mapped_end = at;
	}
	return mapped_end < ram_end ? mapped_end : ram_end;
}

/* ---- start_info -> boot_info ---------------------------------------------- */

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t page_round_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

/* The end of what the builder put after our image.  The page tables come
 * last, then one boot-stack page (which we left for our own stack); the
 * other items are checked too rather than trusting the order. */
static uint64_t boot_data_end(void)
{
	uint64_t end = start->pt_base + (start->nr_pt_frames + 1) * PAGE_SIZE;

	end = max_u64(end, start->mfn_list + start->nr_pages * sizeof(xen_pfn_t));
	end = max_u64(end, (uintptr_t)start + PAGE_SIZE);
	end = max_u64(end, (xen_pv_mfn_to_pfn(start->console.domU.mfn) + 1) * PAGE_SIZE);
	end = max_u64(end, (xen_pv_mfn_to_pfn(start->store_mfn) + 1) * PAGE_SIZE);
	return page_round_up(end);
}

/*
 * One RAM region of nr_pages frames from 0, cut up: usable up to the end
 * of our image (the page allocator skips the first MiB and the image
 * itself, as on every path), Xen's boot data and the page tables we add
 * (reserved) — except Xen's own page-table frames once we have moved onto
 * tables of our own and given them back (usable) —, usable again up to
 * the end of what is mapped, and any rest we could not map (past 512 GiB,
 * or a layout we do not know).
 */
static void read_memory(void)
{
	uint64_t ram_end = start->nr_pages * PAGE_SIZE;
	uint64_t image_end = page_round_up((uintptr_t)__kernel_end);
	uint64_t data_end = boot_data_end();
	uint64_t *l3 = low_level3_table();
	uint64_t mapped_end = initial_mapping_end(l3);
	uint64_t free = data_end, given_back, given_back_end;

	if (mapped_end > data_end)
		mapped_end = map_remaining_ram(l3, mapped_end, ram_end, &free);
	if (mapped_end > ram_end)
		mapped_end = ram_end;
	mapped_ram_end = mapped_end;
	xen_pv_take_over_page_tables(&free, mapped_end);
	/* Xen's frames, when given back; else nothing, at the image's end. */
	given_back = xen_pv_page_tables()->given_back ? start->pt_base : image_end;
	given_back_end = given_back + xen_pv_page_tables()->given_back * PAGE_SIZE;
	boot_add_mem_region(0, image_end, MEM_USABLE);
	boot_add_mem_region(image_end, given_back - image_end, MEM_RESERVED);
	boot_add_mem_region(given_back, given_back_end - given_back, MEM_USABLE);
	boot_add_mem_region(given_back_end, free - given_back_end, MEM_RESERVED);
	if (mapped_end > free)
		boot_add_mem_region(free, mapped_end - free, MEM_USABLE);
	if (ram_end > max_u64(mapped_end, free)) {
		uint64_t from = max_u64(mapped_end, free);

		boot_add_mem_region(from, ram_end - from, MEM_UNUSABLE);
	}
}

/* update_va_mapping: Xen checks that the frame may be mapped by us (our
 * own RAM, or a page Xen shares with us) and rewrites the PTE of va, then
 * flushes that one TLB entry.  The page that was there stays ours, only
 * no longer mapped at va. */
long xen_pv_map_machine_frame(void *va, uint64_t mfn)
{
	uint64_t pte = (mfn << PAGE_SHIFT) | PTE_PRESENT | PTE_WRITABLE;

	return xen_hypercall(__HYPERVISOR_update_va_mapping, (uintptr_t)va, pte,
			     UVMF_INVLPG, 0, 0);
}

/* Ours when the M2P names a pfn of our RAM and the P2M agrees: the M2P
 * entry of a frame we do not own says nothing about us. */
void *xen_pv_machine_page(uint64_t mfn)
{
	uint64_t pfn = xen_pv_mfn_to_pfn(mfn), page;

	if (pfn < start->nr_pages && xen_pv_pfn_to_mfn(pfn) == mfn &&
	    (pfn << PAGE_SHIFT) < mapped_ram_end)
		return phys_to_virt(pfn << PAGE_SHIFT);
	page = page_alloc(1);
	if (!page)
		return NULL;
	if (xen_pv_map_machine_frame(phys_to_virt(page), mfn) != 0) {
		page_free(page, 1);
		return NULL;
	}
	return phys_to_virt(page);
}

/* shared_info comes as a machine address; give it a virtual one by
 * pointing the PTE of one of our pages at Xen's frame. */
static struct shared_info *map_shared_info(void)
{
	long rc = xen_pv_map_machine_frame(shared_info_page, start->shared_info >> PAGE_SHIFT);

	return rc == 0 ? (struct shared_info *)shared_info_page : NULL;
}

static void attach_console(void)
{
	uint64_t pfn = xen_pv_mfn_to_pfn(start->console.domU.mfn);

	if (pfn < start->nr_pages)
		xen_console_attach(pfn, start->console.domU.evtchn);
}

const struct start_info *xen_pv_start_info(void)
{
	return start;
}

void __attribute__((noreturn)) xen_pv_start(const struct start_info *info)
{
	struct shared_info *shared;

	start = info;
	xen_pv_platform_select();       /* before anything privileged can run */
	boot_info.path = BOOT_XEN_PV;
	boot_info.entry_tsc = boot_entry_tsc;
	shared = map_shared_info();
	if (!shared)
		xen_pv_crash();          /* no shared_info: no console, no clock */
	shared->vcpu_info[0].evtchn_upcall_mask = 1;    /* "interrupts off" */
	xen_pv_early_init(shared);
	attach_console();
	boot_set_cmdline((const char *)start->cmd_line, MAX_GUEST_CMDLINE);
	read_memory();
	kernel_main();
}
