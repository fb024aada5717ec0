/*
 * test_options.c — pvkit-hv's command-line parser (host/options.c).
 */
#include <string.h>

#include "host/options.h"
#include "tests/host/suites.h"
#include "tests/host/parse_options.h"
#include "tests/unit/check.h"

static struct options opts;
static char err[256];

static void defaults(void)
{
	CHECK(PARSE("kernel.elf"));
	CHECK_INT(opts.action, ACTION_RUN);
	CHECK_STR(opts.kernel, "kernel.elf");
	CHECK_UINT(opts.mem_bytes, 128 * MiB);
	CHECK_UINT(opts.disk_count, 0);
	CHECK(!opts.trace);
	CHECK(!opts.stats);
	CHECK_UINT(opts.timeout_seconds, 0);
	CHECK_STR(opts.cmdline, "");
}

static void every_option(void)
{
	CHECK(PARSE("--mem", "256M", "--disk", "a.img", "--disk=b.img", "--trace", "k.elf",
		    "--stats", "--timeout", "5", "--", "test=all", "--mem", "x"));
	CHECK_UINT(opts.mem_bytes, 256 * MiB);
	CHECK_UINT(opts.disk_count, 2);
	CHECK_STR(opts.disks[0], "a.img");
	CHECK_STR(opts.disks[1], "b.img");
	CHECK(opts.trace);
	CHECK(opts.stats);
	CHECK_UINT(opts.timeout_seconds, 5);
	CHECK_STR(opts.kernel, "k.elf");
	CHECK_STR(opts.cmdline, "test=all --mem x");    /* after --, nothing is ours */
}

/* --xen: a Xen PVH domain, which has no emulated devices. */
static void xen_mode(void)
{
	CHECK(PARSE("k.elf", "--xen", "--trace"));
	CHECK(opts.xen);
	CHECK(PARSE("k.elf"));
	CHECK(!opts.xen);
	CHECK_REJECTED("no emulated devices", "--xen", "--disk", "a.img", "k");
	CHECK_REJECTED("no emulated devices", "--virtio-rng", "k", "--xen");
	/* Its disk is a Xen one, and only with --xen. */
	CHECK(PARSE("--xen", "--xen-blk", "d.img", "k"));
	CHECK_STR(opts.xen_blk, "d.img");
	CHECK_REJECTED("only with --xen", "--xen-blk=d.img", "k");
	CHECK_REJECTED("one Xen disk at most", "--xen", "--xen-blk", "a", "--xen-blk", "b", "k");
	CHECK_REJECTED("empty file name", "--xen", "--xen-blk=", "k");
	/* Its network card: --virtio-net's links, not its virtio parameters. */
	CHECK(PARSE("--xen", "--xen-net", "udp=0:127.0.0.1:5555,mac=00:16:3e:01:02:03", "k"));
	CHECK(opts.xen_net_set);
	CHECK_UINT(opts.xen_net.remote_port, 5555);
	CHECK(opts.xen_net.mac_set && opts.xen_net.mac[5] == 3);
	CHECK(PARSE("--xen", "--xen-net=tap=vif0", "k"));
	CHECK(opts.xen_net.net_tap);
	CHECK_REJECTED("only with --xen", "--xen-net", "tap=t0", "k");
	CHECK_REJECTED("virtio's", "--xen", "--xen-net", "tap=t0,transport=pci", "k");
	CHECK_REJECTED("needs udp=", "--xen", "--xen-net", "mac=00:16:3e:01:02:03", "k");
	CHECK_REJECTED("one Xen network card", "--xen", "--xen-net", "tap=a", "--xen-net",
		       "tap=b", "k");
}

static void size_suffixes(void)
{
	CHECK(PARSE("-m", "64", "k"));
	CHECK_UINT(opts.mem_bytes, 64 * MiB);           /* no suffix: MiB, like QEMU */
	CHECK(PARSE("--mem=1G", "k"));
	CHECK_UINT(opts.mem_bytes, 1 * GiB);
	CHECK(PARSE("--mem", "8192k", "k"));
	CHECK_UINT(opts.mem_bytes, 8 * MiB);
	CHECK(PARSE("--mem", "4097K", "k"));
	CHECK_UINT(opts.mem_bytes, 4100 * KiB);         /* rounded up to whole pages */
	CHECK(PARSE("--mem", "3G", "k"));
	CHECK_UINT(opts.mem_bytes, 3 * GiB);
}

static void help_and_version_need_no_kernel(void)
{
	CHECK(PARSE("--help"));
	CHECK_INT(opts.action, ACTION_HELP);
	CHECK(PARSE("-h"));
	CHECK_INT(opts.action, ACTION_HELP);
	CHECK(PARSE("--version"));
	CHECK_INT(opts.action, ACTION_VERSION);
}

static void mistakes_are_rejected(void)
{
	CHECK_REJECTED("unknown option '--bogus'", "--bogus", "k");
	CHECK_REJECTED("unknown option '-x'", "k", "-x");
	CHECK_REJECTED("--mem needs a value", "k", "--mem");
	CHECK_REJECTED("--timeout needs a value", "k", "--timeout");
	CHECK_REJECTED("--disk needs a value", "k", "--disk");
	CHECK_REJECTED("not a size", "--mem", "12X", "k");
	CHECK_REJECTED("not a size", "--mem", "12MB", "k");
	CHECK_REJECTED("not a size", "--mem", "-1", "k");
	CHECK_REJECTED("not a size", "--mem", "", "k");
	CHECK_REJECTED("not a size", "--mem", "99999999999999999999G", "k");
	CHECK_REJECTED("not a size", "--mem", "20000000000000G", "k");
	CHECK_REJECTED("too small", "--mem", "1K", "k");
	CHECK_REJECTED("too small", "--mem", "0", "k");
	CHECK_REJECTED("too large", "--mem", "4G", "k");
	CHECK_REJECTED("not a whole number", "--timeout", "abc", "k");
	CHECK_REJECTED("not a whole number", "--timeout", "1.5", "k");
	CHECK_REJECTED("not a whole number", "--timeout", "-3", "k");
	CHECK_REJECTED("not a whole number", "--timeout", "99999999999", "k");
	CHECK_REJECTED("at most 4 disks", "--disk", "1", "--disk", "2", "--disk", "3",
		       "--disk", "4", "--disk", "5", "k");
	CHECK_REJECTED("empty file name", "--disk=", "k");
	CHECK_REJECTED("no kernel image given", "--trace");
	CHECK_REJECTED("no kernel image given", "--", "test=all");
	CHECK_REJECTED("unexpected argument 'test=all'", "k", "test=all");
}

static void long_cmdline_is_rejected(void)
{
	static char word[LAYOUT_CMDLINE_SIZE + 1];

	memset(word, 'a', LAYOUT_CMDLINE_SIZE);         /* 4096 bytes: no room for the NUL */
	CHECK_REJECTED("longer than 4095 bytes", "k", "--", word);
	word[LAYOUT_CMDLINE_SIZE - 1] = '\0';           /* 4095 bytes: fits */
	CHECK(PARSE("k", "--", word));
	CHECK_UINT(strlen(opts.cmdline), LAYOUT_CMDLINE_SIZE - 1);
	CHECK_REJECTED("longer than 4095 bytes", "k", "--", word, "b");
}

void options_tests(void)
{
	check_run("options.defaults", defaults);
	check_run("options.every_option", every_option);
	check_run("options.xen_mode", xen_mode);
	check_run("options.size_suffixes", size_suffixes);
	check_run("options.help_and_version_need_no_kernel", help_and_version_need_no_kernel);
	check_run("options.mistakes_are_rejected", mistakes_are_rejected);
	check_run("options.long_cmdline_is_rejected", long_cmdline_is_rejected);
}
