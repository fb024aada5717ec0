/*
 * test_xen_blkback.c — pvkit-hv's Xen block backend (host/xen_blkback.c)
 * driven by a fake blkfront in host memory: the guest's RAM is a buffer,
 * its grant table and event channels are the real models, the disk a
 * temporary file.  The handshake through the guest.store, reads, writes,
 * indirect requests and flushes with the data checked in the file, every
 * hostile request failing alone with its grants given back, a ring index
 * no ring can have closing the connection, reconnecting, and seeded random
 * garbage on the ring.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/xen_blkback.h"
#include "tests/host/fake_xen_guest.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define PAGE            XEN_GNTTAB_PAGE_SIZE
#define RING_GFN        2
#define INDIRECT_GFN    3
#define DATA_GFN        16      /* data pages: DATA_GFN + i */
#define RING_REF        8       /* refs: ring, indirect page, then data pages */
#define INDIRECT_REF    15      /* just before the data refs */
#define DATA_REF        16
#define DISK_SECTORS    2048    /* 1 MiB */
#define BACKEND         2
#define RANDOM_ROUNDS   3000

static struct fake_xen_guest guest;
static struct xen_blkback blk;
static char disk_path[64];
static blkif_front_ring_t front;
static evtchn_port_t port;

/* No indirect or data page held by the backend any more. */
static bool segment_grants_idle(void)
{
	return fake_xen_grants_idle(&guest, INDIRECT_REF, 1 + XEN_BLKBACK_INDIRECT_SEGMENTS);
}

static void frontend_state(enum xenbus_state state)
{
	char value[4];

	snprintf(value, sizeof(value), "%u", state);
	fake_xen_write(&guest, blk.bus.frontend, "state", value);
	xen_blkback_poll_xenbus(&blk);
}

/* What blkfront does between InitWait and Initialised. */
static void frontend_connect(void)
{
	char value[16];

	memset(fake_xen_page(&guest, RING_GFN), 0, PAGE);
	SHARED_RING_INIT((blkif_sring_t *)fake_xen_page(&guest, RING_GFN));
	FRONT_RING_INIT(&front, (blkif_sring_t *)fake_xen_page(&guest, RING_GFN), PAGE);
	fake_xen_grant(&guest, RING_REF, XEN_HOST_DOM0, RING_GFN, false);
	port = fake_xen_port_for_dom0(&guest);
	snprintf(value, sizeof(value), "%u", RING_REF);
	fake_xen_write(&guest, blk.bus.frontend, "ring-ref", value);
	snprintf(value, sizeof(value), "%u", port);
	fake_xen_write(&guest, blk.bus.frontend, "event-channel", value);
	fake_xen_write(&guest, blk.bus.frontend, "protocol", XEN_IO_PROTO_ABI_X86_64);
	frontend_state(XenbusStateInitialised);
}

static void setup(void)
{
	char err[256];
	int fd;

	fake_xen_guest_init(&guest);
	snprintf(disk_path, sizeof(disk_path), "/tmp/pvkit-blkback-XXXXXX");
	fd = mkstemp(disk_path);
	CHECK(fd >= 0);
	CHECK_INT(ftruncate(fd, DISK_SECTORS * 512), 0);
	close(fd);
	CHECK(xen_blkback_create(&blk, disk_path, guest.store, &guest.gnttab, &guest.events,
				 BACKEND, err, sizeof(err)));
	CHECK_UINT(fake_xen_read_number(&guest, blk.bus.backend, "state"), XenbusStateInitWait);
	frontend_connect();
}

static void teardown(void)
{
	xen_blkback_destroy(&blk);
	fake_xen_guest_free(&guest);
	unlink(disk_path);
}

/* Publishes the request at the producer, notifies, returns the response. */
static struct blkif_response submit(const void *req, size_t size)
{
	struct blkif_response rsp = { .status = 99 };
	blkif_request_t *slot = RING_GET_REQUEST(&front, front.req_prod_pvt);
	int notify;

	memset(slot, 0, sizeof(*slot));
	memcpy(slot, req, size);
	front.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
	(void)notify;
	xen_blkback_notify(&blk);
	CHECK(front.sring->rsp_prod == front.rsp_cons + 1);
	if (front.sring->rsp_prod == front.rsp_cons + 1) {
		rsp = *RING_GET_RESPONSE(&front, front.rsp_cons);
		front.rsp_cons++;
	}
	return rsp;
}

/* A plain request for `segs` whole data pages from DATA_GFN. */
static blkif_request_t rw_request(uint8_t op, uint64_t id, uint64_t sector, unsigned int segs)
{
	blkif_request_t req = { .operation = op, .nr_segments = (uint8_t)segs, .id = id,
				.sector_number = sector, .handle = XEN_BLKBACK_VDEV };

	for (unsigned int i = 0; i < segs && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		req.seg[i] = (struct blkif_request_segment){ DATA_REF + i, 0, 7 };
	return req;
}

static void grant_data(unsigned int pages, bool readonly)
{
	for (unsigned int i = 0; i < pages; i++)
		fake_xen_grant(&guest, DATA_REF + i, XEN_HOST_DOM0, DATA_GFN + i, readonly);
}

static void read_file(uint64_t offset, void *buf, size_t len)
{
	FILE *f = fopen(disk_path, "rb");

	CHECK(f != NULL);
	CHECK_INT(fseek(f, (long)offset, SEEK_SET), 0);
	CHECK_UINT(fread(buf, 1, len, f), len);
	fclose(f);
}

static void handshake_writes_what_xl_and_blkback_write(void)
{
	char value[64], path[128];

	setup();
	CHECK_UINT(fake_xen_read_number(&guest, blk.bus.backend, "state"), XenbusStateConnected);
	CHECK(blk.connected);
	snprintf(path, sizeof(path), "%s/sectors", blk.bus.backend);
	CHECK(xenstore_read(guest.store, path, value, sizeof(value)) > 0);
	CHECK_STR(value, "2048");
	snprintf(path, sizeof(path), "%s/feature-max-indirect-segments", blk.bus.backend);
	CHECK(xenstore_read(guest.store, path, value, sizeof(value)) > 0);
	CHECK_STR(value, "32");
	CHECK_STR(blk.bus.frontend, "/local/domain/1/device/vbd/51712");
	snprintf(path, sizeof(path), "%s/backend", blk.bus.frontend);
	CHECK(xenstore_read(guest.store, path, value, sizeof(value)) > 0);
	CHECK_STR(value, "/local/domain/0/backend/vbd/1/51712");
	CHECK(fake_xen_entry(&guest, RING_REF)->flags & GTF_writing);    /* the ring stays mapped */
	/* Closing and back: Closing, Closed, InitWait, Connected. */
	frontend_state(XenbusStateClosing);
	CHECK_UINT(fake_xen_read_number(&guest, blk.bus.backend, "state"), XenbusStateClosing);
	CHECK(!(fake_xen_entry(&guest, RING_REF)->flags & GTF_writing));
	frontend_state(XenbusStateClosed);
	CHECK_UINT(fake_xen_read_number(&guest, blk.bus.backend, "state"), XenbusStateClosed);
	frontend_state(XenbusStateInitialising);
	CHECK_UINT(fake_xen_read_number(&guest, blk.bus.backend, "state"), XenbusStateInitWait);
	frontend_connect();
	CHECK_UINT(fake_xen_read_number(&guest, blk.bus.backend, "state"), XenbusStateConnected);
	teardown();
}

static void reads_writes_and_flushes_reach_the_file(void)
{
	uint8_t buf[3 * PAGE];
	blkif_request_t req;

	setup();
	grant_data(3, true);
	for (unsigned int i = 0; i < 3 * PAGE; i++)
		fake_xen_page(&guest, DATA_GFN)[i] = (uint8_t)(i * 7 + 1);
	req = rw_request(BLKIF_OP_WRITE, 41, 100, 3);
	struct blkif_response rsp = submit(&req, sizeof(req));

	CHECK_UINT(rsp.id, 41);
	CHECK_INT(rsp.status, BLKIF_RSP_OKAY);
	CHECK_UINT(rsp.operation, BLKIF_OP_WRITE);
	read_file(100 * 512, buf, sizeof(buf));
	CHECK(memcmp(buf, fake_xen_page(&guest, DATA_GFN), sizeof(buf)) == 0);
	/* Read back sectors 2-5 of the second page's worth into a fresh page. */
	grant_data(1, false);
	memset(fake_xen_page(&guest, DATA_GFN), 0, PAGE);
	req = rw_request(BLKIF_OP_READ, 42, 108, 1);
	req.seg[0].first_sect = 2;
	req.seg[0].last_sect = 5;
	rsp = submit(&req, sizeof(req));
	CHECK_INT(rsp.status, BLKIF_RSP_OKAY);
	CHECK(memcmp(fake_xen_page(&guest, DATA_GFN) + 2 * 512, buf + PAGE, 4 * 512) == 0);
	CHECK(fake_xen_page(&guest, DATA_GFN)[0] == 0);
	req = (blkif_request_t){ .operation = BLKIF_OP_FLUSH_DISKCACHE, .id = 43 };
	rsp = submit(&req, sizeof(req));
	CHECK_INT(rsp.status, BLKIF_RSP_OKAY);
	CHECK_UINT(rsp.id, 43);
	CHECK(segment_grants_idle());
	CHECK_UINT(blk.stats.requests, 3);
	teardown();
}

/* An indirect write of 20 pages: the descriptors in a granted page. */
static void indirect_requests_carry_more_segments(void)
{
	struct blkif_request_segment *desc;
	blkif_request_indirect_t ind = { .operation = BLKIF_OP_INDIRECT,
					 .indirect_op = BLKIF_OP_WRITE, .nr_segments = 20,
					 .id = 7, .sector_number = 512, .handle = XEN_BLKBACK_VDEV,
					 .indirect_grefs = { INDIRECT_REF } };
	uint8_t buf[20 * PAGE];

	setup();
	desc = (void *)fake_xen_page(&guest, INDIRECT_GFN);
	fake_xen_grant(&guest, INDIRECT_REF, XEN_HOST_DOM0, INDIRECT_GFN, true);
	grant_data(20, true);
	for (unsigned int i = 0; i < 20; i++) {
		desc[i] = (struct blkif_request_segment){ DATA_REF + i, 0, 7 };
		memset(fake_xen_page(&guest, DATA_GFN + i), 'a' + i, PAGE);
	}
	struct blkif_response rsp = submit(&ind, sizeof(ind));

	CHECK_INT(rsp.status, BLKIF_RSP_OKAY);
	CHECK_UINT(rsp.id, 7);
	CHECK_UINT(rsp.operation, BLKIF_OP_WRITE);      /* as Linux's blkback answers */
	read_file(512 * 512, buf, sizeof(buf));
	CHECK(memcmp(buf, fake_xen_page(&guest, DATA_GFN), sizeof(buf)) == 0);
	/* 33 segments: more than we offered. */
	ind.nr_segments = XEN_BLKBACK_INDIRECT_SEGMENTS + 1;
	CHECK_INT(submit(&ind, sizeof(ind)).status, BLKIF_RSP_ERROR);
	ind.nr_segments = 0;
	CHECK_INT(submit(&ind, sizeof(ind)).status, BLKIF_RSP_ERROR);
	/* An indirect flush, and an indirect page we may not read. */
	ind.nr_segments = 1;
	ind.indirect_op = BLKIF_OP_FLUSH_DISKCACHE;
	CHECK_INT(submit(&ind, sizeof(ind)).status, BLKIF_RSP_ERROR);
	ind.indirect_op = BLKIF_OP_READ;
	ind.indirect_grefs[0] = 4000;
	CHECK_INT(submit(&ind, sizeof(ind)).status, BLKIF_RSP_ERROR);
	CHECK(segment_grants_idle());
	CHECK_UINT(blk.stats.indirect, 5);
	teardown();
}

/* Each bad request fails alone, with its id, and holds no grant after. */
static void hostile_requests_fail_alone(void)
{
	blkif_request_t req;

	setup();
	grant_data(2, false);
	req = rw_request(BLKIF_OP_READ, 1, 0, 2);
	req.seg[1].gref = 3000;                         /* outside the table */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	req = rw_request(BLKIF_OP_READ, 2, 0, 1);
	req.seg[0].gref = DATA_REF + 5;                 /* not granted */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	fake_xen_grant(&guest, DATA_REF + 2, XEN_HOST_DOM0, DATA_GFN + 2, true);
	req = rw_request(BLKIF_OP_READ, 3, 0, 1);
	req.seg[0].gref = DATA_REF + 2;                 /* read into a read-only page */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	fake_xen_grant(&guest, DATA_REF + 3, 7, DATA_GFN + 3, false);
	req.seg[0].gref = DATA_REF + 3;                 /* granted to another domain */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	fake_xen_grant(&guest, DATA_REF + 4, XEN_HOST_DOM0, FAKE_XEN_RAM_FRAMES + 10, false);
	req.seg[0].gref = DATA_REF + 4;                 /* a frame outside RAM */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	req = rw_request(BLKIF_OP_READ, 4, 0, 1);
	req.seg[0].first_sect = 5;
	req.seg[0].last_sect = 4;                       /* out of order */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	req.seg[0].first_sect = 0;
	req.seg[0].last_sect = 8;                       /* past the page */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	req = rw_request(BLKIF_OP_WRITE, 5, 0, 0);      /* no segments */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	req = rw_request(BLKIF_OP_WRITE, 6, 0, 2);
	req.nr_segments = 12;                           /* more than a request holds */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	req = rw_request(BLKIF_OP_READ, 7, DISK_SECTORS - 4, 1);        /* past the end */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	req = rw_request(BLKIF_OP_READ, 8, UINT64_MAX - 2, 1);          /* wraps */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	req = rw_request(99, 9, 0, 1);                  /* no such operation */
	struct blkif_response rsp = submit(&req, sizeof(req));

	CHECK_INT(rsp.status, BLKIF_RSP_ERROR);
	CHECK_UINT(rsp.id, 9);
	CHECK_UINT(rsp.operation, 99);
	req = rw_request(BLKIF_OP_WRITE_BARRIER, 10, 0, 0);
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_EOPNOTSUPP);
	req = rw_request(BLKIF_OP_FLUSH_DISKCACHE, 11, 0, 1);   /* a flush with data */
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_ERROR);
	CHECK(segment_grants_idle());
	/* ...and the disk still works. */
	req = rw_request(BLKIF_OP_READ, 12, DISK_SECTORS - 8, 1);
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_OKAY);
	CHECK_UINT(blk.stats.failed, 14);
	teardown();
}

/* A producer index more than a ring ahead: the connection is closed. */
static void ring_index_garbage_closes_the_connection(void)
{
	blkif_request_t req;

	setup();
	fputs("# the next message, about req_prod 33, is expected:\n", stderr);
	front.sring->req_prod = front.req_prod_pvt + RING_SIZE(&front) + 1;
	xen_blkback_notify(&blk);
	CHECK(!blk.connected);
	CHECK_UINT(fake_xen_read_number(&guest, blk.bus.backend, "state"), XenbusStateClosing);
	CHECK_UINT(front.sring->rsp_prod, 0);
	CHECK(!(fake_xen_entry(&guest, RING_REF)->flags & GTF_writing));
	xen_blkback_notify(&blk);                       /* ignored now */
	/* The frontend starts again on a fresh ring. */
	frontend_state(XenbusStateClosed);
	frontend_state(XenbusStateInitialising);
	frontend_connect();
	CHECK_UINT(fake_xen_read_number(&guest, blk.bus.backend, "state"), XenbusStateConnected);
	grant_data(1, false);
	req = rw_request(BLKIF_OP_READ, 1, 0, 1);
	CHECK_INT(submit(&req, sizeof(req)).status, BLKIF_RSP_OKAY);
	teardown();
}

/* Bad frontend nodes: not connected, with the reason; nothing held. */
static void unusable_frontend_nodes_are_refused(void)
{
	setup();
	fputs("# the next 3 messages, about ring-ref and event-channel, are expected:\n", stderr);
	frontend_state(XenbusStateClosing);
	frontend_state(XenbusStateClosed);
	frontend_state(XenbusStateInitialising);
	fake_xen_write(&guest, blk.bus.frontend, "ring-ref", "12abc");
	frontend_state(XenbusStateInitialised);
	CHECK_UINT(fake_xen_read_number(&guest, blk.bus.backend, "state"), XenbusStateClosing);
	CHECK(!blk.connected);
	frontend_state(XenbusStateClosed);
	frontend_state(XenbusStateInitialising);
	/* A read-only page is no ring. */
	fake_xen_write(&guest, blk.bus.frontend, "ring-ref", "9");
	fake_xen_grant(&guest, 9, XEN_HOST_DOM0, RING_GFN, true);
	frontend_state(XenbusStateInitialised);
	CHECK(!blk.connected);
	frontend_state(XenbusStateClosed);
	frontend_state(XenbusStateInitialising);
	fake_xen_write(&guest, blk.bus.frontend, "ring-ref", "8");
	/* No such unbound port. */
	fake_xen_write(&guest, blk.bus.frontend, "event-channel", "1000");
	frontend_state(XenbusStateInitialised);
	CHECK(!blk.connected);
	CHECK(!(fake_xen_entry(&guest, RING_REF)->flags & GTF_writing));
	teardown();
}

/* Random bytes in every ring entry and random producer indices, seeded:
 * every published request gets one response, nothing crashes, and the
 * grants are all given back. */
static void random_garbage_on_the_ring(void)
{
	unsigned int seed = 20261130;

	setup();
	grant_data(XEN_BLKBACK_INDIRECT_SEGMENTS, false);
	fake_xen_grant(&guest, INDIRECT_REF, XEN_HOST_DOM0, INDIRECT_GFN, true);
	for (int round = 0; round < RANDOM_ROUNDS && blk.connected; round++) {
		unsigned int n = (unsigned int)rand_r(&seed) % (RING_SIZE(&front) + 1);
		RING_IDX before = front.sring->rsp_prod;

		for (unsigned int i = 0; i < n; i++) {
			uint8_t *slot = (uint8_t *)RING_GET_REQUEST(&front, front.req_prod_pvt + i);

			for (size_t b = 0; b < sizeof(blkif_request_t); b++)
				slot[b] = (uint8_t)rand_r(&seed);
			/* Often a plausible operation and sane segments, so the deep
			 * paths run too. */
			if (rand_r(&seed) % 2) {
				slot[0] = (uint8_t)(rand_r(&seed) % 8);
				slot[1] = (uint8_t)(rand_r(&seed) % 13);
			}
		}
		for (unsigned int i = 0; i < PAGE / 8; i++)
			((uint64_t *)fake_xen_page(&guest, INDIRECT_GFN))[i] = ((uint64_t)rand_r(&seed) << 32) |
							      (uint32_t)rand_r(&seed);
		front.req_prod_pvt += n;
		front.sring->req_prod = front.req_prod_pvt;
		xen_blkback_notify(&blk);
		CHECK_UINT(front.sring->rsp_prod - before, n);
		front.rsp_cons = front.sring->rsp_prod;
		front.sring->rsp_event = front.rsp_cons + 1;
	}
	CHECK(blk.connected);
	CHECK(segment_grants_idle());
	CHECK(blk.stats.requests > RANDOM_ROUNDS);
	teardown();
}

void xen_blkback_tests(void)
{
	check_run("xen_blkback.handshake_writes_what_xl_and_blkback_write",
		  handshake_writes_what_xl_and_blkback_write);
	check_run("xen_blkback.reads_writes_and_flushes_reach_the_file",
		  reads_writes_and_flushes_reach_the_file);
	check_run("xen_blkback.indirect_requests_carry_more_segments",
		  indirect_requests_carry_more_segments);
	check_run("xen_blkback.hostile_requests_fail_alone", hostile_requests_fail_alone);
	check_run("xen_blkback.ring_index_garbage_closes_the_connection",
		  ring_index_garbage_closes_the_connection);
	check_run("xen_blkback.unusable_frontend_nodes_are_refused",
		  unusable_frontend_nodes_are_refused);
	check_run("xen_blkback.random_garbage_on_the_ring", random_garbage_on_the_ring);
}
