/*
 * console.h — the console layer: printk formats once and fans the text out
 * to every registered console driver (UART now; virtio-console and the Xen
 * PV console later).  Before any driver registers, text goes to the
 * platform's early console so that nothing printed during boot is lost.
 */
#ifndef PVKIT_KERNEL_CONSOLE_H
#define PVKIT_KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

struct console_driver {
	const char *name;
	void (*write)(const char *s, size_t len);
	void (*flush)(void);            /* optional: wait until output has left */
	struct console_driver *next;
};

void console_register(struct console_driver *driver);
void console_write(const char *s, size_t len);
void console_flush(void);
const struct console_driver *console_drivers(void);

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);

#endif
