#!/usr/bin/env bash
# psp-engine's output files (stats.jsonl, darc-timeline.csv, --trace) and
# runtime directory, under the failures they must survive:
#   outputs.sh full-disk  output_dir and --trace on a 64 KiB tmpfs (root, else
#                         skip): the engine says at stop which file lost how
#                         many lines, counts them (output_lines_lost), exits 1,
#                         and every file ends at a whole line; --trace
#                         /dev/full: refused at stop the same way; psp-client
#                         --output /dev/full says its report was lost, exit 1.
#   outputs.sh kill       SIGKILL mid-run: the trace already holds the rows of
#                         the first requests, whole, ids 0..n-1.
#   outputs.sh refused    a start refused after the config is read (the EAL
#                         rejects an option) leaves an existing --trace file
#                         as it was.
#   outputs.sh memory     --trace-limit 4000000 (256 MB): the records are
#                         resident once the engine is ready (RSS grows by the
#                         limit), not faulted in on the dispatcher mid-run.
#   outputs.sh stale      the runtime directory of a SIGKILLed engine is
#                         removed by the next engine's start; a live one's is
#                         kept; a dead psp-client's is removed by the next
#                         psp-client's start.
MODE=${1:?mode}
. "$(dirname "$0")/lib.sh"

# Every line of a file is whole: it ends with a newline, and each line is
# a JSON object (.jsonl) or has the header's number of fields (.csv).
check_whole_lines() { # FILE
	python3 - "$1" <<'PY' || fail "$1 holds a cut line"
import json, sys
path = sys.argv[1]
data = open(path, "rb").read()
assert data == b"" or data.endswith(b"\n"), f"{path} does not end with a newline"
lines = data.decode().splitlines()
if path.endswith(".jsonl"):
    for l in lines:
        json.loads(l)
elif lines:
    n = lines[0].count(",")
    for l in lines:
        assert l.count(",") == n, f"{path}: {l!r} is not a whole row"
print(f"{path}: {len(lines)} whole lines")
PY
}

client_run() { # seconds
	"${CLIENT[@]}" --workload high-bimodal --rate 1000 --duration "$1" --workers 3 \
		> "$T/client.out" 2> "$T/client.log"
}

case $MODE in
full-disk)
	if [ "$(id -u)" != 0 ] || ! mkdir -p "$T/small" ||
		! mount -t tmpfs -o size=64k psp-test "$T/small" 2>/dev/null; then
		echo "SKIP: needs root to mount a small tmpfs"
		exit 77
	fi
	trap 'umount "$T/small" 2>/dev/null; cleanup' EXIT
	start_engine "$T/engine.log" "${ENGINE[@]}" --set "output_dir=$T/small/out" \
		--set policy.darc_samples=500 --trace "$T/small/trace.csv" --stats-ms 10
	client_run 2 || fail "psp-client failed (status $?)"
	status=0
	stop_engine || status=$?
	grep -E "^(trace|stats|darc-timeline):" "$T/engine.log"
	[ "$status" -eq 1 ] || fail "the engine lost output on a full disk and exited with $status, not 1"
	grep -q "^stats: cannot write $T/small/out/stats.jsonl: No space left on device: [0-9]* lines written, [1-9][0-9]* lost" \
		"$T/engine.log" || fail "the stop does not say stats.jsonl lost lines"
	grep -q "^trace: cannot write $T/small/trace.csv: No space left on device: [0-9]* requests written, [1-9][0-9]* lost" \
		"$T/engine.log" || fail "the stop does not say the trace lost rows"
	lost=$(counter output_lines_lost "$T/engine.log")
	[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "output_lines_lost is '$lost'"
	check_clean_stop "$T/engine.log"
	for f in "$T/small/out/stats.jsonl" "$T/small/trace.csv" "$T/small/out/darc-timeline.csv"; do
		check_whole_lines "$f"
	done
	# A device that takes nothing: the header itself is lost.
	start_engine "$T/engine2.log" "${ENGINE[@]}" --trace /dev/full
	client_run 1 || fail "psp-client failed (status $?)"
	# psp-client's report to a device that takes nothing: named, exit 1.
	status=0
	"${CLIENT[@]}" --workload high-bimodal --rate 1000 --duration 1 --workers 3 \
		--output /dev/full > "$T/client2.out" 2> "$T/client2.log" || status=$?
	[ "$status" -eq 1 ] || fail "psp-client --output /dev/full exited with $status, not 1"
	grep -q "^psp-client: /dev/full: write failed: No space left on device: output lost" \
		"$T/client2.log" || fail "psp-client --output /dev/full: the loss is not said"
	status=0
	stop_engine || status=$?
	[ "$status" -eq 1 ] || fail "--trace /dev/full exited with $status, not 1"
	grep -q "^trace: cannot write /dev/full: No space left on device: 0 requests written" \
		"$T/engine2.log" || fail "--trace /dev/full: the loss is not reported"
	;;
kill)
	start_engine "$T/engine.log" "${ENGINE[@]}" --trace "$T/trace.csv"
	client_run 3 &
	client=$!
	sleep 1.5
	kill -KILL "$ENGINE_PID"
	wait "$client" 2>/dev/null
	check_whole_lines "$T/trace.csv"
	python3 - "$T/trace.csv" <<'PY' || fail "the trace after SIGKILL"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
# 1.5 s at 1000 rps, written every 100 ms: most of them are there.
assert len(rows) >= 500, f"{len(rows)} rows after 1.5 s at 1000 rps"
assert [int(r["id"]) for r in rows] == list(range(len(rows))), "ids are not 0..n-1"
assert all(r["status"] == "answered" for r in rows)
print(f"{len(rows)} rows survived SIGKILL")
PY
	;;
refused)
	printf 'precious\n' > "$T/trace.csv"
	status=0
	"${ENGINE[@]}" --set 'eal=[--no-huge, --no-such-eal-option]' --trace "$T/trace.csv" \
		> "$T/refused.log" 2>&1 || status=$?
	[ "$status" -eq 2 ] || fail "a bad EAL option exited with $status, not 2"
	[ "$(cat "$T/trace.csv")" = precious ] || fail "a refused start truncated the existing trace"
	# Nor is a missing file created.
	"${ENGINE[@]}" --set 'eal=[--no-huge, --no-such-eal-option]' --trace "$T/new.csv" \
		> "$T/refused2.log" 2>&1
	[ ! -e "$T/new.csv" ] || fail "a refused start created the trace file"
	# The same with the start accepted: the file is the trace.
	start_engine "$T/engine.log" "${ENGINE[@]}" --trace "$T/trace.csv"
	client_run 1 || fail "psp-client failed (status $?)"
	stop_engine || fail "psp-engine exited with status $?"
	head -1 "$T/trace.csv" | grep -q "^id,type," || fail "the accepted start did not write the trace"
	;;
memory)
	rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
	start_engine "$T/base.log" "${ENGINE[@]}"
	base=$(rss_kb "$ENGINE_PID")
	stop_engine || fail "psp-engine exited with status $?"
	start_engine "$T/engine.log" "${ENGINE[@]}" --trace "$T/trace.csv" --trace-limit 4000000
	traced=$(rss_kb "$ENGINE_PID")
	stop_engine || fail "psp-engine exited with status $?"
	echo "RSS when ready: $base kB without a trace, $traced kB with 4000000 records (250000 kB)"
	[ $((traced - base)) -ge 240000 ] ||
		fail "the trace's 256 MB of records are not resident at start (RSS +$((traced - base)) kB)"
	;;
stale)
	[ "$(id -u)" = 0 ] && RUN=/var/run/dpdk || RUN=${XDG_RUNTIME_DIR:-/tmp}/dpdk
	A=${INST}a B=${INST}b
	trap 'rm -rf "$RUN/psp-engine-$A" "$RUN/psp-engine-$B"; cleanup' EXIT
	start_engine "$T/a.log" "${ENGINE[@]}" --set "instance=$A"
	kill -KILL "$ENGINE_PID"
	wait "$ENGINE_PID" 2>/dev/null
	[ -d "$RUN/psp-engine-$A" ] || fail "SIGKILL left no runtime directory to clean ($RUN/psp-engine-$A)"
	start_engine "$T/b.log" "${ENGINE[@]}" --set "instance=$B"
	B_PID=$ENGINE_PID
	# Both older than the grace period a starting engine is given.
	touch -d '-1 min' "$RUN/psp-engine-$A/config" "$RUN/psp-engine-$B/config"
	start_engine "$T/engine.log" "${ENGINE[@]}"
	grep "runtime director" "$T/engine.log"
	[ ! -e "$RUN/psp-engine-$A" ] || fail "the dead engine's runtime directory is still there"
	[ -e "$RUN/psp-engine-$B/config" ] || fail "a live engine's runtime directory was removed"
	grep -q "^psp-engine: removed 1 runtime directory of dead psp-engines" "$T/engine.log" ||
		fail "the start does not say what it removed"
	stop_engine || fail "psp-engine exited with status $?"
	ENGINE_PID=$B_PID
	stop_engine || fail "the live engine exited with status $?"
	# A psp-client that died: its runtime directory (its EAL config file
	# unlocked) goes at the next client's start.
	C=$RUN/psp-client-dead$ID
	trap 'rm -rf "$RUN/psp-engine-$A" "$RUN/psp-engine-$B" "$C"; cleanup' EXIT
	mkdir -p "$C" && touch -d '-1 min' "$C/config"
	start_engine "$T/engine2.log" "${ENGINE[@]}"
	"${CLIENT[@]}" --workload high-bimodal --rate 1000 --duration 0.2 >"$T/client.log" 2>&1 ||
		fail "psp-client exited with status $?: $(tail -3 "$T/client.log")"
	stop_engine || fail "psp-engine exited with status $?"
	[ ! -e "$C" ] || fail "the dead client's runtime directory is still there"
	grep -q "^psp-client: removed 1 runtime directory of dead psp-clients" "$T/client.log" ||
		fail "the client's start does not say what it removed"
	;;
*)
	fail "unknown mode $MODE"
	;;
esac
echo "PASS"
