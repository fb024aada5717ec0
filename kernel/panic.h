/*
 * panic.h — stop the kernel with a message and a failing exit status.
 */
#ifndef PVKIT_KERNEL_PANIC_H
#define PVKIT_KERNEL_PANIC_H

#include "kernel/platform.h"

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Print a final status line, flush the consoles, and leave through the
 * platform's shutdown: the one way out of the kernel. */
void kernel_exit(enum exit_status status) __attribute__((noreturn));

#define ASSERT(cond)                                                          \
	do {                                                                  \
		if (!(cond))                                                  \
			panic("assertion failed: %s (%s:%d)", #cond,          \
			      __FILE__, __LINE__);                            \
	} while (0)

#endif
