#!/usr/bin/env bash
# The RocksDB application's database, when it is not what psp-engine made
# (issue 22, rows 6 and 17).
#   rocksdb_db.sh corrupt  -- a filled database whose SST data blocks are
#       XORed: every failed read is counted (app_failed), each such reply says
#       so (run_ns 0), the engine prints the first error and exits 3, and
#       psp-client exits 3 (NOT MEASURED) instead of printing a measurement.
#   rocksdb_db.sh foreign  -- another program's RocksDB database: refused
#       (exit 2) naming it, and not one of its files touched.
#   rocksdb_db.sh full     -- a disk too small for the fill (a 1 MiB tmpfs in
#       a private mount namespace): a clear "disk is full" error, the partial
#       database removed, the same at a restart; a filled database on a disk
#       that is then full opens (read-only) and is refused or served, never
#       an abort inside librocksdb.
MODE=${1:?corrupt, foreign or full}
. "$(dirname "$0")/lib.sh"

DB=$T/db
SETS=(--workload rocksdb --app rocksdb --policy cfcfs)
# Files, sizes and modification times: what "untouched" means.
listing() { find "$1" -printf '%P %s %T@\n' | sort; }

case $MODE in
corrupt)
	start_engine "$T/fill.log" "${ENGINE[@]}" "${SETS[@]}" --set "app.rocksdb={path: $DB, keys: 20000}"
	stop_engine || fail "psp-engine (fill) exited with status $?"
	ls "$DB"/*.sst > /dev/null 2>&1 || fail "no SST file in $DB"
	# XOR the data blocks: the first 80% of each table file (its index,
	# filter and footer are at the end, so the file still opens).
	for f in "$DB"/*.sst; do
		python3 - "$f" <<'PY' || fail "cannot corrupt $f"
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
for i in range(0, len(b) * 8 // 10):
    b[i] ^= 0x5a
open(p, 'wb').write(b)
PY
	done
	start_engine "$T/engine.log" "${ENGINE[@]}" "${SETS[@]}" --set "app.rocksdb={path: $DB, keys: 20000}"
	"${CLIENT[@]}" --workload rocksdb --rate 200 --duration 2 > "$T/client.log" 2>&1
	crc=$?
	stop_engine
	erc=$?
	grep '^psp-client' "$T/client.log"
	sed -n '/^psp-engine: stopping/,$p' "$T/engine.log" | grep -E '^(psp-engine|rocksdb):|app_failed'
	failed=$(counter failed "$T/client.log"); app_failed=$(counter app_failed "$T/engine.log")
	[ "${app_failed:-0}" -gt 0 ] || fail "the engine counted no failed request on a corrupted database"
	[ "$failed" = "$app_failed" ] || fail "client saw $failed failed replies, the engine counted $app_failed"
	grep -q "^rocksdb: first failure: .*Corruption" "$T/engine.log" || fail "no first error printed at stop"
	[ $erc -eq 3 ] || fail "psp-engine exited with status $erc, not 3"
	[ $crc -eq 3 ] || fail "psp-client exited with status $crc, not 3"
	grep -q "^psp-client: NOT MEASURED: the server answered $failed requests with an application failure" "$T/client.log" ||
		fail "the client does not say the run is no measurement"
	grep -q "OVERLOADED\|^ALL" "$T/client.log" && fail "the client printed a verdict or a table"
	check_clean_stop "$T/engine.log"
	echo "PASS: corrupted database: $app_failed of $(counter received "$T/engine.log") requests failed, counted and refused"
	;;
foreign)
	"$BIN/rocksdb_foreign" "$DB" || fail "cannot make the foreign database"
	before=$(listing "$DB")
	sleep 1.1 # a modification now would show in the times
	"${ENGINE[@]}" "${SETS[@]}" --set "app.rocksdb.path=$DB" > "$T/engine.log" 2>&1
	rc=$?
	cat "$T/engine.log" | grep -i "rocksdb" | tail -3
	[ $rc -eq 2 ] || fail "psp-engine exited with status $rc on a foreign database, not 2"
	grep -q "holds a RocksDB database that is not psp-engine's (first key \"user:0\"" "$T/engine.log" ||
		fail "the refusal does not say the database is someone else's"
	after=$(listing "$DB")
	[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "psp-engine modified the foreign database"; }
	echo "PASS: a foreign database is refused untouched"
	;;
full)
	unshare -m true 2>/dev/null || { echo "SKIP: cannot create a mount namespace"; exit 77; }
	mkdir -p "$T/small"
	# In a private mount namespace: a 1 MiB tmpfs at $T/small; 20000 keys of
	# 1 KiB do not fit.  Each start's status goes to $T/rcN.
	cat > "$T/inner.sh" <<'IN'
T=$1; shift
OPS="{GET: get, SCAN: scan 50}" # the small databases have fewer keys than a SCAN of 5000
mount -t tmpfs -o size=1m tmpfs "$T/small" || exit 99
for n in 1 2; do
	"$@" --set "app.rocksdb={path: $T/small/db, keys: 20000, value_bytes: 1024}" > "$T/full$n.log" 2>&1
	echo $? > "$T/rc$n"
	ls -A "$T/small" > "$T/left$n"
done
# A database that fits, then a disk filled by something else.
"$@" --set "app.rocksdb={path: $T/small/db, keys: 200, value_bytes: 1024, ops: $OPS}" > "$T/fits.log" 2>&1 &
pid=$!
for i in $(seq 1 300); do grep -q ready "$T/fits.log" && break; sleep 0.1; done
kill -INT $pid; wait $pid; echo $? > "$T/rc_fits"
dd if=/dev/zero of="$T/small/filler" bs=4k 2> /dev/null
# Restarts on the full disk: another size is refused, the same one served.
"$@" --set "app.rocksdb={path: $T/small/db, keys: 100, value_bytes: 1024, ops: $OPS}" > "$T/again.log" 2>&1
echo $? > "$T/rc_again"
"$@" --set "app.rocksdb={path: $T/small/db, keys: 200, value_bytes: 1024, ops: $OPS}" > "$T/same.log" 2>&1 &
pid=$!
for i in $(seq 1 300); do grep -q ready "$T/same.log" && break; sleep 0.1; done
kill -INT $pid; wait $pid; echo $? > "$T/rc_same"
IN
	unshare -m bash "$T/inner.sh" "$T" "${ENGINE[@]}" "${SETS[@]}"
	for n in 1 2; do
		grep -i "rocksdb" "$T/full$n.log" | tail -1
		rc=$(cat "$T/rc$n")
		[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] || fail "start $n on a full disk: status $rc (an abort is 134)"
		grep -q "app.rocksdb[a-z.]*: cannot .*(the disk is full); the partial database was removed" "$T/full$n.log" ||
			fail "start $n: no clear full-disk error"
		[ ! -s "$T/left$n" ] || fail "start $n left $(cat "$T/left$n") on the disk"
	done
	[ "$(cat "$T/rc_fits")" -eq 0 ] || fail "a database that fits: status $(cat "$T/rc_fits")"
	grep -i "rocksdb" "$T/again.log" | tail -1
	[ "$(cat "$T/rc_again")" -eq 2 ] || fail "restart on a full disk, other sizes: status $(cat "$T/rc_again"), not 2"
	grep -q "holds a database of keys=200 value_bytes=1024" "$T/again.log" || fail "no clear refusal on the full disk"
	grep -q "^rocksdb: opened $T/small/db .*serving it read-only" "$T/same.log" ||
		fail "restart on a full disk, same sizes: not served"
	[ "$(cat "$T/rc_same")" -eq 0 ] || fail "restart on a full disk, same sizes: status $(cat "$T/rc_same")"
	echo "PASS: a full disk is a clear error, the partial database removed; a full disk later is no abort"
	;;
esac
