/*
 * test_xs_ring.c — the xenstore ring's hardening, on any host: a fake ring
 * page in our own memory plays a backend, honest or lying.  An honest one
 * gets its messages through even when split over several fills; a lying
 * one (an index far ahead, a length past XENSTORE_PAYLOAD_MAX, a consumer
 * index that claims more room than the ring has) gets the ring marked
 * broken, and we never read or write outside it.
 */
#include "kernel/test.h"
#include "lib/string.h"
#include "pv/xen/xs_ring.h"

static struct xenstore_domain_interface fake_page __attribute__((aligned(4096)));
static struct xs_ring ring;

/* The backend's side: put bytes into rsp and advance rsp_prod. */
static void backend_send(const void *data, size_t len)
{
	const uint8_t *bytes = data;

	for (size_t i = 0; i < len; i++)
		fake_page.rsp[MASK_XENSTORE_IDX(fake_page.rsp_prod + i)] = bytes[i];
	fake_page.rsp_prod += len;
}

static void backend_send_header(uint32_t type, uint32_t req_id, uint32_t len)
{
	struct xsd_sockmsg header = { .type = type, .req_id = req_id, .len = len };

	backend_send(&header, sizeof(header));
}

/* A fresh page whose indexes start near the 2^32 wrap, so wrapping is tested too. */
static void fresh_ring(void)
{
	memset(&fake_page, 0, sizeof(fake_page));
	fake_page.req_prod = fake_page.req_cons = UINT32_MAX - 10;
	fake_page.rsp_prod = fake_page.rsp_cons = UINT32_MAX - 10;
	xs_ring_attach(&ring, &fake_page);
}

TEST(xs_ring, honest_reply_split_over_two_fills)
{
	struct xsd_sockmsg header;
	const char *body;
	bool took;

	fresh_ring();
	CHECK(!ring.broken);
	backend_send_header(XS_READ, 7, 6);
	backend_send("hel", 3);
	CHECK_EQ(xs_ring_next_message(&ring, &header, &body, &took), 0);  /* not whole yet */
	CHECK(took);
	CHECK_EQ(fake_page.rsp_cons, fake_page.rsp_prod);                 /* slots given back */
	backend_send("lo!", 3);
	CHECK_EQ(xs_ring_next_message(&ring, &header, &body, &took), 1);
	CHECK_EQ(header.type, XS_READ);
	CHECK_EQ(header.req_id, 7);
	CHECK_EQ(header.len, 6);
	CHECK_EQ(strcmp(body, "hello!"), 0);                             /* nul added */
	CHECK_EQ(xs_ring_next_message(&ring, &header, &body, &took), 0);
	CHECK(!took);
}

TEST(xs_ring, writes_wrap_and_stop_when_full)
{
	uint8_t block[700];

	fresh_ring();
	memset(block, 'x', sizeof(block));
	CHECK_EQ(xs_ring_write(&ring, block, sizeof(block)), sizeof(block));
	CHECK_EQ(fake_page.req_prod, (uint32_t)(UINT32_MAX - 10 + sizeof(block)));
	/* Only 1024 - 700 bytes of room until the backend consumes. */
	CHECK_EQ(xs_ring_write(&ring, block, sizeof(block)), XENSTORE_RING_SIZE - sizeof(block));
	CHECK_EQ(xs_ring_write(&ring, block, 1), 0);
	fake_page.req_cons += XENSTORE_RING_SIZE;                        /* all consumed */
	CHECK_EQ(xs_ring_write(&ring, block, 1), 1);
	CHECK(!ring.broken);
}

TEST(xs_ring, producer_far_ahead_breaks_the_ring)
{
	struct xsd_sockmsg header;
	const char *body;
	bool took;

	fresh_ring();
	fake_page.rsp_prod += XENSTORE_RING_SIZE + 1;   /* more than the ring holds */
	CHECK_EQ(xs_ring_next_message(&ring, &header, &body, &took), -1);
	CHECK(ring.broken);
	CHECK(!took);
	CHECK_EQ(fake_page.rsp_cons, (uint32_t)(UINT32_MAX - 10));      /* nothing taken */
	CHECK_EQ(xs_ring_write(&ring, "x", 1), -1);                     /* for good */
}

TEST(xs_ring, length_past_payload_max_breaks_the_ring)
{
	struct xsd_sockmsg header;
	const char *body;
	bool took;

	fresh_ring();
	backend_send_header(XS_READ, 1, XENSTORE_PAYLOAD_MAX + 1);
	backend_send("garbage", 7);
	CHECK_EQ(xs_ring_next_message(&ring, &header, &body, &took), -1);
	CHECK(ring.broken);
	fresh_ring();
	backend_send_header(XS_READ, 1, UINT32_MAX);    /* would wrap a size check */
	CHECK_EQ(xs_ring_next_message(&ring, &header, &body, &took), -1);
}

TEST(xs_ring, consumer_claiming_too_much_room_breaks_the_ring)
{
	fresh_ring();
	fake_page.req_cons += 5;                        /* consumed bytes we never wrote */
	CHECK_EQ(xs_ring_write(&ring, "abc", 3), -1);
	CHECK(ring.broken);
}

/* Our indexes are ours: a backend that rewrites rsp_cons on the page does
 * not make us read the same bytes twice. */
TEST(xs_ring, our_index_is_never_read_back)
{
	struct xsd_sockmsg header;
	const char *body;
	bool took;

	fresh_ring();
	backend_send_header(XS_WRITE, 3, 3);
	backend_send("OK", 3);
	CHECK_EQ(xs_ring_next_message(&ring, &header, &body, &took), 1);
	fake_page.rsp_cons -= 19;                       /* the backend lies */
	CHECK_EQ(xs_ring_next_message(&ring, &header, &body, &took), 0);
	CHECK(!took);
	CHECK(!ring.broken);
}

TEST(xs_ring, impossible_indexes_at_attach)
{
	memset(&fake_page, 0, sizeof(fake_page));
	fake_page.rsp_prod = 5000;
	CHECK(!xs_ring_attach(&ring, &fake_page));
	CHECK(ring.broken);
}
