/*
 * lib/printf.h - the kernel's printf family.
 *
 * vformat() does the formatting and hands the text to a caller-supplied
 * emit function, so the same code serves printk (emit = write to the
 * console) and vsnprintf (emit = copy into a buffer).
 *
 * Supported: %d %i %u %x %X %o %c %s %p %%, the flags - 0 + space #,
 * field width and precision (numbers or *), and the length modifiers
 * hh h l ll z t j.  There is no floating point (the kernel is built
 * without SSE) and no %n.  An unsupported conversion is printed as-is,
 * e.g. "%q" produces "%q", and takes no argument.
 */
#ifndef PVKIT_LIB_PRINTF_H
#define PVKIT_LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Format fmt with the arguments in ap, calling emit(ctx, s, n) for each run
 * of output text (n is never 0; s is not NUL-terminated).  Returns the
 * number of characters produced, or -1 if that does not fit in an int.
 */
int vformat(void (*emit)(void *ctx, const char *s, size_t n), void *ctx,
	    const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/*
 * C99 semantics: write at most size - 1 characters plus a NUL to buf (buf
 * may be NULL when size is 0) and return the length the whole output would
 * have had, so a result >= size means the text was truncated.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
