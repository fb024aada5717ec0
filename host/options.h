/*
 * options.h — pvkit-hv's command line, parsed into a struct.
 *
 * The parser never prints and never exits: it fills struct options or
 * returns false with a message, so tests can feed it any argv.
 */
#ifndef PVKIT_HOST_OPTIONS_H
#define PVKIT_HOST_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/layout.h"
#include "host/packet_link.h"

#define OPTIONS_MAX_DISKS       4
#define OPTIONS_TIMEOUT_MAX     (7 * 24 * 3600u)        /* a week */
#define OPTIONS_MAX_VIRTIO      8       /* one I/O APIC pin each: GSIs 16-23 */
#define OPTIONS_PATH_MAX        1024
#define OPTIONS_HOST_MAX        256
#define OPTIONS_IFNAME_MAX      16      /* IFNAMSIZ */

enum virtio_option_kind {
	VIRTIO_OPTION_BLK,
	VIRTIO_OPTION_RNG,
	VIRTIO_OPTION_CONSOLE,
	VIRTIO_OPTION_NET,
};

enum virtio_option_transport {
	VIRTIO_TRANSPORT_MMIO,          /* the default */
	VIRTIO_TRANSPORT_PCI,
};

/* One --virtio-* option, in command-line order. */
struct virtio_option {
	enum virtio_option_kind kind;
	enum virtio_option_transport transport;
	bool no_msix;                           /* pci: msix=off, INTx only (QEMU's vectors=0) */
	bool no_packed;                         /* packed=off: split virtqueues only */
	char path[OPTIONS_PATH_MAX];            /* blk: the image file */
	bool net_tap;                           /* net: tap=NAME, else udp=... */
	char tap_name[OPTIONS_IFNAME_MAX];
	uint16_t local_port, remote_port;       /* net, udp */
	char remote_host[OPTIONS_HOST_MAX];
	bool mac_set;                           /* net: mac=, else a default */
	uint8_t mac[6];
	char console_in[OPTIONS_PATH_MAX];      /* console: in=FILE, else stdin */
	char console_out[OPTIONS_PATH_MAX];     /* console: out=FILE, else stdout */
};

enum options_action {
	ACTION_RUN,             /* boot the kernel */
	ACTION_HELP,            /* --help: print usage, exit 0 */
	ACTION_VERSION,         /* --version */
};

struct options {
	enum options_action action;
	const char *kernel;                     /* path, points into argv */
	uint64_t mem_bytes;                     /* guest RAM, a multiple of 4 KiB */
	const char *disks[OPTIONS_MAX_DISKS];   /* --disk paths, in order */
	unsigned int disk_count;
	bool trace;
	bool stats;
	bool xen;                               /* --xen: pvkit-hv plays Xen (host/xen.c) */
	const char *xen_blk;                    /* --xen-blk: the image, or NULL */
	bool xen_net_set;                       /* --xen-net given: */
	struct virtio_option xen_net;           /* ...its udp=/tap= and mac= */
	unsigned int timeout_seconds;           /* 0: no timeout */
	struct virtio_option virtio[OPTIONS_MAX_VIRTIO];
	unsigned int virtio_count;
	char cmdline[LAYOUT_CMDLINE_SIZE];      /* words after "--", joined by spaces */
};

/* Where a --virtio-net or --xen-net option's frames go (host/packet_link.h);
 * the strings point into the option. */
struct packet_link_params options_packet_link(const struct virtio_option *net);

/* Fills *out from argv (argv[0] is the program name).  On a mistake returns
 * false with a one-line message in err. */
bool options_parse(int argc, char *const argv[], struct options *out,
		   char *err, size_t err_len);

/* Parses "128M", "1G", "4096K", "64" (no suffix: MiB, as QEMU's -m does). */
bool options_parse_size(const char *text, uint64_t *bytes);

/* The --help text. */
extern const char options_usage[];

#define PVKIT_HV_VERSION "0.1.0"

#endif
