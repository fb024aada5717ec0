/*
 * uart.c — the 16550 UART register model (see host/uart.h).
 *
 * What is modelled: the divisor latch and the other plain registers, a
 * 16-byte receive FIFO, the line status (the transmitter is always empty,
 * because a byte is handed to the backend the moment it is written), and
 * two interrupt sources, "received data available" and "transmitter
 * empty", reported through IIR and one interrupt line.  Not modelled:
 * line errors, modem-status interrupts, loopback, and the OUT2 gate that
 * PC boards put on the interrupt line (QEMU does not gate either).
 */
#include <stddef.h>

#include "host/uart.h"

#define UART_IER_MASK   0x0f

static void notify_irq(struct uart16550 *uart)
{
	bool rx = (uart->ier & UART_IER_RX_DATA) && uart->rx_count > 0;
	bool tx = (uart->ier & UART_IER_THR_EMPTY) && uart->thr_empty_pending;
	int level = rx || tx;

	if (level != uart->irq_level) {
		uart->irq_level = level;
		if (uart->backend.set_irq)
			uart->backend.set_irq(uart->backend.opaque, level);
	}
}

void uart_init(struct uart16550 *uart, const struct uart_backend *backend)
{
	*uart = (struct uart16550){ .backend = *backend };
}

static void ask_for_input(struct uart16550 *uart)
{
	if (uart->rx_count == 0 && uart->backend.want_input)
		uart->backend.want_input(uart->backend.opaque);
}

static uint8_t pop_rx(struct uart16550 *uart)
{
	ask_for_input(uart);
	if (uart->rx_count == 0)
		return 0;
	uint8_t byte = uart->rx_fifo[uart->rx_head];

	uart->rx_head = (uart->rx_head + 1) % UART_RX_FIFO_SIZE;
	uart->rx_count--;
	notify_irq(uart);
	return byte;
}

/* Reading IIR tells the guest the highest-priority source; reading it
 * while "transmitter empty" is the answer acknowledges that interrupt. */
static uint8_t read_iir(struct uart16550 *uart)
{
	uint8_t fifo = (uart->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO_ENABLED : 0;

	if ((uart->ier & UART_IER_RX_DATA) && uart->rx_count > 0)
		return fifo | UART_IIR_RX_DATA;
	if ((uart->ier & UART_IER_THR_EMPTY) && uart->thr_empty_pending) {
		uart->thr_empty_pending = false;
		notify_irq(uart);
		return fifo | UART_IIR_THR_EMPTY;
	}
	return fifo | UART_IIR_NONE;
}

static uint8_t read_lsr(struct uart16550 *uart)
{
	ask_for_input(uart);
	return UART_LSR_THR_EMPTY | UART_LSR_TX_IDLE |
	       (uart->rx_count > 0 ? UART_LSR_DATA_READY : 0);
}

uint8_t uart_read(struct uart16550 *uart, unsigned int offset)
{
	bool dlab = uart->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_RBR: return dlab ? uart->dll : pop_rx(uart);
	case UART_IER: return dlab ? uart->dlm : uart->ier;
	case UART_IIR: return read_iir(uart);
	case UART_LCR: return uart->lcr;
	case UART_MCR: return uart->mcr;
	case UART_LSR: return read_lsr(uart);
	case UART_MSR: return UART_MSR_CONNECTED;
	case UART_SCR: return uart->scr;
	default: return 0xff;
	}
}

static void write_thr(struct uart16550 *uart, uint8_t value)
{
	if (uart->backend.transmit)
		uart->backend.transmit(uart->backend.opaque, value);
	uart->thr_empty_pending = true;         /* sent at once: empty again */
	notify_irq(uart);
}

static void write_ier(struct uart16550 *uart, uint8_t value)
{
	bool tx_newly_enabled = (value & UART_IER_THR_EMPTY) &&
				!(uart->ier & UART_IER_THR_EMPTY);

	uart->ier = value & UART_IER_MASK;
	if (tx_newly_enabled)
		uart->thr_empty_pending = true; /* the transmitter is already empty */
	notify_irq(uart);
}

static void write_fcr(struct uart16550 *uart, uint8_t value)
{
	if (value & UART_FCR_CLEAR_RX)
		uart->rx_head = uart->rx_count = 0;
	uart->fcr = value & UART_FCR_ENABLE;
	notify_irq(uart);
}

void uart_write(struct uart16550 *uart, unsigned int offset, uint8_t value)
{
	bool dlab = uart->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_THR:
		if (dlab)
			uart->dll = value;
		else
			write_thr(uart, value);
		break;
	case UART_IER:
		if (dlab)
			uart->dlm = value;
		else
			write_ier(uart, value);
		break;
	case UART_FCR: write_fcr(uart, value); break;
	case UART_LCR: uart->lcr = value; break;
	case UART_MCR: uart->mcr = value; break;
	case UART_SCR: uart->scr = value; break;
	default: break;         /* LSR and MSR are read-only */
	}
}

unsigned int uart_rx_room(const struct uart16550 *uart)
{
	return UART_RX_FIFO_SIZE - uart->rx_count;
}

bool uart_receive(struct uart16550 *uart, uint8_t byte)
{
	if (uart->rx_count == UART_RX_FIFO_SIZE)
		return false;
	uart->rx_fifo[(uart->rx_head + uart->rx_count) % UART_RX_FIFO_SIZE] = byte;
	uart->rx_count++;
	notify_irq(uart);
	return true;
}

/* A 16-bit or 32-bit access to the UART's ports is, on the ISA bus, one
 * byte access per port, lowest first; bytes past the last port are lost
 * (write) or read as all-ones. */
static uint64_t uart_io_read(void *opaque, uint64_t offset, unsigned int size)
{
	uint64_t value = 0;

	for (unsigned int i = 0; i < size; i++) {
		uint64_t byte = offset + i < UART_PORT_COUNT ?
				uart_read(opaque, (unsigned int)(offset + i)) : 0xff;

		value |= byte << (8 * i);
	}
	return value;
}

static void uart_io_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value)
{
	for (unsigned int i = 0; i < size && offset + i < UART_PORT_COUNT; i++)
		uart_write(opaque, (unsigned int)(offset + i), (uint8_t)(value >> (8 * i)));
}

struct io_region uart_io_region(struct uart16550 *uart, uint16_t base)
{
	return (struct io_region){
		.name = "uart16550", .base = base, .length = UART_PORT_COUNT,
		.opaque = uart, .read = uart_io_read, .write = uart_io_write,
	};
}
