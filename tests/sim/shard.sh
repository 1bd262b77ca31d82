#!/usr/bin/env bash
# psp-sim --shard / --merge: the shards of a run merge into exactly what the
# unsharded run prints (table, CSV, JSON, the capacity CSV), whatever the
# number of shards and threads; a merge refuses shards of another run
# (flags, seed, workload contents, version) and incomplete, doubled or
# truncated sets, naming what differs or is missing.
#   usage: shard.sh PSP_SIM   (PSP_WORKLOAD_PATH set)
set -u
sim=$1
. "$(dirname "$0")/../check.sh"
# refuses PATTERN FILE...: the merge fails with status 2 and says PATTERN
refuses() {
  local pattern=$1; shift
  "$sim" --merge "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne 2 ] || [ -s "$tmp/out" ] || ! grep -Eq -- "$pattern" "$tmp/err"; then
    echo "FAIL: merge of $* -> exit $got, stdout $(wc -c <"$tmp/out") bytes, stderr:"
    sed 's/^/    /' "$tmp/err"; echo "    (wanted /$pattern/)"
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}

run=(--quiet -w high-bimodal -p darc,cfcfs -n 20000 -r 3 -l 0.3,0.6,0.8 --darc-samples 2000)
# shard NAME N ARGS...: the N shards of run + ARGS, into $tmp/NAME.I
shard() {
  local name=$1 n=$2; shift 2
  for i in $(seq "$n"); do
    "$sim" "${run[@]}" "$@" --shard "$i/$n" --output "$tmp/$name.$i" 2>/dev/null ||
      echo "FAIL: --shard $i/$n $*"
  done
}

# Without a capacity search a unit is a replication (18 units here).
shard nc 4 --no-capacity -j 1
check "units are replications without a search" grep -q '^units 18 replications$' "$tmp/nc.1"
for f in table csv json; do
  "$sim" "${run[@]}" --no-capacity --format $f >"$tmp/whole.$f" 2>/dev/null
  "$sim" --merge --format $f "$tmp"/nc.? >"$tmp/merged.$f" 2>/dev/null
  check "no capacity, 4 shards: $f merge = unsharded run" cmp -s "$tmp/whole.$f" "$tmp/merged.$f"
done
# More shards than units (empty shards) and --output on the merge.
shard many 20 --no-capacity -j 2
"$sim" --merge --format csv --output "$tmp/many.csv" "$tmp"/many.* 2>/dev/null
check "20 shards of 18 units, 2 threads: csv merge = unsharded run" cmp -s "$tmp/whole.csv" "$tmp/many.csv"
# The threads of a shard change nothing in its file.
"$sim" "${run[@]}" --no-capacity --shard 2/4 -j 2 --output "$tmp/nc2.j2" 2>/dev/null
check "a shard's file is the same with 1 and 2 threads" cmp -s "$tmp/nc.2" "$tmp/nc2.j2"

# Knobs in any order, a boolean knob: the same run.
"$sim" "${run[@]}" --no-capacity --no-steal --darc-delta 0.3 --shard 1/2 --output "$tmp/knob.1" 2>/dev/null
"$sim" "${run[@]}" --no-capacity --darc-delta 0.3 --no-steal --shard 2/2 --output "$tmp/knob.2" 2>/dev/null
"$sim" "${run[@]}" --no-capacity --no-steal --darc-delta 0.3 --format csv >"$tmp/knob.whole" 2>/dev/null
"$sim" --merge --format csv "$tmp"/knob.? >"$tmp/knob.merged" 2>/dev/null
check "knobs given in another order, a boolean knob: merge = unsharded run" cmp -s "$tmp/knob.whole" "$tmp/knob.merged"

# With the workload's SLO every format searches capacities: a unit is a policy.
shard cap 2 -j 2
check "units are policies with a search" grep -q '^units 2 policies$' "$tmp/cap.1"
"$sim" "${run[@]}" >"$tmp/whole-cap.table" 2>/dev/null
"$sim" --merge "$tmp"/cap.? >"$tmp/merged-cap.table" 2>/dev/null
check "capacity: table merge = unsharded run" cmp -s "$tmp/whole-cap.table" "$tmp/merged-cap.table"
check "the table has the capacity ratio to the baseline" grep -q "cfcfs / darc: " "$tmp/merged-cap.table"
"$sim" "${run[@]}" --format json --slo-output "$tmp/whole-slo.csv" >"$tmp/whole-cap.json" 2>/dev/null
"$sim" --merge --format json --slo-output "$tmp/merged-slo.csv" "$tmp"/cap.? >"$tmp/merged-cap.json" 2>/dev/null
check "capacity: json merge = unsharded run" cmp -s "$tmp/whole-cap.json" "$tmp/merged-cap.json"
check "capacity: --slo-output merge = unsharded run" cmp -s "$tmp/whole-slo.csv" "$tmp/merged-slo.csv"

# --verify: 0 for this run's shard, 1 for another's or none.
"$sim" "${run[@]}" --no-capacity --shard 3/4 --verify --output "$tmp/nc.3" 2>/dev/null
check "--verify accepts this run's shard" test $? -eq 0
"$sim" "${run[@]}" --no-capacity --shard 2/4 --verify --output "$tmp/nc.3" 2>/dev/null
check "--verify refuses another slice" test $? -eq 1
"$sim" "${run[@]}" --no-capacity --seed 2 --shard 3/4 --verify --output "$tmp/nc.3" 2>/dev/null
check "--verify refuses another run's shard" test $? -eq 1

# Refusals.
refuses 'incomplete set: 2 of 4 shards missing: 2/4, 4/4' "$tmp/nc.1" "$tmp/nc.3"
refuses 'shard 3/4 is given twice' "$tmp/nc.1" "$tmp/nc.2" "$tmp/nc.3" "$tmp/nc.3" "$tmp/nc.4"
"$sim" "${run[@]}" --no-capacity -n 30000 --shard 2/4 --output "$tmp/other.2" 2>/dev/null
refuses 'different runs: flags differ: --requests 20000 vs 30000' "$tmp/nc.1" "$tmp/other.2" "$tmp/nc.3" "$tmp/nc.4"
"$sim" "${run[@]}" --no-capacity --seed 7 --shard 2/4 --output "$tmp/seed.2" 2>/dev/null
refuses 'different runs: flags differ: --seed 1 vs 7' "$tmp/nc.1" "$tmp/seed.2" "$tmp/nc.3" "$tmp/nc.4"
"$sim" "${run[@]}" --no-capacity --shard 2/3 --output "$tmp/three.2" 2>/dev/null
refuses 'sliced differently: 1/4 vs 2/3' "$tmp/nc.1" "$tmp/three.2"
sed 's/^version .*/version 0.0.0-other/' "$tmp/nc.2" >"$tmp/version.2"
refuses 'version.2:9: the checksum of the header above does not match' "$tmp/nc.1" "$tmp/version.2" "$tmp/nc.3" "$tmp/nc.4"
# The same workload name from a file whose contents differ.
cp "$PSP_WORKLOAD_PATH/high-bimodal.yml" "$tmp/high-bimodal.yml"
echo "# an edit" >>"$tmp/high-bimodal.yml"
PSP_WORKLOAD_PATH=$tmp "$sim" "${run[@]}" --no-capacity --shard 2/4 --output "$tmp/edited.2" 2>/dev/null
refuses "workload high-bimodal's file contents differ" "$tmp/nc.1" "$tmp/edited.2" "$tmp/nc.3" "$tmp/nc.4"
# ... and merging where the workload file is not the shards'.
PSP_WORKLOAD_PATH=$tmp "$sim" --merge "$tmp"/nc.? >/dev/null 2>"$tmp/err"
check "a merge refuses a workload file that is not the shards'" grep -q "differs from the workload the shards ran" "$tmp/err"
head -c 700 "$tmp/nc.2" >"$tmp/cut.2"
refuses 'truncated shard file' "$tmp/nc.1" "$tmp/cut.2" "$tmp/nc.3" "$tmp/nc.4"
refuses 'not a psp-sim shard file' "$tmp/whole.csv"
"$sim" --merge -n 5 "$tmp"/nc.? >/dev/null 2>"$tmp/err"
check "--merge refuses run flags" grep -q "not with --merge" "$tmp/err"
"$sim" "${run[@]}" --shard 1/2 --timeline "$tmp/t.csv" >/dev/null 2>"$tmp/err"
check "--shard refuses --timeline" grep -q "not available with --shard" "$tmp/err"
"$sim" "${run[@]}" --shard 0/2 >/dev/null 2>"$tmp/err"
check "--shard 0/2 is refused" grep -q "must be I/N" "$tmp/err"

checks_done
