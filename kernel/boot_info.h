/*
 * boot_info.h — what every entry path tells the kernel, in one shape.
 *
 * PVH hands us a struct hvm_start_info, Multiboot2 a tag list, Xen PV a
 * start_info page.  Each entry path copies what it was given into this
 * structure (into kernel-owned storage, so the loader's memory can be
 * reused), and nothing after boot cares how we were started.
 */
#ifndef PVKIT_KERNEL_BOOT_INFO_H
#define PVKIT_KERNEL_BOOT_INFO_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_MAX_MEM_REGIONS 64
#define BOOT_CMDLINE_MAX     1024

/* Memory region types: the PC's E820 numbering, which PVH's memmap and
 * Multiboot2's mmap tag both use unchanged. */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_UNUSABLE = 5,
	MEM_DISABLED = 6,
	MEM_PERSISTENT = 7,
};

enum boot_path {
	BOOT_PVH,               /* XEN_ELFNOTE_PHYS32_ENTRY: QEMU -kernel, Xen PVH */
	BOOT_MULTIBOOT2,        /* a Multiboot2 loader such as GRUB */
	BOOT_XEN_PV,            /* XEN_ELFNOTE_ENTRY: xl create type="pv" */
};

struct mem_region {
	uint64_t base;
	uint64_t size;
	uint32_t type;          /* enum mem_type */
};

struct boot_info {
	enum boot_path path;
	uint32_t loader_version;        /* hvm_start_info version (PVH) */
	const char *loader_name;        /* Multiboot2 loader name tag, or NULL */
	char cmdline[BOOT_CMDLINE_MAX];
	struct mem_region mem[BOOT_MAX_MEM_REGIONS];
	unsigned int mem_count;
	unsigned int mem_dropped;       /* regions that did not fit in mem[] */
	bool cmdline_truncated;
	uint64_t acpi_rsdp;     /* physical address, 0 if the loader gave none */
	uint64_t entry_tsc;     /* TSC at the first instruction of the entry stub */
};

extern struct boot_info boot_info;

const char *boot_path_name(enum boot_path path);
const char *mem_type_name(uint32_t type);

/* Called by the entry paths: append one region (ignored, with a warning
 * later, once the table is full). */
void boot_add_mem_region(uint64_t base, uint64_t size, uint32_t type);
void boot_set_cmdline(const char *s, uint64_t max_len);

#endif
