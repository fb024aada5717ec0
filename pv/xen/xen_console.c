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
 *
 * Input is the mirror image: the backend produces `in` (the keys typed on
 * `xl console`, or whatever dom0 writes into the domain's pty) and sends an
 * event; we copy the bytes out, give the slots back by advancing in_cons,
 * and send an event so that it may write more.  An event is a doorbell,
 * not a message: the same one may mean "I took your output" and "there is
 * input".  Our handler on the console's port (bound once the platform has
 * chosen the event-channel ABI) notes what each event found; the kernel
 * reads the input when it asks for it (console_read).  The backend's
 * indices are never trusted: a producer more than a ring ahead of our
 * consumer index is refused, not followed.
 */
#include "kernel/console.h"
#include "kernel/page_alloc.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_clock.h"
#include "pv/xen/xen_console.h"
#include "pv/xen/xen_evtchn.h"
#include "pv/xen/xen_ring.h"

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
static XENCONS_RING_IDX in_cons;        /* ours: the page's copy is for the backend */
static struct xen_console_stats stats = { .bind_rc = XEN_CONSOLE_NOT_BOUND };

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
		xen_mb();
		if (until_empty ? out_used() == 0 : ring->out_cons != start_cons)
			return true;
		if (have_clock) {
			uint64_t now = xen_clock_read_ns();

			if (now >= deadline)
				return false;
			xen_evtchn_test_and_clear(port);
			xen_mb();
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
	xen_wmb();              /* bytes before the index (x86 keeps stores in order) */
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

/*
 * in_prod is read once: the backend may move it while we copy.  The
 * consumer index is ours, kept in *cons and only written to the page, so a
 * backend that rewrites in_cons there cannot make us read anything twice.
 * Positions are masked, so the copy stays inside the ring whatever the
 * indices say, but a producer more than a ring ahead of us would make us
 * hand out stale bytes as input: refused.
 */
long xen_console_ring_read(volatile struct xencons_interface *r, XENCONS_RING_IDX *cons,
			   char *buf, size_t len)
{
	XENCONS_RING_IDX prod = r->in_prod, next = *cons;
	size_t got = 0;

	xen_rmb();              /* the index before the bytes it covers */
	if (prod - next > sizeof(r->in))
		return XEN_CONSOLE_BAD_INDICES;
	while (got < len && next != prod)
		buf[got++] = r->in[MASK_XENCONS_IDX(next++, r->in)];
	xen_mb();               /* done reading before the slots are given back */
	*cons = next;
	r->in_cons = next;
	return (long)got;
}

/* The first refusal is reported; the count goes on in the stats. */
static void refuse_input(void)
{
	if (stats.refused_input++ == 0)
		printk("xen: console backend wrote an impossible input index (in_prod %#x, "
		       "our in_cons %#x, ring %zu bytes): its input is ignored\n",
		       ring->in_prod, in_cons, sizeof(ring->in));
}

/* Input: whatever the backend has put in `in`, without waiting. */
static size_t xen_console_read(char *buf, size_t len)
{
	long got;

	if (!ring)
		return 0;
	got = xen_console_ring_read(ring, &in_cons, buf, len);
	if (got == XEN_CONSOLE_BAD_INDICES) {
		refuse_input();
		return 0;
	}
	stats.in_bytes += (uint64_t)got;
	if (got)
		notify_backend();       /* room again: it may write more */
	return (size_t)got;
}

/* An event on the console's port, by upcall: the backend took output, or
 * wrote input, or both.  Note what it found; the reading is console_read's. */
static void console_event(evtchn_port_t event_port, void *arg)
{
	XENCONS_RING_IDX prod = ring->in_prod;

	(void)event_port;
	(void)arg;
	stats.events++;
	stats.in_prod_at_last_event = prod;
	if (prod != in_cons)
		stats.events_with_input++;
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
	in_cons = ring->in_cons;        /* the toolstack's start (0); ours from now on */
	console_register(&xen_console);
}

/* Called by the platform's init once event channels work (the ABI is
 * chosen): from then on the console's events arrive by upcall. */
void xen_console_bind_events(void)
{
	if (ring)
		stats.bind_rc = xen_evtchn_bind_handler(port, console_event, NULL);
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
	printk("xen: PV console ring at pfn %#lx, event channel %u", ring_pfn, port);
	if (stats.bind_rc == 0)
		printk(", its events by upcall\n");
	else if (stats.bind_rc == XEN_CONSOLE_NOT_BOUND)
		printk(", no handler for its events (never bound)\n");
	else
		printk(", no handler for its events: binding said %s\n",
		       xen_error_name(stats.bind_rc));
	if (gave_up)
		printk("xen: PV console backend stopped reading: output dropped\n");
}

volatile struct xencons_interface *xen_console_ring(void)
{
	return ring;
}

uint32_t xen_console_port(void)
{
	return port;
}

const struct xen_console_stats *xen_console_stats(void)
{
	return &stats;
}
