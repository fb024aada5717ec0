/*
 * virtio.c — the transport-independent part of pvkit-hv's virtio devices
 * (see host/virtio.h for the layers and the locking).
 *
 * The device status handshake (virtio 1.2, 3.1.1), as the driver drives it:
 *
 *   write 0                       reset: queues, features, interrupts forgotten
 *   ACKNOWLEDGE, then DRIVER      "I see a device", "I can drive it"
 *   read features, write its own  (only bits we offered; VERSION_1 required)
 *   FEATURES_OK, read it back     kept only if the features were acceptable
 *   set up each queue, ready = 1  rings checked against guest RAM here
 *   DRIVER_OK                     the device is live: queues are processed
 *
 * When the driver breaks the rules badly enough that the device cannot go
 * on (a ring outside RAM, an available index that jumps past the queue
 * size), the device sets DEVICE_NEEDS_RESET and raises a configuration
 * interrupt (3.1.1, 2.1.2); it stops touching the queues until the driver
 * resets it.  pvkit-hv itself keeps running.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "host/error.h"
#include "host/iothread.h"
#include "host/trace.h"
#include "host/virtio.h"

#define WHY_MAX 256

void virtio_device_init(struct virtio_device *dev, const char *name, uint32_t device_id,
			uint64_t device_features, unsigned int num_queues,
			const char *const queue_names[], uint16_t queue_size,
			const struct virtio_device_ops *ops, void *backend)
{
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->device_id = device_id;
	dev->features = device_features | VIRTIO_COMMON_FEATURES;
	dev->num_queues = num_queues < VIRTIO_MAX_QUEUES ? num_queues : VIRTIO_MAX_QUEUES;
	for (unsigned int q = 0; q < dev->num_queues; q++) {
		dev->queues[q].name = queue_names[q];
		dev->queues[q].max_size = queue_size;
		virtqueue_reset(&dev->queues[q]);
		dev->kick[q] = (struct virtio_kick){ .dev = dev, .q = q, .fd = -1 };
	}
	dev->ops = ops;
	dev->backend = backend;
	dev->backend_fd = -1;
	dev->transport_name = "none";
	pthread_mutex_init(&dev->lock, NULL);
}

void virtio_device_set_memory(struct virtio_device *dev, const struct guest_mem *mem)
{
	dev->mem = *mem;
}

void virtio_device_destroy(struct virtio_device *dev)
{
	for (unsigned int q = 0; q < dev->num_queues; q++)
		if (dev->kick[q].fd >= 0)
			close(dev->kick[q].fd);
	pthread_mutex_destroy(&dev->lock);
	if (dev->ops->destroy)
		dev->ops->destroy(dev);         /* last: it may free dev itself */
}

/* ---- reporting ---------------------------------------------------------- */

static void vreport(struct virtio_device *dev, const char *fmt, va_list ap)
{
	char text[WHY_MAX * 2];

	vsnprintf(text, sizeof(text), fmt, ap);
	TRACE("%s: %s", dev->name, text);
	if (dev->reported)
		return;
	dev->reported = true;
	fprintf(stderr, "pvkit-hv: %s (%s): %s (further problems of this device are "
		"shown only by --trace)\n", dev->name, dev->transport_name, text);
}

void virtio_report(struct virtio_device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(dev, fmt, ap);
	va_end(ap);
}

void virtio_device_fail(struct virtio_device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(dev, fmt, ap);
	va_end(ap);
	if (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	TRACE("%s: status DEVICE_NEEDS_RESET", dev->name);
	/* A driver that has finished setting up learns it from a
	 * configuration-change interrupt (virtio 1.2, 2.1.2). */
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		dev->config_interrupts++;
		TRACE("%s irq config", dev->name);
		dev->transport->interrupt(dev, VIRTIO_ISR_CONFIG, 0);
	}
}

bool virtio_device_running(const struct virtio_device *dev)
{
	return (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(dev->status & (VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED));
}

/* ---- features and status -------------------------------------------------- */

uint32_t virtio_device_features_window(const struct virtio_device *dev, uint32_t sel)
{
	return sel < 2 ? (uint32_t)(dev->features >> (32 * sel)) : 0;
}

uint32_t virtio_driver_features_window(const struct virtio_device *dev, uint32_t sel)
{
	return sel < 2 ? (uint32_t)(dev->driver_features >> (32 * sel)) : 0;
}

void virtio_set_driver_features_window(struct virtio_device *dev, uint32_t sel,
				       uint32_t value)
{
	/* Features are fixed once FEATURES_OK is set (3.1.1, step 5). */
	if (sel >= 2 || (dev->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	uint64_t mask = 0xffffffffull << (32 * sel);

	dev->driver_features = (dev->driver_features & ~mask) | ((uint64_t)value << (32 * sel));
}

static bool has_feature(const struct virtio_device *dev, unsigned int bit)
{
	return dev->driver_features & (1ull << bit);
}

static void watch_backend(struct virtio_device *dev, bool watch)
{
	if (dev->iothread != NULL && dev->backend_fd >= 0)
		iothread_watch(dev->iothread, dev->backend_fd, watch);
}

void virtio_watch_backend(struct virtio_device *dev, bool watch)
{
	watch_backend(dev, watch && virtio_device_running(dev));
}

static void reset(struct virtio_device *dev)
{
	TRACE("%s: reset", dev->name);
	watch_backend(dev, false);
	if (dev->ops->reset)
		dev->ops->reset(dev);
	for (unsigned int q = 0; q < dev->num_queues; q++)
		virtqueue_reset(&dev->queues[q]);
	dev->driver_features = 0;
	dev->status = 0;
	dev->isr = 0;
	if (dev->transport->reset)
		dev->transport->reset(dev);
}

/* FEATURES_OK: only what we offered, and always VERSION_1 (we are a
 * modern-only device: no legacy layout, everything little-endian). */
static bool accept_features(struct virtio_device *dev)
{
	uint64_t unknown = dev->driver_features & ~dev->features;

	if (unknown != 0) {
		virtio_report(dev, "driver accepted features %#" PRIx64 " that were not offered; "
			      "FEATURES_OK refused", unknown);
		return false;
	}
	if (!has_feature(dev, VIRTIO_F_VERSION_1)) {
		virtio_report(dev, "driver did not accept VIRTIO_F_VERSION_1 (legacy drivers are "
			      "not supported); FEATURES_OK refused");
		return false;
	}
	for (unsigned int q = 0; q < dev->num_queues; q++) {
		dev->queues[q].event_idx = has_feature(dev, VIRTIO_RING_F_EVENT_IDX);
		dev->queues[q].indirect = has_feature(dev, VIRTIO_RING_F_INDIRECT_DESC);
		dev->queues[q].packed = has_feature(dev, VIRTIO_F_RING_PACKED);
	}
	return true;
}

/* DRIVER_OK: process whatever the driver queued before it (receive
 * buffers, typically) and start watching the backend. */
static void start(struct virtio_device *dev)
{
	TRACE("%s: DRIVER_OK, features %#" PRIx64, dev->name, dev->driver_features);
	for (unsigned int q = 0; q < dev->num_queues; q++)
		if (dev->queues[q].ready && virtio_device_running(dev))
			dev->ops->process_queue(dev, q);
	virtio_watch_backend(dev, true);
}

void virtio_set_status(struct virtio_device *dev, uint8_t status)
{
	uint8_t old = dev->status;

	if (status == 0) {
		reset(dev);
		return;
	}
	/* NEEDS_RESET is the device's bit; the driver only adds bits. */
	status = (uint8_t)((status & ~VIRTIO_CONFIG_S_NEEDS_RESET) |
			   (old & VIRTIO_CONFIG_S_NEEDS_RESET));
	if ((status & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !accept_features(dev))
		status &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) && !(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		virtio_report(dev, "driver set DRIVER_OK without FEATURES_OK; ignored");
		status &= (uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK;
	}
	dev->status = status;
	TRACE("%s: status %#x", dev->name, status);
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK))
		start(dev);
}

/* ---- queues --------------------------------------------------------------- */

bool virtio_queue_configurable(const struct virtio_device *dev, unsigned int q)
{
	return q < dev->num_queues && !dev->queues[q].ready;
}

void virtio_queue_set_ready(struct virtio_device *dev, unsigned int q, bool ready)
{
	char why[WHY_MAX];

	if (q >= dev->num_queues)
		return;
	struct virtqueue *vq = &dev->queues[q];

	if (!ready) {
		vq->ready = false;
		return;
	}
	if (vq->ready)
		return;
	if (!virtqueue_enable(vq, &dev->mem, why, sizeof(why))) {
		virtio_device_fail(dev, "%s: %s; the device needs a reset", vq->name, why);
		return;
	}
	TRACE("%s %s ready: %s, size %u, desc %#" PRIx64 ", driver %#" PRIx64 ", device %#"
	      PRIx64, dev->name, vq->name, vq->packed ? "packed" : "split", vq->size,
	      vq->desc_addr, vq->driver_addr, vq->device_addr);
}

static void process(struct virtio_device *dev, unsigned int q, uint64_t kicks)
{
	dev->queues[q].notifications += kicks;
	TRACE("%s kick %s", dev->name, dev->queues[q].name);
	if (virtio_device_running(dev) && dev->queues[q].ready)
		dev->ops->process_queue(dev, q);
}

void virtio_notify(struct virtio_device *dev, unsigned int q)
{
	uint64_t one = 1;

	if (q >= dev->num_queues)
		return;
	if (dev->kick[q].fd < 0) {
		process(dev, q, 1);     /* no I/O thread: right here */
		return;
	}
	/* The same eventfd KVM signals when it has ioeventfd: the I/O thread
	 * cannot tell (and need not care) which way the notification came. */
	if (write(dev->kick[q].fd, &one, sizeof(one)) != sizeof(one))
		virtio_report(dev, "cannot signal the I/O thread: %s", strerror(errno));
}

void virtio_interrupt_if_wanted(struct virtio_device *dev, unsigned int q)
{
	struct virtqueue *vq = &dev->queues[q];

	if (!virtqueue_should_interrupt(vq)) {
		TRACE("%s %s: no interrupt (suppressed by the driver)", dev->name, vq->name);
		return;
	}
	vq->interrupts++;
	dev->transport->interrupt(dev, VIRTIO_ISR_QUEUE, q);
}

void virtio_complete(struct virtio_device *dev, unsigned int q, uint16_t head, uint32_t len)
{
	virtqueue_push(&dev->queues[q], head, len);
	virtio_interrupt_if_wanted(dev, q);
}

/* Pops one chain; handles the two failure kinds the same way for every
 * device.  Returns the pop result after that handling. */
static enum vq_pop_result pop(struct virtio_device *dev, unsigned int q)
{
	struct virtqueue *vq = &dev->queues[q];
	char why[WHY_MAX];
	enum vq_pop_result r = virtqueue_pop(vq, &dev->mem, &dev->chain, why, sizeof(why));

	switch (r) {
	case VQ_EMPTY:
		break;
	case VQ_BROKEN:
		virtio_device_fail(dev, "%s: %s; the device needs a reset", vq->name, why);
		break;
	case VQ_BAD_CHAIN:
		virtio_report(dev, "%s: chain at descriptor %u: %s; that request failed",
			      vq->name, dev->chain.head, why);
		virtqueue_push(vq, dev->chain.head, 0);
		break;
	case VQ_CHAIN:
		virtqueue_trace_chain(vq, dev->name, &dev->chain);
		break;
	}
	return r;
}

void virtio_process_chains(struct virtio_device *dev, unsigned int q, virtio_chain_fn *handle)
{
	struct virtqueue *vq = &dev->queues[q];
	bool completed = false;

	while (virtio_device_running(dev)) {
		enum vq_pop_result r = pop(dev, q);

		if (r == VQ_EMPTY || r == VQ_BROKEN)
			break;
		if (r == VQ_CHAIN)
			virtqueue_push(vq, dev->chain.head, handle(dev, vq, &dev->chain));
		completed = true;
	}
	if (completed)
		virtio_interrupt_if_wanted(dev, q);
}

bool virtio_take_chain(struct virtio_device *dev, unsigned int q)
{
	while (virtio_device_running(dev) && dev->queues[q].ready) {
		enum vq_pop_result r = pop(dev, q);

		if (r == VQ_CHAIN)
			return true;
		if (r != VQ_BAD_CHAIN)
			return false;
		virtio_interrupt_if_wanted(dev, q);
	}
	return false;
}

/* ---- configuration space ---------------------------------------------------- */

uint64_t virtio_config_read(const struct virtio_device *dev, uint64_t offset, unsigned int size)
{
	uint64_t value = 0;

	for (unsigned int i = 0; i < size && i < 8; i++)
		if (offset < dev->config_size && i < dev->config_size - offset)
			value |= (uint64_t)dev->config[offset + i] << (8 * i);
	return value;
}

void virtio_config_write(struct virtio_device *dev, uint64_t offset, unsigned int size,
			 uint64_t value)
{
	TRACE("%s: config write offset %#" PRIx64 " size %u value %#" PRIx64 " ignored (no "
	      "writable fields)", dev->name, offset, size, value);
}

/* ---- the I/O thread ------------------------------------------------------- */

static void kick_ready(void *opaque)
{
	struct virtio_kick *kick = opaque;
	uint64_t count;

	if (read(kick->fd, &count, sizeof(count)) != sizeof(count))
		return;         /* EAGAIN: another wakeup took it */
	pthread_mutex_lock(&kick->dev->lock);
	process(kick->dev, kick->q, count);
	pthread_mutex_unlock(&kick->dev->lock);
}

static void backend_ready(void *opaque)
{
	struct virtio_device *dev = opaque;

	pthread_mutex_lock(&dev->lock);
	if (virtio_device_running(dev))
		dev->ops->backend_ready(dev);
	else
		watch_backend(dev, false);
	pthread_mutex_unlock(&dev->lock);
}

bool virtio_device_use_iothread(struct virtio_device *dev, struct iothread *iothread,
				char *err, size_t err_len)
{
	for (unsigned int q = 0; q < dev->num_queues; q++) {
		struct virtio_kick *kick = &dev->kick[q];

		kick->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (kick->fd < 0 || !iothread_add(iothread, kick->fd, kick_ready, kick))
			return error_set(err, err_len, "%s: cannot set up the %s notification: %s",
					 dev->name, dev->queues[q].name, strerror(errno));
	}
	if (dev->backend_fd >= 0) {
		if (iothread_add(iothread, dev->backend_fd, backend_ready, dev)) {
			iothread_watch(iothread, dev->backend_fd, false);  /* until DRIVER_OK */
		} else if (errno == EPERM) {
			/* epoll cannot watch a regular file or /dev/null (stdin
			 * redirected from one): the device gets no input. */
			TRACE("%s: backend fd %d cannot be polled: no input", dev->name,
			      dev->backend_fd);
			dev->backend_fd = -1;
		} else {
			return error_set(err, err_len, "%s: cannot watch the backend: %s",
					 dev->name, strerror(errno));
		}
	}
	dev->iothread = iothread;
	return true;
}
