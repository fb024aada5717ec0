/*
 * pit.c — measures the TSC against the PIT's fixed 1.193182 MHz clock.
 *
 * We let channel 0 count down freely (mode 2, reload 65536) and read its
 * counter with latch commands, adding up how far it moved, until 5 ms of
 * PIT time have passed; the TSC cycles over the same span give its rate.
 * Channel 0 works on every PC-like machine, including QEMU's microvm, which
 * lacks the port 0x61 gate that the channel-2 method needs.  Its interrupt
 * line is masked (arch/x86/pic.c, ioapic.c), so no ticks are delivered.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/pit.h"

#define PIT_HZ                  1193182u
#define PIT_CHANNEL0            0x40
#define PIT_COMMAND             0x43
#define CMD_CHANNEL0_LATCH      0x00
#define CMD_CHANNEL0_LOHI_MODE0 0x30    /* one-shot: stops after one expiry */
#define CMD_CHANNEL0_LOHI_MODE2 0x34    /* rate generator: reloads forever */
#define CALIBRATION_PIT_TICKS   (PIT_HZ / 200)  /* 5 ms */
#define MAX_POLLS               1000000 /* an absent PIT never moves */

static uint16_t read_channel0(void)
{
	outb(PIT_COMMAND, CMD_CHANNEL0_LATCH);
	uint8_t low = inb(PIT_CHANNEL0);

	return (uint16_t)(low | inb(PIT_CHANNEL0) << 8);
}

static void load_channel0(uint8_t command, uint16_t count)
{
	outb(PIT_COMMAND, command);
	outb(PIT_CHANNEL0, count & 0xff);
	outb(PIT_CHANNEL0, count >> 8);
}

uint64_t pit_measure_tsc_hz(void)
{
	uint32_t pit_ticks = 0;
	int polls = 0;

	load_channel0(CMD_CHANNEL0_LOHI_MODE2, 0);      /* 0 means 65536 */
	uint16_t previous = read_channel0();
	uint64_t start = rdtsc();

	while (pit_ticks < CALIBRATION_PIT_TICKS && polls++ < MAX_POLLS) {
		uint16_t now = read_channel0();

		pit_ticks += (uint16_t)(previous - now);        /* counts down, wraps */
		previous = now;
	}
	uint64_t cycles = rdtsc() - start;

	load_channel0(CMD_CHANNEL0_LOHI_MODE0, 1);      /* stop it reloading */
	if (pit_ticks < CALIBRATION_PIT_TICKS)
		return 0;
	return cycles * PIT_HZ / pit_ticks;
}
