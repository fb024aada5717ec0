/*
 * virtio_pci.c — the modern virtio-pci transport (see host/virtio_pci.h
 * for the layout of configuration space and BAR0).
 *
 * The PCI function itself (identity, capabilities, BAR sizing, MSI-X
 * control bits) is configuration bytes and write masks handled by
 * host/pci.c; this file adds what the bytes cannot do alone:
 *   - BAR0's registers: the common configuration (struct
 *     virtio_pci_common_cfg), the ISR byte, the device configuration, the
 *     notification addresses, the MSI-X table and pending bits;
 *   - reacting to configuration writes: BAR0 moved or memory decoding
 *     switched (move the ioeventfds), MSI-X enabled or unmasked (deliver
 *     what is pending), INTx disabled;
 *   - VIRTIO_PCI_CAP_PCI_CFG, a window on BAR0 through configuration space.
 *
 * Interrupts: with MSI-X enabled, a used buffer on queue q sends the
 * message of queue_vector[q] (KVM_SIGNAL_MSI), a configuration change the
 * message of config_vector; a masked vector sets its pending bit instead
 * and is sent when unmasked.  Without MSI-X, the ISR byte collects the
 * reasons and INTA# (a GSI, KVM_IRQ_LINE) is high while it is not zero;
 * reading ISR clears it (4.1.4.5).
 *
 * Locking: BAR0 handlers and the configuration hooks take dev->lock; the
 * transport state they share with the I/O thread (which sends interrupts)
 * lives in struct virtio_pci, never only in the configuration bytes.
 */
#include <endian.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <linux/pci_regs.h>
#include <linux/virtio_ids.h>

#include "host/trace.h"
#include "host/le_bytes.h"
#include "host/virtio_pci.h"

#define MSIX_ENTRY_SIZE         PCI_MSIX_ENTRY_SIZE     /* 16 bytes */
#define MSIX_CAP_SIZE           12
#define ISR_SIZE                4
#define COMMON_SIZE             sizeof(struct virtio_pci_common_cfg)
#define PCI_CFG_DATA_AT         (VIRTIO_PCI_CAP_PCI_CFG_AT + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data))
#define PCI_STATUS_INTERRUPT    0x08    /* PCI status register: INTx asserted */

/* PCI class codes (PCI Code and ID Assignment Specification): class << 8 | subclass. */
#define PCI_CLASS_STORAGE_SCSI          0x0100
#define PCI_CLASS_NETWORK_ETHERNET      0x0200
#define PCI_CLASS_COMMUNICATION_OTHER   0x0780
#define PCI_CLASS_UNCLASSIFIED_OTHER    0xff00

static struct virtio_pci *of(struct virtio_device *dev)
{
	return dev->transport_state;
}

/* ---- interrupts ---------------------------------------------------------- */

static void update_intx(struct virtio_pci *t)
{
	int level = t->dev->isr != 0 && !t->msix_enabled && !t->intx_disabled;

	if (level == t->intx_level)
		return;
	t->intx_level = level;
	TRACE("%s irq %u level=%d (INTx)", t->dev->name, t->gsi, level);
	t->ops->set_intx(t->ops->opaque, t->gsi, level);
}

static bool vector_masked(const struct virtio_pci *t, unsigned int v)
{
	return t->msix_function_masked || (t->msix[v].control & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void send_msi(struct virtio_pci *t, unsigned int v)
{
	t->msi_sent++;
	TRACE("%s msi vector %u: address %#" PRIx64 " data %#x", t->dev->name, v,
	      t->msix[v].address, t->msix[v].data);
	t->ops->signal_msi(t->ops->opaque, t->msix[v].address, t->msix[v].data);
}

static void msix_notify(struct virtio_pci *t, uint16_t v)
{
	if (v >= VIRTIO_PCI_MSIX_VECTORS)
		return;         /* VIRTIO_MSI_NO_VECTOR: the driver wants none */
	if (vector_masked(t, v)) {
		t->msix_pending |= 1ull << v;
		TRACE("%s msi vector %u masked: pending", t->dev->name, v);
		return;
	}
	send_msi(t, v);
}

static void deliver_pending(struct virtio_pci *t)
{
	if (!t->msix_enabled)
		return;
	for (unsigned int v = 0; v < VIRTIO_PCI_MSIX_VECTORS; v++) {
		if ((t->msix_pending & (1ull << v)) && !vector_masked(t, v)) {
			t->msix_pending &= ~(1ull << v);
			send_msi(t, v);
		}
	}
}

static void pci_interrupt(struct virtio_device *dev, unsigned int isr_bit, unsigned int q)
{
	struct virtio_pci *t = of(dev);

	/* The configuration bit is set in ISR either way; the queue bit only
	 * without MSI-X (4.1.4.5.1). */
	if (isr_bit == VIRTIO_ISR_CONFIG || !t->msix_enabled)
		dev->isr |= (uint8_t)isr_bit;
	if (t->msix_enabled)
		msix_notify(t, isr_bit == VIRTIO_ISR_CONFIG ? t->config_vector : t->queue_vector[q]);
	else
		update_intx(t);
}

static void pci_reset(struct virtio_device *dev)
{
	struct virtio_pci *t = of(dev);

	t->device_features_sel = t->driver_features_sel = 0;
	t->queue_sel = 0;
	t->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		t->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
	update_intx(t);
}

static const struct virtio_transport_ops pci_transport = {
	.interrupt = pci_interrupt,
	.reset = pci_reset,
};

/* ---- the common configuration structure ---------------------------------- */

static struct virtqueue *selected_queue(struct virtio_pci *t)
{
	return t->queue_sel < t->dev->num_queues ? &t->dev->queues[t->queue_sel] : NULL;
}

/* The structure as the driver would see it now. */
static void common_snapshot(struct virtio_pci *t, struct virtio_pci_common_cfg *c)
{
	struct virtio_device *dev = t->dev;
	struct virtqueue *vq = selected_queue(t);

	memset(c, 0, sizeof(*c));
	c->device_feature_select = htole32(t->device_features_sel);
	c->device_feature = htole32(virtio_device_features_window(dev, t->device_features_sel));
	c->guest_feature_select = htole32(t->driver_features_sel);
	c->guest_feature = htole32(virtio_driver_features_window(dev, t->driver_features_sel));
	c->msix_config = htole16(t->config_vector);
	c->num_queues = htole16((uint16_t)dev->num_queues);
	c->device_status = dev->status;
	c->config_generation = dev->config_generation;
	c->queue_select = htole16(t->queue_sel);
	if (vq == NULL)
		return;         /* a queue that does not exist has size 0 */
	c->queue_size = htole16(vq->size);
	c->queue_msix_vector = htole16(t->queue_vector[t->queue_sel]);
	c->queue_enable = htole16(vq->ready);
	c->queue_notify_off = htole16(t->queue_sel);    /* address: + 4 * queue */
	c->queue_desc_lo = htole32((uint32_t)vq->desc_addr);
	c->queue_desc_hi = htole32((uint32_t)(vq->desc_addr >> 32));
	c->queue_avail_lo = htole32((uint32_t)vq->driver_addr);
	c->queue_avail_hi = htole32((uint32_t)(vq->driver_addr >> 32));
	c->queue_used_lo = htole32((uint32_t)vq->device_addr);
	c->queue_used_hi = htole32((uint32_t)(vq->device_addr >> 32));
}

static uint64_t common_read(struct virtio_pci *t, uint64_t offset, unsigned int size)
{
	struct virtio_pci_common_cfg c;
	uint8_t bytes[sizeof(c)];
	uint64_t value = 0;

	if (offset >= sizeof(c) || size > sizeof(c) - offset)
		return 0;
	common_snapshot(t, &c);
	memcpy(bytes, &c, sizeof(c));
	for (unsigned int i = 0; i < size; i++)
		value |= (uint64_t)bytes[offset + i] << (8 * i);
	return value;
}

static uint16_t checked_vector(uint64_t value)
{
	return value < VIRTIO_PCI_MSIX_VECTORS ? (uint16_t)value : VIRTIO_MSI_NO_VECTOR;
}

/* The 64-bit ring addresses: written as two 32-bit halves, or at once. */
static void set_address(uint64_t *addr, bool high, unsigned int size, uint64_t value)
{
	if (size == 8 && !high)
		*addr = value;
	else if (high)
		*addr = (*addr & 0xffffffffull) | ((value & 0xffffffffull) << 32);
	else
		*addr = (*addr & ~0xffffffffull) | (value & 0xffffffffull);
}

static void queue_write(struct virtio_pci *t, uint64_t offset, unsigned int size, uint64_t value)
{
	struct virtqueue *vq = selected_queue(t);

	if (vq == NULL)
		return;
	if (offset == VIRTIO_PCI_COMMON_Q_MSIX) {
		t->queue_vector[t->queue_sel] = checked_vector(value);
		return;
	}
	if (offset == VIRTIO_PCI_COMMON_Q_ENABLE) {
		if (value == 1)         /* writing 0 is not allowed; ignored */
			virtio_queue_set_ready(t->dev, t->queue_sel, true);
		return;
	}
	if (!virtio_queue_configurable(t->dev, t->queue_sel))
		return;
	switch (offset) {
	case VIRTIO_PCI_COMMON_Q_SIZE:    vq->size = (uint16_t)value; break;
	case VIRTIO_PCI_COMMON_Q_DESCLO:  set_address(&vq->desc_addr, false, size, value); break;
	case VIRTIO_PCI_COMMON_Q_DESCHI:  set_address(&vq->desc_addr, true, size, value); break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO: set_address(&vq->driver_addr, false, size, value); break;
	case VIRTIO_PCI_COMMON_Q_AVAILHI: set_address(&vq->driver_addr, true, size, value); break;
	case VIRTIO_PCI_COMMON_Q_USEDLO:  set_address(&vq->device_addr, false, size, value); break;
	case VIRTIO_PCI_COMMON_Q_USEDHI:  set_address(&vq->device_addr, true, size, value); break;
	}
}

static void common_write(struct virtio_pci *t, uint64_t offset, unsigned int size, uint64_t value)
{
	struct virtio_device *dev = t->dev;

	switch (offset) {
	case VIRTIO_PCI_COMMON_DFSELECT: t->device_features_sel = (uint32_t)value; break;
	case VIRTIO_PCI_COMMON_GFSELECT: t->driver_features_sel = (uint32_t)value; break;
	case VIRTIO_PCI_COMMON_GF:
		virtio_set_driver_features_window(dev, t->driver_features_sel, (uint32_t)value);
		break;
	case VIRTIO_PCI_COMMON_MSIX:     t->config_vector = checked_vector(value); break;
	case VIRTIO_PCI_COMMON_STATUS:   virtio_set_status(dev, (uint8_t)value); break;
	case VIRTIO_PCI_COMMON_Q_SELECT: t->queue_sel = (uint16_t)value; break;
	default:                         queue_write(t, offset, size, value); break;
	}
}

/* ---- MSI-X table and pending bits ------------------------------------------ */

static uint64_t msix_table_read(struct virtio_pci *t, uint64_t offset, unsigned int size)
{
	uint64_t entry = offset / MSIX_ENTRY_SIZE;
	const struct msix_entry *e = &t->msix[entry];
	uint8_t bytes[MSIX_ENTRY_SIZE];
	uint64_t value = 0;

	if (entry >= VIRTIO_PCI_MSIX_VECTORS || offset % MSIX_ENTRY_SIZE + size > MSIX_ENTRY_SIZE)
		return 0;
	le_put32(bytes + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)e->address);
	le_put32(bytes + PCI_MSIX_ENTRY_UPPER_ADDR, (uint32_t)(e->address >> 32));
	le_put32(bytes + PCI_MSIX_ENTRY_DATA, e->data);
	le_put32(bytes + PCI_MSIX_ENTRY_VECTOR_CTRL, e->control);
	for (unsigned int i = 0; i < size; i++)
		value |= (uint64_t)bytes[offset % MSIX_ENTRY_SIZE + i] << (8 * i);
	return value;
}

static void msix_table_write(struct virtio_pci *t, uint64_t offset, unsigned int size,
			     uint64_t value)
{
	uint64_t entry = offset / MSIX_ENTRY_SIZE;

	if (entry >= VIRTIO_PCI_MSIX_VECTORS || (size != 4 && size != 8))
		return;
	struct msix_entry *e = &t->msix[entry];

	switch (offset % MSIX_ENTRY_SIZE) {
	case PCI_MSIX_ENTRY_LOWER_ADDR:
		e->address = size == 8 ? value :
			     (e->address & ~0xffffffffull) | (value & 0xffffffffull);
		break;
	case PCI_MSIX_ENTRY_UPPER_ADDR:
		e->address = (e->address & 0xffffffffull) | (value << 32);
		break;
	case PCI_MSIX_ENTRY_DATA:
		e->data = (uint32_t)value;
		if (size == 8)
			e->control = (uint32_t)(value >> 32) & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		break;
	case PCI_MSIX_ENTRY_VECTOR_CTRL:
		e->control = (uint32_t)value & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		break;
	}
	deliver_pending(t);     /* an unmasked vector sends what waited */
}

/* ---- BAR0 ---------------------------------------------------------------- */

static bool inside(uint64_t offset, unsigned int size, uint64_t start, uint64_t length)
{
	return offset >= start && offset - start < length && size <= length - (offset - start);
}

uint64_t virtio_pci_bar_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct virtio_pci *t = opaque;
	struct virtio_device *dev = t->dev;
	uint64_t value = 0;

	pthread_mutex_lock(&dev->lock);
	if (inside(offset, size, VIRTIO_PCI_COMMON_OFFSET, COMMON_SIZE)) {
		value = common_read(t, offset - VIRTIO_PCI_COMMON_OFFSET, size);
	} else if (inside(offset, size, VIRTIO_PCI_ISR_OFFSET, ISR_SIZE)) {
		if (offset == VIRTIO_PCI_ISR_OFFSET) {
			value = dev->isr;       /* reading acknowledges (clears) it */
			dev->isr = 0;
			update_intx(t);
		}
	} else if (inside(offset, size, VIRTIO_PCI_DEVICE_OFFSET, VIRTIO_CONFIG_MAX)) {
		value = virtio_config_read(dev, offset - VIRTIO_PCI_DEVICE_OFFSET, size);
	} else if (inside(offset, size, VIRTIO_PCI_MSIX_TABLE_OFFSET,
			  VIRTIO_PCI_MSIX_VECTORS * MSIX_ENTRY_SIZE)) {
		value = msix_table_read(t, offset - VIRTIO_PCI_MSIX_TABLE_OFFSET, size);
	} else if (inside(offset, size, VIRTIO_PCI_MSIX_PBA_OFFSET, 8)) {
		value = t->msix_pending >> (8 * (offset - VIRTIO_PCI_MSIX_PBA_OFFSET));
	}
	pthread_mutex_unlock(&dev->lock);
	return value;
}

void virtio_pci_bar_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value)
{
	struct virtio_pci *t = opaque;
	struct virtio_device *dev = t->dev;

	pthread_mutex_lock(&dev->lock);
	if (inside(offset, size, VIRTIO_PCI_COMMON_OFFSET, COMMON_SIZE))
		common_write(t, offset - VIRTIO_PCI_COMMON_OFFSET, size, value);
	else if (inside(offset, size, VIRTIO_PCI_DEVICE_OFFSET, VIRTIO_CONFIG_MAX))
		virtio_config_write(dev, offset - VIRTIO_PCI_DEVICE_OFFSET, size, value);
	else if (inside(offset, size, VIRTIO_PCI_NOTIFY_OFFSET,
			(uint64_t)dev->num_queues * VIRTIO_PCI_NOTIFY_MULTIPLIER))
		/* The address says which queue; the value (the queue index
		 * without VIRTIO_F_NOTIFICATION_DATA) adds nothing. */
		virtio_notify(dev, (unsigned int)((offset - VIRTIO_PCI_NOTIFY_OFFSET) /
						  VIRTIO_PCI_NOTIFY_MULTIPLIER));
	else if (inside(offset, size, VIRTIO_PCI_MSIX_TABLE_OFFSET,
			VIRTIO_PCI_MSIX_VECTORS * MSIX_ENTRY_SIZE))
		msix_table_write(t, offset - VIRTIO_PCI_MSIX_TABLE_OFFSET, size, value);
	pthread_mutex_unlock(&dev->lock);
}

/* ---- configuration space hooks --------------------------------------------- */

/* Queue q's notification address as BAR0 decodes now. */
static uint64_t notify_address(const struct virtio_pci *t, unsigned int q)
{
	return t->notify_base == PCI_BAR_UNMAPPED ? PCI_BAR_UNMAPPED :
	       t->notify_base + (uint64_t)q * VIRTIO_PCI_NOTIFY_MULTIPLIER;
}

/* BAR0 moved, or memory decoding changed: move the ioeventfds along. */
static void update_notify_base(struct virtio_pci *t)
{
	uint64_t bar = pci_bar_address(t->host, &t->fn, VIRTIO_PCI_BAR);
	uint64_t base = bar == PCI_BAR_UNMAPPED ? PCI_BAR_UNMAPPED : bar + VIRTIO_PCI_NOTIFY_OFFSET;

	if (base == t->notify_base)
		return;
	for (unsigned int q = 0; q < t->dev->num_queues; q++) {
		uint64_t old = notify_address(t, q);
		uint64_t new = base == PCI_BAR_UNMAPPED ? PCI_BAR_UNMAPPED :
			       base + (uint64_t)q * VIRTIO_PCI_NOTIFY_MULTIPLIER;

		if (t->ops->notify_moved)
			t->ops->notify_moved(t->ops->opaque, t->dev, q, old, new);
	}
	t->notify_base = base;
	TRACE("%s BAR0 %s", t->dev->name, bar == PCI_BAR_UNMAPPED ? "not decoded" : "mapped");
}

/* MSI-X enable and function mask, INTx disable: copied for the I/O thread. */
static void sync_interrupt_controls(struct virtio_pci *t)
{
	uint16_t control = (uint16_t)(t->fn.config[VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS] |
				      t->fn.config[VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS + 1] << 8);
	uint16_t command = (uint16_t)(t->fn.config[PCI_COMMAND] | t->fn.config[PCI_COMMAND + 1] << 8);

	t->msix_enabled = control & PCI_MSIX_FLAGS_ENABLE;
	t->msix_function_masked = control & PCI_MSIX_FLAGS_MASKALL;
	t->intx_disabled = command & PCI_COMMAND_INTX_DISABLE;
	deliver_pending(t);
	update_intx(t);
}

static bool overlaps(unsigned int offset, unsigned int size, unsigned int start,
		     unsigned int length)
{
	return offset < start + length && start < offset + size;
}

/* VIRTIO_PCI_CAP_PCI_CFG: an access of `length` bytes at `offset` of BAR
 * `bar`, as the capability's fields say, through pci_cfg_data. */
static void pci_cfg_window(struct virtio_pci *t, bool write)
{
	const uint8_t *cap = t->fn.config + VIRTIO_PCI_CAP_PCI_CFG_AT;
	unsigned int bar = cap[offsetof(struct virtio_pci_cap, bar)];
	uint32_t offset = le_get32(cap + offsetof(struct virtio_pci_cap, offset));
	uint32_t length = le_get32(cap + offsetof(struct virtio_pci_cap, length));
	uint8_t *data = t->fn.config + PCI_CFG_DATA_AT;

	if (bar != VIRTIO_PCI_BAR || (length != 1 && length != 2 && length != 4) ||
	    offset > VIRTIO_PCI_BAR_SIZE - length)
		return;
	if (write) {
		virtio_pci_bar_write(t, offset, length, le_get32(data) & (0xffffffffu >> (32 - 8 * length)));
	} else {
		le_put32(data, (uint32_t)virtio_pci_bar_read(t, offset, length));
	}
}

static void config_written(struct pci_function *fn, unsigned int offset, unsigned int size)
{
	struct virtio_pci *t = fn->opaque;

	if (overlaps(offset, size, PCI_CFG_DATA_AT, 4)) {
		pci_cfg_window(t, true);        /* takes the lock itself */
		return;
	}
	pthread_mutex_lock(&t->dev->lock);
	sync_interrupt_controls(t);
	update_notify_base(t);
	pthread_mutex_unlock(&t->dev->lock);
}

static void config_before_read(struct pci_function *fn, unsigned int offset, unsigned int size)
{
	struct virtio_pci *t = fn->opaque;

	if (overlaps(offset, size, PCI_CFG_DATA_AT, 4)) {
		pci_cfg_window(t, false);
	} else if (overlaps(offset, size, PCI_STATUS, 1)) {
		pthread_mutex_lock(&t->dev->lock);
		t->fn.config[PCI_STATUS] = (uint8_t)((t->fn.config[PCI_STATUS] & ~PCI_STATUS_INTERRUPT) |
						     (t->intx_level ? PCI_STATUS_INTERRUPT : 0));
		pthread_mutex_unlock(&t->dev->lock);
	}
}

/* ---- set-up ---------------------------------------------------------------- */

static void add_virtio_cap(struct virtio_pci *t, unsigned int at, unsigned int next,
			   uint8_t type, uint32_t offset, uint32_t length, uint8_t cap_len)
{
	uint8_t *cap = t->fn.config + at;

	cap[offsetof(struct virtio_pci_cap, cap_vndr)] = PCI_CAP_ID_VNDR;
	cap[offsetof(struct virtio_pci_cap, cap_next)] = (uint8_t)next;
	cap[offsetof(struct virtio_pci_cap, cap_len)] = cap_len;
	cap[offsetof(struct virtio_pci_cap, cfg_type)] = type;
	cap[offsetof(struct virtio_pci_cap, bar)] = VIRTIO_PCI_BAR;
	le_put32(cap + offsetof(struct virtio_pci_cap, offset), offset);
	le_put32(cap + offsetof(struct virtio_pci_cap, length), length);
}

static void add_capabilities(struct virtio_pci *t, bool msix)
{
	uint8_t *cfg = t->fn.config;
	uint32_t notify_length = t->dev->num_queues * VIRTIO_PCI_NOTIFY_MULTIPLIER;

	cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	cfg[PCI_CAPABILITY_LIST] = VIRTIO_PCI_CAP_COMMON_AT;
	add_virtio_cap(t, VIRTIO_PCI_CAP_COMMON_AT, VIRTIO_PCI_CAP_NOTIFY_AT,
		       VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFFSET, COMMON_SIZE,
		       sizeof(struct virtio_pci_cap));
	add_virtio_cap(t, VIRTIO_PCI_CAP_NOTIFY_AT, VIRTIO_PCI_CAP_ISR_AT,
		       VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFFSET, notify_length,
		       sizeof(struct virtio_pci_notify_cap));
	le_put32(cfg + VIRTIO_PCI_CAP_NOTIFY_AT + offsetof(struct virtio_pci_notify_cap,
							  notify_off_multiplier),
	      VIRTIO_PCI_NOTIFY_MULTIPLIER);
	add_virtio_cap(t, VIRTIO_PCI_CAP_ISR_AT, VIRTIO_PCI_CAP_DEVICE_AT,
		       VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFFSET, ISR_SIZE,
		       sizeof(struct virtio_pci_cap));
	add_virtio_cap(t, VIRTIO_PCI_CAP_DEVICE_AT, VIRTIO_PCI_CAP_PCI_CFG_AT,
		       VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFFSET, VIRTIO_CONFIG_MAX,
		       sizeof(struct virtio_pci_cap));
	/* The PCI_CFG window: the driver writes bar, offset, length, data. */
	add_virtio_cap(t, VIRTIO_PCI_CAP_PCI_CFG_AT, msix ? VIRTIO_PCI_CAP_MSIX_AT : 0,
		       VIRTIO_PCI_CAP_PCI_CFG, 0, 0, sizeof(struct virtio_pci_cfg_cap));
	memset(t->fn.writable + VIRTIO_PCI_CAP_PCI_CFG_AT + offsetof(struct virtio_pci_cap, bar),
	       0xff, 1);
	memset(t->fn.writable + VIRTIO_PCI_CAP_PCI_CFG_AT + offsetof(struct virtio_pci_cap, offset),
	       0xff, 8);                        /* offset and length */
	memset(t->fn.writable + PCI_CFG_DATA_AT, 0xff, 4);
	if (!msix)
		return;
	/* MSI-X: table size N - 1 (read-only), enable and function mask writable. */
	cfg[VIRTIO_PCI_CAP_MSIX_AT + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	cfg[VIRTIO_PCI_CAP_MSIX_AT + PCI_CAP_LIST_NEXT] = 0;
	le_put16(cfg + VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS, VIRTIO_PCI_MSIX_VECTORS - 1);
	t->fn.writable[VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS + 1] =
		(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	le_put32(cfg + VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_TABLE, VIRTIO_PCI_MSIX_TABLE_OFFSET | VIRTIO_PCI_BAR);
	le_put32(cfg + VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_PBA, VIRTIO_PCI_MSIX_PBA_OFFSET | VIRTIO_PCI_BAR);
}

/* Class codes as QEMU gives its virtio-pci devices. */
static void class_of(uint32_t device_id, uint8_t *class_code, uint8_t *subclass)
{
	uint16_t cls;

	switch (device_id) {
	case VIRTIO_ID_NET:     cls = PCI_CLASS_NETWORK_ETHERNET; break;
	case VIRTIO_ID_BLOCK:   cls = PCI_CLASS_STORAGE_SCSI; break;
	case VIRTIO_ID_CONSOLE: cls = PCI_CLASS_COMMUNICATION_OTHER; break;
	default:                cls = PCI_CLASS_UNCLASSIFIED_OTHER; break;
	}
	*class_code = (uint8_t)(cls >> 8);
	*subclass = (uint8_t)cls;
}

void virtio_pci_init(struct virtio_pci *t, struct virtio_device *dev, struct pci_host *host,
		     uint8_t slot, uint32_t bar_address, unsigned int gsi, bool msix,
		     const struct virtio_pci_host_ops *ops)
{
	const struct pci_bar bar = { .read = virtio_pci_bar_read, .write = virtio_pci_bar_write,
				     .opaque = t };
	uint8_t class_code, subclass;

	memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->host = host;
	t->gsi = gsi;
	t->ops = ops;
	t->notify_base = PCI_BAR_UNMAPPED;
	class_of(dev->device_id, &class_code, &subclass);
	pci_function_init(&t->fn, dev->name, slot, 0, VIRTIO_PCI_VENDOR,
			  (uint16_t)(VIRTIO_PCI_DEVICE_BASE + dev->device_id), class_code, subclass, 0);
	t->fn.config[PCI_REVISION_ID] = VIRTIO_PCI_REVISION;
	le_put16(t->fn.config + PCI_SUBSYSTEM_VENDOR_ID, VIRTIO_PCI_VENDOR);
	le_put16(t->fn.config + PCI_SUBSYSTEM_ID, VIRTIO_PCI_SUBSYSTEM_ID);
	/* As firmware leaves it: memory decoding and bus mastering on. */
	le_put16(t->fn.config + PCI_COMMAND, PCI_COMMAND_MEMORY_SPACE | PCI_COMMAND_BUS_MASTER);
	t->fn.writable[PCI_COMMAND + 1] |= PCI_COMMAND_INTX_DISABLE >> 8;
	t->fn.config[PCI_INTERRUPT_PIN] = 1;            /* INTA# */
	t->fn.config[PCI_INTERRUPT_LINE] = (uint8_t)gsi;
	pci_function_set_memory_bar(&t->fn, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE, bar_address, &bar);
	add_capabilities(t, msix);
	t->fn.config_written = config_written;
	t->fn.config_before_read = config_before_read;
	t->fn.opaque = t;
	for (unsigned int v = 0; v < VIRTIO_PCI_MSIX_VECTORS; v++)
		t->msix[v].control = PCI_MSIX_ENTRY_CTRL_MASKBIT;       /* masked at reset */
	dev->transport = &pci_transport;
	dev->transport_state = t;
	dev->transport_name = "pci";
	pci_reset(dev);
}

void virtio_pci_attach(struct virtio_pci *t)
{
	pthread_mutex_lock(&t->dev->lock);
	update_notify_base(t);
	pthread_mutex_unlock(&t->dev->lock);
}
