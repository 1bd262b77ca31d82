#!/usr/bin/env bash
# Workers' idle modes on memif: per idle mode (spin, pause, park) and rate,
# High Bimodal (SHORT 1 us, LONG 100 us) under c-FCFS with 3 workers on the
# shipped memif configs, psp-client's end-to-end SHORT and LONG p50/p99/p99.9,
# the engine's CPU use while loaded and while idle, psp-client's over its run (utime + stime from
# /proc/PID/stat, in % of one CPU), and the wake-up latency (the dispatcher's
# wake to the worker's start) from the engine's stop report.  A benchmark,
# not a test: it prints a table and asserts nothing.  Run it alone (it uses
# both CPUs of a 2-CPU machine; on a shared machine take the exclusive lock:
# flock -x /tmp/psp-cpu.lock bench/engine_idle.sh).
#
#   bench/engine_idle.sh [DURATION_S] [RATES] [MODES] [POLICY]
#   defaults: 5 "1000 5000" "spin pause park park/sleep50" cfcfs
# A mode MODE/sleepN also sets idle_backoff.sleep_us=N: the dispatcher
# usleeps N us after idle_backoff.polls empty polls instead of yielding
# (the shipped config yields).  MODE+dspin, MODE+dsleep and MODE+dsleepN set
# the dispatcher's own idle mode (dispatcher_idle: spin or sleep, with
# dispatcher_sleep_us=N); without them it is the default (auto: sleep on an
# oversubscribed machine).  Mode "asis" sets nothing: the config's (or
# another build's, with BIN=) defaults.
#   (BIN=... to use another build directory than build/bin)
set -u
DURATION=${1:-5}
RATES=${2:-1000 5000}
MODES=${3:-spin pause park park/sleep50}
POLICY=${4:-cfcfs}
IDLE_S=2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
T=$(mktemp -d /tmp/psp-bench-idle.XXXXXX)
EPID=""
trap '[ -n "$EPID" ] && kill -KILL $EPID 2>/dev/null; rm -rf "$T"' EXIT
TICKS=$(getconf CLK_TCK)

# The workers' idle mode of a mode string, and the dispatcher's --set items.
wmode() { local m=${1%%+*}; echo "${m%%/*}"; }
dmode() {
	case $1 in
	*+dspin) echo --set dispatcher_idle=spin ;;
	*+dsleep) echo --set dispatcher_idle=sleep ;;
	*+dsleep*) echo --set dispatcher_idle=sleep --set "dispatcher_sleep_us=${1##*+dsleep}" ;;
	esac
}
# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# % of one CPU between two tick counts over S seconds.
cpu_pct() { awk -v a="$1" -v b="$2" -v s="$3" -v hz="$TICKS" 'BEGIN {printf "%.1f", 100 * (b - a) / hz / s}'; }
# A type's p50 p99 p999 from psp-client's table.
lat() { awk -v t="$2" '$1 == t && NF >= 8 {printf "%s %s %s", $4, $5, $6}' "$1"; }

printf "%-16s %6s | %8s %8s %8s | %8s %8s %8s | %7s %7s %7s | %8s %8s %8s %8s | %s\n" \
	mode rps short_p50 short_p99 short_p999 long_p50 long_p99 long_p999 cpu_load cpu_idle cpu_cli \
	wake_p50 wake_p99 wake_p999 wake_max "answered/sent"
n=0
for mode in $MODES; do
	for rate in $RATES; do
		n=$((n + 1))
		INST=bidle$$x$n
		log=$T/engine-$n.log
		"$BIN/psp-engine" --config "$ROOT/configs/engine-memif.yml" --workload high-bimodal \
			--policy "$POLICY" --set "instance=$INST" --set "output_dir=$T/out" \
			$([ "$mode" != asis ] && echo --set "idle=$(wmode "$mode")") \
			$(case ${mode%%+*} in */sleep*) echo --set "idle_backoff.sleep_us=${mode##*/sleep}" ;; esac) \
			$(dmode "$mode") \
			> "$log" 2>&1 &
		EPID=$!
		for i in $(seq 1 100); do grep -q ready "$log" 2>/dev/null && break; sleep 0.1; done
		grep -q ready "$log" || { cat "$log"; exit 1; }
		c0=$(cpu_ticks $EPID); t0=$(date +%s.%N)
		/usr/bin/time -o "$T/client-$n.time" -f "%U %S %e" \
			"$BIN/psp-client" --config "$ROOT/configs/client-memif.yml" --set "instance=$INST" \
			--workload high-bimodal --rate "$rate" --duration "$DURATION" \
			> "$T/client-$n.log" 2>&1
		c1=$(cpu_ticks $EPID); t1=$(date +%s.%N)
		# psp-client's own CPU use over its whole run (start-up included).
		client_pct=$(awk '{printf "%.1f", 100 * ($1 + $2) / $3}' "$T/client-$n.time")
		# The engine alone, no load: what an idle engine costs.
		sleep "$IDLE_S"
		c2=$(cpu_ticks $EPID)
		kill -INT $EPID; wait $EPID; EPID=""
		load_pct=$(cpu_pct "$c0" "$c1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
		idle_pct=$(cpu_pct "$c1" "$c2" "$IDLE_S")
		read -r s50 s99 s999 <<< "$(lat "$T/client-$n.log" SHORT)"
		read -r l50 l99 l999 <<< "$(lat "$T/client-$n.log" LONG)"
		wake=$(grep "^wake-up latency" "$log" | sed -E 's/.*p50_us=([0-9.]+) p90_us=[0-9.]+ p99_us=([0-9.]+) p999_us=([0-9.]+) max_us=([0-9.]+).*/\1 \2 \3 \4/')
		read -r w50 w99 w999 wmax <<< "${wake:-- - - -}"
		sent=$(grep -oE "sent=[0-9]+" "$T/client-$n.log" | head -1 | cut -d= -f2)
		ans=$(grep -oE " answered=[0-9]+" "$T/client-$n.log" | head -1 | cut -d= -f2)
		printf "%-16s %6s | %8s %8s %8s | %8s %8s %8s | %6s%% %6s%% %6s%% | %8s %8s %8s %8s | %s/%s\n" \
			"$mode" "$rate" "$s50" "$s99" "$s999" "$l50" "$l99" "$l999" "$load_pct" "$idle_pct" "$client_pct" \
			"$w50" "$w99" "$w999" "$wmax" "$ans" "$sent"
		rm -f "/tmp/psp-memif-$(id -u)/$INST.sock"
	done
done
echo "latencies in us (psp-client, end to end); cpu in % of one CPU (psp-engine's utime + stime:"
echo "cpu_load over the client's run, cpu_idle over ${IDLE_S} s without load after it; cpu_cli:"
echo "psp-client's over its run, start-up included); wake: the"
echo "dispatcher's wake to the worker's start (engine stop report; - when no worker parked)"
