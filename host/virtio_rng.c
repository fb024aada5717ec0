/*
 * virtio_rng.c — virtio-rng (see host/virtio_rng.h).  Every writable byte
 * of a chain is filled; device-readable buffers carry nothing for this
 * device and are ignored.  The used length is the number of bytes filled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <linux/virtio_ids.h>

#include "host/error.h"
#include "host/trace.h"
#include "host/virtio_rng.h"

struct virtio_rng {
	struct virtio_device dev;
};

/* getrandom from the urandom pool: it blocks only before the host's pool
 * is first initialised, long before pvkit-hv runs. */
static uint32_t fill_segment(const struct vq_segment *s)
{
	uint32_t done = 0;

	while (done < s->len) {
		ssize_t n = getrandom(s->host + done, s->len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (uint32_t)n;
	}
	return done;
}

static uint32_t fill_chain(struct virtio_device *dev, struct virtqueue *vq,
			   struct vq_chain *chain)
{
	uint64_t filled = 0;

	(void)vq;
	for (unsigned int i = chain->readable; i < chain->count; i++) {
		uint32_t n = fill_segment(&chain->seg[i]);

		filled += n;
		if (n < chain->seg[i].len)
			break;
	}
	TRACE("%s filled %llu random bytes", dev->name, (unsigned long long)filled);
	return filled > UINT32_MAX ? UINT32_MAX : (uint32_t)filled;
}

static void process_queue(struct virtio_device *dev, unsigned int q)
{
	virtio_process_chains(dev, q, fill_chain);
}

static void destroy(struct virtio_device *dev)
{
	free(dev->backend);
}

static const struct virtio_device_ops rng_ops = {
	.process_queue = process_queue,
	.destroy = destroy,
};

struct virtio_device *virtio_rng_create(unsigned int index, char *err, size_t err_len)
{
	static const char *const queue_names[] = { "requestq" };
	struct virtio_rng *rng = calloc(1, sizeof(*rng));
	char name[VIRTIO_NAME_MAX];

	if (rng == NULL) {
		error_set(err, err_len, "out of memory");
		return NULL;
	}
	snprintf(name, sizeof(name), "virtio-rng%u", index);
	virtio_device_init(&rng->dev, name, VIRTIO_ID_RNG, 0, 1, queue_names,
			   VIRTIO_RNG_QUEUE_SIZE, &rng_ops, rng);
	return &rng->dev;
}
