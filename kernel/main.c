/*
 * main.c — the kernel proper, after any entry path: parse the command line,
 * bring up the platform and memory, print the boot report, then do what the
 * command line asked (run tests, crash on purpose, a benchmark, answer the
 * network for echo=SECONDS) or stop with status 0.
 */
#include "kernel/bench.h"
#include "kernel/block.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/crash.h"
#include "kernel/main.h"
#include "kernel/netdev.h"
#include "kernel/page_alloc.h"
#include "kernel/panic.h"
#include "kernel/platform.h"
#include "kernel/test.h"
#include "arch/x86/cpu.h"
#include "arch/x86/hypervisor.h"
#include "lib/string.h"
#include "net/net.h"
#include "pv/virtio/virtio.h"
#include "pv/xen/blkfront.h"
#include "pv/xen/netfront.h"

#define PVKIT_VERSION "0.1.0"

#define TEST_PREFIX_MAX 128

static char test_prefix[TEST_PREFIX_MAX];
static bool help_requested;

static bool set_test(const char *value)
{
	if (!value || !*value || strlen(value) >= sizeof(test_prefix))
		return false;
	strlcpy(test_prefix, value, sizeof(test_prefix));
	return true;
}
CMDLINE_OPTION(test, "test", set_test,
	       "run in-guest tests: test=all, or test=PREFIX (e.g. test=heap)");

static bool set_help(const char *value)
{
	help_requested = true;
	return value == NULL;
}
CMDLINE_OPTION(help, "help", set_help, "list the command-line options and stop");

static void report_boot(void)
{
	printk("boot: %s entry", boot_path_name(boot_info.path));
	if (boot_info.path == BOOT_PVH)
		printk(" (hvm_start_info v%u)", boot_info.loader_version);
	if (boot_info.loader_name)
		printk(" from \"%s\"", boot_info.loader_name);
	printk(", platform %s\n", platform->name);
	printk("command line: \"%s\"%s\n", boot_info.cmdline,
	       boot_info.cmdline_truncated ? " (truncated)" : "");
}

static void report_hypervisor(void)
{
	const struct hypervisor_info *hv = hypervisor();

	if (hv->kind == HV_NONE) {
		printk("hypervisor: none detected%s\n", hv->cpuid_bit ?
		       " (CPUID says one is present, but it names no leaves)" : "");
		return;
	}
	printk("hypervisor: %s (signature \"%s\", leaves %#x-%#x)",
	       hypervisor_name(hv->kind), hv->signature, hv->base_leaf, hv->max_leaf);
	if (hv->vmm_signature[0] && hv->kind != HV_OTHER)
		printk(", VMM \"%s\"", hv->vmm_signature);
	printk("\n");
}

static void report_memory_map(void)
{
	printk("memory map:\n");
	for (unsigned int i = 0; i < boot_info.mem_count; i++) {
		const struct mem_region *r = &boot_info.mem[i];

		printk("  0x%016lx-0x%016lx %8lu KiB %s\n", r->base, r->base + r->size - 1,
		       r->size / 1024, mem_type_name(r->type));
	}
	if (boot_info.mem_dropped)
		printk("  (%u more regions not recorded: table full)\n", boot_info.mem_dropped);
}

static void report_ready(void)
{
	uint64_t cycles = rdtsc() - boot_info.entry_tsc;

	printk("pvkit: ready in %lu us\n", cycles * 1000 / (platform->tsc_hz() / 1000));
}

static void __attribute__((noreturn)) run_tests(void)
{
	int failed = tests_run(test_prefix);

	if (failed < 0) {
		printk("pvkit: no test name starts with '%s'\n", test_prefix);
		kernel_exit(EXIT_BAD_CMDLINE);
	}
	kernel_exit(failed ? EXIT_TESTS_FAILED : EXIT_OK);
}

void kernel_main(void)
{
	printk("\npvkit " PVKIT_VERSION ": one kernel for Xen PV, PVH and HVM guests\n");
	report_boot();
	if (!cmdline_parse(boot_info.cmdline))
		kernel_exit(EXIT_BAD_CMDLINE);
	if (help_requested) {
		cmdline_print_help();
		kernel_exit(EXIT_OK);
	}

	platform->init();
	page_alloc_init();
	virtio_init();          /* needs pages for its rings */
	blkfront_init();        /* the same, and xenstore (on Xen only) */
	netfront_init();        /* Xen's vifs, if the toolstack gave us any */

	report_hypervisor();
	report_memory_map();
	page_alloc_report();
	platform->report();
	virtio_report();
	block_report();
	netdev_report();
	net_report();
	report_ready();

	crash_if_requested();
	if (test_prefix[0])
		run_tests();
	if (bench_requested())
		bench_run();
	if (net_echo_requested())
		kernel_exit(net_echo_run());
	kernel_exit(EXIT_OK);
}
