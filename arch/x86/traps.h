/*
 * traps.h — CPU exceptions and interrupt entry: the saved-register frame,
 * the exception vectors by name, and fault fixups.
 */
#ifndef PVKIT_ARCH_X86_TRAPS_H
#define PVKIT_ARCH_X86_TRAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Exception vectors (Intel SDM vol. 3, table 6-1). */
enum {
	VEC_DIVIDE_ERROR = 0, VEC_DEBUG = 1, VEC_NMI = 2, VEC_BREAKPOINT = 3,
	VEC_OVERFLOW = 4, VEC_BOUND_RANGE = 5, VEC_INVALID_OPCODE = 6,
	VEC_DEVICE_NOT_AVAILABLE = 7, VEC_DOUBLE_FAULT = 8,
	VEC_INVALID_TSS = 10, VEC_SEGMENT_NOT_PRESENT = 11,
	VEC_STACK_FAULT = 12, VEC_GENERAL_PROTECTION = 13, VEC_PAGE_FAULT = 14,
	VEC_X87_FPU = 16, VEC_ALIGNMENT_CHECK = 17, VEC_MACHINE_CHECK = 18,
	VEC_SIMD_FP = 19, VEC_VIRTUALIZATION = 20, VEC_CONTROL_PROTECTION = 21,
	VEC_HYPERVISOR_INJECTION = 28, VEC_VMM_COMMUNICATION = 29,
	VEC_SECURITY = 30,
	VEC_EXCEPTIONS = 32,
};

/* Page-fault error code bits. */
#define PF_PRESENT      (1u << 0)
#define PF_WRITE        (1u << 1)
#define PF_USER         (1u << 2)
#define PF_INSTRUCTION  (1u << 4)

/* Saved by trap_entry.S, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

/*
 * Fault fixups: an instruction that is allowed to fault names where to
 * continue instead (Linux calls this the exception table).  Tests use it
 * to take a deliberate fault and check what the handler recorded.
 */
struct fault_fixup {
	uintptr_t fault_rip;
	uintptr_t resume_rip;
};

struct fault_record {
	uint64_t count;
	uint64_t vector;
	uint64_t error_code;
	uint64_t cr2;           /* faulting address, for page faults */
	uint64_t rip;
};

/* The last fault that a fixup recovered from. */
extern struct fault_record last_fixed_fault;

/*
 * FAULT_FIXUP_ASM(label_fault, label_resume): inside an asm statement,
 * registers "the instruction at label_fault may fault; go to label_resume".
 */
#define FAULT_FIXUP_ASM(fault, resume)                                        \
	".pushsection pvkit_fault_fixups, \"a\"\n"                            \
	".balign 8\n"                                                         \
	".quad " fault ", " resume "\n"                                       \
	".popsection\n"

/* Access memory that may not be mapped: true if it worked, false if it
 * faulted (last_fixed_fault then says how). */
bool probe_read64(uintptr_t addr, uint64_t *value);
bool probe_write64(uintptr_t addr, uint64_t value);

const char *exception_name(uint64_t vector);
void traps_init(void);
void trap_dispatch(struct trap_frame *frame);

#endif
