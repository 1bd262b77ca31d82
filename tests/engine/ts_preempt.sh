#!/usr/bin/env bash
# Time sharing in the engine, over a memif pair: Extreme Bimodal (SHORT
# 0.5 us 99.5%, LONG 500 us 0.5%) at a low rate on 2 workers with a 5 us
# quantum, under a preemptive policy: ts, concord, rts (the dispatcher times
# each slice and sets the worker's flag) or tq (each worker times its own).
# rts runs High Bimodal at 4000 rps instead: SHORT owns core 0, LONG core 1,
# and a LONG arriving while core 1 is busy borrows core 0, 5 us at a time.
#   ts_preempt.sh preempt [POLICY]  the spin handler reaches preemption
#                            points: LONG requests are preempted many times
#                            each, all answered (POLICY: ts, concord, rts
#                            or tq)
#   ts_preempt.sh per-type   ts with ts_variant: per-type (one queue per
#                            type, served by largest wait / SLO)
#   ts_preempt.sh no-points  ts with app.preempt_points: false, a handler
#                            that never reaches a preemption point: the
#                            dispatcher asks, nothing is preempted, every
#                            request completes
#   ts_preempt.sh worker-timer [POLICY]  ts or concord with preempt.timer:
#                            worker on ONE worker: no flag is ever set; a
#                            LONG yields past its quantum only while another
#                            request waits (arrivals during it), so it is
#                            preempted, but far less than once a quantum
MODE=${1:?mode: preempt, per-type, no-points or worker-timer}
POLICY=${2:-ts}
VARIANT=single
[ "$MODE" = per-type ] && VARIANT=per-type
RATE=2000
DURATION=3
WORKERS=2
WORKLOAD=extreme-bimodal
[ "$POLICY" = rts ] && WORKLOAD=high-bimodal RATE=4000
[ "$MODE" = worker-timer ] && WORKERS=1
. "$(dirname "$0")/lib.sh"

LCORES="[1, 2]"
[ "$WORKERS" = 1 ] && LCORES="[1]"
# The shipped config's lcores 0-3 stay: those no worker uses only wait.
SETS=(--workload "$WORKLOAD" --set "workers=$WORKERS" --set "worker_lcores=$LCORES")
if [ "$POLICY" = ts ]; then
	SETS+=(--set "policy={name: ts, quantum_us: 5, ts_variant: $VARIANT}")
	WANT="policy: ts quantum_us=5 ts_variant=$VARIANT "
elif [ "$POLICY" = rts ]; then
	SETS+=(--set "policy={name: rts, quantum_us: 5}")
	WANT="policy: rts quantum_us=5 rts_borrow=sliced$"
else
	SETS+=(--set "policy={name: $POLICY, quantum_us: 5}")
	WANT="policy: $POLICY slots=[0-9]* quantum_us=5$"
fi
[ "$MODE" = no-points ] && SETS+=(--set app.preempt_points=false)
[ "$MODE" = worker-timer ] && SETS+=(--set preempt.timer=worker)
start_engine "$T/engine.log" "${ENGINE[@]}" "${SETS[@]}"
grep -q "policy $POLICY" "$T/engine.log" || fail "engine did not take policy $POLICY"
grep -q "$WANT" "$T/engine.log" ||
	fail "the engine's effective config is not $POLICY, quantum 5 us ($WANT)"

"${CLIENT[@]}" --set "rx_queues=$((WORKERS + 1))" --workload "$WORKLOAD" --rate "$RATE" \
	--duration "$DURATION" --format csv --workers "$WORKERS" --label "$POLICY" \
	> "$T/client.csv" 2> "$T/client.log" || fail "psp-client failed (status $?)"
TEL=$(telemetry_socket)
"$BIN/psp_telemetry_get" "$TEL" /psp/stats > "$T/telemetry.json" || fail "telemetry query failed"
stop_engine || fail "psp-engine exited with status $?"
cat "$T/client.log" "$T/client.csv"
sed -n '/^counters:/,$p' "$T/engine.log"

# Every request answered, nothing lost, the mbuf pool full again.
check_clean_stop "$T/engine.log"
sent=$(counter sent "$T/client.log"); answered=$(counter answered "$T/client.log")
timed_out=$(counter timed_out "$T/client.log")
[ "$sent" -gt $((RATE * DURATION * 9 / 10)) ] || fail "client sent only $sent requests"
[ "$answered" -eq "$sent" ] && [ "$timed_out" -eq 0 ] ||
	fail "client: $answered of $sent answered, $timed_out timed out"
[ "$(counter answered "$T/engine.log")" -eq "$sent" ] || fail "engine answered != client sent"
grep -q '"preemptions_LONG":' "$T/telemetry.json" ||
	fail "telemetry /psp/stats lacks preemptions_LONG"

long=$(awk '/server-side latency/ {on=1} on && $1 == "LONG" {print $3; exit}' "$T/engine.log")
[ "${long:-0}" -gt 0 ] || fail "no LONG request answered"
pl=$(counter preemptions_LONG "$T/engine.log")
ps=$(counter preemptions_SHORT "$T/engine.log")
signals=$(counter preempt_signals "$T/engine.log")
prepared=$(counter preempt_prepared "$T/engine.log")
echo "LONG answered=$long preempted=$pl ($(awk -v p="$pl" -v n="$long" 'BEGIN {printf "%.1f", p / n}') each; 500 us / 5 us = 100); SHORT preempted=$ps; flags set=$signals; next request prefetched=$prepared"

if [ "$MODE" = worker-timer ]; then
	grep -q "preempt: .*timer: worker: slices timed by the worker" "$T/engine.log" ||
		fail "the engine did not take preempt.timer: worker"
	[ "$signals" -eq 0 ] || fail "timer: worker: the dispatcher set $signals flags"
	# At 2000 rps a 500 us LONG sees about one arrival on average, and each
	# arrival lets it yield once (the SHORT runs, the LONG resumes); yielding
	# at every 5 us quantum would give ~100 each.  Even a worker descheduled
	# for long spells sees few arrivals per quantum (2000 rps x 5 us = 0.01).
	[ "$pl" -gt 0 ] || fail "no LONG was preempted though requests arrived during them"
	[ "$pl" -lt $((long * 50)) ] ||
		fail "LONG preempted $pl times for $long requests: yields without a waiting request"
	echo "PASS: $POLICY with timer: worker: $pl LONG preemptions for $long requests, no flags"
elif [ "$MODE" != no-points ]; then
	# A LONG request runs 500 us of work in 5 us slices: ~100 preemptions.
	# The dispatcher times each slice from the worker's own start, but on a
	# 2-CPU machine shared by four busy threads (dispatcher, 2 workers, the
	# client) either side can be descheduled for a while, and a slice then
	# overruns its quantum (fewer, longer slices).  So the bound is 10% of
	# the ideal on average: a build that does not preempt gets 0, one that
	# preempts only now and then (e.g. an idle back-off that costs the
	# dispatcher the CPU) far fewer.
	if [ "$POLICY" = rts ]; then
		# Only LONG requests on the borrowed core 0 are sliced (a 100 us
		# LONG there: ~20 slices), never a SHORT nor a LONG on core 1.
		[ "$pl" -gt 0 ] || fail "rts: no LONG request was preempted on a borrowed core"
		[ "$ps" -eq 0 ] || fail "rts preempted $ps SHORT requests"
	else
		[ "$pl" -ge $((long * 10)) ] ||
			fail "LONG preempted $pl times for $long requests (want >= 10 each)"
	fi
	if [ "$POLICY" = tq ]; then
		# The workers time their own slices: no flag is ever set.
		[ "$signals" -eq 0 ] || fail "tq: the dispatcher set $signals flags"
	else
		# The signal round trip was timed (flag store -> context saved).
		[ "$(counter preempt_lag_mean_ns "$T/engine.log")" -gt 0 ] ||
			fail "no preemption round trip measured"
		# The prepare hook runs in worker-timed stints only.
		[ "$prepared" -eq 0 ] || fail "dispatcher's timer: $prepared stints ran the prepare hook"
	fi
	# No assertion on SHORT tail latency here: on this 2-CPU machine it is
	# set by OS scheduling of the busy-polling threads (ms at p99.9 under
	# any policy), not by the quantum.  The numbers above are printed for
	# the record; the hardware comparison is a benchmark, not a test.
	echo "PASS: $POLICY ($VARIANT) preempts LONG requests ($pl preemptions, $long requests)"
else
	# The handler never reaches a preemption point: the dispatcher sets the
	# flags (LONG slices pass the quantum) but nothing yields, and every
	# request still completes.
	[ "$signals" -gt 0 ] || fail "the dispatcher never asked for a preemption"
	[ "$(counter preemptions "$T/engine.log")" -eq 0 ] ||
		fail "requests were preempted without a preemption point"
	echo "PASS: ts without preemption points: all answered, nothing preempted"
fi
