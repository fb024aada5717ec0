/*
 * options.c — parses pvkit-hv's command line:
 *
 *     pvkit-hv [options] KERNEL [-- CMDLINE...]
 *
 * Options may come before or after KERNEL, as "--mem 64M" or "--mem=64M".
 * Everything after "--" is the guest's command line, joined by spaces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/error.h"
#include "host/exit_codes.h"
#include "host/options.h"

const char options_usage[] =
	"Usage: pvkit-hv [options] KERNEL [-- CMDLINE...]\n"
	"\n"
	"Boots KERNEL, an ELF image with a Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY),\n"
	"in a KVM virtual machine with one vCPU, a 16550 UART on COM1 (the console, on\n"
	"stdin/stdout), a PCI host bridge, an ATA disk controller and a debug-exit port.\n"
	"Words after \"--\" become the guest's command line.\n"
	"\n"
	"Options:\n"
	"  -m, --mem SIZE       guest RAM (default 128M; 4M to 3G). SIZE is a number with\n"
	"                       a K, M or G suffix (powers of 1024); no suffix means MiB.\n"
	"      --disk FILE      attach a raw disk image (repeat for up to 4 drives:\n"
	"                       primary master, primary slave, secondary master, slave)\n"
	"      --trace          print every VM exit and device access on stderr\n"
	"      --stats          print exit and device counts and times on stderr at the end\n"
	"      --timeout SECS   stop the guest after SECS seconds (0: never, the default)\n"
	"  -h, --help           show this help and exit\n"
	"      --version        show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0-249  the status the guest wrote to port 0xf4, unchanged (pvkit: 0 ok,\n"
	"         1 tests failed, 2 bad command line, 3 panic)\n"
	"  250    bad option or value, unusable --disk file\n"
	"  251    kernel image missing, unreadable or malformed\n"
	"  252    /dev/kvm missing or unusable\n"
	"  253    guest crashed (triple fault, KVM internal error, failed VM entry)\n"
	"  254    --timeout expired\n"
	"  255    stopped by SIGINT or SIGTERM\n"
	"\n"
	"Example: pvkit-hv --mem 256M --disk disk.img build/pvkit.elf -- test=all\n";

/* Shift for a size suffix, or -1 if the suffix is not one we know. */
static int suffix_shift(const char *suffix)
{
	if (suffix[0] == '\0')
		return 20;      /* no suffix: MiB, like QEMU's -m */
	if (suffix[1] != '\0')
		return -1;
	switch (suffix[0]) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	default: return -1;
	}
}

bool options_parse_size(const char *text, uint64_t *bytes)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return false;   /* strtoull would accept " 1", "-1" and "+1" */
	errno = 0;
	unsigned long long number = strtoull(text, &end, 10);
	int shift = suffix_shift(end);

	if (errno != 0 || shift < 0 || number > (UINT64_MAX >> shift))
		return false;
	*bytes = (uint64_t)number << shift;
	return true;
}

static bool parse_seconds(const char *text, unsigned int *seconds)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	unsigned long value = strtoul(text, &end, 10);

	if (errno != 0 || *end != '\0' || value > OPTIONS_TIMEOUT_MAX)
		return false;
	*seconds = (unsigned int)value;
	return true;
}

static bool set_mem(struct options *out, const char *value, char *err, size_t err_len)
{
	uint64_t bytes;

	if (!options_parse_size(value, &bytes))
		return error_set(err, err_len, "--mem: '%s' is not a size (examples: 64M, 1G, 4096K)",
			    value);
	if (bytes < LAYOUT_RAM_MIN)
		return error_set(err, err_len, "--mem: %s is too small (at least %llu MiB)",
			    value, LAYOUT_RAM_MIN / MiB);
	if (bytes > LAYOUT_RAM_MAX)
		return error_set(err, err_len,
			    "--mem: %s is too large (at most %llu GiB: RAM must end below "
			    "the 32-bit device hole)", value, LAYOUT_RAM_MAX / GiB);
	out->mem_bytes = (bytes + 4 * KiB - 1) & ~(4 * KiB - 1);  /* whole pages */
	return true;
}

static bool add_disk(struct options *out, const char *value, char *err, size_t err_len)
{
	if (out->disk_count == OPTIONS_MAX_DISKS)
		return error_set(err, err_len, "--disk: at most %d disks (the two ATA channels "
			    "have a master and a slave each)", OPTIONS_MAX_DISKS);
	if (value[0] == '\0')
		return error_set(err, err_len, "--disk: empty file name");
	out->disks[out->disk_count++] = value;
	return true;
}

static bool set_timeout(struct options *out, const char *value, char *err, size_t err_len)
{
	if (!parse_seconds(value, &out->timeout_seconds))
		return error_set(err, err_len, "--timeout: '%s' is not a whole number of seconds "
			    "(0 to %u)", value, OPTIONS_TIMEOUT_MAX);
	return true;
}

/* Joins argv[first..argc-1] with spaces into out->cmdline. */
static bool join_cmdline(int argc, char *const argv[], int first, struct options *out,
			 char *err, size_t err_len)
{
	size_t used = 0;

	for (int i = first; i < argc; i++) {
		size_t len = strlen(argv[i]);
		size_t sep = i > first ? 1 : 0;

		if (used + sep + len >= sizeof(out->cmdline))
			return error_set(err, err_len, "the kernel command line is longer than %zu bytes",
				    sizeof(out->cmdline) - 1);
		if (sep)
			out->cmdline[used++] = ' ';
		memcpy(out->cmdline + used, argv[i], len);
		used += len;
	}
	out->cmdline[used] = '\0';
	return true;
}

/* An option that takes a value: its name and what to do with the value. */
struct valued_option {
	const char *long_name;
	const char *short_name;         /* or NULL */
	bool (*apply)(struct options *out, const char *value, char *err, size_t err_len);
};

static const struct valued_option valued_options[] = {
	{ "--mem", "-m", set_mem },
	{ "--disk", NULL, add_disk },
	{ "--timeout", NULL, set_timeout },
};

/* If arg is a valued option ("--mem", "--mem=64M", "-m"), applies it, taking
 * its value from the next word when needed; *consumed says how many words
 * were used (0: not a valued option). */
static bool try_valued_option(int argc, char *const argv[], int i, struct options *out,
			      int *consumed, char *err, size_t err_len)
{
	const char *arg = argv[i];

	*consumed = 0;
	for (size_t k = 0; k < sizeof(valued_options) / sizeof(valued_options[0]); k++) {
		const struct valued_option *opt = &valued_options[k];
		size_t name_len = strlen(opt->long_name);

		if (strncmp(arg, opt->long_name, name_len) == 0 && arg[name_len] == '=') {
			*consumed = 1;
			return opt->apply(out, arg + name_len + 1, err, err_len);
		}
		if (strcmp(arg, opt->long_name) != 0 &&
		    (opt->short_name == NULL || strcmp(arg, opt->short_name) != 0))
			continue;
		if (i + 1 >= argc)
			return error_set(err, err_len, "%s needs a value", arg);
		*consumed = 2;
		return opt->apply(out, argv[i + 1], err, err_len);
	}
	return true;
}

/* Handles a flag without a value; false if arg is not one. */
static bool try_flag(const char *arg, struct options *out)
{
	if (strcmp(arg, "--trace") == 0)
		out->trace = true;
	else if (strcmp(arg, "--stats") == 0)
		out->stats = true;
	else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
		out->action = ACTION_HELP;
	else if (strcmp(arg, "--version") == 0)
		out->action = ACTION_VERSION;
	else
		return false;
	return true;
}

bool options_parse(int argc, char *const argv[], struct options *out,
		   char *err, size_t err_len)
{
	*out = (struct options){ .action = ACTION_RUN, .mem_bytes = LAYOUT_RAM_DEFAULT };

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int consumed;

		if (strcmp(arg, "--") == 0) {
			if (!join_cmdline(argc, argv, i + 1, out, err, err_len))
				return false;
			break;
		}
		if (!try_valued_option(argc, argv, i, out, &consumed, err, err_len))
			return false;
		if (consumed > 0) {
			i += consumed - 1;
			continue;
		}
		if (try_flag(arg, out))
			continue;
		if (arg[0] == '-' && arg[1] != '\0')
			return error_set(err, err_len, "unknown option '%s'", arg);
		if (out->kernel != NULL)
			return error_set(err, err_len, "unexpected argument '%s' (the kernel is '%s'; "
				    "put the kernel's command line after --)", arg, out->kernel);
		out->kernel = arg;
	}
	if (out->action == ACTION_RUN && out->kernel == NULL)
		return error_set(err, err_len, "no kernel image given");
	return true;
}
