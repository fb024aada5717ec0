/*
 * multiboot2.h — the Multiboot2 constants and structures pvkit uses, from
 * the Multiboot2 specification (version 2.0), section 3.
 *
 * Debian ships no header for them, so they are named here once.  The
 * #defines are shared with the assembly that builds the header.
 */
#ifndef PVKIT_ARCH_X86_MULTIBOOT2_H
#define PVKIT_ARCH_X86_MULTIBOOT2_H

/* The OS image's header (spec 3.1). */
#define MB2_HEADER_MAGIC        0xe85250d6
#define MB2_ARCH_I386           0       /* 32-bit protected mode entry */
#define MB2_HEADER_TAG_END      0
#define MB2_HEADER_TAG_ENTRY    3       /* entry address tag */

/* What the loader leaves in %eax (spec 3.2). */
#define MB2_BOOTLOADER_MAGIC    0x36d76289

/* Boot information tags (spec 3.6). */
#define MB2_TAG_END             0
#define MB2_TAG_CMDLINE         1
#define MB2_TAG_LOADER_NAME     2
#define MB2_TAG_MMAP            6
#define MB2_TAG_ACPI_OLD        14      /* RSDP, ACPI 1.0 */
#define MB2_TAG_ACPI_NEW        15      /* RSDP, ACPI 2.0+ */
#define MB2_TAG_ALIGN           8

#ifndef __ASSEMBLY__
#include <stdint.h>

struct mb2_info_header {
	uint32_t total_size;
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;          /* including this header, excluding padding */
};

struct mb2_tag_string {         /* cmdline, loader name */
	struct mb2_tag tag;
	char string[];
};

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;          /* E820 numbering */
	uint32_t reserved;
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
	/* entries follow, entry_size bytes apart */
};

struct mb2_tag_acpi {
	struct mb2_tag tag;
	uint8_t rsdp[];         /* a copy of the RSDP itself */
};
#endif

#endif
