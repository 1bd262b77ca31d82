#!/usr/bin/env bash
# idle: auto (the default): the engine compares its polling lcores (the
# dispatcher and the workers) with the CPUs their EAL cpusets allow within
# the process's affinity mask.  Started and stopped without load:
#   - the shipped memif config (4 lcores on CPUs 0-1): oversubscribed, said
#     on stderr, workers park, the dispatcher sleeps when idle;
#   - the same under taskset -c 0: the affinity mask leaves 1 CPU;
#   - one worker, --lcores 0@0,1@1: a CPU each, workers and dispatcher spin;
#   - idle: spin over the shipped config: still said, and the workers spin.
. "$(dirname "$0")/lib.sh"

run() { # name, then a prefix command (or none) and -- and the extra args
	local name=$1 log=$T/$1.log
	shift
	local prefix=()
	while [ "$1" != -- ]; do prefix+=("$1"); shift; done
	shift
	start_engine "$log" "${prefix[@]}" "${ENGINE[@]}" "$@"
	stop_engine || fail "$name: psp-engine exited with status $?"
	check_clean_stop "$log"
	grep -E "polling lcores|workers idle" "$log" | sed "s/^/$name: /"
	rm -f "/tmp/psp-memif-$(id -u)/$INST.sock"
}
expect() { grep -qF -- "$2" "$T/$1.log" || fail "$1: no \"$2\""; }

[ "$(nproc)" -ge 2 ] || { echo "SKIP: needs 2 CPUs"; exit 77; }
command -v taskset > /dev/null || { echo "SKIP: needs taskset"; exit 77; }
run shipped --
expect shipped "psp-engine: 4 polling lcores (dispatcher and 3 workers) share 2 CPUs (0-1, 0 isolated): oversubscribed: workers park when idle (idle: auto"
expect shipped "workers idle: park (auto) (spin 50 us"
expect shipped "dispatcher idle: sleep (auto)"
run one_cpu taskset -c 0 --
expect one_cpu "share 1 CPU (0, 0 isolated): oversubscribed"
expect one_cpu "workers idle: park (auto)"
run dedicated -- --set workers=1 --set "worker_lcores=[1]" --set \
	"eal=[--no-huge, -m, \"256\", --no-pci, --lcores, \"0@0,1@1\", --file-prefix, psp-engine-%i, --log-level, \"*:warning\"]"
expect dedicated "psp-engine: 2 polling lcores on 2 CPUs (0-1, 0 isolated): a CPU each"
expect dedicated "workers idle: spin (auto)"
expect dedicated "dispatcher idle: spin (auto)"
run spin -- --set idle=spin
expect spin "oversubscribed: workers poll anyway, as idle says"
expect spin "workers idle: spin"
grep -q "workers idle: spin (auto)" "$T/spin.log" && fail "spin: idle: spin reported as auto"
echo "PASS: idle: auto parks on shared CPUs and spins on a CPU each"
