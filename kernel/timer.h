/*
 * timer.h — kernel timers on top of the platform's one-shot timer.
 *
 * Any number of timers may be pending; the platform timer is always armed
 * for the earliest.  Callbacks run in interrupt context.
 */
#ifndef PVKIT_KERNEL_TIMER_H
#define PVKIT_KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/platform.h"

#define NSEC_PER_USEC UINT64_C(1000)
#define NSEC_PER_MSEC UINT64_C(1000000)
#define NSEC_PER_SEC  UINT64_C(1000000000)

struct timer {
	uint64_t deadline_ns;
	void (*fn)(struct timer *timer);
	struct timer *next;
	bool pending;
};

static inline uint64_t time_now_ns(void)
{
	return platform->now_ns();
}

void timer_start(struct timer *timer, uint64_t deadline_ns,
		 void (*fn)(struct timer *timer));
void timer_cancel(struct timer *timer);
/* Sleep with interrupts enabled until at least ns have passed. */
void sleep_ns(uint64_t ns);
/* Sleep in platform->idle() until done(arg) or timeout_ns passed: 0 or
 * -ETIMEDOUT.  Call it with interrupts disabled (so that the check and
 * the wait cannot miss the interrupt between them); it returns with them
 * disabled.  An interrupt that makes done() true must come from a driver's
 * handler: this only looks again after each one. */
int wait_until(bool (*done)(void *arg), void *arg, uint64_t timeout_ns);

/* Called by the platform when its one-shot timer fires. */
void timer_interrupt(void);
/* How many times the platform's timer called timer_interrupt(): an LAPIC
 * interrupt natively, a VIRQ_TIMER event on Xen PV. */
uint64_t timer_interrupt_count(void);

#endif
