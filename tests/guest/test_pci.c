/*
 * test_pci.c — PCI enumeration finds the host bridge where there is one.
 */
#include "arch/x86/pci.h"
#include <stddef.h>

#include "kernel/test.h"

#define PCI_CLASS_BRIDGE        0x06
#define PCI_SUBCLASS_HOST       0x00
#define PCI_REG_ID              0x00

TEST(pci, enumeration_finds_host_bridge)
{
	if (!pci_config_present())
		SKIP("no PCI configuration mechanism #1 on this machine");
	unsigned int count = pci_enumerate();

	CHECK(count > 0);
	const struct pci_device *first = pci_device_at(0);

	CHECK(first != NULL);
	CHECK_EQ(first->bus, 0);
	CHECK_EQ(first->slot, 0);
	CHECK_EQ(first->class_code, PCI_CLASS_BRIDGE);
	CHECK_EQ(first->subclass, PCI_SUBCLASS_HOST);
}

TEST(pci, every_device_answers_its_config_space)
{
	if (!pci_config_present())
		SKIP("no PCI configuration mechanism #1 on this machine");
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_device *d = pci_device_at(i);
		uint32_t id = pci_config_read32(d->bus, d->slot, d->function, PCI_REG_ID);

		CHECK(d->vendor_id != 0xffff);
		CHECK_EQ(id & 0xffff, d->vendor_id);
		CHECK_EQ(id >> 16, d->device_id);
	}
	CHECK_EQ(pci_enumerate(), pci_device_count());
}

TEST(pci, absent_function_reads_all_ones)
{
	if (!pci_config_present())
		SKIP("no PCI configuration mechanism #1 on this machine");
	/* Bus 255, slot 31, function 7 exists on no machine we boot on. */
	CHECK_EQ(pci_config_read32(255, 31, 7, PCI_REG_ID), 0xffffffffu);
}
