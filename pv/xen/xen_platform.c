/*
 * xen_platform.c — the platform of a PVH guest on Xen: the native one,
 * with the operations that have no hardware behind them replaced.
 *
 * A PVH guest runs in ring 0 with hardware virtualization, so cli/sti, hlt,
 * lidt, its page tables and the local APIC work as on any PC: those entries
 * of the native table stay.  But PVH has no emulated devices at all: no
 * UART and no isa-debug-exit port, so the native early console and the
 * native shutdown (port 0xf4, then a triple fault) would reach nobody.
 * Xen's ways replace them: the PV console ring, and SCHEDOP_shutdown.
 *
 * The table is copied from the native one at boot and a few pointers are
 * changed (init also chooses the event-channel ABI); kernel/platform.h
 * keeps its shape, and the boot report's "platform" line says which table
 * we got.
 */
#include "kernel/platform.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_console.h"
#include "pv/xen/xen_evtchn.h"
#include "pv/xen/xen_platform.h"

static struct platform_ops xen_pvh_platform;
static void (*native_report)(void);
static void (*native_init)(void);

/*
 * SCHEDOP_shutdown carries a reason, not a number: the toolstack sees
 * "poweroff", "crash"...  Our exit status travels on the console instead:
 * kernel_exit() prints "pvkit: exit status N" and flushes the consoles
 * before calling us, and scripts/xen-lab.sh reads that line.  A panic is
 * reported as a crash, so `xl` and Xen's log say so too.
 */
static unsigned int shutdown_reason(enum exit_status status)
{
	return status == EXIT_PANIC ? SHUTDOWN_crash : SHUTDOWN_poweroff;
}

static void __attribute__((noreturn)) xen_shutdown(enum exit_status status)
{
	struct sched_shutdown shutdown = { .reason = shutdown_reason(status) };

	xen_console_flush();
	xen_sched_op(SCHEDOP_shutdown, &shutdown);
	/* Not reached: Xen does not run a domain that shut down.  If it ever
	 * returned, stop here rather than run on. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* After the command line is parsed (evtchn=) and before any port gets a
 * handler: choose the event-channel ABI; then the console's port gets its. */
static void xen_pvh_init(void)
{
	native_init();
	xen_evtchn_init();
	xen_console_bind_events();
}

static void xen_pvh_report(void)
{
	native_report();
	xen_report();
}

void xen_platform_select(void)
{
	xen_pvh_platform = *platform;
	native_report = platform->report;
	native_init = platform->init;
	xen_pvh_platform.name = "native on Xen (PV console, SCHEDOP_shutdown)";
	xen_pvh_platform.init = xen_pvh_init;
	xen_pvh_platform.report = xen_pvh_report;
	xen_pvh_platform.shutdown = xen_shutdown;
	if (xen_console_ready())
		xen_pvh_platform.early_write = xen_console_write;
	platform = &xen_pvh_platform;
}
