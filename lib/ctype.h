/*
 * lib/ctype.h - character classification, ASCII only.
 *
 * The kernel has no locales, so these are simple range checks.  Like the
 * standard functions they take an int; anything outside 0..127 (including
 * EOF and bytes of UTF-8 sequences) is in no class and is returned
 * unchanged by tolower/toupper.
 */
#ifndef PVKIT_LIB_CTYPE_H
#define PVKIT_LIB_CTYPE_H

static inline int isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int isupper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static inline int islower(int c)
{
	return c >= 'a' && c <= 'z';
}

static inline int isalpha(int c)
{
	return isupper(c) || islower(c);
}

static inline int isalnum(int c)
{
	return isalpha(c) || isdigit(c);
}

static inline int isxdigit(int c)
{
	return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ' ' plus the five control characters \t \n \v \f \r (9..13). */
static inline int isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Printable means space through '~'; DEL (127) is a control character. */
static inline int isprint(int c)
{
	return c >= ' ' && c <= '~';
}

static inline int tolower(int c)
{
	return isupper(c) ? c - 'A' + 'a' : c;
}

static inline int toupper(int c)
{
	return islower(c) ? c - 'a' + 'A' : c;
}

#endif
