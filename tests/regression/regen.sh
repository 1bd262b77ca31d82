#!/usr/bin/env bash
# Regenerates the policy regression matrix: every workload in workloads/ x
# every policy x loads 0.5, 0.7, 0.9, 50,000 requests, seed 1, 14 workers.
# A new policy is added to the last of policy_sets, with its knobs in
# knobs(), and the matrix regenerated in the same commit.
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
# Blocks, so that adding policies appends rows and the earlier blocks stay
# byte-identical: the round-1 policies, the next four, then rts and the
# model-only bounds.
policy_sets=("cfcfs dfcfs darc ts sjf" "jbsq ws tq concord" "rts srpt psjf ps fb")
loads=0.5,0.7,0.9
# Every knob spelled out, so a change of psp-sim's defaults does not move the
# matrix silently: host flags for every policy, then each policy's own
# knobs (psp-sim refuses a knob the selected policy does not read).
# 50,000 requests per point; DARC profiles 5,000 completions so it reserves
# within the run.  dynamic runs its 4 phases of 5 s scaled by 0.002 (10 ms
# each).
common=(--workers 14 --seed 1 --warmup 0.1 --replications 1 --format csv --no-capacity --quiet --jobs 2)
knobs() {
  case $1 in
    dfcfs)   echo --placement round-robin ;;
    darc)    echo --darc-samples 5000 --darc-delta 0.2 ;;
    ts)      echo --quantum-us 5 --preempt-cost-us 0 ;;
    jbsq)    echo --slots 2 ;;
    ws)      echo --placement round-robin --steal-cost-ns 0 ;;
    tq)      echo --slots 16 --quantum-us 5 --preempt-cost-us 0 ;;
    concord) echo --slots 2 --quantum-us 5 --preempt-cost-us 0 ;;
    rts)     echo --quantum-us 5 --preempt-cost-us 0 --rts-borrow sliced ;;
  esac
}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
first=1
for set in "${policy_sets[@]}"; do
for wl in "$root"/workloads/*.yml; do
  name=$(basename "$wl" .yml)
  for p in $set; do
    if grep -q '^phases:' "$wl"; then
      size=(--phase-scale 0.002)
    else
      size=(--requests 50000)
    fi
    # shellcheck disable=SC2046 # knobs are words
    "$sim" --workload "$name" --policy "$p" --load "$loads" "${size[@]}" "${common[@]}" $(knobs "$p") >"$tmp"
    if [ $first = 1 ]; then head -1 "$tmp"; first=0; fi
    tail -n +2 "$tmp"
  done
done
done >"$out.new"
mv "$out.new" "$out"
echo "regen.sh: wrote $(($(wc -l <"$out") - 1)) rows to $out" >&2
