/*
 * boot_info.c — the common boot-information record and the helpers the
 * entry paths use to fill it.
 */
#include "kernel/boot_info.h"
#include "lib/string.h"

struct boot_info boot_info;

const char *boot_path_name(enum boot_path path)
{
	switch (path) {
	case BOOT_PVH:
		return "PVH";
	case BOOT_MULTIBOOT2:
		return "Multiboot2";
	case BOOT_XEN_PV:
		return "Xen PV";
	}
	return "unknown";
}

const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_RESERVED:
		return "reserved";
	case MEM_ACPI_RECLAIMABLE:
		return "ACPI tables";
	case MEM_ACPI_NVS:
		return "ACPI NVS";
	case MEM_UNUSABLE:
		return "unusable";
	case MEM_DISABLED:
		return "disabled";
	case MEM_PERSISTENT:
		return "persistent";
	}
	return "unknown";
}

/* Regions past the table's end are dropped; kernel_main reports the loss. */
void boot_add_mem_region(uint64_t base, uint64_t size, uint32_t type)
{
	if (size == 0)          /* some loaders pad their tables with empty entries */
		return;
	if (boot_info.mem_count >= BOOT_MAX_MEM_REGIONS) {
		boot_info.mem_dropped++;
		return;
	}
	boot_info.mem[boot_info.mem_count++] = (struct mem_region){
		.base = base, .size = size, .type = type,
	};
}

/* The loader's string may not be terminated within the space it claims:
 * never read past max_len, and always leave our copy terminated. */
void boot_set_cmdline(const char *s, uint64_t max_len)
{
	size_t n = strnlen(s, max_len < sizeof(boot_info.cmdline) ?
				  max_len : sizeof(boot_info.cmdline) - 1);

	memcpy(boot_info.cmdline, s, n);
	boot_info.cmdline[n] = '\0';
	boot_info.cmdline_truncated = n == sizeof(boot_info.cmdline) - 1 &&
				      max_len > n && s[n] != '\0';
}
