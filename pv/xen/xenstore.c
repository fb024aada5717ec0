/*
 * xenstore.c — the xenstore client: the shared ring page, the wire
 * protocol (xen/io/xs_wire.h), request/reply matching and watch events.
 *
 * The page (struct xenstore_domain_interface) holds two 1 KiB byte rings:
 * `req`, which we produce and xenstored consumes, and `rsp`, the other way
 * round.  xs_ring.c moves bytes through them and cuts whole messages out
 * of `rsp`, checking everything the backend controls (hardening: a ring
 * with impossible indexes or lengths is marked broken, every later request
 * fails with -XEN_EIO, and nothing outside the ring is ever touched).
 * This file does the protocol: requests, matching replies by id, watch
 * events, transactions.
 *
 * Concurrency: one vCPU.  The ring is read by pump(), either from the
 * upcall (interrupts off) or by a waiting request with interrupts off, so
 * the two never interleave.  One request is in flight at a time: `busy`
 * refuses a request from a watch callback.
 */
#include "arch/x86/cpu.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/xen/hypercall.h"
#include "pv/xen/xen.h"
#include "pv/xen/xen_clock.h"
#include "pv/xen/xen_evtchn.h"
#include "pv/xen/xen_pv.h"
#include "pv/xen/xenstore.h"
#include "pv/xen/xs_ring.h"

#define POLL_SLICE_NS   (10ULL * 1000 * 1000)
#define EVENT_QUEUE     8

static struct xs_ring ring;
static evtchn_port_t port;
static long init_rc = 1;                /* 1: not tried yet */
static uint32_t next_req_id = 1;
static bool busy;
static struct xs_stats stats;

/* The reply we wait for (its body copied out of the ring's buffer). */
static struct {
	uint32_t req_id;
	volatile bool waiting, done;
	struct xsd_sockmsg header;
	char body[XENSTORE_PAYLOAD_MAX + 1];
} reply;

struct watch {
	bool used;
	char token[XS_WATCH_PATH_MAX];
	xs_watch_fn *fn;
	void *arg;
};

struct watch_event {
	char path[XS_WATCH_PATH_MAX];
	char token[XS_WATCH_PATH_MAX];
};

static struct watch watches[XS_MAX_WATCHES];
static struct watch_event events[EVENT_QUEUE];
static unsigned int events_head, events_count;

/* ---- incoming messages -------------------------------------------------- */

static void queue_watch_event(const char *body, uint32_t len)
{
	/* Body: "path\0token\0". */
	size_t path_len = strnlen(body, len);

	if (path_len >= len || path_len >= XS_WATCH_PATH_MAX ||
	    strnlen(body + path_len + 1, len - path_len - 1) >= XS_WATCH_PATH_MAX ||
	    events_count == EVENT_QUEUE) {
		stats.dropped_events++;
		return;
	}
	struct watch_event *e = &events[(events_head + events_count) % EVENT_QUEUE];

	strlcpy(e->path, body, sizeof(e->path));
	strlcpy(e->token, body + path_len + 1, sizeof(e->token));
	events_count++;
}

static void message_complete(const struct xsd_sockmsg *header, const char *body)
{
	if (header->type == XS_WATCH_EVENT) {
		queue_watch_event(body, header->len);
	} else if (reply.waiting && !reply.done && header->req_id == reply.req_id) {
		reply.header = *header;
		memcpy(reply.body, body, header->len + 1);
		reply.done = true;
	} else {
		stats.stray_replies++;
	}
}

/* Take every whole message the backend has produced; call with
 * interrupts off. */
static void pump(void)
{
	struct xsd_sockmsg header;
	const char *body;
	bool took, took_any = false;

	xen_evtchn_test_and_clear(port);  /* a later event makes it pending again */
	while (xs_ring_next_message(&ring, &header, &body, &took) == 1) {
		message_complete(&header, body);
		took_any = true;
	}
	if (took || took_any)
		xen_evtchn_send(port);  /* xenstored may wait for room to answer */
}

/* Run the callbacks of queued events, one at a time, outside the lock. */
static void deliver_watch_events(void)
{
	for (;;) {
		struct watch_event e;
		struct watch w = { 0 };
		bool was_enabled = irq_save();

		if (events_count == 0) {
			irq_restore(was_enabled);
			return;
		}
		e = events[events_head];
		events_head = (events_head + 1) % EVENT_QUEUE;
		events_count--;
		for (unsigned int i = 0; i < XS_MAX_WATCHES; i++)
			if (watches[i].used && strcmp(watches[i].token, e.token) == 0)
				w = watches[i];
		irq_restore(was_enabled);
		if (w.fn) {
			stats.watch_events++;
			w.fn(e.path, e.token, w.arg);
		} else {
			stats.dropped_events++;         /* unwatched meanwhile */
		}
	}
}

static void upcall(evtchn_port_t p, void *arg)
{
	(void)p;
	(void)arg;
	pump();
	deliver_watch_events();
}

/* ---- requests ----------------------------------------------------------- */

struct part {
	const void *data;
	size_t len;
};

/* Sleep in Xen until the backend signals or a slice passes (so a missed
 * event costs at most a slice, and the deadline is always checked). */
static void wait_for_backend(uint64_t deadline)
{
	uint64_t until = xen_clock_read_ns() + POLL_SLICE_NS;

	xen_evtchn_poll(port, until < deadline ? until : deadline);
}

static long send_bytes(const void *data, size_t len, uint64_t deadline)
{
	const uint8_t *bytes = data;

	while (len > 0) {
		long sent = xs_ring_write(&ring, bytes, len);

		if (sent < 0)
			return -XEN_EIO;
		bytes += sent;
		len -= sent;
		xen_evtchn_send(port);
		if (len > 0) {
			if (xen_clock_read_ns() >= deadline)
				return -XEN_ETIMEDOUT;
			wait_for_backend(deadline);
		}
	}
	return 0;
}

static long wait_for_reply(uint64_t deadline)
{
	for (;;) {
		bool was_enabled = irq_save();

		pump();
		irq_restore(was_enabled);
		if (reply.done)
			return 0;
		if (ring.broken)
			return -XEN_EIO;
		if (xen_clock_read_ns() >= deadline)
			return -XEN_ETIMEDOUT;
		wait_for_backend(deadline);
	}
}

/* What the reply says: 0, or the XS_ERROR name as a number, or -XEN_EIO
 * for a reply of another type than the request. */
static long reply_status(uint32_t type)
{
	if (reply.header.type == XS_ERROR)
		return xen_error_from_name(reply.body);
	return reply.header.type == type ? 0 : -XEN_EIO;
}

/* Send one request made of `parts` and wait for its reply (in `reply`). */
static long request(uint32_t type, xs_transaction_t tx, const struct part *parts,
		    unsigned int nparts)
{
	struct xsd_sockmsg header = { .type = type, .tx_id = tx };
	uint64_t deadline = xen_clock_read_ns() + XS_TIMEOUT_NS;
	long rc;

	if (init_rc != 0)
		return init_rc == 1 ? -XEN_ENODEV : init_rc;
	if (ring.broken)
		return -XEN_EIO;
	if (busy)
		return -XEN_EBUSY;
	for (unsigned int i = 0; i < nparts; i++)
		header.len += parts[i].len;
	if (header.len > XENSTORE_PAYLOAD_MAX)
		return -XEN_E2BIG;
	busy = true;
	stats.requests++;
	header.req_id = next_req_id++;
	reply.req_id = header.req_id;
	reply.done = false;
	reply.waiting = true;
	rc = send_bytes(&header, XS_HEADER_SIZE, deadline);
	for (unsigned int i = 0; i < nparts && rc == 0; i++)
		rc = send_bytes(parts[i].data, parts[i].len, deadline);
	if (rc == 0)
		rc = wait_for_reply(deadline);
	reply.waiting = false;
	busy = false;
	deliver_watch_events();
	return rc == 0 ? reply_status(type) : rc;
}

/* A request whose body is one path, nul-terminated. */
static long path_request(uint32_t type, xs_transaction_t tx, const char *path)
{
	struct part part = { path, strlen(path) + 1 };

	return request(type, tx, &part, 1);
}

/* ---- the API ------------------------------------------------------------ */

/* PVH: two HVM parameters; the page is a guest-physical frame, reached
 * like RAM through the direct map. */
static long ring_from_hvm_params(void **page, evtchn_port_t *evtchn)
{
	uint64_t pfn, value;
	long rc = xen_hvm_get_param(HVM_PARAM_STORE_PFN, &pfn);

	if (rc == 0)
		rc = xen_hvm_get_param(HVM_PARAM_STORE_EVTCHN, &value);
	if (rc != 0)
		return rc;
	if (pfn == 0 || (pfn << PAGE_SHIFT) >= DIRECT_MAP_END)
		return -XEN_ENODEV;
	*page = phys_to_virt(pfn << PAGE_SHIFT);
	*evtchn = value;
	return 0;
}

/* PV: start_info names the page by machine frame (store_mfn); the
 * builder put it among our RAM, so the M2P finds it in the direct map. */
static long ring_from_start_info(void **page, evtchn_port_t *evtchn)
{
	const struct start_info *si = xen_pv_start_info();

	if (si->store_mfn == 0)
		return -XEN_ENODEV;
	*page = xen_pv_machine_page(si->store_mfn);
	*evtchn = si->store_evtchn;
	return *page ? 0 : -XEN_ENODEV;
}

static long setup(void)
{
	void *page;
	long rc;

	if (!xen_running() || !xen_info()->shared_info)
		return -XEN_ENODEV;
	rc = xen_info()->pv ? ring_from_start_info(&page, &port)
			    : ring_from_hvm_params(&page, &port);
	if (rc != 0)
		return rc;
	if (!xs_ring_attach(&ring, page))
		return -XEN_EIO;
	return xen_evtchn_bind_handler(port, upcall, NULL);
}

long xs_init(void)
{
	if (init_rc == 1)
		init_rc = setup();
	return init_rc;
}

bool xs_ready(void)
{
	return init_rc == 0;
}

long xs_read(xs_transaction_t tx, const char *path, char *value, size_t size)
{
	long rc = path_request(XS_READ, tx, path);

	if (rc != 0)
		return rc;
	if (reply.header.len >= size)
		return -XEN_ERANGE;
	memcpy(value, reply.body, reply.header.len);
	value[reply.header.len] = 0;
	return reply.header.len;
}

long xs_write(xs_transaction_t tx, const char *path, const char *value)
{
	/* Body: "path\0value" — the value without a nul of its own. */
	struct part parts[] = { { path, strlen(path) + 1 }, { value, strlen(value) } };

	return request(XS_WRITE, tx, parts, 2);
}

long xs_directory(xs_transaction_t tx, const char *path, char *names, size_t size)
{
	long rc = path_request(XS_DIRECTORY, tx, path);
	long count = 0;

	if (rc != 0)
		return rc;
	/* Body: "name\0name\0...", each name nul-terminated. */
	if (reply.header.len > size)
		return -XEN_ERANGE;
	memcpy(names, reply.body, reply.header.len);
	for (uint32_t i = 0; i < reply.header.len; i++)
		count += reply.body[i] == 0;
	return count;
}

long xs_rm(xs_transaction_t tx, const char *path)
{
	return path_request(XS_RM, tx, path);
}

static struct watch *find_watch(const char *token)
{
	for (unsigned int i = 0; i < XS_MAX_WATCHES; i++)
		if (watches[i].used && strcmp(watches[i].token, token) == 0)
			return &watches[i];
	return NULL;
}

/* The watch is in the table before xenstored knows it: its first event
 * may arrive before the reply. */
long xs_watch(const char *path, const char *token, xs_watch_fn *fn, void *arg)
{
	struct part parts[] = { { path, strlen(path) + 1 }, { token, strlen(token) + 1 } };
	struct watch *free_slot = NULL;
	long rc;

	if (strlen(token) >= XS_WATCH_PATH_MAX || find_watch(token))
		return -XEN_EINVAL;
	for (unsigned int i = 0; i < XS_MAX_WATCHES && !free_slot; i++)
		if (!watches[i].used)
			free_slot = &watches[i];
	if (!free_slot)
		return -XEN_ENOSPC;
	bool was_enabled = irq_save();

	strlcpy(free_slot->token, token, sizeof(free_slot->token));
	free_slot->fn = fn;
	free_slot->arg = arg;
	free_slot->used = true;
	irq_restore(was_enabled);
	rc = request(XS_WATCH, XS_NO_TRANSACTION, parts, 2);
	if (rc != 0)
		free_slot->used = false;
	return rc;
}

long xs_unwatch(const char *path, const char *token)
{
	struct part parts[] = { { path, strlen(path) + 1 }, { token, strlen(token) + 1 } };
	struct watch *w = find_watch(token);
	long rc = request(XS_UNWATCH, XS_NO_TRANSACTION, parts, 2);

	if (w)
		w->used = false;        /* queued events for it are dropped */
	return rc;
}

long xs_transaction_start(xs_transaction_t *tx)
{
	struct part empty = { "", 1 };
	long rc = request(XS_TRANSACTION_START, XS_NO_TRANSACTION, &empty, 1);
	uint64_t id = 0;

	if (rc != 0)
		return rc;
	/* Body: the id in decimal, nul-terminated. */
	for (const char *c = reply.body; *c; c++) {
		if (*c < '0' || *c > '9' || id > UINT32_MAX / 10)
			return -XEN_EIO;
		id = id * 10 + (*c - '0');
	}
	if (id == 0 || id > UINT32_MAX)
		return -XEN_EIO;
	*tx = id;
	return 0;
}

long xs_transaction_end(xs_transaction_t tx, bool commit)
{
	struct part verdict = { commit ? "T" : "F", 2 };

	return request(XS_TRANSACTION_END, tx, &verdict, 1);
}

long xs_transact(xs_transaction_body_fn *body, void *arg)
{
	long rc = -XEN_EAGAIN;

	for (unsigned int try = 0; try < XS_TRANSACTION_TRIES && rc == -XEN_EAGAIN; try++) {
		xs_transaction_t tx;

		rc = xs_transaction_start(&tx);
		if (rc != 0)
			return rc;
		rc = body(tx, arg);
		if (rc != 0) {
			xs_transaction_end(tx, false);
			return rc;
		}
		rc = xs_transaction_end(tx, true);
	}
	return rc;
}

struct xs_stats xs_stats(void)
{
	struct xs_stats now = stats;

	now.broken = ring.broken;
	return now;
}
