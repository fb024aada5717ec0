/*
 * test_xenstore.c — pvkit-hv's xenstore (host/xenstore.c) as a guest sees
 * it through requests: every operation, permissions, errors by name,
 * limits, watches and transactions, including conflicts.  The guest is
 * domain GUEST; dom0's part (the toolstack) uses the xenstore_* calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/xenstore.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define GUEST           5
#define OTHER           7
#define HOME            "/local/domain/5"

struct answer {
	uint32_t type, req_id, tx_id, len;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

/* Watch events seen on a connection, oldest first. */
#define EVENTS_MAX      8
static struct {
	unsigned int count;
	char path[EVENTS_MAX][64], token[EVENTS_MAX][64];
} events;

static struct xenstore *xs;
static struct xenstore_conn *guest;

static void setup(void)
{
	xs = xenstore_create();
	CHECK(xs != NULL);
	CHECK_INT(xenstore_introduce_domain(xs, GUEST), 0);
	guest = xenstore_connect(xs, GUEST, NULL, NULL);
	CHECK(guest != NULL);
	memset(&events, 0, sizeof(events));
}

static void teardown(void)
{
	xenstore_destroy(xs);
}

static void record_event(const struct xenstore_msg *m)
{
	const char *token = memchr(m->body, 0, m->hdr.len);

	CHECK(token != NULL && m->body[m->hdr.len - 1] == 0);
	if (token == NULL || events.count == EVENTS_MAX)
		return;
	snprintf(events.path[events.count], 64, "%s", m->body);
	snprintf(events.token[events.count], 64, "%s", token + 1);
	events.count++;
}

/* Move watch events to `events`; return a copy of the first other message
 * (the reply), all of the output being consumed. */
static struct answer drain(struct xenstore_conn *c)
{
	struct answer a = { .type = XS_INVALID };
	const struct xenstore_msg *m;

	while ((m = xenstore_conn_output(c)) != NULL) {
		if (m->hdr.type == XS_WATCH_EVENT) {
			record_event(m);
		} else if (a.type == XS_INVALID) {
			a.type = m->hdr.type;
			a.req_id = m->hdr.req_id;
			a.tx_id = m->hdr.tx_id;
			a.len = m->hdr.len;
			memcpy(a.body, m->body, m->hdr.len);
		}
		xenstore_conn_output_done(c);
	}
	return a;
}

/* Send one request of `len` body bytes; the reply. */
static struct answer ask_raw(struct xenstore_conn *c, uint32_t type, uint32_t tx,
			     const char *body, uint32_t len)
{
	static uint32_t req_id;
	struct xsd_sockmsg h = { .type = type, .req_id = ++req_id, .tx_id = tx, .len = len };
	struct answer a;

	xenstore_conn_request(c, &h, body);
	a = drain(c);
	CHECK_UINT(a.req_id, h.req_id);
	CHECK_UINT(a.tx_id, tx);
	return a;
}

/* The same with a body of 0-terminated strings, given as "a\0b\0". */
#define ASK(c, type, tx, literal) ask_raw(c, type, tx, literal, sizeof(literal) - 1)

/* The reply as a string: the body, "ERR:<name>" for an XS_ERROR. */
static const char *said(const struct answer *a)
{
	static char text[XENSTORE_PAYLOAD_MAX + 8];

	if (a->type == XS_ERROR)
		snprintf(text, sizeof(text), "ERR:%s", a->body);
	else
		snprintf(text, sizeof(text), "%.*s", (int)a->len, a->body);
	return text;
}

static const char *ask_said(struct xenstore_conn *c, uint32_t type, uint32_t tx,
			    const char *body, uint32_t len)
{
	struct answer a = ask_raw(c, type, tx, body, len);

	return said(&a);
}

#define SAYS(c, type, tx, literal, expected) \
	CHECK_STR(ask_said(c, type, tx, literal, sizeof(literal) - 1), expected)

/* A write of a value given as a C string. */
static const char *write_said(struct xenstore_conn *c, uint32_t tx, const char *path,
			      const char *value)
{
	char body[XENSTORE_PAYLOAD_MAX];
	size_t plen = strlen(path) + 1, vlen = strlen(value);

	memcpy(body, path, plen);
	memcpy(body + plen, value, vlen);
	return ask_said(c, XS_WRITE, tx, body, (uint32_t)(plen + vlen));
}

static uint32_t start_tx(struct xenstore_conn *c)
{
	struct answer a = ASK(c, XS_TRANSACTION_START, 0, "");

	CHECK_UINT(a.type, XS_TRANSACTION_START);
	return (uint32_t)strtoul(a.body, NULL, 10);
}

/* ---- operations ----------------------------------------------------------- */

static void read_write_relative_and_absolute(void)
{
	struct answer a;

	setup();
	SAYS(guest, XS_READ, 0, "domid\0", "5");
	SAYS(guest, XS_READ, 0, HOME "/domid\0", "5");
	CHECK_STR(write_said(guest, 0, "data/key", "hello"), "OK");
	SAYS(guest, XS_READ, 0, HOME "/data/key\0", "hello");
	CHECK_STR(write_said(guest, 0, "data/key", ""), "OK");    /* empty is a value */
	a = ASK(guest, XS_READ, 0, "data/key\0");
	CHECK_UINT(a.type, XS_READ);
	CHECK_UINT(a.len, 0);
	/* A value is bytes: what follows the path, NULs included. */
	a = ask_raw(guest, XS_WRITE, 0, "data/bin\0a\0b", 12);
	a = ASK(guest, XS_READ, 0, "data/bin\0");
	CHECK_UINT(a.len, 3);
	CHECK(memcmp(a.body, "a\0b", 3) == 0);
	char value[8];

	CHECK_INT(xenstore_read(xs, HOME "/data/bin", value, sizeof(value)), 3);
	CHECK_INT(xenstore_read(xs, HOME "/data/bin", value, 3), -ERANGE);
	CHECK_INT(xenstore_read(xs, HOME "/data/none", value, sizeof(value)), -ENOENT);
	teardown();
}

static void mkdir_directory_rm(void)
{
	setup();
	SAYS(guest, XS_MKDIR, 0, "data/dir/sub\0", "OK");          /* and data/dir */
	SAYS(guest, XS_MKDIR, 0, "data/dir/sub\0", "OK");          /* already there: fine */
	CHECK_STR(write_said(guest, 0, "data/dir/one", "1"), "OK");
	CHECK_STR(write_said(guest, 0, "data/dir/two", "2"), "OK");
	struct answer a = ASK(guest, XS_DIRECTORY, 0, "data/dir\0");

	CHECK_UINT(a.len, sizeof("sub\0one\0two\0") - 1);        /* in creation order */
	CHECK(memcmp(a.body, "sub\0one\0two\0", a.len) == 0);
	a = ASK(guest, XS_DIRECTORY, 0, "data/dir/one\0");
	CHECK_UINT(a.type, XS_DIRECTORY);
	CHECK_UINT(a.len, 0);
	SAYS(guest, XS_RM, 0, "data/dir\0", "OK");                 /* the whole subtree */
	SAYS(guest, XS_READ, 0, "data/dir/one\0", "ERR:ENOENT");
	SAYS(guest, XS_DIRECTORY, 0, "data/dir\0", "ERR:ENOENT");
	SAYS(guest, XS_RM, 0, "data/dir\0", "OK");         /* gone, but its parent is there */
	SAYS(guest, XS_RM, 0, "data/no/such\0", "ERR:ENOENT");     /* its parent is not */
	SAYS(guest, XS_RM, 0, "/\0", "ERR:EINVAL");
	CHECK_INT(xenstore_rm(xs, "/"), -EINVAL);
	SAYS(guest, XS_GET_DOMAIN_PATH, 0, "5\0", HOME);
	SAYS(guest, XS_GET_DOMAIN_PATH, 0, "x5\0", "ERR:EINVAL");
	SAYS(guest, XS_GET_DOMAIN_PATH, 0, "70000\0", "ERR:EINVAL");
	SAYS(guest, XS_GET_DOMAIN_PATH, 0, " 5\0", "ERR:EINVAL");
	teardown();
}

/* ---- permissions ---------------------------------------------------------- */

static void domain_writes_only_where_allowed(void)
{
	struct xenstore_conn *other;

	setup();
	SAYS(guest, XS_WRITE, 0, "/pvkit-not-ours\0x", "ERR:EACCES");
	SAYS(guest, XS_WRITE, 0, "domid\0" "6", "ERR:EACCES");     /* dom0's, read-only */
	SAYS(guest, XS_WRITE, 0, "newkey\0x", "ERR:EACCES");       /* home is dom0's */
	SAYS(guest, XS_READ, 0, "/\0", "ERR:EACCES");
	SAYS(guest, XS_READ, 0, "/local\0", "ERR:EACCES");
	SAYS(guest, XS_GET_PERMS, 0, "\0", "ERR:EINVAL");
	CHECK_STR(write_said(guest, 0, "data/mine", "1"), "OK");
	struct answer a = ASK(guest, XS_GET_PERMS, 0, "data/mine\0");

	CHECK_UINT(a.len, 3);
	CHECK(memcmp(a.body, "n5\0", 3) == 0);          /* the creator owns it */
	a = ASK(guest, XS_GET_PERMS, 0, "domid\0");
	CHECK_UINT(a.len, 6);
	CHECK(memcmp(a.body, "n0\0r5\0", 6) == 0);

	/* Another domain sees none of it. */
	other = xenstore_connect(xs, OTHER, NULL, NULL);
	SAYS(other, XS_READ, 0, HOME "/data/mine\0", "ERR:EACCES");
	SAYS(other, XS_WRITE, 0, HOME "/data/mine\0x", "ERR:EACCES");
	/* Until the owner lets it read. */
	SAYS(guest, XS_SET_PERMS, 0, "data/mine\0n5\0r7\0", "OK");
	SAYS(other, XS_READ, 0, HOME "/data/mine\0", "1");
	SAYS(other, XS_WRITE, 0, HOME "/data/mine\0x", "ERR:EACCES");
	SAYS(other, XS_SET_PERMS, 0, HOME "/data/mine\0b7\0", "ERR:EACCES");
	/* The owner may not give a node away, nor touch dom0's. */
	SAYS(guest, XS_SET_PERMS, 0, "data/mine\0n7\0", "ERR:EPERM");
	SAYS(guest, XS_SET_PERMS, 0, "domid\0n5\0", "ERR:EACCES");
	SAYS(guest, XS_SET_PERMS, 0, "data/mine\0x5\0", "ERR:EINVAL");
	SAYS(guest, XS_SET_PERMS, 0, "data/mine\0n\0", "ERR:EINVAL");
	SAYS(guest, XS_SET_PERMS, 0, "data/mine\0n99999\0", "ERR:EINVAL");
	SAYS(guest, XS_SET_PERMS, 0, "data/mine\0", "ERR:EINVAL");
	teardown();
}

/* ---- errors and limits ---------------------------------------------------- */

static void malformed_requests_get_errors(void)
{
	setup();
	SAYS(guest, XS_READ, 0, "domid", "ERR:EINVAL");            /* no terminating NUL */
	SAYS(guest, XS_READ, 0, "domid\0extra\0", "ERR:EINVAL");
	SAYS(guest, XS_READ, 0, "", "ERR:EINVAL");
	SAYS(guest, XS_READ, 0, "data//x\0", "ERR:EINVAL");
	SAYS(guest, XS_READ, 0, "data/\0", "ERR:EINVAL");
	SAYS(guest, XS_READ, 0, "data/a b\0", "ERR:EINVAL");
	SAYS(guest, XS_READ, 0, "data/no-such\0", "ERR:ENOENT");
	SAYS(guest, XS_WATCH, 0, "data\0", "ERR:EINVAL");          /* no token */
	SAYS(guest, XS_TRANSACTION_END, 0, "T\0", "ERR:EINVAL");   /* no transaction */
	SAYS(guest, XS_READ, 12345, "domid\0", "ERR:ENOENT");      /* no such transaction */
	SAYS(guest, XS_INTRODUCE, 0, "1\0" "2\0" "3\0", "ERR:ENOSYS");
	SAYS(guest, 0xdeadbeef, 0, "x\0", "ERR:ENOSYS");
	CHECK_STR(xenstore_error_name(EAGAIN), "EAGAIN");
	CHECK_STR(xenstore_error_name(E2BIG), "E2BIG");
	CHECK_STR(xenstore_error_name(12345), "EINVAL");
	teardown();
}

static void path_length_limits(void)
{
	static char body[XENSTORE_PAYLOAD_MAX];

	setup();
	/* A relative path of XENSTORE_REL_PATH_MAX bytes is fine, one more is not. */
	memset(body, 'a', sizeof(body));
	memcpy(body, "data/", 5);
	body[XENSTORE_REL_PATH_MAX] = 0;
	CHECK_STR(ask_said(guest, XS_MKDIR, 0, body, XENSTORE_REL_PATH_MAX + 1), "OK");
	body[XENSTORE_REL_PATH_MAX] = 'b';
	body[XENSTORE_REL_PATH_MAX + 1] = 0;
	CHECK_STR(ask_said(guest, XS_MKDIR, 0, body, XENSTORE_REL_PATH_MAX + 2), "ERR:EINVAL");
	/* An absolute one past XENSTORE_ABS_PATH_MAX. */
	body[0] = '/';
	memset(body + 1, 'x', XENSTORE_ABS_PATH_MAX);
	body[XENSTORE_ABS_PATH_MAX + 1] = 0;
	CHECK_STR(ask_said(guest, XS_READ, 0, body, XENSTORE_ABS_PATH_MAX + 2), "ERR:EINVAL");
	CHECK_INT(xenstore_write(xs, body, "x"), -EINVAL);
	teardown();
}

/* Send `count` requests whose body is `head`, a number from 1 on, and
 * `tail` (tail_len bytes, NULs included), up to the first not answered
 * "OK"; that answer, or "OK". */
static const char *numbered_until_refused(uint32_t type, const char *head, const char *tail,
					  size_t tail_len, int count)
{
	char body[64];
	const char *last = "OK";

	for (int i = 1; i <= count && strcmp(last, "OK") == 0; i++) {
		int n = snprintf(body, sizeof(body) - tail_len, "%s%d", head, i);

		memcpy(body + n, tail, tail_len);
		last = ask_said(guest, type, 0, body, (uint32_t)(n + tail_len));
	}
	return last;
}

static void node_quota(void)
{
	setup();
	/* The domain owns data/ already; the rest of its quota is free. */
	CHECK_STR(numbered_until_refused(XS_WRITE, "data/n", "\0x", 2,
					 XENSTORE_NODES_PER_DOMAIN - 1), "OK");
	CHECK_STR(write_said(guest, 0, "data/one-too-many", "x"), "ERR:ENOSPC");
	CHECK_STR(write_said(guest, 0, "data/n1", "changed"), "OK");   /* not a new node */
	SAYS(guest, XS_RM, 0, "data/n1\0", "OK");
	CHECK_STR(write_said(guest, 0, "data/room-again", "x"), "OK");
	CHECK_INT(xenstore_write(xs, HOME "/data/dom0s", "x"), 0);     /* dom0: no quota */
	teardown();
}

static void directory_too_big_for_a_reply(void)
{
	char path[300];

	setup();
	for (int i = 0; i < 20; i++) {          /* 20 names of 250 bytes: > 4096 */
		int n = snprintf(path, sizeof(path), HOME "/data/big/%03d", i);

		memset(path + n, 'x', 250 - 3);
		path[n + 247] = 0;
		CHECK_INT(xenstore_write(xs, path, ""), 0);
	}
	SAYS(guest, XS_DIRECTORY, 0, "data/big\0", "ERR:E2BIG");
	teardown();
}

/* ---- watches -------------------------------------------------------------- */

static void watch_fires_at_once_then_on_changes(void)
{
	setup();
	SAYS(guest, XS_WATCH, 0, "data/w\0tok\0", "OK");
	CHECK_UINT(events.count, 1);                    /* at once, as xenstored */
	CHECK_STR(events.path[0], "data/w");            /* relative, as given */
	CHECK_STR(events.token[0], "tok");
	CHECK_STR(write_said(guest, 0, "data/w", "1"), "OK");
	CHECK_STR(write_said(guest, 0, "data/w/below", "2"), "OK");
	CHECK_STR(write_said(guest, 0, "data/wx", "3"), "OK");          /* not below data/w */
	CHECK_UINT(events.count, 3);
	CHECK_STR(events.path[1], "data/w");
	CHECK_STR(events.path[2], "data/w/below");
	CHECK_INT(xenstore_write(xs, HOME "/data/w", "dom0"), 0);    /* anyone's change */
	drain(guest);
	CHECK_UINT(events.count, 4);
	SAYS(guest, XS_WATCH, 0, "data/w\0tok\0", "ERR:EEXIST");
	SAYS(guest, XS_UNWATCH, 0, "data/w\0tok\0", "OK");
	CHECK_STR(write_said(guest, 0, "data/w", "5"), "OK");
	CHECK_UINT(events.count, 4);
	SAYS(guest, XS_UNWATCH, 0, "data/w\0tok\0", "ERR:ENOENT");
	teardown();
}

static void removal_fires_watches_below(void)
{
	setup();
	CHECK_STR(write_said(guest, 0, "data/a/b/c", "x"), "OK");
	SAYS(guest, XS_WATCH, 0, HOME "/data/a/b\0abs\0", "OK");
	SAYS(guest, XS_RM, 0, "data/a\0", "OK");
	CHECK_UINT(events.count, 2);
	CHECK_STR(events.path[1], HOME "/data/a/b");    /* the watch's own path */
	CHECK_STR(events.token[1], "abs");
	SAYS(guest, XS_RESET_WATCHES, 0, "", "OK");
	CHECK_STR(write_said(guest, 0, "data/a/b", "again"), "OK");
	CHECK_UINT(events.count, 2);
	teardown();
}

static void events_only_for_readable_nodes(void)
{
	struct xenstore_conn *other;

	setup();
	other = xenstore_connect(xs, OTHER, NULL, NULL);
	SAYS(other, XS_WATCH, 0, "/\0all\0", "OK");             /* the first event only */
	CHECK_STR(write_said(guest, 0, "data/secret", "x"), "OK");
	drain(other);
	CHECK_UINT(events.count, 1);
	SAYS(guest, XS_SET_PERMS, 0, "data/secret\0n5\0r7\0", "OK");
	drain(other);
	CHECK_UINT(events.count, 2);
	CHECK_STR(events.path[1], HOME "/data/secret");
	teardown();
}

static char backend_name[] = "backend";
static unsigned int dom0_events;
static char dom0_last_path[64];

static void dom0_event(void *arg, const char *path, const char *token)
{
	CHECK_STR((const char *)arg, "backend");
	CHECK_STR(token, "be-token");
	snprintf(dom0_last_path, sizeof(dom0_last_path), "%s", path);
	dom0_events++;
}

static void backend_gets_events_by_callback(void)
{
	struct xenstore_conn *dom0;

	setup();
	dom0_events = 0;
	dom0 = xenstore_connect(xs, 0, dom0_event, backend_name);
	SAYS(dom0, XS_WATCH, 0, HOME "/data/state\0be-token\0", "OK");
	CHECK_UINT(dom0_events, 1);
	CHECK_STR(write_said(guest, 0, "data/state", "4"), "OK");
	CHECK_UINT(dom0_events, 2);
	CHECK_STR(dom0_last_path, HOME "/data/state");
	CHECK(xenstore_conn_output(dom0) == NULL);      /* nothing queued */
	teardown();
}

static void unread_events_are_dropped_not_hoarded(void)
{
	struct xenstore_conn *other;

	setup();
	other = xenstore_connect(xs, OTHER, NULL, NULL);
	SAYS(guest, XS_SET_PERMS, 0, "data\0n5\0r7\0", "OK");
	SAYS(other, XS_WATCH, 0, HOME "/data\0t\0", "OK");
	for (int i = 0; i < XENSTORE_CONN_OUTPUT_MAX + 10; i++)
		CHECK_STR(write_said(guest, 0, "data/x", "x"), "OK");
	CHECK_UINT(xenstore_conn_pending(other), XENSTORE_CONN_OUTPUT_MAX);
	CHECK(!xenstore_conn_can_take_request(other));
	CHECK_UINT(xenstore_conn_dropped_events(other), 10);
	teardown();
}

static void watch_limits(void)
{
	setup();
	CHECK_STR(numbered_until_refused(XS_WATCH, "data/w", "\0t\0", 3,
					 XENSTORE_WATCHES_PER_CONN), "OK");
	SAYS(guest, XS_WATCH, 0, "data\0one-more\0", "ERR:E2BIG");
	SAYS(guest, XS_WATCH, 0, "@releaseDomain\0t\0", "ERR:E2BIG");
	SAYS(guest, XS_UNWATCH, 0, "data/w1\0t\0", "OK");
	SAYS(guest, XS_WATCH, 0, "@releaseDomain\0t\0", "OK");       /* a special path */
	SAYS(guest, XS_WATCH, 0, "@bad path\0t1\0", "ERR:EINVAL");
	teardown();
}

/* ---- transactions --------------------------------------------------------- */

static void transaction_sees_own_writes_and_commits(void)
{
	uint32_t tx;

	setup();
	SAYS(guest, XS_WATCH, 0, "data/tx\0t\0", "OK");
	tx = start_tx(guest);
	CHECK(tx != 0);
	CHECK_STR(write_said(guest, tx, "data/tx/a", "both"), "OK");
	CHECK_STR(write_said(guest, tx, "data/tx/b", "both"), "OK");
	SAYS(guest, XS_READ, tx, "data/tx/a\0", "both");           /* its own write */
	SAYS(guest, XS_READ, 0, "data/tx/a\0", "ERR:ENOENT");      /* not yet for others */
	SAYS(guest, XS_TRANSACTION_START, tx, "", "ERR:EBUSY");
	CHECK_UINT(events.count, 1);                                /* nothing fired yet */
	SAYS(guest, XS_TRANSACTION_END, tx, "T\0", "OK");
	SAYS(guest, XS_READ, 0, "data/tx/a\0", "both");
	SAYS(guest, XS_READ, 0, "data/tx/b\0", "both");
	drain(guest);
	CHECK_UINT(events.count, 3);                    /* a and b, at commit */
	SAYS(guest, XS_TRANSACTION_END, tx, "T\0", "ERR:ENOENT");  /* it ended */
	teardown();
}

static void conflicting_transaction_gets_eagain(void)
{
	uint32_t tx;

	setup();
	CHECK_STR(write_said(guest, 0, "data/c", "old"), "OK");
	tx = start_tx(guest);
	SAYS(guest, XS_READ, tx, "data/c\0", "old");
	CHECK_STR(write_said(guest, 0, "data/c", "other"), "OK");
	SAYS(guest, XS_READ, tx, "data/c\0", "old");               /* its snapshot */
	CHECK_STR(write_said(guest, tx, "data/c", "mine"), "OK");
	CHECK_STR(write_said(guest, tx, "data/d", "new"), "OK");
	SAYS(guest, XS_TRANSACTION_END, tx, "T\0", "ERR:EAGAIN");
	SAYS(guest, XS_READ, 0, "data/c\0", "other");              /* nothing applied */
	SAYS(guest, XS_READ, 0, "data/d\0", "ERR:ENOENT");
	teardown();
}

static void read_only_and_absent_nodes_conflict_too(void)
{
	uint32_t tx;

	setup();
	/* It found a node absent; someone created it meanwhile. */
	tx = start_tx(guest);
	SAYS(guest, XS_READ, tx, "data/later\0", "ERR:ENOENT");
	CHECK_STR(write_said(guest, tx, "data/flag", "1"), "OK");
	CHECK_STR(write_said(guest, 0, "data/later", "now"), "OK");
	SAYS(guest, XS_TRANSACTION_END, tx, "T\0", "ERR:EAGAIN");
	/* It listed a directory; someone added a child meanwhile. */
	tx = start_tx(guest);
	SAYS(guest, XS_DIRECTORY, tx, "data\0", "later");
	CHECK_INT(xenstore_write(xs, HOME "/data/extra", "x"), 0);
	SAYS(guest, XS_TRANSACTION_END, tx, "T\0", "ERR:EAGAIN");
	/* A change it never looked at is no conflict. */
	tx = start_tx(guest);
	SAYS(guest, XS_READ, tx, "data/later\0", "now");
	CHECK_STR(write_said(guest, tx, "data/later", "mine"), "OK");
	CHECK_INT(xenstore_write(xs, "/elsewhere", "x"), 0);
	SAYS(guest, XS_TRANSACTION_END, tx, "T\0", "OK");
	SAYS(guest, XS_READ, 0, "data/later\0", "mine");
	teardown();
}

static void abandoned_and_removing_transactions(void)
{
	uint32_t tx;

	setup();
	CHECK_STR(write_said(guest, 0, "data/r/x", "1"), "OK");
	CHECK_STR(write_said(guest, 0, "data/r/y", "2"), "OK");
	SAYS(guest, XS_WATCH, 0, "data/r/y\0below\0", "OK");
	tx = start_tx(guest);
	SAYS(guest, XS_RM, tx, "data/r\0", "OK");
	SAYS(guest, XS_READ, tx, "data/r/x\0", "ERR:ENOENT");
	SAYS(guest, XS_READ, 0, "data/r/x\0", "1");
	SAYS(guest, XS_TRANSACTION_END, tx, "F\0", "OK");          /* abandoned */
	SAYS(guest, XS_READ, 0, "data/r/x\0", "1");
	CHECK_UINT(events.count, 1);

	tx = start_tx(guest);
	SAYS(guest, XS_RM, tx, "data/r\0", "OK");
	CHECK_STR(write_said(guest, tx, "data/r/new/deep", "3"), "OK");
	SAYS(guest, XS_TRANSACTION_END, tx, "X\0", "ERR:EINVAL");
	tx = start_tx(guest);
	SAYS(guest, XS_RM, tx, "data/r\0", "OK");
	CHECK_STR(write_said(guest, tx, "data/r/new/deep", "3"), "OK");
	SAYS(guest, XS_TRANSACTION_END, tx, "T\0", "OK");
	SAYS(guest, XS_READ, 0, "data/r/x\0", "ERR:ENOENT");
	SAYS(guest, XS_READ, 0, "data/r/new/deep\0", "3");
	struct answer a = ASK(guest, XS_GET_PERMS, 0, "data/r/new\0");

	CHECK(a.len == 3 && memcmp(a.body, "n5\0", 3) == 0);
	drain(guest);
	CHECK_UINT(events.count, 2);                    /* data/r/y went with data/r */
	CHECK_STR(events.path[1], "data/r/y");
	teardown();
}

static void transaction_limits(void)
{
	uint32_t ids[XENSTORE_TRANSACTIONS_PER_CONN];

	setup();
	for (int i = 0; i < XENSTORE_TRANSACTIONS_PER_CONN; i++)
		ids[i] = start_tx(guest);
	CHECK(ids[0] != ids[1]);
	SAYS(guest, XS_TRANSACTION_START, 0, "", "ERR:ENOSPC");
	SAYS(guest, XS_TRANSACTION_END, ids[3], "F\0", "OK");
	CHECK(start_tx(guest) != 0);
	teardown();                                     /* frees open transactions */
}

/* A small deterministic generator: the same seed gives the same run. */
static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

/* A body a request might carry, often damaged: cut short, or a byte
 * changed to a NUL, a '/' or anything. */
static uint32_t random_body(char *body, size_t size)
{
	static const struct { const char *bytes; uint32_t len; } shapes[] = {
#define SHAPE(literal) { literal, sizeof(literal) - 1 }
		SHAPE("data/a\0"), SHAPE("data/a/b\0x"), SHAPE("data/b\0yy"), SHAPE("data/b/c\0"),
		SHAPE("data/a\0tok\0"), SHAPE("data\0t2\0"), SHAPE("T\0"), SHAPE("F\0"),
		SHAPE("\0"), SHAPE("5\0"), SHAPE("data/a\0n5\0r7\0"), SHAPE("domid\0"),
		SHAPE("/local/domain/5/data/c\0z"), SHAPE("@releaseDomain\0t\0"),
#undef SHAPE
	};
	static const char damage[] = { 0, '/', '@', 'a', (char)0xff };
	uint32_t pick = rng() % (sizeof(shapes) / sizeof(shapes[0]));
	uint32_t len = shapes[pick].len;

	memcpy(body, shapes[pick].bytes, len);
	(void)size;
	if (rng() % 4 == 0)
		len = rng() % (len + 1);
	if (len > 0 && rng() % 4 == 0)
		body[rng() % len] = damage[rng() % sizeof(damage)];
	return len;
}

static uint32_t random_known_type(void)
{
	static const uint32_t types[] = {
		XS_READ, XS_WRITE, XS_MKDIR, XS_RM, XS_DIRECTORY, XS_GET_PERMS, XS_SET_PERMS,
		XS_WATCH, XS_UNWATCH, XS_TRANSACTION_START, XS_TRANSACTION_END,
	};

	return types[rng() % (sizeof(types) / sizeof(types[0]))];
}

/* Seeded random requests from two domains: the shapes of real requests,
 * often damaged, any type, transaction ids real and made up.  Each
 * request gets exactly one reply (ASan and UBSan watch the rest), and the
 * store still works afterwards. */
static void random_requests_get_one_reply_each(void)
{
	struct xenstore_conn *conns[2];
	unsigned int successes = 0;
	char body[64];

	setup();
	CHECK_INT(xenstore_introduce_domain(xs, OTHER), 0);
	conns[0] = guest;
	conns[1] = xenstore_connect(xs, OTHER, NULL, NULL);
	rng_state = 0xfeed;
	for (uint32_t i = 0; i < 20000; i++) {
		struct xenstore_conn *c = conns[rng() % 2];
		struct xsd_sockmsg h = {
			.type = rng() % 4 ? random_known_type() : rng() % (XS_TYPE_COUNT + 1),
			.req_id = i,
			.tx_id = rng() % 4 ? 0 : rng() % 12,
		};
		const struct xenstore_msg *m;
		unsigned int replies = 0;

		h.len = random_body(body, sizeof(body));
		xenstore_conn_request(c, &h, body);
		while ((m = xenstore_conn_output(c)) != NULL) {
			if (m->hdr.type != XS_WATCH_EVENT) {
				replies++;
				CHECK_UINT(m->hdr.req_id, i);
				successes += m->hdr.type != XS_ERROR;
			}
			xenstore_conn_output_done(c);
		}
		CHECK_UINT(replies, 1);
	}
	CHECK(successes > 1000);                /* many got past the checks */
	SAYS(guest, XS_READ, 0, "domid\0", "5");      /* dom0's: it survived */
	CHECK_INT(xenstore_write(xs, HOME "/data/after", "fine"), 0);
	SAYS(guest, XS_READ, 0, "data/after\0", "fine");
	teardown();
}

void xenstore_tests(void)
{
	check_run("xenstore.read_write_relative_and_absolute", read_write_relative_and_absolute);
	check_run("xenstore.mkdir_directory_rm", mkdir_directory_rm);
	check_run("xenstore.domain_writes_only_where_allowed", domain_writes_only_where_allowed);
	check_run("xenstore.malformed_requests_get_errors", malformed_requests_get_errors);
	check_run("xenstore.path_length_limits", path_length_limits);
	check_run("xenstore.node_quota", node_quota);
	check_run("xenstore.directory_too_big_for_a_reply", directory_too_big_for_a_reply);
	check_run("xenstore.watch_fires_at_once_then_on_changes",
		  watch_fires_at_once_then_on_changes);
	check_run("xenstore.removal_fires_watches_below", removal_fires_watches_below);
	check_run("xenstore.events_only_for_readable_nodes", events_only_for_readable_nodes);
	check_run("xenstore.backend_gets_events_by_callback", backend_gets_events_by_callback);
	check_run("xenstore.unread_events_are_dropped_not_hoarded",
		  unread_events_are_dropped_not_hoarded);
	check_run("xenstore.watch_limits", watch_limits);
	check_run("xenstore.transaction_sees_own_writes_and_commits",
		  transaction_sees_own_writes_and_commits);
	check_run("xenstore.conflicting_transaction_gets_eagain",
		  conflicting_transaction_gets_eagain);
	check_run("xenstore.read_only_and_absent_nodes_conflict_too",
		  read_only_and_absent_nodes_conflict_too);
	check_run("xenstore.abandoned_and_removing_transactions",
		  abandoned_and_removing_transactions);
	check_run("xenstore.transaction_limits", transaction_limits);
	check_run("xenstore.random_requests_get_one_reply_each",
		  random_requests_get_one_reply_each);
}
