#!/usr/bin/env bash
# The overload verdict comes from stability, not from the run length:
# stable points (loads at most 0.9 of what the policy sustains) are never
# flagged, from 1,000 to 10,000,000 requests (a run too short to judge
# leaves the cell empty, never 0: that is tests/sim/warnings.sh's); points fed faster than they
# are served, and a type that starves, are flagged by 200,000 requests.
#   usage: overload.sh PSP_SIM [--sanitized]   (PSP_WORKLOAD_PATH set)
# --sanitized (the ASan+UBSan build): the same cases without the 1 M and
# 10 M request runs, which the normal build covers (memory errors do not need
# them, and they take minutes under the sanitizers).
# The verdict needs the drift to stand out of the noise: about
# n > 9 (1 + c^2) / (rho - 1)^2 arrivals for an overload rho of a mix whose
# service times have squared coefficient of variation c^2 (45,000 on
# high-bimodal at 1.02; some 3 M on extreme-bimodal, which is why the
# unstable cases below are on the lower-variance mixes).
set -u
sim=$1
lengths="1000 10000 100000 1000000"
[ "${2:-}" = --sanitized ] && lengths="1000 10000 100000"
data=$(cd "$(dirname "$0")/../data/workloads" && pwd)
fails=0 passes=0
verdict() { # ARGS... -> the ALL row's overloaded column ("-": not judged)
  "$sim" --quiet --format csv --replications 1 --no-capacity --jobs 2 "$@" 2>/dev/null |
    awk -F, 'NR > 1 && $7 == "ALL" {print ($15 == "" ? "-" : $15)}' | tr '\n' ' '
}
expect() { # WANT DESCRIPTION ARGS...   (WANT "0 0 " for stable: 0 or not judged)
  local want=$1 what=$2; shift 2
  local got
  got=$(verdict "$@")
  [ "$want" = "${want//1/}" ] && got=${got//-/0}
  if [ "$got" = "$want" ]; then passes=$((passes + 1)); else
    fails=$((fails + 1)); echo "FAIL: $what: psp-sim $* -> overloaded '$got', want '$want'"; fi
}
# DARC profiles this many completions: a fifth of a short run (its profile
# is never measured, so it must end well inside the run).
darc_samples() { echo $(($1 < 25000 ? $1 / 5 : 5000)); }
# Stable: every policy below 0.9 of what it sustains (DARC on high-bimodal
# sustains 13/13.86 = 0.938: LONG may not use SHORT's core), several lengths.
for n in $lengths; do
  for p in cfcfs jbsq ws sjf ts; do
    expect "0 0 " "stable $p n=$n" -w high-bimodal -p "$p" -l 0.5,0.9 -n "$n"
  done
  for p in dfcfs tq concord; do
    expect "0 " "stable $p n=$n" -w high-bimodal -p "$p" -l 0.85 -n "$n"
  done
  expect "0 " "stable darc n=$n" -w high-bimodal -p darc -l 0.8 -n "$n" \
    --darc-samples "$(darc_samples "$n")"
  for p in cfcfs dfcfs ts; do
    expect "0 " "stable $p extreme-bimodal n=$n" -w extreme-bimodal -p "$p" -l 0.8 -n "$n"
    expect "0 " "stable $p tpcc n=$n" -w tpcc -p "$p" -l 0.8 -n "$n"
  done
  for wl in extreme-bimodal tpcc; do
    expect "0 " "stable darc $wl n=$n" -w "$wl" -p darc -l 0.8 -n "$n" \
      --darc-samples "$(darc_samples "$n")"
  done
done
if [ "${2:-}" != --sanitized ]; then
  expect "0 " "stable cfcfs n=10M" -w high-bimodal -p cfcfs -l 0.9 -n 10000000
  expect "0 " "stable darc n=10M" -w extreme-bimodal -p darc -l 0.8 -n 10000000
fi
# Unstable: fed faster than served, flagged by 200,000 requests.
for seed in 1 2 3; do
  for wl in high-bimodal exponential tpcc; do
    for p in cfcfs ws ts; do
      expect "1 1 " "unstable $p $wl seed $seed" -w "$wl" -p "$p" -l 1.02,1.05 \
        --allow-overload -n 200000 -s "$seed"
    done
  done
  # DARC past its own capacity on high-bimodal (0.938)
  expect "1 " "unstable darc seed $seed" -w high-bimodal -p darc -l 0.96 -n 200000 -s "$seed" \
    --darc-samples 5000
  # A starving type: C needs 1.33 cores, DARC gives it 1 and C may not
  # steal; the point must say so, and name C.  Not every seed shows it
  # within the 250,000 requests measured after DARC's profile of 50,000
  # (C is 0.1% of them): seeds 1, 2 and 4 do with the sampler's xoshiro
  # streams.
  starving_seed=$(echo "1 2 4" | cut -d' ' -f"$seed")
  got=$("$sim" --quiet --format csv -r 1 -w rare-long -p darc -l 0.8 -n 300000 -s "$starving_seed" \
        2>/dev/null | awk -F, 'NR > 1 && $7 == "C" {print $15, $20, $22}')
  if [ "$got" = "1 C 1" ]; then passes=$((passes + 1)); else
    fails=$((fails + 1)); echo "FAIL: starving type C, seed $starving_seed: got '$got' (overloaded, overloaded_types, growing)"; fi
  # ... while c-FCFS serves every type on the same arrivals
  expect "0 " "rare-long under cfcfs seed $seed" -w rare-long -p cfcfs -l 0.8 -n 200000 -s "$seed"
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
