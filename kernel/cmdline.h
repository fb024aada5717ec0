/*
 * cmdline.h — kernel command-line options.
 *
 * Each option registers itself where it is used, with CMDLINE_OPTION; the
 * parser looks names up in that table.  A name nobody registered, or a value
 * its handler rejects, is reported and stops the boot: a typo must not be
 * silently ignored.
 */
#ifndef PVKIT_KERNEL_CMDLINE_H
#define PVKIT_KERNEL_CMDLINE_H

#include <stdbool.h>

struct cmdline_option {
	const char *name;
	/* value is NULL for a bare "name"; return false to reject it.  The
	 * string lives only during the call: copy what you keep. */
	bool (*set)(const char *value);
	const char *help;
};

#define CMDLINE_OPTION(ident, name_, set_, help_)                             \
	static const struct cmdline_option cmdline_option_##ident             \
	__attribute__((used, section("pvkit_cmdline_options"), aligned(8))) = \
		{ .name = name_, .set = set_, .help = help_ }

/* For options that take one of a few words: the index of `value` in
 * names[0..count-1], or -1 (also for a bare name, value NULL). */
int cmdline_choice(const char *value, const char *const *names, unsigned int count);

/* Parses the whole line; prints every problem; false if there was any. */
bool cmdline_parse(const char *cmdline);
void cmdline_print_help(void);

#endif
