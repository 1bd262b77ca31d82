#!/usr/bin/env bash
# psp-sim warns, on one stderr line each, about what would otherwise cost a
# user an afternoon, and still runs (exit 0).
#   usage: warnings.sh PSP_SIM   (PSP_WORKLOAD_PATH set)
set -u
sim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
# warns PATTERN -- ARGS...: exit 0 and a stderr line matching PATTERN;
# quiet PATTERN -- ARGS...: exit 0 and no such line.
run() { "$sim" --quiet --no-capacity -r 1 "$@" >"$tmp/out" 2>"$tmp/err"; }
warns() {
  local pattern=$1; shift 2
  if run "$@" && grep -Eq -- "warning: $pattern" "$tmp/err"; then passes=$((passes + 1)); else
    fails=$((fails + 1)); echo "FAIL: psp-sim $* did not warn /$pattern/:"; sed 's/^/    /' "$tmp/err"; fi
}
quiet() {
  local pattern=$1; shift 2
  if run "$@" && ! grep -Eq -- "warning: $pattern" "$tmp/err"; then passes=$((passes + 1)); else
    fails=$((fails + 1)); echo "FAIL: psp-sim $* warned /$pattern/ or failed:"; sed 's/^/    /' "$tmp/err"; fi
}
hb=(--workload high-bimodal --load 0.5)
warns "--quantum-us is ignored by cfcfs" -- "${hb[@]}" -p cfcfs,ts --quantum-us 3 -n 20000
quiet "ignored" -- "${hb[@]}" -p ts --quantum-us 3 -n 20000
warns "5400 measured requests per replication.*fewer than 10000" -- "${hb[@]}" -p cfcfs -n 6000 --warmup 0.1
quiet "measured requests" -- "${hb[@]}" -p cfcfs -n 20000
warns "phase 1 lasts .* fewer than darc_samples" -- --workload dynamic --load 0.8 -p darc --phase-scale 0.002
quiet "phase" -- --workload dynamic --load 0.8 -p cfcfs --phase-scale 0.002
warns "--requests is ignored: dynamic is phased" -- --workload dynamic --load 0.8 -p cfcfs --phase-scale 0.002 -n 5000
# the capacity search says when runs were too short to judge stability
if "$sim" --quiet -r 1 --workload extreme-bimodal -p ts --slo 50 -n 100000 --format csv \
     --slo-output "$tmp/cap.csv" >/dev/null 2>"$tmp/err" &&
   grep -q "warning: ts met the SLO up to load .* too short to tell" "$tmp/err"; then
  passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: no warning about unjudged loads:"; cat "$tmp/err"; fi
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
