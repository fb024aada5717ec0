/*
 * tests/unit/check.c - the TAP-printing test runner behind check.h.
 */
#include "tests/unit/check.h"

#include <stdarg.h>
#include <stdio.h>

static int tests_run;
static int tests_failed;

/* State of the test currently running. */
static int failures;
static char first_failure[512];

void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (failures++ > 0)
		return;		/* keep only the first reason */

	n = snprintf(first_failure, sizeof(first_failure), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(first_failure + n, sizeof(first_failure) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* TAP needs one line per result: show control characters as escapes. */
static void print_escaped(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c < ' ' || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

void check_run(const char *name, void (*test)(void))
{
	failures = 0;
	first_failure[0] = '\0';
	test();

	tests_run++;
	if (failures == 0) {
		printf("ok %d %s\n", tests_run, name);
	} else {
		tests_failed++;
		printf("not ok %d %s # ", tests_run, name);
		print_escaped(first_failure);
		if (failures > 1)
			printf(" (and %d more)", failures - 1);
		putchar('\n');
	}
	/* If a later test crashes, the results so far are already out. */
	fflush(stdout);
}

int check_finish(void)
{
	printf("1..%d\n", tests_run);
	if (tests_failed > 0)
		printf("# %d of %d tests failed\n", tests_failed, tests_run);
	return tests_failed == 0 ? 0 : 1;
}
