/*
 * tests/host/main.c — entry point of build/host-tests/host-unit-tests:
 * pvkit-hv's device models, loader and option parser, tested without KVM.
 * Prints TAP; exits 0 iff every test passed.
 */
#include "tests/host/suites.h"
#include "tests/unit/check.h"

int main(void)
{
	options_tests();
	loader_tests();
	io_bus_tests();
	uart_tests();
	pci_tests();
	cpuid_tests();
	ata_tests();
	hostile_tests();
	virtqueue_tests();
	virtqueue_packed_tests();
	virtio_blk_tests();
	virtio_pci_tests();
	virtio_devices_tests();
	xen_evtchn_tests();
	xen_domain_tests();
	xen_pages_tests();
	xenstore_tests();
	xenstore_ring_tests();
	xen_gnttab_tests();
	xen_blkback_tests();
	xen_netback_tests();
	return check_finish();
}
