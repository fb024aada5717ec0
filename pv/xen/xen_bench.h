/*
 * xen_bench.h — `bench=xen`: what paravirtualization costs, measured from
 * inside the guest (docs/bench.md, docs/xen-pv.md).
 */
#ifndef PVKIT_PV_XEN_XEN_BENCH_H
#define PVKIT_PV_XEN_XEN_BENCH_H

/* A port no PC device, no Xen and no pvkit-hv device claims: the pio-exit
 * rows read it (xen_bench.c, xen_bench_stub.S). */
#define XEN_BENCH_UNASSIGNED_PORT 0x2f0

#ifndef __ASSEMBLER__
/* Prints one `bench: NAME: ...` line per result; off Xen, one line
 * saying there is nothing to measure. */
void xen_bench_run(void);

/* xen_bench_stub.S: a stub shaped like a hypercall stub whose exit is a
 * bare `in` from XEN_BENCH_UNASSIGNED_PORT; call it with xen_call_stub2(), as xen_version is called. */
extern const char xen_bench_pio_stub[];
#endif

#endif
