/*
 * xen_pv_platform.c — the platform of a Xen PV guest: every privileged
 * operation of kernel/platform.h as a hypercall or a shared-memory write.
 *
 * A PV kernel runs in ring 3 (64-bit PV: the same ring as user code, on
 * its own page tables), with no IDT, no local APIC, no I/O ports and page
 * tables that Xen keeps read-only.  So:
 *
 *   irq_disable/enable   vcpu_info.evtchn_upcall_mask, Xen's "IF"
 *   idle                 SCHEDOP_block
 *   install_traps        HYPERVISOR_set_trap_table (+ xen_pv_entry.S)
 *   write_pte(s), flushes  mmu_update (batched), mmuext_op (machine addresses via P2M)
 *   page_table_root      our own pinned root (xen_pv_page_tables.c)
 *   time, timer          vcpu_time_info (pvclock), VCPUOP_set_singleshot_timer
 *   early_write          the start_info console ring
 *   shutdown             SCHEDOP_shutdown
 *
 * There is no LAPIC, IOAPIC, PIC, PCI or UART to start: interrupts are
 * event channels, delivered through the event callback.
 */
#include "arch/x86/hypervisor.h"
#include "arch/x86/traps.h"
#include "kernel/console.h"
#include "kernel/page_alloc.h"
#include "kernel/panic.h"
#include "kernel/platform.h"
#include "kernel/timer.h"
#include "kernel/vm.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_clock.h"
#include "pv/xen/xen_console.h"
#include "pv/xen/xen_evtchn.h"
#include "pv/xen/xen_pv.h"

#include <xen/callback.h>

#define EXCEPTION_VECTORS       32
#define PV_TRAP_STUB_SIZE       32      /* xen_pv_entry.S */
#define TRAP_INFO_DPL_USER      3       /* `int3` and `int $n` come from ring 3 */
#define MMU_BATCH               64      /* mmu_update requests per hypercall (1 KiB of stack) */

#define barrier()       __asm__ volatile("" ::: "memory")

extern const uint8_t xen_pv_trap_stubs[];       /* xen_pv_entry.S */
extern const uint8_t xen_pv_event_entry[], xen_pv_failsafe_entry[], xen_pv_nmi_entry[];

static uint64_t boot_system_ns;        /* Xen system time at our boot */
static evtchn_port_t timer_port;
static long timer_rc, traps_rc, callbacks_rc;
static struct xen_pv_nmis nmis;

static volatile struct vcpu_info *vcpu(void)
{
	return &xen_info()->shared_info->vcpu_info[0];
}

/* ---- interrupts: the upcall mask ----------------------------------------- */

static void pv_irq_disable(void)
{
	vcpu()->evtchn_upcall_mask = 1;
	barrier();
}

/* Clearing the mask does not deliver what arrived while it was set: if an
 * upcall is pending, any hypercall makes Xen deliver it on the way back. */
static void pv_irq_enable(void)
{
	barrier();
	vcpu()->evtchn_upcall_mask = 0;
	barrier();
	if (vcpu()->evtchn_upcall_pending)
		xen_version_op(XENVER_version, NULL);
}

static bool pv_irq_enabled(void)
{
	return vcpu()->evtchn_upcall_mask == 0;
}

/* Called with events masked.  SCHEDOP_block unmasks them atomically with
 * the check for pending ones, so a wake-up cannot be lost; the upcall runs
 * on the way back, then we mask again as the caller expects. */
static void pv_idle(void)
{
	xen_sched_op(SCHEDOP_block, NULL);
	pv_irq_disable();
}

/* The event callback (xen_pv_entry.S), events masked: handle the ports. */
void xen_pv_event(void)
{
	xen_evtchn_upcall();
}

/*
 * The NMI callback (xen_pv_entry.S).  A domU's NMIs come from
 * VCPUOP_send_nmi (one vCPU of the domain to another, or to itself) or from
 * dom0 (`xl trigger DOMAIN nmi`); shared_info's nmi_reason holds the
 * reason bits of hardware NMIs, which only dom0 gets.  Nothing here is
 * broken by an NMI, so we say so and go on.
 */
void xen_pv_nmi(void)
{
	nmis.count++;
	nmis.events_masked = vcpu()->evtchn_upcall_mask;
	printk("xen: NMI %lu (nmi_reason %#lx)\n", nmis.count,
	       xen_info()->shared_info->arch.nmi_reason);
}

const struct xen_pv_nmis *xen_pv_nmis(void)
{
	return &nmis;
}

void xen_pv_failsafe(void)
{
	panic("Xen PV failsafe callback: Xen could not restore our segment registers");
}

/* ---- traps ----------------------------------------------------------------- */

/*
 * The trap table is a list of (vector, flags, cs, address) ended by a zero
 * entry.  Only the exceptions go in: a PV guest's interrupts are events.
 * flags holds the DPL for `int $n`; its "mask events" bit stays 0, as an
 * x86 trap gate leaves IF alone: exceptions do not change "interrupts".
 * Not the NMI: its callback (CALLBACKTYPE_nmi) takes that slot, masking
 * events as an interrupt gate would.  #DF is in the table but never comes:
 * a fault Xen cannot deliver to us (our stack unusable) makes Xen crash the
 * domain, and `xl` reports the domain crashed.  #MC (vector 18) is how
 * Xen's virtual machine check (vMCE) reaches a PV guest, through this
 * table; it is reported and stops us, as natively.
 */
static void pv_install_traps(const struct trap_gate *gates, size_t count)
{
	static struct trap_info table[EXCEPTION_VECTORS + 1];
	unsigned int n = 0;

	for (size_t i = 0; i < count && n < EXCEPTION_VECTORS; i++) {
		if (gates[i].vector >= EXCEPTION_VECTORS || gates[i].vector == VEC_NMI)
			continue;
		table[n++] = (struct trap_info){
			.vector = gates[i].vector,
			.flags = TRAP_INFO_DPL_USER,
			.cs = FLAT_KERNEL_CS,
			.address = (uintptr_t)(xen_pv_trap_stubs +
					       gates[i].vector * PV_TRAP_STUB_SIZE),
		};
	}
	table[n] = (struct trap_info){ 0 };
	traps_rc = xen_hypercall(__HYPERVISOR_set_trap_table, (uintptr_t)table, 0, 0, 0, 0);
}

static long register_callback(uint16_t type, const void *entry, uint16_t flags)
{
	struct callback_register cb = {
		.type = type,
		.flags = flags,
		.address = (uintptr_t)entry,
	};

	return xen_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_register,
			     (uintptr_t)&cb, 0, 0, 0);
}

static void install_callbacks(void)
{
	callbacks_rc = register_callback(CALLBACKTYPE_event, xen_pv_event_entry,
					 CALLBACKF_mask_events);
	if (callbacks_rc == 0)
		callbacks_rc = register_callback(CALLBACKTYPE_failsafe,
						 xen_pv_failsafe_entry, CALLBACKF_mask_events);
	/* Xen masks events for the NMI callback by itself; flags unused. */
	if (callbacks_rc == 0)
		callbacks_rc = register_callback(CALLBACKTYPE_nmi, xen_pv_nmi_entry, 0);
}

/* ---- page tables ------------------------------------------------------------ */

/* A PTE holds a machine address: translate the pseudo-physical one. */
static uint64_t pte_to_machine(uint64_t value)
{
	if (!(value & PTE_PRESENT))
		return value;
	uint64_t mfn = xen_pv_pfn_to_mfn((value & PTE_ADDRESS) >> PAGE_SHIFT);

	return (value & ~PTE_ADDRESS) | (mfn << PAGE_SHIFT);
}

/* One mmu_update request: the entry named by its machine address (the low
 * bits say which kind of update), the value with a machine address. */
static struct mmu_update pte_request(const struct pte_write *w)
{
	uintptr_t va = (uintptr_t)w->pte;

	return (struct mmu_update){
		.ptr = (xen_pv_pfn_to_mfn(va >> PAGE_SHIFT) << PAGE_SHIFT) |
		       (va & (PAGE_SIZE - 1)) | MMU_NORMAL_PT_UPDATE,
		.val = pte_to_machine(w->value),
	};
}

/*
 * Page tables are read-only to us: ask Xen to write (and check) the
 * entries, up to MMU_BATCH per hypercall.  Xen does them in order and
 * stops at the first it refuses; `done` then says how many went in, and
 * the refused one is writes[done].
 */
static void pv_write_ptes(const struct pte_write *writes, size_t count)
{
	struct mmu_update reqs[MMU_BATCH];

	while (count > 0) {
		unsigned int n = count < MMU_BATCH ? count : MMU_BATCH, done = 0;

		for (unsigned int i = 0; i < n; i++)
			reqs[i] = pte_request(&writes[i]);
		long rc = xen_hypercall(__HYPERVISOR_mmu_update, (uintptr_t)reqs, n,
					(uintptr_t)&done, DOMID_SELF, 0);

		if (done >= n)
			done = 0;
		if (rc != 0)
			panic("mmu_update of the PTE at %p to %#lx: %s", writes[done].pte,
			      writes[done].value, xen_error_name(rc));
		writes += n;
		count -= n;
	}
}

static void pv_write_pte(uint64_t *pte, uint64_t value)
{
	struct pte_write w = { pte, value };

	pv_write_ptes(&w, 1);
}

/* Back from machine to pseudo-physical, through Xen's M2P. */
static uint64_t pv_read_pte(const uint64_t *pte)
{
	uint64_t value = *(const volatile uint64_t *)pte;

	if (!(value & PTE_PRESENT))
		return value;
	uint64_t pfn = xen_pv_mfn_to_pfn((value & PTE_ADDRESS) >> PAGE_SHIFT);

	return (value & ~PTE_ADDRESS) | ((pfn << PAGE_SHIFT) & PTE_ADDRESS);
}

/* Xen refuses to use a page as a page table while any mapping lets us
 * write it: take the write bit off our identity mapping of it first. */
static void pv_prepare_page_table(uint64_t paddr)
{
	uint64_t pte = pte_to_machine(paddr | PTE_PRESENT);
	long rc = xen_hypercall(__HYPERVISOR_update_va_mapping, (uintptr_t)phys_to_virt(paddr),
				pte, UVMF_INVLPG, 0, 0);

	if (rc != 0)
		panic("mapping the new page table %#lx read-only: %s", paddr, xen_error_name(rc));
}

static void pv_flush_tlb_page(uintptr_t va)
{
	xen_pv_mmuext(MMUEXT_INVLPG_LOCAL, va);
}

static void pv_flush_tlb_all(void)
{
	xen_pv_mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0);
}

/* ---- time -------------------------------------------------------------------- */

static uint64_t pv_now_ns(void)
{
	return xen_clock_read_ns() - boot_system_ns;
}

static uint64_t pv_tsc_hz(void)
{
	return xen_clock_tsc_hz();
}

/* Xen's timer takes an absolute system time; 0 means "cancel". */
static void pv_set_timer(uint64_t deadline_ns)
{
	if (deadline_ns == 0) {
		xen_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
		return;
	}
	struct vcpu_set_singleshot_timer t = {
		.timeout_abs_ns = boot_system_ns + deadline_ns,
	};

	xen_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}

static void timer_event(evtchn_port_t port, void *arg)
{
	(void)port;
	(void)arg;
	timer_interrupt();
}

/* VIRQ_TIMER fires for the single-shot timer; Xen also starts a periodic
 * one for PV guests, which we stop: kernel/timer.c arms what it needs. */
static void start_timer(void)
{
	xen_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	timer_rc = xen_evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port);
	if (timer_rc == 0)
		timer_rc = xen_evtchn_bind_handler(timer_port, timer_event, NULL);
}

/* ---- init, report, shutdown ----------------------------------------------- */

static void pv_init(void)
{
	boot_system_ns = xen_clock_read_ns();
	hypervisor_detect();    /* for the report: CPUID still works in PV */
	traps_init();
	install_callbacks();
	xen_evtchn_init();      /* the ABI, before the timer's port gets a handler */
	if (callbacks_rc == 0) {
		start_timer();
		xen_console_bind_events();
	}
}

static void report_status(const char *what, long rc)
{
	if (rc == 0)
		printk("%s", what);
	else
		printk("%s failed: %s", what, xen_error_name(rc));
}

/* Whose page tables we run on (xen_pv_page_tables.c), and if still the
 * builder's, or if its frames were kept, which step Xen refused. */
static void report_page_tables(void)
{
	const struct xen_pv_page_tables *pt = xen_pv_page_tables();
	const struct start_info *si = xen_pv_start_info();

	if (pt->root)
		printk("xen: page tables: our own, root %#lx pinned, %lu copied from Xen's; ",
		       pt->root, pt->copied);
	else
		printk("xen: page tables: still Xen's, root %#lx; ", si->pt_base);
	if (pt->given_back)
		printk("Xen's %lu frames at %#lx unpinned and given back, in %lu us\n",
		       pt->given_back, si->pt_base, pt->tsc_cycles * 1000 / (pv_tsc_hz() / 1000));
	else
		printk("%s failed: %s\n", pt->failed_step,
		       pt->rc ? xen_error_name(pt->rc) : "no Xen error");
}

static void pv_report(void)
{
	const struct start_info *si = xen_pv_start_info();

	printk("xen: PV guest \"%s\", %lu pages, page tables at %#lx (%lu frames), P2M at %#lx\n",
	       si->magic, si->nr_pages, si->pt_base, si->nr_pt_frames, si->mfn_list);
	report_page_tables();
	printk("interrupts: ");
	report_status("set_trap_table", traps_rc);
	printk(", ");
	report_status("event, failsafe and NMI callbacks", callbacks_rc);
	printk(", ");
	report_status("VIRQ_TIMER", timer_rc);
	printk(" (port %u)\n", timer_port);
	printk("time: clock Xen pvclock, TSC %lu.%03lu MHz; timer VCPUOP_set_singleshot_timer\n",
	       pv_tsc_hz() / 1000000, pv_tsc_hz() / 1000 % 1000);
	xen_report();
}

static unsigned int shutdown_reason(enum exit_status status)
{
	return status == EXIT_PANIC ? SHUTDOWN_crash : SHUTDOWN_poweroff;
}

static void __attribute__((noreturn)) pv_shutdown(enum exit_status status)
{
	struct sched_shutdown shutdown = { .reason = shutdown_reason(status) };

	xen_console_flush();
	for (;;)        /* Xen does not run a domain that shut down */
		xen_sched_op(SCHEDOP_shutdown, &shutdown);
}

void xen_pv_crash(void)
{
	pv_shutdown(EXIT_PANIC);
}

static const struct platform_ops xen_pv_platform = {
	.name = "Xen PV (hypercalls)",
	.port_io = false,
	.init = pv_init,
	.report = pv_report,
	.irq_disable = pv_irq_disable,
	.irq_enable = pv_irq_enable,
	.irq_enabled = pv_irq_enabled,
	.idle = pv_idle,
	.install_traps = pv_install_traps,
	.write_pte = pv_write_pte,
	.write_ptes = pv_write_ptes,
	.read_pte = pv_read_pte,
	.prepare_page_table = pv_prepare_page_table,
	.flush_tlb_page = pv_flush_tlb_page,
	.flush_tlb_all = pv_flush_tlb_all,
	.page_table_root = xen_pv_page_table_root,
	.now_ns = pv_now_ns,
	.set_timer = pv_set_timer,
	.tsc_hz = pv_tsc_hz,
	.early_write = xen_console_write,
	.shutdown = pv_shutdown,
};

void xen_pv_platform_select(void)
{
	platform = &xen_pv_platform;
}
