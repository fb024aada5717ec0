#!/bin/sh
# scripts/xenlab/vif-pvkit.sh — xl's hotplug script for the domU's vif in pvkit's
# real-Xen lab (scripts/xen-lab.sh --net): it puts the backend interface netback made
# (vif<domid>.<devid>) on the bridge and tells netback it may connect.
#
# Why not Xen's own vif-bridge: that one is bash, needs iproute2's ip and takes a
# lock with flock; dom0's initramfs has busybox only.  What it does that matters is
# three lines, done here with busybox.  (docs/xen-netfront.md, "The lab's network")
#
# xl runs it as `vif-pvkit online|offline type_if=vif` with, in its environment,
# XENBUS_PATH (the backend's xenstore directory, relative to dom0's home: backend/
# vif/1/0) and vif (the interface's name).  netback waits for XENBUS_PATH/
# hotplug-status to read "connected" before it tells the frontend Connected.
set -u
vif=${vif:?xl sets vif, the interface name} XENBUS_PATH=${XENBUS_PATH:?xl sets XENBUS_PATH}
BRIDGE=$(xenstore-read "$XENBUS_PATH/bridge" 2>/dev/null || echo xenbr0)

case ${1:-} in
online)
	if brctl addif "$BRIDGE" "$vif" && ip link set "$vif" up; then
		echo "xenlab-dom0: vif-pvkit: $vif on $BRIDGE" >/dev/console
		xenstore-write "$XENBUS_PATH/hotplug-status" connected
	else
		xenstore-write "$XENBUS_PATH/hotplug-status" error
		exit 1
	fi ;;
offline)
	brctl delif "$BRIDGE" "$vif" 2>/dev/null
	true ;;
*)
	echo "vif-pvkit: unknown action '${1:-}'" >&2
	exit 1 ;;
esac
