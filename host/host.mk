# host/host.mk — builds pvkit-hv, our minimal KVM hypervisor, and its tests.
# Included by the top-level Makefile, which defines BUILD, CC and Q.
#
#   $(BUILD)/pvkit-hv                        the hypervisor (-O2)
#   $(BUILD)/host-tests/pvkit-hv-asan        the same sources under ASan + UBSan
#   $(BUILD)/host-tests/host-unit-tests      tests/host/*.c against host/*.c (ASan + UBSan)
#   make host-tests                          builds both test binaries
#
# The unit tests link every host/*.c except main.c, so the code they test
# is exactly the code pvkit-hv runs.  tests/host/cli-tests.sh runs the
# ASan binary end to end.

HV_BIN          := $(BUILD)/pvkit-hv
HV_ASAN_BIN     := $(BUILD)/host-tests/pvkit-hv-asan
HV_UNIT_BIN     := $(BUILD)/host-tests/host-unit-tests

HV_SRCS         := $(wildcard host/*.c)
HV_LIB_SRCS     := $(filter-out host/main.c,$(HV_SRCS))
HV_TEST_SRCS    := $(wildcard tests/host/*.c) tests/unit/check.c

HV_CFLAGS       := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -MMD -MP
HV_ASAN_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. -MMD -MP \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

HV_OBJS         := $(patsubst host/%.c,$(BUILD)/host/%.o,$(HV_SRCS))
HV_ASAN_OBJS    := $(patsubst %.c,$(BUILD)/host-tests/%.o,$(HV_SRCS))
HV_ASAN_LIB_OBJS := $(patsubst %.c,$(BUILD)/host-tests/%.o,$(HV_LIB_SRCS))
HV_TEST_OBJS    := $(patsubst %.c,$(BUILD)/host-tests/%.o,$(HV_TEST_SRCS))

.PHONY: pvkit-hv host-tests
pvkit-hv: $(HV_BIN)
host-tests: $(HV_ASAN_BIN) $(HV_UNIT_BIN)

$(HV_BIN): $(HV_OBJS)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(CC) $(HV_CFLAGS) $^ -o $@

$(HV_ASAN_BIN): $(HV_ASAN_OBJS)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(CC) $(HV_ASAN_CFLAGS) $^ -o $@

$(HV_UNIT_BIN): $(HV_ASAN_LIB_OBJS) $(HV_TEST_OBJS)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(CC) $(HV_ASAN_CFLAGS) $^ -o $@

$(BUILD)/host/%.o: host/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/host-tests/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $< (asan)")
	$(Q)$(CC) $(HV_ASAN_CFLAGS) -c $< -o $@

-include $(HV_OBJS:.o=.d) $(HV_ASAN_OBJS:.o=.d) $(HV_TEST_OBJS:.o=.d)
