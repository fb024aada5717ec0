/*
 * xen_domain.c — the hypercalls of pvkit-hv's Xen mode (see
 * host/xen_domain.h).  One function per hypercall, one per sub-command
 * where there is more than a line to it.  Each copies the guest's
 * argument structure in through the checked guest-memory accessor
 * (-XEN_EFAULT when it is not all in RAM), checks every field, acts, and
 * copies the answer back.  Sub-commands we do not offer are -XEN_ENOSYS,
 * as Xen answers for what it does not know.
 */
#include <string.h>

#include "host/xen_domain.h"

#define PAGE_SHIFT              12
#define PAGE_SIZE               (1ull << PAGE_SHIFT)
#define MIN_CALLBACK_VECTOR     0x10    /* 0-15: exceptions, never an interrupt */
#define CALLBACK_TYPE_SHIFT     56      /* HVM_PARAM_CALLBACK_IRQ: type in bits 63:56 */
#define CALLBACK_VECTOR_MASK    0xffu
/* memory_op: the low 6 bits of cmd are the command, the rest where a
 * preempted call resumes (MEMOP_EXTENT_SHIFT in Xen's common/memory.c). */
#define MEMOP_CMD_MASK          0x3fu

static const char *const hypercall_names[] = {
	[__HYPERVISOR_set_trap_table] = "set_trap_table",
	[__HYPERVISOR_mmu_update] = "mmu_update",
	[__HYPERVISOR_set_gdt] = "set_gdt",
	[__HYPERVISOR_stack_switch] = "stack_switch",
	[__HYPERVISOR_set_callbacks] = "set_callbacks",
	[__HYPERVISOR_fpu_taskswitch] = "fpu_taskswitch",
	[__HYPERVISOR_sched_op_compat] = "sched_op_compat",
	[__HYPERVISOR_platform_op] = "platform_op",
	[__HYPERVISOR_set_debugreg] = "set_debugreg",
	[__HYPERVISOR_get_debugreg] = "get_debugreg",
	[__HYPERVISOR_update_descriptor] = "update_descriptor",
	[__HYPERVISOR_memory_op] = "memory_op",
	[__HYPERVISOR_multicall] = "multicall",
	[__HYPERVISOR_update_va_mapping] = "update_va_mapping",
	[__HYPERVISOR_set_timer_op] = "set_timer_op",
	[__HYPERVISOR_event_channel_op_compat] = "event_channel_op_compat",
	[__HYPERVISOR_xen_version] = "xen_version",
	[__HYPERVISOR_console_io] = "console_io",
	[__HYPERVISOR_physdev_op_compat] = "physdev_op_compat",
	[__HYPERVISOR_grant_table_op] = "grant_table_op",
	[__HYPERVISOR_vm_assist] = "vm_assist",
	[__HYPERVISOR_update_va_mapping_otherdomain] = "update_va_mapping_otherdomain",
	[__HYPERVISOR_iret] = "iret",
	[__HYPERVISOR_vcpu_op] = "vcpu_op",
	[__HYPERVISOR_set_segment_base] = "set_segment_base",
	[__HYPERVISOR_mmuext_op] = "mmuext_op",
	[__HYPERVISOR_xsm_op] = "xsm_op",
	[__HYPERVISOR_nmi_op] = "nmi_op",
	[__HYPERVISOR_sched_op] = "sched_op",
	[__HYPERVISOR_callback_op] = "callback_op",
	[__HYPERVISOR_xenoprof_op] = "xenoprof_op",
	[__HYPERVISOR_event_channel_op] = "event_channel_op",
	[__HYPERVISOR_physdev_op] = "physdev_op",
	[__HYPERVISOR_hvm_op] = "hvm_op",
	[__HYPERVISOR_sysctl] = "sysctl",
	[__HYPERVISOR_domctl] = "domctl",
	[__HYPERVISOR_kexec_op] = "kexec_op",
	[__HYPERVISOR_tmem_op] = "tmem_op",
	[__HYPERVISOR_argo_op] = "argo_op",
	[__HYPERVISOR_xenpmu_op] = "xenpmu_op",
	[__HYPERVISOR_dm_op] = "dm_op",
	[__HYPERVISOR_hypfs_op] = "hypfs_op",
};

const char *xen_hypercall_name(uint64_t nr)
{
	if (nr >= sizeof(hypercall_names) / sizeof(hypercall_names[0]))
		return NULL;
	return hypercall_names[nr];
}

/* A sub-command's name, for --trace: only those we answer are named. */
struct command_name {
	uint64_t nr, cmd;
	const char *name;
};

static const struct command_name command_names[] = {
	{ __HYPERVISOR_xen_version, XENVER_version, "XENVER_version" },
	{ __HYPERVISOR_xen_version, XENVER_extraversion, "XENVER_extraversion" },
	{ __HYPERVISOR_xen_version, XENVER_get_features, "XENVER_get_features" },
	{ __HYPERVISOR_xen_version, XENVER_pagesize, "XENVER_pagesize" },
	{ __HYPERVISOR_memory_op, XENMEM_add_to_physmap, "XENMEM_add_to_physmap" },
	{ __HYPERVISOR_hvm_op, HVMOP_set_param, "HVMOP_set_param" },
	{ __HYPERVISOR_hvm_op, HVMOP_get_param, "HVMOP_get_param" },
	{ __HYPERVISOR_sched_op, SCHEDOP_yield, "SCHEDOP_yield" },
	{ __HYPERVISOR_sched_op, SCHEDOP_block, "SCHEDOP_block" },
	{ __HYPERVISOR_sched_op, SCHEDOP_shutdown, "SCHEDOP_shutdown" },
	{ __HYPERVISOR_sched_op, SCHEDOP_poll, "SCHEDOP_poll" },
	{ __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, "VCPUOP_set_singleshot_timer" },
	{ __HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, "VCPUOP_stop_singleshot_timer" },
	{ __HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, "VCPUOP_stop_periodic_timer" },
	{ __HYPERVISOR_vcpu_op, VCPUOP_is_up, "VCPUOP_is_up" },
	{ __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, "EVTCHNOP_alloc_unbound" },
	{ __HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, "EVTCHNOP_bind_interdomain" },
	{ __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, "EVTCHNOP_bind_virq" },
	{ __HYPERVISOR_event_channel_op, EVTCHNOP_close, "EVTCHNOP_close" },
	{ __HYPERVISOR_event_channel_op, EVTCHNOP_send, "EVTCHNOP_send" },
	{ __HYPERVISOR_event_channel_op, EVTCHNOP_status, "EVTCHNOP_status" },
	{ __HYPERVISOR_event_channel_op, EVTCHNOP_unmask, "EVTCHNOP_unmask" },
	{ __HYPERVISOR_event_channel_op, EVTCHNOP_bind_vcpu, "EVTCHNOP_bind_vcpu" },
	{ __HYPERVISOR_grant_table_op, GNTTABOP_query_size, "GNTTABOP_query_size" },
	{ __HYPERVISOR_grant_table_op, GNTTABOP_set_version, "GNTTABOP_set_version" },
	{ __HYPERVISOR_grant_table_op, GNTTABOP_get_version, "GNTTABOP_get_version" },
	{ __HYPERVISOR_grant_table_op, GNTTABOP_copy, "GNTTABOP_copy" },
	{ __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, "GNTTABOP_map_grant_ref" },
	{ __HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, "GNTTABOP_unmap_grant_ref" },
	{ __HYPERVISOR_console_io, CONSOLEIO_write, "CONSOLEIO_write" },
};

const char *xen_hypercall_command_name(uint64_t nr, uint64_t cmd)
{
	for (size_t i = 0; i < sizeof(command_names) / sizeof(command_names[0]); i++)
		if (command_names[i].nr == nr && command_names[i].cmd == cmd)
			return command_names[i].name;
	return NULL;
}

/* ---- guest memory ------------------------------------------------------ */

static long copy_from_guest(struct xen_domain *d, void *to, uint64_t gpa, size_t len)
{
	const void *from = guest_mem_range(&d->mem, gpa, len);

	if (!from)
		return -XEN_EFAULT;
	memcpy(to, from, len);
	return 0;
}

static long copy_to_guest(struct xen_domain *d, uint64_t gpa, const void *from, size_t len)
{
	void *to = guest_mem_range(&d->mem, gpa, len);

	if (!to)
		return -XEN_EFAULT;
	memcpy(to, from, len);
	return 0;
}

/* ---- xen_version ------------------------------------------------------- */

/* What a PVH guest of Xen 4.17 is told: guest-physical addresses are
 * its own (auto-translated), events can come as a vector, pvclock is
 * safe to read in HVM context. */
static uint32_t feature_submap(unsigned int index)
{
	if (index != 0)
		return 0;
	return 1u << XENFEAT_auto_translated_physmap | 1u << XENFEAT_hvm_callback_vector |
	       1u << XENFEAT_hvm_safe_pvclock;
}

static long xen_version(struct xen_domain *d, const uint64_t *a)
{
	switch (a[0]) {
	case XENVER_version:
		return XEN_HOST_MAJOR << 16 | XEN_HOST_MINOR;
	case XENVER_extraversion: {
		xen_extraversion_t extra = XEN_HOST_EXTRAVERSION;

		return copy_to_guest(d, a[1], extra, sizeof(extra));
	}
	case XENVER_get_features: {
		struct xen_feature_info info;
		long rc = copy_from_guest(d, &info, a[1], sizeof(info));

		if (rc)
			return rc;
		info.submap = feature_submap(info.submap_idx);
		return copy_to_guest(d, a[1], &info, sizeof(info));
	}
	case XENVER_pagesize:
		return PAGE_SIZE;
	default:
		return -XEN_ENOSYS;
	}
}

/* ---- memory_op: where shared_info and the grant table appear -------------- */

static long map_shared_info(struct xen_domain *d, const struct xen_add_to_physmap *map)
{
	struct shared_info *page = guest_mem_page(&d->mem, map->gpfn);

	if (map->idx != 0 || !page)
		return -XEN_EINVAL;
	xen_events_move_shared_info(&d->events, page);
	d->shared_info_mapped = true;
	d->shared_info_gpfn = map->gpfn;
	return 0;
}

static long add_to_physmap(struct xen_domain *d, uint64_t arg)
{
	struct xen_add_to_physmap map;
	long rc = copy_from_guest(d, &map, arg, sizeof(map));

	if (rc)
		return rc;
	if (!xen_is_self(map.domid))
		return -XEN_EPERM;
	switch (map.space) {
	case XENMAPSPACE_shared_info:
		return map_shared_info(d, &map);
	case XENMAPSPACE_grant_table:
		return xen_gnttab_map_frame(&d->gnttab, map.idx, map.gpfn);
	default:
		return -XEN_EOPNOTSUPP;         /* moving RAM around: not offered */
	}
}

static long memory_op(struct xen_domain *d, const uint64_t *a)
{
	if ((a[0] & MEMOP_CMD_MASK) != XENMEM_add_to_physmap)
		return -XEN_ENOSYS;
	if (a[0] != XENMEM_add_to_physmap)
		return -XEN_EINVAL;     /* a continuation offset on a single op */
	return add_to_physmap(d, a[1]);
}

/* ---- hvm_op: the parameters the toolstack gave us ------------------------- */

static long set_callback(struct xen_domain *d, uint64_t value)
{
	uint64_t type = value >> CALLBACK_TYPE_SHIFT;
	uint64_t vector = value & ~((uint64_t)0xff << CALLBACK_TYPE_SHIFT);

	if (value == 0) {
		d->callback_vector = 0;         /* no more upcalls */
	} else if (type != HVM_PARAM_CALLBACK_TYPE_VECTOR) {
		return -XEN_EOPNOTSUPP;         /* GSI, PCI INTx: no such devices here */
	} else if (vector < MIN_CALLBACK_VECTOR || vector > CALLBACK_VECTOR_MASK) {
		return -XEN_EINVAL;
	} else {
		d->callback_vector = (uint8_t)vector;
	}
	d->params[HVM_PARAM_CALLBACK_IRQ] = value;
	return 0;
}

static long hvm_param(struct xen_domain *d, uint64_t op, uint64_t arg)
{
	struct xen_hvm_param param;
	long rc = copy_from_guest(d, &param, arg, sizeof(param));

	if (rc)
		return rc;
	if (!xen_is_self(param.domid))
		return -XEN_EPERM;
	if (param.index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	if (op == HVMOP_set_param)
		return param.index == HVM_PARAM_CALLBACK_IRQ ? set_callback(d, param.value)
							     : -XEN_EPERM;
	param.value = d->params[param.index];
	return copy_to_guest(d, arg, &param, sizeof(param));
}

static long hvm_op(struct xen_domain *d, const uint64_t *a)
{
	if (a[0] != HVMOP_set_param && a[0] != HVMOP_get_param)
		return -XEN_ENOSYS;
	return hvm_param(d, a[0], a[1]);
}

/* ---- sched_op: yield, block, poll, shutdown ------------------------------ */

static bool upcall_pending(struct xen_domain *d)
{
	return d->events.shared->vcpu_info[0].evtchn_upcall_pending;
}

static uint64_t timer_limit(struct xen_domain *d)
{
	return d->timer_armed ? d->timer_ns : UINT64_MAX;
}

/* Sleep until an event for us, our timer, or a housekeeping tick. */
static long block(struct xen_domain *d)
{
	if (!upcall_pending(d))
		d->ops.wait(d->ops.opaque, timer_limit(d));
	return 0;
}

static bool any_pending(struct xen_domain *d, const evtchn_port_t *ports, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (xen_events_is_pending(&d->events, ports[i]))
			return true;
	return false;
}

/* Returns at once if one of the ports is pending (masked or not), else
 * after one wait: the guest checks again, as it must after any wake-up. */
static long poll(struct xen_domain *d, uint64_t arg)
{
	struct sched_poll poll;
	evtchn_port_t ports[XEN_DOMAIN_POLL_PORTS];
	uint64_t ports_gpa;
	long rc = copy_from_guest(d, &poll, arg, sizeof(poll));

	if (rc)
		return rc;
	if (poll.nr_ports > XEN_DOMAIN_POLL_PORTS)
		return -XEN_EINVAL;
	memcpy(&ports_gpa, &poll.ports, sizeof(ports_gpa));
	rc = copy_from_guest(d, ports, ports_gpa, poll.nr_ports * sizeof(ports[0]));
	if (rc)
		return rc;
	for (unsigned int i = 0; i < poll.nr_ports; i++)
		if (ports[i] == 0 || ports[i] >= XEN_EVTCHN_PORTS)
			return -XEN_EINVAL;
	if (any_pending(d, ports, poll.nr_ports))
		return 0;
	uint64_t until = poll.timeout ? poll.timeout : UINT64_MAX;

	if (until > d->ops.now_ns(d->ops.opaque))
		d->ops.wait(d->ops.opaque, until < timer_limit(d) ? until : timer_limit(d));
	return 0;
}

static long shutdown(struct xen_domain *d, uint64_t arg)
{
	struct sched_shutdown op;
	long rc = copy_from_guest(d, &op, arg, sizeof(op));

	if (rc)
		return rc;
	if (op.reason > SHUTDOWN_MAX)
		return -XEN_EINVAL;
	d->shutdown = true;
	d->shutdown_reason = op.reason;
	d->ops.shutdown(d->ops.opaque, op.reason);
	return 0;
}

static long sched_op(struct xen_domain *d, const uint64_t *a)
{
	switch (a[0]) {
	case SCHEDOP_yield:
		return 0;               /* one vCPU, nobody else to run */
	case SCHEDOP_block:
		return block(d);
	case SCHEDOP_poll:
		return poll(d, a[1]);
	case SCHEDOP_shutdown:
		return shutdown(d, a[1]);
	default:
		return -XEN_ENOSYS;
	}
}

/* ---- vcpu_op: the single-shot timer ------------------------------------- */

static long set_singleshot_timer(struct xen_domain *d, uint64_t arg)
{
	struct vcpu_set_singleshot_timer timer;
	long rc = copy_from_guest(d, &timer, arg, sizeof(timer));

	if (rc)
		return rc;
	if ((timer.flags & VCPU_SSHOTTMR_future) &&
	    timer.timeout_abs_ns < d->ops.now_ns(d->ops.opaque))
		return -XEN_ETIME;
	d->timer_armed = true;
	d->timer_ns = timer.timeout_abs_ns;
	d->ops.timer_changed(d->ops.opaque);
	return 0;
}

static long vcpu_op(struct xen_domain *d, const uint64_t *a)
{
	if (a[1] != 0)
		return -XEN_ENOENT;     /* one vCPU: 0 */
	switch (a[0]) {
	case VCPUOP_set_singleshot_timer:
		return set_singleshot_timer(d, a[2]);
	case VCPUOP_stop_singleshot_timer:
		d->timer_armed = false;
		d->ops.timer_changed(d->ops.opaque);
		return 0;
	case VCPUOP_stop_periodic_timer:
		return 0;               /* a PVH vCPU has none running */
	case VCPUOP_is_up:
		return 1;
	default:
		return -XEN_ENOSYS;
	}
}

void xen_domain_timer_fired(struct xen_domain *d)
{
	d->timer_armed = false;
	xen_events_raise_virq(&d->events, VIRQ_TIMER);
}

/* ---- event_channel_op: copy in, the model, copy out ------------------------ */

union evtchn_args {
	struct evtchn_alloc_unbound alloc_unbound;
	struct evtchn_bind_interdomain bind_interdomain;
	struct evtchn_bind_virq bind_virq;
	struct evtchn_close close;
	struct evtchn_send send;
	struct evtchn_status status;
	struct evtchn_unmask unmask;
	struct evtchn_bind_vcpu bind_vcpu;
};

/* The size of each command's structure; 0: not offered. */
static size_t evtchn_args_size(uint64_t cmd)
{
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		return sizeof(struct evtchn_alloc_unbound);
	case EVTCHNOP_bind_interdomain:
		return sizeof(struct evtchn_bind_interdomain);
	case EVTCHNOP_bind_virq:
		return sizeof(struct evtchn_bind_virq);
	case EVTCHNOP_close:
		return sizeof(struct evtchn_close);
	case EVTCHNOP_send:
		return sizeof(struct evtchn_send);
	case EVTCHNOP_status:
		return sizeof(struct evtchn_status);
	case EVTCHNOP_unmask:
		return sizeof(struct evtchn_unmask);
	case EVTCHNOP_bind_vcpu:
		return sizeof(struct evtchn_bind_vcpu);
	default:
		return 0;
	}
}

static long evtchn_dispatch(struct xen_events *ev, uint64_t cmd, union evtchn_args *u)
{
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		return xen_events_alloc_unbound(ev, &u->alloc_unbound);
	case EVTCHNOP_bind_interdomain:
		return xen_events_bind_interdomain(ev, &u->bind_interdomain);
	case EVTCHNOP_bind_virq:
		return xen_events_bind_virq(ev, &u->bind_virq);
	case EVTCHNOP_close:
		return xen_events_close(ev, u->close.port);
	case EVTCHNOP_send:
		return xen_events_send(ev, u->send.port);
	case EVTCHNOP_status:
		return xen_events_status(ev, &u->status);
	case EVTCHNOP_bind_vcpu:
		return xen_events_bind_vcpu(ev, &u->bind_vcpu);
	default:
		return xen_events_unmask(ev, u->unmask.port);
	}
}

static long event_channel_op(struct xen_domain *d, const uint64_t *a)
{
	union evtchn_args u;
	size_t size = evtchn_args_size(a[0]);

	if (size == 0)
		return -XEN_ENOSYS;
	long rc = copy_from_guest(d, &u, a[1], size);

	if (rc)
		return rc;
	rc = evtchn_dispatch(&d->events, a[0], &u);
	if (rc == 0)
		rc = copy_to_guest(d, a[1], &u, size);
	return rc;
}

/* ---- grant_table_op: the table's size, and grant copy ----------------------- */

static long query_size(struct xen_domain *d, uint64_t arg, uint64_t count)
{
	struct gnttab_query_size q;

	if (count != 1)
		return -XEN_EINVAL;
	long rc = copy_from_guest(d, &q, arg, sizeof(q));

	if (rc)
		return rc;
	xen_gnttab_query_size(&d->gnttab, XEN_HOST_DOMID, &q);
	return copy_to_guest(d, arg, &q, sizeof(q));
}

/*
 * Our grant table model is version 1 only.  Asked for version 2, we answer
 * as Xen does for a domain whose maximum is 1 (gnttab_set_version: "behave
 * as before set_version was introduced"): -ENOSYS, and the guest stays on
 * version 1.  A version that does not exist is -EINVAL.
 */
#define GRANT_TABLE_VERSION     1

static long set_version(struct xen_domain *d, uint64_t arg, uint64_t count)
{
	struct gnttab_set_version v;

	if (count != 1)
		return -XEN_EINVAL;
	long rc = copy_from_guest(d, &v, arg, sizeof(v));

	if (rc)
		return rc;
	if (v.version != 1 && v.version != 2)
		return -XEN_EINVAL;
	if (v.version != GRANT_TABLE_VERSION)
		return -XEN_ENOSYS;
	return 0;
}

static long get_version(struct xen_domain *d, uint64_t arg, uint64_t count)
{
	struct gnttab_get_version v;

	if (count != 1)
		return -XEN_EINVAL;
	long rc = copy_from_guest(d, &v, arg, sizeof(v));

	if (rc)
		return rc;
	if (!xen_is_self(v.dom))
		return -XEN_EPERM;      /* only a privileged domain asks for another */
	v.version = GRANT_TABLE_VERSION;
	return copy_to_guest(d, arg, &v, sizeof(v));
}

/* One grant operation, already in host memory; it sets its own status. */
typedef void grant_op_fn(struct xen_domain *d, void *op);

static void copy_one(struct xen_domain *d, void *op)
{
	struct gnttab_copy *c = op;

	c->status = xen_gnttab_copy(&d->gnttab, XEN_HOST_DOMID, c);
}

static void map_one(struct xen_domain *d, void *op)
{
	xen_grant_map(d, op);
}

static void unmap_one(struct xen_domain *d, void *op)
{
	xen_grant_unmap(d, op);
}

/* The array of `count` operations of `size` bytes at arg: each is copied
 * in, done and copied back with its status; the call fails only when the
 * array itself cannot be read or written. */
static long each_grant_op(struct xen_domain *d, uint64_t arg, uint64_t count, size_t size,
			  grant_op_fn *fn)
{
	union {
		struct gnttab_copy copy;
		struct gnttab_map_grant_ref map;
		struct gnttab_unmap_grant_ref unmap;
	} op;

	if (count > XEN_DOMAIN_GRANT_OPS)
		return -XEN_EINVAL;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t gpa = arg + i * size;
		long rc = gpa < arg ? -XEN_EFAULT : copy_from_guest(d, &op, gpa, size);

		if (rc)
			return rc;
		fn(d, &op);
		rc = copy_to_guest(d, gpa, &op, size);
		if (rc)
			return rc;
	}
	return 0;
}

static long grant_table_op(struct xen_domain *d, const uint64_t *a)
{
	switch (a[0]) {
	case GNTTABOP_query_size:
		return query_size(d, a[1], a[2]);
	case GNTTABOP_set_version:
		return set_version(d, a[1], a[2]);
	case GNTTABOP_get_version:
		return get_version(d, a[1], a[2]);
	case GNTTABOP_copy:
		return each_grant_op(d, a[1], a[2], sizeof(struct gnttab_copy), copy_one);
	case GNTTABOP_map_grant_ref:
		return each_grant_op(d, a[1], a[2], sizeof(struct gnttab_map_grant_ref), map_one);
	case GNTTABOP_unmap_grant_ref:
		return each_grant_op(d, a[1], a[2], sizeof(struct gnttab_unmap_grant_ref),
				     unmap_one);
	default:
		return -XEN_ENOSYS;
	}
}

/* ---- dispatch ------------------------------------------------------------- */

long xen_domain_hypercall(struct xen_domain *d, uint64_t nr, const uint64_t args[XEN_HYPERCALL_ARGS])
{
	switch (nr) {
	case __HYPERVISOR_xen_version:
		return xen_version(d, args);
	case __HYPERVISOR_memory_op:
		return memory_op(d, args);
	case __HYPERVISOR_hvm_op:
		return hvm_op(d, args);
	case __HYPERVISOR_sched_op:
		return sched_op(d, args);
	case __HYPERVISOR_vcpu_op:
		return vcpu_op(d, args);
	case __HYPERVISOR_event_channel_op:
		return event_channel_op(d, args);
	case __HYPERVISOR_grant_table_op:
		return grant_table_op(d, args);
	case __HYPERVISOR_console_io:
		return -XEN_EPERM;      /* as a release build of Xen tells a domU */
	default:
		return -XEN_ENOSYS;
	}
}

/* What the toolstack does before the guest runs: the console page and
 * its event channel, and the console's grant to dom0 (xc_dom_gnttab_seed). */
bool xen_domain_init(struct xen_domain *d, const struct guest_mem *mem, uint64_t console_pfn,
		     const struct xen_domain_ops *ops)
{
	memset(d, 0, sizeof(*d));
	d->mem = *mem;
	d->ops = *ops;
	xen_events_init(&d->events);
	if (xen_gnttab_init(&d->gnttab, &d->mem, XEN_HOST_DOMID, XEN_DOMAIN_GRANT_FRAMES) != 0)
		return false;
	d->console_pfn = console_pfn;
	d->params[HVM_PARAM_CONSOLE_PFN] = console_pfn;
	d->params[HVM_PARAM_CONSOLE_EVTCHN] = xen_events_bind_backend(&d->events,
								      XEN_BACKEND_CONSOLE);
	xen_gnttab_seed(&d->gnttab, GNTTAB_RESERVED_CONSOLE, XEN_HOST_DOM0, (uint32_t)console_pfn);
	/* Until a xenstore is offered, STORE_PFN 0 tells the guest there is none. */
	return true;
}

evtchn_port_t xen_domain_offer_xenstore(struct xen_domain *d, uint64_t store_pfn)
{
	evtchn_port_t port = xen_events_bind_backend(&d->events, XEN_BACKEND_XENSTORE);

	if (!port)
		return 0;
	d->params[HVM_PARAM_STORE_PFN] = store_pfn;
	d->params[HVM_PARAM_STORE_EVTCHN] = port;
	xen_gnttab_seed(&d->gnttab, GNTTAB_RESERVED_XENSTORE, XEN_HOST_DOM0, (uint32_t)store_pfn);
	return port;
}

void xen_domain_destroy(struct xen_domain *d)
{
	xen_gnttab_destroy(&d->gnttab);
}
