#!/usr/bin/env bash
# scripts/symbolize.sh — turn the addresses of a guest backtrace into function
# names and source lines, with addr2line and the image that produced them.
#
# Usage: scripts/symbolize.sh LOGFILE [IMAGE]     (IMAGE defaults to build/pvkit.elf)
# Prints nothing when LOGFILE holds no backtrace.  The kernel prints its
# backtrace as lines "  #N  0xADDRESS" after a line starting with "backtrace".
set -euo pipefail

log=${1:?usage: symbolize.sh LOGFILE [IMAGE]}
image=${2:-$(dirname "$0")/../build/pvkit.elf}
command -v addr2line >/dev/null || exit 0

mapfile -t addresses < <(tr -d '\r' <"$log" |
	awk '/^backtrace/ { inside = 1; next }
	     inside && $1 ~ /^#[0-9]+$/ { print $2; next }
	     { inside = 0 }')
((${#addresses[@]} > 0)) || exit 0

# Frames after #0 hold return addresses, which point just past the call:
# look up the byte before, so the line shown is the call itself.
lookups=("${addresses[0]}")
for address in "${addresses[@]:1}"; do
	lookups+=("$(printf '0x%x' $((address - 1)))")
done

root=$(cd "$(dirname "$0")/.." && pwd)
echo "backtrace, symbolized with ${image#"$root"/}:"
i=0
while IFS= read -r where; do
	printf '  #%-2d %s  %s\n' "$i" "${addresses[i]}" "${where//"$root"\//}"
	i=$((i + 1))
done < <(addr2line -fpe "$image" "${lookups[@]}")
