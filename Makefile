# pvkit top-level build: the guest kernel image (build/pvkit.elf), host-side
# unit tests, and the test/bench/run entry points.  `make help` lists targets.

BUILD   := build
IMAGE   := $(BUILD)/pvkit.elf

# Missing Debian packages are installed by scripts/deps.sh (idempotent); the
# stamp makes a normal `make` skip the check once everything is present.
DEPS_STAMP := $(BUILD)/.deps-ok

CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif

# ---- guest kernel -----------------------------------------------------------
# Freestanding C: no host headers except the ABI headers (Xen's public headers
# from libxen-dev, Linux's uapi headers for KVM and virtio from linux-libc-dev),
# reached through links in build/include so that nothing else under
# /usr/include (no libc) is on the include path.
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-I. -I$(BUILD)/include -D__XEN_INTERFACE_VERSION__=0x00040d00 -MMD -MP
GUEST_ASFLAGS := $(GUEST_CFLAGS) -D__ASSEMBLY__
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,-T,arch/x86/kernel.ld

GUEST_DIRS := arch/x86 kernel lib net pv/virtio pv/xen tests/guest
GUEST_SRCS := $(foreach d,$(GUEST_DIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S))
GUEST_OBJS := $(patsubst %,$(BUILD)/guest/%.o,$(GUEST_SRCS))

.PHONY: all
all: $(IMAGE) $(BUILD)/pvkit-hv $(BUILD)/tools/disk-pattern $(BUILD)/tools/net-peer \
	$(BUILD)/tools/net-peer-static \
	$(BUILD)/tools/trivial-pvh.elf

$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(BUILD)
	@scripts/deps.sh --check >/dev/null 2>&1 || scripts/deps.sh
	@touch $@

ABI_HEADER_DIRS := xen=/usr/include/xen linux=/usr/include/linux \
	asm=/usr/include/x86_64-linux-gnu/asm asm-generic=/usr/include/asm-generic
ABI_HEADER_LINKS := $(foreach p,$(ABI_HEADER_DIRS),$(BUILD)/include/$(firstword $(subst =, ,$(p))))

$(ABI_HEADER_LINKS): | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/include
	ln -sfn $(lastword $(subst =, ,$(filter $(notdir $@)=%,$(ABI_HEADER_DIRS)))) $@

# `make V=1` shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/guest/%.c.o: %.c | $(ABI_HEADER_LINKS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest/%.S.o: %.S | $(ABI_HEADER_LINKS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@

$(IMAGE): $(GUEST_OBJS) arch/x86/kernel.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(GUEST_LDFLAGS) $(GUEST_OBJS) -o $@

-include $(GUEST_OBJS:.o=.d)

# ---- host side: pvkit-hv, unit tests, test tools ---------------------------------
include tests/unit/unit.mk
include host/host.mk

$(BUILD)/tools/disk-pattern: tests/tools/disk-pattern.c tests/tools/disk_pattern.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. $< -o $@

# The host on the guest's Ethernet that the harness and make bench talk to (docs/net.md).
$(BUILD)/tools/net-peer: tests/tools/net-peer.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror $< -o $@

# The same peer, linked statically, for dom0 in the real-Xen lab (its initramfs
# has no libc of ours): scripts/xen-lab.sh --net-peer runs it on the bridge there.
$(BUILD)/tools/net-peer-static: tests/tools/net-peer.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $< (static)")
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static $< -o $@

# A 32-bit PVH guest that prints one line and exits: the VMM-cost baseline of make bench.
$(BUILD)/tools/trivial-pvh.elf: tests/tools/trivial-pvh.S tests/tools/trivial-pvh.ld | $(ABI_HEADER_LINKS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) -E -I$(BUILD)/include $< | as --32 -o $(BUILD)/tools/trivial-pvh.o
	$(Q)ld -m elf_i386 -T tests/tools/trivial-pvh.ld -o $@ $(BUILD)/tools/trivial-pvh.o

# ---- entry points -------------------------------------------------------------
.PHONY: test run bench clean help
test: all unit host-tests
	scripts/test-all.sh

run: all
	scripts/run.sh $(ARGS)

bench: all
	scripts/bench.sh

clean:
	rm -rf $(BUILD)

help:
	@echo "make          build build/pvkit.elf, build/pvkit-hv and the test tools (installs missing Debian packages first)"
	@echo "make run      boot the image and show its boot report (ARGS='-- test=all' etc.)"
	@echo "make test     unit tests + the in-guest suite on every available host"
	@echo "make bench    boot times, pvkit-hv vs QEMU, disk throughput, UDP echo round trips, Xen PV vs PVH"
	@echo "make clean    remove build/"
