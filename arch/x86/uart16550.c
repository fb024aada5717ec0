/*
 * uart16550.c — a polled 16550 UART driver on COM1: console output, and
 * input for console_read().
 *
 * Output is written in bursts of up to the FIFO's depth after one check
 * that the transmitter is empty, instead of checking before every byte:
 * under a hypervisor each port access is a VM exit.  A burst is a single
 * `rep outsb`: one instruction where kernel code is emulated instruction by
 * instruction (this machine's KVM), though KVM still exits once per byte.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/uart16550.h"
#include "kernel/console.h"

#define COM1_PORT       0x3f8

/* Register offsets from COM1_PORT. */
#define UART_THR        0       /* transmit holding (write) */
#define UART_RBR        0       /* receive buffer (read) */
#define UART_DLL        0       /* divisor latch low (DLAB=1) */
#define UART_IER        1       /* interrupt enable */
#define UART_DLM        1       /* divisor latch high (DLAB=1) */
#define UART_FCR        2       /* FIFO control (write) */
#define UART_LCR        3       /* line control */
#define UART_MCR        4       /* modem control */
#define UART_LSR        5       /* line status */

#define LCR_8N1         0x03
#define LCR_DLAB        0x80
#define FCR_ENABLE_AND_CLEAR 0x07
#define MCR_DTR_RTS     0x03
#define LSR_DATA_READY  0x01    /* the receive buffer holds a byte */
#define LSR_ABSENT      0xff    /* what a port with no UART behind it reads */
#define LSR_THR_EMPTY   0x20    /* the transmit FIFO can take FIFO_DEPTH bytes */
#define LSR_TX_IDLE     0x40    /* FIFO and shift register are both empty */

#define FIFO_DEPTH      16
#define BAUD_115200_DIVISOR 1
#define MAX_STATUS_POLLS 1000000 /* a stuck or absent UART must not hang us */

static void wait_for_status(uint8_t bits)
{
	for (int i = 0; i < MAX_STATUS_POLLS; i++) {
		if ((inb(COM1_PORT + UART_LSR) & bits) == bits)
			return;
		cpu_relax();
	}
}

void uart_init(void)
{
	outb(COM1_PORT + UART_IER, 0);
	outb(COM1_PORT + UART_LCR, LCR_DLAB);
	outb(COM1_PORT + UART_DLL, BAUD_115200_DIVISOR);
	outb(COM1_PORT + UART_DLM, 0);
	outb(COM1_PORT + UART_LCR, LCR_8N1);
	outb(COM1_PORT + UART_FCR, FCR_ENABLE_AND_CLEAR);
	outb(COM1_PORT + UART_MCR, MCR_DTR_RTS);
}

/* Send up to one FIFO's worth with a single `rep outsb` instruction. */
static void send_burst(const char *s, size_t len)
{
	__asm__ volatile("rep outsb"
			 : "+S"(s), "+c"(len)
			 : "d"((uint16_t)(COM1_PORT + UART_THR))
			 : "memory");
}

static size_t run_before_newline(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] != '\n')
		n++;
	return n;
}

/* Terminals want "\r\n"; the kernel writes "\n". */
void uart_write(const char *s, size_t len)
{
	static const char crlf[] = "\r\n";

	while (len > 0) {
		size_t text = run_before_newline(s, len);
		size_t burst = text < FIFO_DEPTH ? text : FIFO_DEPTH;

		wait_for_status(LSR_THR_EMPTY);
		if (burst == 0) {       /* at a newline */
			send_burst(crlf, 2);
			burst = 1;
		} else {
			send_burst(s, burst);
		}
		s += burst;
		len -= burst;
	}
}

static void uart_flush(void)
{
	wait_for_status(LSR_TX_IDLE);
}

/* Whatever has arrived, byte by byte (each byte costs two port reads, so
 * two VM exits: fine for typed input).  Interrupts stay off (IER = 0). */
static size_t uart_read(char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		uint8_t lsr = inb(COM1_PORT + UART_LSR);

		if (lsr == LSR_ABSENT || !(lsr & LSR_DATA_READY))
			break;
		buf[got++] = (char)inb(COM1_PORT + UART_RBR);
	}
	return got;
}

static struct console_driver uart_console = {
	.name = "uart16550",
	.write = uart_write,
	.flush = uart_flush,
	.read = uart_read,
};

void uart_register_console(void)
{
	console_register(&uart_console);
}

void uart_unregister_console(void)
{
	console_unregister(&uart_console);
}
