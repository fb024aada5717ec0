/*
 * boot_multiboot2.c — reads the Multiboot2 boot information (spec 3.6).
 *
 * The information is a header followed by 8-byte-aligned tags, ended by a
 * tag of type 0.  We take the command line, the loader's name, the memory
 * map and the ACPI RSDP, check every tag against the total size the loader
 * declared, and ignore tags we do not use.
 */
#include "arch/x86/boot_native.h"
#include "arch/x86/multiboot2.h"
#include "kernel/boot_info.h"
#include "kernel/panic.h"
#include "lib/string.h"

static char loader_name[64];

static void read_mmap(const struct mb2_tag_mmap *mmap)
{
	const uint8_t *entry = (const uint8_t *)(mmap + 1);
	const uint8_t *end = (const uint8_t *)mmap + mmap->tag.size;

	if (mmap->entry_size < sizeof(struct mb2_mmap_entry))
		panic("Multiboot2: memory map entry size %u is too small",
		      mmap->entry_size);
	for (; entry + mmap->entry_size <= end; entry += mmap->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)entry;

		boot_add_mem_region(e->base_addr, e->length, e->type);
	}
}

static void read_tag(const struct mb2_tag *tag)
{
	const struct mb2_tag_string *str = (const void *)tag;
	uint32_t text_len = tag->size - sizeof(*tag);

	switch (tag->type) {
	case MB2_TAG_CMDLINE:
		boot_set_cmdline(str->string, text_len);
		break;
	case MB2_TAG_LOADER_NAME:
		strlcpy(loader_name, str->string,
			text_len < sizeof(loader_name) ? text_len + 1 : sizeof(loader_name));
		boot_info.loader_name = loader_name;
		break;
	case MB2_TAG_MMAP:
		read_mmap((const void *)tag);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		/* The tag holds a copy of the RSDP, not its address; it stays
		 * valid only while the loader's memory does. */
		boot_info.acpi_rsdp = (uintptr_t)((const struct mb2_tag_acpi *)tag)->rsdp;
		break;
	}
}

void multiboot2_read_boot_info(uint32_t info_paddr)
{
	const struct mb2_info_header *hdr = (const void *)(uintptr_t)info_paddr;
	const uint8_t *pos = (const uint8_t *)(hdr + 1);
	const uint8_t *end = (const uint8_t *)hdr + hdr->total_size;

	boot_info.path = BOOT_MULTIBOOT2;
	while (pos + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *tag = (const void *)pos;

		if (tag->type == MB2_TAG_END)
			break;
		if (tag->size < sizeof(*tag) || tag->size > (size_t)(end - pos))
			panic("Multiboot2: tag type %u at %p has bad size %u",
			      tag->type, tag, tag->size);
		read_tag(tag);
		pos += (tag->size + MB2_TAG_ALIGN - 1) & ~(uint32_t)(MB2_TAG_ALIGN - 1);
	}
	if (boot_info.mem_count == 0)
		panic("Multiboot2: the loader gave no memory map");
}
