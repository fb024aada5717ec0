/*
 * loader.h — loads a PVH kernel (ELF32 or ELF64 with a Xen PVH note) into
 * guest RAM and writes the PVH boot information next to it.
 *
 * loader_load_pvh is a pure function over two byte buffers (the file and
 * guest RAM): no KVM, no files, so tests can hand it any malformed image.
 * The layout it writes is in host/layout.h.
 */
#ifndef PVKIT_HOST_LOADER_H
#define PVKIT_HOST_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the vCPU needs to start the kernel. */
struct pvh_boot {
	uint64_t entry;                 /* from XEN_ELFNOTE_PHYS32_ENTRY: initial %eip */
	uint64_t start_info;            /* guest-physical hvm_start_info: initial %ebx */
	uint64_t image_start;           /* lowest loaded guest-physical address */
	uint64_t image_end;             /* one past the highest (bss included) */
};

/* Validates the image named `name` (used in messages), copies its PT_LOAD
 * segments to their physical addresses, zeroes their bss, and writes
 * hvm_start_info, the memory map and cmdline.  Nothing is written to ram
 * unless the whole image is valid.  On failure returns false with a message
 * that starts with name and says what is wrong. */
bool loader_load_pvh(const uint8_t *image, size_t image_size, const char *name,
		     uint8_t *ram, uint64_t ram_size, const char *cmdline,
		     struct pvh_boot *boot, char *err, size_t err_len);

/* Maps a kernel file read-only.  On failure returns false with a message. */
bool loader_map_file(const char *path, const uint8_t **data, size_t *size,
		     char *err, size_t err_len);
void loader_unmap_file(const uint8_t *data, size_t size);

#endif
