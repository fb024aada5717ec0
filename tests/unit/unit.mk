# tests/unit/unit.mk - host-side unit tests for lib/, included by the
# top-level Makefile (which defines BUILD and CC).
#
#   make unit       build $(BUILD)/unit/lib-tests
#   make unit-run   build and run it (TAP on stdout, exit 0 iff all pass)
#
# lib/*.c is compiled a second time, for the host, under $(BUILD)/unit/
# (the kernel's copies live under $(BUILD)/guest/).  The forced include of
# lib-rename.h renames lib's memcpy, snprintf... to lib_memcpy,
# lib_snprintf... so they can live next to glibc's; -fno-builtin keeps gcc
# from swapping our code for its own built-in versions.

UNIT_DIR     := $(BUILD)/unit
UNIT_BIN     := $(UNIT_DIR)/lib-tests
UNIT_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -I. -MMD -MP
UNIT_LIB_CFLAGS := $(UNIT_CFLAGS) -fno-builtin -include tests/unit/lib-rename.h

UNIT_LIB_OBJS  := $(patsubst %.c,$(UNIT_DIR)/%.o,$(wildcard lib/*.c))
UNIT_TEST_OBJS := $(patsubst %.c,$(UNIT_DIR)/%.o,$(wildcard tests/unit/*.c))

.PHONY: unit unit-run
unit: $(UNIT_BIN)

unit-run: $(UNIT_BIN)
	$(UNIT_BIN)

$(UNIT_BIN): $(UNIT_LIB_OBJS) $(UNIT_TEST_OBJS)
	$(CC) $(UNIT_CFLAGS) $^ -o $@

$(UNIT_DIR)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_LIB_CFLAGS) -c $< -o $@

$(UNIT_DIR)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -c $< -o $@

-include $(UNIT_LIB_OBJS:.o=.d) $(UNIT_TEST_OBJS:.o=.d)
