/*
 * xen_console.c — the PV console backend's ring handling (see
 * host/xen_console.h).  The barriers order our reads of the bytes after
 * the index that covers them, and our index update after the bytes, as
 * the guest's side (pv/xen/xen_console.c) does the other way round.
 */
#include "host/xen_console.h"

size_t xen_console_drain(struct xencons_interface *ring,
			 void (*put)(void *opaque, uint8_t byte), void *opaque)
{
	volatile struct xencons_interface *r = ring;
	XENCONS_RING_IDX cons = r->out_cons, prod = r->out_prod;
	size_t taken = 0;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (prod - cons > sizeof(r->out)) {
		/* Not a ring any more: skip to the producer. */
		r->out_cons = prod;
		return 0;
	}
	while (cons != prod) {
		put(opaque, (uint8_t)r->out[MASK_XENCONS_IDX(cons, r->out)]);
		cons++;
		taken++;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->out_cons = cons;
	return taken;
}

size_t xen_console_in_room(const struct xencons_interface *ring)
{
	const volatile struct xencons_interface *r = ring;
	XENCONS_RING_IDX used = r->in_prod - r->in_cons;

	return used > sizeof(r->in) ? 0 : sizeof(r->in) - used;
}

size_t xen_console_feed(struct xencons_interface *ring, const uint8_t *buf, size_t len)
{
	volatile struct xencons_interface *r = ring;
	size_t room = xen_console_in_room(ring), given = 0;
	XENCONS_RING_IDX prod = r->in_prod;

	while (given < len && given < room) {
		r->in[MASK_XENCONS_IDX(prod, r->in)] = (char)buf[given++];
		prod++;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->in_prod = prod;
	return given;
}
