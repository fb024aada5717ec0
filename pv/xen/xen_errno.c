/*
 * xen_errno.c — Xen's error numbers by name.
 *
 * Hypercalls fail with a negative Xen errno.  The values look like Linux's
 * but are Xen's own ABI, listed once in /usr/include/xen/errno.h as
 * XEN_ERRNO(NAME, VALUE) lines.  That header is written to be included with
 * our own definition of XEN_ERRNO, which here turns the list into a table.
 */
#include "lib/string.h"
#include "pv/xen/hypercall.h"

struct xen_error {
	int value;
	const char *name;
};

static const struct xen_error xen_errors[] = {
#define XEN_ERRNO(name, value) { value, #name },
#include <xen/errno.h>
};

const char *xen_error_name(long rc)
{
	if (rc == 0)
		return "OK";
	/* Aliases (EWOULDBLOCK = EAGAIN) come after the first name: it wins. */
	for (unsigned int i = 0; i < sizeof(xen_errors) / sizeof(xen_errors[0]); i++)
		if (-rc == xen_errors[i].value)
			return xen_errors[i].name;
	return rc > 0 ? "not an error (positive)" : "unknown Xen error";
}

/* The other way round, for xenstore, which sends errors as names
 * ("ENOENT"): -XEN_ENOENT, or -XEN_EIO for a name we do not know. */
long xen_error_from_name(const char *name)
{
	for (unsigned int i = 0; i < sizeof(xen_errors) / sizeof(xen_errors[0]); i++)
		if (strcmp(name, xen_errors[i].name) == 0)
			return -xen_errors[i].value;
	return -XEN_EIO;
}
