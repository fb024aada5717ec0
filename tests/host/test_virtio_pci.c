/*
 * test_virtio_pci.c — the modern virtio-pci transport (host/virtio_pci.c)
 * and the PCI memory window (host/pci.c), through configuration mechanism
 * #1 and BAR0 as a guest reaches them: identity, the capability list, BAR
 * sizing and moving (the ioeventfds must follow), the common configuration
 * handshake, MSI-X with masking and pending bits, INTx, and the PCI_CFG
 * window.  The device behind it is a virtio-rng.
 */
#include <string.h>
#include <linux/pci_regs.h>
#include <linux/virtio_ids.h>

#include "host/virtio_pci.h"
#include "host/virtio_rng.h"
#include "tests/host/fake_driver.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define SLOT            2
#define BAR             0xe0000000u
#define WINDOW          0xe0000000ull
#define WINDOW_SIZE     0x10000000ull
#define PCI_STATUS_INTERRUPT 0x08
#define GSI             18
#define QSIZE           8

static struct guest_mem mem;
static struct pci_host host;
static struct virtio_device *dev;
static struct virtio_pci vp;
static struct fake_queue fq;

/* What the transport asked of KVM. */
static int intx_level;
static unsigned int msi_count;
static uint64_t msi_address;
static uint32_t msi_data;
static uint64_t notify_at[4];           /* per queue, PCI_BAR_UNMAPPED if none */
static unsigned int notify_moves;

static void record_intx(void *opaque, unsigned int gsi, int level)
{
	(void)opaque;
	CHECK_UINT(gsi, GSI);
	intx_level = level;
}

static void record_msi(void *opaque, uint64_t address, uint32_t data)
{
	(void)opaque;
	msi_count++;
	msi_address = address;
	msi_data = data;
}

static void record_notify(void *opaque, struct virtio_device *d, unsigned int q,
			  uint64_t old_addr, uint64_t new_addr)
{
	(void)opaque;
	(void)d;
	CHECK_UINT(old_addr, notify_at[q]);
	notify_at[q] = new_addr;
	notify_moves++;
}

static const struct virtio_pci_host_ops ops = {
	.set_intx = record_intx, .signal_msi = record_msi, .notify_moved = record_notify,
};

static uint64_t cfg_read(unsigned int reg, unsigned int size)
{
	pci_host_io_write(&host, 0, 4, 0x80000000u | SLOT << 11 | (reg & 0xfc));
	return pci_host_io_read(&host, 4 + (reg & 3), size);
}

static void cfg_write(unsigned int reg, unsigned int size, uint32_t value)
{
	pci_host_io_write(&host, 0, 4, 0x80000000u | SLOT << 11 | (reg & 0xfc));
	pci_host_io_write(&host, 4 + (reg & 3), size, value);
}

/* An access at guest-physical addr, through the host bridge's window. */
static uint64_t mem_read(uint64_t addr, unsigned int size)
{
	return pci_host_memory_read(&host, addr - WINDOW, size);
}

static void mem_write(uint64_t addr, unsigned int size, uint64_t value)
{
	pci_host_memory_write(&host, addr - WINDOW, size, value);
}

static void setup(void)
{
	char err[128];

	mem = fake_ram_new();
	pci_host_init(&host);
	pci_host_set_window(&host, WINDOW, WINDOW_SIZE);
	dev = virtio_rng_create(0, err, sizeof(err));
	virtio_device_set_memory(dev, &mem);
	for (unsigned int q = 0; q < 4; q++)
		notify_at[q] = PCI_BAR_UNMAPPED;
	notify_moves = 0;
	msi_count = 0;
	intx_level = 0;
	virtio_pci_init(&vp, dev, &host, SLOT, BAR, GSI, true, &ops);
	CHECK(pci_host_add(&host, &vp.fn));
	virtio_pci_attach(&vp);
}

static void teardown(void)
{
	virtio_device_destroy(dev);
	fake_ram_free(&mem);
}

#define COMMON(off)     (BAR + VIRTIO_PCI_COMMON_OFFSET + (off))

static void identity_and_capabilities(void)
{
	setup();
	CHECK_UINT(cfg_read(PCI_VENDOR_ID, 4), (0x1040u + VIRTIO_ID_RNG) << 16 | 0x1af4);
	CHECK_UINT(cfg_read(PCI_REVISION_ID, 1), 1);
	CHECK_UINT(cfg_read(PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	CHECK(cfg_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	CHECK_UINT(cfg_read(PCI_INTERRUPT_PIN, 1), 1);
	CHECK_UINT(cfg_read(PCI_INTERRUPT_LINE, 1), GSI);
	CHECK_UINT(cfg_read(PCI_BASE_ADDRESS_0, 4), BAR);

	/* Walk the list: every virtio structure once, then MSI-X. */
	unsigned int seen = 0, at = (unsigned int)cfg_read(PCI_CAPABILITY_LIST, 1), steps = 0;

	while (at != 0 && steps++ < 16) {
		unsigned int id = (unsigned int)cfg_read(at, 1);

		if (id == PCI_CAP_ID_VNDR) {
			unsigned int type = (unsigned int)cfg_read(at + 3, 1);

			seen |= 1u << type;
			CHECK_UINT(cfg_read(at + 4, 1), 0);             /* BAR0 */
			if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
				CHECK_UINT(cfg_read(at + 8, 4), VIRTIO_PCI_NOTIFY_OFFSET);
				CHECK_UINT(cfg_read(at + 16, 4), VIRTIO_PCI_NOTIFY_MULTIPLIER);
			}
			if (type == VIRTIO_PCI_CAP_COMMON_CFG)
				CHECK_UINT(cfg_read(at + 12, 4), sizeof(struct virtio_pci_common_cfg));
		} else if (id == PCI_CAP_ID_MSIX) {
			seen |= 1u << 31;
			CHECK_UINT(cfg_read(at + PCI_MSIX_FLAGS, 2), VIRTIO_PCI_MSIX_VECTORS - 1);
			CHECK_UINT(cfg_read(at + PCI_MSIX_TABLE, 4), VIRTIO_PCI_MSIX_TABLE_OFFSET);
		}
		at = (unsigned int)cfg_read(at + 1, 1);
	}
	CHECK_UINT(seen, 1u << 31 | 1u << VIRTIO_PCI_CAP_COMMON_CFG |
		   1u << VIRTIO_PCI_CAP_NOTIFY_CFG | 1u << VIRTIO_PCI_CAP_ISR_CFG |
		   1u << VIRTIO_PCI_CAP_DEVICE_CFG | 1u << VIRTIO_PCI_CAP_PCI_CFG);
	teardown();
}

static void bar_sizing_and_moving(void)
{
	setup();
	CHECK_UINT(notify_at[0], BAR + VIRTIO_PCI_NOTIFY_OFFSET);       /* attached */
	CHECK_UINT(mem_read(COMMON(VIRTIO_PCI_COMMON_NUMQ), 2), 1);
	/* Sizing: all-ones in, ~(size - 1) out; decoding stops meanwhile. */
	cfg_write(PCI_COMMAND, 2, 0);
	CHECK_UINT(notify_at[0], PCI_BAR_UNMAPPED);
	CHECK_UINT(mem_read(COMMON(VIRTIO_PCI_COMMON_NUMQ), 2), 0xffff);
	cfg_write(PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	CHECK_UINT(cfg_read(PCI_BASE_ADDRESS_0, 4), ~(uint32_t)(VIRTIO_PCI_BAR_SIZE - 1));
	/* Move it 1 MiB up and switch decoding back on. */
	cfg_write(PCI_BASE_ADDRESS_0, 4, BAR + 0x100000);
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK_UINT(notify_at[0], BAR + 0x100000 + VIRTIO_PCI_NOTIFY_OFFSET);
	CHECK_UINT(mem_read(COMMON(VIRTIO_PCI_COMMON_NUMQ), 2), 0xffff);   /* old place: nobody */
	CHECK_UINT(mem_read(BAR + 0x100000 + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	/* Outside the window: not decoded at all. */
	cfg_write(PCI_BASE_ADDRESS_0, 4, 0x80000000);
	CHECK_UINT(notify_at[0], PCI_BAR_UNMAPPED);
	teardown();
}

/* The driver's side of the handshake through the common structure. */
static void start_device(void)
{
	mem_write(COMMON(VIRTIO_PCI_COMMON_STATUS), 1, 0);
	mem_write(COMMON(VIRTIO_PCI_COMMON_STATUS), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
		  VIRTIO_CONFIG_S_DRIVER);
	mem_write(COMMON(VIRTIO_PCI_COMMON_GFSELECT), 4, 1);
	mem_write(COMMON(VIRTIO_PCI_COMMON_GF), 4, 1);                  /* VERSION_1 */
	mem_write(COMMON(VIRTIO_PCI_COMMON_STATUS), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
		  VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	CHECK(mem_read(COMMON(VIRTIO_PCI_COMMON_STATUS), 1) & VIRTIO_CONFIG_S_FEATURES_OK);
	fake_queue_init(&fq, &mem, 0, QSIZE);
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2, 0);
	CHECK_UINT(mem_read(COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2), VIRTIO_RNG_QUEUE_SIZE);
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2, QSIZE);
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_DESCLO), 8, fq.desc);      /* one 64-bit write */
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_AVAILLO), 4, (uint32_t)fq.avail);
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_AVAILHI), 4, 0);
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_USEDLO), 4, (uint32_t)fq.used);
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_USEDHI), 4, 0);
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2, 1);
	mem_write(COMMON(VIRTIO_PCI_COMMON_MSIX), 2, 0);
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_ENABLE), 2, 1);
	CHECK_UINT(mem_read(COMMON(VIRTIO_PCI_COMMON_Q_DESCLO), 4), fq.desc);
	CHECK_UINT(mem_read(COMMON(VIRTIO_PCI_COMMON_Q_ENABLE), 2), 1);
	CHECK_UINT(mem_read(COMMON(VIRTIO_PCI_COMMON_Q_NOFF), 2), 0);
	mem_write(COMMON(VIRTIO_PCI_COMMON_STATUS), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
		  VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* One 16-byte random read through queue 0, notified at its address. */
static void one_request(void)
{
	fake_desc(&mem, fq.desc, 0, FAKE_BUFFERS, 16, VRING_DESC_F_WRITE, 0);
	fake_publish(&fq, &mem, 0);
	mem_write(notify_at[0], 2, 0);
	CHECK_UINT(fake_used_pending(&fq, &mem), 1);
	CHECK_UINT(fake_take_used(&fq, &mem).len, 16);
}

#define MSIX_ENTRY(v, field)  (BAR + VIRTIO_PCI_MSIX_TABLE_OFFSET + 16 * (v) + (field))
#define MSIX_CONTROL          (VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS)

static void msix_delivery_and_masking(void)
{
	setup();
	start_device();
	CHECK_UINT(mem_read(COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2), 1);
	mem_write(MSIX_ENTRY(1, PCI_MSIX_ENTRY_LOWER_ADDR), 4, 0xfee00000);
	mem_write(MSIX_ENTRY(1, PCI_MSIX_ENTRY_UPPER_ADDR), 4, 0);
	mem_write(MSIX_ENTRY(1, PCI_MSIX_ENTRY_DATA), 4, 0x41);
	cfg_write(MSIX_CONTROL, 2, PCI_MSIX_FLAGS_ENABLE);
	/* The entry is still masked (its reset state): the message waits. */
	one_request();
	CHECK_UINT(msi_count, 0);
	CHECK_UINT(mem_read(BAR + VIRTIO_PCI_MSIX_PBA_OFFSET, 4), 1u << 1);
	mem_write(MSIX_ENTRY(1, PCI_MSIX_ENTRY_VECTOR_CTRL), 4, 0);      /* unmask */
	CHECK_UINT(msi_count, 1);
	CHECK_UINT(msi_address, 0xfee00000);
	CHECK_UINT(msi_data, 0x41);
	CHECK_UINT(mem_read(BAR + VIRTIO_PCI_MSIX_PBA_OFFSET, 4), 0);
	one_request();
	CHECK_UINT(msi_count, 2);
	/* Function mask: pending, then sent when lifted. */
	cfg_write(MSIX_CONTROL, 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	one_request();
	CHECK_UINT(msi_count, 2);
	cfg_write(MSIX_CONTROL, 2, PCI_MSIX_FLAGS_ENABLE);
	CHECK_UINT(msi_count, 3);
	CHECK_INT(intx_level, 0);                               /* never INTx with MSI-X */
	/* A vector the table does not have reads back as NO_VECTOR. */
	mem_write(COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2, 7);
	CHECK_UINT(mem_read(COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	one_request();
	CHECK_UINT(msi_count, 3);                               /* NO_VECTOR: none sent */
	teardown();
}

static void intx_and_isr(void)
{
	setup();
	start_device();
	one_request();                                          /* MSI-X off: INTx */
	CHECK_INT(intx_level, 1);
	CHECK(cfg_read(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	CHECK_UINT(mem_read(BAR + VIRTIO_PCI_ISR_OFFSET, 1), 1);         /* read clears */
	CHECK_INT(intx_level, 0);
	CHECK_UINT(mem_read(BAR + VIRTIO_PCI_ISR_OFFSET, 1), 0);
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	one_request();
	CHECK_INT(intx_level, 0);                               /* disabled by the guest */
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	CHECK_INT(intx_level, 1);                               /* still pending: now raised */
	teardown();
}

static void pci_cfg_window(void)
{
	setup();
	unsigned int cap = VIRTIO_PCI_CAP_PCI_CFG_AT;

	cfg_write(cap + 4, 1, 0);                                       /* bar */
	cfg_write(cap + 8, 4, VIRTIO_PCI_COMMON_NUMQ);                  /* offset */
	cfg_write(cap + 12, 4, 2);                                      /* length */
	CHECK_UINT(cfg_read(cap + 16, 4) & 0xffff, 1);                  /* num_queues */
	cfg_write(cap + 8, 4, VIRTIO_PCI_COMMON_STATUS);
	cfg_write(cap + 12, 4, 1);
	cfg_write(cap + 16, 4, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	CHECK_UINT(dev->status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	cfg_write(cap + 8, 4, VIRTIO_PCI_BAR_SIZE - 1);                 /* past the end */
	cfg_write(cap + 12, 4, 4);
	CHECK_UINT(cfg_read(cap + 16, 4), VIRTIO_CONFIG_S_ACKNOWLEDGE); /* unchanged */
	teardown();
}

void virtio_pci_tests(void)
{
	check_run("virtio_pci.identity_and_capabilities", identity_and_capabilities);
	check_run("virtio_pci.bar_sizing_and_moving", bar_sizing_and_moving);
	check_run("virtio_pci.msix_delivery_and_masking", msix_delivery_and_masking);
	check_run("virtio_pci.intx_and_isr", intx_and_isr);
	check_run("virtio_pci.pci_cfg_window", pci_cfg_window);
}
