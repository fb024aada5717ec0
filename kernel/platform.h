/*
 * platform.h — the platform layer: every privileged operation the kernel
 * performs, as one table of function pointers chosen once at boot.
 *
 * This is where full virtualization and paravirtualization differ.  Under
 * hardware virtualization (HVM, PVH) the guest runs in ring 0 and uses the
 * real instructions: cli/sti, hlt, lidt, writes to its own page tables,
 * mov to %cr3, the local APIC timer.  A Xen PV guest runs deprivileged and
 * must ask the hypervisor for each of these (vcpu_info's upcall mask,
 * SCHEDOP_block, set_trap_table, mmu_update/mmuext_op, the single-shot timer
 * hypercall, the console ring, SCHEDOP_shutdown).  Everything above this
 * table is shared: a caller never knows which implementation it got.
 *
 * Implementations: arch/x86/platform_native.c (the CPU is virtualized by
 * hardware, or there is no hypervisor at all); pv/xen/xen_platform.c (the
 * native table with Xen's console and shutdown, for a PVH guest on Xen);
 * pv/xen/xen_pv_platform.c (a Xen PV guest: every operation a hypercall).
 */
#ifndef PVKIT_KERNEL_PLATFORM_H
#define PVKIT_KERNEL_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One entry of the trap table handed to install_traps(). */
struct trap_gate {
	uint8_t vector;         /* 0-31 exceptions, 32-255 interrupts */
	uint8_t ist;            /* 0, or the TSS interrupt-stack slot to switch to */
	uint8_t dpl;            /* lowest privilege level allowed to `int` it */
	void *entry;            /* assembly entry stub (arch/x86/trap_entry.S) */
};

/* One entry of a batch handed to write_ptes(): which PTE, and its value. */
struct pte_write {
	uint64_t *pte;
	uint64_t value;
};

/* Why the kernel stops: the value every host reports as our exit status. */
enum exit_status {
	EXIT_OK = 0,            /* boot report or every test passed */
	EXIT_TESTS_FAILED = 1,  /* at least one in-guest test failed */
	EXIT_BAD_CMDLINE = 2,   /* unknown or malformed command-line option */
	EXIT_PANIC = 3,         /* panic or unhandled exception */
};

struct platform_ops {
	const char *name;
	/* in/out instructions reach (possibly absent) devices.  False for a
	 * Xen PV guest, where they fault: PC device probes must not run. */
	bool port_io;

	/* Bring up what the rest needs (CPU tables, interrupt delivery, time,
	 * the platform's device buses) and describe it in the boot report. */
	void (*init)(void);
	void (*report)(void);

	/* Interrupts: masking, and waiting for the next one. */
	void (*irq_disable)(void);
	void (*irq_enable)(void);
	bool (*irq_enabled)(void);
	/* Called with interrupts disabled: enable them, wait for one to be
	 * handled, return with them disabled again (no lost wake-ups). */
	void (*idle)(void);

	/* Traps: make these entry points the CPU's exception/interrupt table. */
	void (*install_traps)(const struct trap_gate *gates, size_t count);

	/* Page tables.  Physical addresses name the tables; a PV guest
	 * translates them to machine frames inside its implementation. */
	void (*write_pte)(uint64_t *pte, uint64_t value);
	/* Several entries at once, as write_pte each: natively the same
	 * stores; a PV guest sends them to Xen in one mmu_update, so the cost
	 * of entering Xen is paid once per batch instead of once per entry. */
	void (*write_ptes)(const struct pte_write *writes, size_t count);
	/* An entry as the kernel wrote it: physical address, flags.  (A PV
	 * guest's tables hold machine addresses, translated back here.) */
	uint64_t (*read_pte)(const uint64_t *pte);
	/* A zeroed page is about to become a page table.  Natively nothing to
	 * do; Xen accepts a PV guest's table only once it is mapped read-only. */
	void (*prepare_page_table)(uint64_t paddr);
	void (*flush_tlb_page)(uintptr_t va);
	void (*flush_tlb_all)(void);
	uint64_t (*page_table_root)(void);

	/* Time: monotonic nanoseconds since boot, and a one-shot timer that
	 * calls timer_interrupt() (kernel/timer.h) at or after the deadline.
	 * A deadline of 0 cancels it. */
	uint64_t (*now_ns)(void);
	void (*set_timer)(uint64_t deadline_ns);
	uint64_t (*tsc_hz)(void);       /* to turn TSC cycle counts into time */

	/* Console usable from the first line of C, before any driver. */
	void (*early_write)(const char *s, size_t len);

	/* Stop the machine; the status reaches whoever started us. */
	void (*shutdown)(enum exit_status status) __attribute__((noreturn));
};

/* The implementation chosen at boot; never NULL after platform_init. */
extern const struct platform_ops *platform;

#endif
