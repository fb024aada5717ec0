/*
 * crash.h — deliberate crashes on request (`crash=pf|ud|gp|de`), so that
 * the harness can check the fatal-exception path end to end.
 */
#ifndef PVKIT_KERNEL_CRASH_H
#define PVKIT_KERNEL_CRASH_H

/* Crashes if `crash=` asked for it; otherwise returns. */
void crash_if_requested(void);

#endif
