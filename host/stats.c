/*
 * stats.c — counting exits and device accesses for --stats.
 *
 * Times are taken with CLOCK_MONOTONIC (a vDSO call, tens of
 * nanoseconds) and only when --stats is on, so an ordinary run pays
 * nothing.
 */
#include <string.h>
#include <time.h>

#include "host/stats.h"

static const char *const exit_names[STATS_EXIT_KINDS] = {
	[STATS_EXIT_IO] = "io",
	[STATS_EXIT_MMIO] = "mmio",
	[STATS_EXIT_MSR] = "msr",
	[STATS_EXIT_HLT] = "hlt",
	[STATS_EXIT_INTR] = "intr",
	[STATS_EXIT_SHUTDOWN] = "shutdown",
	[STATS_EXIT_INTERNAL_ERROR] = "internal-error",
	[STATS_EXIT_FAIL_ENTRY] = "fail-entry",
	[STATS_EXIT_OTHER] = "other",
};

uint64_t stats_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void stats_init(struct stats *stats, bool enabled)
{
	memset(stats, 0, sizeof(*stats));
	stats->enabled = enabled;
	stats->start_ns = stats_now_ns();
	for (int i = 0; i < STATS_EXIT_KINDS; i++)
		stats->exits[i].name = exit_names[i];
}

void stats_add_exit(struct stats *stats, enum stats_exit_kind kind, uint64_t run_ns,
		    uint64_t handle_ns)
{
	if ((unsigned int)kind >= STATS_EXIT_KINDS)
		kind = STATS_EXIT_OTHER;
	stats->exits[kind].count++;
	stats->exits[kind].run_ns += run_ns;
	stats->exits[kind].handle_ns += handle_ns;
}

static struct stats_row *device_row(struct stats *stats, const char *name)
{
	for (unsigned int i = 0; i < stats->device_count; i++)
		if (strcmp(stats->devices[i].name, name) == 0)
			return &stats->devices[i];
	if (stats->device_count == STATS_MAX_DEVICES)
		return NULL;
	struct stats_row *row = &stats->devices[stats->device_count++];

	row->name = name;
	return row;
}

void stats_add_device(struct stats *stats, const char *name, uint64_t handle_ns)
{
	struct stats_row *row = device_row(stats, name);

	if (row != NULL) {
		row->count++;
		row->handle_ns += handle_ns;
	}
}

static unsigned long long us(uint64_t ns)
{
	return (unsigned long long)(ns / 1000);
}

void stats_print(const struct stats *stats, FILE *out)
{
	uint64_t wall = stats_now_ns() - stats->start_ns;
	uint64_t total = 0, in_kvm = 0, handling = 0;

	fprintf(out, "pvkit-hv statistics (wall time %llu us)\n", us(wall));
	fprintf(out, "  %-16s %10s %16s %14s\n", "exit", "count", "in KVM_RUN us", "handling us");
	for (int i = 0; i < STATS_EXIT_KINDS; i++) {
		const struct stats_row *r = &stats->exits[i];

		total += r->count;
		in_kvm += r->run_ns;
		handling += r->handle_ns;
		if (r->count > 0)
			fprintf(out, "  %-16s %10llu %16llu %14llu\n", r->name,
				(unsigned long long)r->count, us(r->run_ns), us(r->handle_ns));
	}
	fprintf(out, "  %-16s %10llu %16llu %14llu\n", "total", (unsigned long long)total,
		us(in_kvm), us(handling));
	fprintf(out, "  %-16s %10s %16s %14s\n", "device", "accesses", "", "handling us");
	for (unsigned int i = 0; i < stats->device_count; i++) {
		const struct stats_row *r = &stats->devices[i];

		fprintf(out, "  %-16s %10llu %16s %14llu\n", r->name,
			(unsigned long long)r->count, "", us(r->handle_ns));
	}
}

void stats_print_queue_header(FILE *out)
{
	fprintf(out, "  %-26s %14s %10s %10s %6s\n", "virtio queue", "notifications",
		"interrupts", "chains", "bad");
}

void stats_print_queue(FILE *out, const char *device, const char *queue,
		       uint64_t notifications, uint64_t interrupts, uint64_t chains,
		       uint64_t bad_chains)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.%s", device, queue);
	fprintf(out, "  %-26s %14llu %10llu %10llu %6llu\n", name,
		(unsigned long long)notifications, (unsigned long long)interrupts,
		(unsigned long long)chains, (unsigned long long)bad_chains);
}
