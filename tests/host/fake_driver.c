/*
 * fake_driver.c — hand-built split and packed virtqueues in a fake guest
 * RAM (see tests/host/fake_driver.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "host/virtio_mmio.h"
#include "tests/host/fake_driver.h"

struct guest_mem fake_ram_new(void)
{
	void *p = mmap(NULL, FAKE_RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return (struct guest_mem){ .ram = p == MAP_FAILED ? NULL : p,
				   .size = p == MAP_FAILED ? 0 : FAKE_RAM_SIZE };
}

void fake_ram_free(struct guest_mem *mem)
{
	if (mem->ram != NULL)
		munmap(mem->ram, mem->size);
	mem->ram = NULL;
	mem->size = 0;
}

void *fake_ptr(const struct guest_mem *mem, uint64_t gpa)
{
	return mem->ram + gpa;
}

void fake_queue_init(struct fake_queue *fq, const struct guest_mem *mem, unsigned int q,
		     uint16_t size)
{
	uint64_t base = FAKE_QUEUE_BASE + (uint64_t)q * FAKE_QUEUE_STRIDE;

	*fq = (struct fake_queue){ .size = size, .desc = base + FAKE_DESC_OFFSET,
				   .avail = base + FAKE_AVAIL_OFFSET,
				   .used = base + FAKE_USED_OFFSET };
	memset(fake_ptr(mem, base), 0, FAKE_QUEUE_STRIDE);
}

void fake_desc(const struct guest_mem *mem, uint64_t table, unsigned int i, uint64_t addr,
	       uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	memcpy(fake_ptr(mem, table + (uint64_t)i * sizeof(d)), &d, sizeof(d));
}

void fake_publish(struct fake_queue *fq, const struct guest_mem *mem, uint16_t head)
{
	struct vring_avail *avail = fake_ptr(mem, fq->avail);

	avail->ring[fq->avail_idx % fq->size] = head;
	fq->avail_idx++;
	__atomic_store_n(&avail->idx, fq->avail_idx, __ATOMIC_RELEASE);
}

uint16_t fake_used_pending(const struct fake_queue *fq, const struct guest_mem *mem)
{
	const struct vring_used *used = fake_ptr(mem, fq->used);

	return (uint16_t)(__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE) - fq->used_seen);
}

struct vring_used_elem fake_take_used(struct fake_queue *fq, const struct guest_mem *mem)
{
	const struct vring_used *used = fake_ptr(mem, fq->used);
	struct vring_used_elem e = used->ring[fq->used_seen % fq->size];

	fq->used_seen++;
	return e;
}

void fake_set_used_event(const struct fake_queue *fq, const struct guest_mem *mem, uint16_t v)
{
	struct vring_avail *avail = fake_ptr(mem, fq->avail);

	avail->ring[fq->size] = v;
}

uint16_t fake_avail_event(const struct fake_queue *fq, const struct guest_mem *mem)
{
	struct vring_used *used = fake_ptr(mem, fq->used);

	return *(uint16_t *)&used->ring[fq->size];
}

void fake_set_avail_flags(const struct fake_queue *fq, const struct guest_mem *mem, uint16_t f)
{
	struct vring_avail *avail = fake_ptr(mem, fq->avail);

	avail->flags = f;
}

/* ---- packed rings ---------------------------------------------------------- */

#define DESC_F_AVAIL    ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define DESC_F_USED     ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))

void fake_packed_init(struct fake_queue *fq, const struct guest_mem *mem, unsigned int q,
		      uint16_t size)
{
	fake_queue_init(fq, mem, q, size);
	fq->packed = true;
	fq->avail_wrap = fq->used_wrap = true;
}

static void next_slot(const struct fake_queue *fq, uint16_t *slot, bool *wrap)
{
	if (++*slot == fq->size) {
		*slot = 0;
		*wrap = !*wrap;
	}
}

struct vring_packed_desc *fake_packed_slot(const struct fake_queue *fq,
					   const struct guest_mem *mem, uint16_t slot)
{
	return (struct vring_packed_desc *)fake_ptr(mem, fq->desc) + slot;
}

void fake_packed_add(struct fake_queue *fq, const struct guest_mem *mem,
		     const struct fake_elem *e, unsigned int n, uint16_t id)
{
	struct vring_packed_desc *head = fake_packed_slot(fq, mem, fq->next_avail);
	uint16_t head_flags = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct vring_packed_desc *d = fake_packed_slot(fq, mem, fq->next_avail);
		uint16_t flags = e[i].flags | (fq->avail_wrap ? DESC_F_AVAIL : DESC_F_USED);

		d->addr = e[i].addr;
		d->len = e[i].len;
		d->id = id;
		if (i == 0)
			head_flags = flags;
		else
			d->flags = flags;
		next_slot(fq, &fq->next_avail, &fq->avail_wrap);
	}
	if (id < FAKE_MAX_IDS)
		fq->slots_of[id] = (uint16_t)n;
	__atomic_store_n(&head->flags, head_flags, __ATOMIC_RELEASE);
}

bool fake_packed_take_used(struct fake_queue *fq, const struct guest_mem *mem,
			   struct vring_packed_desc *out)
{
	struct vring_packed_desc *d = fake_packed_slot(fq, mem, fq->next_used);
	uint16_t flags = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
	bool avail = flags & DESC_F_AVAIL, used = flags & DESC_F_USED;

	if (avail != used || used != fq->used_wrap)
		return false;
	*out = *d;
	unsigned int skip = 1;

	if (out->id < FAKE_MAX_IDS && fq->slots_of[out->id] > 0)
		skip = fq->slots_of[out->id];

	for (unsigned int i = 0; i < skip; i++)
		next_slot(fq, &fq->next_used, &fq->used_wrap);
	return true;
}

void fake_packed_set_driver_event(const struct fake_queue *fq, const struct guest_mem *mem,
				  uint16_t off_wrap, uint16_t flags)
{
	struct vring_packed_desc_event *e = fake_ptr(mem, fq->avail);

	e->off_wrap = off_wrap;
	e->flags = flags;
}

struct vring_packed_desc_event fake_packed_device_event(const struct fake_queue *fq,
							const struct guest_mem *mem)
{
	return *(const struct vring_packed_desc_event *)fake_ptr(mem, fq->used);
}

/* ---- the mmio handshake ------------------------------------------------------- */

static void mmio_write(struct virtio_mmio *t, uint64_t offset, uint32_t value)
{
	virtio_mmio_write(t, offset, 4, value);
}

static uint32_t mmio_read(struct virtio_mmio *t, uint64_t offset)
{
	return (uint32_t)virtio_mmio_read(t, offset, 4);
}

static uint32_t mmio_start(struct virtio_mmio *t, const struct guest_mem *mem,
			   struct fake_queue fq[], unsigned int nq, uint16_t size, uint64_t features,
			   bool packed)
{
	if (packed)
		features |= 1ull << VIRTIO_F_RING_PACKED;
	else
		features &= ~(1ull << VIRTIO_F_RING_PACKED);
	mmio_write(t, VIRTIO_MMIO_STATUS, 0);
	mmio_write(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	mmio_write(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	for (uint32_t sel = 0; sel < 2; sel++) {
		mmio_write(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, sel);
		uint32_t offered = mmio_read(t, VIRTIO_MMIO_DEVICE_FEATURES);

		mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);
		mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES,
			   offered & (uint32_t)(features >> (32 * sel)));
	}
	mmio_write(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(mmio_read(t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK))
		return mmio_read(t, VIRTIO_MMIO_STATUS);
	for (unsigned int q = 0; q < nq; q++) {
		if (packed)
			fake_packed_init(&fq[q], mem, q, size);
		else
			fake_queue_init(&fq[q], mem, q, size);
		mmio_write(t, VIRTIO_MMIO_QUEUE_SEL, q);
		mmio_write(t, VIRTIO_MMIO_QUEUE_NUM, size);
		mmio_write(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)fq[q].desc);
		mmio_write(t, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(fq[q].desc >> 32));
		mmio_write(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)fq[q].avail);
		mmio_write(t, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
		mmio_write(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)fq[q].used);
		mmio_write(t, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
		mmio_write(t, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	mmio_write(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	return mmio_read(t, VIRTIO_MMIO_STATUS);
}

uint32_t fake_mmio_start(struct virtio_mmio *t, const struct guest_mem *mem,
			 struct fake_queue fq[], unsigned int nq, uint16_t size, uint64_t features)
{
	return mmio_start(t, mem, fq, nq, size, features, false);
}

uint32_t fake_mmio_start_packed(struct virtio_mmio *t, const struct guest_mem *mem,
				struct fake_queue fq[], unsigned int nq, uint16_t size,
				uint64_t features)
{
	return mmio_start(t, mem, fq, nq, size, features, true);
}
