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
	"      --xen            play Xen and dom0 for a PVH guest: Xen's CPUID leaves, a\n"
	"                       hypercall page, shared_info, event channels, grant table,\n"
	"                       xenstore, and the PV console on stdin/stdout instead of\n"
	"                       the UART (no devices: not with --disk or --virtio-*;\n"
	"                       docs/pvkit-hv-xen.md)\n"
	"      --xen-blk FILE   with --xen: a Xen disk (xvda) on a raw image file, served\n"
	"                       by pvkit-hv's blkback to the guest's blkfront\n"
	"      --xen-net udp=LOCALPORT:REMOTEHOST:REMOTEPORT[,mac=MAC] or tap=NAME[,mac=MAC]\n"
	"                       with --xen: a Xen network card (vif 0) on the same frame\n"
	"                       links as --virtio-net, served by pvkit-hv's netback\n"
	"\n"
	"virtio devices (up to 8; each may end in ,transport=mmio (the default) or\n"
	",transport=pci, and a pci one in ,msix=off for INTx interrupts only; each\n"
	"offers packed virtqueues unless it ends in ,packed=off (split ones only); mmio\n"
	"devices are announced on the kernel command line as\n"
	"virtio_mmio.device=512@ADDRESS:IRQ):\n"
	"      --virtio-blk FILE[,transport=T]\n"
	"                       a virtio block device on a raw image file\n"
	"      --virtio-rng[=transport=T]\n"
	"                       a virtio entropy device (the host's getrandom)\n"
	"      --virtio-console[=in=FILE][,out=FILE][,transport=T]\n"
	"                       a virtio console on stdin and stdout (at most one; the\n"
	"                       UART keeps its output but no longer gets keyboard\n"
	"                       input); in=FILE: its input from FILE instead (a file,\n"
	"                       read to its end; a FIFO, until its last writer closes\n"
	"                       it; a terminal), out=FILE: its output to FILE\n"
	"      --virtio-net udp=LOCALPORT:REMOTEHOST:REMOTEPORT[,mac=MAC][,transport=T]\n"
	"      --virtio-net tap=NAME[,mac=MAC][,transport=T]\n"
	"                       a virtio network device; udp: each Ethernet frame is one\n"
	"                       datagram (as QEMU's -netdev socket,udp=), no privileges\n"
	"                       needed, LOCALPORT 0 takes any free port; tap: a TAP\n"
	"                       interface (needs CAP_NET_ADMIN)\n"
	"\n"
	"  -h, --help           show this help and exit\n"
	"      --version        show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0-249  the status the guest wrote to port 0xf4, unchanged (pvkit: 0 ok,\n"
	"         1 tests failed, 2 bad command line, 3 panic)\n"
	"  250    bad option or value, unusable --disk or --virtio-* file or socket\n"
	"  251    kernel image missing, unreadable or malformed\n"
	"  252    /dev/kvm missing or unusable\n"
	"  253    guest crashed (triple fault, KVM internal error, failed VM entry)\n"
	"  254    --timeout expired\n"
	"  255    stopped by SIGINT or SIGTERM\n"
	"\n"
	"Examples:\n"
	"  pvkit-hv --mem 256M --disk disk.img build/pvkit.elf -- test=all\n"
	"  pvkit-hv --virtio-blk disk.img --virtio-rng=transport=pci build/pvkit.elf\n";

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

static bool set_xen_blk(struct options *out, const char *value, char *err, size_t err_len)
{
	if (out->xen_blk != NULL)
		return error_set(err, err_len, "--xen-blk: one Xen disk at most (xvda)");
	if (value[0] == '\0')
		return error_set(err, err_len, "--xen-blk: empty file name");
	out->xen_blk = value;
	return true;
}

/* ---- --virtio-* ------------------------------------------------------- */

/* Copies text[0..len) into dst (size bytes); false if it does not fit. */
static bool copy_text(char *dst, size_t size, const char *text, size_t len)
{
	if (len >= size)
		return false;
	memcpy(dst, text, len);
	dst[len] = '\0';
	return true;
}

/* A port number; 0 only where allow_zero (a local port: "any free one"). */
static bool parse_port(const char *text, size_t len, bool allow_zero, uint16_t *port)
{
	unsigned long value = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (unsigned long)(text[i] - '0');
	}
	if ((value == 0 && !allow_zero) || value > 65535)
		return false;
	*port = (uint16_t)value;
	return true;
}

/* "LOCALPORT:REMOTEHOST:REMOTEPORT" (the host may not contain ':'). */
static bool parse_udp(const char *text, size_t len, struct virtio_option *v)
{
	const char *first = memchr(text, ':', len);
	const char *last = first;

	for (const char *p = text + len; p > text; p--)
		if (p[-1] == ':') {
			last = p - 1;
			break;
		}
	if (first == NULL || last == first)
		return false;
	return parse_port(text, (size_t)(first - text), true, &v->local_port) &&
	       copy_text(v->remote_host, sizeof(v->remote_host), first + 1,
			 (size_t)(last - first - 1)) && v->remote_host[0] != '\0' &&
	       parse_port(last + 1, (size_t)(text + len - last - 1), false, &v->remote_port);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "52:54:00:12:34:56": six two-digit hex bytes; not a multicast address. */
static bool parse_mac(const char *text, size_t len, uint8_t mac[6])
{
	if (len != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(text[3 * i]), lo = hex_digit(text[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && text[3 * i + 2] != ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return !(mac[0] & 1);
}

static const char *const virtio_option_names[] = {
	[VIRTIO_OPTION_BLK] = "--virtio-blk",
	[VIRTIO_OPTION_RNG] = "--virtio-rng",
	[VIRTIO_OPTION_CONSOLE] = "--virtio-console",
	[VIRTIO_OPTION_NET] = "--virtio-net",
};

/* One "key=value" item of a --virtio-* value. */
static const char *known_parameters(enum virtio_option_kind kind)
{
	switch (kind) {
	case VIRTIO_OPTION_NET:     return "udp, tap, mac, transport, msix, packed";
	case VIRTIO_OPTION_CONSOLE: return "in, out, transport, msix, packed";
	default:                    return "transport, msix, packed";
	}
}

static bool virtio_parameter(struct virtio_option *v, const char *item, size_t len,
			     char *err, size_t err_len)
{
	const char *option = virtio_option_names[v->kind];
	const char *eq = memchr(item, '=', len);
	size_t key_len = eq ? (size_t)(eq - item) : len;
	const char *value = eq ? eq + 1 : item + len;
	size_t value_len = eq ? len - key_len - 1 : 0;

#define KEY_IS(k) (key_len == strlen(k) && memcmp(item, k, key_len) == 0)
	if (KEY_IS("transport") && value_len == 4 && memcmp(value, "mmio", 4) == 0)
		v->transport = VIRTIO_TRANSPORT_MMIO;
	else if (KEY_IS("transport") && value_len == 3 && memcmp(value, "pci", 3) == 0)
		v->transport = VIRTIO_TRANSPORT_PCI;
	else if (KEY_IS("transport"))
		return error_set(err, err_len, "%s: transport '%.*s' is not mmio or pci", option,
				 (int)value_len, value);
	else if (KEY_IS("msix") && value_len == 3 && memcmp(value, "off", 3) == 0)
		v->no_msix = true;
	else if (KEY_IS("msix") && value_len == 2 && memcmp(value, "on", 2) == 0)
		v->no_msix = false;
	else if (KEY_IS("msix"))
		return error_set(err, err_len, "%s: msix '%.*s' is not on or off", option,
				 (int)value_len, value);
	else if (KEY_IS("packed") && value_len == 3 && memcmp(value, "off", 3) == 0)
		v->no_packed = true;
	else if (KEY_IS("packed") && value_len == 2 && memcmp(value, "on", 2) == 0)
		v->no_packed = false;
	else if (KEY_IS("packed"))
		return error_set(err, err_len, "%s: packed '%.*s' is not on or off", option,
				 (int)value_len, value);
	else if (v->kind == VIRTIO_OPTION_NET && KEY_IS("udp")) {
		v->net_tap = false;
		if (!parse_udp(value, value_len, v))
			return error_set(err, err_len, "%s: udp=%.*s is not LOCALPORT:REMOTEHOST:"
					 "REMOTEPORT (ports 1-65535; LOCALPORT 0: any free one)",
					 option, (int)value_len, value);
	} else if (v->kind == VIRTIO_OPTION_NET && KEY_IS("tap")) {
		v->net_tap = true;
		if (value_len == 0 || !copy_text(v->tap_name, sizeof(v->tap_name), value, value_len))
			return error_set(err, err_len, "%s: tap=%.*s: an interface name is 1 to %d "
					 "characters", option, (int)value_len, value,
					 OPTIONS_IFNAME_MAX - 1);
	} else if (v->kind == VIRTIO_OPTION_NET && KEY_IS("mac")) {
		v->mac_set = true;
		if (!parse_mac(value, value_len, v->mac))
			return error_set(err, err_len, "%s: mac=%.*s is not a unicast MAC address "
					 "like 52:54:00:12:34:56", option, (int)value_len, value);
	} else if (v->kind == VIRTIO_OPTION_CONSOLE && (KEY_IS("in") || KEY_IS("out"))) {
		char *file = KEY_IS("in") ? v->console_in : v->console_out;

		if (value_len == 0 || !copy_text(file, OPTIONS_PATH_MAX, value, value_len))
			return error_set(err, err_len, "%s: %.*s: a file name is 1 to %d "
					 "characters", option, (int)len, item,
					 OPTIONS_PATH_MAX - 1);
	} else {
		return error_set(err, err_len, "%s: unknown parameter '%.*s' (known: %s)", option,
				 (int)len, item, known_parameters(v->kind));
	}
#undef KEY_IS
	return true;
}

/* A --virtio-* option: kind, and its value (NULL for a bare flag).  For
 * blk the first comma-separated item is the file; the rest (all of it for
 * the others) are key=value parameters. */
/* Parses option `option`'s value (kind's parameters) into *v. */
static bool parse_device(struct virtio_option *v, enum virtio_option_kind kind,
			 const char *option, const char *value, char *err, size_t err_len)
{
	const char *p = value ? value : "";

	memset(v, 0, sizeof(*v));
	v->kind = kind;
	if (kind == VIRTIO_OPTION_BLK) {
		size_t len = strcspn(p, ",");

		if (len == 0)
			return error_set(err, err_len, "%s: needs a file name", option);
		if (!copy_text(v->path, sizeof(v->path), p, len))
			return error_set(err, err_len, "%s: file name too long", option);
		p += len + (p[len] == ',');
		if (p[-1] == ',' && *p == '\0')
			return error_set(err, err_len, "%s: empty parameter after ','", option);
	}
	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		if (len == 0 || !virtio_parameter(v, p, len, err, err_len))
			return len == 0 ? error_set(err, err_len, "%s: empty parameter", option) : false;
		p += len + (p[len] == ',');
	}
	if (v->no_msix && v->transport != VIRTIO_TRANSPORT_PCI)
		return error_set(err, err_len, "%s: msix=off needs transport=pci", option);
	if (kind == VIRTIO_OPTION_NET && v->remote_host[0] == '\0' && !v->net_tap)
		return error_set(err, err_len, "%s: needs udp=LOCALPORT:REMOTEHOST:REMOTEPORT or "
				 "tap=NAME", option);
	return true;
}

static bool add_virtio(struct options *out, enum virtio_option_kind kind, const char *value,
		       char *err, size_t err_len)
{
	const char *option = virtio_option_names[kind];

	if (out->virtio_count == OPTIONS_MAX_VIRTIO)
		return error_set(err, err_len, "%s: at most %d virtio devices", option,
				 OPTIONS_MAX_VIRTIO);
	if (!parse_device(&out->virtio[out->virtio_count], kind, option, value, err, err_len))
		return false;
	for (unsigned int i = 0; kind == VIRTIO_OPTION_CONSOLE && i < out->virtio_count; i++)
		if (out->virtio[i].kind == VIRTIO_OPTION_CONSOLE)
			return error_set(err, err_len, "%s: only one (it reads stdin)", option);
	out->virtio_count++;
	return true;
}

/* --xen-net: the parameters of --virtio-net but the virtio ones. */
static bool set_xen_net(struct options *out, const char *value, char *err, size_t err_len)
{
	struct virtio_option *v = &out->xen_net;

	if (out->xen_net_set)
		return error_set(err, err_len, "--xen-net: one Xen network card at most (vif 0)");
	if (!parse_device(v, VIRTIO_OPTION_NET, "--xen-net", value, err, err_len))
		return false;
	if (v->transport != VIRTIO_TRANSPORT_MMIO || v->no_msix || v->no_packed)
		return error_set(err, err_len, "--xen-net: transport=, msix= and packed= are "
				 "virtio's; a Xen card has none");
	out->xen_net_set = true;
	return true;
}

struct packet_link_params options_packet_link(const struct virtio_option *net)
{
	return (struct packet_link_params){
		.kind = net->net_tap ? PACKET_LINK_TAP : PACKET_LINK_UDP,
		.local_port = net->local_port, .remote_host = net->remote_host,
		.remote_port = net->remote_port, .tap_name = net->tap_name,
	};
}

static bool add_virtio_blk(struct options *out, const char *value, char *err, size_t err_len)
{
	return add_virtio(out, VIRTIO_OPTION_BLK, value, err, err_len);
}

static bool add_virtio_net(struct options *out, const char *value, char *err, size_t err_len)
{
	return add_virtio(out, VIRTIO_OPTION_NET, value, err, err_len);
}

/* --virtio-rng and --virtio-console take an optional value, only in the
 * "--option=value" form (as GNU getopt's optional arguments). */
static bool try_optional_value_option(const char *arg, struct options *out, bool *matched,
				      char *err, size_t err_len)
{
	static const enum virtio_option_kind kinds[] = { VIRTIO_OPTION_RNG, VIRTIO_OPTION_CONSOLE };

	*matched = false;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const char *name = virtio_option_names[kinds[k]];
		size_t len = strlen(name);

		if (strncmp(arg, name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
			continue;
		*matched = true;
		return add_virtio(out, kinds[k], arg[len] == '=' ? arg + len + 1 : NULL, err, err_len);
	}
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
	{ "--virtio-blk", NULL, add_virtio_blk },
	{ "--virtio-net", NULL, add_virtio_net },
	{ "--xen-blk", NULL, set_xen_blk },
	{ "--xen-net", NULL, set_xen_net },
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
	else if (strcmp(arg, "--xen") == 0)
		out->xen = true;
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
		bool matched;

		if (!try_optional_value_option(arg, out, &matched, err, err_len))
			return false;
		if (matched)
			continue;
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
	/* A PVH domain on Xen has no emulated devices to attach them to. */
	if (out->xen && (out->disk_count > 0 || out->virtio_count > 0))
		return error_set(err, err_len, "--xen: a Xen PVH guest has no emulated devices "
				 "(no --disk, no --virtio-*; its disk is --xen-blk)");
	if (!out->xen && out->xen_blk != NULL)
		return error_set(err, err_len, "--xen-blk: only with --xen (a Xen disk needs "
				 "Xen's blkfront in the guest)");
	if (!out->xen && out->xen_net_set)
		return error_set(err, err_len, "--xen-net: only with --xen (a Xen network card "
				 "needs Xen's netfront in the guest)");
	return true;
}
