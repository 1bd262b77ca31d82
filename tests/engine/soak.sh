#!/usr/bin/env bash
# Soak: the engine under sustained overload, then normal traffic, over a
# memif pair.  Not in CI (it takes minutes); run it before a release and
# after any change to the dispatcher, the workers or the stop path:
#   PSP_BIN_DIR=build/bin PSP_SOURCE_DIR=. tests/engine/soak.sh [POLICY] [SECONDS]
# POLICY defaults to darc, SECONDS (the overload phase) to 60.  The overload
# offers about twice what the workers can serve at the workload's nominal
# mean (rocksdb: 318 us; 3 workers: 9.4 kRPS, so 19 kRPS), then 10 s of
# normal traffic (a twentieth of that capacity: on a small machine the
# workers share CPUs with the dispatcher and the client, so the real
# capacity is well below the nominal one), where every request must be
# answered.  Prints both
# client reports, the engine's balance and its mbuf pool after the stop;
# exits 1 on any failure (counters that do not balance, a pool not full, a
# lost request after the overload, the engine dying).
POLICY=${1:-darc}
SECONDS_OVERLOAD=${2:-60}
. "$(dirname "$0")/lib.sh"

WORKERS=3
MEAN_US=318 # workloads/rocksdb.yml's mean service time
CAPACITY=$((WORKERS * 1000000 / MEAN_US))
# The engine's types are rocksdb's (GET and SCAN, their wire ids and means),
# so DARC reserves for them.
start_engine "$T/engine.log" "${ENGINE[@]}" --workload rocksdb --set queues.requests=1024 \
	--set "policy=$POLICY"
echo "soak: policy $POLICY, $WORKERS workers, capacity ~$CAPACITY RPS at the nominal mean"
echo "soak: $SECONDS_OVERLOAD s at $((2 * CAPACITY)) RPS"
"${CLIENT[@]}" --workload rocksdb --rate $((2 * CAPACITY)) \
	--duration "$SECONDS_OVERLOAD" --workers "$WORKERS" > "$T/overload.log" 2>&1 ||
	fail "psp-client (overload) failed: $(tail -3 "$T/overload.log")"
kill -0 "$ENGINE_PID" 2>/dev/null || fail "psp-engine died under overload"
echo "soak: 10 s at $((CAPACITY / 20)) RPS"
"${CLIENT[@]}" --workload rocksdb --rate $((CAPACITY / 20)) \
	--duration 10 --workers "$WORKERS" > "$T/normal.log" 2>&1 ||
	fail "psp-client (normal) failed: $(tail -3 "$T/normal.log")"
stop_engine || fail "psp-engine exited with status $?"
grep -h '^psp-client' "$T/overload.log" "$T/normal.log"
grep -E '^balance:|^mbuf pool:|drain_ms|^  (GET|SCAN) ' "$T/engine.log"
[ "$(counter rx_unknown_type "$T/engine.log")" -eq 0 ] || fail "requests of types the engine does not know"
check_clean_stop "$T/engine.log"
s=$(counter sent "$T/normal.log"); a=$(counter answered "$T/normal.log")
[ "$s" -gt 0 ] && [ "$s" -eq "$a" ] || fail "after the overload: $a of $s answered"
[ "$(counter received "$T/engine.log")" -eq $(($(counter sent "$T/overload.log") + s)) ] ||
	fail "the engine received fewer requests than the client sent"
echo "PASS: soak ($POLICY): balance ok, pool full, $a of $s answered after the overload"
