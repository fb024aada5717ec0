/*
 * bench.h — in-guest benchmarks selected by `bench=NAME`.
 */
#ifndef PVKIT_KERNEL_BENCH_H
#define PVKIT_KERNEL_BENCH_H

#include <stdbool.h>

bool bench_requested(void);
void bench_run(void);

#endif
