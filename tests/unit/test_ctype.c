/*
 * tests/unit/test_ctype.c - lib/ctype.h against glibc in the "C" locale,
 * which is plain ASCII, for every value a ctype function may receive
 * (EOF and 0..255).
 */
#include "tests/unit/lib-api.h"

#include "tests/unit/check.h"
#include "tests/unit/suites.h"

/* Compare one classifier over the whole input range; report the first miss. */
#define SAME_CLASS(ours, glibcs)                                              \
	do {                                                                  \
		for (int c = EOF; c <= 255; c++) {                            \
			if ((ours(c) != 0) != (glibcs(c) != 0)) {             \
				check_fail(__FILE__, __LINE__, "%s(%d) is %d", \
					   #ours, c, ours(c));                \
				break;                                        \
			}                                                     \
		}                                                             \
	} while (0)

static void test_classes(void)
{
	SAME_CLASS(lib_isdigit, isdigit);
	SAME_CLASS(lib_isxdigit, isxdigit);
	SAME_CLASS(lib_isspace, isspace);
	SAME_CLASS(lib_isalpha, isalpha);
	SAME_CLASS(lib_isalnum, isalnum);
	SAME_CLASS(lib_isupper, isupper);
	SAME_CLASS(lib_islower, islower);
	SAME_CLASS(lib_isprint, isprint);
}

static void test_case_mapping(void)
{
	for (int c = EOF; c <= 255; c++) {
		CHECK_INT(lib_tolower(c), tolower(c));
		CHECK_INT(lib_toupper(c), toupper(c));
	}
	CHECK_INT(lib_tolower('Q'), 'q');
	CHECK_INT(lib_toupper('q'), 'Q');
	CHECK_INT(lib_toupper(0xe9), 0xe9);	/* no locale: é is left alone */
}

void ctype_tests(void)
{
	check_run("lib.ctype.classes", test_classes);
	check_run("lib.ctype.case_mapping", test_case_mapping);
}
