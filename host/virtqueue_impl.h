/*
 * virtqueue_impl.h — private to host/virtqueue.c and host/virtqueue_packed.c:
 * the packed-ring half of the virtqueue interface (virtqueue.c dispatches to
 * it when VIRTIO_F_RING_PACKED was negotiated), and the checks both ring
 * formats share, so that a chain is validated the same way whatever format
 * carried it.  Devices include host/virtqueue.h only.
 */
#ifndef PVKIT_HOST_VIRTQUEUE_IMPL_H
#define PVKIT_HOST_VIRTQUEUE_IMPL_H

#include "host/virtqueue.h"

/* ---- shared checks (virtqueue.c) ------------------------------------------ */

/* Resolves one ring area: aligned, and all of it inside RAM; NULL + why. */
void *vq_ring_in_ram(const struct guest_mem *mem, const char *what, uint64_t addr,
		     uint64_t bytes, uint64_t align, char *why, size_t why_len);

/* Appends one buffer to the chain after checking it: inside guest RAM,
 * readable ones before writable ones, at most VIRTQUEUE_MAX_SEGMENTS.
 * `what` and `index` name the descriptor in the reason. */
bool vq_add_segment(struct vq_chain *chain, const struct guest_mem *mem, const char *what,
		    unsigned int index, uint64_t addr, uint32_t len, bool writable,
		    char *why, size_t why_len);

/* The indirect table a descriptor points at: length a non-zero multiple of
 * 16 bytes, at most VIRTQUEUE_MAX_INDIRECT entries, inside guest RAM.  The
 * host pointer, *entries filled; NULL + why otherwise. */
const uint8_t *vq_indirect_table(const struct guest_mem *mem, unsigned int index,
				 uint64_t addr, uint32_t len, unsigned int *entries,
				 char *why, size_t why_len);

/* ---- packed rings (virtqueue_packed.c) ---------------------------------------- */

bool packed_enable(struct virtqueue *vq, const struct guest_mem *mem, char *why,
		   size_t why_len);
enum vq_pop_result packed_pop(struct virtqueue *vq, const struct guest_mem *mem,
			      struct vq_chain *chain, char *why, size_t why_len);
void packed_unpop(struct virtqueue *vq);
void packed_push(struct virtqueue *vq, uint16_t id, uint32_t len);
bool packed_should_interrupt(struct virtqueue *vq);

#endif
