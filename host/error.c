/*
 * error.c — error_set, the one way setup code reports a failure.
 */
#include <stdarg.h>
#include <stdio.h>

#include "host/error.h"

bool error_set(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return false;
}
