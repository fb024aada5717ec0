/*
 * xen_bench.c — `bench=xen`: the guest's half of the PV vs PVH comparison.
 *
 * The same image runs this as a PVH and as a PV domU; scripts/bench.sh
 * puts the two side by side.  Each result is one line,
 *   bench: NAME: N calls in NS ns, C cycles/call, P ns/call
 * (for the PTE rows a "call" is one entry written)
 * timed with the guest's own clock (time_now_ns) and TSC:
 *   null-hypercall  xen_version(XENVER_version): the bare cost of entering
 *                   Xen and coming back, the same hypercall in both modes;
 *   pte-write       platform->write_pte on one PTE: a plain store under PVH,
 *                   one mmu_update hypercall (Xen checks the new entry)
 *                   under PV;
 *   pte-write-batched  platform->write_ptes on PTE_BATCH entries per call:
 *                   the same stores under PVH, one mmu_update carrying
 *                   PTE_BATCH requests under PV; reported per entry;
 *   evtchn-send-to-upcall  send on one end of a loop-back pair of our
 *                   own ports, spin until the upcall handler on the other
 *                   end has run: one way through Xen's event delivery;
 *   evtchn-pingpong the same, and the handler answers with a send back,
 *                   which the sender sees as its port's PENDING bit: there
 *                   and back, two sends and one upcall per trip;
 *   grant-copy      GNTTABOP_copy of one 4 KiB page from a page we granted
 *                   to ourselves into another of our frames, one copy per
 *                   call: what a backend's grant copy costs (Xen checks
 *                   the entry, pins it, copies, unpins);
 *   pio-exit        (PVH only) an `in` from a port nobody emulates: the bare
 *                   cost of a VM exit to whoever answers ports.  Under
 *                   pvkit-hv --xen, whose hypercalls are themselves port
 *                   exits (docs/pvkit-hv-xen.md), it is the floor the null
 *                   hypercall is compared with.  (A PV guest is not run:
 *                   its `in` would be a #GP.)
 *   pio-exit-call   (PVH only) the same `in`, reached the way a hypercall
 *                   is (xen_bench_stub.S): null-hypercall against it is
 *                   what the hypervisor's handling adds to a port exit.
 * Nothing is judged: results are reported, never failed.
 */
#include "arch/x86/cpu.h"
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "kernel/platform.h"
#include "kernel/timer.h"
#include "kernel/vm.h"
#include "lib/string.h"
#include "pv/xen/grant_table.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_bench.h"
#include "pv/xen/xen_evtchn.h"
#include "pv/xen/xenbus.h"
#include "pv/xen/xenstore.h"

#define HYPERCALL_CALLS         10000
#define PTE_WRITES              10000
#define PTE_BATCH               64      /* entries per write_ptes call */
#define EVTCHN_TRIPS            2000
#define EVTCHN_TRIP_PATIENCE_NS (100 * NSEC_PER_MSEC)   /* for one trip */
#define PIO_EXITS               10000
#define GRANT_COPIES            2000
/* A scratch address for the PTE bench, away from the tests' (test_paging.c). */
#define BENCH_VA                0x8000400000ull

/* Prints the line for `calls` operations that took ns and cycles. */
static void report(const char *name, unsigned int calls, uint64_t ns, uint64_t cycles)
{
	printk("bench: %s: %u calls in %lu ns, %lu cycles/call, %lu ns/call\n", name,
	       calls, ns, cycles / calls, ns / calls);
}

static void bench_null_hypercall(void)
{
	uint64_t start_ns = time_now_ns(), start = rdtsc();

	for (unsigned int i = 0; i < HYPERCALL_CALLS; i++)
		(void)xen_version_op(XENVER_version, NULL);
	report("null-hypercall", HYPERCALL_CALLS, time_now_ns() - start_ns, rdtsc() - start);
}

/* One call's worth of PTE writes: write_pte for one, write_ptes for more. */
static void write_batch(const struct pte_write *batch, unsigned int per_call)
{
	if (per_call == 1)
		platform->write_pte(batch[0].pte, batch[0].value);
	else
		platform->write_ptes(batch, per_call);
}

/* Map per_call scratch pages, then rewrite their PTEs per_call at a time,
 * toggling the writable bit, PTE_WRITES entries in all. */
static void bench_pte_writes(const char *name, unsigned int per_call)
{
	struct pte_write batch[PTE_BATCH];
	unsigned int calls = PTE_WRITES / per_call;
	uint64_t pages = page_alloc(per_call);

	if (!pages || !vm_map_pages(BENCH_VA, pages, per_call, 0)) {
		printk("bench: %s: cannot map the scratch pages\n", name);
		return;
	}
	for (unsigned int i = 0; i < per_call; i++)
		batch[i] = (struct pte_write){ vm_pte(BENCH_VA + i * PAGE_SIZE),
					       (pages + i * PAGE_SIZE) | PTE_PRESENT };
	uint64_t start_ns = time_now_ns(), start = rdtsc();

	for (unsigned int c = 0; c < calls; c++) {
		for (unsigned int i = 0; i < per_call; i++)
			batch[i].value ^= PTE_WRITABLE;
		write_batch(batch, per_call);
	}
	uint64_t cycles = rdtsc() - start, ns = time_now_ns() - start_ns;

	vm_unmap_pages(BENCH_VA, per_call);
	page_free(pages, per_call);
	report(name, calls * per_call, ns, cycles);
}

/* A loop-back pair of our own ports.  A "ping" is a send on ping_port; it
 * arrives on pong_port, whose upcall handler counts it and, for the
 * ping-pong, answers with a send on pong_port, which makes ping_port
 * pending.  ping_port stays masked: the pinger watches its PENDING bit. */
struct evtchn_loop {
	evtchn_port_t ping_port, pong_port;
	bool answer;                    /* ping-pong: the handler sends back */
	volatile unsigned int pings_handled;
};

static void on_ping(evtchn_port_t port, void *arg)
{
	struct evtchn_loop *loop = arg;

	loop->pings_handled++;
	if (loop->answer)
		(void)xen_evtchn_send(port);    /* a lost answer shows as a lost trip */
}

/* Is trip number `done` over: its ping handled, or its answer back? */
static bool evtchn_trip_over(struct evtchn_loop *loop, unsigned int done)
{
	if (loop->answer)
		return xen_evtchn_test_and_clear(loop->ping_port);
	return loop->pings_handled > done;
}

static long evtchn_loop_open(struct evtchn_loop *loop)
{
	long rc = xen_evtchn_alloc_unbound(DOMID_SELF, &loop->pong_port);

	if (rc == 0)
		rc = xen_evtchn_bind_interdomain(DOMID_SELF, loop->pong_port, &loop->ping_port);
	if (rc == 0) {
		xen_evtchn_mask(loop->ping_port);
		rc = xen_evtchn_bind_handler(loop->pong_port, on_ping, loop);
	}
	return rc;
}

/* Closes the ports that are open (Xen never hands out port 0). */
static void evtchn_loop_close(struct evtchn_loop *loop)
{
	if (loop->ping_port)
		xen_evtchn_close(loop->ping_port);
	if (loop->pong_port)
		xen_evtchn_close(loop->pong_port);
}

/* Waits, with patience, for trip `done` to be over.  Each true answer of
 * evtchn_trip_over() is final (it may have cleared the PENDING bit), so it
 * is returned at once, never asked again. */
static bool evtchn_await_trip(struct evtchn_loop *loop, unsigned int done)
{
	uint64_t give_up = time_now_ns() + EVTCHN_TRIP_PATIENCE_NS;

	while (time_now_ns() < give_up) {
		if (evtchn_trip_over(loop, done))
			return true;
		cpu_relax();
	}
	return evtchn_trip_over(loop, done);
}

/* Sends EVTCHN_TRIPS pings, each after the previous trip is over; returns
 * how many trips were over within their patience. */
static unsigned int evtchn_trips(struct evtchn_loop *loop)
{
	unsigned int done;

	for (done = 0; done < EVTCHN_TRIPS; done++)
		if (xen_evtchn_send(loop->ping_port) != 0 || !evtchn_await_trip(loop, done))
			break;
	return done;
}

/*
 * evtchn-send-to-upcall (answer false): send, and spin until the upcall
 * handler on the other end has run — one way through Xen's event delivery.
 * evtchn-pingpong (answer true): the handler answers with a send, and the
 * trip is over when the answer is pending on our end — there and back.
 */
static void bench_evtchn(const char *name, bool answer)
{
	struct evtchn_loop loop = { .answer = answer };
	long rc = evtchn_loop_open(&loop);

	if (rc != 0) {
		printk("bench: %s: no loop-back pair: %s\n", name, xen_error_name(rc));
		evtchn_loop_close(&loop);
		return;
	}
	bool was_enabled = irq_save();

	platform->irq_enable();         /* the upcall is an interrupt */
	uint64_t start_ns = time_now_ns(), start = rdtsc();
	unsigned int done = evtchn_trips(&loop);
	uint64_t cycles = rdtsc() - start, ns = time_now_ns() - start_ns;

	platform->irq_disable();
	irq_restore(was_enabled);
	evtchn_loop_close(&loop);
	if (done < EVTCHN_TRIPS) {
		printk("bench: %s: trip %u of %u lost\n", name, done + 1, EVTCHN_TRIPS);
		return;
	}
	report(name, EVTCHN_TRIPS, ns, cycles);
}

/* The copies themselves, between two pages we own; false if one failed. */
static bool copy_pages(domid_t self, grant_ref_t ref, uint64_t dest_frame)
{
	for (unsigned int i = 0; i < GRANT_COPIES; i++) {
		struct gnttab_copy op = {
			.source = { .u.ref = ref, .domid = self },
			.dest = { .u.gmfn = dest_frame, .domid = DOMID_SELF },
			.len = PAGE_SIZE, .flags = GNTCOPY_source_gref,
		};

		if (gnttab_copy(&op, 1) != 0 || op.status != GNTST_okay)
			return false;
	}
	return true;
}

static void bench_grant_copy(void)
{
	uint64_t source = page_alloc(1), dest = page_alloc(1);
	domid_t self;
	long rc = xs_init();

	if (rc == 0)
		rc = gnttab_init();
	if (rc == 0)
		rc = xenbus_read_domid(&self);
	if (rc == 0 && (!source || !dest))
		rc = -XEN_ENOMEM;
	if (rc == 0)
		rc = gnttab_grant_foreign_access(self, xen_frame_of(phys_to_virt(source)), true);
	if (rc < 0) {
		printk("bench: grant-copy: no grant to copy through: %s\n", xen_error_name(rc));
	} else {
		grant_ref_t ref = (grant_ref_t)rc;
		uint64_t start_ns = time_now_ns(), start = rdtsc();
		bool ok = copy_pages(self, ref, xen_frame_of(phys_to_virt(dest)));
		uint64_t cycles = rdtsc() - start, ns = time_now_ns() - start_ns;

		gnttab_end_foreign_access(ref);
		if (ok)
			report("grant-copy", GRANT_COPIES, ns, cycles);
		else
			printk("bench: grant-copy: a copy failed\n");
	}
	if (source)
		page_free(source, 1);
	if (dest)
		page_free(dest, 1);
}

static void bench_pio_exit(void)
{
	uint64_t start_ns = time_now_ns(), start = rdtsc();

	for (unsigned int i = 0; i < PIO_EXITS; i++)
		(void)inb(XEN_BENCH_UNASSIGNED_PORT);
	report("pio-exit", PIO_EXITS, time_now_ns() - start_ns, rdtsc() - start);
}

/* The same port exit, reached the way a hypercall is (xen_bench_stub.S). */
static void bench_pio_exit_call(void)
{
	uint64_t start_ns = time_now_ns(), start = rdtsc();

	for (unsigned int i = 0; i < PIO_EXITS; i++)
		(void)xen_call_stub2(xen_bench_pio_stub, 0, 0);
	report("pio-exit-call", PIO_EXITS, time_now_ns() - start_ns, rdtsc() - start);
}

void xen_bench_run(void)
{
	if (!xen_running()) {
		printk("bench: xen: not running on Xen, nothing to measure\n");
		return;
	}
	printk("bench: xen: %s guest on Xen %u.%u\n", xen_info()->pv ? "PV" : "PVH",
	       xen_info()->major, xen_info()->minor);
	bench_null_hypercall();
	bench_pte_writes("pte-write", 1);
	bench_pte_writes("pte-write-batched", PTE_BATCH);
	bench_evtchn("evtchn-send-to-upcall", false);
	bench_evtchn("evtchn-pingpong", true);
	bench_grant_copy();
	if (!xen_info()->pv) {
		bench_pio_exit();
		bench_pio_exit_call();
	}
}
