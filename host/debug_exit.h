/*
 * debug_exit.h — the debug-exit port (0xf4, like QEMU's isa-debug-exit
 * with iosize=4): a guest write of v ends the run with exit status
 * v & 0xff, unchanged (QEMU would exit with (v << 1) | 1).
 */
#ifndef PVKIT_HOST_DEBUG_EXIT_H
#define PVKIT_HOST_DEBUG_EXIT_H

#include "host/io.h"
#include "host/stop.h"

#define DEBUG_EXIT_PORT         0xf4
#define DEBUG_EXIT_PORT_COUNT   4

/* The port range; writes set *stop. */
struct io_region debug_exit_io_region(struct stop_request *stop);

#endif
