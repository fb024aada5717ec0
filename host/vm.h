/*
 * vm.h — the KVM virtual machine: /dev/kvm, the VM, its RAM, the in-kernel
 * interrupt controllers and timer, and the one vCPU in its PVH start state.
 */
#ifndef PVKIT_HOST_VM_H
#define PVKIT_HOST_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

struct vm {
	int kvm_fd;                     /* /dev/kvm */
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;            /* shared with KVM: why KVM_RUN returned */
	size_t run_size;
	uint8_t *ram;                   /* guest-physical 0 is ram[0] */
	uint64_t ram_size;
	bool xen;                       /* --xen: Xen's CPUID leaves (set before vm_create) */
	uint32_t tsc_khz;               /* the guest's TSC rate (KVM_GET_TSC_KHZ), with xen */
};

/* Reserves guest RAM (anonymous, not touched: pages appear when used).
 * The VM is not created yet, so a kernel can be loaded without KVM. */
bool vm_alloc_ram(struct vm *vm, uint64_t ram_size, char *err, size_t err_len);

/* Opens /dev/kvm and creates the VM, its devices and vCPU 0 with the CPUID
 * table of host/cpuid.h. */
bool vm_create(struct vm *vm, char *err, size_t err_len);

/* Sets vCPU 0 up as a PVH loader leaves it: 32-bit protected mode, flat
 * segments, paging off, interrupts off, %eip = entry, %ebx = start_info. */
bool vm_set_pvh_entry(struct vm *vm, uint64_t entry, uint64_t start_info,
		      char *err, size_t err_len);

/* Makes a guest wrmsr to `msr` exit to pvkit-hv (KVM_EXIT_X86_WRMSR)
 * instead of being handled or refused by KVM: KVM_CAP_X86_USER_SPACE_MSR
 * and an MSR filter that denies that one write. */
bool vm_trap_msr_write(struct vm *vm, uint32_t msr, char *err, size_t err_len);

/* Shows the host page `page` (page-aligned, 4 KiB) at guest-physical gpa
 * in KVM memory slot `slot` (1 and up: slot 0 is RAM), or removes that
 * slot (page NULL).  False (errno set) if KVM refuses. */
bool vm_map_page(struct vm *vm, unsigned int slot, uint64_t gpa, void *page);

/* The guest's TSC now (KVM_GET_MSRS of IA32_TSC); 0 if KVM refuses. */
uint64_t vm_guest_tsc(struct vm *vm);

/* Drives interrupt line irq to level: an ISA line (0-15) reaches the
 * in-kernel PIC and I/O APIC, a GSI 16-23 only the I/O APIC. */
void vm_set_irq_line(struct vm *vm, unsigned int irq, int level);

/* Whether KVM has capability cap (KVM_CHECK_EXTENSION). */
bool vm_has_capability(struct vm *vm, int cap);

/* ioeventfd: makes KVM signal fd itself when the guest writes len bytes
 * (1, 2, 4 or 8) to guest-physical addr, instead of exiting to us; with
 * datamatch, only writes of that value.  assign false removes it again.
 * false (errno set) when KVM refuses or lacks KVM_CAP_IOEVENTFD. */
bool vm_ioeventfd(struct vm *vm, uint64_t addr, unsigned int len, bool datamatch,
		  uint64_t data, int fd, bool assign);

/* Delivers one MSI (the address/data pair from an MSI-X table entry) to
 * the in-kernel LAPIC with KVM_SIGNAL_MSI. */
void vm_signal_msi(struct vm *vm, uint64_t address, uint32_t data);

/* Closes and frees everything; safe on a partly set-up vm. */
void vm_destroy(struct vm *vm);
/* vm_destroy, leaving KVM's slow part to a short-lived child process. */
void vm_destroy_in_background(struct vm *vm);

#endif
