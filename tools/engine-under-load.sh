#!/usr/bin/env bash
# Runs the engine test suite N times with one busy process holding a CPU
# for the whole run (`yes > /dev/null` pinned with taskset to CPU $CPU, 0 by
# default), and prints each run's pass count and the total: how the engine
# and its tests behave when they do not have the machine to themselves.
# On a shared machine take the exclusive lock around it:
#   flock -x /tmp/psp-cpu.lock tools/engine-under-load.sh 5
#   tools/engine-under-load.sh N [ctest arguments...]   (default: -L engine)
# BUILD=... selects the build directory (default build); each run's log is
# kept in $LOGDIR (default a new directory under /tmp, printed).
set -u
N=${1:?usage: engine-under-load.sh N [ctest arguments...]}
shift
[ $# -gt 0 ] || set -- -L engine
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
CPU=${CPU:-0}
LOGDIR=${LOGDIR:-$(mktemp -d /tmp/psp-under-load.XXXXXX)}
mkdir -p "$LOGDIR" || exit 2
command -v taskset > /dev/null || { echo "engine-under-load: needs taskset (util-linux)"; exit 2; }
[ -d "$BUILD" ] || { echo "engine-under-load: no build directory $BUILD"; exit 2; }

taskset -c "$CPU" yes > /dev/null &
HOG=$!
trap 'kill $HOG 2>/dev/null; wait $HOG 2>/dev/null' EXIT
sleep 0.2
kill -0 $HOG 2>/dev/null || { echo "engine-under-load: the busy process did not start"; exit 2; }
echo "engine-under-load: yes > /dev/null (pid $HOG) holds CPU $CPU; ctest $*; logs in $LOGDIR"
passed_runs=0
for i in $(seq 1 "$N"); do
	log=$LOGDIR/run-$i.log
	(cd "$BUILD" && ctest "$@" --output-on-failure) > "$log" 2>&1
	line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1)
	failed=$(grep -E "^[[:space:]]+[0-9]+ - " "$log" | sed -E 's/^[[:space:]]+[0-9]+ - //; s/ \(.*//' | tr '\n' ' ')
	echo "run $i: ${line:-no ctest summary (see $log)}${failed:+; failed: $failed}"
	case $line in *" 0 tests failed"*) passed_runs=$((passed_runs + 1)) ;; esac
done
echo "engine-under-load: $passed_runs of $N runs passed every test"
[ "$passed_runs" -eq "$N" ]
