/*
 * tests/host/suites.h — one function per test file of pvkit-hv's host
 * unit tests; each runs its tests through check_run().  main.c calls them.
 */
#ifndef PVKIT_TESTS_HOST_SUITES_H
#define PVKIT_TESTS_HOST_SUITES_H

void options_tests(void);
void loader_tests(void);
void io_bus_tests(void);
void uart_tests(void);
void pci_tests(void);
void cpuid_tests(void);
void ata_tests(void);
void hostile_tests(void);
void virtqueue_tests(void);
void virtqueue_packed_tests(void);
void virtio_blk_tests(void);
void virtio_pci_tests(void);
void virtio_devices_tests(void);
void xen_evtchn_tests(void);
void xen_domain_tests(void);
void xen_pages_tests(void);
void xenstore_tests(void);
void xenstore_ring_tests(void);
void xen_gnttab_tests(void);
void xen_blkback_tests(void);
void xen_netback_tests(void);

#endif
