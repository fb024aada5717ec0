/*
 * xenstore_tree.h — the data of pvkit-hv's xenstore: a tree of named
 * nodes, each with a value, permissions and a generation number.
 *
 * This layer knows nothing of domains' connections, requests or
 * transactions (host/xenstore.c does those); it only stores nodes, finds
 * them by absolute path ("/local/domain/1/data"), copies whole trees (a
 * transaction works on a copy) and answers "what may this domain do here".
 *
 * Permissions are xenstored's (docs/misc/xenstore.txt): a node carries a
 * list of (domain, access) pairs.  The first pair names the owner, who may
 * do everything, and the access every domain not listed gets; the other
 * pairs give listed domains their own access.  Dom0 may do everything.
 */
#ifndef PVKIT_HOST_XENSTORE_TREE_H
#define PVKIT_HOST_XENSTORE_TREE_H

#include <stddef.h>
#include <stdint.h>

#define XS_PERMS_MAX            8       /* (domain, access) pairs per node */
#define XS_DOM0                 0

/* What a domain may do to a node: a bit mask. */
#define XS_ACCESS_READ          1u
#define XS_ACCESS_WRITE         2u

/* One pair; `access` is xenstored's letter: 'n' none, 'r' read, 'w'
 * write, 'b' both. */
struct xs_perm {
	uint16_t domid;
	char access;
};

struct xs_node {
	char *name;                     /* last path component; "" for the root */
	char *value;                    /* value_len bytes, then a 0 for convenience */
	uint32_t value_len;
	struct xs_perm perms[XS_PERMS_MAX];
	unsigned int nperms;            /* >= 1: perms[0] is the owner */
	/* Changes on every change of the value, the permissions or the list
	 * of children; never 0 (a transaction records 0 for "absent"). */
	uint64_t generation;
	struct xs_node *parent, *first_child, *next_sibling;
};

/* A new root "/" owned by dom0 and readable by nobody else; NULL when out
 * of memory. */
struct xs_node *xs_tree_new_root(uint64_t generation);

/* A new child `name` (name_len bytes) appended to `parent`'s children,
 * with an empty value and `parent`'s permissions; NULL when out of
 * memory. */
struct xs_node *xs_node_add_child(struct xs_node *parent, const char *name, size_t name_len,
				  uint64_t generation);

/* Unlink `node` from its parent (if any) and free it and all below it. */
void xs_node_free(struct xs_node *node);

/* The node at absolute path `path` (which must be valid, see xenstore.c),
 * or NULL. */
struct xs_node *xs_node_lookup(struct xs_node *root, const char *path);

/* The deepest node that exists on the way to `path`: the node itself if
 * it exists, otherwise its nearest existing ancestor (at least the root).
 * *missing gets the number of path components below it that do not. */
struct xs_node *xs_node_nearest(struct xs_node *root, const char *path, unsigned int *missing);

/* Replace the value; 0, or -ENOMEM (the old value is kept). */
int xs_node_set_value(struct xs_node *node, const char *value, size_t len);

/* The node's absolute path into buf (size >= XENSTORE_ABS_PATH_MAX + 1). */
void xs_node_path(const struct xs_node *node, char *buf, size_t size);

/* XS_ACCESS_* bits domain `domid` has on `node`. */
unsigned int xs_node_access(const struct xs_node *node, uint16_t domid);

/* How many nodes of the tree `domid` owns (for its quota). */
unsigned int xs_tree_count_owned(const struct xs_node *root, uint16_t domid);

/* A deep copy of the whole tree (same generations); NULL when out of
 * memory. */
struct xs_node *xs_tree_clone(const struct xs_node *root);

#endif
