/*
 * virtqueue.h — the device side of a virtio virtqueue, split (virtio 1.2,
 * section 2.7: host/virtqueue.c) or packed (2.8, VIRTIO_F_RING_PACKED:
 * host/virtqueue_packed.c), behind one interface: taking the driver's
 * available buffers, walking and checking their descriptor chains, and
 * giving them back as used.  Devices never see which format it is.
 *
 * The rings live in guest RAM and are written by the guest while we
 * read them, so nothing in them is trusted: every chain is copied into a
 * struct vq_chain of checked segments (each a host pointer + length that
 * lies entirely inside guest RAM) before a device looks at a byte of it.
 *
 * The library knows nothing of KVM, threads or transports: a virtqueue is
 * plain state that a caller protects with its device's lock (host/virtio.h),
 * and the unit tests drive it over a fake guest RAM.
 */
#ifndef PVKIT_HOST_VIRTQUEUE_H
#define PVKIT_HOST_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

#include "host/guest_mem.h"

#define VIRTQUEUE_MAX_SIZE      256     /* the largest queue we offer (QueueNumMax) */
/* The longest chain we accept, direct and indirect descriptors together;
 * virtio-blk tells the driver (seg_max) so it never builds longer ones. */
#define VIRTQUEUE_MAX_SEGMENTS  256
#define VIRTQUEUE_MAX_INDIRECT  VIRTQUEUE_MAX_SEGMENTS  /* entries in one indirect table */

/* One buffer of a chain, already checked to lie inside guest RAM. */
struct vq_segment {
	uint64_t gpa;
	uint8_t *host;                  /* where those bytes are in our mapping */
	uint32_t len;
	bool device_writable;           /* VRING_DESC_F_WRITE */
};

/* A descriptor chain as the device sees it: the spec puts every
 * device-readable buffer before every device-writable one, so segments
 * [0, readable) are the request and [readable, count) the reply space. */
struct vq_chain {
	uint16_t head;                  /* the id to return: split, the head descriptor;
					   packed, the buffer id */
	unsigned int count;
	unsigned int readable;
	uint64_t readable_bytes;
	uint64_t writable_bytes;
	struct vq_segment seg[VIRTQUEUE_MAX_SEGMENTS];
};

enum vq_pop_result {
	VQ_EMPTY,               /* nothing new in the available ring */
	VQ_CHAIN,               /* *chain is a good chain */
	VQ_BAD_CHAIN,           /* chain->head is valid but the chain is malformed:
				   fail that request (complete it with length 0) */
	VQ_BROKEN,              /* the ring itself is nonsense: the device needs a reset */
};

struct virtqueue {
	const char *name;               /* "requestq", "receiveq"... for messages */
	uint16_t max_size;              /* what the device offers */
	/* Set by the driver through the transport while the queue is not ready. */
	uint16_t size;                  /* split: a power of two, 1..max_size;
					   packed: any of 1..max_size */
	uint64_t desc_addr;             /* descriptor table (packed: descriptor ring) */
	uint64_t driver_addr;           /* "driver area": available ring (packed: the
					   driver's event suppression) */
	uint64_t device_addr;           /* "device area": used ring (packed: ours) */
	bool ready;                     /* enabled, and the rings lie in RAM */
	/* Negotiated features that change how the rings are read. */
	bool packed;                    /* VIRTIO_F_RING_PACKED */
	bool event_idx;                 /* VIRTIO_RING_F_EVENT_IDX */
	bool indirect;                  /* VIRTIO_RING_F_INDIRECT_DESC */
	/* Device-private state, split. */
	const uint8_t *desc;            /* the rings, resolved by virtqueue_enable */
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;            /* next available-ring entry to take */
	uint16_t used_idx;              /* split: next used-ring entry to fill; both
					   formats: +1 for every chain returned */
	uint16_t signalled_used;        /* used_idx when we last decided about an interrupt */
	bool signalled_valid;
	/* Device-private state, packed (host/virtqueue_packed.c). */
	struct vring_packed_desc *ring;                 /* the descriptor ring */
	struct vring_packed_desc_event *driver_event;   /* the driver's: when to interrupt */
	struct vring_packed_desc_event *device_event;   /* ours: when to notify us */
	uint16_t avail_slot;            /* next descriptor to take ... */
	bool avail_wrap;                /* ... in the lap with this Driver Ring Wrap Counter */
	uint16_t used_slot;             /* where the next used descriptor goes ... */
	bool used_wrap;                 /* ... and our Device Ring Wrap Counter */
	uint16_t popped_slot;           /* avail_slot/wrap before the last pop (unpop) */
	bool popped_wrap;
	uint16_t unsignalled_slots;     /* used slots since the last interrupt decision */
	uint16_t chain_slots[VIRTQUEUE_MAX_SIZE];       /* by buffer id: ring slots taken */
	/* --stats counters (under the device's lock). */
	uint64_t notifications, interrupts, chains, bad_chains;
};

/* Back to the reset state: not ready, size max_size, addresses 0. */
void virtqueue_reset(struct virtqueue *vq);

/* The driver set the queue ready: checks the size and that each ring is
 * aligned and inside guest RAM, then starts at index 0 (packed: slot 0,
 * wrap counters 1).  false + a reason (the queue stays not ready) otherwise. */
bool virtqueue_enable(struct virtqueue *vq, const struct guest_mem *mem,
		      char *why, size_t why_len);

/* Takes the next available chain.  VQ_BAD_CHAIN and VQ_BROKEN fill why.
 * When the ring is empty and EVENT_IDX was negotiated, publishes
 * avail_event (packed: our event suppression, "this slot of this lap")
 * first, so the driver notifies us for its next buffer, and looks once
 * more, closing the race with a driver adding a buffer. */
enum vq_pop_result virtqueue_pop(struct virtqueue *vq, const struct guest_mem *mem,
				 struct vq_chain *chain, char *why, size_t why_len);
/* Gives the last chain back (a receive queue with nothing to receive yet). */
void virtqueue_unpop(struct virtqueue *vq);

/* Returns a chain to the driver: one used-ring entry, then the used index
 * with a release barrier, so the driver never sees the index before the
 * entry (packed: the used descriptor's id and length, then its flags with
 * release).  len is how many bytes the device wrote into the chain. */
void virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t len);

/* After one or more pushes: does the driver want an interrupt?  Honours
 * VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX (packed: the
 * driver's event suppression flags, and its slot with EVENT_IDX). */
bool virtqueue_should_interrupt(struct virtqueue *vq);

/* Copies up to len bytes between buf and the chain's readable (request)
 * or writable (reply) bytes, starting offset bytes into them; returns how
 * many were copied. */
size_t vq_chain_read(const struct vq_chain *chain, uint64_t offset, void *buf, size_t len);
size_t vq_chain_write(const struct vq_chain *chain, uint64_t offset, const void *buf,
		      size_t len);

/* --trace: one line describing the chain (addresses, lengths, directions). */
void virtqueue_trace_chain(const struct virtqueue *vq, const char *device,
			   const struct vq_chain *chain);

#endif
