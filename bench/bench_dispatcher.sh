#!/usr/bin/env bash
# The engine's dispatcher, per request: psp-engine's real dispatcher loop fed
# from memory (DPDK's net_pcap replaying a file of valid requests in a loop,
# infinite_rx=1), workers that answer zero-work requests (replies written to
# /dev/null), RX polled only while fewer than the workers' slots plus two
# bursts are in flight (the endless source never fills the queues).  For each policy it prints
# psp-engine --profile's table: ns and cycles per request in RX, parse,
# classify, policy enqueue / dispatch, hand-off, completions, and the answered
# rate, then the total against the target (<= 100 ns per request).
#
#   bench/bench_dispatcher.sh [WORKERS] [SECONDS] [POLICY...]
#   defaults: 1 worker, 5 s, cfcfs darc jbsq.  BIN=... for another build;
#   ENGINE_ARGS="..." adds psp-engine arguments (e.g. --trace FILE
#   --trace-limit N to measure what tracing costs per request).
#
# Lcores: the dispatcher on CPU 0, worker i on CPU i, busy polling (no idle
# back-off): give it WORKERS + 1 CPUs of their own (isolated ones on a real
# server: docs/engine.md, "CPU isolation"), or the figures measure the OS
# scheduler.  Needs root (DPDK's runtime directory), no hugepages.
set -u
TARGET_NS=100 # busy ns per request on the dispatcher: 10 M requests/s from one core
WORKERS=${1:-1}
SECONDS_RUN=${2:-5}
shift $(($# > 2 ? 2 : $#))
POLICIES=("$@")
[ ${#POLICIES[@]} -gt 0 ] || POLICIES=(cfcfs darc jbsq)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
T=$(mktemp -d /tmp/psp-bench-disp.XXXXXX)
EPID=""
trap '[ -n "$EPID" ] && kill -KILL $EPID 2>/dev/null; rm -rf "$T" /var/run/dpdk/psp-engine-bd$$' EXIT

# 4096 frames of High Bimodal's two types (wire ids 1 and 2, half each).
"$BIN/request-pcap" "$T/req.pcap" 4096 1:0.5,2:0.5 0 || exit 1
tx=""
for i in $(seq 0 "$WORKERS"); do tx="$tx,tx_pcap=/dev/null"; done
lcores="0@0"
for i in $(seq 1 "$WORKERS"); do lcores="$lcores,$i@$i"; done
# The shipped memif config with a pcap port instead, as an instance of its
# own: --set items, no edited copy.
SETS=(--workload high-bimodal --set "instance=bd$$" --set "output_dir=$T/out"
      --set "port.vdev=net_pcap0,rx_pcap=$T/req.pcap,infinite_rx=1$tx"
      --set "eal=[--no-huge, -m, \"256\", --no-pci, --lcores, \"$lcores\", --file-prefix, psp-engine-%i, --log-level, \"*:warning\"]"
      --set "workers=$WORKERS" --set "worker_lcores=[$(seq -s, 1 "$WORKERS")]"
      --set idle_backoff.enabled=false --set "mac=02:00:00:00:00:02")

for p in "${POLICIES[@]}"; do
	# shellcheck disable=SC2086 # ENGINE_ARGS is a list of words
	"$BIN/psp-engine" --config "$ROOT/configs/engine-memif.yml" "${SETS[@]}" --policy "$p" \
		--profile ${ENGINE_ARGS:-} > "$T/$p.log" 2>&1 &
	EPID=$!
	for _ in $(seq 1 100); do
		grep -q ready "$T/$p.log" && break
		kill -0 "$EPID" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q ready "$T/$p.log"; then
		echo "bench-dispatcher: psp-engine ($p) did not start:"
		tail -5 "$T/$p.log"
		exit 1
	fi
	sleep "$SECONDS_RUN"
	kill -INT "$EPID"
	wait "$EPID"
	EPID=""
	echo "== $p, $WORKERS worker(s), $SECONDS_RUN s"
	grep -E '^balance:|^mbuf pool:|^trace:' "$T/$p.log"
	sed -n '/^dispatcher profile/,$p' "$T/$p.log"
	# The target: a dispatcher core that feeds 10 M requests/s.
	awk -v target="$TARGET_NS" '$1 == "total" {
		printf "target: <= %d ns per request on the dispatcher core; this run %s ns: %s\n",
		       target, $2, ($2 <= target) ? "met" : "not met"
	}' "$T/$p.log"
done
