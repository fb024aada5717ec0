/*
 * loader.c — the PVH boot protocol, loader side (Xen's docs/misc/pvh.pandoc).
 *
 * 1. Check the ELF header and every program header against the file and
 *    against guest RAM.  The image is untrusted input: every offset and
 *    size is checked before it is used, with 64-bit arithmetic that cannot
 *    wrap.
 * 2. Find the entry point in a PT_NOTE segment: a note named "Xen" of type
 *    XEN_ELFNOTE_PHYS32_ENTRY (18) whose payload is the 32-bit physical
 *    entry address (4 bytes, or 8 in images that store it pointer-sized).
 * 3. Copy each PT_LOAD segment to its physical address (p_paddr) and zero
 *    the rest of it (p_memsz > p_filesz: the bss).
 * 4. Write struct hvm_start_info version 1, the E820-style memory map and
 *    the command line to the boot area of host/layout.h.
 *
 * ELF32 and ELF64 headers differ only in field widths, so both are read
 * into one neutral struct first and checked by one set of functions.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/elfnote.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "host/layout.h"
#include "host/loader.h"

#define PVH_NOTE_NAME           "Xen"
#define NOTE_HEADER_SIZE        12u     /* namesz, descsz, type: three 32-bit words */
#define MAX_ENTRY_ADDRESS       0xffffffffull   /* the entry runs in 32-bit mode */

/* The ELF header fields the loader needs, whatever the class. */
struct elf_header {
	bool is64;
	uint16_t type;
	uint16_t machine;
	uint64_t phoff;
	uint16_t phentsize;
	uint16_t phnum;
};

/* One program header, whatever the class. */
struct segment {
	uint32_t type;
	uint64_t offset;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

/* The image and what messages need to name it. */
struct image {
	const uint8_t *data;
	size_t size;
	const char *name;
	uint64_t ram_size;
	char *err;
	size_t err_len;
};

static bool fail(const struct image *img, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes "NAME: " + the message to img->err; returns false. */
static bool fail(const struct image *img, const char *fmt, ...)
{
	va_list ap;
	int used = snprintf(img->err, img->err_len, "%s: ", img->name);

	if (used < 0 || (size_t)used >= img->err_len)
		return false;
	va_start(ap, fmt);
	vsnprintf(img->err + used, img->err_len - used, fmt, ap);
	va_end(ap);
	return false;
}

/* "128 MiB", "4100 KiB" or "12345 bytes": RAM sizes for messages. */
static const char *describe_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes % MiB == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes / MiB));
	else if (bytes % KiB == 0)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(bytes / KiB));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
	return buf;
}

/* True if [offset, offset + length) lies inside the file. */
static bool in_file(const struct image *img, uint64_t offset, uint64_t length)
{
	return offset <= img->size && length <= img->size - offset;
}

static bool read_ident(const struct image *img, struct elf_header *hdr)
{
	const uint8_t *id = img->data;

	if (img->size < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG) != 0)
		return fail(img, "not an ELF file (no \\x7fELF magic at the start)");
	if (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64)
		return fail(img, "unknown ELF class %u (expected 1 = ELF32 or 2 = ELF64)",
			    id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail(img, "ELF data encoding %u is not little-endian (x86 is)",
			    id[EI_DATA]);
	if (id[EI_VERSION] != EV_CURRENT)
		return fail(img, "ELF version %u, expected %u", id[EI_VERSION], EV_CURRENT);
	hdr->is64 = id[EI_CLASS] == ELFCLASS64;
	return true;
}

/* Reads the class-specific header into the neutral struct.  The host is
 * little-endian like the image (checked above), so memcpy reads it. */
static bool read_elf_header(const struct image *img, struct elf_header *hdr)
{
	if (!read_ident(img, hdr))
		return false;
	if (hdr->is64) {
		Elf64_Ehdr e;

		if (img->size < sizeof(e))
			return fail(img, "file is %zu bytes, shorter than an ELF64 header (%zu)",
				    img->size, sizeof(e));
		memcpy(&e, img->data, sizeof(e));
		*hdr = (struct elf_header){ true, e.e_type, e.e_machine, e.e_phoff,
					    e.e_phentsize, e.e_phnum };
	} else {
		Elf32_Ehdr e;

		if (img->size < sizeof(e))
			return fail(img, "file is %zu bytes, shorter than an ELF32 header (%zu)",
				    img->size, sizeof(e));
		memcpy(&e, img->data, sizeof(e));
		*hdr = (struct elf_header){ false, e.e_type, e.e_machine, e.e_phoff,
					    e.e_phentsize, e.e_phnum };
	}
	return true;
}

static bool check_elf_header(const struct image *img, const struct elf_header *hdr)
{
	uint16_t want_machine = hdr->is64 ? EM_X86_64 : EM_386;
	size_t min_phentsize = hdr->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

	if (hdr->machine != want_machine)
		return fail(img, "ELF machine %u is not %s (%u)", hdr->machine,
			    hdr->is64 ? "x86-64" : "i386", want_machine);
	if (hdr->type != ET_EXEC)
		return fail(img, "ELF type %u is not an executable (ET_EXEC = %u)",
			    hdr->type, ET_EXEC);
	if (hdr->phnum == 0 || hdr->phnum >= PN_XNUM)
		return fail(img, "%u program headers (expected 1 to %u)", hdr->phnum,
			    PN_XNUM - 1);
	if (hdr->phentsize < min_phentsize)
		return fail(img, "program header size %u is smaller than %zu", hdr->phentsize,
			    min_phentsize);
	if (!in_file(img, hdr->phoff, (uint64_t)hdr->phnum * hdr->phentsize))
		return fail(img, "the %u program headers at offset %#llx extend beyond the "
			    "end of the file (%zu bytes)", hdr->phnum,
			    (unsigned long long)hdr->phoff, img->size);
	return true;
}

static struct segment read_segment(const struct image *img, const struct elf_header *hdr,
				   unsigned int index)
{
	const uint8_t *p = img->data + hdr->phoff + (uint64_t)index * hdr->phentsize;

	if (hdr->is64) {
		Elf64_Phdr ph;

		memcpy(&ph, p, sizeof(ph));
		return (struct segment){ ph.p_type, ph.p_offset, ph.p_paddr,
					 ph.p_filesz, ph.p_memsz, ph.p_align };
	}
	Elf32_Phdr ph;

	memcpy(&ph, p, sizeof(ph));
	return (struct segment){ ph.p_type, ph.p_offset, ph.p_paddr,
				 ph.p_filesz, ph.p_memsz, ph.p_align };
}

static bool check_load_segment(const struct image *img, unsigned int index,
			       const struct segment *seg)
{
	char ram[32];

	if (!in_file(img, seg->offset, seg->filesz))
		return fail(img, "program header %u: file range %#llx+%#llx extends beyond "
			    "the end of the file (%zu bytes)", index,
			    (unsigned long long)seg->offset, (unsigned long long)seg->filesz,
			    img->size);
	if (seg->filesz > seg->memsz)
		return fail(img, "program header %u: file size %#llx is larger than its "
			    "memory size %#llx", index, (unsigned long long)seg->filesz,
			    (unsigned long long)seg->memsz);
	if (seg->paddr + seg->memsz < seg->paddr)
		return fail(img, "program header %u: %#llx+%#llx wraps around the end of "
			    "the address space", index, (unsigned long long)seg->paddr,
			    (unsigned long long)seg->memsz);
	if (seg->paddr + seg->memsz > img->ram_size)
		return fail(img, "program header %u ends at %#llx, beyond guest RAM (%s)",
			    index, (unsigned long long)(seg->paddr + seg->memsz),
			    describe_size(img->ram_size, ram, sizeof(ram)));
	if (seg->paddr < LAYOUT_BOOT_AREA_END &&
	    seg->paddr + seg->memsz > LAYOUT_BOOT_AREA_START)
		return fail(img, "program header %u (%#llx-%#llx) overlaps pvkit-hv's boot "
			    "information area %#llx-%#llx", index,
			    (unsigned long long)seg->paddr,
			    (unsigned long long)(seg->paddr + seg->memsz - 1),
			    LAYOUT_BOOT_AREA_START, LAYOUT_BOOT_AREA_END - 1);
	return true;
}

static uint32_t read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t align_up(uint64_t value, uint64_t align)
{
	return (value + align - 1) & ~(align - 1);
}

/* Reads the address from a PVH note's payload of descsz bytes. */
static bool read_pvh_entry(const struct image *img, unsigned int index,
			   const uint8_t *desc, uint32_t descsz, uint64_t *entry)
{
	if (descsz == 4) {
		*entry = read_u32(desc);
	} else if (descsz == 8) {
		memcpy(entry, desc, sizeof(*entry));
	} else {
		return fail(img, "program header %u: the PVH entry note "
			    "(XEN_ELFNOTE_PHYS32_ENTRY) holds %u bytes, expected 4 or 8",
			    index, descsz);
	}
	if (*entry > MAX_ENTRY_ADDRESS)
		return fail(img, "PVH entry %#llx is above 4 GiB (it is entered in 32-bit mode)",
			    (unsigned long long)*entry);
	return true;
}

/* Walks the notes of one PT_NOTE segment; sets *found and *entry when the
 * PVH entry note is there.  Notes are padded to 4 bytes, or 8 when the
 * segment says so (QEMU does the same). */
static bool scan_notes(const struct image *img, unsigned int index,
		       const struct segment *seg, bool *found, uint64_t *entry)
{
	uint64_t align = seg->align == 8 ? 8 : 4;
	uint64_t pos = 0;

	if (!in_file(img, seg->offset, seg->filesz))
		return fail(img, "program header %u (PT_NOTE) extends beyond the end of the "
			    "file", index);
	const uint8_t *notes = img->data + seg->offset;

	while (pos <= seg->filesz && seg->filesz - pos >= NOTE_HEADER_SIZE) {
		uint32_t namesz = read_u32(notes + pos);
		uint32_t descsz = read_u32(notes + pos + 4);
		uint32_t type = read_u32(notes + pos + 8);
		uint64_t name_at = pos + NOTE_HEADER_SIZE;
		uint64_t desc_at = name_at + align_up(namesz, align);
		uint64_t next = desc_at + align_up(descsz, align);

		if (desc_at + descsz > seg->filesz)
			return fail(img, "program header %u: note at offset %#llx claims %u+%u "
				    "bytes, more than its segment holds", index,
				    (unsigned long long)pos, namesz, descsz);
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == sizeof(PVH_NOTE_NAME) &&
		    memcmp(notes + name_at, PVH_NOTE_NAME, sizeof(PVH_NOTE_NAME)) == 0) {
			*found = true;
			return read_pvh_entry(img, index, notes + desc_at, descsz, entry);
		}
		pos = next;
	}
	return true;
}

static bool inside_a_load_segment(const struct image *img, const struct elf_header *hdr,
				  uint64_t address)
{
	for (unsigned int i = 0; i < hdr->phnum; i++) {
		struct segment seg = read_segment(img, hdr, i);

		if (seg.type == PT_LOAD && address >= seg.paddr &&
		    address - seg.paddr < seg.memsz)
			return true;
	}
	return false;
}

/* Checks every program header and finds the PVH entry. */
static bool check_segments(const struct image *img, const struct elf_header *hdr,
			   struct pvh_boot *boot)
{
	bool found = false;
	unsigned int loads = 0;

	boot->image_start = UINT64_MAX;
	boot->image_end = 0;
	for (unsigned int i = 0; i < hdr->phnum; i++) {
		struct segment seg = read_segment(img, hdr, i);

		if (seg.type == PT_NOTE && !found &&
		    !scan_notes(img, i, &seg, &found, &boot->entry))
			return false;
		if (seg.type != PT_LOAD || seg.memsz == 0)
			continue;
		if (!check_load_segment(img, i, &seg))
			return false;
		loads++;
		if (seg.paddr < boot->image_start)
			boot->image_start = seg.paddr;
		if (seg.paddr + seg.memsz > boot->image_end)
			boot->image_end = seg.paddr + seg.memsz;
	}
	if (loads == 0)
		return fail(img, "no PT_LOAD segment with contents");
	if (!found)
		return fail(img, "no PVH entry note (a \"Xen\" note of type "
			    "XEN_ELFNOTE_PHYS32_ENTRY = %d): not a PVH kernel",
			    XEN_ELFNOTE_PHYS32_ENTRY);
	if (!inside_a_load_segment(img, hdr, boot->entry))
		return fail(img, "PVH entry %#llx is not inside any PT_LOAD segment",
			    (unsigned long long)boot->entry);
	return true;
}

static void copy_segments(const struct image *img, const struct elf_header *hdr,
			  uint8_t *ram)
{
	for (unsigned int i = 0; i < hdr->phnum; i++) {
		struct segment seg = read_segment(img, hdr, i);

		if (seg.type != PT_LOAD || seg.memsz == 0)
			continue;
		memcpy(ram + seg.paddr, img->data + seg.offset, seg.filesz);
		memset(ram + seg.paddr + seg.filesz, 0, seg.memsz - seg.filesz);
	}
}

/* The PC memory map every PVH loader hands over: conventional memory, the
 * legacy hole below 1 MiB, and the rest of RAM. */
static uint32_t write_memmap(uint8_t *ram, uint64_t ram_size)
{
	const struct hvm_memmap_table_entry map[] = {
		{ 0, LAYOUT_LOW_RAM_END, XEN_HVM_MEMMAP_TYPE_RAM, 0 },
		{ LAYOUT_LOW_RAM_END, LAYOUT_HIGH_RAM_START - LAYOUT_LOW_RAM_END,
		  XEN_HVM_MEMMAP_TYPE_RESERVED, 0 },
		{ LAYOUT_HIGH_RAM_START, ram_size - LAYOUT_HIGH_RAM_START,
		  XEN_HVM_MEMMAP_TYPE_RAM, 0 },
	};

	_Static_assert(LAYOUT_MEMMAP + sizeof(map) <= LAYOUT_MEMMAP_END,
		       "memory map must fit its area");
	memcpy(ram + LAYOUT_MEMMAP, map, sizeof(map));
	return sizeof(map) / sizeof(map[0]);
}

static void write_start_info(uint8_t *ram, uint64_t ram_size, const char *cmdline)
{
	struct hvm_start_info info = {
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = 1,
		.cmdline_paddr = LAYOUT_CMDLINE,
		.rsdp_paddr = 0,        /* no ACPI tables */
		.memmap_paddr = LAYOUT_MEMMAP,
	};

	_Static_assert(LAYOUT_START_INFO + sizeof(info) <= LAYOUT_MEMMAP,
		       "hvm_start_info must fit below the memory map");
	memset(ram + LAYOUT_BOOT_AREA_START, 0, LAYOUT_BOOT_AREA_END - LAYOUT_BOOT_AREA_START);
	info.memmap_entries = write_memmap(ram, ram_size);
	memcpy(ram + LAYOUT_START_INFO, &info, sizeof(info));
	memcpy(ram + LAYOUT_CMDLINE, cmdline, strlen(cmdline) + 1);
}

bool loader_load_pvh(const uint8_t *image, size_t image_size, const char *name,
		     uint8_t *ram, uint64_t ram_size, const char *cmdline,
		     struct pvh_boot *boot, char *err, size_t err_len)
{
	const struct image img = { image, image_size, name, ram_size, err, err_len };
	struct elf_header hdr = { 0 };

	if (ram_size < LAYOUT_RAM_MIN)
		return fail(&img, "guest RAM is smaller than %llu MiB", LAYOUT_RAM_MIN / MiB);
	if (strlen(cmdline) >= LAYOUT_CMDLINE_SIZE)
		return fail(&img, "command line longer than %llu bytes", LAYOUT_CMDLINE_SIZE - 1);
	if (!read_elf_header(&img, &hdr) || !check_elf_header(&img, &hdr) ||
	    !check_segments(&img, &hdr, boot))
		return false;
	copy_segments(&img, &hdr, ram);
	write_start_info(ram, ram_size, cmdline);
	boot->start_info = LAYOUT_START_INFO;
	return true;
}

bool loader_map_file(const char *path, const uint8_t **data, size_t *size,
		     char *err, size_t err_len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return false;
	}
	const char *problem = NULL;

	if (fstat(fd, &st) < 0)
		problem = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		problem = "not a regular file";
	else if (st.st_size == 0)
		problem = "empty file";
	if (problem != NULL) {
		snprintf(err, err_len, "%s: %s", path, problem);
		close(fd);
		return false;
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, err_len, "%s: cannot map: %s", path, strerror(errno));
		return false;
	}
	*data = map;
	*size = (size_t)st.st_size;
	return true;
}

void loader_unmap_file(const uint8_t *data, size_t size)
{
	munmap((void *)data, size);
}
