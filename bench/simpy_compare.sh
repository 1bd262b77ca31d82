#!/bin/sh
# psp-sim against SimPy on the same model, in the same run: c-FCFS on
# high-bimodal, 14 workers, load 0.9 (bench/simpy_cfcfs.py is the SimPy
# model).  Runs them alternately, RUNS times each, and prints the median
# requests per CPU second of each and their ratio; then, as a check that
# both simulate the same system, the mean latency of each over
# CHECK_REQUESTS requests (they agree to within their noise: a few %).
#
#   bench/simpy_compare.sh [RUNS [SIM_REQUESTS [SIMPY_REQUESTS]]]
#   defaults: 5 runs, 20,000,000 requests for psp-sim, 300,000 for SimPy
#
# Needs Debian's python3-simpy (SimPy 2, tools/setup.sh) and a build.
# Wrap it in flock /tmp/psp-cpu.lock on a shared machine.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
nsim=${2:-20000000}
npy=${3:-300000}
bench=$here/build/bin/bench-sim
sim=$here/build/bin/psp-sim
py=/usr/bin/python3
[ -x "$bench" ] && [ -x "$sim" ] || { echo "simpy_compare.sh: build first" >&2; exit 2; }
$py -c 'import SimPy.Simulation' 2>/dev/null ||
	{ echo "simpy_compare.sh: no SimPy 2 (apt-get install python3-simpy)" >&2; exit 2; }
export PSP_WORKLOAD_PATH=$here/workloads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

i=0
while [ "$i" -lt "$runs" ]; do
	"$bench" "$nsim" 0.9 high-bimodal cfcfs | awk '$1 == "cfcfs" {print $2}' >>"$tmp/sim"
	$py "$here/bench/simpy_cfcfs.py" "$npy" "$((i + 1))" | awk '{print $7}' >>"$tmp/py"
	i=$((i + 1))
done
s=$(median <"$tmp/sim")
p=$(median <"$tmp/py")
echo "c-FCFS, high-bimodal, 14 workers, load 0.9; median of $runs interleaved runs, per CPU second:"
echo "  psp-sim  $s M requests/s  ($nsim requests a run)"
echo "  SimPy    $p M requests/s  ($npy requests a run)"
awk -v s="$s" -v p="$p" 'BEGIN {printf "  psp-sim / SimPy = %.0fx\n", s / p}'
n=${CHECK_REQUESTS:-1000000}
a=$("$sim" --quiet --no-capacity --format csv -w high-bimodal -p cfcfs -l 0.9 -n "$n" 2>/dev/null |
	awk -F, 'NR > 1 && $7 == "ALL" {print $9}')
b=$($py "$here/bench/simpy_cfcfs.py" "$n" | awk '{print $NF == "us" ? $(NF - 1) : $NF}')
echo "  mean latency over $n requests: psp-sim $a us, SimPy $b us"
