/*
 * console.h — the console layer: printk formats once and fans the text out
 * to every registered console driver (the UART, virtio-console, the Xen PV
 * console ring).  Before any driver registers, text goes to the
 * platform's early console so that nothing printed during boot is lost.
 *
 * Input goes the other way: console_read() collects what the drivers have
 * received (each driver buffers its own input), without waiting.
 */
#ifndef PVKIT_KERNEL_CONSOLE_H
#define PVKIT_KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

struct console_driver {
	const char *name;
	void (*write)(const char *s, size_t len);
	void (*flush)(void);            /* optional: wait until output has left */
	/* Optional: copy up to len received bytes into buf and return how
	 * many, 0 when nothing has arrived.  Never waits. */
	size_t (*read)(char *buf, size_t len);
	struct console_driver *next;
};

void console_register(struct console_driver *driver);
/* Takes a driver off the list (a device that stopped working): printk
 * goes on through the others. */
void console_unregister(struct console_driver *driver);
void console_write(const char *s, size_t len);
void console_flush(void);
const struct console_driver *console_drivers(void);
/* Input received by any console, in driver order: up to len bytes, 0 when
 * there is none.  Never waits; poll it (or sleep between calls). */
size_t console_read(char *buf, size_t len);

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);

#endif
