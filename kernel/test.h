/*
 * test.h — in-guest tests.
 *
 *   TEST(heap, reuses_freed_objects) { ... CHECK(p != NULL); ... }
 *
 * registers a test named "heap.reuses_freed_objects" in a linker section;
 * `test=all` or `test=PREFIX` on the command line runs the matching tests
 * and prints TAP (Test Anything Protocol) lines that the host harness reads.
 * A failed CHECK records file, line and expression and ends the test.
 */
#ifndef PVKIT_KERNEL_TEST_H
#define PVKIT_KERNEL_TEST_H

#include <stdbool.h>
#include <stdint.h>

#define TEST_REASON_MAX 200

struct test_ctx {
	bool failed;
	bool skipped;
	char reason[TEST_REASON_MAX];
};

struct test_case {
	const char *name;
	void (*run)(struct test_ctx *t);
};

#define TEST(group, name)                                                     \
	static void test_##group##_##name(struct test_ctx *t);                \
	static const struct test_case test_case_##group##_##name              \
	__attribute__((used, section("pvkit_tests"), aligned(8))) =           \
		{ #group "." #name, test_##group##_##name };                  \
	static void test_##group##_##name(struct test_ctx *t)

void test_fail(struct test_ctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void test_skip(struct test_ctx *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			test_fail(t, __FILE__, __LINE__, "%s", #cond);        \
			return;                                               \
		}                                                             \
	} while (0)

#define CHECK_EQ(a, b)                                                        \
	do {                                                                  \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);              \
		if (a_ != b_) {                                               \
			test_fail(t, __FILE__, __LINE__, "%s == %s (%#lx != %#lx)", \
				  #a, #b, a_, b_);                            \
			return;                                               \
		}                                                             \
	} while (0)

/* Compare two result codes and, on a mismatch, show both by name
 * (name_of: e.g. xen_error_name), so a failure reads "EBUSY, expected OK". */
#define CHECK_NAMED(expr, expected, name_of)                                  \
	do {                                                                  \
		long got_ = (expr), want_ = (expected);                       \
		if (got_ != want_) {                                          \
			test_fail(t, __FILE__, __LINE__, "%s: %s, expected %s", \
				  #expr, name_of(got_), name_of(want_));      \
			return;                                               \
		}                                                             \
	} while (0)

#define SKIP(...)                                                             \
	do {                                                                  \
		test_skip(t, __VA_ARGS__);                                    \
		return;                                                       \
	} while (0)

/* Runs the tests whose name starts with prefix ("all": every test);
 * returns the number that failed, or -1 when no test matched. */
int tests_run(const char *prefix);

#endif
