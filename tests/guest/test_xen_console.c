/*
 * test_xen_console.c — input on the Xen PV console (pv/xen/xen_console.c).
 *
 * The ring function is tested on a ring of our own, on every host: bytes
 * come out in order across the wrap of the positions and of the 32-bit
 * indices, in_cons advances by what was taken, indices no real backend
 * could have written are refused, and a backend that moves in_cons back
 * on the page gets nothing read twice.
 *
 * End to end, on Xen: the harness announces a line with
 * xen_console.expect=TEXT and has the backend write it into the `in` ring
 * (pvkit-hv --xen from its stdin; real Xen's xenconsoled from the domain's
 * pty, written by dom0: scripts/xen-lab.sh --console-input).  The line
 * must reach console_read, in_cons must have advanced past it, and an
 * event on the console's port must have reached our handler, by upcall,
 * after the backend produced it.  Without the option the test skips.
 */
#include "kernel/console.h"
#include "kernel/test.h"
#include "kernel/timer.h"
#include "lib/string.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_console.h"
#include "tests/guest/console_input_test.h"
#include "tests/guest/xen_test.h"

/* Real Xen runs under QEMU's emulator in the lab, and dom0 writes the line
 * when it gets to it: give it time. */
#define INPUT_TIMEOUT_NS        (60 * NSEC_PER_SEC)
/* The backend sends its event after it moved in_prod: how long we wait
 * for the upcall once the bytes are there. */
#define EVENT_PATIENCE_NS       (5 * NSEC_PER_SEC)
#define EVENT_POLL_NS           (5 * NSEC_PER_MSEC)
#define RING_BYTES              sizeof(((struct xencons_interface *)0)->in)
/* Indices just below the 32-bit wrap, and a position near the ring's end. */
#define NEAR_INDEX_WRAP         ((XENCONS_RING_IDX)0 - 3)

EXPECTED_INPUT_OPTION(xen_console_expect, "xen_console.expect",
		      "(tests) the host types this text on the Xen PV console: "
		      "xen_console.expect=TEXT (test xen_console.input_from_the_host)");

/* The test's ring, playing the shared page (static: it is 3 KiB), and the
 * consumer index the driver would keep. */
static struct xencons_interface fake;
static XENCONS_RING_IDX fake_cons;

/* The backend's half: write `text` at in_prod and advance it. */
static void backend_writes(const char *text)
{
	for (; *text; text++)
		fake.in[MASK_XENCONS_IDX(fake.in_prod++, fake.in)] = *text;
}

static void reset_fake_ring(XENCONS_RING_IDX index)
{
	memset(&fake, 0, sizeof(fake));
	fake.in_cons = fake.in_prod = fake_cons = index;
}

static long read_fake(char *buf, size_t len)
{
	return xen_console_ring_read(&fake, &fake_cons, buf, len);
}

TEST(xen_console, ring_read_takes_bytes_across_both_wraps)
{
	char buf[16] = { 0 };

	reset_fake_ring(NEAR_INDEX_WRAP);
	backend_writes("wrapped");      /* indices ...fffd to 3, positions 1021 to 3 */
	CHECK_EQ(read_fake(buf, sizeof(buf)), 7);
	CHECK(memcmp(buf, "wrapped", 7) == 0);
	CHECK_EQ(fake_cons, fake.in_prod);
	CHECK_EQ(fake.in_cons, 4);      /* given back on the page too */
	/* Nothing more: nothing read, nothing moved. */
	CHECK_EQ(read_fake(buf, sizeof(buf)), 0);
	CHECK_EQ(fake.in_cons, 4);
}

TEST(xen_console, ring_read_takes_no_more_than_asked)
{
	char buf[4];

	reset_fake_ring(100);
	backend_writes("abcdef");
	CHECK_EQ(read_fake(buf, 4), 4);
	CHECK(memcmp(buf, "abcd", 4) == 0);
	CHECK_EQ(fake.in_cons, 104);    /* the rest stays for the next read */
	CHECK_EQ(read_fake(buf, 4), 2);
	CHECK(memcmp(buf, "ef", 2) == 0);
	CHECK_EQ(fake.in_cons, 106);
}

/* A full ring is possible (prod - cons == size); one byte more is not, and
 * neither is a producer behind the consumer (a huge unsigned distance). */
TEST(xen_console, impossible_input_indices_are_refused)
{
	static char buf[RING_BYTES + 1];

	reset_fake_ring(NEAR_INDEX_WRAP);
	fake.in_prod += RING_BYTES;
	CHECK_EQ(read_fake(buf, sizeof(buf)), RING_BYTES);
	CHECK_EQ(fake.in_cons, fake.in_prod);

	reset_fake_ring(NEAR_INDEX_WRAP);
	fake.in_prod += RING_BYTES + 1;
	buf[0] = 'x';
	CHECK_EQ(read_fake(buf, sizeof(buf)), XEN_CONSOLE_BAD_INDICES);
	CHECK_EQ(fake_cons, NEAR_INDEX_WRAP);           /* not followed */
	CHECK_EQ(fake.in_cons, NEAR_INDEX_WRAP);
	CHECK_EQ(buf[0], 'x');                          /* nothing copied */

	reset_fake_ring(200);
	fake.in_prod = 199;
	CHECK_EQ(read_fake(buf, sizeof(buf)), XEN_CONSOLE_BAD_INDICES);
	CHECK_EQ(fake_cons, 200);
}

/* in_cons on the page is only our report to the backend: one that moves it
 * back does not make us read the same input again. */
TEST(xen_console, rewritten_in_cons_does_not_replay_input)
{
	char buf[8];

	reset_fake_ring(10);
	backend_writes("once");
	CHECK_EQ(read_fake(buf, sizeof(buf)), 4);
	fake.in_cons = 10;
	CHECK_EQ(read_fake(buf, sizeof(buf)), 0);
	CHECK_EQ(fake_cons, 14);
}

/* Has an upcall on the console's port come after the backend produced
 * input up to `index`?  (An event is a doorbell: it says "look", not what
 * for; this is how a driver learns that input is there.)  Waits, with
 * interrupts on, up to EVENT_PATIENCE_NS. */
static bool upcall_after_input_up_to(XENCONS_RING_IDX index)
{
	const struct xen_console_stats *stats = xen_console_stats();
	uint64_t until = time_now_ns() + EVENT_PATIENCE_NS;

	for (;;) {
		if (stats->events > 0 && (int32_t)(stats->in_prod_at_last_event - index) >= 0)
			return true;
		if (time_now_ns() >= until)
			return false;
		sleep_ns(EVENT_POLL_NS);
	}
}

TEST(xen_console, input_from_the_host)
{
	const struct xen_console_stats *stats = xen_console_stats();
	volatile struct xencons_interface *ring;
	uint64_t bytes_before = stats->in_bytes;
	char buf[4 * EXPECTED_INPUT_MAX];
	XENCONS_RING_IDX cons_before;
	size_t got;

	if (!expected_input[0])
		SKIP("no input announced (xen_console.expect=TEXT: the harness types TEXT on the console)");
	SKIP_UNLESS_XEN();
	ring = xen_console_ring();
	CHECK(ring != NULL);
	CHECK_EQ(stats->bind_rc, 0);
	cons_before = ring->in_cons;
	got = read_console_input(buf, sizeof(buf), expected_input,
				 time_now_ns() + INPUT_TIMEOUT_NS);
	if (!text_contains(buf, expected_input)) {
		test_fail(t, __FILE__, __LINE__, "'%s' did not arrive in %lu s (%zu bytes of "
			  "input; in_prod %#x, in_cons %#x)", expected_input,
			  INPUT_TIMEOUT_NS / NSEC_PER_SEC, got, ring->in_prod, ring->in_cons);
		return;
	}
	/* The bytes came from this ring, and their slots were given back. */
	CHECK(stats->in_bytes - bytes_before >= strlen(expected_input));
	CHECK(ring->in_cons - cons_before >= strlen(expected_input));
	CHECK_EQ(stats->refused_input, 0);
	/* The backend's event for them came by upcall: before we read them
	 * (everything up to in_cons now), or just after. */
	if (!upcall_after_input_up_to(ring->in_cons))
		test_fail(t, __FILE__, __LINE__, "no upcall on port %u after the input "
			  "(%lu events, %lu found input waiting, the latest saw in_prod %#x; "
			  "in_cons %#x)", xen_console_port(), stats->events,
			  stats->events_with_input, stats->in_prod_at_last_event, ring->in_cons);
}
