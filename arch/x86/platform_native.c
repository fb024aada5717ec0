/*
 * platform_native.c — the platform operations on a CPU we fully control:
 * bare metal, or a hardware-virtualized guest (HVM, PVH, pvkit-hv, QEMU).
 * Each operation is the privileged instruction itself; compare with a Xen
 * PV implementation, where each one becomes a hypercall or a shared-memory
 * write the hypervisor reads.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/platform_native.h"
#include "arch/x86/time_native.h"
#include "arch/x86/uart16550.h"
#include "kernel/platform.h"

/* QEMU's isa-debug-exit and pvkit-hv both listen here: writing v makes the
 * VMM exit with status (v << 1) | 1. */
#define DEBUG_EXIT_PORT 0xf4

#define PTE_ADDRESS_MASK 0x000ffffffffff000ull

static void native_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static void native_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static bool native_irq_enabled(void)
{
	return read_rflags() & RFLAGS_IF;
}

/* sti takes effect after the next instruction, so an interrupt arriving
 * between the two cannot be lost: it wakes the hlt. */
static void native_idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

static void native_write_pte(uint64_t *pte, uint64_t value)
{
	*(volatile uint64_t *)pte = value;
}

static void native_write_ptes(const struct pte_write *writes, size_t count)
{
	for (size_t i = 0; i < count; i++)
		native_write_pte(writes[i].pte, writes[i].value);
}

static uint64_t native_read_pte(const uint64_t *pte)
{
	return *(const volatile uint64_t *)pte;
}

static void native_prepare_page_table(uint64_t paddr)
{
	(void)paddr;    /* our tables are ordinary writable memory */
}

static void native_flush_tlb_page(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static void native_flush_tlb_all(void)
{
	write_cr3(read_cr3());
}

static uint64_t native_page_table_root(void)
{
	return read_cr3() & PTE_ADDRESS_MASK;
}

/*
 * Try the debug-exit port (the status reaches the host), then a triple
 * fault: with an empty IDT the CPU cannot deliver the breakpoint, nor the
 * resulting faults, and resets; QEMU with -no-reboot then exits.
 */
static void __attribute__((noreturn)) native_shutdown(enum exit_status status)
{
	static const struct { uint16_t limit; uint64_t base; } __attribute__((packed))
		empty_idt = { 0, 0 };

	outb(DEBUG_EXIT_PORT, (uint8_t)status);
	__asm__ volatile("cli; lidt %0; int3" : : "m"(empty_idt));
	for (;;)
		__asm__ volatile("hlt");
}

static const struct platform_ops native_platform = {
	.name = "native",
	.port_io = true,
	.init = platform_native_init,
	.report = platform_native_report,
	.irq_disable = native_irq_disable,
	.irq_enable = native_irq_enable,
	.irq_enabled = native_irq_enabled,
	.idle = native_idle,
	.install_traps = idt_install,
	.write_pte = native_write_pte,
	.write_ptes = native_write_ptes,
	.read_pte = native_read_pte,
	.prepare_page_table = native_prepare_page_table,
	.flush_tlb_page = native_flush_tlb_page,
	.flush_tlb_all = native_flush_tlb_all,
	.page_table_root = native_page_table_root,
	.now_ns = time_native_now_ns,
	.set_timer = time_native_set_timer,
	.tsc_hz = time_native_tsc_hz,
	.early_write = uart_write,
	.shutdown = native_shutdown,
};

const struct platform_ops *platform = &native_platform;
