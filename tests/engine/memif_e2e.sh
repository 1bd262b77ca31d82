#!/usr/bin/env bash
# Test 1: psp-engine and psp-client over a memif pair, one policy, High
# Bimodal at a low rate: every request answered, the type mix follows the
# workload's ratios, and engine and client counters agree.  ws runs with
# placement flow-hash: the client is one flow, so every arrival queues at one
# worker and the others must steal (ws_steals > 0).  darc-robust is darc with
# darc_variant: robust (its parts through the knob table): it reserves too.
#   memif_e2e.sh POLICY [RATE] [DURATION_S]
POLICY=${1:?policy}
VARIANT=""
[ "$POLICY" = darc-robust ] && POLICY=darc && VARIANT=robust
RATE=${2:-1000}
DURATION=${3:-3}
. "$(dirname "$0")/lib.sh"

SETS=(--set policy.darc_samples=500)
[ "$POLICY" = ws ] && SETS=(--set "policy={name: ws, placement: flow-hash}")
[ -n "$VARIANT" ] && SETS=(--set "policy={name: darc, darc_samples: 500, darc_variant: $VARIANT}")
start_engine "$T/engine.log" "${ENGINE[@]}" "${SETS[@]}" --policy "$POLICY"
[ "$POLICY" != darc ] || grep -q "policy: darc .*darc_samples=500 " "$T/engine.log" ||
	fail "the engine's darc_samples is not 500"
[ "$POLICY" != ws ] || grep -q "policy: ws .*placement=flow-hash" "$T/engine.log" ||
	fail "the engine's ws placement is not flow-hash"
grep -q "policy $POLICY" "$T/engine.log" || fail "engine did not take --policy $POLICY"
if [ -n "$VARIANT" ]; then
	grep -q "policy: darc .*darc_variant=robust darc_ratio_source=arrivals darc_sizing=capacity darc_hysteresis=ci darc_starvation_guard=20" \
		"$T/engine.log" || fail "the engine's darc is not the robust variant with its parts"
fi

"${CLIENT[@]}" --workload high-bimodal --rate "$RATE" \
	--duration "$DURATION" --format csv --workers 3 --label "$POLICY" \
	> "$T/client.csv" 2> "$T/client.log" || fail "psp-client failed (status $?)"
# The counters are also served by DPDK telemetry while the engine runs.
TEL=$(telemetry_socket)
"$BIN/psp_telemetry_get" "$TEL" /psp/stats > "$T/telemetry.json" || fail "telemetry query failed"
for q in types types2 workers; do
	"$BIN/psp_telemetry_get" "$TEL" "/psp/${q%2}" > "$T/tel-$q.json" || fail "telemetry /psp/${q%2} failed"
done
stop_engine || fail "psp-engine exited with status $?"
cat "$T/client.log" "$T/client.csv" "$T/telemetry.json"
sed -n '/^counters:/,$p' "$T/engine.log"

check_clean_stop "$T/engine.log"
sent=$(counter sent "$T/client.log"); answered=$(counter answered "$T/client.log")
timed_out=$(counter timed_out "$T/client.log")
[ "$sent" -gt $((RATE * DURATION * 9 / 10)) ] || fail "client sent only $sent requests"
[ "$answered" -eq "$sent" ] && [ "$timed_out" -eq 0 ] ||
	fail "client: $answered of $sent answered, $timed_out timed out"
# Engine and client agree.
[ "$(counter received "$T/engine.log")" -eq "$sent" ] || fail "engine received != client sent"
[ "$(counter answered "$T/engine.log")" -eq "$answered" ] || fail "engine answered != client answered"
[ "$(counter dropped "$T/engine.log")" -eq 0 ] || fail "engine dropped requests at a low rate"
grep -q "\"/psp/stats\":{.*\"received\":$sent," "$T/telemetry.json" ||
	fail "telemetry /psp/stats does not report received=$sent"
for type in SHORT LONG; do
	c=$(client_sent "$type" "$T/client.log")
	e=$(awk -v t="$type" '/server-side latency/ {on=1} on && $1 == t {print $2; exit}' "$T/engine.log")
	[ "$c" = "$e" ] || fail "$type: client sent $c, engine received $e"
done
# The verdict agrees with the rates it prints (one window for both):
# OVERLOADED exactly when achieved_rps < 0.999 x offered_rps; the CSV's
# overloaded column says the same.
vline=$(grep '^psp-client: offered_rps=' "$T/client.log")
off=$(echo "$vline" | sed 's/.*offered_rps=\([0-9.]*\).*/\1/'); ach=$(echo "$vline" | sed 's/.*achieved_rps=\([0-9.]*\).*/\1/')
over=0; case $vline in *OVERLOADED*) over=1 ;; esac
awk -v o="$off" -v a="$ach" -v v=$over 'BEGIN { exit !((a < 0.999 * o) == v) }' ||
	fail "verdict ($vline) disagrees with its rates"
awk -F, -v v=$over '$7 == "ALL" { exit !($15 == v) }' "$T/client.csv" || fail "CSV overloaded differs from the verdict"
# Ratios: High Bimodal is 50/50; 5 standard deviations of a binomial share.
short=$(client_sent SHORT "$T/client.log")
awk -v s="$short" -v n="$sent" 'BEGIN {
	p = s / n; sd = sqrt(0.25 / n);
	if (p < 0.5 - 5 * sd || p > 0.5 + 5 * sd) { printf "SHORT share %.4f\n", p; exit 1 }
}' || fail "type mix does not follow the workload's 50/50 ratio"
# The CSV has psp-sim's header and an ALL row counting the measured requests.
head -1 "$T/client.csv" | grep -q "^policy,workload,workers,load,offered_rps,achieved_rps,type,count,mean_us,p50_us,p99_us,p999_us,p999_slowdown,mean_slowdown,overloaded,preemptions,reservation\(,\|$\)" ||
	fail "client CSV header differs from psp-sim's"
grep -q "^$POLICY,high-bimodal,3,[0-9.]*,$RATE.0,[0-9.]*,ALL,[0-9]*," "$T/client.csv" || fail "no ALL row"
# /psp/types: per type, counts as the engine's report, latency percentiles
# since start; the interval since the previous call (none: no traffic since)
# is empty.  /psp/workers: what the workers handled adds up to the answers.
python3 - "$T" "$sent" "$POLICY" <<'PY' || fail "telemetry /psp/types or /psp/workers is wrong"
import json, sys
t, sent, policy = sys.argv[1], int(sys.argv[2]), sys.argv[3]
types = json.load(open(f"{t}/tel-types.json"))["/psp/types"]
again = json.load(open(f"{t}/tel-types2.json"))["/psp/types"]
workers = list(json.load(open(f"{t}/tel-workers.json"))["/psp/workers"].values())
stats = json.load(open(f"{t}/telemetry.json"))["/psp/stats"]
assert set(types) == {"SHORT", "LONG"}, types
assert sum(v["received"] for v in types.values()) == sent, types
for name, v in types.items():
    assert v["count"] == v["answered"] == v["interval_count"] > 0, (name, v)
    assert 0 < v["p50_ns"] <= v["p99_ns"] <= v["p999_ns"], (name, v)
    assert again[name]["interval_count"] == 0 and again[name]["count"] == v["count"], again
assert len(workers) == 3 and sum(w["handled"] for w in workers) == sent, workers
# a worker that handled nothing (ws on one flow may leave one idle) was never busy
assert all(0 <= w["busy_permille"] <= 1000 and (w["busy_ns"] > 0) == (w["handled"] > 0)
           for w in workers), workers
assert (policy == "darc") == ("darc_reservation" in stats), stats.get("darc_reservation")
print("telemetry: /psp/types", {k: (v["count"], v["p99_ns"]) for k, v in types.items()},
      "/psp/workers busy permille", [w["busy_permille"] for w in workers],
      "darc_reservation", stats.get("darc_reservation"))
PY
if [ "$POLICY" = ws ]; then
	grep -q "policy: ws placement=flow-hash" "$T/engine.log" || fail "ws is not on flow-hash placement"
	steals=$(counter ws_steals "$T/engine.log")
	echo "ws: $steals steals of $sent requests (placement flow-hash, one client flow)"
	[ "$steals" -gt 0 ] || fail "no steals although every arrival queued at one worker"
	grep -q "\"ws_steals\":$steals," "$T/telemetry.json" || fail "telemetry lacks ws_steals"
fi
echo "PASS: memif end to end, $POLICY${VARIANT:+ ($VARIANT)}"
