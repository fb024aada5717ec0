/*
 * test_console.c — the console layer with pretend drivers: input from
 * every driver reaches console_read, and a driver that takes itself off
 * the list in the middle of console_write (what virtio-console does when
 * its device breaks) neither loses the text for the drivers after it nor
 * hears from the layer again.
 */
#include "kernel/console.h"
#include "kernel/test.h"
#include "lib/string.h"

/*
 * The real consoles are taken off the list while a test runs and put back
 * in their order afterwards: they may hold input meant for their own tests
 * (the harness feeds the virtio console at boot), and the test's text is
 * not for the host's eyes.
 */
#define MAX_SAVED 8

static unsigned int detach_consoles(struct console_driver **saved)
{
	unsigned int n = 0;

	while (console_drivers() && n < MAX_SAVED) {
		saved[n] = (struct console_driver *)console_drivers();
		console_unregister(saved[n++]);
	}
	return n;
}

static void reattach_consoles(struct console_driver **saved, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		console_register(saved[i]);
}

/* ---- a driver with input waiting --------------------------------------- */

static const char *fake_input;

static size_t fake_read(char *buf, size_t len)
{
	size_t n = strlen(fake_input);

	if (n > len)
		n = len;
	memcpy(buf, fake_input, n);
	fake_input += n;
	return n;
}

static void ignore_write(const char *s, size_t len)
{
	(void)s;
	(void)len;
}

static struct console_driver reader = {
	.name = "test-reader", .write = ignore_write, .read = fake_read,
};

TEST(console, read_collects_driver_input)
{
	struct console_driver *saved[MAX_SAVED];
	unsigned int n = detach_consoles(saved);
	char buf[16];
	size_t got, got_after;

	fake_input = "typed";
	console_register(&reader);
	got = console_read(buf, 3);                     /* a partial read ... */
	got += console_read(buf + got, sizeof(buf) - got);      /* ... and the rest */
	console_unregister(&reader);
	fake_input = "later";
	got_after = console_read(buf + got, sizeof(buf) - got); /* not asked any more */
	reattach_consoles(saved, n);

	CHECK(n > 0 && n < MAX_SAVED);
	CHECK_EQ(got, 5);
	CHECK(memcmp(buf, "typed", 5) == 0);
	CHECK_EQ(got_after, 0);
	CHECK_EQ(strlen(fake_input), 5);
}

/* ---- a driver that drops out while writing ------------------------------ */

static unsigned int quitter_writes;
static size_t after_bytes;

static void quitter_write(const char *s, size_t len);

static struct console_driver quitter = { .name = "test-quitter", .write = quitter_write };

static void quitter_write(const char *s, size_t len)
{
	(void)s;
	(void)len;
	quitter_writes++;
	console_unregister(&quitter);
}

static void after_write(const char *s, size_t len)
{
	(void)s;
	after_bytes += len;
}

static struct console_driver after = { .name = "test-after", .write = after_write };

TEST(console, driver_leaving_inside_write_keeps_the_rest)
{
	struct console_driver *saved[MAX_SAVED];
	unsigned int n = detach_consoles(saved);
	const struct console_driver *left;

	quitter_writes = 0;
	after_bytes = 0;
	console_register(&quitter);
	console_register(&after);
	console_write("abc", 3);
	console_write("de", 2);
	console_unregister(&after);
	left = console_drivers();
	reattach_consoles(saved, n);

	CHECK(n > 0 && n < MAX_SAVED);
	CHECK(left == NULL);            /* the quitter is gone, by its own hand */
	CHECK_EQ(quitter_writes, 1);
	CHECK_EQ(after_bytes, 5);
}
