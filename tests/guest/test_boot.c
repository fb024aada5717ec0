/*
 * test_boot.c — what the entry path handed over, and command-line checking.
 */
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/test.h"
#include "lib/string.h"

extern const char __kernel_start[], __kernel_end[];

TEST(boot, memory_map_covers_the_kernel_image)
{
	bool covered = false;

	CHECK(boot_info.mem_count > 0);
	for (unsigned int i = 0; i < boot_info.mem_count; i++) {
		const struct mem_region *r = &boot_info.mem[i];

		CHECK(r->size > 0);
		covered |= r->type == MEM_USABLE &&
			   r->base <= (uintptr_t)__kernel_start &&
			   r->base + r->size >= (uintptr_t)__kernel_end;
	}
	CHECK(covered);
}

static bool contains(const char *s, const char *word)
{
	for (; *s; s++)
		if (str_starts_with(s, word))
			return true;
	return false;
}

TEST(boot, command_line_was_received)
{
	/* We only run when the command line asked for tests. */
	CHECK(contains(boot_info.cmdline, "test="));
}

TEST(boot, unknown_option_is_rejected)
{
	CHECK(!cmdline_parse("no_such_option_for_this_test=1"));
	CHECK(!cmdline_parse("crash=not_a_kind"));
	CHECK(cmdline_parse(""));
}
