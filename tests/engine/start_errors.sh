#!/usr/bin/env bash
# Start-up errors say what is wrong and what to do:
# - psp-client before psp-engine: no memif server on the socket (DPDK alone
#   says "rte_eth_dev_start: Operation not permitted");
# - two DPDK processes with one --file-prefix (here: a second engine of the
#   same instance, a client given the engine's prefix): the second cannot
#   start, and says which process holds the prefix and how to give it its
#   own (the EAL alone says "Success"); the first engine is not disturbed.
. "$(dirname "$0")/lib.sh"

status=0
"${CLIENT[@]}" --workload high-bimodal --rate 100 --duration 1 > "$T/early.log" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "a client without an engine exited with $status, not 1"
grep -q "psp-client: port: no memif server listens on /tmp/psp-memif-$(id -u)/$INST.sock: start psp-engine" \
	"$T/early.log" || fail "a client without an engine does not say the engine is missing: $(tail -2 "$T/early.log")"
start_engine "$T/engine.log" "${ENGINE[@]}"
status=0
"${ENGINE[@]}" > "$T/second.log" 2>&1 || status=$?
grep 'psp-engine:' "$T/second.log"
[ "$status" -eq 2 ] || fail "a second engine of the same instance exited with $status, not 2"
grep -q "EAL initialisation failed: another DPDK process (pid $ENGINE_PID) runs with file prefix \"psp-engine-$INST\"" \
	"$T/second.log" || fail "the second engine does not name the process holding its prefix"
status=0
"${CLIENT[@]}" --set 'eal=[--no-huge, -m, "256", --no-pci, --lcores, "0@(0-1)", --file-prefix, psp-engine-%i]' \
	--workload high-bimodal --rate 100 --duration 1 > "$T/client.log" 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "a client on the engine's prefix exited with $status, not 2"
grep -q "psp-client: EAL initialisation failed: another DPDK process (pid $ENGINE_PID)" "$T/client.log" ||
	fail "the client does not name the process holding its prefix"
stop_engine || fail "psp-engine exited with status $?"
check_clean_stop "$T/engine.log"
echo "PASS: a missing engine and a file-prefix clash are named"
