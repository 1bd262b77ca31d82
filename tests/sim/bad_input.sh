#!/usr/bin/env bash
# psp-sim refuses bad input with a clear message and exit status 2.
# usage: bad_input.sh PSP_SIM
set -u
sim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0

# expect STATUS PATTERN -- ARGS...: exit status and a stderr line matching PATTERN
expect() {
  local status=$1 pattern=$2; shift 3
  "$sim" --quiet "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$status" ] || ! grep -Eq -- "$pattern" "$tmp/err"; then
    echo "FAIL: psp-sim $* -> exit $got (want $status), stderr:"; sed 's/^/    /' "$tmp/err"
    echo "    (wanted /$pattern/)"
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}

cat >"$tmp/syntax.yml" <<'Y'
name: broken
types:
  - name: A
    ratio: 0.5
   service: {dist: constant, mean_us: 1}
Y
cat >"$tmp/ratio.yml" <<'Y'
name: ratio
types:
  - name: A
    ratio: 0.5
    service: {dist: constant, mean_us: 1}
  - name: B
    ratio: 0.4
    service: {dist: constant, mean_us: 10}
Y
cat >"$tmp/dist.yml" <<'Y'
name: dist
types:
  - name: A
    ratio: 1
    service: {dist: weibull, mean_us: 1}
Y
cat >"$tmp/mean.yml" <<'Y'
name: mean
types:
  - name: A
    ratio: 1
    service: {dist: exponential, mean_us: -3}
Y
cat >"$tmp/zero.yml" <<'Y'
name: zero
types:
  - name: A
    ratio: 1
    service: {dist: constant, mean_us: 0}
Y
cat >"$tmp/key.yml" <<'Y'
name: key
types:
  - name: A
    ratoi: 1
    service: {dist: constant, mean_us: 1}
Y

svc() { printf 'name: b\ntypes:\n  - name: A\n    ratio: 1\n    service: %s\n' "$1" >"$tmp/$2.yml"; }
phase() { printf 'name: p\nphases:\n  - duration_ms: %s\n    types:\n      - {name: A, ratio: 1, service: {dist: constant, mean_us: 1}}\n%s' "$1" "${3:-}" >"$tmp/$2.yml"; }
svc "{dist: constant, mean_us: 1e300}" huge
svc "{dist: exponential, mean_us: 1e15}" huge_exp
svc "{dist: constant, mean_us: 1e12}" long12
svc "{dist: uniform, min_us: 1e-300, max_us: 1e300}" uniform
svc "{dist: bounded_pareto, alpha: 1e-300, min_us: 1, max_us: 1e300}" alpha
svc "{dist: constant, mean_us: 1e-300}" tiny
svc "{dist: lognormal, mean_us: 10, sigma: 50}" sigma
svc "{dist: constant, mean_us: .nan}" nan
svc "{dist: exponential, mean_us: 1e9}" second
phase 1e-300 dur
phase 1e-6 dur1
phase 1e-3 durs "  - duration_ms: 1e-3
    types:
      - {name: A, ratio: 1, service: {dist: constant, mean_us: 1}}
"
phase 1e9 durl "  - duration_ms: 1e9
    types:
      - {name: A, ratio: 1, service: {dist: constant, mean_us: 1}}
"

# issue 12: every bound says which and why, with file:line:col and key
expect 2 "huge.yml:5:[0-9]+: types\[0\]\.service\.mean_us: must be at most 1e\+09 us \(1000 s\).*2\^56" -- --workload "$tmp/huge.yml"
expect 2 "huge_exp.yml:5:[0-9]+: .*mean_us: must be at most 1e\+09 us" -- --workload "$tmp/huge_exp.yml"
expect 2 "long12.yml:5:[0-9]+: .*mean_us: must be at most 1e\+09 us" -- --workload "$tmp/long12.yml" -n 1000
expect 2 "uniform.yml:5:[0-9]+: .*min_us: must be at least 0.001 us \(1 ns, the simulator's clock tick" -- --workload "$tmp/uniform.yml"
expect 2 "alpha.yml:5:[0-9]+: .*alpha: must be in \[0.01, 100\], got 1e-300: below, 1 - \(min/max\)\^alpha vanishes" -- --workload "$tmp/alpha.yml"
expect 2 "tiny.yml:5:[0-9]+: .*mean_us: must be at least 0.001 us" -- --workload "$tmp/tiny.yml"
expect 2 "sigma.yml:5:[0-9]+: .*sigma: must be at most 4, got 50: a lognormal's mean rests on" -- --workload "$tmp/sigma.yml"
expect 2 "nan.yml:5:[0-9]+: .*mean_us: expected a finite number, got '.nan'" -- --workload "$tmp/nan.yml"
expect 2 "dur.yml:3:[0-9]+: phases\[0\]\.duration_ms: must be at least 1e-06 ms \(1 ns" -- --workload "$tmp/dur.yml"
expect 2 "dur1.yml: phases\[0\]\.duration_ms: .*arrivals at load 0.5.*at least 100 must be" -- --workload "$tmp/dur1.yml" --load 0.5
expect 2 "durs.yml: duration_ms: about .* arrivals would be measured at load 0.5.*at least 100 are needed" -- --workload "$tmp/durs.yml" --load 0.5
expect 2 "durl.yml: duration_ms: about .* arrivals per point at load 0.5; more than 1e\+11" -- --workload "$tmp/durl.yml" --load 0.5
# simulated time: the whole run must fit psp-sim's clock (2^56 ns)
expect 2 "--requests: a point could simulate about .* beyond the simulator's clock: time is kept in ns below 2\^56" -- --workload "$tmp/second.yml" --load 0.01 --requests 100000
expect 0 "" -- --workload "$tmp/second.yml" --load 0.5 --requests 1000 -r 1 --darc-samples 200
# A learning policy's profile is never measured: a run too short to measure
# anything after it is refused, with the length it needs.
expect 2 "--requests: darc profiles 50000 completions before its first plan, and that phase is never measured: 20000 requests leave nothing to measure after it; raise --requests above 50100" -- --workload high-bimodal -p darc -n 20000
expect 2 "--quantum-us: about .* events per point at load 0.5 .*preempted every 5 us.*raise --quantum-us" -- --workload "$tmp/second.yml" -p tq --load 0.5 --requests 100000
expect 2 "--warmup: 1 of 1000000 arrivals leaves 1 measured per point; at least 100" -- --workload high-bimodal --warmup 0.9999999
expect 2 "--warmup: 0.1 of 100 arrivals leaves 90 measured" -- --workload high-bimodal --requests 100 --warmup 0.1
expect 2 "--requests: 200 arrivals may leave 93 measured per point \(the detected warm-up may cut half the run\)" -- --workload high-bimodal --requests 200
expect 2 "--requests: must be in 100\.\.100000000000 \(.*10 M requests/s.*got '18446744073709551615'" -- --workload high-bimodal -n 18446744073709551615
expect 2 "--requests: must be in 100\.\.100000000000 .*got '99999999999999999999'" -- --workload high-bimodal -n 99999999999999999999
expect 2 "--requests: must be in 100\.\.100000000000 .*got '1e30'" -- --workload high-bimodal -n 1e30
expect 2 "--requests: not a whole non-negative number: 'many'" -- --workload high-bimodal -n many
expect 2 "--seed: must be in 0\.\.18446744073709551615, got '99999999999999999999'" -- --workload high-bimodal --seed 99999999999999999999
expect 2 "--series-ms: must be in \[0.001, 1e9\]" -- --workload high-bimodal --series-ms 1e300
expect 2 "--load: empty item in '0.5,,0.6' \(a doubled, leading or trailing ','\)" -- --workload high-bimodal -l 0.5,,0.6
expect 2 "--load: empty item in '0.5,'" -- --workload high-bimodal -l 0.5,
expect 2 "--load: range must be FROM:TO:STEP, got '0.1:0.5:0.1:'" -- --workload high-bimodal -l 0.1:0.5:0.1:
expect 2 "--policy: empty item in 'darc,'" -- --workload high-bimodal -p darc,
expect 2 "--policy: darc is given twice in 'darc,darc'" -- --workload high-bimodal -p darc,darc
expect 2 "--policy: cfcfs is given twice in 'cfcfs,c-fcfs' \(under an alias\)" -- --workload high-bimodal -p cfcfs,c-fcfs
expect 2 "--workload: given twice \('high-bimodal', then 'tpcc'\); psp-sim runs one workload" -- --workload high-bimodal -w tpcc
expect 2 "$tmp: is a directory, not a workload file" -- --workload "$tmp"
expect 2 "$tmp/: is a directory, not a workload file" -- --workload "$tmp/"
long=$(printf 'a%.0s' $(seq 100000))
expect 2 "workload name of 100000 characters is too long: .*/NAME.yml must fit in 511 characters" -- --workload "$long"
expect 2 "workload path of 100004 characters is longer than 511" -- --workload "$long.yml"

expect 2 "unknown workload|no workload.*nosuch|nosuch" -- --workload nosuch
expect 2 "high-bimodal" -- --workload nosuch
expect 2 "syntax.yml:[0-9]+" -- --workload "$tmp/syntax.yml"
expect 2 "ratio.yml:[0-9]+.*(sum|0\.9)" -- --workload "$tmp/ratio.yml"
expect 2 "dist.yml:5:.*dist.*weibull" -- --workload "$tmp/dist.yml"
expect 2 "mean.yml:5:.*mean_us" -- --workload "$tmp/mean.yml"
expect 2 "zero.yml:5:.*mean_us" -- --workload "$tmp/zero.yml"
expect 2 "key.yml:4:.*ratoi" -- --workload "$tmp/key.yml"
expect 2 "no such file|cannot|not found" -- --workload "$tmp/absent.yml"
expect 2 "--load.*> 0" -- --workload high-bimodal --load 0
expect 2 "--load.*> 0" -- --workload high-bimodal --load -0.5
expect 2 "--load.*allow-overload" -- --workload high-bimodal --load 1.0
expect 2 "--load.*not a number" -- --workload high-bimodal --load abc
expect 2 "--workers.*1\.\.64" -- --workload high-bimodal --workers 0
expect 2 "--workers.*1\.\.64" -- --workload high-bimodal --workers 65
expect 2 "--policy.*unknown policy 'lifo'" -- --workload high-bimodal --policy lifo
expect 2 "reserve" -- --workload high-bimodal --reserve 14
expect 2 "--slots" -- --workload high-bimodal --policy jbsq --slots 65
expect 2 "--replications" -- --workload high-bimodal --replications 0
expect 2 "--replications" -- --workload high-bimodal -r 1001
expect 2 "--slots" -- --workload high-bimodal --policy jbsq --slots 1.5
expect 2 "no selected policy reads it" -- --workload high-bimodal --policy cfcfs --quantum-us 3
expect 2 "--placement" -- --workload high-bimodal --policy ws --placement nearest
expect 2 "--no-steal" -- --workload high-bimodal --no-steal=maybe
# a knob that only some of the selected policies read runs, with a warning
expect 0 "warning: --quantum-us is ignored by cfcfs \(read by: ts, tq, concord, rts\)" -- \
  --workload high-bimodal --policy cfcfs,ts --quantum-us 3 --load 0.5 --requests 1000
expect 0 "warning: --slots is ignored by cfcfs, ws" -- \
  --workload high-bimodal --policy cfcfs,jbsq,ws --slots 3 --load 0.5 --requests 1000
expect 2 "--warmup" -- --workload high-bimodal --warmup 1
expect 2 "--format" -- --workload high-bimodal --format xml
expect 2 "unknown option" -- --workload high-bimodal --bogus
expect 2 "static.*SHORT and a LONG" -- --workload exponential --reserve 1
expect 2 "--workload.*required" --

# --trace: each bad row gets file:line: column: reason (docs/trace-format.md)
rows() { # rows N: N good rows of arrival_us,type,service_us (load 0.5 on 1 worker)
  for i in $(seq 0 $(($1 - 1))); do echo "$((i * 20)),SHORT,10"; done
}
tr() { { echo "$1"; shift; printf '%s\n' "$@"; rows 150; } >"$tmp/t.csv"; }
trb() { { echo "arrival_us,type,service_us"; rows 150; printf '%s\n' "$@"; } >"$tmp/t.csv"; }
run1=(--trace "$tmp/t.csv" -p cfcfs -k 1)
tr "arrival_us,type"; expect 2 "t.csv:1: service_ns: missing" -- "${run1[@]}"
tr "type,service_us"; expect 2 "t.csv:1: arrival_ns: missing" -- "${run1[@]}"
tr "arrival_us,service_us"; expect 2 "t.csv:1: type: missing" -- "${run1[@]}"
tr "arrival_ns,arrival_us,type,service_us"; expect 2 "t.csv:1: arrival_us: and arrival_ns both given" -- "${run1[@]}"
tr "arrival_us,type,service_us,type"; expect 2 "t.csv:1: type: given twice" -- "${run1[@]}"
trb "3000,SHORT,abc"; expect 2 "t.csv:152: service_us: not a decimal number" -- "${run1[@]}"
trb "3000,SHORT,-1"; expect 2 "t.csv:152: service_us: must not be negative" -- "${run1[@]}"
trb "-3,SHORT,1"; expect 2 "t.csv:152: arrival_us: must not be negative" -- "${run1[@]}"
trb "3000,SHORT,nan"; expect 2 "t.csv:152: service_us: must be finite" -- "${run1[@]}"
trb "3000,SHORT,inf"; expect 2 "t.csv:152: service_us: must be finite" -- "${run1[@]}"
trb "3000,SHORT,0"; expect 2 "t.csv:152: service_us: 0 ns is outside 1 ns" -- "${run1[@]}"
trb "3000,SHORT,2e9"; expect 2 "t.csv:152: service_us: .* is outside 1 ns \.\. 1e\+12 ns" -- "${run1[@]}"
trb "3000,,1"; expect 2 "t.csv:152: type: empty type name" -- "${run1[@]}"
trb "3000,SHORT"; expect 2 "t.csv:152: fewer fields, the header has 3" -- "${run1[@]}"
trb "3000,SHORT,1,9"; expect 2 "t.csv:152: more fields, the header has 3" -- "${run1[@]}"
trb '3000,"SHORT,1'; expect 2 "t.csv:152: a quote is left open" -- "${run1[@]}"
trb "10,SHORT,1"; expect 2 "t.csv:152: arrival_us: goes back: 10000 ns after 2980000 ns" -- "${run1[@]}"
trb "3000,ODD,1"; expect 2 "t.csv:152: type: unknown type 'ODD': workload high-bimodal has SHORT, LONG" -- \
  "${run1[@]}" --workload high-bimodal
{ echo "id,arrival_ns,type,service_ns"; for i in $(seq 0 149); do echo "$((i % 120)),$((i * 20000)),A,10000"; done; } >"$tmp/t.csv"
expect 2 "t.csv:122: id: duplicate id 0 \(also on line 2\)" -- "${run1[@]}"
{ echo "arrival_ns,type,service_ns"; echo "1.5,A,1"; } >"$tmp/t.csv"
expect 2 "t.csv:2: arrival_ns: not an unsigned integer" -- "${run1[@]}"
{ echo "arrival_ns,type,service_ns,status"; echo "0,A,,answered"; } >"$tmp/t.csv"
expect 2 "t.csv:2: service_ns: empty: only a row whose status is not answered" -- "${run1[@]}"
{ echo "arrival_ns,type,service_ns,status"; echo "0,A,1,lost"; } >"$tmp/t.csv"
expect 2 "t.csv:2: status: 'lost' is none of answered" -- "${run1[@]}"
{ echo "arrival_ns,type,service_ns"; for t in $(seq 1 17); do echo "$t,T$t,1"; done; } >"$tmp/t.csv"
expect 2 "t.csv:18: type: 'T17' would be type 17; a replay takes at most 16" -- "${run1[@]}"
: >"$tmp/t.csv"; expect 2 "t.csv: empty: a trace starts with a header" -- "${run1[@]}"
echo "arrival_us,type,service_us" >"$tmp/t.csv"; expect 2 "t.csv:1: no rows after the header" -- "${run1[@]}"
{ echo "arrival_us,type,service_us"; rows 105; } >"$tmp/t.csv"
expect 2 "t.csv: 105 rows replayed, of which the first 10 \(--warmup 0.1\) are not measured: at least 100" -- "${run1[@]}"
{ echo "arrival_us,type,service_us"; for i in $(seq 0 199); do echo "$i,A,2"; done; } >"$tmp/t.csv"
expect 2 "--trace: the trace's own offered load on 1 worker is 2\.0[0-9]*, at or above capacity" -- "${run1[@]}"
expect 2 "--trace: .*no such file|cannot read" -- --trace "$tmp/absent.csv"
tr "arrival_us,type,service_us"
expect 2 "--replications: --trace takes one replication: a trace is one sample" -- "${run1[@]}" -r 2
expect 2 "--requests: not with --trace" -- "${run1[@]}" -n 1000
expect 2 "--phase-scale: not with --trace" -- "${run1[@]}" --phase-scale 2
expect 2 "--trace: not with --shard" -- "${run1[@]}" --shard 1/2 -o "$tmp/s"
expect 2 "--per-request: writes the requests of one run: give one --policy" -- \
  --workload high-bimodal -p cfcfs,ts -l 0.5 --per-request "$tmp/p.csv"
expect 2 "--per-request: writes the requests of one run: give one --load$" -- \
  --workload high-bimodal -p cfcfs --per-request "$tmp/p.csv"
expect 2 "--per-request: writes the requests of one run: give one --load, not 2" -- \
  --workload high-bimodal -p cfcfs -l 0.5,0.6 --per-request "$tmp/p.csv"
expect 2 "--replications: --per-request takes one replication" -- \
  --workload high-bimodal -p cfcfs -l 0.5 -r 3 --per-request "$tmp/p.csv"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
