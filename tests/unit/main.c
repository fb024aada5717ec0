/*
 * tests/unit/main.c - entry point of build/unit/lib-tests: run every
 * suite, print the TAP plan, exit 0 iff all tests passed.
 */
#include "tests/unit/check.h"
#include "tests/unit/suites.h"

int main(void)
{
	string_tests();
	ctype_tests();
	printf_tests();
	parse_tests();
	return check_finish();
}
