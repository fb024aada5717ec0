#!/usr/bin/env bash
# scripts/bench.sh — what `make bench` runs: how big is the image, and how long does
# it take to boot on each host?  Prints a Markdown report (also saved to
# build/bench.md); docs/bench.md explains the numbers.  It never fails on a slow
# number: timings are reported, not asserted.
#
# Usage: scripts/bench.sh [HOST...]        (default: every host)
#   BENCH_RUNS=N   boots per host (default 5)
# Each run boots with an empty command line and records, from QEMU's start:
#   - wall time until the line `pvkit: ready` appears on the console,
#   - wall time until QEMU exits,
#   - the guest's own entry-to-ready time N from `pvkit: ready in N us`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=${BENCH_RUNS:-5}
BENCH_HOSTS=(microvm-tcg microvm-kvm q35-tcg q35-kvm grub-tcg)   # the first is the baseline
BOOTTIME=$BUILD_DIR/tools/boottime
BOOTTIME_SRC=$PVKIT_ROOT/scripts/boottime.c
LOG_DIR=$BUILD_DIR/bench-logs
REPORT=$BUILD_DIR/bench.md

progress() {
	echo "bench: $*" >&2
}

build_boottime() {       # the C helper that timestamps the console (scripts/boottime.c)
	if [[ ! -x $BOOTTIME || $BOOTTIME_SRC -nt $BOOTTIME ]]; then
		mkdir -p "$(dirname "$BOOTTIME")"
		gcc -O2 -Wall -Wextra -Werror -o "$BOOTTIME" "$BOOTTIME_SRC"
	fi
}

# stats NUMBER...: print "median min max" (median of an even count: the mean of the
# two middle values).
stats() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      print m, v[1], v[NR] }'
}

cell() {                 # "median min max" DIVISOR DECIMALS -> "12.3 (11.9–13.0)"
	local med min max
	read -r med min max <<<"$1"
	awk -v a="$med" -v b="$min" -v c="$max" -v d="$2" -v f="%.$3f" \
		'BEGIN { printf f " (" f "–" f ")", a / d, b / d, c / d }'
}

ratio() {                # MEDIAN BASELINE_MEDIAN -> "×1.23"
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "×%.2f", a / b; else printf "–" }'
}

size_row() {             # LABEL BYTES
	awk -v l="$1" -v b="$2" 'BEGIN { printf "| %s | %d | %.1f |\n", l, b, b / 1024 }'
}

image_report() {
	local type filesz memsz file_total=0 mem_total=0
	# readelf -lW program headers: Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align
	while read -r type _ _ _ filesz memsz _; do
		if [[ $type == LOAD ]]; then
			file_total=$((file_total + filesz))
			mem_total=$((mem_total + memsz))
		fi
	done < <(readelf -lW "$IMAGE")
	echo "## Image: ${IMAGE_NAME#"$PVKIT_ROOT"/}"
	echo
	echo "| what | bytes | KiB |"
	echo "|---|---:|---:|"
	size_row "file size" "$(stat -c %s "$IMAGE")"
	size_row "loaded size (sum of PT_LOAD MemSiz)" "$mem_total"
	size_row "of which read from the file (FileSiz)" "$file_total"
	echo
}

# bench_host HOST: RUNS boots; sets ROW_* (the "median min max" strings) or ROW_NOTE.
bench_host() {
	local host=$1 limit run result ready_us exit_us rc status guest log
	local readies=() exits=() guests=() failures=0
	ROW_READY="" ROW_EXIT="" ROW_GUEST="" ROW_NOTE=""
	limit=$(host_timeout "$host")
	if ! qemu_command "$host" "" >/dev/null; then
		ROW_NOTE="could not prepare the boot"
		return
	fi
	for ((run = 1; run <= RUNS; run++)); do
		log=$LOG_DIR/$host-$run.log
		result=$("$BOOTTIME" -t "$limit" -k "$KVM_ERROR_TEXT" -o "$log" "pvkit: ready" -- "${QEMU_CMD[@]}")
		read -r ready_us exit_us rc <<<"$result"
		((rc >= 0)) || rc=124                      # boottime killed it: like timeout(1)
		qemu_status "$rc" "$log" "$limit" && status=0 || status=$?
		guest=$(grep -aoE 'pvkit: ready in [0-9]+ us' "$log" | head -n 1 | tr -dc 0-9 || true)
		if ((status != 0 || ready_us < 0)) || [[ -z $guest ]]; then
			failures=$((failures + 1))
			progress "$host run $run: $(status_text "$status"), ready line $( ((ready_us >= 0)) && echo seen || echo missing); see ${log#"$PVKIT_ROOT"/}"
			((failures < 2)) || break              # don't waste time on a broken host
			continue
		fi
		readies+=("$ready_us") exits+=("$exit_us") guests+=("$guest")
		progress "$host run $run: ready $((ready_us / 1000)) ms, exit $((exit_us / 1000)) ms, guest $guest us"
	done
	if ((${#readies[@]} == 0)); then
		ROW_NOTE="no successful run ($failures failed)"
		return
	fi
	ROW_READY=$(stats "${readies[@]}") ROW_EXIT=$(stats "${exits[@]}") ROW_GUEST=$(stats "${guests[@]}")
	ROW_RUNS="${#readies[@]}/$RUNS"
}

report() {
	local host
	echo "# pvkit boot benchmark"
	echo
	echo "$(date -u +%FT%TZ); $("$QEMU" --version | head -n 1); $(nproc) CPUs;" \
		"KVM: $(kvm_usable && echo usable || echo "$PVKIT_KVM_STATE"); $RUNS runs per host."
	echo
	image_report
	echo "## Boot time, empty command line: median (min–max)"
	echo
	echo "| host | runs ok | to \`pvkit: ready\` line, ms | ×ready | to QEMU exit, ms | ×exit | guest entry→ready, µs | ×guest |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for host in "${HOSTS[@]}"; do
		echo "${ROWS[$host]}"
	done
	echo
	echo "× columns: median divided by the median of ${HOSTS[0]} on the same column."
}

# ---- main ---------------------------------------------------------------------------
HOSTS=("$@")
((${#HOSTS[@]} > 0)) || HOSTS=("${BENCH_HOSTS[@]}")
[[ -f $IMAGE ]] || die "no image $IMAGE (run make)"
IMAGE_NAME=$IMAGE        # before snapshot_image below
((RUNS >= 1)) || die "BENCH_RUNS must be at least 1"
build_boottime
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
snapshot_image "$LOG_DIR"

declare -A ROWS
BASE_READY="" BASE_EXIT="" BASE_GUEST=""
for host in "${HOSTS[@]}"; do
	if ! host_available "$host"; then
		progress "$host: skipped ($UNAVAILABLE_REASON)"
		ROWS[$host]="| $host | – | skipped: $UNAVAILABLE_REASON | | | | | |"
		continue
	fi
	progress "$host: $RUNS runs (timeout $(host_timeout "$host") s each)"
	bench_host "$host"
	if [[ -n $ROW_NOTE ]]; then
		ROWS[$host]="| $host | 0/$RUNS | $ROW_NOTE | | | | | |"
		continue
	fi
	if [[ $host == "${HOSTS[0]}" ]]; then         # the baseline for the × columns
		BASE_READY=${ROW_READY%% *} BASE_EXIT=${ROW_EXIT%% *} BASE_GUEST=${ROW_GUEST%% *}
	fi
	ROWS[$host]="| $host | $ROW_RUNS | $(cell "$ROW_READY" 1000 1) | $(ratio "${ROW_READY%% *}" "$BASE_READY")"
	ROWS[$host]+=" | $(cell "$ROW_EXIT" 1000 1) | $(ratio "${ROW_EXIT%% *}" "$BASE_EXIT")"
	ROWS[$host]+=" | $(cell "$ROW_GUEST" 1 0) | $(ratio "${ROW_GUEST%% *}" "$BASE_GUEST") |"
done

report | tee "$REPORT"
progress "report saved to ${REPORT#"$PVKIT_ROOT"/}; console logs in ${LOG_DIR#"$PVKIT_ROOT"/}/"
