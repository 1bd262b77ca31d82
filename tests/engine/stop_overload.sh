#!/usr/bin/env bash
# Stopping the engine while it is overloaded, with a drain deadline too short
# for what it holds: under ts (requests preempted on their own stacks, others
# queued in the policy and in worker rings), drain_ms: 0.  Whatever is still in
# flight when the deadline passes is dropped and counted (dropped_at_stop, per
# type): the counters balance with nothing in flight, and the mbuf pool is
# full again after the stop.
. "$(dirname "$0")/lib.sh"

start_engine "$T/engine.log" "${ENGINE[@]}" --set drain_ms=0 \
	--set "policy={name: ts, quantum_us: 5}"
# rocksdb: mean 318 us, so 3 workers serve ~9.4 kRPS; offer 30 kRPS and stop
# the engine in the middle of it.
"${CLIENT[@]}" --workload rocksdb --rate 30000 --duration 4 \
	--workers 3 > "$T/client.log" 2>&1 &
CLIENT_PID=$!
STARTED_PIDS+=("$CLIENT_PID")
sleep 2
stop_engine || fail "psp-engine exited with status $?"
wait "$CLIENT_PID" || true # it reports the requests the stopped engine never answered
sed -n '/drain_ms/p;/^counters:/,$p' "$T/engine.log"
check_clean_stop "$T/engine.log"
at_stop=$(counter dropped_at_stop "$T/engine.log")
[ "$at_stop" -gt 0 ] || fail "nothing was in flight at the stop: the test did not overload"
grep -q "drain_ms (0 ms) ran out with $at_stop requests in flight" "$T/engine.log" ||
	fail "the stop does not say how many requests it abandoned"
[ "$(counter in_flight "$T/engine.log")" -eq 0 ] || fail "requests still in flight after the stop"
echo "PASS: $at_stop requests abandoned at stop, counted; balance ok, pool full"
