/*
 * term.c — raw terminal mode for the guest's console.
 *
 * The guest's UART should see every key as it is typed, so line editing
 * (ICANON), echo and input translations are turned off.  Two settings are
 * kept on purpose: ISIG, so Ctrl-C still stops pvkit-hv (exit 255), and
 * output processing, so pvkit-hv's own messages, which end in "\n", still
 * start at the left margin (the guest itself sends "\r\n").
 */
#include <stdbool.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "host/term.h"

static struct termios saved;
static bool saved_valid;
static bool restore_registered;

void term_restore(void)
{
	if (saved_valid) {
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
		saved_valid = false;
	}
}

bool term_enter_raw(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO))
		return true;            /* a file or a pipe: read it as it is */
	if (tcgetpgrp(STDIN_FILENO) != getpgrp())
		return false;           /* the terminal belongs to someone else now */
	if (saved_valid || tcgetattr(STDIN_FILENO, &saved) < 0)
		return true;
	raw = saved;
	raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
	raw.c_cflag = (raw.c_cflag & ~(CSIZE | PARENB)) | CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
		saved_valid = true;
		if (!restore_registered)        /* a safety net: main restores it itself */
			restore_registered = atexit(term_restore) == 0;
	}
	return true;
}
