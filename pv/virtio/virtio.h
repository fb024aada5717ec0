/*
 * virtio.h — the guest's virtio core: devices, transports, drivers and
 * virtqueues.  Read docs/virtio.md alongside.
 *
 * Three layers meet here:
 *
 *   transports   know where a device's registers are and how it
 *                interrupts: virtio-mmio (virtio_mmio.c) and modern
 *                virtio-pci (virtio_pci.c).  Each fills in a
 *                struct virtio_transport_ops and calls
 *                virtio_device_register() for every device it finds.
 *   the core     (virtio.c) binds each device to the driver for its
 *                device id, runs the status handshake, and handles
 *                broken devices; virtqueue.c is the virtqueue API, with
 *                the two ring formats behind it: virtqueue_split.c and
 *                virtqueue_packed.c (VIRTIO_F_RING_PACKED).
 *   drivers      (virtio_blk.c, virtio_rng.c, ...) see only this header:
 *                feature bits, config space, and virtqueues.  The same
 *                driver therefore runs over either transport.
 *
 * Virtqueue API, in the shape of Linux's: a driver hands the device a
 * buffer as a scatter-gather list of (physical address, length) pairs,
 * the device-readable ones ("out") first, then the device-writable ones
 * ("in"), with a token of its choice; it kicks the device (the
 * notification is skipped when the device said it does not need one);
 * later it gets the token back from virtqueue_get_buf(), with the number
 * of bytes the device wrote.  Every structure and constant of the
 * specification comes from <linux/virtio_*.h>.
 *
 * Locking: one CPU.  Virtqueue calls made outside an interrupt handler
 * must run with interrupts disabled (irq_save) if the queue's callback
 * also touches the queue.
 */
#ifndef PVKIT_PV_VIRTIO_VIRTIO_H
#define PVKIT_PV_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

struct virtio_device;
struct virtqueue;

/* ---- transports ------------------------------------------------------------ */

/* What the interrupt said, as in the ISR status of both transports. */
#define VIRTIO_INTERRUPT_QUEUE  0x1     /* a used ring may have new entries */
#define VIRTIO_INTERRUPT_CONFIG 0x2     /* the configuration (or status) changed */

struct virtio_transport_ops {
	const char *name;               /* "mmio", "pci" */

	/* Feature bits, all 64 (VIRTIO_F_VERSION_1 is bit 32). */
	uint64_t (*get_features)(struct virtio_device *dev);
	void (*set_features)(struct virtio_device *dev, uint64_t features);

	/* Device status (VIRTIO_CONFIG_S_*); writing 0 resets the device, and
	 * reset() returns only when the device reads back 0. */
	uint8_t (*get_status)(struct virtio_device *dev);
	void (*set_status)(struct virtio_device *dev, uint8_t status);
	void (*reset)(struct virtio_device *dev);

	/* Device-specific configuration space.  Accesses of 1, 2 or 4 bytes
	 * at naturally aligned offsets (8 as two 4-byte halves); the core's
	 * virtio_config_read() adds the generation-counter retry. */
	uint32_t (*config_generation)(struct virtio_device *dev);
	void (*read_config)(struct virtio_device *dev, unsigned int offset, void *buf,
			    unsigned int len);
	void (*write_config)(struct virtio_device *dev, unsigned int offset,
			     const void *buf, unsigned int len);

	/* Queues: 0 when the queue does not exist. */
	uint16_t (*queue_max_size)(struct virtio_device *dev, unsigned int index);
	/* Tell the device the queue's size and the physical addresses of its
	 * three areas: descriptor area, driver area, device area.  Split:
	 * descriptor table, available ring, used ring; packed: descriptor
	 * ring, driver and device event suppression. */
	int (*queue_setup)(struct virtio_device *dev, unsigned int index, uint16_t size,
			   uint64_t desc, uint64_t driver, uint64_t device);
	void (*queue_enable)(struct virtio_device *dev, unsigned int index);
	/* "There are new buffers in this queue." */
	void (*notify)(struct virtio_device *dev, unsigned int index);

	/* Route the device's interrupt(s) to virtio_interrupt(); called once
	 * after the queues are set up, before DRIVER_OK.  0 or -errno. */
	int (*setup_interrupts)(struct virtio_device *dev);
	/* One line for the boot report: where the device is, how it interrupts. */
	void (*describe)(struct virtio_device *dev, char *buf, size_t size);
};

/* ---- devices ----------------------------------------------------------------- */

#define VIRTIO_NAME_MAX         24
#define VIRTIO_MAX_QUEUES       4

struct virtio_device {
	uint32_t device_id;             /* VIRTIO_ID_* (virtio_ids.h) */
	char name[VIRTIO_NAME_MAX];     /* "virtio0", ... in probe order */
	const struct virtio_transport_ops *ops;
	void *transport_data;           /* the transport's own state */
	const struct virtio_driver *driver;     /* NULL: no driver for this id */
	void *driver_data;
	uint64_t device_features;       /* what the device offered */
	uint64_t features;              /* what both agreed on (FEATURES_OK) */
	struct virtqueue *queues[VIRTIO_MAX_QUEUES];
	bool ready;                     /* DRIVER_OK was set */
	bool broken;                    /* reset and abandoned: see virtio_device_broken */
	char problem[96];               /* why it is not ready/broken, for the report */
	/* For the benchmarks: the two costs of paravirtual I/O, since boot. */
	uint64_t notifications;         /* kicks sent, any queue (virtqueue_notify) */
	uint64_t interrupts;            /* calls of virtio_interrupt */
	struct virtio_device *next;
};

static inline bool virtio_has_feature(const struct virtio_device *dev, unsigned int bit)
{
	return (dev->features >> bit) & 1;
}

/* Called by a transport for each device it finds: binds the driver and
 * runs the handshake (see virtio.c). */
void virtio_device_register(struct virtio_device *dev);
/* The transport's interrupt handler calls this with VIRTIO_INTERRUPT_* bits. */
void virtio_interrupt(struct virtio_device *dev, uint32_t why);

/* The device misbehaved (or asked for a reset): report why, reset it so
 * that it stops touching our memory, mark it and its queues broken, and
 * tell the driver.  Safe to call from an interrupt handler, and twice. */
void virtio_device_broken(struct virtio_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Config space read with the generation-counter retry: the fields read
 * are from one consistent version of the configuration. */
void virtio_config_read(struct virtio_device *dev, unsigned int offset, void *buf,
			unsigned int len);

/* Waits, interrupts enabled (platform->idle), until done(arg) is true or
 * timeout_ns passed: 0 or -ETIMEDOUT.  Call it with interrupts disabled
 * (so that the check and the wait cannot miss the interrupt between
 * them); it returns with them disabled. */
int virtio_wait(bool (*done)(void *arg), void *arg, uint64_t timeout_ns);

/* Probes every transport (called once at boot, after the page allocator). */
void virtio_init(void);
void virtio_report(void);
struct virtio_device *virtio_first_device(void);

/* ---- drivers ------------------------------------------------------------------ */

struct virtio_driver {
	const char *name;               /* "virtio-blk" */
	uint32_t device_id;             /* VIRTIO_ID_* it drives */
	/* Device-specific feature bits it understands.  The core adds the
	 * ones it implements itself (VERSION_1, EVENT_IDX, INDIRECT_DESC,
	 * RING_PACKED unless virtio.packed=off). */
	uint64_t features;
	/* After FEATURES_OK: create the queues (virtqueue_create), read the
	 * config, register with the kernel.  0, or -errno to give up (the
	 * device is reset).  DRIVER_OK follows a successful return. */
	int (*probe)(struct virtio_device *dev);
	/* The device was found broken (and has been reset): fail what is
	 * outstanding, stop using it.  Optional. */
	void (*broken)(struct virtio_device *dev);
	/* The device changed its configuration (e.g. a disk was resized). Optional. */
	void (*config_changed)(struct virtio_device *dev);
};

#define VIRTIO_DRIVER(ident, ...)                                             \
	static const struct virtio_driver virtio_driver_##ident               \
	__attribute__((used, section("pvkit_virtio_drivers"), aligned(8))) =  \
		{ __VA_ARGS__ }

/* ---- virtqueues --------------------------------------------------------------- */

/* One element of a buffer: guest-physical address and length. */
struct virtio_sg {
	uint64_t addr;
	uint32_t len;
};

typedef void virtqueue_callback_fn(struct virtqueue *vq);

/* What the ring keeps about each buffer in flight: by its head descriptor
 * (split), or by its buffer id (packed). */
struct virtqueue_buffer_state {
	void *token;                    /* NULL: not in flight */
	uint16_t next;                  /* split: our private copy of the chain/free-list
					   link; packed: the free-id list */
	uint32_t writable_bytes;        /* the most the device may say it wrote */
	uint16_t ring_descs;            /* descriptors it takes in the ring */
	void *indirect;                 /* its indirect table (struct vring_desc or
					   struct vring_packed_desc [n]), or NULL */
};

/* A packed ring's own state (virtio 1.2, 2.8): one descriptor ring that
 * both sides write, and two event-suppression areas. */
struct virtqueue_packed {
	struct vring_packed_desc *desc;                 /* [size]: the descriptor ring */
	struct vring_packed_desc_event *driver;         /* we write: "interrupt me when" */
	struct vring_packed_desc_event *device;         /* the device writes: "notify me when" */
	uint16_t next_avail;            /* the slot our next descriptor goes into */
	bool avail_wrap;                /* the Driver Ring Wrap Counter */
	uint16_t next_used;             /* the slot the device's next used descriptor is in */
	bool used_wrap;                 /* the Device Ring Wrap Counter we expect there */
	uint16_t free_id;               /* unused buffer ids, chained by state[].next */
	uint16_t driver_flags;          /* our copy of driver->flags */
};

/* A virtqueue, split (virtio 1.2, 2.7) or packed (2.8).  The fields are
 * the ring's state; only virtqueue*.c writes them (tests read them). */
struct virtqueue {
	struct virtio_device *dev;
	unsigned int index;
	uint16_t size;                  /* entries: a power of 2 (packed rings need not
					   be, and the tests' are not always) */
	bool packed;                    /* VIRTIO_F_RING_PACKED: packed_ring, not ring */
	struct vring ring;              /* split: desc, avail, used (linux/virtio_ring.h) */
	struct virtqueue_packed packed_ring;    /* packed */
	uint64_t ring_paddr;            /* the pages holding the three areas */
	size_t ring_pages;

	uint16_t free_head;             /* split: free descriptors, chained by .next */
	uint16_t num_free;              /* descriptors (ring slots) not in use */
	uint16_t in_flight;             /* buffers the device has and did not return */
	uint16_t avail_idx;             /* split: our copy of avail->idx */
	uint16_t last_used_idx;         /* split: the next used entry we will look at */
	uint16_t added_since_kick;      /* made available since the last kick: avail
					   entries (split), descriptors (packed) */
	bool event_idx;                 /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;                  /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool callbacks_enabled;
	bool broken;
	virtqueue_callback_fn *callback;
	void *priv;                     /* the driver's, per queue */
	struct virtqueue_buffer_state *state;   /* [size] */

	uint64_t kicks, kicks_suppressed;       /* statistics */
};

/* Creates queue `index` with at most max_size entries (the device's
 * maximum otherwise; the size is rounded down to a power of 2) and
 * registers it with the transport.  callback runs from the device's
 * interrupt handler when the used ring may have new entries.  NULL on
 * failure (dev->problem says why). */
struct virtqueue *virtqueue_create(struct virtio_device *dev, unsigned int index,
				   uint16_t max_size, virtqueue_callback_fn *callback);
void virtqueue_destroy(struct virtqueue *vq);

/* Makes a buffer available: sg[0..out_count) device-readable, then
 * sg[out_count..out_count+in_count) device-writable.  token (not NULL)
 * comes back from virtqueue_get_buf.  0, -ENOSPC (ring full: reap used
 * buffers first), -EINVAL, -EIO (broken).  Not visible to the device
 * until the next kick_prepare/kick. */
int virtqueue_add(struct virtqueue *vq, const struct virtio_sg *sg, unsigned int out_count,
		  unsigned int in_count, void *token);
/* Publishes what was added; true when the device must be notified
 * (event index or NO_NOTIFY flag, with the required full barrier). */
bool virtqueue_kick_prepare(struct virtqueue *vq);
void virtqueue_notify(struct virtqueue *vq);
/* Both of the above; true when a notification was sent. */
bool virtqueue_kick(struct virtqueue *vq);

/* The next used buffer's token, and in *len the bytes the device wrote
 * into it; NULL when there is none (or the device misbehaved: then the
 * device is marked broken).  Every used entry is validated first. */
void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len);
/* Asks for no callbacks (a hint: one may still arrive). */
void virtqueue_disable_cb(struct virtqueue *vq);
/* Asks for callbacks again; false when used buffers arrived meanwhile, so
 * that the caller reaps them instead of waiting for an interrupt that
 * will not come. */
bool virtqueue_enable_cb(struct virtqueue *vq);
bool virtqueue_has_used(const struct virtqueue *vq);
unsigned int virtqueue_num_free(const struct virtqueue *vq);
/* Buffers given to the device and not yet returned. */
unsigned int virtqueue_in_flight(const struct virtqueue *vq);
/* Marks the queue broken: no more adds, nothing more returned (the core
 * calls it for every queue of a broken device). */
void virtqueue_set_broken(struct virtqueue *vq);

/* For tests: the same rings over memory the caller provides (16-byte
 * aligned), with no transport (see tests/guest/test_virtio_core.c and
 * test_virtio_packed.c).  The format is chosen here, not by features. */
int virtqueue_init_split(struct virtqueue *vq, struct virtio_device *dev,
			 unsigned int index, uint16_t size, void *ring_memory,
			 struct virtqueue_buffer_state *state);
size_t virtqueue_split_bytes(uint16_t size);
int virtqueue_init_packed(struct virtqueue *vq, struct virtio_device *dev,
			  unsigned int index, uint16_t size, void *ring_memory,
			  struct virtqueue_buffer_state *state);
size_t virtqueue_packed_bytes(uint16_t size);

/* False when the command line said virtio.packed=off: the core then never
 * accepts VIRTIO_F_RING_PACKED, and every queue is split. */
bool virtio_packed_allowed(void);

#endif
