/*
 * test_printf.c — the printf family as built for the guest (the host unit
 * tests compare it with glibc in depth; these catch freestanding-build
 * differences: 64-bit arguments, varargs without SSE, the emit path).
 */
#include "kernel/test.h"
#include "lib/printf.h"
#include "lib/string.h"

#define CHECK_FORMAT(expected, ...)                                           \
	do {                                                                  \
		char buf_[64];                                                \
		int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);           \
		if (strcmp(buf_, expected) != 0 || n_ != (int)strlen(expected)) { \
			test_fail(t, __FILE__, __LINE__, "got \"%s\" (%d), want \"%s\"", \
				  buf_, n_, expected);                        \
			return;                                               \
		}                                                             \
	} while (0)

TEST(printf, integers)
{
	CHECK_FORMAT("-42|42|   42|00042", "%d|%u|%5d|%05d", -42, 42u, 42, 42);
	CHECK_FORMAT("18446744073709551615", "%lu", UINT64_MAX);
	CHECK_FORMAT("-9223372036854775808", "%ld", INT64_MIN);
	CHECK_FORMAT("ff|FF|0xff|377", "%x|%X|%#x|%o", 255, 255, 255, 255);
}

TEST(printf, strings_chars_pointers)
{
	CHECK_FORMAT("[ab   ]|[   ab]|[a]", "[%-5s]|[%5s]|[%.1s]", "ab", "ab", "ab");
	CHECK_FORMAT("x%", "%c%%", 'x');
	CHECK_FORMAT("0x1000", "%p", (void *)0x1000);
	const char *volatile missing = NULL;    /* hidden from the compiler's checks */

	CHECK_FORMAT("(null)", "%s", missing);
}

TEST(printf, truncation_reports_full_length)
{
	char buf[8];
	int n = snprintf(buf, sizeof(buf), "%s", "0123456789");

	CHECK_EQ(n, 10);
	CHECK(strcmp(buf, "0123456") == 0);
}
