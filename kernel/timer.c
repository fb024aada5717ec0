/*
 * timer.c — a sorted list of pending timers, driving the platform's
 * one-shot timer.
 */
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/timer.h"

static struct timer *pending;   /* earliest deadline first */

static void arm_for_earliest(void)
{
	platform->set_timer(pending ? pending->deadline_ns : 0);
}

static void unlink(struct timer *timer)
{
	for (struct timer **p = &pending; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = timer->next;
			break;
		}
	}
	timer->pending = false;
}

void timer_start(struct timer *timer, uint64_t deadline_ns,
		 void (*fn)(struct timer *timer))
{
	bool was_enabled = irq_save();
	struct timer **p = &pending;

	if (timer->pending)
		unlink(timer);
	timer->deadline_ns = deadline_ns;
	timer->fn = fn;
	while (*p && (*p)->deadline_ns <= deadline_ns)
		p = &(*p)->next;
	timer->next = *p;
	*p = timer;
	timer->pending = true;
	arm_for_earliest();
	irq_restore(was_enabled);
}

void timer_cancel(struct timer *timer)
{
	bool was_enabled = irq_save();

	if (timer->pending) {
		unlink(timer);
		arm_for_earliest();
	}
	irq_restore(was_enabled);
}

static uint64_t interrupts;     /* calls of timer_interrupt(), for tests */

uint64_t timer_interrupt_count(void)
{
	return interrupts;
}

/* Run everything that is due; the hardware timer may fire early (a long
 * delay clamped to what the device can count), so check, don't assume. */
void timer_interrupt(void)
{
	uint64_t now = time_now_ns();

	interrupts++;

	while (pending && pending->deadline_ns <= now) {
		struct timer *due = pending;

		pending = due->next;
		due->pending = false;
		due->fn(due);
	}
	arm_for_earliest();
}

static void wake_sleeper(struct timer *timer)
{
	(void)timer;    /* waking is the point: idle() returns */
}

void sleep_ns(uint64_t ns)
{
	struct timer wakeup = { 0 };
	uint64_t deadline = time_now_ns() + ns;
	bool was_enabled = irq_save();

	timer_start(&wakeup, deadline, wake_sleeper);
	while (wakeup.pending)
		platform->idle();
	irq_restore(was_enabled);
}

int wait_until(bool (*done)(void *arg), void *arg, uint64_t timeout_ns)
{
	uint64_t deadline = time_now_ns() + timeout_ns;
	struct timer watchdog = { 0 };
	int result = 0;

	timer_start(&watchdog, deadline, wake_sleeper);
	while (!done(arg)) {
		if (time_now_ns() >= deadline) {
			result = -ETIMEDOUT;
			break;
		}
		platform->idle();
	}
	timer_cancel(&watchdog);
	return result;
}
