/*
 * fake_xen_guest.h — the guest side of pvkit-hv's Xen backends, in host
 * memory, for their unit tests: RAM, the grant table (the real model,
 * its frame 0 mapped at FAKE_XEN_TABLE_GFN), the event channels, and a
 * store with the guest's home.  A test then writes grant entries and
 * frontend nodes as the guest's blkfront or netfront would.
 */
#ifndef PVKIT_TESTS_HOST_FAKE_XEN_GUEST_H
#define PVKIT_TESTS_HOST_FAKE_XEN_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "host/guest_mem.h"
#include "host/xen_abi.h"
#include "host/xen_evtchn.h"
#include "host/xen_gnttab.h"
#include "host/xenstore.h"

#define FAKE_XEN_RAM_FRAMES     128
#define FAKE_XEN_TABLE_GFN      1

struct fake_xen_guest {
	struct guest_mem mem;
	struct xen_gnttab gnttab;
	struct xen_events events;
	struct xenstore *store;
};

void fake_xen_guest_init(struct fake_xen_guest *g);
void fake_xen_guest_free(struct fake_xen_guest *g);

uint8_t *fake_xen_page(struct fake_xen_guest *g, uint64_t gfn);
struct grant_entry_v1 *fake_xen_entry(struct fake_xen_guest *g, grant_ref_t ref);
/* What the guest's gnttab_grant_foreign_access writes. */
void fake_xen_grant(struct fake_xen_guest *g, grant_ref_t ref, domid_t to, uint32_t gfn,
		    bool readonly);
/* Whether a backend still holds refs first .. first + count - 1. */
bool fake_xen_grants_idle(struct fake_xen_guest *g, grant_ref_t first, unsigned int count);

/* A node of a frontend's directory, as the guest writes it; and a number
 * from any directory. */
void fake_xen_write(struct fake_xen_guest *g, const char *dir, const char *node,
		    const char *value);
unsigned int fake_xen_read_number(struct fake_xen_guest *g, const char *dir, const char *node);
/* An unbound port for dom0, as a frontend allocates it. */
evtchn_port_t fake_xen_port_for_dom0(struct fake_xen_guest *g);

#endif
