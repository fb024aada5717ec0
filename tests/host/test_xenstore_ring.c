/*
 * test_xenstore_ring.c — the server end of the xenstore ring page
 * (host/xenstore_ring.c): requests and replies through the page, split
 * over wrap-arounds and partial writes, a reply larger than the ring, the
 * per-call and output limits, and a hostile guest: impossible indices,
 * an over-long header, random bytes.  The test plays the guest's side.
 */
#include <stdlib.h>
#include <string.h>

#include "host/xenstore_ring.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define GUEST   3
#define READ_DOMID_SIZE (sizeof(struct xsd_sockmsg) + sizeof("domid"))      /* 22 bytes */

static struct xenstore *xs;
static struct xenstore_conn *conn;
static struct xenstore_domain_interface *page;
static struct xenstore_ring ring;

/* Start with both rings' indices at `start` (0 on a fresh page). */
static void setup_at(XENSTORE_RING_IDX start)
{
	xs = xenstore_create();
	CHECK_INT(xenstore_introduce_domain(xs, GUEST), 0);
	conn = xenstore_connect(xs, GUEST, NULL, NULL);
	page = calloc(1, sizeof(*page));
	page->req_cons = page->req_prod = page->rsp_cons = page->rsp_prod = start;
	xenstore_ring_init(&ring, page, conn);
	CHECK_UINT(page->server_features, XENSTORE_SERVER_FEATURE_ERROR);
}

static void teardown(void)
{
	xenstore_destroy(xs);
	free(page);
}

/* ---- the guest's side ------------------------------------------------------ */

/* Put up to len bytes into `req`, as much as there is room for. */
static uint32_t guest_send(const void *data, uint32_t len)
{
	uint32_t room = XENSTORE_RING_SIZE - (page->req_prod - page->req_cons);
	uint32_t n = len < room ? len : room;

	for (uint32_t i = 0; i < n; i++)
		page->req[MASK_XENSTORE_IDX(page->req_prod + i)] = ((const char *)data)[i];
	page->req_prod += n;
	return n;
}

/* A request as header + body bytes, into buf; its length. */
static uint32_t build(char *buf, uint32_t type, uint32_t req_id, const char *body, uint32_t len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = req_id, .len = len };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), body, len);
	return (uint32_t)sizeof(h) + len;
}

static void send_request(uint32_t type, uint32_t req_id, const char *body, uint32_t len)
{
	char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	uint32_t n = build(buf, type, req_id, body, len);

	CHECK_UINT(guest_send(buf, n), n);
}

/* Take up to `want` bytes of `rsp`. */
static uint32_t guest_receive(void *to, uint32_t want)
{
	uint32_t avail = page->rsp_prod - page->rsp_cons;
	uint32_t n = want < avail ? want : avail;

	for (uint32_t i = 0; i < n; i++)
		((char *)to)[i] = page->rsp[MASK_XENSTORE_IDX(page->rsp_cons + i)];
	page->rsp_cons += n;
	return n;
}

struct reply {
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

/* Read one whole reply, running the server while the guest waits; false
 * when none comes. */
static bool guest_reply(struct reply *r)
{
	uint32_t have = 0, need = sizeof(r->h);
	bool notify;

	memset(r, 0, sizeof(*r));
	for (int rounds = 0; rounds < 64 && have < need; rounds++) {
		xenstore_ring_process(&ring, &notify);
		have += guest_receive((char *)r + have, need - have);
		if (have >= sizeof(r->h))
			need = sizeof(r->h) + r->h.len;
	}
	return have == need && have >= sizeof(r->h);
}

/* ---- tests ----------------------------------------------------------------- */

static void request_and_reply_through_the_page(void)
{
	struct reply r;
	bool notify;

	setup_at(0);
	CHECK_INT(xenstore_ring_process(&ring, &notify), XENSTORE_RING_IDLE);
	CHECK(!notify);                                 /* nothing happened */
	send_request(XS_READ, 42, "domid", 6);
	CHECK_INT(xenstore_ring_process(&ring, &notify), XENSTORE_RING_IDLE);
	CHECK(notify);
	CHECK_UINT(page->req_cons, page->req_prod);     /* consumed */
	CHECK(guest_reply(&r));
	CHECK_UINT(r.h.type, XS_READ);
	CHECK_UINT(r.h.req_id, 42);
	CHECK_UINT(r.h.len, 1);
	CHECK_STR(r.body, "3");
	teardown();
}

static void requests_and_replies_wrap_around(void)
{
	struct reply r;

	/* Both indices 10 bytes before 2^32, at ring position 1014: the
	 * request, the reply and the index arithmetic all wrap. */
	setup_at(UINT32_MAX - 9);
	send_request(XS_WRITE, 1, "data/wrap\0value", 15);
	CHECK(guest_reply(&r));
	CHECK_UINT(r.h.type, XS_WRITE);
	CHECK_STR(r.body, "OK");
	send_request(XS_READ, 2, "data/wrap", 10);
	CHECK(guest_reply(&r));
	CHECK_STR(r.body, "value");
	CHECK(page->req_prod < 100);                   /* went past 2^32 */
	teardown();
}

static void partial_requests_are_assembled(void)
{
	char buf[64];
	uint32_t n = build(buf, XS_READ, 7, "domid", 6);
	struct reply r;
	bool notify;

	setup_at(0);
	for (uint32_t i = 0; i < n; i++) {              /* a byte at a time */
		guest_send(buf + i, 1);
		CHECK_INT(xenstore_ring_process(&ring, &notify), XENSTORE_RING_IDLE);
		if (i + 1 < n)
			CHECK_UINT(page->rsp_prod, 0);          /* no reply before the end */
	}
	CHECK(page->rsp_prod > 0);
	CHECK(guest_reply(&r));
	CHECK_UINT(r.h.req_id, 7);
	CHECK_STR(r.body, "3");
	teardown();
}

/* A request and a reply of 4 KiB each through 1 KiB rings. */
static void messages_larger_than_the_ring(void)
{
	static char body[XENSTORE_PAYLOAD_MAX];
	static char request[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	uint32_t path_len = sizeof("data/big"), n, sent = 0;
	struct reply r;
	bool notify;

	setup_at(0);
	memcpy(body, "data/big", path_len);
	for (uint32_t i = path_len; i < XENSTORE_PAYLOAD_MAX; i++)
		body[i] = (char)('a' + i % 26);
	n = build(request, XS_WRITE, 9, body, XENSTORE_PAYLOAD_MAX);
	for (int rounds = 0; rounds < 16 && sent < n; rounds++) {
		sent += guest_send(request + sent, n - sent);
		xenstore_ring_process(&ring, &notify);
	}
	CHECK_UINT(sent, n);
	CHECK(guest_reply(&r));
	CHECK_STR(r.body, "OK");
	send_request(XS_READ, 10, "data/big", path_len);
	CHECK(guest_reply(&r));
	CHECK_UINT(r.h.len, XENSTORE_PAYLOAD_MAX - path_len);
	CHECK(memcmp(r.body, body + path_len, r.h.len) == 0);
	teardown();
}

static void a_flood_is_served_in_bounded_steps(void)
{
	struct reply r;
	bool notify;
	int replies = 0;

	setup_at(0);
	for (uint32_t i = 0; i < 40; i++)       /* 40 x 22 bytes: fits the ring */
		send_request(XS_READ, i, "domid", 6);
	CHECK_INT(xenstore_ring_process(&ring, &notify), XENSTORE_RING_MORE);
	CHECK_UINT(page->req_cons, XENSTORE_RING_REQUESTS_PER_CALL * READ_DOMID_SIZE);
	CHECK_INT(xenstore_ring_process(&ring, &notify), XENSTORE_RING_IDLE);
	while (guest_reply(&r) && r.h.type == XS_READ)
		replies++;
	CHECK_INT(replies, 40);
	teardown();
}

/* A guest that never reads its replies: we stop taking its requests,
 * rather than queue without end. */
static void unread_replies_stop_the_intake(void)
{
	bool notify;

	setup_at(0);
	for (int round = 0; round < 20; round++) {
		while (XENSTORE_RING_SIZE - (page->req_prod - page->req_cons) >= READ_DOMID_SIZE)
			send_request(XS_READ, 1, "domid", 6);
		CHECK(xenstore_ring_process(&ring, &notify) != XENSTORE_RING_FAILED);
	}
	CHECK(!xenstore_conn_can_take_request(conn));
	CHECK_UINT(xenstore_conn_pending(conn), XENSTORE_CONN_OUTPUT_MAX);
	CHECK_UINT(page->req_prod - page->req_cons,     /* the ring full of requests */
		   XENSTORE_RING_SIZE - XENSTORE_RING_SIZE % READ_DOMID_SIZE);
	teardown();
}

static void impossible_indices_fail_the_connection(void)
{
	bool notify;

	setup_at(0);
	page->req_prod = XENSTORE_RING_SIZE + 1;        /* more than a ring ahead */
	CHECK_INT(xenstore_ring_process(&ring, &notify), XENSTORE_RING_FAILED);
	CHECK(notify);
	CHECK_STR(ring.error, "req_prod out of range");
	CHECK_UINT(page->error, XENSTORE_ERROR_RINGIDX);
	page->req_prod = 0;                             /* too late to repent */
	CHECK_INT(xenstore_ring_process(&ring, &notify), XENSTORE_RING_FAILED);
	teardown();

	setup_at(0);
	page->rsp_cons = 5;                             /* consumed what we never wrote */
	CHECK_INT(xenstore_ring_process(&ring, &notify), XENSTORE_RING_FAILED);
	CHECK_STR(ring.error, "rsp_cons out of range");
	teardown();
}

static void overlong_header_fails_the_connection(void)
{
	struct xsd_sockmsg h = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1 };
	bool notify;

	setup_at(0);
	guest_send(&h, sizeof(h));
	CHECK_INT(xenstore_ring_process(&ring, &notify), XENSTORE_RING_FAILED);
	CHECK_UINT(page->error, XENSTORE_ERROR_PROTO);
	CHECK_STR(ring.error, "request longer than XENSTORE_PAYLOAD_MAX");
	CHECK_UINT(page->rsp_prod, 0);
	teardown();
}

static void garbage_types_get_error_replies(void)
{
	struct reply r;

	setup_at(0);
	send_request(0xffffffff, 5, "x", 1);
	CHECK(guest_reply(&r));
	CHECK_UINT(r.h.type, XS_ERROR);
	CHECK_STR(r.body, "ENOSYS");
	CHECK(ring.error == NULL);
	teardown();
}

/* Seeded random bytes and indices: whatever happens, no crash (ASan and
 * UBSan watch), no hang, and a failed ring stays failed. */
static void random_guest_never_crashes_the_server(void)
{
	uint64_t state = 0x5eed;
	int failed = 0;

	for (int run = 0; run < 200; run++) {
		bool notify, dead = false;
		char buf[64];

		setup_at(0);
		for (int step = 0; step < 50; step++) {
			state = state * 6364136223846793005ull + 1442695040888963407ull;
			uint32_t r = (uint32_t)(state >> 33);

			if (r % 16 == 0)
				page->req_prod += r % 2048;             /* maybe too far */
			else if (r % 16 == 1)
				page->rsp_cons += r % 64;
			else if (r % 16 == 2)
				guest_send(buf, build(buf, r % XS_TYPE_COUNT, r, "data/x\0y",
						      (r >> 8) % 9));
			else
				page->req[r % XENSTORE_RING_SIZE] = (char)(r >> 12);
			enum xenstore_ring_result res = xenstore_ring_process(&ring, &notify);

			CHECK(!dead || res == XENSTORE_RING_FAILED);
			dead = res == XENSTORE_RING_FAILED;
		}
		failed += dead;
		teardown();
	}
	CHECK(failed > 0 && failed < 200);              /* both fates happened */
}

void xenstore_ring_tests(void)
{
	check_run("xenstore_ring.request_and_reply_through_the_page",
		  request_and_reply_through_the_page);
	check_run("xenstore_ring.requests_and_replies_wrap_around", requests_and_replies_wrap_around);
	check_run("xenstore_ring.partial_requests_are_assembled", partial_requests_are_assembled);
	check_run("xenstore_ring.messages_larger_than_the_ring", messages_larger_than_the_ring);
	check_run("xenstore_ring.a_flood_is_served_in_bounded_steps",
		  a_flood_is_served_in_bounded_steps);
	check_run("xenstore_ring.unread_replies_stop_the_intake", unread_replies_stop_the_intake);
	check_run("xenstore_ring.impossible_indices_fail_the_connection",
		  impossible_indices_fail_the_connection);
	check_run("xenstore_ring.overlong_header_fails_the_connection",
		  overlong_header_fails_the_connection);
	check_run("xenstore_ring.garbage_types_get_error_replies", garbage_types_get_error_replies);
	check_run("xenstore_ring.random_guest_never_crashes_the_server",
		  random_guest_never_crashes_the_server);
}
