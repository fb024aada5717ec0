/*
 * virtio_devices.c — building and wiring the machine's virtio devices (see
 * host/virtio_devices.h).
 *
 * Placement is decided by command-line order alone, so the command line
 * given to the guest can be written before anything is opened:
 *   device i (0-7)            GSI 16 + i
 *   the n-th mmio device      registers at 0xd0000000 + 0x200 * n
 *   the n-th pci device       bus 0, slot 2 + n, BAR0 at 0xe0000000 + 32 KiB * n
 *
 * Notifications: each queue's eventfd is registered with KVM_IOEVENTFD on
 * its notify address (mmio: QueueNotify with the queue index as datamatch;
 * pci: the queue's own address, any value).  A guest write there then
 * wakes the I/O thread inside KVM, with no exit to pvkit-hv.  Without
 * ioeventfd (or for a write of another width), the write exits as MMIO,
 * reaches the transport on the vCPU thread, and the transport signals the
 * same eventfd: the device code cannot tell the difference.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/error.h"
#include "host/iothread.h"
#include "host/layout.h"
#include "host/stats.h"
#include "host/trace.h"
#include "host/virtio_blk.h"
#include "host/virtio_console.h"
#include "host/virtio_devices.h"
#include "host/virtio_mmio.h"
#include "host/virtio_net.h"
#include "host/virtio_pci.h"
#include "host/virtio_rng.h"

#define MMIO_NOTIFY_WIDTH       4       /* QueueNotify is a 32-bit register */
#define PCI_NOTIFY_WIDTH        2       /* the driver writes the 16-bit queue index */

struct virtio_slot {
	struct virtio_devices *owner;
	struct virtio_device *dev;
	const struct virtio_option *option;
	unsigned int gsi;
	bool pci;
	uint64_t mmio_base;             /* mmio */
	uint8_t pci_slot;               /* pci */
	uint32_t bar;
	struct virtio_mmio mmio;
	struct virtio_pci pcit;
};

struct virtio_devices {
	struct vm *vm;
	struct virtio_pci_host_ops pci_ops;     /* how virtio-pci reaches KVM */
	struct iothread *iothread;
	unsigned int count;
	struct virtio_slot slot[OPTIONS_MAX_VIRTIO];
};

/* ---- placement ------------------------------------------------------------ */

struct placement {
	unsigned int gsi;
	unsigned int kind_index;        /* virtio-blk<kind_index> */
	unsigned int transport_index;   /* among the devices on the same transport */
};

static struct placement place(const struct options *opts, unsigned int i)
{
	struct placement p = { .gsi = LAYOUT_VIRTIO_FIRST_GSI + i };

	for (unsigned int k = 0; k < i; k++) {
		p.kind_index += opts->virtio[k].kind == opts->virtio[i].kind;
		p.transport_index += opts->virtio[k].transport == opts->virtio[i].transport;
	}
	return p;
}

static uint64_t mmio_base(unsigned int transport_index)
{
	return LAYOUT_VIRTIO_MMIO_BASE + LAYOUT_VIRTIO_MMIO_STRIDE * transport_index;
}

bool virtio_devices_cmdline(const struct options *opts, char *cmdline, size_t size,
			    char *err, size_t err_len)
{
	size_t used = strlen(cmdline);

	for (unsigned int i = 0; i < opts->virtio_count; i++) {
		if (opts->virtio[i].transport != VIRTIO_TRANSPORT_MMIO)
			continue;
		struct placement p = place(opts, i);
		int n = snprintf(cmdline + used, size - used, "%svirtio_mmio.device=%u@%#llx:%u",
				 used > 0 ? " " : "", (unsigned int)VIRTIO_MMIO_REGION_SIZE,
				 (unsigned long long)mmio_base(p.transport_index), p.gsi);

		if (n < 0 || (size_t)n >= size - used) {
			cmdline[used] = '\0';
			return error_set(err, err_len, "the kernel command line with the "
					 "virtio_mmio.device= words is longer than %zu bytes",
					 size - 1);
		}
		used += (size_t)n;
	}
	return true;
}

/* ---- creation --------------------------------------------------------------- */

#define DEFAULT_MAC { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }     /* QEMU's first NIC */

static struct virtio_device *create_net(const struct virtio_option *o, unsigned int index,
					char *err, size_t err_len)
{
	struct virtio_net_params params = { .link = options_packet_link(o), .mac = DEFAULT_MAC };

	if (o->mac_set)
		memcpy(params.mac, o->mac, sizeof(params.mac));
	else
		params.mac[5] = (uint8_t)(params.mac[5] + index);
	return virtio_net_create(&params, index, err, err_len);
}

/* The console reads stdin, or with in=FILE that file.  O_NONBLOCK: a FIFO
 * with no writer yet must not hold up the start (and no read may ever
 * block the I/O thread).  -1 + message if it cannot be opened. */
static int open_console_input(const struct virtio_option *o, char *err, size_t err_len)
{
	if (o->console_in[0] == '\0')
		return STDIN_FILENO;
	int fd = open(o->console_in, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		error_set(err, err_len, "in=%s: %s", o->console_in, strerror(errno));
	return fd;
}

/* The console's output goes to stdout, or with out=FILE to that file (so a
 * test harness can tell it from the UART's output, which is on stdout). */
static int open_console_output(const struct virtio_option *o, char *err, size_t err_len)
{
	if (o->console_out[0] == '\0')
		return STDOUT_FILENO;
	int fd = open(o->console_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		error_set(err, err_len, "out=%s: %s", o->console_out, strerror(errno));
	return fd;
}

static struct virtio_device *create_console(const struct virtio_option *o, unsigned int index,
					    char *err, size_t err_len)
{
	int in_fd = open_console_input(o, err, err_len);
	int out_fd = in_fd < 0 ? -1 : open_console_output(o, err, err_len);

	if (out_fd < 0) {
		if (in_fd > STDERR_FILENO)
			close(in_fd);
		return NULL;
	}
	return virtio_console_create(index, in_fd, out_fd, err, err_len);
}

static struct virtio_device *create_device(const struct virtio_option *o, unsigned int index,
					   char *err, size_t err_len)
{
	switch (o->kind) {
	case VIRTIO_OPTION_BLK:     return virtio_blk_create(o->path, index, err, err_len);
	case VIRTIO_OPTION_RNG:     return virtio_rng_create(index, err, err_len);
	case VIRTIO_OPTION_CONSOLE: return create_console(o, index, err, err_len);
	case VIRTIO_OPTION_NET:     return create_net(o, index, err, err_len);
	}
	error_set(err, err_len, "unknown virtio device kind %d", (int)o->kind);
	return NULL;
}

static const char *option_name(enum virtio_option_kind kind)
{
	switch (kind) {
	case VIRTIO_OPTION_BLK:     return "--virtio-blk";
	case VIRTIO_OPTION_RNG:     return "--virtio-rng";
	case VIRTIO_OPTION_CONSOLE: return "--virtio-console";
	case VIRTIO_OPTION_NET:     return "--virtio-net";
	}
	return "--virtio";
}

static void set_line(void *opaque, unsigned int gsi, int level)
{
	struct virtio_devices *d = opaque;

	vm_set_irq_line(d->vm, gsi, level);
}

static void signal_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct virtio_devices *d = opaque;

	vm_signal_msi(d->vm, address, data);
}

static void assign_ioeventfd(struct virtio_devices *d, struct virtio_device *dev, unsigned int q,
			     uint64_t addr, unsigned int width, bool datamatch, bool assign)
{
	int fd = dev->kick[q].fd;

	if (fd < 0)
		return;
	if (vm_ioeventfd(d->vm, addr, width, datamatch, q, fd, assign))
		TRACE("%s %s: ioeventfd %s at %#" PRIx64, dev->name, dev->queues[q].name,
		      assign ? "registered" : "removed", addr);
	else
		TRACE("%s %s: no ioeventfd at %#" PRIx64 " (%s): notifications exit to pvkit-hv",
		      dev->name, dev->queues[q].name, addr, strerror(errno));
}

static void pci_notify_moved(void *opaque, struct virtio_device *dev, unsigned int q,
			     uint64_t old_addr, uint64_t new_addr)
{
	struct virtio_devices *d = opaque;

	if (old_addr != PCI_BAR_UNMAPPED)
		assign_ioeventfd(d, dev, q, old_addr, PCI_NOTIFY_WIDTH, false, false);
	if (new_addr != PCI_BAR_UNMAPPED)
		assign_ioeventfd(d, dev, q, new_addr, PCI_NOTIFY_WIDTH, false, true);
}


struct virtio_devices *virtio_devices_create(const struct options *opts,
					     const struct guest_mem *mem, struct vm *vm,
					     char *err, size_t err_len)
{
	struct virtio_devices *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		error_set(err, err_len, "out of memory");
		return NULL;
	}
	d->vm = vm;
	d->pci_ops = (struct virtio_pci_host_ops){
		.set_intx = set_line, .signal_msi = signal_msi, .notify_moved = pci_notify_moved,
		.opaque = d,
	};
	for (unsigned int i = 0; i < opts->virtio_count; i++) {
		struct virtio_slot *s = &d->slot[i];
		struct placement p = place(opts, i);

		s->owner = d;
		s->option = &opts->virtio[i];
		s->gsi = p.gsi;
		s->pci = s->option->transport == VIRTIO_TRANSPORT_PCI;
		char why[256] = "";

		s->dev = create_device(s->option, p.kind_index, why, sizeof(why));
		if (s->dev == NULL) {
			error_set(err, err_len, "%s: %s", option_name(s->option->kind), why);
			virtio_devices_destroy(d);
			return NULL;
		}
		d->count++;
		if (s->option->no_packed)       /* packed=off: split rings only */
			s->dev->features &= ~(1ull << VIRTIO_F_RING_PACKED);
		virtio_device_set_memory(s->dev, mem);
		if (s->pci) {
			s->pci_slot = (uint8_t)(LAYOUT_VIRTIO_PCI_FIRST_SLOT + p.transport_index);
			s->bar = (uint32_t)(LAYOUT_PCI_WINDOW_BASE +
					    (uint64_t)VIRTIO_PCI_BAR_SIZE * p.transport_index);
		} else {
			s->mmio_base = mmio_base(p.transport_index);
			virtio_mmio_init(&s->mmio, s->dev, s->mmio_base, s->gsi, set_line, d);
		}
	}
	return d;
}

bool virtio_devices_use_stdin(const struct virtio_devices *d)
{
	for (unsigned int i = 0; d != NULL && i < d->count; i++)
		if (d->slot[i].option->kind == VIRTIO_OPTION_CONSOLE &&
		    d->slot[i].option->console_in[0] == '\0')
			return true;
	return false;
}

/* ---- registration and start --------------------------------------------------- */

bool virtio_devices_register(struct virtio_devices *d, struct io_bus *mmio,
			     struct pci_host *pci, char *err, size_t err_len)
{
	bool window = false;

	for (unsigned int i = 0; i < d->count; i++) {
		struct virtio_slot *s = &d->slot[i];

		if (!s->pci) {
			struct io_region r = virtio_mmio_io_region(&s->mmio);

			if (!io_bus_add(mmio, &r))
				return error_set(err, err_len, "cannot place %s at %#llx", s->dev->name,
						 (unsigned long long)s->mmio_base);
			continue;
		}
		virtio_pci_init(&s->pcit, s->dev, pci, s->pci_slot, s->bar, s->gsi,
				!s->option->no_msix, &d->pci_ops);
		if (!pci_host_add(pci, &s->pcit.fn))
			return error_set(err, err_len, "cannot add %s at PCI slot %u", s->dev->name,
					 s->pci_slot);
		window = true;
	}
	if (window) {
		pci_host_set_window(pci, LAYOUT_PCI_WINDOW_BASE, LAYOUT_PCI_WINDOW_SIZE);
		struct io_region r = pci_host_memory_region(pci);

		if (!io_bus_add(mmio, &r))
			return error_set(err, err_len, "cannot place the PCI memory window");
	}
	return true;
}

bool virtio_devices_start(struct virtio_devices *d, char *err, size_t err_len)
{
	if (d->count == 0)
		return true;
	d->iothread = iothread_create(err, err_len);
	if (d->iothread == NULL)
		return false;
	for (unsigned int i = 0; i < d->count; i++) {
		struct virtio_slot *s = &d->slot[i];

		if (!virtio_device_use_iothread(s->dev, d->iothread, err, err_len))
			return false;
		if (s->pci) {
			virtio_pci_attach(&s->pcit);
			continue;
		}
		for (unsigned int q = 0; q < s->dev->num_queues; q++)
			assign_ioeventfd(d, s->dev, q, virtio_mmio_notify_address(&s->mmio),
					 MMIO_NOTIFY_WIDTH, true, true);
	}
	return iothread_start(d->iothread, err, err_len);
}

/* ---- exit ------------------------------------------------------------------ */

void virtio_devices_stop(struct virtio_devices *d)
{
	if (d != NULL)
		iothread_stop(d->iothread);
}

void virtio_devices_print_stats(const struct virtio_devices *d, FILE *out)
{
	if (d == NULL || d->count == 0)
		return;
	stats_print_queue_header(out);
	for (unsigned int i = 0; i < d->count; i++) {
		const struct virtio_device *dev = d->slot[i].dev;

		for (unsigned int q = 0; q < dev->num_queues; q++) {
			const struct virtqueue *vq = &dev->queues[q];

			stats_print_queue(out, dev->name, vq->name, vq->notifications, vq->interrupts,
					  vq->chains, vq->bad_chains);
		}
	}
}

int virtio_devices_sync(struct virtio_devices *d)
{
	int result = 0;

	for (unsigned int i = 0; d != NULL && i < d->count; i++) {
		if (d->slot[i].option->kind != VIRTIO_OPTION_BLK)
			continue;
		int rc = virtio_blk_sync(d->slot[i].dev);

		if (rc < 0 && result == 0)
			result = rc;
	}
	return result;
}

void virtio_devices_destroy(struct virtio_devices *d)
{
	if (d == NULL)
		return;
	virtio_devices_stop(d);
	for (unsigned int i = 0; i < d->count; i++)
		virtio_device_destroy(d->slot[i].dev);
	iothread_destroy(d->iothread);
	free(d);
}
