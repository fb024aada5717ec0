/*
 * console_input_test.c — the console-input tests' shared helpers
 * (console_input_test.h).
 */
#include "kernel/console.h"
#include "kernel/timer.h"
#include "lib/string.h"
#include "tests/guest/console_input_test.h"

#define INPUT_POLL_NS (5 * NSEC_PER_MSEC)

bool set_expected_input(char *expected, const char *value)
{
	if (!value || !*value || strlen(value) >= EXPECTED_INPUT_MAX)
		return false;
	strlcpy(expected, value, EXPECTED_INPUT_MAX);
	return true;
}

bool text_contains(const char *text, const char *part)
{
	size_t n = strlen(part);

	for (; *text; text++)
		if (strncmp(text, part, n) == 0)
			return true;
	return false;
}

size_t read_console_input(char *buf, size_t size, const char *text, uint64_t until)
{
	size_t total = 0, held = 0, keep = size / 2;

	buf[0] = '\0';
	while (time_now_ns() < until) {
		size_t got = console_read(buf + held, size - 1 - held);

		total += got;
		held += got;
		buf[held] = '\0';
		if (text ? text_contains(buf, text) : total > 0)
			break;
		if (held == size - 1) {         /* full: keep the newer half */
			memmove(buf, buf + held - keep, keep + 1);
			held = keep;
		}
		if (got == 0)
			sleep_ns(INPUT_POLL_NS);
	}
	return total;
}
