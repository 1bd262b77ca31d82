#!/usr/bin/env bash
# Start-up errors say what is wrong and what to do:
# - psp-client before psp-engine: no memif server on the socket (DPDK alone
#   says "rte_eth_dev_start: Operation not permitted");
# - two DPDK processes with one --file-prefix: the second cannot start, and
#   says which process holds the prefix and how to give it its own (the EAL
#   alone says "Success"), for psp-engine and psp-client; the first engine is
#   not disturbed.
. "$(dirname "$0")/lib.sh"

make_memif_configs "$T/engine.yml" "$T/client.yml"
status=0
"$BIN/psp-client" --config "$T/client.yml" --workload high-bimodal --rate 100 --duration 1 \
	> "$T/early.log" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "a client without an engine exited with $status, not 1"
grep -q "psp-client: port: no memif server listens on $T/memif.sock: start psp-engine" "$T/early.log" ||
	fail "a client without an engine does not say the engine is missing: $(tail -2 "$T/early.log")"
start_engine "$T/engine.log" "$BIN/psp-engine" --config "$T/engine.yml"
status=0
"$BIN/psp-engine" --config "$T/engine.yml" > "$T/second.log" 2>&1 || status=$?
cat "$T/second.log" | grep 'psp-engine:'
[ "$status" -eq 2 ] || fail "a second engine on the same prefix exited with $status, not 2"
grep -q "EAL initialisation failed: another DPDK process (pid $ENGINE_PID) runs with file prefix \"psp-e-$ID\"" \
	"$T/second.log" || fail "the second engine does not name the process holding its prefix"
sed -i "s#--file-prefix, psp-c-$ID#--file-prefix, psp-e-$ID#" "$T/client.yml"
status=0
"$BIN/psp-client" --config "$T/client.yml" --workload high-bimodal --rate 100 --duration 1 \
	> "$T/client.log" 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "a client on the engine's prefix exited with $status, not 2"
grep -q "psp-client: EAL initialisation failed: another DPDK process (pid $ENGINE_PID)" "$T/client.log" ||
	fail "the client does not name the process holding its prefix"
stop_engine || fail "psp-engine exited with status $?"
check_clean_stop "$T/engine.log"
echo "PASS: a missing engine and a file-prefix clash are named"
