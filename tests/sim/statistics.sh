#!/usr/bin/env bash
# One meaning per statistic (docs/statistics.md):
#  - a quantile's estimate is the median of the replications' values and its
#    interval the order-statistic interval [x(j), x(R+1-j)]: on a 50/50
#    bimodal mix whose per-replication p50 is ~1 or ~100 us, the value and
#    the bounds are values some replication produced (read back from a shard
#    file, which stores each replication's statistics), never a negative
#    bound; with fewer than 6 replications there is no quantile interval,
#    and the table says why, while means keep their Student t interval;
#  - a capacity's [lo, hi] is labelled a bracket without 95% intervals
#    (1 replication) and a 95% range with them, in the table, on the CSV
#    capacity line, in --slo-output and in JSON;
#  - the same flags compute the same things in every format: a workload with
#    an slo: gets its capacity searched in table, CSV and JSON alike (CSV
#    prints it on stderr or in --slo-output) and in none with --no-capacity.
#   usage: statistics.sh PSP_SIM   (PSP_WORKLOAD_PATH set)
set -u
sim=$1
. "$(dirname "$0")/../check.sh"

# --- quantiles: the bimodal p50 ----------------------------------------------
# high-bimodal at load 0.05: half the requests take 1 us, half 100 us, so a
# replication's p50 is ~1 or ~100 us depending on which type is the majority
# of its measured requests (seed 3 gives both among its 6 replications).
point=(-w high-bimodal -p cfcfs -l 0.05 -n 20000 -s 3 --no-capacity --quiet)
"$sim" "${point[@]}" -r 6 --format csv >"$tmp/r6.csv"
"$sim" "${point[@]}" -r 6 --shard 1/1 -o "$tmp/r6.shard"
"$sim" "${point[@]}" -r 3 --format csv >"$tmp/r3.csv"
"$sim" "${point[@]}" -r 3 --shard 1/1 -o "$tmp/r3.shard"
"$sim" "${point[@]}" -r 3 >"$tmp/r3.txt"
"$sim" "${point[@]}" -r 6 >"$tmp/r6.txt"

# Checks the ALL row of CSV against the replications' values in SHARD: the
# value is the median x(ceil(R/2)); with R >= 6 the bounds are x(1) and
# x(R) (j = 1 for R = 6) and contain it; with fewer, no quantile bounds;
# the mean's interval is symmetric about the mean of the replications.
quantiles_ok() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import csv, math, struct, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["type"] == "ALL"]
assert len(rows) == 1, rows
row = rows[0]
stats = {"mean_us": 0, "p50_us": 1, "p99_us": 2, "p999_us": 3, "p999_slowdown": 4}
reps = []
for line in open(sys.argv[2]):
    f = line.split()
    if f[0] == "type" and f[1] == "2":  # ALL of high-bimodal's two types
        reps.append([struct.unpack("<d", bytes.fromhex(x)[::-1])[0] for x in f[3:]])
n = len(reps)
assert n == int(row["replications"]), (n, row["replications"])
p50s = sorted(r[1] for r in reps)
print(f"  R = {n}: replications' p50 {p50s}; CSV p50 {row['p50_us']} "
      f"[{row['p50_us_lo']}, {row['p50_us_hi']}]")
if n == 6:
    assert min(p50s) < 10 and max(p50s) > 90, f"not a bimodal case: {p50s}"
for name, k in stats.items():
    v = sorted(r[k] for r in reps)
    got, lo, hi = row[name], row[name + "_lo"], row[name + "_hi"]
    if name == "mean_us":
        m = sum(v) / n
        assert abs(float(got) - m) < 1e-3, (name, got, m)
        assert abs((float(lo) + float(hi)) / 2 - m) < 2e-3, (name, lo, hi, m)
        continue
    assert got == f"{v[(n + 1) // 2 - 1]:.3f}", (name, got, v)
    if n >= 6:
        assert lo == f"{v[0]:.3f}" and hi == f"{v[-1]:.3f}", (name, lo, hi, v)
        assert float(lo) <= float(got) <= float(hi) and float(lo) >= 0, (name, lo, got, hi)
    else:
        assert lo == "" and hi == "", (name, lo, hi)
PY
}
check "R = 6: quantiles are the replications' median in [x(1), x(6)]" quantiles_ok "$tmp/r6.csv" "$tmp/r6.shard"
check "R = 3: quantiles are the replications' median, without an interval" quantiles_ok "$tmp/r3.csv" "$tmp/r3.shard"
check "R = 3: the table says why percentiles have no interval" \
  grep -q "(3 replications; 95% intervals: means ± half-width; percentiles none: they need >= 6 replications)" "$tmp/r3.txt"
check "R = 3: the table prints a mean ± its half-width" grep -Eq "^  ALL +[0-9]+ +[0-9.]+ ± [0-9.]+ +[0-9.]+ " "$tmp/r3.txt"
check "R = 6: the table prints percentiles as v [lo, hi]" \
  grep -Eq "^  ALL +[0-9]+ +[0-9.]+ ± [0-9.]+ +[0-9.]+ \[[0-9.]+, [0-9.]+\]" "$tmp/r6.txt"
check "no negative bound anywhere" bash -c "! grep -q -- '-[0-9]' <(cut -d, -f24- '$tmp/r6.csv' '$tmp/r3.csv')"

# --- capacity ranges: bracket or 95% range, labelled in every format ---------
cap=(-w high-bimodal -p cfcfs -n 20000 --quiet)
for r in 1 6; do
  "$sim" "${cap[@]}" -r $r >"$tmp/cap$r.txt" 2>/dev/null
  "$sim" "${cap[@]}" -r $r --format csv >"$tmp/cap$r.csv" 2>"$tmp/cap$r.err"
  "$sim" "${cap[@]}" -r $r --format csv --slo-output "$tmp/cap$r.slo" >/dev/null 2>&1
  "$sim" "${cap[@]}" -r $r --format json >"$tmp/cap$r.json" 2>/dev/null
done
range() { awk -F, -v c="$2" 'NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next} {print $col[c]}' "$1"; }
check "1 replication: the table calls the range a bracket, not a confidence interval" \
  grep -q "replication a load; bracket: from it to the lowest load above it that missed the SLO, not a confidence interval" "$tmp/cap1.txt"
check "1 replication: the table's capacity line says bracket" grep -Eq "^  cfcfs +load [0-9.]+, bracket \[" "$tmp/cap1.txt"
check "1 replication: the CSV capacity line says bracket" grep -Eq "^psp-sim: capacity at p99.9 slowdown <= 20: cfcfs +load [0-9.]+, bracket \[" "$tmp/cap1.err"
check "1 replication: --slo-output capacity_range = bracket" test "$(range "$tmp/cap1.slo" capacity_range)" = bracket
check "1 replication: JSON capacity_range = bracket" grep -q '"capacity_range": "bracket"' "$tmp/cap1.json"
check "6 replications: the table's capacity line says 95% range" grep -Eq "^  cfcfs +load [0-9.]+, 95% range \[" "$tmp/cap6.txt"
check "6 replications: the heading explains the 95% range" \
  grep -q "replications a load; 95% range: from the highest load that met the SLO to the lowest that missed it, each with 95% confidence" "$tmp/cap6.txt"
check "6 replications: --slo-output capacity_range = confidence" test "$(range "$tmp/cap6.slo" capacity_range)" = confidence
check "6 replications: JSON capacity_range = confidence" grep -q '"capacity_range": "confidence"' "$tmp/cap6.json"
check "6 replications: the capacity's p99.9 slowdown has its interval" \
  test -n "$(range "$tmp/cap6.slo" p999_slowdown_lo)" -a -n "$(range "$tmp/cap6.slo" p999_slowdown_hi)"

# --- one decision: the same capacity in every format ---------------------------
for r in 1 6; do
  t=$(grep -E "^  cfcfs +load " "$tmp/cap$r.txt" | sed 's/^ *//')
  c=$(sed -n 's/^psp-sim: capacity at p99.9 slowdown <= 20: //p' "$tmp/cap$r.err")
  check "r=$r: CSV computes the table's capacity (table '$t', CSV '$c')" test -n "$t" -a "$t" = "$c"
  s=$(awk -F, 'NR == 2 {print $7, $8, $9}' "$tmp/cap$r.slo")
  j=$(/usr/bin/python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["capacity"][0]
print("%.4f %.4f %.4f" % (c["capacity_load"], c["capacity_lo"], c["capacity_hi"]))' "$tmp/cap$r.json")
  check "r=$r: JSON computes the --slo-output capacity ($s vs $j)" test -n "$s" -a "$s" = "$j"
  check "r=$r: the CSV on stdout is the same table with or without the search" \
    cmp -s "$tmp/cap$r.csv" <("$sim" "${cap[@]}" -r $r --format csv --no-capacity 2>/dev/null)
done
"$sim" "${cap[@]}" -r 1 --format csv --no-capacity >/dev/null 2>"$tmp/none.err"
check "--no-capacity: no capacity in CSV" bash -c "! grep -q capacity '$tmp/none.err'"
"$sim" "${cap[@]}" -r 1 --format json --no-capacity >"$tmp/none.json" 2>/dev/null
check "--no-capacity: no capacity in JSON" bash -c "! grep -q '\"capacity\"' '$tmp/none.json'"
check "a workload without slo: searches nothing in CSV" bash -c \
  "'$sim' -w rare-long -p cfcfs -l 0.5 -n 20000 -r 1 --quiet --format csv 2>&1 >/dev/null | (! grep -q capacity)"

checks_done
