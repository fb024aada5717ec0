/*
 * xen.c — the KVM side of pvkit-hv's Xen mode (see host/xen.h).
 *
 * Everything runs on the vCPU thread, between two KVM_RUNs: the guest is
 * stopped while we read or change its shared_info, so no locking is
 * needed.  The only other actor is a POSIX timer, whose signal just makes
 * KVM_RUN return (host/signals.c); the timer's event is raised here, in
 * xen_host_between_runs().
 */
#define _GNU_SOURCE             /* gettid */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "host/cpuid.h"
#include "host/error.h"
#include "host/exit_codes.h"
#include "host/layout.h"
#include "host/signals.h"
#include "host/trace.h"
#include "host/xen.h"
#include "host/xen_console.h"
#include "host/xen_hypercall_page.h"

#define PAGE_SIZE               4096ull
#define PAGE_OFFSET_MASK        (PAGE_SIZE - 1)
#define NSEC_PER_MSEC           1000000ull
#define NSEC_PER_SEC            1000000000ull
#define MSI_ADDRESS_APIC0       0xfee00000ull   /* fixed delivery, destination APIC 0 */
#define CONSOLE_INPUT_CHUNK     256

/* ---- time -------------------------------------------------------------- */

/* System time as the guest computes it now, from the published pair. */
static uint64_t system_now_ns(struct xen_host *x)
{
	return xen_time_system_ns(&x->time, vm_guest_tsc(x->vm));
}

/* System time by the host's clock: nanoseconds since the domain started. */
static uint64_t host_system_ns(struct xen_host *x)
{
	return stats_now_ns() - x->start_mono_ns;
}

/* Host CLOCK_MONOTONIC when system time will be system_ns. */
static uint64_t host_time_of(struct xen_host *x, uint64_t system_ns)
{
	uint64_t limit = UINT64_MAX - x->start_mono_ns;

	return x->start_mono_ns + (system_ns < limit ? system_ns : limit);
}

/*
 * A fresh (guest TSC, system time) pair in vcpu_info[0].time, as Xen
 * refreshes it whenever it runs the vCPU.  System time is the host's
 * clock, so the guest's follows it even where its TSC does not keep pace:
 * KVM on kvm_amd nested under QEMU TCG, finding the host's TSC unstable,
 * holds a guest's TSC still while the vCPU is not loaded (halted, or in
 * pvkit-hv).  But never less than the old pair gives now: the guest last
 * read its clock before this exit, so its clock never goes back.
 */
static void publish_time(struct xen_host *x)
{
	struct shared_info *s = x->domain.events.shared;
	uint64_t tsc = vm_guest_tsc(x->vm);
	uint64_t on_line = xen_time_system_ns(&x->time, tsc), by_host = host_system_ns(x);

	x->time.system_ns = on_line > by_host ? on_line : by_host;
	x->time.tsc = tsc;
	xen_time_publish(&x->time, &s->vcpu_info[0].time);
}

/* The pvclock, and the wall clock: the host's time of day at system time 0. */
static void publish_all_time(struct xen_host *x)
{
	struct timespec real;

	publish_time(x);
	clock_gettime(CLOCK_REALTIME, &real);
	xen_time_publish_wallclock(x->domain.events.shared, (uint64_t)real.tv_sec * NSEC_PER_SEC +
				   (uint64_t)real.tv_nsec, x->time.system_ns);
	TRACE("xen time: tsc %#" PRIx64 " = system time %" PRIu64 " ns, mul %#x shift %d "
	      "(%u kHz)", x->time.tsc, x->time.system_ns, x->time.mul, x->time.shift,
	      x->vm->tsc_khz);
}

/* A CLOCK_MONOTONIC time in nanoseconds, as the clock calls take it. */
static struct timespec timespec_of(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NSEC_PER_SEC),
				  .tv_nsec = (long)(ns % NSEC_PER_SEC) };
}

/* Arms the host timer for the guest's single-shot timer, or disarms it
 * (it_value 0). */
static void program_host_timer(struct xen_host *x, uint64_t host_ns)
{
	struct itimerspec when = { 0 };

	if (host_ns)
		when.it_value = timespec_of(host_ns);
	x->timer_host_ns = host_ns;
	if (x->timer_created)
		timer_settime(x->timer, TIMER_ABSTIME, &when, NULL);
}

static void on_timer_changed(void *opaque)
{
	struct xen_host *x = opaque;
	struct xen_domain *d = &x->domain;

	TRACE("xen timer %s%" PRIu64 " ns", d->timer_armed ? "set for system time " : "stopped at ",
	      d->timer_armed ? d->timer_ns : system_now_ns(x));
	program_host_timer(x, d->timer_armed ? host_time_of(x, d->timer_ns) : 0);
}

/* ---- the upcall ------------------------------------------------------------ */

/*
 * Xen keeps injecting an HVM guest's callback vector for as long as
 * vcpu_info's evtchn_upcall_pending is set and the guest can take
 * interrupts.  We come close: after each event that comes between runs
 * (the timer, console input), if it is set, send the vector again (an MSI
 * to APIC 0; while one is still waiting in the LAPIC's IRR, another merges
 * with it).  After a hypercall see deliver_upcall_after_hypercall().
 */
static bool upcall_pending(struct xen_host *x)
{
	return x->domain.events.shared->vcpu_info[0].evtchn_upcall_pending;
}

static void deliver_upcall(struct xen_host *x)
{
	struct xen_domain *d = &x->domain;

	if (!d->callback_vector || !upcall_pending(x))
		return;
	TRACE("xen upcall: vector %#x injected", d->callback_vector);
	vm_signal_msi(x->vm, MSI_ADDRESS_APIC0, d->callback_vector);
	x->upcall_sent = true;
}

/*
 * A guest that runs with interrupts off while an event is pending (the
 * timer's, say) makes hypercalls with upcall_pending set, and sending the
 * vector again after each would cost every one a KVM_SIGNAL_MSI: measured,
 * that was most of what a null hypercall cost beyond a port exit on
 * kvm_amd (docs/pvkit-hv-xen.md, "What a hypercall costs").  A vector once
 * sent waits in the LAPIC's IRR, or its handler runs, until the handler
 * clears upcall_pending (first thing: pv/xen/xen_evtchn.c, and Linux's
 * too).  So after a hypercall we send it only if none went out since
 * upcall_pending last went from 0 to 1 (on_raise_upcall).
 */
static void deliver_upcall_after_hypercall(struct xen_host *x)
{
	if (!x->upcall_sent)
		deliver_upcall(x);
}

/* upcall_pending went from 0 to 1 (xen_evtchn.c): the guest took the last
 * vector, if any, and this event needs a new one. */
static void on_raise_upcall(void *opaque)
{
	struct xen_host *x = opaque;

	x->upcall_sent = false;
}

/* ---- frames for the guest's netfront ----------------------------------------- */

/* The watcher thread: a frame is waiting; the vCPU thread takes it
 * between two runs (SIGALRM makes KVM_RUN return, host/signals.c). */
static void on_frame_waiting(void *opaque)
{
	struct xen_host *x = opaque;

	__atomic_store_n(&x->net_rx_ready, true, __ATOMIC_RELAXED);
	pthread_kill(x->vcpu_thread, SIGALRM);
}

/* Frames for the guest: taken while it has buffers posted; the watcher
 * watches again once none wait (or when the guest posts buffers). */
static void receive_frames(struct xen_host *x)
{
	__atomic_store_n(&x->net_rx_ready, false, __ATOMIC_RELAXED);
	if (!xen_netback_receive(&x->net))
		fd_watch_rearm(&x->net_watch);
}

/* ---- the timer's event -------------------------------------------------------- */

/* Due by the host's clock: the fresh pair then gives the guest a clock
 * at or past the deadline too (publish_time), so it is never early. */
void xen_host_between_runs(struct xen_host *x)
{
	struct xen_domain *d = &x->domain;

	if (x->has_net && __atomic_load_n(&x->net_rx_ready, __ATOMIC_RELAXED)) {
		receive_frames(x);
		deliver_upcall(x);
	}
	if (!d->timer_armed || stats_now_ns() < x->timer_host_ns)
		return;
	publish_time(x);
	TRACE("xen timer fired at system time %" PRIu64 " ns: VIRQ_TIMER", x->time.system_ns);
	xen_domain_timer_fired(d);
	deliver_upcall(x);
}

/* ---- the domain's other needs -------------------------------------------------- */

static uint64_t on_now_ns(void *opaque)
{
	return system_now_ns(opaque);
}

/* Sleep on the vCPU thread until then, or at most a tick: the timer's
 * signal, a tick and SIGINT/SIGTERM all end clock_nanosleep early. */
static void on_wait(void *opaque, uint64_t until_ns)
{
	struct xen_host *x = opaque;
	uint64_t tick_end = stats_now_ns() + SIGNALS_TICK_MS * NSEC_PER_MSEC;
	uint64_t end = host_time_of(x, until_ns);
	struct timespec ts;

	if (end > tick_end)
		end = tick_end;
	ts = timespec_of(end);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static const char *shutdown_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
		[SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
		[SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
	};

	return reason < sizeof(names) / sizeof(names[0]) && names[reason] ? names[reason] : "?";
}

/*
 * SCHEDOP_shutdown says why, not a number: poweroff is exit status 0 and
 * crash is 3 (pvkit's panic).  The guest's own status ("tests failed" is
 * a poweroff too) is on its console, in "pvkit: exit status N", as on
 * real Xen.  Reasons a VMM cannot honour stop the run as a crash.
 */
static void on_shutdown(void *opaque, unsigned int reason)
{
	struct xen_host *x = opaque;
	int status = EXIT_GUEST_CRASHED;

	if (reason == SHUTDOWN_poweroff)
		status = GUEST_EXIT_OK;
	else if (reason == SHUTDOWN_crash)
		status = GUEST_EXIT_PANIC;
	else
		fprintf(stderr, "pvkit-hv: the guest asked for SCHEDOP_shutdown(%s), which pvkit-hv "
			"does not do: stopping\n", shutdown_reason_name(reason));
	TRACE("xen shutdown: %s, exit status %d", shutdown_reason_name(reason), status);
	stop_request_set(x->stop, status);
}

/* A mapped grant: mapping i is KVM memory slot 1 + i (slot 0 is RAM). */
static bool on_map_page(void *opaque, unsigned int index, uint64_t gpa, void *page)
{
	struct xen_host *x = opaque;
	bool ok = vm_map_page(x->vm, 1 + index, gpa, page);

	TRACE("xen grant: guest page %#" PRIx64 " %s (KVM slot %u)%s", gpa,
	      page ? "shows a granted page" : "unmapped", 1 + index, ok ? "" : ": KVM refused");
	return ok;
}

/* ---- the console backend ----------------------------------------------------- */

static struct xencons_interface *console_ring(struct xen_host *x)
{
	return guest_mem_range(&x->domain.mem, LAYOUT_XEN_CONSOLE_PAGE, PAGE_SIZE);
}

static void console_put(void *opaque, uint8_t byte)
{
	console_transmit(opaque, byte);
}

/* The guest sent on its console port: take its output, say so. */
static void serve_console(struct xen_host *x, evtchn_port_t port)
{
	size_t n = xen_console_drain(console_ring(x), console_put, x->console);

	TRACE("xen console: %zu bytes out, event on port %u", n, port);
	xen_events_set_pending(&x->domain.events, port);
}

/*
 * The guest sent on its xenstore port: run the requests it has written
 * and write the replies, as xenstored does, in bounded rounds; raise the
 * port when it has something to read or room to write.  A guest that
 * breaks the ring protocol loses its xenstore (once, with a message), not
 * pvkit-hv.
 */
static void serve_xenstore(struct xen_host *x, evtchn_port_t port)
{
	enum xenstore_ring_result result;
	bool notify = false, any = false;

	if (x->store_ring.error)
		return;
	do {
		result = xenstore_ring_process(&x->store_ring, &notify);
		any |= notify;
	} while (result == XENSTORE_RING_MORE);
	TRACE("xen xenstore: requests served%s", any ? ", event on the store port" : "");
	if (result == XENSTORE_RING_FAILED)
		fprintf(stderr, "pvkit-hv: the guest broke its xenstore ring (%s): xenstore "
			"stopped for it\n", x->store_ring.error);
	if (any)
		xen_events_set_pending(&x->domain.events, port);
}

/*
 * The backends' handshakes run after the guest's store requests (a watch
 * told them the frontend's state changed); what they write fires the
 * guest's own watches, whose events then go out on its ring at once.
 */
static void serve_xenstore_and_backends(struct xen_host *x)
{
	serve_xenstore(x, x->store_port);
	bool changed = x->has_blk && xen_blkback_poll_xenbus(&x->blk);

	changed |= x->has_net && xen_netback_poll_xenbus(&x->net);
	if (changed)
		serve_xenstore(x, x->store_port);
}

/* The frontend's event: its requests.  A broken ring makes the backend
 * say Closing in the store, which the guest may be watching. */
static void serve_blkback(struct xen_host *x)
{
	enum xenbus_state before = x->blk.bus.state;
	uint64_t start = x->stats->enabled ? stats_now_ns() : 0;

	xen_blkback_notify(&x->blk);
	if (x->blk.bus.state != before)
		serve_xenstore(x, x->store_port);
	if (x->stats->enabled)
		stats_add_device(x->stats, "xen-blkback", stats_now_ns() - start);
}

/* The frontend's event: its tx requests, new rx buffers. */
static void serve_netback(struct xen_host *x)
{
	enum xenbus_state before = x->net.bus.state;
	uint64_t start = x->stats->enabled ? stats_now_ns() : 0;

	xen_netback_notify(&x->net);
	receive_frames(x);
	if (x->net.bus.state != before)
		serve_xenstore(x, x->store_port);
	if (x->stats->enabled)
		stats_add_device(x->stats, "xen-netback", stats_now_ns() - start);
}

static void on_backend_notify(void *opaque, int backend, evtchn_port_t port)
{
	struct xen_host *x = opaque;

	if (backend == XEN_BACKEND_CONSOLE)
		serve_console(x, port);
	else if (backend == XEN_BACKEND_XENSTORE)
		serve_xenstore_and_backends(x);
	else if (backend == XEN_BACKEND_BLK && x->has_blk)
		serve_blkback(x);
	else if (backend == XEN_BACKEND_NET && x->has_net)
		serve_netback(x);
}

static void feed_console_input(struct xen_host *x)
{
	struct xencons_interface *ring = console_ring(x);
	size_t room = xen_console_in_room(ring);
	struct pollfd pfd = { .fd = x->in_fd, .events = POLLIN };
	uint8_t buf[CONSOLE_INPUT_CHUNK];

	if (x->in_fd < 0 || room == 0 || poll(&pfd, 1, 0) != 1)
		return;
	ssize_t n = read(x->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		x->in_fd = -1;          /* end of input */
		return;
	}
	xen_console_feed(ring, buf, (size_t)n);
	TRACE("xen console: %zd bytes in, event on port %u", n,
	      (unsigned int)x->domain.params[HVM_PARAM_CONSOLE_EVTCHN]);
	xen_events_set_pending(&x->domain.events,
			       (evtchn_port_t)x->domain.params[HVM_PARAM_CONSOLE_EVTCHN]);
	deliver_upcall(x);
}

void xen_host_housekeeping(struct xen_host *x)
{
	publish_time(x);
	feed_console_input(x);
}

/* ---- the hypercall MSR and port ---------------------------------------------- */

/* wrmsr(0x40000000, address | n) asks for hypercall page n at address:
 * we have one page, so n must be 0, and the page must be RAM. */
bool xen_host_wrmsr(struct xen_host *x, uint32_t index, uint64_t value)
{
	uint8_t *page;

	if (index != XEN_HYPERCALL_PAGE_MSR || (value & PAGE_OFFSET_MASK) != 0)
		return false;
	page = guest_mem_range(&x->domain.mem, value, PAGE_SIZE);
	if (!page)
		return false;
	xen_hypercall_page_fill(page, XEN_HYPERCALL_PORT);
	TRACE("xen hypercall page written at %#" PRIx64 " (stubs: out to port %#x)", value,
	      XEN_HYPERCALL_PORT);
	return true;
}

/* "xen_version" -> "hc xen_version", kept for --stats (which keeps the
 * pointer); numbers without a name share "hc (unknown)". */
static const char *stats_name(uint64_t nr)
{
	static char names[XEN_HYPERCALL_STUBS][32];
	const char *name = xen_hypercall_name(nr);

	if (!name || nr >= XEN_HYPERCALL_STUBS)
		return "hc (unknown)";
	if (!names[nr][0])
		snprintf(names[nr], sizeof(names[nr]), "hc %s", name);
	return names[nr];
}

/* "event_channel_op(EVTCHNOP_send, 0x146d7c, 0, 0, 0) = 0": the name, the
 * sub-command by name when we know it, the other arguments raw. */
static void trace_hypercall(uint64_t nr, const uint64_t *a, long rc)
{
	const char *name, *cmd;
	char first[32];

	if (!trace_enabled)
		return;         /* before the look-ups: this runs on every hypercall */
	name = xen_hypercall_name(nr);
	cmd = xen_hypercall_command_name(nr, a[0]);
	if (cmd)
		snprintf(first, sizeof(first), "%s", cmd);
	else
		snprintf(first, sizeof(first), "%#" PRIx64, a[0]);
	trace_log("xen hypercall %s(%s, %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64
		  ") = %ld", name ? name : "(unknown)", first, a[1], a[2], a[3], a[4], rc);
}

/*
 * The stub's `out` lands here.  The registers come with the exit: with
 * KVM_CAP_SYNC_REGS KVM copies them into kvm_run at every exit and takes
 * back the ones we mark dirty at the next KVM_RUN, which saves the two
 * ioctls (KVM_GET_REGS, KVM_SET_REGS) that made a hypercall cost several
 * port exits here.  KVM completes the `out` (skips it) after taking them
 * back.
 */
static void hypercall(void *opaque, uint64_t offset, unsigned int size, uint64_t value)
{
	struct xen_host *x = opaque;
	uint64_t start = x->stats->enabled ? stats_now_ns() : 0;
	struct shared_info *shared = x->domain.events.shared;
	struct kvm_regs *regs = &x->vm->run->s.regs.regs;

	(void)offset, (void)size, (void)value;  /* the number is in %rax too */
	const uint64_t args[XEN_HYPERCALL_ARGS] = {
		regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8,
	};
	uint64_t nr = regs->rax;
	long rc = xen_domain_hypercall(&x->domain, nr, args);

	regs->rax = (uint64_t)rc;
	x->vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	trace_hypercall(nr, args, rc);
	if (x->domain.events.shared != shared)
		publish_all_time(x);    /* shared_info moved: fresh time in its new place */
	deliver_upcall_after_hypercall(x);
	if (x->stats->enabled)
		stats_add_device(x->stats, stats_name(nr), stats_now_ns() - start);
}

struct io_region xen_host_io_region(struct xen_host *x)
{
	return (struct io_region){
		.name = "xen-hypercall", .base = XEN_HYPERCALL_PORT, .length = XEN_HYPERCALL_PORT_SIZE,
		.opaque = x, .write = hypercall,
	};
}

/* ---- setup ---------------------------------------------------------------- */

/* What xl and xenstored do for a new domain: its home in the store,
 * a connection for it, the ring page and its event channel. */
static bool offer_xenstore(struct xen_host *x)
{
	struct xenstore_domain_interface *page =
		guest_mem_range(&x->domain.mem, LAYOUT_XEN_STORE_PAGE, PAGE_SIZE);

	x->store = xenstore_create();
	if (!x->store || !page || xenstore_introduce_domain(x->store, XEN_HOST_DOMID) != 0)
		return false;
	x->store_conn = xenstore_connect(x->store, XEN_HOST_DOMID, NULL, NULL);
	if (!x->store_conn)
		return false;
	xenstore_ring_init(&x->store_ring, page, x->store_conn);
	x->store_port = xen_domain_offer_xenstore(&x->domain, LAYOUT_XEN_STORE_PAGE / PAGE_SIZE);
	return x->store_port != 0;
}

bool xen_host_init(struct xen_host *x, struct vm *vm, struct console *console, int in_fd,
		   struct stop_request *stop, struct stats *stats, char *err, size_t err_len)
{
	const struct guest_mem mem = { .ram = vm->ram, .size = vm->ram_size };
	const struct xen_domain_ops ops = {
		.now_ns = on_now_ns, .wait = on_wait, .timer_changed = on_timer_changed,
		.shutdown = on_shutdown, .map_page = on_map_page, .opaque = x,
	};

	x->vm = vm;
	x->console = console;
	x->in_fd = in_fd;
	x->stop = stop;
	x->stats = stats;
	x->timer_created = false;
	x->timer_host_ns = 0;
	x->upcall_sent = false;
	x->initialised = xen_domain_init(&x->domain, &mem, LAYOUT_XEN_CONSOLE_PAGE / PAGE_SIZE,
					 &ops);
	if (!x->initialised || !offer_xenstore(x))
		return error_set(err, err_len, "--xen: out of memory for the domain and its store");
	x->domain.events.notify_backend = on_backend_notify;
	x->domain.events.raise_upcall = on_raise_upcall;
	x->domain.events.opaque = x;
	return true;
}

/* A timer whose signal goes to this thread, the vCPU's: SIGALRM, the
 * tick's signal, which already makes KVM_RUN return (host/signals.c). */
static bool create_host_timer(struct xen_host *x, char *err, size_t err_len)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };

	ev._sigev_un._tid = gettid();   /* sigev_notify_thread_id: glibc 2.36 lacks the name */
	if (timer_create(CLOCK_MONOTONIC, &ev, &x->timer) < 0)
		return error_set(err, err_len, "--xen: timer_create: %s", strerror(errno));
	x->timer_created = true;
	return true;
}

bool xen_host_start(struct xen_host *x, char *err, size_t err_len)
{
	if (!vm_has_capability(x->vm, KVM_CAP_SYNC_REGS))
		return error_set(err, err_len, "--xen: this KVM lacks KVM_CAP_SYNC_REGS");
	x->vm->run->kvm_valid_regs = KVM_SYNC_X86_REGS;        /* see hypercall() */
	if (!vm_trap_msr_write(x->vm, XEN_HYPERCALL_PAGE_MSR, err, err_len) ||
	    !create_host_timer(x, err, err_len))
		return false;
	xen_time_scale(x->vm->tsc_khz * 1000ull, &x->time.mul, &x->time.shift);
	x->vcpu_thread = pthread_self();        /* we run on the vCPU thread */
	if (x->has_net && !fd_watch_start(&x->net_watch, x->net.link.fd, on_frame_waiting, x,
					  err, err_len))
		return false;
	x->start_mono_ns = stats_now_ns();
	x->time.tsc = vm_guest_tsc(x->vm);
	x->time.system_ns = 0;
	publish_all_time(x);
	return true;
}

bool xen_host_add_blk(struct xen_host *x, const char *path, char *err, size_t err_len)
{
	x->has_blk = xen_blkback_create(&x->blk, path, x->store, &x->domain.gnttab,
					&x->domain.events, XEN_BACKEND_BLK, err, err_len);
	return x->has_blk;
}

bool xen_host_add_net(struct xen_host *x, const struct packet_link_params *params,
		      const uint8_t mac[XEN_NETBACK_MAC_LEN], char *err, size_t err_len)
{
	struct packet_link link;

	if (!packet_link_open(&link, params, err, err_len))
		return false;
	x->has_net = xen_netback_create(&x->net, &link, mac, x->store, &x->domain.gnttab,
					&x->domain.events, XEN_BACKEND_NET, err, err_len);
	return x->has_net;
}

void xen_host_print_stats(const struct xen_host *x, FILE *out)
{
	if (x->has_blk)
		xen_blkback_print_stats(&x->blk, out);
	if (x->has_net)
		xen_netback_print_stats(&x->net, out);
}

/* The disk's writes are on the file when pvkit-hv exits, as for the
 * other disks. */
static void stop_backends(struct xen_host *x)
{
	if (x->has_net) {
		if (x->net_watch.running)
			fd_watch_stop(&x->net_watch);
		xen_netback_destroy(&x->net);
	}
	if (!x->has_blk)
		return;
	int rc = xen_blkback_sync(&x->blk);

	if (rc < 0)
		fprintf(stderr, "pvkit-hv: syncing the --xen-blk image failed: %s\n", strerror(-rc));
	xen_blkback_destroy(&x->blk);
}

void xen_host_stop(struct xen_host *x)
{
	if (x->initialised)
		stop_backends(x);
	if (x->timer_created)
		timer_delete(x->timer);
	x->timer_created = false;
	if (x->store_conn)
		xenstore_disconnect(x->store_conn);
	if (x->store)
		xenstore_destroy(x->store);
	if (x->initialised)
		xen_domain_destroy(&x->domain);
	x->store_conn = NULL;
	x->store = NULL;
	x->initialised = false;
}
