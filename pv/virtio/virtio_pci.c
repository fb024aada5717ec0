/*
 * virtio_pci.c — the modern virtio-pci transport (virtio 1.2, 4.1).
 *
 * A modern virtio-pci function has vendor 0x1af4 and device id
 * 0x1040 + <virtio device id>.  (Transitional devices, 0x1000-0x103f,
 * carry the virtio device id in the subsystem id; we take them only when
 * they also have the modern capabilities: the legacy I/O-port interface
 * is not implemented.)  Its registers are not at fixed places: vendor-
 * specific PCI capabilities (struct virtio_pci_cap) each point into a BAR:
 *
 *   COMMON_CFG  struct virtio_pci_common_cfg: features, status, queue
 *               select/size/addresses/enable, MSI-X vector numbers
 *   NOTIFY_CFG  where to write a queue's index to notify it:
 *               bar offset + queue_notify_off * notify_off_multiplier
 *   ISR_CFG     one byte; reading it returns and clears the interrupt
 *               reasons (bit 0 queue, bit 1 config).  Used with INTx only.
 *   DEVICE_CFG  the device-specific configuration (e.g. virtio_blk_config)
 *
 * BARs: we use what the firmware assigned when it lies in the uncached
 * window below 4 GiB (virtio_mmio_window.h); a BAR left at 0 (or placed
 * where we have no mapping) is given an address by us, from the top of
 * the window down, below the fixed devices at 0xfe000000+.
 *
 * Interrupts: MSI-X when the function has it, with two vectors per device:
 * one for configuration changes and one shared by all its queues (the
 * handler runs every queue's callback; a callback that finds nothing new
 * costs a few loads).  A table with one entry gets one vector for both.
 * Without MSI-X, INTx through the I/O APIC: see intx_gsi() for how the pin
 * is turned into an I/O APIC input, and its limits.
 */
#include <linux/virtio_pci.h>

#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"
#include "arch/x86/pci.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "kernel/page_alloc.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "pv/virtio/virtio.h"
#include "pv/virtio/virtio_mmio_window.h"
#include "pv/virtio/virtio_pci.h"

#define VIRTIO_PCI_VENDOR               0x1af4
#define VIRTIO_PCI_MODERN_FIRST         0x1040  /* + virtio device id */
#define VIRTIO_PCI_MODERN_LAST          0x107f
#define VIRTIO_PCI_TRANSITIONAL_FIRST   0x1000
#define VIRTIO_PCI_TRANSITIONAL_LAST    0x103f
#define PCI_REG_SUBSYSTEM_ID            0x2e
#define PCI_BARS                        6
#define RESET_POLLS                     1000000

/* Where we place BARs the firmware did not: downwards from here. */
#define BAR_ALLOC_TOP                   UINT64_C(0xfe000000)

/* MSI-X (PCI 3.0, 6.8.2): the capability and one table entry. */
#define MSIX_CONTROL                    2       /* offset in the capability */
#define MSIX_CONTROL_TABLE_SIZE         0x07ff  /* N - 1 */
#define MSIX_CONTROL_FUNCTION_MASK      0x4000
#define MSIX_CONTROL_ENABLE             0x8000
#define MSIX_TABLE                      4       /* BIR in bits 2:0, offset above */
#define MSIX_BIR_MASK                   0x7
#define MSIX_ENTRY_SIZE                 16
#define MSIX_ENTRY_ADDR_LO              0
#define MSIX_ENTRY_ADDR_HI              4
#define MSIX_ENTRY_DATA                 8
#define MSIX_ENTRY_CONTROL              12
#define MSIX_ENTRY_MASKED               0x1
/* The MSI address for "fixed delivery to this LAPIC id, physical mode". */
#define MSI_ADDRESS_BASE                0xfee00000u
#define MSI_ADDRESS_DEST_SHIFT          12

#define MSIX_CONFIG_ENTRY               0
#define MSIX_QUEUE_ENTRY                1

struct pci_vdev {
	struct virtio_device vdev;
	const struct pci_device *pci;
	uint64_t bar_base[PCI_BARS];            /* 0: not mapped (yet) */
	uint64_t bar_size[PCI_BARS];
	volatile uint8_t *common, *isr, *device_cfg, *notify;
	uint32_t device_cfg_len, notify_len, notify_multiplier;
	uint16_t queue_notify_off[VIRTIO_MAX_QUEUES];
	uint8_t msix_cap;                       /* 0: no MSI-X */
	volatile uint8_t *msix_table;
	unsigned int msix_entries;
	uint8_t config_vector, queue_vector;    /* MSI-X; equal when shared */
	uint8_t intx_vector;
	unsigned int intx_gsi;
	bool bars_assigned_by_us;
};

static uint64_t bar_alloc_next = BAR_ALLOC_TOP;

static struct pci_vdev *to_pci(struct virtio_device *dev)
{
	return dev->transport_data;
}

/* ---- common configuration accessors ---------------------------------------------- */

static uint8_t common_read8(struct pci_vdev *p, unsigned int off)
{
	return *(volatile uint8_t *)(p->common + off);
}

static uint16_t common_read16(struct pci_vdev *p, unsigned int off)
{
	return *(volatile uint16_t *)(p->common + off);
}

static uint32_t common_read32(struct pci_vdev *p, unsigned int off)
{
	return *(volatile uint32_t *)(p->common + off);
}

static void common_write8(struct pci_vdev *p, unsigned int off, uint8_t v)
{
	*(volatile uint8_t *)(p->common + off) = v;
}

static void common_write16(struct pci_vdev *p, unsigned int off, uint16_t v)
{
	*(volatile uint16_t *)(p->common + off) = v;
}

static void common_write32(struct pci_vdev *p, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(p->common + off) = v;
}

/* 64-bit fields are written as two 32-bit halves (4.1.3.1). */
static void common_write64(struct pci_vdev *p, unsigned int low_off, uint64_t v)
{
	common_write32(p, low_off, (uint32_t)v);
	common_write32(p, low_off + 4, (uint32_t)(v >> 32));
}

/* ---- transport operations ---------------------------------------------------------- */

static uint64_t pci_get_features(struct virtio_device *dev)
{
	struct pci_vdev *p = to_pci(dev);
	uint64_t high;

	common_write32(p, VIRTIO_PCI_COMMON_DFSELECT, 1);
	high = common_read32(p, VIRTIO_PCI_COMMON_DF);
	common_write32(p, VIRTIO_PCI_COMMON_DFSELECT, 0);
	return high << 32 | common_read32(p, VIRTIO_PCI_COMMON_DF);
}

static void pci_set_features(struct virtio_device *dev, uint64_t features)
{
	struct pci_vdev *p = to_pci(dev);

	common_write32(p, VIRTIO_PCI_COMMON_GFSELECT, 1);
	common_write32(p, VIRTIO_PCI_COMMON_GF, (uint32_t)(features >> 32));
	common_write32(p, VIRTIO_PCI_COMMON_GFSELECT, 0);
	common_write32(p, VIRTIO_PCI_COMMON_GF, (uint32_t)features);
}

static uint8_t pci_get_status(struct virtio_device *dev)
{
	return common_read8(to_pci(dev), VIRTIO_PCI_COMMON_STATUS);
}

static void pci_set_status(struct virtio_device *dev, uint8_t status)
{
	common_write8(to_pci(dev), VIRTIO_PCI_COMMON_STATUS, status);
}

static void pci_reset(struct virtio_device *dev)
{
	pci_set_status(dev, 0);
	for (int i = 0; i < RESET_POLLS && pci_get_status(dev) != 0; i++)
		;
}

static uint32_t pci_config_generation(struct virtio_device *dev)
{
	return common_read8(to_pci(dev), VIRTIO_PCI_COMMON_CFGGENERATION);
}

static void pci_read_config(struct virtio_device *dev, unsigned int offset, void *buf,
			    unsigned int len)
{
	struct pci_vdev *p = to_pci(dev);
	volatile uint8_t *a = p->device_cfg + offset;

	if (!p->device_cfg || offset + len > p->device_cfg_len) {
		memset(buf, 0, len);
		return;
	}
	switch (len) {
	case 1: *(uint8_t *)buf = *a; break;
	case 2: *(uint16_t *)buf = *(volatile uint16_t *)a; break;
	case 4: *(uint32_t *)buf = *(volatile uint32_t *)a; break;
	}
}

static void pci_write_config(struct virtio_device *dev, unsigned int offset, const void *buf,
			     unsigned int len)
{
	struct pci_vdev *p = to_pci(dev);
	volatile uint8_t *a = p->device_cfg + offset;

	if (!p->device_cfg || offset + len > p->device_cfg_len)
		return;
	switch (len) {
	case 1: *a = *(const uint8_t *)buf; break;
	case 2: *(volatile uint16_t *)a = *(const uint16_t *)buf; break;
	case 4: *(volatile uint32_t *)a = *(const uint32_t *)buf; break;
	}
}

static uint16_t pci_queue_max_size(struct virtio_device *dev, unsigned int index)
{
	struct pci_vdev *p = to_pci(dev);

	if (index >= common_read16(p, VIRTIO_PCI_COMMON_NUMQ))
		return 0;
	common_write16(p, VIRTIO_PCI_COMMON_Q_SELECT, (uint16_t)index);
	if (common_read16(p, VIRTIO_PCI_COMMON_Q_ENABLE))
		return 0;
	return common_read16(p, VIRTIO_PCI_COMMON_Q_SIZE);
}

static int pci_queue_setup(struct virtio_device *dev, unsigned int index, uint16_t size,
			   uint64_t desc, uint64_t driver, uint64_t device)
{
	struct pci_vdev *p = to_pci(dev);
	uint16_t notify_off;

	common_write16(p, VIRTIO_PCI_COMMON_Q_SELECT, (uint16_t)index);
	common_write16(p, VIRTIO_PCI_COMMON_Q_SIZE, size);
	common_write64(p, VIRTIO_PCI_COMMON_Q_DESCLO, desc);
	common_write64(p, VIRTIO_PCI_COMMON_Q_AVAILLO, driver);
	common_write64(p, VIRTIO_PCI_COMMON_Q_USEDLO, device);
	notify_off = common_read16(p, VIRTIO_PCI_COMMON_Q_NOFF);
	/* The doorbell must lie inside the notify structure (hardening). */
	if ((uint64_t)notify_off * p->notify_multiplier + 2 > p->notify_len)
		return -EINVAL;
	p->queue_notify_off[index] = notify_off;
	return 0;
}

static void pci_queue_enable(struct virtio_device *dev, unsigned int index)
{
	struct pci_vdev *p = to_pci(dev);

	common_write16(p, VIRTIO_PCI_COMMON_Q_SELECT, (uint16_t)index);
	common_write16(p, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
}

static void pci_notify(struct virtio_device *dev, unsigned int index)
{
	struct pci_vdev *p = to_pci(dev);

	*(volatile uint16_t *)(p->notify +
			       (uint32_t)p->queue_notify_off[index] * p->notify_multiplier) =
		(uint16_t)index;
}

/* ---- interrupts ------------------------------------------------------------------------ */

static void msix_config_interrupt(void *arg)
{
	struct pci_vdev *p = arg;

	virtio_interrupt(&p->vdev, p->config_vector == p->queue_vector ?
			 VIRTIO_INTERRUPT_CONFIG | VIRTIO_INTERRUPT_QUEUE :
			 VIRTIO_INTERRUPT_CONFIG);
}

static void msix_queue_interrupt(void *arg)
{
	struct pci_vdev *p = arg;

	virtio_interrupt(&p->vdev, VIRTIO_INTERRUPT_QUEUE);
}

/* Reading the ISR byte returns the reasons and lowers the INTx line. */
static void intx_interrupt(void *arg)
{
	struct pci_vdev *p = arg;
	uint8_t isr = *p->isr;

	if (!isr)
		return;         /* a shared line, raised by someone else */
	virtio_interrupt(&p->vdev, (isr & 1 ? VIRTIO_INTERRUPT_QUEUE : 0) |
			 (isr & VIRTIO_PCI_ISR_CONFIG ? VIRTIO_INTERRUPT_CONFIG : 0));
}

static void msix_program(struct pci_vdev *p, unsigned int entry, uint8_t vector)
{
	volatile uint8_t *e = p->msix_table + entry * MSIX_ENTRY_SIZE;

	*(volatile uint32_t *)(e + MSIX_ENTRY_CONTROL) = MSIX_ENTRY_MASKED;
	*(volatile uint32_t *)(e + MSIX_ENTRY_ADDR_LO) =
		MSI_ADDRESS_BASE | lapic_id() << MSI_ADDRESS_DEST_SHIFT;
	*(volatile uint32_t *)(e + MSIX_ENTRY_ADDR_HI) = 0;
	*(volatile uint32_t *)(e + MSIX_ENTRY_DATA) = vector; /* fixed delivery, edge */
	*(volatile uint32_t *)(e + MSIX_ENTRY_CONTROL) = 0;   /* unmask */
}

static uint8_t new_vector(irq_handler_fn *handler, struct pci_vdev *p)
{
	uint8_t vector = irq_alloc_vector();

	if (vector)
		irq_register(vector, handler, p);
	return vector;
}

/* Tells the device which table entry each source uses; the device
 * answers VIRTIO_MSI_NO_VECTOR when it could not take it. */
static int msix_assign(struct pci_vdev *p)
{
	unsigned int queue_entry = p->config_vector == p->queue_vector ?
				   MSIX_CONFIG_ENTRY : MSIX_QUEUE_ENTRY;

	common_write16(p, VIRTIO_PCI_COMMON_MSIX, MSIX_CONFIG_ENTRY);
	if (common_read16(p, VIRTIO_PCI_COMMON_MSIX) == VIRTIO_MSI_NO_VECTOR)
		return -EBUSY;
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		if (!p->vdev.queues[i])
			continue;
		common_write16(p, VIRTIO_PCI_COMMON_Q_SELECT, (uint16_t)i);
		common_write16(p, VIRTIO_PCI_COMMON_Q_MSIX, (uint16_t)queue_entry);
		if (common_read16(p, VIRTIO_PCI_COMMON_Q_MSIX) == VIRTIO_MSI_NO_VECTOR)
			return -EBUSY;
	}
	return 0;
}

static int setup_msix(struct pci_vdev *p)
{
	const struct pci_device *d = p->pci;
	uint16_t control = pci_config_read16(d->bus, d->slot, d->function,
					     p->msix_cap + MSIX_CONTROL);

	if (!p->config_vector) {
		p->config_vector = new_vector(msix_config_interrupt, p);
		p->queue_vector = p->msix_entries > 1 ?
				  new_vector(msix_queue_interrupt, p) : p->config_vector;
		if (!p->config_vector || !p->queue_vector)
			return -EBUSY;
	}
	msix_program(p, MSIX_CONFIG_ENTRY, p->config_vector);
	if (p->queue_vector != p->config_vector)
		msix_program(p, MSIX_QUEUE_ENTRY, p->queue_vector);
	pci_command_set(d, PCI_COMMAND_INTX_DISABLE);
	control = (control | MSIX_CONTROL_ENABLE) & ~MSIX_CONTROL_FUNCTION_MASK;
	pci_config_write16(d->bus, d->slot, d->function, p->msix_cap + MSIX_CONTROL, control);
	return msix_assign(p);
}

/*
 * The I/O APIC input for the function's INTx pin.  Without ACPI's _PRT we
 * cannot know the board's wiring in general, so:
 *   - if the firmware wrote an interrupt line that is a valid I/O APIC
 *     input from 16 up (the PCI GSIs), use it;
 *   - otherwise assume QEMU's q35 (ICH9) wiring for the ordinary slots of
 *     bus 0: slot s, pin p (0 = INTA) is routed to PIRQ E-H, which the
 *     I/O APIC sees as GSI 20-23, as 20 + (s + p) mod 4 (found by
 *     experiment and matching QEMU's q35 _PRT; qboot writes no line).
 * Devices behind bridges, the chipset's own slots 25-31 and other boards
 * are not covered: those should use MSI-X (every modern virtio-pci device
 * in QEMU has it unless told vectors=0).
 */
static unsigned int intx_gsi(const struct pci_device *d, uint8_t pin)
{
	uint8_t line = pci_config_read8(d->bus, d->slot, d->function, PCI_REG_INTERRUPT_LINE);

	if (line >= 16 && line < ioapic_pins() && line != 0xff)
		return line;
	return 20 + ((d->slot + pin - 1) & 3);
}

static int setup_intx(struct pci_vdev *p)
{
	const struct pci_device *d = p->pci;
	uint8_t pin = pci_config_read8(d->bus, d->slot, d->function, PCI_REG_INTERRUPT_PIN);

	if (pin == 0 || pin > 4 || !p->isr || !ioapic_present())
		return -ENODEV;
	p->intx_gsi = intx_gsi(d, pin);
	if (p->intx_gsi >= ioapic_pins())
		return -ENODEV;
	if (!p->intx_vector) {
		p->intx_vector = new_vector(intx_interrupt, p);
		if (!p->intx_vector)
			return -EBUSY;
	}
	ioapic_route(p->intx_gsi, p->intx_vector);
	return 0;
}

static int pci_setup_interrupts(struct virtio_device *dev)
{
	struct pci_vdev *p = to_pci(dev);

	return p->msix_cap ? setup_msix(p) : setup_intx(p);
}

static void pci_describe(struct virtio_device *dev, char *buf, size_t size)
{
	struct pci_vdev *p = to_pci(dev);
	const struct pci_device *d = p->pci;
	int n = snprintf(buf, size, "pci %02x:%02x.%u%s", d->bus, d->slot, d->function,
			 p->bars_assigned_by_us ? " (BAR set by us)" : "");

	if (p->msix_cap && p->config_vector)
		snprintf(buf + n, size - n, " msi-x vectors %#x,%#x", p->config_vector,
			 p->queue_vector);
	else if (p->intx_vector)
		snprintf(buf + n, size - n, " intx gsi %u vector %#x", p->intx_gsi,
			 p->intx_vector);
}

static const struct virtio_transport_ops pci_ops = {
	.name = "pci",
	.get_features = pci_get_features,
	.set_features = pci_set_features,
	.get_status = pci_get_status,
	.set_status = pci_set_status,
	.reset = pci_reset,
	.config_generation = pci_config_generation,
	.read_config = pci_read_config,
	.write_config = pci_write_config,
	.queue_max_size = pci_queue_max_size,
	.queue_setup = pci_queue_setup,
	.queue_enable = pci_queue_enable,
	.notify = pci_notify,
	.setup_interrupts = pci_setup_interrupts,
	.describe = pci_describe,
};

/* ---- finding the structures --------------------------------------------------------- */

/* Sizes BAR `index` and makes sure it has an address we can reach. */
static bool map_bar(struct pci_vdev *p, unsigned int index)
{
	struct pci_bar bar;

	if (index >= PCI_BARS)
		return false;
	if (p->bar_base[index])
		return true;
	if (!pci_bar_read(p->pci, index, &bar) || bar.io || bar.size == 0 ||
	    bar.size > BAR_ALLOC_TOP - UNCACHED_WINDOW_START)
		return false;
	if (!bar.address || !in_uncached_window(bar.address, bar.size)) {
		uint64_t address = (bar_alloc_next - bar.size) & ~(bar.size - 1);

		if (address < UNCACHED_WINDOW_START)
			return false;
		bar_alloc_next = address;
		pci_bar_assign(p->pci, index, &bar, address);
		p->bars_assigned_by_us = true;
		bar.address = address;
	}
	p->bar_base[index] = bar.address;
	p->bar_size[index] = bar.size;
	return true;
}

/* The structure a capability points to, if it lies inside its BAR. */
static volatile uint8_t *cap_window(struct pci_vdev *p, uint8_t pos, uint32_t *length)
{
	const struct pci_device *d = p->pci;
	uint8_t bar = pci_config_read8(d->bus, d->slot, d->function, pos + VIRTIO_PCI_CAP_BAR);
	uint32_t offset = pci_config_read32(d->bus, d->slot, d->function,
					    pos + VIRTIO_PCI_CAP_OFFSET);

	*length = pci_config_read32(d->bus, d->slot, d->function, pos + VIRTIO_PCI_CAP_LENGTH);
	if (!map_bar(p, bar) || (uint64_t)offset + *length > p->bar_size[bar])
		return NULL;
	return phys_to_virt(p->bar_base[bar] + offset);
}

/* Walks the vendor capabilities; the first of each type wins (4.1.4). */
static bool find_structures(struct pci_vdev *p)
{
	const struct pci_device *d = p->pci;
	uint32_t length;

	for (uint8_t pos = pci_find_capability(d, PCI_CAP_ID_VENDOR, 0); pos;
	     pos = pci_find_capability(d, PCI_CAP_ID_VENDOR, pos)) {
		uint8_t type = pci_config_read8(d->bus, d->slot, d->function,
						pos + VIRTIO_PCI_CAP_CFG_TYPE);
		volatile uint8_t *window;

		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			if (!p->common && (window = cap_window(p, pos, &length)) &&
			    length >= sizeof(struct virtio_pci_common_cfg))
				p->common = window;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if (!p->notify && (window = cap_window(p, pos, &length))) {
				p->notify = window;
				p->notify_len = length;
				p->notify_multiplier = pci_config_read32(
					d->bus, d->slot, d->function,
					pos + VIRTIO_PCI_NOTIFY_CAP_MULT);
			}
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			if (!p->isr && (window = cap_window(p, pos, &length)) && length >= 1)
				p->isr = window;
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (!p->device_cfg && (window = cap_window(p, pos, &length))) {
				p->device_cfg = window;
				p->device_cfg_len = length;
			}
			break;
		}
	}
	return p->common && p->notify;
}

static bool find_msix(struct pci_vdev *p)
{
	const struct pci_device *d = p->pci;
	uint8_t pos = pci_find_capability(d, PCI_CAP_ID_MSIX, 0);

	if (!pos)
		return false;
	uint16_t control = pci_config_read16(d->bus, d->slot, d->function, pos + MSIX_CONTROL);
	uint32_t table = pci_config_read32(d->bus, d->slot, d->function, pos + MSIX_TABLE);
	unsigned int bir = table & MSIX_BIR_MASK;
	uint64_t offset = table & ~(uint32_t)MSIX_BIR_MASK;

	p->msix_entries = (control & MSIX_CONTROL_TABLE_SIZE) + 1;
	if (!map_bar(p, bir) || offset + 2 * MSIX_ENTRY_SIZE > p->bar_size[bir])
		return false;
	p->msix_table = phys_to_virt(p->bar_base[bir] + offset);
	p->msix_cap = pos;
	return true;
}

/* The virtio device id of a virtio PCI function, or 0 if it is not one we take. */
static uint32_t virtio_id_of(const struct pci_device *d)
{
	if (d->vendor_id != VIRTIO_PCI_VENDOR)
		return 0;
	if (d->device_id >= VIRTIO_PCI_MODERN_FIRST && d->device_id <= VIRTIO_PCI_MODERN_LAST)
		return d->device_id - VIRTIO_PCI_MODERN_FIRST;
	if (d->device_id >= VIRTIO_PCI_TRANSITIONAL_FIRST &&
	    d->device_id <= VIRTIO_PCI_TRANSITIONAL_LAST)
		return pci_config_read16(d->bus, d->slot, d->function, PCI_REG_SUBSYSTEM_ID);
	return 0;
}

static void probe_function(const struct pci_device *d)
{
	uint32_t id = virtio_id_of(d);

	if (!id)
		return;
	struct pci_vdev *p = kzalloc(sizeof(*p));

	if (!p)
		return;
	p->pci = d;
	if (!find_structures(p)) {
		printk("virtio-pci: %02x:%02x.%u (%04x:%04x): no usable modern capabilities "
		       "(legacy-only devices are not supported); skipped\n", d->bus, d->slot,
		       d->function, d->vendor_id, d->device_id);
		kfree(p);
		return;
	}
	find_msix(p);
	pci_command_set(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	p->vdev.device_id = id;
	p->vdev.ops = &pci_ops;
	p->vdev.transport_data = p;
	virtio_device_register(&p->vdev);
}

void virtio_pci_probe(void)
{
	for (unsigned int i = 0; i < pci_device_count(); i++)
		probe_function(pci_device_at(i));
}
