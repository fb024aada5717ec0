/*
 * trace.c — pvkit-hv's --trace output (host/trace.h).
 *
 * Each line is formatted into a buffer and written with one call, so a
 * trace line is never split by the guest's console output or by another
 * message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/trace.h"

#define TRACE_PREFIX    "[trace] "
#define TRACE_LINE_MAX  512

bool trace_enabled;

void trace_log(const char *fmt, ...)
{
	char line[TRACE_LINE_MAX];
	size_t prefix = strlen(TRACE_PREFIX);
	va_list ap;

	memcpy(line, TRACE_PREFIX, prefix);
	va_start(ap, fmt);
	int n = vsnprintf(line + prefix, sizeof(line) - prefix - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = prefix + ((size_t)n < sizeof(line) - prefix - 1 ?
			       (size_t)n : sizeof(line) - prefix - 2);

	line[len++] = '\n';
	fwrite(line, 1, len, stderr);
}
