/*
 * tests/unit/lib-api.h - make both lib/ and the host C library callable
 * from one test file.
 *
 * Order matters:
 *   1. glibc headers first, so they declare the real memcpy, snprintf...
 *   2. the renames, then lib/ headers: these now declare lib_memcpy,
 *      lib_snprintf... (exactly the names the host-built lib objects
 *      define, since those were compiled with the same renames).
 *   3. undo the renames, so in the test code memcpy means glibc's memcpy
 *      and lib_memcpy means ours.
 */
#ifndef PVKIT_TESTS_UNIT_LIB_API_H
#define PVKIT_TESTS_UNIT_LIB_API_H

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/lib-rename.h"

#include "lib/ctype.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strlcpy
#undef isdigit
#undef isxdigit
#undef isspace
#undef isalpha
#undef isalnum
#undef isupper
#undef islower
#undef isprint
#undef tolower
#undef toupper
#undef vsnprintf
#undef snprintf
#undef strtoull

#endif
