/*
 * test_traps.c — exceptions are caught and reported: each test takes a
 * deliberate fault at an instruction with a fixup (FAULT_FIXUP_ASM), and
 * checks what the trap handler recorded about it.
 */
#include "arch/x86/traps.h"
#include "kernel/test.h"

#define UNMAPPED_ADDRESS        0x00004000dead0000ull   /* canonical, never mapped */
#define NON_CANONICAL_ADDRESS   0x8000000000000000ull

TEST(traps, page_fault_is_caught_with_address_and_cause)
{
	uint64_t before = last_fixed_fault.count;

	CHECK(!probe_write64(UNMAPPED_ADDRESS, 1));
	CHECK_EQ(last_fixed_fault.count, before + 1);
	CHECK_EQ(last_fixed_fault.vector, VEC_PAGE_FAULT);
	CHECK_EQ(last_fixed_fault.cr2, UNMAPPED_ADDRESS);
	CHECK(last_fixed_fault.error_code & PF_WRITE);
	CHECK(!(last_fixed_fault.error_code & PF_PRESENT));
}

TEST(traps, read_of_mapped_memory_does_not_fault)
{
	static uint64_t word = 0x1234;
	uint64_t value = 0, before = last_fixed_fault.count;

	CHECK(probe_read64((uintptr_t)&word, &value));
	CHECK_EQ(value, 0x1234);
	CHECK_EQ(last_fixed_fault.count, before);
}

TEST(traps, general_protection_on_non_canonical_address)
{
	uint64_t value;

	CHECK(!probe_read64(NON_CANONICAL_ADDRESS, &value));
	CHECK_EQ(last_fixed_fault.vector, VEC_GENERAL_PROTECTION);
}

TEST(traps, invalid_opcode_is_caught)
{
	uint64_t before = last_fixed_fault.count;

	__asm__ volatile("1: ud2\n"
			 "2:\n"
			 FAULT_FIXUP_ASM("1b", "2b")
			 : : : "memory");
	CHECK_EQ(last_fixed_fault.count, before + 1);
	CHECK_EQ(last_fixed_fault.vector, VEC_INVALID_OPCODE);
}

TEST(traps, divide_error_is_caught)
{
	uint64_t before = last_fixed_fault.count;

	__asm__ volatile("xor %%ecx, %%ecx\n"
			 "1: divl %%ecx\n"
			 "2:\n"
			 FAULT_FIXUP_ASM("1b", "2b")
			 : : : "eax", "ecx", "edx", "memory");
	CHECK_EQ(last_fixed_fault.count, before + 1);
	CHECK_EQ(last_fixed_fault.vector, VEC_DIVIDE_ERROR);
}
