/*
 * idt.h — the native interrupt descriptor table.
 */
#ifndef PVKIT_ARCH_X86_IDT_H
#define PVKIT_ARCH_X86_IDT_H

#include <stddef.h>

#include "kernel/platform.h"

void idt_install(const struct trap_gate *gates, size_t count);

#endif
