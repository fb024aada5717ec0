#!/usr/bin/env bash
# scripts/bench.sh — what `make bench` runs.  Prints a Markdown report (also saved
# to build/bench.md); docs/bench.md explains the numbers.  It never fails on a slow
# number: timings are reported, not asserted.
#
# Usage: scripts/bench.sh [HOST...]        (boot-time table only for these hosts)
#   BENCH_RUNS=N   boots per host and section (default 5; the disk and Xen sections
#                  do at most 3)
#   BENCH_SECTIONS="disk net"  only these of sections 2-7 (boot vmm exits disk net xen;
#                  default all of them), e.g. BENCH_SECTIONS=net for the net rows alone
# Sections:
#   1. the image's size;
#   2. boot time on every host (empty command line): wall time to the line
#      `pvkit: ready` and to the VMM's exit, and the guest's own entry-to-ready
#      time N from `pvkit: ready in N us`;
#   3. the VMM's own cost: a trivial PVH kernel (one line on COM1, then exit) under
#      pvkit-hv and QEMU microvm, KVM and TCG;
#   4. VM exits per boot, from pvkit-hv --stats;
#   5. disks (bench=block in the guest, one disk file for every host): sequential
#      write and read throughput and 4 KiB random-read IOPS, with notifications and
#      interrupts per request, of the emulated ATA disk (pvkit-hv, QEMU's IDE disk)
#      and of virtio-blk (pvkit-hv's and QEMU's) over virtio-mmio and virtio-pci;
#   6. virtio-net: UDP echo round trips and packets per second between the guest
#      (echo=SECONDS) and build/tools/net-peer --bench, over QEMU's socket netdev;
#   7. Xen, PV vs PVH, in one table with PV/PVH ratios: the same image as a PVH and
#      as a PV domU on real Xen under QEMU TCG, each booted with bench=xen
#      (pv/xen/xen_bench.c; and its entry-to-ready time), with bench=block on a
#      blkfront disk and with echo= for net-peer --bench in dom0 (netfront).  First,
#      pvkit-hv's own devices side by side, one run each: ATA, virtio and Xen's split
#      drivers (blkfront, netfront) on the same disk file and link, with the
#      event-channel round trip and the grant copy (hv_devices_table).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=${BENCH_RUNS:-5}
ALL_SECTIONS=(boot vmm exits disk net xen)
SECTIONS=${BENCH_SECTIONS:-${ALL_SECTIONS[*]}}
BENCH_HOSTS=(pvkit-hv microvm-kvm microvm-tcg q35-kvm q35-tcg pc-kvm pc-tcg grub-tcg)
VMM_HOSTS=(pvkit-hv microvm-kvm microvm-tcg)   # section 3; the first is the baseline
# Sections 5 and 6: pvkit-hv next to the QEMU machine with the same devices.
DISK_HOSTS=(pvkit-hv pc-kvm pc-tcg pvkit-hv-mmio microvm-kvm microvm-tcg
	pvkit-hv-pci q35-kvm q35-tcg)
DISK_RUNS=$((RUNS < 3 ? RUNS : 3))
NET_HOSTS=(pvkit-hv-mmio microvm-kvm microvm-tcg pvkit-hv-pci q35-kvm q35-tcg)
NET_RATE_SECONDS=2       # the packets-per-second run
TRIVIAL_IMAGE=$BUILD_DIR/tools/trivial-pvh.elf
TRIVIAL_MARKER="trivial-pvh: hello"
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

# time_boots HOST MARKER RUNS CMDLINE [DISK]: boot $IMAGE RUNS times on HOST; sets
# T_MARKER and T_EXIT ("median min max" in µs from the VMM's start to MARKER on the
# console and to its exit), T_OK ("ok/runs") and T_LOGS (the logs of the good runs),
# or T_NOTE when no run succeeded.
time_boots() {
	local host=$1 marker=$2 runs=$3 cmdline=$4 disk=${5:-} limit run result
	local marker_us exit_us rc status log markers=() exits=() failures=0
	T_MARKER="" T_EXIT="" T_OK="" T_NOTE="" T_LOGS=()
	limit=$(host_timeout "$host")
	if ! host_command "$host" "$cmdline" "$disk" >/dev/null; then
		T_NOTE="could not prepare the boot"
		return
	fi
	for ((run = 1; run <= runs; run++)); do
		log=$LOG_DIR/$host-$(basename "$IMAGE" .elf)-${cmdline:-plain}-$run.log
		result=$("$BOOTTIME" -t "$limit" -k "$KVM_ERROR_TEXT" -o "$log" "$marker" -- "${HOST_CMD[@]}")
		read -r marker_us exit_us rc <<<"$result"
		((rc >= 0)) || rc=124                      # boottime killed it: like timeout(1)
		host_status "$host" "$rc" "$log" "$limit" && status=0 || status=$?
		if ((status != 0 || marker_us < 0)); then
			failures=$((failures + 1))
			progress "$host run $run: $(status_text "$status"), '$marker' $( ((marker_us >= 0)) && echo seen || echo missing); see ${log#"$PVKIT_ROOT"/}"
			((failures < 2)) || break              # don't waste time on a broken host
			continue
		fi
		markers+=("$marker_us") exits+=("$exit_us") T_LOGS+=("$log")
		progress "$host run $run: marker $((marker_us / 1000)) ms, exit $((exit_us / 1000)) ms"
	done
	if ((${#markers[@]} == 0)); then
		T_NOTE="no successful run ($failures failed)"
		return
	fi
	T_MARKER=$(stats "${markers[@]}") T_EXIT=$(stats "${exits[@]}") T_OK="${#markers[@]}/$runs"
}

# ---- 2. boot time -------------------------------------------------------------------
boot_section() {
	local host base="" base_ready="" base_exit="" base_guest="" guests log row guest_stats
	echo "## Boot time, empty command line: median (min–max)"
	echo
	echo "| host | runs ok | to \`pvkit: ready\` line, ms | ×ready | to VMM exit, ms | ×exit | guest entry→ready, µs | ×guest |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for host in "${HOSTS[@]}"; do
		if ! host_available "$host"; then
			echo "| $host | – | skipped: $UNAVAILABLE_REASON | | | | | |"
			continue
		fi
		progress "boot time on $host: $RUNS runs"
		time_boots "$host" "pvkit: ready" "$RUNS" ""
		if [[ -n $T_NOTE ]]; then
			echo "| $host | 0/$RUNS | $T_NOTE | | | | | |"
			continue
		fi
		guests=()
		for log in "${T_LOGS[@]}"; do
			guests+=("$(grep -aoE 'pvkit: ready in [0-9]+ us' "$log" | head -n 1 | tr -dc 0-9)")
		done
		guest_stats=$(stats "${guests[@]}")
		if [[ -z $base ]]; then                     # the baseline for the × columns
			base=$host base_ready=${T_MARKER%% *} base_exit=${T_EXIT%% *} base_guest=${guest_stats%% *}
		fi
		row="| $host | $T_OK | $(cell "$T_MARKER" 1000 1) | $(ratio "${T_MARKER%% *}" "$base_ready")"
		row+=" | $(cell "$T_EXIT" 1000 1) | $(ratio "${T_EXIT%% *}" "$base_exit")"
		row+=" | $(cell "$guest_stats" 1 0) | $(ratio "${guest_stats%% *}" "$base_guest") |"
		echo "$row"
	done
	echo
	echo "× columns: median divided by the median of ${base:-the first host} on the same column."
	echo
}

# ---- 3. the VMM's own cost ------------------------------------------------------------
vmm_section() {
	local host base_exit="" saved_image=$IMAGE
	echo "## The VMM's own cost: a trivial PVH kernel, median (min–max)"
	echo
	echo "\`tests/tools/trivial-pvh.S\` prints one line on COM1 and writes port 0xf4: the time"
	echo "is almost all the VMM's own (process start, VM creation, loading, tear-down)."
	echo
	echo "| host | runs ok | to its line, ms | to VMM exit, ms | exit time ÷ ${VMM_HOSTS[0]}'s |"
	echo "|---|---:|---:|---:|---:|"
	IMAGE=$TRIVIAL_IMAGE
	for host in "${VMM_HOSTS[@]}"; do
		if ! host_available "$host"; then
			echo "| $host | – | skipped: $UNAVAILABLE_REASON | | |"
			continue
		fi
		progress "trivial kernel on $host: $RUNS runs"
		time_boots "$host" "$TRIVIAL_MARKER" "$RUNS" ""
		if [[ -n $T_NOTE ]]; then
			echo "| $host | 0/$RUNS | $T_NOTE | | |"
			continue
		fi
		[[ $host != "${VMM_HOSTS[0]}" ]] || base_exit=${T_EXIT%% *}
		echo "| $host | $T_OK | $(cell "$T_MARKER" 1000 1) | $(cell "$T_EXIT" 1000 1) | $(ratio "${T_EXIT%% *}" "${base_exit:-0}") |"
	done
	IMAGE=$saved_image
	echo
}

# ---- 4. exits per boot ------------------------------------------------------------------
exits_section() {
	echo "## VM exits per boot under pvkit-hv (\`--stats\`, empty command line)"
	echo
	if ! host_available pvkit-hv; then
		echo "skipped: $UNAVAILABLE_REASON"
		echo
		return
	fi
	echo '```'
	"$PVKIT_HV" --stats "$IMAGE" 2>&1 >/dev/null || true
	echo '```'
	echo
}

# ---- 5. disks: ATA and virtio-blk --------------------------------------------------------
# The guest's phases (kernel/bench.c), in the order of the table's columns.
DISK_PHASES=(seq-write seq-read rand-read rand-read-queued)

# bench_values PHASE DEVICE WHAT: the number before WHAT ("KiB/s", "IOPS",
# "requests", "at a time", "notifications", "interrupts") on the guest's line
# `bench: PHASE DEVICE: ...`, one line per log in T_LOGS that has it.
bench_values() {
	local log
	for log in "${T_LOGS[@]}"; do
		grep -a -m1 "^bench: $1 $2: .* interrupts" "$log" | grep -oE "[0-9]+ $3" |
			head -n 1 | tr -dc 0-9
		echo
	done | grep -E '^[0-9]+$' || true
}

# bench_median PHASE DEVICE WHAT: the median over the runs, or nothing.
bench_median() {
	local values
	mapfile -t values < <(bench_values "$@")
	((${#values[@]} == 0)) || stats "${values[@]}" | cut -d' ' -f1
}

# disk_rate_cell PHASE DEVICE WHAT: "median (min–max)" of WHAT, or a dash.
disk_rate_cell() {
	local values
	mapfile -t values < <(bench_values "$@")
	if ((${#values[@]} == 0)); then
		echo "–"
	else
		cell "$(stats "${values[@]}")" 1 0
	fi
}

# per_request_cell PHASE DEVICE: "notifications / interrupts" per request (medians).
per_request_cell() {
	local requests notifications interrupts
	requests=$(bench_median "$1" "$2" requests)
	notifications=$(bench_median "$1" "$2" notifications)
	interrupts=$(bench_median "$1" "$2" interrupts)
	if [[ -z $requests || -z $notifications || -z $interrupts ]]; then
		echo "–"
		return
	fi
	# Whole numbers as such (ATA's thousands, virtio's 1 and 0), others to 0.01.
	awk -v r="$requests" -v n="$notifications" -v i="$interrupts" 'function f(x) {
		return sprintf(x % r == 0 || x / r >= 100 ? "%.0f" : "%.2f", x / r) }
		BEGIN { print f(n) " / " f(i) }'
}

# disk_kind HOST: "DEVICE|what it is" for the disk HOST attaches (lib.sh, host_command).
disk_kind() {
	[[ $1 != xen-pv* ]] || { echo "xvda|Xen blkfront, dom0's blkback on a loop device"; return; }
	[[ $1 != pvkit-hv-xen ]] || { echo "xvda|Xen blkfront, pvkit-hv's blkback"; return; }
	case $(host_virtio "$1") in
	mmio) echo "vda|virtio-blk, virtio-mmio" ;;
	pci)  echo "vda|virtio-blk, virtio-pci (MSI-X)" ;;
	*)    echo "ata0|ATA PIO" ;;
	esac
}

# disk_rows HOST DISK: boot bench=block on HOST with DISK; one row for each of the
# two tables, in DISK_SPEED_ROWS and DISK_SIGNAL_ROWS.
disk_rows() {
	local host=$1 disk=$2 device what depth speed signals phase
	IFS='|' read -r device what <<<"$(disk_kind "$host")"
	if ! host_available "$host"; then
		DISK_SPEED_ROWS+=("| $host | $what | – | skipped: $UNAVAILABLE_REASON | | | |")
		DISK_SIGNAL_ROWS+=("| $host | $what | skipped | | | |")
		return
	fi
	progress "bench=block on $host: $DISK_RUNS runs"
	time_boots "$host" "pvkit: exit status 0" "$DISK_RUNS" "bench=block" "$disk"
	if [[ -n $T_NOTE ]]; then
		DISK_SPEED_ROWS+=("| $host | $what | 0/$DISK_RUNS | $T_NOTE | | | |")
		DISK_SIGNAL_ROWS+=("| $host | $what | no result | | | |")
		return
	fi
	depth=$(bench_median rand-read-queued "$device" "at a time")
	speed="| $host | $what | $T_OK | $(disk_rate_cell seq-write "$device" KiB/s)"
	speed+=" | $(disk_rate_cell seq-read "$device" KiB/s) | $(disk_rate_cell rand-read "$device" IOPS)"
	if [[ -n $depth ]]; then
		speed+=" | $(disk_rate_cell rand-read-queued "$device" IOPS), $depth at a time |"
	else
		speed+=" | – (one at a time only) |"
	fi
	signals="| $host | $what"
	for phase in "${DISK_PHASES[@]}"; do
		signals+=" | $(per_request_cell "$phase" "$device")"
	done
	DISK_SPEED_ROWS+=("$speed") DISK_SIGNAL_ROWS+=("$signals |")
}

disk_section() {
	local host disk=$LOG_DIR/bench-disk.img
	DISK_SPEED_ROWS=() DISK_SIGNAL_ROWS=()
	rm -f "$disk"
	truncate -s 16M "$disk"
	for host in "${DISK_HOSTS[@]}"; do
		disk_rows "$host" "$disk"
	done
	echo "## Disks (\`bench=block\`): median (min–max) of $DISK_RUNS runs per host"
	echo
	echo "The same guest code on every host, through the block interface, on the same"
	echo "16 MiB disk file (\`${disk#"$PVKIT_ROOT"/}\`, attached to one host after the other):"
	echo "1 MiB written and 1 MiB read sequentially in 64 KiB requests from sector 1024,"
	echo "then 200 reads of 4 KiB at random places of an 8 MiB region (a fixed generator:"
	echo "the same places everywhere), one at a time, and again with several in flight"
	echo "through \`block_read_batch\` (virtio-blk; the ATA driver has one command at a time)."
	echo
	disk_speed_table
	echo "### Notifications / interrupts per request"
	echo
	echo "Per block-layer request (64 KiB sequential, 4 KiB random), as the guest's driver"
	echo "counted them: virtio-blk's kicks (doorbell writes that reached the device after"
	echo "event-index suppression) and its interrupts; for the ATA disk, which has no"
	echo "doorbell, every register access (each traps to the VMM; string I/O counted per"
	echo "word) and no interrupts (the driver polls)."
	echo
	disk_signal_table
}

# The two tables of disk_rows' rows, each with its header.
disk_speed_table() {
	echo "| host | disk | runs ok | seq-write KiB/s | seq-read KiB/s | rand-read 4 KiB IOPS, one at a time | rand-read 4 KiB IOPS, queued |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	printf '%s\n' "${DISK_SPEED_ROWS[@]}"
	echo
}
disk_signal_table() {
	echo "| host | disk | seq-write | seq-read | rand-read | rand-read, queued |"
	echo "|---|---|---:|---:|---:|---:|"
	printf '%s\n' "${DISK_SIGNAL_ROWS[@]}"
	echo
}

# ---- 6. virtio-net: UDP echo -----------------------------------------------------------
# net_echo_window HOST: seconds of echo= that cover net-peer's checks (a few
# dozen packets), 200 round trips and the rate run, with slack: a round trip
# costs ~40 µs under TCG and ~3 ms under this machine's KVM.
net_echo_window() {
	if [[ $(host_accel "$1") == kvm ]]; then
		echo $((NET_RATE_SECONDS + 6))
	else
		echo $((NET_RATE_SECONDS + 3))
	fi
}

# net_row HOST WHAT: one table row from one boot with net-peer --bench.
net_row() {
	local host=$1 what=$2 seconds log peer_log status
	seconds=$(net_echo_window "$host")
	log=$LOG_DIR/$host-net-echo.log peer_log=$LOG_DIR/$host-net-peer.log
	if ! net_peer_start "$peer_log" "$LOG_DIR/$host-net-peer.port" --bench --count 5 \
			--bench-seconds "$NET_RATE_SECONDS" --wait "$(host_timeout "$host")"; then
		net_peer_stop 0
		echo "| $host | $what | net-peer did not start | | | |"
		return
	fi
	progress "virtio-net on $host: echo=$seconds with net-peer --bench"
	boot "$host" "echo=$seconds" "$log" && status=0 || status=$?
	net_peer_stop 3
	net_row_of_logs "$host" "$what" "$status" "$peer_log"
}

# peer_value PEER_LOG KEY: a number from net-peer --bench's lines, KEY median, min
# or p99 (round trip, µs: `net-peer: bench: udp-rtt-us median M min N p99 P`) or pps
# (echoes per second: `net-peer: bench: udp-pps R window ...`); nothing if absent.
peer_value() {
	case $2 in
	pps) sed -n 's/^net-peer: bench: udp-pps \([0-9]*\) .*/\1/p' "$1" ;;
	*)   sed -n "s/^net-peer: bench: udp-rtt-us .*\\<$2 \\([0-9]*\\).*/\\1/p" "$1" ;;
	esac
}

# net_row_of_logs HOST WHAT STATUS PEER_LOG: the row, from net-peer's bench lines.
net_row_of_logs() {
	local host=$1 what=$2 status=$3 peer_log=$4 median min p99 rate
	median=$(peer_value "$peer_log" median) min=$(peer_value "$peer_log" min)
	p99=$(peer_value "$peer_log" p99) rate=$(peer_value "$peer_log" pps)
	if [[ -z $median || -z $rate ]]; then
		echo "| $host | $what | no result ($(status_text "$status"); peer: $(grep -a -m1 '^net-peer: ' "$peer_log" || echo "no summary")) | | | |"
		return
	fi
	echo "| $host | $what | $median | $min | $p99 | $rate |"
}

net_section() {
	local host what
	echo "## virtio-net: UDP echo round trip and packets per second"
	echo
	echo "The guest runs \`echo=SECONDS\`; \`build/tools/net-peer --bench\` (a host on the guest's"
	echo "Ethernet through the VMM's UDP socket backend: QEMU's \`-netdev socket,udp=\`,"
	echo "pvkit-hv's \`--virtio-net udp=\`) times 200 UDP echo round trips of 64"
	echo "bytes, one at a time, then keeps 16 in flight for $NET_RATE_SECONDS s and counts the replies."
	echo "The path includes the VMM's socket backend and the host's loopback; one boot per host."
	echo "Xen netfront, PV and PVH, is in the Xen section's table."
	echo
	echo "| host | transport | round trip median µs | min µs | p99 µs | UDP echoes/s, 16 in flight |"
	echo "|---|---|---:|---:|---:|---:|"
	for host in "${NET_HOSTS[@]}"; do
		case $(host_virtio "$host") in
		mmio) what="virtio-net, virtio-mmio" ;;
		*)    what="virtio-net, virtio-pci (MSI-X)" ;;
		esac
		if ! host_available "$host"; then
			echo "| $host | $what | skipped: $UNAVAILABLE_REASON | | | |"
		elif [[ ! -x $NET_PEER ]]; then
			echo "| $host | $what | no $NET_PEER (run make) | | | |"
		else
			net_row "$host" "$what"
		fi
	done
	echo
}

# ---- 7. Xen: PV vs PVH ----------------------------------------------------------------
XEN_HOSTS=(xen-pvh xen-pv)      # the second is divided by the first
XEN_RUNS=$((RUNS < 3 ? RUNS : 3))      # a lab boot is ~25 s
# Three kinds of boot per host, XEN_RUNS of each, each run giving one log: "xen"
# bench=xen (no vif, no disk: its boot time is the bare guest's), "block"
# bench=block on a fresh disk, "net" the netfront echo with net-peer --bench in
# dom0.  A row reads one number from each log of one kind: LABEL|BOOT|NAME|UNIT
# (NAME and UNIT: see xen_log_value).
XEN_ROWS=("null hypercall (xen_version), ns per call|xen|null-hypercall|ns/call"
	"null hypercall, TSC cycles per call|xen|null-hypercall|cycles/call"
	"PTE write through platform->write_pte, ns per write|xen|pte-write|ns/call"
	"PTE write, TSC cycles per write|xen|pte-write|cycles/call"
	"PTE writes, batched 64 per call (write_ptes), ns per PTE|xen|pte-write-batched|ns/call"
	"event channel one way: send → upcall handler ran, ns|xen|evtchn-send-to-upcall|ns/call"
	"event channel ping-pong: send → upcall answers → answer pending, ns|xen|evtchn-pingpong|ns/call"
	"grant copy of one 4 KiB page through our own grant (GNTTABOP_copy), ns|xen|grant-copy|ns/call"
	"boot: guest entry to \`pvkit: ready\`, µs|xen|ready|"
	"blkfront seq-write, 1 MiB in 64 KiB requests, KiB/s|block|seq-write|KiB/s"
	"blkfront seq-read, 1 MiB in 64 KiB requests, KiB/s|block|seq-read|KiB/s"
	"blkfront rand-read 4 KiB, one at a time (depth 1), IOPS|block|rand-read|IOPS"
	"blkfront rand-read 4 KiB, queued, IOPS|block|rand-read-queued|IOPS"
	"blkfront queued: requests in flight at a time|block|rand-read-queued|at a time"
	"netfront UDP echo round trip (peer in dom0), median µs|net|median|"
	"netfront UDP echo round trip, min µs|net|min|"
	"netfront UDP echo round trip, p99 µs|net|p99|"
	"netfront UDP echoes per second, 16 in flight|net|pps|")
# The netfront boot's echo= window: ~10 ms a round trip in the lab, so 200 of
# them, the rate run and slack.
XEN_ECHO_SECONDS=$((NET_RATE_SECONDS + 10))

xen_value() {             # LOG NAME UNIT: see xen_log_value
	grep -a -m1 "^bench: $2: " "$1" | grep -oE "[0-9]+ $3" | head -n 1 | tr -dc 0-9 || true
}

xen_cell() {              # "median min max" or nothing -> "12 (11–13)", "12" or a dash
	local med min max
	read -r med min max <<<"$1"
	if [[ -z $med ]]; then
		echo "–"
	elif [[ $min == "$max" ]]; then
		cell "$1" 1 0 | cut -d" " -f1        # one run: no range to show
	else
		cell "$1" 1 0
	fi
}

xen_ratio() {             # PV PVH -> "×0.0072", "×81": three significant digits
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "×%.3g", a / b; else printf "–" }'
}

# xen_boot HOST BOOT: boot HOST XEN_RUNS times for BOOT (xen, block or net); sets
# XEN_LOGS[HOST:BOOT] to the logs its rows read (one a line), and
# XEN_NOTES[HOST:BOOT] to what went wrong, if anything.
xen_boot() {
	local host=$1 kind=$2 disk=$LOG_DIR/bench-$1-disk.img
	case $kind in
	xen)   progress "bench=xen on $host: $XEN_RUNS runs"
	       time_boots "$host" "pvkit: exit status 0" "$XEN_RUNS" "bench=xen" ;;
	block) progress "bench=block on $host's blkfront: $XEN_RUNS runs"
	       rm -f "$disk"
	       truncate -s 16M "$disk"
	       time_boots "$host" "pvkit: exit status 0" "$XEN_RUNS" "bench=block" "$disk" ;;
	net)   xen_net_boots "$host"
	       return ;;
	esac
	if [[ -n $T_NOTE ]]; then
		XEN_NOTES[$host:$kind]=$T_NOTE
	elif [[ $T_OK != "$XEN_RUNS/$XEN_RUNS" ]]; then
		XEN_NOTES[$host:$kind]="$T_OK runs ok (see the logs in ${LOG_DIR#"$PVKIT_ROOT"/})"
	fi
	XEN_LOGS[$host:$kind]=$(printf '%s\n' "${T_LOGS[@]}")
}

# xen_net_boots HOST: XEN_RUNS boots with echo=, each answering net-peer --bench,
# which xen-lab.sh runs in dom0 on the bridge of the domU's vif; the rows read
# the peer's logs.
xen_net_boots() {
	local host=$1 run log status peer_logs=()
	XEN_NET_PEER_ARGS="--bench --count 5 --bench-seconds $NET_RATE_SECONDS"
	for ((run = 1; run <= XEN_RUNS; run++)); do
		progress "netfront on $host run $run: echo=$XEN_ECHO_SECONDS with net-peer --bench in dom0"
		log=$LOG_DIR/$host-net-echo-$run.log
		XEN_NET_PEER_LOG=$LOG_DIR/$host-net-peer-$run.log
		boot "$host" "echo=$XEN_ECHO_SECONDS" "$log" && status=0 || status=$?
		peer_logs+=("$XEN_NET_PEER_LOG")
		((status == 0)) ||
			XEN_NOTES[$host:net]="run $run: $(status_text "$status"); see ${log#"$PVKIT_ROOT"/}"
	done
	XEN_NET_PEER_LOG="" XEN_NET_PEER_ARGS=""
	XEN_LOGS[$host:net]=$(printf '%s\n' "${peer_logs[@]}")
}

# xen_log_value HOST BOOT NAME UNIT LOG: the row's number in one log, or nothing:
# for xen, the number before UNIT on the guest's `bench: NAME:` line (NAME ready:
# its entry-to-ready time); for block, the disk section's `bench: NAME xvda:`
# line; for net, net-peer's (peer_value).
xen_log_value() {
	local device
	[[ -f $5 ]] || return 0
	case $2:$3 in
	xen:ready) grep -aoE 'pvkit: ready in [0-9]+ us' "$5" | head -n 1 | tr -dc 0-9 ;;
	xen:*)     xen_value "$5" "$3" "$4" ;;
	block:*)   device=$(disk_kind "$1")
	           T_LOGS=("$5")
	           bench_median "$3" "${device%%|*}" "$4" ;;
	net:*)     peer_value "$5" "$3" ;;
	esac
}

# xen_row_stats HOST BOOT NAME UNIT: "median min max" of the row over the runs,
# or nothing.
xen_row_stats() {
	local log value values=()
	while read -r log; do
		value=""
		[[ -z $log ]] || value=$(xen_log_value "$1" "$2" "$3" "$4" "$log")
		[[ -z $value ]] || values+=("$value")
	done <<<"${XEN_LOGS[$1:$2]:-}"
	((${#values[@]} == 0)) || stats "${values[@]}"
}

xen_section() {
	local host kind row label name unit pvh pv XEN_VIF=0  # no vif but for netfront: it costs boot time
	local -A XEN_LOGS=() XEN_NOTES=()
	hv_devices_table
	hv_xen_rows
	for host in "${XEN_HOSTS[@]}"; do
		if ! host_available "$host"; then
			XEN_NOTES[$host]="skipped: $UNAVAILABLE_REASON"
			continue
		fi
		for kind in xen block net; do
			xen_boot "$host" "$kind"
		done
	done
	echo "## Xen: PV vs PVH, real Xen 4.17 under QEMU TCG: relative costs only"
	echo
	echo "The same image as a PVH and as a PV domU of Xen 4.17, which itself runs under QEMU"
	echo "TCG.  Three kinds of boot per domU type, $XEN_RUNS of each: \`bench=xen\`"
	echo "(pv/xen/xen_bench.c; these boots, with neither disk nor vif, give the boot row),"
	echo "\`bench=block\` on a fresh 16 MiB xvda served by dom0's blkback (the disk section's"
	echo "workload), and \`echo=$XEN_ECHO_SECONDS\` answering \`net-peer --bench\` in dom0 on the"
	echo "bridge of the domU's vif (the net section's workload).  Everything, Xen and dom0"
	echo "included, is emulated, so absolute numbers say nothing about hardware: read the"
	echo "PV/PVH column (PV's median divided by PVH's; for times below ×1 means PV is faster,"
	echo "for rates slower), and that with care.  A PVH guest's trap into Xen is a VM exit of"
	echo "QEMU's emulated SVM (very costly under TCG), a PV guest's a \`syscall\` (cheap under"
	echo "TCG): this favours PV in every row that enters Xen far beyond hardware, and may"
	echo "reverse there (docs/bench.md).  The PTE rows are the meaningful ones: a plain store"
	echo "under PVH, an \`mmu_update\` hypercall that Xen validates under PV (batched: one for"
	echo "64 entries)."
	echo
	for row in "${!XEN_NOTES[@]}"; do
		echo "- $row: ${XEN_NOTES[$row]}"
	done
	[[ ${#XEN_NOTES[@]} -eq 0 ]] || echo
	echo "| what: median (min–max) of the runs | xen-pvh | xen-pv | PV/PVH, medians |"
	echo "|---|---:|---:|---:|"
	for row in "${XEN_ROWS[@]}"; do
		IFS='|' read -r label kind name unit <<<"$row"
		pvh=$(xen_row_stats xen-pvh "$kind" "$name" "$unit")
		pv=$(xen_row_stats xen-pv "$kind" "$name" "$unit")
		echo "| $label | $(xen_cell "$pvh") | $(xen_cell "$pv") | $( [[ -n $pvh && -n $pv ]] && xen_ratio "${pv%% *}" "${pvh%% *}" || echo –) |"
	done
	echo
}

# pvkit-hv's own devices, one table (issue 5): bench=block on the same image as an ATA
# disk (pvkit-hv), virtio-blk (pvkit-hv-mmio) and a Xen blkfront disk served by
# pvkit-hv's blkback (pvkit-hv-xen); net-peer --bench against virtio-net and
# netfront; bench=xen's event-channel round trip and grant copy.  One run each.
HV_DEVICE_HOSTS=(pvkit-hv pvkit-hv-mmio pvkit-hv-xen)  # ATA, virtio, Xen PV

# hv_disk_values HOST DISK: "seq-write seq-read rand-read" from one bench=block boot.
hv_disk_values() {
	local device what
	IFS='|' read -r device what <<<"$(disk_kind "$1")"
	progress "bench=block on $1: 1 run"
	time_boots "$1" "pvkit: exit status 0" 1 "bench=block" "$2"
	[[ -z $T_NOTE ]] || return 0
	echo "$(bench_median seq-write "$device" KiB/s) $(bench_median seq-read "$device" KiB/s)" \
		"$(bench_median rand-read "$device" IOPS)"
}

# hv_net_values HOST: "median-rtt-us echoes-per-s" from one echo boot with net-peer --bench.
hv_net_values() {
	local host=$1 seconds peer_log=$LOG_DIR/$1-hv-net-peer.log
	seconds=$(net_echo_window "$host")
	net_peer_start "$peer_log" "$LOG_DIR/$host-hv-net-peer.port" --bench --count 5 \
		--bench-seconds "$NET_RATE_SECONDS" --wait "$(host_timeout "$host")" || return 0
	progress "net on $host: echo=$seconds with net-peer --bench"
	boot "$host" "echo=$seconds" "$LOG_DIR/$host-hv-net-echo.log" || true
	net_peer_stop 3
	echo "$(sed -n 's/^net-peer: bench: udp-rtt-us median \([0-9]*\) .*/\1/p' "$peer_log")" \
		"$(sed -n 's/^net-peer: bench: udp-pps \([0-9]*\) .*/\1/p' "$peer_log")"
}

hv_devices_table() {
	local disk=$LOG_DIR/bench-hv-devices.img host i log="" label
	local -A d=() n=()
	local labels=("sequential write, KiB/s" "sequential read, KiB/s" "random 4 KiB reads, IOPS")
	echo "## pvkit-hv's devices side by side: emulated, virtio, Xen PV (one run each)"
	echo
	rm -f "$disk"
	truncate -s 16M "$disk"
	for host in "${HV_DEVICE_HOSTS[@]}"; do
		host_available "$host" || continue
		d[$host]=$(hv_disk_values "$host" "$disk")
		[[ $host == pvkit-hv ]] || n[$host]=$(hv_net_values "$host")
	done
	if host_available pvkit-hv-xen; then
		progress "bench=xen on pvkit-hv-xen: 1 run"
		time_boots pvkit-hv-xen "pvkit: exit status 0" 1 "bench=xen"
		[[ -n $T_NOTE ]] || log=${T_LOGS[0]}
	fi
	echo "The same 16 MiB image behind each disk (\`bench=block\`, as in the disk section), the"
	echo "same UDP link behind each network card (\`echo=\` against \`net-peer --bench\`), all on"
	echo "this machine's KVM; the last column divides the Xen PV number by the virtio one."
	echo "Here guest ring-0 code is emulated, instruction by instruction: blkfront's copy into"
	echo "its granted pages and its grant and revoke of each page of a request (pvkit-hv's"
	echo "blkback offers no persistent grants) are most of its disk time, which virtio-blk,"
	echo "handing the device the caller's buffer, does not pay (docs/bench.md)."
	echo
	echo "| what | ATA (pvkit-hv) | virtio (pvkit-hv-mmio) | Xen PV (pvkit-hv-xen) | Xen/virtio |"
	echo "|---|---:|---:|---:|---:|"
	for i in 0 1 2; do
		local -a ata virtio xen
		read -r -a ata <<<"${d[pvkit-hv]:-}"
		read -r -a virtio <<<"${d[pvkit-hv-mmio]:-}"
		read -r -a xen <<<"${d[pvkit-hv-xen]:-}"
		hv_row "${labels[$i]}" "${ata[$i]:-}" "${virtio[$i]:-}" "${xen[$i]:-}"
	done
	read -r -a virtio <<<"${n[pvkit-hv-mmio]:-}"
	read -r -a xen <<<"${n[pvkit-hv-xen]:-}"
	hv_row "UDP echo round trip, median µs" "" "${virtio[0]:-}" "${xen[0]:-}"
	hv_row "UDP echoes/s, 16 in flight" "" "${virtio[1]:-}" "${xen[1]:-}"
	for label in "event-channel loop-back round trip, ns|evtchn-pingpong" \
		"grant copy of 4 KiB, ns|grant-copy" "null hypercall, ns|null-hypercall"; do
		hv_row "${label%|*}" "" "" "$([[ -z $log ]] || xen_value "$log" "${label#*|}" ns/call)"
	done
	echo
}

hv_row() {              # LABEL ATA VIRTIO XEN: one row, dashes for what is missing
	echo "| $1 | ${2:-–} | ${3:-–} | ${4:-–} | $( [[ -n $3 && -n $4 ]] && xen_ratio "$4" "$3" || echo –) |"
}

# pvkit-hv --xen (docs/pvkit-hv-xen.md): its hypercalls are port exits, so the guest's
# null hypercall is compared with a bare `in` from an unassigned port, measured in the
# same run (pv/xen/xen_bench.c).
hv_xen_rows() {
	local log hc pio call
	echo "## pvkit-hv --xen: null hypercall against a bare port exit (\`bench=xen\`), same run"
	echo
	if ! host_available pvkit-hv-xen; then
		echo "skipped: $UNAVAILABLE_REASON"
		echo
		return
	fi
	progress "bench=xen on pvkit-hv-xen: $RUNS runs"
	time_boots pvkit-hv-xen "pvkit: exit status 0" "$RUNS" "bench=xen"
	if [[ -n $T_NOTE ]]; then
		echo "pvkit-hv-xen: $T_NOTE"
		echo
		return
	fi
	echo "| run | null hypercall, ns/call | \`in\` from an unassigned port, ns/call | hypercall/port | the \`in\` called like a hypercall, ns/call | hypercall/that |"
	echo "|---|---:|---:|---:|---:|---:|"
	for log in "${T_LOGS[@]}"; do
		hc=$(xen_value "$log" null-hypercall ns/call)
		pio=$(xen_value "$log" pio-exit ns/call)
		call=$(xen_value "$log" pio-exit-call ns/call)
		echo "| $(basename "$log" .log) | ${hc:-–} | ${pio:-–} | $( [[ -n $hc && -n $pio ]] && xen_ratio "$hc" "$pio" || echo –) |" \
			"${call:-–} | $( [[ -n $hc && -n $call ]] && xen_ratio "$hc" "$call" || echo –) |"
	done
	echo
}

report() {
	echo "# pvkit benchmark"
	echo
	echo "$(date -u +%FT%TZ); $("$QEMU" --version | head -n 1); $(nproc) CPUs;" \
		"KVM: $(kvm_usable && echo usable || echo "$PVKIT_KVM_STATE"); $RUNS runs per host."
	echo
	image_report
	local section
	for section in "${ALL_SECTIONS[@]}"; do
		if [[ " $SECTIONS " == *" $section "* ]]; then
			"${section}_section"
		fi
	done
}

# ---- main ---------------------------------------------------------------------------
HOSTS=("$@")
((${#HOSTS[@]} > 0)) || HOSTS=("${BENCH_HOSTS[@]}")
for host in "${HOSTS[@]}"; do
	is_host "$host" || die "unknown host '$host' (hosts: ${ALL_HOSTS[*]})"
done
[[ -f $IMAGE ]] || die "no image $IMAGE (run make)"
[[ -f $TRIVIAL_IMAGE ]] || die "no $TRIVIAL_IMAGE (run make)"
IMAGE_NAME=$IMAGE        # before snapshot_image below
((RUNS >= 1)) || die "BENCH_RUNS must be at least 1"
for section in $SECTIONS; do
	[[ " ${ALL_SECTIONS[*]} " == *" $section "* ]] ||
		die "BENCH_SECTIONS: unknown section '$section' (sections: ${ALL_SECTIONS[*]})"
done
build_boottime
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
snapshot_image "$LOG_DIR"

report | tee "$REPORT"
progress "report saved to ${REPORT#"$PVKIT_ROOT"/}; console logs in ${LOG_DIR#"$PVKIT_ROOT"/}/"
