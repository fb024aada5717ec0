/*
 * uart.h — a model of the 16550 UART's registers, as COM1 (ports
 * 0x3f8-0x3ff, ISA IRQ 4).
 *
 * The model is pure: it knows nothing about KVM, terminals or files.  It
 * hands transmitted bytes, interrupt-line changes and "the guest is
 * looking for input" to a backend (host/console.c in pvkit-hv, a recorder
 * in the tests) and receives bytes with uart_receive.
 */
#ifndef PVKIT_HOST_UART_H
#define PVKIT_HOST_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "host/io.h"

#define UART_COM1_BASE          0x3f8
#define UART_COM1_IRQ           4
#define UART_PORT_COUNT         8
#define UART_RX_FIFO_SIZE       16

/* Register offsets from the base port. */
#define UART_RBR        0       /* receive buffer (read, DLAB=0) */
#define UART_THR        0       /* transmit holding (write, DLAB=0) */
#define UART_DLL        0       /* divisor latch low (DLAB=1) */
#define UART_IER        1       /* interrupt enable (DLAB=0) */
#define UART_DLM        1       /* divisor latch high (DLAB=1) */
#define UART_IIR        2       /* interrupt identification (read) */
#define UART_FCR        2       /* FIFO control (write) */
#define UART_LCR        3       /* line control */
#define UART_MCR        4       /* modem control */
#define UART_LSR        5       /* line status */
#define UART_MSR        6       /* modem status */
#define UART_SCR        7       /* scratch */

#define UART_IER_RX_DATA        0x01    /* interrupt when received data is available */
#define UART_IER_THR_EMPTY      0x02    /* interrupt when the transmitter can take more */
#define UART_IIR_NONE           0x01    /* no interrupt pending */
#define UART_IIR_THR_EMPTY      0x02
#define UART_IIR_RX_DATA        0x04
#define UART_IIR_FIFO_ENABLED   0xc0
#define UART_FCR_ENABLE         0x01
#define UART_FCR_CLEAR_RX       0x02
#define UART_LCR_DLAB           0x80
#define UART_LSR_DATA_READY     0x01
#define UART_LSR_THR_EMPTY      0x20
#define UART_LSR_TX_IDLE        0x40
#define UART_MSR_CONNECTED      0xb0    /* DCD, DSR, CTS: a cable with a terminal on it */

/* Where the UART's outside world is. */
struct uart_backend {
	void (*transmit)(void *opaque, uint8_t byte);
	void (*set_irq)(void *opaque, int level);       /* only called on a change */
	void (*want_input)(void *opaque);       /* guest looks at an empty receiver */
	void *opaque;
};

struct uart16550 {
	struct uart_backend backend;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t rx_fifo[UART_RX_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	bool thr_empty_pending;         /* the "THR empty" interrupt is waiting */
	int irq_level;
};

void uart_init(struct uart16550 *uart, const struct uart_backend *backend);
uint8_t uart_read(struct uart16550 *uart, unsigned int offset);
void uart_write(struct uart16550 *uart, unsigned int offset, uint8_t value);

/* Bytes the receive FIFO can still take, and one byte from the outside
 * (false if the FIFO is full: the byte is not taken). */
unsigned int uart_rx_room(const struct uart16550 *uart);
bool uart_receive(struct uart16550 *uart, uint8_t byte);

/* The port range of this UART at base, for the port bus. */
struct io_region uart_io_region(struct uart16550 *uart, uint16_t base);

#endif
