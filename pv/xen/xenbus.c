/*
 * xenbus.c — reading and writing a split driver's nodes, waiting for its
 * "state" node, and finding a frontend's backend (see xenbus.h).
 *
 * Waiting uses a watch rather than re-reading in a loop: xenstored tells
 * us when the node changes, and between changes the CPU sleeps.  The
 * watch's callback runs in interrupt context and may not use xenstore, so
 * it only raises a flag; the waiting loop does the reading.
 */
#include <stdarg.h>

#include "kernel/irq.h"
#include "kernel/platform.h"
#include "kernel/timer.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xenbus.h"
#include "pv/xen/xenstore.h"

const char *xenbus_state_name(enum xenbus_state state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
		"Closing", "Closed", "Reconfiguring", "Reconfigured",
	};

	if ((unsigned int)state >= sizeof(names) / sizeof(names[0]))
		return "invalid";
	return names[state];
}

/* "<dir>/<node>", or -XEN_ENAMETOOLONG. */
static long node_path(char *path, const char *dir, const char *node)
{
	int n = snprintf(path, XENBUS_PATH_MAX, "%s/%s", dir, node);

	return n < 0 || n >= XENBUS_PATH_MAX ? -XEN_ENAMETOOLONG : 0;
}

long xenbus_read_u64(const char *dir, const char *node, uint64_t *number)
{
	char path[XENBUS_PATH_MAX], value[24];
	long rc = node_path(path, dir, node);

	if (rc == 0)
		rc = xs_read(XS_NO_TRANSACTION, path, value, sizeof(value));
	if (rc < 0)
		return rc;
	return parse_u64(value, 10, number) ? 0 : -XEN_EIO;
}

long xenbus_read_domid(domid_t *id)
{
	char value[16];
	uint64_t n;
	long rc = xs_read(XS_NO_TRANSACTION, "domid", value, sizeof(value));

	if (rc < 0)
		return rc;
	if (!parse_u64(value, 10, &n) || n >= DOMID_FIRST_RESERVED)
		return -XEN_EIO;
	*id = (domid_t)n;
	return 0;
}

long xenbus_read_state(const char *dir, enum xenbus_state *state)
{
	uint64_t number;
	long rc = xenbus_read_u64(dir, "state", &number);

	if (rc == -XEN_ENOENT) {
		*state = XenbusStateUnknown;
		return 0;
	}
	if (rc != 0)
		return rc;
	if (number > XenbusStateReconfigured)
		return -XEN_EIO;
	*state = (enum xenbus_state)number;
	return 0;
}

long xenbus_printf(xs_transaction_t tx, const char *dir, const char *node, const char *fmt,
		   ...)
{
	char path[XENBUS_PATH_MAX], value[32];
	long rc = node_path(path, dir, node);
	va_list ap;

	if (rc != 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return xs_write(tx, path, value);
}

long xenbus_switch_state(const char *dir, enum xenbus_state state)
{
	return xenbus_printf(XS_NO_TRANSACTION, dir, "state", "%u", (unsigned int)state);
}

static void note_change(const char *path, const char *token, void *arg)
{
	volatile bool *changed = arg;

	(void)path;
	(void)token;
	*changed = true;
}

static void wake_up(struct timer *timer)
{
	(void)timer;            /* the interrupt itself ends the idle wait */
}

/* Sleep until the watch flag is up or `end` (kernel time) has passed. */
static void sleep_until_change(volatile bool *changed, uint64_t end)
{
	struct timer alarm = { 0 };
	bool was_enabled = irq_save();

	timer_start(&alarm, end, wake_up);
	while (!*changed && time_now_ns() < end)
		platform->idle();
	timer_cancel(&alarm);
	irq_restore(was_enabled);
}

long xenbus_wait_for_state(const char *dir, enum xenbus_state wanted, uint64_t timeout_ns,
			   enum xenbus_state *seen)
{
	char path[XENBUS_PATH_MAX], token[XENBUS_PATH_MAX];
	volatile bool changed = false;
	enum xenbus_state state = XenbusStateUnknown;
	uint64_t end = time_now_ns() + timeout_ns;
	long rc = node_path(path, dir, "state");

	if (rc == 0)
		rc = node_path(token, "xenbus-wait", dir);      /* one token per directory */
	if (rc == 0)
		rc = xs_watch(path, token, note_change, (void *)&changed);
	if (rc != 0)
		return rc;
	for (;;) {
		changed = false;        /* before reading: a later change is not missed */
		rc = xenbus_read_state(dir, &state);
		if (rc != 0 || state == wanted)
			break;
		if (time_now_ns() >= end) {
			rc = -XEN_ETIMEDOUT;
			break;
		}
		sleep_until_change(&changed, end);
	}
	xs_unwatch(path, token);
	if (seen)
		*seen = state;
	return rc;
}

long xenbus_read_backend(const char *frontend_dir, char *backend_dir, size_t size,
			 domid_t *backend_id)
{
	char path[XENBUS_PATH_MAX];
	uint64_t id;
	long rc = node_path(path, frontend_dir, "backend");

	if (rc == 0)
		rc = xs_read(XS_NO_TRANSACTION, path, backend_dir, size);
	if (rc < 0)
		return rc;
	rc = xenbus_read_u64(frontend_dir, "backend-id", &id);
	if (rc != 0)
		return rc;
	if (id >= DOMID_FIRST_RESERVED)
		return -XEN_EIO;
	*backend_id = id;
	return 0;
}
