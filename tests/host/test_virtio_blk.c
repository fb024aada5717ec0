/*
 * test_virtio_blk.c — virtio-blk (host/virtio_blk.c) over the virtio-mmio
 * transport (host/virtio_mmio.c) and the device core (host/virtio.c),
 * driven through the registers as a guest drives them, with requests in a
 * fake guest RAM and a temporary image file checked byte by byte.  Then
 * the hostile requests: bad headers, no status byte, ranges past the end,
 * broken chains and rings, and a long run of random descriptors.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "host/virtio_blk.h"
#include "host/virtio_mmio.h"
#include "tests/host/fake_driver.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define SECTORS         64
#define QSIZE           16
#define BASE            0xd0000000ull
#define GSI             16
#define R               0
#define W               VRING_DESC_F_WRITE
#define N               VRING_DESC_F_NEXT
#define HDR             (FAKE_BUFFERS)
#define DATA            (FAKE_BUFFERS + 0x1000)
#define STATUS          (FAKE_BUFFERS + 0x40000)
#define TABLE           (FAKE_BUFFERS + 0x50000)
#define ALL_FEATURES    UINT64_MAX

static struct guest_mem mem;
static struct virtio_device *dev;
static struct virtio_mmio mmio;
static struct fake_queue fq;
static char path[64];
static int line_level;
static unsigned int line_changes;

static void record_line(void *opaque, unsigned int gsi, int level)
{
	(void)opaque;
	CHECK_UINT(gsi, GSI);
	line_level = level;
	line_changes++;
}

static uint8_t image_byte(uint64_t offset)
{
	return (uint8_t)(offset * 7 + offset / 512);
}

/* A fresh image, RAM, device and transport; started with `features`. */
static uint32_t setup_with(uint64_t features, mode_t mode)
{
	uint8_t sector[512];

	snprintf(path, sizeof(path), "/tmp/pvkit-vblk-test-XXXXXX");
	int fd = mkstemp(path);

	for (uint64_t s = 0; s < SECTORS; s++) {
		for (unsigned int i = 0; i < sizeof(sector); i++)
			sector[i] = image_byte(s * 512 + i);
		CHECK(write(fd, sector, sizeof(sector)) == (ssize_t)sizeof(sector));
	}
	close(fd);
	chmod(path, mode);
	mem = fake_ram_new();
	char err[256] = "";

	dev = virtio_blk_create(path, 0, err, sizeof(err));
	CHECK(dev != NULL);
	virtio_device_set_memory(dev, &mem);
	virtio_mmio_init(&mmio, dev, BASE, GSI, record_line, NULL);
	line_level = 0;
	line_changes = 0;
	return fake_mmio_start(&mmio, &mem, &fq, 1, QSIZE, features);
}

static void setup(void)
{
	uint32_t status = setup_with(ALL_FEATURES, 0600);

	CHECK_UINT(status, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

static void teardown(void)
{
	virtio_device_destroy(dev);
	fake_ram_free(&mem);
	unlink(path);
}

static uint32_t reg(uint64_t offset)
{
	return (uint32_t)virtio_mmio_read(&mmio, offset, 4);
}

static void set_reg(uint64_t offset, uint32_t value)
{
	virtio_mmio_write(&mmio, offset, 4, value);
}

static void header(uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };

	memcpy(fake_ptr(&mem, HDR), &h, sizeof(h));
	*(uint8_t *)fake_ptr(&mem, STATUS) = 0xee;      /* "not written" */
}

/* Publishes head, notifies queue 0 and returns the used entry (id
 * UINT32_MAX if the device returned nothing). */
static struct vring_used_elem submit(uint16_t head)
{
	fake_publish(&fq, &mem, head);
	set_reg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	if (fake_used_pending(&fq, &mem) != 1)
		return (struct vring_used_elem){ .id = UINT32_MAX };
	return fake_take_used(&fq, &mem);
}

static uint8_t status_byte(void)
{
	return *(uint8_t *)fake_ptr(&mem, STATUS);
}

/* header | data (len bytes, direction dir) | status: descriptors 0, 1, 2. */
static struct vring_used_elem request(uint32_t type, uint64_t sector, uint32_t len, uint16_t dir)
{
	header(type, sector);
	fake_desc(&mem, fq.desc, 0, HDR, 16, R | N, 1);
	fake_desc(&mem, fq.desc, 1, DATA, len, dir | N, 2);
	fake_desc(&mem, fq.desc, 2, STATUS, 1, W, 0);
	return submit(0);
}

static void identity_and_config(void)
{
	setup();
	CHECK_UINT(reg(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_UINT(reg(VIRTIO_MMIO_VERSION), 2);
	CHECK_UINT(reg(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	set_reg(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_UINT(reg(VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_BLK_QUEUE_SIZE);
	CHECK_UINT(reg(VIRTIO_MMIO_QUEUE_READY), 1);
	set_reg(VIRTIO_MMIO_QUEUE_SEL, 1);                      /* no such queue */
	CHECK_UINT(reg(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	CHECK_UINT(virtio_mmio_read(&mmio, VIRTIO_MMIO_CONFIG, 8), SECTORS);  /* capacity */
	CHECK_UINT(virtio_mmio_read(&mmio, VIRTIO_MMIO_CONFIG + 12, 4), VIRTIO_BLK_SEG_MAX);
	CHECK_UINT(virtio_mmio_read(&mmio, VIRTIO_MMIO_CONFIG + 20, 4), 512);   /* blk_size */
	CHECK_UINT(virtio_mmio_read(&mmio, VIRTIO_MMIO_CONFIG + 2, 1), 0);
	CHECK_UINT(virtio_mmio_read(&mmio, VIRTIO_MMIO_CONFIG + 0xf0, 4), 0);  /* past it */
	set_reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_UINT(reg(VIRTIO_MMIO_DEVICE_FEATURES), 1 | 4);    /* VERSION_1, RING_PACKED (32, 34) */
	set_reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK(reg(VIRTIO_MMIO_DEVICE_FEATURES) & (1u << VIRTIO_BLK_F_FLUSH));
	CHECK(!(reg(VIRTIO_MMIO_DEVICE_FEATURES) & (1u << VIRTIO_BLK_F_RO)));
	CHECK_UINT(virtio_mmio_read(&mmio, VIRTIO_MMIO_MAGIC_VALUE, 2), 0);   /* not 32-bit */
	teardown();
}

static void features_without_version_1_refused(void)
{
	puts("# the next message, about VIRTIO_F_VERSION_1, is expected:");
	uint32_t status = setup_with(ALL_FEATURES & ~(1ull << VIRTIO_F_VERSION_1), 0600);

	CHECK(!(status & VIRTIO_CONFIG_S_FEATURES_OK));
	teardown();
}

static void write_then_read(void)
{
	setup();
	uint8_t *data = fake_ptr(&mem, DATA);

	for (int i = 0; i < 1024; i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	struct vring_used_elem e = request(VIRTIO_BLK_T_OUT, 5, 1024, R);

	CHECK_UINT(e.id, 0);
	CHECK_UINT(e.len, 1);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_OK);
	CHECK_INT(line_level, 1);                               /* the interrupt */
	CHECK_UINT(reg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	set_reg(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_INT(line_level, 0);

	/* The file holds it, at sector 5. */
	uint8_t file[1024];
	int fd = open(path, O_RDONLY);

	CHECK(pread(fd, file, sizeof(file), 5 * 512) == (ssize_t)sizeof(file));
	close(fd);
	CHECK(memcmp(file, data, sizeof(file)) == 0);

	memset(data, 0, 2048);
	e = request(VIRTIO_BLK_T_IN, 4, 2048, W);
	CHECK_UINT(e.len, 2049);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_OK);
	CHECK_UINT(data[0], image_byte(4 * 512));               /* sector 4: untouched */
	CHECK(memcmp(data + 512, file, 1024) == 0);             /* 5-6: what we wrote */
	CHECK_UINT(data[1536 + 7], image_byte(7 * 512 + 7));
	teardown();
}

/* Header split over two descriptors, data over three, via an indirect table. */
static void any_layout_and_indirect(void)
{
	setup();
	header(VIRTIO_BLK_T_IN, 10);
	fake_desc(&mem, TABLE, 0, HDR, 6, R | N, 1);
	fake_desc(&mem, TABLE, 1, HDR + 6, 10, R | N, 2);
	fake_desc(&mem, TABLE, 2, DATA, 100, W | N, 3);
	fake_desc(&mem, TABLE, 3, DATA + 0x1000, 312, W | N, 4);
	fake_desc(&mem, TABLE, 4, DATA + 0x2000, 99, W | N, 5);
	fake_desc(&mem, TABLE, 5, STATUS, 1, W, 0);
	fake_desc(&mem, fq.desc, 3, TABLE, 6 * 16, VRING_DESC_F_INDIRECT, 0);
	struct vring_used_elem e = submit(3);

	CHECK_UINT(e.id, 3);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_IOERR);          /* 100 + 312 + 99: not whole sectors */
	fake_desc(&mem, TABLE, 4, DATA + 0x2000, 0, W | N, 5);  /* now exactly 412 + 100 = 512 */
	fake_desc(&mem, TABLE, 3, DATA + 0x1000, 312, W | N, 4);
	fake_desc(&mem, TABLE, 2, DATA, 200, W | N, 3);
	e = submit(3);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_OK);
	CHECK_UINT(e.len, 513);
	CHECK_UINT(*(uint8_t *)fake_ptr(&mem, DATA + 199), image_byte(10 * 512 + 199));
	CHECK_UINT(*(uint8_t *)fake_ptr(&mem, DATA + 0x1000), image_byte(10 * 512 + 200));
	teardown();
}

static void out_of_range_is_ioerr(void)
{
	setup();
	CHECK_UINT(request(VIRTIO_BLK_T_IN, SECTORS - 1, 1024, W).len, 1);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_OUT, SECTORS, 512, R);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, UINT64_MAX, 512, W);           /* sector * 512 would overflow */
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_OUT, UINT64_MAX / 512 + 1, 512, R);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, 0, 100, W);                    /* not whole sectors */
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, SECTORS - 1, 512, W);          /* the last sector: fine */
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_OK);
	struct stat st;

	CHECK(stat(path, &st) == 0);
	CHECK_UINT(st.st_size, SECTORS * 512);                  /* never grew */
	teardown();
}

static void flush_get_id_unsupported(void)
{
	setup();
	header(VIRTIO_BLK_T_FLUSH, 0);
	fake_desc(&mem, fq.desc, 0, HDR, 16, R | N, 1);
	fake_desc(&mem, fq.desc, 1, STATUS, 1, W, 0);
	CHECK_UINT(submit(0).len, 1);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_OK);

	memset(fake_ptr(&mem, DATA), 0, 64);
	struct vring_used_elem e = request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, W);

	CHECK_UINT(status_byte(), VIRTIO_BLK_S_OK);
	CHECK_STR((const char *)fake_ptr(&mem, DATA), "pvkit-vblk0");
	CHECK_UINT(e.len, VIRTIO_BLK_ID_BYTES + 1);

	request(0x1234, 0, 512, W);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_UNSUPP);
	teardown();
}

static void bad_header_and_no_status(void)
{
	puts("# the next message, about a short header, is expected:");
	setup();
	header(VIRTIO_BLK_T_IN, 0);
	fake_desc(&mem, fq.desc, 0, HDR, 8, R | N, 1);          /* half a header */
	fake_desc(&mem, fq.desc, 1, STATUS, 1, W, 0);
	CHECK_UINT(submit(0).len, 1);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_IOERR);
	/* The header in a device-writable buffer: no readable header at all. */
	fake_desc(&mem, fq.desc, 0, HDR, 16, W | N, 1);
	CHECK_UINT(submit(0).len, 1);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_IOERR);
	/* Nothing writable: no status byte to fail with.  Used length 0. */
	header(VIRTIO_BLK_T_OUT, 0);
	fake_desc(&mem, fq.desc, 0, HDR, 16, R | N, 1);
	fake_desc(&mem, fq.desc, 1, DATA, 512, R, 0);
	struct vring_used_elem e = submit(0);

	CHECK_UINT(e.id, 0);
	CHECK_UINT(e.len, 0);
	CHECK_UINT(status_byte(), 0xee);
	CHECK(dev->reported);                                   /* said so on stderr, once */
	/* And the device still works. */
	request(VIRTIO_BLK_T_IN, 1, 512, W);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_OK);
	teardown();
}

static void bad_chain_fails_only_that_request(void)
{
	puts("# the next message, about a buffer outside guest RAM, is expected:");
	setup();
	header(VIRTIO_BLK_T_IN, 0);
	fake_desc(&mem, fq.desc, 0, HDR, 16, R | N, 1);
	fake_desc(&mem, fq.desc, 1, FAKE_RAM_SIZE - 256, 512, W | N, 2);      /* off the end */
	fake_desc(&mem, fq.desc, 2, STATUS, 1, W, 0);
	struct vring_used_elem e = submit(0);

	CHECK_UINT(e.id, 0);
	CHECK_UINT(e.len, 0);
	fake_desc(&mem, fq.desc, 1, DATA, 512, W | N, 1);       /* a loop */
	CHECK_UINT(submit(0).len, 0);
	CHECK_UINT(reg(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
	CHECK_UINT(request(VIRTIO_BLK_T_IN, 2, 512, W).len, 513);
	CHECK_UINT(status_byte(), VIRTIO_BLK_S_OK);
	CHECK_UINT(dev->queues[0].bad_chains, 2);
	teardown();
}

static void broken_ring_needs_reset(void)
{
	puts("# the next message, about descriptor 19, is expected:");
	setup();
	set_reg(VIRTIO_MMIO_INTERRUPT_ACK, 3);
	fake_publish(&fq, &mem, QSIZE + 3);                     /* a head beyond the table */
	set_reg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(reg(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	CHECK_UINT(reg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	CHECK_INT(line_level, 1);
	/* Until it is reset the device ignores the queue. */
	fake_desc(&mem, fq.desc, 0, HDR, 16, R, 0);
	fake_publish(&fq, &mem, 0);
	set_reg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_UINT(fake_used_pending(&fq, &mem), 0);
	/* Reset and start again: all is well. */
	CHECK_UINT(fake_mmio_start(&mmio, &mem, &fq, 1, QSIZE, ALL_FEATURES) &
		   VIRTIO_CONFIG_S_NEEDS_RESET, 0);
	CHECK_INT(line_level, 0);
	CHECK_UINT(request(VIRTIO_BLK_T_IN, 0, 512, W).len, 513);
	teardown();
}

static void rings_outside_ram_need_reset(void)
{
	puts("# the next message, about a descriptor table outside RAM, is expected:");
	setup();
	set_reg(VIRTIO_MMIO_STATUS, 0);
	set_reg(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	set_reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	set_reg(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	set_reg(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		VIRTIO_CONFIG_S_FEATURES_OK);
	set_reg(VIRTIO_MMIO_QUEUE_SEL, 0);
	set_reg(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	set_reg(VIRTIO_MMIO_QUEUE_DESC_LOW, 0xfffff000);
	set_reg(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0xffffffff);
	set_reg(VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_UINT(reg(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(reg(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	teardown();
}

static void read_only_image(void)
{
	CHECK(setup_with(ALL_FEATURES, 0400) & VIRTIO_CONFIG_S_DRIVER_OK);
	if (geteuid() != 0) {       /* root writes anyway: nothing to check there */
		set_reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
		CHECK(reg(VIRTIO_MMIO_DEVICE_FEATURES) & (1u << VIRTIO_BLK_F_RO));
		request(VIRTIO_BLK_T_OUT, 0, 512, R);
		CHECK_UINT(status_byte(), VIRTIO_BLK_S_IOERR);
	}
	teardown();
}

/* A hostile driver: random descriptors (addresses near and past the end of
 * RAM, random lengths, flags and links) and random heads, many times over.
 * The device must never touch memory outside RAM (ASan), never grow the
 * image, and either answer each request or flag NEEDS_RESET. */
static void random_chains_survive(void)
{
	puts("# the next message, about the first bad random chain, is expected:");
	setup();
	srand(12345);
	unsigned int resets = 0;

	for (int round = 0; round < 20000; round++) {
		for (unsigned int i = 0; i < QSIZE; i++) {
			uint64_t addr;

			switch (rand() % 4) {
			case 0:  addr = FAKE_BUFFERS + (uint64_t)(rand() % 0x1000) * 16; break;
			case 1:  addr = FAKE_RAM_SIZE - (uint64_t)(rand() % 4096); break;
			case 2:  addr = UINT64_MAX - (uint64_t)(rand() % 4096); break;
			default: addr = HDR; break;
			}
			fake_desc(&mem, fq.desc, i, addr, (uint32_t)(rand() % 3 ? rand() % 2048 : rand()),
				  (uint16_t)(rand() & 7), (uint16_t)(rand() % (QSIZE + 2)));
		}
		header((uint32_t)(rand() % 10), (uint64_t)(rand() % (SECTORS + 4)));
		fake_publish(&fq, &mem, (uint16_t)(rand() % (QSIZE + 1)));
		set_reg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		if (reg(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET) {
			resets++;
			fake_mmio_start(&mmio, &mem, &fq, 1, QSIZE, ALL_FEATURES);
		}
		while (fake_used_pending(&fq, &mem) > 0)
			CHECK(fake_take_used(&fq, &mem).id < QSIZE);
	}
	CHECK(resets > 0);
	CHECK(dev->queues[0].bad_chains > 0);
	struct stat st;

	CHECK(stat(path, &st) == 0);
	CHECK_UINT(st.st_size, SECTORS * 512);
	teardown();
}

void virtio_blk_tests(void)
{
	check_run("virtio_blk.identity_and_config", identity_and_config);
	check_run("virtio_blk.features_without_version_1_refused",
		  features_without_version_1_refused);
	check_run("virtio_blk.write_then_read", write_then_read);
	check_run("virtio_blk.any_layout_and_indirect", any_layout_and_indirect);
	check_run("virtio_blk.out_of_range_is_ioerr", out_of_range_is_ioerr);
	check_run("virtio_blk.flush_get_id_unsupported", flush_get_id_unsupported);
	check_run("virtio_blk.bad_header_and_no_status", bad_header_and_no_status);
	check_run("virtio_blk.bad_chain_fails_only_that_request", bad_chain_fails_only_that_request);
	check_run("virtio_blk.broken_ring_needs_reset", broken_ring_needs_reset);
	check_run("virtio_blk.rings_outside_ram_need_reset", rings_outside_ram_need_reset);
	check_run("virtio_blk.read_only_image", read_only_image);
	check_run("virtio_blk.random_chains_survive", random_chains_survive);
}
