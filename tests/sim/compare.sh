#!/usr/bin/env bash
# Comparisons of policies (sim/compare.h, sim/verdict.h): --baseline's
# refusals; the paired intervals are narrower than the unpaired ones on the
# paper's workloads; a ratio against one baseline is the reciprocal of the
# other way round; the verdict ranks the capacities the capacity block
# prints and names exactly the pairs whose ranges overlap; the comparison's
# outputs agree across formats and with a sharded run's merge; --progress
# writes progress lines with an estimate of the time left into a log.
#   usage: compare.sh PSP_SIM [--sanitized]   (PSP_WORKLOAD_PATH set)
# --sanitized: fewer requests a point (the checks are the same).
set -u
sim=$1
requests=50000
[ "${2:-}" = --sanitized ] && requests=20000
. "$(dirname "$0")/../check.sh"
py=/usr/bin/python3

# expect_refusal NAME TEXT ARGS...: psp-sim ARGS exits 2 saying TEXT.
expect_refusal() {
  local name=$1 text=$2 st
  shift 2
  "$sim" "$@" >"$tmp/out" 2>"$tmp/err"
  st=$?
  check "$name: exit 2 (got $st)" test "$st" -eq 2
  check "$name: says '$text'" grep -qF -- "$text" "$tmp/err"
}
small=(-w high-bimodal -n 2000 -r 2 --load 0.5 --no-capacity --quiet)
expect_refusal "--baseline unknown" "--baseline: unknown policy 'cfcf' (did you mean 'cfcfs'?)" \
  "${small[@]}" -p cfcfs,ts --baseline cfcf
expect_refusal "--baseline not listed" "--baseline: darc is not among the policies compared (--policy cfcfs,ts)" \
  "${small[@]}" -p cfcfs,ts --baseline darc
expect_refusal "--baseline not listed (an alias)" "--baseline: darc is not among the policies compared" \
  "${small[@]}" -p cfcfs,ts --baseline persephone
expect_refusal "--compare-output, one policy" "--compare-output: compares policies: give two or more" \
  "${small[@]}" -p ts --compare-output "$tmp/c.csv"
expect_refusal "--baseline with --shard" "--baseline: not with --shard" \
  "${small[@]}" -p cfcfs,ts --baseline ts --shard 1/2 -o "$tmp/s.shard"
expect_refusal "--progress with --quiet" "--progress: and --quiet contradict" \
  "${small[@]}" -p cfcfs,ts --progress
"$sim" "${small[@]}" -p cfcfs,ts --baseline shinjuku >"$tmp/alias.txt" 2>&1
check "--baseline accepts an alias of a listed policy" test $? -eq 0
check "... and compares with that policy" grep -q "^Paired comparison with ts (the baseline)" "$tmp/alias.txt"

# Paired intervals are narrower than unpaired ones (Welch's, the same
# replications taken as independent) on the paper's workloads: the median
# ratio of the widths over every policy, load, type and statistic is below
# 1 on each, and below 0.95 over all of them.
for w in high-bimodal extreme-bimodal tpcc rocksdb; do
  "$sim" -w "$w" -p cfcfs,darc,ts --load 0.5,0.7,0.9 -n "$requests" --darc-samples 5000 \
    --no-capacity --quiet --format csv -o /dev/null --compare-output "$tmp/cmp-$w.csv" 2>/dev/null
  check "$w: comparison written" test -s "$tmp/cmp-$w.csv"
done
check "paired intervals narrower than unpaired on the paper's workloads" "$py" - "$tmp" <<'EOF'
import csv, statistics, sys
every = []
ok = True
for w in ("high-bimodal", "extreme-bimodal", "tpcc", "rocksdb"):
    ratios = []
    for r in csv.DictReader(open(f"{sys.argv[1]}/cmp-{w}.csv")):
        paired = float(r["diff_hi"]) - float(r["diff_lo"])
        unpaired = float(r["unpaired_hi"]) - float(r["unpaired_lo"])
        if unpaired > 0:
            ratios.append(paired / unpaired)
    m = statistics.median(ratios)
    print(f"  {w}: paired / unpaired width, median over {len(ratios)} rows: {m:.3f}")
    ok &= m < 1
    every += ratios
m = statistics.median(every)
print(f"  all: median {m:.3f}")
sys.exit(0 if ok and m < 0.95 else 1)
EOF

# The geometric mean ratio is exactly reciprocal: darc / cfcfs with baseline
# cfcfs is 1 / (cfcfs / darc) with baseline darc, its interval too.
args=(-w high-bimodal -p cfcfs,darc --load 0.7,0.9 -n 20000 --darc-samples 2000 --no-capacity
      --quiet --format csv -o /dev/null)
"$sim" "${args[@]}" --compare-output "$tmp/base-cfcfs.csv" 2>/dev/null
"$sim" "${args[@]}" --baseline darc --compare-output "$tmp/base-darc.csv" 2>/dev/null
check "the ratio against the other baseline is the reciprocal" "$py" - "$tmp" <<'EOF'
import csv, sys
d = sys.argv[1]
a = {(r["load"], r["type"], r["statistic"]): r for r in csv.DictReader(open(f"{d}/base-cfcfs.csv"))}
b = {(r["load"], r["type"], r["statistic"]): r for r in csv.DictReader(open(f"{d}/base-darc.csv"))}
assert a.keys() == b.keys() and len(a) == 2 * 3 * 2, (len(a), len(b))
for k in a:
    x, y = a[k], b[k]
    assert (x["policy"], x["baseline"], y["policy"], y["baseline"]) == ("darc", "cfcfs", "cfcfs", "darc")
    assert abs(float(x["diff"]) + float(y["diff"])) <= 1e-4 * max(1, abs(float(x["diff"]))), k
    for p, q in (("ratio", "ratio"), ("ratio_lo", "ratio_hi"), ("ratio_hi", "ratio_lo")):
        assert abs(float(x[p]) * float(y[q]) - 1) < 1e-4, (k, p, x[p], y[q])
EOF

# The verdict on a small case: the table ends with it, it ranks the
# capacities the capacity block printed, its ratios are theirs, and the
# pairs it calls not separated are those whose ranges overlap.
"$sim" -w high-bimodal -p cfcfs,darc,ts --load 0.5,0.9 -n 20000 --darc-samples 2000 \
  -r 6 --quiet --compare-output "$tmp/v.csv" >"$tmp/v.txt" 2>/dev/null
check "verdict: the table ends with the ranked summary" "$py" - "$tmp/v.txt" <<'EOF'
import itertools, re, sys
text = open(sys.argv[1]).read()
blocks = text.rstrip("\n").split("\n\n")
verdict = blocks[-1].splitlines()
assert verdict[0].startswith("Verdict: ranked by the load sustained at p99.9 slowdown <= 20"), verdict[0]
cap = {}
for line in text.splitlines():
    m = re.match(r"  (\w+) +load ([\d.]+), 95% range \[([\d.]+), ([\d.]+)\]", line)
    if m:
        cap[m.group(1)] = tuple(float(v) for v in m.group(2, 3, 4))
assert set(cap) == {"cfcfs", "darc", "ts"}, cap
ranked = []
for line in verdict[1:4]:
    m = re.match(r"  (\d)\. (\w+) +load ([\d.]+) \[([\d.]+), ([\d.]+)\]", line)
    assert m, line
    ranked.append(m.group(2))
    assert int(m.group(1)) == len(ranked)
    assert tuple(float(v) for v in m.group(3, 4, 5)) == cap[m.group(2)], line
    # each ratio to a lower-ranked policy is the ratio of the capacities
    for q, other, lo, hi in re.findall(r" ([\d.]+)x (\w+) \[([\d.]+), ([\d.]+)\]", line):
        c, o = cap[m.group(2)], cap[other]
        assert abs(float(q) - c[0] / o[0]) <= 0.006, (line, other)
        assert abs(float(lo) - c[1] / o[2]) <= 0.006 and abs(float(hi) - c[2] / o[1]) <= 0.006, line
loads = [cap[p][0] for p in ranked]
assert loads == sorted(loads, reverse=True), ranked
overlap = {frozenset((a, b)) for a, b in itertools.combinations(cap, 2)
           if cap[a][1] <= cap[b][2] and cap[b][1] <= cap[a][2]}
said = set()
for line in verdict[4:]:
    if line.startswith("  not separated"):
        for a, b in re.findall(r"(\w+) and (\w+)", line.split(": ", 1)[1]):
            said.add(frozenset((a, b)))
    elif line.startswith("  every difference is separated"):
        pass
assert said == overlap, (said, overlap)
assert any(l.startswith(f"  {ranked[0]} sustains the most load") for l in verdict[4:]), verdict
print("  verdict:", " > ".join(ranked), "not separated:", sorted(map(sorted, said)))
EOF
check "verdict: the comparison block precedes the capacity block" \
  "$py" -c "import sys; t = open(sys.argv[1]).read(); i = t.index('Paired comparison with cfcfs'); j = t.index('Capacity:'); sys.exit(not i < j)" "$tmp/v.txt"
check "verdict: one --compare-output row per policy, load, type and statistic" \
  test "$(wc -l <"$tmp/v.csv")" -eq $((1 + 2 * 2 * 3 * 2))

# The same run as JSON: the comparison and the verdict members, the same
# figures as --compare-output.
"$sim" -w high-bimodal -p cfcfs,darc,ts --load 0.5,0.9 -n 20000 --darc-samples 2000 \
  -r 6 --quiet --format json --compare-output "$tmp/vj.csv" >"$tmp/v.json" 2>/dev/null
check "JSON: comparison and verdict members, as --compare-output and the table say" \
  "$py" - "$tmp" <<'EOF'
import csv, json, sys
d = sys.argv[1]
j = json.load(open(f"{d}/v.json"))
rows = list(csv.DictReader(open(f"{d}/vj.csv")))
assert open(f"{d}/vj.csv").read() == open(f"{d}/v.csv").read()
assert len(j["comparison"]) == len(rows)
for c, r in zip(j["comparison"], rows):
    assert (c["policy"], c["baseline"], c["type"], c["statistic"]) == \
        (r["policy"], r["baseline"], r["type"], r["statistic"])
    assert abs(c["ratio"] - float(r["ratio"])) <= 1e-5 * c["ratio"]
v = j["verdict"]
assert v["by"] == "capacity" and v["slo"] == 20
caps = {c["policy"]: c["capacity_load"] for c in j["capacity"]}
order = [e["policy"] for e in v["ranking"]]
assert [caps[p] for p in order] == sorted(caps.values(), reverse=True)
EOF

# CSV: the points' columns are those of a single policy's run; the verdict
# is on stderr.
"$sim" -w high-bimodal -p cfcfs,darc --load 0.9 -n 20000 --darc-samples 2000 -r 2 --slo 20 \
  --quiet --format csv >"$tmp/two.csv" 2>"$tmp/two.err"
"$sim" -w high-bimodal -p darc --load 0.9 -n 20000 --darc-samples 2000 -r 2 --no-capacity \
  --quiet --format csv >"$tmp/one.csv" 2>/dev/null
check "CSV: a comparison leaves the points' header as it is" \
  test "$(head -1 "$tmp/two.csv")" = "$(head -1 "$tmp/one.csv")"
check "CSV: the verdict on stderr" grep -q "^psp-sim: Verdict: ranked by the load sustained" "$tmp/two.err"

# Without an SLO the verdict ranks by the p99.9 slowdown at the highest load.
"$sim" -w high-bimodal -p cfcfs,darc --load 0.5,0.9 -n 20000 --darc-samples 2000 -r 6 \
  --no-capacity --quiet >"$tmp/nc.txt" 2>/dev/null
check "no SLO: the verdict ranks by the p99.9 slowdown at load 0.90" \
  grep -q "^Verdict: ranked by the ALL p99.9 slowdown at load 0.90" "$tmp/nc.txt"
check "no SLO: darc first, separated from cfcfs" \
  grep -q "^  darc has the lowest p99.9 slowdown there, separated from cfcfs" "$tmp/nc.txt"

# A sharded run's merge compares as the whole run does (--baseline given to
# --merge).
args=(-w high-bimodal -p cfcfs,darc,ts --load 0.7,0.9 -n 20000 --darc-samples 2000 -r 3 --slo 20
      --quiet)
"$sim" "${args[@]}" --baseline ts --compare-output "$tmp/whole.csv" >"$tmp/whole.txt" 2>/dev/null
for i in 1 2 3; do
  "$sim" "${args[@]}" --shard "$i/3" -o "$tmp/s$i.shard" 2>/dev/null
done
"$sim" --merge "$tmp"/s?.shard --baseline ts --compare-output "$tmp/merged.csv" --quiet \
  >"$tmp/merged.txt" 2>/dev/null
check "merge: the comparison is the whole run's" cmp -s "$tmp/whole.csv" "$tmp/merged.csv"
check "merge: the output (verdict included) is the whole run's" cmp -s "$tmp/whole.txt" "$tmp/merged.txt"
"$sim" --merge "$tmp"/s?.shard --baseline sjf >/dev/null 2>"$tmp/err"
check "merge: --baseline not among the shards' policies exits 2" test $? -eq 2
check "merge: ... and says why" grep -qF "sjf is not among the policies compared (--policy cfcfs,darc,ts)" "$tmp/err"

# --progress into a log (stderr not a terminal): lines with the share done
# and the time left.  A run of several seconds (4 M requests of ts; 1.6 M under the
# sanitizers, several times slower): the first line comes at 2 s.
"$sim" -w high-bimodal -p ts --load 0.9 -n $((requests * 80)) -r 2 -j 1 --no-capacity --progress \
  -o /dev/null 2>"$tmp/progress.err"
check "--progress: a progress line in the log" \
  grep -qE "^psp-sim: progress: +[0-9]+% \(2 runs: 1 load x 2 replications\), [0-9]+ s, (about [0-9]+ (s|min [0-9]+ s) left|time left not known yet)$" "$tmp/progress.err"
check "--progress: no terminal control in a log" bash -c "! grep -q $'\r' '$tmp/progress.err'"
"$sim" -w high-bimodal -p ts --load 0.9 -n 200000 -r 2 -j 1 --no-capacity \
  -o /dev/null 2>"$tmp/noprogress.err"
check "no --progress, no terminal: no progress line" test ! -s "$tmp/noprogress.err"
checks_done
