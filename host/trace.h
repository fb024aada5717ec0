/*
 * trace.h — pvkit-hv's --trace output: one line per event, as it happens,
 * written to stderr so that the guest's console on stdout stays clean.
 */
#ifndef PVKIT_HOST_TRACE_H
#define PVKIT_HOST_TRACE_H

#include <stdbool.h>

extern bool trace_enabled;

/* Prints "[trace] " + the formatted text + "\n" when --trace is on. */
void trace_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TRACE(...)                                                            \
	do {                                                                  \
		if (trace_enabled)                                            \
			trace_log(__VA_ARGS__);                               \
	} while (0)

#endif
