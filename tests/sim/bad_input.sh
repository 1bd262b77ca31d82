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
expect 0 "warning: --quantum-us is ignored by cfcfs \(read by: ts, tq, concord\)" -- \
  --workload high-bimodal --policy cfcfs,ts --quantum-us 3 --load 0.5 --requests 1000
expect 0 "warning: --slots is ignored by cfcfs, ws" -- \
  --workload high-bimodal --policy cfcfs,jbsq,ws --slots 3 --load 0.5 --requests 1000
expect 2 "--warmup" -- --workload high-bimodal --warmup 1
expect 2 "--format" -- --workload high-bimodal --format xml
expect 2 "unknown option" -- --workload high-bimodal --bogus
expect 2 "static.*SHORT and a LONG" -- --workload exponential --reserve 1
expect 2 "--workload.*required" --

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
