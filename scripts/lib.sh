# scripts/lib.sh — shared by run.sh, test-all.sh and bench.sh (source it, don't run it).
#
# It knows three things:
#   1. where things are (the image, pvkit-hv, build/, QEMU) and the tunables;
#   2. the "hosts": the ways we boot build/pvkit.elf (pvkit-hv, a QEMU machine +
#      accelerator, or GRUB from an ISO), and whether each host works on this machine;
#   3. boot HOST CMDLINE LOGFILE [DISK]: boot the image once, return the guest's status.
#
# Environment knobs (all optional):
#   PVKIT_IMAGE        image to boot                 (default build/pvkit.elf)
#   QEMU               QEMU binary                   (default qemu-system-x86_64)
#   PVKIT_MEM          guest memory                  (default 128M)
#   PVKIT_TIMEOUT_TCG  seconds per boot under TCG    (default 60)
#   PVKIT_TIMEOUT_KVM  seconds per boot under KVM    (default 180: guest kernel code is
#                      emulated instruction by instruction by this machine's kvm_pvm)
#   PVKIT_NO_KVM=1     treat KVM as unavailable (skip the *-kvm hosts)
#   PVKIT_KVMLAB_DIR   the kvmlab recipe for hosts pvkit-hv-kvmlab, pvkit-hv-xen-kvmlab
#                      (default ../shared/kvmlab beside the repository)
#   PVKIT_TIMEOUT_KVMLAB  seconds per boot on the *-kvmlab hosts, lab boot included
#                      (default 300, at least 90)
#   PVKIT_NO_KVMLAB=1  skip the pvkit-hv-kvmlab and pvkit-hv-xen-kvmlab hosts
#   PVKIT_XENLAB_CACHE the real-Xen lab of hosts xen-pvh, xen-pv (default /tmp/pvkit-xenlab)
#   PVKIT_TIMEOUT_XEN  seconds per boot on xen-pvh and xen-pv, lab boot included (default 240)
#   PVKIT_NO_XEN=1     skip the xen-pvh and xen-pv hosts
# shellcheck shell=bash
set -euo pipefail

# ---- where things are ------------------------------------------------------------
PVKIT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=$PVKIT_ROOT/build
IMAGE=${PVKIT_IMAGE:-$BUILD_DIR/pvkit.elf}
PVKIT_HV=${PVKIT_HV:-$BUILD_DIR/pvkit-hv}
DISK_PATTERN=$BUILD_DIR/tools/disk-pattern     # tests/tools/disk-pattern.c
NET_PEER=$BUILD_DIR/tools/net-peer             # tests/tools/net-peer.c
ISO_DIR=$BUILD_DIR/iso
QEMU=${QEMU:-qemu-system-x86_64}
QBOOT_ROM=/usr/share/qemu/qboot.rom
GRUB_BIOS_DIR=/usr/lib/grub/i386-pc
MEMORY=${PVKIT_MEM:-128M}
TIMEOUT_TCG=${PVKIT_TIMEOUT_TCG:-60}
TIMEOUT_KVM=${PVKIT_TIMEOUT_KVM:-180}
KVMLAB_DIR=${PVKIT_KVMLAB_DIR:-$PVKIT_ROOT/../shared/kvmlab}
TIMEOUT_KVMLAB=${PVKIT_TIMEOUT_KVMLAB:-300}
TIMEOUT_XEN=${PVKIT_TIMEOUT_XEN:-240}
XEN_LAB=$PVKIT_ROOT/scripts/xen-lab.sh            # docs/xen.md

# The sectors tests/guest/test_block.c writes on every disk, whatever its driver
# (checked by test-all.sh afterwards), and the ones it expects the host to have
# written first (tests/tools/disk_pattern.h).
GUEST_PATTERN_LBA=64 GUEST_PATTERN_SECTORS=8
# shellcheck disable=SC2034  # used by test-all.sh
HOST_PATTERN_LBA=128 HOST_PATTERN_SECTORS=4

# ---- the hosts --------------------------------------------------------------------
# Every host, fastest first: that is the order test-all.sh runs them in.
#   microvm-*  QEMU -M microvm, PVH entry via -kernel (no firmware at all)
#   q35-*      QEMU -M q35 with the tiny qboot firmware, PVH entry via -kernel
#   pc-*       QEMU -M pc with qboot and an IDE disk on the PIIX controller: the
#              guest's ATA driver against QEMU's disk, not only ours
#   grub-tcg   QEMU -M q35 with SeaBIOS booting a GRUB ISO, Multiboot2 entry
#              (TCG only: SeaBIOS takes ~4 s under this machine's KVM)
#   pvkit-hv   our own hypervisor (build/pvkit-hv, on /dev/kvm), with an ATA disk
#   pvkit-hv-mmio, pvkit-hv-pci  pvkit-hv with its virtio devices (blk, rng, console,
#              net) on virtio-mmio or modern virtio-pci: the guest's drivers against
#              our backends, as microvm-* and q35-* test them against QEMU's
#   pvkit-hv-xen  pvkit-hv --xen: pvkit-hv plays Xen and dom0, and the guest runs as
#              a Xen PVH domU (hypercalls, event channels, PV console) on our own VMM
#   pvkit-hv-kvmlab  the same pvkit-hv, image and disk, but run inside ../shared/kvmlab:
#              a QEMU-TCG guest ("L1") whose /dev/kvm is a genuine kvm_amd, i.e.
#              hardware-virtualization KVM instead of this machine's kvm_pvm.
#              Slowest (~5 s of lab boot per run), so last.
#   pvkit-hv-xen-kvmlab  pvkit-hv --xen (as pvkit-hv-xen, with its Xen disk and vif)
#              inside the same lab: only the test=all boot, each lab boot being costly
#   xen-pvh    real Xen 4.17 + a Debian dom0 inside QEMU TCG (scripts/xen-lab.sh):
#              the image as a PVH domU created by `xl create` (~12 s per boot)
#   xen-pv     the same lab, the same image as a PV domU (`type = "pv"`, issue 6)
ALL_HOSTS=(microvm-tcg q35-tcg pc-tcg grub-tcg pvkit-hv pvkit-hv-mmio pvkit-hv-pci
	pvkit-hv-xen microvm-kvm q35-kvm pc-kvm pvkit-hv-kvmlab pvkit-hv-xen-kvmlab
	xen-pvh xen-pv)

# The host `make run` uses when none is given.  This is THE place to change that
# choice: our own pvkit-hv when KVM works here, else QEMU with TCG.
pick_default_host() {     # sets DEFAULT_HOST
	# shellcheck disable=SC2034  # used by run.sh
	if host_available pvkit-hv; then
		DEFAULT_HOST=pvkit-hv
	else
		DEFAULT_HOST=microvm-tcg
	fi
}

# Hosts whose machine has a disk: test-all.sh gives them a fresh image.  pc-*,
# pvkit-hv and pvkit-hv-kvmlab attach it as an ATA disk; the virtio hosts as
# virtio-blk; xen-pvh and xen-pv as the domU's xvda, served by dom0's blkback (xen-lab.sh --disk);
# pvkit-hv-xen and pvkit-hv-xen-kvmlab as xvda too, served by pvkit-hv's own
# blkback (--xen-blk).
host_has_disk() {
	[[ $1 == pc-* || $1 == pvkit-hv || $1 == pvkit-hv-kvmlab || $1 == xen-pv* ||
	   $1 == pvkit-hv-xen || $1 == pvkit-hv-xen-kvmlab ||
	   $(host_virtio "$1") != none ]]
}

# Which virtio transport a host's machine gets devices on: mmio, pci or none.
# Those hosts always get a virtio-rng and a virtio-net, and a virtio-blk when they
# are given a disk.  Ring formats (docs/testing.md): every device offers packed
# virtqueues on q35-* (QEMU's packed=on) and pvkit-hv-mmio, and only split ones on
# microvm-* and pvkit-hv-pci (packed=off), so that each format runs on each
# transport, against QEMU's devices and ours.
host_virtio() {
	case $1 in
	microvm-* | pvkit-hv-mmio) echo mmio ;;
	q35-* | pvkit-hv-pci) echo pci ;;
	*) echo none ;;
	esac
}

# Hosts that run build/pvkit-hv inside ../shared/kvmlab, on its genuine kvm_amd.
is_kvmlab_host() {
	[[ $1 == pvkit-hv-kvmlab || $1 == pvkit-hv-xen-kvmlab ]]
}

# Hosts that run build/pvkit-hv on this machine's /dev/kvm.
is_pvkit_hv_host() {
	[[ $1 == pvkit-hv || $1 == pvkit-hv-mmio || $1 == pvkit-hv-pci || $1 == pvkit-hv-xen ]]
}

# pvkit_hv_virtio_args HOST DISK: append HOST's virtio devices to HOST_CMD, the
# same set virtio_args gives QEMU: rng (on pci without MSI-X, so INTx is tested),
# blk on DISK, the console (its input read from VCONSOLE_BASE.in, its output
# written to VCONSOLE_BASE.out, as QEMU's pipe chardev does) and net (udp=0: any
# free local port; the peer learns it from the guest's first frame).
pvkit_hv_virtio_args() {
	local host=$1 disk=$2 transport params
	transport=$(host_virtio "$host")
	[[ $transport != none ]] || return 0
	# pvkit-hv offers packed rings by default: kept on mmio, off on pci.
	params="transport=$transport"
	[[ $transport != pci ]] || params+=",packed=off"
	if [[ $transport == pci ]]; then
		HOST_CMD+=(--virtio-rng="$params,msix=off")
	else
		HOST_CMD+=(--virtio-rng="$params")
	fi
	[[ -z $disk ]] || HOST_CMD+=(--virtio-blk "$disk,$params")
	[[ -z ${VCONSOLE_BASE:-} ]] ||
		HOST_CMD+=(--virtio-console="in=$VCONSOLE_BASE.in,out=$VCONSOLE_BASE.out,$params")
	HOST_CMD+=(--virtio-net "udp=0:127.0.0.1:${NET_PEER_PORT:-$NET_DISCARD_PORT},$params")
}

# virtio_args HOST DISK: append HOST's virtio devices to HOST_CMD.
#   mmio: QEMU's virtio-mmio devices are legacy (version 1) unless told otherwise;
#         the guest drives version 2 only.  Each device adds a
#         virtio_mmio.device=... option to the kernel command line (acpi=off).
#   pci:  disable-legacy=on makes them modern-only (device id 0x1040+).  The rng
#         gets no MSI-X (vectors=0), so that INTx through the I/O APIC is tested
#         too; the disk uses MSI-X.  packed=on: packed virtqueues (see host_virtio).
virtio_args() {
	local host=$1 disk=$2
	# shellcheck disable=SC2054  # the commas belong to QEMU's option syntax
	case $(host_virtio "$host") in
	mmio) HOST_CMD+=(-global virtio-mmio.force-legacy=false -device virtio-rng-device)
	      [[ -z $disk ]] || HOST_CMD+=(-drive "file=$disk,if=none,format=raw,id=vblk"
	                                   -device virtio-blk-device,drive=vblk) ;;
	pci)  HOST_CMD+=(-device virtio-rng-pci,disable-legacy=on,vectors=0,packed=on)
	      [[ -z $disk ]] || HOST_CMD+=(-drive "file=$disk,if=none,format=raw,id=vblk"
	                                   -device virtio-blk-pci,disable-legacy=on,packed=on,drive=vblk) ;;
	esac
	vconsole_args "$host"
	netdev_args "$host"
}

# Every boot on a host with virtio gets a virtio-net on QEMU's UDP socket netdev:
# each frame the guest sends becomes one UDP datagram to 127.0.0.1:NET_PEER_PORT,
# and each datagram reaching QEMU's own port becomes one received frame.  QEMU's
# port is any free one (localaddr port 0); tests/tools/net-peer learns it from the
# guest's first frame.  NET_PEER_PORT is set only around the net-echo check
# (test-all.sh); otherwise the frames go to the discard port 9 on loopback and are
# lost: nothing waits for a listener, so the other boots are not held up.
NET_PEER_PORT=""
NET_DISCARD_PORT=9

# netdev_args HOST: append the virtio-net device and its socket netdev.
netdev_args() {
	local netdev="socket,id=n0,udp=127.0.0.1:${NET_PEER_PORT:-$NET_DISCARD_PORT}"
	netdev+=",localaddr=127.0.0.1:0"
	# shellcheck disable=SC2054  # the commas belong to QEMU's option syntax
	case $(host_virtio "$1") in
	mmio) HOST_CMD+=(-netdev "$netdev" -device virtio-net-device,netdev=n0) ;;
	pci)  HOST_CMD+=(-netdev "$netdev" -device virtio-net-pci,disable-legacy=on,packed=on,netdev=n0) ;;
	esac
}

# net_peer_start LOG PORTFILE ARGS...: run build/tools/net-peer ARGS in the
# background (NET_PEER_PID), listening on a free loopback port, and wait until it
# has written that port into PORTFILE; then set NET_PEER_PORT to it, so that the
# next boot's frames go to the peer.  False if the peer did not start.  (Not inside
# a $(...): the peer must stay this shell's child, for net_peer_stop's wait.)
net_peer_start() {
	local log=$1 port_file=$2 tries
	shift 2
	rm -f "$port_file"
	"$NET_PEER" --port-file "$port_file" "$@" </dev/null >"$log" 2>&1 &
	NET_PEER_PID=$!
	for ((tries = 0; tries < 100; tries++)); do
		[[ -s $port_file ]] && break
		kill -0 "$NET_PEER_PID" 2>/dev/null || break
		sleep 0.05
	done
	[[ -s $port_file ]] || return 1
	NET_PEER_PORT=$(<"$port_file")
}

# net_peer_stop GRACE: after the boot: give the peer GRACE seconds to finish, then
# stop it; set NET_PEER_STATUS (its exit status, or "killed") and clear NET_PEER_PORT.
net_peer_stop() {
	local grace=$1 waited
	NET_PEER_PORT=""
	for ((waited = 0; waited < grace * 10; waited++)); do
		kill -0 "$NET_PEER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$NET_PEER_PID" 2>/dev/null; then
		kill "$NET_PEER_PID" 2>/dev/null || true
		wait "$NET_PEER_PID" 2>/dev/null || true
		NET_PEER_STATUS=killed
	else
		# shellcheck disable=SC2034  # read by the callers (test-all.sh)
		wait "$NET_PEER_PID" && NET_PEER_STATUS=0 || NET_PEER_STATUS=$?
	fi
}

# The virtio console the next boot gets, on hosts with virtio: empty for none
# (test-all.sh sets it around the test=all boot).  It is QEMU's pipe chardev
# with path=BASE: the console's input is read from BASE.in and its output
# written to BASE.out.  Both must exist; regular files will do (QEMU opens
# them read-write, without truncating: make BASE.out empty first).  QEMU 7.2's
# file chardev has no input-path yet, hence the pipe chardev.
VCONSOLE_BASE=""

# vconsole_args HOST: append a virtio-serial device with one virtconsole
# (port 0, the only port a driver without VIRTIO_CONSOLE_F_MULTIPORT sees).
vconsole_args() {
	local base=${VCONSOLE_BASE:-}
	[[ -n $base ]] || return 0
	base=${base//,/,,}      # QEMU's option syntax: a comma in a value is written ",,"
	# shellcheck disable=SC2054  # the commas belong to QEMU's option syntax
	case $(host_virtio "$1") in
	mmio) HOST_CMD+=(-chardev "pipe,id=vc0,path=$base"
	                 -device virtio-serial-device -device virtconsole,chardev=vc0) ;;
	pci)  HOST_CMD+=(-chardev "pipe,id=vc0,path=$base"
	                 -device virtio-serial-pci,disable-legacy=on,packed=on
	                 -device virtconsole,chardev=vc0) ;;
	esac
}

# Hosts whose disk image cannot be checked from here after the boot, because the
# guest wrote a copy of it: kvmlab copies files into the lab and nothing back out.
# Their boot command checks the pattern inside (see host_command; the result is
# read back from the log by kvmlab_disk_result).
host_checks_disk_inside() {
	is_kvmlab_host "$1"
}

# Why microvm gets `acpi=off`: the guest does not read ACPI, and without ACPI QEMU
# starts a little faster (~30 ms instead of ~40 ms under TCG here).  Side effect to
# know about: with acpi=off QEMU appends " virtio_mmio.device=512@0x...:N" to the
# kernel command line for every virtio-mmio device it has (virtio_args adds them);
# the guest takes that option to find them (pv/virtio/virtio_mmio.c).
MICROVM_MACHINE=microvm,acpi=off

# Status codes boot() returns when the guest did not report one (guest statuses are
# 0..127; these are well above anything the guest uses).
BOOT_NO_STATUS=200   # QEMU exited without the guest writing port 0xf4 (reset, triple fault)
BOOT_TIMEOUT=201     # the guest did not finish in time
BOOT_QEMU_ERROR=202  # the VMM (QEMU, pvkit-hv) or the GRUB ISO build failed; the guest never ran
BOOT_REASON=""       # a sentence explaining the last non-guest status
KVM_ERROR_TEXT="KVM internal error"   # QEMU's message when KVM gives up on the guest

is_host() {
	local h
	for h in "${ALL_HOSTS[@]}"; do
		[[ $h == "$1" ]] && return 0
	done
	return 1
}

host_accel() {           # microvm-kvm -> kvm; pvkit-hv always uses KVM
	case $1 in
	pvkit-hv | pvkit-hv-mmio | pvkit-hv-pci | pvkit-hv-xen) echo kvm ;;
	pvkit-hv-kvmlab | pvkit-hv-xen-kvmlab) echo kvmlab ;;   # kvm_amd inside the lab, not this machine's /dev/kvm
	xen-pvh | xen-pv) echo xen ;;     # Xen (itself under QEMU TCG)
	*) echo "${1##*-}" ;;
	esac
}

host_timeout() {         # seconds one boot may take on this host
	if is_kvmlab_host "$1"; then
		echo "$TIMEOUT_KVMLAB"
	elif [[ $1 == xen-pvh || $1 == xen-pv ]]; then
		echo "$TIMEOUT_XEN"
	elif [[ $(host_accel "$1") == kvm ]]; then
		echo "$TIMEOUT_KVM"
	else
		echo "$TIMEOUT_TCG"
	fi
}

# Can QEMU use /dev/kvm here?  Opening /dev/kvm is not enough, so we really start
# QEMU with -accel kvm (it creates the VM and its vCPU, stays paused by -S, and
# quits at once).  The answer is kept in PVKIT_KVM_STATE ("ok" or the reason it
# failed), exported so that child scripts reuse it instead of probing again.
kvm_usable() {
	if [[ -z ${PVKIT_KVM_STATE:-} ]]; then
		local err
		if [[ ${PVKIT_NO_KVM:-0} == 1 ]]; then
			PVKIT_KVM_STATE="KVM disabled by PVKIT_NO_KVM=1"
		elif [[ ! -e /dev/kvm ]]; then
			PVKIT_KVM_STATE="no /dev/kvm on this machine"
		elif [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
			PVKIT_KVM_STATE="/dev/kvm is not readable and writable by $(id -un)"
		elif err=$(timeout 20 "$QEMU" -M "$MICROVM_MACHINE" -accel kvm -nodefaults \
				-no-user-config -display none -S -monitor stdio \
				<<<quit 2>&1 >/dev/null); then
			PVKIT_KVM_STATE=ok
		else
			err=$(grep -v 'warning:' <<<"$err" | tail -n 1)
			PVKIT_KVM_STATE="QEMU cannot use /dev/kvm: ${err:-probe timed out}"
		fi
		export PVKIT_KVM_STATE
	fi
	[[ $PVKIT_KVM_STATE == ok ]]
}

# Can the kvmlab host run here?  The lab (../shared/kvmlab) must be there and its
# setup.sh must succeed.  setup.sh is idempotent (a second run takes ~0.1 s; the
# first ~15 s, downloading a Debian kernel and installing qemu, cpio,
# busybox-static if missing) and keeps its cache outside the tree, in
# ${KVMLAB_CACHE:-/tmp/kvmlab}.  It runs once per test run: the answer is kept in
# PVKIT_KVMLAB_STATE ("ok" or the reason), exported like PVKIT_KVM_STATE.  Its
# output goes to stderr, each line prefixed with "kvmlab setup | ".
kvmlab_usable() {
	if [[ -z ${PVKIT_KVMLAB_STATE:-} ]]; then
		local out rc
		if [[ ${PVKIT_NO_KVMLAB:-0} == 1 ]]; then
			PVKIT_KVMLAB_STATE="disabled by PVKIT_NO_KVMLAB=1"
		elif [[ ! $TIMEOUT_KVMLAB =~ ^[0-9]+$ ]] || ((TIMEOUT_KVMLAB < 90)); then
			PVKIT_KVMLAB_STATE="PVKIT_TIMEOUT_KVMLAB=$TIMEOUT_KVMLAB: must be a number of seconds, at least 90"
		elif [[ ! -x $KVMLAB_DIR/setup.sh || ! -x $KVMLAB_DIR/run.sh ]]; then
			PVKIT_KVMLAB_STATE="no kvmlab at $KVMLAB_DIR (setup.sh and run.sh; expected at ../shared/kvmlab beside the repository, or set PVKIT_KVMLAB_DIR)"
		else
			echo "kvmlab setup | $KVMLAB_DIR/setup.sh (once per run)" >&2
			out=$(mktemp)
			timeout 900 "$KVMLAB_DIR/setup.sh" </dev/null 2>&1 | tee "$out" |
				sed 's/^/kvmlab setup | /' >&2 && rc=0 || rc=$?
			if ((rc != 0)); then
				PVKIT_KVMLAB_STATE="kvmlab's setup.sh failed (exit $rc): $(tail -n 1 "$out")"
			elif ! command -v qemu-system-x86_64 >/dev/null; then
				PVKIT_KVMLAB_STATE="kvmlab needs qemu-system-x86_64, which is not installed"
			else
				PVKIT_KVMLAB_STATE=ok
			fi
			rm -f "$out"
		fi
		export PVKIT_KVMLAB_STATE
	fi
	[[ $PVKIT_KVMLAB_STATE == ok ]]
}

# Can the xen-pvh and xen-pv hosts run here?  Its lab (scripts/xenlab/setup.sh: Xen, a Debian
# kernel and dom0's initramfs, ~350 MB in ${PVKIT_XENLAB_CACHE:-/tmp/pvkit-xenlab})
# must be ready.  setup.sh is idempotent (~1 s when everything is there; the first
# run takes ~60-90 s and needs root and Debian's mirror).  It runs once per test run;
# the answer is kept in PVKIT_XENLAB_STATE ("ok" or the reason), exported like
# PVKIT_KVM_STATE; its output goes to stderr, prefixed "xenlab setup | ".
xenlab_usable() {
	if [[ -z ${PVKIT_XENLAB_STATE:-} ]]; then
		local out rc
		if [[ ${PVKIT_NO_XEN:-0} == 1 ]]; then
			PVKIT_XENLAB_STATE="disabled by PVKIT_NO_XEN=1"
		elif [[ ! $TIMEOUT_XEN =~ ^[0-9]+$ ]] || ((TIMEOUT_XEN < 60)); then
			PVKIT_XENLAB_STATE="PVKIT_TIMEOUT_XEN=$TIMEOUT_XEN: must be a number of seconds, at least 60"
		elif [[ $(id -u) != 0 ]]; then
			PVKIT_XENLAB_STATE="the real-Xen lab's setup needs root (apt-get, debootstrap)"
		else
			echo "xenlab setup | scripts/xenlab/setup.sh (once per run)" >&2
			out=$(mktemp)
			timeout 900 "$PVKIT_ROOT/scripts/xenlab/setup.sh" </dev/null 2>&1 | tee "$out" |
				sed 's/^/xenlab setup | /' >&2 && rc=0 || rc=$?
			if ((rc != 0)); then
				PVKIT_XENLAB_STATE="the real-Xen lab could not be set up (scripts/xenlab/setup.sh exit $rc): $(tail -n 1 "$out")"
			elif ! command -v "$QEMU" >/dev/null; then
				PVKIT_XENLAB_STATE="the real-Xen lab needs $QEMU, which is not installed"
			else
				PVKIT_XENLAB_STATE=ok
			fi
			rm -f "$out"
		fi
		export PVKIT_XENLAB_STATE
	fi
	[[ $PVKIT_XENLAB_STATE == ok ]]
}

# xenlab_status RC TIMEOUT: scripts/xen-lab.sh exits with the guest's status (from
# its "pvkit: exit status N" line on the PV console), or 240-243 for the lab's own
# verdicts (see its header).
xenlab_status() {
	local rc=$1 limit=$2
	BOOT_REASON=""
	case $rc in
	240 | 124 | 137) BOOT_REASON="timed out after $limit s on real Xen (see the log: xen-lab's lines say where it stopped)"
	     return "$BOOT_TIMEOUT" ;;
	241) BOOT_REASON="the real-Xen lab failed: Xen or dom0 did not start, or xl create failed (see the log)" ;;
	242) BOOT_REASON="the domU stopped without a 'pvkit: exit status' line, or with a SCHEDOP_shutdown reason that disagrees with it"
	     return "$BOOT_NO_STATUS" ;;
	243) BOOT_REASON="scripts/xen-lab.sh: usage or setup problem (see the log)" ;;
	255) BOOT_REASON="scripts/xen-lab.sh was interrupted" ;;
	*)   return "$rc" ;;
	esac
	return "$BOOT_QEMU_ERROR"
}

# host_available HOST: returns 0 if HOST can run here; otherwise sets
# UNAVAILABLE_REASON and returns 1.  Call it in the main shell (not inside $(...))
# so that the KVM probe result is kept for the rest of the run.
host_available() {
	local host=$1
	UNAVAILABLE_REASON=""
	if ! is_host "$host"; then
		UNAVAILABLE_REASON="unknown host '$host' (hosts: ${ALL_HOSTS[*]})"
	elif [[ ! -f $IMAGE ]]; then
		UNAVAILABLE_REASON="no image $IMAGE (run make)"
	elif [[ $host == pvkit-hv* && ! -x $PVKIT_HV ]]; then
		UNAVAILABLE_REASON="no $PVKIT_HV (run make)"
	elif is_kvmlab_host "$host" && [[ ! -x $DISK_PATTERN ]]; then
		UNAVAILABLE_REASON="no $DISK_PATTERN (run make)"
	elif is_kvmlab_host "$host" && ! kvmlab_usable; then
		UNAVAILABLE_REASON=$PVKIT_KVMLAB_STATE
	elif [[ $host == xen-pv* ]] && ! xenlab_usable; then
		UNAVAILABLE_REASON=$PVKIT_XENLAB_STATE
	elif [[ $host != pvkit-hv* ]] && ! command -v "$QEMU" >/dev/null; then
		UNAVAILABLE_REASON="$QEMU not installed (scripts/deps.sh)"
	elif [[ $host == q35-* && ! -f $QBOOT_ROM ]]; then
		UNAVAILABLE_REASON="no $QBOOT_ROM (package qemu-system-data)"
	elif [[ $host == grub-* ]] && ! command -v grub-mkrescue >/dev/null; then
		UNAVAILABLE_REASON="grub-mkrescue not installed (package grub-common)"
	elif [[ $host == grub-* && ! -d $GRUB_BIOS_DIR ]]; then
		UNAVAILABLE_REASON="no $GRUB_BIOS_DIR (package grub-pc-bin)"
	elif [[ $host == grub-* ]] && ! command -v xorriso >/dev/null; then
		UNAVAILABLE_REASON="xorriso not installed (package xorriso)"
	elif [[ $(host_accel "$host") == kvm ]] && ! kvm_usable; then
		UNAVAILABLE_REASON=$PVKIT_KVM_STATE
	fi
	[[ -z $UNAVAILABLE_REASON ]]
}

# ---- input on the Xen PV console -------------------------------------------------------
# A line the next boot's Xen console backend types to the guest: empty for none
# (test-all.sh sets it around the Xen hosts' suites, and tells the guest with
# xen_console.expect=TEXT; tests/guest/test_xen_console.c).  pvkit-hv --xen feeds
# its stdin into the console's `in` ring, so it gets the line on stdin
# (vmm_stdin); on real Xen, dom0 writes it into the domU's console pty, where
# xenconsoled reads it (xen-lab.sh --console-input).
XEN_CONSOLE_INPUT=""

xen_lab_console_args() {
	[[ -z $XEN_CONSOLE_INPUT ]] || HOST_CMD+=(--console-input "$XEN_CONSOLE_INPUT")
}

# vmm_stdin HOST LOGFILE: print the file the VMM reads as its stdin: /dev/null, or
# for pvkit-hv-xen with XEN_CONSOLE_INPUT, LOGFILE's sibling NAME.xencons-in
# holding that line.
vmm_stdin() {
	local input=${2%.log}.xencons-in
	if [[ $1 != pvkit-hv-xen || -z $XEN_CONSOLE_INPUT ]]; then
		echo /dev/null
		return
	fi
	printf '%s\n' "$XEN_CONSOLE_INPUT" >"$input"
	echo "$input"
}

# ---- the real-Xen lab's network ------------------------------------------------------
# The domU of xen-pvh and xen-pv gets a vif on dom0's bridge (xen-lab.sh --net), so
# netfront is probed on every boot there and its tests run with the suite; XEN_VIF=0
# leaves it out (bench.sh's PV-vs-PVH section: connecting costs boot time).  Around
# the net-echo check, XEN_NET_PEER_LOG is set (test-all.sh): then net-peer also runs
# in dom0, on the bridge, with XEN_NET_PEER_ARGS, and its output comes back in that file.
XEN_NET_PEER_LOG="" XEN_NET_PEER_ARGS="" XEN_VIF=1
xen_lab_net_args() {
	[[ $1 == xen-pv* ]] || return 0
	[[ $XEN_VIF == 1 || -n $XEN_NET_PEER_LOG ]] || return 0
	if [[ -n $XEN_NET_PEER_LOG ]]; then
		HOST_CMD+=(--net-peer "$XEN_NET_PEER_LOG" --net-peer-args "$XEN_NET_PEER_ARGS")
	else
		HOST_CMD+=(--net)
	fi
}

# ---- GRUB ISOs ----------------------------------------------------------------------
# grub_iso CMDLINE: make sure an ISO exists that boots $IMAGE through GRUB's
# multiboot2 command with CMDLINE, and set ISO to its path.  ISOs are cached in
# build/iso/<image hash>/<cmdline hash>.iso; ISOs of older images are deleted.
# Note: GRUB parses the command line like a shell does (quotes, $, ;).
grub_iso() {
	local cmdline=$1 image_key cmd_key dir stage
	image_key=$(sha256sum <"$IMAGE" | cut -c1-16)
	cmd_key=$(printf '%s' "$cmdline" | sha256sum | cut -c1-16)
	dir=$ISO_DIR/$image_key
	ISO=$dir/$cmd_key.iso
	[[ -f $ISO ]] && return 0

	mkdir -p "$ISO_DIR"
	find "$ISO_DIR" -mindepth 1 -maxdepth 1 -type d ! -name "$image_key" -exec rm -rf {} +
	mkdir -p "$dir"
	stage=$(mktemp -d "$dir/stage.XXXXXX")
	mkdir -p "$stage/boot/grub"
	cp "$IMAGE" "$stage/boot/pvkit.elf"
	printf 'set timeout=0\nmultiboot2 /boot/pvkit.elf %s\nboot\n' "$cmdline" \
		>"$stage/boot/grub/grub.cfg"
	if ! grub-mkrescue -d "$GRUB_BIOS_DIR" --locales= --fonts= --themes= \
			-o "$ISO.tmp" "$stage" >"$dir/$cmd_key.mkrescue.log" 2>&1; then
		echo "grub-mkrescue failed:" >&2
		cat "$dir/$cmd_key.mkrescue.log" >&2
		rm -rf "$stage" "$ISO.tmp"
		return 1
	fi
	rm -rf "$stage" "$dir/$cmd_key.mkrescue.log"
	mv "$ISO.tmp" "$ISO"
}

# ---- booting ------------------------------------------------------------------------
# host_command HOST CMDLINE [DISK]: set the array HOST_CMD to the full command line
# that boots $IMAGE on HOST with CMDLINE (and DISK as its ATA disk, on hosts that
# have one), building the GRUB ISO when needed.  The guest's console (COM1) is the
# command's stdout; the VMM's own messages go to stderr.
host_command() {
	local host=$1 cmdline=$2 disk=${3:-}
	if is_pvkit_hv_host "$host"; then
		HOST_CMD=("$PVKIT_HV" --timeout "$(host_timeout "$host")")
		pvkit_hv_device_args "$host" "$disk"
		HOST_CMD+=("$IMAGE" -- "$cmdline")
		return 0
	fi
	if is_kvmlab_host "$host"; then
		kvmlab_command "$host" "$cmdline" "$disk"
		return 0
	fi
	if [[ $host == xen-pv* ]]; then     # xen-pvh, xen-pv: the domU's type
		HOST_CMD=("$XEN_LAB" --type "${host#xen-}" --timeout "$(host_timeout "$host")")
		[[ -z $disk ]] || HOST_CMD+=(--disk "$disk")
		xen_lab_net_args "$host"
		xen_lab_console_args
		HOST_CMD+=("$IMAGE" -- "$cmdline")
		return 0
	fi
	# shellcheck disable=SC2054  # the commas belong to QEMU's option syntax
	HOST_CMD=("$QEMU" -accel "$(host_accel "$host")" -m "$MEMORY"
		-nodefaults -no-user-config -display none -no-reboot
		-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4)
	case $host in
	microvm-*) HOST_CMD+=(-M "$MICROVM_MACHINE" -kernel "$IMAGE" -append "$cmdline") ;;
	q35-tcg)   HOST_CMD+=(-M q35 -bios "$QBOOT_ROM" -kernel "$IMAGE" -append "$cmdline") ;;
	# The default CPU model has no TSC-deadline timer; q35-kvm adds it so that the
	# suite covers both LAPIC timer modes (microvm-kvm keeps the one-shot count-down).
	q35-kvm)   HOST_CMD+=(-M q35 -bios "$QBOOT_ROM" -cpu qemu64,+tsc-deadline
	                      -kernel "$IMAGE" -append "$cmdline") ;;
	pc-*)      HOST_CMD+=(-M pc -bios "$QBOOT_ROM" -kernel "$IMAGE" -append "$cmdline")
	           [[ -z $disk ]] || HOST_CMD+=(-drive "file=$disk,format=raw,if=ide,index=0") ;;
	grub-*)    grub_iso "$cmdline" || return 1
	           HOST_CMD+=(-M q35 -cdrom "$ISO" -boot d) ;;
	*)         echo "unknown host '$host'" >&2; return 1 ;;
	esac
	virtio_args "$host" "$disk"
}

# pvkit_hv_device_args HOST DISK: append to HOST_CMD the devices pvkit-hv gives the
# guest on HOST: DISK as an ATA disk (pvkit-hv, pvkit-hv-kvmlab); Xen mode with DISK
# as xvda and a vif (pvkit-hv-xen, pvkit-hv-xen-kvmlab); or the virtio devices.
pvkit_hv_device_args() {
	local host=$1 disk=$2
	case $host in
	pvkit-hv | pvkit-hv-kvmlab)
		[[ -z $disk ]] || HOST_CMD+=(--disk "$disk") ;;
	pvkit-hv-xen | pvkit-hv-xen-kvmlab)
		HOST_CMD+=(--xen)
		[[ -z $disk ]] || HOST_CMD+=(--xen-blk "$disk")
		# its vif on the same UDP link as pvkit-hv-mmio's virtio-net
		HOST_CMD+=(--xen-net "udp=0:127.0.0.1:${NET_PEER_PORT:-$NET_DISCARD_PORT}") ;;
	*)
		pvkit_hv_virtio_args "$host" "$disk" ;;
	esac
}

# host_status HOST RC LOGFILE TIMEOUT: turn the VMM's exit code into the guest's
# status (or one of the BOOT_* codes, with a sentence in BOOT_REASON).
host_status() {
	case $1 in
	pvkit-hv | pvkit-hv-mmio | pvkit-hv-pci) pvkit_hv_status "$2" "$4" ;;
	pvkit-hv-xen) pvkit_hv_xen_status "$2" "$3" "$4" ;;
	pvkit-hv-kvmlab | pvkit-hv-xen-kvmlab) kvmlab_status "$@" ;;
	xen-pvh | xen-pv) xenlab_status "$2" "$4" ;;
	*) qemu_status "$2" "$3" "$4" ;;
	esac
}

# pvkit_hv_status RC TIMEOUT: pvkit-hv exits with the guest's status unchanged, and
# with 250-255 for its own failures (host/exit_codes.h).
pvkit_hv_status() {
	local rc=$1 limit=$2
	BOOT_REASON=""
	case $rc in
	250) BOOT_REASON="pvkit-hv refused its options (see the log)" ;;
	251) BOOT_REASON="pvkit-hv refused the kernel image (see the log)" ;;
	252) BOOT_REASON="pvkit-hv could not use /dev/kvm (see the log)" ;;
	253) BOOT_REASON="guest crashed under pvkit-hv: triple fault or KVM error (see the log)" ;;
	254 | 124 | 137) BOOT_REASON="timed out after $limit s (guest hung?)"
	     return "$BOOT_TIMEOUT" ;;
	255) BOOT_REASON="pvkit-hv was stopped by a signal" ;;
	*)   return "$rc" ;;
	esac
	if ((rc == 253)); then
		return "$BOOT_NO_STATUS"
	fi
	return "$BOOT_QEMU_ERROR"
}

# pvkit_hv_xen_status RC LOGFILE TIMEOUT: with --xen the guest stops with
# SCHEDOP_shutdown, whose reason pvkit-hv turns into 0 (poweroff) or 3 (crash); the
# guest's own status is in its "pvkit: exit status N" console line, as on real Xen
# (xenlab_status).  pvkit-hv's own failures (250-255) come first.
pvkit_hv_xen_status() {
	local rc=$1 log=$2 limit=$3 line
	if ((rc >= 250)); then
		pvkit_hv_status "$rc" "$limit"
		return
	fi
	line=$(sed -n 's/^pvkit: exit status \([0-9]*\)\r*$/\1/p' "$log" | tail -n 1)
	if [[ -z $line ]]; then
		BOOT_REASON="pvkit-hv --xen exited $rc without a 'pvkit: exit status' line (see the log)"
		return "$BOOT_NO_STATUS"
	fi
	if (((line == 3) != (rc == 3))); then
		BOOT_REASON="the guest said 'exit status $line' but its SCHEDOP_shutdown reason gave $rc"
		return "$BOOT_NO_STATUS"
	fi
	BOOT_REASON=""
	return "$line"
}

# ---- pvkit-hv-kvmlab: pvkit-hv on a genuine kvm_amd, inside ../shared/kvmlab ----------
# kvmlab's run.sh boots a QEMU-TCG guest ("L1") whose /dev/kvm is kvm_amd, copies the
# FILEs it is given into L1's /payload, runs a command there and prints its output
# when L1 has powered off; it exits with the command's status, or 240-243 for its
# own failures (see its README).  Nothing is copied back out of the lab.

# With a disk, the command in the lab is this one-line script: run pvkit-hv (the
# words after the first four arguments), then check the pattern the guest wrote, in
# the lab's copy of the disk, with disk-pattern; print that check on lines starting
# with $KVMLAB_DISK_TAG (kvmlab_disk_result reads them); exit with pvkit-hv's status.
# One line, because run.sh echoes the command in its output-section header.
KVMLAB_DISK_TAG="kvmlab-disk-check: "
# shellcheck disable=SC2016  # expanded by the shell inside the lab
KVMLAB_DISK_SCRIPT='tool=$1 disk=$2 lba=$3 count=$4; shift 4; "$@"; rc=$?; out=$("$tool" check "$disk" "$lba" "$count" 2>&1); drc=$?; echo; echo "$out" | sed "s/^/kvmlab-disk-check: /"; echo "kvmlab-disk-check: status $drc"; exit $rc'

# kvmlab_command HOST CMDLINE [DISK]: set HOST_CMD to the run.sh command that runs
# `./pvkit-hv --timeout N DEVICES pvkit.elf -- CMDLINE` in the lab, DEVICES being
# HOST's (pvkit_hv_device_args: `[--disk DISK]` on pvkit-hv-kvmlab, `--xen
# [--xen-blk DISK] --xen-net ...` on pvkit-hv-xen-kvmlab; the vif's frames go to
# the discard port on L1's loopback).  Time
# limits, from the outside in (LIMIT = host_timeout): boot() kills run.sh after
# LIMIT+5 s; run.sh kills QEMU after LIMIT-10 s (and L1 kills the command ~15 s
# before that); pvkit-hv stops its guest LIMIT-60 s after it started, which leaves
# the lab up to ~35 s to boot (it takes ~4-8 s) and gets a clean status 254.
kvmlab_command() {
	local host=$1 cmdline=$2 disk=${3:-} limit inner
	limit=$(host_timeout "$host")
	# the command inside the lab, where the files sit side by side in /payload
	HOST_CMD=("./$(basename "$PVKIT_HV")" --timeout $((limit - 60)))
	pvkit_hv_device_args "$host" "${disk:+$(basename "$disk")}"
	HOST_CMD+=("$(basename "$IMAGE")" -- "$cmdline")
	inner=("${HOST_CMD[@]}")
	HOST_CMD=("$KVMLAB_DIR/run.sh" -t $((limit - 10)) "$PVKIT_HV" "$IMAGE")
	if [[ -z $disk ]]; then
		HOST_CMD+=(-- "${inner[@]}")
	else
		HOST_CMD+=("$disk" "$DISK_PATTERN" -- sh -c "$KVMLAB_DISK_SCRIPT" sh
			"./$(basename "$DISK_PATTERN")" "$(basename "$disk")"
			"$GUEST_PATTERN_LBA" "$GUEST_PATTERN_SECTORS" "${inner[@]}")
	fi
}

# kvmlab_status HOST RC LOGFILE TIMEOUT: after run.sh's own failures (240-243,
# unless its "kvmlab: result=exit N" line says the command itself exited so) and
# the log split below, as pvkit_hv_status, or on pvkit-hv-xen-kvmlab as
# pvkit_hv_xen_status (the guest's status is its "pvkit: exit status" line, which
# the split leaves in LOGFILE).  TIMEOUT is the outer limit (boot()'s); the inner
# ones come from host_timeout, as in kvmlab_command.
kvmlab_status() {
	local host=$1 rc=$2 log=$3 outer=$4 limit result
	limit=$(host_timeout "$host")
	BOOT_REASON=""
	kvmlab_split_log "$log"
	result=$(sed -n 's/^# kvmlab: result=\(.*\) -> exit [0-9]*$/\1/p' "$log" | tail -n 1)
	case $rc in
	124 | 137)
		BOOT_REASON="timed out after $outer s (kvmlab's run.sh did not end)"
		return "$BOOT_TIMEOUT" ;;
	24[0-3])
		if [[ $result != "exit "* ]]; then
			case $rc in
			240) BOOT_REASON="kvmlab: timed out after $((limit - 10)) s (${result:-no result line})"
			     return "$BOOT_TIMEOUT" ;;
			241) BOOT_REASON="kvmlab: the L1 guest did not boot (${result:-no result line})" ;;
			242) BOOT_REASON="kvmlab: the L1 guest died while pvkit-hv ran (${result:-no result line})" ;;
			243) BOOT_REASON="kvmlab: usage or setup problem (see the log)" ;;
			esac
			return "$BOOT_QEMU_ERROR"
		fi ;;
	esac
	if [[ $host == pvkit-hv-xen-kvmlab ]]; then
		pvkit_hv_xen_status "$rc" "$log" $((limit - 60))
	else
		pvkit_hv_status "$rc" $((limit - 60))
	fi
}

# kvmlab_split_log LOGFILE: run.sh prints more than the command's output: an L1 info
# section (lsmod, kvm_amd's parameters), the kernel messages logged while the
# command ran (after the KVMLAB-CMD-END marker; some could contain "ok"), and its
# own "kvmlab: " lines.  Move all of it to LOGFILE's sibling NAME.lab.log, and leave
# in LOGFILE its first line (the command), the command's output alone (what lies
# between run.sh's "===== COMMAND output" and "===== KVMLAB-CMD-END" lines) and, as
# "# " comments, run.sh's "kvmlab: " lines.  So the TAP parser, the ready check and
# the log tail see only what pvkit-hv and the guest printed.  (Kernel errors that
# L1 prints while the command runs would still be mixed in; none were seen.)
kvmlab_split_log() {
	local log=$1 lab=${1%.log}.lab.log
	mv "$log" "$lab"
	{
		sed -n '1{/^# /p}' "$lab"
		if grep -aq '^===== COMMAND output: ' "$lab"; then
			awk '/^===== KVMLAB-CMD-END/ { exit }
			     f                       { print }
			     /^===== COMMAND output: / { f = 1 }' "$lab"
		else
			echo "# kvmlab: L1 never started the command; the end of its console:"
			awk '/^===== end =====$/ { exit }
			     f                  { print "# | " $0 }
			     /^===== L1 never started COMMAND/ { f = 1 }' "$lab" | tail -n 20
		fi
		{ grep -a '^kvmlab: ' "$lab" || true; } | sed 's/^/# /'
		echo "# the lab's whole output (L1 info, its kernel messages): $lab"
	} >"$log"
}

# kvmlab_disk_result LOGFILE: print what the disk check inside the lab said, and
# return 0 iff it found the pattern the guest wrote.
kvmlab_disk_result() {
	local lines
	lines=$(sed -n "s/^$KVMLAB_DISK_TAG//p" "$1")
	echo "${lines:-no disk check in the output: pvkit-hv did not finish?}"
	grep -qx 'status 0' <<<"$lines"
}

# qemu_status RC LOGFILE TIMEOUT: turn QEMU's exit code into the guest's status.
# The guest writes S to port 0xf4 and QEMU exits with (S << 1) | 1, so an odd RC
# gives S = RC >> 1.  QEMU's own start-up errors also exit with 1, so a 1 counts
# only if LOGFILE has no "qemu...: <error>" line.  Everything else gets one of the
# BOOT_* codes above, with a sentence in BOOT_REASON.
qemu_status() {
	local rc=$1 log=$2 limit=$3 err
	BOOT_REASON=""
	if grep -aq "$KVM_ERROR_TEXT" "$log"; then
		BOOT_REASON="KVM internal error (stopped): this machine's KVM could not emulate what the guest did, e.g. a triple fault"
		return "$BOOT_NO_STATUS"
	fi
	if [[ $rc == 124 || $rc == 137 ]]; then          # from timeout(1)
		BOOT_REASON="timed out after $limit s (guest hung?)"
		return "$BOOT_TIMEOUT"
	fi
	err=$(grep -aE '^qemu(-system-[^: ]*)?: ' "$log" | grep -v ': warning: ' | head -n 1 || true)
	if [[ $rc == 1 && -n $err ]]; then
		BOOT_REASON="QEMU failed: $err"
		return "$BOOT_QEMU_ERROR"
	fi
	if ((rc % 2 == 1)); then
		return $((rc >> 1))
	fi
	BOOT_REASON="no status from guest (QEMU exit code $rc: reset, triple fault or power-off)"
	return "$BOOT_NO_STATUS"
}

# status_text STATUS: a few words saying what a status means.
status_text() {
	case $1 in
	0) echo "status 0, success" ;;
	1) echo "status 1, some test failed" ;;
	2) echo "status 2, bad command line" ;;
	3) echo "status 3, crash or panic" ;;
	"$BOOT_NO_STATUS" | "$BOOT_TIMEOUT" | "$BOOT_QEMU_ERROR") echo "$BOOT_REASON" ;;
	*) echo "status $1" ;;
	esac
}

# boot HOST CMDLINE LOGFILE [DISK]: boot $IMAGE once on HOST with CMDLINE (and DISK
# attached, on hosts with an ATA disk); console and VMM messages go into LOGFILE (its
# first line is the command, prefixed by "# ").  Returns the guest's status, or one
# of the BOOT_* codes (see BOOT_REASON).
# Use it as:  boot microvm-tcg "test=all" log && status=0 || status=$?
boot() {
	local host=$1 cmdline=$2 log=$3 disk=${4:-} limit rc stdin
	limit=$(host_timeout "$host")
	mkdir -p "$(dirname "$log")"
	if ! host_command "$host" "$cmdline" "$disk" >"$log" 2>&1; then
		BOOT_REASON="could not prepare the boot on $host (see $log)"
		return "$BOOT_QEMU_ERROR"
	fi
	echo "# $(quoted_command "${HOST_CMD[@]}")" >>"$log"
	stdin=$(vmm_stdin "$host" "$log")
	[[ $stdin == /dev/null ]] || echo "# its stdin: $stdin" >>"$log"
	# The outer timeout backs up pvkit-hv's own --timeout, a few seconds later.
	if is_kvmlab_host "$host"; then
		# kvmlab's run.sh prints the lab's console only at the end: nothing to watch
		timeout --kill-after=5 "$((limit + 5))" "${HOST_CMD[@]}" \
			</dev/null >>"$log" 2>&1 && rc=0 || rc=$?
	else
		# shellcheck disable=SC2094  # run_watched only greps the log the VMM appends to
		run_watched "$log" timeout --kill-after=5 "$((limit + 5))" "${HOST_CMD[@]}" \
			<"$stdin" >>"$log" 2>&1 && rc=0 || rc=$?
	fi
	host_status "$host" "$rc" "$log" "$limit"
}

# run_watched LOGFILE COMMAND...: run COMMAND (QEMU, perhaps under timeout) and
# return its exit status, but stop it early if LOGFILE shows a KVM internal error.
# Why: when this machine's KVM cannot emulate something (e.g. a triple fault),
# QEMU prints "KVM internal error", pauses the VM and waits forever; without this
# watch every such boot would cost the whole KVM timeout.
run_watched() {
	local log=$1 pid watcher rc
	shift
	"$@" <&0 &             # <&0: keep our stdin (a background job would get /dev/null)
	pid=$!
	stop_on_kvm_error "$pid" "$log" &
	watcher=$!
	wait "$pid" && rc=0 || rc=$?
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
	return "$rc"
}

stop_on_kvm_error() {    # PID LOGFILE: poll LOGFILE, SIGTERM PID on a KVM internal error
	local pid=$1 log=$2
	while kill -0 "$pid" 2>/dev/null; do
		if grep -aq "$KVM_ERROR_TEXT" "$log" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			return 0
		fi
		sleep 0.5
	done
}

# ---- small helpers ------------------------------------------------------------------
# snapshot_image DIR: copy $IMAGE into DIR and boot that copy from now on, so that a
# rebuild during a long run cannot mix two kernels (and addr2line has the right one).
snapshot_image() {
	[[ -f $IMAGE ]] || return 0
	cp "$IMAGE" "$1/pvkit.elf"
	IMAGE=$1/pvkit.elf
}

quoted_command() {       # print a command so that it can be pasted into a shell
	local arg out=""
	for arg in "$@"; do
		if [[ -z $arg || $arg =~ [^A-Za-z0-9_./,=:@%+-] ]]; then
			arg="'${arg//\'/\'\\\'\'}'"
		fi
		out+="$arg "
	done
	echo "${out% }"
}

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

now_ms() {               # milliseconds on a monotonic-enough clock, for progress
	echo $(($(date +%s%N) / 1000000))
}
