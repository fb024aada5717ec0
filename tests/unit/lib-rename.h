/*
 * tests/unit/lib-rename.h - give lib/ functions that clash with the host C
 * library a lib_ prefix.
 *
 * The unit tests link the lib/ sources into an ordinary host program, where glibc
 * already defines memcpy, snprintf, isdigit...  Two definitions of one
 * name cannot coexist, and we want both anyway: glibc's snprintf is the
 * reference our snprintf is checked against.  So the lib/ sources is compiled for
 * the host with "-include tests/unit/lib-rename.h", turning every
 * definition of memcpy into one of lib_memcpy, and so on.
 *
 * Test files get the same renames through lib-api.h.  Names glibc does not
 * have (vformat, parse_u64, str_starts_with...) keep their own names.
 */
#ifndef PVKIT_TESTS_UNIT_LIB_RENAME_H
#define PVKIT_TESTS_UNIT_LIB_RENAME_H

/* lib/string.h */
#define memcpy lib_memcpy
#define memmove lib_memmove
#define memset lib_memset
#define memcmp lib_memcmp
#define strlen lib_strlen
#define strnlen lib_strnlen
#define strcmp lib_strcmp
#define strncmp lib_strncmp
#define strchr lib_strchr
#define strlcpy lib_strlcpy

/*
 * lib/ctype.h.  glibc's <ctype.h> may already define these as macros
 * (when a test included it first), so drop those definitions before
 * redefining; its real functions stay declared and usable.
 */
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
#define isdigit lib_isdigit
#define isxdigit lib_isxdigit
#define isspace lib_isspace
#define isalpha lib_isalpha
#define isalnum lib_isalnum
#define isupper lib_isupper
#define islower lib_islower
#define isprint lib_isprint
#define tolower lib_tolower
#define toupper lib_toupper

/* lib/printf.h */
#define vsnprintf lib_vsnprintf
#define snprintf lib_snprintf

/* lib/parse.h */
#define strtoull lib_strtoull

#endif
