/*
 * cmdline.c — splits the command line into "name" and "name=value" words
 * and hands each to the option that registered the name.
 */
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "lib/ctype.h"
#include "lib/string.h"

#define WORD_MAX 256

extern const struct cmdline_option __cmdline_options_start[], __cmdline_options_end[];

static const struct cmdline_option *find_option(const char *name)
{
	for (const struct cmdline_option *o = __cmdline_options_start;
	     o < __cmdline_options_end; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static bool apply_word(char *word)
{
	char *equals = strchr(word, '=');
	const char *value = NULL;

	if (equals) {
		*equals = '\0';
		value = equals + 1;
	}
	const struct cmdline_option *option = find_option(word);

	if (!option) {
		printk("pvkit: unknown command-line option '%s%s%s' (known options:",
		       word, value ? "=" : "", value ? value : "");
		for (const struct cmdline_option *o = __cmdline_options_start;
		     o < __cmdline_options_end; o++)
			printk(" %s", o->name);
		printk(")\n");
		return false;
	}
	if (!option->set(value)) {
		printk("pvkit: bad value %s%s%s for command-line option '%s': %s\n",
		       value ? "'" : "(none)", value ? value : "", value ? "'" : "",
		       option->name, option->help);
		return false;
	}
	return true;
}

int cmdline_choice(const char *value, const char *const *names, unsigned int count)
{
	for (unsigned int i = 0; value && i < count; i++)
		if (strcmp(value, names[i]) == 0)
			return (int)i;
	return -1;
}

bool cmdline_parse(const char *cmdline)
{
	bool ok = true;
	const char *p = cmdline;

	for (;;) {
		char word[WORD_MAX];
		size_t len = 0;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return ok;
		while (*p && !isspace((unsigned char)*p)) {
			if (len + 1 < sizeof(word))
				word[len++] = *p;
			p++;
		}
		word[len] = '\0';
		if (len + 1 == sizeof(word)) {
			printk("pvkit: command-line word '%.32s...' is longer than %d bytes\n",
			       word, WORD_MAX - 1);
			ok = false;
			continue;
		}
		ok = apply_word(word) && ok;
	}
}

void cmdline_print_help(void)
{
	printk("command-line options:\n");
	for (const struct cmdline_option *o = __cmdline_options_start;
	     o < __cmdline_options_end; o++)
		printk("  %-12s %s\n", o->name, o->help);
}
