/*
 * test_virtio_rng.c — the virtio entropy device, over whichever transport
 * the host gave it (QEMU: -device virtio-rng-device on microvm,
 * virtio-rng-pci on q35).  Skips without one.
 */
#include "kernel/heap.h"
#include "kernel/test.h"
#include "lib/string.h"
#include "pv/virtio/virtio_rng.h"

#define NO_RNG "no virtio-rng device (QEMU: -device virtio-rng-device or virtio-rng-pci)"
#define SMALL 32

static bool all_bytes_equal(const uint8_t *buf, size_t len)
{
	for (size_t i = 1; i < len; i++)
		if (buf[i] != buf[0])
			return false;
	return true;
}

TEST(virtio_rng, bytes_arrive_by_interrupt_and_vary)
{
	uint8_t buf[SMALL];
	uint64_t before = virtio_rng_interrupt_completions();

	if (!virtio_rng_present())
		SKIP(NO_RNG);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(virtio_rng_read(buf, sizeof(buf)), sizeof(buf));
	CHECK(!all_bytes_equal(buf, sizeof(buf)));
	CHECK(virtio_rng_interrupt_completions() > before);
}

TEST(virtio_rng, several_reads_differ)
{
	uint8_t first[SMALL], second[SMALL];

	if (!virtio_rng_present())
		SKIP(NO_RNG);
	CHECK_EQ(virtio_rng_read(first, sizeof(first)), sizeof(first));
	CHECK_EQ(virtio_rng_read(second, sizeof(second)), sizeof(second));
	CHECK(memcmp(first, second, sizeof(first)) != 0);
	CHECK_EQ(virtio_rng_read(first, 1), 1);
}

/* More than one page: several requests, each filled by the device. */
TEST(virtio_rng, large_read_is_filled_to_the_end)
{
	const size_t len = 4096 + 200;
	uint8_t *buf = kzalloc(len);

	if (!virtio_rng_present()) {
		kfree(buf);
		SKIP(NO_RNG);
	}
	CHECK(buf != NULL);
	CHECK_EQ(virtio_rng_read(buf, len), len);
	CHECK(!all_bytes_equal(buf + len - SMALL, SMALL));
	kfree(buf);
}
