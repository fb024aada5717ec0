/*
 * boot_pvh.c — reads the PVH boot ABI's struct hvm_start_info.
 *
 * The PVH loader (Xen's docs/misc/pvh.pandoc) leaves a pointer to
 * hvm_start_info in %ebx.  Version 1 adds the memory map; with version 0
 * there is none, and we cannot safely guess which memory is ours.
 */
#include <stdint.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "arch/x86/boot_native.h"
#include "kernel/boot_info.h"
#include "kernel/panic.h"

/* hvm_start_info carries no length for the command line. */
#define PVH_CMDLINE_SCAN_LIMIT BOOT_CMDLINE_MAX

void pvh_read_boot_info(uint32_t info_paddr)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)info_paddr;

	if (si->magic != (uint32_t)XEN_HVM_START_MAGIC_VALUE)
		panic("PVH entry: hvm_start_info magic is %#x, expected %#x",
		      si->magic, XEN_HVM_START_MAGIC_VALUE);
	if (si->version < 1 || si->memmap_entries == 0)
		panic("PVH entry: hvm_start_info version %u carries no memory map",
		      si->version);

	boot_info.path = BOOT_PVH;
	boot_info.loader_version = si->version;
	boot_info.acpi_rsdp = si->rsdp_paddr;
	if (si->cmdline_paddr)
		boot_set_cmdline((const char *)(uintptr_t)si->cmdline_paddr,
				 PVH_CMDLINE_SCAN_LIMIT);

	const struct hvm_memmap_table_entry *map =
		(const void *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		boot_add_mem_region(map[i].addr, map[i].size, map[i].type);
}
