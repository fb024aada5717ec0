/*
 * xen_test.h — checks shared by the in-guest Xen tests (tests/guest/
 * test_xen*.c, test_xenstore.c, test_xenbus.c): each skips, with the
 * reason, where it cannot run, and compares Xen results by name.
 */
#ifndef PVKIT_TESTS_GUEST_XEN_TEST_H
#define PVKIT_TESTS_GUEST_XEN_TEST_H

#include "arch/x86/hypervisor.h"
#include "kernel/test.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xenstore.h"

/* A Xen result compared by name, so a failure says "EBUSY", not 0xfff0. */
#define CHECK_XEN(expr, expected) CHECK_NAMED(expr, expected, xen_error_name)

#define SKIP_UNLESS_XEN()                                                     \
	do {                                                                  \
		if (!xen_running())                                           \
			SKIP("not running on Xen (hypervisor: %s)",           \
			     hypervisor_name(hypervisor()->kind));            \
	} while (0)

/* On Xen, with shared_info (and so event channels) set up. */
#define SKIP_UNLESS_XEN_MAPPED()                                              \
	do {                                                                  \
		SKIP_UNLESS_XEN();                                            \
		if (!xen_info()->shared_info)                                 \
			SKIP("shared_info is not mapped");                    \
	} while (0)

/* Runs a Xen service's init (grant tables, xenstore): it must succeed,
 * unless the service is not done for this kind of guest yet. */
#define SKIP_UNLESS_INIT(init_expr, what)                                     \
	do {                                                                  \
		SKIP_UNLESS_XEN_MAPPED();                                     \
		long init_rc_ = (init_expr);                                  \
		if (init_rc_ == -XEN_EOPNOTSUPP)                              \
			SKIP("%s: not done for a PV guest yet", what);        \
		CHECK_XEN(init_rc_, 0);                                       \
	} while (0)

#define SKIP_UNLESS_XENSTORE() SKIP_UNLESS_INIT(xs_init(), "xenstore")

#endif
