/*
 * xenstore.c — pvkit-hv's xenstore: requests, permissions, watches and
 * transactions on the tree of host/xenstore_tree.c (see xenstore.h).
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

#include "host/xenstore.h"

#include <xen/xen.h>            /* DOMID_FIRST_RESERVED; needs stdint.h first */

#define PATH_BUF        (XENSTORE_ABS_PATH_MAX + 1)
#define HOME_FORMAT     "/local/domain/%u"
#define VALID_CHARS     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_@"

struct xs_watch {
	struct xs_watch *next;
	char *path;             /* absolute, or a special "@..." name */
	char *token;
	bool relative;          /* given relative: events name paths relative to home */
};

/* A node a transaction relied on or changed. */
struct xs_touch {
	char *path;
	uint64_t generation;    /* in the real tree when first touched; 0: absent */
	bool written;           /* copy it into the real tree at commit */
	bool fire;              /* the target of a change: fire its watches at commit */
	bool removed;           /* ... of a removal: fire the watches below it too */
};

struct xs_tx {
	struct xs_tx *next;
	uint32_t id;
	struct xs_node *root;   /* the private copy */
	struct xs_touch *touched;
	unsigned int ntouched;
};

struct xenstore_conn {
	struct xenstore_conn *next;
	struct xenstore *xs;
	uint16_t domid;
	char home[32];
	xenstore_event_fn *on_event;
	void *event_arg;
	struct xs_watch *watches;
	unsigned int nwatches;
	struct xs_tx *txs;
	unsigned int ntxs;
	uint32_t last_tx_id;
	struct xenstore_msg *out_head, *out_tail;
	unsigned int pending;
	unsigned long dropped_events;
};

struct xenstore {
	struct xs_node *root;
	uint64_t generation;            /* the last one handed out */
	struct xenstore_conn *conns;
};

/* Who asks, on which tree: the real one, or a transaction's copy. */
struct xs_ctx {
	struct xenstore *xs;
	uint16_t domid;
	struct xs_tx *tx;
	struct xs_node *root;
};

/* A reply's body being built. */
struct reply {
	uint32_t len;
	char body[XENSTORE_PAYLOAD_MAX];
};

static uint64_t next_generation(struct xenstore *xs)
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

static int reply_add(struct reply *r, const void *data, size_t len)
{
	if (len > sizeof(r->body) - r->len)
		return -E2BIG;
	memcpy(r->body + r->len, data, len);
	r->len += (uint32_t)len;
	return 0;
}

static int reply_string(struct reply *r, const char *s)
{
	return reply_add(r, s, strlen(s) + 1);
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
static int resolve(const struct xenstore_conn *conn, const char *in, char *out)
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
static bool is_at_or_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, len) == 0 && (path[len] == 0 || path[len] == '/');
}

/* ---- output and watch events -------------------------------------------- */

static void queue_message(struct xenstore_conn *conn, const struct xsd_sockmsg *hdr,
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

static void send_event(struct xenstore_conn *conn, const struct xs_watch *w, const char *path)
{
	size_t home_len = strlen(conn->home);
	struct reply r = { 0 };

	if (w->relative && is_at_or_below(path, conn->home) && path[home_len] == '/')
		path += home_len + 1;
	if (conn->on_event != NULL) {
		conn->on_event(conn->event_arg, path, w->token);
		return;
	}
	if (conn->pending >= XENSTORE_CONN_OUTPUT_MAX ||
	    reply_string(&r, path) != 0 || reply_string(&r, w->token) != 0) {
		conn->dropped_events++;
		return;
	}
	struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT, .len = r.len };

	queue_message(conn, &hdr, r.body);
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
static void fire_watches(struct xenstore *xs, const char *path, bool removed)
{
	for (struct xenstore_conn *c = xs->conns; c != NULL; c = c->next) {
		for (struct xs_watch *w = c->watches; w != NULL; w = w->next) {
			const char *event_path = NULL;

			if (is_at_or_below(path, w->path))
				event_path = path;
			else if (removed && is_at_or_below(w->path, path))
				event_path = w->path;
			if (event_path != NULL && may_hear(c, event_path))
				send_event(c, w, event_path);
		}
	}
}

/* ---- transactions: noting what a transaction touches -------------------- */

enum touch { TOUCH_READ, TOUCH_WRITE, TOUCH_CHANGE, TOUCH_REMOVE };

/* Before a transaction reads or changes `node` (NULL: absent) at the first
 * `len` bytes of `path`, note it.  Nothing to do outside a transaction. */
static int note(struct xs_ctx *ctx, const char *path, size_t len, const struct xs_node *node,
		enum touch how)
{
	struct xs_tx *tx = ctx->tx;
	struct xs_touch *t = NULL;

	if (tx == NULL)
		return 0;
	for (unsigned int i = 0; i < tx->ntouched && t == NULL; i++)
		if (strlen(tx->touched[i].path) == len && memcmp(tx->touched[i].path, path, len) == 0)
			t = &tx->touched[i];
	if (t == NULL) {
		if (tx->ntouched == XENSTORE_TX_NODES_MAX)
			return -ENOSPC;
		char *copy = strndup(path, len);

		if (copy == NULL)
			return -ENOMEM;
		t = &tx->touched[tx->ntouched++];
		*t = (struct xs_touch){ .path = copy, .generation = node ? node->generation : 0 };
	}
	t->written |= how != TOUCH_READ;
	t->fire |= how == TOUCH_CHANGE || how == TOUCH_REMOVE;
	t->removed |= how == TOUCH_REMOVE;
	return 0;
}

static int note_node(struct xs_ctx *ctx, const struct xs_node *node, enum touch how)
{
	char path[PATH_BUF];

	xs_node_path(node, path, sizeof(path));
	return note(ctx, path, strlen(path), node, how);
}

/* A removal changes the node and everything below it. */
static int note_subtree(struct xs_ctx *ctx, const struct xs_node *node, enum touch how)
{
	int rc = note_node(ctx, node, how);

	for (const struct xs_node *c = node->first_child; c != NULL && rc == 0; c = c->next_sibling)
		rc = note_subtree(ctx, c, TOUCH_WRITE);
	return rc;
}

/* ---- the operations ------------------------------------------------------ */

/* The node at `path` that ctx's domain may `want` (XS_ACCESS_*), noted as
 * read; NULL with *rc set otherwise. */
static struct xs_node *get_node(struct xs_ctx *ctx, const char *path, unsigned int want, int *rc)
{
	struct xs_node *node = xs_node_lookup(ctx->root, path);

	*rc = note(ctx, path, strlen(path), node, TOUCH_READ);
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
	*rc = note_node(ctx, parent, TOUCH_WRITE);
	xs_node_path(parent, parent_path, sizeof(parent_path));
	p = parent->parent == NULL ? path : path + strlen(parent_path);
	if (*rc == 0)
		parent->generation = next_generation(ctx->xs);
	while (*rc == 0 && *p == '/') {
		const char *name = p + 1;
		size_t len = strcspn(name, "/");

		p = name + len;
		*rc = note(ctx, path, p - path, NULL, *p ? TOUCH_WRITE : TOUCH_CHANGE);
		if (*rc != 0)
			break;
		parent = xs_node_add_child(parent, name, len, next_generation(ctx->xs));
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
		return note(ctx, path, strlen(path), node, TOUCH_READ);
	} else if (!(xs_node_access(node, ctx->domid) & XS_ACCESS_WRITE)) {
		return -EACCES;
	} else {
		rc = note(ctx, path, strlen(path), node, TOUCH_CHANGE);
		if (rc == 0)
			node->generation = next_generation(ctx->xs);
	}
	if (rc == 0 && value != NULL)
		rc = xs_node_set_value(node, value, len);
	if (rc == 0 && ctx->tx == NULL)
		fire_watches(ctx->xs, path, false);
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
		return note(ctx, path, strlen(path), NULL, TOUCH_READ);
	if (!(xs_node_access(node, ctx->domid) & XS_ACCESS_WRITE))
		return -EACCES;
	rc = note_node(ctx, node->parent, TOUCH_WRITE);
	if (rc == 0)
		rc = note_subtree(ctx, node, TOUCH_REMOVE);
	if (rc != 0)
		return rc;
	node->parent->generation = next_generation(ctx->xs);
	xs_node_free(node);
	if (ctx->tx == NULL)
		fire_watches(ctx->xs, path, true);
	return 0;
}

static int op_read(struct xs_ctx *ctx, const char *path, struct reply *r)
{
	int rc;
	struct xs_node *node = get_node(ctx, path, XS_ACCESS_READ, &rc);

	return node ? reply_add(r, node->value, node->value_len) : rc;
}

static int op_directory(struct xs_ctx *ctx, const char *path, struct reply *r)
{
	int rc;
	struct xs_node *node = get_node(ctx, path, XS_ACCESS_READ, &rc);

	for (struct xs_node *c = node ? node->first_child : NULL; c != NULL && rc == 0;
	     c = c->next_sibling)
		rc = reply_string(r, c->name);
	return rc;
}

static int op_get_perms(struct xs_ctx *ctx, const char *path, struct reply *r)
{
	int rc;
	struct xs_node *node = get_node(ctx, path, XS_ACCESS_READ, &rc);

	for (unsigned int i = 0; node != NULL && i < node->nperms && rc == 0; i++) {
		char perm[8];

		snprintf(perm, sizeof(perm), "%c%u", node->perms[i].access, node->perms[i].domid);
		rc = reply_string(r, perm);
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
	rc = note(ctx, path, strlen(path), node, TOUCH_CHANGE);
	if (rc != 0)
		return rc;
	memcpy(node->perms, perms, count * sizeof(*perms));
	node->nperms = count;
	node->generation = next_generation(ctx->xs);
	if (ctx->tx == NULL)
		fire_watches(ctx->xs, path, false);
	return 0;
}

/* ---- transactions: start, commit, end ----------------------------------- */

static struct xs_tx *find_tx(const struct xenstore_conn *conn, uint32_t id)
{
	struct xs_tx *tx = conn->txs;

	while (tx != NULL && tx->id != id)
		tx = tx->next;
	return tx;
}

static int tx_start(struct xenstore_conn *conn, struct reply *r)
{
	struct xs_tx *tx;
	char id[16];

	if (conn->ntxs >= XENSTORE_TRANSACTIONS_PER_CONN)
		return -ENOSPC;
	tx = calloc(1, sizeof(*tx));
	if (tx == NULL)
		return -ENOMEM;
	tx->root = xs_tree_clone(conn->xs->root);
	tx->touched = calloc(XENSTORE_TX_NODES_MAX, sizeof(*tx->touched));
	if (tx->root == NULL || tx->touched == NULL) {
		if (tx->root != NULL)
			xs_node_free(tx->root);
		free(tx->touched);
		free(tx);
		return -ENOMEM;
	}
	do      /* 0 means "no transaction"; skip ids still in use after a wrap */
		tx->id = ++conn->last_tx_id;
	while (tx->id == 0 || find_tx(conn, tx->id) != NULL);
	tx->next = conn->txs;
	conn->txs = tx;
	conn->ntxs++;
	snprintf(id, sizeof(id), "%u", tx->id);
	return reply_string(r, id);
}

static void tx_free(struct xenstore_conn *conn, struct xs_tx *tx)
{
	struct xs_tx **link = &conn->txs;

	while (*link != tx)
		link = &(*link)->next;
	*link = tx->next;
	conn->ntxs--;
	for (unsigned int i = 0; i < tx->ntouched; i++)
		free(tx->touched[i].path);
	free(tx->touched);
	xs_node_free(tx->root);
	free(tx);
}

static bool tx_conflicts(const struct xenstore *xs, const struct xs_tx *tx)
{
	for (unsigned int i = 0; i < tx->ntouched; i++) {
		const struct xs_node *now = xs_node_lookup(xs->root, tx->touched[i].path);

		if ((now ? now->generation : 0) != tx->touched[i].generation)
			return true;
	}
	return false;
}

/* Make the real tree's node at `path` what the private copy's `from` is. */
static int copy_node(struct xenstore *xs, const char *path, const struct xs_node *from)
{
	unsigned int missing;
	struct xs_node *node = xs_node_nearest(xs->root, path, &missing);
	const char *p = path + strlen(path);

	/* Missing ancestors were created by the transaction too: each gets
	 * its own value and permissions when its touch is applied. */
	for (unsigned int i = 0; i < missing; i++)
		while (*--p != '/')
			;
	while (missing-- > 0 && node != NULL) {
		const char *name = ++p;
		size_t len = strcspn(name, "/");

		node = xs_node_add_child(node, name, len, next_generation(xs));
		p = name + len;
	}
	if (node == NULL || xs_node_set_value(node, from->value, from->value_len) != 0)
		return -ENOMEM;
	memcpy(node->perms, from->perms, sizeof(node->perms));
	node->nperms = from->nperms;
	node->generation = next_generation(xs);
	return 0;
}

/* Apply a conflict-free transaction: removals first (a removed node has
 * no written node below it that stays), then the nodes that exist. */
static int tx_apply(struct xenstore *xs, const struct xs_tx *tx)
{
	int rc = 0;

	for (unsigned int i = 0; i < tx->ntouched; i++) {
		const struct xs_touch *t = &tx->touched[i];
		struct xs_node *gone = xs_node_lookup(xs->root, t->path);

		if (t->written && gone != NULL && xs_node_lookup(tx->root, t->path) == NULL)
			xs_node_free(gone);
	}
	for (unsigned int i = 0; i < tx->ntouched && rc == 0; i++) {
		const struct xs_touch *t = &tx->touched[i];
		const struct xs_node *from = xs_node_lookup(tx->root, t->path);

		if (t->written && from != NULL)
			rc = copy_node(xs, t->path, from);
	}
	for (unsigned int i = 0; i < tx->ntouched && rc == 0; i++)
		if (tx->touched[i].fire)
			fire_watches(xs, tx->touched[i].path, tx->touched[i].removed);
	return rc;
}

/* XS_TRANSACTION_END: "T" commits, "F" abandons; either way it ends. */
static int tx_end(struct xenstore_conn *conn, struct xs_tx *tx, const char *verdict)
{
	int rc = 0;

	if (strcmp(verdict, "T") != 0 && strcmp(verdict, "F") != 0)
		return -EINVAL;
	if (verdict[0] == 'T')
		rc = tx_conflicts(conn->xs, tx) ? -EAGAIN : tx_apply(conn->xs, tx);
	tx_free(conn, tx);
	return rc;
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
		return resolve(conn, in, out);
	if (strlen(in) > XENSTORE_REL_PATH_MAX || strspn(in, VALID_CHARS) != strlen(in))
		return -EINVAL;
	strcpy(out, in);
	return 0;
}

static int watch_add(struct xenstore_conn *conn, const char *given, const char *token,
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

static int watch_remove(struct xenstore_conn *conn, const char *given, const char *token)
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

/* A domain id in decimal, all of `text`. */
static bool parse_domid(const char *text, uint16_t *domid)
{
	char *after;
	unsigned long value;

	if (text[0] < '0' || text[0] > '9')
		return false;           /* strtoul would take spaces and signs */
	value = strtoul(text, &after, 10);
	if (*after != 0 || value > UINT16_MAX)
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
	if (hdr->type != XS_WRITE && hdr->type != XS_SET_PERMS && rest_at != hdr->len)
		return -EINVAL;
	rc = resolve(conn, path_arg, path);
	if (rc != 0)
		return rc;
	switch (hdr->type) {
	case XS_READ:
		return op_read(ctx, path, r);
	case XS_DIRECTORY:
		return op_directory(ctx, path, r);
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
		ctx.tx = find_tx(conn, hdr->tx_id);
		if (ctx.tx == NULL)
			return -ENOENT;
		ctx.root = ctx.tx->root;
	}
	switch (hdr->type) {
	case XS_READ: case XS_DIRECTORY: case XS_GET_PERMS:
	case XS_WRITE: case XS_MKDIR: case XS_RM: case XS_SET_PERMS:
		return node_request(conn, &ctx, hdr, body, r);
	case XS_WATCH:
		if (!split_args(body, hdr->len, args, 2))
			return -EINVAL;
		return watch_add(conn, args[0], args[1], new_watch);
	case XS_UNWATCH:
		if (!split_args(body, hdr->len, args, 2))
			return -EINVAL;
		return watch_remove(conn, args[0], args[1]);
	case XS_RESET_WATCHES:
		while (conn->watches != NULL)
			watch_free(conn, &conn->watches);
		return 0;
	case XS_TRANSACTION_START:
		return ctx.tx != NULL ? -EBUSY : tx_start(conn, r);
	case XS_TRANSACTION_END:
		if (ctx.tx == NULL || !split_args(body, hdr->len, args, 1))
			return -EINVAL;
		return tx_end(conn, ctx.tx, args[0]);
	case XS_GET_DOMAIN_PATH: {
		uint16_t domid;
		char home[32];

		if (!split_args(body, hdr->len, args, 1) || !parse_domid(args[0], &domid))
			return -EINVAL;
		snprintf(home, sizeof(home), HOME_FORMAT, domid);
		return reply_string(r, home);
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
		reply_string(r, xenstore_error_name(-rc));
	} else if (r->len == 0 && hdr->type != XS_READ && hdr->type != XS_DIRECTORY) {
		reply_string(r, ok);    /* what changes something answers "OK" */
	}
	out.len = r->len;
	queue_message(conn, &out, r->body);
	free(r);
	if (new_watch != NULL)
		send_event(conn, new_watch, new_watch->path);
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
		tx_free(conn, conn->txs);
	while (conn->watches != NULL)
		watch_free(conn, &conn->watches);
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
	xs->root = xs_tree_new_root(next_generation(xs));
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
