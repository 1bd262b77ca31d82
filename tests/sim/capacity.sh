#!/usr/bin/env bash
# The capacity search agrees with a sweep at the same settings: no load the
# sweep shows under the SLO (not overloaded, stability judged) lies above the reported
# capacity, even where the curve is not monotone; the capacity lies in its
# interval; the search does not depend on --jobs; CSV outputs are plain
# tables (one header line, no comments).
#   usage: capacity.sh PSP_SIM [--sanitized]   (PSP_WORKLOAD_PATH set)
# --sanitized: 30,000 requests a point instead of 100,000 (the checks are the
# same; the sanitizers make long runs slow).
set -u
sim=$1
requests=100000
[ "${2:-}" = --sanitized ] && requests=30000
. "$(dirname "$0")/../check.sh"
for c in "high-bimodal darc 20 --darc-samples 5000" "extreme-bimodal ts 50" "tpcc cfcfs 10" "high-bimodal jbsq 20"; do
  set -- $c
  wl=$1 p=$2 slo=$3; shift 3
  args=(--quiet -w "$wl" -p "$p" --slo "$slo" -r 3 -n "$requests" --format csv "$@")
  "$sim" "${args[@]}" -j 2 --slo-output "$tmp/cap2.csv" >"$tmp/sweep.csv" 2>/dev/null
  "$sim" "${args[@]}" -j 1 --slo-output "$tmp/cap1.csv" >/dev/null 2>&1
  check "$c: capacity the same with 1 and 2 jobs" cmp -s "$tmp/cap1.csv" "$tmp/cap2.csv"
  check "$c: --slo-output has its header and one row" \
    test "$(head -1 "$tmp/cap2.csv" | cut -d, -f1-9)" = "policy,workload,workers,slo,replications,found,capacity_load,capacity_lo,capacity_hi" -a "$(wc -l <"$tmp/cap2.csv")" -eq 2
  check "$c: the sweep CSV is one table" bash -c "! grep -q '^#' '$tmp/sweep.csv'"
  cap=$(awk -F, 'NR == 2 {print $7}' "$tmp/cap2.csv")
  lo=$(awk -F, 'NR == 2 {print $8}' "$tmp/cap2.csv")
  hi=$(awk -F, 'NR == 2 {print $9}' "$tmp/cap2.csv")
  above=$(awk -F, -v cap="$cap" -v slo="$slo" \
    'NR > 1 && $7 == "ALL" && $15 == 0 && $21 == 1 && $13 + 0 <= slo + 0 && $4 + 0 > cap + 0 {print $4}' "$tmp/sweep.csv")
  check "$c: no sweep load under the SLO above the capacity $cap (found: $above)" test -z "$above"
  check "$c: capacity $cap in its interval [$lo, $hi]" \
    awk -v c="$cap" -v l="$lo" -v h="$hi" 'BEGIN {exit !(l <= c && c <= h)}'
  echo "$c: capacity $cap [$lo, $hi]"
done
checks_done
