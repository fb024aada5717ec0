/*
 * boot.S — the first instructions: the two native ways into the image.
 *
 * A PVH loader (QEMU -kernel, Xen PVH, pvkit-hv) finds XEN_ELFNOTE_PHYS32_ENTRY
 * in our ELF notes; a Multiboot2 loader (GRUB) finds the Multiboot2 header in
 * the first 32 KiB of the file.  Both enter in 32-bit protected mode with
 * paging off and a pointer to their boot information in %ebx.  One shared
 * stub then enters long mode on page tables that the assembler builds at
 * build time (an identity map of the low 4 GiB in 2 MiB pages), so no loop
 * has to fill them at boot, which matters where CPL0 code is emulated.
 *
 * The third way in, Xen PV, has its own notes and a 64-bit entry,
 * xen_pv_entry, below: Xen's builder has done all of that already.
 */
#include <xen/elfnote.h>
#include "arch/x86/multiboot2.h"
#include "arch/x86/boot_defs.h"

#define CR0_PE          (1 << 0)
#define CR0_WP          (1 << 16)      /* ring 0 honours read-only pages too */
#define CR0_PG          (1 << 31)
#define CR4_PAE         (1 << 5)
#define MSR_EFER        0xc0000080
#define EFER_LME        (1 << 8)

#define PTE_PRESENT     (1 << 0)
#define PTE_WRITABLE    (1 << 1)
#define PTE_PWT         (1 << 3)
#define PTE_PCD         (1 << 4)
#define PTE_LARGE       (1 << 7)

#define IDENTITY_MAP_PDS        4       /* 4 page directories x 1 GiB */
#define MMIO_HOLE_FIRST_PDE     1536    /* 3 GiB: uncached from here up */

/* ---- How loaders find us ------------------------------------------------ */

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MB2_HEADER_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.balign 8
	.short	MB2_HEADER_TAG_ENTRY, 0
	.long	12
	.long	multiboot2_entry
	.balign 8
	.short	MB2_HEADER_TAG_END, 0
	.long	8
mb2_header_end:

	/* ELF note: name "Xen", type PHYS32_ENTRY, an 8-byte address (QEMU
	 * reads a pointer-sized value from 64-bit images; Xen reads descsz). */
	.section .note.Xen, "a", @note
	.balign 4
	.long	4, 8, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.balign 4
	.quad	pvh_entry
	.balign 4

	/* The Xen PV notes (docs/xen-pv.md): what `xl create` with type="pv"
	 * reads.  VIRT_BASE 0 and PADDR_OFFSET 0 make Xen map the image at
	 * the addresses it is linked at, so virtual = pseudo-physical there
	 * too.  Every descriptor is padded to 4 bytes, never aligned to 8
	 * (see the PT_NOTE comment in kernel.ld). */
#define PV_NOTE(type, directive, value)		\
	.balign 4;				\
	.long	4, 82f - 81f, type;		\
	.asciz	"Xen";				\
	.balign 4;				\
81:	directive value;			\
82:	.balign 4

	PV_NOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "pvkit")
	PV_NOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
	PV_NOTE(XEN_ELFNOTE_LOADER, .asciz, "generic")
	PV_NOTE(XEN_ELFNOTE_VIRT_BASE, .quad, 0)
	PV_NOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad, 0)
	PV_NOTE(XEN_ELFNOTE_ENTRY, .quad, xen_pv_entry)
	PV_NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad, xen_hypercall_page)
	/* Features we support ("name") or require ("!name"): none.  Mini-OS
	 * and Linux require writable_page_tables (Xen emulating plain stores
	 * into level-1 tables); we change every entry by mmu_update instead. */
	PV_NOTE(XEN_ELFNOTE_FEATURES, .asciz, "")

/* ---- 32-bit entry points ---------------------------------------------- */

	.section .text.boot, "ax"
	.code32

	.globl	pvh_entry
pvh_entry:
	cli
	cld
	mov	$BOOT_PATH_PVH, %edi
	jmp	enter_long_mode

	.globl	multiboot2_entry
multiboot2_entry:
	cli
	cld
	mov	$BOOT_PATH_MULTIBOOT2, %edi
	cmp	$MB2_BOOTLOADER_MAGIC, %eax
	je	enter_long_mode
	mov	$BOOT_PATH_UNKNOWN, %edi	/* reported from C */

/* %edi = how we were booted, %ebx = the loader's boot information. */
enter_long_mode:
	rdtsc					/* entry time, for "ready in N us" */
	mov	%eax, boot_entry_tsc
	mov	%edx, boot_entry_tsc + 4
	mov	$boot_stack_top, %esp

	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_WP | CR0_PE), %eax
	mov	%eax, %cr0			/* now in compatibility mode */

	lgdt	boot_gdt_descriptor
	ljmp	$BOOT_CODE64_SELECTOR, $long_mode

	.code64
long_mode:
	mov	$BOOT_DATA_SELECTOR, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$boot_stack_top, %rsp
	xor	%ebp, %ebp			/* ends every backtrace */
	mov	%ebx, %esi			/* zero-extends: info is below 4 GiB */
	call	boot_native			/* (path, info): never returns */
1:	hlt
	jmp	1b

/* ---- The Xen PV entry ---------------------------------------------------
 *
 * Xen's PV domain builder enters here already in 64-bit mode, in ring 3, on
 * page tables it built (read-only to us), with %rsi = the start_info page
 * and the hypercall page already filled.  Nothing privileged may run: no
 * cli, no lgdt, no segment loads.  Set our own stack (Xen's boot stack page
 * lies just past its page tables, memory we hand to the allocator later)
 * and call C. */
	.text
	.globl	xen_pv_entry
xen_pv_entry:
	cld
	rdtsc					/* allowed in ring 3 */
	mov	%eax, boot_entry_tsc
	mov	%edx, boot_entry_tsc + 4
	mov	$boot_stack_top, %rsp
	xor	%ebp, %ebp			/* ends every backtrace */
	mov	%rsi, %rdi
	call	xen_pv_start			/* (start_info): never returns */
1:	jmp	1b

/* ---- Data built by the assembler -------------------------------------- */

	.section .rodata
	.balign 8
boot_gdt:
	.quad	0				/* null descriptor */
	.quad	0x00af9a000000ffff		/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff		/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_descriptor:
	.short	boot_gdt_end - boot_gdt - 1
	.quad	boot_gdt

	.section .data
	.globl	boot_entry_tsc
	.balign 8
boot_entry_tsc:
	.quad	0

	/* Identity map of 0-4 GiB: PML4[0] -> PDPT[0..3] -> 4 PDs of 2 MiB
	 * pages.  The top GiB holds the LAPIC/IOAPIC and PCI MMIO, so it is
	 * mapped uncached. */
	.globl	boot_pml4
	.balign 4096
boot_pml4:
	.quad	boot_pdpt + PTE_PRESENT + PTE_WRITABLE
	.fill	511, 8, 0
boot_pdpt:
	.set	pd, 0
	.rept	IDENTITY_MAP_PDS
	.quad	boot_pd + pd * 4096 + PTE_PRESENT + PTE_WRITABLE
	.set	pd, pd + 1
	.endr
	.fill	512 - IDENTITY_MAP_PDS, 8, 0
boot_pd:
	.set	pde, 0
	.rept	IDENTITY_MAP_PDS * 512
	.if	pde >= MMIO_HOLE_FIRST_PDE
	.quad	(pde << 21) + PTE_PRESENT + PTE_WRITABLE + PTE_LARGE + PTE_PCD + PTE_PWT
	.else
	.quad	(pde << 21) + PTE_PRESENT + PTE_WRITABLE + PTE_LARGE
	.endif
	.set	pde, pde + 1
	.endr

	.section .bss
	.balign 16
boot_stack:
	.skip	BOOT_STACK_SIZE
	.globl	boot_stack_top
boot_stack_top:
