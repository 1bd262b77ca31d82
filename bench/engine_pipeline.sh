#!/usr/bin/env bash
# Dispatcher pipeline benchmark: zero-work requests through psp-engine's RX ->
# dispatch (policy) -> worker -> TX path over memif, driven by psp-client.
# Reports the requests per second the engine answered, read from its
# telemetry counters over the middle of the run (not the client's view).
#
#   bench/engine_pipeline.sh [RATE_RPS] [DURATION_S] [WORKERS] [POLICY] [IDLE]
#   defaults: 2000000 6 1 cfcfs on (IDLE=off: the engine busy-polls); run from the repository with build/bin built
#   (BIN=... to use another build directory).
set -u
RATE=${1:-2000000}
DURATION=${2:-6}
WORKERS=${3:-1}
POLICY=${4:-cfcfs}
IDLE=${5:-on}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
T=$(mktemp -d /tmp/psp-bench.XXXXXX)
ID=$$
EPID=""
trap '[ -n "$EPID" ] && kill -KILL $EPID 2>/dev/null; rm -rf "$T"' EXIT

# The shipped memif configs as an instance of this run's own, with --set.
INST=bench$ID
WL=$ROOT/configs/workload-zero.yml
"$BIN/psp-engine" --config "$ROOT/configs/engine-memif.yml" --workload "$WL" --policy "$POLICY" \
	--set "instance=$INST" --set "output_dir=$T/out" \
	--set "eal=[--no-huge, -m, \"256\", --no-pci, --lcores, \"(0-$WORKERS)@(0-1)\", --file-prefix, psp-engine-%i, --log-level, \"*:warning\"]" \
	--set "workers=$WORKERS" --set "worker_lcores=[$(seq -s, 1 "$WORKERS")]" \
	--set queues.requests=16384 --set queues.mbufs=32767 \
	--set "idle_backoff.enabled=$([ "$IDLE" = off ] && echo false || echo true)" \
	> "$T/engine.log" 2>&1 &
EPID=$!
for i in $(seq 1 100); do grep -q ready "$T/engine.log" && break; sleep 0.1; done
grep -q ready "$T/engine.log" || { cat "$T/engine.log"; exit 1; }
"$BIN/psp-client" --config "$ROOT/configs/client-memif.yml" --set "instance=$INST" \
	--set "rx_queues=$((WORKERS + 1))" --set timeout_ms=200 --workload "$WL" \
	--rate "$RATE" --duration "$DURATION" > "$T/client.log" 2>&1 &
CPID=$!
TEL=/var/run/dpdk/psp-engine-$INST/dpdk_telemetry.v2
[ -S "$TEL" ] || TEL=${XDG_RUNTIME_DIR:-/tmp}/dpdk/psp-engine-$INST/dpdk_telemetry.v2
answered() {
	"$BIN/psp_telemetry_get" "$TEL" /psp/stats | grep -oE '"answered":[0-9]+' | cut -d: -f2
}
sleep 2
a1=$(answered); t1=$(date +%s.%N)
sleep $((DURATION - 3))
a2=$(answered); t2=$(date +%s.%N)
wait $CPID
kill -INT $EPID; wait $EPID; EPID=""
grep '^psp-client:' "$T/client.log"
sed -n '/^counters:/,/^balance:/p' "$T/engine.log"
awk -v a1="$a1" -v a2="$a2" -v t1="$t1" -v t2="$t2" -v w="$WORKERS" -v p="$POLICY" \
	-v r="$RATE" -v i="$IDLE" 'BEGIN {
	printf "engine pipeline: %.0f requests/s answered (policy %s, %d worker(s), offered %d/s, idle back-off %s, zero work)\n",
		(a2 - a1) / (t2 - t1), p, w, r, i }'
