/*
 * pci.c — PCI configuration mechanism #1 and the function table (see
 * host/pci.h).
 *
 * The guest writes (enable bit | bus | slot | function | register) to 0xcf8
 * and then reads or writes 0xcfc-0xcff; a byte or word access at 0xcfd-0xcff
 * reaches the bytes of the selected register at that offset.  Only bus 0
 * exists.  An absent function, a disabled address or another bus reads as
 * all-ones, which is how a PCI bus says "nobody answered".
 */
#include <string.h>

#include "host/pci.h"
#include "host/le_bytes.h"

#define CONFIG_ENABLE           0x80000000u
#define CONFIG_ADDRESS_MASK     0x80fffffcu     /* reserved bits read as zero */
#define PCI_COMMAND_IO          0x01
#define PCI_COMMAND_GUEST_BITS  0x07            /* I/O, memory, bus master */
#define PCI_CLASS_BRIDGE        0x06
#define PCI_SUBCLASS_HOST       0x00
#define PCI_CLASS_STORAGE       0x01
#define PCI_SUBCLASS_IDE        0x01
#define PCI_IDE_PROG_IF_LEGACY  0x80    /* both channels in compatibility mode, bus-master capable */
#define PCI_IDE_LEGACY_IRQ      14

static uint64_t all_ones(unsigned int size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

void pci_host_init(struct pci_host *host)
{
	memset(host, 0, sizeof(*host));
}

static struct pci_function *find_function(const struct pci_host *host, unsigned int slot,
					  unsigned int function)
{
	for (unsigned int i = 0; i < host->count; i++)
		if (host->functions[i]->slot == slot && host->functions[i]->function == function)
			return host->functions[i];
	return NULL;
}

bool pci_host_add(struct pci_host *host, struct pci_function *fn)
{
	if (host->count == PCI_HOST_MAX_FUNCTIONS || fn->slot >= 32 || fn->function >= 8 ||
	    find_function(host, fn->slot, fn->function) != NULL)
		return false;
	host->functions[host->count++] = fn;
	/* Software looks at functions 1-7 only if function 0 says there are more. */
	struct pci_function *first = find_function(host, fn->slot, 0);

	if (fn->function != 0 && first != NULL)
		first->config[PCI_HEADER_TYPE] |= PCI_HEADER_MULTIFUNCTION;
	return true;
}

void pci_function_init(struct pci_function *fn, const char *name, uint8_t slot,
		       uint8_t function, uint16_t vendor, uint16_t device,
		       uint8_t class_code, uint8_t subclass, uint8_t prog_if)
{
	memset(fn, 0, sizeof(*fn));
	fn->name = name;
	fn->slot = slot;
	fn->function = function;
	le_put16(fn->config + PCI_VENDOR_ID, vendor);
	le_put16(fn->config + PCI_DEVICE_ID, device);
	fn->config[PCI_PROG_IF] = prog_if;
	fn->config[PCI_SUBCLASS] = subclass;
	fn->config[PCI_CLASS] = class_code;
	fn->writable[PCI_COMMAND] = PCI_COMMAND_GUEST_BITS;
	fn->writable[PCI_CACHE_LINE_SIZE] = 0xff;
	fn->writable[PCI_LATENCY_TIMER] = 0xff;
	fn->writable[PCI_INTERRUPT_LINE] = 0xff;
}

void pci_host_bridge_init(struct pci_function *fn)
{
	pci_function_init(fn, "host-bridge", 0, 0, PCI_HOST_BRIDGE_VENDOR,
			  PCI_HOST_BRIDGE_DEVICE, PCI_CLASS_BRIDGE, PCI_SUBCLASS_HOST, 0);
}

/* In compatibility mode the channels sit at the ISA ports and IRQs 14/15,
 * so the BARs are unused (zero) and there is no interrupt pin.  No bus-
 * master DMA is emulated: BAR4 stays zero too. */
void pci_ide_init(struct pci_function *fn)
{
	pci_function_init(fn, "ide", PCI_IDE_SLOT, 0, PCI_IDE_VENDOR, PCI_IDE_DEVICE,
			  PCI_CLASS_STORAGE, PCI_SUBCLASS_IDE, PCI_IDE_PROG_IF_LEGACY);
	fn->config[PCI_COMMAND] = PCI_COMMAND_IO;
	fn->config[PCI_INTERRUPT_LINE] = PCI_IDE_LEGACY_IRQ;
}

/* The function and register the address register selects, or NULL. */
static struct pci_function *selected(const struct pci_host *host, unsigned int *reg)
{
	uint32_t a = host->address;

	if (!(a & CONFIG_ENABLE) || ((a >> 16) & 0xff) != 0)
		return NULL;
	*reg = a & 0xfc;
	return find_function(host, (a >> 11) & 0x1f, (a >> 8) & 0x7);
}

static uint64_t config_read(struct pci_host *host, unsigned int byte, unsigned int size)
{
	unsigned int reg = 0;
	struct pci_function *fn = selected(host, &reg);
	uint64_t value = 0;

	if (fn == NULL || reg + byte + size > PCI_CONFIG_SPACE_SIZE)
		return all_ones(size);
	if (fn->config_before_read)
		fn->config_before_read(fn, reg + byte, size);
	for (unsigned int i = 0; i < size; i++)
		value |= (uint64_t)fn->config[reg + byte + i] << (8 * i);
	return value;
}

static void config_write(struct pci_host *host, unsigned int byte, unsigned int size,
			 uint64_t value)
{
	unsigned int reg = 0;
	struct pci_function *fn = selected(host, &reg);

	if (fn == NULL || reg + byte + size > PCI_CONFIG_SPACE_SIZE)
		return;         /* nobody there: the write goes nowhere */
	for (unsigned int i = 0; i < size; i++) {
		unsigned int at = reg + byte + i;
		uint8_t mask = fn->writable[at];

		fn->config[at] = (uint8_t)((fn->config[at] & ~mask) | ((value >> (8 * i)) & mask));
	}
	if (fn->config_written)
		fn->config_written(fn, reg + byte, size);
}

uint64_t pci_host_io_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct pci_host *host = opaque;

	if (offset >= 4)
		return config_read(host, (unsigned int)(offset - 4), size);
	if (offset == 0 && size == 4)
		return host->address;
	return all_ones(size);  /* byte/word at 0xcf8-0xcfb: not the address register */
}

void pci_host_io_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value)
{
	struct pci_host *host = opaque;

	if (offset >= 4)
		config_write(host, (unsigned int)(offset - 4), size, value);
	else if (offset == 0 && size == 4)
		host->address = (uint32_t)value & CONFIG_ADDRESS_MASK;
}

/* ---- memory BARs and the host bridge's memory window -------------------- */

void pci_function_set_memory_bar(struct pci_function *fn, unsigned int index,
				 uint64_t size, uint32_t address, const struct pci_bar *handlers)
{
	unsigned int reg = PCI_BAR0 + 4 * index;

	fn->bars[index] = *handlers;
	fn->bars[index].size = size;
	/* Bits 3:0 say "32-bit memory, not prefetchable" (all zero) and are
	 * read-only; so are the address bits below the size: writing all-ones
	 * and reading back gives ~(size - 1), which is how software sizes it. */
	le_put32(fn->config + reg, address & ~(uint32_t)(size - 1));
	le_put32(fn->writable + reg, ~(uint32_t)(size - 1) & ~0xfu);
}

static bool memory_decoding(const struct pci_function *fn)
{
	return fn->config[PCI_COMMAND] & PCI_COMMAND_MEMORY_SPACE;
}

uint64_t pci_bar_address(const struct pci_host *host, const struct pci_function *fn,
			 unsigned int index)
{
	const struct pci_bar *bar = &fn->bars[index];
	uint64_t base = le_get32(fn->config + PCI_BAR0 + 4 * index) & ~0xfull;

	if (bar->size == 0 || !memory_decoding(fn) || base < host->window_base ||
	    base - host->window_base > host->window_size ||
	    bar->size > host->window_size - (base - host->window_base))
		return PCI_BAR_UNMAPPED;
	return base;
}

/* The BAR holding [addr, addr + size), and the offset into it. */
static const struct pci_bar *find_bar(const struct pci_host *host, uint64_t addr,
				      unsigned int size, uint64_t *offset)
{
	for (unsigned int i = 0; i < host->count; i++) {
		const struct pci_function *fn = host->functions[i];

		for (unsigned int b = 0; b < PCI_NUM_BARS; b++) {
			uint64_t base = pci_bar_address(host, fn, b);

			if (base == PCI_BAR_UNMAPPED || addr < base || addr - base >= fn->bars[b].size ||
			    size > fn->bars[b].size - (addr - base))
				continue;
			*offset = addr - base;
			return &fn->bars[b];
		}
	}
	return NULL;
}

void pci_host_set_window(struct pci_host *host, uint64_t base, uint64_t size)
{
	host->window_base = base;
	host->window_size = size;
}

uint64_t pci_host_memory_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct pci_host *host = opaque;
	uint64_t at;
	const struct pci_bar *bar = find_bar(host, host->window_base + offset, size, &at);

	if (bar == NULL || bar->read == NULL)
		return all_ones(size);
	return bar->read(bar->opaque, at, size);
}

void pci_host_memory_write(void *opaque, uint64_t offset, unsigned int size, uint64_t value)
{
	struct pci_host *host = opaque;
	uint64_t at;
	const struct pci_bar *bar = find_bar(host, host->window_base + offset, size, &at);

	if (bar != NULL && bar->write != NULL)
		bar->write(bar->opaque, at, size, value);
}

struct io_region pci_host_memory_region(struct pci_host *host)
{
	return (struct io_region){
		.name = "pci-memory", .base = host->window_base, .length = host->window_size,
		.opaque = host, .read = pci_host_memory_read, .write = pci_host_memory_write,
	};
}

struct io_region pci_host_io_region(struct pci_host *host)
{
	return (struct io_region){
		.name = "pci-host", .base = PCI_CONFIG_ADDRESS_PORT,
		.length = PCI_HOST_PORT_COUNT, .opaque = host,
		.read = pci_host_io_read, .write = pci_host_io_write,
	};
}
