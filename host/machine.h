/*
 * machine.h — the whole virtual PC of pvkit-hv: builds it from the
 * options, runs it, and takes it down again on every way out.
 */
#ifndef PVKIT_HOST_MACHINE_H
#define PVKIT_HOST_MACHINE_H

#include "host/options.h"

/* Returns pvkit-hv's exit status (host/exit_codes.h). */
int machine_run(const struct options *opts);

#endif
