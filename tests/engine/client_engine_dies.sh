#!/usr/bin/env bash
# Issue 22, row 7: the engine is killed (SIGKILL) 2 s into a 6 s client run.
# psp-client must not report a measured (overloaded) point: it says NOT
# MEASURED, why (the server stopped answering), prints no verdict and no
# table, and exits 3.
. "$(dirname "$0")/lib.sh"

start_engine "$T/engine.log" "${ENGINE[@]}" --policy cfcfs
"${CLIENT[@]}" --workload high-bimodal --rate 2000 --duration 6 --format csv \
	--output "$T/client.csv" > "$T/client.log" 2>&1 &
CPID=$!
STARTED_PIDS+=("$CPID")
sleep 2
kill -KILL "$ENGINE_PID"
wait "$CPID"
rc=$?
grep '^psp-client' "$T/client.log"
[ $rc -eq 3 ] || fail "psp-client exited with status $rc after the engine died, not 3"
grep -q "^psp-client: NOT MEASURED: the server stopped answering: no reply for the last [0-9]* ms" "$T/client.log" ||
	fail "the client does not say the server stopped answering"
grep -q "OVERLOADED" "$T/client.log" && fail "a dead engine is reported as OVERLOADED"
[ "$(wc -l < "$T/client.csv")" -le 1 ] || fail "the CSV holds rows for a run that measured nothing"
echo "PASS: a dead engine is no measurement (psp-client exit 3)"
