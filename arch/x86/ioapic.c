/*
 * ioapic.c — I/O APIC driver.
 *
 * The I/O APIC has just two memory-mapped registers: IOREGSEL selects an
 * internal register and IOWIN reads or writes it.  Each input pin has a
 * 64-bit redirection entry: vector, delivery mode, trigger, mask, target.
 * We use the address every PC firmware puts it at (0xfec00000); reading
 * ACPI's MADT to confirm it is left for when there is more than one.
 */
#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"

#define IOREGSEL                0x00
#define IOWIN                   0x10
#define IOAPIC_REG_VERSION      0x01
#define IOAPIC_REG_REDIRECTION  0x10    /* two registers per pin */
#define REDIRECTION_MASKED      (1u << 16)
#define ABSENT_REGISTER         0xffffffffu

static volatile uint32_t *const ioapic =
	(volatile uint32_t *)(uintptr_t)IOAPIC_DEFAULT_BASE;
static unsigned int pins;

static uint32_t ioapic_read(uint32_t reg)
{
	ioapic[IOREGSEL / 4] = reg;
	return ioapic[IOWIN / 4];
}

static void ioapic_write(uint32_t reg, uint32_t value)
{
	ioapic[IOREGSEL / 4] = reg;
	ioapic[IOWIN / 4] = value;
}

/* Masks every pin; returns false when no I/O APIC answers. */
bool ioapic_init(void)
{
	uint32_t version = ioapic_read(IOAPIC_REG_VERSION);

	if (version == ABSENT_REGISTER)
		return false;
	pins = ((version >> 16) & 0xff) + 1;
	for (unsigned int pin = 0; pin < pins; pin++)
		ioapic_mask(pin);
	return true;
}

bool ioapic_present(void)
{
	return pins != 0;
}

unsigned int ioapic_pins(void)
{
	return pins;
}

uint32_t ioapic_base(void)
{
	return IOAPIC_DEFAULT_BASE;
}

void ioapic_mask(unsigned int pin)
{
	ioapic_write(IOAPIC_REG_REDIRECTION + 2 * pin, REDIRECTION_MASKED);
}

void ioapic_route(unsigned int pin, uint8_t vector)
{
	ioapic_write(IOAPIC_REG_REDIRECTION + 2 * pin + 1, lapic_id() << 24);
	ioapic_write(IOAPIC_REG_REDIRECTION + 2 * pin, vector);
}
