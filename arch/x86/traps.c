/*
 * traps.c — what happens when the CPU takes an exception or an interrupt.
 *
 * Exceptions the kernel did not plan for are fatal: we print everything a
 * student needs to find the bug (which exception, the faulting address, all
 * registers, a backtrace) and stop with EXIT_PANIC, never hang.  Planned
 * faults (see FAULT_FIXUP_ASM) resume at their fixup instead.  Vectors from
 * 32 up are interrupts, handed to the handler registered in kernel/irq.c.
 */
#include <stddef.h>

#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/traps.h"
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/platform.h"

#define BACKTRACE_MAX_FRAMES    16
#define IDENTITY_MAP_END        0x100000000ull

#define TRAP_VECTORS            256

/* Built by arch/x86/trap_entry.S, next to the entry stubs it points to. */
extern const struct trap_gate trap_gates[TRAP_VECTORS];
_Static_assert(sizeof(struct trap_gate) == 16, "trap_entry.S emits 16-byte gates");
_Static_assert(offsetof(struct trap_gate, entry) == 8, "trap_entry.S layout");
extern const struct fault_fixup __fault_fixups_start[], __fault_fixups_end[];
extern const char __kernel_start[];

struct fault_record last_fixed_fault;

static const char *const exception_names[VEC_EXCEPTIONS] = {
	[VEC_DIVIDE_ERROR] = "#DE divide error",
	[VEC_DEBUG] = "#DB debug",
	[VEC_NMI] = "NMI",
	[VEC_BREAKPOINT] = "#BP breakpoint",
	[VEC_OVERFLOW] = "#OF overflow",
	[VEC_BOUND_RANGE] = "#BR bound range exceeded",
	[VEC_INVALID_OPCODE] = "#UD invalid opcode",
	[VEC_DEVICE_NOT_AVAILABLE] = "#NM device not available",
	[VEC_DOUBLE_FAULT] = "#DF double fault",
	[VEC_INVALID_TSS] = "#TS invalid TSS",
	[VEC_SEGMENT_NOT_PRESENT] = "#NP segment not present",
	[VEC_STACK_FAULT] = "#SS stack fault",
	[VEC_GENERAL_PROTECTION] = "#GP general protection",
	[VEC_PAGE_FAULT] = "#PF page fault",
	[VEC_X87_FPU] = "#MF x87 floating point",
	[VEC_ALIGNMENT_CHECK] = "#AC alignment check",
	[VEC_MACHINE_CHECK] = "#MC machine check",
	[VEC_SIMD_FP] = "#XM SIMD floating point",
	[VEC_VIRTUALIZATION] = "#VE virtualization",
	[VEC_CONTROL_PROTECTION] = "#CP control protection",
	[VEC_HYPERVISOR_INJECTION] = "#HV hypervisor injection",
	[VEC_VMM_COMMUNICATION] = "#VC VMM communication",
	[VEC_SECURITY] = "#SX security",
};

const char *exception_name(uint64_t vector)
{
	if (vector < VEC_EXCEPTIONS && exception_names[vector])
		return exception_names[vector];
	return "reserved exception";
}

void traps_init(void)
{
	platform->install_traps(trap_gates, TRAP_VECTORS);
}

static bool apply_fixup(struct trap_frame *f)
{
	for (const struct fault_fixup *x = __fault_fixups_start;
	     x < __fault_fixups_end; x++) {
		if (x->fault_rip != f->rip)
			continue;
		last_fixed_fault = (struct fault_record){
			.count = last_fixed_fault.count + 1,
			.vector = f->vector,
			.error_code = f->error_code,
			.cr2 = f->vector == VEC_PAGE_FAULT ? read_cr2() : 0,
			.rip = f->rip,
		};
		f->rip = x->resume_rip;
		return true;
	}
	return false;
}

bool probe_read64(uintptr_t addr, uint64_t *value)
{
	uint64_t faults_before = last_fixed_fault.count;
	uint64_t v = 0;

	__asm__ volatile("1: movq (%1), %0\n"
			 "2:\n"
			 FAULT_FIXUP_ASM("1b", "2b")
			 : "+r"(v) : "r"(addr) : "memory");
	*value = v;
	return last_fixed_fault.count == faults_before;
}

bool probe_write64(uintptr_t addr, uint64_t value)
{
	uint64_t faults_before = last_fixed_fault.count;

	__asm__ volatile("1: movq %1, (%0)\n"
			 "2:\n"
			 FAULT_FIXUP_ASM("1b", "2b")
			 : : "r"(addr), "r"(value) : "memory");
	return last_fixed_fault.count == faults_before;
}

static void print_page_fault_cause(uint64_t error_code)
{
	printk("  page fault: %s %s, %s mode\n",
	       error_code & PF_PRESENT ? "protection violation on" : "not-present page on",
	       error_code & PF_INSTRUCTION ? "instruction fetch" :
	       error_code & PF_WRITE ? "write" : "read",
	       error_code & PF_USER ? "user" : "kernel");
	printk("  faulting address (CR2): 0x%016lx\n", read_cr2());
}

static void print_registers(const struct trap_frame *f)
{
	printk("  RIP 0x%016lx  CS  0x%04lx  RFLAGS 0x%08lx\n", f->rip, f->cs, f->rflags);
	printk("  RSP 0x%016lx  SS  0x%04lx  error code %#lx\n", f->rsp, f->ss, f->error_code);
	printk("  RAX 0x%016lx  RBX 0x%016lx  RCX 0x%016lx\n", f->rax, f->rbx, f->rcx);
	printk("  RDX 0x%016lx  RSI 0x%016lx  RDI 0x%016lx\n", f->rdx, f->rsi, f->rdi);
	printk("  RBP 0x%016lx  R8  0x%016lx  R9  0x%016lx\n", f->rbp, f->r8, f->r9);
	printk("  R10 0x%016lx  R11 0x%016lx  R12 0x%016lx\n", f->r10, f->r11, f->r12);
	printk("  R13 0x%016lx  R14 0x%016lx  R15 0x%016lx\n", f->r13, f->r14, f->r15);
	printk("  CR0 0x%016lx  CR3 0x%016lx  CR4 0x%016lx\n", read_cr0(), read_cr3(), read_cr4());
}

/*
 * Walk the frame-pointer chain (we build with -fno-omit-frame-pointer): at
 * each frame, [rbp] holds the caller's rbp and [rbp + 8] the return
 * address.  A corrupt chain must not fault again, so every step is checked:
 * inside the identity map, aligned, and moving up the stack.
 */
static void print_backtrace(const struct trap_frame *f)
{
	uint64_t rbp = f->rbp;

	printk("backtrace (resolve with: addr2line -fpe build/pvkit.elf ADDR...):\n");
	printk("  #0  0x%016lx\n", f->rip);
	for (int depth = 1; depth < BACKTRACE_MAX_FRAMES; depth++) {
		if (rbp == 0 || rbp % 8 != 0 || rbp < (uintptr_t)__kernel_start ||
		    rbp + 16 > IDENTITY_MAP_END)
			break;
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t return_address = frame[1];

		if (return_address == 0)
			break;
		printk("  #%-2d 0x%016lx\n", depth, return_address);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

static void report_unhandled_exception(const struct trap_frame *f)
{
	static bool reporting;

	if (reporting)  /* faulted while reporting: stop before it recurses */
		platform->shutdown(EXIT_PANIC);
	reporting = true;

	printk("\npvkit: EXCEPTION %s (vector %lu) in kernel mode\n",
	       exception_name(f->vector), f->vector);
	if (f->vector == VEC_PAGE_FAULT)
		print_page_fault_cause(f->error_code);
	print_registers(f);
	print_backtrace(f);
	kernel_exit(EXIT_PANIC);
}

void trap_dispatch(struct trap_frame *frame)
{
	if (frame->vector < VEC_EXCEPTIONS) {
		if (!apply_fixup(frame))
			report_unhandled_exception(frame);
		return;
	}
	irq_dispatch((uint8_t)frame->vector);
	if (frame->vector != LAPIC_SPURIOUS_VECTOR)
		lapic_eoi();
}
