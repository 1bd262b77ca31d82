#!/usr/bin/env bash
# psp-sim is deterministic: the same seed and inputs give byte-identical
# output whatever the number of threads, and a point alone equals the same
# point inside a sweep.  usage: determinism.sh PSP_SIM
set -u
sim=$1
. "$(dirname "$0")/../check.sh"
# Three replications: their seeds, like the points', must not depend on the
# threads.  The points only: the capacity search is checked below.
run() { "$sim" --quiet --workload high-bimodal --format csv --no-capacity --requests 40000 --replications 3 "$@"; }

# Every policy psp-sim lists.
policies=$("$sim" --list | awk '/^policies:/ {on = 1; next} /^[a-z]/ {on = 0} on && /^  [a-z]/ {print $1}')
[ -n "$policies" ] || { echo "FAIL: --list names no policy"; exit 1; }
for p in $policies; do
  extra=()
  [ "$p" = darc ] && extra=(--darc-samples 5000)
  [ "$p" = dfcfs ] || [ "$p" = ws ] && extra=(--placement random)
  run --policy "$p" --load 0.3,0.6,0.8 "${extra[@]}" --jobs 1 >"$tmp/a.$p"
  run --policy "$p" --load 0.3,0.6,0.8 "${extra[@]}" --jobs 2 >"$tmp/b.$p"
  check "$p: same seed, 1 vs 2 threads" cmp -s "$tmp/a.$p" "$tmp/b.$p"
done
run --policy darc --load 0.6 --darc-samples 5000 | tail -n +2 >"$tmp/alone"
grep ',0.6000,' "$tmp/a.darc" >"$tmp/insweep"
check "a point alone equals the same point in a sweep" cmp -s "$tmp/alone" "$tmp/insweep"
run --policy darc --load 0.3,0.6,0.8 --darc-samples 5000 --seed 2 >"$tmp/c"
differs() { ! cmp -s "$1" "$2"; }
check "another seed gives other numbers" differs "$tmp/a.darc" "$tmp/c"
check "every row has the documented columns" \
  bash -c "head -1 '$tmp/a.darc' | grep -q '^policy,workload,workers,load,offered_rps,achieved_rps,type,count,mean_us,p50_us,p99_us,p999_us,p999_slowdown,mean_slowdown'"
check "3 loads x (2 types + ALL) rows" test "$(tail -n +2 "$tmp/a.cfcfs" | wc -l)" -eq 9
# The capacity search too (its CSV and the table's summary).
"$sim" --quiet -w high-bimodal -p darc,cfcfs -n 40000 -r 2 --darc-samples 5000 -j 1 >"$tmp/t1"
"$sim" --quiet -w high-bimodal -p darc,cfcfs -n 40000 -r 2 --darc-samples 5000 -j 2 >"$tmp/t2"
check "table with the capacity summary: 1 vs 2 threads" cmp -s "$tmp/t1" "$tmp/t2"
check "the table has the capacity ratio to the baseline, and the verdict" grep -q "cfcfs / darc: " "$tmp/t1"
check "... and ends with the verdict" grep -q "^  darc sustains the most load" "$tmp/t1"

checks_done
