/*
 * xen.h — pvkit-hv's Xen mode (--xen): pvkit-hv plays Xen and dom0 for a
 * PVH guest (docs/pvkit-hv-xen.md).
 *
 * This is the part that touches KVM; the Xen logic itself is pure and
 * lives in host/xen_domain.c (hypercalls), host/xen_evtchn.c (event
 * channels), host/xen_time.c (pvclock), host/xen_console.c (console ring)
 * and host/xen_hypercall_page.c.  Here:
 *   - the hypercall MSR: a guest wrmsr(0x40000000, page address) exits to
 *     us through KVM's MSR filter and we write the hypercall page;
 *   - the hypercall port: each stub's `out` lands in a function that reads
 *     the arguments from the registers KVM syncs into kvm_run
 *     (KVM_CAP_SYNC_REGS) and puts the result in %rax there;
 *   - the upcall: KVM_SIGNAL_MSI of the guest's callback vector to APIC 0;
 *   - time: the guest TSC (KVM_GET_MSRS) and a POSIX timer that kicks the
 *     vCPU out of KVM_RUN when the guest's single-shot timer is due;
 *   - the console backend: the ring to our stdout, stdin into the ring;
 *   - xenstored: the store (host/xenstore.c) served on the guest's ring
 *     page (host/xenstore_ring.c) whenever the guest notifies its port;
 *   - dom0's block and network backends (--xen-blk, --xen-net:
 *     host/xen_blkback.c, host/xen_netback.c): their handshakes after the
 *     guest's store requests, their rings when the guest notifies them, and
 *     frames for the guest when a watcher thread (host/fd_watch.c) signals
 *     that one waits.
 */
#ifndef PVKIT_HOST_XEN_H
#define PVKIT_HOST_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "host/console.h"
#include "host/io.h"
#include "host/stats.h"
#include "host/stop.h"
#include "host/vm.h"
#include "host/fd_watch.h"
#include "host/xen_blkback.h"
#include "host/xen_domain.h"
#include "host/xen_netback.h"
#include "host/xenstore.h"
#include "host/xenstore_ring.h"

/* The port the hypercall stubs write to: 8 bits (the stubs' `out imm8`),
 * and nothing a PC has there. */
#define XEN_HYPERCALL_PORT      0xe8
#define XEN_HYPERCALL_PORT_SIZE 4       /* the stubs' `out %eax` writes 4 bytes */

struct xen_host {
	struct xen_domain domain;
	bool initialised;               /* domain set up: xen_domain_destroy it */
	struct vm *vm;
	struct console *console;        /* where the PV console's output goes */
	struct stop_request *stop;
	struct stats *stats;
	bool upcall_sent;               /* the callback vector went out since
					   upcall_pending last went from 0 to 1 */
	struct xen_time time;           /* the pvclock pair we published */
	uint64_t start_mono_ns;         /* host CLOCK_MONOTONIC at system time 0 */
	timer_t timer;                  /* kicks the vCPU for the single-shot timer */
	bool timer_created;
	uint64_t timer_host_ns;         /* host CLOCK_MONOTONIC it is armed for, 0: not */
	int in_fd;                      /* console input, -1 when none */
	struct xenstore *store;         /* the store, with the guest's home in it */
	struct xenstore_conn *store_conn;       /* the guest's connection */
	struct xenstore_ring store_ring;        /* ...served on its ring page */
	evtchn_port_t store_port;
	bool has_blk;                   /* --xen-blk: the disk backend */
	struct xen_blkback blk;
	bool has_net;                   /* --xen-net: the network backend */
	struct xen_netback net;
	struct fd_watch net_watch;      /* frames for the guest kick the vCPU */
	bool net_rx_ready;              /* set by the watcher, taken between runs */
	pthread_t vcpu_thread;
};

/* Sets up the domain over the VM's RAM (vm_alloc_ram done) and its
 * xenstore; console for output, in_fd for input (-1: none).  False, with
 * a message, when out of memory. */
bool xen_host_init(struct xen_host *x, struct vm *vm, struct console *console, int in_fd,
		   struct stop_request *stop, struct stats *stats, char *err, size_t err_len);
/* --xen-blk: a disk on the image at path, served by our blkback.  False
 * with a message when the image is unusable. */
bool xen_host_add_blk(struct xen_host *x, const char *path, char *err, size_t err_len);
/* --xen-net: a network card on `link`, served by our netback.  False with
 * a message when the store refuses. */
bool xen_host_add_net(struct xen_host *x, const struct packet_link_params *link,
		      const uint8_t mac[XEN_NETBACK_MAC_LEN], char *err, size_t err_len);
/* The backends' counters, for --stats (also after xen_host_stop). */
void xen_host_print_stats(const struct xen_host *x, FILE *out);
/* The hypercall port, to add to the port bus. */
struct io_region xen_host_io_region(struct xen_host *x);
/* After vm_create: the MSR trap, the clock, the host timer. */
bool xen_host_start(struct xen_host *x, char *err, size_t err_len);
/* Stops the timer and frees the domain and the store; safe after a
 * failed or no init. */
void xen_host_stop(struct xen_host *x);

/* For the vcpu_loop's hooks: before each KVM_RUN (the timer), and a
 * guest wrmsr KVM handed over (false: #GP). */
void xen_host_between_runs(struct xen_host *x);
bool xen_host_wrmsr(struct xen_host *x, uint32_t index, uint64_t value);
/* On each housekeeping tick: a fresh pvclock pair, console input. */
void xen_host_housekeeping(struct xen_host *x);

#endif
