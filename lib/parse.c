/*
 * lib/parse.c - strict number parsing, plus strtoull.
 *
 * Both flavours share two steps: pick the base from a prefix, then
 * accumulate digits while watching for overflow.  They differ only in how
 * forgiving they are about what surrounds the digits.
 */
#include "lib/parse.h"

#include <stddef.h>

#include "lib/ctype.h"

/* Not from <limits.h>: gcc's copy of it does not work under -nostdinc. */
#define ULLONG_MAX (__LONG_LONG_MAX__ * 2ULL + 1)

/* A character's digit value, or 36 (valid in no base) if it is no digit. */
static unsigned int digit_value(char c)
{
	if (isdigit(c))
		return (unsigned int)(c - '0');
	if (islower(c))
		return (unsigned int)(c - 'a' + 10);
	if (isupper(c))
		return (unsigned int)(c - 'A' + 10);
	return 36;
}

static bool valid_base(int base)
{
	return base == 0 || (base >= 2 && base <= 36);
}

/*
 * Skip a "0x" prefix if the base allows one and a hex digit follows it (so
 * "0x" alone is the number 0 followed by junk, as in strtoull), and turn
 * base 0 into the base the prefix implies.
 */
static unsigned int resolve_base(const char **s, int base)
{
	const char *p = *s;
	bool hex_prefix = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
			  digit_value(p[2]) < 16;

	if ((base == 0 || base == 16) && hex_prefix) {
		*s = p + 2;
		return 16;
	}
	if (base == 0)
		return p[0] == '0' ? 8 : 10;
	return (unsigned int)base;
}

/*
 * Accumulate the digits at s.  Returns the first non-digit; *overflow tells
 * whether the value exceeded UINT64_MAX (the digits are consumed anyway).
 */
static const char *scan_digits(const char *s, unsigned int base,
			       uint64_t *value, bool *overflow)
{
	uint64_t v = 0;

	*overflow = false;
	for (; digit_value(*s) < base; s++) {
		unsigned int digit = digit_value(*s);

		/* v * base + digit > UINT64_MAX, rearranged so nothing overflows. */
		if (v > (UINT64_MAX - digit) / base)
			*overflow = true;
		else
			v = v * base + digit;
	}
	*value = v;
	return s;
}

bool parse_u64(const char *s, int base, uint64_t *out)
{
	uint64_t value;
	bool overflow;

	if (!valid_base(base))
		return false;

	unsigned int actual_base = resolve_base(&s, base);
	const char *end = scan_digits(s, actual_base, &value, &overflow);

	if (end == s || *end != '\0' || overflow)
		return false;
	*out = value;
	return true;
}

bool parse_size(const char *s, uint64_t *out)
{
	uint64_t value;
	bool overflow;
	unsigned int shift;
	const char *end = scan_digits(s, 10, &value, &overflow);

	if (end == s || overflow)
		return false;

	switch (*end) {
	case '\0':
		shift = 0;
		break;
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	default:
		return false;
	}

	/* The suffix, if any, must be the last character. */
	if (shift != 0 && end[1] != '\0')
		return false;
	if (value > (UINT64_MAX >> shift))
		return false;
	*out = value << shift;
	return true;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	const char *p = s;
	bool negative = false;
	uint64_t value = 0;
	bool overflow = false;

	if (valid_base(base)) {
		while (isspace(*p))
			p++;
		if (*p == '+' || *p == '-') {
			negative = *p == '-';
			p++;
		}

		unsigned int actual_base = resolve_base(&p, base);
		const char *digits_end = scan_digits(p, actual_base, &value, &overflow);

		/* No digits at all: nothing was parsed, not even the sign. */
		p = digits_end == p ? s : digits_end;
	}

	if (end != NULL)
		*end = (char *)p;
	if (overflow)
		return ULLONG_MAX;
	/* Unsigned negation wraps, which is what the standard asks for. */
	return negative ? 0 - (unsigned long long)value : value;
}
