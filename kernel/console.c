/*
 * console.c — printk and the fan-out to console drivers; console_read and
 * the fan-in of their input.
 */
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/platform.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct console_driver *drivers;

void console_register(struct console_driver *driver)
{
	struct console_driver **tail = &drivers;

	while (*tail)
		tail = &(*tail)->next;
	driver->next = NULL;
	*tail = driver;
}

/*
 * The driver's own next link is left as it is: console_write may be in the
 * middle of the list, inside this very driver's write (which found its
 * device broken), and must still be able to step to the drivers after it.
 */
void console_unregister(struct console_driver *driver)
{
	bool was_enabled = irq_save();

	for (struct console_driver **link = &drivers; *link; link = &(*link)->next) {
		if (*link == driver) {
			*link = driver->next;
			break;
		}
	}
	irq_restore(was_enabled);
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

size_t console_read(char *buf, size_t len)
{
	size_t got = 0;

	for (struct console_driver *d = drivers; d && got < len; d = d->next)
		if (d->read)
			got += d->read(buf + got, len - got);
	return got;
}

/*
 * printk formats into a buffer and writes it out in large pieces: one
 * console_write per buffer rather than one per run of text.  Each write
 * costs a few hundred instructions (interrupt masking, the driver), which
 * adds up where guest kernel code is emulated.
 */
#define PRINTK_BUFFER 256

struct printk_buffer {
	char text[PRINTK_BUFFER];
	size_t used;
};

static void printk_drain(struct printk_buffer *b)
{
	if (b->used)
		console_write(b->text, b->used);
	b->used = 0;
}

static void emit_to_buffer(void *ctx, const char *s, size_t len)
{
	struct printk_buffer *b = ctx;

	while (len > 0) {
		size_t room = sizeof(b->text) - b->used;
		size_t n = len < room ? len : room;

		memcpy(b->text + b->used, s, n);
		b->used += n;
		s += n;
		len -= n;
		if (b->used == sizeof(b->text))
			printk_drain(b);
	}
}

int vprintk(const char *fmt, va_list ap)
{
	struct printk_buffer b;
	int n;

	b.used = 0;
	n = vformat(emit_to_buffer, &b, fmt, ap);
	printk_drain(&b);
	return n;
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
