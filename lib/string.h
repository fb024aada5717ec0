/*
 * lib/string.h - memory and string helpers for the freestanding kernel.
 *
 * The kernel has no C library, so it brings its own.  memcpy, memmove,
 * memset and memcmp keep their exact standard names and signatures because
 * gcc may emit calls to them on its own (struct copies, zeroing large
 * locals), even with -ffreestanding.
 */
#ifndef PVKIT_LIB_STRING_H
#define PVKIT_LIB_STRING_H

#include <stdbool.h>
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/*
 * BSD strlcpy: copy at most size - 1 characters and always NUL-terminate
 * (when size > 0).  Returns strlen(src), so truncation happened exactly
 * when the result is >= size.
 */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

/* True when s begins with prefix (every string starts with ""). */
bool str_starts_with(const char *s, const char *prefix);

#endif
