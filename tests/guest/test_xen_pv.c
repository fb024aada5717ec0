/*
 * test_xen_pv.c — what only a Xen PV guest has: the P2M and M2P agree, a
 * page-table update made with mmu_update is what the tables hold (as a
 * machine address), the page tables themselves are read-only to us, we
 * run on a pinned root of our own and Xen's boot tables came back, and
 * a machine frame is reached in the direct map when it is our RAM and
 * through a new mapping when it is Xen's, all of RAM is mapped (run
 * with `scripts/xen-lab.sh --mem 1536` to cross the first GiB), and NMIs
 * reach the NMI callback.  Skipped unless entered as a PV
 * guest (docs/xen-pv.md).
 */
#include "arch/x86/traps.h"
#include "kernel/boot_info.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "kernel/platform.h"
#include "kernel/test.h"
#include "kernel/timer.h"
#include "kernel/vm.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_console.h"
#include "pv/xen/xen_pv.h"

/* The paging tests' slot: nothing else maps the second 512 GiB. */
#define ALIAS_VA 0x8000000000ull
#define PT_ENTRIES 512
#define NMI_PATIENCE_NS (100 * NSEC_PER_MSEC)

#define SKIP_UNLESS_PV()                                                      \
	do {                                                                  \
		if (!xen_pv_start_info())                                     \
			SKIP("not a Xen PV guest");                           \
	} while (0)

/* pfn -> mfn -> pfn comes back for a frame of our own image. */
TEST(xen_pv, p2m_and_m2p_agree_on_a_kernel_frame)
{
	static uint64_t word;
	uint64_t pfn = (uintptr_t)&word >> PAGE_SHIFT;

	SKIP_UNLESS_PV();
	uint64_t mfn = xen_pv_pfn_to_mfn(pfn);

	CHECK(mfn != ~0ull);
	CHECK_EQ(xen_pv_mfn_to_pfn(mfn), pfn);
}

/* After vm_map_page (mmu_update), the raw level-1 entry names the page's
 * machine frame, and read_pte translates it back. */
TEST(xen_pv, mmu_update_writes_the_machine_frame)
{
	uint64_t page = page_alloc(1);
	uint64_t *l4, *l3, *l2, *l1;

	SKIP_UNLESS_PV();
	CHECK(page != 0);
	CHECK(vm_map_page(ALIAS_VA, page, PTE_WRITABLE));
	l4 = phys_to_virt(platform->page_table_root());
	l3 = phys_to_virt(platform->read_pte(&l4[(ALIAS_VA >> 39) % PT_ENTRIES]) & PTE_ADDRESS);
	l2 = phys_to_virt(platform->read_pte(&l3[(ALIAS_VA >> 30) % PT_ENTRIES]) & PTE_ADDRESS);
	l1 = phys_to_virt(platform->read_pte(&l2[(ALIAS_VA >> 21) % PT_ENTRIES]) & PTE_ADDRESS);
	uint64_t raw = l1[(ALIAS_VA >> PAGE_SHIFT) % PT_ENTRIES];

	CHECK_EQ((raw & PTE_ADDRESS) >> PAGE_SHIFT, xen_pv_pfn_to_mfn(page >> PAGE_SHIFT));
	CHECK_EQ(platform->read_pte(&l1[(ALIAS_VA >> PAGE_SHIFT) % PT_ENTRIES]) & PTE_ADDRESS,
		 page);
	vm_unmap_page(ALIAS_VA);
	page_free(page, 1);
}

/* Xen maps every page-table page read-only: a plain store faults. */
TEST(xen_pv, page_tables_are_read_only)
{
	SKIP_UNLESS_PV();
	uintptr_t root = (uintptr_t)phys_to_virt(platform->page_table_root());
	uint64_t before = *(volatile uint64_t *)root;

	CHECK(!probe_write64(root, before));
	CHECK_EQ(last_fixed_fault.vector, VEC_PAGE_FAULT);
	CHECK(last_fixed_fault.error_code & PF_PRESENT);
	CHECK(last_fixed_fault.error_code & PF_WRITE);
	CHECK_EQ(last_fixed_fault.cr2, root);
}

/* The machine address of an entry, as mmu_update names it. */
static uint64_t machine_address_of(const uint64_t *entry)
{
	uintptr_t va = (uintptr_t)entry;

	return (xen_pv_pfn_to_mfn(va >> PAGE_SHIFT) << PAGE_SHIFT) | (va & (PAGE_SIZE - 1));
}

static uint64_t mfn_of(uint64_t paddr)
{
	return xen_pv_pfn_to_mfn(paddr >> PAGE_SHIFT);
}

/* The root is ours, not the builder's, and Xen holds it pinned: pinning it
 * again is refused (EINVAL: already pinned), and so is an mmu_update that
 * would map it writable (EBUSY: a page cannot be writable while it is a
 * table). */
TEST(xen_pv, root_is_ours_and_pinned)
{
	SKIP_UNLESS_PV();
	uint64_t root = platform->page_table_root();
	uint64_t *own_pte = vm_pte((uintptr_t)phys_to_virt(root));

	CHECK(root != xen_pv_start_info()->pt_base);
	CHECK_EQ(root, xen_pv_page_tables()->root);
	CHECK(own_pte != NULL);

	long pin = xen_pv_mmuext(MMUEXT_PIN_L4_TABLE, mfn_of(root));

	if (pin == 0)           /* it was not pinned: leave it as it was */
		xen_pv_mmuext(MMUEXT_UNPIN_TABLE, mfn_of(root));
	CHECK_NAMED(pin, -XEN_EINVAL, xen_error_name);

	struct mmu_update writable = {
		.ptr = machine_address_of(own_pte) | MMU_NORMAL_PT_UPDATE,
		.val = *(volatile uint64_t *)own_pte | PTE_WRITABLE,
	};
	long rc = xen_hypercall(__HYPERVISOR_mmu_update, (uintptr_t)&writable, 1, 0,
				DOMID_SELF, 0);

	if (rc == 0)
		platform->write_pte(own_pte, root | PTE_PRESENT);
	CHECK_NAMED(rc, -XEN_EBUSY, xen_error_name);
}

/* What a walk of our tables found. */
struct table_census {
	unsigned long tables, writable, xen_frames;
};

/* Count `table` and, below level 1, the tables its entries lead to (not
 * into Xen's L4 slots: Xen's own tables are not in our M2P's view). */
static void count_tables(uint64_t table, unsigned int level, struct table_census *c)
{
	const struct start_info *si = xen_pv_start_info();
	const uint64_t *entries = phys_to_virt(table);
	uint64_t *own_pte = vm_pte((uintptr_t)entries);

	c->tables++;
	if (!own_pte || (platform->read_pte(own_pte) & PTE_WRITABLE))
		c->writable++;
	if (table >= si->pt_base && table < si->pt_base + si->nr_pt_frames * PAGE_SIZE)
		c->xen_frames++;
	for (unsigned int i = 0; level > 1 && i < PT_ENTRIES; i++) {
		uint64_t entry = platform->read_pte(&entries[i]);

		if ((level < 4 || !xen_pv_is_xen_l4_slot(i)) && (entry & PTE_PRESENT))
			count_tables(entry & PTE_ADDRESS, level - 1, c);
	}
}

/* Every table under our root is read-only in the direct map, and none is
 * one of the builder's frames: at least the root, the level-3 and level-2
 * tables, and a level-1 table per 2 MiB of RAM. */
TEST(xen_pv, every_table_is_ours_and_read_only)
{
	SKIP_UNLESS_PV();
	struct table_census census = { 0 };
	uint64_t chunks = (xen_pv_start_info()->nr_pages + PT_ENTRIES - 1) / PT_ENTRIES;

	count_tables(platform->page_table_root(), 4, &census);
	CHECK(census.tables >= 3 + chunks);
	CHECK_EQ(census.writable, 0);
	CHECK_EQ(census.xen_frames, 0);
}

/* Pages of [first, first + pages) that the memory map calls usable. */
static uint64_t usable_pages(uint64_t first, uint64_t pages)
{
	uint64_t count = 0;

	for (uint64_t p = first; p < first + pages * PAGE_SIZE; p += PAGE_SIZE)
		for (unsigned int i = 0; i < boot_info.mem_count; i++)
			if (boot_info.mem[i].type == MEM_USABLE && p >= boot_info.mem[i].base &&
			    p - boot_info.mem[i].base < boot_info.mem[i].size)
				count++;
	return count;
}

/* The builder's table frames were all given back: the memory map hands
 * every one to the page allocator, and each is mapped writable again
 * (which Xen allows only for a page that is no page table any more). */
TEST(xen_pv, xen_boot_tables_are_given_back)
{
	SKIP_UNLESS_PV();
	const struct start_info *si = xen_pv_start_info();

	CHECK_EQ(xen_pv_page_tables()->given_back, si->nr_pt_frames);
	CHECK_EQ(usable_pages(si->pt_base, si->nr_pt_frames), si->nr_pt_frames);
	for (uint64_t i = 0; i < si->nr_pt_frames; i++) {
		uint64_t *pte = vm_pte((uintptr_t)phys_to_virt(si->pt_base + i * PAGE_SIZE));

		CHECK(pte != NULL);
		CHECK(platform->read_pte(pte) & PTE_WRITABLE);
	}
}

/* The console page is among our RAM: its machine frame leads back to the
 * direct-map address the console driver writes through. */
TEST(xen_pv, machine_page_of_our_ram_is_in_the_direct_map)
{
	SKIP_UNLESS_PV();
	CHECK_EQ((uintptr_t)xen_pv_machine_page(xen_pv_start_info()->console.domU.mfn),
		 (uintptr_t)xen_console_ring());
}

/* shared_info is Xen's page, not our RAM: it gets a second mapping, and a
 * store through one is seen through the other.  (The word is the mask of
 * the last event-channel ports, which nothing binds here; restored.) */
TEST(xen_pv, machine_page_of_xen_is_mapped_afresh)
{
	SKIP_UNLESS_PV();
	struct shared_info *ours = xen_info()->shared_info;
	struct shared_info *again = xen_pv_machine_page(xen_pv_start_info()->shared_info >>
							PAGE_SHIFT);
	const unsigned int last = sizeof(ours->evtchn_mask) / sizeof(ours->evtchn_mask[0]) - 1;

	CHECK(again != NULL);
	CHECK(again != ours);
	volatile xen_ulong_t *word = &again->evtchn_mask[last];
	xen_ulong_t before = *word;

	*word = before ^ 0x5a5a;
	CHECK_EQ(((volatile struct shared_info *)ours)->evtchn_mask[last], before ^ 0x5a5a);
	*word = before;
}

/* Every page of RAM is mapped at virtual = pseudo-physical, by our tables
 * past the builder's: the memory map has no unusable rest, and the first
 * and last page of every GiB, and the very last page, lead to their own
 * machine frame. */
TEST(xen_pv, all_ram_is_mapped)
{
	SKIP_UNLESS_PV();
	uint64_t ram_end = xen_pv_start_info()->nr_pages * PAGE_SIZE, paddr = 0;

	for (unsigned int i = 0; i < boot_info.mem_count; i++)
		CHECK(boot_info.mem[i].type != MEM_UNUSABLE);
	for (uint64_t gib = 0; gib < ram_end; gib += UINT64_C(1) << 30) {
		uint64_t pages[] = { gib, (gib + (UINT64_C(1) << 30) < ram_end ?
					   gib + (UINT64_C(1) << 30) : ram_end) - PAGE_SIZE };

		for (unsigned int i = 0; i < 2; i++) {
			CHECK(vm_translate(pages[i], &paddr));
			CHECK_EQ(paddr, pages[i]);
			uint64_t raw = *(volatile uint64_t *)vm_pte(pages[i]);

			CHECK_EQ((raw & PTE_ADDRESS) >> PAGE_SHIFT,
				 xen_pv_pfn_to_mfn(pages[i] >> PAGE_SHIFT));
		}
	}
}

/* VCPUOP_send_nmi to ourselves; true once the NMI callback has counted
 * one more NMI (Xen delivers it on the way back from a hypercall). */
static bool nmi_arrives(void)
{
	unsigned long before = xen_pv_nmis()->count;
	uint64_t give_up = time_now_ns() + NMI_PATIENCE_NS;

	if (xen_vcpu_op(VCPUOP_send_nmi, 0, NULL) != 0)
		return false;
	while (xen_pv_nmis()->count == before && time_now_ns() < give_up)
		(void)xen_version_op(XENVER_version, NULL);
	return xen_pv_nmis()->count == before + 1;
}

/* An NMI reaches the NMI callback, which Xen enters with events masked
 * (they are enabled here, so that is Xen's doing), and we go on.  The
 * second one proves the return: Xen holds NMIs back from the first until
 * our HYPERVISOR_iret, as the CPU does until an iretq. */
TEST(xen_pv, nmi_reaches_the_callback_and_iret_allows_the_next)
{
	SKIP_UNLESS_PV();
	bool was_enabled = irq_save();

	platform->irq_enable();
	bool first = nmi_arrives();
	bool masked = xen_pv_nmis()->events_masked;
	bool second = nmi_arrives();

	platform->irq_disable();
	irq_restore(was_enabled);
	CHECK(first);
	CHECK(masked);
	CHECK(second);
}
