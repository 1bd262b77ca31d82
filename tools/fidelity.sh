#!/usr/bin/env bash
# psp-sim's prediction error against psp-engine (the system model's fidelity
# table, docs/system-model.md "Prediction error").  For each policy and rate:
# psp-engine on memif (the shipped configs, 3 workers) with --trace, and
# psp-client at that rate; the engine's server-side latency per type (the
# trace's completion_ns - arrival_ns of answered requests, the first 10% left
# out as psp-sim leaves out its warm-up) is the measurement.  The first
# policy's run at the first rate is the calibration: psp-sim --fit-system
# fits a system file from its trace.  psp-sim then predicts every cell,
# sampling the workload at the same load (not replaying the trace), on the
# fitted system and on the ideal machine (no --system), and the table gives,
# per cell and type, the engine's p50 and p99, each prediction and its error
# (prediction / engine - 1, in %).
#
#   tools/fidelity.sh [-d SECONDS] [-r RATES] [-p POLICIES] [-o DIR] [-n REQUESTS]
#   defaults: -d 3 -r "1000 3000 6000" -p "cfcfs darc jbsq2 ts" -o a new /tmp directory
# Policies: cfcfs, darc (oracle mode: planned from the workload's means, on
# both sides), jbsq2 (jbsq with 2 slots), ts (5 us quantum), or any policy
# name the engine and psp-sim both take with its defaults.  -n: psp-sim's
# arrivals per prediction (default 200000, 2 replications).
# It starts psp-engine and psp-client, which poll: on a shared machine take
# the exclusive lock around it (flock -x /tmp/psp-cpu.lock tools/fidelity.sh).
# BIN=... selects the binaries (default build/bin).  Exit status: 0 with a
# full table, 1 when a run failed (its log is named), 2 on bad arguments.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
DURATION=3
RATES="1000 3000 6000"
POLICIES="cfcfs darc jbsq2 ts"
OUT=""
NSIM=200000
WORKLOAD=high-bimodal
WORKERS=3
MEAN_US=50.5 # high-bimodal's mean service time: load = rate x mean / workers
usage() { sed -n '/^#   tools/,/^#   defaults/p' "$0" | sed 's/^# *//' >&2; exit 2; }
while getopts "d:r:p:o:n:h" opt; do
	case $opt in
	d) DURATION=$OPTARG ;;
	r) RATES=$OPTARG ;;
	p) POLICIES=$OPTARG ;;
	o) OUT=$OPTARG ;;
	n) NSIM=$OPTARG ;;
	*) usage ;;
	esac
done
for b in psp-engine psp-client psp-sim; do
	[ -x "$BIN/$b" ] || { echo "fidelity: $BIN/$b is not built (psp-engine needs -DPSP_ENGINE=ON)" >&2; exit 2; }
done
case $DURATION in '' | *[!0-9]*) echo "fidelity: -d $DURATION: not a whole number of seconds" >&2; exit 2 ;; esac
for r in $RATES; do
	case $r in '' | *[!0-9]* | 0) echo "fidelity: -r: $r is not a positive rate" >&2; exit 2 ;; esac
done
OUT=${OUT:-$(mktemp -d /tmp/psp-fidelity.XXXXXX)}
mkdir -p "$OUT" || exit 2
export PSP_WORKLOAD_PATH=${PSP_WORKLOAD_PATH:-$ROOT/workloads}
EPID=""
trap '[ -n "$EPID" ] && kill -KILL $EPID 2>/dev/null' EXIT

# The engine's policy setting and psp-sim's flags for a policy name.
engine_policy() {
	case $1 in
	darc) echo "{name: darc, darc_mode: oracle}" ;;
	jbsq2) echo "{name: jbsq, slots: 2}" ;;
	*) echo "$1" ;;
	esac
}
sim_policy() {
	case $1 in
	darc) echo "-p darc --darc-mode oracle" ;;
	jbsq2) echo "-p jbsq --slots 2" ;;
	*) echo "-p $1" ;;
	esac
}

# run_engine POLICY RATE: one engine + client run; the trace in $OUT.
run_engine() {
	local pol=$1 rate=$2 tag=$1-$2 inst=fid$$-$1-$2
	local log=$OUT/engine-$tag.log
	"$BIN/psp-engine" --config "$ROOT/configs/engine-memif.yml" --workload "$WORKLOAD" \
		--set "policy=$(engine_policy "$pol")" --set "instance=$inst" \
		--set "output_dir=$OUT/out-$tag" --trace "$OUT/trace-$tag.csv" > "$log" 2>&1 &
	EPID=$!
	local i
	for i in $(seq 1 300); do
		grep -q "psp-engine: ready" "$log" && break
		kill -0 $EPID 2>/dev/null || break
		sleep 0.1
	done
	grep -q "psp-engine: ready" "$log" || { echo "fidelity: psp-engine did not start: $log" >&2; exit 1; }
	"$BIN/psp-client" --config "$ROOT/configs/client-memif.yml" --set "instance=$inst" \
		--workload "$WORKLOAD" --rate "$rate" --duration "$DURATION" --workers "$WORKERS" \
		> "$OUT/client-$tag.log" 2>&1 ||
		{ echo "fidelity: psp-client failed: $OUT/client-$tag.log" >&2; exit 1; }
	kill -INT $EPID
	wait $EPID || { echo "fidelity: psp-engine exited with status $?: $log" >&2; exit 1; }
	EPID=""
	rm -f "/tmp/psp-memif-$(id -u)/$inst.sock"
}

# engine_quantiles TRACE: "TYPE p50 p99" per type, in us, from the answered
# rows past the first 10%.
engine_quantiles() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ row[NR] = $0 }
		END {
			for (r = 2 + int((NR - 1) / 10); r <= NR; r++) {
				split(row[r], f, ",")
				if (f[c["status"]] == "answered")
					printf "%s %.3f\n", f[c["type"]], (f[c["completion_ns"]] - f[c["arrival_ns"]]) / 1000
			}
		}' "$1" | sort -k1,1 -k2,2g |
		awk '{ v[$1, ++n[$1]] = $2 }
		function at(t, q,   i) { i = int(q * n[t] + 0.999999); return v[t, i < 1 ? 1 : i] }
		END { for (t in n) printf "%s %.1f %.1f %d\n", t, at(t, 0.5), at(t, 0.99), n[t] }'
}

# sim_quantiles POLICY RATE [SYSTEM]: "TYPE p50 p99" per type from psp-sim.
sim_quantiles() {
	local pol=$1 rate=$2 sys=${3:-}
	local load
	load=$(awk -v r="$rate" -v m="$MEAN_US" -v k="$WORKERS" 'BEGIN {printf "%.6f", r * m * 1e-6 / k}')
	# shellcheck disable=SC2046
	"$BIN/psp-sim" -w "$WORKLOAD" $(sim_policy "$pol") -k "$WORKERS" -l "$load" -n "$NSIM" -r 2 \
		--format csv --no-capacity --quiet ${sys:+--system "$sys"} |
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["type"] != "ALL" { printf "%s %s %s\n", $c["type"], $c["p50_us"], $c["p99_us"] }'
}

set -- $POLICIES
FIT_POLICY=$1
set -- $RATES
FIT_RATE=$1
echo "fidelity: $WORKLOAD, $WORKERS workers on memif, ${DURATION} s per run; files in $OUT"
for pol in $POLICIES; do
	for rate in $RATES; do
		run_engine "$pol" "$rate"
	done
done
SYSTEM=$OUT/fitted.yml
"$BIN/psp-sim" --fit-system "$OUT/trace-$FIT_POLICY-$FIT_RATE.csv" -o "$SYSTEM" ||
	{ echo "fidelity: psp-sim --fit-system failed" >&2; exit 1; }
echo "system fitted from $FIT_POLICY at $FIT_RATE rps: $SYSTEM"
grep -E "^(handoff|completion_notice):" "$SYSTEM" | cut -c1-150

printf "\n%-6s %5s %-6s | %8s %8s %7s %8s %7s | %8s %8s %7s %8s %7s | %s\n" policy rps type \
	eng_p50 fit_p50 err% ideal_p50 err% eng_p99 fit_p99 err% ideal_p99 err% n
err() { awk -v p="$1" -v e="$2" 'BEGIN { if (e > 0) printf "%+.0f", 100 * (p / e - 1); else printf "-" }'; }
for pol in $POLICIES; do
	for rate in $RATES; do
		engine_quantiles "$OUT/trace-$pol-$rate.csv" | sort > "$OUT/eng-$pol-$rate.txt"
		sim_quantiles "$pol" "$rate" "$SYSTEM" | sort > "$OUT/fit-$pol-$rate.txt"
		sim_quantiles "$pol" "$rate" | sort > "$OUT/ideal-$pol-$rate.txt"
		while read -r type e50 e99 n; do
			read -r _ f50 f99 <<< "$(grep "^$type " "$OUT/fit-$pol-$rate.txt")"
			read -r _ i50 i99 <<< "$(grep "^$type " "$OUT/ideal-$pol-$rate.txt")"
			[ -n "${f50:-}" ] && [ -n "${i50:-}" ] ||
				{ echo "fidelity: psp-sim gave no $type for $pol at $rate rps" >&2; exit 1; }
			mark=""
			[ "$pol" = "$FIT_POLICY" ] && [ "$rate" = "$FIT_RATE" ] && mark=" (fitted here)"
			printf "%-6s %5s %-6s | %8s %8s %7s %8s %7s | %8s %8s %7s %8s %7s | %s%s\n" \
				"$pol" "$rate" "$type" "$e50" "$f50" "$(err "$f50" "$e50")" "$i50" \
				"$(err "$i50" "$e50")" "$e99" "$f99" "$(err "$f99" "$e99")" "$i99" \
				"$(err "$i99" "$e99")" "$n" "$mark"
		done < "$OUT/eng-$pol-$rate.txt"
	done
done
echo "latencies in us, server-side (the engine's trace: completion - arrival; psp-sim's latency);"
echo "fit: psp-sim --system fitted.yml; ideal: psp-sim without --system; err: prediction / engine - 1"
