/*
 * lib/printf.c - the kernel's printf family.
 *
 * vformat() walks the format string once.  Plain text between conversions
 * is emitted as one run; each conversion ("%-08.3lx") is first parsed into
 * a struct conversion, then its argument is fetched and rendered as
 *
 *     [spaces] [sign or 0x prefix] [zeros] digits-or-text [spaces]
 *
 * which is the layout every printf conversion fits.
 */
#include "lib/printf.h"

#include <stdbool.h>
#include <stdint.h>

#include "lib/string.h"

/*
 * gcc's <limits.h> wants to include the C library's one as well, which
 * fails under -nostdinc, so use the limits gcc predefines as macros.
 */
#define INT_MAX __INT_MAX__
#define CHAR_BIT __CHAR_BIT__

typedef void (*emit_fn)(void *ctx, const char *s, size_t n);

/* Where the output goes, and how many characters have gone there. */
struct output {
	emit_fn emit;
	void *ctx;
	size_t count;
};

/* Which integer type a length modifier says the argument has. */
enum length {
	LEN_INT,	/* none */
	LEN_CHAR,	/* hh */
	LEN_SHORT,	/* h */
	LEN_LONG,	/* l */
	LEN_LONG_LONG,	/* ll */
	LEN_SIZE,	/* z */
	LEN_PTRDIFF,	/* t */
	LEN_INTMAX,	/* j */
};

/* One parsed conversion specification. */
struct conversion {
	bool left_align;	/* '-': pad on the right instead of the left */
	bool zero_pad;		/* '0': pad numbers with zeros, not spaces */
	bool plus_sign;		/* '+': always print a sign for %d */
	bool space_sign;	/* ' ': print a space where '+' would go */
	bool alt_form;		/* '#': 0x prefix for %x, leading 0 for %o */
	size_t width;		/* minimum field width */
	int precision;		/* -1 when not given */
	enum length length;
	char kind;		/* 'd', 'x', ...; '\0' if fmt ended early */
};

static void emit_text(struct output *out, const char *s, size_t n)
{
	/* Sinks never see empty runs, so they need not special-case them. */
	if (n == 0)
		return;
	out->emit(out->ctx, s, n);
	out->count += n;
}

/* Emit n copies of c, a block at a time rather than one call per char. */
static void emit_repeated(struct output *out, char c, size_t n)
{
	char block[32];

	memset(block, c, sizeof(block));
	while (n > 0) {
		size_t chunk = n < sizeof(block) ? n : sizeof(block);

		emit_text(out, block, chunk);
		n -= chunk;
	}
}

/* Read a decimal field (width or precision); absurd values saturate. */
static int parse_decimal(const char **p)
{
	int value = 0;

	while (**p >= '0' && **p <= '9') {
		int digit = **p - '0';

		value = value > (INT_MAX - digit) / 10 ? INT_MAX : value * 10 + digit;
		(*p)++;
	}
	return value;
}

/*
 * Parse the specification after a '%' (p points just past it).  '*' fields
 * take their value from args.  Returns the position after the conversion
 * character, or of the terminating NUL if the format ends first.
 */
static const char *parse_conversion(const char *p, va_list *args,
				    struct conversion *conv)
{
	*conv = (struct conversion){ .precision = -1, .length = LEN_INT };

	for (;; p++) {
		if (*p == '-')
			conv->left_align = true;
		else if (*p == '0')
			conv->zero_pad = true;
		else if (*p == '+')
			conv->plus_sign = true;
		else if (*p == ' ')
			conv->space_sign = true;
		else if (*p == '#')
			conv->alt_form = true;
		else
			break;
	}

	if (*p == '*') {
		/* A negative width from an argument means '-' plus that width. */
		int width = va_arg(*args, int);

		if (width < 0)
			conv->left_align = true;
		conv->width = width < 0 ? 0 - (size_t)width : (size_t)width;
		p++;
	} else {
		conv->width = (size_t)parse_decimal(&p);
	}

	if (*p == '.') {
		p++;
		if (*p == '*') {
			/* A negative precision counts as "not given". */
			int precision = va_arg(*args, int);

			conv->precision = precision < 0 ? -1 : precision;
			p++;
		} else {
			conv->precision = parse_decimal(&p);
		}
	}

	switch (*p) {
	case 'h':
		conv->length = p[1] == 'h' ? LEN_CHAR : LEN_SHORT;
		p += p[1] == 'h' ? 2 : 1;
		break;
	case 'l':
		conv->length = p[1] == 'l' ? LEN_LONG_LONG : LEN_LONG;
		p += p[1] == 'l' ? 2 : 1;
		break;
	case 'z':
		conv->length = LEN_SIZE;
		p++;
		break;
	case 't':
		conv->length = LEN_PTRDIFF;
		p++;
		break;
	case 'j':
		conv->length = LEN_INTMAX;
		p++;
		break;
	}

	conv->kind = *p;
	return *p == '\0' ? p : p + 1;
}

/*
 * Fetch an integer argument of the type the length modifier names.  Types
 * narrower than int arrive promoted to int, so they are read as int and
 * then cut down, which is what makes %hhd of 255 print -1.
 */
static intmax_t fetch_signed(va_list *args, enum length length)
{
	switch (length) {
	case LEN_CHAR:
		return (signed char)va_arg(*args, int);
	case LEN_SHORT:
		return (short)va_arg(*args, int);
	case LEN_LONG:
		return va_arg(*args, long);
	case LEN_LONG_LONG:
		return va_arg(*args, long long);
	case LEN_SIZE:
		/* %zd takes the signed type with the width of size_t. */
		return (ptrdiff_t)va_arg(*args, size_t);
	case LEN_PTRDIFF:
		return va_arg(*args, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*args, intmax_t);
	default:
		return va_arg(*args, int);
	}
}

static uintmax_t fetch_unsigned(va_list *args, enum length length)
{
	switch (length) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*args, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*args, unsigned int);
	case LEN_LONG:
		return va_arg(*args, unsigned long);
	case LEN_LONG_LONG:
		return va_arg(*args, unsigned long long);
	case LEN_SIZE:
		return va_arg(*args, size_t);
	case LEN_PTRDIFF:
		/* %tu takes the unsigned type with the width of ptrdiff_t. */
		return (size_t)va_arg(*args, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*args, uintmax_t);
	default:
		return va_arg(*args, unsigned int);
	}
}

/* Emit text (not NUL-terminated) padded with spaces to the field width. */
static void emit_padded(struct output *out, const struct conversion *conv,
			const char *text, size_t n)
{
	size_t padding = conv->width > n ? conv->width - n : 0;

	if (!conv->left_align)
		emit_repeated(out, ' ', padding);
	emit_text(out, text, n);
	if (conv->left_align)
		emit_repeated(out, ' ', padding);
}

/*
 * Emit an integer given as its magnitude plus a prefix: the sign for %d,
 * "0x" for %#x and %p, or "".
 */
static void emit_integer(struct output *out, const struct conversion *conv,
			 uintmax_t magnitude, const char *prefix,
			 unsigned int base, bool uppercase)
{
	const char *digit_chars = uppercase ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[sizeof(uintmax_t) * CHAR_BIT / 3 + 1];	/* enough for octal */
	char *digits = buf + sizeof(buf);

	/* Digits come out least significant first, so fill from the end. */
	while (magnitude > 0) {
		*--digits = digit_chars[magnitude % base];
		magnitude /= base;
	}
	size_t ndigits = (size_t)(buf + sizeof(buf) - digits);

	/*
	 * The precision is the minimum number of digits (default 1).  Zero
	 * printed with precision 0 is no digits at all: "%.0d" of 0 is "".
	 */
	size_t min_digits = conv->precision < 0 ? 1 : (size_t)conv->precision;
	size_t zeros = min_digits > ndigits ? min_digits - ndigits : 0;

	/* %#o guarantees a leading 0 by adding one if there is none yet. */
	if (conv->alt_form && base == 8 && zeros == 0)
		zeros = 1;

	size_t prefix_len = strlen(prefix);
	size_t len = prefix_len + zeros + ndigits;
	size_t padding = conv->width > len ? conv->width - len : 0;

	/* '0' pads between prefix and digits, unless '-' or a precision is given. */
	if (conv->zero_pad && !conv->left_align && conv->precision < 0) {
		zeros += padding;
		padding = 0;
	}

	if (!conv->left_align)
		emit_repeated(out, ' ', padding);
	emit_text(out, prefix, prefix_len);
	emit_repeated(out, '0', zeros);
	emit_text(out, digits, ndigits);
	if (conv->left_align)
		emit_repeated(out, ' ', padding);
}

static void emit_signed(struct output *out, const struct conversion *conv,
			va_list *args)
{
	intmax_t value = fetch_signed(args, conv->length);
	/* Negate in unsigned arithmetic: -INTMAX_MIN would overflow. */
	uintmax_t magnitude = value < 0 ? 0 - (uintmax_t)value : (uintmax_t)value;
	const char *sign = value < 0 ? "-" : conv->plus_sign ? "+" :
			   conv->space_sign ? " " : "";

	emit_integer(out, conv, magnitude, sign, 10, false);
}

static void emit_unsigned(struct output *out, const struct conversion *conv,
			  va_list *args)
{
	uintmax_t value = fetch_unsigned(args, conv->length);
	bool uppercase = conv->kind == 'X';
	const char *prefix = "";
	unsigned int base = 10;

	if (conv->kind == 'o') {
		base = 8;
	} else if (conv->kind == 'x' || conv->kind == 'X') {
		base = 16;
		/* The standard says %#x of zero is plain "0". */
		if (conv->alt_form && value != 0)
			prefix = uppercase ? "0X" : "0x";
	}
	emit_integer(out, conv, value, prefix, base, uppercase);
}

/* Pointers print like glibc: "0x" and lowercase hex, or "(nil)" for NULL. */
static void emit_pointer(struct output *out, const struct conversion *conv,
			 va_list *args)
{
	uintptr_t value = (uintptr_t)va_arg(*args, void *);

	if (value == 0)
		emit_padded(out, conv, "(nil)", 5);
	else
		emit_integer(out, conv, value, "0x", 16, false);
}

static void emit_string(struct output *out, const struct conversion *conv,
			va_list *args)
{
	const char *s = va_arg(*args, const char *);

	/*
	 * Like glibc, print NULL as "(null)", or as nothing when a precision
	 * would cut that word short (a clipped "(nu" would only confuse).
	 */
	if (s == NULL)
		s = conv->precision < 0 || conv->precision >= 6 ? "(null)" : "";

	/* With a precision, s may lack a NUL: never read past precision. */
	size_t n = conv->precision < 0 ? strlen(s) : strnlen(s, (size_t)conv->precision);

	emit_padded(out, conv, s, n);
}

/*
 * Format one conversion; start points at its '%'.  Returns where the
 * literal text after it begins.
 */
static const char *format_conversion(struct output *out, const char *start,
				     va_list *args)
{
	struct conversion conv;
	const char *end = parse_conversion(start + 1, args, &conv);

	switch (conv.kind) {
	case 'd':
	case 'i':
		emit_signed(out, &conv, args);
		break;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		emit_unsigned(out, &conv, args);
		break;
	case 'c': {
		char c = (char)va_arg(*args, int);

		emit_padded(out, &conv, &c, 1);
		break;
	}
	case 's':
		emit_string(out, &conv, args);
		break;
	case 'p':
		emit_pointer(out, &conv, args);
		break;
	case '%':
		emit_text(out, "%", 1);
		break;
	default:
		/*
		 * Unknown conversion, or the format ended inside one: show the
		 * specification itself so the mistake is visible in the output.
		 */
		emit_text(out, start, (size_t)(end - start));
		break;
	}
	return end;
}

int vformat(void (*emit)(void *ctx, const char *s, size_t n), void *ctx,
	    const char *fmt, va_list ap)
{
	struct output out = { .emit = emit, .ctx = ctx, .count = 0 };
	va_list args;

	/*
	 * Work on a copy so helpers can take a va_list pointer: on x86-64 a
	 * va_list parameter is really a pointer, and &ap would have the
	 * wrong type.
	 */
	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *percent = strchr(fmt, '%');

		if (percent == NULL) {
			emit_text(&out, fmt, strlen(fmt));
			break;
		}
		emit_text(&out, fmt, (size_t)(percent - fmt));
		fmt = format_conversion(&out, percent, &args);
	}
	va_end(args);

	return out.count > INT_MAX ? -1 : (int)out.count;
}

/* vsnprintf's sink: fill buf, keeping the last byte for the NUL. */
struct buffer_sink {
	char *buf;
	size_t size;
	size_t used;	/* characters stored so far, NUL not included */
};

static void emit_to_buffer(void *ctx, const char *s, size_t n)
{
	struct buffer_sink *sink = ctx;

	if (sink->size == 0)
		return;

	/* Whatever does not fit is dropped; vformat still counts it. */
	size_t room = sink->size - 1 - sink->used;

	if (n > room)
		n = room;
	memcpy(sink->buf + sink->used, s, n);
	sink->used += n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buffer_sink sink = { .buf = buf, .size = size, .used = 0 };
	int len = vformat(emit_to_buffer, &sink, fmt, ap);

	if (size > 0)
		buf[sink.used] = '\0';
	return len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int len = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return len;
}
