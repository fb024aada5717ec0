/*
 * exit_codes.h — pvkit-hv's exit status, in one place.
 *
 * Two ranges that never meet: what the guest writes to the debug-exit port
 * (0xf4) is passed through unchanged (pvkit uses 0-3), and pvkit-hv's own
 * reasons for stopping use the top of the byte.  Unlike QEMU's
 * isa-debug-exit, which exits with (value << 1) | 1, a guest status of 0
 * really is exit status 0, so shell scripts can use pvkit-hv directly.
 */
#ifndef PVKIT_HOST_EXIT_CODES_H
#define PVKIT_HOST_EXIT_CODES_H

/* What the pvkit guest writes to port 0xf4 (kernel/platform.h, enum exit_status). */
#define GUEST_EXIT_OK           0       /* boot report printed or every test passed */
#define GUEST_EXIT_TESTS_FAILED 1
#define GUEST_EXIT_BAD_CMDLINE  2
#define GUEST_EXIT_PANIC        3

/* pvkit-hv's own failures. */
#define EXIT_USAGE              250     /* bad option, bad value, unusable --disk */
#define EXIT_BAD_KERNEL         251     /* kernel image missing, unreadable or malformed */
#define EXIT_NO_KVM             252     /* /dev/kvm missing or unusable, or KVM setup failed */
#define EXIT_GUEST_CRASHED      253     /* triple fault, KVM internal error, failed entry, halt with IRQs off */
#define EXIT_TIMEOUT            254     /* --timeout expired */
#define EXIT_KILLED             255     /* SIGINT or SIGTERM */

#endif
