/*
 * console.c — the UART's backend: guest output to stdout, stdin to the
 * guest (see host/console.h).
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "host/console.h"

void console_init(struct console *con, int in_fd, int out_fd, struct uart16550 *uart)
{
	con->in_fd = in_fd;
	con->out_fd = out_fd;
	con->out_used = 0;
	con->uart = uart;
}

/* Writes everything, retrying after signals; if stdout is gone (a closed
 * pipe: SIGPIPE is ignored) the output is dropped, the guest runs on. */
void console_flush(struct console *con)
{
	size_t done = 0;

	while (done < con->out_used) {
		ssize_t n = write(con->out_fd, con->out + done, con->out_used - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	con->out_used = 0;
}

void console_transmit(void *opaque, uint8_t byte)
{
	struct console *con = opaque;

	con->out[con->out_used++] = (char)byte;
	if (byte == '\n' || con->out_used == sizeof(con->out))
		console_flush(con);
}

/* Moves waiting input into the UART's receive FIFO, as much as fits. */
void console_want_input(void *opaque)
{
	struct console *con = opaque;
	unsigned int room = uart_rx_room(con->uart);
	struct pollfd pfd = { .fd = con->in_fd, .events = POLLIN };
	uint8_t buf[UART_RX_FIFO_SIZE];

	if (con->in_fd < 0 || room == 0 || poll(&pfd, 1, 0) != 1)
		return;
	ssize_t n = read(con->in_fd, buf, room);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		con->in_fd = -1;        /* end of input (or an error): stop asking */
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		uart_receive(con->uart, buf[i]);
}
