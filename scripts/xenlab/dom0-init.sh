#!/bin/sh
# scripts/xenlab/dom0-init.sh — /init (PID 1) of dom0 in pvkit's real-Xen lab.
#
# Starts Xen's toolstack (xenstored, xenconsoled), creates the domU that
# /guest/guest.cfg describes with `xl create -F` (xl stays in the foreground and
# reports how the domain shut down), waits for it to end, then prints on hvc0
# (which Xen puts on the serial line scripts/xen-lab.sh reads):
#   PVKIT-XENLAB-DOMU-START                     just before xl create
#   PVKIT-XENLAB-CONSOLE-BEGIN ... -END         the domU's whole PV console, as
#                                               xenconsoled logged it
#   PVKIT-XENLAB-DISK-BEGIN ... -END            with a disk (/guest/disk.img.gz, from
#                                               xen-lab.sh --disk): the disk after the
#                                               domU, as `gzip | base64`
#   PVKIT-XENLAB-RESULT shutdown=R status=S     R: SCHEDOP_shutdown reason code
#                                               (0 poweroff, 3 crash...) or none;
#                                               S: exited or timeout
#   PVKIT-XENLAB-DOM0-DONE                      then it powers the machine off
# Lines starting "xenlab-dom0:" are progress; "FATAL" ones say why the lab failed.
# "xenlab-dom0: xenstore:" lines list the domU's xenstore home (xenstore-ls -f)
# as the toolstack made it; they stay in serial.log.
# With NET=1 in /guest/env (xen-lab.sh --net) the domU's vif gets a bridge, and
# with /guest/net-peer (--net-peer) that peer runs on it while the domU does:
#   PVKIT-XENLAB-NETPEER-BEGIN ... -END status=N   its output and exit status
# With CONSOLE_INPUT in /guest/env (xen-lab.sh --console-input) that line is typed
# on the domU's console once it runs ("xenlab-dom0: console input:" says how it went).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/xen-4.17/bin
XB=/usr/lib/xen-4.17/bin
GUEST_NAME=pvkit
GUEST_TIMEOUT=60
LIVE=0
NET=0
NET_PEER_ARGS=""
NET_PEER=""
CONSOLE_INPUT=""

log() { echo "xenlab-dom0: $*"; }
finish() {
	echo "PVKIT-XENLAB-DOM0-DONE"
	sync
	poweroff -f
	sleep 5
	echo o > /proc/sysrq-trigger
	while :; do sleep 60; done
}
die() {
	log "FATAL: $*"
	for f in /var/log/xen/*.log /tmp/xl.out; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done
	finish
}

# ---- --net: the bridge, and net-peer on it ----------------------------------------
# xenbr0 carries no address of dom0's and IPv6 is off, so dom0 itself sends
# nothing on it (net-peer counts every frame the guest drops); STP off and no
# forwarding delay, so a port forwards as soon as it joins.  The vif joins it
# through /guest/vif-pvkit, xl's hotplug script for it.
setup_network() {
	for m in llc stp bridge xen-netback; do
		insmod /lib/modules/xenlab/$m.ko || die "insmod $m failed"
	done
	echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
	echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
	# (busybox's brctl has no stp/setfd here: sysfs has both; STP is off by default)
	brctl addbr xenbr0 && echo 0 >/sys/class/net/xenbr0/bridge/forward_delay &&
		ip link set xenbr0 up || die "cannot make the bridge xenbr0"
	log "network: bridge xenbr0 up, netback loaded"
}

start_net_peer() {
	[ -x /guest/net-peer ] || return 0
	# shellcheck disable=SC2086  # NET_PEER_ARGS are separate options
	/guest/net-peer --interface xenbr0 --wait "$GUEST_TIMEOUT" $NET_PEER_ARGS \
		>/tmp/net-peer.out 2>&1 &
	NET_PEER=$!
	log "net-peer started on xenbr0 ($NET_PEER_ARGS)"
}

# After the domU: net-peer gets 5 s to finish, then it is stopped.
report_net_peer() {
	[ -n "$NET_PEER" ] || return 0
	i=0
	while kill -0 "$NET_PEER" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$NET_PEER" 2>/dev/null; then
		kill "$NET_PEER"
		wait "$NET_PEER" 2>/dev/null
		peer_status=killed
	else
		wait "$NET_PEER"
		peer_status=$?
	fi
	echo "PVKIT-XENLAB-NETPEER-BEGIN"
	cat /tmp/net-peer.out
	echo "PVKIT-XENLAB-NETPEER-END status=$peer_status"
}

# ---- --console-input: a line typed on the domU's console ---------------------------
# xenconsoled gives each domU's console a pty and names it in xenstore
# (/local/domain/ID/console/tty).  What is written to that pty (`xl console` writes
# the keys you type) xenconsoled copies into the console page's `in` ring, then it
# sends the console's event.  In the background, so that nothing else waits: wait
# for the tty, write the line once.
type_console_input() {
	[ -n "$CONSOLE_INPUT" ] || return 0
	(
		domid=$(xl domid "$GUEST_NAME" 2>/dev/null)
		tty="" i=0
		until [ -n "$tty" ] || [ $i -ge 300 ]; do
			tty=$(xenstore-read "/local/domain/$domid/console/tty" 2>/dev/null) || sleep 0.1
			i=$((i + 1))
		done
		if [ -z "$tty" ]; then
			log "console input: domain ${domid:-?} has no console/tty in xenstore"
		elif printf '%s\n' "$CONSOLE_INPUT" >"$tty"; then
			log "console input: '$CONSOLE_INPUT' written to $tty (domain $domid)"
		else
			log "console input: writing to $tty failed"
		fi
	) &
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/xen /run/xenstored /run/lock /var/log/xen/console /var/lib/xen
[ -f /guest/env ] && . /guest/env
[ -f /guest/guest.cfg ] || die "no /guest/guest.cfg in the initramfs"

for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do
	insmod /lib/modules/xenlab/$m.ko || log "insmod $m failed"
done
mount -t xenfs xenfs /proc/xen || die "cannot mount xenfs"
$XB/xenstored --pid-file=/run/xenstore.pid || die "xenstored failed"
i=0
until [ -S /run/xenstored/socket ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
$XB/xen-init-dom0 >/dev/null || die "xen-init-dom0 failed"
# --log=guest: every domU's console goes to /var/log/xen/console/guest-NAME.log
$XB/xenconsoled --log=guest --log-dir=/var/log/xen/console \
	--pid-file=/run/xen/xenconsoled.pid || die "xenconsoled failed"
log "toolstack up at $(cut -d' ' -f1 /proc/uptime) s of dom0 uptime"
xl info 2>/dev/null | grep -E '^(xen_version|xen_caps|virt_caps)' | sed 's/^/xenlab-dom0: xl info: /'

# ---- the domU's disk (xen-lab.sh --disk; docs/xen-blkfront.md) ----------------------
# The image travels gzipped in the guest's cpio; it is unpacked into tmpfs and put
# on /dev/loop0, which the guest config names as a "phy" disk with our hotplug
# script (/etc/xen/scripts/pvkit-block).  After the domU, the image goes back out
# on the serial line, gzipped and in base64, for xen-lab.sh to write into its file.
DISK_GZ=/guest/disk.img.gz
DISK_IMG=/tmp/disk.img
DISK_LOOP=/dev/loop0
disk_attach() {
	insmod /lib/modules/xenlab/loop.ko || log "insmod loop failed"
	insmod /lib/modules/xenlab/xen-blkback.ko || log "insmod xen-blkback failed"
	gunzip -c "$DISK_GZ" >"$DISK_IMG" || die "cannot unpack the disk image"
	losetup "$DISK_LOOP" "$DISK_IMG" || die "losetup $DISK_LOOP failed"
	log "disk: $(stat -c %s "$DISK_IMG") bytes on $DISK_LOOP"
}
disk_backend_log() {
	xenstore-ls -f /local/domain/0/backend/vbd 2>&1 | sed 's/^/xenlab-dom0: vbd backend: /'
}
disk_return() {
	# xl has destroyed the domain; blkback lets go of the loop device when the
	# vbd is removed, then detaching flushes the loop device's writes to the file.
	i=0
	until losetup -d "$DISK_LOOP" 2>/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
	echo "PVKIT-XENLAB-DISK-BEGIN"
	gzip -c "$DISK_IMG" | base64
	echo "PVKIT-XENLAB-DISK-END"
}
[ -f "$DISK_GZ" ] && disk_attach
if [ "$NET" = 1 ]; then
	setup_network
	start_net_peer
fi

echo "PVKIT-XENLAB-DOMU-START"
# Created paused (-p), so that its xenstore home can be listed before a
# short run ends and takes it away; xl says "Waiting for domain" once the
# domain is completely built, and only then do we unpause it.
xl create -F -p /guest/guest.cfg >/tmp/xl.out 2>&1 &
XL=$!
i=0
until grep -q "Waiting for domain" /tmp/xl.out || [ $i -ge 300 ] || ! kill -0 $XL 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
# What the toolstack put in xenstore for the domU (its home, console and
# store rings, data/...): in serial.log only, for whoever reads the run.
for d in $(xenstore-list /local/domain 2>/dev/null | grep -vx 0); do
	xenstore-ls -f "/local/domain/$d" 2>&1 | sed 's/^/xenlab-dom0: xenstore: /'
done
[ -f "$DISK_GZ" ] && disk_backend_log
xl unpause "$GUEST_NAME" 2>/dev/null
type_console_input
CONSOLE_LOG=/var/log/xen/console/guest-$GUEST_NAME.log
i=0
until [ -f "$CONSOLE_LOG" ] || [ $i -ge 300 ] || ! kill -0 $XL 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
[ -f "$CONSOLE_LOG" ] || die "xl create did not start the domain"
if [ "$LIVE" = 1 ]; then
	echo "PVKIT-XENLAB-LIVE-BEGIN"
	tail -n +1 -f "$CONSOLE_LOG" &
	TAIL=$!
fi

# xl -F exits once the domain is gone (on_poweroff/on_crash = destroy).
t0=$(cut -d. -f1 /proc/uptime)
status=exited
while kill -0 $XL 2>/dev/null; do
	if [ $(($(cut -d. -f1 /proc/uptime) - t0)) -ge "$GUEST_TIMEOUT" ]; then
		status=timeout
		xl destroy "$GUEST_NAME"
		break
	fi
	sleep 0.3
done
wait $XL 2>/dev/null
sleep 0.5           # let xenconsoled write the last bytes it read
if [ "$LIVE" = 1 ]; then
	sleep 1.5       # busybox tail -f looks for news once a second
	kill $TAIL 2>/dev/null
	echo
	echo "PVKIT-XENLAB-LIVE-END"
fi
reason=$(sed -n 's/.*has shut down, reason code \([0-9]*\).*/\1/p' /tmp/xl.out | tail -n 1)
echo "PVKIT-XENLAB-CONSOLE-BEGIN"
cat "$CONSOLE_LOG"
echo
echo "PVKIT-XENLAB-CONSOLE-END"
grep -v '^$' /tmp/xl.out | sed 's/^/xenlab-dom0: xl: /'
[ -f "$DISK_GZ" ] && disk_return
report_net_peer
echo "PVKIT-XENLAB-RESULT shutdown=${reason:-none} status=$status"
finish
