/*
 * xenstore_tx.c — transactions of pvkit-hv's xenstore (see xenstore.c
 * for how they work): noting what a transaction touches, and starting,
 * committing (or refusing with EAGAIN) and ending one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/xenstore_impl.h"

/* ---- transactions: noting what a transaction touches -------------------- */

/* Before a transaction reads or changes `node` (NULL: absent) at the first
 * `len` bytes of `path`, note it.  Nothing to do outside a transaction. */
int xs_note(struct xs_ctx *ctx, const char *path, size_t len, const struct xs_node *node,
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

int xs_note_node(struct xs_ctx *ctx, const struct xs_node *node, enum touch how)
{
	char path[PATH_BUF];

	xs_node_path(node, path, sizeof(path));
	return xs_note(ctx, path, strlen(path), node, how);
}

/* A removal changes the node and everything below it. */
int xs_note_subtree(struct xs_ctx *ctx, const struct xs_node *node, enum touch how)
{
	int rc = xs_note_node(ctx, node, how);

	for (const struct xs_node *c = node->first_child; c != NULL && rc == 0; c = c->next_sibling)
		rc = xs_note_subtree(ctx, c, TOUCH_WRITE);
	return rc;
}

/* ---- transactions: start, commit, end ----------------------------------- */

struct xs_tx *xs_tx_find(const struct xenstore_conn *conn, uint32_t id)
{
	struct xs_tx *tx = conn->txs;

	while (tx != NULL && tx->id != id)
		tx = tx->next;
	return tx;
}

int xs_tx_start(struct xenstore_conn *conn, struct reply *r)
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
	while (tx->id == 0 || xs_tx_find(conn, tx->id) != NULL);
	tx->next = conn->txs;
	conn->txs = tx;
	conn->ntxs++;
	snprintf(id, sizeof(id), "%u", tx->id);
	return xs_reply_string(r, id);
}

void xs_tx_free(struct xenstore_conn *conn, struct xs_tx *tx)
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

		node = xs_node_add_child(node, name, len, xs_next_generation(xs));
		p = name + len;
	}
	if (node == NULL || xs_node_set_value(node, from->value, from->value_len) != 0)
		return -ENOMEM;
	memcpy(node->perms, from->perms, sizeof(node->perms));
	node->nperms = from->nperms;
	node->generation = xs_next_generation(xs);
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
			xs_fire_watches(xs, tx->touched[i].path, tx->touched[i].removed);
	return rc;
}

/* XS_TRANSACTION_END: "T" commits, "F" abandons; either way it ends. */
int xs_tx_end(struct xenstore_conn *conn, struct xs_tx *tx, const char *verdict)
{
	int rc = 0;

	if (strcmp(verdict, "T") != 0 && strcmp(verdict, "F") != 0)
		return -EINVAL;
	if (verdict[0] == 'T')
		rc = tx_conflicts(conn->xs, tx) ? -EAGAIN : tx_apply(conn->xs, tx);
	xs_tx_free(conn, tx);
	return rc;
}
