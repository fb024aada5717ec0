/*
 * vcpu.c — the run loop and the dispatch of VM exits.
 *
 * KVM_RUN runs the guest until it does something KVM does not handle
 * itself; struct kvm_run (shared memory between KVM and us) then says
 * why.  For a port access (KVM_EXIT_IO) the bytes are in kvm_run at
 * io.data_offset; a string instruction (rep outsb/insb) delivers
 * io.count items at once.  For an MMIO access (KVM_EXIT_MMIO) they are in
 * mmio.data.  Read results are written back there and KVM completes the
 * guest's instruction when KVM_RUN is next called.
 *
 * Everything in kvm_run is checked before use: sizes, counts and offsets
 * come from the guest's instructions, and pvkit-hv must never crash.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "host/exit_codes.h"
#include "host/signals.h"
#include "host/trace.h"
#include "host/vcpu.h"

#define UNASSIGNED_NAME "(unassigned)"

static uint64_t all_ones(unsigned int size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static void flush_output(struct vcpu_loop *loop)
{
	if (loop->flush_output)
		loop->flush_output(loop->opaque);
}

/* True the first time an unassigned addr is seen on this bus. */
static bool first_report(struct vcpu_loop *loop, struct io_bus *bus, uint64_t addr)
{
	if (bus == loop->pio) {
		uint16_t port = (uint16_t)addr;
		uint8_t bit = (uint8_t)(1u << (port % 8));
		bool first = !(loop->pio_reported[port / 8] & bit);

		loop->pio_reported[port / 8] |= bit;
		return first;
	}
	for (unsigned int i = 0; i < loop->mmio_reported_count; i++)
		if (loop->mmio_reported[i] == addr)
			return false;
	if (loop->mmio_reported_count == VCPU_MMIO_LOG_MAX)
		return false;    /* reported enough: stay quiet */
	loop->mmio_reported[loop->mmio_reported_count++] = addr;
	return true;
}

static void report_unassigned(struct vcpu_loop *loop, struct io_bus *bus, uint64_t addr)
{
	if (!first_report(loop, bus, addr))
		return;
	flush_output(loop);
	if (bus == loop->pio)
		fprintf(stderr, "pvkit-hv: guest accessed unassigned port %#" PRIx64
			" (reads as all-ones)\n", addr);
	else
		fprintf(stderr, "pvkit-hv: guest accessed unassigned MMIO address %#" PRIx64
			" (reads as all-ones)%s\n", addr,
			loop->mmio_reported_count == VCPU_MMIO_LOG_MAX ?
			"; further addresses are not reported" : "");
}

/* The region that holds all of [addr, addr + size), or NULL. */
static const struct io_region *find_region(struct io_bus *bus, uint64_t addr,
					   unsigned int size)
{
	const struct io_region *r = io_bus_find(bus, addr);

	if (r == NULL || size > r->length - (addr - r->base))
		return NULL;
	return r;
}

static const char *bus_kind(struct vcpu_loop *loop, struct io_bus *bus)
{
	return bus == loop->pio ? "io" : "mmio";
}

static void trace_access(struct vcpu_loop *loop, struct io_bus *bus, bool write,
			 uint64_t addr, unsigned int size, uint64_t value, const char *name)
{
	bool pio = bus == loop->pio;

	if (loop->in_string_io)
		return;
	TRACE("%s %s %s=%#" PRIx64 " size=%u value=%#" PRIx64 " %s", bus_kind(loop, bus),
	      pio ? (write ? "out" : "in") : (write ? "write" : "read"),
	      pio ? "port" : "addr", addr, size, value, name);
}

uint64_t vcpu_bus_read(struct vcpu_loop *loop, struct io_bus *bus, uint64_t addr,
		       unsigned int size)
{
	uint64_t start = loop->stats->enabled ? stats_now_ns() : 0;
	const struct io_region *r = find_region(bus, addr, size);
	uint64_t value = all_ones(size);

	if (r == NULL)
		report_unassigned(loop, bus, addr);
	else if (r->read != NULL)
		value = r->read(r->opaque, addr - r->base, size) & all_ones(size);
	const char *name = r ? r->name : UNASSIGNED_NAME;

	trace_access(loop, bus, false, addr, size, value, name);
	if (loop->stats->enabled)
		stats_add_device(loop->stats, name, stats_now_ns() - start);
	return value;
}

void vcpu_bus_write(struct vcpu_loop *loop, struct io_bus *bus, uint64_t addr,
		    unsigned int size, uint64_t value)
{
	uint64_t start = loop->stats->enabled ? stats_now_ns() : 0;
	const struct io_region *r = find_region(bus, addr, size);

	value &= all_ones(size);
	if (r == NULL)
		report_unassigned(loop, bus, addr);
	else if (r->write != NULL)
		r->write(r->opaque, addr - r->base, size, value);
	const char *name = r ? r->name : UNASSIGNED_NAME;

	trace_access(loop, bus, true, addr, size, value, name);
	if (loop->stats->enabled)
		stats_add_device(loop->stats, name, stats_now_ns() - start);
}

/* Little-endian load and store of size bytes (x86 is little-endian; doing
 * it byte by byte also avoids unaligned accesses). */
static uint64_t load_le(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void store_le(uint8_t *p, unsigned int size, uint64_t v)
{
	for (unsigned int i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void crash(struct vcpu_loop *loop, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints what went wrong and where the guest was, and stops with 253. */
static void crash(struct vcpu_loop *loop, const char *fmt, ...)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	va_list ap;

	flush_output(loop);
	fputs("pvkit-hv: guest crashed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ioctl(loop->vm->vcpu_fd, KVM_GET_REGS, &regs) == 0 &&
	    ioctl(loop->vm->vcpu_fd, KVM_GET_SREGS, &sregs) == 0)
		fprintf(stderr, "pvkit-hv:   rip=%#llx rsp=%#llx rflags=%#llx cr0=%#llx "
			"cr3=%#llx cr4=%#llx efer=%#llx cs=%#x\n", regs.rip, regs.rsp,
			regs.rflags, sregs.cr0, sregs.cr3, sregs.cr4, sregs.efer, sregs.cs.selector);
	stop_request_set(loop->stop, EXIT_GUEST_CRASHED);
}

static void handle_io(struct vcpu_loop *loop)
{
	struct kvm_run *run = loop->vm->run;
	unsigned int size = run->io.size;
	uint64_t count = run->io.count;
	uint64_t offset = run->io.data_offset;

	if ((size != 1 && size != 2 && size != 4) || count == 0 ||
	    offset > loop->vm->run_size || size * count > loop->vm->run_size - offset) {
		crash(loop, "malformed I/O exit (port %#x size %u count %" PRIu64 ")",
		      run->io.port, size, count);
		return;
	}
	uint8_t *data = (uint8_t *)run + offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;

	/* rep outs/ins: KVM hands over count elements in one exit. */
	loop->in_string_io = count > 1;
	for (uint64_t i = 0; i < count; i++, data += size) {
		if (out)
			vcpu_bus_write(loop, loop->pio, run->io.port, size, load_le(data, size));
		else
			store_le(data, size, vcpu_bus_read(loop, loop->pio, run->io.port, size));
	}
	if (loop->in_string_io) {
		const struct io_region *r = find_region(loop->pio, run->io.port, size);

		loop->in_string_io = false;
		TRACE("io %s port=%#x size=%u count=%" PRIu64 " (string I/O, one exit) %s",
		      out ? "outs" : "ins", run->io.port, size, count,
		      r ? r->name : UNASSIGNED_NAME);
	}
}

static void handle_mmio(struct vcpu_loop *loop)
{
	struct kvm_run *run = loop->vm->run;
	unsigned int size = run->mmio.len;

	if (size == 0 || size > sizeof(run->mmio.data)) {
		crash(loop, "malformed MMIO exit (address %#llx size %u)",
		      run->mmio.phys_addr, size);
		return;
	}
	if (run->mmio.is_write)
		vcpu_bus_write(loop, loop->mmio, run->mmio.phys_addr, size,
			       load_le(run->mmio.data, size));
	else
		store_le(run->mmio.data, size,
			 vcpu_bus_read(loop, loop->mmio, run->mmio.phys_addr, size));
}

/* A wrmsr to an MSR we filter: error 1 makes KVM inject #GP, as for an
 * MSR that does not exist. */
static void handle_wrmsr(struct vcpu_loop *loop)
{
	struct kvm_run *run = loop->vm->run;
	bool ok = loop->wrmsr && loop->wrmsr(loop->opaque, run->msr.index, run->msr.data);

	TRACE("exit wrmsr index=%#x value=%#llx%s", run->msr.index,
	      (unsigned long long)run->msr.data, ok ? "" : " refused: #GP");
	run->msr.error = ok ? 0 : 1;
}

/* Reads of filtered MSRs are never trapped (the filter only denies writes);
 * should KVM hand one over anyway, it reads as a #GP. */
static void handle_rdmsr(struct vcpu_loop *loop)
{
	struct kvm_run *run = loop->vm->run;

	TRACE("exit rdmsr index=%#x refused: #GP", run->msr.index);
	run->msr.error = 1;
}

static void report_internal_error(struct vcpu_loop *loop)
{
	struct kvm_run *run = loop->vm->run;
	char data[256] = "";
	size_t used = 0;
	unsigned int n = run->internal.ndata;

	if (n > sizeof(run->internal.data) / sizeof(run->internal.data[0]))
		n = sizeof(run->internal.data) / sizeof(run->internal.data[0]);
	for (unsigned int i = 0; i < n && used < sizeof(data); i++)
		used += (size_t)snprintf(data + used, sizeof(data) - used, " %#llx",
					 run->internal.data[i]);
	crash(loop, "KVM internal error, suberror %u (%s), data:%s", run->internal.suberror,
	      run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
	      "instruction emulation failed" : "see linux/kvm.h", n ? data : " none");
}

/* Handles the exit KVM_RUN just returned; returns its kind for --stats. */
static enum stats_exit_kind handle_exit(struct vcpu_loop *loop)
{
	struct kvm_run *run = loop->vm->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(loop);
		return STATS_EXIT_IO;
	case KVM_EXIT_MMIO:
		handle_mmio(loop);
		return STATS_EXIT_MMIO;
	case KVM_EXIT_X86_WRMSR:
		handle_wrmsr(loop);
		return STATS_EXIT_MSR;
	case KVM_EXIT_X86_RDMSR:
		handle_rdmsr(loop);
		return STATS_EXIT_MSR;
	case KVM_EXIT_INTR:
		TRACE("exit intr");
		return STATS_EXIT_INTR;
	case KVM_EXIT_HLT:
		TRACE("exit hlt");
		crash(loop, "the guest halted and KVM gave the HLT to pvkit-hv (it cannot be woken)");
		return STATS_EXIT_HLT;
	case KVM_EXIT_SHUTDOWN:
		TRACE("exit shutdown");
		crash(loop, "triple fault (KVM_EXIT_SHUTDOWN): an exception while handling a "
		      "double fault");
		return STATS_EXIT_SHUTDOWN;
	case KVM_EXIT_INTERNAL_ERROR:
		TRACE("exit internal-error");
		report_internal_error(loop);
		return STATS_EXIT_INTERNAL_ERROR;
	case KVM_EXIT_FAIL_ENTRY:
		TRACE("exit fail-entry");
		crash(loop, "VM entry failed (KVM_EXIT_FAIL_ENTRY), hardware reason %#llx on CPU %u",
		      run->fail_entry.hardware_entry_failure_reason, run->fail_entry.cpu);
		return STATS_EXIT_FAIL_ENTRY;
	default:
		TRACE("exit %u", run->exit_reason);
		crash(loop, "unexpected exit reason %u (see KVM_EXIT_* in linux/kvm.h)",
		      run->exit_reason);
		return STATS_EXIT_OTHER;
	}
}

/* Work done between two KVM_RUNs: signals and ticks. */
static void between_runs(struct vcpu_loop *loop)
{
	int sig = signals_stop_signal();

	if (signals_take_tick() && loop->housekeeping)
		loop->housekeeping(loop->opaque);
	if (loop->between_runs)
		loop->between_runs(loop->opaque);
	if (sig != 0) {
		flush_output(loop);
		fprintf(stderr, "pvkit-hv: stopped by signal %d (%s)\n", sig, strsignal(sig));
		stop_request_set(loop->stop, EXIT_KILLED);
	}
}

int vcpu_run(struct vcpu_loop *loop)
{
	struct kvm_run *run = loop->vm->run;

	for (;;) {
		/* Clear the kick first: a signal from here on sets it again, and
		 * KVM_RUN then returns at once. */
		run->immediate_exit = 0;
		between_runs(loop);
		if (loop->stop->requested)
			return loop->stop->exit_status;

		uint64_t start = loop->stats->enabled ? stats_now_ns() : 0;
		int rc = ioctl(loop->vm->vcpu_fd, KVM_RUN, 0);
		uint64_t returned = loop->stats->enabled ? stats_now_ns() : 0;
		enum stats_exit_kind kind;

		if (rc < 0 && (errno == EINTR || errno == EAGAIN)) {
			TRACE("exit intr");
			kind = STATS_EXIT_INTR;
		} else if (rc < 0) {
			crash(loop, "KVM_RUN failed: %s", strerror(errno));
			kind = STATS_EXIT_OTHER;
		} else {
			kind = handle_exit(loop);
		}
		if (loop->stats->enabled)
			stats_add_exit(loop->stats, kind, returned - start, stats_now_ns() - returned);
	}
}
