/*
 * console.c — printk and the fan-out to console drivers.
 */
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/platform.h"
#include "lib/printf.h"

static struct console_driver *drivers;

void console_register(struct console_driver *driver)
{
	struct console_driver **tail = &drivers;

	while (*tail)
		tail = &(*tail)->next;
	driver->next = NULL;
	*tail = driver;
}

const struct console_driver *console_drivers(void)
{
	return drivers;
}

void console_write(const char *s, size_t len)
{
	/* Keep an interrupt handler's output from landing mid-line. */
	bool was_enabled = irq_save();

	if (!drivers)
		platform->early_write(s, len);
	for (struct console_driver *d = drivers; d; d = d->next)
		d->write(s, len);
	irq_restore(was_enabled);
}

void console_flush(void)
{
	for (struct console_driver *d = drivers; d; d = d->next)
		if (d->flush)
			d->flush();
}

static void emit_to_console(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	console_write(s, len);
}

int vprintk(const char *fmt, va_list ap)
{
	return vformat(emit_to_console, NULL, fmt, ap);
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
