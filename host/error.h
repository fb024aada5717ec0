/*
 * error.h — how pvkit-hv's setup functions report what went wrong: they
 * write a message into a caller's buffer and return false, and the caller
 * decides how to print it and with which exit status.  Nothing below
 * main.c prints setup errors or exits by itself, which keeps every part
 * testable.
 */
#ifndef PVKIT_HOST_ERROR_H
#define PVKIT_HOST_ERROR_H

#include <stdbool.h>
#include <stddef.h>

/* Formats the message into err (err_len bytes); always returns false. */
bool error_set(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
