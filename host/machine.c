/*
 * machine.c — assembles the virtual PC and runs it.
 *
 * The order matters for the exit codes: the kernel image and the disk
 * files are checked before /dev/kvm is opened, so a bad image is reported
 * as such (251, 250) even on a machine without KVM.  Whatever happens
 * after setup, the way out is the same: flush the console, restore the
 * terminal, print --stats, sync and close the disks, close KVM.
 *
 * Devices on the port bus:
 *   0x0f4-0x0f7  debug-exit       (host/debug_exit.c)
 *   0x170-0x177, 0x376            ATA secondary channel, if a third disk exists (host/ata.c)
 *   0x1f0-0x1f7, 0x3f6            ATA primary channel (host/ata.c)
 *   0x3f8-0x3ff  COM1 16550 UART  (host/uart.c), IRQ 4
 *   0xcf8-0xcff  PCI host bridge  (host/pci.c)
 * In the kernel (KVM): PIC 0x20/0xa0, PIT 0x40-0x43, speaker port 0x61,
 * ELCR 0x4d0, I/O APIC 0xfec00000, LAPIC 0xfee00000.
 *
 * On the MMIO bus, only with --virtio-* options (host/virtio_devices.c):
 *   0xd0000000 + 0x200 * n     virtio-mmio register blocks
 *   0xe0000000-0xefffffff      the PCI memory window (virtio-pci BARs)
 * Their backends run on an I/O thread, started last and stopped first.
 *
 * With --xen (host/xen.c) the machine is a Xen PVH domain instead: no
 * UART, PCI or disks (Xen gives a PVH guest no emulated devices), the
 * hypercall port 0xe8 that the hypercall page's stubs write to, the PV
 * console ring on stdin/stdout, and the debug-exit port kept as a last
 * resort for a guest that fails before it finds Xen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/ata.h"
#include "host/console.h"
#include "host/debug_exit.h"
#include "host/exit_codes.h"
#include "host/loader.h"
#include "host/machine.h"
#include "host/pci.h"
#include "host/signals.h"
#include "host/stats.h"
#include "host/term.h"
#include "host/trace.h"
#include "host/uart.h"
#include "host/vcpu.h"
#include "host/virtio_devices.h"
#include "host/vm.h"
#include "host/xen.h"

#define ERR_LEN 512

struct machine {
	const struct options *opts;
	const uint8_t *kernel;
	size_t kernel_size;
	struct vm vm;
	struct pvh_boot boot;
	struct io_bus pio, mmio;
	struct uart16550 uart;
	struct console console;
	struct pci_host pci;
	struct pci_function host_bridge, ide;
	struct ata_controller *ata;
	struct virtio_devices *virtio;
	struct xen_host xen;                    /* --xen */
	char cmdline[LAYOUT_CMDLINE_SIZE];      /* the options' and the virtio-mmio words */
	struct stop_request stop;
	struct stats stats;
	uint64_t deadline_ns;           /* 0: no --timeout */
	struct vcpu_loop loop;
	char err[ERR_LEN];
};

static int fail(struct machine *m, int status)
{
	fprintf(stderr, "pvkit-hv: %s\n", m->err);
	return status;
}

/* ---- the UART's backend: the console, and IRQ 4 ------------------------- */

static void uart_transmit(void *opaque, uint8_t byte)
{
	struct machine *m = opaque;

	console_transmit(&m->console, byte);
}

static void uart_want_input(void *opaque)
{
	struct machine *m = opaque;

	console_want_input(&m->console);
}

static void uart_set_irq(void *opaque, int level)
{
	struct machine *m = opaque;

	TRACE("irq %u level=%d uart16550", UART_COM1_IRQ, level);
	vm_set_irq_line(&m->vm, UART_COM1_IRQ, level);
}

/* ---- the ATA controller's IRQs 14 and 15 -------------------------------- */

static void ata_set_irq(void *opaque, unsigned int irq_line, int level)
{
	struct machine *m = opaque;

	TRACE("irq %u level=%d ata", irq_line, level);
	if (irq_line < 16)
		vm_set_irq_line(&m->vm, irq_line, level);
}

/* ---- the run loop's hooks ----------------------------------------------- */

static void flush_output(void *opaque)
{
	struct machine *m = opaque;

	console_flush(&m->console);
}

/* Every tick: show a partial line, take keyboard input, check --timeout. */
static void housekeeping(void *opaque)
{
	struct machine *m = opaque;

	console_flush(&m->console);
	if (m->opts->xen)
		xen_host_housekeeping(&m->xen);
	else
		console_want_input(&m->console);
	if (m->deadline_ns != 0 && stats_now_ns() >= m->deadline_ns && !m->stop.requested) {
		fprintf(stderr, "pvkit-hv: --timeout %u s expired, stopping the guest\n",
			m->opts->timeout_seconds);
		stop_request_set(&m->stop, EXIT_TIMEOUT);
	}
}

/* The Xen mode's hooks, for the machine's loop. */
static void xen_between_runs(void *opaque)
{
	struct machine *m = opaque;

	xen_host_between_runs(&m->xen);
}

static bool xen_wrmsr(void *opaque, uint32_t index, uint64_t value)
{
	struct machine *m = opaque;

	return xen_host_wrmsr(&m->xen, index, value);
}

/* ---- setup ------------------------------------------------------------ */

static int load_kernel(struct machine *m)
{
	const struct options *o = m->opts;

	snprintf(m->cmdline, sizeof(m->cmdline), "%s", o->cmdline);
	if (!virtio_devices_cmdline(o, m->cmdline, sizeof(m->cmdline), m->err, ERR_LEN))
		return fail(m, EXIT_USAGE);
	if (!loader_map_file(o->kernel, &m->kernel, &m->kernel_size, m->err, ERR_LEN))
		return fail(m, EXIT_BAD_KERNEL);
	if (!vm_alloc_ram(&m->vm, o->mem_bytes, m->err, ERR_LEN))
		return fail(m, EXIT_USAGE);
	if (!loader_load_pvh(m->kernel, m->kernel_size, o->kernel, m->vm.ram, m->vm.ram_size,
			     m->cmdline, &m->boot, m->err, ERR_LEN))
		return fail(m, EXIT_BAD_KERNEL);
	TRACE("loaded %s at %#llx-%#llx, PVH entry %#llx, hvm_start_info at %#llx",
	      o->kernel, (unsigned long long)m->boot.image_start,
	      (unsigned long long)m->boot.image_end - 1, (unsigned long long)m->boot.entry,
	      (unsigned long long)m->boot.start_info);
	return 0;
}

static int attach_disks(struct machine *m)
{
	m->ata = ata_controller_create(ata_set_irq, m);
	if (m->ata == NULL) {
		snprintf(m->err, ERR_LEN, "out of memory");
		return fail(m, EXIT_USAGE);
	}
	for (unsigned int i = 0; i < m->opts->disk_count; i++) {
		char why[ERR_LEN - 16];

		if (!ata_controller_add_disk(m->ata, m->opts->disks[i], why, sizeof(why))) {
			snprintf(m->err, ERR_LEN, "--disk: %s", why);
			return fail(m, EXIT_USAGE);
		}
	}
	return 0;
}

/* The --virtio-* devices: their files and sockets are opened here, before
 * /dev/kvm, so a bad one is a usage error (250) like a bad --disk. */
static int create_virtio_devices(struct machine *m)
{
	const struct guest_mem mem = { .ram = m->vm.ram, .size = m->vm.ram_size };
	char why[ERR_LEN - 32];

	m->virtio = virtio_devices_create(m->opts, &mem, &m->vm, why, sizeof(why));
	if (m->virtio != NULL)
		return 0;
	snprintf(m->err, ERR_LEN, "%s", why);
	return fail(m, EXIT_USAGE);
}

static bool add_port_region(struct machine *m, const struct io_region *region)
{
	if (io_bus_add(&m->pio, region))
		return true;
	snprintf(m->err, ERR_LEN, "cannot place %s at port %#llx (overlap)", region->name,
		 (unsigned long long)region->base);
	return false;
}

/* The PCI bus: the host bridge, and the IDE function when there are disks
 * (software finds the disk controller by looking for it there). */
static void add_pci_functions(struct machine *m)
{
	pci_host_init(&m->pci);
	pci_host_bridge_init(&m->host_bridge);
	pci_host_add(&m->pci, &m->host_bridge);
	if (ata_controller_disk_count(m->ata) > 0) {
		pci_ide_init(&m->ide);
		pci_host_add(&m->pci, &m->ide);
	}
}

/* --xen-net: the card's MAC is mac= or, as xl picks them, one in Xen's
 * range 00:16:3e. */
static bool add_xen_net(struct machine *m)
{
	const struct virtio_option *o = &m->opts->xen_net;
	const struct packet_link_params link = options_packet_link(o);
	uint8_t mac[XEN_NETBACK_MAC_LEN] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 };
	char why[256];

	if (o->mac_set)
		memcpy(mac, o->mac, sizeof(mac));
	if (xen_host_add_net(&m->xen, &link, mac, why, sizeof(why)))
		return true;
	snprintf(m->err, ERR_LEN, "--xen-net: %s", why);
	return false;
}

/* --xen: the debug-exit port and the hypercall port; the console is the
 * PV ring, served by host/xen.c. */
static int add_xen_devices(struct machine *m)
{
	struct io_region debug_exit = debug_exit_io_region(&m->stop), hypercall;

	if (!xen_host_init(&m->xen, &m->vm, &m->console, -1, &m->stop, &m->stats, m->err, ERR_LEN))
		return fail(m, EXIT_USAGE);
	if (m->opts->xen_blk && !xen_host_add_blk(&m->xen, m->opts->xen_blk, m->err, ERR_LEN))
		return fail(m, EXIT_USAGE);
	if (m->opts->xen_net_set && !add_xen_net(m))
		return fail(m, EXIT_USAGE);
	hypercall = xen_host_io_region(&m->xen);
	if (!add_port_region(m, &debug_exit) || !add_port_region(m, &hypercall))
		return fail(m, EXIT_NO_KVM);
	return 0;
}

static int add_devices(struct machine *m)
{
	const struct uart_backend backend = {
		.transmit = uart_transmit, .set_irq = uart_set_irq,
		.want_input = uart_want_input, .opaque = m,
	};
	struct io_region uart, debug_exit, pci;

	m->pio.name = "pio";
	m->mmio.name = "mmio";
	uart_init(&m->uart, &backend);
	console_init(&m->console, STDIN_FILENO, STDOUT_FILENO, &m->uart);
	if (m->opts->xen)
		return add_xen_devices(m);
	add_pci_functions(m);
	uart = uart_io_region(&m->uart, UART_COM1_BASE);
	debug_exit = debug_exit_io_region(&m->stop);
	pci = pci_host_io_region(&m->pci);
	if (!add_port_region(m, &uart) || !add_port_region(m, &debug_exit) ||
	    !add_port_region(m, &pci))
		return fail(m, EXIT_NO_KVM);
	if (!ata_controller_register(m->ata, &m->pio)) {
		snprintf(m->err, ERR_LEN, "cannot place the ATA controller's ports");
		return fail(m, EXIT_NO_KVM);
	}
	if (!virtio_devices_register(m->virtio, &m->mmio, &m->pci, m->err, ERR_LEN))
		return fail(m, EXIT_NO_KVM);
	return 0;
}

static int start_vm(struct machine *m)
{
	m->vm.xen = m->opts->xen;
	if (!vm_create(&m->vm, m->err, ERR_LEN) ||
	    !vm_set_pvh_entry(&m->vm, m->boot.entry, m->boot.start_info, m->err, ERR_LEN) ||
	    (m->opts->xen && !xen_host_start(&m->xen, m->err, ERR_LEN)) ||
	    !virtio_devices_start(m->virtio, m->err, ERR_LEN))
		return fail(m, EXIT_NO_KVM);
	return 0;
}

/* ---- run and tear down ------------------------------------------------- */

static int run(struct machine *m)
{
	m->loop = (struct vcpu_loop){
		.vm = &m->vm, .pio = &m->pio, .mmio = &m->mmio, .stats = &m->stats,
		.stop = &m->stop, .housekeeping = housekeeping,
		.flush_output = flush_output, .opaque = m,
	};
	if (m->opts->xen) {
		m->loop.between_runs = xen_between_runs;
		m->loop.wrmsr = xen_wrmsr;
	}
	if (m->opts->timeout_seconds > 0)
		m->deadline_ns = stats_now_ns() + m->opts->timeout_seconds * 1000000000ull;
	if (!term_enter_raw() || virtio_devices_use_stdin(m->virtio))
		m->console.in_fd = -1;  /* in the background, or the virtio console reads it */
	m->xen.in_fd = m->console.in_fd;
	signals_set_run(m->vm.run);
	signals_start_ticks();
	int status = vcpu_run(&m->loop);

	signals_stop_ticks();
	signals_set_run(NULL);
	return status;
}

static void tear_down(struct machine *m)
{
	virtio_devices_stop(m->virtio);         /* no device work from here on */
	xen_host_stop(&m->xen);
	console_flush(&m->console);
	term_restore();
	if (m->opts->stats) {
		stats_print(&m->stats, stderr);
		virtio_devices_print_stats(m->virtio, stderr);
		xen_host_print_stats(&m->xen, stderr);
	}
	int rc = virtio_devices_sync(m->virtio);

	if (rc < 0)
		fprintf(stderr, "pvkit-hv: syncing the virtio-blk images failed: %s\n",
			strerror(-rc));
	virtio_devices_destroy(m->virtio);
	if (m->ata != NULL) {
		int rc = ata_controller_sync(m->ata);

		if (rc < 0)
			fprintf(stderr, "pvkit-hv: syncing the disk images failed: %s\n",
				strerror(-rc));
		ata_controller_destroy(m->ata);
	}
	vm_destroy_in_background(&m->vm);
	if (m->kernel != NULL)
		loader_unmap_file(m->kernel, m->kernel_size);
}

int machine_run(const struct options *opts)
{
	struct machine *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		fputs("pvkit-hv: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	m->opts = opts;
	m->vm = (struct vm){ .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	trace_enabled = opts->trace;
	stats_init(&m->stats, opts->stats);
	signals_install();

	int status = load_kernel(m);

	if (status == 0)
		status = attach_disks(m);
	if (status == 0)
		status = create_virtio_devices(m);
	if (status == 0)
		status = add_devices(m);
	if (status == 0)
		status = start_vm(m);
	if (status == 0)
		status = run(m);
	tear_down(m);
	free(m);
	return status;
}
