#!/usr/bin/env bash
# DARC's robust variant against the paper's rule, through psp-sim: on the
# paper's four workloads at their SLOs, robust's capacity never lies below
# the paper's by more than their ranges allow (robust's upper end >= the
# paper's lower end); psp-sim refuses bad robust knobs with exit 2 and the
# knob's name.  Capacity searches with 3 replications of 300,000 requests
# (DARC profiling 20,000 completions): with fewer than 6 replications a
# capacity's range is a bracket (capacity to the lowest failing load,
# docs/statistics.md), so this checks that robust fails no load below the
# paper's capacity: a robust rule that lost a whole step would fail here.
#   usage: darc_robust.sh PSP_SIM   (PSP_WORKLOAD_PATH set)
set -u
sim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }

for knob in "--darc-variant fast" "--darc-sizing ceil" "--darc-ratio-source both" \
            "--darc-hysteresis 0.1" "--darc-starvation-guard -1"; do
  set -- $knob
  "$sim" -w high-bimodal -p darc "$@" -l 0.5 -n 1000 --quiet >/dev/null 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 2 ] && grep -q -- "$1: must be" "$tmp/err"; then ok; else
    bad "$knob: exit $rc, message: $(cat "$tmp/err")"; fi
done
"$sim" -w high-bimodal -p cfcfs --darc-variant robust -l 0.5 -n 1000 --quiet >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q -- "--darc-variant: no selected policy reads it" "$tmp/err"; then ok; else
  bad "cfcfs with --darc-variant: $(cat "$tmp/err")"; fi

for c in "high-bimodal 20" "extreme-bimodal 50" "tpcc 10" "rocksdb 20"; do
  set -- $c
  wl=$1 slo=$2
  for v in paper robust; do
    "$sim" --quiet -w "$wl" -p darc --darc-variant "$v" --darc-samples 20000 -l 0.5 --slo "$slo" \
      -r 3 -n 300000 -j 2 --format csv --slo-output "$tmp/$v.csv" >/dev/null 2>"$tmp/err" ||
      { bad "$wl $v: psp-sim failed: $(cat "$tmp/err")"; continue; }
  done
  p=$(awk -F, 'NR == 2 {print $7, $8, $9}' "$tmp/paper.csv")
  r=$(awk -F, 'NR == 2 {print $7, $8, $9}' "$tmp/robust.csv")
  echo "$wl (${slo}x): paper $p, robust $r (capacity [lo, hi])"
  set -- $p $r
  if awk -v plo="$2" -v rhi="$6" 'BEGIN {exit !(rhi + 0 >= plo + 0)}'; then ok; else
    bad "$wl: robust's capacity $4 [$5, $6] below the paper's $1 [$2, $3]"; fi
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
