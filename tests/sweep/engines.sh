#!/usr/bin/env bash
# psp-sweep on the real engines: starts a one-node Slurm on this machine
# (tools/slurm-single-node.sh: root, Debian's slurm-wlm and munge), runs one
# small sweep with --local, --parallel (GNU parallel) and --slurm (a job
# array), and checks that the three merges are byte-identical to each other
# and to unsharded psp-sim runs of each cell.  No skipping: if Slurm or GNU
# parallel does not work here, the test fails.
#   usage: engines.sh PSP_SWEEP PSP_SIM SOURCE_DIR   (PSP_WORKLOAD_PATH set)
set -u
sweep=$1 sim=$2 src=$3
. "$(dirname "$0")/../check.sh"

export PSP_SLURM_DIR=${PSP_SLURM_DIR:-/var/lib/psp-slurm}
if ! conf=$("$src/tools/slurm-single-node.sh"); then
  echo "FAIL: tools/slurm-single-node.sh could not start Slurm"
  for f in "$PSP_SLURM_DIR"/slurmctld.log "$PSP_SLURM_DIR"/slurmd.log; do
    [ -e "$f" ] && { echo "--- tail of $f"; tail -20 "$f"; }
  done
  exit 1
fi
eval "$conf" # export SLURM_CONF=...

cat >"$tmp/s.yml" <<'Y'
name: engines
workloads: [high-bimodal, extreme-bimodal]
policies: [darc, cfcfs]
workers: [8, 14]
loads: 0.3,0.7
replications: 2
requests: 20000
seed: 5
shards: 3
format: csv
options: [--darc-samples, "2000"]
Y
for mode in local parallel slurm; do
  "$sweep" "$tmp/s.yml" --$mode --quiet -o "$tmp/$mode" --psp-sim "$sim" 2>"$tmp/err.$mode"
  rc=$?
  check "--$mode sweep succeeds" test $rc -eq 0
  [ $rc -eq 0 ] || sed 's/^/    /' "$tmp/err.$mode"
done
cells=0
for wl in high-bimodal extreme-bimodal; do
  for k in 8 14; do
    cell=$wl-k$k
    "$sim" --quiet -w $wl -k $k -p darc,cfcfs -l 0.3,0.7 -r 2 -n 20000 --seed 5 --no-capacity \
      --darc-samples 2000 --format csv >"$tmp/whole.$cell" 2>/dev/null
    check "$cell: --local merge = unsharded psp-sim" cmp -s "$tmp/whole.$cell" "$tmp/local/$cell.csv"
    check "$cell: --parallel merge = --local" cmp -s "$tmp/local/$cell.csv" "$tmp/parallel/$cell.csv"
    check "$cell: --slurm merge = --local" cmp -s "$tmp/local/$cell.csv" "$tmp/slurm/$cell.csv"
    cells=$((cells + 1))
  done
done
check "4 cells of 3 shards ran as 12 Slurm array tasks" \
  test "$(ls "$tmp/slurm/logs" | grep -c '^slurm-.*\.out$')" -eq 12
checks_done "$cells cells"
