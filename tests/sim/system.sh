#!/usr/bin/env bash
# psp-sim --system end to end (docs/system-model.md): the ideal system prints
# the numbers of no system in every format, plus its name, hash and CPU
# columns; every output names the system; the flags a system gives a fact
# for are refused beside it; a bad file names its line and key; the
# shipped systems run; --fit-system fits a synthetic trace's known delays
# back.
#   usage: system.sh PSP_SIM SOURCE_DIR   (PSP_WORKLOAD_PATH set)
set -u
sim=$1 src=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../check.sh"
ideal=$src/systems/ideal.yml testbed=$src/systems/persephone-testbed.yml
base=(--workload high-bimodal --policy cfcfs,dfcfs,jbsq,ts --load 0.5,0.9 -n 20000 -r 2 --quiet --no-capacity)

# the ideal system: the same rows, with five more columns
"$sim" "${base[@]}" --format csv > "$tmp/none.csv"
"$sim" "${base[@]}" --format csv --system "$ideal" > "$tmp/ideal.csv"
check "csv: the ideal system's rows are those of no system, plus 5 columns" \
	cmp "$tmp/none.csv" <(sed -E 's/(,[^,]*){5}$//' "$tmp/ideal.csv")
check "csv: the header names the system columns" \
	grep -q ',measured_from,warmup,intervals,system,system_hash,cpu_busy_us_per_req,cpu_spin_us_per_req,cpu_parked_us_per_req$' "$tmp/ideal.csv"
hash=$(sed -n 2p "$tmp/ideal.csv" | awk -F, '{print $(NF-3)}')
check "csv: every row names ideal and an 8-digit hash" \
	test "$(awk -F, -v h="$hash" 'NR > 1 && $(NF-4) == "ideal" && $(NF-3) == h' "$tmp/ideal.csv" | wc -l)" -eq 24 -a ${#hash} -eq 8
check "no system: no system column" bash -c "! grep -q system '$tmp/none.csv'"
"$sim" "${base[@]}" --system "$ideal" > "$tmp/ideal.txt"
check "table: the heading and each point name the system" \
	test "$(grep -c "system ideal@$hash" "$tmp/ideal.txt")" -eq 9
check "table: cpu line per point" test "$(grep -c '^  cpu per request (core-us): busy' "$tmp/ideal.txt")" -eq 8
"$sim" "${base[@]}" --format json --system "$ideal" > "$tmp/ideal.json"
check "json: parses, names the system at the top and in every point, with CPU figures" \
	/usr/bin/python3 -c "
import json, sys
d = json.load(open('$tmp/ideal.json'))
assert d['system'] == 'ideal' and d['system_hash'] == '$hash', d.get('system')
assert len(d['points']) == 8
for p in d['points']:
    assert p['system'] == 'ideal' and p['system_hash'] == '$hash'
    assert p['cpu_busy_us_per_req'] > 0 and p['cpu_parked_us_per_req'] == 0
"
# an edited file is another hash
sed 's/every dispatcher/each dispatcher/' "$ideal" > "$tmp/ideal2.yml"
"$sim" "${base[@]}" --format csv --system "$tmp/ideal2.yml" > "$tmp/ideal2.csv"
check "an edited file has another hash" \
	test "$(sed -n 2p "$tmp/ideal2.csv" | awk -F, '{print $(NF-3)}')" != "$hash"
# the capacity CSV names it too
"$sim" --workload high-bimodal -p cfcfs -n 20000 -r 1 --quiet --format csv --slo 20 \
	--system "$ideal" --slo-output "$tmp/cap.csv" > /dev/null
check "--slo-output names the system" grep -q ",ideal,$hash$" "$tmp/cap.csv"
"$sim" --workload dynamic -p darc --load 0.8 --phase-scale 0.01 -r 1 --quiet --no-capacity --darc-samples 2000 \
	--system "$ideal" --timeline "$tmp/tl.csv" --series "$tmp/series.csv" > /dev/null 2>&1
check "--timeline and --series name the system on every row" bash -c "
	head -1 '$tmp/tl.csv' | grep -q ',policy,load,system,system_hash$' &&
	head -1 '$tmp/series.csv' | grep -q ',p999_us,system,system_hash$' &&
	[ \$(tail -n +2 '$tmp/tl.csv' | grep -vc ',ideal,$hash$') -eq 0 ] && [ \$(wc -l < '$tmp/tl.csv') -gt 1 ] &&
	[ \$(tail -n +2 '$tmp/series.csv' | grep -vc ',ideal,$hash$') -eq 0 ] && [ \$(wc -l < '$tmp/series.csv') -gt 1 ]"
"$sim" --workload high-bimodal -p cfcfs -n 20000 -r 1 --quiet --slo 20 --system "$ideal" > "$tmp/cap.txt"
check "the table's capacity line names the system" grep -Eq "^  cfcfs +load .*  system ideal@$hash$" "$tmp/cap.txt"
"$sim" --workload high-bimodal -p cfcfs -n 20000 -r 1 --quiet --slo 20 --system "$ideal" --format json > "$tmp/cap.json"
check "JSON's capacity names the system" /usr/bin/python3 -c "
import json
c = json.load(open('$tmp/cap.json'))['capacity'][0]
assert c['system'] == 'ideal' and c['system_hash'] == '$hash', c
"

# refusals: exit 2, the reason named
refused() { # PATTERN ARGS...
	local pattern=$1; shift
	"$sim" --workload high-bimodal -p cfcfs -l 0.5 -n 20000 -r 1 --quiet "$@" > /dev/null 2> "$tmp/err"
	local rc=$?
	[ $rc -eq 2 ] && grep -Eq -- "$pattern" "$tmp/err" || { echo "  exit $rc: $(cat "$tmp/err")"; false; }
}
check "--dispatch-cost-ns beside dispatcher.dispatch" \
	refused "--dispatch-cost-ns: the system .* gives dispatcher.dispatch already" --system "$testbed" --dispatch-cost-ns 100
check "--workers beside workers.count" \
	refused "--workers: 3, but the system .* has 14 workers" --system "$testbed" --workers 3
check "--preempt-cost-us beside preemption.cost" \
	refused "--preempt-cost-us: the system .* gives the preemption cost already" -p ts --system "$testbed" --preempt-cost-us 1
check "--shard with --system" \
	refused "--system: not with --shard" --system "$ideal" --shard 1/2 -o "$tmp/s"
printf 'name: x\nhandoff: {dist: constant, mean_us: fast}\n' > "$tmp/bad.yml"
check "a bad file: its line, column and key" \
	refused "bad.yml:2:36: handoff.mean_us: expected a finite number, got 'fast'" --system "$tmp/bad.yml"
check "a missing file" refused "nope.yml.*(No such file|cannot)" --system "$tmp/nope.yml"
# --dispatch-cost-ns supplies dispatcher.dispatch to a system without one
"$sim" --workload high-bimodal -p cfcfs -l 0.9 -n 20000 -r 1 --quiet --no-capacity --format csv \
	--dispatch-cost-ns 300 > "$tmp/d.csv"
"$sim" --workload high-bimodal -p cfcfs -l 0.9 -n 20000 -r 1 --quiet --no-capacity --format csv \
	--dispatch-cost-ns 300 --system "$ideal" > "$tmp/di.csv"
check "--dispatch-cost-ns on the ideal system: the same numbers" \
	cmp "$tmp/d.csv" <(sed -E 's/(,[^,]*){5}$//' "$tmp/di.csv")

# the shipped testbed runs every policy; workers.count gives the 14 workers
# (--policy takes at most 8: two runs)
check "the testbed runs every policy" \
	"$sim" --workload high-bimodal -p cfcfs,dfcfs,darc,ts,sjf -l 0.7 -n 60000 \
		-r 1 --quiet --no-capacity --darc-samples 5000 --system "$testbed" -o "$tmp/tb.txt"
check "... and the rest" "$sim" --workload high-bimodal -p jbsq,ws,tq,concord -l 0.7 -n 60000 \
		-r 1 --quiet --no-capacity --system "$testbed" -o "$tmp/tb2.txt"
check "the testbed: 14 workers, named" grep -q "14 workers" "$tmp/tb.txt"
# determinism: the same output whatever --jobs
"$sim" "${base[@]}" --format csv --system "$testbed" -j 1 > "$tmp/j1.csv"
"$sim" "${base[@]}" --format csv --system "$testbed" -j 2 > "$tmp/j2.csv"
check "deterministic whatever --jobs" cmp "$tmp/j1.csv" "$tmp/j2.csv"
# --fit-system: a synthetic trace with known delays is fitted back to them
printf 'name: known\nhandoff: {dist: constant, mean_us: 3}\ncompletion_notice: {dist: constant, mean_us: 2}\n' > "$tmp/known.yml"
"$sim" -w high-bimodal -p cfcfs -k 4 -l 0.7 -n 20000 --quiet --no-capacity --system "$tmp/known.yml" \
	--per-request "$tmp/known.csv" > /dev/null
check "fit: runs" "$sim" --fit-system "$tmp/known.csv" -o "$tmp/fitted.yml"
check "fit: the constant hand-off of 3 us" grep -qx 'handoff: {dist: constant, mean_us: 3.000}' "$tmp/fitted.yml"
check "fit: the constant notice of 2 us" grep -qx 'completion_notice: {dist: constant, mean_us: 2.000}' "$tmp/fitted.yml"
check "fit: named after its file, naming its trace" grep -q '^name: fitted$' "$tmp/fitted.yml"
check "fit: the fitted file runs" "$sim" -w high-bimodal -p cfcfs -k 4 -l 0.7 -n 20000 -r 1 --quiet --no-capacity --system "$tmp/fitted.yml" -o /dev/null
# an exponential hand-off of mean 3 us: the fitted quantiles are -3 ln(1 - q)
# within 5 standard errors of a quantile estimate, 3 sqrt(q / ((1 - q) n)),
# from n = 20,000 samples (q <= 0.99)
printf 'name: expo\nhandoff: {dist: exponential, mean_us: 3}\n' > "$tmp/expo.yml"
"$sim" -w high-bimodal -p cfcfs -k 4 -l 0.5 -n 20000 --quiet --no-capacity --system "$tmp/expo.yml" \
	--per-request "$tmp/expo.csv" > /dev/null
"$sim" --fit-system "$tmp/expo.csv" -o "$tmp/expo-fit.yml"
check "fit: exponential hand-off quantiles" /usr/bin/python3 -c "
import math, re
text = open('$tmp/expo-fit.yml').read()
n = int(re.search(r'# handoff: (\d+) samples', text).group(1))
pairs = re.findall(r'\[([0-9.]+), ([0-9.]+)\]', text.split('handoff:\n')[1].split('\n')[1])
assert n == 20000 and len(pairs) == 16, (n, len(pairs))
for q, v in pairs:
    q, v = float(q), float(v)
    if 0 < q <= 0.99:
        want = -3 * math.log(1 - q)
        assert abs(v - want) <= 5 * 3 * math.sqrt(q / ((1 - q) * n)), (q, v, want)
"
# a JBSQ(2) trace hides the notice: not fitted, and said so
"$sim" -w high-bimodal -p jbsq -k 4 -l 0.7 -n 20000 --quiet --no-capacity --system "$tmp/known.yml" \
	--per-request "$tmp/jbsq.csv" > /dev/null
"$sim" --fit-system "$tmp/jbsq.csv" > "$tmp/jbsq-fit.yml"
check "fit: JBSQ(2)'s hand-off fitted, its notice not" \
	bash -c "grep -qx 'handoff: {dist: constant, mean_us: 3.000}' '$tmp/jbsq-fit.yml' && grep -q '^# completion_notice: not fitted: .* handed to a worker' '$tmp/jbsq-fit.yml' && ! grep -q '^completion_notice' '$tmp/jbsq-fit.yml'"
fit_refused() { # PATTERN ARGS...
	local pattern=$1; shift
	"$sim" --fit-system "$@" > /dev/null 2> "$tmp/err"
	local rc=$?
	[ $rc -eq 2 ] && grep -Eq -- "$pattern" "$tmp/err" || { echo "  exit $rc: $(cat "$tmp/err")"; false; }
}
printf 'arrival_ns,type,service_ns\n0,A,5\n' > "$tmp/short.csv"
check "fit: a trace without the engine's columns" fit_refused "short.csv:1: worker: missing column" "$tmp/short.csv"
printf 'worker,arrival_ns,dispatch_ns,start_ns,completion_ns\n0,10,5,20,30\n' > "$tmp/order.csv"
check "fit: times out of order" fit_refused "order.csv:2: times out of order" "$tmp/order.csv"
printf 'worker,arrival_ns,dispatch_ns,start_ns,completion_ns\n0,1,2,3,x\n' > "$tmp/nan.csv"
check "fit: not a number" fit_refused "nan.csv:2: completion_ns: not an unsigned integer" "$tmp/nan.csv"
printf 'worker,arrival_ns,dispatch_ns,start_ns,completion_ns\n0,1,2,3,4\n' > "$tmp/one.csv"
check "fit: too few samples" fit_refused "nothing to fit: 1 hand-off and 0 notice samples" "$tmp/one.csv"
check "fit: no other flag" fit_refused "--workers: not with --fit-system" -k 3 "$tmp/known.csv"
check "fit: needs traces" fit_refused "--fit-system: needs psp-engine trace files"
check "fit: a failed fit leaves no file" bash -c "! '$sim' --fit-system '$tmp/one.csv' -o '$tmp/none.yml' 2>/dev/null && [ ! -e '$tmp/none.yml' ]"
checks_done
