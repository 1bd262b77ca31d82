#!/usr/bin/env bash
# Test 2: DARC in the engine, profiling real service times, settles on the
# reservation psp_darc_plan() makes for the workload's nominal means at the
# same worker count (what psp-sim chooses).  The sample threshold is lowered
# to fit a short run.
. "$(dirname "$0")/lib.sh"

WORKERS=3
"$BIN/darc_expect" high-bimodal "$WORKERS" 0.2 > "$T/expected.csv" 2> "$T/expected.log" ||
	fail "darc_expect failed"
start_engine "$T/engine.log" "${ENGINE[@]}" --set policy.darc_samples=1000 --policy darc
grep -q "policy: darc .*darc_samples=1000 " "$T/engine.log" || fail "the engine's darc_samples is not 1000"
"${CLIENT[@]}" --workload high-bimodal --rate 2000 \
	--duration 3 > "$T/client.log" 2>&1 || fail "psp-client failed"
stop_engine || fail "psp-engine exited with status $?"
check_clean_stop "$T/engine.log"

TL="$T/out/darc-timeline.csv"
[ -f "$TL" ] || fail "no $TL"
head -1 "$TL" | grep -qx "time_ns,group,types,reserved_cores,stealable_cores" ||
	fail "timeline header differs"
[ "$(wc -l < "$TL")" -gt 1 ] || fail "DARC made no reservation (see engine.log)"
# The rows of the last reservation, without time_ns.
last=$(tail -1 "$TL" | cut -d, -f1)
grep "^$last," "$TL" | cut -d, -f2- > "$T/actual.csv"
echo "expected (psp_darc_plan, nominal means): $(cat "$T/expected.log")"
cat "$T/expected.csv"
echo "engine's last reservation (at $last ns): $(grep '^DARC:' "$T/engine.log" | tail -1)"
cat "$T/actual.csv"
diff "$T/expected.csv" "$T/actual.csv" > /dev/null ||
	fail "the engine's reservation differs from psp_darc_plan's"
echo "PASS: DARC settled on the planned reservation"
