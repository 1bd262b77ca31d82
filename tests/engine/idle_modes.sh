#!/usr/bin/env bash
# Workers' idle modes (idle: spin | pause | park).  Three workers under
# c-FCFS, constant 20 us requests, Poisson arrivals at 2000 rps for 3 s:
# the workers are idle most of the time, so under park (park_after_us: 0,
# the strictest: a worker parks at its first empty poll) nearly every
# assignment goes to a parked worker and needs the dispatcher's wake.  A
# lost wake-up leaves the request in a sleeping worker's ring until the stop
# wakes it, past the client's timeout: so every request answered and none
# timed out is the test that no wake is lost.  Each park is ended by exactly
# one waker: parks = wakes (by dispatches) + stop_wakes, counted on
# different threads.  pause says which pause it uses; spin never parks.
# The accounting: each lcore's work + spin + parked is its loop's wall time
# (within 1% + 1 ms); its CPU time (the kernel's count) is at most work +
# spin (+ 5% + 5 ms): parked time is not spent on a CPU; the workers' work
# covers at least the handler's 20 us per request; under park the workers
# are parked most of the time (> 50% of their wall time), under spin and
# pause never (the dispatcher sleeps by its own mode, dispatcher_idle:
# dispatcher_idle.sh).
# Usage: idle_modes.sh park|pause|spin
MODE=${1:?usage: idle_modes.sh park|pause|spin}
RATE=2000
DURATION=3
. "$(dirname "$0")/lib.sh"

cat > "$T/const20.yml" <<'YML'
name: const20
description: "one type, constant 20 us"
arrival: poisson
types:
  - name: SHORT
    ratio: 1.0
    wire_id: 1
    service: {dist: constant, mean_us: 20}
YML

log=$T/engine.log
start_engine "$log" "${ENGINE[@]}" --workload "$T/const20.yml" --set policy=cfcfs \
	--set "idle=$MODE" --set park_after_us=0
case $MODE in
park) grep -q "workers idle: park (spin 0 us, then sleep" "$log" || fail "engine not in park mode" ;;
pause) grep -qE "workers idle: pause \((tpause \(WAITPKG\)|pause instruction \(no WAITPKG\))\)" "$log" ||
	fail "engine does not say which pause it uses" ;;
spin) grep -q "workers idle: spin" "$log" || fail "engine not in spin mode" ;;
esac
"${CLIENT[@]}" --workload "$T/const20.yml" --rate "$RATE" --duration "$DURATION" \
	> "$T/client.out" 2> "$T/client.log" || fail "psp-client failed (status $?)"
stop_engine || fail "psp-engine exited with status $?"
check_clean_stop "$log"
cat "$T/client.out" >> "$T/client.log"
sent=$(counter sent "$T/client.log")
answered=$(counter answered "$T/client.log")
timed_out=$(counter timed_out "$T/client.log")
[ "$sent" -gt $((RATE * DURATION * 9 / 10)) ] || fail "client sent only $sent requests"
[ "$timed_out" -eq 0 ] || fail "$timed_out requests timed out (a lost wake-up?)"
[ "$answered" -eq "$sent" ] || fail "answered $answered of $sent"
[ "$(counter received "$log")" -eq "$sent" ] || fail "engine received != client sent"
parks=$(counter parks "$log"); wakes=$(counter wakes "$log"); stop_wakes=$(counter stop_wakes "$log")
cancelled=$(counter parks_cancelled "$log")
grep -E "^  (worker|dispatcher) |^core time|^wake-up" "$log"
# lcore lines: name work spin parked wall cpu (ms)
awk '/ work_ms=/ {
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	printf "%s%s %s %s %s %s %s\n", $1, ($1 == "worker" ? $2 : ""), v["work_ms"], v["spin_ms"], v["parked_ms"], v["wall_ms"], v["cpu_ms"]
}' "$log" > "$T/acct.txt"
[ "$(wc -l < "$T/acct.txt")" -eq 4 ] || fail "the stop report lacks the 4 lcores' accounting"
while read -r who work spin parked wall cpu; do
	awk -v w="$work" -v s="$spin" -v p="$parked" -v t="$wall" 'BEGIN {
		d = w + s + p - t; if (d < 0) d = -d; exit !(t > 0 && d <= 0.01 * t + 1) }' ||
		fail "$who: work $work + spin $spin + parked $parked != wall $wall ms"
	awk -v w="$work" -v s="$spin" -v c="$cpu" 'BEGIN { exit !(c <= 1.05 * (w + s) + 5) }' ||
		fail "$who: cpu $cpu ms > work $work + spin $spin ms (parked time on a CPU?)"
	if [ "$MODE" = park ] && [ "$who" != dispatcher ]; then
		awk -v p="$parked" -v t="$wall" 'BEGIN { exit !(p > 0.5 * t) }' ||
			fail "$who: parked only $parked of $wall ms"
	fi
	if [ "$MODE" != park ] && [ "$who" != dispatcher ]; then
		awk -v p="$parked" 'BEGIN { exit !(p == 0) }' || fail "$who: parked $parked ms under $MODE"
	fi
done < "$T/acct.txt"
work_total=$(awk '$1 != "dispatcher" { s += $2 } END { print s }' "$T/acct.txt")
awk -v w="$work_total" -v n="$sent" 'BEGIN { exit !(w >= n * 0.020) }' ||
	fail "workers' work $work_total ms < $sent requests x 20 us"
grep -q "^core time: .* per answered request: [0-9.]* us of cores" "$log" || fail "no core time per request"
echo "$MODE: sent=$sent answered=$answered parks=$parks parks_cancelled=$cancelled wakes=$wakes stop_wakes=$stop_wakes"
if [ "$MODE" = park ]; then
	[ "$parks" -eq $((wakes + stop_wakes)) ] ||
		fail "parks $parks != wakes $wakes + stop_wakes $stop_wakes"
	# At 2000 rps of 20 us on 3 workers a worker is busy 1.3% of the time:
	# most requests find their worker parked.
	[ "$wakes" -gt $((sent / 2)) ] || fail "only $wakes wakes for $sent requests"
	[ "$stop_wakes" -le 3 ] || fail "stop_wakes $stop_wakes > the 3 workers"
else
	[ "$parks" -eq 0 ] && [ "$wakes" -eq 0 ] || fail "$MODE parked: parks=$parks wakes=$wakes"
fi
echo "PASS: idle $MODE answered $answered of $sent, none timed out"
