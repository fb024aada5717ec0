/*
 * test_xenbus.c — the xenbus state helpers on real Xen.  The lab's domU
 * has no devices, so the "device" here is a directory under our own
 * data/ subtree, and we play both halves: write a state, read it back,
 * wait for one that is there and for one that never comes.  Skipped when
 * not on Xen.
 */
#include "arch/x86/hypervisor.h"
#include "kernel/test.h"
#include "kernel/timer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xenbus.h"
#include "pv/xen/xenstore.h"
#include "tests/guest/xen_test.h"

#define DEVICE_DIR      "data/pvkit-xenbus"
#define SHORT_WAIT_NS   (50 * NSEC_PER_MSEC)

TEST(xenbus, state_names)
{
	CHECK_EQ(strcmp(xenbus_state_name(XenbusStateInitialising), "Initialising"), 0);
	CHECK_EQ(strcmp(xenbus_state_name(XenbusStateConnected), "Connected"), 0);
	CHECK_EQ(strcmp(xenbus_state_name(XenbusStateClosed), "Closed"), 0);
	CHECK_EQ(strcmp(xenbus_state_name((enum xenbus_state)42), "invalid"), 0);
}

TEST(xenbus, switch_and_read_state)
{
	enum xenbus_state state;
	char raw[8];

	SKIP_UNLESS_XENSTORE();
	xs_rm(XS_NO_TRANSACTION, DEVICE_DIR);
	CHECK_XEN(xenbus_read_state(DEVICE_DIR, &state), 0);
	CHECK_EQ(state, XenbusStateUnknown);            /* no node yet */
	CHECK_XEN(xenbus_switch_state(DEVICE_DIR, XenbusStateInitialising), 0);
	CHECK_EQ(xs_read(XS_NO_TRANSACTION, DEVICE_DIR "/state", raw, sizeof(raw)), 1);
	CHECK_EQ(strcmp(raw, "1"), 0);                  /* a number, in decimal */
	CHECK_XEN(xenbus_read_state(DEVICE_DIR, &state), 0);
	CHECK_EQ(state, XenbusStateInitialising);
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, DEVICE_DIR "/state", "99"), 0);
	CHECK_XEN(xenbus_read_state(DEVICE_DIR, &state), -XEN_EIO);
	CHECK_XEN(xs_rm(XS_NO_TRANSACTION, DEVICE_DIR), 0);
}

TEST(xenbus, wait_for_state)
{
	enum xenbus_state seen;
	uint64_t start;

	SKIP_UNLESS_XENSTORE();
	CHECK_XEN(xenbus_switch_state(DEVICE_DIR, XenbusStateConnected), 0);
	CHECK_XEN(xenbus_wait_for_state(DEVICE_DIR, XenbusStateConnected, SHORT_WAIT_NS, &seen), 0);
	CHECK_EQ(seen, XenbusStateConnected);
	start = time_now_ns();
	CHECK_XEN(xenbus_wait_for_state(DEVICE_DIR, XenbusStateClosed, SHORT_WAIT_NS, &seen),
		  -XEN_ETIMEDOUT);
	CHECK(time_now_ns() - start >= SHORT_WAIT_NS);  /* it did wait, and stopped */
	CHECK_EQ(seen, XenbusStateConnected);
	CHECK_EQ(xs_stats().broken, false);
	CHECK_XEN(xs_rm(XS_NO_TRANSACTION, DEVICE_DIR), 0);
}

/* A frontend's directory names its backend; here both are ours. */
TEST(xenbus, read_backend)
{
	char backend[XENBUS_PATH_MAX];
	domid_t id;

	SKIP_UNLESS_XENSTORE();
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, DEVICE_DIR "/backend",
			   "/local/domain/0/backend/vbd/1/768"), 0);
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, DEVICE_DIR "/backend-id", "0"), 0);
	CHECK_XEN(xenbus_read_backend(DEVICE_DIR, backend, sizeof(backend), &id), 0);
	CHECK_EQ(strcmp(backend, "/local/domain/0/backend/vbd/1/768"), 0);
	CHECK_EQ(id, 0);
	CHECK_XEN(xs_write(XS_NO_TRANSACTION, DEVICE_DIR "/backend-id", "70000"), 0);
	CHECK_XEN(xenbus_read_backend(DEVICE_DIR, backend, sizeof(backend), &id), -XEN_EIO);
	CHECK_XEN(xs_rm(XS_NO_TRANSACTION, DEVICE_DIR), 0);
}
