/*
 * signals.h — how pvkit-hv gets the vCPU out of KVM_RUN: SIGINT and
 * SIGTERM (stop, exit 255) and a periodic SIGALRM tick (flush the console,
 * look for input, check --timeout).
 *
 * A signal that arrives while the vCPU thread is inside KVM_RUN makes it
 * return -EINTR.  One that arrives just before KVM_RUN is caught by
 * kvm_run->immediate_exit, which the handler sets: KVM then returns
 * -EINTR at once instead of entering the guest.
 */
#ifndef PVKIT_HOST_SIGNALS_H
#define PVKIT_HOST_SIGNALS_H

#include <stdbool.h>
#include <linux/kvm.h>

#define SIGNALS_TICK_MS 50

/* Installs the handlers (and ignores SIGPIPE: a closed stdout must not
 * kill the VM).  run may be NULL until the vCPU exists. */
void signals_install(void);
void signals_set_run(struct kvm_run *run);
/* Starts / stops the periodic tick. */
void signals_start_ticks(void);
void signals_stop_ticks(void);
/* True once per tick that arrived since the last call. */
bool signals_take_tick(void);
/* The stopping signal received (SIGINT, SIGTERM), or 0. */
int signals_stop_signal(void);

#endif
