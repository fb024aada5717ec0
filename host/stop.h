/*
 * stop.h — how a device (the debug-exit port) or the run loop says "the
 * run is over, with this exit status".  The vCPU loop checks it after
 * every exit.
 */
#ifndef PVKIT_HOST_STOP_H
#define PVKIT_HOST_STOP_H

#include <stdbool.h>

struct stop_request {
	bool requested;
	int exit_status;
};

static inline void stop_request_set(struct stop_request *stop, int exit_status)
{
	if (!stop->requested) {         /* the first reason wins */
		stop->requested = true;
		stop->exit_status = exit_status;
	}
}

#endif
