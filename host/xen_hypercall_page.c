/*
 * xen_hypercall_page.c — the stubs of the hypercall page (see
 * host/xen_hypercall_page.h).
 */
#include <string.h>

#include "host/xen_hypercall_page.h"

#define OPCODE_MOV_IMM32_EAX    0xb8
#define OPCODE_OUT_EAX_IMM8     0xe7
#define OPCODE_RET              0xc3
#define OPCODE_INT3             0xcc

static void write_stub(uint8_t *stub, uint32_t nr, uint8_t port)
{
	uint8_t *p = stub;

	memset(stub, OPCODE_INT3, XEN_HYPERCALL_STUB_SIZE);
	*p++ = OPCODE_MOV_IMM32_EAX;
	for (unsigned int i = 0; i < 4; i++)
		*p++ = (uint8_t)(nr >> (8 * i));
	*p++ = OPCODE_OUT_EAX_IMM8;
	*p++ = port;
	*p = OPCODE_RET;
}

void xen_hypercall_page_fill(uint8_t *page, uint8_t port)
{
	for (uint32_t nr = 0; nr < XEN_HYPERCALL_STUBS; nr++)
		write_stub(page + nr * XEN_HYPERCALL_STUB_SIZE, nr, port);
}
