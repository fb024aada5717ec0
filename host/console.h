/*
 * console.h — connects the UART to pvkit-hv's stdin and stdout.
 *
 * Output is collected in a buffer and written at each newline, when the
 * buffer is full, on every housekeeping tick (so a prompt without a
 * newline still appears within a tick) and at exit.  Input is read only
 * when some is waiting (poll with a zero timeout): the vCPU never blocks
 * on the terminal.
 */
#ifndef PVKIT_HOST_CONSOLE_H
#define PVKIT_HOST_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "host/uart.h"

#define CONSOLE_OUT_BUFFER 4096

struct console {
	int in_fd;                      /* -1 once input has ended */
	int out_fd;
	char out[CONSOLE_OUT_BUFFER];
	size_t out_used;
	struct uart16550 *uart;         /* where input goes */
};

void console_init(struct console *con, int in_fd, int out_fd, struct uart16550 *uart);
/* uart_backend callbacks: opaque is the struct console. */
void console_transmit(void *opaque, uint8_t byte);
void console_want_input(void *opaque);
/* Writes whatever is buffered. */
void console_flush(struct console *con);

#endif
