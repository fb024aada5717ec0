/*
 * tests/unit/test_string.c - lib/string.c against hand-made cases and
 * against glibc.
 */
#include "tests/unit/lib-api.h"

#include "tests/unit/check.h"
#include "tests/unit/suites.h"

/* A deterministic pseudo-random generator, so failures are reproducible. */
static unsigned int rng_state = 12345;

static unsigned int rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 16;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_memcpy(void)
{
	char dst[8] = "xxxxxxx";

	CHECK_PTR(lib_memcpy(dst, "abc", 3), dst);
	CHECK_STR(dst, "abcxxxx");
	lib_memcpy(dst, "zzz", 0);
	CHECK_STR(dst, "abcxxxx");
}

static void test_memmove_overlap(void)
{
	char buf[] = "0123456789";

	/* Destination above source: must copy backwards. */
	CHECK_PTR(lib_memmove(buf + 2, buf, 5), buf + 2);
	CHECK_STR(buf, "0101234789");

	/* Destination below source: must copy forwards. */
	strcpy(buf, "0123456789");
	lib_memmove(buf, buf + 3, 6);
	CHECK_STR(buf, "3456786789");

	/* Same place, and zero length. */
	lib_memmove(buf, buf, 10);
	CHECK_STR(buf, "3456786789");
	lib_memmove(buf + 1, buf, 0);
	CHECK_STR(buf, "3456786789");
}

/* Random overlapping moves inside one buffer, glibc's memmove as oracle. */
static void test_memmove_random(void)
{
	for (int round = 0; round < 2000; round++) {
		unsigned char ours[64], want[64];
		size_t dst = rng() % 64, src = rng() % 64;
		size_t max = 64 - (dst > src ? dst : src);
		size_t n = rng() % (max + 1);

		for (size_t i = 0; i < sizeof(ours); i++)
			ours[i] = want[i] = (unsigned char)rng();
		lib_memmove(ours + dst, ours + src, n);
		memmove(want + dst, want + src, n);
		if (memcmp(ours, want, sizeof(ours)) != 0) {
			check_fail(__FILE__, __LINE__, "memmove(buf+%zu, buf+%zu, %zu) differs from glibc",
				   dst, src, n);
			return;
		}
	}
}

static void test_memset(void)
{
	unsigned char buf[6] = { 1, 2, 3, 4, 5, 6 };

	/* The value is converted to unsigned char: 0x141 stores 0x41. */
	CHECK_PTR(lib_memset(buf + 1, 0x141, 4), buf + 1);
	CHECK_INT(buf[0], 1);
	CHECK_INT(buf[1], 0x41);
	CHECK_INT(buf[4], 0x41);
	CHECK_INT(buf[5], 6);
	lib_memset(buf, -1, 1);
	CHECK_INT(buf[0], 0xff);
}

static void test_memcmp(void)
{
	CHECK_INT(lib_memcmp("abc", "abd", 3), -1);
	CHECK_INT(lib_memcmp("abd", "abc", 3), 1);
	CHECK_INT(lib_memcmp("abc", "abd", 2), 0);
	CHECK_INT(lib_memcmp("a", "b", 0), 0);
	/* Bytes compare as unsigned: 0x80 is greater than 0x01. */
	CHECK(lib_memcmp("\x80", "\x01", 1) > 0);

	for (int round = 0; round < 1000; round++) {
		unsigned char a[8], b[8];

		for (int i = 0; i < 8; i++) {
			a[i] = (unsigned char)(rng() % 3 + 0x7f);
			b[i] = (unsigned char)(rng() % 3 + 0x7f);
		}
		CHECK_INT(sign(lib_memcmp(a, b, 8)), sign(memcmp(a, b, 8)));
	}
}

static void test_strlen(void)
{
	/* Not NUL-terminated: strnlen must stop at maxlen (ASan checks). */
	char unterminated[3] = { 'a', 'b', 'c' };

	CHECK_UINT(lib_strlen(""), 0);
	CHECK_UINT(lib_strlen("hello"), 5);
	CHECK_UINT(lib_strnlen("hello", 3), 3);
	CHECK_UINT(lib_strnlen("hello", 5), 5);
	CHECK_UINT(lib_strnlen("hello", 99), 5);
	CHECK_UINT(lib_strnlen("hello", 0), 0);
	CHECK_UINT(lib_strnlen(unterminated, sizeof(unterminated)), 3);
}

static void test_strcmp(void)
{
	CHECK_INT(lib_strcmp("", ""), 0);
	CHECK_INT(lib_strcmp("abc", "abc"), 0);
	CHECK(lib_strcmp("abc", "abd") < 0);
	CHECK(lib_strcmp("abc", "ab") > 0);
	CHECK(lib_strcmp("ab", "abc") < 0);
	CHECK(lib_strcmp("\xe9", "e") > 0);	/* unsigned comparison */

	CHECK_INT(lib_strncmp("abcX", "abcY", 3), 0);
	CHECK(lib_strncmp("abcX", "abcY", 4) < 0);
	CHECK_INT(lib_strncmp("x", "y", 0), 0);
	CHECK_INT(lib_strncmp("ab", "ab", 10), 0);	/* stops at the NUL */
	CHECK(lib_strncmp("ab", "abc", 10) < 0);
}

static void test_strchr(void)
{
	const char *s = "hello\xe9";

	CHECK_PTR(lib_strchr(s, 'l'), s + 2);
	CHECK_PTR(lib_strchr(s, 'h'), s);
	CHECK_PTR(lib_strchr(s, 'z'), NULL);
	CHECK_PTR(lib_strchr(s, '\0'), s + 6);	/* finds the terminator */
	CHECK_PTR(lib_strchr(s, 0xe9), s + 5);	/* int converted to char */
	CHECK_PTR(lib_strchr("", 'a'), NULL);
}

static void test_strlcpy(void)
{
	char buf[8];

	CHECK_UINT(lib_strlcpy(buf, "abc", sizeof(buf)), 3);
	CHECK_STR(buf, "abc");

	/* Exactly fits: 7 characters + NUL. */
	CHECK_UINT(lib_strlcpy(buf, "1234567", sizeof(buf)), 7);
	CHECK_STR(buf, "1234567");

	/* Truncated, still terminated; result is the source length. */
	CHECK_UINT(lib_strlcpy(buf, "truncate me", sizeof(buf)), 11);
	CHECK_STR(buf, "truncat");

	CHECK_UINT(lib_strlcpy(buf, "xyz", 1), 3);
	CHECK_STR(buf, "");

	/* Size 0 must not touch dst at all. */
	buf[0] = 'Q';
	CHECK_UINT(lib_strlcpy(buf, "xyz", 0), 3);
	CHECK_INT(buf[0], 'Q');
}

static void test_starts_with(void)
{
	CHECK(str_starts_with("console=hvc0", "console="));
	CHECK(str_starts_with("abc", "abc"));
	CHECK(str_starts_with("abc", ""));
	CHECK(str_starts_with("", ""));
	CHECK(!str_starts_with("abc", "abcd"));
	CHECK(!str_starts_with("abc", "abd"));
	CHECK(!str_starts_with("", "a"));
}

void string_tests(void)
{
	check_run("lib.string.memcpy", test_memcpy);
	check_run("lib.string.memmove_overlap", test_memmove_overlap);
	check_run("lib.string.memmove_random", test_memmove_random);
	check_run("lib.string.memset", test_memset);
	check_run("lib.string.memcmp", test_memcmp);
	check_run("lib.string.strlen_strnlen", test_strlen);
	check_run("lib.string.strcmp_strncmp", test_strcmp);
	check_run("lib.string.strchr", test_strchr);
	check_run("lib.string.strlcpy", test_strlcpy);
	check_run("lib.string.starts_with", test_starts_with);
}
