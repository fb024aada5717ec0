/*
 * test_xen_domain.c — the hypercalls of pvkit-hv's Xen mode
 * (host/xen_domain.c) against a fake guest RAM, without KVM: what each
 * answers, and that every argument is checked — addresses outside RAM,
 * bad ports, counts and indexes give Xen's error codes, never a crash —
 * ending with a few hundred thousand random hypercalls under ASan/UBSan.
 */
#include <stdlib.h>
#include <string.h>

#include "host/xen_domain.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define RAM_SIZE        (2u << 20)
#define CONSOLE_PFN     0xfe
#define ARG             0x2000u         /* where the tests put argument structures */
#define HOSTILE_CALLS   300000

static uint8_t *ram;
static struct xen_domain dom;
static bool dom_live;
static uint64_t fake_now, waits, last_wait_until, timer_changes, shutdowns;
static unsigned int last_reason;
static uint64_t mapped_gpa[XEN_GRANT_MAPS];     /* what the fake KVM shows, 0: nothing */
static bool refuse_maps;

static uint64_t fake_now_ns(void *opaque)
{
	(void)opaque;
	return fake_now;
}

static void fake_wait(void *opaque, uint64_t until)
{
	(void)opaque;
	waits++;
	last_wait_until = until;
}

static void fake_timer_changed(void *opaque)
{
	(void)opaque;
	timer_changes++;
}

static void fake_shutdown(void *opaque, unsigned int reason)
{
	(void)opaque;
	shutdowns++;
	last_reason = reason;
}

static bool fake_map_page(void *opaque, unsigned int index, uint64_t gpa, void *page)
{
	(void)opaque;
	CHECK(index < XEN_GRANT_MAPS);
	if (refuse_maps || index >= XEN_GRANT_MAPS)
		return false;
	CHECK(page == NULL || ((uint8_t *)page >= ram && (uint8_t *)page < ram + RAM_SIZE));
	mapped_gpa[index] = page ? gpa : 0;
	return true;
}

static void fresh(void)
{
	static const struct xen_domain_ops ops = {
		.now_ns = fake_now_ns, .wait = fake_wait, .timer_changed = fake_timer_changed,
		.shutdown = fake_shutdown, .map_page = fake_map_page,
	};

	if (!ram)
		ram = calloc(1, RAM_SIZE);
	memset(ram, 0, RAM_SIZE);
	const struct guest_mem mem = { .ram = ram, .size = RAM_SIZE };

	if (dom_live)
		xen_domain_destroy(&dom);
	dom_live = xen_domain_init(&dom, &mem, CONSOLE_PFN, &ops);
	CHECK(dom_live);
	fake_now = 1000;
	waits = timer_changes = shutdowns = 0;
}

static long call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t args[XEN_HYPERCALL_ARGS] = { a0, a1, a2, 0, 0 };

	return xen_domain_hypercall(&dom, nr, args);
}

/* Puts a structure at guest address ARG and makes the call with it. */
#define CALL_WITH(nr, cmd, s) (memcpy(ram + ARG, &(s), sizeof(s)), call(nr, cmd, ARG, 0))
#define READ_BACK(s) memcpy(&(s), ram + ARG, sizeof(s))

/* Guest addresses that must all give -XEN_EFAULT for any structure. */
static const uint64_t bad_addresses[] = {
	RAM_SIZE, RAM_SIZE - 1, UINT64_MAX, UINT64_MAX - 8, 1ull << 63,
};

static void version_and_features(void)
{
	struct xen_feature_info info = { .submap_idx = 0 };

	fresh();
	CHECK_INT(call(__HYPERVISOR_xen_version, XENVER_version, 0, 0), 4 << 16 | 17);
	CHECK_INT(call(__HYPERVISOR_xen_version, XENVER_extraversion, ARG, 0), 0);
	CHECK_STR((char *)ram + ARG, XEN_HOST_EXTRAVERSION);
	CHECK_INT(CALL_WITH(__HYPERVISOR_xen_version, XENVER_get_features, info), 0);
	READ_BACK(info);
	CHECK(info.submap & (1u << XENFEAT_hvm_callback_vector));
	info.submap_idx = 5;
	CHECK_INT(CALL_WITH(__HYPERVISOR_xen_version, XENVER_get_features, info), 0);
	READ_BACK(info);
	CHECK_UINT(info.submap, 0);
	for (size_t i = 0; i < sizeof(bad_addresses) / sizeof(bad_addresses[0]); i++) {
		CHECK_INT(call(__HYPERVISOR_xen_version, XENVER_extraversion, bad_addresses[i], 0),
			  -XEN_EFAULT);
		CHECK_INT(call(__HYPERVISOR_xen_version, XENVER_get_features, bad_addresses[i], 0),
			  -XEN_EFAULT);
	}
	CHECK_INT(call(__HYPERVISOR_xen_version, 999, 0, 0), -XEN_ENOSYS);
}

static void unknown_hypercalls_are_enosys(void)
{
	fresh();
	CHECK_INT(call(63, 0, 0, 0), -XEN_ENOSYS);
	CHECK_INT(call(UINT64_MAX, 0, 0, 0), -XEN_ENOSYS);
	CHECK_INT(call(__HYPERVISOR_mmu_update, ARG, 1, 0), -XEN_ENOSYS);  /* PV only */
	CHECK_INT(call(__HYPERVISOR_console_io, CONSOLEIO_write, 4, ARG), -XEN_EPERM);
	CHECK(xen_hypercall_name(__HYPERVISOR_event_channel_op) != NULL);
	CHECK(xen_hypercall_name(63) == NULL);
	CHECK(xen_hypercall_name(UINT64_MAX) == NULL);
	CHECK_STR(xen_hypercall_command_name(__HYPERVISOR_event_channel_op, EVTCHNOP_send),
		  "EVTCHNOP_send");
	CHECK(xen_hypercall_command_name(__HYPERVISOR_xen_version, 999) == NULL);
}

static long physmap(domid_t dom_id, unsigned int space, uint64_t idx, uint64_t gpfn)
{
	struct xen_add_to_physmap map = { .domid = dom_id, .space = space, .idx = idx,
					  .gpfn = gpfn };

	return CALL_WITH(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, map);
}

static void shared_info_is_mapped_where_asked(void)
{
	fresh();
	ram[0x10000] = 0x5a;
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, 0x10), 0);
	CHECK(dom.events.shared == (struct shared_info *)(ram + 0x10000));
	CHECK_UINT(ram[0x10000], 0);    /* Xen's page replaced the RAM page */
	CHECK_UINT(dom.shared_info_gpfn, 0x10);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_shared_info, 1, 0x10), -XEN_EINVAL);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, RAM_SIZE >> 12), -XEN_EINVAL);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, UINT64_MAX), -XEN_EINVAL);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0, 1ull << 52), -XEN_EINVAL);
	CHECK_INT(physmap(3, XENMAPSPACE_shared_info, 0, 0x10), -XEN_EPERM);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_gmfn, 0, 0x10), -XEN_EOPNOTSUPP);
	CHECK(dom.events.shared == (struct shared_info *)(ram + 0x10000));
	CHECK_INT(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap | 1 << 6, ARG, 0),
		  -XEN_EINVAL);
	CHECK_INT(call(__HYPERVISOR_memory_op, XENMEM_increase_reservation, ARG, 0),
		  -XEN_ENOSYS);
	CHECK_INT(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, RAM_SIZE - 4, 0),
		  -XEN_EFAULT);
}

static struct gnttab_query_size query(domid_t dom_id, uint64_t count, long expect)
{
	struct gnttab_query_size q = { .dom = dom_id };

	memcpy(ram + ARG, &q, sizeof(q));
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, ARG, count), expect);
	READ_BACK(q);
	return q;
}

static void grant_table_frames(void)
{
	const struct grant_entry_v1 *table = (const struct grant_entry_v1 *)(ram + 0x20000);

	fresh();
	CHECK_UINT(query(DOMID_SELF, 1, 0).nr_frames, 1);
	CHECK_UINT(query(XEN_HOST_DOMID, 1, 0).max_nr_frames, XEN_DOMAIN_GRANT_FRAMES);
	CHECK_INT(query(7, 1, 0).status, GNTST_bad_domain);
	query(DOMID_SELF, 2, -XEN_EINVAL);
	memset(ram + 0x20000, 0xff, 4096);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_grant_table, 0, 0x20), 0);
	/* The toolstack's seed: the console page, granted to dom0. */
	CHECK_UINT(table[GNTTAB_RESERVED_CONSOLE].flags & GTF_type_mask, GTF_permit_access);
	CHECK_UINT(table[GNTTAB_RESERVED_CONSOLE].domid, 0);
	CHECK_UINT(table[GNTTAB_RESERVED_CONSOLE].frame, CONSOLE_PFN);
	CHECK_UINT(table[9].flags, 0);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_grant_table, 2, 0x22), 0);
	CHECK_UINT(query(DOMID_SELF, 1, 0).nr_frames, 3);
	/* Mapped again elsewhere: the entries move along. */
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_grant_table, 0, 0x30), 0);
	CHECK_UINT(((const struct grant_entry_v1 *)(ram + 0x30000))[0].frame, CONSOLE_PFN);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_grant_table, XEN_DOMAIN_GRANT_FRAMES, 0x40),
		  -XEN_EINVAL);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_grant_table, XENMAPIDX_grant_table_status, 0x40),
		  -XEN_EINVAL);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_grant_table, 1, RAM_SIZE >> 12), -XEN_EINVAL);
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, ARG, 1), -XEN_ENOSYS);
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, RAM_SIZE, 1),
		  -XEN_EFAULT);
}

/* Version 1 only: set_version(1) is fine, 2 is ENOSYS (as Xen with a
 * maximum of 1), anything else EINVAL; get_version says 1, for ourselves. */
static void grant_table_version_one_only(void)
{
	struct gnttab_set_version set;
	struct gnttab_get_version get = { .dom = DOMID_SELF };

	fresh();
	for (uint32_t v = 0; v <= 3; v++) {
		set = (struct gnttab_set_version){ .version = v };
		memcpy(ram + ARG, &set, sizeof(set));
		CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_set_version, ARG, 1),
			  v == 1 ? 0 : v == 2 ? -XEN_ENOSYS : -XEN_EINVAL);
	}
	memcpy(ram + ARG, &get, sizeof(get));
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_get_version, ARG, 1), 0);
	READ_BACK(get);
	CHECK_UINT(get.version, 1);
	get.dom = 7;
	memcpy(ram + ARG, &get, sizeof(get));
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_get_version, ARG, 1), -XEN_EPERM);
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_get_version, ARG, 2), -XEN_EINVAL);
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_get_version, RAM_SIZE, 1),
		  -XEN_EFAULT);
}

/* The guest grants itself a page and copies it through the grant, as
 * tests/guest/test_xen_gnttab.c does; each op gets its own status. */
static void grant_copy_through_the_model(void)
{
	struct grant_entry_v1 *table = (struct grant_entry_v1 *)(ram + 0x20000);
	struct gnttab_copy ops[2] = {
		{ .source = { .u.ref = 10, .domid = XEN_HOST_DOMID },
		  .dest = { .u.gmfn = 0x51, .domid = DOMID_SELF },
		  .len = 4096, .flags = GNTCOPY_source_gref },
		{ .source = { .u.ref = 11, .domid = XEN_HOST_DOMID },      /* not granted */
		  .dest = { .u.gmfn = 0x51, .domid = DOMID_SELF },
		  .len = 4096, .flags = GNTCOPY_source_gref },
	};

	fresh();
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_grant_table, 0, 0x20), 0);
	memset(ram + 0x50000, 0x77, 4096);
	table[10] = (struct grant_entry_v1){ .domid = XEN_HOST_DOMID, .frame = 0x50,
					     .flags = GTF_permit_access | GTF_readonly };
	memcpy(ram + ARG, ops, sizeof(ops));
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_copy, ARG, 2), 0);
	memcpy(ops, ram + ARG, sizeof(ops));
	CHECK_INT(ops[0].status, GNTST_okay);
	CHECK(ops[1].status != GNTST_okay);
	CHECK_UINT(ram[0x51000], 0x77);
	CHECK_UINT(ram[0x51fff], 0x77);
	CHECK_UINT(table[10].flags & (GTF_reading | GTF_writing), 0);      /* released */
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_copy, ARG, XEN_DOMAIN_GRANT_OPS + 1),
		  -XEN_EINVAL);
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_copy, RAM_SIZE - 8, 1), -XEN_EFAULT);
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_copy, UINT64_MAX - 8, 3), -XEN_EFAULT);
}

static int16_t map_grant(grant_ref_t ref, uint64_t gpa, uint32_t flags, domid_t granter,
			 grant_handle_t *handle)
{
	struct gnttab_map_grant_ref op = { .host_addr = gpa, .flags = flags, .ref = ref,
					   .dom = granter };

	memcpy(ram + ARG, &op, sizeof(op));
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, ARG, 1), 0);
	READ_BACK(op);
	*handle = op.handle;
	return op.status;
}

static int16_t unmap_grant(grant_handle_t handle, uint64_t gpa)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = gpa, .handle = handle };

	memcpy(ram + ARG, &op, sizeof(op));
	CHECK_INT(call(__HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, ARG, 1), 0);
	READ_BACK(op);
	return op.status;
}

/* The guest maps its own grant above RAM, as tests/guest/test_xen_gnttab.c
 * does playing a backend: the entry is busy while mapped, and every bad
 * address, handle, flag and domain gets its GNTST_* status. */
static void grant_map_and_unmap(void)
{
	struct grant_entry_v1 *table = (struct grant_entry_v1 *)(ram + 0x20000);
	const uint32_t rw = GNTMAP_host_map, ro = GNTMAP_host_map | GNTMAP_readonly;
	grant_handle_t h, other;

	fresh();
	refuse_maps = false;
	memset(mapped_gpa, 0, sizeof(mapped_gpa));
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_grant_table, 0, 0x20), 0);
	table[10] = (struct grant_entry_v1){ .domid = XEN_HOST_DOMID, .frame = 0x50,
					     .flags = GTF_permit_access };
	table[11] = (struct grant_entry_v1){ .domid = XEN_HOST_DOMID, .frame = 0x51,
					     .flags = GTF_permit_access | GTF_readonly };
	CHECK_INT(map_grant(10, RAM_SIZE, rw, DOMID_SELF, &h), GNTST_okay);
	CHECK_UINT(mapped_gpa[h], RAM_SIZE);
	CHECK_UINT(table[10].flags & (GTF_reading | GTF_writing), GTF_reading | GTF_writing);
	CHECK_INT(map_grant(10, RAM_SIZE, rw, DOMID_SELF, &other), GNTST_bad_virt_addr);  /* taken */
	CHECK_INT(map_grant(10, 0x10000, rw, DOMID_SELF, &other), GNTST_bad_virt_addr);   /* RAM */
	CHECK_INT(map_grant(10, RAM_SIZE + 8, rw, DOMID_SELF, &other), GNTST_bad_virt_addr);
	CHECK_INT(map_grant(10, XEN_GRANT_MAP_WINDOW_END, rw, DOMID_SELF, &other),
		  GNTST_bad_virt_addr);
	CHECK_INT(map_grant(10, UINT64_MAX & ~0xfffull, rw, DOMID_SELF, &other), GNTST_bad_virt_addr);
	CHECK_INT(map_grant(10, RAM_SIZE + 0x1000, rw, 5, &other), GNTST_bad_domain);
	CHECK_INT(map_grant(10, RAM_SIZE + 0x1000, GNTMAP_device_map, DOMID_SELF, &other),
		  GNTST_general_error);
	CHECK_INT(map_grant(11, RAM_SIZE + 0x1000, rw, DOMID_SELF, &other), GNTST_general_error);
	CHECK_INT(map_grant(9999999, RAM_SIZE + 0x1000, rw, DOMID_SELF, &other), GNTST_bad_gntref);
	refuse_maps = true;             /* KVM says no: the grant is let go again */
	CHECK_INT(map_grant(11, RAM_SIZE + 0x1000, ro, DOMID_SELF, &other), GNTST_general_error);
	CHECK_UINT(table[11].flags & (GTF_reading | GTF_writing), 0);
	refuse_maps = false;
	CHECK_INT(unmap_grant(h, RAM_SIZE + 0x1000), GNTST_bad_virt_addr);
	CHECK_INT(unmap_grant(XEN_GRANT_MAPS, RAM_SIZE), GNTST_bad_handle);
	CHECK_INT(unmap_grant(h, RAM_SIZE), GNTST_okay);
	CHECK_UINT(mapped_gpa[h], 0);
	CHECK_UINT(table[10].flags & (GTF_reading | GTF_writing), 0);
	CHECK_INT(unmap_grant(h, RAM_SIZE), GNTST_bad_handle);         /* twice */
	/* Every mapping slot, then no more. */
	for (unsigned int i = 0; i < XEN_GRANT_MAPS; i++)
		CHECK_INT(map_grant(11, RAM_SIZE + i * 0x1000ull, ro, DOMID_SELF, &other), GNTST_okay);
	CHECK_INT(map_grant(11, RAM_SIZE + 0x100000, ro, DOMID_SELF, &other), GNTST_no_space);
}

/* What the toolstack offers with a xenstore: the params, a port bound to
 * dom0, and the store page granted to dom0. */
static void xenstore_offer(void)
{
	const struct grant_entry_v1 *table = (const struct grant_entry_v1 *)(ram + 0x20000);

	fresh();
	evtchn_port_t port = xen_domain_offer_xenstore(&dom, 0xff);

	CHECK(port != 0);
	CHECK_INT(physmap(DOMID_SELF, XENMAPSPACE_grant_table, 0, 0x20), 0);
	CHECK_UINT(table[GNTTAB_RESERVED_XENSTORE].frame, 0xff);
	CHECK_UINT(dom.params[HVM_PARAM_STORE_PFN], 0xff);
	CHECK_UINT(dom.params[HVM_PARAM_STORE_EVTCHN], port);
}

static long param(uint64_t op, uint32_t index, uint64_t *value, domid_t dom_id)
{
	struct xen_hvm_param p = { .domid = dom_id, .index = index, .value = *value };
	long rc = CALL_WITH(__HYPERVISOR_hvm_op, op, p);

	READ_BACK(p);
	*value = p.value;
	return rc;
}

static void hvm_params(void)
{
	uint64_t v = 0;

	fresh();
	CHECK_INT(param(HVMOP_get_param, HVM_PARAM_CONSOLE_PFN, &v, DOMID_SELF), 0);
	CHECK_UINT(v, CONSOLE_PFN);
	CHECK_INT(param(HVMOP_get_param, HVM_PARAM_CONSOLE_EVTCHN, &v, DOMID_SELF), 0);
	CHECK_UINT(v, 1);
	CHECK_INT(param(HVMOP_get_param, HVM_PARAM_STORE_PFN, &v, DOMID_SELF), 0);
	CHECK_UINT(v, 0);                       /* no xenstore: the guest skips it */
	CHECK_INT(param(HVMOP_get_param, HVM_NR_PARAMS, &v, DOMID_SELF), -XEN_EINVAL);
	CHECK_INT(param(HVMOP_get_param, UINT32_MAX, &v, DOMID_SELF), -XEN_EINVAL);
	CHECK_INT(param(HVMOP_get_param, HVM_PARAM_CONSOLE_PFN, &v, 4), -XEN_EPERM);
	v = 3;
	CHECK_INT(param(HVMOP_set_param, HVM_PARAM_CONSOLE_PFN, &v, DOMID_SELF), -XEN_EPERM);
	v = (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | 0x40;
	CHECK_INT(param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v, DOMID_SELF), 0);
	CHECK_UINT(dom.callback_vector, 0x40);
	v = (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | 0x5;
	CHECK_INT(param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v, DOMID_SELF), -XEN_EINVAL);
	v = (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | 0x1040;
	CHECK_INT(param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v, DOMID_SELF), -XEN_EINVAL);
	v = (uint64_t)HVM_PARAM_CALLBACK_TYPE_GSI << 56 | 9;
	CHECK_INT(param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v, DOMID_SELF), -XEN_EOPNOTSUPP);
	CHECK_UINT(dom.callback_vector, 0x40);  /* refused values change nothing */
	CHECK_INT(call(__HYPERVISOR_hvm_op, HVMOP_pagetable_dying, ARG, 0), -XEN_ENOSYS);
	CHECK_INT(call(__HYPERVISOR_hvm_op, HVMOP_get_param, UINT64_MAX, 0), -XEN_EFAULT);
}

static long poll_ports(const evtchn_port_t *ports, unsigned int n, uint64_t timeout)
{
	struct sched_poll p = { .nr_ports = n, .timeout = timeout };
	uint64_t ports_gpa = ARG + 0x100;

	memcpy(ram + ports_gpa, ports, n * sizeof(ports[0]));
	memcpy(&p.ports, &ports_gpa, sizeof(ports_gpa));
	return CALL_WITH(__HYPERVISOR_sched_op, SCHEDOP_poll, p);
}

static void sched_ops(void)
{
	struct sched_shutdown down = { .reason = SHUTDOWN_crash };
	evtchn_port_t ports[XEN_DOMAIN_POLL_PORTS + 1] = { 1 };

	fresh();
	CHECK_INT(call(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0), 0);
	/* The console port is not pending: one wait, until the timeout. */
	CHECK_INT(poll_ports(ports, 1, 5000), 0);
	CHECK_UINT(waits, 1);
	CHECK_UINT(last_wait_until, 5000);
	/* A timeout already past: no wait. */
	CHECK_INT(poll_ports(ports, 1, 10), 0);
	CHECK_UINT(waits, 1);
	xen_events_set_pending(&dom.events, 1);
	CHECK_INT(poll_ports(ports, 1, 0), 0);
	CHECK_UINT(waits, 1);                   /* pending: at once */
	CHECK_INT(poll_ports(ports, XEN_DOMAIN_POLL_PORTS + 1, 0), -XEN_EINVAL);
	ports[0] = 0;
	CHECK_INT(poll_ports(ports, 1, 0), -XEN_EINVAL);
	ports[0] = XEN_EVTCHN_PORTS;
	CHECK_INT(poll_ports(ports, 1, 0), -XEN_EINVAL);
	/* The port list outside RAM. */
	struct sched_poll p = { .nr_ports = 2 };
	uint64_t outside = RAM_SIZE - 4;

	memcpy(&p.ports, &outside, sizeof(outside));
	CHECK_INT(CALL_WITH(__HYPERVISOR_sched_op, SCHEDOP_poll, p), -XEN_EFAULT);
	/* Block returns at once while an upcall is pending. */
	CHECK_INT(call(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 0);
	CHECK_UINT(waits, 1);
	CHECK_INT(CALL_WITH(__HYPERVISOR_sched_op, SCHEDOP_shutdown, down), 0);
	CHECK_UINT(shutdowns, 1);
	CHECK_UINT(last_reason, SHUTDOWN_crash);
	down.reason = SHUTDOWN_MAX + 1;
	CHECK_INT(CALL_WITH(__HYPERVISOR_sched_op, SCHEDOP_shutdown, down), -XEN_EINVAL);
	CHECK_UINT(shutdowns, 1);
	CHECK_INT(call(__HYPERVISOR_sched_op, SCHEDOP_watchdog, ARG, 0), -XEN_ENOSYS);
}

static long evtchn_op(unsigned int cmd, void *op, size_t size)
{
	memcpy(ram + ARG, op, size);
	long rc = call(__HYPERVISOR_event_channel_op, cmd, ARG, 0);

	memcpy(op, ram + ARG, size);
	return rc;
}

static void singleshot_timer_raises_virq_timer(void)
{
	struct evtchn_bind_virq virq = { .virq = VIRQ_TIMER };
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = 500,
					       .flags = VCPU_SSHOTTMR_future };

	fresh();
	CHECK_INT(evtchn_op(EVTCHNOP_bind_virq, &virq, sizeof(virq)), 0);
	memcpy(ram + ARG, &t, sizeof(t));
	CHECK_INT(call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, ARG), -XEN_ETIME);
	CHECK(!dom.timer_armed);
	t.timeout_abs_ns = 2000;
	memcpy(ram + ARG, &t, sizeof(t));
	CHECK_INT(call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 1, ARG), -XEN_ENOENT);
	CHECK_INT(call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, ARG), 0);
	CHECK(dom.timer_armed);
	CHECK_UINT(dom.timer_ns, 2000);
	CHECK_UINT(timer_changes, 1);
	xen_domain_timer_fired(&dom);
	CHECK(!dom.timer_armed);
	CHECK(xen_events_is_pending(&dom.events, virq.port));
	CHECK_INT(call(__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, 0, 0), 0);
	CHECK_UINT(timer_changes, 2);
	CHECK_INT(call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, RAM_SIZE), -XEN_EFAULT);
	CHECK_INT(call(__HYPERVISOR_vcpu_op, VCPUOP_initialise, 0, ARG), -XEN_ENOSYS);
}

static void event_channel_op_copies_in_and_out(void)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	struct evtchn_status st = { .dom = DOMID_SELF, .port = 1 };

	fresh();
	CHECK_INT(evtchn_op(EVTCHNOP_alloc_unbound, &op, sizeof(op)), 0);
	CHECK_UINT(op.port, 2);                 /* 1 is the console's */
	CHECK_INT(evtchn_op(EVTCHNOP_status, &st, sizeof(st)), 0);
	CHECK_UINT(st.status, EVTCHNSTAT_interdomain);
	CHECK_UINT(st.u.interdomain.dom, 0);
	CHECK_INT(call(__HYPERVISOR_event_channel_op, EVTCHNOP_send, RAM_SIZE - 2, 0), -XEN_EFAULT);
	CHECK_INT(call(__HYPERVISOR_event_channel_op, EVTCHNOP_reset, ARG, 0), -XEN_ENOSYS);
	CHECK_INT(call(__HYPERVISOR_event_channel_op, UINT64_MAX, ARG, 0), -XEN_ENOSYS);
}

/* ---- a hostile guest ------------------------------------------------------------ */

static uint64_t rng_state = 42;

static uint64_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return rng_state >> 17;
}

/* An argument: mostly a command or port number, an address in or near RAM,
 * or a boundary value. */
static uint64_t hostile_arg(void)
{
	static const uint64_t edges[] = {
		0, 1, 0x7fff, 0x8000, RAM_SIZE - 1, RAM_SIZE, RAM_SIZE - 8, UINT32_MAX,
		UINT64_MAX, 1ull << 63, DOMID_SELF, XEN_EVTCHN_PORTS, HVM_NR_PARAMS,
	};

	switch (rng() % 4) {
	case 0:
		return rng() % 16;
	case 1:
		return ARG + rng() % 64;
	case 2:
		return edges[rng() % (sizeof(edges) / sizeof(edges[0]))];
	default:
		return rng() % (RAM_SIZE + 0x2000);
	}
}

static void hostile_hypercalls(void)
{
	static const uint64_t numbers[] = {
		__HYPERVISOR_xen_version, __HYPERVISOR_memory_op, __HYPERVISOR_hvm_op,
		__HYPERVISOR_sched_op, __HYPERVISOR_vcpu_op, __HYPERVISOR_event_channel_op,
		__HYPERVISOR_grant_table_op, __HYPERVISOR_console_io,
	};

	fresh();
	for (unsigned int i = 0; i < HOSTILE_CALLS; i++) {
		uint64_t args[XEN_HYPERCALL_ARGS];
		uint64_t nr = rng() % 8 ? numbers[rng() % 8] : rng() % 200;

		/* Random structure contents where arguments usually point. */
		for (unsigned int b = 0; b < 64; b += 8) {
			uint64_t v = hostile_arg();

			memcpy(ram + ARG + b, &v, 8);
		}
		for (unsigned int a = 0; a < XEN_HYPERCALL_ARGS; a++)
			args[a] = hostile_arg();
		long rc = xen_domain_hypercall(&dom, nr, args);

		CHECK(rc <= 0 || nr == __HYPERVISOR_xen_version || nr == __HYPERVISOR_vcpu_op);
		CHECK(dom.callback_vector == 0 || dom.callback_vector >= 0x10);
		CHECK((uint8_t *)dom.events.shared == (uint8_t *)&dom.events.backing ||
		      ((uint8_t *)dom.events.shared >= ram &&
		       (uint8_t *)dom.events.shared + sizeof(struct shared_info) <= ram + RAM_SIZE));
	}
	/* Still a working domain afterwards. */
	CHECK_INT(call(__HYPERVISOR_xen_version, XENVER_version, 0, 0), 4 << 16 | 17);
}

void xen_domain_tests(void)
{
	check_run("xen_domain.version_and_features", version_and_features);
	check_run("xen_domain.unknown_hypercalls_are_enosys", unknown_hypercalls_are_enosys);
	check_run("xen_domain.shared_info_is_mapped_where_asked", shared_info_is_mapped_where_asked);
	check_run("xen_domain.grant_table_frames", grant_table_frames);
	check_run("xen_domain.grant_table_version_one_only", grant_table_version_one_only);
	check_run("xen_domain.grant_copy_through_the_model", grant_copy_through_the_model);
	check_run("xen_domain.grant_map_and_unmap", grant_map_and_unmap);
	check_run("xen_domain.xenstore_offer", xenstore_offer);
	check_run("xen_domain.hvm_params", hvm_params);
	check_run("xen_domain.sched_ops", sched_ops);
	check_run("xen_domain.singleshot_timer_raises_virq_timer",
		  singleshot_timer_raises_virq_timer);
	check_run("xen_domain.event_channel_op_copies_in_and_out",
		  event_channel_op_copies_in_and_out);
	check_run("xen_domain.hostile_hypercalls", hostile_hypercalls);
	if (dom_live)
		xen_domain_destroy(&dom);
	dom_live = false;
	free(ram);
	ram = NULL;
}
