/*
 * lib/string.c - memory and string helpers for the freestanding kernel.
 *
 * Plain byte-at-a-time loops, easy to check, except memcpy and memset (one
 * x86 string instruction each: see below).  Bytes are compared as unsigned
 * char, as the C standard requires.
 */
#include "lib/string.h"

#include <stdint.h>

/*
 * At -O2 gcc recognises loops such as "for (i...) d[i] = c" as memset,
 * memcpy, memmove or (since gcc 12) strlen, and replaces the loop by a call
 * to that function (-ftree-loop-distribute-patterns).  Inside memset itself
 * the call would be infinite recursion.  -ffreestanding and -fno-builtin
 * happen to prevent this in current gcc, but that is not documented, and
 * the host unit tests build this file without -ffreestanding.  So the
 * functions that implement those patterns opt out explicitly.
 */
#define NO_LIBCALL_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))

/*
 * memcpy and memset are one string instruction each (`rep movsb`, `rep
 * stosb`) rather than a loop of byte moves.  On hardware with "fast short
 * rep mov" (ERMS) that is as fast as a hand-unrolled loop; and where guest
 * kernel code is emulated instruction by instruction (this project's
 * kvm_pvm, ~1-2 us an instruction), a 4 KiB copy is one instruction
 * instead of ~16,000: drivers that copy into granted pages (blkfront,
 * netfront) were spending nearly all their time in the byte loop.  The
 * direction flag is clear at every call, as the x86-64 ABI requires.
 */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

NO_LIBCALL_LOOPS
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/*
	 * If the destination starts below the source, copying forwards reads
	 * every source byte before it is overwritten; otherwise copy from the
	 * end backwards.  Compare as integers: relational operators on
	 * pointers into different objects are undefined in C.
	 */
	if ((uintptr_t)d < (uintptr_t)s) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		for (size_t i = n; i > 0; i--)
			d[i - 1] = s[i - 1];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

NO_LIBCALL_LOOPS
size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* Never reads beyond s[maxlen - 1], so s need not be NUL-terminated. */
size_t strnlen(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n] != '\0')
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i];
		unsigned char y = (unsigned char)b[i];

		if (x != y)
			return x < y ? -1 : 1;
		if (x == '\0')
			break;
	}
	return 0;
}

/* Searching for '\0' finds the terminator, as the standard specifies. */
char *strchr(const char *s, int c)
{
	char wanted = (char)c;

	for (;; s++) {
		if (*s == wanted)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t src_len = strlen(src);

	if (size > 0) {
		size_t n = src_len < size - 1 ? src_len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return src_len;
}

bool str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}
