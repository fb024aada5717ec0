#!/usr/bin/env bash
# scripts/xen-lab.sh — boot a pvkit image as a domU on real Xen 4.17 and return its
# exit status.  Xen cannot run under this machine's KVM, so the whole Xen host runs
# inside QEMU with TCG: QEMU → Xen → dom0 (Debian's kernel, an initramfs with xl)
# → `xl create` → our domU.  See docs/xen.md.
#
# Usage: scripts/xen-lab.sh [options] IMAGE [-- CMDLINE...]
#   --type pvh|pv      the domU's type (default pvh; pv needs issue 6's PV entry)
#   --timeout SECONDS  the whole run, QEMU start to finish (default 240)
#   --mem MIB          the domU's memory (default 128)
#   --live             also stream the domU console to stderr while it runs
#   --keep-serial FILE copy the whole serial log (Xen, dom0, domU) to FILE
#   --disk FILE        give the domU FILE (a raw image) as its disk xvda, served by
#                      dom0's blkback; what the domU wrote is copied back into FILE
#   --net              give the domU a vif: netback in dom0, on a bridge xenbr0
#   --net-peer LOG     --net, and run net-peer (build/tools/net-peer-static) in dom0
#                      on xenbr0 while the domU runs; its output, then a line
#                      "net-peer exit status N" (or "killed"), go to LOG
#   --net-peer-args 'ARGS'  more net-peer options (--count 20 --bench ...)
#   --console-input TEXT  dom0 types the line TEXT on the domU's console once it runs:
#                      into the pty xenconsoled gives it (xenstore console/tty), which
#                      xenconsoled copies into the console's `in` ring
# The lab is prepared by scripts/xenlab/setup.sh (run it first; test-all.sh does),
# in ${PVKIT_XENLAB_CACHE:-/tmp/pvkit-xenlab}.
#
# Output: the domU's console (what xenconsoled logged, "\r" removed) on stdout, once
# the domain is gone; progress and the lab's verdict on stderr, as "xen-lab: " lines.
# Exit status: the guest's own status from its last "pvkit: exit status N" line
# (0 ok, 1 tests failed, 2 bad command line, 3 panic), or
#   240 timeout (the domU was destroyed, or Xen/dom0 never finished)
#   241 the lab failed: Xen or dom0 did not start, or xl create failed
#   242 the domU stopped without printing its status, or its SCHEDOP_shutdown
#       reason disagrees with it (poweroff for 0-2, crash for 3)
#   243 usage or setup problem (no cache: run scripts/xenlab/setup.sh)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PVKIT_XENLAB_CACHE:-/tmp/pvkit-xenlab}
QEMU=${QEMU:-qemu-system-x86_64}
TYPE=pvh TIMEOUT=240 GUEST_MEM=128 LIVE=0 KEEP_SERIAL="" DISK=""
NET=0 NET_PEER_LOG="" NET_PEER_ARGS="" CONSOLE_INPUT=""
NET_PEER_STATIC=${PVKIT_NET_PEER_STATIC:-$HERE/../build/tools/net-peer-static}
# The vif's MAC: Xen's OUI 00:16:3e, then "pvk".
VIF_MAC=00:16:3e:70:76:6b
# Xen under QEMU's emulator: `-cpu max` gives it SVM with nested paging (for PVH
# guests); SMAP off, because Xen's PV dom0 crashes with SMAP under TCG.
QEMU_CPU="max,-smap"
QEMU_MEM=2048
DOM0_MEM=512M
# The dom0 side gives up on the domU this long before our own timeout, so that a
# hung guest still ends with its console and a "timeout" result.
DOM0_MARGIN_S=45

E_TIMEOUT=240 E_LAB=241 E_NO_STATUS=242 E_USAGE=243
say() { echo "xen-lab: $*" >&2; }
usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit $E_USAGE; }

while (($# > 0)); do
	case $1 in
	--type) TYPE=${2:-}; shift 2 ;;
	--timeout) TIMEOUT=${2:-}; shift 2 ;;
	--mem) GUEST_MEM=${2:-}; shift 2 ;;
	--live) LIVE=1; shift ;;
	--keep-serial) KEEP_SERIAL=${2:-}; shift 2 ;;
	--disk) DISK=${2:-}; shift 2 ;;
	--net) NET=1; shift ;;
	--net-peer) NET=1; NET_PEER_LOG=${2:-}; shift 2 ;;
	--net-peer-args) NET_PEER_ARGS=${2:-}; shift 2 ;;
	--console-input) CONSOLE_INPUT=${2:-}; shift 2 ;;
	-h | --help) usage ;;
	--) break ;;
	-*) say "unknown option $1"; usage ;;
	*) [[ -z ${IMAGE:-} ]] || usage; IMAGE=$1; shift ;;
	esac
done
[[ ${1:-} == -- ]] && shift
CMDLINE="$*"
[[ -n ${IMAGE:-} && -r $IMAGE ]] || { say "no readable IMAGE"; usage; }
[[ $TYPE == pvh || $TYPE == pv ]] || { say "--type must be pvh or pv"; exit $E_USAGE; }
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -ge 60 ]] || { say "--timeout: at least 60 seconds"; exit $E_USAGE; }
[[ $GUEST_MEM =~ ^[0-9]+$ ]] || { say "--mem: MiB, a number"; exit $E_USAGE; }
# Xen, dom0 (DOM0_MEM) and the domU share QEMU's RAM: keep 1 GiB beside a large domU.
((GUEST_MEM + 1024 <= QEMU_MEM)) || QEMU_MEM=$((GUEST_MEM + 1024))
[[ $CMDLINE != *\"* ]] || { say "the command line cannot hold a double quote (xl's config syntax)"; exit $E_USAGE; }
[[ $NET_PEER_ARGS =~ ^[-a-z0-9.\ ]*$ ]] || { say "--net-peer-args: options, numbers and addresses only"; exit $E_USAGE; }
# It travels in dom0's /guest/env, a shell file, inside single quotes.
[[ $CONSOLE_INPUT =~ ^[-A-Za-z0-9\ ._:=+/]*$ ]] || { say "--console-input: letters, digits, spaces and ._:=+/- only"; exit $E_USAGE; }
[[ -z $NET_PEER_LOG || -x $NET_PEER_STATIC ]] || { say "$NET_PEER_STATIC missing: run make"; exit $E_USAGE; }
for f in xen.elf vmlinuz dom0-initrd.cpio.gz; do
	[[ -s $CACHE/$f ]] || { say "$CACHE/$f missing: run scripts/xenlab/setup.sh"; exit $E_USAGE; }
done
[[ -z $DISK || (-f $DISK && -r $DISK && -w $DISK) ]] || { say "--disk: $DISK is not a readable and writable file"; exit $E_USAGE; }
command -v "$QEMU" >/dev/null || { say "$QEMU not installed"; exit $E_USAGE; }

# ---- one run directory per boot, in the cache; the 10 newest are kept --------------
mkdir -p "$CACHE/runs"
RUN=$(mktemp -d "$CACHE/runs/run.$(date +%Y%m%d-%H%M%S).XXXX")
SERIAL=$RUN/serial.log
QEMU_PID="" TAIL_PID=""
cleanup() {
	if [[ -n $QEMU_PID ]] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill "$QEMU_PID" 2>/dev/null
		wait "$QEMU_PID" 2>/dev/null
	fi
	[[ -z $TAIL_PID ]] || kill "$TAIL_PID" 2>/dev/null
	rm -rf "$RUN/stage" "$RUN/initrd"
	ls -1dt "$CACHE"/runs/run.* 2>/dev/null | tail -n +11 | xargs -r rm -rf
}
trap cleanup EXIT
trap 'say interrupted; exit 255' INT TERM HUP

# ---- the guest: its kernel and xl config, a second cpio appended to dom0's initramfs --
# (the kernel's initramfs loader unpacks concatenated archives one after the other)
write_guest_config() {
	echo "name = \"pvkit\""
	echo "type = \"$TYPE\""
	echo "kernel = \"/guest/kernel\""
	echo "extra = \"$CMDLINE\""
	echo "memory = $GUEST_MEM"
	echo "vcpus = 1"
	# xl's default, 1023 ports, is less than one FIFO event-array page: the
	# event-channel tests use more, up to past 2-level's 4096 (tests/guest/test_xen_evtchn*.c).
	echo "max_event_channels = 8192"
	echo 'on_poweroff = "destroy"'
	echo 'on_reboot = "destroy"'
	echo 'on_crash = "destroy"'
	# QEMU's TCG reports RDTSCP as an RDTSC intercept, which Xen fails to emulate
	# for an HVM/PVH guest: let the guest read the TSC directly.
	[[ $TYPE == pv ]] || echo 'tsc_mode = "native"'
	[[ -z $DISK ]] || write_disk_config
	((NET == 0)) || write_vif_config
}

# ---- the disk (--disk FILE; docs/xen-blkfront.md) -----------------------------------
# FILE goes to dom0 gzipped in the guest's cpio (an 8 MiB test image of zeros and a
# few patterns is a few KiB); dom0-init.sh puts it on /dev/loop0 and, after the
# domU, prints it back between PVKIT-XENLAB-DISK-BEGIN/-END as base64 of its gzip.
# The disk is a "phy" backend (Linux's blkback) with our own hotplug script,
# scripts/xenlab/pvkit-block, which tells blkback which block device to serve.
write_disk_config() {
	echo "disk = [ 'format=raw, vdev=xvda, access=rw, backendtype=phy, script=pvkit-block, target=/dev/loop0' ]"
}
stage_disk() {
	gzip -c "$DISK" >"$STAGE/guest/disk.img.gz"
}
# Writes FILE only when dom0 sent a complete image of the same size back.
return_disk() {
	local back=$RUN/disk.returned
	# gzip's checksum catches a line lost on the way; pipefail makes it count.
	if serial_section DISK | base64 -d 2>/dev/null | gunzip -c >"$back" 2>/dev/null &&
		[[ $(stat -c %s "$back") == $(stat -c %s "$DISK") ]]; then
		cp "$back" "$DISK"
		say "disk: dom0's copy of xvda written back to $DISK"
	else
		say "FAIL: the disk did not come back from dom0 intact; $DISK is unchanged"
	fi
	rm -f "$back"
}

# ---- --net: the domU's vif, and net-peer in dom0 --------------------------------------
# The vif's backend is netback in dom0 (backend domain 0, the default); its
# interface joins the bridge xenbr0 that dom0-init.sh makes, through our own
# hotplug script (scripts/xenlab/vif-pvkit.sh, shipped in the guest's cpio).
write_vif_config() {
	echo "vif = [ 'mac=$VIF_MAC,bridge=xenbr0,script=/guest/vif-pvkit' ]"
}

# Into the guest's cpio: the hotplug script, net-peer, and what dom0-init.sh reads.
stage_net() {
	((NET)) || return 0
	install -m 0755 "$HERE/xenlab/vif-pvkit.sh" "$STAGE/guest/vif-pvkit"
	printf 'NET=1\n' >>"$STAGE/guest/env"
	if [[ -n $NET_PEER_LOG ]]; then
		install -m 0755 "$NET_PEER_STATIC" "$STAGE/guest/net-peer"
		printf "NET_PEER_ARGS='%s'\n" "$NET_PEER_ARGS" >>"$STAGE/guest/env"
	fi
}

# dom0 prints net-peer's output between PVKIT-XENLAB-NETPEER-BEGIN and a
# PVKIT-XENLAB-NETPEER-END status=N line: into NET_PEER_LOG, status last.
collect_net_peer() {
	[[ -n $NET_PEER_LOG ]] || return 0
	tr -d '\r' <"$SERIAL" | awk '/^PVKIT-XENLAB-NETPEER-END/ { print "net-peer exit status " substr($2, 8); exit }
		f { print } /^PVKIT-XENLAB-NETPEER-BEGIN/ { f = 1 }' >"$NET_PEER_LOG"
	grep -q '^net-peer exit status ' "$NET_PEER_LOG" ||
		echo "net-peer exit status none (dom0 did not report it)" >>"$NET_PEER_LOG"
	say "net-peer in dom0: $(tail -n 1 "$NET_PEER_LOG"); its output: $NET_PEER_LOG"
}
STAGE=$RUN/stage
mkdir -p "$STAGE/guest"
cp "$IMAGE" "$STAGE/guest/kernel"
write_guest_config >"$STAGE/guest/guest.cfg"
[[ -z $DISK ]] || stage_disk
cp "$STAGE/guest/guest.cfg" "$RUN/guest.cfg"
printf 'GUEST_TIMEOUT=%s\nLIVE=%s\n' $((TIMEOUT > DOM0_MARGIN_S + 15 ? TIMEOUT - DOM0_MARGIN_S : 15)) "$LIVE" \
	>"$STAGE/guest/env"
stage_net
[[ -z $CONSOLE_INPUT ]] || printf "CONSOLE_INPUT='%s'\n" "$CONSOLE_INPUT" >>"$STAGE/guest/env"
(cd "$STAGE" && find guest -print0 | cpio --null -o -H newc --owner=0:0 --quiet) >"$RUN/guest.cpio"
cat "$CACHE/dom0-initrd.cpio.gz" "$RUN/guest.cpio" >"$RUN/initrd"

# ---- QEMU → Xen → dom0 --------------------------------------------------------------
XEN_CMD="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all"
# Xen buffers what goes out on COM1 and drops, silently, whatever does not fit
# (default 16 KiB): dom0 prints the domU's whole console at once, and on a busy
# machine the emulated UART drains slower than that.  1 MiB holds any run's.
XEN_CMD+=" serial_tx_buffer=1M"
XEN_CMD+=" dom0_mem=$DOM0_MEM,max:$DOM0_MEM dom0_max_vcpus=1"
DOM0_CMD="console=hvc0 earlyprintk=xen rdinit=/init panic=1 loglevel=4"
# QEMU's multiboot -initrd is "module args,module2": a comma inside args is ",,".
QEMU_CMD=("$QEMU" -machine q35,accel=tcg -cpu "$QEMU_CPU" -smp 2 -m "$QEMU_MEM"
	-nodefaults -no-user-config -display none -vga none -no-reboot -monitor none
	-chardev "file,id=ser0,path=$SERIAL" -serial chardev:ser0
	-kernel "$CACHE/xen.elf" -append "$XEN_CMD"
	-initrd "$CACHE/vmlinuz ${DOM0_CMD//,/,,},$RUN/initrd")
printf '%q ' "${QEMU_CMD[@]}" >"$RUN/qemu-command"

say "Xen $(sed -n 's/^\.\/xen-hypervisor-[^_]*_\([^_]*\)_.*/\1/p' "$CACHE/versions.txt" 2>/dev/null | head -n 1) in QEMU TCG; domU type $TYPE, ${GUEST_MEM} MiB$( ((NET == 0)) || echo ", a vif on xenbr0${NET_PEER_LOG:+ with net-peer in dom0}"), command line '$CMDLINE'; timeout ${TIMEOUT} s; serial log $SERIAL"
START=$(date +%s%N)
elapsed() { echo $((($(date +%s%N) - START) / 100000000)) | sed 's/.$/.&/'; }
: >"$SERIAL"
"${QEMU_CMD[@]}" </dev/null >"$RUN/qemu.out" 2>&1 &
QEMU_PID=$!
if ((LIVE)); then
	tail -n +1 -F "$SERIAL" 2>/dev/null |
		awk '/PVKIT-XENLAB-LIVE-END/ { f = 0 } f { print; fflush() } /PVKIT-XENLAB-LIVE-BEGIN/ { f = 1 }' >&2 &
	TAIL_PID=$!
fi

# ---- wait for dom0 to finish (or QEMU to die, or the time to run out) ---------------
seen() { grep -aq "$1" "$SERIAL" 2>/dev/null; }
# serial_section NAME: what dom0 printed between its PVKIT-XENLAB-NAME-BEGIN and
# PVKIT-XENLAB-NAME-END lines (hvc0's "\r" removed).
serial_section() {
	tr -d '\r' <"$SERIAL" |
		awk -v begin="PVKIT-XENLAB-$1-BEGIN" -v end="PVKIT-XENLAB-$1-END" \
			'index($0, end) == 1 { exit } f { print } index($0, begin) == 1 { f = 1 }'
}
domu_started=""
outcome=timeout
while :; do
	if [[ -z $domu_started ]] && seen PVKIT-XENLAB-DOMU-START; then
		domu_started=$(elapsed)
		say "dom0 is creating the domU at ${domu_started} s"
	fi
	seen PVKIT-XENLAB-DOM0-DONE && { outcome=done; break; }
	kill -0 "$QEMU_PID" 2>/dev/null || { outcome=qemu-exited; break; }
	(($(date +%s%N) - START < TIMEOUT * 1000000000)) || break
	sleep 0.3
done
sleep 0.3       # the last lines of the serial log
say "dom0 finished at $(elapsed) s ($outcome)"
[[ -z $KEEP_SERIAL ]] || cp "$SERIAL" "$KEEP_SERIAL"
[[ -z $DISK ]] || return_disk

# ---- the domU's console, and the verdict --------------------------------------------
if seen PVKIT-XENLAB-CONSOLE-BEGIN; then
	serial_section CONSOLE
fi
grep -a '^xenlab-dom0: \(xl:\|FATAL\|console input:\)' "$SERIAL" | tr -d '\r' | sed 's/^xenlab-dom0: /xen-lab: dom0: /' >&2
result=$(grep -a '^PVKIT-XENLAB-RESULT' "$SERIAL" | tr -d '\r' | tail -n 1)
reason=$(sed -n 's/.*shutdown=\([^ ]*\).*/\1/p' <<<"$result")
state=$(sed -n 's/.*status=\([^ ]*\).*/\1/p' <<<"$result")
status=$(serial_section CONSOLE | awk '/^pvkit: exit status [0-9]+$/ { s = $4 } END { print s }')
say "result: ${result:-none}; guest's status line: ${status:-none}"
collect_net_peer

if [[ -z $result ]]; then
	if [[ $outcome == timeout ]]; then
		say "FAIL: timed out after ${TIMEOUT} s (dom0 reached domU creation: ${domu_started:-no}); serial log $SERIAL"
		exit $E_TIMEOUT
	fi
	say "FAIL: the lab did not get to run the domU ($outcome; dom0 reached domU creation: ${domu_started:-no}); serial log $SERIAL"
	tail -n 5 "$RUN/qemu.out" | sed 's/^/xen-lab: qemu: /' >&2
	exit $E_LAB
fi
if [[ $state == timeout ]]; then
	say "FAIL: the domU ran out of time and was destroyed"
	exit $E_TIMEOUT
fi
if [[ -z $status ]]; then
	say "FAIL: the domU stopped (shutdown reason ${reason}) without a 'pvkit: exit status N' line"
	exit $E_NO_STATUS
fi
# SCHEDOP_shutdown reasons (xen/sched.h): 0 poweroff, 1 reboot, 2 suspend, 3 crash.
expected_reason=0
((status != 3)) || expected_reason=3
if [[ $reason != none && $reason != "$expected_reason" ]]; then
	say "FAIL: status $status, but SCHEDOP_shutdown reason $reason (expected $expected_reason)"
	exit $E_NO_STATUS
fi
say "domU status $status (shutdown reason ${reason}) after $(elapsed) s"
exit "$status"
