/*
 * virtio.c — the virtio core: the list of devices the transports found,
 * binding each to the driver for its device id, the device-status
 * handshake (virtio 1.2, 3.1.1), interrupts, and broken devices.
 *
 * The handshake, in the order the specification requires:
 *   reset → ACKNOWLEDGE ("I see you") → DRIVER ("I can drive you") →
 *   read the device's features, write the subset we want → FEATURES_OK,
 *   and read the status back: a device that does not accept the subset
 *   clears FEATURES_OK → the driver sets up its queues → DRIVER_OK.
 * Any failure resets the device, so that it never uses half-built rings.
 */
#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/timer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_mmio.h"
#include "pv/virtio/virtio_pci.h"

/* Features the core itself implements, offered on behalf of every driver. */
#define CORE_FEATURES ((1ull << VIRTIO_F_VERSION_1) | \
		       (1ull << VIRTIO_RING_F_EVENT_IDX) | \
		       (1ull << VIRTIO_RING_F_INDIRECT_DESC))
#define CONFIG_READ_TRIES 100

extern const struct virtio_driver __virtio_drivers_start[], __virtio_drivers_end[];

static struct virtio_device *devices;
static unsigned int device_count;

struct virtio_device *virtio_first_device(void)
{
	return devices;
}

static const struct virtio_driver *find_driver(uint32_t device_id)
{
	for (const struct virtio_driver *d = __virtio_drivers_start;
	     d < __virtio_drivers_end; d++)
		if (d->device_id == device_id)
			return d;
	return NULL;
}

static void add_status(struct virtio_device *dev, uint8_t bits)
{
	dev->ops->set_status(dev, dev->ops->get_status(dev) | bits);
}

static void free_queues(struct virtio_device *dev)
{
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		virtqueue_destroy(dev->queues[i]);
}

/* Gives up on a device during the handshake: reset first (it must stop
 * using the rings), then free them. */
static void fail_handshake(struct virtio_device *dev, const char *why)
{
	if (why)
		strlcpy(dev->problem, why, sizeof(dev->problem));
	dev->ops->set_status(dev, dev->ops->get_status(dev) | VIRTIO_CONFIG_S_FAILED);
	dev->ops->reset(dev);
	free_queues(dev);
}

static bool negotiate_features(struct virtio_device *dev)
{
	uint64_t wanted = dev->driver->features | CORE_FEATURES;

	/* Packed rings (virtqueue_packed.c) whenever the device has them,
	 * unless virtio.packed=off asks for split ones. */
	if (virtio_packed_allowed())
		wanted |= 1ull << VIRTIO_F_RING_PACKED;

	dev->device_features = dev->ops->get_features(dev);
	if (!(dev->device_features & (1ull << VIRTIO_F_VERSION_1))) {
		fail_handshake(dev, "legacy device: no VIRTIO_F_VERSION_1");
		return false;
	}
	dev->features = dev->device_features & wanted;
	dev->ops->set_features(dev, dev->features);
	add_status(dev, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(dev->ops->get_status(dev) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		fail_handshake(dev, "the device refused our features (FEATURES_OK cleared)");
		return false;
	}
	return true;
}

static void bind_driver(struct virtio_device *dev)
{
	int error;

	dev->ops->reset(dev);
	add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(dev, VIRTIO_CONFIG_S_DRIVER);
	if (!negotiate_features(dev))
		return;
	error = dev->driver->probe(dev);
	if (error) {
		if (!dev->problem[0])
			snprintf(dev->problem, sizeof(dev->problem), "%s: probe failed: %s",
				 dev->driver->name, errno_name(error));
		fail_handshake(dev, NULL);
		return;
	}
	error = dev->ops->setup_interrupts(dev);
	if (error) {
		snprintf(dev->problem, sizeof(dev->problem), "no interrupt: %s",
			 errno_name(error));
		virtio_device_broken(dev, "%s", dev->problem);
		return;
	}
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		if (dev->queues[i])
			dev->ops->queue_enable(dev, i);
	add_status(dev, VIRTIO_CONFIG_S_DRIVER_OK);
	dev->ready = true;
}

void virtio_device_register(struct virtio_device *dev)
{
	struct virtio_device **tail = &devices;

	snprintf(dev->name, sizeof(dev->name), "virtio%u", device_count++);
	while (*tail)
		tail = &(*tail)->next;
	dev->next = NULL;
	*tail = dev;

	dev->driver = find_driver(dev->device_id);
	if (!dev->driver) {
		strlcpy(dev->problem, "no driver", sizeof(dev->problem));
		return;         /* left alone, as the firmware left it */
	}
	bind_driver(dev);
}

void virtio_device_broken(struct virtio_device *dev, const char *fmt, ...)
{
	va_list ap;

	if (dev->broken)
		return;
	dev->broken = true;
	dev->ready = false;
	va_start(ap, fmt);
	vsnprintf(dev->problem, sizeof(dev->problem), fmt, ap);
	va_end(ap);
	printk("virtio: %s (%s): broken: %s; device reset\n", dev->name,
	       dev->driver ? dev->driver->name : "no driver", dev->problem);
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		if (dev->queues[i])
			virtqueue_set_broken(dev->queues[i]);
	dev->ops->reset(dev);
	if (dev->driver && dev->driver->broken)
		dev->driver->broken(dev);
}

void virtio_interrupt(struct virtio_device *dev, uint32_t why)
{
	dev->interrupts++;
	if (dev->broken)
		return;
	if (why & VIRTIO_INTERRUPT_CONFIG) {
		uint8_t status = dev->ops->get_status(dev);

		if (status & VIRTIO_CONFIG_S_NEEDS_RESET) {
			virtio_device_broken(dev, "the device set DEVICE_NEEDS_RESET "
					     "(status %#x)", status);
			return;
		}
		if (dev->driver && dev->driver->config_changed)
			dev->driver->config_changed(dev);
	}
	if (why & VIRTIO_INTERRUPT_QUEUE)
		for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES && !dev->broken; i++)
			if (dev->queues[i] && dev->queues[i]->callback)
				dev->queues[i]->callback(dev->queues[i]);
}

/* Reads one piece of at most 8 bytes at a naturally aligned offset with
 * accesses of its own width (8 bytes as two 4-byte halves, 3.1.5). */
static void read_piece(struct virtio_device *dev, unsigned int offset, uint8_t *buf,
		       unsigned int len)
{
	if (len == 8) {
		dev->ops->read_config(dev, offset, buf, 4);
		dev->ops->read_config(dev, offset + 4, buf + 4, 4);
	} else {
		dev->ops->read_config(dev, offset, buf, len);
	}
}

static unsigned int piece_size(unsigned int offset, unsigned int left)
{
	static const unsigned int sizes[] = { 8, 4, 2 };

	for (unsigned int i = 0; i < 3; i++)
		if (left >= sizes[i] && offset % sizes[i] == 0)
			return sizes[i];
	return 1;
}

/* The device may change its configuration while we read it; the
 * generation counter changes with it, so read until it did not move. */
void virtio_config_read(struct virtio_device *dev, unsigned int offset, void *buf,
			unsigned int len)
{
	for (int tries = 0; tries < CONFIG_READ_TRIES; tries++) {
		uint32_t before = dev->ops->config_generation(dev);

		for (unsigned int done = 0; done < len;) {
			unsigned int n = piece_size(offset + done, len - done);

			read_piece(dev, offset + done, (uint8_t *)buf + done, n);
			done += n;
		}
		if (dev->ops->config_generation(dev) == before)
			return;
	}
	virtio_device_broken(dev, "configuration generation never settles");
}

int virtio_wait(bool (*done)(void *arg), void *arg, uint64_t timeout_ns)
{
	return wait_until(done, arg, timeout_ns);
}

void virtio_init(void)
{
	virtio_mmio_probe();
	virtio_pci_probe();
}

static const char *device_type_name(uint32_t id)
{
	switch (id) {
	case VIRTIO_ID_NET: return "net";
	case VIRTIO_ID_BLOCK: return "blk";
	case VIRTIO_ID_CONSOLE: return "console";
	case VIRTIO_ID_RNG: return "rng";
	case VIRTIO_ID_BALLOON: return "balloon";
	case VIRTIO_ID_SCSI: return "scsi";
	case VIRTIO_ID_9P: return "9p";
	case VIRTIO_ID_GPU: return "gpu";
	case VIRTIO_ID_INPUT: return "input";
	case VIRTIO_ID_VSOCK: return "vsock";
	case VIRTIO_ID_CRYPTO: return "crypto";
	case VIRTIO_ID_FS: return "fs";
	}
	return "unknown type";
}

void virtio_report(void)
{
	char where[64];

	for (struct virtio_device *d = devices; d; d = d->next) {
		d->ops->describe(d, where, sizeof(where));
		printk("virtio: %s: %s (id %u) on %s: ", d->name, device_type_name(d->device_id),
		       d->device_id, where);
		if (d->ready)
			printk("%s, features %#lx%s%s%s\n", d->driver->name, d->features,
			       virtio_has_feature(d, VIRTIO_F_RING_PACKED) ? " packed" : " split",
			       virtio_has_feature(d, VIRTIO_RING_F_EVENT_IDX) ? " event-idx" : "",
			       virtio_has_feature(d, VIRTIO_RING_F_INDIRECT_DESC) ?
			       " indirect" : "");
		else
			printk("%s%s%s\n", d->driver ? d->driver->name : "",
			       d->driver ? ": " : "", d->problem);
	}
}
