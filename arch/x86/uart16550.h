/*
 * uart16550.h — the PC serial port (COM1), the console every PC host has.
 */
#ifndef PVKIT_ARCH_X86_UART16550_H
#define PVKIT_ARCH_X86_UART16550_H

#include <stddef.h>

void uart_init(void);
void uart_write(const char *s, size_t len);
void uart_register_console(void);
/* For a machine without a UART (Xen PVH): stop writing to nobody. */
void uart_unregister_console(void);

#endif
