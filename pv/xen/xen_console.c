/*
 * xen_console.c — the Xen PV console: a pair of byte rings in one page
 * shared with the console backend (xenconsoled in dom0), plus an event
 * channel to say "there is something new".
 *
 * How a PVH guest finds it: HVMOP_get_param(HVM_PARAM_CONSOLE_PFN) gives the
 * frame of the page (the toolstack put it in our physical address space,
 * in a region the memory map marks reserved) and HVM_PARAM_CONSOLE_EVTCHN
 * the event-channel port bound to the backend.  (A PV guest reads both from
 * start_info instead.)
 *
 * The page is a struct xencons_interface (/usr/include/xen/io/console.h):
 * `out` carries our output, `in` our input.  Each ring has a producer and a
 * consumer index that only ever grow; index & (size - 1) is the position.
 * We produce `out`: copy bytes, then (after a write barrier, so the backend
 * never sees the index before the bytes) advance out_prod, then send an
 * event.  The backend consumes them, advances out_cons and sends an event
 * back.  Before the domain shuts down we must wait for out_cons to reach
 * out_prod, or the tail of our output dies with us.
 */
#include "kernel/console.h"
#include "kernel/page_alloc.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_clock.h"
#include "pv/xen/xen_console.h"
#include "pv/xen/xen_evtchn.h"

#define compiler_barrier()      __asm__ volatile("" ::: "memory")
#define full_barrier()          __asm__ volatile("mfence" ::: "memory")

/* How long to wait for the backend to make room or drain the ring.  Under
 * QEMU's emulator dom0 can be busy for a while; a backend that is gone must
 * not hang us for ever, though: after this the console gives up. */
#define BACKEND_PATIENCE_NS     (10 * 1000000000ull)
#define POLL_SLICE_NS           (50 * 1000000ull)
#define SPIN_PATIENCE           2000000u        /* without a clock: polls */

static volatile struct xencons_interface *ring;
static evtchn_port_t port;
static uint64_t ring_pfn;
static bool gave_up;            /* the backend stopped reading */

static void notify_backend(void)
{
	xen_evtchn_send(port);
}

static uint32_t out_used(void)
{
	return ring->out_prod - ring->out_cons;
}

/*
 * Wait until the backend has consumed more (out_cons moved) or everything
 * (when `until_empty`).  Between checks we sleep in Xen with SCHEDOP_poll on
 * our console port: the backend's event wakes us; the short timeout covers
 * an event we cleared ourselves.  Returns false when that has not happened
 * within BACKEND_PATIENCE_NS (without a clock: after SPIN_PATIENCE checks).
 */
static bool wait_for_backend(bool until_empty)
{
	uint32_t start_cons = ring->out_cons;
	bool have_clock = xen_clock_available();
	uint64_t deadline = have_clock ? xen_clock_read_ns() + BACKEND_PATIENCE_NS : 0;

	for (uint32_t spins = 0;; spins++) {
		full_barrier();
		if (until_empty ? out_used() == 0 : ring->out_cons != start_cons)
			return true;
		if (have_clock) {
			uint64_t now = xen_clock_read_ns();

			if (now >= deadline)
				return false;
			xen_evtchn_test_and_clear(port);
			full_barrier();
			if (until_empty ? out_used() == 0 : ring->out_cons != start_cons)
				return true;
			xen_evtchn_poll(port, now + POLL_SLICE_NS);
		} else if (spins >= SPIN_PATIENCE) {
			return false;
		}
	}
}

/* Copy what fits; returns how many bytes of s were taken.  A "\n" becomes
 * "\r\n", as a terminal on `xl console` expects. */
static size_t copy_into_ring(const char *s, size_t len)
{
	uint32_t prod = ring->out_prod;
	uint32_t used = prod - ring->out_cons;  /* read once: the backend may change it */
	size_t room, taken = 0;

	/* A backend that claims to have read more than we wrote is broken
	 * (or hostile): treat the ring as full.  Positions are always masked,
	 * so nothing it writes in the indexes makes us write outside the ring. */
	if (used > sizeof(ring->out))
		used = sizeof(ring->out);
	room = sizeof(ring->out) - used;

	while (taken < len) {
		bool newline = s[taken] == '\n';

		if (room < (newline ? 2u : 1u))
			break;
		if (newline) {
			ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = '\r';
			room--;
		}
		ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = s[taken++];
		room--;
	}
	compiler_barrier();     /* bytes before the index (x86 keeps stores in order) */
	ring->out_prod = prod;
	return taken;
}

void xen_console_write(const char *s, size_t len)
{
	if (!ring || gave_up)
		return;
	while (len > 0) {
		size_t taken = copy_into_ring(s, len);

		s += taken;
		len -= taken;
		notify_backend();
		if (len > 0 && !wait_for_backend(false)) {
			gave_up = true;
			return;
		}
	}
}

void xen_console_flush(void)
{
	if (ring && !gave_up && out_used() != 0 && !wait_for_backend(true))
		gave_up = true;
}

/* Input: whatever the backend has put in `in`, without waiting. */
static size_t xen_console_read(char *buf, size_t len)
{
	size_t got = 0;

	if (!ring)
		return 0;
	uint32_t cons = ring->in_cons, prod = ring->in_prod;

	compiler_barrier();     /* the index before the bytes it covers */
	while (got < len && cons != prod)
		buf[got++] = ring->in[MASK_XENCONS_IDX(cons++, ring->in)];
	full_barrier();         /* done reading before the slots are given back */
	ring->in_cons = cons;
	if (got)
		notify_backend();
	return got;
}

static struct console_driver xen_console = {
	.name = "xen-console",
	.write = xen_console_write,
	.flush = xen_console_flush,
	.read = xen_console_read,
};

bool xen_console_init(void)
{
	uint64_t pfn, evtchn;

	if (xen_hvm_get_param(HVM_PARAM_CONSOLE_PFN, &pfn) != 0 || pfn == 0)
		return false;
	if (xen_hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &evtchn) != 0)
		return false;
	if ((pfn << PAGE_SHIFT) >= DIRECT_MAP_END)
		return false;   /* not in our identity map: cannot reach it */
	xen_console_attach(pfn, (evtchn_port_t)evtchn);
	return true;
}

/* The PV entry finds the same two numbers in start_info (xen_pv_boot.c). */
void xen_console_attach(uint64_t pfn, uint32_t evtchn)
{
	ring_pfn = pfn;
	port = evtchn;
	ring = phys_to_virt(pfn << PAGE_SHIFT);
	console_register(&xen_console);
}

bool xen_console_ready(void)
{
	return ring != NULL;
}

void xen_console_report(void)
{
	if (!ring) {
		printk("xen: no PV console (HVM_PARAM_CONSOLE_PFN is 0)\n");
		return;
	}
	printk("xen: PV console ring at pfn %#lx, event channel %u%s\n", ring_pfn, port,
	       gave_up ? " (backend stopped reading: output dropped)" : "");
}

volatile struct xencons_interface *xen_console_ring(void)
{
	return ring;
}

uint32_t xen_console_port(void)
{
	return port;
}
