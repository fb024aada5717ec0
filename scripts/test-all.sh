#!/usr/bin/env bash
# scripts/test-all.sh — what `make test` runs: every test we have, on every host.
#
#   1. the host-side unit tests, which print TAP: lib/ (build/unit/lib-tests),
#      pvkit-hv's devices, loader and options (build/host-tests/host-unit-tests,
#      under ASan + UBSan), and pvkit-hv's command line end to end
#      (tests/host/cli-tests.sh, also under ASan + UBSan);
#   2. on each host (scripts/lib.sh lists them): boot with test=all and count the
#      guest's TAP results, one test per `ok`/`not ok` line, named "HOST: name";
#      hosts with a disk (ATA on pc and pvkit-hv, virtio-blk on microvm and q35) get a
#      fresh image, and afterwards the host checks that
#      the guest's writes are in the file (one more test; on pvkit-hv-kvmlab, whose
#      image is a copy inside the lab, the check runs there, after pvkit-hv); hosts
#      with virtio get a virtio console fed with a line of input, and afterwards its
#      output file must hold the guest's console output (one more test);
#   3. harness checks on some hosts: a plain boot reaches `pvkit: ready`, a bad option
#      is refused with status 2, and crash=pf|ud|gp|de end in an exception report;
#      on QEMU hosts with virtio-net, the guest answers a host-side peer's pings and
#      UDP datagrams (echo=SECONDS and tests/tools/net-peer.c).
# Host xen-pvh boots the image as a PVH domU on real Xen inside QEMU (scripts/xen-lab.sh).
# Host xen-pv boots the same image as a PV domU there (`type = "pv"`, docs/xen-pv.md).
# On both, test=all uses what Xen offers (FIFO event channels, grant tables v2), and a
# second boot runs the Xen tests on the older ABIs (evtchn=2l gnttab=v1).
# A host that cannot run here (no usable /dev/kvm, say) counts as one skipped test.
#
# Usage: scripts/test-all.sh [--test PREFIX] [HOST...]
#   HOST...        only these hosts (default: all, fastest first)
#   --test PREFIX  boot with test=PREFIX instead of test=all, and skip the harness checks
# Logs: build/test-logs/HOST-WHAT.log (console + QEMU messages; line 1 is the QEMU command).
# The last line printed is "N passed, N failed[, N skipped]"; exit status 0 iff none failed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

LOG_DIR=$BUILD_DIR/test-logs
UNIT_TIMEOUT=${PVKIT_TIMEOUT_UNIT:-300}
# The disk image the hosts with a disk get; the patterns in it (GUEST_PATTERN_*,
# HOST_PATTERN_*) are defined in lib.sh.
DISK_SIZE=8M
LOG_TAIL_LINES=25
PASSED=0 FAILED=0 SKIPPED=0
FAILURES=()

# ---- counting and printing ------------------------------------------------------------
pass() {
	PASSED=$((PASSED + 1))
	echo "  PASS  $1"
}
fail() {                 # NAME REASON
	FAILED=$((FAILED + 1))
	FAILURES+=("$1")
	echo "  FAIL  $1: $2"
}
skip() {                 # NAME REASON
	SKIPPED=$((SKIPPED + 1))
	echo "  SKIP  $1: $2"
}
show_log_tail() {        # LOGFILE
	echo "    --- last $LOG_TAIL_LINES lines of ${1#"$PVKIT_ROOT"/}:"
	tail -n "$LOG_TAIL_LINES" "$1" | tr -d '\r' | sed 's/^/    | /'
	"$PVKIT_ROOT/scripts/symbolize.sh" "$1" "$IMAGE" | sed 's/^/    | /'
	echo "    ---"
}

# ---- TAP --------------------------------------------------------------------------------
# check_tap PREFIX LOGFILE STATUS: count every result line of the TAP in LOGFILE as
# one test named "PREFIX: name"; then check the run as a whole (a plan, as many
# results as planned, an exit status that agrees with the results).  Problems with
# the run as a whole count as one more failed test, "PREFIX: test run".
check_tap() {
	local prefix=$1 log=$2 status=$3
	local plan="" results=0 failures=0 line verdict desc name comment
	local problems=()
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%$'\r'}
		if [[ -z $plan && $line =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
			continue
		fi
		[[ $line =~ ^(ok|not\ ok)($|\ +([0-9]*)\ *(-\ +)?(.*)$) ]] || continue
		results=$((results + 1))
		verdict=${BASH_REMATCH[1]}
		desc=${BASH_REMATCH[5]}
		name=${desc%%#*}           # "name # comment" -> name, comment
		comment=""
		[[ $desc == *#* ]] && comment=${desc#*#}
		name=${name%"${name##*[![:space:]]}"}             # trim trailing blanks
		comment=${comment#"${comment%%[![:space:]]*}"}    # trim leading blanks
		[[ -n $name ]] || name="test ${BASH_REMATCH[3]:-$results}"
		if [[ ${comment^^} =~ ^(SKIP|TODO)[^[:space:]]*[[:space:]]*(.*)$ ]]; then
			# TAP directives: "# SKIP reason", "# TODO reason" (not counted as failures)
			skip "$prefix: $name" "${comment:${#comment}-${#BASH_REMATCH[2]}}"
		elif [[ $verdict == ok ]]; then
			pass "$prefix: $name"
		else
			failures=$((failures + 1))
			fail "$prefix: $name" "${comment:-failed}"
		fi
	done <"$log"

	if [[ -z $plan ]]; then
		problems+=("no TAP plan (a line 1..N)")
	elif ((results < plan)); then
		problems+=("only $results of the $plan planned results")
	elif ((results > plan)); then
		problems+=("$results results but the plan says $plan")
	fi
	local expected=0
	((failures == 0)) || expected=1
	if ((status != expected)); then
		problems+=("got $(status_text "$status"), but its TAP results call for status $expected")
	fi
	if ((${#problems[@]} > 0)); then
		fail "$prefix: test run" "$(join_by '; ' "${problems[@]}")"
		show_log_tail "$log"
	fi
}

join_by() {              # SEPARATOR WORDS...
	local sep=$1 out=$2 word
	shift 2
	for word in "$@"; do out+="$sep$word"; done
	echo "$out"
}

# ---- the three kinds of test --------------------------------------------------------------
# run_tap_program NAME COMMAND...: run a host-side test program that prints TAP.
run_tap_program() {
	local name=$1 log=$LOG_DIR/$1.log status
	shift
	echo "== $name: $*"
	if [[ ! -x $1 ]]; then
		fail "$name" "$1 is missing (make test builds it)"
		return
	fi
	timeout "$UNIT_TIMEOUT" "$@" </dev/null >"$log" 2>&1 && status=0 || status=$?
	if ((status == 124)); then
		BOOT_REASON="timed out after $UNIT_TIMEOUT s"
		status=$BOOT_TIMEOUT
	fi
	check_tap "$name" "$log" "$status"
}

run_unit_tests() {
	run_tap_program unit "$BUILD_DIR/unit/lib-tests"
	run_tap_program host-unit "$BUILD_DIR/host-tests/host-unit-tests"
	run_tap_program hv-cli "$PVKIT_ROOT/tests/host/cli-tests.sh" \
		"$BUILD_DIR/host-tests/pvkit-hv-asan" "$IMAGE"
}

# timed_boot HOST CMDLINE LOGFILE [DISK]: boot() with progress output; sets STATUS.
# After one boot on a host has timed out, the later boots on that host are not
# tried (they would most likely hang too); they fail at once.  This keeps a broken
# kernel from costing a full timeout per boot.
HUNG_HOSTS=" "
timed_boot() {
	local host=$1 cmdline=$2 log=$3 disk=${4:-} start
	if [[ $HUNG_HOSTS == *" $host "* ]]; then
		BOOT_REASON="not tried: an earlier boot on $host timed out"
		echo "$BOOT_REASON" >"$log"
		STATUS=$BOOT_TIMEOUT
		return
	fi
	echo "-- $host: booting with '${cmdline}' (timeout $(host_timeout "$host") s)"
	start=$(now_ms)
	boot "$host" "$cmdline" "$log" "$disk" && STATUS=0 || STATUS=$?
	((STATUS != BOOT_TIMEOUT)) || HUNG_HOSTS+="$host "
	echo "   -> $(status_text "$STATUS") ($(($(now_ms) - start)) ms); log: ${log#"$PVKIT_ROOT"/}"
}

# run_suite HOST: the in-guest tests, counted one by one.  On a host with a disk
# (ATA or virtio-blk), the guest gets a fresh image carrying the host's pattern,
# and the pattern the guest writes must be in the file afterwards.
run_suite() {
	local host=$1 cmdline="test=$SUITE" disk="" vconsole=""
	local log=$LOG_DIR/$host-$cmdline.log
	if host_has_disk "$host"; then
		disk=$LOG_DIR/$host-disk.img
		rm -f "$disk"
		truncate -s "$DISK_SIZE" "$disk"
		"$DISK_PATTERN" write "$disk" "$HOST_PATTERN_LBA" "$HOST_PATTERN_SECTORS"
	fi
	if [[ $(host_virtio "$host") != none ]]; then
		vconsole=$LOG_DIR/$host-vconsole
		cmdline+=$(prepare_vconsole "$vconsole")
	fi
	choose_xen_console_input "$host"
	cmdline+=$XEN_CONSOLE_EXPECT
	# shellcheck disable=SC2034  # read by lib.sh's vconsole_args
	VCONSOLE_BASE=$vconsole
	timed_boot "$host" "$cmdline" "$log" "$disk"
	VCONSOLE_BASE="" XEN_CONSOLE_INPUT=""
	check_tap "$host" "$log" "$STATUS"
	if [[ -n $disk && $SUITE == all ]]; then
		check_disk_pattern "$host" "$disk" "$log"
	fi
	if [[ -n $vconsole && $SUITE == all ]]; then
		check_vconsole_output "$host" "$vconsole.out" "$log"
	fi
}

# run_older_xen_abis_suite HOST: the Xen tests again, on 2-level event channels and
# grant tables v1 (test=all ran them on FIFO and v2); named "HOST evtchn=2l gnttab=v1: name".
run_older_xen_abis_suite() {
	local host=$1 options="evtchn=2l gnttab=v1" log=$LOG_DIR/$1-xen-older-abis.log
	choose_xen_console_input "$host"
	timed_boot "$host" "test=xen $options$XEN_CONSOLE_EXPECT" "$log"
	XEN_CONSOLE_INPUT=""
	check_tap "$host $options" "$log" "$STATUS"
}

# choose_xen_console_input HOST: on hosts with a Xen PV console (pvkit-hv-xen,
# xen-pvh, xen-pv), make up a line for the backend to type to the guest (lib.sh,
# XEN_CONSOLE_INPUT) and set XEN_CONSOLE_EXPECT to the kernel option (with a
# leading space) that announces it, so that tests/guest/test_xen_console.c fails
# if it does not arrive; elsewhere both are empty.  Reset XEN_CONSOLE_INPUT after
# the boot.
choose_xen_console_input() {
	XEN_CONSOLE_INPUT="" XEN_CONSOLE_EXPECT=""
	[[ $1 == pvkit-hv-xen || $1 == xen-pv* ]] || return 0
	XEN_CONSOLE_INPUT="pvkit-xen-input-$$-$RANDOM"
	XEN_CONSOLE_EXPECT=" xen_console.expect=$XEN_CONSOLE_INPUT"
}

# prepare_vconsole BASE: the files of the virtio console (lib.sh,
# VCONSOLE_BASE): an empty BASE.out, and in BASE.in a line of text made up for
# this run.  Prints the kernel option (with a leading space) that tells the guest
# what it will receive, so that its test (tests/guest/test_virtio_console.c) fails
# if the text does not arrive.  The same on every host: QEMU's pipe chardev and
# pvkit-hv's --virtio-console=in=BASE.in,out=BASE.out both read BASE.in.
prepare_vconsole() {
	local text="pvkit-host-input-$$-$RANDOM"
	: >"$1.out"
	printf '%s\n' "$text" >"$1.in"
	echo " virtio_console.expect=$text"
}

# check_vconsole_output HOST OUTFILE LOGFILE: did the guest's console output reach
# the host through the virtio console?  OUTFILE must hold the TAP plan line the
# guest printed (printk writes to every console), the lines its tests write only
# there (VCONSOLE_*, from tests/guest/test_virtio_console.c), all in order, and the
# final "pvkit: exit status" line (the console is flushed before the guest stops).
VCONSOLE_MARKER="virtio-console: this line went out through the virtio console"
VCONSOLE_BULK_LINES=256
check_vconsole_output() {
	local name="$1: virtio-console output reached the host" out=$2 log=$3 plan problems=()
	plan=$(grep -aE -m1 '^1\.\.[0-9]+' "$log" | tr -d '\r' || true)
	if [[ ! -s $out ]]; then
		problems+=("${out#"$PVKIT_ROOT"/} is empty")
	else
		[[ -n $plan ]] && grep -aqxF "$plan" "$out" ||
			problems+=("no TAP plan line ${plan:-(none on the serial console either)}")
		grep -aqxF "$VCONSOLE_MARKER" "$out" || problems+=("no '$VCONSOLE_MARKER'")
		awk -v n="$VCONSOLE_BULK_LINES" '
			/^virtio-console: bulk line [0-9]+ / { if ($4 + 0 != seen++) bad = 1 }
			END { exit !(seen == n && !bad) }' "$out" ||
			problems+=("not the $VCONSOLE_BULK_LINES bulk lines, in order")
		grep -aqE '^pvkit: exit status [0-9]+$' "$out" ||
			problems+=("no final 'pvkit: exit status' line")
	fi
	if ((${#problems[@]} == 0)); then
		pass "$name"
	else
		fail "$name" "$(join_by '; ' "${problems[@]}")"
	fi
}

# check_disk_pattern HOST DISK LOGFILE: did the guest's writes reach the image file?
# On a host whose image is a copy inside kvmlab, the boot command checked that copy
# with the same tool (lib.sh, kvmlab_command), and its result is in LOGFILE.
check_disk_pattern() {
	local name="$1: disk image holds the pattern the guest wrote" output
	if host_checks_disk_inside "$1"; then
		name+=" (checked in the lab, after pvkit-hv)"
		if output=$(kvmlab_disk_result "$3"); then
			pass "$name"
		else
			fail "$name" "${output//$'\n'/; }"
		fi
		return
	fi
	name+=" (checked from the host)"
	if output=$("$DISK_PATTERN" check "$2" "$GUEST_PATTERN_LBA" "$GUEST_PATTERN_SECTORS" 2>&1); then
		pass "$name"
	else
		fail "$name" "$output"
	fi
}

# run_check HOST CHECK: one harness check = one boot = one test.
run_check() {
	local host=$1 check=$2 cmdline expected vector patterns=() problems=() pattern disk=""
	case $check in
	net-echo)
		run_net_echo_check "$host"
		return ;;
	ready)
		cmdline="" expected=0
		patterns=("pvkit: ready in [0-9]+ us") ;;
	bogus)
		cmdline="bogus=1" expected=2
		patterns=("unknown command-line option") ;;
	crash-*)             # the register dump must name the exception asked for
		vector=${check#crash-}
		cmdline="crash=$vector" expected=3
		patterns=("EXCEPTION" "#${vector^^}" "RIP" "backtrace") ;;
	blkfront-grants-per-request)    # docs/xen-blkfront.md: the path without persistent grants
		cmdline="test=xen_blkfront xen_blkfront.persistent=off" expected=0
		disk=$LOG_DIR/$host-$check.img
		rm -f "$disk"
		truncate -s "$DISK_SIZE" "$disk"
		patterns=("Xen blkfront, .* per-request grants" "^ok [0-9]+ xen_blkfront.grants_follow_the_negotiation$") ;;
	bench-xen)           # every loop of pv/xen/xen_bench.c ran to the end: no timing judged
		cmdline="bench=xen" expected=0
		for pattern in null-hypercall pte-write pte-write-batched evtchn-send-to-upcall evtchn-pingpong grant-copy; do
			patterns+=("^bench: $pattern: [0-9]+ calls in [0-9]+ ns")
		done ;;
	*)
		die "no such check: $check" ;;
	esac
	local log=$LOG_DIR/$host-$check.log name="$host: check $check (${cmdline:-no command line})"
	timed_boot "$host" "$cmdline" "$log" "$disk"
	((STATUS == expected)) ||
		problems+=("expected status $expected, got $(status_text "$STATUS")")
	for pattern in "${patterns[@]}"; do
		grep -aqE "$pattern" "$log" || problems+=("no '$pattern' on the console")
	done
	if [[ $check == ready ]] && ! has_boot_report "$log"; then
		problems+=("no boot report before the ready line")
	fi
	if ((${#problems[@]} == 0)); then
		pass "$name"
	else
		fail "$name" "$(join_by '; ' "${problems[@]}")"
		show_log_tail "$log"
	fi
}

# ---- net-echo: the guest against a host on its Ethernet ----------------------------------
# The guest boots with echo=SECONDS and answers for that long; meanwhile
# build/tools/net-peer (tests/tools/net-peer.c), listening on a free loopback port
# that QEMU's socket netdev sends the guest's frames to (lib.sh, netdev_args), waits
# for the guest's announcement, then checks ARP, NET_ECHO_COUNT pings and as many UDP
# echoes (varied sizes and contents), malformed packets left unanswered, and a ping
# the guest must ARP for.  One test; it passes when the guest stops with status 0,
# the peer found nothing lost or wrong, and the guest's own counters (its "net: echo:
# done" line) agree with what the peer sent.  The peer is started first (its port
# must exist before QEMU sends to it; lib.sh, net_peer_start) and stopped if it
# outlives the guest.
NET_ECHO_COUNT=20
NET_PEER_GRACE_S=3       # how long the peer may outlive the guest (it is finishing up)

# Which hosts: every machine with virtio-net: QEMU's (TCG and KVM) and pvkit-hv's,
# whose backend speaks the same encapsulation (--virtio-net udp=, and --xen-net udp= for
# pvkit-hv-xen's netfront); and xen-pvh and xen-pv, whose netfront meets the peer on dom0's
# bridge (xen_net_echo_boot).
has_net_echo_check() {
	[[ $1 == microvm-* || $1 == q35-* || $1 == pvkit-hv-mmio || $1 == pvkit-hv-pci ||
	   $1 == pvkit-hv-xen ||
	   $1 == xen-pv* ]]
}

# The echo window: the peer needs ~0.2 s under TCG and ~0.5 s under this machine's
# KVM (guest ring 0 emulated) after the guest's announcement; the rest is slack
# for a loaded machine (the guest waits it out, so it is paid on every run).
net_echo_seconds() {
	case $(host_accel "$1") in
	kvm) echo 3 ;;
	xen) echo 8 ;;          # the peer in dom0 needs 0.4-2 s there (TCG, busy machine)
	*) echo 2 ;;
	esac
}

# xen_net_echo_boot HOST SECONDS LOG PEER_LOG: the boot of the net-echo check on real
# Xen.  The peer runs inside the lab, in dom0, on the bridge the domU's vif is on
# (xen-lab.sh --net-peer, lib.sh xen_lab_net_args); its output comes back in PEER_LOG,
# its exit status on the last line.  Sets NET_PEER_STATUS as net_peer_stop does.
xen_net_echo_boot() {
	local host=$1 seconds=$2 log=$3 peer_log=$4
	XEN_NET_PEER_LOG=$peer_log XEN_NET_PEER_ARGS="--count $NET_ECHO_COUNT"
	timed_boot "$host" "echo=$seconds" "$log"
	# shellcheck disable=SC2034  # read by lib.sh's xen_lab_net_args during the boot
	XEN_NET_PEER_LOG="" XEN_NET_PEER_ARGS=""
	NET_PEER_STATUS=$(sed -n 's/^net-peer exit status //p' "$peer_log" 2>/dev/null | tail -n 1)
	[[ -n $NET_PEER_STATUS ]] || NET_PEER_STATUS="none (dom0 reported no net-peer)"
}

run_net_echo_check() {
	local host=$1 seconds expected got port_file=$LOG_DIR/$1-net-echo.port
	local log=$LOG_DIR/$host-net-echo.log peer_log=$LOG_DIR/$host-net-echo.peer.log
	local name="$host: net echo: $NET_ECHO_COUNT/$NET_ECHO_COUNT pings, $NET_ECHO_COUNT/$NET_ECHO_COUNT UDP datagrams"
	local problems=()
	seconds=$(net_echo_seconds "$host")
	if [[ ! -x $NET_PEER ]]; then
		fail "$name" "$NET_PEER is missing (make builds it)"
		return
	fi
	if [[ $host == xen-pv* ]]; then
		xen_net_echo_boot "$host" "$seconds" "$log" "$peer_log"
	elif ! net_peer_start "$peer_log" "$port_file" --count "$NET_ECHO_COUNT" \
			--wait "$(host_timeout "$host")"; then
		net_peer_stop 0
		fail "$name" "net-peer did not start: $(tail -n 1 "$peer_log")"
		return
	else
		timed_boot "$host" "echo=$seconds" "$log"
		net_peer_stop "$NET_PEER_GRACE_S"
	fi
	echo "   peer: $(grep -a '^net-peer: ' "$peer_log" | head -n 1); log: ${peer_log#"$PVKIT_ROOT"/}"
	((STATUS == 0)) || problems+=("the guest ended with $(status_text "$STATUS")")
	case $NET_PEER_STATUS in
	0) ;;
	killed) problems+=("net-peer was still running ${NET_PEER_GRACE_S} s after the guest stopped") ;;
	3) problems+=("net-peer never heard the guest's announcement") ;;
	*) problems+=("net-peer exited with $NET_PEER_STATUS: $(grep -a -m 3 -E '^net-peer: |PROBLEM' "$peer_log" | tr '\n' ' ')") ;;
	esac
	# The guest's counters must match what the peer sent.
	expected=$(sed -n 's/^net-peer: expect guest: //p' "$peer_log")
	got=$(grep -aoE 'net: echo: done .*' "$log" | tr -d '\r' || true)
	if [[ -z $got ]]; then
		problems+=("no 'net: echo: done' line from the guest")
	elif [[ -n $expected ]]; then
		[[ $got == *", ${expected%, *}"* && $got == *", ${expected##*, }"* ]] ||
			problems+=("the guest's '$got' disagrees with the peer's '$expected'")
	fi
	if ((${#problems[@]} == 0)); then
		pass "$name"
	else
		fail "$name" "$(join_by '; ' "${problems[@]}")"
		show_log_tail "$log"
		sed 's/^/    peer | /' "$peer_log" | tail -n 15
	fi
}

# The boot report is whatever the guest prints before `pvkit: ready`; we only ask
# that there is some: at least one non-empty console line before the ready line.
has_boot_report() {      # LOGFILE
	awk '/pvkit: ready in/ { found = 1; exit }
	     /^# |^qemu/       { next }            # the harness header, QEMU messages
	     /[^[:space:]]/    { lines++ }
	     END               { exit !(found && lines > 0) }' "$1"
}

# Which harness checks run on which host: all of them on the fast direct-boot hosts
# and on pvkit-hv; on GRUB the command-line path (multiboot2 passes it differently);
# elsewhere only the plain boot, which is enough to show the host works.  On
# pvkit-hv-kvmlab each check costs a whole lab boot (~5 s), so only the plain boot;
# on pvkit-hv-xen-kvmlab none (its test=all boot shows the lab boots, and the checks
# run on pvkit-hv-xen).
# xen-pvh adds one boot with its disk whose blkfront offers no persistent grants;
# both Xen hosts one with bench=xen, whose loops (the event-channel ping-pong...)
# must all finish.
checks_for_host() {
	case $1 in
	microvm-tcg | q35-tcg | pvkit-hv) echo ready bogus crash-pf crash-ud crash-gp crash-de ;;
	pvkit-hv-xen) echo ready bogus crash-pf ;;
	grub-*) echo ready bogus ;;
	xen-pvh) echo ready blkfront-grants-per-request bench-xen ;;
	xen-pv) echo ready bench-xen ;;
	pvkit-hv-xen-kvmlab) ;;
	*) echo ready ;;
	esac
}

# ---- main -----------------------------------------------------------------------------------
SUITE=all
RUN_CHECKS=1
HOSTS=()
while (($# > 0)); do
	case $1 in
	--test) SUITE=${2:?--test needs a PREFIX}; RUN_CHECKS=0; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1 (try --help)" ;;
	*) is_host "$1" || die "unknown host '$1' (hosts: ${ALL_HOSTS[*]})"
	   HOSTS+=("$1"); shift ;;
	esac
done
((${#HOSTS[@]} > 0)) || HOSTS=("${ALL_HOSTS[@]}")

rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
START=$(now_ms)
echo "pvkit test-all: image ${IMAGE#"$PVKIT_ROOT"/}, hosts: ${HOSTS[*]}"
snapshot_image "$LOG_DIR"

run_unit_tests
for host in "${HOSTS[@]}"; do
	echo "== host $host"
	if ! host_available "$host"; then
		skip "$host" "host not available: $UNAVAILABLE_REASON"
		continue
	fi
	checks=()
	if ((RUN_CHECKS)); then
		read -ra checks <<<"$(checks_for_host "$host")"
		if has_net_echo_check "$host"; then checks+=(net-echo); fi
	fi
	for check in "${checks[@]}"; do     # "ready" first: can it boot at all?
		if [[ $check == ready ]]; then run_check "$host" "$check"; fi
	done
	run_suite "$host"
	if [[ $host == xen-pv* && $SUITE == all ]]; then run_older_xen_abis_suite "$host"; fi
	for check in "${checks[@]}"; do
		if [[ $check != ready ]]; then run_check "$host" "$check"; fi
	done
done

echo "== done in $((($(now_ms) - START) / 1000)) s; logs in ${LOG_DIR#"$PVKIT_ROOT"/}/"
if ((FAILED > 0)); then
	echo "failed:"
	printf '  %s\n' "${FAILURES[@]}"
fi
if ((SKIPPED > 0)); then
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
	echo "$PASSED passed, $FAILED failed"
fi
((FAILED == 0))
