/*
 * tests/unit/suites.h - one function per test file; each runs that
 * file's tests through check_run().  main.c calls them all.
 */
#ifndef PVKIT_TESTS_UNIT_SUITES_H
#define PVKIT_TESTS_UNIT_SUITES_H

void string_tests(void);
void ctype_tests(void);
void printf_tests(void);
void parse_tests(void);

#endif
