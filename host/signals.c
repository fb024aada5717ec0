/*
 * signals.c — signal handlers that kick the vCPU out of KVM_RUN (see
 * host/signals.h).  Handlers only set flags; the run loop does the work.
 */
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/time.h>

#include "host/signals.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t tick_pending;
static struct kvm_run *volatile current_run;

static void kick_vcpu(void)
{
	struct kvm_run *run = current_run;

	if (run != NULL)
		run->immediate_exit = 1;
}

static void on_stop_signal(int sig)
{
	stop_signal = sig;
	kick_vcpu();
}

static void on_tick(int sig)
{
	(void)sig;
	tick_pending = 1;
	kick_vcpu();
}

static void set_handler(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	/* KVM_RUN returns -EINTR and is never restarted; SA_RESTART keeps
	 * ordinary reads and writes (the console, disk images) from failing. */
	sa.sa_flags = SA_RESTART;
	sigaction(sig, &sa, NULL);
}

void signals_install(void)
{
	set_handler(SIGINT, on_stop_signal);
	set_handler(SIGTERM, on_stop_signal);
	set_handler(SIGALRM, on_tick);
	signal(SIGPIPE, SIG_IGN);
}

void signals_set_run(struct kvm_run *run)
{
	current_run = run;
}

static void set_tick_interval(long ms)
{
	struct itimerval it = {
		.it_interval = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 },
		.it_value = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

void signals_start_ticks(void)
{
	set_tick_interval(SIGNALS_TICK_MS);
}

void signals_stop_ticks(void)
{
	set_tick_interval(0);
}

bool signals_take_tick(void)
{
	if (!tick_pending)
		return false;
	tick_pending = 0;
	return true;
}

int signals_stop_signal(void)
{
	return stop_signal;
}
