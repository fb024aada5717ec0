/*
 * xenstore_tree.c — nodes of pvkit-hv's xenstore (see xenstore_tree.h).
 *
 * Children are a singly linked list in creation order, which is the order
 * XS_DIRECTORY lists them.  Paths handed to this file have been checked by
 * xenstore.c: they start with '/', have no empty components and no
 * trailing '/' (except "/" itself).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/xenstore_tree.h"

static struct xs_node *node_alloc(const char *name, size_t name_len, uint64_t generation)
{
	struct xs_node *node = calloc(1, sizeof(*node));

	if (node == NULL)
		return NULL;
	node->name = strndup(name, name_len);
	node->value = calloc(1, 1);
	if (node->name == NULL || node->value == NULL) {
		free(node->name);
		free(node->value);
		free(node);
		return NULL;
	}
	node->generation = generation;
	return node;
}

struct xs_node *xs_tree_new_root(uint64_t generation)
{
	struct xs_node *root = node_alloc("", 0, generation);

	if (root != NULL) {
		root->perms[0] = (struct xs_perm){ .domid = XS_DOM0, .access = 'n' };
		root->nperms = 1;
	}
	return root;
}

static void append_child(struct xs_node *parent, struct xs_node *child)
{
	struct xs_node **link = &parent->first_child;

	while (*link != NULL)
		link = &(*link)->next_sibling;
	*link = child;
	child->parent = parent;
}

struct xs_node *xs_node_add_child(struct xs_node *parent, const char *name, size_t name_len,
				  uint64_t generation)
{
	struct xs_node *child = node_alloc(name, name_len, generation);

	if (child == NULL)
		return NULL;
	memcpy(child->perms, parent->perms, sizeof(child->perms));
	child->nperms = parent->nperms;
	append_child(parent, child);
	return child;
}

static void unlink_from_parent(struct xs_node *node)
{
	struct xs_node **link;

	if (node->parent == NULL)
		return;
	for (link = &node->parent->first_child; *link != node; link = &(*link)->next_sibling)
		;
	*link = node->next_sibling;
	node->parent = NULL;
}

static void free_subtree(struct xs_node *node)
{
	struct xs_node *child = node->first_child;

	while (child != NULL) {
		struct xs_node *next = child->next_sibling;

		free_subtree(child);
		child = next;
	}
	free(node->name);
	free(node->value);
	free(node);
}

void xs_node_free(struct xs_node *node)
{
	unlink_from_parent(node);
	free_subtree(node);
}

static struct xs_node *find_child(struct xs_node *parent, const char *name, size_t len)
{
	for (struct xs_node *c = parent->first_child; c != NULL; c = c->next_sibling)
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

struct xs_node *xs_node_nearest(struct xs_node *root, const char *path, unsigned int *missing)
{
	struct xs_node *node = root;
	const char *p = path;

	*missing = 0;
	while (*p == '/' && p[1] != 0) {
		const char *name = p + 1;
		size_t len = strcspn(name, "/");
		struct xs_node *child = *missing ? NULL : find_child(node, name, len);

		if (child != NULL)
			node = child;
		else
			(*missing)++;
		p = name + len;
	}
	return node;
}

struct xs_node *xs_node_lookup(struct xs_node *root, const char *path)
{
	unsigned int missing;
	struct xs_node *node = xs_node_nearest(root, path, &missing);

	return missing == 0 ? node : NULL;
}

int xs_node_set_value(struct xs_node *node, const char *value, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, value, len);
	copy[len] = 0;
	free(node->value);
	node->value = copy;
	node->value_len = (uint32_t)len;
	return 0;
}

void xs_node_path(const struct xs_node *node, char *buf, size_t size)
{
	if (node->parent == NULL) {
		snprintf(buf, size, "/");
		return;
	}
	if (node->parent->parent == NULL)
		buf[0] = 0;
	else
		xs_node_path(node->parent, buf, size);
	size_t used = strlen(buf);

	snprintf(buf + used, size - used, "/%s", node->name);
}

static unsigned int access_bits(char letter)
{
	switch (letter) {
	case 'r': return XS_ACCESS_READ;
	case 'w': return XS_ACCESS_WRITE;
	case 'b': return XS_ACCESS_READ | XS_ACCESS_WRITE;
	default: return 0;
	}
}

unsigned int xs_node_access(const struct xs_node *node, uint16_t domid)
{
	const unsigned int all = XS_ACCESS_READ | XS_ACCESS_WRITE;

	if (domid == XS_DOM0 || node->perms[0].domid == domid)
		return all;
	for (unsigned int i = 1; i < node->nperms; i++)
		if (node->perms[i].domid == domid)
			return access_bits(node->perms[i].access);
	return access_bits(node->perms[0].access);
}

unsigned int xs_tree_count_owned(const struct xs_node *root, uint16_t domid)
{
	unsigned int count = root->perms[0].domid == domid;

	for (const struct xs_node *c = root->first_child; c != NULL; c = c->next_sibling)
		count += xs_tree_count_owned(c, domid);
	return count;
}

struct xs_node *xs_tree_clone(const struct xs_node *from)
{
	struct xs_node *to = node_alloc(from->name, strlen(from->name), from->generation);

	if (to == NULL || xs_node_set_value(to, from->value, from->value_len) != 0)
		goto fail;
	memcpy(to->perms, from->perms, sizeof(to->perms));
	to->nperms = from->nperms;
	for (const struct xs_node *c = from->first_child; c != NULL; c = c->next_sibling) {
		struct xs_node *copy = xs_tree_clone(c);

		if (copy == NULL)
			goto fail;
		append_child(to, copy);
	}
	return to;
fail:
	if (to != NULL)
		free_subtree(to);
	return NULL;
}
