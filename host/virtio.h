/*
 * virtio.h — what every pvkit-hv virtio device has in common, whatever
 * the device type (blk, net, console, rng) and the transport (virtio-mmio,
 * virtio-pci): feature negotiation, the device status handshake, reset,
 * the virtqueues, the device-specific configuration space, interrupts and
 * the "this device needs a reset" error path (virtio 1.2, sections 2-3).
 *
 * Three layers meet here:
 *
 *   transport (virtio_mmio.c, virtio_pci.c)   registers the guest reads and writes
 *        |  calls virtio_* below, with dev->lock held
 *   core (virtio.c)                           status, features, queues, interrupts
 *        |  calls dev->ops, with dev->lock held
 *   device (virtio_blk.c, _rng, _console, _net)  what requests mean, the backend
 *
 * Threads and locking: the vCPU thread runs the transport's register
 * handlers; the I/O thread (host/iothread.c) runs queue processing after a
 * notification and the backends' file descriptors.  Both take dev->lock, a
 * mutex per device, around everything that touches the device's state or
 * its rings, so the two never see a half-updated device.  A device never
 * takes another device's lock, and nothing else is held while it is held,
 * so there is no lock order to get wrong.
 */
#ifndef PVKIT_HOST_VIRTIO_H
#define PVKIT_HOST_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_pci.h>

#include "host/guest_mem.h"
#include "host/virtqueue.h"

#define VIRTIO_MAX_QUEUES       2       /* blk, rng: 1; console (one port), net: 2 */
#define VIRTIO_CONFIG_MAX       64      /* bytes of device-specific configuration */
#define VIRTIO_NAME_MAX         24

/* Interrupt reasons, as virtio-mmio's InterruptStatus and virtio-pci's ISR
 * both encode them (the same bits on both transports). */
#define VIRTIO_ISR_QUEUE        VIRTIO_MMIO_INT_VRING   /* a used buffer */
#define VIRTIO_ISR_CONFIG       VIRTIO_MMIO_INT_CONFIG  /* configuration changed */

/* Features every pvkit-hv device offers, on top of its own (a device
 * created with packed=off drops VIRTIO_F_RING_PACKED: host/virtio_devices.c). */
#define VIRTIO_COMMON_FEATURES  ((1ull << VIRTIO_F_VERSION_1) |                 \
				 (1ull << VIRTIO_RING_F_INDIRECT_DESC) |        \
				 (1ull << VIRTIO_RING_F_EVENT_IDX) |            \
				 (1ull << VIRTIO_F_RING_PACKED))

struct virtio_device;
struct iothread;

/* One queue's notification eventfd and where it leads. */
struct virtio_kick {
	struct virtio_device *dev;
	unsigned int q;
	int fd;                         /* -1 without an I/O thread */
};

/* What a device type provides.  Every hook runs with dev->lock held. */
struct virtio_device_ops {
	/* The driver notified queue q, or the device was just started:
	 * take what is available and complete it. */
	void (*process_queue)(struct virtio_device *dev, unsigned int q);
	/* The backend's file descriptor (dev->backend_fd) is readable. */
	void (*backend_ready)(struct virtio_device *dev);
	/* The driver reset the device (optional). */
	void (*reset)(struct virtio_device *dev);
	/* Frees the backend at exit (optional). */
	void (*destroy)(struct virtio_device *dev);
};

/* What a transport provides: how an interrupt reaches the guest. */
struct virtio_transport_ops {
	/* A used buffer on queue q, or a configuration change (q unused). */
	void (*interrupt)(struct virtio_device *dev, unsigned int isr_bit, unsigned int q);
	/* The device was reset: drop transport state (optional). */
	void (*reset)(struct virtio_device *dev);
};

struct virtio_device {
	char name[VIRTIO_NAME_MAX];     /* "virtio-blk0": messages, --trace, --stats */
	uint32_t device_id;             /* VIRTIO_ID_* */
	uint64_t features;              /* offered */
	uint64_t driver_features;       /* accepted by the driver */
	uint8_t status;                 /* VIRTIO_CONFIG_S_* */
	uint8_t isr;                    /* pending VIRTIO_ISR_* bits */
	uint8_t config_generation;
	unsigned int num_queues;
	struct virtqueue queues[VIRTIO_MAX_QUEUES];
	uint8_t config[VIRTIO_CONFIG_MAX];      /* device-specific, little-endian */
	unsigned int config_size;
	struct guest_mem mem;

	const struct virtio_device_ops *ops;
	void *backend;                  /* the device type's own state */
	int backend_fd;                 /* watched by the I/O thread; -1: none */

	const struct virtio_transport_ops *transport;
	void *transport_state;
	const char *transport_name;     /* "mmio" or "pci" */

	pthread_mutex_t lock;
	/* Notifications: with an I/O thread, each queue has an eventfd that
	 * KVM (ioeventfd) or the vCPU thread signals; without one (the unit
	 * tests), a notification is processed at once by the caller. */
	struct iothread *iothread;
	struct virtio_kick kick[VIRTIO_MAX_QUEUES];
	struct vq_chain chain;          /* scratch: the chain being handled */
	bool reported;                  /* a problem was printed on stderr already */
	uint64_t config_interrupts;
};

/* Sets up the common part: name, id, the device's own features (the
 * common ones are added), queues (names and sizes) and guest RAM. */
void virtio_device_init(struct virtio_device *dev, const char *name, uint32_t device_id,
			uint64_t device_features, unsigned int num_queues,
			const char *const queue_names[], uint16_t queue_size,
			const struct virtio_device_ops *ops, void *backend);
/* Guest RAM is known only once the VM's memory is allocated. */
void virtio_device_set_memory(struct virtio_device *dev, const struct guest_mem *mem);
void virtio_device_destroy(struct virtio_device *dev);

/* ---- for transports (dev->lock held) ------------------------------------- */

/* The 32 feature bits of window sel (0: bits 0-31, 1: bits 32-63). */
uint32_t virtio_device_features_window(const struct virtio_device *dev, uint32_t sel);
void virtio_set_driver_features_window(struct virtio_device *dev, uint32_t sel,
				       uint32_t value);
uint32_t virtio_driver_features_window(const struct virtio_device *dev, uint32_t sel);
/* A write of the device status: 0 resets; FEATURES_OK is kept only if the
 * driver's features are acceptable; DRIVER_OK starts the queues. */
void virtio_set_status(struct virtio_device *dev, uint8_t status);
/* The driver enabled queue q (after setting its size and addresses). */
void virtio_queue_set_ready(struct virtio_device *dev, unsigned int q, bool ready);
/* True while the driver may still change queue q's size and addresses. */
bool virtio_queue_configurable(const struct virtio_device *dev, unsigned int q);
/* The driver notified queue q (a register write that reached us). */
void virtio_notify(struct virtio_device *dev, unsigned int q);
/* Device-specific configuration space; out-of-range bytes read as 0 and
 * writes are ignored (no device here has a writable field). */
uint64_t virtio_config_read(const struct virtio_device *dev, uint64_t offset, unsigned int size);
void virtio_config_write(struct virtio_device *dev, uint64_t offset, unsigned int size,
			 uint64_t value);

/* ---- for device types (dev->lock held) ------------------------------------ */

/* What a device does with one good chain: returns the number of bytes it
 * wrote into the chain's writable buffers (the used length). */
typedef uint32_t virtio_chain_fn(struct virtio_device *dev, struct virtqueue *vq,
				 struct vq_chain *chain);
/* Handles every available chain of queue q with handle; a malformed chain
 * is completed with length 0 (and reported), a broken ring marks the
 * device DEVICE_NEEDS_RESET.  Then interrupts the driver if it wants. */
void virtio_process_chains(struct virtio_device *dev, unsigned int q, virtio_chain_fn *handle);
/* Takes one chain from q, for devices fed by their backend (receive
 * queues): true with dev->chain filled, false when the queue is empty or
 * unusable (bad chains are completed and skipped). */
bool virtio_take_chain(struct virtio_device *dev, unsigned int q);
/* Returns a chain and, if the driver wants one, interrupts. */
void virtio_complete(struct virtio_device *dev, unsigned int q, uint16_t head, uint32_t len);
void virtio_interrupt_if_wanted(struct virtio_device *dev, unsigned int q);
/* True once the driver has set DRIVER_OK and the device is not broken. */
bool virtio_device_running(const struct virtio_device *dev);
/* The device cannot go on: sets DEVICE_NEEDS_RESET, tells the driver with
 * a configuration interrupt, reports once. */
void virtio_device_fail(struct virtio_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints "pvkit-hv: <name>: <message>" on stderr the first time only;
 * --trace shows every occurrence. */
void virtio_report(struct virtio_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Starts or stops watching backend_fd (a receive queue with no buffers
 * stops watching until the driver adds some). */
void virtio_watch_backend(struct virtio_device *dev, bool watch);

/* ---- the I/O thread ----------------------------------------------------- */

/* Moves notifications and the backend onto iothread: creates the queues'
 * eventfds (dev->kick[q].fd) and registers them.  false + err on failure. */
bool virtio_device_use_iothread(struct virtio_device *dev, struct iothread *iothread,
				char *err, size_t err_len);

#endif
