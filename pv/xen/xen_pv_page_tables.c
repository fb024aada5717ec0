/*
 * xen_pv_page_tables.c — a Xen PV guest moves onto page tables of its own
 * (docs/xen-pv.md, "Our own page tables").
 *
 * The domain builder starts us on tables it made (start_info->pt_base,
 * nr_pt_frames frames from there), pinned by it.  A PV kernel may keep
 * them, but then those frames are never its own memory.  So, much as Linux
 * does at boot, we build a set of our own and switch:
 *
 *   1. copy Xen's tables into pages of ours (the tables we added to map the
 *      rest of RAM, xen_pv_boot.c, are linked into the copy as they are);
 *   2. take the write bit off every new table page in the direct map: Xen
 *      validates a page as a table only while no mapping lets us write it;
 *   3. MMUEXT_PIN_L4_TABLE: Xen validates the whole tree and keeps it a
 *      page table (read-only) until we unpin it;
 *   4. MMUEXT_NEW_BASEPTR: our %cr3, kernel mode;  MMUEXT_NEW_USER_BASEPTR
 *      with frame 0: we have no user mode, so no user root either (and no
 *      user root may still hold Xen's tree);
 *   5. MMUEXT_UNPIN_TABLE on Xen's root: no longer in use, Xen drops its
 *      validation of the old tree, and its frames are plain pages again;
 *   6. map those frames writable again: they go to the page allocator.
 */
#include "arch/x86/cpu.h"
#include "kernel/page_alloc.h"
#include "kernel/platform.h"
#include "kernel/vm.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_pv.h"

#define PT_ENTRIES      512
#define ROOT_LEVEL      4
#define L4_SLOT_SHIFT   39      /* an L4 entry maps 512 GiB */
#define PTE_BATCH       64      /* entries per write_ptes call (1 KiB of stack) */

static struct xen_pv_page_tables tables;

const struct xen_pv_page_tables *xen_pv_page_tables(void)
{
	return &tables;
}

/* The builder's root until we switch. */
uint64_t xen_pv_page_table_root(void)
{
	return tables.root ? tables.root : xen_pv_start_info()->pt_base;
}

bool xen_pv_is_xen_l4_slot(unsigned int slot)
{
	const unsigned int first = (HYPERVISOR_VIRT_START >> L4_SLOT_SHIFT) % PT_ENTRIES;

	return slot >= first &&
	       slot < first + ((HYPERVISOR_VIRT_END - HYPERVISOR_VIRT_START) >> L4_SLOT_SHIFT);
}

long xen_pv_mmuext(unsigned int cmd, uint64_t arg)
{
	struct mmuext_op op = { .cmd = cmd };

	if (cmd == MMUEXT_INVLPG_LOCAL)
		op.arg1.linear_addr = arg;
	else
		op.arg1.mfn = arg;
	return xen_hypercall(__HYPERVISOR_mmuext_op, (uintptr_t)&op, 1, 0, DOMID_SELF, 0);
}

static uint64_t pfn_of_entry(uint64_t entry)
{
	return xen_pv_mfn_to_pfn((entry & PTE_ADDRESS) >> PAGE_SHIFT);
}

/* Xen fills its own L4 slots in every root it validates and refuses
 * updates to them: a guest's root leaves them empty. */
static bool is_xen_slot(unsigned int level, unsigned int i)
{
	return level == ROOT_LEVEL && xen_pv_is_xen_l4_slot(i);
}

static bool in_range(uint64_t paddr, uint64_t first, uint64_t pages)
{
	return paddr >= first && paddr < first + pages * PAGE_SIZE;
}

/* The pages of the new tables, [first, first + pages), handed out in order. */
struct new_tables {
	uint64_t first, pages, used;
};

/*
 * A copy of Xen's table `old` (`level` 4 is the root) in the next page of
 * `to`: the same entries (machine addresses), except that the tables below
 * that are Xen's are copied in turn and linked by their new frame, the
 * level-1 entries that map a page of the new tables lose their write bit,
 * and Xen's L4 slots stay empty.  Our own tables below are shared, not
 * copied.  Returns the copy's address, or 0 when `to` ran out of pages.
 */
static uint64_t copy_table(const uint64_t *old, unsigned int level, struct new_tables *to)
{
	const struct start_info *si = xen_pv_start_info();

	if (to->used == to->pages)
		return 0;
	uint64_t copy = to->first + to->used++ * PAGE_SIZE;
	uint64_t *entries = phys_to_virt(copy);

	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		uint64_t entry = old[i], below;

		if (is_xen_slot(level, i) || !(entry & PTE_PRESENT)) {
			entries[i] = 0;
			continue;
		}
		below = pfn_of_entry(entry) << PAGE_SHIFT;
		if (level > 1 && in_range(below, si->pt_base, si->nr_pt_frames)) {
			uint64_t table = copy_table(phys_to_virt(below), level - 1, to);

			if (!table)
				return 0;
			entry = (entry & ~PTE_ADDRESS) |
				(xen_pv_pfn_to_mfn(table >> PAGE_SHIFT) << PAGE_SHIFT);
		} else if (level == 1 && in_range(below, to->first, to->pages)) {
			entry &= ~PTE_WRITABLE;
		}
		entries[i] = entry;
	}
	return copy;
}

/* Set or clear the write bit of `pages` pages from `first` in the direct
 * map of the tables in use, PTE_BATCH entries per mmu_update. */
static void set_writable(uint64_t first, uint64_t pages, bool writable)
{
	struct pte_write batch[PTE_BATCH];
	unsigned int n = 0;

	for (uint64_t i = 0; i < pages; i++) {
		uint64_t page = first + i * PAGE_SIZE;

		batch[n++] = (struct pte_write){
			vm_pte((uintptr_t)phys_to_virt(page)),
			page | PTE_PRESENT | (writable ? PTE_WRITABLE : 0),
		};
		if (n == PTE_BATCH || i + 1 == pages) {
			platform->write_ptes(batch, n);
			n = 0;
		}
	}
	platform->flush_tlb_all();
}

static uint64_t mfn_of(uint64_t paddr)
{
	return xen_pv_pfn_to_mfn(paddr >> PAGE_SHIFT);
}

/* Steps 3-5; on a refusal `tables` says which step and why. */
static bool switch_root(uint64_t new_root)
{
	uint64_t old_root = xen_pv_start_info()->pt_base;

	tables.failed_step = "MMUEXT_PIN_L4_TABLE";
	tables.rc = xen_pv_mmuext(MMUEXT_PIN_L4_TABLE, mfn_of(new_root));
	if (tables.rc != 0)
		return false;
	tables.failed_step = "MMUEXT_NEW_BASEPTR";
	tables.rc = xen_pv_mmuext(MMUEXT_NEW_BASEPTR, mfn_of(new_root));
	if (tables.rc != 0) {
		xen_pv_mmuext(MMUEXT_UNPIN_TABLE, mfn_of(new_root));
		return false;
	}
	tables.root = new_root;
	tables.failed_step = "MMUEXT_NEW_USER_BASEPTR";
	tables.rc = xen_pv_mmuext(MMUEXT_NEW_USER_BASEPTR, 0);
	if (tables.rc != 0)
		return false;
	tables.failed_step = "MMUEXT_UNPIN_TABLE";
	tables.rc = xen_pv_mmuext(MMUEXT_UNPIN_TABLE, mfn_of(old_root));
	if (tables.rc != 0)
		return false;
	tables.failed_step = NULL;
	return true;
}

/*
 * Build our tables in the pages from *free on (nr_pt_frames of them, one
 * for each of Xen's: the copy has the same shape), all below mapped_end,
 * switch to them and give Xen's frames back.  *free moves past the new
 * tables, which stay reserved.  A refusal before the switch leaves us on
 * Xen's tables, one after it on ours with Xen's frames kept; either way
 * the boot report says which step and why.
 */
void xen_pv_take_over_page_tables(uint64_t *free, uint64_t mapped_end)
{
	const struct start_info *si = xen_pv_start_info();
	struct new_tables to = { .first = *free, .pages = si->nr_pt_frames };
	uint64_t new_root, begin = rdtsc();

	tables.failed_step = "room for the copy";
	if (to.first + to.pages * PAGE_SIZE > mapped_end)
		return;
	*free += to.pages * PAGE_SIZE;
	tables.failed_step = "copying Xen's tables";
	new_root = copy_table(phys_to_virt(si->pt_base), ROOT_LEVEL, &to);
	if (!new_root)
		return;
	tables.copied = to.used;
	set_writable(to.first, to.pages, false);
	if (!switch_root(new_root))
		return;
	set_writable(si->pt_base, si->nr_pt_frames, true);
	tables.given_back = si->nr_pt_frames;
	tables.tsc_cycles = rdtsc() - begin;
}
