/*
 * virtio_rng.c — the virtio entropy device (virtio 1.2, 5.4): the
 * simplest virtio device there is.  It has one queue and no configuration:
 * the driver posts a device-writable buffer, the device fills some or all
 * of it with random bytes and returns it with the count in the used length.
 *
 * One request at a time, waited for with interrupts (virtio_wait): the
 * queue's callback, run from the device's interrupt, takes the buffer back.
 */
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "kernel/timer.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_rng.h"

#define RNG_QUEUE               0       /* requestq */
#define RNG_QUEUE_SIZE          8       /* one buffer in flight at a time */
#define RNG_TIMEOUT_NS          (5 * NSEC_PER_SEC)
#define RNG_EMPTY_ANSWERS_MAX   100     /* then we stop asking */

struct virtio_rng {
	struct virtio_device *dev;
	struct virtqueue *vq;
	volatile bool done;
	volatile uint32_t filled;
	uint64_t interrupt_completions;
};

static struct virtio_rng *first_rng;

static void rng_queue_callback(struct virtqueue *vq)
{
	struct virtio_rng *rng = vq->priv;
	uint32_t len;

	if (virtqueue_get_buf(vq, &len)) {
		rng->filled = len;
		rng->done = true;
		rng->interrupt_completions++;
	}
}

static bool request_done(void *arg)
{
	struct virtio_rng *rng = arg;

	return rng->done || rng->dev->broken;
}

/* One buffer to the device and back: the bytes it filled, or -errno. */
static long rng_request(struct virtio_rng *rng, uint8_t *buf, uint32_t len)
{
	struct virtio_sg sg = { .addr = virt_to_phys(buf), .len = len };
	bool was_enabled = irq_save();
	long result;

	rng->done = false;
	result = virtqueue_add(rng->vq, &sg, 0, 1, rng);
	if (result == 0) {
		virtqueue_kick(rng->vq);
		result = virtio_wait(request_done, rng, RNG_TIMEOUT_NS);
		if (result == -ETIMEDOUT)
			virtio_device_broken(rng->dev, "rng: no answer in %lu s",
					     RNG_TIMEOUT_NS / NSEC_PER_SEC);
		else if (rng->dev->broken)
			result = -EIO;
		else
			result = rng->filled;
	}
	irq_restore(was_enabled);
	return result;
}

long virtio_rng_read(void *buf, size_t len)
{
	size_t done = 0;
	unsigned int empty_answers = 0;

	if (!first_rng)
		return -ENODEV;
	while (done < len) {
		size_t chunk = len - done > PAGE_SIZE ? PAGE_SIZE : len - done;
		long got = rng_request(first_rng, (uint8_t *)buf + done, (uint32_t)chunk);

		if (got < 0)
			return got;
		if (got == 0 && ++empty_answers == RNG_EMPTY_ANSWERS_MAX)
			return -EIO;
		done += (size_t)got;    /* a device may return fewer bytes: ask again */
	}
	return (long)len;
}

bool virtio_rng_present(void)
{
	return first_rng && !first_rng->dev->broken;
}

uint64_t virtio_rng_interrupt_completions(void)
{
	return first_rng ? first_rng->interrupt_completions : 0;
}

static int rng_probe(struct virtio_device *dev)
{
	struct virtio_rng *rng = kzalloc(sizeof(*rng));

	if (!rng)
		return -ENOMEM;
	rng->dev = dev;
	rng->vq = virtqueue_create(dev, RNG_QUEUE, RNG_QUEUE_SIZE, rng_queue_callback);
	if (!rng->vq) {
		kfree(rng);
		return -ENODEV;
	}
	rng->vq->priv = rng;
	dev->driver_data = rng;
	if (!first_rng)
		first_rng = rng;
	return 0;
}

VIRTIO_DRIVER(rng, .name = "virtio-rng", .device_id = VIRTIO_ID_RNG, .probe = rng_probe);
