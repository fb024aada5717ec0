#!/usr/bin/env bash
# scripts/run.sh — what `make run` runs: boot build/pvkit.elf once and show its
# console live on this terminal (COM1 is the VMM's stdio; the guest reads no input yet).
#
# Usage: scripts/run.sh [--host HOST] [--timeout SECONDS] [--list] [-- CMDLINE...]
#   make run                                   # boot report, then `pvkit: ready in N us`
#   make run ARGS='-- test=all'                # the in-guest tests
#   make run ARGS='--host q35-tcg -- test=lib' # tests whose names start with "lib", on q35
# Without --host it picks the default host (see pick_default_host in scripts/lib.sh).
# Exit status: the guest's status (0 ok, 1 tests failed, 2 bad command line,
# 3 crash/panic), or 200 no status from the guest, 201 timeout, 202 the VMM failed.
# The console is also saved in build/run.log.  Ctrl-C stops the VMM.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-0}"
}

host="" limit=""
while (($# > 0)); do
	case $1 in
	--host) host=${2:?--host needs a HOST}; shift 2 ;;
	--timeout) limit=${2:?--timeout needs SECONDS}; shift 2 ;;
	--list)
		for h in "${ALL_HOSTS[@]}"; do
			if host_available "$h"; then
				echo "$h"
			else
				echo "$h (not available: $UNAVAILABLE_REASON)"
			fi
		done
		exit 0 ;;
	-h | --help) usage ;;
	--) shift; break ;;
	*) echo "run.sh: unexpected '$1'" >&2; usage 1 ;;
	esac
done
cmdline="$*"

how="chosen with --host"
if [[ -z $host ]]; then
	pick_default_host
	host=$DEFAULT_HOST
	how="default host; KVM: $(kvm_usable && echo usable || echo "$PVKIT_KVM_STATE")"
fi
host_available "$host" || die "cannot boot on $host: $UNAVAILABLE_REASON"

TIMEOUT_KVM=${limit:-0}   # what pvkit-hv gets as --timeout: none unless asked
host_command "$host" "$cmdline" || die "could not prepare the boot on $host"
log=$BUILD_DIR/run.log
echo "run.sh: booting ${IMAGE#"$PVKIT_ROOT"/} on $host ($how), command line '$cmdline'" >&2
echo "run.sh: $(quoted_command "${HOST_CMD[@]}")" >&2

# QEMU's output goes to the terminal and, through tee, to build/run.log (which is
# what run_watched and qemu_status read).
[[ -n $limit ]] && HOST_CMD=(timeout --foreground "$limit" "${HOST_CMD[@]}")
: >"$log"
run_watched "$log" "${HOST_CMD[@]}" > >(tee -a "$log") 2>&1 && rc=0 || rc=$?
wait  # for tee to write the last bytes
host_status "$host" "$rc" "$log" "${limit:-?}" && status=0 || status=$?
"$PVKIT_ROOT/scripts/symbolize.sh" "$log" "$IMAGE" >&2
echo "run.sh: $host: $(status_text "$status")" >&2
exit "$status"
