#!/usr/bin/env bash
# The dispatcher's idle modes (dispatcher_idle: sleep | spin), workers
# parked (idle: park) so that the dispatcher is the engine's only poller.
# Each engine idles 2 s with no client; its CPU time over that window
# (utime + stime of the whole process, /proc/PID/stat) is the test:
#   - sleep: the dispatcher sleeps in timed waits: the process uses under
#     25% of one CPU and under a third of what the spinning one used
#     (dispatcher_sleeps > 0, and its slept time is most of its wall time);
#   - spin: the dispatcher never sleeps (dispatcher_sleeps = 0).
# Then, with the sleeping dispatcher, a client at 1000 rps for 2 s: every
# request is answered and none times out (a frame arriving during a wait is
# received after it), and the dispatcher's accounting adds up (work + spin +
# parked = wall within 1% + 1 ms; CPU time at most work + spin).
. "$(dirname "$0")/lib.sh"

IDLE_S=2
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# idle_cpu MODE: starts the engine, sets PCT to its CPU use idle (% of one
# CPU; not in a subshell: the engine's pid must stay this shell's).
idle_cpu() {
	local mode=$1 log=$T/engine-$1.log
	start_engine "$log" "${ENGINE[@]}" --set policy=cfcfs --set idle=park \
		--set "dispatcher_idle=$mode"
	grep -q "dispatcher idle: $mode" "$log" || fail "$mode: the engine does not say dispatcher idle: $mode"
	sleep 0.5
	local c0 c1
	c0=$(cpu_ticks "$ENGINE_PID")
	sleep "$IDLE_S"
	c1=$(cpu_ticks "$ENGINE_PID")
	PCT=$(awk -v a="$c0" -v b="$c1" -v s="$IDLE_S" -v hz="$TICKS" 'BEGIN {printf "%.1f", 100 * (b - a) / hz / s}')
}

idle_cpu spin
spin_pct=$PCT
stop_engine || fail "spin: psp-engine exited with status $?"
check_clean_stop "$T/engine-spin.log"
[ "$(counter dispatcher_sleeps "$T/engine-spin.log")" -eq 0 ] || fail "spin: the dispatcher slept"
rm -f "/tmp/psp-memif-$(id -u)/$INST.sock"

idle_cpu sleep
sleep_pct=$PCT
log=$T/engine-sleep.log
grep -q "dispatcher idle: sleep (polls 50 us with no request held, then sleeps in timed waits of 50 us" "$log" ||
	fail "sleep: the engine does not say how it sleeps"
echo "idle engine, workers parked: dispatcher spin ${spin_pct}% of a CPU, sleep ${sleep_pct}%"
awk -v p="$sleep_pct" 'BEGIN { exit !(p < 25) }' || fail "sleep: an idle engine used ${sleep_pct}% of a CPU"
awk -v p="$sleep_pct" -v s="$spin_pct" 'BEGIN { exit !(p < s / 3) }' ||
	fail "sleep: ${sleep_pct}% of a CPU idle, not under a third of spin's ${spin_pct}%"

"${CLIENT[@]}" --workload high-bimodal --rate 1000 --duration 2 \
	> "$T/client.out" 2> "$T/client.log" || fail "psp-client failed (status $?)"
stop_engine || fail "sleep: psp-engine exited with status $?"
check_clean_stop "$log"
cat "$T/client.out" >> "$T/client.log"
sent=$(counter sent "$T/client.log")
answered=$(counter answered "$T/client.log")
timed_out=$(counter timed_out "$T/client.log")
[ "$sent" -gt 1800 ] || fail "client sent only $sent requests"
[ "$timed_out" -eq 0 ] || fail "$timed_out requests timed out"
[ "$answered" -eq "$sent" ] || fail "answered $answered of $sent"
sleeps=$(counter dispatcher_sleeps "$log")
slept_ns=$(counter dispatcher_slept_ns "$log")
[ "$sleeps" -gt 0 ] && [ "$slept_ns" -gt 0 ] || fail "sleep: dispatcher_sleeps=$sleeps dispatcher_slept_ns=$slept_ns"
line=$(grep "^  dispatcher " "$log")
echo "$line"
read -r work spin parked wall cpu nsleeps slept <<< "$(echo "$line" | awk '{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	print v["work_ms"], v["spin_ms"], v["parked_ms"], v["wall_ms"], v["cpu_ms"], v["sleeps"], v["slept_ms"] }')"
[ "$nsleeps" = "$sleeps" ] || fail "the stop report's sleeps=$nsleeps != dispatcher_sleeps $sleeps"
awk -v w="$work" -v s="$spin" -v p="$parked" -v t="$wall" 'BEGIN {
	d = w + s + p - t; if (d < 0) d = -d; exit !(t > 0 && d <= 0.01 * t + 1) }' ||
	fail "dispatcher: work $work + spin $spin + parked $parked != wall $wall ms"
awk -v w="$work" -v s="$spin" -v c="$cpu" 'BEGIN { exit !(c <= 1.05 * (w + s) + 5) }' ||
	fail "dispatcher: cpu $cpu ms > work $work + spin $spin ms (slept time on a CPU?)"
# Idle for IDLE_S + 0.5 s before the client and between its requests.
awk -v p="$slept" -v t="$wall" 'BEGIN { exit !(p > 0.5 * t) }' ||
	fail "dispatcher: slept only $slept of $wall ms"
echo "PASS: dispatcher sleep: ${sleep_pct}% of a CPU idle (spin ${spin_pct}%), $sleeps sleeps, answered $answered of $sent"
