/*
 * kvmclock.h — KVM's paravirtual clock.
 */
#ifndef PVKIT_ARCH_X86_KVMCLOCK_H
#define PVKIT_ARCH_X86_KVMCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Registers our time page with KVM; false when KVM does not offer it. */
bool kvmclock_init(void);
uint64_t kvmclock_read_ns(void);
uint64_t kvmclock_tsc_hz(void);

#endif
