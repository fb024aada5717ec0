/*
 * xen_grant_map.c — mapping granted pages for a PVH/HVM caller (see
 * host/xen_grant_map.h; Xen's is map_grant_ref() in common/grant_table.c).
 */
#include <stddef.h>

#include "host/xen_domain.h"
#include "host/xen_grant_map.h"

#define PAGE_SIZE       4096ull

/* A page-aligned address in the hole above RAM, not mapped already. */
static bool usable_address(struct xen_domain *d, uint64_t gpa)
{
	if (gpa % PAGE_SIZE || gpa < d->mem.size || gpa >= XEN_GRANT_MAP_WINDOW_END)
		return false;
	for (unsigned int i = 0; i < XEN_GRANT_MAPS; i++)
		if (d->grant_maps[i].used && d->grant_maps[i].gpa == gpa)
			return false;
	return true;
}

static struct xen_grant_map *free_map(struct xen_domain *d)
{
	for (unsigned int i = 0; i < XEN_GRANT_MAPS; i++)
		if (!d->grant_maps[i].used)
			return &d->grant_maps[i];
	return NULL;
}

static int16_t map(struct xen_domain *d, struct gnttab_map_grant_ref *op)
{
	struct xen_grant_map *m;
	int16_t status;

	if (!xen_is_self(op->dom))
		return GNTST_bad_domain;        /* the only granter here is the guest */
	if ((op->flags & (GNTMAP_host_map | GNTMAP_device_map | GNTMAP_contains_pte)) !=
	    GNTMAP_host_map)
		return GNTST_general_error;     /* a physical address mapping only */
	if (!usable_address(d, op->host_addr))
		return GNTST_bad_virt_addr;
	m = free_map(d);
	if (!m)
		return GNTST_no_space;
	status = xen_gnttab_acquire(&d->gnttab, op->ref, XEN_HOST_DOMID,
				    !(op->flags & GNTMAP_readonly), &m->grant);
	if (status != GNTST_okay)
		return status;
	if (!d->ops.map_page(d->ops.opaque, (unsigned int)(m - d->grant_maps), op->host_addr,
			     m->grant.page)) {
		xen_gnttab_release(&d->gnttab, &m->grant);
		return GNTST_general_error;
	}
	m->used = true;
	m->gpa = op->host_addr;
	op->handle = (grant_handle_t)(m - d->grant_maps);
	op->dev_bus_addr = 0;
	return GNTST_okay;
}

int16_t xen_grant_map(struct xen_domain *d, struct gnttab_map_grant_ref *op)
{
	op->status = map(d, op);
	return op->status;
}

static int16_t unmap(struct xen_domain *d, struct gnttab_unmap_grant_ref *op)
{
	struct xen_grant_map *m;

	if (op->handle >= XEN_GRANT_MAPS || !d->grant_maps[op->handle].used)
		return GNTST_bad_handle;
	m = &d->grant_maps[op->handle];
	if (op->host_addr != m->gpa)
		return GNTST_bad_virt_addr;
	d->ops.map_page(d->ops.opaque, op->handle, m->gpa, NULL);
	xen_gnttab_release(&d->gnttab, &m->grant);
	m->used = false;
	return GNTST_okay;
}

int16_t xen_grant_unmap(struct xen_domain *d, struct gnttab_unmap_grant_ref *op)
{
	op->status = unmap(d, op);
	return op->status;
}
