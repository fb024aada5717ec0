/*
 * xen_bench.h — `bench=xen`: what paravirtualization costs, measured from
 * inside the guest (docs/bench.md, docs/xen-pv.md).
 */
#ifndef PVKIT_PV_XEN_XEN_BENCH_H
#define PVKIT_PV_XEN_XEN_BENCH_H

/* Prints one `bench: NAME: ...` line per result; off Xen, one line
 * saying there is nothing to measure. */
void xen_bench_run(void);

#endif
