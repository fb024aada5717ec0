/*
 * xen_domain.h — the one Xen domain pvkit-hv runs with --xen: the state
 * Xen and dom0's tools keep about it, and the hypercall dispatcher.
 *
 * The guest calls through the hypercall page (host/xen_hypercall_page.c);
 * host/xen.c turns each call into xen_domain_hypercall(nr, args) and puts
 * the result in the guest's %rax.  Everything here is pure: guest memory
 * through host/guest_mem.h, and what needs KVM or the clock (the time,
 * waiting, the upcall, shutting down) through `ops`, so the tests drive
 * it with any arguments.
 *
 * Guest pointers in hypercall arguments are guest-physical addresses:
 * pvkit maps its memory 1:1 (kernel/page_alloc.h).  Real Xen walks the
 * guest's page tables; a guest with another mapping would need KVM's
 * KVM_TRANSLATE here.
 */
#ifndef PVKIT_HOST_XEN_DOMAIN_H
#define PVKIT_HOST_XEN_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "host/guest_mem.h"
#include "host/xen_abi.h"
#include "host/xen_evtchn.h"
#include "host/xen_gnttab.h"
#include "host/xen_grant_map.h"
#include "host/xen_time.h"

#define XEN_HYPERCALL_ARGS      5
/* Grant-table frames the domain may have: xl's default max_grant_frames. */
#define XEN_DOMAIN_GRANT_FRAMES XEN_GNTTAB_MAX_FRAMES
/* GNTTABOP_copy, _map_grant_ref, _unmap_grant_ref: operations in one call
 * at most (Xen would preempt a longer one and continue it later). */
#define XEN_DOMAIN_GRANT_OPS     1024
/* SCHEDOP_poll: Xen refuses more ports than this. */
#define XEN_DOMAIN_POLL_PORTS   128
/* The backends pvkit-hv plays as dom0 (xen_events' `backend` numbers). */
#define XEN_BACKEND_CONSOLE     0
#define XEN_BACKEND_XENSTORE    1
#define XEN_BACKEND_BLK         2       /* host/xen_blkback.c */
#define XEN_BACKEND_NET         3       /* host/xen_netback.c */

struct xen_domain_ops {
	/* Xen system time now, as the guest's pvclock gives it. */
	uint64_t (*now_ns)(void *opaque);
	/* Block the vCPU until system time `until_ns` (UINT64_MAX: no
	 * limit), an event for it, or a housekeeping tick, whichever first. */
	void (*wait)(void *opaque, uint64_t until_ns);
	/* The single-shot timer was set or stopped (timer_armed, timer_ns). */
	void (*timer_changed)(void *opaque);
	/* SCHEDOP_shutdown with this SHUTDOWN_* reason. */
	void (*shutdown)(void *opaque, unsigned int reason);
	/* Mapping `index` (0 to XEN_GRANT_MAPS - 1) shows host page `page`
	 * at guest-physical gpa (a mapped grant), or nothing there any more
	 * (page NULL).  False if that failed. */
	bool (*map_page)(void *opaque, unsigned int index, uint64_t gpa, void *page);
	void *opaque;
};

struct xen_domain {
	struct guest_mem mem;
	struct xen_events events;
	struct xen_domain_ops ops;
	bool shared_info_mapped;
	uint64_t shared_info_gpfn;
	uint64_t params[HVM_NR_PARAMS];         /* HVMOP_get_param answers */
	uint8_t callback_vector;                /* 0: no upcall yet */
	uint64_t console_pfn;                   /* the console ring's page */
	struct xen_gnttab gnttab;               /* host/xen_gnttab.c */
	struct xen_grant_map grant_maps[XEN_GRANT_MAPS];        /* host/xen_grant_map.c */
	bool timer_armed;
	uint64_t timer_ns;                      /* system time the timer fires at */
	bool shutdown;
	unsigned int shutdown_reason;
};

/* Sets the domain up over guest RAM `mem`: the console ring at guest
 * frame console_pfn (which the memory map must mark reserved), its event
 * channel bound to pvkit-hv's console backend, and the grant table with
 * the console's entry seeded.  False when out of memory. */
bool xen_domain_init(struct xen_domain *d, const struct guest_mem *mem, uint64_t console_pfn,
		     const struct xen_domain_ops *ops);
void xen_domain_destroy(struct xen_domain *d);

/* Offers the guest a xenstore ring at guest frame store_pfn (reserved in
 * the memory map), its event channel bound to pvkit-hv's xenstore
 * backend, and seeds its grant entry.  The port, or 0 if none is free. */
evtchn_port_t xen_domain_offer_xenstore(struct xen_domain *d, uint64_t store_pfn);

/* Hypercall nr with the guest's rdi, rsi, rdx, r10, r8: the result for
 * %rax (0 or more on success, a negative Xen error). */
long xen_domain_hypercall(struct xen_domain *d, uint64_t nr, const uint64_t args[XEN_HYPERCALL_ARGS]);

/* The single-shot timer's time came: VIRQ_TIMER. */
void xen_domain_timer_fired(struct xen_domain *d);

/* The hypercall's name ("memory_op"), or NULL for a number Xen does not
 * define. */
const char *xen_hypercall_name(uint64_t nr);
/* The name of sub-command cmd (the first argument) of hypercall nr
 * ("EVTCHNOP_send"), or NULL for one pvkit-hv does not answer. */
const char *xen_hypercall_command_name(uint64_t nr, uint64_t cmd);

#endif
