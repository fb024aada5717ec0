/*
 * xen_xenbus.c — xl's and a backend driver's xenbus part of a split
 * device (see host/xen_xenbus.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/trace.h"
#include "host/xen_xenbus.h"

#define VALUE_MAX       64      /* the longest value we write or read here */
#define WATCH_TOKEN     "frontend-state"

const char *xen_xenbus_state_name(unsigned int state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
		"Closing", "Closed", "Reconfiguring", "Reconfigured",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "invalid";
}

int xen_xenbus_write(struct xen_xenbus_device *dev, enum xen_xenbus_side side,
		     const char *node, const char *fmt, ...)
{
	char path[XEN_XENBUS_PATH_MAX + 32], value[VALUE_MAX];
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s",
		 side == XEN_XENBUS_BACKEND ? dev->backend : dev->frontend, node);
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return xenstore_write(dev->store, path, value);
}

int xen_xenbus_read_frontend_u64(struct xen_xenbus_device *dev, const char *node, uint64_t max,
				 uint64_t *value)
{
	char path[XEN_XENBUS_PATH_MAX + 32], text[VALUE_MAX], *end;
	int len;

	snprintf(path, sizeof(path), "%s/%s", dev->frontend, node);
	len = xenstore_read(dev->store, path, text, sizeof(text));
	if (len < 0)
		return len == -ENOENT ? -ENOENT : -EINVAL;
	if (len == 0 || text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	*value = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || *value > max)
		return -EINVAL;
	return 0;
}

bool xen_xenbus_take_grant(struct xen_xenbus_device *dev, struct xen_gnttab *gnttab,
			   grant_ref_t ref, bool write, struct xen_grant *g)
{
	int16_t status = xen_gnttab_acquire(gnttab, ref, XEN_HOST_DOM0, write, g);

	TRACE("xen %s backend: grant ref %u %s: %s", dev->name, ref,
	      write ? "writable" : "read-only", xen_gnttab_status_name(status));
	return status == GNTST_okay;
}

void xen_xenbus_switch_state(struct xen_xenbus_device *dev, enum xenbus_state state)
{
	TRACE("xen xenbus: %s: %s -> %s", dev->backend, xen_xenbus_state_name(dev->state),
	      xen_xenbus_state_name(state));
	dev->state = state;
	xen_xenbus_write(dev, XEN_XENBUS_BACKEND, "state", "%u", (unsigned int)state);
}

/* The frontend's state; Unknown when it is gone or not a state. */
static enum xenbus_state frontend_state(struct xen_xenbus_device *dev)
{
	uint64_t state;

	if (xen_xenbus_read_frontend_u64(dev, "state", XenbusStateReconfigured, &state) != 0)
		return XenbusStateUnknown;
	return (enum xenbus_state)state;
}

static void on_watch(void *arg, const char *path, const char *token)
{
	struct xen_xenbus_device *dev = arg;

	(void)path, (void)token;
	dev->frontend_changed = true;
}

/* XS_WATCH on our own dom0 connection; its reply is dropped, its events
 * go to on_watch. */
static int watch_frontend_state(struct xen_xenbus_device *dev)
{
	char body[XEN_XENBUS_PATH_MAX + 32];
	int len = snprintf(body, sizeof(body), "%s/state%c%s", dev->frontend, '\0', WATCH_TOKEN);
	struct xsd_sockmsg hdr = { .type = XS_WATCH, .len = (uint32_t)len + 1 };
	const struct xenstore_msg *reply;
	int rc = 0;

	xenstore_conn_request(dev->watcher, &hdr, body);
	while ((reply = xenstore_conn_output(dev->watcher)) != NULL) {
		if (reply->hdr.type == XS_ERROR)
			rc = -EINVAL;
		xenstore_conn_output_done(dev->watcher);
	}
	return rc;
}

/* A directory owned by `owner`, readable by `reader`; the nodes written
 * below it afterwards inherit that. */
static int make_dir(struct xenstore *store, const char *path, uint16_t owner, uint16_t reader)
{
	const struct xs_perm perms[] = { { owner, 'n' }, { reader, 'r' } };
	int rc = xenstore_write(store, path, "");

	return rc ? rc : xenstore_set_perms(store, path, perms, 2);
}

/* What xl writes for the device, before the backend driver runs. */
static int write_toolstack_nodes(struct xen_xenbus_device *dev)
{
	int rc = make_dir(dev->store, dev->frontend, XEN_HOST_DOMID, XEN_HOST_DOM0);

	if (rc == 0)
		rc = make_dir(dev->store, dev->backend, XEN_HOST_DOM0, XEN_HOST_DOMID);
	if (rc == 0)
		rc = xen_xenbus_write(dev, XEN_XENBUS_FRONTEND, "backend", "%s", dev->backend);
	if (rc == 0)
		rc = xen_xenbus_write(dev, XEN_XENBUS_FRONTEND, "backend-id", "%u", XEN_HOST_DOM0);
	if (rc == 0)
		rc = xen_xenbus_write(dev, XEN_XENBUS_FRONTEND, "state", "%u", XenbusStateInitialising);
	if (rc == 0)
		rc = xen_xenbus_write(dev, XEN_XENBUS_BACKEND, "frontend", "%s", dev->frontend);
	if (rc == 0)
		rc = xen_xenbus_write(dev, XEN_XENBUS_BACKEND, "frontend-id", "%u", XEN_HOST_DOMID);
	if (rc == 0)
		rc = xen_xenbus_write(dev, XEN_XENBUS_BACKEND, "online", "1");
	if (rc == 0)
		rc = xen_xenbus_write(dev, XEN_XENBUS_BACKEND, "state", "%u", XenbusStateInitialising);
	return rc;
}

int xen_xenbus_create(struct xen_xenbus_device *dev, struct xenstore *store, const char *type,
		      unsigned int id, const struct xen_xenbus_ops *ops)
{
	int rc;

	*dev = (struct xen_xenbus_device){
		.store = store, .state = XenbusStateInitialising, .ops = *ops,
	};
	snprintf(dev->name, sizeof(dev->name), "%s", type);
	snprintf(dev->frontend, sizeof(dev->frontend), "/local/domain/%u/device/%s/%u",
		 XEN_HOST_DOMID, type, id);
	snprintf(dev->backend, sizeof(dev->backend), "/local/domain/%u/backend/%s/%u/%u",
		 XEN_HOST_DOM0, type, XEN_HOST_DOMID, id);
	rc = write_toolstack_nodes(dev);
	if (rc != 0)
		return rc;
	dev->watcher = xenstore_connect(store, XEN_HOST_DOM0, on_watch, dev);
	if (dev->watcher == NULL)
		return -ENOMEM;
	rc = watch_frontend_state(dev);
	dev->frontend_changed = false;  /* a new watch fires once: nothing to do yet */
	if (rc == 0)
		rc = ops->write_nodes(ops->opaque);
	if (rc == 0)
		xen_xenbus_switch_state(dev, XenbusStateInitWait);
	return rc;
}

void xen_xenbus_destroy(struct xen_xenbus_device *dev)
{
	if (dev->watcher)
		xenstore_disconnect(dev->watcher);
	dev->watcher = NULL;
}

/* Linux's frontend_changed(), for what our backends need. */
bool xen_xenbus_poll(struct xen_xenbus_device *dev)
{
	enum xenbus_state before = dev->state, theirs;

	if (!dev->frontend_changed)
		return false;
	dev->frontend_changed = false;
	theirs = frontend_state(dev);
	TRACE("xen xenbus: %s: frontend is %s", dev->frontend, xen_xenbus_state_name(theirs));
	switch (theirs) {
	case XenbusStateInitialising:
		if (dev->state == XenbusStateClosed)
			xen_xenbus_switch_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (dev->state == XenbusStateInitWait)
			xen_xenbus_switch_state(dev, dev->ops.connect(dev->ops.opaque)
					      ? XenbusStateConnected : XenbusStateClosing);
		break;
	case XenbusStateClosing:
		dev->ops.disconnect(dev->ops.opaque);
		if (dev->state != XenbusStateClosing)
			xen_xenbus_switch_state(dev, XenbusStateClosing);
		break;
	default:        /* Closed, Unknown (gone) or a state a frontend never takes */
		dev->ops.disconnect(dev->ops.opaque);
		if (dev->state != XenbusStateClosed)
			xen_xenbus_switch_state(dev, XenbusStateClosed);
		break;
	}
	return dev->state != before;
}
