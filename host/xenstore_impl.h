/*
 * xenstore_impl.h — what the three parts of pvkit-hv's xenstore share:
 * the store, connections, watches and transactions as structures, and
 * the calls between xenstore.c (requests, operations, connections, the
 * toolstack's calls), xenstore_watch.c (watches and their events) and
 * xenstore_tx.c (transactions).  Only those three files include it.
 */
#ifndef PVKIT_HOST_XENSTORE_IMPL_H
#define PVKIT_HOST_XENSTORE_IMPL_H

#include "host/xenstore.h"

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

/* How a transaction touches a node (see xs_note()). */
enum touch { TOUCH_READ, TOUCH_WRITE, TOUCH_CHANGE, TOUCH_REMOVE };

/* ---- xenstore.c ---- */
uint64_t xs_next_generation(struct xenstore *xs);
/* Append to a reply's body; -E2BIG when it would not fit. */
int xs_reply_add(struct reply *r, const void *data, size_t len);
int xs_reply_string(struct reply *r, const char *s);
bool xs_is_at_or_below(const char *path, const char *dir);
/* conn's path `in` made absolute into out (PATH_BUF bytes); 0 or -EINVAL. */
int xs_resolve(const struct xenstore_conn *conn, const char *in, char *out);
void xs_queue_message(struct xenstore_conn *conn, const struct xsd_sockmsg *hdr,
		      const char *body);

/* ---- xenstore_watch.c ---- */
void xs_fire_watches(struct xenstore *xs, const char *path, bool removed);
void xs_send_event(struct xenstore_conn *conn, const struct xs_watch *w, const char *path);
int xs_watch_add(struct xenstore_conn *conn, const char *given, const char *token,
		 struct xs_watch **added);
int xs_watch_remove(struct xenstore_conn *conn, const char *given, const char *token);
void xs_watches_clear(struct xenstore_conn *conn);

/* ---- xenstore_tx.c ---- */
int xs_note(struct xs_ctx *ctx, const char *path, size_t len, const struct xs_node *node,
	    enum touch how);
int xs_note_node(struct xs_ctx *ctx, const struct xs_node *node, enum touch how);
int xs_note_subtree(struct xs_ctx *ctx, const struct xs_node *node, enum touch how);
struct xs_tx *xs_tx_find(const struct xenstore_conn *conn, uint32_t id);
int xs_tx_start(struct xenstore_conn *conn, struct reply *r);
int xs_tx_end(struct xenstore_conn *conn, struct xs_tx *tx, const char *verdict);
void xs_tx_free(struct xenstore_conn *conn, struct xs_tx *tx);

#endif
