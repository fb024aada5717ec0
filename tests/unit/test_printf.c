/*
 * tests/unit/test_printf.c - lib/printf.c, mostly against glibc.
 *
 * SAME_AS_GLIBC(fmt, args...) formats with our vsnprintf and with glibc's,
 * at every buffer size from 0 to one past the full length, and checks that
 * return values and buffer contents agree, including that neither writes
 * past the given size.  Its format strings are checked by gcc's -Wformat,
 * so the test itself passes correctly typed arguments.  Cases gcc would
 * reject (flags the standard says are ignored, such as "%-05d") go through
 * SAME_AS_GLIBC_UNCHECKED instead.
 */
#include "tests/unit/lib-api.h"

#include <limits.h>

#include "tests/unit/check.h"
#include "tests/unit/suites.h"

#define BUF_SIZE 1200
#define CANARY 0x5a

static void compare_va(const char *file, int line, const char *fmt, va_list ap)
{
	char ours[BUF_SIZE], want[BUF_SIZE];
	va_list copy;

	va_copy(copy, ap);
	int want_len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (want_len < 0 || want_len + 2 > BUF_SIZE) {
		check_fail(file, line, "bad test case \"%s\"", fmt);
		return;
	}

	for (size_t size = 0; size <= (size_t)want_len + 1; size++) {
		memset(ours, CANARY, sizeof(ours));
		memset(want, CANARY, sizeof(want));

		va_copy(copy, ap);
		int our_len = lib_vsnprintf(ours, size, fmt, copy);
		va_end(copy);
		va_copy(copy, ap);
		vsnprintf(want, size, fmt, copy);
		va_end(copy);

		if (our_len != want_len) {
			check_fail(file, line, "\"%s\" size %zu: returned %d, glibc %d",
				   fmt, size, our_len, want_len);
			return;
		}
		/* Whole buffers: also catches writes beyond size. */
		if (memcmp(ours, want, sizeof(ours)) != 0) {
			ours[BUF_SIZE - 1] = want[BUF_SIZE - 1] = '\0';
			check_fail(file, line, "\"%s\" size %zu: got \"%s\", glibc \"%s\"",
				   fmt, size, ours, want);
			return;
		}
	}
}

__attribute__((format(printf, 3, 4)))
static void compare_checked(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	compare_va(file, line, fmt, ap);
	va_end(ap);
}

/* Deliberately without a format attribute; see the top of the file. */
static void compare_unchecked(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	compare_va(file, line, fmt, ap);
	va_end(ap);
}

#define SAME_AS_GLIBC(...) compare_checked(__FILE__, __LINE__, __VA_ARGS__)
#define SAME_AS_GLIBC_UNCHECKED(...) compare_unchecked(__FILE__, __LINE__, __VA_ARGS__)

/* For output glibc cannot vouch for: our snprintf must give exactly want. */
static void expect_va(const char *file, int line, const char *want,
		      const char *fmt, va_list ap)
{
	char buf[256];
	int len = lib_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (len != (int)strlen(want) || strcmp(buf, want) != 0)
		check_fail(file, line, "\"%s\" gave \"%s\" (%d), expected \"%s\"",
			   fmt, buf, len, want);
}

static void expect_output(const char *file, int line, const char *want,
			  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	expect_va(file, line, want, fmt, ap);
	va_end(ap);
}

#define EXPECT_OUTPUT(want, ...) expect_output(__FILE__, __LINE__, want, __VA_ARGS__)

static void test_literal_text(void)
{
	SAME_AS_GLIBC("%s", "");
	SAME_AS_GLIBC("hello, world");
	SAME_AS_GLIBC("100%%");
	SAME_AS_GLIBC("%%d %%%% %%s");
	SAME_AS_GLIBC("tab\tnewline\n");
	EXPECT_OUTPUT("", "");
}

static void test_signed(void)
{
	SAME_AS_GLIBC("%d %d %d", 0, 1, -1);
	SAME_AS_GLIBC("%d %i", INT_MAX, INT_MIN);
	SAME_AS_GLIBC("%hhd %hhd %hhd", 127, 128, 255);	/* wraps like char */
	SAME_AS_GLIBC("%hd %hd %hi", SHRT_MAX, 32768, -32769);
	SAME_AS_GLIBC("%ld %ld", LONG_MAX, LONG_MIN);
	SAME_AS_GLIBC("%lld %lli", LLONG_MAX, LLONG_MIN);
	SAME_AS_GLIBC("%zd %zd", (ssize_t)-1, (ssize_t)SSIZE_MAX);
	SAME_AS_GLIBC("%td %td", PTRDIFF_MIN, PTRDIFF_MAX);
	SAME_AS_GLIBC("%jd %jd", INTMAX_MIN, INTMAX_MAX);
}

static void test_unsigned(void)
{
	SAME_AS_GLIBC("%u %u %u", 0u, 1u, UINT_MAX);
	SAME_AS_GLIBC("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0755u);
	SAME_AS_GLIBC("%x %X %o", 0u, 0u, 0u);
	SAME_AS_GLIBC("%hhu %hhx %hho", 255, 256 + 0x12, 511);
	SAME_AS_GLIBC("%hu %hx %ho", 65535, 65536 + 7, 65535);
	SAME_AS_GLIBC("%lu %lx %lo", ULONG_MAX, ULONG_MAX, ULONG_MAX);
	SAME_AS_GLIBC("%llu %llX %llo", ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
	SAME_AS_GLIBC("%llx", 0x0123456789abcdefULL);
	SAME_AS_GLIBC("%zu %zx", SIZE_MAX, (size_t)4096);
	SAME_AS_GLIBC("%tu %tx", (ptrdiff_t)-1, (ptrdiff_t)-2);
	SAME_AS_GLIBC("%ju %jx %jo", UINTMAX_MAX, UINTMAX_MAX, UINTMAX_MAX);
}

static void test_widths(void)
{
	SAME_AS_GLIBC("[%5d] [%-5d] [%05d]", 42, 42, 42);
	SAME_AS_GLIBC("[%5d] [%-5d] [%05d]", -42, -42, -42);
	SAME_AS_GLIBC("[%1d] [%2d] [%3d]", 12345, -1, -1);
	SAME_AS_GLIBC("[%8x] [%-8X] [%08o]", 0xabcu, 0xabcu, 0777u);
	SAME_AS_GLIBC("[%020lld]", LLONG_MIN);
	SAME_AS_GLIBC("[%*d] [%*d] [%-*d]", 6, 7, -6, 7, 3, 1);
	SAME_AS_GLIBC("[%*u]", 0, 5u);
	SAME_AS_GLIBC("[%300d]", 1);		/* many padding chunks */
	SAME_AS_GLIBC("[%-1000u]", 99u);
	SAME_AS_GLIBC("[%5c] [%-5c] [%1c]", 'a', 'b', 'c');
}

static void test_precision(void)
{
	SAME_AS_GLIBC("[%.3d] [%.3d] [%.1d] [%.0d]", 7, -7, 12345, 5);
	SAME_AS_GLIBC("[%.0d] [%.0u] [%.0x] [%5.0d]", 0, 0u, 0u, 0);
	SAME_AS_GLIBC("[%.d]", 0);
	SAME_AS_GLIBC("[%8.3d] [%-8.3d] [%8.3x]", -7, 7, 0xau);
	SAME_AS_GLIBC("[%.20llu]", ULLONG_MAX);
	SAME_AS_GLIBC("[%.*d] [%.*d] [%.*d]", 4, 9, -1, 9, 0, 0);
	SAME_AS_GLIBC("[%.*d] [%.*x]", -5, 0, -2, 0u);	/* negative: none */
	SAME_AS_GLIBC("[%*.*d] [%-*.*d]", 8, 4, -3, 8, 4, -3);
	/* '0' is ignored when a precision is given, and when '-' is. */
	SAME_AS_GLIBC_UNCHECKED("[%08.3d] [%08.3u] [%08.0x]", -7, 7u, 0u);
	SAME_AS_GLIBC_UNCHECKED("[%-05d] [%0-5d] [%-05x]", 3, 3, 0xfu);
}

static void test_sign_flags(void)
{
	SAME_AS_GLIBC("[%+d] [%+d] [%+d]", 0, 5, -5);
	SAME_AS_GLIBC("[% d] [% d] [% d]", 0, 5, -5);
	SAME_AS_GLIBC("[%+5d] [%+-5d] [%+05d]", 5, 5, 5);
	SAME_AS_GLIBC("[% 5d] [% -5d] [% 05d]", 5, 5, -5);
	SAME_AS_GLIBC("[%+.3d] [% .3d] [%+.0d]", 5, 5, 0);
	SAME_AS_GLIBC("[%+lld]", LLONG_MAX);
	/* '+' wins over ' '. */
	SAME_AS_GLIBC_UNCHECKED("[%+ d] [% +d]", 5, 5);
}

static void test_alt_forms(void)
{
	SAME_AS_GLIBC("[%#x] [%#X] [%#o]", 255u, 255u, 8u);
	SAME_AS_GLIBC("[%#x] [%#X] [%#o]", 0u, 0u, 0u);	/* plain "0" */
	SAME_AS_GLIBC("[%#.0o] [%#.0x]", 0u, 0u);
	SAME_AS_GLIBC("[%#.3o] [%#.3o] [%#.5x]", 7u, 0u, 0x1fu);
	SAME_AS_GLIBC("[%#10x] [%#-10x] [%#010x]", 0xbeefu, 0xbeefu, 0xbeefu);
	SAME_AS_GLIBC("[%#5o] [%#05o] [%#o]", 8u, 8u, 01u);
	SAME_AS_GLIBC("[%#llx] [%#llo]", ULLONG_MAX, ULLONG_MAX);
}

static void test_chars(void)
{
	SAME_AS_GLIBC("%c%c%c", 'a', 'B', '~');
	SAME_AS_GLIBC("[%c]", 0);		/* an embedded NUL is output */
	SAME_AS_GLIBC("[%3c]", 0);
	SAME_AS_GLIBC("%c", 0x141);		/* converted to unsigned char */
	SAME_AS_GLIBC("%c", 0xe9);
}

static void test_strings(void)
{
	/* Not NUL-terminated: with a precision, never read past it (ASan). */
	char unterminated[3] = { 'x', 'y', 'z' };
	/* volatile hides NULL from gcc, which would warn about %s of NULL. */
	const char *volatile null_string = NULL;

	SAME_AS_GLIBC("[%s] [%s]", "hello", "");
	SAME_AS_GLIBC("[%8s] [%-8s] [%2s]", "abc", "abc", "abcdef");
	SAME_AS_GLIBC("[%.2s] [%.0s] [%.10s]", "abcdef", "abc", "abc");
	SAME_AS_GLIBC("[%6.2s] [%-6.2s] [%*.*s]", "abc", "abc", -7, 1, "xyz");
	SAME_AS_GLIBC("[%.3s] [%.*s]", unterminated, 2, unterminated);
	SAME_AS_GLIBC("[%s] [%10s] [%-10s]", null_string, null_string, null_string);
	SAME_AS_GLIBC("[%.6s] [%.5s] [%.0s] [%3.2s]", null_string, null_string,
		      null_string, null_string);
	SAME_AS_GLIBC("[%.*s] [%.*s]", -1, "negative precision is none", -3, "abc");
}

static void test_pointers(void)
{
	SAME_AS_GLIBC("%p %p", NULL, (void *)1);
	SAME_AS_GLIBC("%p %p", (void *)0xdeadbeef, (void *)UINTPTR_MAX);
	SAME_AS_GLIBC("[%20p] [%-20p] [%2p]", (void *)0xabc, (void *)0xabc, (void *)0xabc);
	SAME_AS_GLIBC("[%10p] [%-10p] [%3p]", NULL, NULL, NULL);
	SAME_AS_GLIBC("%p", (void *)test_pointers);
}

static void test_mixed(void)
{
	SAME_AS_GLIBC("cpu%u: %s at %#lx, %d%% done, flags=%04x%c",
		      3u, "vcpu", 0xffff800000001000UL, 99, 0x2au, '!');
	SAME_AS_GLIBC("%d%d%d%d%d%d%d%d%d%d", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
	SAME_AS_GLIBC("%s=%-*s|%+*lld|", "key", 6, "val", 25, LLONG_MIN);
}

static void test_truncation(void)
{
	char buf[8];

	/* size 0: nothing written, NULL allowed, full length returned. */
	CHECK_INT(lib_snprintf(NULL, 0, "%d", 123456), 6);
	buf[0] = 'Q';
	CHECK_INT(lib_snprintf(buf, 0, "abc"), 3);
	CHECK_INT(buf[0], 'Q');

	/* size 1: just the terminator. */
	CHECK_INT(lib_snprintf(buf, 1, "abc"), 3);
	CHECK_STR(buf, "");

	memset(buf, 'Q', sizeof(buf));
	CHECK_INT(lib_snprintf(buf, 5, "%s-%d", "abcdef", 42), 9);
	CHECK_STR(buf, "abcd");
	CHECK_INT(buf[5], 'Q');

	CHECK_INT(lib_snprintf(buf, sizeof(buf), "%07d", 1), 7);
	CHECK_STR(buf, "0000001");
}

static void test_unknown_conversion(void)
{
	/* Through a variable so gcc's format checking does not object. */
	const char *volatile fmt;

	fmt = "%q";
	EXPECT_OUTPUT("%q", fmt);
	fmt = "a%5qb%d";
	EXPECT_OUTPUT("a%5qb7", fmt, 7);	/* takes no argument */
	fmt = "%-08.3lq";
	EXPECT_OUTPUT("%-08.3lq", fmt);
	fmt = "%n%f";				/* deliberately unsupported */
	EXPECT_OUTPUT("%n%f", fmt);
	fmt = "50%";				/* format ends after '%' */
	EXPECT_OUTPUT("50%", fmt);
	fmt = "end%-5";				/* or inside a conversion */
	EXPECT_OUTPUT("end%-5", fmt);
	fmt = "%hh";
	EXPECT_OUTPUT("%hh", fmt);
}

/* vformat sink that records everything it is given. */
struct recorder {
	char text[2048];
	size_t len;
	int calls;
	int empty_calls;
	bool overflow;
};

static void record(void *ctx, const char *s, size_t n)
{
	struct recorder *r = ctx;

	r->calls++;
	if (n == 0)
		r->empty_calls++;
	if (r->len + n >= sizeof(r->text)) {
		r->overflow = true;
		return;
	}
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = '\0';
}

__attribute__((format(printf, 2, 3)))
static int record_format(struct recorder *r, const char *fmt, ...)
{
	va_list ap;

	memset(r, 0, sizeof(*r));
	va_start(ap, fmt);
	int n = vformat(record, r, fmt, ap);
	va_end(ap);
	return n;
}

static void test_vformat_emit(void)
{
	struct recorder r;

	/* Literal text comes in whole runs: "<", "42", ">". */
	CHECK_INT(record_format(&r, "<%d>", 42), 4);
	CHECK_STR(r.text, "<42>");
	CHECK_INT(r.calls, 3);

	/* Padding is chunked, not one call per character. */
	CHECK_INT(record_format(&r, "%1000d", 7), 1000);
	CHECK_UINT(r.len, 1000);
	CHECK(!r.overflow);
	CHECK(r.calls > 1 && r.calls < 100);
	CHECK(r.text[998] == ' ' && r.text[999] == '7');

	/* Nothing to print means no calls at all, never an empty run. */
	CHECK_INT(record_format(&r, "%s%.0d%.0s", "", 0, "abc"), 0);
	CHECK_INT(r.calls, 0);

	CHECK_INT(record_format(&r, "a%sb%cc%.0sd", "", 'x', "gone"), 5);
	CHECK_STR(r.text, "abxcd");
	CHECK_INT(r.empty_calls, 0);

	/* The return value counts embedded NULs too. */
	CHECK_INT(record_format(&r, "%c%c", 0, 0), 2);
	CHECK_UINT(r.len, 2);
}

void printf_tests(void)
{
	check_run("lib.printf.literal_text", test_literal_text);
	check_run("lib.printf.signed", test_signed);
	check_run("lib.printf.unsigned", test_unsigned);
	check_run("lib.printf.widths", test_widths);
	check_run("lib.printf.precision", test_precision);
	check_run("lib.printf.sign_flags", test_sign_flags);
	check_run("lib.printf.alt_forms", test_alt_forms);
	check_run("lib.printf.chars", test_chars);
	check_run("lib.printf.strings", test_strings);
	check_run("lib.printf.pointers", test_pointers);
	check_run("lib.printf.mixed", test_mixed);
	check_run("lib.printf.truncation", test_truncation);
	check_run("lib.printf.unknown_conversion", test_unknown_conversion);
	check_run("lib.printf.vformat_emit", test_vformat_emit);
}
