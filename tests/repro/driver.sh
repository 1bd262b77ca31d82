#!/usr/bin/env bash
# tools/psp-reproduce on small files: what it measures is psp-sim's own figure,
# its verdicts follow the tolerance, --check fails when a headline expected to
# reproduce does not, and a bad reproduction file is refused naming its file,
# section and key (exit 2).
#   usage: driver.sh PSP_REPRODUCE PSP_SIM   (PSP_WORKLOAD_PATH set)
set -u
repro=$1 sim=$2
. "$(dirname "$0")/../check.sh"

# file NAME PUBLISHED EXPECT [EXTRA KEY LINES]: a one-headline file on c-FCFS's
# p99.9 slowdown at load 0.5 (20,000 requests, 6 replications: a second of CPU).
file() {
  cat >"$tmp/$1.ini" <<END
[reproduction]
title = test
source = none: a test of the driver
requests = 20000
replications = 6
fast_requests = 20000
fast_replications = 6

[run r]
args = -w high-bimodal -p cfcfs -l 0.5 --no-capacity

[headline h]
claim = c-FCFS's p99.9 slowdown at 0.5
source = none
setting = High Bimodal, load 0.5
run = r
metric = stat
policy = cfcfs
stat = p999_slowdown
load = 0.5
published = $2
tolerance = 10%
expect = $3
${4:-}
END
}

# What psp-sim itself prints for that point.
"$sim" --quiet -w high-bimodal -p cfcfs -l 0.5 --no-capacity -n 20000 -r 6 --format csv -j 2 >"$tmp/sim.csv"
read -r v vlo vhi < <(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
  $c["type"] == "ALL" {print $c["p999_slowdown"], $c["p999_slowdown_lo"], $c["p999_slowdown_hi"]}' "$tmp/sim.csv")
check "psp-sim printed the point ($v [$vlo, $vhi])" test -n "$vhi"

file same "$v" reproduced "fast = yes"
"$repro" --sim "$sim" --check --format csv "$tmp/same.ini" >"$tmp/same.csv" 2>"$tmp/err"
check "a published value psp-sim measures: exit 0" test $? -eq 0
row=$(awk -F, 'NR == 2' "$tmp/same.csv")
check "the measured value and interval are psp-sim's ($row)" \
  awk -F, -v v="$v" -v lo="$vlo" -v hi="$vhi" 'NR == 2 {d = $6 - v; e = $7 - lo; f = $8 - hi
    exit !(d * d < 1e-6 && e * e < 1e-6 && f * f < 1e-6 && $11 == "reproduced")}' "$tmp/same.csv"
"$repro" --sim "$sim" --fast --check "$tmp/same.ini" >"$tmp/fast.txt" 2>&1
check "--fast runs a fast = yes headline" grep -q "^summary: 1 reproduced" "$tmp/fast.txt"

# 2x the measured value, expected to reproduce: --check fails, naming it.
twice=$(awk -v v="$v" 'BEGIN {print 2 * v}')
file off "$twice" reproduced
"$repro" --sim "$sim" --check "$tmp/off.ini" >"$tmp/off.txt" 2>"$tmp/err"
check "--check: a headline that stops reproducing exits 1" test $? -eq 1
check "... and is named as a regression" grep -q "REGRESSION: .*off.ini: h: expected to reproduce: differs: measured is 0.50x the published (-50%)" "$tmp/err"
"$repro" --sim "$sim" "$tmp/off.ini" >"$tmp/off.txt" 2>"$tmp/err"
check "without --check the same run exits 0" test $? -eq 0
check "... and says it differs" grep -q "differs: measured is 0.50x" "$tmp/off.txt"
# Within the tolerance (1.08x) reproduces; beyond it (1.12x) differs.
file in "$(awk -v v="$v" 'BEGIN {print v * 1.08}')" reproduced
file out "$(awk -v v="$v" 'BEGIN {print v * 1.12}')" reproduced
check "8% off with a 10% tolerance reproduces" bash -c "'$repro' --sim '$sim' --check '$tmp/in.ini' >/dev/null"
check "12% off with a 10% tolerance differs" bash -c "! '$repro' --sim '$sim' --check '$tmp/out.ini' >/dev/null 2>&1"
# --fast skips a headline not marked fast
check "--fast: no fast headline, nothing run" bash -c "'$repro' --sim '$sim' --fast '$tmp/out.ini' | grep -qx 'summary: no headline run'"

# refused NAME PATTERN: the file is refused (exit 2) with a message matching PATTERN.
refused() {
  "$repro" --sim "$sim" "$tmp/$1.ini" >/dev/null 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 2 ] && grep -Eq -- "$2" "$tmp/err"; then passes=$((passes + 1)); else
    fails=$((fails + 1)); echo "FAIL: $1: exit $rc, wanted 2 and /$2/:"; sed 's/^/    /' "$tmp/err"; fi
}
file tol "$v" reproduced; sed -i 's/^tolerance = 10%/tolerance = 0.1/' "$tmp/tol.ini"
refused tol "tol.ini: \[headline h\] tolerance: expected a percentage"
file key "$v" reproduced "tolerence = 5%"
refused key "key.ini: \[headline h\] tolerence: unknown key"
file differs "$twice" differs
refused differs "differs.ini: \[headline h\] lacks: a headline that differs says what"
file fastdiff "$twice" differs "fast = yes
lacks = nothing"
refused fastdiff "fastdiff.ini: \[headline h\] fast: only headlines expected to reproduce"
file nc "$v" not-comparable
refused nc "nc.ini: \[headline h\] not_comparable: give the reason"
file flag "$v" reproduced; sed -i 's/^args = /args = -n 5 /' "$tmp/flag.ini"
refused flag "flag.ini: \[run r\] args: -n is set by psp-reproduce"
file run "$v" reproduced; sed -i 's/^run = r/run = nosuch/' "$tmp/run.ini"
refused run "run.ini: \[headline h\] run: no \[run nosuch\] section"
file metric "$v" reproduced; sed -i 's/^metric = stat/metric = capacity/' "$tmp/metric.ini"
refused metric "metric.ini: \[headline h\] (stat|load): not read by metric capacity"
file num "$v" reproduced; sed -i 's/^published = .*/published = lots/' "$tmp/num.ini"
refused num "num.ini: \[headline h\] published: not a number: 'lots'"
file load "$v" reproduced; sed -i 's/^load = 0.5/load = 0.6/' "$tmp/load.ini"
refused load "load.ini: \[headline h\]: no row for cfcfs:ALL at load 0.6"
printf '[reproduction]\ntitle = x\n' >"$tmp/top.ini"
refused top "top.ini: \[reproduction\] source: missing key"
refused nosuchfile "nosuchfile.ini: .*No such file"
# phases-followed reads psp-sim's --timeline: DARC follows dynamic's 4 phases
# (a tenth of their length, a 5,000-completion profile); re-reserving only past a
# 1000x demand change it follows 2 (the first plan, and the type set's change).
cat >"$tmp/dyn.ini" <<END
[reproduction]
title = test
source = none: a test of the driver
requests = phased
replications = 1
fast_requests = phased
fast_replications = 1

[run follows]
args = -w dynamic -p darc -l 0.8 --phase-scale 0.1 --darc-samples 5000 --no-capacity

[run sticks]
args = -w dynamic -p darc -l 0.8 --phase-scale 0.1 --darc-samples 5000 --darc-demand-change 1000 --no-capacity
END
for r in follows sticks; do
  cat >>"$tmp/dyn.ini" <<END

[headline $r]
claim = DARC follows the phases
source = none
setting = dynamic at a tenth
run = $r
metric = phases-followed
policy = darc
phases_ms = 500, 500, 500, 500
published = 4
tolerance = 10%
expect = reproduced
END
done
"$repro" --sim "$sim" --format csv "$tmp/dyn.ini" >"$tmp/dyn.csv" 2>"$tmp/err"
check "phases-followed: the runs complete" test $? -eq 0
check "phases-followed: DARC follows 4 phases" grep -q "^$tmp/dyn.ini,follows,phases-followed,4,10%,4,,," "$tmp/dyn.csv"
check "phases-followed: with a 1000x demand change, 2" grep -q "^$tmp/dyn.ini,sticks,phases-followed,4,10%,2,,," "$tmp/dyn.csv"

"$repro" --sim "$tmp/no-such-sim" "$tmp/same.ini" >/dev/null 2>"$tmp/err"
check "a psp-sim that cannot run: exit 1" test $? -eq 1
check "... naming it" grep -q "same.ini: \[run r\]: cannot run $tmp/no-such-sim: No such file or directory" "$tmp/err"
checks_done
