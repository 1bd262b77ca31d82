#!/usr/bin/env bash
# Starts a one-machine Slurm cluster on this host, so that psp-sweep --slurm
# can be tried (and tested) without a cluster: munged, then slurmctld and
# slurmd, started directly (no systemd), with their configuration, state and
# logs in one directory.  Run as root (Debian 12: tools/setup.sh installs
# slurm-wlm and munge).  Safe to run again: a cluster that answers is left
# as it is.
#
#   sudo tools/slurm-single-node.sh          start (or check) it; prints the
#                                            SLURM_CONF line to export
#   sudo tools/slurm-single-node.sh --stop   stop the three daemons
#
# PSP_SLURM_DIR chooses the directory (default /var/lib/psp-slurm).
# Slurm's commands (sbatch, squeue, ...) find this cluster through
#   export SLURM_CONF=$PSP_SLURM_DIR/slurm.conf
set -euo pipefail
dir=${PSP_SLURM_DIR:-/var/lib/psp-slurm}
conf=$dir/slurm.conf
export SLURM_CONF=$conf
say() { echo "slurm-single-node: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (munged and slurmd need it)"
for cmd in munged slurmctld slurmd sbatch scontrol sinfo; do
  command -v "$cmd" >/dev/null || die "$cmd not found: apt-get install slurm-wlm munge (tools/setup.sh)"
done

# The process whose pid is in file $1 is alive.
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
  for d in slurmd slurmctld; do
    if alive "$dir/$d.pid"; then kill "$(cat "$dir/$d.pid")"; fi
  done
  if alive "$dir/munged.pid"; then kill "$(cat "$dir/munged.pid")"; fi
  say "stopped"
}

if [ "${1:-}" = --stop ]; then
  stop
  exit 0
fi
[ $# -eq 0 ] || die "usage: $0 [--stop]"

# Runs a daemon without this script's open files beyond stdin/out/err: the
# daemons outlive the script, and a descriptor they inherited would stay open
# with them (a caller's lock, as with "flock LOCK tools/test.sh", would never
# be released).
without_inherited_fds() {
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
    done
    exec "$@"
  )
}

node_state() { sinfo --noheader --nodes="$host" --format=%T 2>/dev/null | head -1; }
host=$(hostname -s)
if alive "$dir/munged.pid" && alive "$dir/slurmctld.pid" && alive "$dir/slurmd.pid" &&
   scontrol ping 2>/dev/null | grep -q UP && [ -n "$(node_state)" ]; then
  say "already running (node $host: $(node_state))"
  echo "export SLURM_CONF=$conf"
  exit 0
fi

mkdir -p "$dir/state" "$dir/spool" /run/munge
chown munge:munge /run/munge
chmod 0755 /run/munge

# munged, as the munge user, with Debian's key (created by the package);
# Slurm reaches it through its default socket.
if ! alive "$dir/munged.pid"; then
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  rm -f /run/munge/munged.pid
  without_inherited_fds runuser -u munge -- munged --force
  for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  cp /run/munge/munged.pid "$dir/munged.pid" || die "munged did not start"
fi
munge -n | unmunge >/dev/null || die "munge does not work (see /var/log/munge/munged.log)"

cpus=$(nproc)
cat >"$conf" <<EOF
# One-node Slurm for psp-sweep (written by tools/slurm-single-node.sh)
ClusterName=psp
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
# no cgroups (containers rarely delegate them): plain process tracking
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
# array tasks start and finish fast: look often, keep finished jobs briefly
SchedulerParameters=sched_interval=1
MinJobAge=30
MaxArraySize=10001
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

for d in slurmd slurmctld; do
  if alive "$dir/$d.pid"; then kill "$(cat "$dir/$d.pid")"; sleep 1; fi
done
without_inherited_fds slurmctld -c || die "slurmctld did not start (see $dir/slurmctld.log)"
without_inherited_fds slurmd || die "slurmd did not start (see $dir/slurmd.log)"

# Wait for the node to register, then make sure it takes jobs.
for _ in $(seq 100); do
  state=$(node_state)
  case $state in idle*|mix*|alloc*) break ;; esac
  case $state in down*|drain*) scontrol update nodename="$host" state=resume 2>/dev/null || true ;; esac
  sleep 0.3
done
case $(node_state) in
  idle*|mix*|alloc*) ;;
  *) die "node $host is '$(node_state)', not idle (see $dir/slurmctld.log, $dir/slurmd.log)" ;;
esac
say "running: node $host with $cpus CPUs, partition debug; logs in $dir"
echo "export SLURM_CONF=$conf"
