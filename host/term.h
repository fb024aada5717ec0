/*
 * term.h — puts the terminal on stdin into raw mode for the guest, and
 * restores it on every way out.
 */
#ifndef PVKIT_HOST_TERM_H
#define PVKIT_HOST_TERM_H

#include <stdbool.h>

/* If stdin is a terminal: raw input (no line editing, no echo), saving the
 * old settings.  Returns false if stdin must not be read at all: it is a
 * terminal and we run in the background (`pvkit-hv ... &`), where reading
 * or changing it would stop us with SIGTTIN/SIGTTOU. */
bool term_enter_raw(void);
/* Restores the saved settings; safe to call any number of times. */
void term_restore(void);

#endif
