#!/usr/bin/env bash
# psp-engine --trace: one row per accepted request, in the psp trace CSV.
#   trace.sh full [POLICY]
#                    High Bimodal at 1000 rps for 2 s under POLICY (default
#                    darc), the engine with --trace and --stats-ms 500: as
#                    many rows as the engine received, ids 0..n-1, per-type
#                    counts as the engine's report, every row answered, times
#                    ordered (arrival <= dispatch <= start <= completion <=
#                    reply), the median measured service per type as the
#                    report's (and not below the spin app's target), preemptions per type as the
#                    engine's counters (ts: thousands); stats.jsonl lines that
#                    add up to the counters; dpdk-telemetry.py (when installed)
#                    reads /psp/stats; and the replay (psp-sim --trace, same
#                    policy and workers) counts exactly the engine's requests
#                    per type.
#   trace.sh limit   --trace-limit 100: exactly the first 100 arrivals, and the
#                    stop says how many later ones were not recorded; bad
#                    --trace / --trace-limit values refused with exit 2.
MODE=${1:?mode}
POLICY=${2:-darc}
. "$(dirname "$0")/lib.sh"

SETS=(--set policy.darc_samples=500)
# The replay's DARC reserves from the workload's means (oracle): a dynamic
# one's profiling phase is kept out of psp-sim's measurement, and the check
# is that every request of the trace is replayed.
SIM_SETS=(--darc-mode oracle)
[ "$POLICY" = darc ] || SETS=() SIM_SETS=()

run_pair() { # extra engine args...
	start_engine "$T/engine.log" "${ENGINE[@]}" "${SETS[@]}" --policy "$POLICY" "$@"
	"${CLIENT[@]}" --workload high-bimodal --rate 1000 \
		--duration 2 --workers 3 > "$T/client.out" 2> "$T/client.log" ||
		fail "psp-client failed (status $?)"
	# DPDK's own telemetry client (Debian's dpdk-dev) reads the engine as
	# docs/engine.md shows: commands on its standard input.
	if command -v dpdk-telemetry.py > /dev/null; then
		echo /psp/stats | dpdk-telemetry.py -f "psp-engine-$INST" > "$T/dpdk-telemetry.json" 2>&1 ||
			fail "dpdk-telemetry.py failed"
	fi
	stop_engine || fail "psp-engine exited with status $?"
	check_clean_stop "$T/engine.log"
	if [ -f "$T/dpdk-telemetry.json" ]; then # the client had stopped: final counts
		grep -q "\"received\": $(counter received "$T/engine.log")," "$T/dpdk-telemetry.json" ||
			fail "dpdk-telemetry.py /psp/stats does not say the engine's received count"
	fi
}

case $MODE in
full)
	run_pair --trace "$T/trace.csv" --stats-ms 500
	grep "^trace:" "$T/engine.log"
	received=$(counter received "$T/engine.log")
	grep -q "^trace: $received requests written to $T/trace.csv" "$T/engine.log" ||
		fail "the stop does not report $received requests traced"
	grep -q "BUG" "$T/engine.log" && fail "requests without a recorded fate"
	head -1 "$T/trace.csv" | grep -qx "id,type,arrival_ns,dispatch_ns,worker,start_ns,service_ns,completion_ns,reply_ns,preemptions,status" ||
		fail "trace header differs from docs/trace-format.md"
	# Per type, as the engine's report; ids, statuses, order of times; the
	# measured service: its median per type is the engine's own (the report's
	# svc_p50_us, from its histograms: within their 1/256 relative error plus
	# the report's 0.01 us rounding, 1% allowed), and never below the spin
	# app's target (SHORT 1 us, LONG 100 us in High Bimodal), where the app
	# stops: lower would be a measurement bug.  Above the target is the
	# machine (a sanitizer build, the OS taking the CPU), not checked.
	report=$(awk '/^server-side latency/ {on=1; next} on && !/^  / {on=0}
		on && $1 != "type" {print $1 "=" $2}' "$T/engine.log" | tr '\n' ' ')
	svc_p50=$(awk '/^measured service time/ {on=1; next} on && !/^  / {on=0}
		on && $1 != "type" {print $1 "=" $4}' "$T/engine.log" | tr '\n' ' ')
	preempt=$(sed -n '/^counters:/,/^balance:/p' "$T/engine.log" | grep -oE "preemptions_[A-Z]+=[0-9]+" | tr '\n' ' ')
	python3 - "$T/trace.csv" "$received" "$report" "$preempt" "$svc_p50" <<'PY' || fail "trace content"
import csv, sys, statistics
path, received, report = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
preempt = {kv.split("=")[0][len("preemptions_"):]: int(kv.split("=")[1]) for kv in sys.argv[4].split()}
rows = list(csv.DictReader(open(path)))
assert len(rows) == received, f"{len(rows)} rows, engine received {received}"
assert [int(r["id"]) for r in rows] == list(range(received)), "ids are not 0..n-1"
counts = {}
for r in rows:
    counts[r["type"]] = counts.get(r["type"], 0) + 1
want = dict(kv.split("=") for kv in report)
assert {k: int(v) for k, v in want.items()} == counts, f"per type {counts} vs report {want}"
prev_arrival = 0
svc = {}
for r in rows:
    assert r["status"] == "answered", r
    t = [int(r[k]) for k in ("arrival_ns", "dispatch_ns", "start_ns", "completion_ns", "reply_ns")]
    assert t == sorted(t), f"times out of order: {r}"
    assert t[0] >= prev_arrival, f"arrivals go back: {r}"
    prev_arrival = t[0]
    assert 0 <= int(r["worker"]) < 3, r
    svc.setdefault(r["type"], []).append(int(r["service_ns"]))
# Preemptions per type: the trace's sum is the engine's counter (none
# under a policy that does not preempt).
for typ in counts:
    got = sum(int(r["preemptions"]) for r in rows if r["type"] == typ)
    assert got == preempt.get(typ, 0), f"{typ}: trace counts {got} preemptions, engine {preempt.get(typ, 0)}"
    print(f"{typ}: {got} preemptions")
p50 = {kv.split("=")[0]: float(kv.split("=")[1]) * 1e3 for kv in sys.argv[5].split()}
for typ, target in (("SHORT", 1000), ("LONG", 100000)):
    med = statistics.median(svc[typ])
    assert med >= target * 0.99, f"{typ}: median measured service {med} ns below the target {target}"
    assert abs(med - p50[typ]) <= 0.01 * p50[typ] + 10, \
        f"{typ}: trace's median service {med} ns, the engine's report {p50[typ]:.0f} ns"
    print(f"{typ}: {len(svc[typ])} rows, median service {med:.0f} ns (report {p50[typ]:.0f} ns)")
PY
	# --stats-ms 500: a JSON line every 500 ms and one at stop; the last
	# agrees with the final counters, and the per-interval counts add up to
	# every answered request of each type (each interval starts where the
	# previous line's ended).
	python3 - "$T/out/stats.jsonl" "$received" "$report" <<'PY' || fail "stats.jsonl"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
received, want = int(sys.argv[2]), dict(kv.split("=") for kv in sys.argv[3].split())
assert len(lines) >= 4, f"{len(lines)} lines for a run of over 2 s at 500 ms"
times = [l["time_s"] for l in lines]
assert times == sorted(times), "time_s goes back"
last = lines[-1]
assert last["received"] == received and last["answered"] == received, last
for t, n in want.items():
    assert last["types"][t]["answered"] == int(n), (t, last["types"][t])
    total = sum(l["types"][t]["interval_count"] for l in lines)
    assert total == int(n), f"{t}: intervals add up to {total}, answered {n}"
assert sum(w["handled"] for w in last["workers"].values()) == received
print(f"stats.jsonl: {len(lines)} lines over {times[-1] - times[0]:.2f} s")
PY
	# The replay: psp-sim --trace through the same policy and workers sees
	# exactly the engine's requests, per type.
	"$BIN/psp-sim" --trace "$T/trace.csv" --workload high-bimodal --policy "$POLICY" "${SIM_SETS[@]}" \
		--workers 3 --warmup 0 --format csv --no-capacity > "$T/replay.csv" \
		2> "$T/replay.log" || { cat "$T/replay.log"; fail "psp-sim could not replay the trace"; }
	python3 - "$T/replay.csv" "$report" <<'PY' || fail "replay counts differ from the engine's"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = dict(kv.split("=") for kv in sys.argv[2].split())
got = {r["type"]: int(r["count"]) for r in rows if r["type"] != "ALL"}
assert got == {k: int(v) for k, v in want.items()}, f"replay {got} vs engine {want}"
print("replay counts per type:", got)
PY
	;;
limit)
	"${ENGINE[@]}" --trace-limit 5 > "$T/bad1.log" 2>&1
	[ $? -eq 2 ] && grep -q "needs --trace FILE" "$T/bad1.log" || fail "--trace-limit without --trace"
	"${ENGINE[@]}" --trace "$T/x.csv" --trace-limit 0 > "$T/bad2.log" 2>&1
	[ $? -eq 2 ] && grep -q "records 1\.\.100000000, got \"0\"" "$T/bad2.log" || fail "--trace-limit 0"
	"${ENGINE[@]}" --stats-ms 0 > "$T/bad5.log" 2>&1
	[ $? -eq 2 ] && grep -q "stats-ms: must be a period in ms 1..3600000, got \"0\"" "$T/bad5.log" || fail "--stats-ms 0"
	"${ENGINE[@]}" --trace "$T" > "$T/bad3.log" 2>&1
	[ $? -eq 2 ] && grep -q "is a directory" "$T/bad3.log" || fail "--trace DIR"
	"${ENGINE[@]}" --trace "$T/no/such/dir/t.csv" > "$T/bad4.log" 2>&1
	[ $? -eq 2 ] && grep -q "cannot write $T/no/such/dir/t.csv" "$T/bad4.log" || fail "--trace in a missing directory"
	run_pair --trace "$T/trace.csv" --trace-limit 100
	grep "^trace:" "$T/engine.log"
	received=$(counter received "$T/engine.log")
	grep -q "^trace: 100 requests written to .*; $((received - 100)) later arrivals not recorded (--trace-limit 100)" \
		"$T/engine.log" || fail "the stop does not say what the limit left out"
	[ "$(tail -n +2 "$T/trace.csv" | cut -d, -f1 | tr '\n' ' ')" = "$(seq -s ' ' 0 99) " ] ||
		fail "the trace is not the first 100 arrivals"
	;;
*)
	fail "unknown mode $MODE"
	;;
esac
echo "PASS"
