/*
 * main.h — the architecture-independent kernel entry.
 */
#ifndef PVKIT_KERNEL_MAIN_H
#define PVKIT_KERNEL_MAIN_H

/* Called by every entry path once boot_info is filled in. */
void kernel_main(void) __attribute__((noreturn));

#endif
