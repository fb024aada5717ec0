/*
 * tests/unit/check.h - a tiny unit test framework that prints TAP.
 *
 * A test is a void function that makes CHECK_* assertions.  check_run()
 * runs one and prints "ok N name" or "not ok N name # file:line: reason"
 * (the first failed check; a failing check does not stop the test).
 * check_finish() prints the "1..N" plan and returns the exit status:
 * 0 when every test passed.
 */
#ifndef PVKIT_TESTS_UNIT_CHECK_H
#define PVKIT_TESTS_UNIT_CHECK_H

#include <string.h>

void check_run(const char *name, void (*test)(void));
int check_finish(void);

/* Record a failure of the running test; used by the macros below. */
void check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond))                                            \
			check_fail(__FILE__, __LINE__, "%s", #cond);    \
	} while (0)

#define CHECK_INT(actual, expected)                                     \
	do {                                                            \
		long long a_ = (actual), e_ = (expected);               \
		if (a_ != e_)                                           \
			check_fail(__FILE__, __LINE__,                  \
				   "%s is %lld, expected %lld",         \
				   #actual, a_, e_);                    \
	} while (0)

#define CHECK_UINT(actual, expected)                                    \
	do {                                                            \
		unsigned long long a_ = (actual), e_ = (expected);      \
		if (a_ != e_)                                           \
			check_fail(__FILE__, __LINE__,                  \
				   "%s is %llu, expected %llu",         \
				   #actual, a_, e_);                    \
	} while (0)

#define CHECK_PTR(actual, expected)                                     \
	do {                                                            \
		const void *a_ = (actual), *e_ = (expected);            \
		if (a_ != e_)                                           \
			check_fail(__FILE__, __LINE__,                  \
				   "%s is %p, expected %p",             \
				   #actual, a_, e_);                    \
	} while (0)

#define CHECK_STR(actual, expected)                                     \
	do {                                                            \
		const char *a_ = (actual), *e_ = (expected);            \
		if (a_ == NULL || strcmp(a_, e_) != 0)                  \
			check_fail(__FILE__, __LINE__,                  \
				   "%s is \"%s\", expected \"%s\"",     \
				   #actual, a_ ? a_ : "(null)", e_);    \
	} while (0)

#endif
