/*
 * console_input_test.h — what the console-input tests share
 * (tests/guest/test_virtio_console.c, test_xen_console.c): the text the
 * harness announces with an `...expect=TEXT` option, and reading console
 * input until that text has arrived.
 */
#ifndef PVKIT_TESTS_GUEST_CONSOLE_INPUT_TEST_H
#define PVKIT_TESTS_GUEST_CONSOLE_INPUT_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/cmdline.h"

/* Longest announced text: at most half of the tests' read buffer, so that
 * read_console_input can keep it whole while dropping older input. */
#define EXPECTED_INPUT_MAX      64

/* An ...expect=TEXT option's value into expected[EXPECTED_INPUT_MAX]:
 * false (the option is refused) when it is empty or too long. */
bool set_expected_input(char *expected, const char *value);

/* In a test file: `static char expected_input[]` (empty: nothing was
 * announced) and the command-line option `name` that fills it. */
#define EXPECTED_INPUT_OPTION(ident, name, help)                              \
	static char expected_input[EXPECTED_INPUT_MAX];                       \
	static bool set_##ident(const char *value)                            \
	{                                                                     \
		return set_expected_input(expected_input, value);             \
	}                                                                     \
	CMDLINE_OPTION(ident, name, set_##ident, help)

bool text_contains(const char *text, const char *part);

/*
 * Reads console input (console_read) until `until` (kernel time, ns)
 * passes or, with a text to look for, until it is in buf; without one,
 * until anything came.  Older input is dropped from the front of buf to
 * make room, so the text may follow any amount of other input.  Sleeps
 * between empty reads, with interrupts on.  Returns the bytes read in all.
 */
size_t read_console_input(char *buf, size_t size, const char *text, uint64_t until);

#endif
