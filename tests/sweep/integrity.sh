#!/usr/bin/env bash
# psp-sweep: nothing run that the sweep file does not say, nothing merged
# from the wrong cell, nothing written or lost silently.  Cell names are
# unique (a long one is cut and ends in a hash; two workloads of one file
# name are refused); options: cannot set what the keys set, however spelt;
# a knob given twice, too many psp-sim arguments, too many jobs and numbers
# beyond their range are refused with the file and key; a jobs.txt or a
# --list that cannot be written fails loudly; a command that cannot start
# says why; 100 k jobs are listed in little memory; and the jobs die with
# psp-sweep when it is killed with -9.
#   usage: integrity.sh PSP_SWEEP PSP_SIM   (PSP_WORKLOAD_PATH set)
set -u
sweep=$1 sim=$2
. "$(dirname "$0")/../check.sh"

# refused PATTERN YAML [ARGS...]: psp-sweep --list exits 2 and says PATTERN
refused() {
  local pattern=$1 yaml=$2; shift 2
  printf '%s\n' "$yaml" >"$tmp/r.yml"
  "$sweep" "$tmp/r.yml" --list --psp-sim "$sim" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ $got -eq 2 ] && grep -Eq -- "$pattern" "$tmp/err"; then passes=$((passes + 1)); else
    echo "FAIL: refused /$pattern/ -> exit $got, stderr:"; head -c 600 "$tmp/err" | sed 's/^/    /'
    fails=$((fails + 1)); fi
}
accepted() { # NAME YAML: psp-sweep --list exits 0
  printf '%s\n' "$2" >"$tmp/a.yml"
  "$sweep" "$tmp/a.yml" --list --psp-sim "$sim" >"$tmp/out" 2>"$tmp/err"
  check "$1" test $? -eq 0
}

# Row 1: two workloads of one file name in different directories would
# write the same cell's files (the last writer won, exit 0).
mkdir -p "$tmp/a" "$tmp/b"
cp "$PSP_WORKLOAD_PATH/high-bimodal.yml" "$tmp/a/hb.yml"
sed 's/100/200/g' "$PSP_WORKLOAD_PATH/high-bimodal.yml" >"$tmp/b/hb.yml"
cat >"$tmp/same.yml" <<'Y'
workloads: [a/hb.yml, b/hb.yml]
loads: [0.5]
requests: 20000
replications: 1
Y
"$sweep" "$tmp/same.yml" --local --quiet -o "$tmp/same" --psp-sim "$sim" >/dev/null 2>"$tmp/err"
check "two workloads named hb.yml: refused (exit 2)" test $? -eq 2
check "... naming the name and both files" \
  grep -q "two cells would both be named 'hb-k14' (workloads $tmp/a/hb.yml and $tmp/b/hb.yml)" "$tmp/err"
check "... and nothing merged" test ! -e "$tmp/same/hb-k14.csv"
# 18 knobs make names beyond 191 characters; two cells differing in the
# last knob's value only must still get two names (they were cut alike).
long=$'workloads: [high-bimodal]\npolicies: [darc, ts]\nknobs:
  darc_delta: [0.1]\n  darc_demand_change: [0.5]\n  darc_variant: [paper]\n  darc_ratio_source: [nominal]
  darc_sizing: [paper]\n  darc_hysteresis: [none]\n  darc_starvation_guard: [10]\n  darc_mode: [dynamic]
  reserve: [1]\n  no_steal: [false]\n  quantum_us: [5]\n  preempt_cost_us: [1]\n  ts_variant: [paper]
  ts_slo_factor: [10]\n  steal_cost_ns: [0]\n  slots: [2]\n  placement: [round-robin]
  darc_samples: [1000, 5000]'
accepted "18 knobs: listed" "$long"
cut -d: -f1 "$tmp/out" >"$tmp/names"
check "18 knobs: two cells, two job names" test "$(sort -u "$tmp/names" | wc -l)" -eq 2
check "18 knobs: names at most 160 + .1of1 characters" test "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$tmp/names")" -le 165
check "18 knobs: a cut name ends in a hash" grep -Eq -- '-[0-9a-f]{16}\.1of1$' "$tmp/names"

# Row 2: 32 option pairs and 18 knobs overflowed build_cells' argv[96]
# (with two arguments a knob: 107).  A knob is one argument now (89): the
# most a sweep file can hold fits, and is listed whole.
opts="options: [$(for i in $(seq 32); do printf -- '--warmup, "0.1", '; done)]"
opts=${opts/, ]/]}
accepted "32 option pairs and 18 knobs fit a cell's arguments" "$long"$'\n'"$opts"

# Row 5: options: that set what the keys set, however spelt; a knob twice.
base=$'workloads: [high-bimodal]\nseed: 3\nworkers: [4]\nrequests: 20000'
refused "options: '--see=7' is --seed, which is set by the sweep's own keys" "$base"$'\noptions: ["--see=7"]'
refused "options: '--worke=4' is --workers" "$base"$'\noptions: ["--worke=4"]'
refused "options: '-n5000' is --requests" "$base"$'\noptions: ["-n5000"]'
refused "options: '-s' is --seed" "$base"$'\noptions: ["-s", "9"]'
refused "options: --baseline a shard job refuses" "$base"$'\npolicies: [cfcfs, ts]\noptions: [--baseline, ts]'
refused "options: --progress a shard job refuses" "$base"$'\noptions: [--progress]'
refused "options: '--darc-samp=7' is --darc-samples, which is set by knobs:" \
  "$base"$'\nknobs:\n  darc_samples: [1000]\noptions: ["--darc-samp=7"]'
refused "options: --help is set by" "$base"$'\noptions: [--help]'
refused "r.yml:[0-9]+:[0-9]+: options: --nosuch: unknown option" "$base"$'\noptions: [--nosuch]'
refused "r.yml:7:3: knobs: knob 'darc_samples' given twice" \
  "$base"$'\nknobs:\n  darc_samples: [1000]\n  darc_samples: [5000]'
accepted "options: --slo (a prefix of the owned --slo-output) and --warmup=0.2 are accepted" \
  "$base"$'\noptions: [--slo, "20", --warmup=0.2]'
check "... and reach the cell's command" grep -q "'--slo' '20' '--warmup=0.2'" "$tmp/out"

# Row 11: 65,536 cells x 65,536 shards wrapped in 32 bits.
vals() { seq -s, "$1"; }
refused "r.yml: shards: 65536 cells x 65536 shards = 4294967296 jobs: at most 1000000" \
  "workloads: [high-bimodal]
workers: [$(vals 16)]
knobs:
  darc_samples: [$(vals 64)]
  darc_delta: [$(vals 64)]
shards: 65536"

# Row 18: numbers out of range are refused, not cast (UBSan: undefined).
refused "r.yml:2:9: shards: expected a whole number in 1..100000, got '1e300'" $'workloads: [tpcc]\nshards: 1e300'
refused "r.yml:2:7: seed: expected a whole number in 0..9007199254740991, got '-1'" $'workloads: [tpcc]\nseed: -1'

# A knob's value is one token with its flag (--flag=value): a boolean knob
# takes its value (it was a stray "true" psp-sim refused), and a value that
# looks like a flag ("-k4") is never read as one (the fuzz target found a
# cell whose --workers came twice).
accepted "boolean knob and a dash value are listed" \
  $'workloads: [high-bimodal]\npolicies: [darc]\nknobs:\n  no_steal: [true, false]\n  darc_delta: [-k4]'
check "... each as one --flag=value token" grep -q "'--no-steal=true' '--darc-delta=-k4'" "$tmp/out"
printf 'workloads: [high-bimodal]\npolicies: [darc]\nloads: [0.5]\nrequests: 20000\nreplications: 1\nknobs:\n  no_steal: [true]\n  darc_samples: [1000]\n' >"$tmp/bool.yml"
"$sweep" "$tmp/bool.yml" --local --outdir "$tmp/bool.sweep" --psp-sim "$sim" --quiet >"$tmp/out" 2>"$tmp/err"
check "a sweep of a boolean knob runs (exit 0)" test $? -eq 0

# Row 18: --list of 100 k jobs in little memory (it took 8.6 KB a job).
printf 'workloads: [high-bimodal]\nworkers: [4, 8]\nknobs:\n  darc_samples: [%s]\nshards: 1000\n' "$(vals 50)" >"$tmp/big.yml"
/usr/bin/time -f %M -o "$tmp/rss" "$sweep" "$tmp/big.yml" --list --psp-sim "$sim" >"$tmp/big.list"
check "--list of 100 k jobs succeeds" test $? -eq 0 -a "$(wc -l <"$tmp/big.list")" -eq 100000
echo "--list of 100000 jobs: max RSS $(cat "$tmp/rss") KB"
check "--list of 100 k jobs holds under 150 MB (ASan's included)" test "$(cat "$tmp/rss")" -lt 150000
"$sweep" "$tmp/big.yml" --list --psp-sim "$sim" >/dev/full 2>"$tmp/err"
check "--list to /dev/full: exit 1" test $? -eq 1
check "... saying so" grep -q "cannot write the list to stdout" "$tmp/err"

# Rows 3 and 18: a jobs.txt that cannot be written (here /dev/full) is
# named, exit 1 (it was exit 2, silently).
small=$'workloads: [high-bimodal]\npolicies: [cfcfs]\nloads: [0.5]\nrequests: 20000\nreplications: 1'
printf '%s\n' "$small" >"$tmp/small.yml"
mkdir -p "$tmp/full"
ln -s /dev/full "$tmp/full/jobs.txt"
"$sweep" "$tmp/small.yml" --local --quiet -o "$tmp/full" --psp-sim "$sim" 2>"$tmp/err"
check "jobs.txt on /dev/full: exit 1" test $? -eq 1
check "... naming it" grep -q "cannot write $tmp/full/jobs.txt: No space left on device" "$tmp/err"
# ... and GNU parallel's input and Slurm's script, before either is run.
rm "$tmp/full/jobs.txt"
ln -s /dev/full "$tmp/full/parallel.jobs"
"$sweep" "$tmp/small.yml" --parallel --quiet -o "$tmp/full" --psp-sim "$sim" 2>"$tmp/err"
check "parallel.jobs on /dev/full: exit 1" test $? -eq 1
check "... naming it" grep -q "cannot write $tmp/full/parallel.jobs: No space left on device" "$tmp/err"
ln -s /dev/full "$tmp/full/sweep.sbatch"
"$sweep" "$tmp/small.yml" --slurm --quiet -o "$tmp/full" --psp-sim "$sim" 2>"$tmp/err"
check "sweep.sbatch on /dev/full: exit 1" test $? -eq 1
check "... naming it" grep -q "cannot write $tmp/full/sweep.sbatch: No space left on device" "$tmp/err"

# Row 18: a psp-sim that cannot start says why (E2BIG was "status 127"):
# with a 512 KiB stack, exec takes 128 KiB of arguments and environment;
# psp-sweep starts with 100 KB of environment, psp-sim would add 40 KB.
printf '%s\noptions: [--slo, "%s"]\n' "$small" "$(head -c 40000 /dev/zero | tr '\0' 1)" >"$tmp/e2big.yml"
(ulimit -s 512; BIG="$(head -c 100000 /dev/zero | tr '\0' 1)" \
  "$sweep" "$tmp/e2big.yml" --local --quiet -o "$tmp/e2big" --psp-sim "$sim" 2>"$tmp/err")
check "arguments beyond exec's limit: exit 2" test $? -eq 2
check "... saying the argument list is too long" \
  grep -q "cell high-bimodal-k14: cannot run $sim: Argument list too long" "$tmp/err"
printf '%s\noptions: [--slo, "%s"]\n' "$small" "$(head -c 70000 /dev/zero | tr '\0' 1)" >"$tmp/long.yml"
"$sweep" "$tmp/long.yml" --local --quiet -o "$tmp/long" --psp-sim "$sim" 2>"$tmp/err"
check "a command line beyond 64 KiB: exit 1" test $? -eq 1
check "... saying so" grep -q "job high-bimodal-k14.1of1: its command line is longer than 65535 bytes" "$tmp/err"

# Row 18: kill -9 of psp-sweep takes its jobs with it.
cat >"$tmp/slow" <<F
#!/bin/sh
case " \$* " in *" --verify "*) exec "$sim" "\$@" ;; esac
echo \$\$ >>"$tmp/slow.pids"
echo "to stdout"; echo "to stderr" >&2
exec sleep 60
F
chmod +x "$tmp/slow"
printf 'workloads: [high-bimodal]\nknobs:\n  darc_samples: [1000, 2000]\nshards: 2\n' >"$tmp/slow.yml"
"$sweep" "$tmp/slow.yml" --local --jobs 4 --quiet -o "$tmp/slowdir" --psp-sim "$tmp/slow" 2>/dev/null &
spid=$!
for _ in $(seq 100); do [ "$(cat "$tmp/slow.pids" 2>/dev/null | wc -l)" -ge 4 ] && break; sleep 0.1; done
check "four slow jobs started" test "$(wc -l <"$tmp/slow.pids")" -eq 4
log=$tmp/slowdir/logs/high-bimodal-k14-darc_samples-1000.1of2.log
check "a job's log holds its stdout and its stderr" grep -qx "to stdout" "$log"
check "... both" grep -qx "to stderr" "$log"
kill -9 $spid; wait $spid 2>/dev/null
sleep 0.5
alive=0
for p in $(cat "$tmp/slow.pids"); do # a zombie (state Z) is dead, waiting for init
  [ -r /proc/$p/stat ] && [ "$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null)" != Z ] && alive=$((alive + 1))
done
check "after kill -9 of psp-sweep no job is left running ($alive alive)" test $alive -eq 0
for p in $(cat "$tmp/slow.pids"); do kill "$p" 2>/dev/null; done

checks_done
