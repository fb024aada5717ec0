/*
 * setup_native.c — from the entry stub to kernel_main on the native platform.
 *
 * Order matters: the console first (so any failure can be reported), then
 * the boot information (copied before anything can overwrite it), then the
 * CPU's own tables, the interrupt controllers and time.
 */
#include "arch/x86/ata.h"
#include "arch/x86/boot_defs.h"
#include "arch/x86/boot_native.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/hypervisor.h"
#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"
#include "arch/x86/pci.h"
#include "arch/x86/pic.h"
#include "arch/x86/platform_native.h"
#include "arch/x86/time_native.h"
#include "arch/x86/traps.h"
#include "arch/x86/uart16550.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/main.h"
#include "kernel/panic.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_console.h"

void boot_native(uint32_t path, uint32_t info_paddr)
{
	uart_init();
	uart_register_console();
	boot_info.entry_tsc = boot_entry_tsc;

	switch (path) {
	case BOOT_PATH_PVH:
		pvh_read_boot_info(info_paddr);
		break;
	case BOOT_PATH_MULTIBOOT2:
		multiboot2_read_boot_info(info_paddr);
		break;
	default:
		panic("entered through the Multiboot2 entry point without the "
		      "Multiboot2 magic in %%eax: unknown loader");
	}
	/* On Xen, its console replaces the UART before the first line is
	 * printed: a PVH domain has no UART (pv/xen/xen.h). */
	if (xen_early_init() && xen_console_ready())
		uart_unregister_console();
	kernel_main();
}

void platform_native_init(void)
{
	gdt_init();
	traps_init();
	hypervisor_detect();
	pic_disable();
	lapic_init();
	ioapic_init();
	time_native_init();
	pci_enumerate();
	ata_probe();
}

void platform_native_report(void)
{
	printk("interrupts: LAPIC id %u (%s, version %#x), ", lapic_id(),
	       lapic_x2apic_mode() ? "x2APIC" : "xAPIC", lapic_version());
	if (ioapic_present())
		printk("IOAPIC at %#x with %u pins, ", ioapic_base(), ioapic_pins());
	else
		printk("no IOAPIC, ");
	printk("8259 PIC masked\n");
	time_native_report();
	pci_report();
}
