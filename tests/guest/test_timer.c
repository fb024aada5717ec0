/*
 * test_timer.c — the clock moves forward, and timer interrupts arrive: not
 * before their deadline, and within a generous bound after it (we check
 * that interrupts work, not how fast the host is).
 */
#include "kernel/irq.h"
#include "kernel/test.h"
#include "kernel/timer.h"

#define TICK_DELAY_NS           (10 * NSEC_PER_MSEC)
#define LATEST_ACCEPTABLE_NS    (5 * NSEC_PER_SEC)

static volatile uint64_t fired_at_ns;
static struct timer *volatile fire_order[3];
static volatile int fired_count;

static void record_fire_time(struct timer *timer)
{
	(void)timer;
	fired_at_ns = time_now_ns();
}

/* Wait with interrupts on until the timer ran or the bound passed. */
static void wait_for(const struct timer *timer, uint64_t deadline)
{
	bool was_enabled = irq_save();

	while (timer->pending && time_now_ns() < deadline + LATEST_ACCEPTABLE_NS)
		platform->idle();
	irq_restore(was_enabled);
}

TEST(timer, clock_is_monotonic)
{
	uint64_t previous = time_now_ns();

	for (int i = 0; i < 1000; i++) {
		uint64_t now = time_now_ns();

		CHECK(now >= previous);
		previous = now;
	}
	CHECK(previous > 0);
}

TEST(timer, one_shot_tick_arrives_within_bounds)
{
	struct timer timer = { 0 };
	uint64_t interrupts_before = timer_interrupt_count();
	uint64_t deadline = time_now_ns() + TICK_DELAY_NS;

	fired_at_ns = 0;
	timer_start(&timer, deadline, record_fire_time);
	wait_for(&timer, deadline);
	CHECK(!timer.pending);
	CHECK(fired_at_ns >= deadline);
	CHECK(fired_at_ns < deadline + LATEST_ACCEPTABLE_NS);
	CHECK(timer_interrupt_count() > interrupts_before);
}

static void record_order(struct timer *timer)
{
	if (fired_count < 3)
		fire_order[fired_count] = timer;
	fired_count++;
}

/* Started out of order, timers still fire earliest first. */
TEST(timer, several_timers_fire_in_deadline_order)
{
	struct timer late = { 0 }, early = { 0 }, middle = { 0 };
	uint64_t start = time_now_ns() + TICK_DELAY_NS;

	fired_count = 0;
	timer_start(&late, start + 2 * TICK_DELAY_NS, record_order);
	timer_start(&early, start, record_order);
	timer_start(&middle, start + TICK_DELAY_NS, record_order);
	wait_for(&late, start + 2 * TICK_DELAY_NS);
	CHECK_EQ(fired_count, 3);
	CHECK(fire_order[0] == &early);
	CHECK(fire_order[1] == &middle);
	CHECK(fire_order[2] == &late);
}

TEST(timer, cancelled_timer_does_not_fire)
{
	struct timer cancelled = { 0 }, witness = { 0 };
	uint64_t deadline = time_now_ns() + TICK_DELAY_NS;

	fired_at_ns = 0;
	timer_start(&cancelled, deadline, record_fire_time);
	timer_cancel(&cancelled);
	timer_start(&witness, deadline + TICK_DELAY_NS, record_order);
	fired_count = 0;
	wait_for(&witness, deadline + TICK_DELAY_NS);
	CHECK_EQ(fired_count, 1);
	CHECK_EQ(fired_at_ns, 0);
}

TEST(timer, sleep_waits_at_least_as_asked)
{
	uint64_t start = time_now_ns();

	sleep_ns(5 * NSEC_PER_MSEC);
	CHECK(time_now_ns() - start >= 5 * NSEC_PER_MSEC);
}
