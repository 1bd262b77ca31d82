#!/usr/bin/env bash
# psp-client --trace: a trace's rows are sent as they are, in order, at the
# trace's times scaled by --rate; the engine's own trace of the run has
# exactly those rows (its ids 0..n-1, the same types in the same order, and
# the service each asked for: the spin application runs it, so the engine
# measures at least that, and about that in the median).  Bad command lines
# and traces are refused with exit 2 saying why.
. "$(dirname "$0")/lib.sh"

# 2000 rows of High Bimodal's types, Poisson arrivals at 1000 rps (2 s),
# services varied per row (SHORT 1-3 us, LONG 50-150 us) so that a row sent
# with another row's service shows; one row the engine that recorded it had
# dropped (no service: not sent).
python3 - "$T/in.csv" <<'PY'
import random, sys
r = random.Random(1)
t = 0
with open(sys.argv[1], "w") as f:
    f.write("id,type,arrival_ns,service_ns,status\n")
    for i in range(2001):
        t += int(r.expovariate(1000) * 1e9)
        if i == 700:
            f.write(f"{i},LONG,{t},,dropped_queue_full\n")
            continue
        if r.random() < 0.5:
            f.write(f"{i},SHORT,{t},{r.randint(1000, 3000)},answered\n")
        else:
            f.write(f"{i},LONG,{t},{r.randint(50000, 150000)},answered\n")
PY

start_engine "$T/engine.log" "${ENGINE[@]}" --policy cfcfs --trace "$T/engine-trace.csv"
# (after the engine: the memif socket's directory exists, as a client needs)
# Refused: each says why, exit 2.
refused() { # what-to-find args...
	local want=$1
	shift
	"${CLIENT[@]}" --workload high-bimodal "$@" > "$T/bad.log" 2>&1
	local rc=$?
	[ $rc -eq 2 ] && grep -q -- "$want" "$T/bad.log" || { cat "$T/bad.log"; fail "$* : exit $rc, not 2 with \"$want\""; }
}
refused "the trace's span is the run's" --trace "$T/in.csv" --duration 1
refused "without --workers" --trace "$T/in.csv" --load 0.5
refused "both --rate and --load" --trace "$T/in.csv" --rate 10 --load 0.5 --workers 3
refused "only with --trace" --load 0.5 --rate 10 --duration 1
printf 'type,arrival_us,service_us\nSHORT,1,1\nMEDIUM,2,1\n' > "$T/badtype.csv"
refused "badtype.csv:3: type" --trace "$T/badtype.csv"

"${CLIENT[@]}" --workload high-bimodal --trace "$T/in.csv" --rate 2000 --workers 3 \
	--format csv --output "$T/client.csv" > "$T/client.log" 2>&1
rc=$?
grep -E '^(psp-client|trace)' "$T/client.log"
[ $rc -eq 0 ] || fail "psp-client exited $rc"
grep -q "^trace: $T/in.csv: 2000 rows (1 skipped: no service" "$T/client.log" ||
	fail "the client does not say it sends 2000 rows, 1 skipped"
[ "$(counter scheduled "$T/client.log")" -eq 2000 ] && [ "$(counter sent "$T/client.log")" -eq 2000 ] ||
	fail "not every row of the trace was sent"
stop_engine || fail "psp-engine exited with status $?"
check_clean_stop "$T/engine.log"
python3 - "$T/in.csv" "$T/engine-trace.csv" <<'PY' || fail "the engine's trace is not the client's"
import csv, statistics, sys
want = [r for r in csv.DictReader(open(sys.argv[1])) if r["service_ns"]]
got = list(csv.DictReader(open(sys.argv[2])))
assert len(got) == len(want), f"engine traced {len(got)} rows, the trace has {len(want)}"
assert [int(r["id"]) for r in got] == list(range(len(want))), "engine ids are not 0..n-1"
assert [r["type"] for r in got] == [r["type"] for r in want], "types differ or are out of order"
ratio = []
for i, (w, g) in enumerate(zip(want, got)):
    asked, ran = int(w["service_ns"]), int(g["service_ns"])
    # The spin application stops once it has run the time asked.
    assert ran >= asked * 0.99, f"row {i}: asked {asked} ns, the engine measured {ran} ns"
    ratio.append(ran / asked)
med = statistics.median(ratio)
assert med < 1.5, f"median measured / asked service {med:.2f}: rows carry other rows' services"
# --rate 2000 halves the gaps of a 1000 rps trace: the span at the engine.
span_in = (int(want[-1]["arrival_ns"]) - int(want[0]["arrival_ns"])) / 2
span = int(got[-1]["arrival_ns"]) - int(got[0]["arrival_ns"])
assert abs(span - span_in) < 0.05 * span_in, f"engine span {span} ns, the scaled trace's {span_in:.0f} ns"
print(f"{len(got)} rows in order; median measured/asked service {med:.3f}; span {span/1e9:.3f} s (scaled trace {span_in/1e9:.3f} s)")
PY
echo "PASS"
