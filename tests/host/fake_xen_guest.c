/*
 * fake_xen_guest.c — a Xen guest in host memory for the backends' tests
 * (see fake_xen_guest.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/host/fake_xen_guest.h"
#include "tests/unit/check.h"

#define PAGE    XEN_GNTTAB_PAGE_SIZE

void fake_xen_guest_init(struct fake_xen_guest *g)
{
	g->mem.size = (uint64_t)FAKE_XEN_RAM_FRAMES * PAGE;
	g->mem.ram = calloc(FAKE_XEN_RAM_FRAMES, PAGE);
	CHECK(g->mem.ram != NULL);
	CHECK_INT(xen_gnttab_init(&g->gnttab, &g->mem, XEN_HOST_DOMID, 4), 0);
	CHECK_INT(xen_gnttab_map_frame(&g->gnttab, 0, FAKE_XEN_TABLE_GFN), 0);
	xen_events_init(&g->events);
	g->store = xenstore_create();
	CHECK(g->store != NULL);
	CHECK_INT(xenstore_introduce_domain(g->store, XEN_HOST_DOMID), 0);
}

void fake_xen_guest_free(struct fake_xen_guest *g)
{
	xenstore_destroy(g->store);
	xen_gnttab_destroy(&g->gnttab);
	free(g->mem.ram);
}

uint8_t *fake_xen_page(struct fake_xen_guest *g, uint64_t gfn)
{
	return g->mem.ram + gfn * PAGE;
}

struct grant_entry_v1 *fake_xen_entry(struct fake_xen_guest *g, grant_ref_t ref)
{
	return (struct grant_entry_v1 *)fake_xen_page(g, FAKE_XEN_TABLE_GFN) + ref;
}

void fake_xen_grant(struct fake_xen_guest *g, grant_ref_t ref, domid_t to, uint32_t gfn,
		    bool readonly)
{
	struct grant_entry_v1 *e = fake_xen_entry(g, ref);

	e->domid = to;
	e->frame = gfn;
	e->flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

bool fake_xen_grants_idle(struct fake_xen_guest *g, grant_ref_t first, unsigned int count)
{
	for (grant_ref_t ref = first; ref < first + count; ref++)
		if (fake_xen_entry(g, ref)->flags & (GTF_reading | GTF_writing))
			return false;
	return true;
}

void fake_xen_write(struct fake_xen_guest *g, const char *dir, const char *node,
		    const char *value)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	CHECK_INT(xenstore_write(g->store, path, value), 0);
}

unsigned int fake_xen_read_number(struct fake_xen_guest *g, const char *dir, const char *node)
{
	char path[160], value[32];

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	CHECK(xenstore_read(g->store, path, value, sizeof(value)) > 0);
	return (unsigned int)strtoul(value, NULL, 10);
}

evtchn_port_t fake_xen_port_for_dom0(struct fake_xen_guest *g)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = XEN_HOST_DOM0 };

	CHECK_INT(xen_events_alloc_unbound(&g->events, &op), 0);
	return op.port;
}
