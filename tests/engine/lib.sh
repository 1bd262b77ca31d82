# Shared helpers for the engine's end-to-end tests (sourced, bash).
# Every test gets its own temporary directory, memif socket, EAL file prefix
# and (for tap tests) network namespace; the EXIT trap kills what the test
# started and removes them.
set -u

BIN=${PSP_BIN_DIR:?PSP_BIN_DIR not set (run through ctest)}
SRC=${PSP_SOURCE_DIR:?PSP_SOURCE_DIR not set (run through ctest)}
export PSP_WORKLOAD_PATH=${PSP_WORKLOAD_PATH:-$SRC/workloads}
ID=$$
T=$(mktemp -d "/tmp/psp-engine-test.XXXXXX")
STARTED_PIDS=()
NETNS=""
NETNS_PEER="" # the client's namespace of a two-namespace (veth) test

cleanup() {
	local p
	for p in "${STARTED_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	local ns
	for ns in "$NETNS" "$NETNS_PEER"; do
		[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${PSP_KEEP_TEST_DIR:-}" ]; then
		echo "test files kept in $T"
	else
		rm -rf "$T"
	fi
	rm -rf "/var/run/dpdk/psp-engine-$INST" 2>/dev/null
	rm -f "/tmp/psp-memif-$(id -u)/$INST.sock" 2>/dev/null
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		echo "----- $f (last 60 lines)"
		tail -60 "$f"
	done
	exit 1
}

# A counter "name=value" from a log: from psp-engine's final "counters:"
# block, or from psp-client's "psp-client:" summary lines.
counter() {
	local v
	v=$(sed -n -e '/^counters:/,/^balance:/p' -e '/^psp-client:/p' "$2" |
		grep -oE "(^|[ :])$1=[0-9]+" | tail -1 | sed 's/.*=//')
	echo "${v:-}"
}

# psp-client's count of requests of type NAME sent ("sent per type:", the
# part before the not-sent and late counts on the same line).
client_sent() {
	grep "^psp-client: sent per type:" "$2" | sed 's/;.*//' | grep -oE "[ :]$1=[0-9]+" | tail -1 |
		sed 's/.*=//'
}

# This test's instance: the engine's EAL file prefix psp-engine-$INST and
# the memif socket /tmp/psp-memif-UID/$INST.sock (the shipped configs' %u, %i).
INST=t$ID
# psp-engine and psp-client on the shipped memif configs as this test's
# instance, with their output in $T; tests add --set items and flags.
ENGINE=("$BIN/psp-engine" --config "$SRC/configs/engine-memif.yml" --set "instance=$INST"
	--set "output_dir=$T/out")
CLIENT=("$BIN/psp-client" --config "$SRC/configs/client-memif.yml" --set "instance=$INST")

# start_engine LOG [prefix command...] -- psp-engine args
# Starts psp-engine in the background and waits (30 s at most) for "ready".
ENGINE_PID=""
start_engine() {
	local log=$1
	shift
	"$@" > "$log" 2>&1 &
	ENGINE_PID=$!
	STARTED_PIDS+=("$ENGINE_PID")
	local i
	for i in $(seq 1 300); do
		if grep -q "ready" "$log"; then
			return 0
		fi
		if ! kill -0 "$ENGINE_PID" 2>/dev/null; then
			fail "psp-engine exited before it was ready"
		fi
		sleep 0.1
	done
	fail "psp-engine not ready after 30 s"
}

# Stops the engine with SIGINT and waits (30 s at most); returns its status.
stop_engine() {
	kill -INT "$ENGINE_PID" 2>/dev/null
	local i
	for i in $(seq 1 300); do
		if ! kill -0 "$ENGINE_PID" 2>/dev/null; then
			wait "$ENGINE_PID"
			return $?
		fi
		sleep 0.1
	done
	fail "psp-engine did not stop within 30 s of SIGINT"
}

# Checks what every clean stop must show: the counters balance and the mbuf
# pool is full again.
check_clean_stop() {
	local log=$1
	grep -q "balance: .* -> ok" "$log" || fail "engine counters do not balance"
	grep -q "mbuf pool: avail=\([0-9]*\) size=\1 -> full" "$log" ||
		fail "mbuf pool not full after stop"
	local r a d f
	r=$(counter received "$log"); a=$(counter answered "$log")
	d=$(counter dropped "$log"); f=$(counter in_flight "$log")
	[ "$r" -eq $((a + d + f)) ] || fail "received $r != answered $a + dropped $d + in_flight $f"
}

need_root_tun() {
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! command -v ip > /dev/null; then
		echo "SKIP: needs root, /dev/net/tun and iproute2"
		exit 77
	fi
	if ! ip netns add "psp-probe-$ID" 2>/dev/null; then
		echo "SKIP: cannot create network namespaces"
		exit 77
	fi
	ip netns del "psp-probe-$ID"
}

# The telemetry socket of this test's engine, or fail.
telemetry_socket() {
	local d
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/tmp}/dpdk"; do
		if [ -S "$d/psp-engine-$INST/dpdk_telemetry.v2" ]; then
			echo "$d/psp-engine-$INST/dpdk_telemetry.v2"
			return 0
		fi
	done
	fail "no telemetry socket for file prefix psp-engine-$INST"
}
