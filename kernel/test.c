/*
 * test.c — the in-guest test runner, and the `test=` option.
 *
 * Output is TAP: a plan line "1..N", then per test "ok N name",
 * "not ok N name # reason" or "ok N name # SKIP reason".
 */
#include <stdarg.h>

#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/test.h"
#include "lib/printf.h"
#include "lib/string.h"

extern const struct test_case __tests_start[], __tests_end[];

void test_fail(struct test_ctx *t, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(t->reason, sizeof(t->reason), "%s:%d: ", file, line);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(t->reason))
		vsnprintf(t->reason + n, sizeof(t->reason) - n, fmt, ap);
	va_end(ap);
	t->failed = true;
}

void test_skip(struct test_ctx *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
	t->skipped = true;
}

static bool matches(const struct test_case *tc, const char *prefix)
{
	return strcmp(prefix, "all") == 0 || str_starts_with(tc->name, prefix);
}

int tests_run(const char *prefix)
{
	int planned = 0, number = 0, failed = 0, skipped = 0;

	for (const struct test_case *tc = __tests_start; tc < __tests_end; tc++)
		planned += matches(tc, prefix);
	if (planned == 0)
		return -1;

	printk("1..%d\n", planned);
	for (const struct test_case *tc = __tests_start; tc < __tests_end; tc++) {
		struct test_ctx t = { 0 };

		if (!matches(tc, prefix))
			continue;
		tc->run(&t);
		number++;
		if (t.failed) {
			failed++;
			printk("not ok %d %s # %s\n", number, tc->name, t.reason);
		} else if (t.skipped) {
			skipped++;
			printk("ok %d %s # SKIP %s\n", number, tc->name, t.reason);
		} else {
			printk("ok %d %s\n", number, tc->name);
		}
	}
	printk("# %d passed, %d failed, %d skipped\n", planned - failed - skipped,
	       failed, skipped);
	return failed;
}
