/*
 * tests/unit/test_parse.c - lib/parse.c: the strict parsers on tables of
 * good and bad input, and strtoull against glibc's.
 */
#include "tests/unit/lib-api.h"

#include "tests/unit/check.h"
#include "tests/unit/suites.h"

#define UNTOUCHED 0x1234abcdULL

struct u64_case {
	const char *s;
	int base;
	bool ok;
	uint64_t value;
};

/* Runs a table; on failure *out must keep its previous value. */
static void check_u64_cases(const char *file, int line,
			    const struct u64_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const struct u64_case *c = &cases[i];
		uint64_t out = UNTOUCHED;
		bool ok = parse_u64(c->s, c->base, &out);
		uint64_t want = c->ok ? c->value : UNTOUCHED;

		if (ok != c->ok || out != want)
			check_fail(file, line, "parse_u64(\"%s\", %d) gave %s %llu, expected %s %llu",
				   c->s, c->base, ok ? "true" : "false",
				   (unsigned long long)out,
				   c->ok ? "true" : "false", (unsigned long long)want);
	}
}

#define CHECK_U64_CASES(table) \
	check_u64_cases(__FILE__, __LINE__, table, sizeof(table) / sizeof(table[0]))

static void test_u64_bases(void)
{
	static const struct u64_case cases[] = {
		{ "0", 10, true, 0 },
		{ "42", 10, true, 42 },
		{ "007", 10, true, 7 },
		{ "101", 2, true, 5 },
		{ "777", 8, true, 0777 },
		{ "ff", 16, true, 255 },
		{ "FF", 16, true, 255 },
		{ "0xff", 16, true, 255 },	/* base 16 allows 0x */
		{ "zz", 36, true, 36 * 36 - 1 },
		{ "Zz", 36, true, 36 * 36 - 1 },
		{ "2", 2, false, 0 },		/* digit too big for base */
		{ "8", 8, false, 0 },
		{ "g", 16, false, 0 },
		{ "0x10", 10, false, 0 },	/* prefix only in base 0/16 */
		{ "1", 1, false, 0 },		/* invalid bases */
		{ "1", 37, false, 0 },
		{ "1", -1, false, 0 },
	};

	CHECK_U64_CASES(cases);
}

static void test_u64_prefixes(void)
{
	static const struct u64_case cases[] = {
		{ "0", 0, true, 0 },
		{ "123", 0, true, 123 },
		{ "0x1F", 0, true, 31 },
		{ "0X1f", 0, true, 31 },
		{ "017", 0, true, 15 },
		{ "00", 0, true, 0 },
		{ "08", 0, false, 0 },		/* octal has no 8 */
		{ "0x", 0, false, 0 },		/* prefix without digits */
		{ "0xg", 0, false, 0 },
		{ "0x0x1", 0, false, 0 },
		{ "x1", 0, false, 0 },
	};

	CHECK_U64_CASES(cases);
}

static void test_u64_overflow(void)
{
	static const struct u64_case cases[] = {
		{ "18446744073709551615", 10, true, UINT64_MAX },
		{ "18446744073709551616", 10, false, 0 },	/* 2^64 */
		{ "18446744073709551620", 10, false, 0 },
		{ "99999999999999999999999", 10, false, 0 },
		{ "0xffffffffffffffff", 0, true, UINT64_MAX },
		{ "0x10000000000000000", 0, false, 0 },
		{ "0000000000000000000000000001", 10, true, 1 },
		{ "1777777777777777777777", 8, true, UINT64_MAX },
		{ "2000000000000000000000", 8, false, 0 },
		{ "3w5e11264sgsf", 36, true, UINT64_MAX },
		{ "3w5e11264sgsg", 36, false, 0 },
	};

	CHECK_U64_CASES(cases);
}

static void test_u64_junk(void)
{
	static const struct u64_case cases[] = {
		{ "", 10, false, 0 },
		{ "", 0, false, 0 },
		{ "12abc", 10, false, 0 },
		{ "12 ", 10, false, 0 },
		{ " 12", 10, false, 0 },
		{ "-1", 10, false, 0 },
		{ "+1", 10, false, 0 },
		{ "1.0", 10, false, 0 },
		{ "12\n", 0, false, 0 },
	};

	CHECK_U64_CASES(cases);
}

/* Valid input must mean exactly what strtoull (glibc's) says it means. */
static void test_u64_agrees_with_strtoull(void)
{
	static const struct {
		const char *s;
		int base;
	} cases[] = {
		{ "0", 0 }, { "0x7fffffff", 0 }, { "0777", 0 }, { "123456789", 0 },
		{ "deadbeef", 16 }, { "0XDEADBEEF", 16 }, { "11111111", 2 },
		{ "18446744073709551615", 10 }, { "kernel", 36 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t out = 0;

		CHECK(parse_u64(cases[i].s, cases[i].base, &out));
		CHECK_UINT(out, strtoull(cases[i].s, NULL, cases[i].base));
	}
}

struct size_case {
	const char *s;
	bool ok;
	uint64_t value;
};

static void check_size_cases(const char *file, int line,
			     const struct size_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const struct size_case *c = &cases[i];
		uint64_t out = UNTOUCHED;
		bool ok = parse_size(c->s, &out);
		uint64_t want = c->ok ? c->value : UNTOUCHED;

		if (ok != c->ok || out != want)
			check_fail(file, line, "parse_size(\"%s\") gave %s %llu, expected %s %llu",
				   c->s, ok ? "true" : "false", (unsigned long long)out,
				   c->ok ? "true" : "false", (unsigned long long)want);
	}
}

#define CHECK_SIZE_CASES(table) \
	check_size_cases(__FILE__, __LINE__, table, sizeof(table) / sizeof(table[0]))

static void test_size_suffixes(void)
{
	static const struct size_case cases[] = {
		{ "0", true, 0 },
		{ "4096", true, 4096 },
		{ "010", true, 10 },		/* decimal, not octal */
		{ "1K", true, 1024 },
		{ "1k", true, 1024 },
		{ "64K", true, 64 * 1024 },
		{ "2M", true, 2ULL << 20 },
		{ "512m", true, 512ULL << 20 },
		{ "3G", true, 3ULL << 30 },
		{ "0G", true, 0 },
		{ "1024g", true, 1ULL << 40 },
	};

	CHECK_SIZE_CASES(cases);
}

static void test_size_overflow(void)
{
	static const struct size_case cases[] = {
		{ "18446744073709551615", true, UINT64_MAX },
		{ "18446744073709551616", false, 0 },
		{ "18014398509481983K", true, UINT64_MAX - 1023 },
		{ "18014398509481984K", false, 0 },	/* 2^54 K = 2^64 */
		{ "17179869183G", true, UINT64_MAX - ((1ULL << 30) - 1) },
		{ "17179869184G", false, 0 },		/* 2^34 G = 2^64 */
		{ "99999999999999999999G", false, 0 },
	};

	CHECK_SIZE_CASES(cases);
}

static void test_size_bad_input(void)
{
	static const struct size_case cases[] = {
		{ "", false, 0 },
		{ "K", false, 0 },
		{ "1X", false, 0 },
		{ "1T", false, 0 },
		{ "1t", false, 0 },
		{ "1KB", false, 0 },
		{ "1KK", false, 0 },
		{ "1 K", false, 0 },
		{ " 1K", false, 0 },
		{ "-1", false, 0 },
		{ "+1", false, 0 },
		{ "1.5M", false, 0 },
		{ "0x10", false, 0 },
	};

	CHECK_SIZE_CASES(cases);
}

/* The lenient standard function: value and end pointer as glibc's. */
static void test_strtoull(void)
{
	static const struct {
		const char *s;
		int base;
	} cases[] = {
		{ "42", 10 }, { "  \t\n42rest", 10 }, { "-1", 10 }, { "+7", 0 },
		{ "-0x10", 0 }, { "0x", 0 }, { "0x", 16 }, { "0xg", 16 },
		{ "0755", 0 }, { "089", 0 }, { "", 10 }, { "   ", 10 }, { "-", 10 },
		{ "abc", 10 }, { "zZ9", 36 }, { "18446744073709551615", 10 },
		{ "18446744073709551616", 10 }, { "-18446744073709551616", 10 },
		{ "999999999999999999999999x", 0 }, { "101012", 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = cases[i].s;
		int base = cases[i].base;
		char *our_end, *want_end;
		unsigned long long ours = lib_strtoull(s, &our_end, base);
		unsigned long long want = strtoull(s, &want_end, base);

		if (ours != want || our_end != want_end)
			check_fail(__FILE__, __LINE__,
				   "strtoull(\"%s\", %d): %llu end +%td, glibc %llu end +%td",
				   s, base, ours, our_end - s, want, want_end - s);
	}
	CHECK_UINT(lib_strtoull("99", NULL, 10), 99);

	/* Invalid bases: glibc leaves *end unset, we point it at s. */
	char *end = NULL;
	const char *s = "12";

	CHECK_UINT(lib_strtoull(s, &end, 1), 0);
	CHECK_PTR(end, s);
	CHECK_UINT(lib_strtoull(s, &end, 37), 0);
	CHECK_PTR(end, s);
}

void parse_tests(void)
{
	check_run("lib.parse.u64_bases", test_u64_bases);
	check_run("lib.parse.u64_prefixes", test_u64_prefixes);
	check_run("lib.parse.u64_overflow", test_u64_overflow);
	check_run("lib.parse.u64_junk", test_u64_junk);
	check_run("lib.parse.u64_agrees_with_strtoull", test_u64_agrees_with_strtoull);
	check_run("lib.parse.size_suffixes", test_size_suffixes);
	check_run("lib.parse.size_overflow", test_size_overflow);
	check_run("lib.parse.size_bad_input", test_size_bad_input);
	check_run("lib.parse.strtoull", test_strtoull);
}
