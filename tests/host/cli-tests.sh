#!/bin/bash
# tests/host/cli-tests.sh — end-to-end tests of pvkit-hv's command line,
# exit codes and guest runs, printed as TAP ("ok N name", "1..N").
#
#   tests/host/cli-tests.sh [PVKIT_HV [IMAGE]]
#
# PVKIT_HV defaults to the ASan + UBSan build (build/host-tests/pvkit-hv-asan),
# IMAGE to build/pvkit.elf.  Tests that need a working /dev/kvm are
# reported as "# SKIP" when it is not usable; tests that need a tiny
# hand-made guest (an endless loop, a triple fault) need as and ld.
# Exits 0 iff no test failed.
set -euo pipefail

HV=${1:-${PVKIT_HV:-build/host-tests/pvkit-hv-asan}}
IMAGE=${2:-${PVKIT_IMAGE:-build/pvkit.elf}}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

count=0
failed=0

pass() { count=$((count + 1)); echo "ok $count $1"; }
fail() { count=$((count + 1)); failed=$((failed + 1)); echo "not ok $count $1 # $2"; }
skip() { count=$((count + 1)); echo "ok $count $1 # SKIP $2"; }

# run ARGS...: runs pvkit-hv with stdin from /dev/null; sets $rc, and
# leaves its output in $TMP/out and $TMP/err.
run() {
	rc=0
	"$HV" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || rc=$?
}

# expect NAME STATUS PATTERN FILE ARGS...: pvkit-hv ARGS exits with STATUS
# and FILE (out or err) contains PATTERN (a grep -E expression).
expect() {
	local name=$1 status=$2 pattern=$3 file=$4
	shift 4
	run "$@"
	if [ "$rc" != "$status" ]; then
		fail "$name" "exit status $rc, expected $status: $(head -c 300 "$TMP/err" | tr '\n' ' ')"
	elif ! grep -Eq -- "$pattern" "$TMP/$file"; then
		fail "$name" "no '$pattern' in std$file: $(head -c 300 "$TMP/$file" | tr '\n' ' ')"
	else
		pass "$name"
	fi
}

if [ ! -x "$HV" ] || [ ! -f "$IMAGE" ]; then
	echo "Bail out! $HV or $IMAGE is missing (make host-tests, make)"
	exit 1
fi

# ---- options and images: no KVM needed -----------------------------------
printf 'just text\n' >"$TMP/text.elf"
head -c 20000 "$IMAGE" >"$TMP/truncated.elf"

expect "cli.help" 0 "^Usage: pvkit-hv" out --help
expect "cli.version" 0 "^pvkit-hv [0-9]" out --version
expect "cli.unknown_option" 250 "unknown option '--frobnicate'" err --frobnicate "$IMAGE"
expect "cli.missing_value" 250 "--mem needs a value" err "$IMAGE" --mem
expect "cli.mem_too_small" 250 "too small" err --mem 1K "$IMAGE"
expect "cli.mem_bad_suffix" 250 "not a size" err --mem 12Q "$IMAGE"
expect "cli.timeout_not_a_number" 250 "not a whole number" err --timeout soon "$IMAGE"
expect "cli.no_kernel" 250 "no kernel image given" err --trace
expect "cli.kernel_missing" 251 "/nonexistent/kernel.elf: No such file" err /nonexistent/kernel.elf
expect "cli.kernel_is_text" 251 "not an ELF file" err "$TMP/text.elf"
expect "cli.kernel_truncated" 251 "extends beyond the end of the file" err "$TMP/truncated.elf"
expect "cli.disk_missing" 250 "--disk: .*/no-such-disk.img" err --disk "$TMP/no-such-disk.img" "$IMAGE"
expect "cli.help_lists_virtio" 0 "--virtio-blk FILE" out --help
expect "cli.virtio_blk_missing" 250 "--virtio-blk: .*/no-such-disk.img: No such file" err \
	--virtio-blk "$TMP/no-such-disk.img" "$IMAGE"
expect "cli.virtio_blk_needs_value" 250 "--virtio-blk needs a value" err "$IMAGE" --virtio-blk
expect "cli.virtio_bad_transport" 250 "transport 'isa' is not mmio or pci" err \
	--virtio-rng=transport=isa "$IMAGE"
expect "cli.virtio_unknown_parameter" 250 "unknown parameter 'colour=red'" err \
	--virtio-console=colour=red "$IMAGE"
expect "cli.virtio_net_needs_backend" 250 "needs udp=LOCALPORT:REMOTEHOST:REMOTEPORT or tap=NAME" err \
	--virtio-net transport=pci "$IMAGE"
expect "cli.virtio_net_bad_udp" 250 "udp=99999:localhost:1 is not" err \
	--virtio-net udp=99999:localhost:1 "$IMAGE"
expect "cli.virtio_net_bad_mac" 250 "not a unicast MAC" err \
	--virtio-net udp=1:localhost:2,mac=ff:ff:ff:ff:ff:ff "$IMAGE"
expect "cli.virtio_msix_off_needs_pci" 250 "msix=off needs transport=pci" err \
	--virtio-rng=msix=off "$IMAGE"
expect "cli.virtio_bad_packed" 250 "packed 'maybe' is not on or off" err \
	--virtio-rng=packed=maybe "$IMAGE"
expect "cli.help_lists_packed_off" 0 "packed=off" out --help
expect "cli.virtio_console_twice" 250 "only one" err --virtio-console --virtio-console "$IMAGE"
expect "cli.virtio_console_out_unwritable" 250 "out=/nonexistent/dir/console.out: No such file" \
	err --virtio-console=out=/nonexistent/dir/console.out "$IMAGE"
expect "cli.virtio_console_in_missing" 250 "in=/nonexistent/console.in: No such file" \
	err --virtio-console=in=/nonexistent/console.in "$IMAGE"
expect "cli.help_lists_console_input" 0 "in=FILE" out --help
expect "cli.virtio_too_many" 250 "at most 8 virtio devices" err --virtio-rng --virtio-rng \
	--virtio-rng --virtio-rng --virtio-rng --virtio-rng --virtio-rng --virtio-rng --virtio-rng "$IMAGE"

# ---- guests: need /dev/kvm ---------------------------------------------------
run "$IMAGE"
kvm_ok=true
if [ "$rc" = 252 ]; then
	kvm_ok=false
	why="/dev/kvm is not usable: $(head -n 1 "$TMP/err")"
fi

# Tiny PVH guests: an endless loop with interrupts off, and a ud2 with no
# IDT (#UD, then #DF, then a triple fault).
tiny_ok=false
if command -v as >/dev/null && command -v ld >/dev/null; then
	for kind in loop crash; do
		{
			printf '\t.section .note.Xen,"a",@note\n\t.align 4\n'
			printf '\t.long 4, 4, 18\n\t.asciz "Xen"\n\t.long _start\n'
			printf '\t.text\n\t.globl _start\n_start:\n\tcli\n'
			if [ $kind = loop ]; then printf '1:\tjmp 1b\n'; else printf '\tud2\n'; fi
		} >"$TMP/$kind.S"
		printf 'SECTIONS { . = 0x100000; .text : { *(.text) } .note.Xen : { *(.note.Xen) } }\n' \
			>"$TMP/tiny.ld"
		as --32 -o "$TMP/$kind.o" "$TMP/$kind.S" &&
			ld -m elf_i386 -T "$TMP/tiny.ld" -o "$TMP/$kind.elf" "$TMP/$kind.o" && tiny_ok=true
	done
fi

kvm_test() {       # kvm_test NAME STATUS PATTERN FILE ARGS...
	if $kvm_ok; then expect "$@"; else skip "$1" "$why"; fi
}

tiny_test() {      # tiny_test NAME STATUS PATTERN FILE ARGS...
	if ! $kvm_ok; then skip "$1" "$why"
	elif ! $tiny_ok; then skip "$1" "as/ld cannot build the tiny guests"
	else expect "$@"; fi
}

kvm_test "guest.boot_report" 0 "^pvkit: ready" out "$IMAGE"
kvm_test "guest.test_all" 0 "^# [0-9]+ passed, 0 failed" out "$IMAGE" -- test=all
if $kvm_ok && grep -q "^not ok" "$TMP/out"; then
	fail "guest.test_all_no_failures" "$(grep -m1 '^not ok' "$TMP/out")"
elif $kvm_ok && grep -Eq "^1\.\.[1-9]" "$TMP/out"; then
	pass "guest.test_all_tap_plan"
else
	skip "guest.test_all_tap_plan" "${why:-no TAP plan}"
fi
kvm_test "guest.crash_is_status_3" 3 "exception|page fault" out "$IMAGE" -- crash=pf
kvm_test "guest.bad_cmdline_is_status_2" 2 "unknown command-line option 'bogus" out "$IMAGE" -- bogus=1
kvm_test "guest.small_ram" 0 "^pvkit: ready" out --mem 4M "$IMAGE"
kvm_test "guest.trace" 0 "^\[trace\] io out port=0xf4 size=[124] value=0 debug-exit" err --trace "$IMAGE"
kvm_test "guest.stats" 0 "^  uart16550 +[0-9]+" err --stats "$IMAGE"
# --xen: pvkit-hv plays Xen; the guest's Xen tests through our hypercalls, under ASan.
kvm_test "guest.xen_tests" 0 "^# [0-9]+ passed, 0 failed" out --xen "$IMAGE" -- test=xen
kvm_test "guest.xen_trace" 0 "^\[trace\] xen hypercall event_channel_op\(" err --xen --trace "$IMAGE"
kvm_test "guest.xen_stats" 0 "^  hc xen_version +[0-9]+" err --xen --stats "$IMAGE"
kvm_test "guest.xen_crash_is_status_3" 3 "exception|page fault" out --xen "$IMAGE" -- crash=pf
# --xen-blk: the guest's blkfront against our blkback, under ASan; --trace shows
# each request and grant use, --stats counts them.
truncate -s 4M "$TMP/xvda.img"
kvm_test "guest.xen_blkfront" 0 "^# [0-9]+ passed, 0 failed, 0 skipped" out \
	--xen --xen-blk "$TMP/xvda.img" "$IMAGE" -- test=xen_blkfront
kvm_test "guest.xen_blkback_trace" 0 "^\[trace\] xen blkback: request id [0-9]+ write sector" err \
	--xen --trace --xen-blk "$TMP/xvda.img" "$IMAGE" -- test=block.write
kvm_test "guest.xen_blkback_stats" 0 "^  xen blkback: [0-9]+ notifications, [1-9][0-9]* requests" err \
	--xen --stats --xen-blk "$TMP/xvda.img" "$IMAGE" -- test=block
kvm_test "guest.xen_netfront" 0 "^# [0-9]+ passed, 0 failed, 0 skipped" out \
	--xen --xen-net udp=0:127.0.0.1:9 "$IMAGE" -- test=xen_netfront
kvm_test "guest.xen_netback_stats" 0 "^  xen netback: [0-9]+ notifications" err \
	--xen --stats --xen-net udp=0:127.0.0.1:9 "$IMAGE" -- test=xen_netfront.frame
kvm_test "usage.xen_blk_needs_xen" 250 "only with --xen" err --xen-blk "$TMP/xvda.img" "$IMAGE"
kvm_test "usage.xen_blk_missing_file" 250 "no-such.img" err --xen --xen-blk "$TMP/no-such.img" "$IMAGE"
truncate -s 1M "$TMP/disk.img"
kvm_test "guest.disk_adds_ide_function" 0 "8086:7010" out --disk "$TMP/disk.img" "$IMAGE"
# virtio: the guest's virtio tests on both transports (a fresh image each), with
# packed rings (pvkit-hv's default) and split ones (packed=off).
for transport in mmio pci; do
	for packed in on off; do
		rm -f "$TMP/vblk.img"
		truncate -s 8M "$TMP/vblk.img"
		name="guest.virtio_$transport$([ $packed = on ] || echo _split)"
		kvm_test "$name" 0 "^# [0-9]+ passed, 0 failed" out \
			--virtio-blk "$TMP/vblk.img,transport=$transport,packed=$packed" \
			--virtio-rng=transport=$transport,packed=$packed "$IMAGE" -- test=virtio
	done
done
kvm_test "guest.virtio_packed_negotiated" 0 "virtio-rng, features 0x[0-9a-f]+ packed " out \
	--virtio-rng "$IMAGE"
kvm_test "guest.virtio_packed_off_in_the_guest" 0 "virtio-rng, features 0x[0-9a-f]+ split " out \
	--virtio-rng "$IMAGE" -- virtio.packed=off
rm -f "$TMP/vblk.img"
truncate -s 8M "$TMP/vblk.img"
kvm_test "guest.virtio_pci_intx" 0 "^# [0-9]+ passed, 0 failed" out \
	--virtio-blk "$TMP/vblk.img,transport=pci,msix=off" --virtio-rng=transport=pci,msix=off \
	"$IMAGE" -- test=virtio
kvm_test "guest.virtio_mmio_on_cmdline" 0 "virtio_mmio.device=512@0xd0000000:16" out \
	--virtio-rng "$IMAGE"
kvm_test "guest.virtio_trace_shows_chains" 0 "^\[trace\] virtio-rng0 requestq chain (head|id)=[0-9]+ segments=" \
	err --trace --virtio-rng "$IMAGE" -- test=virtio_rng
kvm_test "guest.virtio_stats_per_queue" 0 "^  virtio-rng0.requestq +[1-9]" err \
	--stats --virtio-rng=transport=pci "$IMAGE" -- test=virtio_rng
kvm_test "guest.virtio_net_console_boot" 0 "^pvkit: ready" out \
	--virtio-net "udp=$((40000 + $$ % 20000)):127.0.0.1:9" --virtio-console=transport=pci "$IMAGE"
# The virtio console's input from a file (read to its end without epoll, which
# refuses regular files) and from a FIFO whose writer comes and goes: the guest's
# test must pass, not skip.
input_ok="^ok [0-9]+ virtio_console\.input_from_the_host[[:space:]]*$"
printf 'from-a-file\n' >"$TMP/console.in"
kvm_test "guest.virtio_console_input_from_file" 0 "$input_ok" out \
	--virtio-console="in=$TMP/console.in,out=$TMP/console.out" "$IMAGE" -- \
	test=virtio_console virtio_console.expect=from-a-file
if $kvm_ok; then
	mkfifo "$TMP/console.fifo"
	timeout 60 sh -c "printf 'from-a-fifo\n' >'$TMP/console.fifo'" &
	expect "guest.virtio_console_input_from_fifo" 0 "$input_ok" out \
		--virtio-console="in=$TMP/console.fifo,out=$TMP/console.out,transport=pci" \
		"$IMAGE" -- test=virtio_console virtio_console.expect=from-a-fifo
	kill $! 2>/dev/null || true
	wait $! 2>/dev/null || true
else
	skip "guest.virtio_console_input_from_fifo" "$why"
fi
tiny_test "guest.timeout_is_254" 254 "--timeout 1 s expired" err --timeout 1 "$TMP/loop.elf"
tiny_test "guest.triple_fault_is_253" 253 "triple fault" err "$TMP/crash.elf"

# SIGTERM: exit 255, and the terminal (a pseudo-terminal made by script(1))
# is back in canonical mode afterwards.
if ! $kvm_ok; then
	skip "guest.sigterm_is_255" "$why"
elif ! $tiny_ok || ! command -v script >/dev/null; then
	skip "guest.sigterm_is_255" "needs as/ld and script(1)"
else
	script -qec "timeout --foreground --preserve-status -s TERM 1 '$HV' '$TMP/loop.elf';
		echo \"rc=\$?\"; stty -a" /dev/null >"$TMP/out" 2>&1 </dev/null || true
	if ! grep -q "rc=255" "$TMP/out"; then
		fail "guest.sigterm_is_255" "$(tr '\r\n' '  ' <"$TMP/out" | head -c 300)"
	elif grep -q -- "-icanon" "$TMP/out"; then
		fail "guest.sigterm_is_255" "terminal left in raw mode"
	else
		pass "guest.sigterm_is_255"
	fi
fi

echo "1..$count"
[ "$failed" = 0 ]
