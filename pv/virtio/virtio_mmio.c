/*
 * virtio_mmio.c — the virtio-mmio transport, version 2 (virtio 1.2, 4.2.2).
 *
 * A virtio-mmio device is a small block of 32-bit registers in the
 * physical address space plus one interrupt line.  Nothing on the machine
 * enumerates them, so the host says where they are.  We accept Linux's
 * command-line form, which QEMU's microvm machine appends (with acpi=off)
 * once per device:
 *
 *     virtio_mmio.device=<size>@<base>:<irq>[:<first id>]
 *     e.g. virtio_mmio.device=512@0xfeb00e00:12
 *
 * The registers (offsets from <linux/virtio_mmio.h>): MagicValue "virt",
 * Version (2; 1 is the legacy layout, which we report and skip), DeviceID
 * (0: an empty slot), feature words selected by *FeaturesSel, per-queue
 * registers selected by QueueSel, QueueNotify, InterruptStatus/ACK,
 * Status, ConfigGeneration, and the device's configuration from 0x100.
 *
 * The interrupt line goes through the I/O APIC, edge-triggered: the
 * handler acknowledges the reasons it read *before* looking at the rings,
 * so that an event arriving meanwhile raises the line again.
 */
#include <linux/virtio_mmio.h>

#include "arch/x86/ioapic.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_mmio.h"
#include "pv/virtio/virtio_mmio_window.h"

#define MMIO_MAGIC              0x74726976      /* "virt", little-endian */
#define MMIO_VERSION_LEGACY     1
#define MMIO_VERSION_MODERN     2
#define MMIO_MAX_DEVICES        8
#define MMIO_MIN_SIZE           0x100           /* registers up to the config space */
#define MMIO_OPTION_MAX         64
#define RESET_POLLS             1000000

struct mmio_slot {
	uint64_t base, size;
	unsigned int irq;
};

static struct mmio_slot slots[MMIO_MAX_DEVICES];
static unsigned int slot_count;

struct mmio_device {
	struct virtio_device vdev;
	volatile uint8_t *regs;
	struct mmio_slot slot;
	uint8_t vector;
};

/* ---- the command-line option -------------------------------------------------- */

/* "<size>@<base>:<irq>[:<id>]"; the optional id (Linux numbers its
 * platform devices with it) is accepted and ignored. */
static bool parse_slot(const char *value, struct mmio_slot *slot)
{
	char text[MMIO_OPTION_MAX], *at, *colon, *colon2;
	uint64_t irq;

	if (!value || strlcpy(text, value, sizeof(text)) >= sizeof(text))
		return false;
	at = strchr(text, '@');
	colon = at ? strchr(at, ':') : NULL;
	if (!at || !colon)
		return false;
	*at = *colon = '\0';
	colon2 = strchr(colon + 1, ':');
	if (colon2)
		*colon2 = '\0';
	if (!parse_size(text, &slot->size) || !parse_u64(at + 1, 0, &slot->base) ||
	    !parse_u64(colon + 1, 0, &irq) || irq > 255 || slot->size == 0)
		return false;
	slot->irq = (unsigned int)irq;
	return true;
}

static bool set_mmio_device(const char *value)
{
	struct mmio_slot slot;

	if (!parse_slot(value, &slot))
		return false;
	if (slot_count == MMIO_MAX_DEVICES) {
		printk("virtio-mmio: more than %d devices; ignoring %s\n", MMIO_MAX_DEVICES,
		       value);
		return true;
	}
	slots[slot_count++] = slot;
	return true;
}
CMDLINE_OPTION(virtio_mmio_device, "virtio_mmio.device", set_mmio_device,
	       "a virtio-mmio device: virtio_mmio.device=<size>@<base>:<irq> (size with "
	       "K/M suffix; may repeat; QEMU microvm adds these itself)");

/* ---- registers ---------------------------------------------------------------- */

static struct mmio_device *to_mmio(struct virtio_device *dev)
{
	return dev->transport_data;
}

static uint32_t reg_read(struct mmio_device *m, unsigned int offset)
{
	return *(volatile uint32_t *)(m->regs + offset);
}

static void reg_write(struct mmio_device *m, unsigned int offset, uint32_t value)
{
	*(volatile uint32_t *)(m->regs + offset) = value;
}

static uint64_t mmio_get_features(struct virtio_device *dev)
{
	struct mmio_device *m = to_mmio(dev);
	uint64_t features;

	reg_write(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	features = (uint64_t)reg_read(m, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	reg_write(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return features | reg_read(m, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void mmio_set_features(struct virtio_device *dev, uint64_t features)
{
	struct mmio_device *m = to_mmio(dev);

	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
}

static uint8_t mmio_get_status(struct virtio_device *dev)
{
	return (uint8_t)reg_read(to_mmio(dev), VIRTIO_MMIO_STATUS);
}

static void mmio_set_status(struct virtio_device *dev, uint8_t status)
{
	reg_write(to_mmio(dev), VIRTIO_MMIO_STATUS, status);
}

/* Writing 0 resets; the device is reset when Status reads 0 again. */
static void mmio_reset(struct virtio_device *dev)
{
	mmio_set_status(dev, 0);
	for (int i = 0; i < RESET_POLLS && mmio_get_status(dev) != 0; i++)
		;
}

static uint32_t mmio_config_generation(struct virtio_device *dev)
{
	return reg_read(to_mmio(dev), VIRTIO_MMIO_CONFIG_GENERATION);
}

static void mmio_read_config(struct virtio_device *dev, unsigned int offset, void *buf,
			     unsigned int len)
{
	volatile uint8_t *p = to_mmio(dev)->regs + VIRTIO_MMIO_CONFIG + offset;

	switch (len) {
	case 1: *(uint8_t *)buf = *p; break;
	case 2: *(uint16_t *)buf = *(volatile uint16_t *)p; break;
	case 4: *(uint32_t *)buf = *(volatile uint32_t *)p; break;
	}
}

static void mmio_write_config(struct virtio_device *dev, unsigned int offset,
			      const void *buf, unsigned int len)
{
	volatile uint8_t *p = to_mmio(dev)->regs + VIRTIO_MMIO_CONFIG + offset;

	switch (len) {
	case 1: *p = *(const uint8_t *)buf; break;
	case 2: *(volatile uint16_t *)p = *(const uint16_t *)buf; break;
	case 4: *(volatile uint32_t *)p = *(const uint32_t *)buf; break;
	}
}

static uint16_t mmio_queue_max_size(struct virtio_device *dev, unsigned int index)
{
	struct mmio_device *m = to_mmio(dev);

	reg_write(m, VIRTIO_MMIO_QUEUE_SEL, index);
	if (reg_read(m, VIRTIO_MMIO_QUEUE_READY))
		return 0;       /* already in use: not ours to set up */
	uint32_t max = reg_read(m, VIRTIO_MMIO_QUEUE_NUM_MAX);

	return max > UINT16_MAX ? UINT16_MAX : (uint16_t)max;
}

static void write_address(struct mmio_device *m, unsigned int low_reg, uint64_t paddr)
{
	reg_write(m, low_reg, (uint32_t)paddr);
	reg_write(m, low_reg + 4, (uint32_t)(paddr >> 32));
}

static int mmio_queue_setup(struct virtio_device *dev, unsigned int index, uint16_t size,
			    uint64_t desc, uint64_t driver, uint64_t device)
{
	struct mmio_device *m = to_mmio(dev);

	reg_write(m, VIRTIO_MMIO_QUEUE_SEL, index);
	reg_write(m, VIRTIO_MMIO_QUEUE_NUM, size);
	write_address(m, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	write_address(m, VIRTIO_MMIO_QUEUE_AVAIL_LOW, driver);
	write_address(m, VIRTIO_MMIO_QUEUE_USED_LOW, device);
	return 0;
}

static void mmio_queue_enable(struct virtio_device *dev, unsigned int index)
{
	struct mmio_device *m = to_mmio(dev);

	reg_write(m, VIRTIO_MMIO_QUEUE_SEL, index);
	reg_write(m, VIRTIO_MMIO_QUEUE_READY, 1);
}

static void mmio_notify(struct virtio_device *dev, unsigned int index)
{
	reg_write(to_mmio(dev), VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

/* Acknowledge first, then look: see the comment at the top. */
static void mmio_interrupt(void *arg)
{
	struct mmio_device *m = arg;
	uint32_t status = reg_read(m, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (!status)
		return;
	reg_write(m, VIRTIO_MMIO_INTERRUPT_ACK, status);
	virtio_interrupt(&m->vdev, (status & VIRTIO_MMIO_INT_VRING ? VIRTIO_INTERRUPT_QUEUE : 0) |
			 (status & VIRTIO_MMIO_INT_CONFIG ? VIRTIO_INTERRUPT_CONFIG : 0));
}

static int mmio_setup_interrupts(struct virtio_device *dev)
{
	struct mmio_device *m = to_mmio(dev);

	if (!ioapic_present() || m->slot.irq >= ioapic_pins())
		return -ENODEV;
	if (!m->vector) {
		m->vector = irq_alloc_vector();
		if (!m->vector)
			return -EBUSY;
		irq_register(m->vector, mmio_interrupt, m);
	}
	ioapic_route(m->slot.irq, m->vector);
	return 0;
}

static void mmio_describe(struct virtio_device *dev, char *buf, size_t size)
{
	struct mmio_device *m = to_mmio(dev);

	snprintf(buf, size, "mmio %#lx irq %u", m->slot.base, m->slot.irq);
	if (m->vector)
		snprintf(buf + strlen(buf), size - strlen(buf), " vector %#x", m->vector);
}

static const struct virtio_transport_ops mmio_ops = {
	.name = "mmio",
	.get_features = mmio_get_features,
	.set_features = mmio_set_features,
	.get_status = mmio_get_status,
	.set_status = mmio_set_status,
	.reset = mmio_reset,
	.config_generation = mmio_config_generation,
	.read_config = mmio_read_config,
	.write_config = mmio_write_config,
	.queue_max_size = mmio_queue_max_size,
	.queue_setup = mmio_queue_setup,
	.queue_enable = mmio_queue_enable,
	.notify = mmio_notify,
	.setup_interrupts = mmio_setup_interrupts,
	.describe = mmio_describe,
};

/* ---- probing -------------------------------------------------------------------- */

static void probe_slot(const struct mmio_slot *slot)
{
	volatile uint32_t *regs = phys_to_virt(slot->base);

	if (!in_uncached_window(slot->base, slot->size) || slot->size < MMIO_MIN_SIZE) {
		printk("virtio-mmio: %#lx (size %#lx): outside the uncached window "
		       "%#lx-%#lx, or too small; skipped\n", slot->base, slot->size,
		       UNCACHED_WINDOW_START, UNCACHED_WINDOW_END - 1);
		return;
	}
	uint32_t magic = regs[VIRTIO_MMIO_MAGIC_VALUE / 4];
	uint32_t version = regs[VIRTIO_MMIO_VERSION / 4];
	uint32_t device_id = regs[VIRTIO_MMIO_DEVICE_ID / 4];

	if (magic != MMIO_MAGIC) {
		printk("virtio-mmio: %#lx: bad magic %#x; skipped\n", slot->base, magic);
		return;
	}
	if (device_id == 0)
		return;         /* an empty slot: normal, QEMU describes all of them */
	if (version != MMIO_VERSION_MODERN) {
		printk("virtio-mmio: %#lx: device id %u has version %u (%s); skipped\n",
		       slot->base, device_id, version,
		       version == MMIO_VERSION_LEGACY ? "legacy, not supported" : "unknown");
		return;
	}
	struct mmio_device *m = kzalloc(sizeof(*m));

	if (!m)
		return;
	m->regs = (volatile uint8_t *)regs;
	m->slot = *slot;
	m->vdev.device_id = device_id;
	m->vdev.ops = &mmio_ops;
	m->vdev.transport_data = m;
	virtio_device_register(&m->vdev);
}

void virtio_mmio_probe(void)
{
	for (unsigned int i = 0; i < slot_count; i++)
		probe_slot(&slots[i]);
}
