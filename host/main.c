/*
 * main.c — pvkit-hv's entry point: parse the command line, then hand the
 * options to the machine (host/machine.c).
 *
 * pvkit-hv is a minimal KVM hypervisor for the pvkit kernel: it loads a
 * PVH ELF image, gives it one vCPU, a serial console, a PCI host bridge,
 * ATA disks and a debug-exit port, and exits with the guest's status.
 * docs/pvkit-hv.md is the guide.
 */
#include <stdio.h>

#include "host/exit_codes.h"
#include "host/machine.h"
#include "host/options.h"

int main(int argc, char **argv)
{
	static struct options opts;     /* static: it holds a 4 KiB command line */
	char err[512];

	if (!options_parse(argc, argv, &opts, err, sizeof(err))) {
		fprintf(stderr, "pvkit-hv: %s\nTry 'pvkit-hv --help' for more information.\n",
			err);
		return EXIT_USAGE;
	}
	switch (opts.action) {
	case ACTION_HELP:
		fputs(options_usage, stdout);
		return 0;
	case ACTION_VERSION:
		printf("pvkit-hv %s\n", PVKIT_HV_VERSION);
		return 0;
	case ACTION_RUN:
		break;
	}
	return machine_run(&opts);
}
