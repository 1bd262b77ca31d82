#!/usr/bin/env bash
# Test 5: offered load well above capacity for a few seconds.  The engine
# keeps running, drops are counted (queue full), counters balance, it still
# serves a low rate afterwards, and after a clean stop the mbuf pool is full.
. "$(dirname "$0")/lib.sh"

# 256 request descriptors: a full system drops instead of queueing forever.
start_engine "$T/engine.log" "${ENGINE[@]}" --set queues.requests=256 --policy cfcfs
# rocksdb: mean 318 us, so 3 workers serve ~9.4 kRPS; offer 30 kRPS.
"${CLIENT[@]}" --workload rocksdb --rate 30000 --duration 3 \
	--workers 3 > "$T/client1.log" 2>&1 || fail "psp-client (overload) failed"
kill -0 "$ENGINE_PID" || fail "psp-engine died under overload"
"${CLIENT[@]}" --workload high-bimodal --rate 500 --duration 2 \
	> "$T/client2.log" 2>&1 || fail "psp-client (after overload) failed"
stop_engine || fail "psp-engine exited with status $?"
cat "$T/client1.log" "$T/client2.log" | grep '^psp-client'
sed -n '/^counters:/,$p' "$T/engine.log"
check_clean_stop "$T/engine.log"
grep -q "OVERLOADED" "$T/client1.log" || fail "the overloaded point is not reported as such"
[ "$(counter dropped_queue_full "$T/engine.log")" -gt 0 ] || fail "no queue-full drops counted"
s2=$(counter sent "$T/client2.log"); a2=$(counter answered "$T/client2.log")
[ "$s2" -gt 0 ] && [ "$s2" -eq "$a2" ] || fail "after the overload: $a2 of $s2 answered"
# memif loses nothing silently: what the client sent, the engine received
# (and then answered or counted as dropped).
s1=$(counter sent "$T/client1.log")
[ "$(counter received "$T/engine.log")" -eq $((s1 + s2)) ] || fail "engine received != client sent"
echo "PASS: overload counted, engine alive, pool full after stop"
