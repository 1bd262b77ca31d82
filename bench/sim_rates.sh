#!/bin/sh
# psp-sim's throughput per policy: simulated requests per second of CPU time
# (median of interleaved runs of bench-sim) and, with --instr, instructions
# per request under callgrind (repeatable on a noisy machine: the difference
# between two run lengths, so loading the workload and the set-up cancel).
#
#   bench/sim_rates.sh [--instr] [--runs N] [--requests N] [--base BENCH_SIM] [POLICY...]
#
# --base names a second bench-sim (an older build) measured in the same
# loop, run for run, so both see the same machine.  Default policies: all of
# them, in the registry's order (psp-sim --list); high-bimodal, 14 workers, load 0.9, time sharing at its default 5 us
# quantum.  Prints one Markdown table row per policy, ending with the
# policy's throughput target (bench-sim's) and whether the median meets it.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${BENCH_SIM:-$here/build/bin/bench-sim}
base=
instr=0
runs=5
requests=10000000
while [ $# -gt 0 ]; do
	case $1 in
	--instr) instr=1 ;;
	--runs) runs=$2; shift ;;
	--requests) requests=$2; shift ;;
	--base) base=$2; shift ;;
	-*) echo "sim_rates.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ -x "$bench" ] || { echo "sim_rates.sh: no $bench (build first)" >&2; exit 2; }
sim=$(dirname "$bench")/psp-sim
all() { # every policy of the registry, as psp-sim --list names them
	"$sim" --list | awk '/^policies:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^[^ ]/ { on = 0 }'
}
policies=${*:-$(all)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# M requests/s of one bench-sim run (its CPU-time rate); the policy's
# target, which bench-sim prints, goes to $tmp/target.
rate() { # BIN POLICY REQUESTS
	"$1" "$3" 0.9 high-bimodal "$2" | awk -v t="$tmp/target" '$1 != "#" {
		print $2
		if (match($0, /target [0-9.]+/)) print substr($0, RSTART + 7, RLENGTH - 7) > t
	}'
}

# The table's last two cells: the target and whether the median meets it.
target_cells() { # MEDIAN
	if [ -s "$tmp/target" ]; then
		awk -v m="$1" '{printf " %s | %s |", $1, (m >= $1) ? "met" : "not met"}' "$tmp/target"
	else
		printf ' - | - |'
	fi
}

# Instructions per request: callgrind at n and 3n requests.
instr_per_req() { # BIN POLICY
	n=100000
	for m in $n $((3 * n)); do
		valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$m" "$1" "$m" 0.9 \
			high-bimodal "$2" >/dev/null 2>&1
	done
	a=$(awk '/^summary:/ {print $2}' "$tmp/cg.$n")
	b=$(awk '/^summary:/ {print $2}' "$tmp/cg.$((3 * n))")
	awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN {printf "%.0f", (b - a) / (2 * n)}'
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

if [ -n "$base" ]; then
	echo "| policy | before M req/s | after M req/s | speed-up |$([ $instr = 1 ] && echo ' before instr/req | after instr/req |') target M req/s | after meets it |"
	echo "|---|---|---|---|$([ $instr = 1 ] && echo '---|---|')---|---|"
else
	echo "| policy | M req/s |$([ $instr = 1 ] && echo ' instr/req |') target M req/s | meets it |"
	echo "|---|---|$([ $instr = 1 ] && echo '---|')---|---|"
fi
for p in $policies; do
	: >"$tmp/after"
	: >"$tmp/before"
	: >"$tmp/target"
	i=0
	while [ $i -lt "$runs" ]; do
		rate "$bench" "$p" "$requests" >>"$tmp/after"
		[ -z "$base" ] || rate "$base" "$p" "$requests" >>"$tmp/before"
		i=$((i + 1))
	done
	after=$(median <"$tmp/after")
	if [ -n "$base" ]; then
		before=$(median <"$tmp/before")
		row="| $p | $before | $after | $(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.2fx", a / b}') |"
		[ $instr = 0 ] || row="$row $(instr_per_req "$base" "$p") | $(instr_per_req "$bench" "$p") |"
	else
		row="| $p | $after |"
		[ $instr = 0 ] || row="$row $(instr_per_req "$bench" "$p") |"
	fi
	echo "$row$(target_cells "$after")"
done
