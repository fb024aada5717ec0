#!/usr/bin/env bash
# scripts/deps.sh — install the Debian 12 packages pvkit needs to build, test and
# benchmark (the Makefile runs it when `scripts/deps.sh --check` fails).
#
# Usage: scripts/deps.sh           install whatever is missing (as root, or via sudo)
#        scripts/deps.sh --check   only check; exit 1 and list what is missing
# Safe to run again: packages already installed are left alone, and `apt-get update`
# runs only when apt does not know a missing package yet.
set -euo pipefail

PACKAGES=(
	gcc make binutils            # build the guest kernel, unit tests and host tools
	libxen-dev linux-libc-dev    # Xen ABI headers (/usr/include/xen), virtio headers
	qemu-system-x86 qemu-utils   # the hosts: QEMU microvm and q35 (qboot ships with it)
	seabios                      # the BIOS QEMU uses for the GRUB host
	grub-pc-bin grub-common      # grub-mkrescue and GRUB's BIOS modules
	xorriso mtools               # what grub-mkrescue needs to write the ISO
)

say() {
	echo "deps.sh: $*" >&2
}

missing_packages() {     # print the packages of PACKAGES that are not installed
	local pkg
	for pkg in "${PACKAGES[@]}"; do
		if [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) != installed ]]; then
			echo "$pkg"
		fi
	done
}

apt_knows() {            # PACKAGE...: does apt have an install candidate for each?
	local pkg
	for pkg in "$@"; do
		apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]' || return 1
	done
}

command -v dpkg-query >/dev/null || { say "this needs a Debian-based system (no dpkg-query)"; exit 1; }

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
	say "all ${#PACKAGES[@]} packages are installed"
	exit 0
fi
if [[ ${1:-} == --check ]]; then
	say "missing: ${missing[*]}"
	exit 1
fi
[[ $# -eq 0 ]] || { say "usage: $0 [--check]"; exit 2; }

SUDO=()
if ((EUID != 0)); then
	command -v sudo >/dev/null || { say "need root to install: ${missing[*]} (no sudo found)"; exit 1; }
	SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

say "installing: ${missing[*]}"
if ! apt_knows "${missing[@]}"; then
	say "apt does not know some of them yet: running apt-get update"
	"${SUDO[@]}" apt-get update
fi
"${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} > 0)); then
	say "still missing after apt-get install: ${missing[*]}"
	exit 1
fi
say "done: all ${#PACKAGES[@]} packages are installed"
