/*
 * xen_setup.c — finding Xen and setting up the hypercall page and
 * shared_info, in the order a Xen guest must (see xen.h).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/hypervisor.h"
#include "kernel/console.h"
#include "kernel/page_alloc.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_clock.h"
#include "pv/xen/xen_console.h"
#include "pv/xen/xen_evtchn.h"
#include "pv/xen/xen_platform.h"
#include "pv/xen/xen_pv.h"

/* CPUID leaves, as offsets from Xen's base leaf (xen/arch-x86/cpuid.h). */
#define XEN_LEAF_VERSION        1       /* EAX: major << 16 | minor */
#define XEN_LEAF_HYPERCALL      2       /* EAX: pages, EBX: the MSR */

/*
 * The guest-physical frame where shared_info appears.  Xen does not put
 * shared_info anywhere by itself in an HVM or PVH guest: the guest names a
 * frame with XENMEM_add_to_physmap and Xen maps its page there, replacing
 * whatever RAM was at that frame (the RAM page is given back to Xen).
 * We use a page-aligned page of our own image, in .bss: it is never in the
 * page allocator (which starts after the kernel image), it exists before the
 * allocator does (we need shared_info for the clock, which comes first),
 * and its address is known at link time.  Linux takes a page from its early
 * allocator instead; a hole above RAM would work too, but the PVH memory map
 * says nothing about which holes are safe.
 */
static uint8_t shared_info_frame[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static struct xen_info info;

static bool find_xen(void)
{
	const struct hypervisor_info *hv;

	hypervisor_detect();
	hv = hypervisor();
	if (hv->kind != HV_XEN || hv->max_leaf < hv->base_leaf + XEN_LEAF_HYPERCALL)
		return false;
	info.present = true;
	info.cpuid_base = hv->base_leaf;
	uint32_t version = cpuid(info.cpuid_base + XEN_LEAF_VERSION, 0).eax;

	info.major = version >> 16;
	info.minor = version & 0xffff;
	return true;
}

/*
 * Writing the page's physical address (low 12 bits: which page, 0 for the
 * first) to the MSR makes Xen fill it with stubs.  The write never faults
 * and returns nothing, so we check that the first stub is no longer int3.
 */
static bool install_hypercall_page(void)
{
	struct cpuid_regs r = cpuid(info.cpuid_base + XEN_LEAF_HYPERCALL, 0);

	if (r.eax < 1)
		return false;
	info.hypercall_msr = r.ebx;
	wrmsr(info.hypercall_msr, virt_to_phys(xen_hypercall_page));
	info.hypercalls = xen_hypercall_page[0] != 0xcc;
	return info.hypercalls;
}

static void map_shared_info(void)
{
	struct xen_add_to_physmap map = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = virt_to_phys(shared_info_frame) >> PAGE_SHIFT,
	};

	info.shared_info_rc = xen_memory_op(XENMEM_add_to_physmap, &map);
	if (info.shared_info_rc == 0)
		info.shared_info = (struct shared_info *)shared_info_frame;
}

bool xen_early_init(void)
{
	if (!find_xen() || !install_hypercall_page())
		return false;
	map_shared_info();
	if (info.shared_info)
		xen_clock_init(&info.shared_info->vcpu_info[0].time);
	xen_console_init();
	xen_platform_select();
	return true;
}

/*
 * A PV guest starts with all of this done by the domain builder: the
 * hypercall page is filled (XEN_ELFNOTE_HYPERCALL_PAGE) and shared_info is
 * Xen's own page, which the PV entry (xen_pv_boot.c) has mapped for us.
 * CPUID may not show Xen's leaves to a PV guest, so the version comes
 * from a hypercall instead.
 */
void xen_pv_early_init(struct shared_info *shared)
{
	long version = xen_version_op(XENVER_version, NULL);

	info.present = true;
	info.hypercalls = true;
	info.pv = true;
	info.major = (uint16_t)(version >> 16);
	info.minor = (uint16_t)version;
	info.shared_info = shared;
	xen_clock_init(&shared->vcpu_info[0].time);
}

bool xen_running(void)
{
	return info.hypercalls;
}

const struct xen_info *xen_info(void)
{
	return &info;
}

/* XENVER_extraversion: the ".7+13-g2445b30a44" part of "4.17.7+13-..." */
static void report_version(void)
{
	xen_extraversion_t extra = { 0 };
	long rc = xen_version_op(XENVER_extraversion, extra);

	if (info.pv) {
		printk("xen: version %u.%u%s, hypercall page at %#lx (filled by the PV domain builder)\n",
		       info.major, info.minor, rc == 0 ? extra : "",
		       virt_to_phys(xen_hypercall_page));
		return;
	}
	printk("xen: version %u.%u%s (CPUID leaves at %#x), hypercall page at %#lx (MSR %#x)\n",
	       info.major, info.minor, rc == 0 ? extra : "", info.cpuid_base,
	       virt_to_phys(xen_hypercall_page), info.hypercall_msr);
}

void xen_report(void)
{
	if (!info.present)
		return;
	report_version();
	if (info.shared_info && info.pv)
		printk("xen: shared_info at %#lx (start_info's frame, mapped by update_va_mapping), clock Xen pvclock\n",
		       virt_to_phys(info.shared_info));
	else if (info.shared_info)
		printk("xen: shared_info at %#lx (XENMEM_add_to_physmap), clock Xen pvclock\n",
		       virt_to_phys(info.shared_info));
	else
		printk("xen: shared_info not mapped: XENMEM_add_to_physmap said -%s\n",
		       xen_error_name(info.shared_info_rc));
	xen_evtchn_report();
	xen_console_report();
}

uint64_t xen_frame_of(const void *page)
{
	uint64_t pfn = virt_to_phys(page) >> PAGE_SHIFT;

	return info.pv ? xen_pv_pfn_to_mfn(pfn) : pfn;
}
