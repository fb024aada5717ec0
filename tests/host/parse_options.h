/*
 * parse_options.h — call options_parse on a literal argument list in a host
 * test: PARSE("--mem", "64M", "k.elf") and CHECK_REJECTED("too small", ...).
 * The including file defines `static struct options opts;` and
 * `static char err[256];`, which the macros fill.
 */
#ifndef PVKIT_TESTS_HOST_PARSE_OPTIONS_H
#define PVKIT_TESTS_HOST_PARSE_OPTIONS_H

#include <string.h>

#include "host/options.h"
#include "tests/unit/check.h"

#define ARGV(...) ((char *const[]){ "pvkit-hv", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *const[]){ "pvkit-hv", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(...) options_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &opts, err, sizeof(err))

/* The parse must fail with a message that contains `expected`. */
#define CHECK_REJECTED(expected, ...)                                   \
	do {                                                            \
		err[0] = '\0';                                          \
		CHECK(!PARSE(__VA_ARGS__));                             \
		if (strstr(err, expected) == NULL)                      \
			check_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", \
				   err, expected);                      \
	} while (0)

#endif
