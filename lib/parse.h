/*
 * lib/parse.h - strict number parsing, e.g. for kernel command line options.
 *
 * "Strict" means all or nothing: the whole string must be a number, with
 * no sign, no spaces and no trailing junk, and a value that does not fit
 * is an error rather than being silently clamped.  On failure these
 * return false and leave *out unchanged.
 */
#ifndef PVKIT_LIB_PARSE_H
#define PVKIT_LIB_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parse an unsigned number in base 2..36.  Base 0 picks the base from the
 * prefix like strtoull: "0x"/"0X" hex, "0" octal, otherwise decimal.  In
 * base 16 an optional "0x" prefix is accepted too.
 */
bool parse_u64(const char *s, int base, uint64_t *out);

/*
 * Parse a size: decimal digits with an optional K, M or G suffix (either
 * case) in binary units, so "4K" is 4096 and "1M" is 1048576.
 */
bool parse_size(const char *s, uint64_t *out);

/*
 * The standard function, lenient as the standard demands: skips leading
 * white space, accepts a sign (negative values wrap), stops at the first
 * non-digit and saturates at ULLONG_MAX on overflow.  There is no errno.
 * *end (if end is not NULL) is set to the first unparsed character, or
 * to s when no number was found.
 */
unsigned long long strtoull(const char *s, char **end, int base);

#endif
