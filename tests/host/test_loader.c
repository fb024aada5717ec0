/*
 * test_loader.c — the PVH loader (host/loader.c) with ELF images built
 * here, in memory: two good ones (ELF64 and ELF32) and one broken in each
 * way the loader must notice.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include <xen/arch-x86/hvm/start_info.h>

#include "host/layout.h"
#include "host/loader.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define RAM_SIZE        LAYOUT_RAM_MIN
#define RAM_FILL        0xaa            /* "not written by the loader" */
#define LOAD_ADDR       0x100000u
#define ENTRY           0x100010u
#define FILE_SIZE       0x2000u
#define TEXT_OFFSET     0x1000u
#define TEXT_FILESZ     0x100u
#define TEXT_MEMSZ      0x300u          /* 0x200 bytes of bss */
#define NOTE_OFFSET     0x800u

/* A test image: the file bytes, with pointers to the headers to break. */
struct test_elf {
	uint8_t file[FILE_SIZE];
	size_t size;
	bool is64;
};

static uint8_t *ram;
static char err[512];
static struct pvh_boot boot;

static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Writes a PVH note (namesz 4 "Xen", type 18) with a descsz-byte entry. */
static size_t put_pvh_note(uint8_t *p, uint32_t descsz, uint64_t entry)
{
	put_u32(p, 4);
	put_u32(p + 4, descsz);
	put_u32(p + 8, 18);                     /* XEN_ELFNOTE_PHYS32_ENTRY */
	memcpy(p + 12, "Xen", 4);
	if (descsz == 8)
		put_u64(p + 16, entry);
	else
		put_u32(p + 16, (uint32_t)entry);
	return 16 + ((descsz + 3) & ~3u);
}

static void fill_text(struct test_elf *t)
{
	for (unsigned int i = 0; i < TEXT_FILESZ; i++)
		t->file[TEXT_OFFSET + i] = (uint8_t)(i * 7 + 1);
}

/* An ELF64 image: PT_LOAD (text + bss) at 1 MiB and a PT_NOTE. */
static void build_elf64(struct test_elf *t)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB,
			     EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_entry = LOAD_ADDR, .e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2,
	};
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_offset = TEXT_OFFSET, .p_vaddr = LOAD_ADDR,
		  .p_paddr = LOAD_ADDR, .p_filesz = TEXT_FILESZ, .p_memsz = TEXT_MEMSZ,
		  .p_align = 0x1000 },
		{ .p_type = PT_NOTE, .p_offset = NOTE_OFFSET, .p_filesz = 24, .p_memsz = 24,
		  .p_align = 4 },
	};

	memset(t, 0, sizeof(*t));
	t->is64 = true;
	t->size = FILE_SIZE;
	memcpy(t->file, &eh, sizeof(eh));
	memcpy(t->file + sizeof(eh), ph, sizeof(ph));
	put_pvh_note(t->file + NOTE_OFFSET, 8, ENTRY);
	fill_text(t);
}

/* The same as ELF32, with a 4-byte note, as 32-bit PVH kernels have. */
static void build_elf32(struct test_elf *t)
{
	Elf32_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32, ELFDATA2LSB,
			     EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
		.e_entry = LOAD_ADDR, .e_phoff = sizeof(Elf32_Ehdr),
		.e_ehsize = sizeof(Elf32_Ehdr), .e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 2,
	};
	Elf32_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_offset = TEXT_OFFSET, .p_vaddr = LOAD_ADDR,
		  .p_paddr = LOAD_ADDR, .p_filesz = TEXT_FILESZ, .p_memsz = TEXT_MEMSZ,
		  .p_align = 0x1000 },
		{ .p_type = PT_NOTE, .p_offset = NOTE_OFFSET, .p_filesz = 20, .p_memsz = 20,
		  .p_align = 4 },
	};

	memset(t, 0, sizeof(*t));
	t->size = FILE_SIZE;
	memcpy(t->file, &eh, sizeof(eh));
	memcpy(t->file + sizeof(eh), ph, sizeof(ph));
	put_pvh_note(t->file + NOTE_OFFSET, 4, ENTRY);
	fill_text(t);
}

/* Program header i of an ELF64 test image, to break it. */
static Elf64_Phdr *phdr64(struct test_elf *t, unsigned int i)
{
	return (Elf64_Phdr *)(t->file + sizeof(Elf64_Ehdr)) + i;
}

static Elf64_Ehdr *ehdr64(struct test_elf *t)
{
	return (Elf64_Ehdr *)t->file;
}

static bool load(const struct test_elf *t, const char *cmdline)
{
	memset(ram, RAM_FILL, RAM_SIZE);
	err[0] = '\0';
	return loader_load_pvh(t->file, t->size, "kernel.elf", ram, RAM_SIZE, cmdline,
			       &boot, err, sizeof(err));
}

/* Loading must fail, say `expected`, name the file, and write nothing. */
static void check_rejected(const struct test_elf *t, const char *expected)
{
	CHECK(!load(t, ""));
	CHECK(strncmp(err, "kernel.elf: ", 12) == 0);
	CHECK(strstr(err, expected) != NULL);
	if (strstr(err, expected) == NULL)
		check_fail(__FILE__, __LINE__, "message was \"%s\"", err);
	CHECK_UINT(ram[LOAD_ADDR], RAM_FILL);
	CHECK_UINT(ram[LAYOUT_START_INFO], RAM_FILL);
}

static struct test_elf elf;

static void check_loaded_image(void)
{
	CHECK_UINT(boot.entry, ENTRY);
	CHECK_UINT(boot.start_info, LAYOUT_START_INFO);
	CHECK_UINT(boot.image_start, LOAD_ADDR);
	CHECK_UINT(boot.image_end, LOAD_ADDR + TEXT_MEMSZ);
	CHECK(memcmp(ram + LOAD_ADDR, elf.file + TEXT_OFFSET, TEXT_FILESZ) == 0);
	for (unsigned int i = TEXT_FILESZ; i < TEXT_MEMSZ; i++)
		if (ram[LOAD_ADDR + i] != 0)
			check_fail(__FILE__, __LINE__, "bss byte %#x is %#x", i, ram[LOAD_ADDR + i]);
	CHECK_UINT(ram[LOAD_ADDR + TEXT_MEMSZ], RAM_FILL);      /* nothing past the segment */
	CHECK_UINT(ram[LOAD_ADDR - 1], RAM_FILL);
}

static void check_start_info(const char *cmdline)
{
	struct hvm_start_info si;
	struct hvm_memmap_table_entry map[3];

	memcpy(&si, ram + LAYOUT_START_INFO, sizeof(si));
	CHECK_UINT(si.magic, XEN_HVM_START_MAGIC_VALUE);
	CHECK_UINT(si.version, 1);
	CHECK_UINT(si.flags, 0);
	CHECK_UINT(si.nr_modules, 0);
	CHECK_UINT(si.modlist_paddr, 0);
	CHECK_UINT(si.cmdline_paddr, LAYOUT_CMDLINE);
	CHECK_UINT(si.rsdp_paddr, 0);
	CHECK_UINT(si.memmap_paddr, LAYOUT_MEMMAP);
	CHECK_UINT(si.memmap_entries, 3);
	CHECK_UINT(si.reserved, 0);
	memcpy(map, ram + LAYOUT_MEMMAP, sizeof(map));
	CHECK_UINT(map[0].addr, 0);
	CHECK_UINT(map[0].size, 0x9fc00);
	CHECK_UINT(map[0].type, XEN_HVM_MEMMAP_TYPE_RAM);
	CHECK_UINT(map[1].addr, 0x9fc00);
	CHECK_UINT(map[1].size, 0x100000 - 0x9fc00);
	CHECK_UINT(map[1].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	CHECK_UINT(map[2].addr, 0x100000);
	CHECK_UINT(map[2].size, RAM_SIZE - 0x100000);
	CHECK_UINT(map[2].type, XEN_HVM_MEMMAP_TYPE_RAM);
	CHECK_UINT(map[2].reserved, 0);
	CHECK_STR((const char *)ram + LAYOUT_CMDLINE, cmdline);
	CHECK_UINT(ram[LAYOUT_BOOT_AREA_END - 1], 0);           /* the whole area is cleared */
	CHECK_UINT(ram[LAYOUT_BOOT_AREA_END], RAM_FILL);        /* and nothing more */
	CHECK_UINT(ram[LAYOUT_BOOT_AREA_START - 1], RAM_FILL);
}

static void good_elf64(void)
{
	build_elf64(&elf);
	CHECK(load(&elf, "test=all console=x"));
	CHECK_STR(err, "");
	check_loaded_image();
	check_start_info("test=all console=x");
}

static void good_elf32(void)
{
	build_elf32(&elf);
	CHECK(load(&elf, ""));
	CHECK_STR(err, "");
	check_loaded_image();
	check_start_info("");
}

static void note_aligned_to_8(void)
{
	uint8_t *note = elf.file + NOTE_OFFSET;

	/* With an 8-aligned PT_NOTE the name "Xen\0" is padded to 8 bytes, so
	 * the entry sits at offset 20, not 16 (QEMU reads it the same way). */
	build_elf64(&elf);
	phdr64(&elf, 1)->p_align = 8;
	phdr64(&elf, 1)->p_filesz = 28;
	memset(note + 16, 0, 12);
	put_u64(note + 20, ENTRY);
	CHECK(load(&elf, ""));
	CHECK_UINT(boot.entry, ENTRY);
}

static void truncated_header(void)
{
	build_elf64(&elf);
	elf.size = 40;
	check_rejected(&elf, "shorter than an ELF64 header");
	elf.size = 10;
	check_rejected(&elf, "not an ELF file");
	build_elf32(&elf);
	elf.size = 40;
	check_rejected(&elf, "shorter than an ELF32 header");
}

static void truncated_program_headers(void)
{
	build_elf64(&elf);
	elf.size = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 10;
	check_rejected(&elf, "program headers at offset 0x40 extend beyond the end of the file");
	build_elf64(&elf);
	ehdr64(&elf)->e_phoff = UINT64_MAX - 8; /* offset + size would wrap */
	check_rejected(&elf, "extend beyond the end of the file");
	build_elf64(&elf);
	ehdr64(&elf)->e_phentsize = 20;
	check_rejected(&elf, "program header size 20");
	build_elf64(&elf);
	ehdr64(&elf)->e_phnum = 0;
	check_rejected(&elf, "0 program headers");
}

static void wrong_class(void)
{
	build_elf64(&elf);
	elf.file[EI_CLASS] = 3;
	check_rejected(&elf, "unknown ELF class 3");
}

static void wrong_machine(void)
{
	build_elf64(&elf);
	ehdr64(&elf)->e_machine = EM_386;
	check_rejected(&elf, "ELF machine 3 is not x86-64");
	build_elf32(&elf);
	((Elf32_Ehdr *)elf.file)->e_machine = EM_X86_64;
	check_rejected(&elf, "ELF machine 62 is not i386");
}

static void wrong_endianness(void)
{
	build_elf64(&elf);
	elf.file[EI_DATA] = ELFDATA2MSB;
	check_rejected(&elf, "not little-endian");
}

static void not_exec(void)
{
	build_elf64(&elf);
	ehdr64(&elf)->e_type = ET_DYN;
	check_rejected(&elf, "not an executable");
}

static void segment_outside_file(void)
{
	build_elf64(&elf);
	phdr64(&elf, 0)->p_offset = FILE_SIZE - 0x10;
	check_rejected(&elf, "program header 0: file range 0x1ff0+0x100 extends beyond");
	build_elf64(&elf);
	phdr64(&elf, 0)->p_offset = UINT64_MAX - 0x10;
	check_rejected(&elf, "extends beyond the end of the file");
}

static void filesz_larger_than_memsz(void)
{
	build_elf64(&elf);
	phdr64(&elf, 0)->p_memsz = TEXT_FILESZ - 1;
	check_rejected(&elf, "file size 0x100 is larger than its memory size 0xff");
}

static void segment_beyond_ram(void)
{
	build_elf64(&elf);
	phdr64(&elf, 0)->p_paddr = RAM_SIZE - 0x100;
	check_rejected(&elf, "program header 0 ends at 0x400200, beyond guest RAM (4 MiB)");
}

static void segment_wraps_around(void)
{
	build_elf64(&elf);
	phdr64(&elf, 0)->p_paddr = UINT64_MAX - 0x100;
	check_rejected(&elf, "wraps around");
}

static void segment_overlaps_start_info(void)
{
	build_elf64(&elf);
	phdr64(&elf, 0)->p_paddr = LAYOUT_CMDLINE + 0x800;
	check_rejected(&elf, "overlaps pvkit-hv's boot information area 0x6000-0x7fff");
	build_elf64(&elf);
	phdr64(&elf, 0)->p_paddr = LAYOUT_START_INFO - TEXT_MEMSZ + 1;
	check_rejected(&elf, "overlaps");
	build_elf64(&elf);                      /* ending right below it is fine */
	phdr64(&elf, 0)->p_paddr = LAYOUT_START_INFO - TEXT_MEMSZ;
	put_pvh_note(elf.file + NOTE_OFFSET, 8, LAYOUT_START_INFO - TEXT_MEMSZ);
	CHECK(load(&elf, ""));
}

static void no_pvh_note(void)
{
	build_elf64(&elf);
	put_u32(elf.file + NOTE_OFFSET + 8, 17);        /* another Xen note type */
	check_rejected(&elf, "no PVH entry note");
	build_elf64(&elf);
	memcpy(elf.file + NOTE_OFFSET + 12, "Xem", 4);
	check_rejected(&elf, "no PVH entry note");
	build_elf64(&elf);
	phdr64(&elf, 1)->p_type = PT_NULL;
	check_rejected(&elf, "no PVH entry note");
}

static void note_with_bad_sizes(void)
{
	build_elf64(&elf);
	put_u32(elf.file + NOTE_OFFSET + 4, 2); /* descsz 2 */
	check_rejected(&elf, "holds 2 bytes, expected 4 or 8");
	build_elf64(&elf);
	put_u32(elf.file + NOTE_OFFSET + 4, 0xfffffff0u);
	check_rejected(&elf, "more than its segment holds");
	build_elf64(&elf);
	put_u32(elf.file + NOTE_OFFSET, 0xffffffffu);   /* namesz */
	check_rejected(&elf, "more than its segment holds");
	build_elf64(&elf);
	phdr64(&elf, 1)->p_offset = FILE_SIZE - 4;
	check_rejected(&elf, "(PT_NOTE) extends beyond the end of the file");
	build_elf64(&elf);
	put_pvh_note(elf.file + NOTE_OFFSET, 8, 0x100000000ull);
	check_rejected(&elf, "above 4 GiB");
}

static void entry_outside_segments(void)
{
	build_elf64(&elf);
	put_pvh_note(elf.file + NOTE_OFFSET, 8, LOAD_ADDR + TEXT_MEMSZ);
	check_rejected(&elf, "PVH entry 0x100300 is not inside any PT_LOAD segment");
}

static void no_load_segment(void)
{
	build_elf64(&elf);
	phdr64(&elf, 0)->p_type = PT_NULL;
	check_rejected(&elf, "no PT_LOAD segment");
}

static void long_cmdline(void)
{
	static char cmdline[LAYOUT_CMDLINE_SIZE + 1];

	build_elf64(&elf);
	memset(cmdline, 'x', LAYOUT_CMDLINE_SIZE);
	CHECK(!load(&elf, cmdline));
	CHECK(strstr(err, "command line longer") != NULL);
	cmdline[LAYOUT_CMDLINE_SIZE - 1] = '\0';        /* 4095 bytes + NUL fit */
	CHECK(load(&elf, cmdline));
	CHECK_UINT(strlen((const char *)ram + LAYOUT_CMDLINE), LAYOUT_CMDLINE_SIZE - 1);
}

static void every_truncation_is_safe(void)
{
	/* Every prefix of a good image must be rejected cleanly (ASan watches). */
	build_elf64(&elf);
	for (size_t size = 0; size < TEXT_OFFSET + TEXT_FILESZ; size++) {
		elf.size = size;
		if (loader_load_pvh(elf.file, size, "k", ram, RAM_SIZE, "", &boot, err,
				    sizeof(err)))
			check_fail(__FILE__, __LINE__, "a %zu-byte prefix was accepted", size);
	}
}

static void random_corruption_is_safe(void)
{
	/* Flip random bytes in the headers and the note; whatever the loader
	 * decides, it must not touch memory outside its buffers (ASan). */
	uint32_t seed = 12345;

	for (int round = 0; round < 20000; round++) {
		if (round % 2)
			build_elf64(&elf);
		else
			build_elf32(&elf);
		for (int flips = 0; flips < 4; flips++) {
			seed = seed * 1103515245u + 12345u;
			unsigned int at = (seed >> 8) % 0x900;  /* headers .. note */

			seed = seed * 1103515245u + 12345u;
			elf.file[at] = (uint8_t)(seed >> 16);
		}
		if (loader_load_pvh(elf.file, elf.size, "k", ram, RAM_SIZE, "", &boot, err,
				    sizeof(err)))
			CHECK(boot.entry >= boot.image_start && boot.entry < boot.image_end);
	}
}

void loader_tests(void)
{
	ram = malloc(RAM_SIZE);
	check_run("loader.good_elf64", good_elf64);
	check_run("loader.good_elf32", good_elf32);
	check_run("loader.note_aligned_to_8", note_aligned_to_8);
	check_run("loader.truncated_header", truncated_header);
	check_run("loader.truncated_program_headers", truncated_program_headers);
	check_run("loader.wrong_class", wrong_class);
	check_run("loader.wrong_machine", wrong_machine);
	check_run("loader.wrong_endianness", wrong_endianness);
	check_run("loader.not_exec", not_exec);
	check_run("loader.segment_outside_file", segment_outside_file);
	check_run("loader.filesz_larger_than_memsz", filesz_larger_than_memsz);
	check_run("loader.segment_beyond_ram", segment_beyond_ram);
	check_run("loader.segment_wraps_around", segment_wraps_around);
	check_run("loader.segment_overlaps_start_info", segment_overlaps_start_info);
	check_run("loader.no_pvh_note", no_pvh_note);
	check_run("loader.note_with_bad_sizes", note_with_bad_sizes);
	check_run("loader.entry_outside_segments", entry_outside_segments);
	check_run("loader.no_load_segment", no_load_segment);
	check_run("loader.long_cmdline", long_cmdline);
	check_run("loader.every_truncation_is_safe", every_truncation_is_safe);
	check_run("loader.random_corruption_is_safe", random_corruption_is_safe);
	free(ram);
}
