/*
 * test_virtio_console.c — the virtio console against the host's device
 * (QEMU: -device virtio-serial-device or virtio-serial-pci, with
 * -device virtconsole on it).  Skips without one.
 *
 * Output is checked at both ends: here, that every buffer was handed over
 * and given back; on the host, by scripts/test-all.sh, that the lines
 * below are in the file the device wrote to.
 *
 * Input needs the host to say what it sent, or a missing byte could not be
 * told from a host that sent nothing: the harness passes
 * virtio_console.expect=TEXT and feeds TEXT to the device.  With that
 * option the text must arrive; without it, the test skips unless some
 * input arrives anyway.
 */
#include "kernel/console.h"
#include "kernel/test.h"
#include "kernel/timer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/virtio/virtio_console.h"
#include "tests/guest/console_input_test.h"

#define NO_CONSOLE "no virtio console (QEMU: -device virtio-serial-device or " \
		   "virtio-serial-pci, and -device virtconsole)"
/* scripts/test-all.sh looks for these lines in the device's output file. */
#define MARKER_LINE "virtio-console: this line went out through the virtio console\n"
#define BULK_LINES 256
#define BULK_LINE_BYTES 100     /* 25600 bytes: more than all output buffers hold */
#define INPUT_TIMEOUT_NS (10 * NSEC_PER_SEC)
#define UNANNOUNCED_WAIT_NS (200 * NSEC_PER_MSEC)

EXPECTED_INPUT_OPTION(virtio_console_expect, "virtio_console.expect",
		      "(tests) the host sends this text on the virtio console: "
		      "virtio_console.expect=TEXT (test virtio_console.input_from_the_host)");

TEST(virtio_console, printk_line_is_sent_and_reclaimed)
{
	const struct virtio_console_stats *stats = virtio_console_stats();
	struct virtio_console_stats before;

	if (!virtio_console_present())
		SKIP(NO_CONSOLE);
	before = *stats;
	printk("%s", MARKER_LINE);
	CHECK(stats->tx_buffers > before.tx_buffers);
	CHECK(stats->tx_bytes >= before.tx_bytes + strlen(MARKER_LINE));
	console_flush();
	CHECK_EQ(virtio_console_tx_in_flight(), 0);
	CHECK_EQ(stats->tx_completions, stats->tx_buffers);
	CHECK(virtio_console_present());
}

/* More than the driver's buffers hold at once: it must reclaim to go on. */
TEST(virtio_console, long_output_reuses_buffers)
{
	const struct virtio_console_stats *stats = virtio_console_stats();
	uint64_t buffers_before = stats->tx_buffers;
	char line[BULK_LINE_BYTES + 1];

	if (!virtio_console_present())
		SKIP(NO_CONSOLE);
	for (int i = 0; i < BULK_LINES; i++) {
		int n = snprintf(line, sizeof(line), "virtio-console: bulk line %03d ", i);

		memset(line + n, '.', BULK_LINE_BYTES - 1 - (size_t)n);
		line[BULK_LINE_BYTES - 1] = '\n';
		CHECK_EQ(virtio_console_write(line, BULK_LINE_BYTES), BULK_LINE_BYTES);
	}
	console_flush();
	CHECK_EQ(virtio_console_tx_in_flight(), 0);
	CHECK(stats->tx_buffers - buffers_before >= BULK_LINES * BULK_LINE_BYTES / 512);
	CHECK_EQ(stats->tx_completions, stats->tx_buffers);
	CHECK(virtio_console_present());
}

TEST(virtio_console, input_from_the_host)
{
	bool announced = expected_input[0] != '\0';
	uint64_t wait = announced ? INPUT_TIMEOUT_NS : UNANNOUNCED_WAIT_NS;
	char buf[256];
	size_t got;

	if (!virtio_console_present()) {
		if (announced) {
			test_fail(t, __FILE__, __LINE__, "virtio_console.expect= was given, "
				  "but there is no virtio console");
			return;
		}
		SKIP(NO_CONSOLE);
	}
	got = read_console_input(buf, sizeof(buf), announced ? expected_input : NULL,
				 time_now_ns() + wait);
	if (!announced) {
		if (got == 0)
			SKIP("no input from the host, and none announced (virtio_console.expect=TEXT)");
		return;         /* something came in; we cannot know what was meant */
	}
	if (!text_contains(buf, expected_input)) {
		test_fail(t, __FILE__, __LINE__, "'%s' did not arrive in %lu s (%zu bytes of "
			  "input)", expected_input, wait / NSEC_PER_SEC, got);
		return;
	}
	CHECK(virtio_console_stats()->rx_bytes >= strlen(expected_input));
}
