#!/usr/bin/env bash
# psp-sweep on this machine: a sweep file's cells, sharded and merged, equal
# unsharded psp-sim runs (table with capacities, and the capacity CSV); a
# job that fails is named and --resume / --only re-run it alone; bad sweep
# files are refused with the file, line and key.
#   usage: local.sh PSP_SWEEP PSP_SIM   (PSP_WORKLOAD_PATH set)
set -u
sweep=$1 sim=$2
. "$(dirname "$0")/../check.sh"

cat >"$tmp/s.yml" <<'Y'
name: small
workloads: [high-bimodal]
policies: [darc, cfcfs]
knobs:
  darc_samples: [2000, 3000]
loads: [0.3, 0.7]
replications: 2
requests: 20000
seed: 3
shards: 3
format: table
capacity: true
Y
"$sweep" "$tmp/s.yml" --local --quiet -o "$tmp/a" --psp-sim "$sim"
check "a local sweep succeeds" test $? -eq 0
for ds in 2000 3000; do
  cell=high-bimodal-k14-darc_samples-$ds
  "$sim" --quiet -w high-bimodal -k 14 -p darc,cfcfs -l 0.3,0.7 -r 2 -n 20000 --seed 3 \
    --darc-samples $ds --slo-output "$tmp/cap.$ds" >"$tmp/whole.$ds" 2>/dev/null
  check "$cell: merged table = unsharded run" cmp -s "$tmp/whole.$ds" "$tmp/a/$cell.txt"
  check "$cell: merged capacity CSV = unsharded run" cmp -s "$tmp/cap.$ds" "$tmp/a/$cell.capacity.csv"
done
check "the merged table has the capacities" grep -q "cfcfs / darc: " "$tmp/a/high-bimodal-k14-darc_samples-2000.txt"

# A psp-sim that fails slice 2 of every cell.
cat >"$tmp/flaky" <<F
#!/bin/sh
case " \$* " in *" --verify "*) ;; *" --shard 2/3 "*) echo "simulated crash" >&2; exit 3 ;; esac
exec "$sim" "\$@"
F
chmod +x "$tmp/flaky"
"$sweep" "$tmp/s.yml" --local --quiet -o "$tmp/b" --psp-sim "$tmp/flaky" 2>"$tmp/err"
check "a failed job fails the sweep" test $? -eq 1
check "the failed job is named with its status and log" \
  grep -q "high-bimodal-k14-darc_samples-2000.2of3: exit status 3 (log: $tmp/b/logs/" "$tmp/err"
check "its cell is not merged" test ! -e "$tmp/b/high-bimodal-k14-darc_samples-2000.txt"
"$sweep" "$tmp/s.yml" --local -o "$tmp/b" --psp-sim "$sim" --only high-bimodal-k14-darc_samples-2000.2of3 2>"$tmp/err"
check "--only re-runs one job and merges its cell" cmp -s "$tmp/whole.2000" "$tmp/b/high-bimodal-k14-darc_samples-2000.txt"
"$sweep" "$tmp/s.yml" --local -o "$tmp/b" --psp-sim "$sim" --resume 2>"$tmp/err"
check "--resume runs only the missing job" grep -q "resume: 5 of 6 jobs already done" "$tmp/err"
check "... and the sweep is then complete" cmp -s "$tmp/whole.3000" "$tmp/b/high-bimodal-k14-darc_samples-3000.txt"
# A shard of another run on disk does not verify: --resume runs it again.
cp "$tmp/b/shards/high-bimodal-k14-darc_samples-3000.1of3.shard" \
   "$tmp/b/shards/high-bimodal-k14-darc_samples-2000.1of3.shard"
"$sweep" "$tmp/s.yml" --local -o "$tmp/b" --psp-sim "$sim" --resume 2>"$tmp/err"
check "--resume re-runs a shard that does not verify" grep -q "resume: 5 of 6 jobs already done" "$tmp/err"
check "... and the merge is right again" cmp -s "$tmp/whole.2000" "$tmp/b/high-bimodal-k14-darc_samples-2000.txt"

# Bad sweep files: file, line and key.
bad() { # PATTERN YAML
  printf '%s\n' "$2" >"$tmp/bad.yml"
  "$sweep" "$tmp/bad.yml" --local -o "$tmp/c" --psp-sim "$sim" 2>"$tmp/err" >/dev/null
  local got=$?
  if [ $got -eq 2 ] && grep -Eq -- "$1" "$tmp/err"; then passes=$((passes + 1)); else
    echo "FAIL: bad sweep file -> exit $got, stderr:"; sed 's/^/    /' "$tmp/err"; echo "    (wanted /$1/)"; fails=$((fails + 1)); fi
}
bad 'bad.yml:2:1: worklods: unknown key' $'workloads: [high-bimodal]\nworklods: x'
bad 'bad.yml:3:3: knobs: unknown knob .quantum.' $'workloads: [tpcc]\nknobs:\n  quantum: [1]'
bad 'bad.yml: workloads: is required' 'policies: [darc]'
bad 'bad.yml:2:9: shards: expected a whole number in 1..100000' $'workloads: [tpcc]\nshards: 0'
bad 'options: --seed is set by the sweep' $'workloads: [tpcc]\noptions: [--seed, "2"]'
bad "psp-sim refuses its flags" $'workloads: [tpcc]\npolicies: [nosuch]'
bad "unknown policy 'nosuch'" $'workloads: [tpcc]\npolicies: [nosuch]'
bad 'bad.yml:[0-9]+:[0-9]+: YAML' $'workloads: [tpcc\n'

checks_done
