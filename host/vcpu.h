/*
 * vcpu.h — the vCPU run loop: KVM_RUN, then handle whatever made KVM
 * return, again and again until something stops the run.
 */
#ifndef PVKIT_HOST_VCPU_H
#define PVKIT_HOST_VCPU_H

#include <stdint.h>

#include "host/io.h"
#include "host/stats.h"
#include "host/stop.h"
#include "host/vm.h"

#define VCPU_MMIO_LOG_MAX 64

struct vcpu_loop {
	struct vm *vm;
	struct io_bus *pio;
	struct io_bus *mmio;
	struct stats *stats;            /* counts only when stats->enabled */
	struct stop_request *stop;      /* devices and housekeeping set it */
	/* Called on every tick and before pvkit-hv prints a message, so guest
	 * output comes out before it. */
	void (*housekeeping)(void *opaque);
	void (*flush_output)(void *opaque);
	/* Optional (NULL: unused).  Called before every KVM_RUN: work that is
	 * due whatever the guest does (--xen: its timer). */
	void (*between_runs)(void *opaque);
	/* Optional: a guest wrmsr that KVM handed to us (an MSR pvkit-hv
	 * filters, see vm_trap_msr_write); false makes it raise #GP. */
	bool (*wrmsr)(void *opaque, uint32_t index, uint64_t value);
	void *opaque;
	/* Set while a string instruction's elements are dispatched, so that
	 * --trace shows one line for the whole exit, not one per element. */
	bool in_string_io;
	/* Unassigned ports and addresses already reported (once each). */
	uint8_t pio_reported[65536 / 8];
	uint64_t mmio_reported[VCPU_MMIO_LOG_MAX];
	unsigned int mmio_reported_count;
};

/* Runs the vCPU until a stop is requested (guest exit, crash, timeout,
 * signal); returns the exit status (host/exit_codes.h). */
int vcpu_run(struct vcpu_loop *loop);

/* One port or MMIO access by the guest, as the run loop dispatches it.
 * Exposed for tests: reads of unassigned addresses return all-ones. */
uint64_t vcpu_bus_read(struct vcpu_loop *loop, struct io_bus *bus, uint64_t addr,
		       unsigned int size);
void vcpu_bus_write(struct vcpu_loop *loop, struct io_bus *bus, uint64_t addr,
		    unsigned int size, uint64_t value);

#endif
