/*
 * panic.c — the kernel's way out: panic() for the unexpected, kernel_exit()
 * for every planned stop.
 */
#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/panic.h"
#include "kernel/platform.h"

void kernel_exit(enum exit_status status)
{
	/* The line lets a host that lacks an exit device still see the status. */
	printk("pvkit: exit status %d\n", status);
	console_flush();
	platform->shutdown(status);
}

void panic(const char *fmt, ...)
{
	static bool panicking;
	va_list ap;

	platform->irq_disable();
	if (panicking)          /* a panic while printing a panic: just stop */
		platform->shutdown(EXIT_PANIC);
	panicking = true;

	printk("\npvkit: PANIC: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	kernel_exit(EXIT_PANIC);
}
