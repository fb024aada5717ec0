/*
 * xenstore.c — pvkit-hv's xenstore: requests, permissions, watches and
 * transactions on the tree of host/xenstore_tree.c (see xenstore.h).
 * This file: paths, the operations, requests, connections and the
 * toolstack's calls; watches are in xenstore_watch.c, transactions in
 * xenstore_tx.c.
 *
 * Every operation runs in a context: the domain asking (for permissions
 * and quotas), the tree it works on, and its transaction, if any.
 *
 * Transactions.  XS_TRANSACTION_START gives the domain a private copy of
 * the whole tree; the transaction's requests read and change that copy,
 * so it sees its own writes and nobody else's.  Each node it touches
 * (reads, writes, creates, removes, lists) is noted once with the
 * generation it had when first touched (0: absent).  At commit, if any
 * noted node's generation in the real tree differs now, someone changed
 * what the transaction relied on: EAGAIN, and nothing is applied.
 * Otherwise the written nodes are copied from the private tree into the
 * real one (removed ones removed) and their watches fire.
 *
 * Watches.  A watch on path W fires with path P when P is W or below it,
 * and, when P is removed with everything below it, for a watched W below
 * P.  Like xenstored, a new watch fires once at once, and a domain only
 * hears about nodes it may read.  Events for a domain that reads none of
 * its output pile up to XENSTORE_CONN_OUTPUT_MAX, then are dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/xenstore_impl.h"

#include <xen/xen.h>            /* DOMID_FIRST_RESERVED; needs stdint.h first */

uint64_t xs_next_generation(struct xenstore *xs)
{
	return ++xs->generation;
}

const char *xenstore_error_name(int err)
{
	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return "EINVAL";
}

const char *xenstore_type_name(uint32_t type)
{
	static const char *const names[XS_TYPE_COUNT] = {
		[XS_CONTROL] = "XS_CONTROL", [XS_DIRECTORY] = "XS_DIRECTORY",
		[XS_READ] = "XS_READ", [XS_GET_PERMS] = "XS_GET_PERMS", [XS_WATCH] = "XS_WATCH",
		[XS_UNWATCH] = "XS_UNWATCH", [XS_TRANSACTION_START] = "XS_TRANSACTION_START",
		[XS_TRANSACTION_END] = "XS_TRANSACTION_END", [XS_INTRODUCE] = "XS_INTRODUCE",
		[XS_RELEASE] = "XS_RELEASE", [XS_GET_DOMAIN_PATH] = "XS_GET_DOMAIN_PATH",
		[XS_WRITE] = "XS_WRITE", [XS_MKDIR] = "XS_MKDIR", [XS_RM] = "XS_RM",
		[XS_SET_PERMS] = "XS_SET_PERMS", [XS_WATCH_EVENT] = "XS_WATCH_EVENT",
		[XS_ERROR] = "XS_ERROR", [XS_IS_DOMAIN_INTRODUCED] = "XS_IS_DOMAIN_INTRODUCED",
		[XS_RESUME] = "XS_RESUME", [XS_SET_TARGET] = "XS_SET_TARGET",
		[XS_RESET_WATCHES] = "XS_RESET_WATCHES", [XS_DIRECTORY_PART] = "XS_DIRECTORY_PART",
	};

	return type < XS_TYPE_COUNT && names[type] ? names[type] : "XS_?";
}

int xs_reply_add(struct reply *r, const void *data, size_t len)
{
	if (len > sizeof(r->body) - r->len)
		return -E2BIG;
	memcpy(r->body + r->len, data, len);
	r->len += (uint32_t)len;
	return 0;
}

int xs_reply_string(struct reply *r, const char *s)
{
	return xs_reply_add(r, s, strlen(s) + 1);
}

/* ---- paths -------------------------------------------------------------- */

/* xenstored's rule: "/" or '/'-separated non-empty names of VALID_CHARS. */
static bool valid_absolute(const char *path)
{
	size_t len = strlen(path);

	if (path[0] != '/' || len > XENSTORE_ABS_PATH_MAX || strspn(path, VALID_CHARS) != len)
		return false;
	return len == 1 || (path[len - 1] != '/' && strstr(path, "//") == NULL);
}

/* The absolute path of `in` for `conn` into out (PATH_BUF bytes); a
 * relative path is under the domain's home. */
int xs_resolve(const struct xenstore_conn *conn, const char *in, char *out)
{
	size_t len = strlen(in);

	if (in[0] == '/') {
		if (len > XENSTORE_ABS_PATH_MAX)
			return -EINVAL;
		memcpy(out, in, len + 1);
	} else {
		if (len == 0 || len > XENSTORE_REL_PATH_MAX)
			return -EINVAL;
		snprintf(out, PATH_BUF, "%s/%s", conn->home, in);
	}
	return valid_absolute(out) ? 0 : -EINVAL;
}

/* Is `path` `dir` itself or below it? */
bool xs_is_at_or_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, len) == 0 && (path[len] == 0 || path[len] == '/');
}

/* ---- output: replies and events queued for a domain ------------------- */

void xs_queue_message(struct xenstore_conn *conn, const struct xsd_sockmsg *hdr,
		      const char *body)
{
	struct xenstore_msg *msg = malloc(sizeof(*msg) + hdr->len);

	if (msg == NULL)
		return;         /* out of host memory: the guest sees no reply */
	msg->next = NULL;
	msg->hdr = *hdr;
	memcpy(msg->body, body, hdr->len);
	if (conn->out_tail != NULL)
		conn->out_tail->next = msg;
	else
		conn->out_head = msg;
	conn->out_tail = msg;
	conn->pending++;
}

/* ---- the operations ------------------------------------------------------ */

/* The node at `path` that ctx's domain may `want` (XS_ACCESS_*), noted as
 * read; NULL with *rc set otherwise. */
static struct xs_node *get_node(struct xs_ctx *ctx, const char *path, unsigned int want, int *rc)
{
	struct xs_node *node = xs_node_lookup(ctx->root, path);

	*rc = xs_note(ctx, path, strlen(path), node, TOUCH_READ);
	if (*rc != 0)
		return NULL;
	if (node == NULL)
		*rc = -ENOENT;
	else if ((xs_node_access(node, ctx->domid) & want) != want)
		*rc = -EACCES;
	return *rc == 0 ? node : NULL;
}

/* Create the `missing` nodes from `parent` (the nearest existing) down to
 * `path`, as xenstored: the domain needs write access to the parent, and
 * owns what it creates. */
static struct xs_node *create_path(struct xs_ctx *ctx, struct xs_node *parent, const char *path,
				   unsigned int missing, int *rc)
{
	char parent_path[PATH_BUF];
	const char *p;

	if (!(xs_node_access(parent, ctx->domid) & XS_ACCESS_WRITE)) {
		*rc = -EACCES;
		return NULL;
	}
	if (ctx->domid != XS_DOM0 &&
	    xs_tree_count_owned(ctx->root, ctx->domid) + missing > XENSTORE_NODES_PER_DOMAIN) {
		*rc = -ENOSPC;
		return NULL;
	}
	*rc = xs_note_node(ctx, parent, TOUCH_WRITE);
	xs_node_path(parent, parent_path, sizeof(parent_path));
	p = parent->parent == NULL ? path : path + strlen(parent_path);
	if (*rc == 0)
		parent->generation = xs_next_generation(ctx->xs);
	while (*rc == 0 && *p == '/') {
		const char *name = p + 1;
		size_t len = strcspn(name, "/");

		p = name + len;
		*rc = xs_note(ctx, path, p - path, NULL, *p ? TOUCH_WRITE : TOUCH_CHANGE);
		if (*rc != 0)
			break;
		parent = xs_node_add_child(parent, name, len, xs_next_generation(ctx->xs));
		if (parent == NULL) {
			*rc = -ENOMEM;
			break;
		}
		if (ctx->domid != XS_DOM0)
			parent->perms[0].domid = ctx->domid;
	}
	return *rc == 0 ? parent : NULL;
}

/* XS_WRITE (value != NULL) or XS_MKDIR (value NULL: an existing node is
 * left as it is). */
static int op_write(struct xs_ctx *ctx, const char *path, const char *value, size_t len)
{
	unsigned int missing;
	struct xs_node *node = xs_node_nearest(ctx->root, path, &missing);
	int rc;

	if (missing > 0) {
		node = create_path(ctx, node, path, missing, &rc);
	} else if (value == NULL) {
		return xs_note(ctx, path, strlen(path), node, TOUCH_READ);
	} else if (!(xs_node_access(node, ctx->domid) & XS_ACCESS_WRITE)) {
		return -EACCES;
	} else {
		rc = xs_note(ctx, path, strlen(path), node, TOUCH_CHANGE);
		if (rc == 0)
			node->generation = xs_next_generation(ctx->xs);
	}
	if (rc == 0 && value != NULL)
		rc = xs_node_set_value(node, value, len);
	if (rc == 0 && ctx->tx == NULL)
		xs_fire_watches(ctx->xs, path, false);
	return rc;
}

/* XS_RM: the node and everything below it.  As xenstored, removing a
 * node that does not exist is fine when its parent does. */
static int op_rm(struct xs_ctx *ctx, const char *path)
{
	unsigned int missing;
	struct xs_node *node = xs_node_nearest(ctx->root, path, &missing);
	int rc;

	if (strcmp(path, "/") == 0)
		return -EINVAL;
	if (missing > 1)
		return -ENOENT;
	if (missing == 1)
		return xs_note(ctx, path, strlen(path), NULL, TOUCH_READ);
	if (!(xs_node_access(node, ctx->domid) & XS_ACCESS_WRITE))
		return -EACCES;
	rc = xs_note_node(ctx, node->parent, TOUCH_WRITE);
	if (rc == 0)
		rc = xs_note_subtree(ctx, node, TOUCH_REMOVE);
	if (rc != 0)
		return rc;
	node->parent->generation = xs_next_generation(ctx->xs);
	xs_node_free(node);
	if (ctx->tx == NULL)
		xs_fire_watches(ctx->xs, path, true);
	return 0;
}

static int op_read(struct xs_ctx *ctx, const char *path, struct reply *r)
{
	int rc;
	struct xs_node *node = get_node(ctx, path, XS_ACCESS_READ, &rc);

	return node ? xs_reply_add(r, node->value, node->value_len) : rc;
}

static int op_directory(struct xs_ctx *ctx, const char *path, struct reply *r)
{
	int rc;
	struct xs_node *node = get_node(ctx, path, XS_ACCESS_READ, &rc);

	for (struct xs_node *c = node ? node->first_child : NULL; c != NULL && rc == 0;
	     c = c->next_sibling)
		rc = xs_reply_string(r, c->name);
	return rc;
}

/* XS_DIRECTORY_PART, for a listing too long for one reply: the node's
 * generation (so that the client sees a change between parts), then the
 * names from byte `offset` of the whole list on, as many as fit, and an
 * empty name once the list is complete.  `offset` must start a name. */
static int op_directory_part(struct xs_ctx *ctx, const char *path, unsigned long offset,
			     struct reply *r)
{
	int rc;
	struct xs_node *node = get_node(ctx, path, XS_ACCESS_READ, &rc);
	const struct xs_node *c;
	unsigned long at = 0;
	char generation[24];

	if (node == NULL)
		return rc;
	for (c = node->first_child; c != NULL && at < offset; c = c->next_sibling)
		at += strlen(c->name) + 1;
	if (at != offset)
		return -EINVAL;
	snprintf(generation, sizeof(generation), "%llu", (unsigned long long)node->generation);
	rc = xs_reply_string(r, generation);
	/* Each name only with a byte to spare for the final empty one. */
	for (; c != NULL && rc == 0; c = c->next_sibling) {
		if (r->len + strlen(c->name) + 2 > sizeof(r->body))
			return 0;
		rc = xs_reply_string(r, c->name);
	}
	return rc ? rc : xs_reply_add(r, "", 1);
}

static int op_get_perms(struct xs_ctx *ctx, const char *path, struct reply *r)
{
	int rc;
	struct xs_node *node = get_node(ctx, path, XS_ACCESS_READ, &rc);

	for (unsigned int i = 0; node != NULL && i < node->nperms && rc == 0; i++) {
		char perm[8];

		snprintf(perm, sizeof(perm), "%c%u", node->perms[i].access, node->perms[i].domid);
		rc = xs_reply_string(r, perm);
	}
	return rc;
}

static bool valid_perms(const struct xs_perm *perms, unsigned int count)
{
	if (count == 0 || count > XS_PERMS_MAX)
		return false;
	for (unsigned int i = 0; i < count; i++)
		if (strchr("nrwb", perms[i].access) == NULL || perms[i].access == 0)
			return false;
	return true;
}

/* XS_SET_PERMS: for the node's owner and dom0 only, and only dom0 may
 * give a node away (or a domain could escape its node quota). */
static int op_set_perms(struct xs_ctx *ctx, const char *path, const struct xs_perm *perms,
			unsigned int count)
{
	struct xs_node *node = xs_node_lookup(ctx->root, path);
	int rc;

	if (!valid_perms(perms, count))
		return -EINVAL;
	if (node == NULL)
		return -ENOENT;
	if (ctx->domid != XS_DOM0 && node->perms[0].domid != ctx->domid)
		return -EACCES;
	if (ctx->domid != XS_DOM0 && perms[0].domid != ctx->domid)
		return -EPERM;
	rc = xs_note(ctx, path, strlen(path), node, TOUCH_CHANGE);
	if (rc != 0)
		return rc;
	memcpy(node->perms, perms, count * sizeof(*perms));
	node->nperms = count;
	node->generation = xs_next_generation(ctx->xs);
	if (ctx->tx == NULL)
		xs_fire_watches(ctx->xs, path, false);
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

/* The body as exactly `count` 0-terminated strings; false otherwise. */
static bool split_args(const char *body, uint32_t len, const char **args, unsigned int count)
{
	uint32_t at = 0;

	for (unsigned int i = 0; i < count; i++) {
		const char *end = memchr(body + at, 0, len - at);

		if (end == NULL)
			return false;
		args[i] = body + at;
		at = (uint32_t)(end - body) + 1;
	}
	return at == len;
}

/* A decimal number up to `max`, all of `text`. */
static bool parse_decimal(const char *text, unsigned long max, unsigned long *value)
{
	char *after;

	if (text[0] < '0' || text[0] > '9')
		return false;           /* strtoul would take spaces and signs */
	*value = strtoul(text, &after, 10);
	return *after == 0 && *value <= max;
}

static bool parse_domid(const char *text, uint16_t *domid)
{
	unsigned long value;

	if (!parse_decimal(text, UINT16_MAX, &value))
		return false;
	*domid = (uint16_t)value;
	return true;
}

/* XS_SET_PERMS' body after the path: "<letter><domid>\0" each. */
static int parse_perms(const char *body, uint32_t len, struct xs_perm *perms, unsigned int *count)
{
	const char *p = body, *end = body + len;

	for (*count = 0; p < end; (*count)++) {
		const char *stop = memchr(p, 0, end - p);
		uint16_t domid;

		if (stop == NULL || *count == XS_PERMS_MAX || p[0] == 0 || !parse_domid(p + 1, &domid))
			return -EINVAL;
		perms[*count] = (struct xs_perm){ .domid = domid, .access = p[0] };
		p = stop + 1;
	}
	return 0;
}

/* The requests about one node: the path first, then maybe more. */
static int node_request(struct xenstore_conn *conn, struct xs_ctx *ctx,
			const struct xsd_sockmsg *hdr, const char *body, struct reply *r)
{
	const char *path_arg = body;
	const char *end = memchr(body, 0, hdr->len);
	uint32_t rest_at = end ? (uint32_t)(end - body) + 1 : 0;
	char path[PATH_BUF];
	int rc;

	if (end == NULL)
		return -EINVAL;
	if (hdr->type != XS_WRITE && hdr->type != XS_SET_PERMS && hdr->type != XS_DIRECTORY_PART &&
	    rest_at != hdr->len)
		return -EINVAL;
	rc = xs_resolve(conn, path_arg, path);
	if (rc != 0)
		return rc;
	switch (hdr->type) {
	case XS_READ:
		return op_read(ctx, path, r);
	case XS_DIRECTORY:
		return op_directory(ctx, path, r);
	case XS_DIRECTORY_PART: {
		const char *offset_arg;
		unsigned long offset;

		if (!split_args(body + rest_at, hdr->len - rest_at, &offset_arg, 1) ||
		    !parse_decimal(offset_arg, XENSTORE_PAYLOAD_MAX * 1024ul, &offset))
			return -EINVAL;
		return op_directory_part(ctx, path, offset, r);
	}
	case XS_GET_PERMS:
		return op_get_perms(ctx, path, r);
	case XS_WRITE:
		return op_write(ctx, path, body + rest_at, hdr->len - rest_at);
	case XS_MKDIR:
		return op_write(ctx, path, NULL, 0);
	case XS_RM:
		return op_rm(ctx, path);
	default: {      /* XS_SET_PERMS */
		struct xs_perm perms[XS_PERMS_MAX];
		unsigned int count;

		rc = parse_perms(body + rest_at, hdr->len - rest_at, perms, &count);
		return rc ? rc : op_set_perms(ctx, path, perms, count);
	}
	}
}

/* Run one request; its reply body goes to r.  A new watch is returned in
 * *new_watch, to fire once after the reply. */
static int run_request(struct xenstore_conn *conn, const struct xsd_sockmsg *hdr,
		       const char *body, struct reply *r, struct xs_watch **new_watch)
{
	struct xs_ctx ctx = { .xs = conn->xs, .domid = conn->domid, .root = conn->xs->root };
	const char *args[2];

	if (hdr->tx_id != 0) {
		ctx.tx = xs_tx_find(conn, hdr->tx_id);
		if (ctx.tx == NULL)
			return -ENOENT;
		ctx.root = ctx.tx->root;
	}
	switch (hdr->type) {
	case XS_READ: case XS_DIRECTORY: case XS_DIRECTORY_PART: case XS_GET_PERMS:
	case XS_WRITE: case XS_MKDIR: case XS_RM: case XS_SET_PERMS:
		return node_request(conn, &ctx, hdr, body, r);
	case XS_WATCH:
		if (!split_args(body, hdr->len, args, 2))
			return -EINVAL;
		return xs_watch_add(conn, args[0], args[1], new_watch);
	case XS_UNWATCH:
		if (!split_args(body, hdr->len, args, 2))
			return -EINVAL;
		return xs_watch_remove(conn, args[0], args[1]);
	case XS_RESET_WATCHES:
		xs_watches_clear(conn);
		return 0;
	case XS_TRANSACTION_START:
		return ctx.tx != NULL ? -EBUSY : xs_tx_start(conn, r);
	case XS_TRANSACTION_END:
		if (ctx.tx == NULL || !split_args(body, hdr->len, args, 1))
			return -EINVAL;
		return xs_tx_end(conn, ctx.tx, args[0]);
	case XS_GET_DOMAIN_PATH: {
		uint16_t domid;
		char home[32];

		if (!split_args(body, hdr->len, args, 1) || !parse_domid(args[0], &domid))
			return -EINVAL;
		snprintf(home, sizeof(home), HOME_FORMAT, domid);
		return xs_reply_string(r, home);
	}
	default:        /* the toolstack's operations, and what does not exist */
		return -ENOSYS;
	}
}

void xenstore_conn_request(struct xenstore_conn *conn, const struct xsd_sockmsg *hdr,
			   const char *body)
{
	static const char ok[] = "OK";
	struct xs_watch *new_watch = NULL;
	struct reply *r = calloc(1, sizeof(*r));
	struct xsd_sockmsg out = *hdr;
	int rc;

	if (r == NULL)
		return;
	rc = run_request(conn, hdr, body, r, &new_watch);
	if (rc != 0) {
		out.type = XS_ERROR;
		r->len = 0;
		xs_reply_string(r, xenstore_error_name(-rc));
	} else if (r->len == 0 && hdr->type != XS_READ && hdr->type != XS_DIRECTORY) {
		xs_reply_string(r, ok);    /* what changes something answers "OK" */
	}
	out.len = r->len;
	xs_queue_message(conn, &out, r->body);
	free(r);
	if (new_watch != NULL)
		xs_send_event(conn, new_watch, new_watch->path);
}

/* ---- connections --------------------------------------------------------- */

struct xenstore_conn *xenstore_connect(struct xenstore *xs, uint16_t domid,
				       xenstore_event_fn *on_event, void *arg)
{
	struct xenstore_conn *conn = calloc(1, sizeof(*conn));

	if (conn == NULL)
		return NULL;
	conn->xs = xs;
	conn->domid = domid;
	snprintf(conn->home, sizeof(conn->home), HOME_FORMAT, domid);
	conn->on_event = on_event;
	conn->event_arg = arg;
	conn->next = xs->conns;
	xs->conns = conn;
	return conn;
}

void xenstore_disconnect(struct xenstore_conn *conn)
{
	struct xenstore_conn **link = &conn->xs->conns;

	while (*link != conn)
		link = &(*link)->next;
	*link = conn->next;
	while (conn->txs != NULL)
		xs_tx_free(conn, conn->txs);
	xs_watches_clear(conn);
	while (conn->out_head != NULL)
		xenstore_conn_output_done(conn);
	free(conn);
}

const struct xenstore_msg *xenstore_conn_output(const struct xenstore_conn *conn)
{
	return conn->out_head;
}

void xenstore_conn_output_done(struct xenstore_conn *conn)
{
	struct xenstore_msg *msg = conn->out_head;

	if (msg == NULL)
		return;
	conn->out_head = msg->next;
	if (conn->out_head == NULL)
		conn->out_tail = NULL;
	conn->pending--;
	free(msg);
}

unsigned int xenstore_conn_pending(const struct xenstore_conn *conn)
{
	return conn->pending;
}

bool xenstore_conn_can_take_request(const struct xenstore_conn *conn)
{
	return conn->pending < XENSTORE_CONN_OUTPUT_MAX;
}

unsigned long xenstore_conn_dropped_events(const struct xenstore_conn *conn)
{
	return conn->dropped_events;
}

/* ---- the store, and the toolstack's calls --------------------------------- */

struct xenstore *xenstore_create(void)
{
	struct xenstore *xs = calloc(1, sizeof(*xs));

	if (xs == NULL)
		return NULL;
	xs->root = xs_tree_new_root(xs_next_generation(xs));
	if (xs->root == NULL) {
		free(xs);
		return NULL;
	}
	return xs;
}

void xenstore_destroy(struct xenstore *xs)
{
	while (xs->conns != NULL)
		xenstore_disconnect(xs->conns);
	xs_node_free(xs->root);
	free(xs);
}

static struct xs_ctx dom0_ctx(struct xenstore *xs)
{
	return (struct xs_ctx){ .xs = xs, .domid = XS_DOM0, .root = xs->root };
}

static int check_absolute(const char *path)
{
	return valid_absolute(path) ? 0 : -EINVAL;
}

int xenstore_write(struct xenstore *xs, const char *path, const char *value)
{
	struct xs_ctx ctx = dom0_ctx(xs);
	int rc = check_absolute(path);

	return rc ? rc : op_write(&ctx, path, value, strlen(value));
}

int xenstore_read(struct xenstore *xs, const char *path, char *buf, size_t size)
{
	struct xs_node *node = check_absolute(path) ? NULL : xs_node_lookup(xs->root, path);

	if (node == NULL)
		return -ENOENT;
	if (node->value_len >= size)
		return -ERANGE;
	memcpy(buf, node->value, node->value_len + 1);
	return (int)node->value_len;
}

int xenstore_rm(struct xenstore *xs, const char *path)
{
	struct xs_ctx ctx = dom0_ctx(xs);
	int rc = check_absolute(path);

	return rc ? rc : op_rm(&ctx, path);
}

int xenstore_set_perms(struct xenstore *xs, const char *path, const struct xs_perm *perms,
		       unsigned int count)
{
	struct xs_ctx ctx = dom0_ctx(xs);
	int rc = check_absolute(path);

	return rc ? rc : op_set_perms(&ctx, path, perms, count);
}

/* One node of a new domain's home: `value`, owned by `owner`, readable by
 * `reader` (when not the owner). */
static int home_node(struct xenstore *xs, const char *home, const char *name, const char *value,
		     uint16_t owner, uint16_t reader)
{
	char path[PATH_BUF];
	struct xs_perm perms[] = { { owner, 'n' }, { reader, 'r' } };
	int rc;

	snprintf(path, sizeof(path), "%s%s", home, name);
	rc = xenstore_write(xs, path, value);
	return rc ? rc : xenstore_set_perms(xs, path, perms, owner == reader ? 1 : 2);
}

int xenstore_introduce_domain(struct xenstore *xs, uint16_t domid)
{
	char home[32], id[8];
	int rc;

	if (domid == XS_DOM0 || domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	snprintf(home, sizeof(home), HOME_FORMAT, domid);
	snprintf(id, sizeof(id), "%u", domid);
	rc = home_node(xs, home, "", "", XS_DOM0, domid);
	if (rc == 0)
		rc = home_node(xs, home, "/domid", id, XS_DOM0, domid);
	if (rc == 0)
		rc = home_node(xs, home, "/data", "", domid, domid);
	return rc;
}
