#!/usr/bin/env bash
# The RocksDB application over memif: --workload rocksdb --app rocksdb as
# shipped (the workload's op: keys map GET -> get, one key, and SCAN -> scan
# 5000, the paper's), the database created and filled in this test's
# directory at start.  The client sends the rocksdb workload
# (GET and SCAN, half each) at a rate the 2-CPU machine serves: every request
# answered, counters balance, pool full, and the measured service time of a
# SCAN is far above a GET's, and the client's slowdowns divide by the service
# the engine measured (carried in each reply), not by the workload's nominal
# 1.5 us for a GET.  Under ts (rocksdb_app.sh ts) SCANs are
# preempted inside their iterator loop; GETs, which have no preemption point,
# never are.  RocksDB's info log directory of an engine that died (its pid
# has no process) is removed at start, a live process's is kept.
POLICY=${1:-darc}
. "$(dirname "$0")/lib.sh"

# TMPDIR is this test's: the log directories looked at are its own.
export TMPDIR=$T
DEAD=$T/psp-rocksdb-log-$(( $(cat /proc/sys/kernel/pid_max) + 1 ))-abc123
LIVE=$T/psp-rocksdb-log-$$-abc123
mkdir "$DEAD" "$LIVE" && touch "$DEAD/LOG" "$LIVE/LOG"

# The types (GET, SCAN) and their operations come from the workload.
SETS=(--workload rocksdb --app rocksdb --set "app.rocksdb={path: $T/db, keys: 20000}")
[ "$POLICY" = ts ] && SETS+=(--set "policy={name: ts, quantum_us: 5}")
start_engine "$T/engine.log" "${ENGINE[@]}" "${SETS[@]}" --policy "$POLICY"
grep -E '^rocksdb:|app: rocksdb' "$T/engine.log"
grep -q "app: rocksdb .* GET=get (workload) SCAN=scan 5000 (workload)" "$T/engine.log" ||
	fail "the operations are not the workload's"
grep -q "^rocksdb: created and filled $T/db (20000 keys of 64 bytes) in [0-9.]* s" "$T/engine.log" ||
	fail "the engine did not create and fill the database in the test directory"
[ -d "$T/db" ] || fail "no database directory $T/db"
[ ! -e "$DEAD" ] || fail "a dead engine's RocksDB log directory $DEAD is still there"
[ -e "$LIVE/LOG" ] || fail "a live process's RocksDB log directory $LIVE was removed"
ls -d "$T"/psp-rocksdb-log-"$ENGINE_PID"-* >/dev/null 2>&1 ||
	fail "no log directory named with the engine's pid in $T"
"${CLIENT[@]}" --workload rocksdb --rate 200 --duration 3 \
	--workers 3 > "$T/client.log" 2>&1 || fail "psp-client failed (status $?)"
stop_engine || fail "psp-engine exited with status $?"
grep '^psp-client' "$T/client.log"
sed -n '/^counters:/,$p' "$T/engine.log"
check_clean_stop "$T/engine.log"
sent=$(counter sent "$T/client.log"); answered=$(counter answered "$T/client.log")
[ "$sent" -gt 500 ] && [ "$sent" -eq "$answered" ] || fail "client: $answered of $sent answered"
[ "$(counter rx_unknown_type "$T/engine.log")" -eq 0 ] || fail "requests of unknown types"
svc() { awk -v t="$1" -v c="$2" '/^measured service time/ {on=1} on && $1 == t {print $c; exit}' "$T/engine.log"; }
get=$(svc GET 3); scan=$(svc SCAN 3)
echo "measured service: GET mean $get us, SCAN mean $scan us"
# A scan walks 5000 keys, a get reads one: at least 20x apart even on a
# loaded machine (the paper: 1.5 us vs 635 us).
awk -v g="$get" -v s="$scan" 'BEGIN { exit !(g > 0 && s > 20 * g) }' ||
	fail "SCAN's service ($scan us) is not far above GET's ($get us)"
grep -q "^psp-client: slowdown = latency / the service time the server measured" "$T/client.log" ||
	fail "the client does not say its slowdowns use the measured service"
# Client-side GET: mean latency and mean slowdown.  Over the nominal 1.5 us
# the slowdown would be mean_us / 1.5; over the measured service (several us
# for a RocksDB get) it is well below half of that.
read -r glat gslow < <(awk '$1 == "GET" && NF == 8 {print $3, $8; exit}' "$T/client.log")
echo "client GET: mean latency $glat us, mean slowdown $gslow (nominal would be $(awk -v l="$glat" 'BEGIN {printf "%.1f", l / 1.5}'))"
awk -v l="$glat" -v s="$gslow" 'BEGIN { exit !(s > 0 && s < l / 1.5 / 2) }' ||
	fail "GET slowdown $gslow is not over the measured service (nominal would give $glat / 1.5)"
if [ "$POLICY" = ts ]; then
	[ "$(counter preemptions_SCAN "$T/engine.log")" -gt 0 ] || fail "no SCAN was preempted under ts"
	[ "$(counter preemptions_GET "$T/engine.log")" -eq 0 ] || fail "a GET was preempted"
fi
echo "PASS: rocksdb app under $POLICY: $answered answered, GET $get us, SCAN $scan us"
