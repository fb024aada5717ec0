/*
 * virtio_mmio.c — the virtio-mmio version 2 register block (see
 * host/virtio_mmio.h; the registers are VIRTIO_MMIO_* of
 * <linux/virtio_mmio.h>, described in virtio 1.2, 4.2.2).
 *
 * Registers below 0x100 are 32 bits wide and accessed only as such (the
 * spec requires it); other widths read 0 and are ignored when written.
 * The queue registers act on the queue chosen by QueueSel, and may be
 * changed only while that queue is not ready.
 */
#include <inttypes.h>

#include "host/trace.h"
#include "host/virtio_mmio.h"

static struct virtio_mmio *of(struct virtio_device *dev)
{
	return dev->transport_state;
}

/* The line follows InterruptStatus; KVM_IRQ_LINE only on a change. */
static void update_line(struct virtio_mmio *t)
{
	int level = t->dev->isr != 0;

	if (level == t->line)
		return;
	t->line = level;
	TRACE("%s irq %u level=%d", t->dev->name, t->gsi, level);
	if (t->set_irq)
		t->set_irq(t->irq_opaque, t->gsi, level);
}

static void mmio_interrupt(struct virtio_device *dev, unsigned int isr_bit, unsigned int q)
{
	(void)q;
	dev->isr |= (uint8_t)isr_bit;
	update_line(of(dev));
}

static void mmio_reset(struct virtio_device *dev)
{
	struct virtio_mmio *t = of(dev);

	t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
	update_line(t);         /* isr is 0 now */
}

static const struct virtio_transport_ops mmio_transport = {
	.interrupt = mmio_interrupt,
	.reset = mmio_reset,
};

void virtio_mmio_init(struct virtio_mmio *t, struct virtio_device *dev, uint64_t base,
		      unsigned int gsi, virtio_mmio_irq_fn *set_irq, void *irq_opaque)
{
	*t = (struct virtio_mmio){ .dev = dev, .base = base, .gsi = gsi,
				   .set_irq = set_irq, .irq_opaque = irq_opaque };
	dev->transport = &mmio_transport;
	dev->transport_state = t;
	dev->transport_name = "mmio";
}

uint64_t virtio_mmio_notify_address(const struct virtio_mmio *t)
{
	return t->base + VIRTIO_MMIO_QUEUE_NOTIFY;
}

/* The selected queue, or NULL if QueueSel names none. */
static struct virtqueue *selected_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->dev->num_queues ? &t->dev->queues[t->queue_sel] : NULL;
}

static uint32_t read_register(struct virtio_mmio *t, uint64_t offset)
{
	struct virtio_device *dev = t->dev;
	struct virtqueue *vq = selected_queue(t);

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:           return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:               return VIRTIO_MMIO_VERSION_2;
	case VIRTIO_MMIO_DEVICE_ID:             return dev->device_id;
	case VIRTIO_MMIO_VENDOR_ID:             return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return virtio_device_features_window(dev, t->device_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:         return vq ? vq->max_size : 0;
	case VIRTIO_MMIO_QUEUE_READY:           return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:      return dev->isr;
	case VIRTIO_MMIO_STATUS:                return dev->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:     return dev->config_generation;
	/* No shared-memory regions: a missing region has length -1 (4.2.2). */
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:          return 0xffffffffu;
	default:                                return 0;       /* write-only or reserved */
	}
}

/* The 64-bit queue addresses are written as two 32-bit halves. */
static void set_half(uint64_t *addr, bool high, uint32_t value)
{
	if (high)
		*addr = (*addr & 0xffffffffull) | ((uint64_t)value << 32);
	else
		*addr = (*addr & ~0xffffffffull) | value;
}

/* QueueNum and the ring addresses; ignored for a ready queue. */
static void write_queue_register(struct virtio_mmio *t, uint64_t offset, uint32_t value)
{
	struct virtqueue *vq = selected_queue(t);

	if (vq == NULL || !virtio_queue_configurable(t->dev, t->queue_sel))
		return;
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:        vq->size = (uint16_t)(value > 0xffff ? 0 : value); break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:   set_half(&vq->desc_addr, false, value); break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:  set_half(&vq->desc_addr, true, value); break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:  set_half(&vq->driver_addr, false, value); break;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: set_half(&vq->driver_addr, true, value); break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:   set_half(&vq->device_addr, false, value); break;
	case VIRTIO_MMIO_QUEUE_USED_HIGH:  set_half(&vq->device_addr, true, value); break;
	}
}

static void write_register(struct virtio_mmio *t, uint64_t offset, uint32_t value)
{
	struct virtio_device *dev = t->dev;

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:   t->device_features_sel = value; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:   t->driver_features_sel = value; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		virtio_set_driver_features_window(dev, t->driver_features_sel, value);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:             t->queue_sel = value; break;
	case VIRTIO_MMIO_QUEUE_READY:
		virtio_queue_set_ready(dev, t->queue_sel, value & 1);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:          virtio_notify(dev, value); break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		dev->isr &= (uint8_t)~value;
		update_line(t);
		break;
	case VIRTIO_MMIO_STATUS:                virtio_set_status(dev, (uint8_t)value); break;
	default:
		write_queue_register(t, offset, value);
		break;
	}
}

uint64_t virtio_mmio_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct virtio_mmio *t = opaque;
	uint64_t value = 0;

	pthread_mutex_lock(&t->dev->lock);
	if (offset >= VIRTIO_MMIO_CONFIG)
		value = virtio_config_read(t->dev, offset - VIRTIO_MMIO_CONFIG, size);
	else if (size == 4 && offset % 4 == 0)
		value = read_register(t, offset);
	pthread_mutex_unlock(&t->dev->lock);
	return value;
}

void virtio_mmio_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value)
{
	struct virtio_mmio *t = opaque;

	pthread_mutex_lock(&t->dev->lock);
	if (offset >= VIRTIO_MMIO_CONFIG)
		virtio_config_write(t->dev, offset - VIRTIO_MMIO_CONFIG, size, value);
	else if (size == 4 && offset % 4 == 0)
		write_register(t, offset, (uint32_t)value);
	pthread_mutex_unlock(&t->dev->lock);
}

struct io_region virtio_mmio_io_region(struct virtio_mmio *t)
{
	return (struct io_region){
		.name = t->dev->name, .base = t->base, .length = VIRTIO_MMIO_REGION_SIZE,
		.opaque = t, .read = virtio_mmio_read, .write = virtio_mmio_write,
	};
}
