/*
 * vm.c — creating a KVM virtual machine, in the order KVM wants it:
 *
 *   open /dev/kvm, KVM_GET_API_VERSION (must be 12)
 *   KVM_CREATE_VM
 *   KVM_SET_IDENTITY_MAP_ADDR, KVM_SET_TSS_ADDR   (Intel VMX needs both, before any vCPU)
 *   KVM_SET_USER_MEMORY_REGION                    (guest RAM = our anonymous mapping)
 *   KVM_CREATE_IRQCHIP                            (PIC, I/O APIC, and a LAPIC per vCPU)
 *   KVM_CREATE_PIT2                               (the 8254 timer, in the kernel)
 *   KVM_CREATE_VCPU, mmap its struct kvm_run
 *   KVM_SET_CPUID2, KVM_SET_SREGS, KVM_SET_REGS   (then KVM_RUN, in vcpu.c)
 *
 * The in-kernel irqchip resets the LAPIC when the vCPU is created, and
 * handles HLT, the APIC timer and interrupt delivery without leaving the
 * kernel, so only port and MMIO accesses to our own devices reach pvkit-hv.
 */
#define _GNU_SOURCE             /* close_range */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host/error.h"
#include "host/cpuid.h"
#include "host/layout.h"
#include "host/vm.h"

#define KVM_DEVICE              "/dev/kvm"
#define CPUID_MAX_ENTRIES       256     /* KVM's KVM_MAX_CPUID_ENTRIES */
#define CPUID_EXTRA_ENTRIES     8       /* room for the leaves we add */

/* A failed ioctl, named, with errno's text. */
static bool fail_ioctl(char *err, size_t err_len, const char *what)
{
	return error_set(err, err_len, "%s: %s: %s", KVM_DEVICE, what, strerror(errno));
}

bool vm_alloc_ram(struct vm *vm, uint64_t ram_size, char *err, size_t err_len)
{
	*vm = (struct vm){ .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (ram == MAP_FAILED)
		return error_set(err, err_len, "cannot reserve %llu MiB of guest RAM: %s",
			    (unsigned long long)(ram_size / MiB), strerror(errno));
	/* A fork (see vm_destroy_in_background) must not copy guest RAM. */
	madvise(ram, ram_size, MADV_DONTFORK);
	vm->ram = ram;
	vm->ram_size = ram_size;
	return true;
}

static bool open_kvm(struct vm *vm, char *err, size_t err_len)
{
	vm->kvm_fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		const char *hint = errno == ENOENT ? " (is the kvm module loaded?)" :
				   errno == EACCES ? " (are you in the kvm group?)" : "";

		return error_set(err, err_len, "%s: %s%s", KVM_DEVICE, strerror(errno), hint);
	}
	int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);

	if (version != KVM_API_VERSION)
		return error_set(err, err_len, "%s: KVM API version %d, expected %d", KVM_DEVICE,
			    version, KVM_API_VERSION);
	return true;
}

static bool require_capability(struct vm *vm, int cap, const char *name,
			       char *err, size_t err_len)
{
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap) > 0)
		return true;
	return error_set(err, err_len, "%s: this KVM lacks %s", KVM_DEVICE, name);
}

static bool check_capabilities(struct vm *vm, char *err, size_t err_len)
{
	return require_capability(vm, KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", err, err_len) &&
	       require_capability(vm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", err, err_len) &&
	       require_capability(vm, KVM_CAP_PIT2, "KVM_CAP_PIT2", err, err_len) &&
	       require_capability(vm, KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", err, err_len) &&
	       require_capability(vm, KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT",
				  err, err_len);
}

/* The two pages VMX needs in guest-physical space; harmless elsewhere. */
static bool set_vmx_areas(struct vm *vm, char *err, size_t err_len)
{
	uint64_t identity_map = LAYOUT_KVM_IDENTITY_MAP;

	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity_map) < 0)
		return fail_ioctl(err, err_len, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_KVM_TSS) < 0)
		return fail_ioctl(err, err_len, "KVM_SET_TSS_ADDR");
	return true;
}

static bool add_ram(struct vm *vm, char *err, size_t err_len)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail_ioctl(err, err_len, "KVM_SET_USER_MEMORY_REGION");
	return true;
}

/* PIC + I/O APIC + LAPIC, and the PIT with a dummy speaker port (0x61) so
 * the classic "PIT channel 2 gate" calibration loop works. */
static bool create_irqchip_and_pit(struct vm *vm, char *err, size_t err_len)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail_ioctl(err, err_len, "KVM_CREATE_IRQCHIP");
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return fail_ioctl(err, err_len, "KVM_CREATE_PIT2");
	return true;
}

static bool create_vcpu(struct vm *vm, char *err, size_t err_len)
{
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		return fail_ioctl(err, err_len, "KVM_CREATE_VCPU");
	int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (size < (int)sizeof(struct kvm_run))
		return fail_ioctl(err, err_len, "KVM_GET_VCPU_MMAP_SIZE");
	void *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vm->vcpu_fd, 0);

	if (run == MAP_FAILED)
		return fail_ioctl(err, err_len, "mmap of the vCPU's kvm_run");
	vm->run = run;
	vm->run_size = (size_t)size;
	return true;
}

/* Xen's CPUID states the guest's TSC rate (its pvclock needs it too). */
static bool read_tsc_khz(struct vm *vm)
{
	int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);

	if (khz <= 0)
		return false;
	vm->tsc_khz = (uint32_t)khz;
	return true;
}

static bool set_cpuid(struct vm *vm, char *err, size_t err_len)
{
	unsigned int capacity = CPUID_MAX_ENTRIES + CPUID_EXTRA_ENTRIES;
	struct kvm_cpuid2 *table = calloc(1, sizeof(*table) +
					  capacity * sizeof(table->entries[0]));
	bool ok = false;

	if (table == NULL)
		return error_set(err, err_len, "out of memory");
	table->nent = CPUID_MAX_ENTRIES;
	bool tsc_deadline = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
				  KVM_CAP_TSC_DEADLINE_TIMER) > 0;

	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, table) < 0)
		fail_ioctl(err, err_len, "KVM_GET_SUPPORTED_CPUID");
	else if (vm->xen && !read_tsc_khz(vm))
		fail_ioctl(err, err_len, "KVM_GET_TSC_KHZ");
	else if (vm->xen && !cpuid_install_xen_leaves(table, capacity, tsc_deadline, vm->tsc_khz))
		error_set(err, err_len, "CPUID table full");
	else if (!vm->xen && !cpuid_install_hypervisor_leaves(table, capacity, tsc_deadline))
		error_set(err, err_len, "CPUID table full");
	else if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, table) < 0)
		fail_ioctl(err, err_len, "KVM_SET_CPUID2");
	else
		ok = true;
	free(table);
	return ok;
}

bool vm_create(struct vm *vm, char *err, size_t err_len)
{
	if (!open_kvm(vm, err, err_len) || !check_capabilities(vm, err, err_len))
		return false;
	do
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0)
		return fail_ioctl(err, err_len, "KVM_CREATE_VM");
	return set_vmx_areas(vm, err, err_len) && add_ram(vm, err, err_len) &&
	       create_irqchip_and_pit(vm, err, err_len) && create_vcpu(vm, err, err_len) &&
	       set_cpuid(vm, err, err_len);
}

/* A flat 4 GiB segment: base 0, limit 4 GiB - 1 in 4 KiB units (G=1), 32-bit (DB=1). */
static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

#define SEG_TYPE_CODE_EXEC_READ_ACCESSED 0xb
#define SEG_TYPE_DATA_READ_WRITE_ACCESSED 0x3
#define SEG_TYPE_TSS32_BUSY             0xb
#define CR0_PE                          (1u << 0)
#define CR0_ET                          (1u << 4)
#define RFLAGS_RESERVED_BIT1            0x2

bool vm_set_pvh_entry(struct vm *vm, uint64_t entry, uint64_t start_info,
		      char *err, size_t err_len)
{
	struct kvm_sregs sregs;

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return fail_ioctl(err, err_len, "KVM_GET_SREGS");
	sregs.cs = flat_segment(0x10, SEG_TYPE_CODE_EXEC_READ_ACCESSED);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss =
		flat_segment(0x18, SEG_TYPE_DATA_READ_WRITE_ACCESSED);
	/* PVH asks for a 32-bit TSS with base 0 and limit 0x67 in TR. */
	sregs.tr = (struct kvm_segment){ .base = 0, .limit = 0x67, .selector = 0x20,
					 .type = SEG_TYPE_TSS32_BUSY, .present = 1 };
	sregs.cr0 = CR0_PE | CR0_ET;
	sregs.cr3 = 0;
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return fail_ioctl(err, err_len, "KVM_SET_SREGS");

	struct kvm_regs regs = { .rip = entry, .rbx = start_info,
				 .rflags = RFLAGS_RESERVED_BIT1 };

	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return fail_ioctl(err, err_len, "KVM_SET_REGS");
	return true;
}

bool vm_trap_msr_write(struct vm *vm, uint32_t msr, char *err, size_t err_len)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR, .args = { KVM_MSR_EXIT_REASON_FILTER },
	};
	uint8_t deny = 0;               /* bit 0 clear: this MSR's writes are refused... */
	struct kvm_msr_filter filter = {
		.flags = KVM_MSR_FILTER_DEFAULT_ALLOW,  /* ...and every other MSR's allowed */
		.ranges[0] = { .flags = KVM_MSR_FILTER_WRITE, .nmsrs = 1, .base = msr,
			       .bitmap = &deny },
	};

	if (!require_capability(vm, KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR",
				err, err_len) ||
	    !require_capability(vm, KVM_CAP_X86_MSR_FILTER, "KVM_CAP_X86_MSR_FILTER", err, err_len))
		return false;
	/* ...and a refused one exits to us instead of raising #GP. */
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return fail_ioctl(err, err_len, "KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR)");
	if (ioctl(vm->vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0)
		return fail_ioctl(err, err_len, "KVM_X86_SET_MSR_FILTER");
	return true;
}

bool vm_map_page(struct vm *vm, unsigned int slot, uint64_t gpa, void *page)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot, .guest_phys_addr = gpa,
		.memory_size = page ? 4096 : 0,         /* size 0 deletes the slot */
		.userspace_addr = (uintptr_t)page,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) == 0;
}

#define MSR_IA32_TSC    0x10

uint64_t vm_guest_tsc(struct vm *vm)
{
	struct {
		struct kvm_msrs header;
		struct kvm_msr_entry entry;
	} msrs = { .header.nmsrs = 1, .entry.index = MSR_IA32_TSC };

	if (ioctl(vm->vcpu_fd, KVM_GET_MSRS, &msrs) != 1)
		return 0;
	return msrs.entry.data;
}

void vm_set_irq_line(struct vm *vm, unsigned int irq, int level)
{
	struct kvm_irq_level line = { .irq = irq, .level = level ? 1 : 0 };

	if (vm->vm_fd >= 0 && ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) < 0)
		fprintf(stderr, "pvkit-hv: KVM_IRQ_LINE %u: %s\n", irq, strerror(errno));
}

bool vm_has_capability(struct vm *vm, int cap)
{
	return vm->kvm_fd >= 0 && ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

bool vm_ioeventfd(struct vm *vm, uint64_t addr, unsigned int len, bool datamatch,
		  uint64_t data, int fd, bool assign)
{
	struct kvm_ioeventfd ioeventfd = {
		.datamatch = data, .addr = addr, .len = len, .fd = fd,
		.flags = (datamatch ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	if (!vm_has_capability(vm, KVM_CAP_IOEVENTFD)) {
		errno = ENOTSUP;
		return false;
	}
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &ioeventfd) == 0;
}

void vm_signal_msi(struct vm *vm, uint64_t address, uint32_t data)
{
	struct kvm_msi msi = {
		.address_lo = (uint32_t)address, .address_hi = (uint32_t)(address >> 32),
		.data = data,
	};

	/* 0: the interrupt was blocked by the guest (a masked or disabled
	 * LAPIC): not an error for the device, which did its part. */
	if (vm->vm_fd >= 0 && ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		fprintf(stderr, "pvkit-hv: KVM_SIGNAL_MSI (address %#llx data %#x): %s\n",
			(unsigned long long)address, data, strerror(errno));
}

void vm_destroy(struct vm *vm)
{
	if (vm->run != NULL)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->ram != NULL)
		munmap(vm->ram, vm->ram_size);
	*vm = (struct vm){ .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
}

/*
 * Closing a VM that has KVM's in-kernel interrupt controllers takes 13-25 ms
 * here (KVM waits for grace periods before it frees their routing), while
 * everything else pvkit-hv does at exit takes well under a millisecond.  By
 * now the guest is finished and its output and disks are flushed, so a child
 * process takes over the last references to the VM and pays that wait, and
 * our exit status reaches whoever is waiting at once.  The child keeps no
 * other descriptor: nobody reading our output waits for it.
 */
static int compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void vm_destroy_in_background(struct vm *vm)
{
	pid_t pid = vm->vm_fd >= 0 ? fork() : -1;

	if (pid == 0) {
		int keep[3] = { vm->kvm_fd, vm->vm_fd, vm->vcpu_fd };
		int next = 0;

		qsort(keep, 3, sizeof(keep[0]), compare_ints);
		for (int i = 0; i < 3; i++) {
			if (keep[i] > next)
				close_range((unsigned int)next, (unsigned int)keep[i] - 1, 0);
			if (keep[i] >= next)
				next = keep[i] + 1;
		}
		close_range((unsigned int)next, ~0u, 0);
		_exit(0);               /* closing the VM happens here */
	}
	vm_destroy(vm);                 /* drops our references (or all, if fork failed) */
}
