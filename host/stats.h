/*
 * stats.h — --stats: how many VM exits of each kind and device accesses of
 * each device a run took, and where the time went, printed as a table on
 * stderr at the end.
 */
#ifndef PVKIT_HOST_STATS_H
#define PVKIT_HOST_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum stats_exit_kind {
	STATS_EXIT_IO,
	STATS_EXIT_MMIO,
	STATS_EXIT_MSR,                 /* a wrmsr pvkit-hv filters (--xen: the hypercall page) */
	STATS_EXIT_HLT,
	STATS_EXIT_INTR,                /* a signal (tick, timeout, Ctrl-C) interrupted KVM_RUN */
	STATS_EXIT_SHUTDOWN,
	STATS_EXIT_INTERNAL_ERROR,
	STATS_EXIT_FAIL_ENTRY,
	STATS_EXIT_OTHER,
	STATS_EXIT_KINDS
};

#define STATS_MAX_DEVICES 32

struct stats_row {
	const char *name;
	uint64_t count;
	uint64_t run_ns;                /* inside KVM_RUN, guest time included */
	uint64_t handle_ns;             /* in pvkit-hv, handling it */
};

struct stats {
	bool enabled;
	uint64_t start_ns;
	struct stats_row exits[STATS_EXIT_KINDS];
	struct stats_row devices[STATS_MAX_DEVICES];
	unsigned int device_count;
};

uint64_t stats_now_ns(void);            /* CLOCK_MONOTONIC */
void stats_init(struct stats *stats, bool enabled);
void stats_add_exit(struct stats *stats, enum stats_exit_kind kind, uint64_t run_ns,
		    uint64_t handle_ns);
/* name is a device's region name (kept as a pointer) or "(unassigned)". */
void stats_add_device(struct stats *stats, const char *name, uint64_t handle_ns);
void stats_print(const struct stats *stats, FILE *out);
/* The virtio table printed after it: a header, then one row per queue. */
void stats_print_queue_header(FILE *out);
void stats_print_queue(FILE *out, const char *device, const char *queue,
		       uint64_t notifications, uint64_t interrupts, uint64_t chains,
		       uint64_t bad_chains);

#endif
