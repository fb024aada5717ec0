/*
 * xenstore_watch.c — watches of pvkit-hv's xenstore (see xenstore.c for
 * the rules): adding and removing them, and firing them when a node
 * changes, as a queued XS_WATCH_EVENT message or through the
 * connection's callback.
 */
#include <stdlib.h>
#include <string.h>

#include "host/xenstore_impl.h"

/* ---- events --------------------------------------------------------------- */

/* Tell conn's domain that its watch `w` fired for `path`. */
void xs_send_event(struct xenstore_conn *conn, const struct xs_watch *w, const char *path)
{
	size_t home_len = strlen(conn->home);
	struct reply r = { 0 };

	if (w->relative && xs_is_at_or_below(path, conn->home) && path[home_len] == '/')
		path += home_len + 1;
	if (conn->on_event != NULL) {
		conn->on_event(conn->event_arg, path, w->token);
		return;
	}
	if (conn->pending >= XENSTORE_CONN_OUTPUT_MAX ||
	    xs_reply_string(&r, path) != 0 || xs_reply_string(&r, w->token) != 0) {
		conn->dropped_events++;
		return;
	}
	struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT, .len = r.len };

	xs_queue_message(conn, &hdr, r.body);
}

/* May conn's domain hear of a change at `path`?  If it can read the node,
 * or (the node is gone) its nearest existing ancestor. */
static bool may_hear(const struct xenstore_conn *conn, const char *path)
{
	unsigned int missing;
	const struct xs_node *node = xs_node_nearest(conn->xs->root, path, &missing);

	return xs_node_access(node, conn->domid) & XS_ACCESS_READ;
}

/* `path` changed in the real tree (`removed`: with everything below). */
void xs_fire_watches(struct xenstore *xs, const char *path, bool removed)
{
	for (struct xenstore_conn *c = xs->conns; c != NULL; c = c->next) {
		for (struct xs_watch *w = c->watches; w != NULL; w = w->next) {
			const char *event_path = NULL;

			if (xs_is_at_or_below(path, w->path))
				event_path = path;
			else if (removed && xs_is_at_or_below(w->path, path))
				event_path = w->path;
			if (event_path != NULL && may_hear(c, event_path))
				xs_send_event(c, w, event_path);
		}
	}
}

/* ---- watches ------------------------------------------------------------- */

static struct xs_watch **find_watch(struct xenstore_conn *conn, const char *path,
				    const char *token)
{
	struct xs_watch **link = &conn->watches;

	while (*link != NULL && (strcmp((*link)->path, path) || strcmp((*link)->token, token)))
		link = &(*link)->next;
	return link;
}

/* A watch path: a node's, or a special event's such as "@releaseDomain". */
static int resolve_watch_path(const struct xenstore_conn *conn, const char *in, char *out)
{
	if (in[0] != '@')
		return xs_resolve(conn, in, out);
	if (strlen(in) > XENSTORE_REL_PATH_MAX || strspn(in, VALID_CHARS) != strlen(in))
		return -EINVAL;
	strcpy(out, in);
	return 0;
}

int xs_watch_add(struct xenstore_conn *conn, const char *given, const char *token,
		 struct xs_watch **added)
{
	char path[PATH_BUF];
	int rc = resolve_watch_path(conn, given, path);
	struct xs_watch *w;

	if (rc != 0)
		return rc;
	if (*find_watch(conn, path, token) != NULL)
		return -EEXIST;
	if (conn->nwatches >= XENSTORE_WATCHES_PER_CONN)
		return -E2BIG;
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->path = strdup(path)) == NULL || (w->token = strdup(token)) == NULL) {
		if (w != NULL)
			free(w->path);
		free(w);
		return -ENOMEM;
	}
	w->relative = given[0] != '/' && given[0] != '@';
	w->next = conn->watches;
	conn->watches = w;
	conn->nwatches++;
	*added = w;
	return 0;
}

static void watch_free(struct xenstore_conn *conn, struct xs_watch **link)
{
	struct xs_watch *w = *link;

	*link = w->next;
	conn->nwatches--;
	free(w->path);
	free(w->token);
	free(w);
}

int xs_watch_remove(struct xenstore_conn *conn, const char *given, const char *token)
{
	char path[PATH_BUF];
	int rc = resolve_watch_path(conn, given, path);
	struct xs_watch **link;

	if (rc != 0)
		return rc;
	link = find_watch(conn, path, token);
	if (*link == NULL)
		return -ENOENT;
	watch_free(conn, link);
	return 0;
}

void xs_watches_clear(struct xenstore_conn *conn)
{
	while (conn->watches != NULL)
		watch_free(conn, &conn->watches);
}
