/*
 * debug_exit.c — the debug-exit port (see host/debug_exit.h).
 *
 * Any write, of any width, at any of the four ports, ends the run; the low
 * byte of the value is the status.  Reads return all-ones, as from a port
 * with nothing behind it for reading.
 */
#include "host/debug_exit.h"
#include "host/trace.h"

static uint64_t debug_exit_read(void *opaque, uint64_t offset, unsigned int size)
{
	(void)opaque;
	(void)offset;
	return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static void debug_exit_write(void *opaque, uint64_t offset, unsigned int size,
			     uint64_t value)
{
	(void)offset;
	(void)size;
	TRACE("debug-exit: guest exit status %u", (unsigned int)(value & 0xff));
	stop_request_set(opaque, (int)(value & 0xff));
}

struct io_region debug_exit_io_region(struct stop_request *stop)
{
	return (struct io_region){
		.name = "debug-exit", .base = DEBUG_EXIT_PORT,
		.length = DEBUG_EXIT_PORT_COUNT, .opaque = stop,
		.read = debug_exit_read, .write = debug_exit_write,
	};
}
