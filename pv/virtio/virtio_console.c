/*
 * virtio_console.c — the virtio console device (virtio 1.2, 5.3) as one of
 * the kernel's consoles: once it is probed, printk's output also goes out
 * through it, and what the host sends can be read with console_read().
 *
 * One port only.  A device that offers VIRTIO_CONSOLE_F_MULTIPORT has a
 * control queue pair and ports that come and go; we do not negotiate the
 * feature, and then the device has exactly one port, port 0, on two
 * queues (5.3.2):
 *   receiveq0  (queue 0)  device-writable buffers: the host's input
 *   transmitq0 (queue 1)  device-readable buffers: our output
 *
 * Output: the text is copied into one of TX_BUFFERS buffers, added, and the
 * device is kicked.  The device gives each buffer back once it has passed
 * the bytes on; we take them back (reclaim) at the next write, with no
 * interrupt at all for this queue.  When every buffer is still out, we poll
 * the used ring — with interrupts off, because printk may run inside an
 * interrupt handler, where we must not sleep — for at most TX_TIMEOUT_NS.
 * A device that takes longer is declared broken, and its .broken hook takes
 * this console off the list: printk goes on through the UART.
 *
 * Input: RX_BUFFERS buffers are kept posted.  The device fills one and
 * interrupts; the callback puts it on a list of filled buffers, in arrival
 * order.  console_read() copies bytes out of them and posts each emptied
 * buffer again.  While nobody reads, the buffers stay full and the device
 * keeps the rest of its input to itself: flow control for free.
 */
#include <linux/virtio_console.h>

#include "arch/x86/cpu.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "kernel/timer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_console.h"

#define RECEIVEQ0               0
#define TRANSMITQ0              1
#define TX_BUFFERS              16
#define TX_BUFFER_BYTES         512     /* a whole printk buffer (256) fits in one */
#define RX_BUFFERS              8
#define RX_BUFFER_BYTES         256
#define TX_TIMEOUT_NS           (5 * NSEC_PER_SEC)

struct tx_buffer {
	char data[TX_BUFFER_BYTES];
	bool in_flight;
};

struct rx_buffer {
	char data[RX_BUFFER_BYTES];
	uint32_t filled;                /* bytes the device wrote */
	uint32_t consumed;              /* of those, bytes console_read took */
};

struct virtio_console {
	struct virtio_device *dev;
	struct virtqueue *rx, *tx;
	struct tx_buffer *tx_buffers;   /* [tx_count] */
	unsigned int tx_count;          /* TX_BUFFERS, or fewer if the ring is smaller */
	struct rx_buffer *rx_buffers;   /* [RX_BUFFERS] */
	/* Filled input buffers, oldest first: a ring of RX_BUFFERS pointers. */
	struct rx_buffer *filled[RX_BUFFERS];
	unsigned int filled_first, filled_count;
	bool rx_announced;              /* receiveq0 kicked once after DRIVER_OK */
	struct console_driver console;
	struct virtio_console_stats stats;
};

/* The console layer's hooks take no argument: one device is the console. */
static struct virtio_console *the_console;

/*
 * Usable now?  Between probe and DRIVER_OK the console is already on the
 * list but the device is not live yet: its output is dropped.  The first
 * call after DRIVER_OK also tells the device about the receive buffers
 * posted at probe time: a driver must not notify before DRIVER_OK (3.1.1),
 * and the core sets it only after probe returns.
 */
static bool console_live(struct virtio_console *con)
{
	if (!con || !con->dev->ready || con->dev->broken)
		return false;
	if (!con->rx_announced) {
		con->rx_announced = true;
		if (virtqueue_kick(con->rx))
			con->stats.notifications++;
	}
	return true;
}

/* ---- output -------------------------------------------------------------------- */

/* Takes back every output buffer the device has finished with.  The device
 * writes nothing into them; the core already refuses a used length above 0. */
static void reclaim_tx(struct virtio_console *con)
{
	struct tx_buffer *buf;

	while ((buf = virtqueue_get_buf(con->tx, NULL))) {
		buf->in_flight = false;
		con->stats.tx_completions++;
	}
}

static struct tx_buffer *free_tx_buffer(struct virtio_console *con)
{
	for (unsigned int i = 0; i < con->tx_count; i++)
		if (!con->tx_buffers[i].in_flight)
			return &con->tx_buffers[i];
	return NULL;
}

static bool has_free_tx_buffer(struct virtio_console *con)
{
	return free_tx_buffer(con) != NULL;
}

static bool all_tx_returned(struct virtio_console *con)
{
	return virtqueue_in_flight(con->tx) == 0;
}

/*
 * Polls the transmit queue until done(con), for at most TX_TIMEOUT_NS.
 * Polling, not virtio_wait(): we may be inside an interrupt handler's
 * printk.  Every buffer added has been kicked already, so the device has
 * all it needs to make progress.  false: the device broke (or we broke it).
 */
static bool poll_tx(struct virtio_console *con, bool (*done)(struct virtio_console *con))
{
	uint64_t deadline = time_now_ns() + TX_TIMEOUT_NS;

	for (;;) {
		reclaim_tx(con);
		if (con->dev->broken)
			return false;
		if (done(con))
			return true;
		if (time_now_ns() >= deadline) {
			virtio_device_broken(con->dev, "console: output not taken in %lu s",
					     TX_TIMEOUT_NS / NSEC_PER_SEC);
			return false;
		}
		cpu_relax();
	}
}

/* One buffer's worth (at most TX_BUFFER_BYTES): copied, added, kicked. */
static int send_chunk(struct virtio_console *con, const char *s, uint32_t len)
{
	struct tx_buffer *buf;
	struct virtio_sg sg;
	int error;

	reclaim_tx(con);
	if (!has_free_tx_buffer(con) && !poll_tx(con, has_free_tx_buffer))
		return -EIO;
	buf = free_tx_buffer(con);
	memcpy(buf->data, s, len);
	sg = (struct virtio_sg){ .addr = virt_to_phys(buf->data), .len = len };
	error = virtqueue_add(con->tx, &sg, 1, 0, buf);
	if (error)
		return error;
	buf->in_flight = true;
	con->stats.tx_buffers++;
	con->stats.tx_bytes += len;
	if (virtqueue_kick(con->tx))
		con->stats.notifications++;
	return 0;
}

/* Bytes are sent as they are: no "\n" → "\r\n" as for the UART, because a
 * virtio console is a byte pipe (often into a file), not a terminal. */
static long send(struct virtio_console *con, const char *s, size_t len)
{
	bool was_enabled = irq_save();
	long result = (long)len;

	if (!console_live(con))
		result = -ENODEV;
	for (size_t done = 0; result >= 0 && done < len;) {
		uint32_t chunk = len - done < TX_BUFFER_BYTES ? (uint32_t)(len - done) :
				 TX_BUFFER_BYTES;
		int error = send_chunk(con, s + done, chunk);

		if (error)
			result = error;
		done += chunk;
	}
	irq_restore(was_enabled);
	return result;
}

static void console_hook_write(const char *s, size_t len)
{
	send(the_console, s, len);      /* a console that failed is being dropped */
}

/* Waits until the device has taken every buffer (kernel_exit calls this, so
 * that the last lines reach the host before the machine stops). */
static void console_hook_flush(void)
{
	bool was_enabled = irq_save();

	if (console_live(the_console))
		poll_tx(the_console, all_tx_returned);
	irq_restore(was_enabled);
}

/* ---- input --------------------------------------------------------------------- */

static int post_rx_buffer(struct virtio_console *con, struct rx_buffer *buf)
{
	struct virtio_sg sg = { .addr = virt_to_phys(buf->data), .len = RX_BUFFER_BYTES };

	buf->filled = 0;
	buf->consumed = 0;
	return virtqueue_add(con->rx, &sg, 0, 1, buf);
}

/* Interrupt context: filled buffers join the list, in the order they came. */
static void rx_callback(struct virtqueue *vq)
{
	struct virtio_console *con = vq->priv;
	struct rx_buffer *buf;
	uint32_t len;

	while ((buf = virtqueue_get_buf(vq, &len))) {
		/* The core checked len against the buffer's writable bytes; we
		 * check it again against the array we are about to copy from,
		 * since that is the bound that protects our memory. */
		if (len > sizeof(buf->data)) {
			virtio_device_broken(con->dev, "console: %u bytes of input in a "
					     "%zu-byte buffer", len, sizeof(buf->data));
			return;
		}
		buf->filled = len;
		con->stats.rx_buffers++;
		con->stats.rx_bytes += len;
		con->filled[(con->filled_first + con->filled_count) % RX_BUFFERS] = buf;
		con->filled_count++;    /* at most RX_BUFFERS buffers exist */
	}
}

/* Copies from the oldest filled buffer; an emptied buffer is posted again. */
static size_t take_input(struct virtio_console *con, char *out, size_t len, bool *reposted)
{
	struct rx_buffer *buf = con->filled[con->filled_first];
	size_t n = buf->filled - buf->consumed;

	if (n > len)
		n = len;
	memcpy(out, buf->data + buf->consumed, n);
	buf->consumed += (uint32_t)n;
	if (buf->consumed == buf->filled) {
		con->filled_first = (con->filled_first + 1) % RX_BUFFERS;
		con->filled_count--;
		if (post_rx_buffer(con, buf) == 0)
			*reposted = true;
	}
	return n;
}

static size_t console_hook_read(char *out, size_t len)
{
	struct virtio_console *con = the_console;
	bool was_enabled = irq_save();
	bool reposted = false;
	size_t got = 0;

	if (console_live(con)) {
		while (got < len && con->filled_count > 0)
			got += take_input(con, out + got, len - got, &reposted);
		/* A device with no buffer may have stopped listening to its
		 * input until we give it one: tell it. */
		if (reposted && virtqueue_kick(con->rx))
			con->stats.notifications++;
	}
	irq_restore(was_enabled);
	return got;
}

/* ---- the device ------------------------------------------------------------------ */

/* The device was reset: whatever it holds is gone; stop being a console. */
static void console_broken(struct virtio_device *dev)
{
	struct virtio_console *con = dev->driver_data;

	if (con)
		console_unregister(&con->console);
}

static int create_queues(struct virtio_console *con)
{
	con->rx = virtqueue_create(con->dev, RECEIVEQ0, RX_BUFFERS, rx_callback);
	con->tx = con->rx ? virtqueue_create(con->dev, TRANSMITQ0, TX_BUFFERS, NULL) : NULL;
	if (!con->tx)
		return -ENODEV;         /* the core frees what was created */
	con->rx->priv = con;
	con->tx->priv = con;
	/* Output buffers are reclaimed on the next write: no interrupts. */
	virtqueue_disable_cb(con->tx);
	con->tx_count = con->tx->size < TX_BUFFERS ? con->tx->size : TX_BUFFERS;
	return 0;
}

static int console_probe(struct virtio_device *dev)
{
	struct virtio_console *con;
	int error;

	if (the_console) {
		snprintf(dev->problem, sizeof(dev->problem),
			 "virtio-console: %s is the console already", the_console->dev->name);
		return -EBUSY;
	}
	con = kzalloc(sizeof(*con));
	if (!con)
		return -ENOMEM;
	con->dev = dev;
	con->tx_buffers = kzalloc(TX_BUFFERS * sizeof(*con->tx_buffers));
	con->rx_buffers = kzalloc(RX_BUFFERS * sizeof(*con->rx_buffers));
	error = con->tx_buffers && con->rx_buffers ? create_queues(con) : -ENOMEM;
	/* Posting comes last, so that no failure above leaves a buffer posted
	 * in memory we free.  The ring has room: it was made RX_BUFFERS long,
	 * or shorter, and then the extra buffers just stay unused. */
	for (unsigned int i = 0; !error && i < RX_BUFFERS && i < con->rx->size; i++)
		error = post_rx_buffer(con, &con->rx_buffers[i]);
	if (error) {
		kfree(con->tx_buffers);
		kfree(con->rx_buffers);
		kfree(con);
		return error;
	}
	con->console = (struct console_driver){
		.name = "virtio-console", .write = console_hook_write,
		.flush = console_hook_flush, .read = console_hook_read,
	};
	dev->driver_data = con;
	the_console = con;
	console_register(&con->console);
	return 0;
}

/* No device feature bits: not MULTIPORT (one port is all we drive), not SIZE
 * (no terminal geometry to care about), not EMERG_WRITE (the queue works as
 * early as we could use it). */
VIRTIO_DRIVER(console, .name = "virtio-console", .device_id = VIRTIO_ID_CONSOLE,
	      .features = 0, .probe = console_probe, .broken = console_broken);

/* ---- for tests ----------------------------------------------------------------------- */

bool virtio_console_present(void)
{
	return the_console && the_console->dev->ready && !the_console->dev->broken;
}

long virtio_console_write(const void *buf, size_t len)
{
	return send(the_console, buf, len);
}

unsigned int virtio_console_tx_in_flight(void)
{
	return the_console ? virtqueue_in_flight(the_console->tx) : 0;
}

const struct virtio_console_stats *virtio_console_stats(void)
{
	static const struct virtio_console_stats none;

	return the_console ? &the_console->stats : &none;
}
