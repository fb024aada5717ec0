/*
 * lapic.c — local APIC driver, in x2APIC mode where the CPU offers it.
 *
 * The same registers are reached two ways: as memory at the APIC base
 * (xAPIC: every access is an MMIO exit under a hypervisor) or as MSRs
 * 0x800 + offset/16 (x2APIC: cheaper to virtualize, and the only way past
 * 255 CPUs).  lapic_read/lapic_write hide which one is in use.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"

#define APIC_BASE_ENABLE        (1ull << 11)
#define APIC_BASE_X2APIC        (1ull << 10)
#define APIC_BASE_ADDR_MASK     0xfffff000ull
#define X2APIC_MSR_BASE         0x800

/* Register offsets (Intel SDM vol. 3, table 11-1). */
#define LAPIC_ID                0x020
#define LAPIC_VERSION           0x030
#define LAPIC_TPR               0x080
#define LAPIC_EOI               0x0b0
#define LAPIC_SVR               0x0f0
#define LAPIC_LVT_TIMER         0x320
#define LAPIC_LVT_LINT0         0x350
#define LAPIC_LVT_LINT1         0x360
#define LAPIC_LVT_ERROR         0x370
#define LAPIC_TIMER_INITIAL     0x380
#define LAPIC_TIMER_CURRENT     0x390
#define LAPIC_TIMER_DIVIDE      0x3e0

#define SVR_APIC_ENABLE         (1u << 8)
#define LVT_MASKED              (1u << 16)
#define LVT_DELIVERY_NMI        (4u << 8)
#define LVT_TIMER_TSC_DEADLINE  (2u << 17)
#define TIMER_DIVIDE_BY_16      0x3

static bool x2apic;
static volatile uint32_t *xapic_mmio;
static uint32_t timer_lvt_mode;

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + reg / 16);
	return xapic_mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t value)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + reg / 16, value);
	else
		xapic_mmio[reg / 4] = value;
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	x2apic = cpuid(1, 0).ecx & CPUID1_ECX_X2APIC;
	base |= APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_X2APIC;
	wrmsr(MSR_IA32_APIC_BASE, base);
	/* The xAPIC page lies in the uncached top GiB of the boot identity map. */
	xapic_mmio = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);

	lapic_write(LAPIC_TPR, 0);                      /* accept every priority */
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);       /* the 8259 PIC is unused */
	lapic_write(LAPIC_LVT_LINT1, LVT_DELIVERY_NMI);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
	lapic_write(LAPIC_SVR, SVR_APIC_ENABLE | LAPIC_SPURIOUS_VECTOR);
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);

	return x2apic ? id : id >> 24;
}

uint32_t lapic_version(void)
{
	return lapic_read(LAPIC_VERSION) & 0xff;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void lapic_timer_use_tsc_deadline(bool on)
{
	timer_lvt_mode = on ? LVT_TIMER_TSC_DEADLINE : 0;
	lapic_write(LAPIC_LVT_TIMER, timer_lvt_mode | LAPIC_TIMER_VECTOR);
}

void lapic_timer_oneshot(uint32_t initial_count)
{
	lapic_write(LAPIC_TIMER_INITIAL, initial_count);
}

void lapic_timer_tsc_deadline(uint64_t tsc)
{
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
}

void lapic_timer_stop(void)
{
	if (timer_lvt_mode == LVT_TIMER_TSC_DEADLINE)
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	else
		lapic_write(LAPIC_TIMER_INITIAL, 0);
}

uint32_t lapic_timer_current_count(void)
{
	return lapic_read(LAPIC_TIMER_CURRENT);
}
