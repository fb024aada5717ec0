#!/bin/bash
# scripts/xenlab/setup.sh — prepare the real-Xen lab that scripts/xen-lab.sh boots:
# Xen 4.17 (Debian's hypervisor package) and a Debian dom0 with the xl toolstack,
# all run inside QEMU with TCG (docs/xen.md explains why TCG and how it fits).
#
# Usage: scripts/xenlab/setup.sh [CACHE_DIR]   (default: $PVKIT_XENLAB_CACHE or /tmp/pvkit-xenlab)
#
# The cache lives outside the repository (it is ~350 MB; a fresh clone must not
# carry it).  Every step leaves a stamp in CACHE_DIR/.stamps and is skipped when
# its stamp exists; delete a stamp, or the cache, to redo a step.  The first run
# takes ~90 s (it downloads two .deb files and debootstraps a minimal Debian);
# later runs take well under a second.  Needs root and Debian 12's package mirror.
#
# Produces in CACHE_DIR:
#   xen.elf               the hypervisor, gunzipped: a multiboot ELF that QEMU's -kernel boots
#   vmlinuz               Debian's 6.1 kernel, booted as dom0
#   dom0-initrd.cpio.gz   dom0's whole userspace: busybox, xl, xenstored, xenconsoled,
#                         their libraries and the Xen kernel modules; /init is
#                         scripts/xenlab/dom0-init.sh
#   rootfs/               the debootstrap chroot the initramfs is cut from
#
# This follows ../shared/xenlab/setup.sh (the team's reference recipe), trimmed to
# what pvkit needs; the project keeps its own copy so that `make test` never
# depends on files outside the repository at test time.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${1:-${PVKIT_XENLAB_CACHE:-/tmp/pvkit-xenlab}}"
SUITE=bookworm
XENVER=4.17
DOM0_MODULES=(xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc)
# The domU's disk (xen-lab.sh --disk): Linux's block backend, and loop devices
# to put a file under it ("phy:" backends take block devices only).
DOM0_MODULES+=(xen-blkback loop)
# For xen-lab.sh --net (dom0-init.sh loads them in this order): the bridge xenbr0
# (bridge needs stp, which needs llc) and netback, the domU's vif backend.
DOM0_NET_MODULES=(llc stp bridge xen-netback)

say() { printf '[xenlab setup %(%H:%M:%S)T] %s\n' -1 "$*"; }
die() { say "ERROR: $*"; exit 1; }

# The Debian mirror this machine's apt already uses (the first non-security URI).
apt_mirror() {
	{ sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources
	  awk '$1 == "deb" {print $2}' /etc/apt/sources.list; } 2>/dev/null |
		grep -v security | head -n1 || true
}

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, debootstrap, chroot)"
mkdir -p "$CACHE/.stamps"
CACHE="$(cd "$CACHE" && pwd)"
STAMPS="$CACHE/.stamps"
have() { [ -e "$STAMPS/$1" ]; }
done_() { touch "$STAMPS/$1"; }
T0=$(date +%s)

# 1. host packages: QEMU to run Xen in, debootstrap and cpio to build dom0's initramfs.
need=()
for p in qemu-system-x86 debootstrap cpio busybox-static xz-utils gzip; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	say "installing host packages: ${need[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# 2. Xen and the Debian kernel: downloaded and unpacked, never installed on this machine.
if ! have debs; then
	say "downloading xen-hypervisor-$XENVER-amd64 and Debian's kernel"
	kpkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
	KPKG="$(kpkg)"
	[ -n "$KPKG" ] || { apt-get update -q; KPKG="$(kpkg)"; }
	[ -n "$KPKG" ] || die "cannot resolve linux-image-amd64"
	rm -rf "$CACHE/debs" "$CACHE/pkgroot"; mkdir -p "$CACHE/debs" "$CACHE/pkgroot"
	(cd "$CACHE/debs" && apt-get download -q "xen-hypervisor-$XENVER-amd64" "$KPKG") ||
		die "apt-get download failed (no network to Debian's mirror?)"
	for d in "$CACHE"/debs/*.deb; do dpkg -x "$d" "$CACHE/pkgroot"; done
	zcat "$CACHE/pkgroot/boot/xen-$XENVER-amd64.gz" > "$CACHE/xen.elf"
	cp "$(ls "$CACHE"/pkgroot/boot/vmlinuz-* | head -n1)" "$CACHE/vmlinuz"
	rm -rf "$CACHE/pkgroot"       # ~400 MB of kernel modules: step 2b takes the few we need
	(cd "$CACHE/debs" && ls ./*.deb) > "$CACHE/versions.txt"
	rm -f "$STAMPS/dom0-initrd"
	done_ debs
fi

# 2b. dom0's kernel modules, taken from the kernel package kept in debs/.  The stamp
#     names the module list, so adding a module redoes this step (and the initramfs).
ALL_MODULES=("${DOM0_MODULES[@]}" "${DOM0_NET_MODULES[@]}")
MODULES_STAMP="modules-$(printf '%s\n' "${ALL_MODULES[@]}" | sha256sum | cut -c1-12)"
if ! have "$MODULES_STAMP"; then
	say "extracting dom0's modules: ${ALL_MODULES[*]}"
	KDEB="$(ls "$CACHE"/debs/linux-image-*.deb 2>/dev/null | head -n1)"
	[ -n "$KDEB" ] || die "no kernel package in $CACHE/debs: delete $STAMPS/debs and run again"
	rm -rf "$CACHE/modules" "$CACHE/modroot"; mkdir -p "$CACHE/modules" "$CACHE/modroot"
	patterns=()
	for m in "${ALL_MODULES[@]}"; do patterns+=("*/$m.ko*"); done
	dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$CACHE/modroot" --wildcards "${patterns[@]}" ||
		die "one of the modules ${ALL_MODULES[*]} is not in $KDEB"
	for m in "${ALL_MODULES[@]}"; do
		f="$(find "$CACHE/modroot" -name "$m.ko*" | head -n1)"
		case "$f" in *.xz) xz -dc "$f" > "$CACHE/modules/$m.ko" ;; *) cp "$f" "$CACHE/modules/$m.ko" ;; esac
	done
	rm -rf "$CACHE/modroot" "$STAMPS"/modules-* "$STAMPS/dom0-initrd"
	done_ "$MODULES_STAMP"
fi

# 3. A minimal Debian with the Xen toolstack, to take dom0's programs from.
if ! have rootfs; then
	MIRROR="${PVKIT_XENLAB_MIRROR:-$(apt_mirror)}"
	[ -n "$MIRROR" ] || die "no Debian mirror in apt's sources; set PVKIT_XENLAB_MIRROR"
	say "debootstrap $SUITE (minbase + xen-utils-$XENVER) from $MIRROR"
	rm -rf "$CACHE/rootfs"
	debootstrap --variant=minbase --include="xen-utils-$XENVER,busybox-static" \
		"$SUITE" "$CACHE/rootfs" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$CACHE/debootstrap.log"; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
	rm -f "$CACHE"/rootfs/var/cache/apt/archives/*.deb
	rm -f "$STAMPS/dom0-initrd"
	done_ rootfs
fi

# 4. dom0's initramfs: the toolstack binaries, their shared libraries, busybox,
#    the Xen modules and our /init.  Rebuilt whenever dom0-init.sh, pvkit-block or the module list changes.
if ! have dom0-initrd || [ "$HERE/dom0-init.sh" -nt "$CACHE/dom0-initrd.cpio.gz" ] ||
	[ "$HERE/pvkit-block" -nt "$CACHE/dom0-initrd.cpio.gz" ]; then
	say "building dom0's initramfs"
	R="$CACHE/rootfs" S="$CACHE/dom0-stage"
	rm -rf "$S"; mkdir -p "$S"/usr/{bin,sbin,lib,lib64} "$S"/{proc,sys,dev,run,tmp,etc,var/log,var/lib,guest}
	for l in bin sbin lib lib64; do ln -s usr/$l "$S/$l"; done
	ln -s ../run "$S/var/run"; ln -s ../run/lock "$S/var/lock"
	XB=usr/lib/xen-$XENVER/bin
	BINS=("$XB/xl" "$XB/xenstored" "$XB/xenconsoled" "$XB/xen-init-dom0" "$XB/libxl-save-helper")
	for b in "$R"/usr/bin/xenstore*; do BINS+=("usr/bin/$(basename "$b")"); done
	for b in "${BINS[@]}"; do
		[ -e "$R/$b" ] || die "missing $b in the rootfs"
		mkdir -p "$S/$(dirname "$b")"; cp -a "$R/$b" "$S/$b"
	done
	# The shared libraries they need, as the chroot's own ldd resolves them.
	for b in "${BINS[@]}"; do
		[ -L "$R/$b" ] && continue
		chroot "$R" ldd "/$b" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}'
	done | sort -u | while read -r lib; do
		mkdir -p "$S$(dirname "$lib")"; cp -L "$R$lib" "$S$lib"
	done
	[ -e "$S/lib64/ld-linux-x86-64.so.2" ] || cp -L "$R/lib64/ld-linux-x86-64.so.2" "$S/lib64/"
	# glibc dlopen()s libgcc_s for pthread_cancel; xl aborts without it.
	mkdir -p "$S/usr/lib/x86_64-linux-gnu"
	cp -L "$R/usr/lib/x86_64-linux-gnu/libgcc_s.so.1" "$S/usr/lib/x86_64-linux-gnu/"
	cp "$R/bin/busybox" "$S/usr/bin/busybox"
	for a in $("$S/usr/bin/busybox" --list); do
		[ -e "$S/usr/bin/$a" ] || ln -s busybox "$S/usr/bin/$a"
	done
	mkdir -p "$S/etc/xen" "$S/var/lib/xen" "$S/var/log/xen/console" "$S/lib/modules/xenlab"
	cp "$R/etc/xen/xl.conf" "$S/etc/xen/"
	cp -a "$R/etc/xen/scripts" "$S/etc/xen/"
	printf 'root:x:0:0:root:/root:/bin/sh\n' > "$S/etc/passwd"
	printf 'root:x:0:\n' > "$S/etc/group"
	cp "$CACHE"/modules/*.ko "$S/lib/modules/xenlab/"
	install -m 0755 "$HERE/dom0-init.sh" "$S/init"
	# The hotplug script of the domU's disk (xen-lab.sh --disk; docs/xen-blkfront.md).
	install -m 0755 "$HERE/pvkit-block" "$S/etc/xen/scripts/pvkit-block"
	(cd "$S" && find . -print0 | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -6 > "$CACHE/dom0-initrd.tmp"
	# Pad to 512 bytes: xen-lab.sh appends a second cpio archive (the guest).
	sz=$(stat -c %s "$CACHE/dom0-initrd.tmp")
	head -c $(( (512 - sz % 512) % 512 )) /dev/zero >> "$CACHE/dom0-initrd.tmp"
	mv "$CACHE/dom0-initrd.tmp" "$CACHE/dom0-initrd.cpio.gz"
	rm -rf "$S"
	done_ dom0-initrd
fi

for f in xen.elf vmlinuz dom0-initrd.cpio.gz; do
	[ -s "$CACHE/$f" ] || die "$CACHE/$f is missing after setup"
done
say "ready in $(( $(date +%s) - T0 )) s: $CACHE ($(du -sh "$CACHE" | cut -f1))"
