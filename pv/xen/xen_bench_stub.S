/*
 * xen_bench_stub.S — the pio-exit-call row of `bench=xen` (xen_bench.c).
 *
 * Under pvkit-hv --xen a hypercall stub is "mov $nr, %eax; out %eax, $port;
 * ret" (host/xen_hypercall_page.h).  This stub has the same three
 * instructions around a port exit nobody answers, and the bench calls it
 * with the same xen_call_stub() as a hypercall.  So null-hypercall minus
 * pio-exit-call is what pvkit-hv's hypercall handling costs, and
 * pio-exit-call minus pio-exit is what the call itself costs the guest.
 */
#include "pv/xen/xen_bench.h"

	.text
	.globl xen_bench_pio_stub
	.type xen_bench_pio_stub, @function
xen_bench_pio_stub:
	mov $XEN_BENCH_UNASSIGNED_PORT, %edx
	in %dx, %eax
	ret
	.size xen_bench_pio_stub, . - xen_bench_pio_stub
