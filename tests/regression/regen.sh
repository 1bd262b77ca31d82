#!/usr/bin/env bash
# Regenerates the policy regression matrix: every workload in workloads/ x
# every policy x loads 0.5, 0.7, 0.9, 50,000 requests, seed 1, 14 workers.
#
#   tests/regression/regen.sh [PSP_SIM] [OUT]
#
# PSP_SIM defaults to build/bin/psp-sim, OUT to tests/regression/expected.csv.
# Run it on purpose, when a change of the simulator or of a policy is meant
# to change results, and commit expected.csv with that change (the diff of
# expected.csv shows what moved).  compare.sh runs the same matrix.
#
# psp-sim is deterministic for a given binary; the CSV prints fixed
# precision (3 decimals of us), so the numbers are the same for every build
# of the same sources unless floating point is evaluated differently (see
# compare.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sim=${1:-$root/build/bin/psp-sim}
out=${2:-$here/expected.csv}
[ -x "$sim" ] || { echo "regen.sh: no psp-sim at $sim (build first, or pass its path)" >&2; exit 2; }
export PSP_WORKLOAD_PATH=$root/workloads
policies="cfcfs dfcfs darc ts sjf"
loads=0.5,0.7,0.9
# Every knob spelled out, so a change of psp-sim's defaults does not move the
# matrix silently.  50,000 requests per point; DARC profiles 5,000
# completions so it reserves within the run.  dynamic runs its 4 phases of
# 5 s scaled by 0.002 (10 ms each).
common=(--workers 14 --seed 1 --warmup 0.1 --quantum-us 5 --preempt-cost-us 0
        --darc-samples 5000 --darc-delta 0.2 --placement round-robin
        --format csv --quiet --jobs 2)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
first=1
for wl in "$root"/workloads/*.yml; do
  name=$(basename "$wl" .yml)
  for p in $policies; do
    if grep -q '^phases:' "$wl"; then
      size=(--phase-scale 0.002)
    else
      size=(--requests 50000)
    fi
    "$sim" --workload "$name" --policy "$p" --load "$loads" "${size[@]}" "${common[@]}" >"$tmp"
    if [ $first = 1 ]; then head -1 "$tmp"; first=0; fi
    tail -n +2 "$tmp"
  done
done >"$out.new"
mv "$out.new" "$out"
echo "regen.sh: wrote $(($(wc -l <"$out") - 1)) rows to $out" >&2
