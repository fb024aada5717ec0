/*
 * crash.c — the `crash=` option: take an unhandled exception on purpose.
 */
#include <stdint.h>

#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/crash.h"
#include "lib/string.h"

#define UNMAPPED_ADDRESS        0x00004000dead0000ull   /* canonical, never mapped */
#define NON_CANONICAL_ADDRESS   0x8000000000000000ull

static const char *requested;

static bool set_crash(const char *value)
{
	static const char *const kinds[] = { "pf", "ud", "gp", "de" };

	for (unsigned int i = 0; value && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(value, kinds[i]) == 0) {
			requested = kinds[i];
			return true;
		}
	}
	return false;
}
CMDLINE_OPTION(crash, "crash", set_crash,
	       "take a deliberate exception: pf (page fault), ud (invalid opcode), "
	       "gp (general protection), de (divide error)");

/* noinline: keep a real frame so the backtrace has something to show. */
static void __attribute__((noinline)) crash_now(const char *kind)
{
	printk("pvkit: crashing on purpose (crash=%s)\n", kind);
	if (strcmp(kind, "pf") == 0)
		*(volatile uint64_t *)UNMAPPED_ADDRESS = 1;
	else if (strcmp(kind, "ud") == 0)
		__asm__ volatile("ud2");
	else if (strcmp(kind, "gp") == 0)
		*(volatile uint64_t *)NON_CANONICAL_ADDRESS = 1;
	else if (strcmp(kind, "de") == 0)
		__asm__ volatile("xor %%ecx, %%ecx; divl %%ecx" : : : "eax", "ecx", "edx");
}

void crash_if_requested(void)
{
	if (requested)
		crash_now(requested);
}
