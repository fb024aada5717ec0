/*
 * test_uart.c — the 16550 register model (host/uart.c), driven like a
 * guest driver would, with a backend that records what comes out.
 */
#include <string.h>

#include "host/uart.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

static struct uart16550 uart;
static char sent[64];
static unsigned int sent_count, irq_changes, input_requests;
static int irq_level;

static void record_transmit(void *opaque, uint8_t byte)
{
	(void)opaque;
	if (sent_count < sizeof(sent) - 1)
		sent[sent_count++] = (char)byte;
}

static void record_irq(void *opaque, int level)
{
	(void)opaque;
	irq_level = level;
	irq_changes++;
}

static void record_want_input(void *opaque)
{
	(void)opaque;
	input_requests++;
}

static void reset(void)
{
	const struct uart_backend backend = { record_transmit, record_irq,
					      record_want_input, NULL };

	memset(sent, 0, sizeof(sent));
	sent_count = irq_changes = input_requests = 0;
	irq_level = 0;
	uart_init(&uart, &backend);
}

static void transmit_and_line_status(void)
{
	reset();
	uart_write(&uart, UART_THR, 'h');
	uart_write(&uart, UART_THR, 'i');
	CHECK_STR(sent, "hi");
	CHECK_UINT(uart_read(&uart, UART_LSR), UART_LSR_THR_EMPTY | UART_LSR_TX_IDLE);
	CHECK_UINT(input_requests, 1);          /* LSR on an empty receiver asks for input */
	CHECK_UINT(irq_changes, 0);             /* no interrupt enabled */
}

static void divisor_latch(void)
{
	reset();
	uart_write(&uart, UART_LCR, UART_LCR_DLAB | 0x03);
	uart_write(&uart, UART_DLL, 0x01);
	uart_write(&uart, UART_DLM, 0x02);
	CHECK_UINT(sent_count, 0);              /* DLL is not THR while DLAB is set */
	CHECK_UINT(uart_read(&uart, UART_DLL), 0x01);
	CHECK_UINT(uart_read(&uart, UART_DLM), 0x02);
	CHECK_UINT(uart_read(&uart, UART_LCR), 0x83);
	uart_write(&uart, UART_LCR, 0x03);
	CHECK_UINT(uart_read(&uart, UART_IER), 0);      /* IER untouched by DLM */
	uart_write(&uart, UART_SCR, 0x5a);
	uart_write(&uart, UART_MCR, 0x0b);
	CHECK_UINT(uart_read(&uart, UART_SCR), 0x5a);
	CHECK_UINT(uart_read(&uart, UART_MCR), 0x0b);
	CHECK_UINT(uart_read(&uart, UART_MSR), UART_MSR_CONNECTED);
}

static void receive_fifo(void)
{
	reset();
	for (int i = 0; i < UART_RX_FIFO_SIZE; i++)
		CHECK(uart_receive(&uart, (uint8_t)('a' + i)));
	CHECK(!uart_receive(&uart, 'z'));       /* full */
	CHECK_UINT(uart_rx_room(&uart), 0);
	CHECK(uart_read(&uart, UART_LSR) & UART_LSR_DATA_READY);
	for (int i = 0; i < UART_RX_FIFO_SIZE; i++)
		CHECK_UINT(uart_read(&uart, UART_RBR), 'a' + i);
	CHECK(!(uart_read(&uart, UART_LSR) & UART_LSR_DATA_READY));
	CHECK_UINT(uart_read(&uart, UART_RBR), 0);
	uart_receive(&uart, 'x');
	uart_write(&uart, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	CHECK_UINT(uart_rx_room(&uart), UART_RX_FIFO_SIZE);
}

static void receive_interrupt(void)
{
	reset();
	uart_receive(&uart, 'k');
	CHECK_UINT(irq_level, 0);               /* not enabled yet */
	CHECK_UINT(uart_read(&uart, UART_IIR), UART_IIR_NONE);
	uart_write(&uart, UART_IER, UART_IER_RX_DATA);
	CHECK_UINT(irq_level, 1);
	uart_write(&uart, UART_FCR, UART_FCR_ENABLE);
	CHECK_UINT(uart_read(&uart, UART_IIR), UART_IIR_FIFO_ENABLED | UART_IIR_RX_DATA);
	CHECK_UINT(uart_read(&uart, UART_RBR), 'k');
	CHECK_UINT(irq_level, 0);
	CHECK_UINT(uart_read(&uart, UART_IIR), UART_IIR_FIFO_ENABLED | UART_IIR_NONE);
	CHECK_UINT(irq_changes, 2);             /* set_irq only on changes */
}

static void transmit_empty_interrupt(void)
{
	reset();
	uart_write(&uart, UART_IER, UART_IER_THR_EMPTY);
	CHECK_UINT(irq_level, 1);               /* the transmitter is empty already */
	CHECK_UINT(uart_read(&uart, UART_IIR), UART_IIR_THR_EMPTY);
	CHECK_UINT(irq_level, 0);               /* reading IIR acknowledged it */
	uart_write(&uart, UART_THR, '!');
	CHECK_UINT(irq_level, 1);               /* sent at once: empty again */
	uart_write(&uart, UART_IER, 0);
	CHECK_UINT(irq_level, 0);
}

static void wide_port_access(void)
{
	reset();
	struct io_region r = uart_io_region(&uart, UART_COM1_BASE);

	CHECK_UINT(r.length, 8);
	r.write(r.opaque, UART_LCR, 2, 0x4103);         /* LCR, then MCR */
	CHECK_UINT(uart_read(&uart, UART_LCR), 0x03);
	CHECK_UINT(uart_read(&uart, UART_MCR), 0x41);
	uart_write(&uart, UART_SCR, 0x41);
	CHECK_UINT(r.read(r.opaque, UART_SCR, 2), 0xff41);      /* past the end: all-ones */
}

void uart_tests(void)
{
	check_run("uart.transmit_and_line_status", transmit_and_line_status);
	check_run("uart.divisor_latch", divisor_latch);
	check_run("uart.receive_fifo", receive_fifo);
	check_run("uart.receive_interrupt", receive_interrupt);
	check_run("uart.transmit_empty_interrupt", transmit_empty_interrupt);
	check_run("uart.wide_port_access", wide_port_access);
}
